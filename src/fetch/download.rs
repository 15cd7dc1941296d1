//! HTTP downloads that survive a broken connection: the bytes received are kept in a
//! `.part` file and the next attempt (or the next run) asks only for the rest (`Range`),
//! provided the file on the server is still the same one (`If-Range`).

use super::error::FetchError;
use super::progress::Progress;
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;
use ureq::tls::{RootCerts, TlsConfig};

const CHUNK: usize = 1 << 18;
/// Small answers (Atom feed, .md5) are read whole, up to this size.
const TEXT_LIMIT: u64 = 4 << 20;

pub struct Client {
    agent: ureq::Agent,
    /// The command line a planner would run with `--from-file`, for the offline hint.
    command: String,
    retries: u32,
    backoff: Duration,
}

/// Why one attempt ended without the whole file.
enum Attempt {
    /// Worth another try from where it stopped.
    Retry(String),
    Fatal(FetchError),
}

impl Client {
    /// Proxies come from `ALL_PROXY`/`HTTPS_PROXY`/`HTTP_PROXY` (upper or lower case) with
    /// `NO_PROXY` exceptions, as ureq reads them; certificates from the system store.
    pub fn new(command: String, retries: u32, backoff: Duration) -> Self {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .user_agent(concat!("wijkatlas/", env!("CARGO_PKG_VERSION")))
            .timeout_connect(Some(Duration::from_secs(30)))
            // A stalled connection is retried (and resumed) rather than waited on forever.
            .timeout_per_read(Some(Duration::from_secs(60)))
            .tls_config(
                TlsConfig::builder()
                    .root_certs(RootCerts::PlatformVerifier)
                    .build(),
            )
            .build()
            .into();
        Client {
            agent,
            command,
            retries,
            backoff,
        }
    }

    /// A small text answer; `Ok(None)` when the server says 404.
    pub fn text(&self, url: &str) -> Result<Option<String>, FetchError> {
        let response = self
            .agent
            .get(url)
            .call()
            .map_err(|e| self.request_error(url, e))?;
        match response.status().as_u16() {
            200 => response
                .into_body()
                .with_config()
                .limit(TEXT_LIMIT)
                .read_to_string()
                .map(Some)
                .map_err(|e| FetchError::Protocol {
                    url: url.to_string(),
                    message: format!("cannot read the answer: {e}"),
                }),
            404 => Ok(None),
            status => Err(FetchError::Status {
                url: url.to_string(),
                status,
                hint: String::new(),
            }),
        }
    }

    /// Downloads `url` into `part`, resuming what an earlier attempt left there. Returns
    /// the size of the complete file.
    pub fn download(&self, url: &str, part: &Path, label: &str) -> Result<u64, FetchError> {
        let mut attempts = 0;
        loop {
            attempts += 1;
            match self.attempt(url, part, label) {
                Ok(size) => {
                    let _ = std::fs::remove_file(validator_path(part));
                    return Ok(size);
                }
                Err(Attempt::Fatal(e)) => return Err(e),
                Err(Attempt::Retry(reason)) if attempts <= self.retries => {
                    let have = file_len(part);
                    eprintln!(
                        "{label}: transfer interrupted ({reason}); resuming from byte {have} (attempt {} of {})",
                        attempts + 1,
                        self.retries + 1
                    );
                    std::thread::sleep(self.backoff * attempts);
                }
                Err(Attempt::Retry(reason)) => {
                    let have = file_len(part);
                    return Err(FetchError::Transfer {
                        url: url.to_string(),
                        attempts,
                        reason,
                        kept: if have > 0 {
                            format!(
                                "the {have} bytes received are kept in {}; run the same command again to resume",
                                part.display()
                            )
                        } else {
                            "nothing was kept".into()
                        },
                    });
                }
            }
        }
    }

