//! The coverage (`dekking`) of facility sources, end to end through the loader and the
//! analysis: declared or guessed, its errors, the points it rejects, and what the areas
//! outside it get. Areas are the bundled CBS gemeenten 2022; the facility points are
//! SYNTHETIC (made-up libraries at real places), written per test.

use std::path::{Path, PathBuf};
use wijkatlas::analysis::assess::assess;
use wijkatlas::analysis::config::AnalysisConfig;
use wijkatlas::analysis::coverage::AreaCoverage;
use wijkatlas::analysis::demand::demand_points;
use wijkatlas::analysis::gap;
use wijkatlas::load::{self, Action, SourceStatus};
use wijkatlas::model::{AreaLevel, Category, CoverageOrigin, SourceCoverage};

const DORDRECHT: (f64, f64) = (4.6649, 51.8145);
const ZWIJNDRECHT: (f64, f64) = (4.6345, 51.8152);
const AMSTERDAM: (f64, f64) = (4.9003, 52.3728);

fn gemeenten() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/gemeenten_2022.geojson")
}

fn libraries(points: &[(&str, (f64, f64))]) -> String {
    let features: Vec<String> = points
        .iter()
        .map(|(id, (lon, lat))| {
            format!(
                r#"{{"type":"Feature","properties":{{"id":"{id}","name":"Bibliotheek {id}","category":"bibliotheek"}},"geometry":{{"type":"Point","coordinates":[{lon},{lat}]}}}}"#
            )
        })
        .collect();
    format!(
        r#"{{"type":"FeatureCollection","features":[{}]}}"#,
        features.join(",")
    )
}

/// A data directory with the gemeenten and one library source with `dekking` (a TOML
/// value, or none).
fn dir_with(points: &[(&str, (f64, f64))], dekking: Option<&str>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("bib.geojson"), libraries(points)).expect("write");
    let dekking = dekking.map_or(String::new(), |d| format!("dekking = {d}\n"));
    let manifest = format!(
        "[[source]]\nname = \"gemeenten\"\npath = {:?}\nkind = \"areas\"\nlevel = \"gemeente\"\n\n\
[[source]]\nname = \"bib\"\npath = \"bib.geojson\"\nkind = \"voorzieningen\"\n{dekking}",
        gemeenten()
    );
    std::fs::write(dir.path().join("wijkatlas.toml"), manifest).expect("manifest");
    dir
}

/// The coverage the library source was given.
fn bib_coverage(loaded: &load::Loaded) -> &SourceCoverage {
    loaded
        .dataset
        .sources
        .iter()
        .find(|s| s.name == "bib")
        .and_then(|s| s.coverage.as_ref())
        .expect("the library source with a coverage")
}

fn bib(loaded: &load::Loaded) -> &load::SourceReport {
    loaded
        .report
        .sources
        .iter()
        .find(|s| s.name == "bib")
        .expect("bib report")
}

fn failure(dir: &Path) -> String {
    let loaded = load::load_dir(dir).expect("the manifest is readable");
    match &bib(&loaded).status {
        SourceStatus::Failed { error } => error.clone(),
        other => panic!("expected a failure, got {other:?}"),
    }
}

#[test]
fn a_wrong_dekking_fails_its_source_naming_source_and_key() {
    let pts = [("a", DORDRECHT)];
    let e = failure(dir_with(&pts, Some("[\"GM0505\", \"GM9999\"]")).path());
    assert!(
        e.contains("'bib'") && e.contains("dekking") && e.contains("GM9999"),
        "{e}"
    );
    // A polygon file that holds a point.
    let dir = dir_with(&pts, Some("\"gebied.geojson\""));
    std::fs::write(
        dir.path().join("gebied.geojson"),
        r#"{"type":"Point","coordinates":[4.6,51.8]}"#,
    )
    .expect("write");
    let e = failure(dir.path());
    assert!(
        e.contains("dekking file gebied.geojson") && e.contains("Polygon"),
        "{e}"
    );
    // A coverage that holds none of the points: Amersfoort for a Dordrecht library.
    let e = failure(dir_with(&pts, Some("[\"GM0307\"]")).path());
    assert!(e.contains("contains none of the source's 1 points"), "{e}");
    // Not a value dekking takes.
    let dir = dir_with(&pts, Some("\"half Nederland\""));
    let e = load::load_dir(dir.path())
        .expect_err("manifest error")
        .to_string();
    assert!(e.contains("dekking") && e.contains("nederland"), "{e}");
}

