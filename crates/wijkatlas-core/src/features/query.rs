//! Item queries, parsed once from request parameters into a typed form.

use super::cql2::{Expr, Filter, Shape};
use super::datetime::DateInterval;
use super::AskedBox;
use super::Collection;
use crate::crs::Crs;
use geo::{Coord, Rect};

pub const DEFAULT_LIMIT: usize = 100;
pub const MAX_LIMIT: usize = 10_000;

/// The encodings an items answer comes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    GeoJson,
    /// Properties in columns and the geometry as WKT, for spreadsheets.
    Csv,
    /// A page a person reads: a table and a map preview.
    Html,
}

impl Format {
    pub const NAMES: [&'static str; 3] = ["json", "csv", "html"];

    pub fn name(self) -> &'static str {
        match self {
            Format::GeoJson => "json",
            Format::Csv => "csv",
            Format::Html => "html",
        }
    }

    fn parse(name: &str) -> Option<Format> {
        match name.to_ascii_lowercase().as_str() {
            "json" | "geojson" => Some(Format::GeoJson),
            "csv" => Some(Format::Csv),
            "html" => Some(Format::Html),
            _ => None,
        }
    }
}

/// How a parameter's value is written, as the OpenAPI document describes it.
#[derive(Debug, Clone, Copy)]
pub enum ParameterValue {
    /// A whole number from `min` to `max`, `default` when absent.
    Count {
        min: usize,
        max: Option<usize>,
        default: Option<usize>,
    },
    /// One of these words.
    OneOf(&'static [&'static str]),
    /// Comma-separated numbers, `min` to `max` of them.
    Numbers { min: usize, max: usize },
    /// Comma-separated words.
    List,
    /// Free text with its own grammar (a CQL2 expression).
    Text,
    /// Text of this regular expression's form (the parser checks the rest, e.g. that a
    /// day exists in its month).
    Pattern(&'static str),
}

/// An RFC 3339 date or date-time, or an interval of two with `..` for an open end.
const DATETIME_PATTERN: &str = r"^([0-9]{4}-[0-9]{2}-[0-9]{2}([Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2}))?|([0-9]{4}-[0-9]{2}-[0-9]{2}([Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2}))?|\.\.)?/([0-9]{4}-[0-9]{2}-[0-9]{2}([Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2}))?|\.\.)?)$";

/// A parameter every items request may carry, besides the property filters.
#[derive(Debug, Clone, Copy)]
pub struct Parameter {
    pub name: &'static str,
    pub description: &'static str,
    pub value: ParameterValue,
}

/// CRS names and URIs the `crs` parameters accept.
pub const CRS_NAMES: [&str; 6] = [
    "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
    "http://www.opengis.net/def/crs/EPSG/0/4326",
    "http://www.opengis.net/def/crs/EPSG/0/28992",
    "CRS84",
    "EPSG:4326",
    "EPSG:28992",
];

