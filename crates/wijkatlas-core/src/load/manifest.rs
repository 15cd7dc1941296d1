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
    /// How to reach the database of the sources read from PostGIS (`[postgis]`).
    #[serde(default)]
    pub postgis: PostgisSettings,
}

impl Manifest {
    /// Whether loading builds routing graphs (an OSM extract with `routing = true`).
    pub fn builds_routing_graphs(&self) -> bool {
        self.sources.iter().any(|s| {
            matches!(
                &s.kind,
                SourceKind::Voorzieningen {
                    format: FacilityFormat::OsmPbf(options),
                    ..
                } if options.routing
            )
        })
    }
}

/// The variable read for the connection string when the manifest names none.
pub const DATABASE_URL_ENV: &str = "WIJKATLAS_DATABASE_URL";

/// Where the connection string of the PostGIS sources comes from.
///
/// The environment wins over the manifest, so the same data directory can be pointed
/// at another database; a password is only ever taken from the environment, never from
/// a file that is read, copied and shown to others.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PostgisSettings {
    /// The environment variable holding the connection string [default:
    /// `WIJKATLAS_DATABASE_URL`].
    #[serde(default)]
    pub url_env: Option<String>,
    /// A connection string without a password (`host=/run/postgresql dbname=atlas`),
    /// used when the variable is not set.
    #[serde(default)]
    pub url: Option<String>,
    /// A channel whose NOTIFY makes `serve` reload, as `POST /admin/reload` does.
    #[serde(default)]
    pub notify_channel: Option<String>,
}

/// A layer read from PostGIS instead of a file: a table or view, or a query.
#[derive(Debug, Clone, PartialEq)]
pub struct PostgisLayer {
    pub relation: Relation,
    /// The geometry column, when the relation has more than one.
    pub geometry_column: Option<String>,
    /// The column that orders the rows and names them in the report [default: the
    /// table's primary key].
    pub key_column: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Relation {
    /// A table or view, found through the search path when no schema is given.
    Table {
        schema: Option<String>,
        name: String,
    },
    /// A SELECT whose rows are the records.
    Query(String),
}

impl PostgisLayer {
    /// How the layer is named in reports and on the status page, in place of a path.
    pub fn label(&self) -> String {
        match &self.relation {
            Relation::Table {
                schema: Some(schema),
                name,
            } => format!("postgis:{schema}.{name}"),
            Relation::Table { schema: None, name } => format!("postgis:{name}"),
            Relation::Query(_) => "postgis:query".to_string(),
        }
    }
}

/// `postgis = { table = "wijken" }` as written in the manifest.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPostgisLayer {
    #[serde(default)]
    schema: Option<String>,
    #[serde(default)]
    table: Option<String>,
    #[serde(default)]
    query: Option<String>,
    #[serde(default)]
    geometry_column: Option<String>,
    #[serde(default)]
    key_column: Option<String>,
}

impl RawPostgisLayer {
    fn check(self, name: &str) -> Result<PostgisLayer, String> {
        let blank = |s: &Option<String>| s.as_deref().is_some_and(|s| s.trim().is_empty());
        if blank(&self.table) || blank(&self.query) || blank(&self.schema) {
            return Err(format!(
                "source '{name}': postgis table, schema and query must not be empty"
            ));
        }
        let relation = match (self.table, self.query) {
            (Some(table), None) => Relation::Table {
                schema: self.schema,
                name: table,
            },
            (None, Some(query)) if self.schema.is_none() => Relation::Query(query),
            (None, Some(_)) => {
                return Err(format!(
                    "source '{name}': postgis schema goes with table, not with query (name the schema inside the query)"
                ))
            }
            (Some(_), Some(_)) => {
                return Err(format!(
                    "source '{name}': postgis takes a table or a query, not both"
                ))
            }
            (None, None) => {
                return Err(format!(
                    "source '{name}': postgis needs table = \"…\" (a table or view) or query = \"SELECT …\""
                ))
            }
        };
        Ok(PostgisLayer {
            relation,
            geometry_column: self.geometry_column,
            key_column: self.key_column,
        })
    }
}

/// One file or database layer to load, with what it holds and how to read it.
#[derive(Debug, Clone, Deserialize)]
#[serde(try_from = "RawSourceSpec")]
pub struct SourceSpec {
    pub name: String,
    /// Relative to the manifest's directory; for a PostGIS layer, its label.
    pub path: PathBuf,
    /// Set when the records come from PostGIS rather than from `path`.
    pub postgis: Option<PostgisLayer>,
    pub kind: SourceKind,
    /// Coordinate system of the file; GeoJSON defaults to CRS84 unless it says otherwise.
    pub crs: Option<Crs>,
    pub year: Option<u16>,
    pub licence: Option<String>,
    pub attribution: Option<String>,
    /// `dekking` of a voorzieningen source: the part of the country it describes.
    pub coverage: Option<CoverageSpec>,
}

