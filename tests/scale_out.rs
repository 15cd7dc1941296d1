//! Stateless replicas. Two `wijkatlas serve` processes on the same data answer alike:
//! the same bytes, ETags and `X-Wijkatlas-Snapshot` for every route, so a balancer may
//! send any request anywhere. Then the shape of a real deployment: two replicas behind
//! nginx, configured by `deploy/nginx/wijkatlas.conf` itself (ports and paths swapped
//! in), carry a bounded wrk load while one is reloaded and the other killed (SIGKILL)
//! and restarted, and no request fails.
//!
//! Needs nginx and wrk (Debian: nginx-light, wrk; `scripts/test.sh` installs them). The
//! nginx test is recorded as skipped when they are missing (`common::skip`), except under
//! CI, where that is a failure.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const TOKEN: &str = "scale-out-test-token";

/// The routes compared between replicas: every kind of answer, pages and CSV included,
/// tiles made ahead at load (zoom ≤ 7) and made on request.
const COMPARED: &[&str] = &[
    "/",
    "/api",
    "/api?f=html",
    "/conformance",
    "/collections",
    "/collections/wijken",
    "/collections/wijken/queryables",
    "/collections/gemeenten/items?limit=400",
    "/collections/wijken/items?limit=1000&zoom=9",
    "/collections/wijken/items?limit=500&offset=1500&crs=EPSG:28992",
    "/collections/buurten/items",
    "/collections/voorzieningen/items?limit=300",
    "/collections/wijken/items?limit=50&f=html",
    "/collections/wijken/items?gemeentecode=GM0505&f=csv",
    "/collections/wijken/items/WK050501",
    "/collections/wijken/items/WK050501?f=html",
    "/tiles/WebMercatorQuad",
    "/collections/wijken/tiles/WebMercatorQuad",
    "/tiles/WebMercatorQuad/5/10/16",
    "/tiles/WebMercatorQuad/7/42/66",
    "/tiles/WebMercatorQuad/9/168/262",
    "/tiles/WebMercatorQuad/12/1349/2100",
    "/collections/wijken/tiles/WebMercatorQuad/8/84/131",
    "/profiles/GM0505",
    "/profiles/GM0505?f=html",
    "/profiles/GM0505?f=csv",
    "/profiles/WK050501",
    "/api/gaps?categorie=ziekenhuis&limit=50",
    "/api/access?categorie=ziekenhuis",
    "/api/nearest?lon=5.12&lat=52.09&k=5",
    "/api/housing?niveau=gemeente&doel=30",
    "/api/zoek?q=3741",
    "/kaart",
    "/toegankelijkheid",
];

/// What wrk asks through nginx: the routes a map and its users hit, of modest size so
/// that a replica killed mid-answer is almost always killed between answers or before a
/// header (which nginx retries), not in the middle of a long body.
const LOAD: &[&str] = &[
    "/collections",
    "/collections/wijken/items?limit=20",
    "/collections/wijken/items/WK050501",
    "/tiles/WebMercatorQuad/12/1349/2100",
    "/collections/voorzieningen/items?limit=50",
    "/profiles/GM0505",
    "/api/nearest?lon=5.12&lat=52.09&k=5",
    "/",
    "/health",
];

/// One `wijkatlas serve` on a port of loopback, killed when dropped.
struct Replica {
    child: Child,
    base: String,
    log: PathBuf,
}