/// The items parameters: the parser reads these names and the OpenAPI document is
/// written from this table, so the two cannot drift apart.
pub const ITEMS_PARAMETERS: &[Parameter] = &[
    Parameter {
        name: "limit",
        description: "Features per page (default 100, at most 10000).",
        value: ParameterValue::Count {
            min: 1,
            max: Some(MAX_LIMIT),
            default: Some(DEFAULT_LIMIT),
        },
    },
    Parameter {
        name: "offset",
        description: "Features to skip; the `next` and `prev` links carry it.",
        value: ParameterValue::Count {
            min: 0,
            max: None,
            default: Some(0),
        },
    },
    Parameter {
        name: "bbox",
        description: "minx,miny,maxx,maxy in `bbox-crs` (6 numbers with heights, ignored); a feature's own outline must meet the box.",
        value: ParameterValue::Numbers { min: 4, max: 6 },
    },
    Parameter {
        name: "bbox-crs",
        description: "CRS of `bbox`: CRS84 (default, lon/lat), EPSG:4326 (lat/lon) or EPSG:28992 (RD New metres).",
        value: ParameterValue::OneOf(&CRS_NAMES),
    },
    Parameter {
        name: "crs",
        description: "CRS of the answer (default CRS84); the Content-Crs header names it.",
        value: ParameterValue::OneOf(&CRS_NAMES),
    },
    Parameter {
        name: "datetime",
        description: "RFC 3339 date or interval (`2024-01-01`, `2020-01-01/..`): features whose reference year meets it. Collections without a reference year refuse it.",
        value: ParameterValue::Pattern(DATETIME_PATTERN),
    },
    Parameter {
        name: "filter",
        description: "A CQL2 text filter: comparisons, AND/OR/NOT, IN, BETWEEN, LIKE, IS NULL and S_INTERSECTS(geometry, BBOX(…)|POINT(…)|POLYGON((…))), e.g. `gemeentecode='GM0344' AND inwoners > 1000`.",
        value: ParameterValue::Text,
    },
    Parameter {
        name: "filter-lang",
        description: "Language of `filter`: only cql2-text.",
        value: ParameterValue::OneOf(&["cql2-text"]),
    },
    Parameter {
        name: "filter-crs",
        description: "CRS of the coordinates in `filter`: CRS84 (default), EPSG:4326 (lat/lon) or EPSG:28992.",
        value: ParameterValue::OneOf(&CRS_NAMES),
    },
    Parameter {
        name: "zoom",
        description: "Generalise area outlines for a map at this Web Mercator zoom (0–24): vertices closer than half a pixel to the line are dropped, and neighbours that share an edge keep sharing it. Above zoom 15 outlines are served as they are; points are never changed.",
        value: ParameterValue::Count {
            min: 0,
            max: Some(24),
            default: None,
        },
    },
    Parameter {
        name: "sortby",
        description: "Properties to order by, `-` for descending (`-inwoners,naam`); missing values last.",
        value: ParameterValue::List,
    },
    Parameter {
        name: "properties",
        description: "Only these properties in the answer (`naam,inwoners`).",
        value: ParameterValue::List,
    },
    Parameter {
        name: "f",
        description: "Encoding: json (GeoJSON, default), csv (properties and WKT geometry) or html. Without it, a browser's Accept: text/html gets html.",
        value: ParameterValue::OneOf(&Format::NAMES),
    },
];

/// A bounding-box filter, held in RD metres whatever CRS it was given in.
#[derive(Debug, Clone, PartialEq)]
pub struct BboxFilter {
    pub asked: AskedBox,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ItemsQuery {
    pub limit: usize,
    pub offset: usize,
    pub bbox: Option<BboxFilter>,
    /// The CRS to answer in.
    pub crs: Crs,
    /// The encoding asked for with `f`; `None` leaves it to the Accept header.
    pub format: Option<Format>,
    /// Reference years to keep, from `datetime`.
    pub datetime: Option<DateInterval>,
    /// Property equality filters, `?gemeentecode=GM0505`.
    pub properties: Vec<(String, String)>,
    /// The map zoom to generalise outlines for, from `zoom`.
    pub zoom: Option<u8>,
    /// A CQL2 filter, from `filter`.
    pub filter: Option<Filter>,
    /// `sortby=-inwoners,naam`: properties to order by, `true` for descending.
    pub sort: Vec<(String, bool)>,
    /// `properties=naam,inwoners`: only these in the answer; `None` for all.
    pub select: Option<Vec<String>>,
}

impl ItemsQuery {
    /// Whether each feature goes out as its ready-made CRS84 text (all properties, no
    /// generalised outline), so a page only joins the features' own bytes.
    pub fn keeps_features_as_made(&self) -> bool {
        self.crs == crate::crs::Crs::Crs84 && self.select.is_none() && self.zoom.is_none()
    }

    /// Whether answering costs more than joining ready-made features: a filter or an
    /// order to work out, features to write anew (some properties, a generalised
    /// outline), another format, or a large page. Such requests count against the cap on
    /// expensive requests.
    pub fn is_expensive(&self, format: Format) -> bool {
        format != Format::GeoJson
            || self.filter.is_some()
            || !self.sort.is_empty()
            || self.select.is_some()
            || self.zoom.is_some()
            || self.limit > LARGE_PAGE
    }
}

/// Pages above this many features count as expensive.
pub const LARGE_PAGE: usize = 1_000;

/// A parameter that cannot be honoured; the message says which and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("parameter '{parameter}': {message}")]
pub struct QueryError {
    pub parameter: String,
    pub message: String,
}

fn err(parameter: &str, message: impl Into<String>) -> QueryError {
    QueryError {
        parameter: parameter.to_string(),
        message: message.into(),
    }
}

fn is_parameter(name: &str) -> bool {
    ITEMS_PARAMETERS.iter().any(|p| p.name == name)
}

impl ItemsQuery {
    /// Reads the items query string: every parameter checked, every property named
    /// known to the collection.
    pub fn parse(
        pairs: &[(String, String)],
        collection: &Collection,
    ) -> Result<ItemsQuery, QueryError> {
        let params = Params::new(pairs, collection)?;
        let q = ItemsQuery {
            // In this order, so that of several bad parameters the same one is named
            // every time.
            limit: params.limit()?,
            offset: params.offset()?,
            crs: params.crs("crs")?.unwrap_or(Crs::Crs84),
            bbox: params.bbox()?,
            format: params.format()?,
            datetime: params.datetime()?,
            filter: params.filter()?,
            zoom: params.zoom()?,
            sort: params.sort()?,
            select: params.select()?,
            properties: params.property_filters()?,
        };
        Ok(q.with_box_filter_as_bbox())
    }

