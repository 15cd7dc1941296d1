#![no_main]
//! The GeoPackage geometry decoder (WKB, bare or behind a GeoPackage blob header) on
//! arbitrary bytes, followed by what the GeoPackage reader does with its polygons:
//! check, repair and reproject. Never a panic, never an allocation the bytes cannot
//! justify (libFuzzer's -rss_limit_mb catches those).
//!
//! The first byte chooses the header and the layer's CRS; the rest is the blob.
use libfuzzer_sys::fuzz_target;
use wijkatlas::crs::Crs;
use wijkatlas::load::fuzzing::wkb_area;

fuzz_target!(|data: &[u8]| {
    let Some((&choice, bytes)) = data.split_first() else {
        return;
    };
    let gpkg = choice & 1 != 0;
    let crs = Crs::ALL[usize::from(choice >> 1) % Crs::ALL.len()];
    let _ = wkb_area(bytes, gpkg, crs);
});
