//! A self-hosted basemap: a raster MBTiles file that the server reads and serves as
//! XYZ tiles, for a closed network or offline use where PDOK cannot be reached.
//!
//! MBTiles (version 1.3) is SQLite: a `metadata` table of name/value pairs and a
//! `tiles` table keyed by zoom, column and row, with rows counted from the south (TMS).

use rusqlite::{Connection, OpenFlags, OptionalExtension};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

#[derive(Debug, thiserror::Error)]
pub enum BasemapError {
    #[error("basemap file {path}: cannot open it as SQLite: {source}")]
    Open {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error("basemap file {path}: not an MBTiles file (no '{table}' table)")]
    NotMbTiles { path: PathBuf, table: &'static str },
    #[error(
        "basemap file {path}: tiles of format '{format}'; a basemap must be raster tiles \
         (png, jpg or webp): vector tiles would need a style of their own"
    )]
    NotRaster { path: PathBuf, format: String },
    #[error(
        "basemap file {path}: its metadata names no attribution; give the one its licence \
         asks for with --basemap-attribution"
    )]
    NoAttribution { path: PathBuf },
    #[error("basemap file {path}: metadata '{name}' = '{value}' is not {what}")]
    Metadata {
        path: PathBuf,
        name: &'static str,
        value: String,
        what: &'static str,
    },
    #[error("basemap file {path}: reading a tile failed: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
}

/// The image format of the file's tiles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RasterFormat {
    Png,
    Jpeg,
    Webp,
}

impl RasterFormat {
    pub fn content_type(self) -> &'static str {
        match self {
            RasterFormat::Png => "image/png",
            RasterFormat::Jpeg => "image/jpeg",
            RasterFormat::Webp => "image/webp",
        }
    }
}

/// An open MBTiles file of raster tiles.
#[derive(Debug)]
pub struct MbTiles {
    path: PathBuf,
    // One connection, read under a lock: a basemap tile is one indexed lookup.
    conn: Mutex<Connection>,
    pub format: RasterFormat,
    pub minzoom: u8,
    pub maxzoom: u8,
    /// West, south, east, north in degrees (CRS84), as the metadata gives them.
    pub bounds: Option<[f64; 4]>,
    /// The file's own attribution, if its metadata has one.
    pub attribution: Option<String>,
    pub tile_size: u32,
}

/// The deepest zoom an XYZ request may ask for: 2^30 columns fit a u32.
pub const MAX_ZOOM: u8 = 30;

