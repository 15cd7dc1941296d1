//! `GET /profiles/{code}`: an area's profile (see `analysis::profile`) as JSON, as a
//! page, or for a spreadsheet: CSV (`f=csv`, one row per figure and per category) or
//! an XLSX workbook (`f=xlsx`, the same tables on sheets of their own).

use super::base_url::BaseUrl;
use super::xlsx::{self, Cell, Sheet};
use super::{html, negotiate};
use super::{ApiError, AppState};
use crate::analysis::profile::{self, Profile, Reference};
use crate::features::Format;
use crate::model::AreaCode;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::Json;
use std::sync::Arc;

/// A profile's encodings: those the other routes negotiate, and the workbook, which
/// only `f=xlsx` asks for (no client lists it in Accept for a page of data).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Encoding {
    Negotiated(Format),
    Xlsx,
}

pub const ENCODINGS: [&str; 4] = ["json", "csv", "html", "xlsx"];

fn encoding(pairs: &[(String, String)], headers: &HeaderMap) -> Result<Encoding, ApiError> {
    match pairs.iter().find(|(k, _)| k == "f").map(|(_, v)| v) {
        Some(v) if v.eq_ignore_ascii_case("xlsx") => Ok(Encoding::Xlsx),
        Some(v)
            if !ENCODINGS.iter().any(|n| v.eq_ignore_ascii_case(n))
                && !v.eq_ignore_ascii_case("geojson") =>
        {
            Err(ApiError::BadRequest(format!(
                "parameter 'f': '{v}' is not offered here ({})",
                ENCODINGS.join(", ")
            )))
        }
        _ => negotiate::format(
            pairs,
            headers,
            &[Format::GeoJson, Format::Csv, Format::Html],
        )
        .map(Encoding::Negotiated),
    }
}

pub(super) fn download(content_type: &str, file: String, body: impl IntoResponse) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file}\""),
            ),
        ],
        body,
    )
        .into_response()
}

pub async fn profile(
    State(state): State<Arc<AppState>>,
    Path(code): Path<String>,
    Query(pairs): Query<Vec<(String, String)>>,
    headers: HeaderMap,
    super::compute::RequestDeadline(deadline): super::compute::RequestDeadline,
) -> Result<Response, ApiError> {
    if let Some((k, _)) = pairs.iter().find(|(k, _)| k != "f") {
        return Err(ApiError::BadRequest(format!(
            "unknown parameter '{k}'; this route takes: f"
        )));
    }
    let format = encoding(&pairs, &headers)?;
    // A string that is no area code names no profile: 404, as for an unknown feature id.
    let code = code.parse().map_err(|e: crate::model::InvalidAreaCode| {
        ApiError::NotFound(format!(
            "{e}; profiles are at /profiles/{{GM, WK or BU code}}"
        ))
    })?;
    let s = state.snapshot();
    let attribution = super::attributions(&s.dataset);
    let categories: Vec<(&'static str, &'static str)> = s
        .analysed
        .iter()
        .map(|(c, _)| (c.key(), c.label()))
        .collect();
    // Every figure against every area of its level: CPU work off the async workers,
    // counted against the cap on expensive requests. The page draws the areas inside
    // this one from the same snapshot.
    let dataset = s.clone();
    let made = super::compute::run(&state, &deadline, super::compute::Cost::Heavy, move || {
        profile::profile(&s.dataset, &s.analysis, code)
    })
    .await?;
    let Some(p) = made else {
        return Err(ApiError::NotFound(format!(
            "no loaded area has the code {code}; see /collections"
        )));
    };
    Ok(match format {
        Encoding::Negotiated(Format::Csv) => download(
            "text/csv; charset=utf-8",
            format!("profiel-{}.csv", p.code),
            csv(&p)
                .map_err(|e| ApiError::Internal(format!("the CSV could not be written: {e}")))?,
        ),
        Encoding::Xlsx => {
            let bytes = xlsx::workbook(&sheets(&p)).map_err(|e| {
                ApiError::Internal(format!("the workbook could not be written: {e}"))
            })?;
            download(
                xlsx::CONTENT_TYPE,
                format!("profiel-{}.xlsx", p.code),
                bytes,
            )
        }
        Encoding::Negotiated(Format::Html) => {
            let mut body = html::profile::page_body(&p);
            body.push_str(&html::profile::subareas_section(&p, &dataset.dataset));
            body.push_str(&html::profile::embed_section(
                &p,
                &BaseUrl::from_headers(&headers),
                &categories,
            ));
            (
                [(header::CONTENT_TYPE, html::CONTENT_TYPE)],
                html::page(&format!("Profiel van {}", p.name), &[], &body, &attribution),
            )
                .into_response()
        }
        Encoding::Negotiated(Format::GeoJson) => Json(p).into_response(),
    })
}

