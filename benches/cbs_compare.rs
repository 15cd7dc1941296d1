//! Our distances against CBS's own, per gemeente: is the map true?
//!
//! CBS publishes per gemeente the mean road distance from every address to the nearest
//! hospital (without outpatient clinics) and GP practice. This puts our straight-line
//! figures beside them: the wijk figures, weighted by inhabitants, per gemeente, then
//! Pearson's r and the median ratio CBS / ours (≈ the road detour factor where the
//! definitions agree). Each comparison is made three ways, to show what each rule of
//! the analysis contributes:
//! - as wijkatlas did before: outpatient clinics counted as hospitals, one point per wijk;
//! - CBS's category definition, one point per wijk;
//! - CBS's definition, measured from the wijk's demand points (PC4 points as stand-in
//!   addresses, as the bundled data has no addresses).
//!
//! Hospitals: the bundled RIVM 2019 list against CBS 2022 (bundled gemeenten). GPs: the
//! ZorgkaartNederland register in `../shared` (not bundled: its licence is not stated),
//! geocoded by PC4, against CBS 2022. Prints figures; asserts nothing.
//!
//! ```sh
//! cargo bench --bench cbs_compare
//! ```

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use wijkatlas::analysis::access::Supply;
use wijkatlas::analysis::assess::assess;
use wijkatlas::analysis::config::AnalysisConfig;
use wijkatlas::analysis::demand::{demand_points, AreaPoints, DemandBasis, DemandPoint};
use wijkatlas::crs::RdPoint;
use wijkatlas::model::{AreaCode, AreaLevel, Category, Dataset, Figure};

