//! The OpenAPI document at /api against the real server: valid by an independent
//! validator, and the server's answers checked against it by schemathesis.

mod common;

use common::Server;
use std::path::PathBuf;
use std::process::Command;

/// The Python tools live in the virtualenv `scripts/test.sh` makes.
fn python_tool(name: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("target/pyenv/bin")
        .join(name);
    assert!(
        path.exists(),
        "{} is missing: run `bash scripts/test.sh`, which installs the Python test clients",
        path.display()
    );
    path
}

fn run(mut command: Command) -> String {
    let out = command.output().expect("run the Python tool");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{command:?} failed:\n{text}");
    text
}

#[test]
fn the_document_is_valid_openapi_3_and_describes_every_collection() {
    let server = Server::start(&[]);
    let doc = server.json("/api");
    assert_eq!(doc["openapi"], "3.0.3");
    let paths = doc["paths"].as_object().expect("paths");
    for c in server.json("/collections")["collections"]
        .as_array()
        .unwrap()
    {
        let id = c["id"].as_str().unwrap();
        let items = &paths[&format!("/collections/{id}/items")]["get"]["parameters"];
        let names: Vec<&str> = items
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        for p in [
            "limit",
            "offset",
            "bbox",
            "bbox-crs",
            "crs",
            "sortby",
            "properties",
            "f",
        ] {
            assert!(names.contains(&p), "{id}: {p} undocumented");
        }
        // Every queryable is documented as a filter parameter.
        let queryables = server.json(&format!("/collections/{id}/queryables"));
        for q in queryables["properties"].as_object().unwrap().keys() {
            assert!(q == "geometry" || names.contains(&q.as_str()), "{id}: {q}");
        }
    }
    let file = tempfile::NamedTempFile::new().expect("temp file");
    std::fs::write(file.path(), doc.to_string()).expect("write");
    let mut validate = Command::new(python_tool("openapi-spec-validator"));
    validate.arg(file.path());
    let out = run(validate);
    assert!(out.contains("OK"), "{out}");
}

#[test]
fn schemathesis_finds_no_server_error_and_no_answer_that_contradicts_the_schema() {
    let server = Server::start(&[]);
    let mut st = Command::new(python_tool("schemathesis"));
    st.args([
        "run",
        &format!("{}/api", server.base),
        "--url",
        &server.base,
        // Server errors and answers (status, content type, headers, body) that the
        // document does not allow. Whether a schema-valid request may still be refused
        // (a day that is not in its month) is not something OpenAPI can state.
        "--checks",
        "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance",
        "--max-examples",
        "40",
        "--seed",
        "20261123",
        "--no-color",
    ])
    .env("SCHEMATHESIS_HOOKS", "")
    .current_dir(std::env::temp_dir());
    // Exit status 0 is schemathesis's own verdict; the summary must agree.
    let out = run(st);
    assert!(
        out.contains(" passed") && !out.contains("❌") && !out.contains("failures"),
        "{out}"
    );
}
