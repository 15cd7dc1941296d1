//! `wijkatlas fetch`: downloads CBS's Wijk- en Buurtkaart (PDOK) or an OpenStreetMap
//! extract (Geofabrik), verifies it, moves it into a data directory only when complete,
//! and writes the manifest entries that read it.
//!
//! A download goes to `DIR/.download/<file>.part` and is resumed from there (HTTP
//! `Range`) after a broken connection, within this run and by the next run. The checks
//! (Geofabrik's `.md5`; size, GeoPackage header, layers and pages for PDOK; the PBF
//! header) run before the file is renamed into place, so a data directory never holds
//! half a file. `--from-file` puts a file downloaded by hand through the same checks.

mod download;
mod error;
mod manifest;
mod progress;
pub mod source;
mod verify;

pub use error::FetchError;
pub use manifest::MANIFEST;
pub use progress::megabytes;
pub use source::Dataset;

use manifest::Provenance;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Where a PDOK Atom feed names the year's GeoPackage.
const GPKG_SUFFIX: &str = ".gpkg";

/// What to fetch and how.
#[derive(Debug, Clone)]
pub struct FetchRequest {
    pub dataset: Dataset,
    /// The data directory, made if missing.
    pub data: PathBuf,
    /// A file downloaded by hand, staged instead of downloading.
    pub from_file: Option<PathBuf>,
    /// A server with the publisher's paths (a gemeente's mirror; the tests' server).
    pub mirror: Option<String>,
    /// The MD5 a file given with `--from-file` must have.
    pub md5: Option<String>,
    /// How often a broken transfer is resumed within this run.
    pub retries: u32,
    /// The wait before a retry, times the number of attempts so far.
    pub backoff: Duration,
}

/// A file that is in place, with its manifest entries written.
#[derive(Debug, Clone)]
pub struct Staged {
    pub path: PathBuf,
    pub bytes: u64,
    pub md5: Option<String>,
    pub origin: String,
}

pub fn fetch(req: &FetchRequest) -> Result<Staged, FetchError> {
    let dataset = &req.dataset;
    let file = dataset.file_name();
    let staging = req.data.join(".download");
    std::fs::create_dir_all(&staging).map_err(FetchError::io(&staging))?;
    let target = req.data.join(&file);
    let part = staging.join(format!("{file}.part"));
    let base = req
        .mirror
        .as_deref()
        .unwrap_or(dataset.default_base())
        .trim_end_matches('/')
        .to_string();
    let command = match dataset {
        Dataset::Cbs { year } => format!("cbs --year {year}"),
        Dataset::Osm { region } => format!("osm --region {region}"),
    };
    let client = download::Client::new(command, req.retries, req.backoff);

    let (origin, expected_size, expected_md5) = match &req.from_file {
        Some(from) => {
            let md5 = match &req.md5 {
                Some(m) => Some(verify::parse_md5(m).map_err(FetchError::Arguments)?),
                None => md5_beside(from)?,
            };
            copy_in(from, &part)?;
            (format!("file {}", from.display()), None, md5)
        }
        None => {
            let (url, size) = match dataset.feed_path() {
                Some(feed) => locate_in_feed(&client, &base, &feed, dataset)?,
                None => (format!("{base}{}", dataset.path()), None),
            };
            let md5 = match dataset.md5_path() {
                Some(p) => Some(fetch_md5(&client, &format!("{base}{p}"))?),
                None => None,
            };
            eprintln!("downloading {} from {url}", dataset.describe());
            client.download(&url, &part, &file)?;
            (url, size, md5)
        }
    };

    let bytes = std::fs::metadata(&part)
        .map_err(FetchError::io(&part))?
        .len();
    let refuse = |message: String| {
        // A file that fails a check cannot be resumed into a good one.
        let _ = std::fs::remove_file(&part);
        FetchError::Verification {
            path: part.clone(),
            message,
        }
    };
    if let Some(size) = expected_size.filter(|s| *s != bytes) {
        return Err(refuse(format!(
            "it has {bytes} bytes where PDOK's feed announces {size}"
        )));
    }
    let md5 = match expected_md5 {
        Some(expected) => {
            eprintln!("checking the MD5 of {file} …");
            let got = verify::md5_hex(&part).map_err(FetchError::io(&part))?;
            if got != expected {
                return Err(refuse(format!(
                    "its MD5 is {got}, the publisher's checksum is {expected}: the download is damaged or the file changed meanwhile; it was removed, run the command again"
                )));
            }
            Some(got)
        }
        None => None,
    };
    match dataset {
        Dataset::Cbs { .. } => verify::geopackage(&part, dataset.layers()),
        Dataset::Osm { .. } => verify::pbf(&part),
    }
    .map_err(refuse)?;

    std::fs::rename(&part, &target).map_err(FetchError::io(&target))?;
    let _ = std::fs::remove_dir(&staging);
    let date = today();
    let year = match dataset {
        Dataset::Cbs { year } => *year,
        // An extract is the map of the day it was cut.
        Dataset::Osm { .. } => date[..4].parse().unwrap_or(0),
    };
    manifest::stage(
        &req.data,
        &dataset.entries(year),
        &Provenance {
            dataset,
            origin: &origin,
            date: &date,
            bytes,
            md5: md5.as_deref(),
        },
    )?;
    Ok(Staged {
        path: target,
        bytes,
        md5,
        origin,
    })
}