#[test]
fn points_outside_a_declared_dekking_are_rejected_by_id() {
    let dir = dir_with(
        &[("a", DORDRECHT), ("b", ZWIJNDRECHT), ("c", AMSTERDAM)],
        Some("[\"GM0505\", \"GM0642\"]"),
    );
    let loaded = load::load_dir(dir.path()).expect("load");
    let report = bib(&loaded);
    assert_eq!((report.read, report.kept, report.rejected), (3, 2, 1));
    let rejected: Vec<_> = report
        .issues
        .iter()
        .filter(|i| i.action == Action::Rejected)
        .collect();
    assert_eq!(rejected.len(), 1);
    assert_eq!(rejected[0].id.as_deref(), Some("c"));
    assert!(
        rejected[0].problem.contains("Dordrecht, Zwijndrecht"),
        "{:?}",
        rejected[0]
    );
    assert_eq!(loaded.dataset.voorzieningen().len(), 2);
}

#[test]
fn areas_outside_the_coverage_get_no_figures_and_leave_the_ranking() {
    let dir = dir_with(
        &[("a", DORDRECHT), ("b", ZWIJNDRECHT)],
        Some("[\"GM0505\", \"GM0642\"]"),
    );
    let loaded = load::load_dir(dir.path()).expect("load");
    let ds = &loaded.dataset;
    let config = AnalysisConfig::default();
    let demand = demand_points(ds, AreaLevel::Gemeente);
    let supply = gap::loaded_supply(ds, Category::Bibliotheek);
    let a = assess(
        ds,
        AreaLevel::Gemeente,
        Category::Bibliotheek,
        &config,
        &demand,
        &supply,
    );
    let areas = ds.areas(AreaLevel::Gemeente);
    let at = |code: &str| {
        areas
            .iter()
            .position(|g| g.code.to_string() == code)
            .map(|i| &a.areas[i])
            .expect("gemeente")
    };
    let amsterdam = at("GM0363");
    assert_eq!(amsterdam.coverage, AreaCoverage::Outside);
    assert_eq!((amsterdam.nearest_m, amsterdam.access), (None, None));
    let dordrecht = at("GM0505");
    assert!(dordrecht.coverage.known() && dordrecht.nearest_m.is_some());
    let ranking = gap::rank(ds, AreaLevel::Gemeente, Category::Bibliotheek, &config);
    assert_eq!(
        ranking.ranked.len(),
        2,
        "only the two covered gemeenten are ranked"
    );
    assert_eq!(ranking.outside_coverage.len(), areas.len() - 2);
    assert_eq!(ranking.coverage, "de gemeenten Dordrecht, Zwijndrecht");
}

#[test]
fn an_undeclared_regional_source_is_taken_as_its_gemeenten_with_a_warning() {
    let dir = dir_with(&[("a", DORDRECHT), ("b", ZWIJNDRECHT)], None);
    let loaded = load::load_dir(dir.path()).expect("load");
    let report = bib(&loaded);
    assert_eq!(report.status, SourceStatus::Loaded);
    let warning = report
        .issues
        .iter()
        .find(|i| i.action == Action::Warning && i.field.as_deref() == Some("dekking"))
        .expect("a dekking warning");
    assert!(
        warning.problem.contains("GM0505, GM0642")
            && warning.problem.contains("dekking = \"nederland\""),
        "{}",
        warning.problem
    );
    let coverage = bib_coverage(&loaded);
    assert_eq!(coverage.origin, CoverageOrigin::PointsGemeenten);
    // The same points declared national are national, and no warning is given.
    let dir = dir_with(
        &[("a", DORDRECHT), ("b", ZWIJNDRECHT)],
        Some("\"nederland\""),
    );
    let loaded = load::load_dir(dir.path()).expect("load");
    let report = bib(&loaded);
    assert_eq!(report.warnings, 0);
}