    /// A filter that is one `S_INTERSECTS` with a `BBOX` asks what `bbox` asks (the box
    /// is read into RD the same way and the same exact test holds), so it is answered as
    /// one: through the R-tree's box path, and not counted as an expensive request.
    fn with_box_filter_as_bbox(mut self) -> Self {
        if self.bbox.is_none() {
            if let Some(Expr::Intersects(Shape::Rect(asked))) =
                self.filter.as_ref().map(Filter::expr)
            {
                self.bbox = Some(BboxFilter {
                    asked: asked.clone(),
                });
                self.filter = None;
            }
        }
        self
    }
}

/// The first name given a second time, if any. A set, not a count per pair, for many
/// pairs: a URL of thousands of parameters is checked in time linear in their number.
/// The few of an ordinary request are compared with each other, which costs less than
/// hashing them.
fn first_repeat(pairs: &[(String, String)]) -> Option<&String> {
    if pairs.len() <= 16 {
        return pairs
            .iter()
            .enumerate()
            .find(|(i, (k, _))| pairs[..*i].iter().any(|(earlier, _)| earlier == k))
            .map(|(_, (k, _))| k);
    }
    let mut seen = std::collections::HashSet::with_capacity(pairs.len());
    pairs
        .iter()
        .map(|(k, _)| k)
        .find(|k| !seen.insert(k.as_str()))
}

/// The query string of an items request, each parameter given at most once.
struct Params<'a> {
    pairs: &'a [(String, String)],
    collection: &'a Collection,
}

impl<'a> Params<'a> {
    fn new(pairs: &'a [(String, String)], collection: &'a Collection) -> Result<Self, QueryError> {
        match first_repeat(pairs) {
            Some(k) => Err(err(k, "given more than once")),
            None => Ok(Params { pairs, collection }),
        }
    }

    fn get(&self, name: &str) -> Option<&'a str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn limit(&self) -> Result<usize, QueryError> {
        match self.get("limit") {
            None => Ok(DEFAULT_LIMIT),
            Some(v) => match v.parse::<usize>() {
                Ok(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
                _ => Err(err(
                    "limit",
                    format!("'{v}' is not a whole number from 1 to {MAX_LIMIT}"),
                )),
            },
        }
    }

    fn offset(&self) -> Result<usize, QueryError> {
        match self.get("offset") {
            None => Ok(0),
            Some(v) => v.parse::<usize>().map_err(|_| {
                err(
                    "offset",
                    format!("'{v}' is not a whole number of 0 or more"),
                )
            }),
        }
    }

    fn crs(&self, name: &str) -> Result<Option<Crs>, QueryError> {
        self.get(name)
            .map(|v| v.parse::<Crs>().map_err(|e| err(name, e.to_string())))
            .transpose()
    }

    fn bbox(&self) -> Result<Option<BboxFilter>, QueryError> {
        let bbox_crs = self.crs("bbox-crs")?;
        match self.get("bbox") {
            None if bbox_crs.is_some() => Err(err("bbox-crs", "given without a bbox")),
            None => Ok(None),
            Some(v) => parse_bbox(v, bbox_crs.unwrap_or(Crs::Crs84)).map(Some),
        }
    }

    fn format(&self) -> Result<Option<Format>, QueryError> {
        let Some(name) = self.get("f") else {
            return Ok(None);
        };
        Format::parse(name).map(Some).ok_or_else(|| {
            err(
                "f",
                format!(
                    "'{name}' is not a format this collection offers ({})",
                    Format::NAMES.join(", ")
                ),
            )
        })
    }

    fn datetime(&self) -> Result<Option<DateInterval>, QueryError> {
        match self.get("datetime") {
            None => Ok(None),
            Some(_) if self.collection.years.is_empty() => Err(err(
                "datetime",
                format!(
                    "'{}' has no reference year to filter on",
                    self.collection.id
                ),
            )),
            Some(v) => DateInterval::parse(v)
                .map(Some)
                .map_err(|e| err("datetime", e)),
        }
    }