/// The `dekking` of a facility source as the manifest states it.
#[derive(Debug, Clone, PartialEq)]
pub enum CoverageSpec {
    /// `dekking = "nederland"`.
    National,
    /// `dekking = ["GM0505", "GM0590"]`: these gemeenten, whole.
    Gemeenten(Vec<String>),
    /// `dekking = "drechtsteden.geojson"` (a Polygon or MultiPolygon in CRS84) or an
    /// Osmosis `.poly` file, relative to the manifest.
    File(PathBuf),
}

/// `dekking` as written: one text or a list of gemeente codes.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum RawCoverage {
    One(String),
    Codes(Vec<String>),
}

impl RawCoverage {
    fn check(self, name: &str) -> Result<CoverageSpec, String> {
        let wrong = |what: &str| {
            format!(
                "source '{name}': dekking = {what}: give \"nederland\", a list of gemeente codes such as [\"GM0505\"], or a polygon file (.geojson or .poly)"
            )
        };
        match self {
            RawCoverage::One(text) => {
                let t = text.trim();
                let lower = t.to_ascii_lowercase();
                if lower == "nederland" || lower == "nl" {
                    Ok(CoverageSpec::National)
                } else if [".geojson", ".json", ".poly"]
                    .iter()
                    .any(|e| lower.ends_with(e))
                {
                    Ok(CoverageSpec::File(PathBuf::from(t)))
                } else if lower.starts_with("gm") {
                    Ok(CoverageSpec::Gemeenten(vec![t.to_string()]))
                } else {
                    Err(wrong(&format!("\"{t}\"")))
                }
            }
            RawCoverage::Codes(codes) if codes.is_empty() => Err(wrong("[]")),
            RawCoverage::Codes(codes) => Ok(CoverageSpec::Gemeenten(codes)),
        }
    }
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
        /// Whether these are the areas analysed or an earlier year kept for comparison.
        vintage: Vintage,
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

/// Which year's areas a source holds. Earlier areas are never analysed or served as a
/// layer: they only give profiles a past to compare with, so their codes may repeat the
/// current ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vintage {
    Current,
    Earlier,
}

/// How a facility source is read, chosen by its file extension.
#[derive(Debug, Clone, PartialEq)]
pub enum FacilityFormat {
    /// `.geojson` / `.json` in the wijkatlas voorzieningen schema (and PostGIS rows,
    /// which follow the same schema).
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
    #[serde(default)]
    path: Option<PathBuf>,
    #[serde(default)]
    postgis: Option<RawPostgisLayer>,
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
    #[serde(default)]
    dekking: Option<RawCoverage>,
}

impl TryFrom<RawSourceSpec> for SourceSpec {
    type Error = String;

    fn try_from(mut raw: RawSourceSpec) -> Result<Self, Self::Error> {
        raw.check_options_fit_the_kind()?;
        let postgis = raw.postgis_layer()?;
        let path = match (&postgis, &raw.path) {
            (Some(layer), _) => PathBuf::from(layer.label()),
            (None, Some(path)) => path.clone(),
            (None, None) => PathBuf::new(),
        };
        let kind = raw.source_kind(postgis.is_some(), &path)?;
        if !matches!(kind, SourceKind::Voorzieningen { .. }) {
            if raw.category.is_some() {
                return Err(raw.not_for("category", &raw.kind));
            }
            if raw.dekking.is_some() {
                return Err(raw.not_for("dekking", &raw.kind));
            }
        }
        let coverage = match raw.dekking {
            Some(d) => Some(d.check(&raw.name)?),
            None => None,
        };
        Ok(SourceSpec {
            coverage,
            name: raw.name,
            path,
            postgis,
            kind,
            crs: raw.crs,
            year: raw.year,
            licence: raw.licence,
            attribution: raw.attribution,
        })
    }
}

impl RawSourceSpec {
    fn not_for(&self, option: &str, kind: &str) -> String {
        format!(
            "source '{}': option '{option}' does not apply to kind = \"{kind}\"",
            self.name
        )
    }

    fn is_areas_kind(&self) -> bool {
        self.kind == "areas" || self.kind == "earlier_areas"
    }

