//! Writes the fetched sources into the data directory's `wijkatlas.toml`, next to any
//! sources already there (a second fetch adds to the first; fetching again replaces).

use super::error::FetchError;
use super::source::{Dataset, Entry};
use crate::model::AreaLevel;
use std::path::Path;

pub const MANIFEST: &str = "wijkatlas.toml";
const DEFAULT_NAME: &str = "Landelijk beeld (CBS Wijk- en Buurtkaart, OpenStreetMap)";
/// Comment lines at the top with this start record where each fetched file came from.
const PROVENANCE: &str = "# - ";

/// Where a staged file came from, for the manifest's header.
pub struct Provenance<'a> {
    pub dataset: &'a Dataset,
    pub origin: &'a str,
    pub date: &'a str,
    pub bytes: u64,
    pub md5: Option<&'a str>,
}

/// Adds (or replaces) the entries of one fetched file in `dir/wijkatlas.toml`.
pub fn stage(dir: &Path, entries: &[Entry], p: &Provenance<'_>) -> Result<(), FetchError> {
    let path = dir.join(MANIFEST);
    let err = |message: String| FetchError::Manifest {
        path: path.clone(),
        message,
    };
    let existing = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(err(e.to_string())),
    };
    let mut table: toml::Table = existing.parse().map_err(|e| {
        err(format!(
            "the manifest already there cannot be read ({e}); fix it or stage into another --data directory"
        ))
    })?;
    let file = p.dataset.file_name();
    table
        .entry("name")
        .or_insert_with(|| toml::Value::String(DEFAULT_NAME.into()));
    let sources = table
        .entry("source")
        .or_insert_with(|| toml::Value::Array(Vec::new()));
    let toml::Value::Array(sources) = sources else {
        return Err(err("'source' is not a list of [[source]] tables".into()));
    };
    // A new fetch of the same file replaces its entries; other sources stay as they are.
    sources.retain(|s| {
        let name = s.get("name").and_then(|v| v.as_str());
        let spath = s.get("path").and_then(|v| v.as_str());
        !(spath == Some(file.as_str()) || entries.iter().any(|e| Some(e.name.as_str()) == name))
    });
    sources.extend(
        entries
            .iter()
            .map(|e| toml::Value::Table(entry_table(e, &file, p.dataset))),
    );
    let body = toml::to_string(&table).map_err(|e| err(e.to_string()))?;
    let text = format!("{}\n{body}", header(&existing, p));
    let tmp = dir.join(format!(".{MANIFEST}.tmp"));
    std::fs::write(&tmp, text)
        .and_then(|()| std::fs::rename(&tmp, &path))
        .map_err(|e| err(e.to_string()))
}

fn entry_table(e: &Entry, file: &str, dataset: &Dataset) -> toml::Table {
    let mut t = toml::Table::new();
    let s = |v: &str| toml::Value::String(v.to_string());
    t.insert("name".into(), s(&e.name));
    t.insert("path".into(), s(file));
    t.insert("kind".into(), s(e.kind));
    if let Some(level) = e.level {
        t.insert(
            "level".into(),
            s(match level {
                AreaLevel::Gemeente => "gemeente",
                AreaLevel::Wijk => "wijk",
                AreaLevel::Buurt => "buurt",
            }),
        );
    }
    if let Some(layer) = e.layer {
        t.insert("layer".into(), s(layer));
    }
    if let Some(c) = e.coverage {
        t.insert("dekking".into(), s(c));
    }
    t.insert("year".into(), toml::Value::Integer(e.year.into()));
    t.insert("licence".into(), s(dataset.licence()));
    t.insert("attribution".into(), s(dataset.attribution()));
    t
}

/// The comment block: what wrote the file, and one provenance line per fetched file
/// (kept from the file already there, this file's line replaced).
fn header(existing: &str, p: &Provenance<'_>) -> String {
    let file = p.dataset.file_name();
    let mine = format!("{PROVENANCE}{file}:");
    let mut lines = vec![
        "# Staged by `wijkatlas fetch`. Sources can be edited or added by hand; the comment"
            .to_string(),
        "# lines below say where each fetched file came from.".to_string(),
    ];
    lines.extend(
        existing
            .lines()
            .take_while(|l| l.starts_with('#'))
            .filter(|l| l.starts_with(PROVENANCE) && !l.starts_with(&mine))
            .map(str::to_string),
    );
    let md5 = p.md5.map(|m| format!(", md5 {m}")).unwrap_or_default();
    lines.push(format!(
        "{mine} {} ({}), from {} on {}, {} bytes{md5}; {}, \"{}\"",
        p.dataset.describe(),
        p.dataset.publisher(),
        p.origin,
        p.date,
        p.bytes,
        p.dataset.licence(),
        p.dataset.attribution()
    ));
    lines.join("\n") + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    fn provenance<'a>(d: &'a Dataset) -> Provenance<'a> {
        Provenance {
            dataset: d,
            origin: "https://example.invalid/x",
            date: "2026-12-02",
            bytes: 10,
            md5: None,
        }
    }

    #[test]
    fn a_second_fetch_adds_and_a_repeat_replaces() {
        let dir = tempfile::tempdir().unwrap();
        let cbs = Dataset::cbs(2024).unwrap();
        let osm = Dataset::osm("utrecht").unwrap();
        stage(dir.path(), &cbs.entries(2024), &provenance(&cbs)).unwrap();
        stage(dir.path(), &osm.entries(2026), &provenance(&osm)).unwrap();
        stage(dir.path(), &osm.entries(2026), &provenance(&osm)).unwrap();
        let text = std::fs::read_to_string(dir.path().join(MANIFEST)).unwrap();
        let m = crate::load::read_manifest(dir.path()).unwrap();
        let names: Vec<&str> = m.sources.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "cbs-gemeenten-2024",
                "cbs-wijken-2024",
                "cbs-buurten-2024",
                "osm-utrecht"
            ]
        );
        assert_eq!(text.matches("# - wijkenbuurten_2024.gpkg:").count(), 1);
        assert_eq!(text.matches("# - utrecht-latest.osm.pbf:").count(), 1);
        assert!(text.contains("Bron: CBS, Kadaster"));
        assert!(text.contains("© OpenStreetMap contributors"));
        assert_eq!(m.sources[3].licence.as_deref(), Some("ODbL 1.0"));
        let nl = Dataset::osm("nederland").unwrap();
        stage(dir.path(), &nl.entries(2026), &provenance(&nl)).unwrap();
        let text = std::fs::read_to_string(dir.path().join(MANIFEST)).unwrap();
        assert!(text.contains("dekking = \"nederland\""), "{text}");
        crate::load::read_manifest(dir.path()).unwrap();
    }

    #[test]
    fn an_unreadable_manifest_is_not_written_over() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(MANIFEST), "[[source]\nbroken").unwrap();
        let cbs = Dataset::cbs(2024).unwrap();
        let e = stage(dir.path(), &cbs.entries(2024), &provenance(&cbs)).unwrap_err();
        assert!(e.to_string().contains("cannot be read"), "{e}");
    }
}
