//! The `[source.register]` manifest table: how to read one register file.

use crate::model::{Category, LocationPrecision};
use serde::{Deserialize, Deserializer};
use std::collections::BTreeMap;

/// The `[source.register]` table of a manifest entry. Everything is optional: the
/// delimiter, encoding, decimal mark and columns are detected when not given.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegisterOptions {
    /// `,` `;` `|` or a tab (`"\t"` or `"tab"`); detected from the header when absent.
    #[serde(default)]
    pub delimiter: Option<Delimiter>,
    /// Any WHATWG label (`utf-8`, `windows-1252`, `latin1`, …); detected when absent.
    #[serde(default)]
    pub encoding: Option<TextEncoding>,
    /// The decimal mark of the number columns; when absent `52,1234` and `52.1234` are
    /// both read as 52.1234.
    #[serde(default)]
    pub decimal: Option<DecimalMark>,
    /// Precision of positions read from coordinate columns (postcode-geocoded rows are
    /// always `postcode_area`). Default `unknown`: a register rarely says how it got them.
    #[serde(default)]
    pub precision: Option<LocationPrecision>,
    /// The worksheet of an `.xlsx` file; the first sheet when absent.
    #[serde(default)]
    pub sheet: Option<String>,
    /// Column names, for headers that auto-detection does not recognise. Boxed: thirteen
    /// optional names would make every manifest entry as large as this table.
    #[serde(default)]
    pub columns: Box<ColumnNames>,
    /// The register's own category texts mapped to taxonomy keys or labels,
    /// e.g. `"Huisartsenpraktijk" = "huisarts"`. Matched ignoring case.
    #[serde(default)]
    pub categories: BTreeMap<String, Category>,
}

/// The `[source.register.columns]` table: the header of each column, when given.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnNames {
    pub id: Option<String>,
    pub name: Option<String>,
    pub category: Option<String>,
    /// Street and house number in one column.
    pub address: Option<String>,
    /// Street alone, when the house number has a column of its own.
    pub street: Option<String>,
    pub house_number: Option<String>,
    pub postcode: Option<String>,
    pub city: Option<String>,
    pub lat: Option<String>,
    pub lon: Option<String>,
    pub x: Option<String>,
    pub y: Option<String>,
    pub capacity: Option<String>,
}

/// A field delimiter, one byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delimiter(pub u8);

impl Delimiter {
    pub const CANDIDATES: [u8; 4] = [b',', b';', b'\t', b'|'];

    pub fn describe(byte: u8) -> String {
        match byte {
            b'\t' => "tab".into(),
            b => format!("'{}'", b as char),
        }
    }
}

impl<'de> Deserialize<'de> for Delimiter {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        match s.as_str() {
            "," => Ok(Delimiter(b',')),
            ";" => Ok(Delimiter(b';')),
            "|" => Ok(Delimiter(b'|')),
            "\t" | "tab" | "\\t" => Ok(Delimiter(b'\t')),
            other => Err(serde::de::Error::custom(format!(
                "delimiter '{other}' is not one of \",\", \";\", \"|\", \"tab\""
            ))),
        }
    }
}

/// A text encoding named in the manifest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextEncoding(pub &'static encoding_rs::Encoding);

impl<'de> Deserialize<'de> for TextEncoding {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        encoding_rs::Encoding::for_label(s.trim().as_bytes())
            .map(TextEncoding)
            .ok_or_else(|| {
                serde::de::Error::custom(format!(
                    "unknown encoding '{s}'; use e.g. \"utf-8\" or \"windows-1252\""
                ))
            })
    }
}

/// Which character separates the integer and fractional part of numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecimalMark {
    /// `52,1234`; points are thousands separators.
    Comma,
    /// `52.1234`; commas are thousands separators.
    Point,
}