    /// Options that only some kinds read, refused on the others.
    fn check_options_fit_the_kind(&self) -> Result<(), String> {
        let kind = self.kind.as_str();
        if kind != "voorzieningen" && (self.osm.is_some() || self.register.is_some()) {
            return Err(self.not_for("osm/register", kind));
        }
        if !self.is_areas_kind() && (self.name_field.is_some() || self.layer.is_some()) {
            return Err(self.not_for("name_field/layer", kind));
        }
        if !self.is_areas_kind() && kind != "figures" && self.code_field.is_some() {
            return Err(self.not_for("code_field", kind));
        }
        if kind != "woningen" && self.social_field.is_some() {
            return Err(self.not_for("social_field", kind));
        }
        Ok(())
    }

    /// The database layer, when the source names one instead of a file (exactly one of
    /// the two is needed).
    fn postgis_layer(&mut self) -> Result<Option<PostgisLayer>, String> {
        let name = &self.name;
        match (&self.path, self.postgis.take()) {
            (Some(_), Some(_)) => Err(format!(
                "source '{name}': give path = \"…\" (a file) or postgis = {{ … }} (a database layer), not both"
            )),
            (None, None) => Err(format!(
                "source '{name}': needs path = \"…\" (a file) or postgis = {{ table = \"…\" }} (a database layer)"
            )),
            (Some(_), None) => Ok(None),
            (None, Some(layer)) => {
                if !(self.is_areas_kind() || self.kind == "voorzieningen") {
                    return Err(self.not_for("postgis", &self.kind));
                }
                if self.osm.is_some() || self.register.is_some() || self.layer.is_some() {
                    return Err(format!(
                        "source '{name}': osm, register and layer describe files; a postgis layer takes none of them"
                    ));
                }
                Ok(Some(layer.check(name)?))
            }
        }
    }

    /// What the source holds, with the options of its kind; `path` is the file to read
    /// (or the database layer's label when `from_database`).
    fn source_kind(&mut self, from_database: bool, path: &Path) -> Result<SourceKind, String> {
        let name = &self.name;
        let needs_level = |what: &str| {
            self.level
                .ok_or_else(|| format!("source '{name}': kind = \"{}\" needs {what}", self.kind))
        };
        match self.kind.as_str() {
            "areas" => Ok(SourceKind::Areas {
                level: needs_level("level = \"gemeente\", \"wijk\" or \"buurt\"")?,
                code_field: self.code_field.take(),
                name_field: self.name_field.take(),
                layer: self.layer.take(),
                vintage: Vintage::Current,
            }),
            "earlier_areas" => {
                let level = needs_level("the level of the areas")?;
                if self.year.is_none() {
                    return Err(format!(
                        "source '{name}': kind = \"earlier_areas\" needs year = …, the year its figures describe"
                    ));
                }
                Ok(SourceKind::Areas {
                    level,
                    code_field: self.code_field.take(),
                    name_field: self.name_field.take(),
                    layer: self.layer.take(),
                    vintage: Vintage::Earlier,
                })
            }
            "voorzieningen" => {
                if self.level.is_some() {
                    return Err(self.not_for("level", "voorzieningen"));
                }
                // Database rows follow the wijkatlas schema, as its GeoJSON does.
                let format = if from_database {
                    FacilityFormat::GeoJson
                } else {
                    FacilityFormat::for_path(path, self.osm.clone(), self.register.clone())
                        .map_err(|e| format!("source '{name}': {e}"))?
                };
                Ok(SourceKind::Voorzieningen {
                    category: self.category,
                    format,
                })
            }
            "woningen" => Ok(SourceKind::Woningen {
                social_field: self.social_field.clone(),
            }),
            "figures" => Ok(SourceKind::Figures {
                level: needs_level("the level of the areas it joins onto")?,
                code_field: self.code_field.clone(),
            }),
            "postcodes" => {
                if self.level.is_some() || self.category.is_some() {
                    return Err(self.not_for("level/category", "postcodes"));
                }
                Ok(SourceKind::Postcodes)
            }
            other => Err(format!(
                "source '{name}': unknown kind '{other}'; use areas, earlier_areas, figures, voorzieningen, woningen or postcodes"
            )),
        }
    }
}

impl SourceKind {
    pub fn label(&self) -> &'static str {
        match self {
            SourceKind::Areas {
                vintage: Vintage::Current,
                ..
            } => "areas",
            SourceKind::Areas {
                vintage: Vintage::Earlier,
                ..
            } => "earlier_areas",
            SourceKind::Voorzieningen { .. } => "voorzieningen",
            SourceKind::Postcodes => "postcodes",
            SourceKind::Figures { .. } => "figures",
            SourceKind::Woningen { .. } => "woningen",
        }
    }
}