    fn attempt(&self, url: &str, part: &Path, label: &str) -> Result<u64, Attempt> {
        let have = file_len(part);
        let response =
            self.resume_request(url, part, have)
                .call()
                .map_err(|e| match classify(&e) {
                    // Offline from the start: no point in trying again.
                    Failure::Unreachable if have == 0 => Attempt::Fatal(self.request_error(url, e)),
                    _ => Attempt::Retry(e.to_string()),
                })?;
        let (start, total) = where_the_body_starts(url, part, have, &response)?;
        let mut file = open_part(part, start).map_err(io_fatal(part))?;
        if start == 0 {
            // Remember which version of the file this is, so a resume after the
            // publisher's next daily update starts over instead of mixing two files.
            let v = header(&response, "etag").or_else(|| header(&response, "last-modified"));
            let _ = std::fs::write(validator_path(part), v.unwrap_or_default());
        }
        announce(label, start, total);
        let mut progress = Progress::new(label, total, start);
        let done = copy_body(response.into_body(), &mut file, part, &mut progress, start)?;
        progress.finish(done);
        match total {
            Some(t) if done != t => Err(Attempt::Retry(format!(
                "the connection closed after {done} of {t} bytes"
            ))),
            _ => Ok(done),
        }
    }

    /// A GET of the file, for the bytes after the `have` already kept in `part` when
    /// there are some, and only if the file is still the version they came from.
    fn resume_request(
        &self,
        url: &str,
        part: &Path,
        have: u64,
    ) -> ureq::RequestBuilder<ureq::typestate::WithoutBody> {
        let mut request = self.agent.get(url);
        if have > 0 {
            request = request.header("Range", format!("bytes={have}-"));
            let validator = std::fs::read_to_string(validator_path(part)).ok();
            if let Some(v) = validator.as_deref().filter(|v| !v.is_empty()) {
                request = request.header("If-Range", v);
            }
        }
        request
    }

    fn request_error(&self, url: &str, e: ureq::Error) -> FetchError {
        match classify(&e) {
            Failure::Unreachable => FetchError::Unreachable {
                host: host_of(url),
                reason: e.to_string(),
                url: url.to_string(),
                command: self.command.clone(),
            },
            Failure::Other => FetchError::Protocol {
                url: url.to_string(),
                message: e.to_string(),
            },
        }
    }
}

fn header(response: &ureq::http::Response<ureq::Body>, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// Where the answer's body starts in the file, and the file's whole length when the
/// server says; the answers that end the attempt as errors, to retry or not.
fn where_the_body_starts(
    url: &str,
    part: &Path,
    have: u64,
    response: &ureq::http::Response<ureq::Body>,
) -> Result<(u64, Option<u64>), Attempt> {
    let status = response.status().as_u16();
    match status {
        200 => Ok((
            0,
            header(response, "content-length").and_then(|v| v.parse().ok()),
        )),
        206 => {
            let range = header(response, "content-range").unwrap_or_default();
            match parse_content_range(&range) {
                Some((start, total)) if start == have => Ok((start, total)),
                _ => Err(Attempt::Fatal(FetchError::Protocol {
                    url: url.into(),
                    message: format!(
                        "asked for the bytes from {have} on, the server sent '{range}'"
                    ),
                })),
            }
        }
        // The part is as long as the file or longer: it is not this file's start.
        416 => {
            let _ = std::fs::remove_file(part);
            Err(Attempt::Retry(
                "the partial file did not match the server's; starting over".into(),
            ))
        }
        500..=599 => Err(Attempt::Retry(format!("HTTP {status}"))),
        _ => Err(Attempt::Fatal(FetchError::Status {
            url: url.into(),
            status,
            hint: status_hint(status),
        })),
    }
}

/// Says how much is to come, and from where when resuming.
fn announce(label: &str, start: u64, total: Option<u64>) {
    match (start, total) {
        (0, Some(t)) => eprintln!("{label}: {} to download", super::progress::megabytes(t)),
        (s, Some(t)) if s > 0 => eprintln!(
            "{label}: resuming at {} of {}",
            super::progress::megabytes(s),
            super::progress::megabytes(t)
        ),
        _ => {}
    }
}

/// Appends the body to the part file and syncs it; the byte count reached (from
/// `start`), or why the attempt stopped.
fn copy_body(
    body: ureq::Body,
    file: &mut File,
    part: &Path,
    progress: &mut Progress,
    start: u64,
) -> Result<u64, Attempt> {
    let mut done = start;
    let mut reader = body.into_reader();
    let mut buf = vec![0u8; CHUNK];
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) => {
                let _ = file.flush();
                progress.finish(done);
                return Err(Attempt::Retry(format!(
                    "connection lost after {done} bytes: {e}"
                )));
            }
        };
        file.write_all(&buf[..n]).map_err(io_fatal(part))?;
        done += n as u64;
        progress.update(done);
    }
    file.flush()
        .and_then(|()| file.sync_all())
        .map_err(io_fatal(part))?;
    Ok(done)
}

