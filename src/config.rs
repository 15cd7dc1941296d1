//! The server's settings: a TOML file, environment variables and command-line flags.
//!
//! Precedence, highest first: a flag, its environment variable, the config file, the
//! built-in default. Flags and variables are read by clap (`cli.rs`); this module reads
//! the file and fills in what neither gave.

use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// The settings file as written by an operator; every key is optional.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub addr: Option<SocketAddr>,
    pub data: Option<PathBuf>,
    pub admin_token: Option<String>,
    pub basemap_url: Option<String>,
    pub basemap_attribution: Option<String>,
    pub basemap_file: Option<PathBuf>,
    pub tile_cache_mb: Option<usize>,
    pub cors_origins: Option<Vec<String>>,
    pub log_format: Option<LogFormat>,
    pub log: Option<String>,
    #[serde(default)]
    pub limits: FileLimits,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileLimits {
    pub request_timeout_s: Option<u64>,
    pub max_body_kb: Option<usize>,
    pub max_expensive: Option<usize>,
    pub max_queued: Option<usize>,
    pub max_response_mb: Option<usize>,
    pub idle_timeout_s: Option<u64>,
    pub max_connections: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Lines for people.
    Text,
    /// One JSON object a line, for a log collector.
    Json,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the config file {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("config file {path}: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("log filter '{filter}' cannot be read: {message}")]
    LogFilter { filter: String, message: String },
    #[error("config: {key} must be {what}")]
    Invalid {
        key: &'static str,
        what: &'static str,
    },
}

impl FileConfig {
    pub fn read(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        toml::from_str(&text).map_err(|e| ConfigError::Parse {
            path: path.to_path_buf(),
            // toml's message names the line, the column and the key.
            message: e.to_string(),
        })
    }
}

/// Limits that keep one client from taking the server from the rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// A request still running after this is answered 503, and its work stops.
    pub request_timeout: std::time::Duration,
    /// The largest request body taken (the what-if scenario is the only one).
    pub max_body_bytes: usize,
    /// Expensive requests (what-if, suggestions, access, gaps, profiles, CSV, filtered
    /// or large pages) running at once.
    pub max_expensive: usize,
    /// Expensive requests waiting for a turn; more are answered 503 with `Retry-After`.
    pub max_queued: usize,
    /// The largest answer built, estimated before it is built; larger asks get a 400.
    pub max_response_bytes: usize,
    /// A connection that sends no complete request head, sits idle between requests,
    /// or does not take its answer for this long is closed.
    pub idle_timeout: std::time::Duration,
    /// Connections open at once; beyond it new ones wait to be accepted.
    pub max_connections: usize,
}

pub const DEFAULT_ADDR: SocketAddr = SocketAddr::V4(std::net::SocketAddrV4::new(
    std::net::Ipv4Addr::LOCALHOST,
    8080,
));
pub const DEFAULT_TILE_CACHE_MB: usize = 128;
pub const DEFAULT_REQUEST_TIMEOUT_S: u64 = 30;
pub const DEFAULT_MAX_BODY_KB: usize = 256;
pub const DEFAULT_MAX_RESPONSE_MB: usize = 256;
pub const DEFAULT_IDLE_TIMEOUT_S: u64 = 20;
pub const DEFAULT_MAX_CONNECTIONS: usize = 1000;
pub const DEFAULT_BASEMAP_ATTRIBUTION: &str = "Achtergrondkaart: © Kadaster / PDOK (CC BY 4.0)";
/// PDOK's BRT-Achtergrondkaart in grey, so a choropleth reads over it. The browser loads
/// it straight from PDOK; where it cannot, the map says so and draws its own base.
pub const DEFAULT_BASEMAP_URL: &str =
    "https://service.pdok.nl/brt/achtergrondkaart/wmts/v2_0/grijs/EPSG:3857/{z}/{x}/{y}.png";

/// The basemap tiles to use: PDOK's by default; `off` (or an empty value) for none, on
/// a closed network or where the browser must load nothing from elsewhere.
pub fn basemap_tiles(setting: Option<String>) -> Option<String> {
    match setting {
        None => Some(DEFAULT_BASEMAP_URL.to_string()),
        Some(s) if s.trim().is_empty() || s.trim().eq_ignore_ascii_case("off") => None,
        Some(s) => Some(s.trim().to_string()),
    }
}

fn at_least_one<T: PartialEq + From<u8>>(value: T, key: &'static str) -> Result<T, ConfigError> {
    if value == T::from(0) {
        Err(ConfigError::Invalid {
            key,
            what: "at least 1",
        })
    } else {
        Ok(value)
    }
}

impl Limits {
    pub fn new(
        timeout_s: Option<u64>,
        body_kb: Option<usize>,
        expensive: Option<usize>,
    ) -> Result<Self, ConfigError> {
        Limits::from_file(&FileLimits {
            request_timeout_s: timeout_s,
            max_body_kb: body_kb,
            max_expensive: expensive,
            ..Default::default()
        })
    }

    /// Every limit from the merged settings, the defaults for those not given.
    pub fn from_file(f: &FileLimits) -> Result<Self, ConfigError> {
        let timeout_s = at_least_one(
            f.request_timeout_s.unwrap_or(DEFAULT_REQUEST_TIMEOUT_S),
            "request_timeout_s",
        )?;
        let body_kb = at_least_one(f.max_body_kb.unwrap_or(DEFAULT_MAX_BODY_KB), "max_body_kb")?;
        let expensive = at_least_one(
            f.max_expensive.unwrap_or_else(default_max_expensive),
            "max_expensive",
        )?;
        let response_mb = at_least_one(
            f.max_response_mb.unwrap_or(DEFAULT_MAX_RESPONSE_MB),
            "max_response_mb",
        )?;
        let idle_s = at_least_one(
            f.idle_timeout_s.unwrap_or(DEFAULT_IDLE_TIMEOUT_S),
            "idle_timeout_s",
        )?;
        let connections = at_least_one(
            f.max_connections.unwrap_or(DEFAULT_MAX_CONNECTIONS),
            "max_connections",
        )?;
        // Sizes a usize cannot hold would wrap to a tiny limit.
        let kib = |v: usize, key: &'static str, unit: usize| {
            v.checked_mul(unit).ok_or(ConfigError::Invalid {
                key,
                what: "a size this machine can hold",
            })
        };
        Ok(Limits {
            request_timeout: std::time::Duration::from_secs(timeout_s),
            max_body_bytes: kib(body_kb, "max_body_kb", 1024)?,
            max_expensive: expensive,
            max_queued: f.max_queued.unwrap_or(expensive.saturating_mul(4)),
            max_response_bytes: kib(response_mb, "max_response_mb", 1024 * 1024)?,
            idle_timeout: std::time::Duration::from_secs(idle_s),
            max_connections: connections,
        })
    }
}

