//! The data manifest (`wijkatlas.toml`): which sources make up a dataset.

use super::osm::OsmOptions;
use super::register::RegisterOptions;
use crate::crs::Crs;
use crate::model::{AreaLevel, Category};
use serde::Deserialize;
use std::path::{Path, PathBuf};

pub const MANIFEST_FILE: &str = "wijkatlas.toml";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// A human name for the dataset, shown on the status page.
    #[serde(default)]
    pub name: Option<String>,
    #[serde(rename = "source", default)]
    pub sources: Vec<SourceSpec>,
    /// Analysis settings that replace the defaults (`[analysis]`).
    #[serde(default)]
    pub analysis: crate::analysis::config::AnalysisSettings,
}

/// One file to load, with what it holds and how to read it.
#[derive(Debug, Clone, Deserialize)]
#[serde(try_from = "RawSourceSpec")]
pub struct SourceSpec {
    pub name: String,
    /// Relative to the manifest's directory.
    pub path: PathBuf,
    pub kind: SourceKind,
    /// Coordinate system of the file; GeoJSON defaults to CRS84 unless it says otherwise.
    pub crs: Option<Crs>,
    pub year: Option<u16>,
    pub licence: Option<String>,
    pub attribution: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum SourceKind {
    /// Area polygons of one level with their key figures.
    Areas {
        level: AreaLevel,
        /// Column holding the CBS code, when it is not one of the usual names.
        code_field: Option<String>,
        name_field: Option<String>,
        /// GeoPackage layer; by default the one named after the level.
        layer: Option<String>,
    },
    /// Facility points: the wijkatlas GeoJSON schema, an OSM extract or a register.
    Voorzieningen {
        /// Category for records that carry none.
        category: Option<Category>,
        format: FacilityFormat,
    },
    /// A PC4 centroid table (`pc4,lon,lat,places,gemeentecode`).
    Postcodes,
    /// Dwelling points with an optional social-rent flag.
    Woningen {
        /// Column holding the flag, when it is not one of the usual names.
        social_field: Option<String>,
    },
    /// Key figures in a CSV, joined by code onto the areas of `level` from other sources.
    Figures {
        level: AreaLevel,
        code_field: Option<String>,
    },
}

/// How a facility source is read, chosen by its file extension.
#[derive(Debug, Clone, PartialEq)]
pub enum FacilityFormat {
    /// `.geojson` / `.json` in the wijkatlas voorzieningen schema.
    GeoJson,
    /// `.osm.pbf` / `.pbf`.
    OsmPbf(OsmOptions),
    /// `.csv` / `.txt` / `.xlsx` registers.
    Register(RegisterOptions),
}

impl FacilityFormat {
    fn for_path(
        path: &Path,
        osm: Option<OsmOptions>,
        register: Option<RegisterOptions>,
    ) -> Result<Self, String> {
        let name = path.to_string_lossy().to_ascii_lowercase();
        let format = if name.ends_with(".pbf") {
            FacilityFormat::OsmPbf(osm.clone().unwrap_or_default())
        } else if name.ends_with(".csv") || name.ends_with(".txt") || name.ends_with(".xlsx") {
            FacilityFormat::Register(register.clone().unwrap_or_default())
        } else if name.ends_with(".geojson") || name.ends_with(".json") {
            FacilityFormat::GeoJson
        } else {
            return Err(format!(
                "cannot tell the format of {}: voorzieningen are read from .geojson/.json, .osm.pbf, .csv/.txt or .xlsx",
                path.display()
            ));
        };
        match (&format, osm, register) {
            (FacilityFormat::OsmPbf(_), _, Some(_)) | (FacilityFormat::GeoJson, _, Some(_)) => {
                Err(format!(
                    "a [source.register] table applies to .csv/.xlsx registers, not to {}",
                    path.display()
                ))
            }
            (FacilityFormat::Register(_), Some(_), _) | (FacilityFormat::GeoJson, Some(_), _) => {
                Err(format!(
                    "a [source.osm] table applies to .osm.pbf extracts, not to {}",
                    path.display()
                ))
            }
            _ => Ok(format),
        }
    }
}

/// The manifest entry as written; [`SourceSpec`] is what it must mean.
///
/// serde cannot combine an internally tagged enum with `deny_unknown_fields`, and a
/// misspelt option should be an error rather than silently ignored, so the
/// kind-specific options are checked here by hand.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSourceSpec {
    name: String,
    path: PathBuf,
    kind: String,
    #[serde(default)]
    level: Option<AreaLevel>,
    #[serde(default)]
    code_field: Option<String>,
    #[serde(default)]
    name_field: Option<String>,
    #[serde(default)]
    layer: Option<String>,
    #[serde(default)]
    social_field: Option<String>,
    #[serde(default)]
    category: Option<Category>,
    #[serde(default)]
    crs: Option<Crs>,
    #[serde(default)]
    year: Option<u16>,
    #[serde(default)]
    licence: Option<String>,
    #[serde(default)]
    attribution: Option<String>,
    #[serde(default)]
    register: Option<RegisterOptions>,
    #[serde(default)]
    osm: Option<OsmOptions>,
}

impl TryFrom<RawSourceSpec> for SourceSpec {
    type Error = String;

