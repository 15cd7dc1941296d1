//! Which OpenStreetMap tags mean care and welfare, and which category each one is.
//!
//! [`RULES`] is the one table: the first row whose condition an element's tags meet gives
//! its category. Specific rows come before general ones, so a psychiatric practice tagged
//! `amenity=doctors` is `ggz`, not `huisarts`. Only tags are used, never names: a name
//! such as "Consultatiebureau …" is not evidence a map can check.

use crate::model::Category;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// The `amenity` values that mark a care or welfare element.
pub const AMENITIES: &[&str] = &[
    "doctors",
    "pharmacy",
    "clinic",
    "hospital",
    "dentist",
    "community_centre",
    "social_facility",
    "nursing_home",
    "library",
];

/// Keys that mark a care or welfare element whatever their value (except `no`).
pub const ANY_VALUE_KEYS: &[&str] = &["healthcare", "social_facility"];

const SPECIALITY: &str = "healthcare:speciality";

/// What a row asks of an element's tags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Condition {
    /// `key=value`.
    Is(&'static str, &'static str),
    /// `key=value` and no `healthcare:speciality` tag: a doctor with a specialism named is
    /// not a GP practice.
    IsWithoutSpeciality(&'static str, &'static str),
    /// `value` is one of the `;`-separated values of `key`.
    ListHas(&'static str, &'static str),
    /// `key` is present with any value.
    Any(&'static str),
}

/// One row of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub when: Condition,
    pub category: Category,
}

const fn rule(when: Condition, category: Category) -> Rule {
    Rule { when, category }
}

use Category as C;
use Condition::{Any, Is, IsWithoutSpeciality, ListHas};

/// The tag → category table, first match wins.
///
/// Decisions a planner may want to know:
/// * `amenity=clinic` is `overig`: in the Netherlands it covers outpatient clinics of
///   hospitals, but as often private clinics (ZBCs) and health centres; counting those as
///   hospitals would make areas look better served than they are. A manifest can map it
///   to `ziekenhuis` (`[source.osm.categories]`).
/// * `amenity=doctors` / `healthcare=doctor` is `huisarts` (in NL these are mostly GP
///   practices) unless `healthcare:speciality` names something other than `general`.
/// * Anything else carrying `healthcare=*` or `social_facility=*` (midwives, labs,
///   food banks, day care, …) is `overig`, with its tag kept as the subtype.
pub const RULES: &[Rule] = &[
    rule(Is("amenity", "nursing_home"), C::Verpleeghuis),
    rule(Is("social_facility", "nursing_home"), C::Verpleeghuis),
    rule(Is("social_facility", "shelter"), C::Opvang),
    rule(Is("social_facility", "group_home"), C::Opvang),
    rule(Is("social_facility", "assisted_living"), C::Opvang),
    rule(Is("social_facility", "outreach"), C::SociaalWerk),
    rule(Is("social_facility", "ambulatory_care"), C::Thuiszorg),
    rule(ListHas(SPECIALITY, "psychiatry"), C::Ggz),
    rule(Is("healthcare", "psychotherapist"), C::Ggz),
    rule(Is("amenity", "hospital"), C::Ziekenhuis),
    rule(Is("healthcare", "hospital"), C::Ziekenhuis),
    rule(Is("amenity", "pharmacy"), C::Apotheek),
    rule(Is("healthcare", "pharmacy"), C::Apotheek),
    rule(Is("amenity", "dentist"), C::Tandarts),
    rule(Is("healthcare", "dentist"), C::Tandarts),
    rule(Is("healthcare", "physiotherapist"), C::Fysiotherapie),
    rule(Is("amenity", "community_centre"), C::Buurthuis),
    rule(Is("amenity", "library"), C::Bibliotheek),
    rule(ListHas(SPECIALITY, "general"), C::Huisarts),
    rule(IsWithoutSpeciality("amenity", "doctors"), C::Huisarts),
    rule(IsWithoutSpeciality("healthcare", "doctor"), C::Huisarts),
    rule(Is("amenity", "clinic"), C::Overig),
    rule(Any("amenity"), C::Overig),
    rule(Any("healthcare"), C::Overig),
    rule(Any("social_facility"), C::Overig),
];