    fn filter(&self) -> Result<Option<Filter>, QueryError> {
        match self.get("filter-lang") {
            None => {}
            Some(lang) if lang.eq_ignore_ascii_case("cql2-text") => {}
            Some(other) => {
                return Err(err(
                    "filter-lang",
                    format!("'{other}' is not supported; this server reads cql2-text"),
                ))
            }
        }
        let filter_crs = self.crs("filter-crs")?;
        match self.get("filter") {
            None if filter_crs.is_some() => Err(err("filter-crs", "given without a filter")),
            None => Ok(None),
            Some(text) => Filter::parse(
                text,
                &self.collection.queryables,
                filter_crs.unwrap_or(Crs::Crs84),
            )
            .map(Some)
            .map_err(|e| err("filter", e.pointing_into(text))),
        }
    }

    fn zoom(&self) -> Result<Option<u8>, QueryError> {
        match self.get("zoom") {
            None => Ok(None),
            Some(v) => match v.parse::<u8>() {
                Ok(z) if z <= 24 => Ok(Some(z)),
                _ => Err(err(
                    "zoom",
                    format!("'{v}' is not a whole number from 0 to 24"),
                )),
            },
        }
    }

    /// `name` when the collection has such a property; else an error for `parameter`.
    fn known(&self, name: &str, parameter: &str) -> Result<String, QueryError> {
        let id = &self.collection.id;
        if self.collection.queryables.contains_key(name) {
            Ok(name.to_string())
        } else {
            Err(err(
                parameter,
                format!("'{name}' is not a property of '{id}'; see /collections/{id}/queryables"),
            ))
        }
    }

    fn sort(&self) -> Result<Vec<(String, bool)>, QueryError> {
        let mut sort = Vec::new();
        for term in list(self.get("sortby").unwrap_or_default()) {
            let (name, descending) = match term.strip_prefix('-') {
                Some(n) => (n, true),
                None => (term.strip_prefix('+').unwrap_or(term), false),
            };
            sort.push((self.known(name, "sortby")?, descending));
        }
        Ok(sort)
    }

    fn select(&self) -> Result<Option<Vec<String>>, QueryError> {
        let Some(v) = self.get("properties") else {
            return Ok(None);
        };
        // Each name once, in the order first given: a name repeated thousands of
        // times in a URL would otherwise be a column thousands of times.
        let mut names: Vec<String> = Vec::new();
        for n in list(v) {
            let n = self.known(n, "properties")?;
            if !names.contains(&n) {
                names.push(n);
            }
        }
        Ok(Some(names))
    }

    /// `?gemeentecode=GM0505`: every pair that is not a parameter must name a property.
    fn property_filters(&self) -> Result<Vec<(String, String)>, QueryError> {
        let collection = self.collection;
        let mut properties = Vec::new();
        for (k, v) in self.pairs {
            if is_parameter(k) {
                continue;
            }
            if !collection.queryables.contains_key(k) {
                let known: Vec<&str> = collection.queryables.keys().map(String::as_str).collect();
                let parameters: Vec<&str> = ITEMS_PARAMETERS.iter().map(|p| p.name).collect();
                return Err(err(
                    k,
                    format!(
                        "not a parameter nor a property of '{}'; parameters: {}; properties: {}",
                        collection.id,
                        parameters.join(", "),
                        known.join(", ")
                    ),
                ));
            }
            properties.push((k.clone(), v.clone()));
        }
        Ok(properties)
    }
}

/// The names of a comma-separated list, blanks left out.
fn list(v: &str) -> impl Iterator<Item = &str> {
    v.split(',').map(str::trim).filter(|s| !s.is_empty())
}

/// `minx,miny,maxx,maxy` in the axis order of `crs` (EPSG:4326: lat before lon), or the
/// same with heights, which are ignored.
fn parse_bbox(text: &str, crs: Crs) -> Result<BboxFilter, QueryError> {
    // Read into a fixed array: a box has at most 6 numbers, and more are counted only
    // to say how many there were.
    let mut n = [0.0; 6];
    let mut count = 0;
    for part in text.split(',') {
        let v = part
            .trim()
            .parse::<f64>()
            .map_err(|_| err("bbox", format!("'{text}' is not a list of numbers")))?;
        if let Some(slot) = n.get_mut(count) {
            *slot = v;
        }
        count += 1;
    }
    let (a0, b0, a1, b1) = match count {
        4 => (n[0], n[1], n[2], n[3]),
        6 => (n[0], n[1], n[3], n[4]),
        _ => {
            return Err(err(
                "bbox",
                format!("needs 4 numbers (or 6 with heights), got {count}"),
            ))
        }
    };
    let asked = asked_box(a0, b0, a1, b1, crs).map_err(|e| err("bbox", e))?;
    Ok(BboxFilter { asked })
}

