//! Running it for real: the config file, environment and flags in their order of
//! precedence, JSON logs with request ids and without the resident's query, /health,
//! /ready, /metrics and the token-guarded /admin/status, on a real port.

use serde_json::Value;
use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};

fn get(base: &str, path: &str, token: Option<&str>) -> (u16, String) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut req = agent.get(&format!("{base}{path}"));
    if let Some(t) = token {
        req = req.header("Authorization", &format!("Bearer {t}"));
    }
    let mut r = req.call().expect("request");
    let status = r.status().as_u16();
    (status, r.body_mut().read_to_string().expect("body"))
}

/// The server's base URL, from the line it prints once it listens.
fn listening_on(child: &mut std::process::Child) -> String {
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("listening line");
    line.trim()
        .strip_prefix("wijkatlas listening on ")
        .expect("listening line")
        .trim_end_matches('/')
        .to_string()
}

#[test]
fn settings_come_from_flags_then_environment_then_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("wijkatlas.toml");
    std::fs::write(
        &config,
        r#"
addr = "127.0.0.1:0"
admin_token = "from-the-file"
tile_cache_mb = 3
log_format = "json"
log = "debug,geo=error"
cors_origins = ["https://gemeente.example"]
[limits]
request_timeout_s = 11
max_body_kb = 64
max_expensive = 5
"#,
    )
    .expect("write config");
    let mut child = Command::new(env!("CARGO_BIN_EXE_wijkatlas"))
        .args(["serve", "--config"])
        .arg(&config)
        // A flag beats the variable and the file; the variable beats the file.
        .args(["--request-timeout-s", "7"])
        .env("WIJKATLAS_REQUEST_TIMEOUT_S", "9")
        .env("WIJKATLAS_MAX_EXPENSIVE", "2")
        .env_remove("WIJKATLAS_ADMIN_TOKEN")
        .env_remove("WIJKATLAS_LOG")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start wijkatlas");
    let base = listening_on(&mut child);

    let (status, body) = get(&base, "/admin/status", Some("from-the-file"));
    assert_eq!(status, 200, "{body}");
    let s: Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(
        s["limits"]["request_timeout_s"], 7,
        "flag over variable over file"
    );
    assert_eq!(s["limits"]["max_expensive"], 2, "variable over file");
    assert_eq!(
        s["limits"]["max_body_bytes"],
        64 * 1024,
        "file over default"
    );
    assert_eq!(s["tile_cache"]["cap_bytes"], 3 * 1024 * 1024);
    assert_eq!(s["cors_origins"][0], "https://gemeente.example");
    // The named origin is answered with its own name; another gets no allowance.
    for (origin, allowed) in [
        ("https://gemeente.example", Some("https://gemeente.example")),
        ("https://elders.example", None),
    ] {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let r = agent
            .get(&format!("{base}/health"))
            .header("Origin", origin)
            .call()
            .expect("request");
        let h = |name: &str| r.headers().get(name).and_then(|v| v.to_str().ok());
        assert_eq!(h("access-control-allow-origin"), allowed, "{origin}");
        assert_eq!(h("vary"), Some("origin"), "{origin}");
    }
    assert_eq!(get(&base, "/admin/status", Some("wrong")).0, 401);
    assert_eq!(get(&base, "/admin/status", None).0, 401);

    assert_eq!(get(&base, "/health", None).0, 200);
    let (status, body) = get(&base, "/ready", None);
    assert_eq!(status, 200);
    let ready: Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(ready["status"], "ready");
    assert_eq!(ready["features"]["wijken"], 3474);

    // A resident's lookup, good and bad, and a page.
    assert_eq!(
        get(&base, "/api/nearest?lon=5.28713&lat=52.21173", None).0,
        200
    );
    let (status, body) = get(&base, "/api/nearest?lon=5%2C28713&lat=52.21173", None);
    assert_eq!(status, 400);
    assert!(!body.contains("28713"), "the value is not repeated: {body}");
    assert_eq!(get(&base, "/collections/wijken/items?limit=2", None).0, 200);
    let (_, metrics) = get(&base, "/metrics", None);
    assert!(
        metrics.contains(
            r#"wijkatlas_http_requests_total{route="/api/nearest",method="GET",status="400"} 1"#
        ),
        "{metrics}"
    );
    assert!(!metrics.contains("28713"));

    let _ = child.kill();
    let mut log = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut log)
        .expect("log");
    let _ = child.wait();
    let json_lines: Vec<Value> = log
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .collect();
    assert!(!json_lines.is_empty(), "JSON log lines: {log}");
    let answered: Vec<&Value> = json_lines
        .iter()
        .filter(|l| l["message"] == "answered")
        .collect();
    assert!(
        answered.iter().any(|l| l["route"] == "/api/nearest"
            && l["request_id"].as_str().is_some_and(|id| !id.is_empty())),
        "an access line with its request id: {log}"
    );
    assert!(
        !log.contains("28713") && !log.contains("21173"),
        "the resident's point is not in the log"
    );
}

#[test]
fn a_config_file_with_a_typo_is_refused_with_the_key_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("bad.toml");
    std::fs::write(&config, "adress = \"127.0.0.1:0\"\n").expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_wijkatlas"))
        .args(["serve", "--config"])
        .arg(&config)
        .output()
        .expect("run");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.toml") && err.contains("adress"), "{err}");
}

#[test]
fn sigterm_stops_the_server_cleanly() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_wijkatlas"))
        .args(["serve", "--addr", "127.0.0.1:0"])
        .env_remove("WIJKATLAS_ADMIN_TOKEN")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start wijkatlas");
    let base = listening_on(&mut child);
    assert_eq!(get(&base, "/health", None).0, 200);
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "still running 20 s after SIGTERM"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert!(status.success(), "exit status {status}");
    let mut log = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut log)
        .expect("log");
    assert!(log.contains("shutting down"), "{log}");
}
