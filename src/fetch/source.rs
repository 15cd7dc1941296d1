//! What can be fetched: CBS's Wijk- en Buurtkaart from PDOK and Geofabrik's OpenStreetMap
//! extracts, with where each lives, what it is called on disk and the terms it comes under.

use crate::model::AreaLevel;

/// PDOK, where CBS publishes the Wijk- en Buurtkaart as one GeoPackage a year.
pub const PDOK: &str = "https://service.pdok.nl";
/// Geofabrik's daily OpenStreetMap extracts.
pub const GEOFABRIK: &str = "https://download.geofabrik.de";

/// The oldest and newest years asked for are checked against PDOK's feed; these bounds
/// only catch typing errors (`--year 224`).
const YEARS: std::ops::RangeInclusive<u16> = 2000..=2100;

/// The provinces as Geofabrik names their extracts.
pub const PROVINCES: &[&str] = &[
    "drenthe",
    "flevoland",
    "friesland",
    "gelderland",
    "groningen",
    "limburg",
    "noord-brabant",
    "noord-holland",
    "overijssel",
    "utrecht",
    "zeeland",
    "zuid-holland",
];

/// One dataset to fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dataset {
    /// CBS Wijk- en Buurtkaart of a year: gemeenten, wijken and buurten with key figures.
    Cbs { year: u16 },
    /// An OpenStreetMap extract of the Netherlands (`region = "nederland"`) or a province.
    Osm { region: String },
}

impl Dataset {
    pub fn cbs(year: u16) -> Result<Dataset, String> {
        if YEARS.contains(&year) {
            Ok(Dataset::Cbs { year })
        } else {
            Err(format!("{year} is not a year of the Wijk- en Buurtkaart"))
        }
    }

    /// `nederland` (or `netherlands`) or a province, as Geofabrik spells it; `fryslân`
    /// and `fryslan` are Friesland.
    pub fn osm(region: &str) -> Result<Dataset, String> {
        let r = region.trim().to_lowercase().replace(['_', ' '], "-");
        let r = match r.as_str() {
            "nederland" | "netherlands" | "nl" => "nederland",
            "fryslân" | "fryslan" => "friesland",
            other => other,
        };
        if r == "nederland" || PROVINCES.contains(&r) {
            Ok(Dataset::Osm {
                region: r.to_string(),
            })
        } else {
            Err(format!(
                "'{region}' is not a region Geofabrik publishes: nederland or one of {}",
                PROVINCES.join(", ")
            ))
        }
    }

    /// The file name in the data directory (as the publisher names it).
    pub fn file_name(&self) -> String {
        match self {
            Dataset::Cbs { year } => format!("wijkenbuurten_{year}.gpkg"),
            Dataset::Osm { region } if region == "nederland" => "netherlands-latest.osm.pbf".into(),
            Dataset::Osm { region } => format!("{region}-latest.osm.pbf"),
        }
    }

    /// The path of the file on the publisher's server.
    pub fn path(&self) -> String {
        match self {
            Dataset::Cbs { year } => {
                format!(
                    "/cbs/wijkenbuurten/{year}/atom/downloads/{}",
                    self.file_name()
                )
            }
            Dataset::Osm { region } if region == "nederland" => {
                format!("/europe/{}", self.file_name())
            }
            Dataset::Osm { .. } => format!("/europe/netherlands/{}", self.file_name()),
        }
    }

