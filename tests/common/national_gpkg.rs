//! A national-size SYNTHETIC CBS Wijk- en Buurtkaart 2024 GeoPackage, written by GDAL:
//! the synthetic buurten of [`super::national`] (the bundled wijken cut in four) with
//! every column of CBS's 2024 buurten layer (223, names from the real file, listed in
//! `tests/fixtures/cbs_wijkenbuurten_2024_buurten_columns.txt`), plus the bundled wijken
//! and gemeenten as the `wijken` and `gemeenten` layers, in RD New.
//!
//! Codes, names, inhabitants and the age shares come from the quarters; every other
//! value, CBS's distances to the GP, pharmacy, school … among them, is MADE UP from a
//! fixed seed within the range CBS publishes (about 3% written as CBS's secret code
//! -99997). The buurt names say "synthetisch"; the manifest and layer say SYNTHETIC.

use serde_json::{json, Map, Value};
use std::path::{Path, PathBuf};
use std::process::Command;

pub const FILE: &str = "wijkenbuurten_2024_synthetisch.gpkg";

/// The column names of CBS's 2024 buurten layer, in its order.
pub fn columns() -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/cbs_wijkenbuurten_2024_buurten_columns.txt");
    std::fs::read_to_string(&path)
        .expect("read the CBS 2024 column list")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(str::to_string)
        .collect()
}

/// Writes the GeoPackage and a manifest reading its three layers into `dir`; returns
/// the GeoPackage and the number of buurten. Needs `ogr2ogr` (scripts/test.sh installs
/// GDAL).
pub fn write_dataset(dir: &Path) -> (PathBuf, usize) {
    std::fs::create_dir_all(dir).expect("create the dataset dir");
    let quarters = dir.join("quarters");
    super::national::write_dataset(&quarters);
    let text = std::fs::read(quarters.join("buurten_synthetisch.geojson")).expect("quarters");
    let mut fc: Value = serde_json::from_slice(&text).expect("quarters JSON");
    let columns = columns();
    let features = fc["features"].as_array_mut().expect("features");
    let count = features.len();
    for (i, f) in features.iter_mut().enumerate() {
        let old = f["properties"].as_object().cloned().unwrap_or_default();
        f["properties"] = Value::Object(cbs_2024_row(&columns, &old, i as u64));
    }
    fc["name"] = json!("buurten");
    let geojson = dir.join("buurten_2024_synthetisch.geojson");
    std::fs::write(&geojson, serde_json::to_vec(&fc).expect("encode")).expect("write");
    let out = dir.join(FILE);
    let _ = std::fs::remove_file(&out);
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
    let o = out.to_str().expect("utf-8 path");
    let rd = ["-f", "GPKG", "-t_srs", "EPSG:28992"];
    let g = geojson.to_str().expect("utf-8 path");
    ogr2ogr(&[&rd[..], &[o, g, "-nln", "buurten"]].concat());
    let wijken = data.join("wijken_2024.geojson");
    ogr2ogr(
        &[
            &rd[..],
            &[
                "-update",
                o,
                wijken.to_str().expect("utf-8 path"),
                "-nln",
                "wijken",
                "-sql",
                "SELECT wijkcode, wijknaam, gemeentecode, gemeentenaam, aantal_inwoners, \
                 \"0_15\" AS percentage_personen_0_tot_15_jaar, \
                 \"65plus\" AS percentage_personen_65_jaar_en_ouder FROM wijken_2024",
            ],
        ]
        .concat(),
    );
    let gemeenten = data.join("gemeenten_2022.geojson");
    ogr2ogr(
        &[
            &rd[..],
            &[
                "-update",
                o,
                gemeenten.to_str().expect("utf-8 path"),
                "-nln",
                "gemeenten",
                "-sql",
                "SELECT gemeentecode, gemeentenaam, aantal_inwoners FROM gemeenten_2022",
            ],
        ]
        .concat(),
    );
    let _ = std::fs::remove_file(&geojson);
    let _ = std::fs::remove_dir_all(&quarters);
    let mut manifest = String::from(
        "# SYNTHETIC national-size CBS Wijk- en Buurtkaart 2024 GeoPackage (tests/common/national_gpkg.rs):\n\
         # real wijk and gemeente outlines, made-up buurten and made-up figures.\n\
         name = \"SYNTHETIC: CBS Wijk- en Buurtkaart 2024 at national size (made-up buurten and figures)\"\n",
    );
    for (level, layer, year) in [
        ("gemeente", "gemeenten", 2022),
        ("wijk", "wijken", 2024),
        ("buurt", "buurten", 2024),
    ] {
        manifest.push_str(&format!(
            "\n[[source]]\nname = \"{layer}_synthetisch\"\npath = \"{FILE}\"\nkind = \"areas\"\nlevel = \"{level}\"\nlayer = \"{layer}\"\nyear = {year}\nlicence = \"SYNTHETIC test data (outlines from CBS, CC BY 4.0)\"\nattribution = \"Synthetisch; contouren: CBS, Kadaster\"\n"
        ));
    }
    std::fs::write(dir.join("wijkatlas.toml"), manifest).expect("write the manifest");
    (out, count)
}

