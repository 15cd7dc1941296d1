//! The ranking of `/api/gaps` as an Excel workbook (`f=xlsx`): one row per area with
//! Dutch headers and units, figures as numbers (so Excel sorts and sums them), and a
//! second sheet that says what was ranked, how, and whose data it is.

use super::xlsx::{Cell, Sheet};
use crate::analysis::gap::Ranking;
use crate::model::Dataset;

/// The two sheets: `Ranglijst` and `Over deze lijst`.
pub fn sheets(ranking: &Ranking, dataset: &Dataset, attribution: &[String]) -> Vec<Sheet> {
    let header = [
        "Rang (1 = meest onderbediend)",
        "Code",
        "Naam",
        "Gemeentecode",
        "Gemeente",
        "Tekort (gap)",
        "Behoefte-index",
        "Toegang (1 = gemiddelde)",
        "Afstand tot dichtstbijzijnde (km)",
        "Inwoners in de doelgroep",
        "Verder dan de drempel (inwoners)",
        "Afstand volgens CBS (km)",
        "Reden",
    ];
    let mut rows = vec![header.iter().map(|h| Cell::text(*h)).collect::<Vec<_>>()];
    for r in &ranking.ranked {
        let gemeente = dataset
            .area(r.gemeentecode)
            .map(|a| a.name.clone())
            .unwrap_or_default();
        rows.push(vec![
            Cell::Number(r.rank as f64),
            Cell::text(r.code.to_string()),
            Cell::text(r.naam.clone()),
            Cell::text(r.gemeentecode.to_string()),
            Cell::text(gemeente),
            Cell::number(Some(round(r.gap, 2))),
            Cell::number(Some(round(r.need, 2))),
            Cell::number(r.access.map(|a| round(a, 2))),
            Cell::number(r.nearest_m.map(|m| round(m / 1000.0, 1))),
            Cell::number(r.people.map(|p| p.round())),
            Cell::number(r.people_beyond.map(|p| p.round())),
            Cell::number(r.cbs_afstand_km),
            Cell::text(r.reason.clone()),
        ]);
    }
    let about = vec![
        vec![Cell::text("Onderwerp"), Cell::text("Waarde")],
        vec![
            Cell::text("Voorziening"),
            Cell::text(ranking.category.label()),
        ],
        vec![Cell::text("Niveau"), Cell::text(ranking.level.collection())],
        vec![
            Cell::text("Gerangschikte gebieden"),
            Cell::Number(ranking.ranked.len() as f64),
        ],
        vec![
            Cell::text("Tekort (gap)"),
            Cell::text(format!(
                "behoefte tegenover toegang: {}; negatief is ruim bediend",
                ranking.formula
            )),
        ],
        vec![
            Cell::text("Toegang gemeten"),
            Cell::text(ranking.access_basis.described()),
        ],
        vec![
            Cell::text("Zoekstraal (km)"),
            Cell::Number(round(ranking.catchment_m / 1000.0, 1)),
        ],
        vec![
            Cell::text("Drempel (km)"),
            Cell::Number(round(ranking.threshold_m / 1000.0, 1)),
        ],
        vec![
            Cell::text("Dekking van de bronnen"),
            Cell::text(ranking.coverage.clone()),
        ],
        vec![Cell::text("Bronnen"), Cell::text(attribution.join(" · "))],
    ];
    vec![
        Sheet {
            name: "Ranglijst",
            rows,
            widths: vec![
                12.0, 12.0, 30.0, 13.0, 22.0, 11.0, 13.0, 13.0, 16.0, 14.0, 16.0, 14.0, 80.0,
            ],
        },
        Sheet {
            name: "Over deze lijst",
            rows: about,
            widths: vec![24.0, 100.0],
        },
    ]
}

/// As the map shows it: a workbook of 16 decimals reads as false precision.
fn round(v: f64, decimals: i32) -> f64 {
    let f = 10f64.powi(decimals);
    (v * f).round() / f
}

#[cfg(test)]
mod tests {
    use super::round;

    #[test]
    fn figures_are_rounded_as_shown() {
        assert_eq!(round(1.23456, 2), 1.23);
        assert_eq!(round(-0.005_1, 2), -0.01);
        assert_eq!(round(2_345.67, 1), 2_345.7);
    }
}