    fn try_from(raw: RawSourceSpec) -> Result<Self, Self::Error> {
        let name = &raw.name;
        let not_for = |option: &str, kind: &str| {
            format!("source '{name}': option '{option}' does not apply to kind = \"{kind}\"")
        };
        if raw.kind != "voorzieningen" && (raw.osm.is_some() || raw.register.is_some()) {
            return Err(not_for("osm/register", &raw.kind));
        }
        if raw.kind != "areas" && (raw.name_field.is_some() || raw.layer.is_some()) {
            return Err(not_for("name_field/layer", &raw.kind));
        }
        if raw.kind != "areas" && raw.kind != "figures" && raw.code_field.is_some() {
            return Err(not_for("code_field", &raw.kind));
        }
        if raw.kind != "woningen" && raw.social_field.is_some() {
            return Err(not_for("social_field", &raw.kind));
        }
        let kind = match raw.kind.as_str() {
            "areas" => SourceKind::Areas {
                level: raw.level.ok_or_else(|| {
                    format!("source '{name}': kind = \"areas\" needs level = \"gemeente\", \"wijk\" or \"buurt\"")
                })?,
                code_field: raw.code_field,
                name_field: raw.name_field,
                layer: raw.layer,
            },
            "voorzieningen" => {
                if raw.level.is_some() {
                    return Err(not_for("level", "voorzieningen"));
                }
                SourceKind::Voorzieningen {
                    category: raw.category,
                    format: FacilityFormat::for_path(&raw.path, raw.osm.clone(), raw.register.clone())
                        .map_err(|e| format!("source '{name}': {e}"))?,
                }
            }
            "woningen" => SourceKind::Woningen {
                social_field: raw.social_field.clone(),
            },
            "figures" => SourceKind::Figures {
                level: raw.level.ok_or_else(|| {
                    format!("source '{name}': kind = \"figures\" needs the level of the areas it joins onto")
                })?,
                code_field: raw.code_field.clone(),
            },
            "postcodes" => {
                if raw.level.is_some() || raw.category.is_some() {
                    return Err(not_for("level/category", "postcodes"));
                }
                SourceKind::Postcodes
            }
            other => {
                return Err(format!(
                    "source '{name}': unknown kind '{other}'; use areas, figures, voorzieningen, woningen or postcodes"
                ))
            }
        };
        if !matches!(kind, SourceKind::Voorzieningen { .. }) && raw.category.is_some() {
            return Err(not_for("category", &raw.kind));
        }
        Ok(SourceSpec {
            name: raw.name,
            path: raw.path,
            kind,
            crs: raw.crs,
            year: raw.year,
            licence: raw.licence,
            attribution: raw.attribution,
        })
    }
}

impl SourceKind {
    pub fn label(&self) -> &'static str {
        match self {
            SourceKind::Areas { .. } => "areas",
            SourceKind::Voorzieningen { .. } => "voorzieningen",
            SourceKind::Postcodes => "postcodes",
            SourceKind::Figures { .. } => "figures",
            SourceKind::Woningen { .. } => "woningen",
        }
    }
}

impl SourceSpec {
    pub fn resolve(&self, dir: &Path) -> PathBuf {
        dir.join(&self.path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Manifest, String> {
        toml::from_str(text).map_err(|e| e.to_string())
    }

    #[test]
    fn misplaced_or_misspelt_options_are_errors() {
        let base = "[[source]]\nname = \"x\"\n";
        let cases = [
            (
                "path = \"a.geojson\"\nkind = \"voorzieningen\"\ncode_field = \"c\"\n",
                "code_field",
            ),
            ("path = \"a.geojson\"\nkind = \"areas\"\n", "needs level"),
            (
                "path = \"a.geojson\"\nkind = \"areas\"\nlevel = \"wijk\"\nlevle = 1\n",
                "levle",
            ),
            (
                "path = \"a.gpkg\"\nkind = \"voorzieningen\"\n",
                "cannot tell the format",
            ),
            ("path = \"a.csv\"\nkind = \"wegen\"\n", "unknown kind"),
            ("path = \"a.csv\"\nkind = \"figures\"\n", "needs the level"),
            (
                "path = \"a.csv\"\nkind = \"postcodes\"\nsocial_field = \"s\"\n",
                "social_field",
            ),
        ];
        for (body, expected) in cases {
            let err = parse(&format!("{base}{body}")).unwrap_err();
            assert!(err.contains(expected), "{body}: {err}");
        }
    }

    #[test]
    fn formats_follow_the_extension() {
        let m =
            parse("[[source]]\nname = \"osm\"\npath = \"nl.osm.pbf\"\nkind = \"voorzieningen\"\n")
                .unwrap();
        assert!(matches!(
            m.sources[0].kind,
            SourceKind::Voorzieningen {
                format: FacilityFormat::OsmPbf(_),
                ..
            }
        ));
        let m = parse("[[source]]\nname = \"reg\"\npath = \"wijkteams.csv\"\nkind = \"voorzieningen\"\ncategory = \"wijkteam\"\n").unwrap();
        assert!(matches!(
            m.sources[0].kind,
            SourceKind::Voorzieningen {
                format: FacilityFormat::Register(_),
                category: Some(Category::Wijkteam)
            }
        ));
    }
}