/// A text cell: formula-like text neutralised (see `csv_cell`); the `csv` crate quotes.
fn field(s: &str) -> String {
    crate::features::csv_cell::neutralise(s).into_owned()
}

fn number(v: Option<f64>) -> String {
    v.map(|v| format!("{}", (v * 1000.0).round() / 1000.0))
        .unwrap_or_default()
}

fn reference(r: &Option<Reference>) -> [String; 2] {
    match r {
        Some(r) => [number(Some(r.value)), field(&r.how)],
        None => [String::new(), String::new()],
    }
}

/// One table of the CSV: its header and rows, quoted by the `csv` crate.
fn table(header: &[&str], rows: &[Vec<String>]) -> Result<String, csv::Error> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    w.write_record(header)?;
    for row in rows {
        w.write_record(row)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))?;
    // Every cell is a Rust string, so the bytes are UTF-8.
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Figures, categories and change over time, each a table with its own header, told
/// apart by the first column and separated by an empty line.
fn csv(p: &Profile) -> Result<String, csv::Error> {
    let mut out = table(&FIGURES_HEADER, &figure_records(p))?;
    out.push('\n');
    out.push_str(&table(&CATEGORIES_HEADER, &category_records(p))?);
    if !p.changes.is_empty() {
        out.push('\n');
        out.push_str(&table(&CHANGES_HEADER, &change_records(p))?);
    }
    Ok(out)
}

const FIGURES_HEADER: [&str; 15] = [
    "onderdeel",
    "code",
    "naam",
    "eenheid",
    "waarde",
    "wijk",
    "wijk_bron",
    "gemeente",
    "gemeente_bron",
    "nederland",
    "nederland_bron",
    "stand",
    "z",
    "jaar",
    "bron",
];

/// One `kerncijfer` row per figure, with the wijk, gemeente and national references.
fn figure_records(p: &Profile) -> Vec<Vec<String>> {
    p.figures
        .iter()
        .map(|r| {
            let [w, wh] = reference(&r.wijk);
            let [g, gh] = reference(&r.gemeente);
            let [n, nh] = reference(&r.nederland);
            vec![
                "kerncijfer".to_string(),
                r.key.to_string(),
                field(r.label),
                field(r.unit),
                number(r.value),
                w,
                wh,
                g,
                gh,
                n,
                nh,
                r.standing_label.unwrap_or("").to_string(),
                number(r.z),
                r.year.map(|y| y.to_string()).unwrap_or_default(),
                field(r.source.as_deref().unwrap_or("")),
            ]
        })
        .collect()
}

const CATEGORIES_HEADER: [&str; 11] = [
    "onderdeel",
    "categorie",
    "naam",
    "dichtstbij_m",
    "binnen_1km",
    "binnen_3km",
    "binnen_5km",
    "rang",
    "van",
    "gap",
    "reden",
];

/// One `voorziening` row per category analysed.
fn category_records(p: &Profile) -> Vec<Vec<String>> {
    p.categories
        .iter()
        .map(|c| {
            vec![
                "voorziening".to_string(),
                c.category.to_string(),
                field(c.label),
                number(c.nearest_m),
                c.within_1km.to_string(),
                c.within_3km.to_string(),
                c.within_5km.to_string(),
                c.rank.map(|r| r.to_string()).unwrap_or_default(),
                c.ranked_of.to_string(),
                number(c.gap),
                field(c.reason.as_deref().unwrap_or("")),
            ]
        })
        .collect()
}