/// The tags of one element, as borrowed from its block.
#[derive(Debug, Default)]
pub struct Tags<'a>(Vec<(&'a str, &'a str)>);

impl<'a> Tags<'a> {
    pub fn new(pairs: impl Iterator<Item = (&'a str, &'a str)>) -> Self {
        Tags(pairs.collect())
    }

    pub fn get(&self, key: &str) -> Option<&'a str> {
        self.0
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }

    fn meets(&self, when: Condition) -> bool {
        match when {
            Is(k, v) => self.get(k) == Some(v),
            IsWithoutSpeciality(k, v) => self.get(k) == Some(v) && self.get(SPECIALITY).is_none(),
            ListHas(k, v) => self
                .get(k)
                .is_some_and(|list| list.split(';').any(|item| item.trim() == v)),
            Any(k) => self.get(k).is_some_and(|v| v != "no"),
        }
    }
}

/// A manifest's own `key=value` (or `key=*`) pattern.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(try_from = "String")]
pub struct TagPattern {
    pub key: String,
    /// `None` for `key=*`.
    pub value: Option<String>,
}

impl FromStr for TagPattern {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (key, value) = s
            .split_once('=')
            .map(|(k, v)| (k.trim(), v.trim()))
            .filter(|(k, v)| !k.is_empty() && !v.is_empty())
            .ok_or_else(|| format!("'{s}' is not a tag pattern: write key=value or key=*"))?;
        Ok(TagPattern {
            key: key.to_string(),
            value: (value != "*").then(|| value.to_string()),
        })
    }
}

impl TryFrom<String> for TagPattern {
    type Error = String;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl fmt::Display for TagPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}", self.key, self.value.as_deref().unwrap_or("*"))
    }
}

impl TagPattern {
    fn matched_by(&self, tags: &Tags<'_>) -> Option<String> {
        let found = tags.get(&self.key)?;
        match &self.value {
            Some(v) if v != found => None,
            _ => Some(format!("{}={found}", self.key)),
        }
    }
}

/// What the table makes of an element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Classified {
    pub category: Category,
    /// The tag that made it a care or welfare element, e.g. `amenity=doctors`.
    pub subtype: String,
}

/// The category of a care or welfare element, or `None` for every other element.
///
/// Manifest rows (`overrides`) come first and may also select elements that the built-in
/// selection does not.
pub fn classify(tags: &Tags<'_>, overrides: &BTreeMap<TagPattern, Category>) -> Option<Classified> {
    if let Some((subtype, &category)) = overrides
        .iter()
        .find_map(|(p, c)| p.matched_by(tags).map(|s| (s, c)))
    {
        return Some(Classified { category, subtype });
    }
    let subtype = selecting_tag(tags)?;
    let category = RULES
        .iter()
        .find(|r| tags.meets(r.when))
        .map_or(Category::Overig, |r| r.category);
    Some(Classified { category, subtype })
}

/// The tag that makes an element care or welfare, in the order amenity, healthcare,
/// social_facility; it doubles as the subtype.
fn selecting_tag(tags: &Tags<'_>) -> Option<String> {
    if let Some(v) = tags.get("amenity").filter(|v| AMENITIES.contains(v)) {
        return Some(format!("amenity={v}"));
    }
    ANY_VALUE_KEYS.iter().find_map(|&k| {
        tags.get(k)
            .filter(|v| *v != "no")
            .map(|v| format!("{k}={v}"))
    })
}

