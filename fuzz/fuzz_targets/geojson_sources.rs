#![no_main]
//! The GeoJSON readers of area layers (gemeenten, wijken, buurten) and voorzieningen on
//! arbitrary text: never a panic, and the report keeps its books (`read = kept +
//! rejected`, and what is returned is what was kept).
//!
//! The first byte chooses the reader, the CRS setting of the source and, for
//! voorzieningen, whether the manifest gives a default category; the rest is the file.
use libfuzzer_sys::fuzz_target;
use wijkatlas::crs::Crs;
use wijkatlas::load::fuzzing::{areas_geojson, voorzieningen_geojson};
use wijkatlas::model::{AreaLevel, Category};

fuzz_target!(|data: &[u8]| {
    let Some((&choice, bytes)) = data.split_first() else {
        return;
    };
    // A file that is not UTF-8 is refused before it is parsed; lossy text reaches more.
    let text = String::from_utf8_lossy(bytes);
    let crs = match (choice >> 2) & 0b11 {
        0 => None,
        n => Some(Crs::ALL[usize::from(n - 1)]),
    };
    let report = match choice & 0b11 {
        3 => {
            let default = (choice & 0x10 != 0).then_some(Category::Ziekenhuis);
            let (result, report) = voorzieningen_geojson(&text, crs, default);
            if let Ok(kept) = result {
                assert_eq!(kept as u64, report.kept);
            }
            report
        }
        level => {
            let level = AreaLevel::ALL[usize::from(level)];
            let (result, report) = areas_geojson(&text, level, crs);
            if let Ok((located, unlocated)) = result {
                assert_eq!((located + unlocated) as u64, report.kept);
            }
            report
        }
    };
    assert_eq!(report.read, report.kept + report.rejected);
});
