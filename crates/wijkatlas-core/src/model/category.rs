//! The closed taxonomy of care and welfare facilities (voorzieningen).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

macro_rules! categories {
    ($( $variant:ident => $key:literal, $label:literal, $domain:ident );* $(;)?) => {
        /// What a voorziening is. The welfare categories (the *sociale basis* of the
        /// wijkaanpak) are first-class, not lumped into `Overig`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Category { $($variant),* }

        impl Category {
            pub const ALL: &'static [Category] = &[$(Category::$variant),*];

            /// Stable machine key, used in URLs, manifests and GeoJSON.
            pub fn key(self) -> &'static str {
                match self { $(Category::$variant => $key),* }
            }

            /// Dutch display name.
            pub fn label(self) -> &'static str {
                match self { $(Category::$variant => $label),* }
            }

            pub fn domain(self) -> Domain {
                match self { $(Category::$variant => Domain::$domain),* }
            }
        }
    };
}

categories! {
    Huisarts => "huisarts", "Huisartsenpraktijk", Zorg;
    Apotheek => "apotheek", "Apotheek", Zorg;
    Huisartsenpost => "huisartsenpost", "Huisartsenpost (avond, nacht, weekend)", Zorg;
    Ziekenhuis => "ziekenhuis", "Ziekenhuis (zonder buitenpoliklinieken)", Zorg;
    Buitenpolikliniek => "buitenpolikliniek", "Buitenpolikliniek", Zorg;
    Consultatiebureau => "consultatiebureau", "Consultatiebureau / jeugdgezondheidszorg", Zorg;
    Ggd => "ggd", "GGD", Zorg;
    Wijkteam => "wijkteam", "(Sociaal) wijkteam", Welzijn;
    Buurthuis => "buurthuis", "Buurthuis / wijkcentrum", Welzijn;
    Ggz => "ggz", "GGZ (geestelijke gezondheidszorg)", Zorg;
    Thuiszorg => "thuiszorg", "Thuiszorg / wijkverpleging", Zorg;
    Verpleeghuis => "verpleeghuis", "Verpleeghuis", Zorg;
    Fysiotherapie => "fysiotherapie", "Fysiotherapie", Zorg;
    Tandarts => "tandarts", "Tandarts", Zorg;
    Bibliotheek => "bibliotheek", "Bibliotheek", Welzijn;
    SociaalWerk => "sociaal_werk", "Sociaal werk", Welzijn;
    Opvang => "opvang", "Maatschappelijke opvang / beschermd wonen", Welzijn;
    Schuldhulp => "schuldhulp", "Schuldhulpverlening", Welzijn;
    Overig => "overig", "Overige voorziening", Overig;
}

/// The domain a category belongs to, for grouping in the map and the reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Domain {
    Zorg,
    Welzijn,
    Overig,
}

impl Category {
    /// The category CBS would count a facility under, given the source's finer type.
    ///
    /// CBS measures the distance to a hospital without its outpatient clinics
    /// (*ziekenhuis excl. buitenpolikliniek*) and to a GP practice without the
    /// out-of-hours posts; sources that file both under one heading and say which in a
    /// subtype are split here, so a figure means what CBS's figure of that name means.
    pub fn refined(self, subtype: Option<&str>) -> Category {
        let Some(subtype) = subtype.map(str::to_lowercase) else {
            return self;
        };
        match self {
            Category::Ziekenhuis if subtype.contains("buitenpolikliniek") => {
                Category::Buitenpolikliniek
            }
            Category::Huisarts if subtype.contains("huisartsenpost") => Category::Huisartsenpost,
            other => other,
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown category '{0}'; known categories: {list}", list = Category::ALL.iter().map(|c| c.key()).collect::<Vec<_>>().join(", "))]
pub struct UnknownCategory(pub String);

impl FromStr for Category {
    type Err = UnknownCategory;

    /// Accepts the key or the Dutch display name, ignoring case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        Category::ALL
            .iter()
            .copied()
            .find(|c| c.key().eq_ignore_ascii_case(t) || c.label().eq_ignore_ascii_case(t))
            .ok_or_else(|| UnknownCategory(t.to_string()))
    }
}

impl Serialize for Category {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.key())
    }
}

impl<'de> Deserialize<'de> for Category {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_labels_parse_back() {
        for &c in Category::ALL {
            assert_eq!(c.key().parse::<Category>(), Ok(c));
            assert_eq!(c.label().to_uppercase().parse::<Category>(), Ok(c));
        }
        assert!("supermarkt".parse::<Category>().is_err());
    }

    #[test]
    fn subtypes_split_as_cbs_counts() {
        assert_eq!(
            Category::Ziekenhuis.refined(Some("Buitenpolikliniek")),
            Category::Buitenpolikliniek
        );
        assert_eq!(
            Category::Ziekenhuis.refined(Some("Algemeen ziekenhuis")),
            Category::Ziekenhuis
        );
        assert_eq!(Category::Ziekenhuis.refined(None), Category::Ziekenhuis);
        assert_eq!(
            Category::Huisarts.refined(Some("Huisartsenpost Drechtsteden")),
            Category::Huisartsenpost
        );
        // A subtype only splits the category it belongs to.
        assert_eq!(
            Category::Apotheek.refined(Some("buitenpolikliniek")),
            Category::Apotheek
        );
    }

    #[test]
    fn welfare_is_first_class() {
        for c in [
            Category::Wijkteam,
            Category::Buurthuis,
            Category::SociaalWerk,
            Category::Schuldhulp,
        ] {
            assert_eq!(c.domain(), Domain::Welzijn);
        }
    }
}
