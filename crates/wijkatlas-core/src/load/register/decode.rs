//! Turning a register's bytes into text: UTF-8 (with or without BOM), UTF-16 with a BOM
//! (Excel's "Unicode text"), or Windows-1252 (Excel's "CSV" on a Dutch Windows).

use encoding_rs::{Encoding, UTF_8, WINDOWS_1252};

/// Text that could not be decoded in the encoding the manifest names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    pub line: u64,
    pub encoding: &'static str,
}

/// Decodes `bytes`, in `declared` when the manifest names an encoding, else detected.
///
/// Detection: a byte-order mark wins; then valid UTF-8 is UTF-8; anything else is read
/// as Windows-1252, which maps every byte, because that is what Dutch office software
/// writes when it does not write UTF-8 (ISO-8859-1 files read identically).
pub fn decode(
    bytes: &[u8],
    declared: Option<&'static Encoding>,
) -> Result<(String, &'static Encoding), DecodeError> {
    if let Some((bom_encoding, bom_len)) = Encoding::for_bom(bytes) {
        // A BOM is stronger evidence than a manifest setting copied from another file.
        let (text, _) = bom_encoding.decode_without_bom_handling(&bytes[bom_len..]);
        return Ok((text.into_owned(), bom_encoding));
    }
    let encoding = match declared {
        Some(e) => e,
        None if std::str::from_utf8(bytes).is_ok() => UTF_8,
        None => WINDOWS_1252,
    };
    if encoding == UTF_8 {
        // Declared UTF-8 that is not: say where, rather than fill the names with U+FFFD.
        return match std::str::from_utf8(bytes) {
            Ok(text) => Ok((text.to_string(), UTF_8)),
            Err(e) => Err(DecodeError {
                line: line_of(bytes, e.valid_up_to()),
                encoding: UTF_8.name(),
            }),
        };
    }
    let (text, _, had_errors) = encoding.decode(bytes);
    if had_errors {
        let first_bad = text.find('\u{FFFD}').unwrap_or(0);
        return Err(DecodeError {
            line: line_of(text.as_bytes(), first_bad),
            encoding: encoding.name(),
        });
    }
    Ok((text.into_owned(), encoding))
}

fn line_of(bytes: &[u8], offset: usize) -> u64 {
    let end = offset.min(bytes.len());
    bytes[..end].iter().filter(|&&b| b == b'\n').count() as u64 + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_bom_utf8_and_windows_1252() {
        let (t, e) = decode(b"\xEF\xBB\xBFnaam\nCaf\xC3\xA9\n", None).unwrap();
        assert_eq!((t.as_str(), e), ("naam\nCafé\n", UTF_8));
        let (t, e) = decode(b"naam\nCaf\xE9\n", None).unwrap();
        assert_eq!((t.as_str(), e), ("naam\nCafé\n", WINDOWS_1252));
        let (t, _) = decode(b"\xFF\xFEn\0a\0", None).unwrap();
        assert_eq!(t, "na");
    }

    #[test]
    fn declared_utf8_that_is_not_names_the_line() {
        let err = decode(b"naam\nok\nCaf\xE9\n", Some(UTF_8)).unwrap_err();
        assert_eq!(err.line, 3);
    }
}