/// An I/O error on the part file: no retry mends it.
fn io_fatal(part: &Path) -> impl Fn(std::io::Error) -> Attempt + '_ {
    move |source| {
        Attempt::Fatal(FetchError::Io {
            path: part.to_path_buf(),
            source,
        })
    }
}

enum Failure {
    Unreachable,
    Other,
}

fn classify(e: &ureq::Error) -> Failure {
    use std::io::ErrorKind as K;
    match e {
        ureq::Error::HostNotFound
        | ureq::Error::ConnectionFailed
        | ureq::Error::ConnectProxyFailed(_)
        | ureq::Error::Timeout(_) => Failure::Unreachable,
        ureq::Error::Io(io)
            if matches!(
                io.kind(),
                K::ConnectionRefused
                    | K::HostUnreachable
                    | K::NetworkUnreachable
                    | K::TimedOut
                    | K::AddrNotAvailable
            ) =>
        {
            Failure::Unreachable
        }
        _ => Failure::Other,
    }
}

fn status_hint(status: u16) -> String {
    match status {
        404 => "; the file is not (or no longer) published there".into(),
        407 => {
            "; the proxy asks for a login: put it in HTTPS_PROXY (http://user:password@proxy:port)"
                .into()
        }
        _ => String::new(),
    }
}

/// `bytes 100-999/1000` → (100, Some(1000)); `/*` leaves the total unknown.
fn parse_content_range(v: &str) -> Option<(u64, Option<u64>)> {
    let rest = v.trim().strip_prefix("bytes")?.trim_start();
    let (range, total) = rest.split_once('/')?;
    let (start, _end) = range.split_once('-')?;
    let start = start.trim().parse().ok()?;
    let total = match total.trim() {
        "*" => None,
        t => Some(t.parse().ok()?),
    };
    Some((start, total))
}

fn open_part(part: &Path, start: u64) -> std::io::Result<File> {
    if start == 0 {
        File::create(part)
    } else {
        OpenOptions::new().append(true).open(part)
    }
}

fn validator_path(part: &Path) -> PathBuf {
    let mut p = part.as_os_str().to_owned();
    p.push(".validator");
    PathBuf::from(p)
}