fn ogr2ogr(args: &[&str]) {
    let out = Command::new("ogr2ogr")
        .args(args)
        .output()
        .unwrap_or_else(|e| {
            panic!("ogr2ogr is needed ({e}); scripts/test.sh installs it (Debian gdal-bin)")
        });
    assert!(
        out.status.success(),
        "ogr2ogr failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// One buurt's row in the 2024 columns: the quarter's codes and people, the rest made up.
fn cbs_2024_row(columns: &[String], quarter: &Map<String, Value>, n: u64) -> Map<String, Value> {
    let mut rng = Lcg(0x5eed ^ n.wrapping_mul(0x9e37_79b9_7f4a_7c15));
    let text = |k: &str| {
        quarter
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let code = text("buurtcode");
    let inwoners = quarter
        .get("aantal_inwoners")
        .and_then(Value::as_f64)
        .unwrap_or(0.0);
    // Rural buurten (few people) are further from everything, as in CBS's own figures.
    let remoteness = if inwoners < 500.0 { 3.0 } else { 1.0 };
    let mut row = Map::new();
    for c in columns {
        let v = match c.as_str() {
            "buurtcode" => json!(code),
            "buurtnaam" | "wijkcode" | "gemeentecode" | "gemeentenaam" => json!(text(c)),
            "jrstatcode" => json!(format!("2024{code}")),
            "jaar" => json!(2024),
            "water" => json!("NEE"),
            "indelingswijziging_wijken_en_buurten" => json!(1),
            "meest_voorkomende_postcode" => json!(format!("{}", 1000 + rng.below(8000))),
            "dekkingspercentage" => json!(1 + rng.below(6)),
            "aantal_inwoners" => json!(inwoners),
            "mannen" => json!((inwoners / 2.0).floor()),
            "vrouwen" => json!((inwoners / 2.0).ceil()),
            "percentage_personen_0_tot_15_jaar" => {
                quarter.get("0_15").cloned().unwrap_or(Value::Null)
            }
            "percentage_personen_65_jaar_en_ouder" => {
                quarter.get("65plus").cloned().unwrap_or(Value::Null)
            }
            _ if rng.below(100) < 3 => json!(-99997),
            c if c.contains("afstand")
                || c.ends_with("_afst_in_km")
                || c.starts_with("afstand_tot") =>
            {
                json!(round1((0.2 + rng.unit() * 4.0) * remoteness))
            }
            c if c.contains("aantal_binnen") || c.contains("_aantal_musea_") => {
                json!(round1(rng.unit() * 20.0 / remoteness))
            }
            c if c.starts_with("perc")
                || c.starts_with("opleidingsniveau")
                || c == "netto_arbeidsparticipatie" =>
            {
                json!(round1(rng.unit() * 100.0))
            }
            c if c.starts_with("gemiddeld") || c.starts_with("gem_") || c.contains("per_") => {
                json!(round1(rng.unit() * 50.0))
            }
            _ => json!(rng.below(2000)),
        };
        row.insert(c.clone(), v);
    }
    row
}

fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// A fixed-seed generator, so every run writes the same file.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn unit(&mut self) -> f64 {
        self.next() as f64 / (1u64 << 31) as f64
    }
}