impl SourceSpec {
    /// The file to read; a PostGIS layer's label as it is.
    pub fn resolve(&self, dir: &Path) -> PathBuf {
        match self.postgis {
            Some(_) => self.path.clone(),
            None => dir.join(&self.path),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Manifest, String> {
        toml::from_str(text).map_err(|e| e.to_string())
    }

    #[test]
    fn a_manifest_says_whether_it_builds_routing_graphs() {
        let osm = |options: &str| {
            parse(&format!(
                "[[source]]\nname = \"osm\"\npath = \"nl.osm.pbf\"\nkind = \"voorzieningen\"\n{options}"
            ))
            .expect("parses")
        };
        assert!(osm("[source.osm]\nrouting = true\n").builds_routing_graphs());
        assert!(!osm("[source.osm]\nrouting = false\n").builds_routing_graphs());
        assert!(!osm("").builds_routing_graphs());
        let areas = parse(
            "[[source]]\nname = \"b\"\npath = \"b.geojson\"\nkind = \"areas\"\nlevel = \"buurt\"\n",
        )
        .expect("parses");
        assert!(!areas.builds_routing_graphs());
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
                "path = \"a.geojson\"\nkind = \"earlier_areas\"\nlevel = \"gemeente\"\n",
                "needs year",
            ),
            (
                "path = \"a.csv\"\nkind = \"postcodes\"\nsocial_field = \"s\"\n",
                "social_field",
            ),
            ("kind = \"areas\"\nlevel = \"wijk\"\n", "needs path"),
            (
                "path = \"a.geojson\"\nkind = \"areas\"\nlevel = \"wijk\"\npostgis = { table = \"w\" }\n",
                "not both",
            ),
            (
                "kind = \"areas\"\nlevel = \"wijk\"\npostgis = { tabel = \"w\" }\n",
                "tabel",
            ),
            (
                "kind = \"areas\"\nlevel = \"wijk\"\npostgis = { }\n",
                "needs table",
            ),
            (
                "kind = \"areas\"\nlevel = \"wijk\"\npostgis = { table = \"w\", query = \"SELECT 1\" }\n",
                "not both",
            ),
            (
                "kind = \"postcodes\"\npostgis = { table = \"pc4\" }\n",
                "'postgis' does not apply",
            ),
            (
                "kind = \"areas\"\nlevel = \"wijk\"\nlayer = \"x\"\npostgis = { table = \"w\" }\n",
                "describe files",
            ),
        ];
        for (body, expected) in cases {
            let err = parse(&format!("{base}{body}")).unwrap_err();
            assert!(err.contains(expected), "{body}: {err}");
        }
    }

