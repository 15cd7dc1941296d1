//! Where a register row is: its coordinate columns (lat/lon or RD x/y), or else its
//! postcode geocoded to the centroid of the PC4 area.

use super::columns::ColumnMap;
use super::options::DecimalMark;
use crate::crs::Crs;
use crate::load::geometry::{coordinate_pair, PointIn};
use crate::model::{Location, LocationPrecision, Postcode};
use std::collections::BTreeMap;

/// Everything that decides how a row is located, fixed per source.
pub struct Locator<'a> {
    pub columns: &'a ColumnMap,
    pub headers: &'a [String],
    /// `EPSG:28992` in the manifest means the lat/lon columns hold RD x/y.
    pub crs: Option<Crs>,
    pub decimal: Option<DecimalMark>,
    /// Precision claimed for coordinate rows.
    pub precision: LocationPrecision,
    pub postcodes: &'a BTreeMap<u16, Postcode>,
}

/// Where a row is and how precisely, or why it cannot be placed.
pub type Located = Result<(Location, LocationPrecision), Unlocated>;

/// A row that could not be placed: the field to blame and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Unlocated {
    pub field: String,
    pub problem: String,
    pub outside: Outside,
}

/// Whether the row failed because its coordinates lie outside the Netherlands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outside {
    No,
    Yes,
    /// Outside, but inside with the two coordinates exchanged.
    Swapped,
}

impl Locator<'_> {
    pub fn locate(&self, fields: &[String]) -> Located {
        let get = |i: usize| fields.get(i).map(String::as_str).unwrap_or("");
        if let Some((lat, lon)) = self.columns.lat_lon {
            let crs = match self.crs {
                Some(Crs::RdNew) => Crs::RdNew,
                _ => Crs::Crs84,
            };
            if let Some(found) = self.pair(get(lon), get(lat), lon, lat, crs) {
                return found;
            }
        }
        if let Some((x, y)) = self.columns.x_y {
            if let Some(found) = self.pair(get(x), get(y), x, y, Crs::RdNew) {
                return found;
            }
        }
        match self.columns.postcode.map(get).filter(|p| !p.is_empty()) {
            Some(postcode) => self.geocode(postcode),
            None => Err(self.unlocated(
                "location",
                "no coordinates and no postcode: the record cannot be placed".into(),
            )),
        }
    }

    /// Reads a coordinate pair in `crs` axis order (`a` east, `b` north); `None` when
    /// both cells are empty so the next way of locating is tried.
    fn pair(&self, a: &str, b: &str, a_col: usize, b_col: usize, crs: Crs) -> Option<Located> {
        if a.is_empty() && b.is_empty() {
            return None;
        }
        let field = format!("{}/{}", self.header(b_col), self.header(a_col));
        let (Some(av), Some(bv)) = (number(a, self.decimal), number(b, self.decimal)) else {
            return Some(Err(self.unlocated(
                &field,
                format!("coordinates '{b}' / '{a}' are not both numbers"),
            )));
        };
        Some(match coordinate_pair(&[av, bv], crs) {
            Ok(PointIn::Wgs84(w)) => Ok((Location::from_wgs84(w), self.precision)),
            Ok(PointIn::Rd(r)) => Ok((Location::from_rd(r), self.precision)),
            Err(problem) => Err(Unlocated {
                field,
                problem: problem.to_string(),
                outside: if coordinate_pair(&[bv, av], crs).is_ok() {
                    Outside::Swapped
                } else {
                    Outside::Yes
                },
            }),
        })
    }

    fn geocode(&self, postcode: &str) -> Located {
        let field = self
            .columns
            .postcode
            .map_or("postcode".to_string(), |c| self.header(c).to_string());
        let Some(pc4) = pc4(postcode) else {
            return Err(self.unlocated(
                &field,
                format!("'{postcode}' is not a Dutch postcode (1234 AB or 1234)"),
            ));
        };
        if self.postcodes.is_empty() {
            return Err(self.unlocated(&field, "no coordinates, and the data directory has no postcode table to geocode postcode areas with: add a kind = \"postcodes\" source".into()));
        }
        match self.postcodes.get(&pc4) {
            Some(p) => Ok((
                Location {
                    rd: p.rd,
                    wgs84: p.wgs84,
                },
                LocationPrecision::PostcodeArea,
            )),
            None => Err(self.unlocated(
                &field,
                format!("postcode area {pc4} is not in the loaded postcode table"),
            )),
        }
    }

    fn header(&self, column: usize) -> &str {
        self.headers.get(column).map(String::as_str).unwrap_or("?")
    }

    fn unlocated(&self, field: &str, problem: String) -> Unlocated {
        Unlocated {
            field: field.to_string(),
            problem,
            outside: Outside::No,
        }
    }
}

/// The PC4 of a PC6 (`3311 BD`, `3311BD`, `3311 bd`) or PC4 (`3311`) postcode.
pub fn pc4(postcode: &str) -> Option<u16> {
    let compact: String = postcode.chars().filter(|c| !c.is_whitespace()).collect();
    let digits = compact.get(..4)?;
    let letters = compact.get(4..)?;
    let ok_letters = letters.is_empty()
        || (letters.len() == 2 && letters.chars().all(|c| c.is_ascii_alphabetic()));
    if !digits.bytes().all(|b| b.is_ascii_digit()) || !ok_letters {
        return None;
    }
    digits.parse().ok().filter(|p| (1000..=9999).contains(p))
}

/// A number with a decimal comma or point: `52,1234`, `52.1234`, `1.234,5` (comma mark).
///
/// Without a configured mark, one comma and no point is a decimal comma (Dutch exports);
/// anything else is read as written.
pub fn number(text: &str, mark: Option<DecimalMark>) -> Option<f64> {
    let t = text.trim();
    let normalised = match mark {
        Some(DecimalMark::Comma) => t.replace('.', "").replace(',', "."),
        Some(DecimalMark::Point) => t.replace(',', ""),
        None if t.matches(',').count() == 1 && !t.contains('.') => t.replace(',', "."),
        None => t.to_string(),
    };
    normalised.parse::<f64>().ok().filter(|v| v.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pc6_and_pc4_give_the_pc4() {
        assert_eq!(pc4("3311 BD"), Some(3311));
        assert_eq!(pc4("3311BD"), Some(3311));
        assert_eq!(pc4(" 3311 bd "), Some(3311));
        assert_eq!(pc4("3311"), Some(3311));
        for bad in [
            "0311 BD", "331 BD", "3311 B", "3311 B1", "ABCD", "", "33é1", "3311ÉÉ",
        ] {
            assert_eq!(pc4(bad), None, "{bad}");
        }
    }

    #[test]
    fn decimal_comma_and_point() {
        assert_eq!(number("52,1234", None), Some(52.1234));
        assert_eq!(number("52.1234", None), Some(52.1234));
        assert_eq!(number("1.234,5", Some(DecimalMark::Comma)), Some(1234.5));
        assert_eq!(number("1,234.5", Some(DecimalMark::Point)), Some(1234.5));
        assert_eq!(number("NaN", None), None);
        assert_eq!(number("", None), None);
    }
}