fn file_len(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

pub fn host_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.split(['/', '?']).next().unwrap_or(rest).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_ranges() {
        assert_eq!(
            parse_content_range("bytes 100-999/1000"),
            Some((100, Some(1000)))
        );
        assert_eq!(parse_content_range("bytes 5-9/*"), Some((5, None)));
        assert_eq!(parse_content_range("items 1-2/3"), None);
        assert_eq!(parse_content_range("bytes x-9/10"), None);
    }

    #[test]
    fn hosts() {
        assert_eq!(
            host_of("https://download.geofabrik.de/europe/x.pbf"),
            "download.geofabrik.de"
        );
        assert_eq!(host_of("http://127.0.0.1:9/a?b"), "127.0.0.1:9");
    }

    /// A server on localhost that answers each connection with the next scripted answer
    /// (head and body) and keeps the head of every request it was sent.
    struct Scripted {
        base: String,
        seen: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    }

    fn scripted(answers: Vec<(String, Vec<u8>)>) -> Scripted {
        use std::io::{BufRead, BufReader};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("address"));
        let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let kept = std::sync::Arc::clone(&seen);
        std::thread::spawn(move || {
            for ((head, body), stream) in answers.into_iter().zip(listener.incoming()) {
                let mut stream = stream.expect("a connection");
                let mut reader = BufReader::new(stream.try_clone().expect("clone"));
                let mut request = String::new();
                while reader.read_line(&mut request).is_ok_and(|n| n > 2) {}
                kept.lock().expect("lock").push(request);
                // A declared length longer than the body is a transfer cut short.
                let length = if head.contains("Content-Length") {
                    String::new()
                } else {
                    format!("\r\nContent-Length: {}", body.len())
                };
                let head = format!("{head}{length}\r\nConnection: close\r\n\r\n");
                let _ = stream.write_all(head.as_bytes());
                let _ = stream.write_all(&body);
            }
        });
        Scripted { base, seen }
    }

    impl Scripted {
        /// The file `/f` into `part`, with two retries.
        fn download(&self, part: &Path) -> Result<u64, FetchError> {
            Client::new("wijkatlas fetch".into(), 2, Duration::from_millis(1)).download(
                &format!("{}/f", self.base),
                part,
                "f",
            )
        }
    }

    /// A 206 answer with the bytes of [`FILE`] from `from` on.
    fn partial(from: usize) -> (String, Vec<u8>) {
        (
            format!(
                "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes {from}-{}/{}",
                FILE.len() - 1,
                FILE.len()
            ),
            FILE[from..].to_vec(),
        )
    }

    const FILE: &[u8] = b"0123456789abcdefghij";

    /// A part kept from before is resumed with Range and If-Range (the version it was
    /// started from), and the rest appended; the version file goes once it is whole.
    #[test]
    fn a_kept_part_is_resumed_from_where_it_stopped() {
        let dir = tempfile::tempdir().expect("temp dir");
        let part = dir.path().join("f.part");
        std::fs::write(&part, &FILE[..8]).expect("part");
        std::fs::write(validator_path(&part), "\"v1\"").expect("validator");
        let server = scripted(vec![partial(8)]);
        let size = server.download(&part).expect("downloaded");
        assert_eq!(size, 20);
        assert_eq!(std::fs::read(&part).expect("read"), FILE);
        assert!(!validator_path(&part).exists());
        let seen = server.seen.lock().expect("lock").join("");
        let lower = seen.to_ascii_lowercase();
        assert!(lower.contains("range: bytes=8-\r\n"), "{seen}");
        assert!(lower.contains("if-range: \"v1\"\r\n"), "{seen}");
    }

    /// A fresh download keeps the server's ETag for a later resume; a 5xx and a 416
    /// (the part is not this file's start: thrown away) are tried again.
    #[test]
    fn server_errors_and_a_foreign_part_are_tried_again() {
        let dir = tempfile::tempdir().expect("temp dir");
        let part = dir.path().join("f.part");
        std::fs::write(&part, b"not the same file at all").expect("part");
        let server = scripted(vec![
            ("HTTP/1.1 416 Range Not Satisfiable".into(), vec![]),
            ("HTTP/1.1 503 Service Unavailable".into(), vec![]),
            (
                "HTTP/1.1 200 OK\r\nETag: \"v2\"\r\nContent-Length: 20".into(),
                FILE[..10].to_vec(),
            ),
        ]);
        // Cut after 10 of 20 bytes: the last try, so the part and its version stay.
        let err = server
            .download(&part)
            .expect_err("the transfer stops short");
        let message = err.to_string();
        assert!(message.contains("10"), "{message}");
        assert_eq!(std::fs::read(&part).expect("read"), &FILE[..10]);
        assert_eq!(
            std::fs::read_to_string(validator_path(&part)).expect("validator"),
            "\"v2\""
        );
        assert_eq!(server.seen.lock().expect("lock").len(), 3);
    }

    /// Answers that another try cannot mend end the download at once: a 404, and a
    /// range the server sent from another byte than asked.
    #[test]
    fn a_missing_file_or_a_wrong_range_is_not_tried_again() {
        let dir = tempfile::tempdir().expect("temp dir");
        let part = dir.path().join("f.part");
        let server = scripted(vec![("HTTP/1.1 404 Not Found".into(), vec![])]);
        let err = server.download(&part).expect_err("404");
        assert!(
            matches!(err, FetchError::Status { status: 404, .. }),
            "{err}"
        );
        assert_eq!(server.seen.lock().expect("lock").len(), 1);

        std::fs::write(&part, &FILE[..8]).expect("part");
        let server = scripted(vec![partial(4)]);
        let err = server.download(&part).expect_err("a wrong range");
        assert!(
            err.to_string().contains("asked for the bytes from 8 on"),
            "{err}"
        );
        assert_eq!(std::fs::read(&part).expect("read"), &FILE[..8]);
    }
}
