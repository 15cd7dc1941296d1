#![no_main]
//! The CQL2 text parser (`filter=`) on arbitrary text, with the queryables of the real
//! bundled collections: it must never panic, an error must point inside the text (or
//! just past its end), and a filter it accepts must evaluate without panicking.
//!
//! The first byte chooses the collection and the `filter-crs`; the rest is the filter.
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use wijkatlas::crs::Crs;
use wijkatlas::features::cql2::{Filter, Shape};
use wijkatlas::features::Collection;

fn collections() -> &'static [Collection] {
    static COLLECTIONS: OnceLock<Vec<Collection>> = OnceLock::new();
    COLLECTIONS.get_or_init(|| {
        let dir = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../data"));
        let loaded = wijkatlas::load::load_dir(dir).expect("the bundled data loads");
        wijkatlas::features::build(&loaded.dataset, &Default::default())
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&choice, bytes)) = data.split_first() else {
        return;
    };
    let all = collections();
    let collection = &all[usize::from(choice & 0x0f) % all.len()];
    let crs = Crs::ALL[usize::from(choice >> 4) % Crs::ALL.len()];
    let text = String::from_utf8_lossy(bytes);
    match Filter::parse(&text, &collection.properties, crs) {
        Err(e) => {
            assert!(
                e.position <= text.chars().count(),
                "error position {} beyond the text: {e}",
                e.position
            );
            let _ = e.pointing_into(&text);
        }
        Ok(filter) => {
            let _ = filter.equality_terms();
            let spatial = filter.is_spatial();
            // Geometry answers alternate so both branches of every spatial test run.
            for (i, item) in collection.items.iter().take(64).enumerate() {
                let meets = |_: &Shape| spatial && i % 2 == 0;
                let _ = filter.matches(&item.props, &meets);
            }
        }
    }
});
