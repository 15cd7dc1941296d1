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
        let validator = std::fs::read_to_string(validator_path(part)).ok();
        let mut request = self.agent.get(url);
        if have > 0 {
            request = request.header("Range", format!("bytes={have}-"));
            if let Some(v) = validator.as_deref().filter(|v| !v.is_empty()) {
                request = request.header("If-Range", v);
            }
        }
        let response = request.call().map_err(|e| match classify(&e) {
            // Offline from the start: no point in trying again.
            Failure::Unreachable if have == 0 => Attempt::Fatal(self.request_error(url, e)),
            _ => Attempt::Retry(e.to_string()),
        })?;
        let status = response.status().as_u16();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let (start, total) = match status {
            200 => (0, header("content-length").and_then(|v| v.parse().ok())),
            206 => {
                let range = header("content-range").unwrap_or_default();
                match parse_content_range(&range) {
                    Some((start, total)) if start == have => (start, total),
                    _ => {
                        return Err(Attempt::Fatal(FetchError::Protocol {
                            url: url.into(),
                            message: format!(
                                "asked for the bytes from {have} on, the server sent '{range}'"
                            ),
                        }))
                    }
                }
            }
            // The part is as long as the file or longer: it is not this file's start.
            416 => {
                let _ = std::fs::remove_file(part);
                return Err(Attempt::Retry(
                    "the partial file did not match the server's; starting over".into(),
                ));
            }
            500..=599 => return Err(Attempt::Retry(format!("HTTP {status}"))),
            _ => {
                return Err(Attempt::Fatal(FetchError::Status {
                    url: url.into(),
                    status,
                    hint: status_hint(status),
                }))
            }
        };
        let mut file = open_part(part, start).map_err(|e| {
            Attempt::Fatal(FetchError::Io {
                path: part.to_path_buf(),
                source: e,
            })
        })?;
        if start == 0 {
            // Remember which version of the file this is, so a resume after the
            // publisher's next daily update starts over instead of mixing two files.
            let v = header("etag").or_else(|| header("last-modified"));
            let _ = std::fs::write(validator_path(part), v.unwrap_or_default());
        }
        match (start, total) {
            (0, Some(t)) => eprintln!("{label}: {} to download", super::progress::megabytes(t)),
            (s, Some(t)) if s > 0 => eprintln!(
                "{label}: resuming at {} of {}",
                super::progress::megabytes(s),
                super::progress::megabytes(t)
            ),
            _ => {}
        }
        let mut progress = Progress::new(label, total, start);
        let mut done = start;
        let mut reader = response.into_body().into_reader();
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
            file.write_all(&buf[..n]).map_err(|e| {
                Attempt::Fatal(FetchError::Io {
                    path: part.to_path_buf(),
                    source: e,
                })
            })?;
            done += n as u64;
            progress.update(done);
        }
        file.flush().and_then(|()| file.sync_all()).map_err(|e| {
            Attempt::Fatal(FetchError::Io {
                path: part.to_path_buf(),
                source: e,
            })
        })?;
        progress.finish(done);
        match total {
            Some(t) if done != t => Err(Attempt::Retry(format!(
                "the connection closed after {done} of {t} bytes"
            ))),
            _ => Ok(done),
        }
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
}