#[test]
fn a_poly_file_bounds_the_coverage() {
    let dir = dir_with(
        &[("a", DORDRECHT), ("c", AMSTERDAM)],
        Some("\"drechtsteden.poly\""),
    );
    // A box around Dordrecht and Zwijndrecht, in Osmosis .poly form (lon lat).
    std::fs::write(
        dir.path().join("drechtsteden.poly"),
        "drechtsteden\n1\n 4.55 51.75\n 4.85 51.75\n 4.85 51.88\n 4.55 51.88\n 4.55 51.75\nEND\nEND\n",
    )
    .expect("write");
    let loaded = load::load_dir(dir.path()).expect("load");
    let report = bib(&loaded);
    assert_eq!(
        (report.kept, report.rejected),
        (1, 1),
        "Amsterdam lies outside the box"
    );
    let ds = &loaded.dataset;
    let ranking = gap::rank(
        ds,
        AreaLevel::Gemeente,
        Category::Bibliotheek,
        &AnalysisConfig::default(),
    );
    assert!(ranking
        .ranked
        .iter()
        .any(|r| r.code.to_string() == "GM0505"));
    assert!(ranking
        .outside_coverage
        .iter()
        .any(|c| c.to_string() == "GM0363"));
    // Every ranked gemeente is inside the box or at its edge, never outside.
    assert!(ranking
        .ranked
        .iter()
        .all(|r| r.dekking == "binnen" || r.dekking == "rand"));
}

/// The gemeenten file with only the gemeenten whose codes are given (a region loaded on
/// its own), written into `dir`.
fn only_gemeenten(dir: &Path, codes: &[&str]) -> PathBuf {
    let text = std::fs::read_to_string(gemeenten()).expect("gemeenten file");
    let mut all: serde_json::Value = serde_json::from_str(&text).expect("GeoJSON");
    let features = all["features"].as_array_mut().expect("features");
    features.retain(|f| {
        f["properties"]["gemeentecode"]
            .as_str()
            .is_some_and(|c| codes.contains(&c))
    });
    assert_eq!(features.len(), codes.len(), "every code is in the file");
    let path = dir.join("regio.geojson");
    std::fs::write(&path, all.to_string()).expect("write");
    path
}

/// One point per loaded gemeente (the first corner of its outline): points spread over
/// whatever is loaded.
fn a_point_in_every_gemeente(gemeenten: &Path) -> Vec<(String, (f64, f64))> {
    let text = std::fs::read_to_string(gemeenten).expect("gemeenten file");
    let all: serde_json::Value = serde_json::from_str(&text).expect("GeoJSON");
    all["features"]
        .as_array()
        .expect("features")
        .iter()
        .filter_map(|f| {
            let mut c = &f["geometry"]["coordinates"];
            while c[0].is_array() {
                c = &c[0];
            }
            Some((
                f["properties"]["gemeentecode"].as_str()?.to_string(),
                (c[0].as_f64()?, c[1].as_f64()?),
            ))
        })
        .collect()
}

#[test]
fn points_all_over_the_country_are_national_but_all_over_a_region_alone_are_not() {
    // The whole country loaded, a library in every gemeente: national, no warning.
    let everywhere = a_point_in_every_gemeente(&gemeenten());
    let points: Vec<(&str, (f64, f64))> =
        everywhere.iter().map(|(c, p)| (c.as_str(), *p)).collect();
    assert!(points.len() > 300, "{} gemeenten", points.len());
    let dir = dir_with(&points, None);
    let loaded = load::load_dir(dir.path()).expect("load");
    let coverage = bib_coverage(&loaded);
    assert_eq!(coverage.origin, CoverageOrigin::PointsNationwide);
    assert_eq!(bib(&loaded).warnings, 0);

    // Only Dordrecht and Zwijndrecht loaded, a library in each: the points spread over
    // all that is loaded, which says nothing about the country.
    let dir = tempfile::tempdir().expect("tempdir");
    let regio = only_gemeenten(dir.path(), &["GM0505", "GM0642"]);
    std::fs::write(
        dir.path().join("bib.geojson"),
        libraries(&[("a", DORDRECHT), ("b", ZWIJNDRECHT)]),
    )
    .expect("write");
    std::fs::write(
        dir.path().join("wijkatlas.toml"),
        format!(
            "[[source]]\nname = \"gemeenten\"\npath = {regio:?}\nkind = \"areas\"\nlevel = \"gemeente\"\n\n\
[[source]]\nname = \"bib\"\npath = \"bib.geojson\"\nkind = \"voorzieningen\"\n"
        ),
    )
    .expect("manifest");
    let loaded = load::load_dir(dir.path()).expect("load");
    let coverage = bib_coverage(&loaded);
    assert_eq!(coverage.origin, CoverageOrigin::PointsGemeenten);
    assert!(
        !coverage.described.contains("heel Nederland"),
        "{}",
        coverage.described
    );
    let warning = bib(&loaded)
        .issues
        .iter()
        .find(|i| i.action == Action::Warning && i.field.as_deref() == Some("dekking"))
        .expect("a dekking warning");
    assert!(
        warning.problem.contains("do not span the country"),
        "{}",
        warning.problem
    );
}
