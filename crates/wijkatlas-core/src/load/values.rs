//! Reading single property values: numbers in any of the forms Dutch files use.

use serde_json::Value;

/// A property value read as a number.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Number {
    Present(f64),
    /// Null, empty, "." or a CBS nodata code: a figure that is not known.
    Missing,
    /// Something that is not a number at all.
    Invalid,
}

/// Reads numbers, numeric strings with spaces or a decimal comma (CBS StatLine pads its
/// values; Dutch exports write `1,5`), and treats CBS nodata codes as missing.
pub fn number(value: &Value) -> Number {
    let n = match value {
        Value::Null => return Number::Missing,
        Value::Number(n) => n.as_f64(),
        Value::String(s) => {
            let t = s.trim();
            if t.is_empty() || t == "." || t == "-" || t.eq_ignore_ascii_case("x") {
                return Number::Missing;
            }
            t.replace(',', ".").parse::<f64>().ok()
        }
        _ => None,
    };
    match n {
        Some(v) if !v.is_finite() => Number::Invalid,
        Some(v) if crate::model::is_cbs_nodata(v) => Number::Missing,
        Some(v) => Number::Present(v),
        None => Number::Invalid,
    }
}

/// A property as trimmed text, if it has any.
pub fn text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_the_forms_found_in_dutch_files() {
        assert_eq!(number(&json!(12)), Number::Present(12.0));
        assert_eq!(number(&json!("  12 ")), Number::Present(12.0));
        assert_eq!(number(&json!("1,5")), Number::Present(1.5));
        assert_eq!(number(&json!(-99997)), Number::Missing);
        assert_eq!(number(&json!(-99999999)), Number::Missing);
        assert_eq!(number(&json!("       .")), Number::Missing);
        assert_eq!(number(&json!("")), Number::Missing);
        assert_eq!(number(&Value::Null), Number::Missing);
        assert_eq!(number(&json!("twaalf")), Number::Invalid);
        assert_eq!(number(&json!([1])), Number::Invalid);
        assert_eq!(number(&json!(-3)), Number::Present(-3.0));
    }
}