impl Default for Limits {
    fn default() -> Self {
        // The defaults are valid by construction; the fallback only keeps this total.
        Limits::from_file(&FileLimits::default()).unwrap_or(Limits {
            request_timeout: std::time::Duration::from_secs(DEFAULT_REQUEST_TIMEOUT_S),
            max_body_bytes: DEFAULT_MAX_BODY_KB * 1024,
            max_expensive: 2,
            max_queued: 8,
            max_response_bytes: DEFAULT_MAX_RESPONSE_MB * 1024 * 1024,
            idle_timeout: std::time::Duration::from_secs(DEFAULT_IDLE_TIMEOUT_S),
            max_connections: DEFAULT_MAX_CONNECTIONS,
        })
    }
}

/// One expensive request per core: they are CPU-bound, more at once only queue.
fn default_max_expensive() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_basemap_is_pdoks_unless_switched_off_or_replaced() {
        assert_eq!(
            super::basemap_tiles(None).as_deref(),
            Some(super::DEFAULT_BASEMAP_URL)
        );
        assert_eq!(super::basemap_tiles(Some("off".into())), None);
        assert_eq!(super::basemap_tiles(Some(" OFF ".into())), None);
        assert_eq!(super::basemap_tiles(Some(String::new())), None);
        assert_eq!(
            super::basemap_tiles(Some("https://tiles.example/{z}/{x}/{y}.png".into())).as_deref(),
            Some("https://tiles.example/{z}/{x}/{y}.png")
        );
    }

    use super::*;

    #[test]
    fn a_file_with_every_key_reads() {
        let c: FileConfig = toml::from_str(
            r#"
            addr = "0.0.0.0:9000"
            data = "/srv/wijkatlas/data"
            admin_token = "s3cret"
            basemap_url = "https://example.org/{z}/{x}/{y}.png"
            basemap_attribution = "Kaart: iemand"
            tile_cache_mb = 64
            cors_origins = ["https://gemeente.nl"]
            log_format = "json"
            log = "info"
            [limits]
            request_timeout_s = 10
            max_body_kb = 64
            max_expensive = 3
            max_queued = 6
            max_response_mb = 64
            idle_timeout_s = 15
            max_connections = 500
            "#,
        )
        .expect("valid");
        assert_eq!(c.addr, Some("0.0.0.0:9000".parse().expect("addr")));
        assert_eq!(c.log_format, Some(LogFormat::Json));
        assert_eq!(c.limits.max_expensive, Some(3));
    }

    #[test]
    fn the_example_in_deploy_reads() {
        let c: FileConfig = toml::from_str(include_str!("../deploy/wijkatlas.example.toml"))
            .expect("the example config is valid");
        assert_eq!(c.limits.request_timeout_s, Some(DEFAULT_REQUEST_TIMEOUT_S));
        assert_eq!(c.tile_cache_mb, Some(DEFAULT_TILE_CACHE_MB));
    }

    #[test]
    fn an_unknown_key_is_named() {
        let e = toml::from_str::<FileConfig>("adress = \"127.0.0.1:1\"").unwrap_err();
        assert!(e.to_string().contains("adress"), "{e}");
    }

    #[test]
    fn zero_limits_are_refused() {
        assert!(Limits::new(Some(0), None, None).is_err());
        assert!(Limits::new(None, Some(0), None).is_err());
        assert!(Limits::new(None, None, Some(0)).is_err());
        let l = Limits::new(Some(5), Some(2), Some(1)).expect("valid");
        assert_eq!(l.max_body_bytes, 2048);
        assert_eq!(l.max_queued, 4, "four waiting per running by default");
    }

    #[test]
    fn sizes_that_overflow_are_refused_not_wrapped() {
        let e = Limits::new(None, Some(usize::MAX), None).unwrap_err();
        assert!(e.to_string().contains("max_body_kb"), "{e}");
        let e = Limits::from_file(&FileLimits {
            max_response_mb: Some(usize::MAX / 1024),
            ..Default::default()
        })
        .unwrap_err();
        assert!(e.to_string().contains("max_response_mb"), "{e}");
        for bad in [
            FileLimits {
                idle_timeout_s: Some(0),
                ..Default::default()
            },
            FileLimits {
                max_connections: Some(0),
                ..Default::default()
            },
            FileLimits {
                max_response_mb: Some(0),
                ..Default::default()
            },
        ] {
            assert!(Limits::from_file(&bad).is_err(), "{bad:?}");
        }
    }
}
