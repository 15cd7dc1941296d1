#![no_main]
//! The items query parameters (`limit`, `offset`, `bbox`, `bbox-crs`, `crs`,
//! `datetime`, `filter`, `filter-crs`, `sortby`, `properties`, `zoom`, `f` and property
//! filters) on arbitrary text, against the real bundled collections, and then the query
//! itself: parsing must never panic, and an accepted query must run without panicking
//! and give a page no longer than its limit.
//!
//! The first byte chooses the collection; the rest is a query string, split on `&` and
//! the first `=` as the server has already percent-decoded it.
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use wijkatlas::features::datetime::DateInterval;
use wijkatlas::features::{Collection, ItemsQuery, MAX_LIMIT};
use wijkatlas::model::Dataset;

fn data() -> &'static (Dataset, Vec<Collection>) {
    static DATA: OnceLock<(Dataset, Vec<Collection>)> = OnceLock::new();
    DATA.get_or_init(|| {
        let dir = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../data"));
        let loaded = wijkatlas::load::load_dir(dir).expect("the bundled data loads");
        let collections = wijkatlas::features::build(&loaded.dataset, &Default::default());
        (loaded.dataset, collections)
    })
}

fuzz_target!(|bytes: &[u8]| {
    let Some((&choice, rest)) = bytes.split_first() else {
        return;
    };
    let (dataset, collections) = data();
    let collection = &collections[usize::from(choice) % collections.len()];
    let text = String::from_utf8_lossy(rest);
    let pairs: Vec<(String, String)> = text
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (k.to_string(), v.to_string()),
            None => (p.to_string(), String::new()),
        })
        .collect();
    // The datetime grammar on its own too (the query only reads it for collections
    // with reference years): an interval it accepts never ends before it starts.
    for (_, v) in pairs.iter().filter(|(k, _)| k == "datetime") {
        if let Ok(DateInterval {
            start: Some(s),
            end: Some(e),
        }) = DateInterval::parse(v)
        {
            assert!(s <= e, "'{v}' parsed as {s}/{e}");
        }
    }
    let Ok(q) = ItemsQuery::parse(&pairs, collection) else {
        return;
    };
    assert!((1..=MAX_LIMIT).contains(&q.limit), "limit {}", q.limit);
    let page = collection.query(dataset, &q);
    assert!(page.items.len() <= q.limit);
    assert!(page.items.len() <= page.matched);
});
