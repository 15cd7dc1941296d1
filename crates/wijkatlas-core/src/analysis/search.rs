//! Finding a place by name or postcode in the loaded data: the web map's search when
//! PDOK's Locatieserver is out of reach. It knows PC4 postcodes and area names, not
//! addresses: an offline server has no address register.

use crate::crs::RdPoint;
use crate::model::{AreaLevel, Dataset};
use serde::Serialize;

/// The most hits one search returns.
pub const MAX_HITS: usize = 20;
/// Longer queries are not place names; refusing them keeps the work per request small.
pub const MAX_QUERY_CHARS: usize = 100;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlaceHit {
    /// `postcode`, `gemeente`, `wijk` or `buurt`.
    pub soort: &'static str,
    pub code: String,
    pub naam: String,
    /// What to show in a list: name with its gemeente, or the postcode with its places.
    pub label: String,
    /// A point in the place (WGS84): the postcode centre or the area's interior point.
    pub lon: f64,
    pub lat: f64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SearchError {
    #[error("the search text is empty; give a postcode (1234) or a place, wijk or buurt name")]
    Empty,
    #[error("the search text is {0} characters long; at most {MAX_QUERY_CHARS} are searched")]
    TooLong(usize),
}

/// Postcodes first (`1234` or `1234 AB`, the letters are ignored), then areas whose
/// name starts with the text, then areas whose name contains it; gemeenten before
/// wijken before buurten, and by name within each.
pub fn search(dataset: &Dataset, text: &str, limit: usize) -> Result<Vec<PlaceHit>, SearchError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(SearchError::Empty);
    }
    let chars = text.chars().count();
    if chars > MAX_QUERY_CHARS {
        return Err(SearchError::TooLong(chars));
    }
    let limit = limit.clamp(1, MAX_HITS);
    let mut hits = Vec::new();
    if let Some(pc4) = pc4_of(text) {
        if let Some(p) = dataset.postcodes().get(&pc4) {
            hits.push(point_hit(
                "postcode",
                format!("{pc4:04}"),
                p.places.clone(),
                p.rd,
                format!("{pc4:04} {}", p.places),
            ));
        }
    }
    let wanted = fold(text);
    let mut named: Vec<(u8, AreaLevel, &str, &crate::model::Area)> = Vec::new();
    for level in [AreaLevel::Gemeente, AreaLevel::Wijk, AreaLevel::Buurt] {
        for a in dataset.areas(level) {
            let name = fold(&a.name);
            let class = if name.starts_with(&wanted) {
                0
            } else if name.contains(&wanted) {
                1
            } else {
                continue;
            };
            named.push((class, level, a.name.as_str(), a));
        }
    }
    named.sort_by(|x, y| (x.0, x.1, x.2).cmp(&(y.0, y.1, y.2)));
    for (_, level, _, a) in named {
        if hits.len() >= limit {
            break;
        }
        let label = match (&a.gemeente_name, level) {
            (Some(g), AreaLevel::Wijk | AreaLevel::Buurt) => {
                format!("{} ({} in {g})", a.name, level_word(level))
            }
            _ => format!("{} ({})", a.name, level_word(level)),
        };
        hits.push(point_hit(
            level_word(level),
            a.code.to_string(),
            a.name.clone(),
            RdPoint::new(a.interior_point_rd.x(), a.interior_point_rd.y()),
            label,
        ));
    }
    hits.truncate(limit);
    Ok(hits)
}

fn point_hit(
    soort: &'static str,
    code: String,
    naam: String,
    rd: RdPoint,
    label: String,
) -> PlaceHit {
    let w = rd.to_wgs84();
    PlaceHit {
        soort,
        code,
        naam,
        label,
        lon: (w.lon * 1e6).round() / 1e6,
        lat: (w.lat * 1e6).round() / 1e6,
    }
}

fn level_word(level: AreaLevel) -> &'static str {
    match level {
        AreaLevel::Gemeente => "gemeente",
        AreaLevel::Wijk => "wijk",
        AreaLevel::Buurt => "buurt",
    }
}