const CHANGES_HEADER: [&str; 11] = [
    "onderdeel",
    "code",
    "naam",
    "eenheid",
    "jaar_eerder",
    "eerder",
    "jaar_nu",
    "nu",
    "verschil",
    "verschil_pct",
    "vergelijking",
];

/// One `ontwikkeling` row per figure and earlier year; a year whose figures cannot be
/// compared gets one row saying why.
fn change_records(p: &Profile) -> Vec<Vec<String>> {
    let mut rows: Vec<Vec<String>> = Vec::new();
    for c in &p.changes {
        if let crate::analysis::change::Comparison::NotComparable { reason } = &c.comparison {
            let mut row = vec![String::new(); CHANGES_HEADER.len()];
            row[0] = "ontwikkeling".into();
            row[4] = c.earlier_year.to_string();
            row[10] = field(&format!("niet vergelijkbaar: {reason}"));
            rows.push(row);
            continue;
        }
        for f in &c.figures {
            rows.push(vec![
                "ontwikkeling".to_string(),
                f.key.to_string(),
                field(f.label),
                field(f.unit),
                c.earlier_year.to_string(),
                number(Some(f.earlier)),
                c.current_year.map(|y| y.to_string()).unwrap_or_default(),
                number(Some(f.current)),
                number(Some(f.difference)),
                number(f.relative_pct),
                field(&c.how),
            ]);
        }
    }
    rows
}

/// The CSV's tables as sheets, with numbers as numbers (not text) so a spreadsheet can
/// compute with them, and a missing figure an empty cell.
fn sheets(p: &Profile) -> Vec<Sheet> {
    let mut sheets = vec![
        Sheet {
            name: "Kerncijfers",
            rows: figure_rows(p),
            widths: vec![
                28.0, 40.0, 10.0, 10.0, 10.0, 30.0, 10.0, 30.0, 10.0, 30.0, 26.0,
            ],
        },
        Sheet {
            name: "Voorzieningen",
            rows: category_rows(p),
            widths: vec![14.0, 22.0, 14.0, 11.0, 11.0, 11.0, 8.0, 8.0, 8.0, 60.0],
        },
        Sheet {
            name: "Gebied",
            rows: about_rows(p),
            widths: vec![12.0, 60.0],
        },
    ];
    // The change over time, as in the CSV's last table, when an earlier year is loaded.
    if !p.changes.is_empty() {
        sheets.push(Sheet {
            name: "Ontwikkeling",
            rows: change_rows(p),
            widths: vec![28.0, 40.0, 10.0, 11.0, 10.0, 9.0, 10.0, 10.0, 12.0, 60.0],
        });
    }
    sheets
}

/// A number to three decimals, as in the CSV: the sources publish fewer, and a mean's
/// 15 digits would only clutter the cells.
fn rounded_cell(v: Option<f64>) -> Cell {
    Cell::number(v.map(|v| (v * 1000.0).round() / 1000.0))
}

/// A reference's value and how it was made, or two empty cells.
fn reference_cells(r: &Option<Reference>) -> [Cell; 2] {
    match r {
        Some(r) => [rounded_cell(Some(r.value)), Cell::text(r.how.as_str())],
        None => [Cell::Empty, Cell::Empty],
    }
}

fn text_cell(s: Option<&str>) -> Cell {
    s.map_or(Cell::Empty, Cell::text)
}

fn header_row<const N: usize>(names: [&str; N]) -> Vec<Cell> {
    names.map(Cell::text).to_vec()
}

