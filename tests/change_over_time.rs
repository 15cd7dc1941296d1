//! Change over time on real data: the bundled CBS gemeenten of 2022 against CBS's
//! gemeenten of 2017 from ../shared/data. The 2017 copy states no licence for the data,
//! so it is read in place and never bundled. Without ../shared these tests fail under CI
//! and are listed as skipped elsewhere (`common::skip`); the synthetic cases in
//! `analysis::change` run everywhere.

mod common;

use serde_json::Value;
use std::path::{Path, PathBuf};
use wijkatlas::analysis::change::{self, Comparison};
use wijkatlas::model::{AreaLevel, Figure};

fn gemeenten_2017(test: &str) -> Option<PathBuf> {
    common::skip::shared_data(test, "cbs_gemeenten_2017_kwb/gemeenten_2017.geojson")
}

/// A data directory with the bundled gemeenten 2022 and the 2017 file as earlier areas.
fn data_dir(earlier: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let bundled = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/gemeenten_2022.geojson");
    let manifest = format!(
        r#"[[source]]
name = "gemeenten_2022"
path = "{}"
kind = "areas"
level = "gemeente"
year = 2022

[[source]]
name = "gemeenten_2017"
path = "{}"
kind = "earlier_areas"
level = "gemeente"
year = 2017
"#,
        bundled.display(),
        earlier.display()
    );
    std::fs::write(dir.path().join("wijkatlas.toml"), manifest).expect("manifest");
    dir
}

#[test]
fn gemeenten_2022_against_2017_flag_mergers_and_splits() {
    let Some(earlier) = gemeenten_2017("gemeenten_2022_against_2017_flag_mergers_and_splits")
    else {
        return;
    };
    let dir = data_dir(&earlier);
    let loaded = wijkatlas::load::load_dir(dir.path()).expect("loads");
    let report = &loaded.report.sources[1];
    assert_eq!(report.kind, "earlier_areas");
    assert_eq!(report.kept, 388, "{report:?}");
    let ds = &loaded.dataset;
    let mut tally = [0usize; 3];
    let find = |code: &str| {
        let area = ds.area(code.parse().expect("code")).expect("loaded");
        let mut all = change::changes(ds, area);
        assert_eq!(all.len(), 1);
        all.remove(0)
    };
    // Dordrecht kept its code and border: 118,731 inhabitants on 1 January 2017 (the
    // value in the 2017 file).
    let dordrecht = find("GM0505");
    assert!(
        matches!(dordrecht.comparison, Comparison::Same { overlap_pct } if overlap_pct > 97.0),
        "{dordrecht:?}"
    );
    let people = dordrecht
        .figures
        .iter()
        .find(|f| f.key == Figure::Inhabitants.key())
        .expect("inhabitants compared");
    assert_eq!(people.earlier, 118_731.0);
    // Molenlanden (2019) is Giessenlanden and Molenwaard put together.
    let molenlanden = find("GM1978");
    assert_eq!(
        molenlanden.comparison,
        Comparison::Bridged,
        "{molenlanden:?}"
    );
    let mut codes: Vec<String> = molenlanden
        .predecessors
        .iter()
        .map(|p| p.code.to_string())
        .collect();
    codes.sort();
    assert_eq!(codes, ["GM0689", "GM1927"]);
    // Het Hogeland (2019) took only part of Winsum; the rest went to Westerkwartier.
    for split in ["GM1966", "GM1969"] {
        let c = find(split);
        let Comparison::NotComparable { reason } = &c.comparison else {
            panic!("{split} compared across a split: {c:?}");
        };
        assert!(reason.contains("GM0053"), "{split}: {reason}");
        assert!(c.figures.is_empty());
    }
    // Every gemeente gets an answer, and most kept their border.
    for area in ds.areas(AreaLevel::Gemeente) {
        let c = change::changes(ds, area).remove(0);
        tally[match &c.comparison {
            Comparison::Same { .. } => 0,
            Comparison::Bridged => 1,
            Comparison::NotComparable { reason } => {
                eprintln!(
                    "not comparable: {} {}: {reason} {:?}",
                    area.code,
                    area.name,
                    c.predecessors
                        .iter()
                        .map(|p| (p.code.to_string(), p.inside_pct, p.covers_pct))
                        .collect::<Vec<_>>()
                );
                2
            }
        }] += 1;
    }
    eprintln!(
        "gemeenten 2022 against 2017: same {}, bridged {}, not comparable {}",
        tally[0], tally[1], tally[2]
    );
    assert!(tally[0] > 300, "{tally:?}");
    // The splits of 2018–2021 and two doubtful borders (Urk, Hellevoetsluis), no more.
    assert!(tally[2] <= 15, "{tally:?}");
    assert!(tally[1] >= 10, "{tally:?}");
}

#[test]
fn a_profile_shows_the_change_through_the_server() {
    let Some(earlier) = gemeenten_2017("a_profile_shows_the_change_through_the_server") else {
        return;
    };
    let dir = data_dir(&earlier);
    let data = dir.path().to_string_lossy().to_string();
    let server = common::Server::start(&["--data", &data]);
    let profile: Value = server.json("/profiles/GM1978");
    let change = &profile["changes"][0];
    assert_eq!(change["earlier_year"], 2017);
    assert_eq!(change["comparison"]["status"], "bridged");
    let (status, _, page) = server.get("/profiles/GM1978?f=html");
    assert_eq!(status, 200);
    assert!(page.contains("Ontwikkeling 2017"), "no change section");
    assert!(page.contains("Overbrugd"), "bridging not said");
    let (_, _, page) = server.get("/profiles/GM1966?f=html");
    assert!(page.contains("Niet vergelijkbaar"), "split not flagged");
    let (_, _, csv) = server.get("/profiles/GM0505?f=csv");
    assert!(
        csv.lines()
            .any(|l| l.starts_with("ontwikkeling,inwoners,") && l.contains("118731")),
        "{csv}"
    );
}