    /// The publisher's server, unless a mirror stands in for it.
    pub fn default_base(&self) -> &'static str {
        match self {
            Dataset::Cbs { .. } => PDOK,
            Dataset::Osm { .. } => GEOFABRIK,
        }
    }

    /// PDOK's Atom feed for the year: it says whether the year is served and which file.
    pub fn feed_path(&self) -> Option<String> {
        match self {
            Dataset::Cbs { year } => Some(format!("/cbs/wijkenbuurten/{year}/atom/index.xml")),
            Dataset::Osm { .. } => None,
        }
    }

    /// Geofabrik's checksum file beside the extract.
    pub fn md5_path(&self) -> Option<String> {
        match self {
            Dataset::Osm { .. } => Some(format!("{}.md5", self.path())),
            Dataset::Cbs { .. } => None,
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Dataset::Cbs { year } => format!("CBS Wijk- en Buurtkaart {year}"),
            Dataset::Osm { region } => format!("OpenStreetMap extract of {region}"),
        }
    }

    pub fn licence(&self) -> &'static str {
        match self {
            Dataset::Cbs { .. } => "CC BY 4.0",
            Dataset::Osm { .. } => "ODbL 1.0",
        }
    }

    pub fn attribution(&self) -> &'static str {
        match self {
            Dataset::Cbs { .. } => "Bron: CBS, Kadaster",
            Dataset::Osm { .. } => "© OpenStreetMap contributors",
        }
    }

    /// The publisher, as the manifest's comment names it.
    pub fn publisher(&self) -> &'static str {
        match self {
            Dataset::Cbs { .. } => "CBS and Kadaster, via PDOK",
            Dataset::Osm { .. } => "OpenStreetMap contributors, extract by Geofabrik",
        }
    }

    /// The manifest entries that read the file: one per level for CBS, one for OSM.
    /// `year` is the data's year: CBS's edition, or the day an extract was fetched.
    pub fn entries(&self, year: u16) -> Vec<Entry> {
        match self {
            Dataset::Cbs { year } => [
                (AreaLevel::Gemeente, "gemeenten"),
                (AreaLevel::Wijk, "wijken"),
                (AreaLevel::Buurt, "buurten"),
            ]
            .into_iter()
            .map(|(level, layer)| Entry {
                name: format!("cbs-{layer}-{year}"),
                kind: "areas",
                level: Some(level),
                layer: Some(layer),
                coverage: None,
                year: *year,
            })
            .collect(),
            Dataset::Osm { region } => vec![Entry {
                name: format!("osm-{region}"),
                kind: "voorzieningen",
                level: None,
                layer: None,
                // A province's extract is cut by Geofabrik's own outline, which differs
                // from the gemeente borders; the loader guesses it and says so.
                coverage: (region == "nederland").then_some("nederland"),
                year,
            }],
        }
    }

    /// The GeoPackage layers CBS's file must hold.
    pub fn layers(&self) -> &'static [&'static str] {
        match self {
            Dataset::Cbs { .. } => &["gemeenten", "wijken", "buurten"],
            Dataset::Osm { .. } => &[],
        }
    }
}

/// One `[[source]]` of the manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub name: String,
    /// The part of the country a facility source covers (`dekking`), when known.
    pub coverage: Option<&'static str>,
    pub kind: &'static str,
    pub level: Option<AreaLevel>,
    pub layer: Option<&'static str>,
    pub year: u16,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_and_their_files() {
        let nl = Dataset::osm("Nederland").unwrap();
        assert_eq!(nl.path(), "/europe/netherlands-latest.osm.pbf");
        assert_eq!(
            nl.md5_path().as_deref(),
            Some("/europe/netherlands-latest.osm.pbf.md5")
        );
        let zh = Dataset::osm("zuid_holland").unwrap();
        assert_eq!(zh.path(), "/europe/netherlands/zuid-holland-latest.osm.pbf");
        assert_eq!(
            Dataset::osm("Fryslân").unwrap(),
            Dataset::Osm {
                region: "friesland".into()
            }
        );
        let err = Dataset::osm("brabant").unwrap_err();
        assert!(err.contains("noord-brabant"), "{err}");
    }

    #[test]
    fn cbs_paths_and_entries() {
        let cbs = Dataset::cbs(2024).unwrap();
        assert_eq!(
            cbs.path(),
            "/cbs/wijkenbuurten/2024/atom/downloads/wijkenbuurten_2024.gpkg"
        );
        let names: Vec<String> = cbs.entries(2024).into_iter().map(|e| e.name).collect();
        assert_eq!(
            names,
            ["cbs-gemeenten-2024", "cbs-wijken-2024", "cbs-buurten-2024"]
        );
        assert!(Dataset::cbs(224).is_err());
    }
}
