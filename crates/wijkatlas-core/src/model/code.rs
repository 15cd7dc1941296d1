//! CBS area codes (`GM0505`, `WK050501`, `BU05050100`) and the three area levels.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The three levels at which CBS publishes areas, coarsest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AreaLevel {
    Gemeente,
    Wijk,
    Buurt,
}

impl AreaLevel {
    /// Coarsest first, so `ALL.iter().rev()` walks from the finest level.
    pub const ALL: [AreaLevel; 3] = [AreaLevel::Gemeente, AreaLevel::Wijk, AreaLevel::Buurt];

    /// The code prefix CBS uses for this level.
    pub fn prefix(self) -> &'static str {
        match self {
            AreaLevel::Gemeente => "GM",
            AreaLevel::Wijk => "WK",
            AreaLevel::Buurt => "BU",
        }
    }

    /// How many digits follow the prefix.
    fn digits(self) -> usize {
        match self {
            AreaLevel::Gemeente => 4,
            AreaLevel::Wijk => 6,
            AreaLevel::Buurt => 8,
        }
    }

    /// The plural used for collection names and URLs.
    pub fn collection(self) -> &'static str {
        match self {
            AreaLevel::Gemeente => "gemeenten",
            AreaLevel::Wijk => "wijken",
            AreaLevel::Buurt => "buurten",
        }
    }

    pub fn from_collection(name: &str) -> Option<AreaLevel> {
        AreaLevel::ALL.into_iter().find(|l| l.collection() == name)
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for AreaLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AreaLevel::Gemeente => "gemeente",
            AreaLevel::Wijk => "wijk",
            AreaLevel::Buurt => "buurt",
        })
    }
}

impl FromStr for AreaLevel {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "gemeente" | "gemeenten" | "municipality" => Ok(AreaLevel::Gemeente),
            "wijk" | "wijken" | "district" => Ok(AreaLevel::Wijk),
            "buurt" | "buurten" | "neighbourhood" | "neighborhood" => Ok(AreaLevel::Buurt),
            other => Err(format!(
                "unknown area level '{other}': use gemeente, wijk or buurt"
            )),
        }
    }
}

/// A validated CBS area code.
///
/// CBS builds codes hierarchically: `GM` + 4 digits, `WK` + that + 2 characters, `BU` +
/// that + 2 more. The gemeente part is always digits; the wijk and buurt parts are
/// digits in most gemeenten but letters in some (Amsterdam: `WK0363AF`). The parent
/// gemeente and wijk therefore follow from the code itself and cannot disagree with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AreaCode {
    level: AreaLevel,
    /// Upper-case ASCII, only the first `level.digits()` bytes used, the rest zero.
    chars: [u8; 8],
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{text}' is not a CBS area code ({why}); expected GM + 4 digits, WK + 6 or BU + 8 characters, e.g. GM0505, WK050501, BU05050100")]
pub struct InvalidAreaCode {
    pub text: String,
    pub why: &'static str,
}

impl AreaCode {
    pub fn level(self) -> AreaLevel {
        self.level
    }

    /// The code of the area at `level` that contains this one, if `level` is not finer.
    pub fn ancestor(self, level: AreaLevel) -> Option<AreaCode> {
        if level > self.level {
            return None;
        }
        let mut chars = [0u8; 8];
        let n = level.digits();
        chars[..n].copy_from_slice(&self.chars[..n]);
        Some(AreaCode { level, chars })
    }

    pub fn gemeente(self) -> AreaCode {
        let mut chars = [0u8; 8];
        chars[..4].copy_from_slice(&self.chars[..4]);
        AreaCode {
            level: AreaLevel::Gemeente,
            chars,
        }
    }

    /// Parses a code and checks it is of the level a source holds.
    pub fn parse_at(text: &str, level: AreaLevel) -> Result<AreaCode, InvalidAreaCode> {
        let code: AreaCode = text.parse()?;
        if code.level != level {
            return Err(InvalidAreaCode {
                text: text.trim().to_string(),
                why: "wrong level for this source",
            });
        }
        Ok(code)
    }

    fn suffix(&self) -> &str {
        // Only ASCII alphanumerics are ever stored, so this is always valid UTF-8.
        std::str::from_utf8(&self.chars[..self.level.digits()]).unwrap_or("")
    }
}

impl FromStr for AreaCode {
    type Err = InvalidAreaCode;

    /// Tolerates surrounding spaces (CBS StatLine pads its codes) and lower case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        let err = |why| InvalidAreaCode {
            text: t.to_string(),
            why,
        };
        if t.len() < 3 || !t.is_ascii() {
            return Err(err("too short or not plain ASCII"));
        }
        let (prefix, rest) = t.split_at(2);
        let level = AreaLevel::ALL
            .into_iter()
            .find(|l| l.prefix().eq_ignore_ascii_case(prefix))
            .ok_or_else(|| err("unknown prefix"))?;
        if rest.len() != level.digits() {
            return Err(err("wrong length"));
        }
        let bytes = rest.as_bytes();
        if !bytes[..4].iter().all(u8::is_ascii_digit) {
            return Err(err("the gemeente part is not 4 digits"));
        }
        if !bytes.iter().all(u8::is_ascii_alphanumeric) {
            return Err(err("only digits and letters may follow the prefix"));
        }
        let mut chars = [0u8; 8];
        for (c, b) in chars.iter_mut().zip(bytes) {
            *c = b.to_ascii_uppercase();
        }
        Ok(AreaCode { level, chars })
    }
}

impl fmt::Display for AreaCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.level.prefix(), self.suffix())
    }
}

impl Serialize for AreaCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for AreaCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_every_level() {
        for text in ["GM0505", "WK050501", "BU05050100", "GM0003"] {
            assert_eq!(text.parse::<AreaCode>().unwrap().to_string(), text);
        }
    }

    #[test]
    fn parents_follow_from_the_code() {
        let bu: AreaCode = "BU03080005".parse().unwrap();
        assert_eq!(bu.gemeente().to_string(), "GM0308");
        assert_eq!(
            bu.ancestor(AreaLevel::Wijk).unwrap().to_string(),
            "WK030800"
        );
        assert_eq!(bu.ancestor(AreaLevel::Buurt), Some(bu));
        let gm: AreaCode = "GM0308".parse().unwrap();
        assert_eq!(gm.ancestor(AreaLevel::Wijk), None);
    }

    #[test]
    fn amsterdam_letter_codes_are_codes() {
        let wk: AreaCode = "wk0363af".parse().unwrap();
        assert_eq!(wk.to_string(), "WK0363AF");
        assert_eq!(wk.gemeente().to_string(), "GM0363");
        let bu: AreaCode = "BU0363AF03".parse().unwrap();
        assert_eq!(bu.ancestor(AreaLevel::Wijk), Some(wk));
    }

    #[test]
    fn rejects_malformed_codes() {
        for bad in [
            "",
            "GM505",
            "WK05050",
            "BU0505010-",
            "WK03A3AF",
            "XX0505",
            "GM05050",
            "ÄÖ12",
        ] {
            assert!(bad.parse::<AreaCode>().is_err(), "{bad} should fail");
        }
        assert!(AreaCode::parse_at("WK050501", AreaLevel::Buurt).is_err());
        assert_eq!(
            " BU05990110  ".parse::<AreaCode>().unwrap().to_string(),
            "BU05990110"
        );
    }
}
