//! Percent-encoding of path segments and query values, in one place: page links,
//! feature links and the HTML pages' links all write ids and query strings through it,
//! so an id with a space, `#` or `?` still gives a working address.

/// `s` percent-encoded (see [`encode_onto`]).
pub fn encode(s: &str) -> String {
    let mut out = Vec::with_capacity(s.len());
    encode_onto(&mut out, s);
    // Percent-encoding leaves only ASCII.
    String::from_utf8(out).unwrap_or_default()
}

/// Percent-encodes `s` onto `out`, keeping what a query value may hold as it is (in
/// runs, not byte by byte: a page's six links repeat its query string).
pub fn encode_onto(out: &mut impl bytes::BufMut, s: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let bytes = s.as_bytes();
    let mut kept_from = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if !KEPT_IN_QUERY[usize::from(b)] {
            out.put_slice(&bytes[kept_from..i]);
            out.put_slice(&[b'%', HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]]);
            kept_from = i + 1;
        }
    }
    out.put_slice(&bytes[kept_from..]);
}

/// The bytes [`encode_onto`] keeps as they are, as a table: a page's links look at every
/// byte of its query string six times.
const KEPT_IN_QUERY: [bool; 256] = {
    let mut kept = [false; 256];
    let mut b = 0;
    while b < 256 {
        kept[b] = matches!(b as u8, b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b',' | b':');
        b += 1;
    }
    kept
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_with_reserved_characters_survive_a_round_trip_and_plain_ones_stay_as_they_are() {
        assert_eq!(encode("BU03440101"), "BU03440101");
        assert_eq!(encode("5.05,52.05:x~_-"), "5.05,52.05:x~_-");
        // A register's id with a space, a hash, a question mark, a slash, a percent sign
        // and a non-ASCII letter (two bytes in UTF-8).
        let awkward = "Huisarts De Brug #2/b?c%é";
        let encoded = encode(awkward);
        assert_eq!(encoded, "Huisarts%20De%20Brug%20%232%2Fb%3Fc%25%C3%A9");
        let decoded: String = url_decode(&encoded);
        assert_eq!(decoded, awkward);
    }

    /// Decoding written here again, independently of the encoder, for the round trip.
    fn url_decode(s: &str) -> String {
        let bytes = s.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'%' {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).expect("hex digits");
                out.push(u8::from_str_radix(hex, 16).expect("a byte"));
                i += 3;
            } else {
                out.push(bytes[i]);
                i += 1;
            }
        }
        String::from_utf8(out).expect("UTF-8")
    }
}