fn figure_rows(p: &Profile) -> Vec<Vec<Cell>> {
    let mut rows = vec![header_row([
        "code",
        "kerncijfer",
        "eenheid",
        "waarde",
        "wijk",
        "wijk (hoe)",
        "gemeente",
        "gemeente (hoe)",
        "Nederland",
        "Nederland (hoe)",
        "stand",
        "z",
        "jaar",
        "bron",
    ])];
    for r in &p.figures {
        let mut row = vec![
            Cell::text(r.key),
            Cell::text(r.label),
            Cell::text(r.unit),
            rounded_cell(r.value),
        ];
        row.extend(reference_cells(&r.wijk));
        row.extend(reference_cells(&r.gemeente));
        row.extend(reference_cells(&r.nederland));
        row.extend([
            text_cell(r.standing_label),
            Cell::number(r.z),
            Cell::number(r.year.map(f64::from)),
            text_cell(r.source.as_deref()),
        ]);
        rows.push(row);
    }
    rows
}

fn category_rows(p: &Profile) -> Vec<Vec<Cell>> {
    let mut rows = vec![header_row([
        "categorie",
        "voorziening",
        "dichtstbij (m)",
        "binnen 1 km",
        "binnen 3 km",
        "binnen 5 km",
        "rang",
        "van",
        "gap",
        "reden",
    ])];
    for c in &p.categories {
        rows.push(vec![
            Cell::text(c.category),
            Cell::text(c.label),
            Cell::number(c.nearest_m),
            Cell::Number(c.within_1km),
            Cell::Number(c.within_3km),
            Cell::Number(c.within_5km),
            Cell::number(c.rank.map(|r| r as f64)),
            Cell::Number(c.ranked_of as f64),
            rounded_cell(c.gap),
            text_cell(c.reason.as_deref()),
        ]);
    }
    rows
}

/// What the area is and where it lies, and the caveat the housing figures need.
fn about_rows(p: &Profile) -> Vec<Vec<Cell>> {
    let named = |a: &Option<(AreaCode, String)>| {
        text_cell(a.as_ref().map(|(c, n)| format!("{n} ({c})")).as_deref())
    };
    vec![
        vec![Cell::text("veld"), Cell::text("waarde")],
        vec![Cell::text("code"), Cell::text(p.code.to_string())],
        vec![Cell::text("naam"), Cell::text(p.name.as_str())],
        vec![Cell::text("niveau"), Cell::text(p.level.to_string())],
        vec![Cell::text("gemeente"), named(&p.gemeente)],
        vec![Cell::text("wijk"), named(&p.wijk)],
        vec![Cell::text("let op"), Cell::text(p.housing_caveat)],
    ]
}