impl MbTiles {
    pub fn open(path: &Path) -> Result<MbTiles, BasemapError> {
        let open_err = |source| BasemapError::Open {
            path: path.to_path_buf(),
            source,
        };
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(open_err)?;
        for table in ["metadata", "tiles"] {
            // `tiles` may be a view over normalised tables, as many writers make it.
            let found: Option<String> = conn
                .query_row(
                    "SELECT name FROM sqlite_master WHERE name = ?1 AND type IN ('table', 'view')",
                    [table],
                    |r| r.get(0),
                )
                .optional()
                .map_err(open_err)?;
            if found.is_none() {
                return Err(BasemapError::NotMbTiles {
                    path: path.to_path_buf(),
                    table,
                });
            }
        }
        let meta = |name: &str| -> Result<Option<String>, BasemapError> {
            conn.query_row("SELECT value FROM metadata WHERE name = ?1", [name], |r| {
                r.get::<_, String>(0)
            })
            .optional()
            .map_err(open_err)
        };
        let format_text = meta("format")?.unwrap_or_default();
        let format = match format_text.trim().to_ascii_lowercase().as_str() {
            "png" => RasterFormat::Png,
            "jpg" | "jpeg" => RasterFormat::Jpeg,
            "webp" => RasterFormat::Webp,
            _ => {
                return Err(BasemapError::NotRaster {
                    path: path.to_path_buf(),
                    format: format_text,
                })
            }
        };
        let zoom = |name: &'static str, default: u8| -> Result<u8, BasemapError> {
            match meta(name)? {
                None => Ok(default),
                Some(v) => v
                    .trim()
                    .parse::<u8>()
                    .ok()
                    .filter(|z| *z <= MAX_ZOOM)
                    .ok_or(BasemapError::Metadata {
                        path: path.to_path_buf(),
                        name,
                        value: v,
                        what: "a zoom level from 0 to 30",
                    }),
            }
        };
        let minzoom = zoom("minzoom", 0)?;
        let maxzoom = zoom("maxzoom", 22)?;
        let bounds = match meta("bounds")? {
            None => None,
            Some(v) => Some(parse_bounds(&v).ok_or(BasemapError::Metadata {
                path: path.to_path_buf(),
                name: "bounds",
                value: v,
                what: "west,south,east,north in degrees",
            })?),
        };
        // 256 px unless the file says otherwise (a TileJSON `tileSize` in `json`).
        let tile_size = meta("json")?
            .and_then(|j| serde_json::from_str::<serde_json::Value>(&j).ok())
            .and_then(|j| j.get("tileSize").and_then(|t| t.as_u64()))
            .and_then(|t| u32::try_from(t).ok())
            .filter(|t| [256, 512].contains(t))
            .unwrap_or(256);
        let attribution = meta("attribution")?.filter(|a| !a.trim().is_empty());
        Ok(MbTiles {
            path: path.to_path_buf(),
            conn: Mutex::new(conn),
            format,
            minzoom,
            maxzoom,
            bounds,
            attribution,
            tile_size,
        })
    }

    /// The tile at XYZ coordinates (row counted from the north), if the file has it.
    pub fn tile(&self, z: u8, x: u32, y: u32) -> Result<Option<Vec<u8>>, BasemapError> {
        let tms_row = (1u64 << z) - 1 - u64::from(y);
        let conn = self
            .conn
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        conn.query_row(
            "SELECT tile_data FROM tiles WHERE zoom_level = ?1 AND tile_column = ?2 AND tile_row = ?3",
            rusqlite::params![z, x, tms_row],
            |r| r.get::<_, Vec<u8>>(0),
        )
        .optional()
        .map_err(|source| BasemapError::Read {
            path: self.path.clone(),
            source,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

fn parse_bounds(text: &str) -> Option<[f64; 4]> {
    let v: Vec<f64> = text
        .split(',')
        .map(|p| p.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .ok()?;
    let [w, s, e, n] = <[f64; 4]>::try_from(v).ok()?;
    let ok = (-180.0..=180.0).contains(&w)
        && (-180.0..=180.0).contains(&e)
        && (-90.0..=90.0).contains(&s)
        && (-90.0..=90.0).contains(&n)
        && s < n;
    ok.then_some([w, s, e, n])
}

/// XYZ coordinates from a request path's parts, or why they are not a tile.
pub fn tile_address(z: &str, x: &str, y: &str) -> Result<(u8, u32, u32), String> {
    let z: u8 = z
        .parse()
        .ok()
        .filter(|z| *z <= MAX_ZOOM)
        .ok_or_else(|| format!("zoom '{z}' is not a whole number from 0 to {MAX_ZOOM}"))?;
    // A file extension after the row (…/3.png) is allowed, as tile URLs often have one.
    let y = y.split_once('.').map_or(y, |(row, _)| row);
    let n = 1u64 << z;
    let coordinate = |name: &str, v: &str| -> Result<u32, String> {
        v.parse::<u64>()
            .ok()
            .filter(|c| *c < n)
            .map(|c| c as u32)
            .ok_or_else(|| {
                format!(
                    "{name} '{v}' is not a whole number from 0 to {} at zoom {z}",
                    n - 1
                )
            })
    };
    Ok((z, coordinate("column", x)?, coordinate("row", y)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tile_addresses_are_checked_against_their_zoom() {
        assert_eq!(tile_address("0", "0", "0"), Ok((0, 0, 0)));
        assert_eq!(tile_address("3", "7", "5.png"), Ok((3, 7, 5)));
        assert!(tile_address("3", "8", "0")
            .unwrap_err()
            .contains("column '8'"));
        assert!(tile_address("31", "0", "0").unwrap_err().contains("zoom"));
        assert!(tile_address("a", "0", "0").is_err());
        assert!(tile_address("2", "-1", "0").is_err());
    }

    #[test]
    fn bounds_must_be_four_degrees_south_of_north() {
        assert_eq!(
            parse_bounds("3.2,50.7,7.3,53.6"),
            Some([3.2, 50.7, 7.3, 53.6])
        );
        assert_eq!(parse_bounds("3.2,53.6,7.3,50.7"), None);
        assert_eq!(parse_bounds("3.2,50.7,7.3"), None);
        assert_eq!(parse_bounds("x,50.7,7.3,53.6"), None);
    }
}