impl Replica {
    /// Starts a replica on `port` (0: any free one) and waits until it listens. The
    /// expensive-request cap is raised: the load mixes in profiles, and the cap (its own
    /// test in `api::operations_tests`) would answer some 503 by design.
    fn start(port: u16, work: &Path, name: &str) -> Replica {
        let out = work.join(format!("{name}.stdout"));
        let log = work.join(format!("{name}.stderr"));
        let file = |p: &Path| std::fs::File::create(p).expect("replica log file");
        let child = Command::new(env!("CARGO_BIN_EXE_wijkatlas"))
            .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
            .args(["--admin-token", TOKEN, "--max-expensive", "64"])
            .env_remove("WIJKATLAS_CONFIG")
            .env_remove("WIJKATLAS_DATA")
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stdin(Stdio::null())
            .stdout(file(&out))
            .stderr(file(&log))
            .spawn()
            .expect("start wijkatlas");
        let mut replica = Replica {
            child,
            base: String::new(),
            log,
        };
        let started = Instant::now();
        loop {
            let line = std::fs::read_to_string(&out).unwrap_or_default();
            if let Some(rest) = line
                .lines()
                .find_map(|l| l.strip_prefix("wijkatlas listening on "))
            {
                replica.base = rest.trim().trim_end_matches('/').to_string();
                return replica;
            }
            if let Ok(Some(status)) = replica.child.try_wait() {
                panic!(
                    "replica {name} ended ({status}) before listening:\n{}",
                    replica.stderr()
                );
            }
            assert!(
                started.elapsed() < Duration::from_secs(90),
                "replica {name} did not listen within 90 s:\n{}",
                replica.stderr()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn stderr(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Ends the process at once, as a crash or the OOM killer would: no graceful
    /// shutdown, open connections reset.
    fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An answer as far as replicas must agree on it.
#[derive(Debug)]
struct Answer {
    status: u16,
    etag: Option<String>,
    snapshot: Option<String>,
    content_type: Option<String>,
    body: Vec<u8>,
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into()
}

fn get(agent: &ureq::Agent, url: &str, headers: &[(&str, &str)]) -> Answer {
    let mut req = agent.get(url);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let mut resp = req.call().unwrap_or_else(|e| panic!("GET {url}: {e}"));
    let header = |name: &str| {
        resp.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let (etag, snapshot, content_type) = (
        header("etag"),
        header("x-wijkatlas-snapshot"),
        header("content-type"),
    );
    let status = resp.status().as_u16();
    let body = resp
        .body_mut()
        .with_config()
        .limit(256 * 1024 * 1024)
        .read_to_vec()
        .unwrap_or_else(|e| panic!("body of {url}: {e}"));
    Answer {
        status,
        etag,
        snapshot,
        content_type,
        body,
    }
}

fn post_reload(agent: &ureq::Agent, replica: &Replica) -> (u16, serde_json::Value) {
    let mut r = agent
        .post(&replica.url("/admin/reload"))
        .header("Authorization", &format!("Bearer {TOKEN}"))
        .send_empty()
        .expect("POST /admin/reload");
    let status = r.status().as_u16();
    let body = r.body_mut().read_to_string().expect("reload body");
    (status, serde_json::from_str(&body).expect("reload JSON"))
}

/// Every route of `COMPARED` from each replica, asked as through the same proxy (links
/// are absolute, made from these headers): status, ETag, snapshot header, content type
/// and body must be equal, and one replica's ETag must be good for a 304 on the others.
/// Returns the snapshot id they share.
fn assert_alike(replicas: &[&Replica], forwarded_host: &str) -> String {
    let agent = agent();
    let proxy = [
        ("X-Forwarded-Host", forwarded_host),
        ("X-Forwarded-Proto", "https"),
    ];
    let mut snapshot = None;
    for path in COMPARED {
        let answers: Vec<Answer> = replicas
            .iter()
            .map(|r| get(&agent, &r.url(path), &proxy))
            .collect();
        let first = &answers[0];
        assert_eq!(
            first.status,
            200,
            "{path}: {}",
            String::from_utf8_lossy(&first.body)
        );
        let id = first
            .snapshot
            .clone()
            .unwrap_or_else(|| panic!("{path}: no X-Wijkatlas-Snapshot"));
        assert_eq!(snapshot.get_or_insert_with(|| id.clone()), &id, "{path}");
        for (n, other) in answers.iter().enumerate().skip(1) {
            assert_eq!(
                (
                    other.status,
                    &other.etag,
                    &other.snapshot,
                    &other.content_type
                ),
                (
                    first.status,
                    &first.etag,
                    &first.snapshot,
                    &first.content_type
                ),
                "{path}: replica {n} answers otherwise than replica 0"
            );
            assert!(
                other.body == first.body,
                "{path}: replica {n}'s body ({} bytes) differs from replica 0's ({} bytes)",
                other.body.len(),
                first.body.len()
            );
        }
        if let Some(etag) = &first.etag {
            // The web map's files are tagged by their own content instead.
            assert!(
                etag.contains(&id) || path.starts_with("/kaart"),
                "{path}: ETag {etag} is not of snapshot {id}"
            );
            for r in replicas {
                let again = get(
                    &agent,
                    &r.url(path),
                    &[proxy[0], proxy[1], ("If-None-Match", etag.as_str())],
                );
                assert_eq!(
                    again.status, 304,
                    "{path}: {etag} from one replica, not 304 on {}",
                    r.base
                );
                assert_eq!(again.snapshot.as_deref(), Some(id.as_str()), "{path}: 304");
            }
        }
    }
    // Errors and operator routes name the snapshot too.
    for r in replicas {
        for path in ["/health", "/collections/wijken/items/WK999999"] {
            let a = get(&agent, &r.url(path), &[]);
            assert_eq!(a.snapshot, snapshot, "{path} on {}", r.base);
        }
    }
    snapshot.unwrap_or_default()
}

/// The two tests one after the other: each starts replicas, and on a 2-core machine two
/// sets loading at once would slow the load test's timeline out of shape.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[test]
fn replicas_on_the_same_data_answer_alike() {
    let _serial = one_at_a_time();
    let work = tempfile::tempdir().expect("temp dir");
    // Started one after the other, so their loads interleave differently: nothing may
    // depend on timing, pids or hash seeds.
    let a = Replica::start(0, work.path(), "a");
    let b = Replica::start(0, work.path(), "b");
    let snapshot = assert_alike(&[&a, &b], "wijkatlas.example.nl");
    let agent = agent();
    for r in [&a, &b] {
        let ready: serde_json::Value =
            serde_json::from_slice(&get(&agent, &r.url("/ready"), &[]).body).expect("ready JSON");
        assert_eq!(ready["snapshot"], snapshot.as_str());
    }
    // Links are made from the forwarded address, as a balancer in front passes it.
    let collections = get(
        &agent,
        &a.url("/collections"),
        &[
            ("X-Forwarded-Host", "wijkatlas.example.nl"),
            ("X-Forwarded-Proto", "https"),
        ],
    );
    assert!(String::from_utf8_lossy(&collections.body)
        .contains("\"href\":\"https://wijkatlas.example.nl/collections"));
}

fn find_program(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin".into(), "/usr/local/sbin".into()])
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// Loopback ports free right now, taken together so they differ.
fn free_ports(n: usize) -> Vec<u16> {
    let listeners: Vec<std::net::TcpListener> = (0..n)
        .map(|_| std::net::TcpListener::bind("127.0.0.1:0").expect("bind"))
        .collect();
    listeners
        .iter()
        .map(|l| l.local_addr().expect("addr").port())
        .collect()
}

/// `deploy/nginx/wijkatlas.conf` as shipped, with the test's ports and log path in place
/// of the deployment's. Every replaced line must be there, so the test breaks when the
/// file changes shape instead of quietly testing something else.
fn nginx_site(replicas: [u16; 2], listen: u16, access_log: &Path) -> String {
    let shipped = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/nginx/wijkatlas.conf"),
    )
    .expect("read deploy/nginx/wijkatlas.conf");
    let mut site = shipped.clone();
    for (from, to) in [
        (
            "server 127.0.0.1:8081 ",
            format!("server 127.0.0.1:{} ", replicas[0]),
        ),
        (
            "server 127.0.0.1:8082 ",
            format!("server 127.0.0.1:{} ", replicas[1]),
        ),
        ("listen 80;", format!("listen 127.0.0.1:{listen};")),
        // IPv6 loopback may be missing on a CI machine.
        ("listen [::]:80;", String::new()),
        (
            "/var/log/nginx/wijkatlas.access.log",
            access_log.display().to_string(),
        ),
    ] {
        assert!(
            site.contains(from),
            "deploy/nginx/wijkatlas.conf no longer has {from:?}"
        );
        site = site.replacen(from, &to, 1);
    }
    site
}

/// nginx in the foreground with everything (pid, logs, temp files) inside `work`.
fn start_nginx(nginx: &Path, work: &Path, site: &str) -> Child {
    let site_path = work.join("wijkatlas.conf");
    std::fs::write(&site_path, site).expect("write site");
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.trim_ascii() == b"0");
    let w = work.display();
    // As root nginx's workers would run as nobody, who cannot enter the private temp dir
    // for the buffered bodies; run them as the user running the test instead.
    let user = if is_root { "user root;" } else { "" };
    let conf = format!(
        "{user}
worker_processes 1;
pid {w}/nginx.pid;
error_log {w}/nginx.error.log warn;
events {{ worker_connections 1024; }}
http {{
    client_body_temp_path {w}/client_body;
    proxy_temp_path {w}/proxy;
    fastcgi_temp_path {w}/fastcgi;
    uwsgi_temp_path {w}/uwsgi;
    scgi_temp_path {w}/scgi;
    include {site};
}}
",
        site = site_path.display()
    );
    let conf_path = work.join("nginx.conf");
    std::fs::write(&conf_path, conf).expect("write nginx.conf");
    let args = |test: bool| {
        let mut a: Vec<String> = vec![
            "-p".into(),
            format!("{w}/"),
            "-c".into(),
            conf_path.display().to_string(),
            "-e".into(),
            format!("{w}/nginx.error.log"),
        ];
        if test {
            a.push("-t".into());
        } else {
            a.extend(["-g".into(), "daemon off;".into()]);
        }
        a
    };
    let check = Command::new(nginx)
        .args(args(true))
        .output()
        .expect("run nginx -t");
    assert!(
        check.status.success(),
        "nginx -t refuses the config:\n{}",
        String::from_utf8_lossy(&check.stderr)
    );
    Command::new(nginx)
        .args(args(false))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start nginx")
}

/// nginx's master and workers: ended when the test ends, however it ends.
struct Nginx(Child);

impl Drop for Nginx {
    /// SIGTERM, nginx's fast shutdown, which ends the workers too; a SIGKILL to the
    /// master would leave them running.
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.0.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn wait_until_up(url: &str, nginx: &mut Child, work: &Path) {
    let agent = agent();
    let started = Instant::now();
    loop {
        if agent.get(url).call().is_ok_and(|r| r.status() == 200) {
            return;
        }
        if let Ok(Some(status)) = nginx.try_wait() {
            panic!(
                "nginx ended ({status}):\n{}",
                std::fs::read_to_string(work.join("nginx.error.log")).unwrap_or_default()
            );
        }
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "nginx did not answer {url}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The figures of wrk's report that say whether anything failed.
#[derive(Debug, Default)]
struct WrkReport {
    requests: u64,
    non_2xx: u64,
    socket_errors: u64,
}

fn parse_wrk(text: &str) -> WrkReport {
    let mut r = WrkReport::default();
    for line in text.lines().map(str::trim) {
        if line.contains(" requests in ") {
            r.requests = line
                .split_whitespace()
                .next()
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
        } else if let Some(n) = line.strip_prefix("Non-2xx or 3xx responses:") {
            r.non_2xx = n.trim().parse().unwrap_or(u64::MAX);
        } else if let Some(rest) = line.strip_prefix("Socket errors:") {
            // "connect 0, read 1, write 0, timeout 0"
            r.socket_errors = rest
                .split(',')
                .filter_map(|part| part.split_whitespace().nth(1)?.parse::<u64>().ok())
                .sum();
        }
    }
    r
}

/// Requests a replica has answered since it started, from its own metrics.
fn answered(agent: &ureq::Agent, replica: &Replica) -> u64 {
    let text =
        String::from_utf8_lossy(&get(agent, &replica.url("/metrics"), &[]).body).into_owned();
    text.lines()
        .filter(|l| l.starts_with("wijkatlas_http_requests_total{"))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum::<f64>() as u64
}

#[test]
fn behind_nginx_no_request_fails_while_replicas_reload_crash_and_restart() {
    let (Some(nginx), Some(wrk)) = (find_program("nginx"), find_program("wrk")) else {
        common::skip::skip(
            "behind_nginx_no_request_fails_while_replicas_reload_crash_and_restart",
            "nginx and wrk",
            "Debian packages nginx-light and wrk; bash scripts/test.sh installs them",
        );
        return;
    };
    let _serial = one_at_a_time();
    let work = tempfile::tempdir().expect("temp dir");
    let w = work.path();
    let ports = free_ports(3);
    let (port_a, port_b, port_n) = (ports[0], ports[1], ports[2]);
    let a = Replica::start(port_a, w, "a");
    let b = Replica::start(port_b, w, "b-first");
    let access_log = w.join("access.log");
    let site = nginx_site([port_a, port_b], port_n, &access_log);
    let mut nginx = Nginx(start_nginx(&nginx, w, &site));
    let front = format!("http://127.0.0.1:{port_n}");
    wait_until_up(&format!("{front}/health"), &mut nginx.0, w);
    let agent = agent();
    let before: serde_json::Value =
        serde_json::from_slice(&get(&agent, &a.url("/ready"), &[]).body).expect("ready JSON");

    let paths = LOAD
        .iter()
        .map(|p| format!("\"{p}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let script = w.join("mix.lua");
    std::fs::write(
        &script,
        format!(
            "local paths = {{ {paths} }}\nlocal i = 0\nrequest = function()\n  i = i + 1\n  return wrk.format(\"GET\", paths[(i % #paths) + 1])\nend\n"
        ),
    )
    .expect("write wrk script");
    let seconds = 15;
    let wrk_out = w.join("wrk.txt");
    // A generous timeout: on a busy 2-core machine a reload and a restart slow answers
    // for a moment, and a slow answer is not a failed one.
    let mut load = Command::new(&wrk)
        .args([
            "-t2",
            "-c16",
            &format!("-d{seconds}s"),
            "--timeout",
            "10s",
            "-s",
        ])
        .arg(&script)
        .arg(&front)
        .stdout(std::fs::File::create(&wrk_out).expect("wrk output"))
        .stderr(Stdio::null())
        .spawn()
        .expect("start wrk");
    let started = Instant::now();
    let at = |s: u64| {
        let due = Duration::from_secs(s);
        if let Some(rest) = due.checked_sub(started.elapsed()) {
            std::thread::sleep(rest);
        }
    };

    // A is reloaded at 2 s and 9 s on a thread of its own (a reload under load takes
    // seconds here), so that B is killed at 4 s whatever the reload is doing.
    let (outcomes, b, killed_at, back_at) = std::thread::scope(|scope| {
        let reloader = scope.spawn(|| {
            let mut outcomes = Vec::new();
            for due in [2, 9] {
                at(due);
                outcomes.push(post_reload(&agent, &a));
            }
            outcomes
        });
        at(4);
        b.kill();
        let killed_at = started.elapsed();
        let b = Replica::start(port_b, w, "b-second");
        let back_at = started.elapsed();
        (reloader.join().expect("reloads"), b, killed_at, back_at)
    });
    for (status, outcome) in &outcomes {
        assert_eq!(*status, 200, "reload of A under load: {outcome}");
        assert_eq!(
            outcome["snapshot_id"], before["snapshot"],
            "the same data, the same id"
        );
    }

    let wrk_status = load.wait().expect("wait for wrk");
    let took = started.elapsed();
    let report_text = std::fs::read_to_string(&wrk_out).unwrap_or_default();
    let report = parse_wrk(&report_text);
    let log = std::fs::read_to_string(&access_log).unwrap_or_default();
    let lines: Vec<&str> = log.lines().collect();
    // nginx lists every replica it asked: "upstream=127.0.0.1:B, 127.0.0.1:A".
    let retried = lines
        .iter()
        .filter_map(|l| l.split_once("upstream=")?.1.split_once(" upstream_status="))
        .filter(|(addrs, _)| addrs.contains(", "))
        .count();
    // 499 is nginx's word for a client that hung up: wrk closing its connections when
    // its time is up, with requests still in flight.
    let not_ok: Vec<&&str> = lines
        .iter()
        .filter(|l| !l.contains("\" 200 ") && !l.contains("\" 499 "))
        .collect();
    let failed_in_log = not_ok.len();
    let error_log = std::fs::read_to_string(w.join("nginx.error.log")).unwrap_or_default();
    let upstream_errors = error_log.lines().filter(|l| l.contains("upstream")).count();
    // nginx keeps a failed replica out for its fail_timeout (10 s by default) after the
    // kill, and a restart on a busy machine can take as long: when the load ended before
    // B was let back in, plain requests through nginx go on (at most 25 s) until it is.
    let mut b_answered = answered(&agent, &b);
    let waited = Instant::now();
    while b_answered == 0 && waited.elapsed() < Duration::from_secs(25) {
        for _ in 0..20 {
            get(&agent, &format!("{front}/collections"), &[]);
        }
        std::thread::sleep(Duration::from_millis(200));
        b_answered = answered(&agent, &b);
    }
    eprintln!(
        "scale-out: {} requests in {seconds} s through nginx, {} non-2xx, {} socket errors; \
         replica B killed at {:.1} s and listening again at {:.1} s, answered {b_answered} after (requests through nginx for {:.1} s more after the load); \
         nginx retried {retried} requests on the other replica ({upstream_errors} upstream errors logged); \
         {} access-log lines not 200; whole run {:.1} s",
        report.requests,
        report.non_2xx,
        report.socket_errors,
        killed_at.as_secs_f64(),
        back_at.as_secs_f64(),
        waited.elapsed().as_secs_f64(),
        failed_in_log,
        took.as_secs_f64(),
    );
    assert!(wrk_status.success(), "wrk failed:\n{report_text}");
    assert!(
        report.requests > 1000,
        "too little load to mean anything:\n{report_text}"
    );
    assert_eq!(
        (report.non_2xx, report.socket_errors),
        (0, 0),
        "failed requests through nginx:\n{report_text}\nnginx errors:\n{error_log}\nA:\n{}\nB:\n{}",
        a.stderr(),
        b.stderr()
    );
    assert_eq!(
        failed_in_log, 0,
        "answers other than 200 in nginx's log: {not_ok:#?}"
    );
    // The kill happened under load: nginx met the dead replica and asked the other.
    assert!(
        retried + upstream_errors > 0,
        "nginx never noticed replica B was killed:\n{error_log}"
    );
    assert!(
        b_answered > 0,
        "the restarted replica got no traffic back from nginx"
    );

    // After all that, both replicas (one reloaded twice, one new) serve the same data.
    let snapshot = assert_alike(&[&a, &b], "wijkatlas.example.nl");
    assert_eq!(before["snapshot"], snapshot.as_str());
    // And through nginx a client gets what either replica gives for its address.
    let host = format!("127.0.0.1:{port_n}");
    for path in [
        "/collections",
        "/tiles/WebMercatorQuad/12/1349/2100",
        "/profiles/GM0505",
    ] {
        let through = get(&agent, &format!("{front}{path}"), &[]);
        assert_eq!(through.status, 200, "{path} through nginx");
        for r in [&a, &b] {
            let direct = get(
                &agent,
                &r.url(path),
                &[
                    ("X-Forwarded-Host", host.as_str()),
                    ("X-Forwarded-Proto", "http"),
                ],
            );
            assert_eq!(
                (&direct.etag, &direct.snapshot),
                (&through.etag, &through.snapshot),
                "{path}"
            );
            assert!(
                direct.body == through.body,
                "{path}: nginx changed the body"
            );
        }
    }
    let collections =
        String::from_utf8_lossy(&get(&agent, &format!("{front}/collections"), &[]).body)
            .into_owned();
    assert!(
        collections.contains(&format!("\"href\":\"{front}/collections")),
        "links through nginx must name nginx's address"
    );
    // The balancer never passes the admin endpoints on: reloads are per replica.
    assert_eq!(
        get(&agent, &format!("{front}/admin/status"), &[]).status,
        404
    );
}
