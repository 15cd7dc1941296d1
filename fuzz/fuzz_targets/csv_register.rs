#![no_main]
//! The CSV register reader on arbitrary bytes: it must never panic, and whatever it
//! returns must keep the report's books (`read = kept + rejected`).
//!
//! The first byte chooses the options (delimiter, encoding, decimal mark), so detection
//! and every explicit setting are both exercised; the rest is the file.
use libfuzzer_sys::fuzz_target;
use std::collections::BTreeMap;
use std::sync::OnceLock;
use wijkatlas::crs::LonLat;
use wijkatlas::load::{
    read_register_bytes, DecimalMark, Delimiter, RegisterOptions, SourceReport, TextEncoding,
};
use wijkatlas::model::Postcode;

fn postcodes() -> &'static BTreeMap<u16, Postcode> {
    static TABLE: OnceLock<BTreeMap<u16, Postcode>> = OnceLock::new();
    TABLE.get_or_init(|| {
        [
            (3311, 4.67, 51.81),
            (1011, 4.90, 52.37),
            (9711, 6.57, 53.22),
        ]
        .into_iter()
        .map(|(pc4, lon, lat)| {
            let wgs84 = LonLat::new(lon, lat);
            let p = Postcode {
                pc4,
                wgs84,
                rd: wgs84.to_rd(),
                places: String::new(),
                gemeente: None,
            };
            (pc4, p)
        })
        .collect()
    })
}

fn options(choice: u8) -> RegisterOptions {
    let mut o = RegisterOptions::default();
    o.delimiter = match choice & 0b111 {
        1 => Some(Delimiter(b',')),
        2 => Some(Delimiter(b';')),
        3 => Some(Delimiter(b'\t')),
        4 => Some(Delimiter(b'|')),
        _ => None,
    };
    o.encoding = match (choice >> 3) & 0b11 {
        1 => Some(TextEncoding(encoding_rs::UTF_8)),
        2 => Some(TextEncoding(encoding_rs::WINDOWS_1252)),
        _ => None,
    };
    o.decimal = match (choice >> 5) & 0b11 {
        1 => Some(DecimalMark::Comma),
        2 => Some(DecimalMark::Point),
        _ => None,
    };
    if choice & 0x80 != 0 {
        o.categories.insert(
            "Huisartsenpraktijk".into(),
            wijkatlas::model::Category::Huisarts,
        );
    }
    o
}

fuzz_target!(|data: &[u8]| {
    let Some((&choice, bytes)) = data.split_first() else {
        return;
    };
    let mut report = SourceReport::new("fuzz", "fuzz.csv".into(), "voorzieningen");
    let result = read_register_bytes(bytes, "fuzz", &options(choice), postcodes(), &mut report);
    assert_eq!(report.read, report.kept + report.rejected);
    if let Ok(records) = result {
        assert_eq!(records.len() as u64, report.kept);
    }
});