/// The GeoPackage's address and announced size from PDOK's Atom feed for the year. The
/// feed may list the file itself or link to a dataset feed that does; a year PDOK does
/// not serve has no feed (404).
fn locate_in_feed(
    client: &download::Client,
    base: &str,
    feed: &str,
    dataset: &Dataset,
) -> Result<(String, Option<u64>), FetchError> {
    let feed_url = format!("{base}{feed}");
    let Some(text) = client.text(&feed_url)? else {
        return Err(FetchError::Status {
            url: feed_url,
            status: 404,
            hint: format!(
                "; PDOK publishes no {} (try an earlier --year)",
                dataset.describe()
            ),
        });
    };
    let mut found = gpkg_link(&text);
    if found.is_none() {
        // A service feed: follow its links to dataset feeds under the same directory.
        for link in links(&text).filter(|l| l.href.ends_with(".xml")) {
            let url = rebase(&link.href, base, &feed_url);
            if url == feed_url {
                continue;
            }
            if let Some(t) = client.text(&url)? {
                found = gpkg_link(&t);
            }
            if found.is_some() {
                break;
            }
        }
    }
    Ok(match found {
        Some(link) => (rebase(&link.href, base, &feed_url), link.length),
        // The feed names no file: PDOK's usual address for it.
        None => (format!("{base}{}", dataset.path()), None),
    })
}

struct Link {
    href: String,
    length: Option<u64>,
}

fn gpkg_link(feed: &str) -> Option<Link> {
    links(feed).find(|l| {
        l.href
            .split(['?', '#'])
            .next()
            .is_some_and(|p| p.to_lowercase().ends_with(GPKG_SUFFIX))
    })
}

/// The `<link …>` elements of an Atom feed with their `href` and `length`; a feed is
/// simple enough that no XML parser is needed for these two attributes.
fn links(feed: &str) -> impl Iterator<Item = Link> + '_ {
    feed.split("<link").skip(1).filter_map(|rest| {
        let tag = rest.split('>').next()?;
        let attr = |name: &str| {
            let start = tag.find(&format!("{name}=\""))? + name.len() + 2;
            let end = tag[start..].find('"')?;
            Some(tag[start..start + end].replace("&amp;", "&"))
        };
        Some(Link {
            href: attr("href")?,
            length: attr("length").and_then(|l| l.parse().ok()),
        })
    })
}

/// A link from the feed as a URL on `base`: a mirror serves the publisher's paths, so the
/// path is kept and the host replaced; relative links are resolved against the feed.
fn rebase(href: &str, base: &str, feed_url: &str) -> String {
    if let Some((_, rest)) = href.split_once("://") {
        let path = rest.find('/').map_or("", |i| &rest[i..]);
        format!("{base}{path}")
    } else if href.starts_with('/') {
        format!("{base}{href}")
    } else {
        let dir = feed_url.rsplit_once('/').map_or(feed_url, |(d, _)| d);
        format!("{dir}/{href}")
    }
}

fn fetch_md5(client: &download::Client, url: &str) -> Result<String, FetchError> {
    let text = client.text(url)?.ok_or_else(|| FetchError::Status {
        url: url.to_string(),
        status: 404,
        hint: "; without the publisher's checksum the download cannot be verified".into(),
    })?;
    verify::parse_md5(&text).map_err(|message| FetchError::Protocol {
        url: url.to_string(),
        message,
    })
}

/// Geofabrik's `.md5` downloaded by hand next to the file, if it is there.
fn md5_beside(from: &Path) -> Result<Option<String>, FetchError> {
    let mut p = from.as_os_str().to_owned();
    p.push(".md5");
    let p = PathBuf::from(p);
    match std::fs::read_to_string(&p) {
        Ok(text) => verify::parse_md5(&text)
            .map(Some)
            .map_err(|message| FetchError::Verification { path: p, message }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(FetchError::Io { path: p, source: e }),
    }
}

fn copy_in(from: &Path, part: &Path) -> Result<(), FetchError> {
    if !from.is_file() {
        return Err(FetchError::Arguments(format!(
            "--from-file {}: no such file",
            from.display()
        )));
    }
    eprintln!("copying {} …", from.display());
    std::fs::copy(from, part)
        .map(|_| ())
        .map_err(FetchError::io(part))
}

/// Today's date (UTC) as YYYY-MM-DD.
fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (y, m, d) = civil_from_days((secs / 86_400) as i64);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_454), (2026, 1, 1));
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
    }

    #[test]
    fn feed_links_and_mirrors() {
        let feed = r#"<feed><link rel="self" href="https://service.pdok.nl/cbs/wijkenbuurten/2024/atom/index.xml"/>
            <entry><link rel="alternate" type="application/geopackage+sqlite3" length="123456"
              href="https://service.pdok.nl/cbs/wijkenbuurten/2024/atom/downloads/wijkenbuurten_2024.gpkg"/></entry></feed>"#;
        let link = gpkg_link(feed).unwrap();
        assert_eq!(link.length, Some(123_456));
        assert_eq!(
            rebase(
                &link.href,
                "http://127.0.0.1:9",
                "http://127.0.0.1:9/x/index.xml"
            ),
            "http://127.0.0.1:9/cbs/wijkenbuurten/2024/atom/downloads/wijkenbuurten_2024.gpkg"
        );
        assert_eq!(
            rebase("downloads/a.gpkg", "http://h", "http://h/x/atom/index.xml"),
            "http://h/x/atom/downloads/a.gpkg"
        );
        assert!(gpkg_link(r#"<link href="a.xml"/>"#).is_none());
    }
}
