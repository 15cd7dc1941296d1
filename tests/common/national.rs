//! A national-size SYNTHETIC buurt layer for the tile and map tests: every bundled CBS
//! wijk (real outlines, WGS84) cut into four quarters along its bounding box's middle
//! lines, each quarter a made-up "buurt" with a made-up code (`BU` + the wijk code + 01
//! to 04). The wijk's inhabitants are shared out by area; its age shares are kept. Not
//! real buurten, and named so wherever they are served ("synthetisch").

use geo::{Area, BooleanOps, BoundingRect, Geometry, MultiPolygon, Rect};
use serde_json::{json, Map, Value};
use std::path::Path;

/// Writes the synthetic buurten and a manifest that reads them beside the bundled
/// gemeenten, wijken and voorzieningen into `dir`; returns how many buurten.
pub fn write_dataset(dir: &Path) -> usize {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
    let wijken: Value = serde_json::from_slice(
        &std::fs::read(root.join("wijken_2024.geojson")).expect("read the bundled wijken"),
    )
    .expect("wijken JSON");
    let mut buurten = Vec::new();
    for f in wijken["features"].as_array().expect("features") {
        let Some(geometry) = f.get("geometry").filter(|g| !g.is_null()) else {
            continue;
        };
        let geometry: geojson::Geometry =
            serde_json::from_value(geometry.clone()).expect("geometry");
        let whole: MultiPolygon<f64> = match Geometry::<f64>::try_from(geometry) {
            Ok(Geometry::Polygon(p)) => MultiPolygon(vec![p]),
            Ok(Geometry::MultiPolygon(mp)) => mp,
            _ => continue,
        };
        let Some(b) = whole.bounding_rect() else {
            continue;
        };
        let total = whole.unsigned_area();
        let c = b.center();
        let quarters = [
            Rect::new(b.min(), c),
            Rect::new((c.x, b.min().y), (b.max().x, c.y)),
            Rect::new((b.min().x, c.y), (c.x, b.max().y)),
            Rect::new(c, b.max()),
        ];
        let p = f["properties"].as_object().expect("properties");
        let wijkcode = p["wijkcode"].as_str().expect("wijkcode");
        for (n, q) in quarters.iter().enumerate() {
            let piece = whole.intersection(&q.to_polygon());
            let area = piece.unsigned_area();
            if piece.0.is_empty() || area <= total * 1e-4 {
                continue;
            }
            let mut props = Map::new();
            props.insert(
                "buurtcode".into(),
                json!(format!("BU{}{:02}", &wijkcode[2..], n + 1)),
            );
            props.insert(
                "buurtnaam".into(),
                json!(format!(
                    "{} {} (synthetisch)",
                    p["wijknaam"].as_str().unwrap_or(""),
                    ["zuidwest", "zuidoost", "noordwest", "noordoost"][n]
                )),
            );
            for key in ["wijkcode", "gemeentecode", "gemeentenaam", "0_15", "65plus"] {
                if let Some(v) = p.get(key) {
                    props.insert(key.into(), v.clone());
                }
            }
            if let Some(inw) = p.get("aantal_inwoners").and_then(Value::as_f64) {
                props.insert(
                    "aantal_inwoners".into(),
                    json!((inw * area / total).round()),
                );
            }
            let g = geojson::Geometry::new(geojson::GeometryValue::from(&piece));
            buurten.push(json!({ "type": "Feature", "properties": props, "geometry": g }));
        }
    }
    let count = buurten.len();
    std::fs::create_dir_all(dir).expect("create the dataset dir");
    std::fs::write(
        dir.join("buurten_synthetisch.geojson"),
        serde_json::to_vec(&json!({ "type": "FeatureCollection", "features": buurten }))
            .expect("encode"),
    )
    .expect("write the buurten");
    let path = |p: &str| root.join(p).display().to_string().replace('\\', "/");
    let manifest = format!(
        r#"name = "SYNTHETIC national buurten (bundled wijken cut in four) with the bundled gemeenten, wijken and voorzieningen"

[[source]]
name = "gemeenten_2022"
path = "{g}"
kind = "areas"
level = "gemeente"
year = 2022
licence = "CC BY 4.0"
attribution = "Bron: CBS, Kadaster (Wijk- en Buurtkaart 2022)"

[[source]]
name = "wijken_2024"
path = "{w}"
kind = "areas"
level = "wijk"
year = 2024
licence = "CC BY 4.0"
attribution = "Bron: CBS, Kadaster (Wijk- en Buurtkaart 2024)"

[[source]]
name = "buurten_synthetisch"
path = "buurten_synthetisch.geojson"
kind = "areas"
level = "buurt"
year = 2024
licence = "synthetic test data made from CBS wijken (CC BY 4.0)"
attribution = "Synthetische buurten uit CBS-wijken"

[[source]]
name = "ziekenhuizen_2019"
path = "{z}"
kind = "voorzieningen"
category = "ziekenhuis"
year = 2019
licence = "EUPL-1.2 (repository); NL data licence 'TBD' in its metadata"
attribution = "RIVM/VZinfo via Eurostat GISCO (ziekenhuizen 2019)"

[[source]]
name = "bibliotheken_drechtsteden_osm"
path = "{b}"
kind = "voorzieningen"
category = "bibliotheek"
licence = "ODbL 1.0"
attribution = "© OpenStreetMap contributors"
"#,
        g = path("gemeenten_2022.geojson"),
        w = path("wijken_2024.geojson"),
        z = path("voorzieningen/ziekenhuizen_2019.geojson"),
        b = path("voorzieningen/bibliotheken_drechtsteden_osm.geojson"),
    );
    std::fs::write(dir.join("wijkatlas.toml"), manifest).expect("write the manifest");
    count
}