fn pearson(pairs: &[(f64, f64)]) -> f64 {
    let n = pairs.len() as f64;
    let (mx, my) = (
        pairs.iter().map(|p| p.0).sum::<f64>() / n,
        pairs.iter().map(|p| p.1).sum::<f64>() / n,
    );
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (x, y) in pairs {
        sxy += (x - mx) * (y - my);
        sxx += (x - mx).powi(2);
        syy += (y - my).powi(2);
    }
    sxy / (sxx * syy).sqrt()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn supply(ds: &Dataset, categories: &[Category]) -> Vec<Supply> {
    ds.voorzieningen()
        .iter()
        .filter(|v| categories.contains(&v.category))
        .map(|v| Supply {
            at: v.location.rd,
            capacity: 1.0,
        })
        .collect()
}

fn one_point(ds: &Dataset, level: AreaLevel) -> Vec<AreaPoints> {
    ds.areas(level)
        .iter()
        .map(|a| AreaPoints {
            points: vec![DemandPoint {
                at: RdPoint::new(a.interior_point_rd.x(), a.interior_point_rd.y()),
                weight: 1.0,
            }],
            basis: DemandBasis::RepresentativePoint,
        })
        .collect()
}

/// Our wijk distances (km), weighted by inhabitants to the gemeente, beside CBS's
/// gemeente figure from `reference`.
fn per_gemeente(
    ds: &Dataset,
    reference: &Dataset,
    figure: Figure,
    category: Category,
    demand: &[AreaPoints],
    supply: &[Supply],
) -> Vec<(f64, f64)> {
    let config = AnalysisConfig::default();
    let a = assess(
        ds,
        AreaLevel::Wijk,
        category,
        &config,
        &demand.to_vec(),
        supply,
    );
    let mut sums: HashMap<AreaCode, (f64, f64)> = HashMap::new();
    for (w, m) in ds.areas(AreaLevel::Wijk).iter().zip(&a.areas) {
        let (Some(d), Some(n)) = (m.nearest_m, w.figures.get(Figure::Inhabitants)) else {
            continue;
        };
        let e = sums.entry(w.code.gemeente()).or_default();
        e.0 += d / 1000.0 * n;
        e.1 += n;
    }
    reference
        .areas(AreaLevel::Gemeente)
        .iter()
        .filter_map(|g| {
            let cbs = g.figures.get(figure)?;
            let (sum, n) = sums.get(&g.code)?;
            (*n > 0.0 && cbs > 0.0).then(|| (sum / n, cbs))
        })
        .collect()
}

fn print(label: &str, pairs: &[(f64, f64)]) {
    if pairs.len() < 3 {
        println!("  {label}: too few gemeenten to compare ({})", pairs.len());
        return;
    }
    let ratios: Vec<f64> = pairs
        .iter()
        .filter(|p| p.0 > 0.0)
        .map(|p| p.1 / p.0)
        .collect();
    println!(
        "  {label}: r = {:.3}, median CBS/ours = {:.2}, {} gemeenten",
        pearson(pairs),
        median(ratios),
        pairs.len()
    );
}

fn load(dir: &Path) -> Dataset {
    wijkatlas::load::load_dir(dir)
        .unwrap_or_else(|e| panic!("loading {}: {e}", dir.display()))
        .dataset
}

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let bundled = load(&root.join("data"));
    let demand = demand_points(&bundled, AreaLevel::Wijk);
    let single = one_point(&bundled, AreaLevel::Wijk);
    println!("Hospitals (RIVM 2019, bundled) against CBS 2022 afstand tot ziekenhuis (excl. buitenpoliklinieken):");
    let both = supply(
        &bundled,
        &[Category::Ziekenhuis, Category::Buitenpolikliniek],
    );
    let hospitals = supply(&bundled, &[Category::Ziekenhuis]);
    let h = Figure::DistanceHospital;
    print(
        "before: clinics counted, one point per wijk ",
        &per_gemeente(&bundled, &bundled, h, Category::Ziekenhuis, &single, &both),
    );
    print(
        "CBS definition, one point per wijk          ",
        &per_gemeente(
            &bundled,
            &bundled,
            h,
            Category::Ziekenhuis,
            &single,
            &hospitals,
        ),
    );
    print(
        "CBS definition, demand points (PC4)         ",
        &per_gemeente(
            &bundled,
            &bundled,
            h,
            Category::Ziekenhuis,
            &demand,
            &hospitals,
        ),
    );

    let register = root.join(
        "../shared/data/huisartsen_zorgkaart_scrape/huisartsenpraktijken_zorgkaart_2026-03.csv",
    );
    if !register.exists() {
        println!("GPs: ../shared/data/huisartsen_zorgkaart_scrape not present; not compared");
        return;
    }
    let dir = tempfile::tempdir().expect("a temporary directory");
    let data = root.join("data");
    let manifest = format!(
        "[[source]]\nname = \"wijken\"\npath = {:?}\nkind = \"areas\"\nlevel = \"wijk\"\n\n\
[[source]]\nname = \"pc4\"\npath = {:?}\nkind = \"postcodes\"\n\n\
[[source]]\nname = \"zorgkaart\"\npath = {register:?}\nkind = \"voorzieningen\"\ncategory = \"huisarts\"\ndekking = \"nederland\"\n",
        data.join("wijken_2024.geojson"),
        data.join("postcodes/pc4_geonames.csv"),
    );
    std::fs::write(dir.path().join("wijkatlas.toml"), manifest).expect("manifest");
    let gp = load(dir.path());
    let gps = supply(&gp, &[Category::Huisarts]);
    println!(
        "GP practices (ZorgkaartNederland 2026-03, {} practices geocoded by PC4) against CBS 2022 afstand tot huisartsenpraktijk:",
        gps.len()
    );
    let d = Figure::DistanceGp;
    print(
        "one point per wijk                          ",
        &per_gemeente(
            &gp,
            &bundled,
            d,
            Category::Huisarts,
            &one_point(&gp, AreaLevel::Wijk),
            &gps,
        ),
    );
    print(
        "demand points (PC4)                         ",
        &per_gemeente(
            &gp,
            &bundled,
            d,
            Category::Huisarts,
            &demand_points(&gp, AreaLevel::Wijk),
            &gps,
        ),
    );
    println!("  what limits it: practices sit on PC4 centroids (a few hundred metres off), the register is of 2026 and CBS of 2022, and CBS measures by road from every address");
}
