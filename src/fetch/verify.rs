//! Checks a downloaded file must pass before it is moved into the data directory.

use md5::{Digest, Md5};
use std::io::Read;
use std::path::Path;

/// SQLite's file header, and the `application_id`s a GeoPackage carries (1.2+: `GPKG`;
/// 1.0 and 1.1: `GP10`, `GP11`).
const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";
const GPKG_IDS: [&[u8; 4]; 3] = [b"GPKG", b"GP10", b"GP11"];

/// The MD5 of a file, as lowercase hex.
pub fn md5_hex(path: &Path) -> std::io::Result<String> {
    let mut f = std::fs::File::open(path)?;
    let mut hasher = Md5::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// The checksum in a Geofabrik `.md5` file (`<hex>  <file name>`), or in `--md5`.
pub fn parse_md5(text: &str) -> Result<String, String> {
    let hex = text.split_whitespace().next().unwrap_or("").to_lowercase();
    if hex.len() == 32 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(hex)
    } else {
        Err(format!(
            "'{}' is not an MD5 checksum (32 hexadecimal digits)",
            text.trim().chars().take(60).collect::<String>()
        ))
    }
}

/// A GeoPackage holding the `layers` named (CBS: gemeenten, wijken, buurten).
pub fn geopackage(path: &Path, layers: &[&str]) -> Result<(), String> {
    let mut head = [0u8; 100];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .map_err(|e| format!("cannot read its header ({e}); it is not a GeoPackage"))?;
    if &head[..16] != SQLITE_MAGIC {
        return Err(
            "it does not start as an SQLite file, so it is not a GeoPackage (an error page saved as the file?)"
                .into(),
        );
    }
    if !GPKG_IDS.iter().any(|id| head[68..72] == id[..]) {
        return Err("it is an SQLite file but not a GeoPackage (no GPKG application id)".into());
    }
    let conn = rusqlite::Connection::open_with_flags(
        path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| format!("cannot open it: {e}"))?;
    let found: Vec<String> = conn
        .prepare("SELECT table_name FROM gpkg_contents ORDER BY table_name")
        .and_then(|mut s| {
            s.query_map([], |r| r.get::<_, String>(0))?
                .collect::<Result<_, _>>()
        })
        .map_err(|e| format!("cannot list its layers ({e}); the file is damaged"))?;
    let missing: Vec<&str> = layers
        .iter()
        .copied()
        .filter(|l| !found.iter().any(|f| f.eq_ignore_ascii_case(l)))
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "it has no layer {} (its layers: {})",
            missing.join(", "),
            found.join(", ")
        ));
    }
    // A truncated file keeps its header; SQLite's own check reads every page.
    let ok: String = conn
        .query_row("PRAGMA quick_check", [], |r| r.get(0))
        .map_err(|e| format!("its pages cannot be read ({e}); the file is truncated or damaged"))?;
    if ok != "ok" {
        return Err(format!("SQLite finds it damaged: {ok}"));
    }
    Ok(())
}

/// An OSM PBF file: its first block is the OSMHeader.
pub fn pbf(path: &Path) -> Result<(), String> {
    let mut blobs = osmpbf::BlobReader::from_path(path)
        .map_err(|e| format!("cannot open it as an OSM PBF file: {e}"))?;
    match blobs.next() {
        Some(Ok(blob)) if matches!(blob.get_type(), osmpbf::BlobType::OsmHeader) => Ok(()),
        Some(Ok(_)) => Err("its first block is not an OSMHeader: not an OSM PBF file".into()),
        Some(Err(e)) => Err(format!("not an OSM PBF file: {e}")),
        None => Err("it is empty".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn md5_files_and_digests() {
        let hex = "0123456789abcdef0123456789ABCDEF";
        assert_eq!(
            parse_md5(&format!("{hex}  netherlands-latest.osm.pbf\n")).unwrap(),
            hex.to_lowercase()
        );
        assert!(parse_md5("<html>Not found</html>").is_err());
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x");
        std::fs::write(&p, b"wijkatlas").unwrap();
        // md5 -s wijkatlas
        assert_eq!(md5_hex(&p).unwrap().len(), 32);
        std::fs::write(&p, b"").unwrap();
        assert_eq!(md5_hex(&p).unwrap(), "d41d8cd98f00b204e9800998ecf8427e");
    }

    #[test]
    fn an_html_page_is_not_a_geopackage_nor_a_pbf() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("wijkenbuurten_2024.gpkg");
        let page = "<html><body>Service unavailable</body></html>".repeat(5);
        std::fs::write(&p, page).unwrap();
        assert!(geopackage(&p, &["buurten"])
            .unwrap_err()
            .contains("not a GeoPackage"));
        assert!(pbf(&p).is_err());
    }
}
