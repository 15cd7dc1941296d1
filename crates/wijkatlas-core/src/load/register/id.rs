//! Stable ids for register rows that have no id column of their own.

/// `<source>:<16 hex digits>` from the row's name, address and postcode.
///
/// Derived from content, not from the line number, so an id survives re-sorting the
/// register and reloading; it changes when the name, address or postcode is edited.
/// Case, spacing and the space inside a postcode do not count. FNV-1a is spelled out
/// here because std's hasher may change between Rust releases, and these ids are
/// public (URLs, bookmarks, the map).
pub fn derived(source: &str, name: &str, address: &str, postcode: &str) -> String {
    let postcode: String = postcode.chars().filter(|c| !c.is_whitespace()).collect();
    let key = [name, address, postcode.as_str()]
        .map(|part| {
            part.split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_lowercase()
        })
        .join("\u{1F}");
    format!("{source}:{:016x}", fnv1a(key.as_bytes()))
}

fn fnv1a(bytes: &[u8]) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    bytes
        .iter()
        .fold(OFFSET, |h, &b| (h ^ u64::from(b)).wrapping_mul(PRIME))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ignores_case_and_spacing_but_not_content() {
        let a = derived("reg", "Huisarts  Jansen", "Dorpsstraat 1", "3311 BD");
        assert_eq!(
            a,
            derived("reg", "huisarts jansen", "Dorpsstraat 1", "3311BD")
        );
        assert_ne!(
            a,
            derived("reg", "Huisarts Jansen", "Dorpsstraat 2", "3311 BD")
        );
        assert!(a.starts_with("reg:") && a.len() == 4 + 16, "{a}");
        // Pinned: the id must not change between releases.
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
