//! Hot reload on a real server: the admin endpoint and SIGHUP swap in new data, a reload
//! that fails validation keeps the old data, and the endpoint is locked without a token.

mod common;

use common::Server;
use serde_json::Value;
use std::path::Path;
use std::process::Command;

struct Reloadable(Server);

impl std::ops::Deref for Reloadable {
    type Target = Server;
    fn deref(&self) -> &Server {
        &self.0
    }
}

fn start(data: &Path, token: Option<&str>) -> Reloadable {
    let data = data.to_string_lossy().into_owned();
    let mut args = vec!["--data", data.as_str()];
    if let Some(t) = token {
        args.extend(["--admin-token", t]);
    }
    Reloadable(Server::start(&args))
}

impl Reloadable {
    fn agent() -> ureq::Agent {
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into()
    }

    fn reload(&self, token: Option<&str>) -> (u16, Value) {
        let mut req = Self::agent().post(&format!("{}/admin/reload", self.base));
        if let Some(t) = token {
            req = req.header("Authorization", &format!("Bearer {t}"));
        }
        let mut r = req.send_empty().expect("POST");
        let status = r.status().as_u16();
        let body = r.body_mut().read_to_string().expect("body");
        (status, serde_json::from_str(&body).expect("JSON"))
    }

    fn buurt_count(&self) -> usize {
        self.json("/collections/buurten/items?limit=1000")["features"]
            .as_array()
            .map_or(0, Vec::len)
    }
}

/// A data directory with the bundled Baarn buurten, `keep` of them.
fn write_data(dir: &Path, keep: usize) {
    let bundled = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/buurten_baarn_2024.geojson");
    let mut fc: Value = serde_json::from_str(&std::fs::read_to_string(bundled).unwrap()).unwrap();
    fc["features"].as_array_mut().unwrap().truncate(keep);
    std::fs::write(dir.join("buurten.geojson"), fc.to_string()).unwrap();
    std::fs::write(
        dir.join("wijkatlas.toml"),
        "[[source]]\nname = \"buurten\"\npath = \"buurten.geojson\"\nkind = \"areas\"\nlevel = \"buurt\"\n",
    )
    .unwrap();
}

#[test]
fn admin_reload_swaps_good_data_and_keeps_old_on_bad() {
    let dir = tempfile::tempdir().unwrap();
    write_data(dir.path(), 21);
    let server = start(dir.path(), Some("geheim"));
    assert_eq!(server.buurt_count(), 21);
    let first = server.json("/status")["snapshot"].clone();

    let (status, body) = server.reload(None);
    assert_eq!(status, 401, "{body}");
    let (status, _) = server.reload(Some("fout"));
    assert_eq!(status, 401);

    // Same data: same snapshot id.
    let (status, body) = server.reload(Some("geheim"));
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["outcome"], "swapped");
    assert_eq!(body["snapshot_id"], first);

    write_data(dir.path(), 10);
    let (status, body) = server.reload(Some("geheim"));
    assert_eq!(status, 200, "{body}");
    assert_ne!(body["snapshot_id"], first);
    assert_eq!(server.buurt_count(), 10);

    // A broken file is rejected and the previous data stays.
    std::fs::write(
        dir.path().join("buurten.geojson"),
        "{\"type\":\"FeatureColl",
    )
    .unwrap();
    let (status, body) = server.reload(Some("geheim"));
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["outcome"], "rejected");
    assert!(
        body["reason"].as_str().unwrap().contains("buurten.geojson"),
        "{body}"
    );
    assert_eq!(server.buurt_count(), 10);
    let status = server.json("/status");
    assert_eq!(status["reloads"]["ok"], 2);
    assert_eq!(status["reloads"]["rejected"], 1);
}

#[test]
fn admin_endpoints_are_off_without_a_token() {
    let dir = tempfile::tempdir().unwrap();
    write_data(dir.path(), 3);
    let server = start(dir.path(), None);
    let (status, body) = server.reload(Some("anything"));
    assert_eq!(status, 404, "{body}");
}

#[cfg(unix)]
#[test]
fn sighup_reloads() {
    let dir = tempfile::tempdir().unwrap();
    write_data(dir.path(), 21);
    let server = start(dir.path(), None);
    assert_eq!(server.buurt_count(), 21);
    write_data(dir.path(), 5);
    let killed = Command::new("kill")
        .args(["-HUP", &server.child.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    // The reload runs in the background; poll for it rather than sleep a fixed time.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while server.buurt_count() != 5 {
        assert!(
            std::time::Instant::now() < deadline,
            "SIGHUP did not reload"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}