/// Each earlier year against now, one row per figure; a year whose figures cannot be
/// compared gets one row saying why.
fn change_rows(p: &Profile) -> Vec<Vec<Cell>> {
    let mut rows = vec![header_row([
        "code",
        "kerncijfer",
        "eenheid",
        "jaar eerder",
        "eerder",
        "jaar nu",
        "nu",
        "verschil",
        "verschil (%)",
        "vergelijking",
    ])];
    for c in &p.changes {
        let how = match &c.comparison {
            crate::analysis::change::Comparison::NotComparable { reason } => {
                format!("niet vergelijkbaar: {reason}")
            }
            _ => c.how.clone(),
        };
        if c.figures.is_empty() {
            let mut row = vec![Cell::Empty; 9];
            row[3] = Cell::Number(f64::from(c.earlier_year));
            row.push(Cell::text(how.as_str()));
            rows.push(row);
        }
        for f in &c.figures {
            rows.push(vec![
                Cell::text(f.key),
                Cell::text(f.label),
                Cell::text(f.unit),
                Cell::Number(f64::from(c.earlier_year)),
                rounded_cell(Some(f.earlier)),
                Cell::number(c.current_year.map(f64::from)),
                rounded_cell(Some(f.current)),
                rounded_cell(Some(f.difference)),
                rounded_cell(f.relative_pct),
                Cell::text(how.as_str()),
            ]);
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::change::{Change, Comparison, FigureChange};

    fn bundled_profile(code: &str) -> Profile {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
        let loaded = crate::load::load_dir(&dir).expect("the bundled data loads");
        let code = code.parse().expect("an area code");
        profile::profile(&loaded.dataset, &loaded.analysis, code).expect("a profile")
    }

    /// The three tables of the CSV, each read back: its header and its records.
    fn tables(text: &str) -> Vec<(Vec<String>, Vec<Vec<String>>)> {
        text.split("\n\n")
            .map(|t| {
                let mut r = csv::Reader::from_reader(t.as_bytes());
                let header = r
                    .headers()
                    .expect("a header")
                    .iter()
                    .map(str::to_string)
                    .collect();
                let rows = r
                    .records()
                    .map(|rec| rec.expect("a record").iter().map(str::to_string).collect())
                    .collect();
                (header, rows)
            })
            .collect()
    }

    /// A bridged year with a figure whose label looks like a formula and whose note has a
    /// comma and quotes, and a year that cannot be compared.
    fn two_changes() -> Vec<Change> {
        vec![
            Change {
                earlier_year: 2017,
                current_year: Some(2022),
                comparison: Comparison::Bridged,
                predecessors: vec![],
                how: "samengevoegd uit \"A\", B".into(),
                figures: vec![FigureChange {
                    key: "inwoners",
                    label: "=Inwoners",
                    unit: "aantal",
                    earlier: 100.0,
                    current: 110.5,
                    difference: 10.5,
                    relative_pct: Some(10.5),
                }],
            },
            Change {
                earlier_year: 2015,
                current_year: Some(2022),
                comparison: Comparison::NotComparable {
                    reason: "gesplitst".into(),
                },
                predecessors: vec![],
                how: String::new(),
                figures: vec![],
            },
        ]
    }

    /// Figures, categories and the change over time, each its own table in that order,
    /// a row per figure, category and compared figure; text quoted when it must be and
    /// never a formula.
    #[test]
    fn the_csv_holds_one_table_per_part_of_the_profile() {
        let mut p = bundled_profile("GM0505");
        assert!(!p.figures.is_empty() && !p.categories.is_empty());
        let without_changes = tables(&csv(&p).expect("a CSV"));
        assert_eq!(
            without_changes.len(),
            2,
            "no change table without earlier years"
        );
        p.changes = two_changes();
        let text = csv(&p).expect("a CSV");
        let tables = tables(&text);
        assert_eq!(tables.len(), 3);
        let [(fh, figures), (ch, categories), (dh, changes)] = &tables[..] else {
            unreachable!()
        };
        assert_eq!(fh, &FIGURES_HEADER);
        assert_eq!(ch, &CATEGORIES_HEADER);
        assert_eq!(dh, &CHANGES_HEADER);
        assert_eq!(figures.len(), p.figures.len());
        assert_eq!(categories.len(), p.categories.len());
        for (row, figure) in figures.iter().zip(&p.figures) {
            assert_eq!(row.len(), FIGURES_HEADER.len());
            assert_eq!(
                (row[0].as_str(), row[1].as_str()),
                ("kerncijfer", figure.key)
            );
            assert_eq!(row[4], number(figure.value));
        }
        for (row, category) in categories.iter().zip(&p.categories) {
            assert_eq!(row.len(), CATEGORIES_HEADER.len());
            assert_eq!(
                (row[0].as_str(), row[1].as_str()),
                ("voorziening", category.category)
            );
            assert_eq!(row[8], category.ranked_of.to_string());
        }
        assert_eq!(
            changes,
            &[
                [
                    "ontwikkeling",
                    "inwoners",
                    "'=Inwoners",
                    "aantal",
                    "2017",
                    "100",
                    "2022",
                    "110.5",
                    "10.5",
                    "10.5",
                    "samengevoegd uit \"A\", B",
                ]
                .map(str::to_string)
                .to_vec(),
                [
                    "ontwikkeling",
                    "",
                    "",
                    "",
                    "2015",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "niet vergelijkbaar: gesplitst"
                ]
                .map(str::to_string)
                .to_vec(),
            ]
        );
        // The csv crate quotes the text with a comma and doubles its quotes.
        assert!(
            text.ends_with(",\"samengevoegd uit \"\"A\"\", B\"\nontwikkeling,,,,2015,,,,,,niet vergelijkbaar: gesplitst\n"),
            "{text}"
        );
    }
}