/// Cheap pre-check on the keys alone, so that the tags of the millions of other elements
/// are never collected.
pub fn may_select(key: &str, overrides: &BTreeMap<TagPattern, Category>) -> bool {
    key == "amenity" || ANY_VALUE_KEYS.contains(&key) || overrides.keys().any(|p| p.key == key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classify_tags(pairs: &[(&'static str, &'static str)]) -> Option<Classified> {
        classify(&Tags::new(pairs.iter().copied()), &BTreeMap::new())
    }

    fn category(pairs: &[(&'static str, &'static str)]) -> Option<Category> {
        classify_tags(pairs).map(|c| c.category)
    }

    #[test]
    fn every_row_is_reachable() {
        // For each row, tags that meet it and no earlier row: a row hidden by an earlier
        // one would be dead and fail here.
        for (i, r) in RULES.iter().enumerate() {
            let tags: Vec<(&str, &str)> = match r.when {
                Is(k, v) | IsWithoutSpeciality(k, v) => vec![(k, v)],
                ListHas(k, v) => vec![("healthcare", "centre"), (k, v)],
                Any(k) => vec![(k, "something_else")],
            };
            let tags = Tags::new(tags.into_iter());
            let first = RULES.iter().position(|r| tags.meets(r.when));
            assert_eq!(first, Some(i), "row {i} ({:?}) is shadowed", r.when);
        }
    }

    #[test]
    fn the_documented_mapping() {
        use Category::*;
        let cases: &[(&[(&str, &str)], Category)] = &[
            (&[("amenity", "doctors")], Huisarts),
            (&[("healthcare", "doctor")], Huisarts),
            (
                &[("amenity", "doctors"), (SPECIALITY, "general;paediatrics")],
                Huisarts,
            ),
            (
                &[("amenity", "doctors"), (SPECIALITY, "dermatology")],
                Overig,
            ),
            (&[("amenity", "doctors"), (SPECIALITY, "psychiatry")], Ggz),
            (&[("healthcare", "psychotherapist")], Ggz),
            (&[("amenity", "pharmacy")], Apotheek),
            (&[("healthcare", "pharmacy")], Apotheek),
            (&[("amenity", "hospital")], Ziekenhuis),
            (&[("healthcare", "hospital")], Ziekenhuis),
            (&[("amenity", "clinic")], Overig),
            (&[("amenity", "dentist")], Tandarts),
            (&[("healthcare", "physiotherapist")], Fysiotherapie),
            (&[("amenity", "community_centre")], Buurthuis),
            (&[("amenity", "library")], Bibliotheek),
            (&[("amenity", "nursing_home")], Verpleeghuis),
            (
                &[
                    ("amenity", "social_facility"),
                    ("social_facility", "nursing_home"),
                ],
                Verpleeghuis,
            ),
            (&[("social_facility", "shelter")], Opvang),
            (&[("social_facility", "group_home")], Opvang),
            (&[("social_facility", "assisted_living")], Opvang),
            (&[("social_facility", "outreach")], SociaalWerk),
            (&[("social_facility", "ambulatory_care")], Thuiszorg),
            (&[("healthcare", "midwife")], Overig),
            (&[("social_facility", "food_bank")], Overig),
        ];
        for (tags, expected) in cases {
            assert_eq!(category(tags), Some(*expected), "{tags:?}");
        }
    }

    #[test]
    fn other_elements_are_not_selected() {
        for tags in [
            &[("amenity", "restaurant")][..],
            &[("shop", "chemist")],
            &[("healthcare", "no")],
            &[("name", "Consultatiebureau Centrum")],
            &[],
        ] {
            assert_eq!(classify_tags(tags), None, "{tags:?}");
        }
    }

    #[test]
    fn the_subtype_is_the_selecting_tag() {
        let c = classify_tags(&[("healthcare", "doctor"), ("amenity", "doctors")]);
        assert_eq!(c.map(|c| c.subtype).as_deref(), Some("amenity=doctors"));
    }

    #[test]
    fn manifest_rows_come_first_and_may_select() {
        let overrides: BTreeMap<TagPattern, Category> = [
            ("amenity=clinic".parse().unwrap(), Category::Ziekenhuis),
            ("office=social_worker".parse().unwrap(), Category::Wijkteam),
        ]
        .into_iter()
        .collect();
        let clinic = Tags::new([("amenity", "clinic")].into_iter());
        assert_eq!(
            classify(&clinic, &overrides).map(|c| c.category),
            Some(Category::Ziekenhuis)
        );
        let office = Tags::new([("office", "social_worker")].into_iter());
        assert_eq!(
            classify(&office, &overrides),
            Some(Classified {
                category: Category::Wijkteam,
                subtype: "office=social_worker".into()
            })
        );
        assert!(may_select("office", &overrides));
        assert!(!may_select("shop", &overrides));
    }

    #[test]
    fn tag_patterns_parse_strictly() {
        assert_eq!(
            "healthcare=*".parse::<TagPattern>().map(|p| p.value),
            Ok(None)
        );
        for bad in ["healthcare", "=x", "a=", ""] {
            assert!(bad.parse::<TagPattern>().is_err(), "{bad}");
        }
    }
}