/// A box given in `crs`'s axis order, held in RD metres (also for CQL2's `BBOX`).
pub(super) fn asked_box(a0: f64, b0: f64, a1: f64, b1: f64, crs: Crs) -> Result<AskedBox, String> {
    if [a0, b0, a1, b1].iter().any(|v| !v.is_finite()) {
        return Err("numbers must be finite".into());
    }
    let (x0, y0, x1, y1) = match crs {
        Crs::Epsg4326 => (b0, a0, b1, a1),
        Crs::Crs84 | Crs::RdNew => (a0, b0, a1, b1),
    };
    if x0 > x1 || y0 > y1 {
        return Err("the lower corner must come first (min before max on both axes)".into());
    }
    Ok(match crs {
        Crs::RdNew => AskedBox::rd(Rect::new(Coord { x: x0, y: y0 }, Coord { x: x1, y: y1 })),
        Crs::Crs84 | Crs::Epsg4326 => {
            if !(-180.0..=180.0).contains(&x0)
                || !(-180.0..=180.0).contains(&x1)
                || !(-90.0..=90.0).contains(&y0)
                || !(-90.0..=90.0).contains(&y1)
            {
                return Err(format!(
                    "({x0}, {y0}, {x1}, {y1}) are not longitudes and latitudes in {crs}"
                ));
            }
            AskedBox::lonlat(x0, y0, x1, y1)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bbox_axis_order_follows_the_crs() {
        let crs84 = parse_bbox("5.3,52.1,5.4,52.2", Crs::Crs84).unwrap();
        let epsg4326 = parse_bbox("52.1,5.3,52.2,5.4", Crs::Epsg4326).unwrap();
        assert_eq!(crs84, epsg4326);
        // Amersfoort's tower, RD's origin, at 5.387°E 52.155°N.
        let amersfoort = Coord {
            x: 155_000.0,
            y: 463_000.0,
        };
        assert!(crs84.asked.holds_point(amersfoort));
        // With heights: the third and sixth numbers are left out.
        let with_heights = parse_bbox("5.3,52.1,-4,5.4,52.2,300", Crs::Crs84).unwrap();
        assert_eq!(with_heights.asked, crs84.asked);
        let rd = parse_bbox("150000,460000,160000,470000", Crs::RdNew).unwrap();
        assert_eq!(
            rd.asked.outer().min(),
            Coord {
                x: 150_000.0,
                y: 460_000.0
            }
        );
    }

    #[test]
    fn the_first_repeated_name_is_found_among_few_and_among_many() {
        let pairs = |names: &[&str]| -> Vec<(String, String)> {
            names
                .iter()
                .map(|n| (n.to_string(), "1".to_string()))
                .collect()
        };
        assert_eq!(first_repeat(&pairs(&[])), None);
        assert_eq!(first_repeat(&pairs(&["limit", "offset", "f"])), None);
        let few = pairs(&["limit", "bbox", "f", "bbox", "limit"]);
        assert_eq!(first_repeat(&few).map(String::as_str), Some("bbox"));
        // Past 16 pairs the set is used: the same answers.
        let mut names: Vec<String> = (0..40).map(|i| format!("p{i}")).collect();
        let distinct = pairs(&names.iter().map(String::as_str).collect::<Vec<_>>());
        assert_eq!(first_repeat(&distinct), None);
        names.push("p7".into());
        names.push("p3".into());
        let many = pairs(&names.iter().map(String::as_str).collect::<Vec<_>>());
        assert_eq!(first_repeat(&many).map(String::as_str), Some("p7"));
    }

    #[test]
    fn bad_boxes_say_why() {
        for (text, expected) in [
            ("1,2,3", "needs 4 numbers (or 6 with heights), got 3"),
            ("1,2,3,4,5", "got 5"),
            ("5.3,52.1,0,5.4,52.2,10,1", "got 7"),
            ("5.3,52.1,0,5.4,52.2,x", "not a list of numbers"),
            ("a,b,c,d", "not a list of numbers"),
            ("5.4,52.1,5.3,52.2", "lower corner"),
            ("500,52,501,53", "not longitudes"),
            ("NaN,1,2,3", "finite"),
        ] {
            let e = parse_bbox(text, Crs::Crs84).unwrap_err();
            assert!(e.to_string().contains(expected), "{text}: {e}");
        }
    }
}