    #[test]
    fn postgis_layers_name_a_table_or_a_query() {
        let m = parse(
            "[postgis]\nurl_env = \"ATLAS_DB\"\n[[source]]\nname = \"w\"\nkind = \"areas\"\nlevel = \"wijk\"\npostgis = { schema = \"cbs\", table = \"wijken\", key_column = \"gid\" }\n[[source]]\nname = \"v\"\nkind = \"voorzieningen\"\npostgis = { query = \"SELECT * FROM v\" }\n",
        )
        .unwrap();
        assert_eq!(m.postgis.url_env.as_deref(), Some("ATLAS_DB"));
        let w = m.sources[0].postgis.as_ref().unwrap();
        assert_eq!(w.label(), "postgis:cbs.wijken");
        assert_eq!(w.key_column.as_deref(), Some("gid"));
        assert_eq!(
            m.sources[0].resolve(Path::new("/data")),
            PathBuf::from("postgis:cbs.wijken")
        );
        assert!(matches!(
            m.sources[1].postgis.as_ref().unwrap().relation,
            Relation::Query(_)
        ));
        assert!(parse("[postgis]\nwachtwoord = \"x\"\n").is_err());
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

    /// Each check of which option goes with which kind, one case each, so a step lost
    /// when the checks move shows here.
    #[test]
    fn options_of_another_kind_are_named_in_the_error() {
        let base = "[[source]]\nname = \"x\"\n";
        let cases = [
            ("path = \"a.csv\"\nkind = \"figures\"\nlevel = \"wijk\"\n[source.osm]\n", "'osm/register' does not apply to kind = \"figures\""),
            ("path = \"a.csv\"\nkind = \"figures\"\nlevel = \"wijk\"\nname_field = \"n\"\n", "'name_field/layer' does not apply"),
            ("path = \"a.csv\"\nkind = \"woningen\"\nlayer = \"l\"\n", "'name_field/layer' does not apply"),
            ("path = \"a.csv\"\nkind = \"woningen\"\ncategory = \"huisarts\"\n", "'category' does not apply to kind = \"woningen\""),
            ("path = \"a.geojson\"\nkind = \"voorzieningen\"\nlevel = \"wijk\"\n", "'level' does not apply to kind = \"voorzieningen\""),
            ("path = \"a.csv\"\nkind = \"postcodes\"\nlevel = \"wijk\"\n", "'level/category' does not apply"),
            ("path = \"a.geojson\"\nkind = \"areas\"\nlevel = \"wijk\"\ndekking = \"nederland\"\n", "'dekking' does not apply to kind = \"areas\""),
            ("path = \"a.geojson\"\nkind = \"earlier_areas\"\nyear = 2020\n", "needs the level of the areas"),
            ("kind = \"voorzieningen\"\npostgis = { table = \"v\" }\n[source.osm]\n", "describe files"),
            ("path = \"a.geojson\"\nkind = \"voorzieningen\"\ndekking = []\n", "dekking = []"),
            ("path = \"a.geojson\"\nkind = \"voorzieningen\"\n[source.register]\n", "[source.register] table applies"),
        ];
        for (body, expected) in cases {
            let err = parse(&format!("{base}{body}")).unwrap_err();
            assert!(err.contains(expected), "{body}: {err}");
            assert!(
                err.contains("source 'x'") || expected.contains("table applies"),
                "{body}: {err}"
            );
        }
    }

    #[test]
    fn every_kind_keeps_its_options() {
        let m = parse(concat!(
            "[[source]]\nname = \"a\"\npath = \"w.gpkg\"\nkind = \"areas\"\nlevel = \"wijk\"\n",
            "code_field = \"c\"\nname_field = \"n\"\nlayer = \"l\"\ncrs = \"EPSG:28992\"\n",
            "licence = \"CC-BY\"\nattribution = \"CBS\"\n",
            "[[source]]\nname = \"e\"\npath = \"old.geojson\"\nkind = \"earlier_areas\"\nlevel = \"buurt\"\nyear = 2020\n",
            "[[source]]\nname = \"f\"\npath = \"f.csv\"\nkind = \"figures\"\nlevel = \"gemeente\"\ncode_field = \"gm\"\n",
            "[[source]]\nname = \"w\"\npath = \"w.csv\"\nkind = \"woningen\"\nsocial_field = \"sociaal\"\n",
            "[[source]]\nname = \"p\"\npath = \"pc4.csv\"\nkind = \"postcodes\"\n",
            "[[source]]\nname = \"v\"\nkind = \"voorzieningen\"\ncategory = \"huisarts\"\n",
            "postgis = { table = \"v\" }\ndekking = [\"GM0505\"]\n",
        ))
        .expect("parses");
        let s = &m.sources;
        assert_eq!(
            s[0].kind,
            SourceKind::Areas {
                level: AreaLevel::Wijk,
                code_field: Some("c".into()),
                name_field: Some("n".into()),
                layer: Some("l".into()),
                vintage: Vintage::Current,
            }
        );
        assert_eq!(s[0].path, PathBuf::from("w.gpkg"));
        assert!(s[0].postgis.is_none());
        assert_eq!(s[0].crs, Some(Crs::RdNew));
        assert_eq!(s[0].licence.as_deref(), Some("CC-BY"));
        assert_eq!(s[0].attribution.as_deref(), Some("CBS"));
        assert_eq!(
            s[1].kind,
            SourceKind::Areas {
                level: AreaLevel::Buurt,
                code_field: None,
                name_field: None,
                layer: None,
                vintage: Vintage::Earlier,
            }
        );
        assert_eq!(s[1].year, Some(2020));
        assert_eq!(
            s[2].kind,
            SourceKind::Figures {
                level: AreaLevel::Gemeente,
                code_field: Some("gm".into()),
            }
        );
        assert_eq!(
            s[3].kind,
            SourceKind::Woningen {
                social_field: Some("sociaal".into()),
            }
        );
        assert_eq!(s[4].kind, SourceKind::Postcodes);
        assert_eq!(
            s[5].kind,
            SourceKind::Voorzieningen {
                category: Some(Category::Huisarts),
                format: FacilityFormat::GeoJson,
            }
        );
        assert_eq!(s[5].path, PathBuf::from("postgis:v"));
        assert_eq!(
            s[5].coverage,
            Some(CoverageSpec::Gemeenten(vec!["GM0505".into()]))
        );
        let labels: Vec<&str> = s.iter().map(|s| s.kind.label()).collect();
        assert_eq!(
            labels,
            [
                "areas",
                "earlier_areas",
                "figures",
                "woningen",
                "postcodes",
                "voorzieningen"
            ]
        );
    }
}