/// `1234`, `1234AB` or `1234 ab`: the four digits, when the first is not 0.
fn pc4_of(text: &str) -> Option<u16> {
    // By characters, not bytes: the text may hold any Unicode.
    let compact: Vec<char> = text.chars().filter(|c| !c.is_whitespace()).collect();
    let (digits, letters) = compact.split_at(compact.len().min(4));
    let ok_letters =
        letters.is_empty() || (letters.len() == 2 && letters.iter().all(char::is_ascii_alphabetic));
    if digits.len() == 4
        && digits.iter().all(char::is_ascii_digit)
        && digits[0] != '0'
        && ok_letters
    {
        digits.iter().collect::<String>().parse().ok()
    } else {
        None
    }
}

/// Case- and accent-blind comparison form: `Súdwest-Fryslân` matches `sudwest fryslan`.
fn fold(s: &str) -> String {
    s.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'á' | 'à' | 'â' | 'ä' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'í' | 'ì' | 'î' | 'ï' => 'i',
            'ó' | 'ò' | 'ô' | 'ö' => 'o',
            'ú' | 'ù' | 'û' | 'ü' => 'u',
            '-' | '\'' | '’' => ' ',
            c => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postcodes_are_four_digits_with_optional_letters() {
        assert_eq!(pc4_of("3741"), Some(3741));
        assert_eq!(pc4_of("3741 AB"), Some(3741));
        assert_eq!(pc4_of("3741ab"), Some(3741));
        assert_eq!(pc4_of("0741"), None);
        assert_eq!(pc4_of("374"), None);
        assert_eq!(pc4_of("3741 ABC"), None);
        assert_eq!(pc4_of("Baarn"), None);
        // Multi-byte characters around the fourth position (schemathesis found this).
        assert_eq!(pc4_of("0\u{10000}"), None);
        assert_eq!(pc4_of("374\u{10000}1"), None);
        assert_eq!(pc4_of("3741é"), None);
        assert_eq!(pc4_of("3741éé"), None);
    }

    #[test]
    fn folding_ignores_case_accents_and_hyphens() {
        assert_eq!(fold("Súdwest-Fryslân"), "sudwest fryslan");
        assert!(fold("'s-Hertogenbosch").contains("s hertogenbosch"));
    }

    fn named(code: &str, name: &str, x_km: f64) -> crate::model::Area {
        let mut a = crate::analysis::fixture::area(code, x_km, &[]);
        a.name = name.into();
        a
    }

    #[test]
    fn names_that_start_with_the_text_come_before_names_that_contain_it() {
        use crate::analysis::fixture::dataset;
        let d = dataset(
            vec![
                named("WK000101", "Oud-Baarn", 0.0),
                named("WK000102", "Baarn-Noord", 2.0),
                named("WK000103", "Eemdal", 4.0),
            ],
            vec![],
        );
        let hits = search(&d, "baarn", 10).expect("search");
        let codes: Vec<_> = hits.iter().map(|h| h.code.as_str()).collect();
        assert_eq!(codes, ["WK000102", "WK000101"]);
        assert_eq!(hits[0].soort, "wijk");
        // The hit is the area's interior point, in WGS84 (the fixture's RD square near Amersfoort).
        let inside = crate::crs::RdPoint::new(150_000.0 + 2_500.0, 450_500.0).to_wgs84();
        assert!((hits[0].lon - inside.lon).abs() < 1e-6 && (hits[0].lat - inside.lat).abs() < 1e-6);
        assert_eq!(search(&d, "baarn", 1).expect("search").len(), 1);
        assert!(search(&d, "utrecht", 10).expect("search").is_empty());
    }

    #[test]
    fn no_text_makes_it_panic() {
        let d =
            crate::analysis::fixture::dataset(vec![named("WK000101", "Oud-Baarn", 0.0)], vec![]);
        let samples = [
            "0\u{10000}",
            "3741 ÀB",
            "ǅ1234",
            "\u{0}\u{FFFF}",
            "ß3741",
            "'s-Hertogenbosch",
            "1234\u{200B}AB",
            "İstanbul",
        ];
        for text in samples {
            let chars: Vec<char> = text.chars().collect();
            for end in 0..=chars.len() {
                let prefix: String = chars[..end].iter().collect();
                let _ = search(&d, &prefix, 5);
            }
        }
    }

    #[test]
    fn empty_and_overlong_text_is_refused() {
        let d = crate::analysis::fixture::dataset(vec![], vec![]);
        assert_eq!(search(&d, "  ", 5), Err(SearchError::Empty));
        assert!(matches!(
            search(&d, &"x".repeat(101), 5),
            Err(SearchError::TooLong(101))
        ));
    }
}
