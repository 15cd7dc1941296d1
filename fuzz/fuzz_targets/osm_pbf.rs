#![no_main]
// Any bytes must give voorzieningen or a SourceError, never a panic or a hang.
use libfuzzer_sys::fuzz_target;
use std::path::Path;
use wijkatlas::load::{read_osm_bytes, OsmOptions};

fuzz_target!(|data: &[u8]| {
    let _ = read_osm_bytes(data, Path::new("fuzz.osm.pbf"), &OsmOptions::default());
});
