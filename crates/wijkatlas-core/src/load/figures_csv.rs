//! Key figures from a CSV with codes (a CBS StatLine export, a gemeente's own monitor),
//! joined by code onto areas that another source has drawn.

use super::areas::{code_columns, find_column, read_properties};
use super::error::SourceError;
use super::report::{Action, Issue, SourceReport};
use super::values;
use crate::model::{Area, AreaCode, AreaLevel};
use std::collections::HashMap;
use std::path::Path;

pub struct FiguresSource<'a> {
    pub path: &'a Path,
    pub level: AreaLevel,
    pub code_field: Option<&'a str>,
}

/// The delimiter of the header line: Dutch exports use `;` as often as `,`.
fn sniff_delimiter(header: &str) -> u8 {
    [b';', b'\t', b',', b'|']
        .into_iter()
        .max_by_key(|d| header.bytes().filter(|b| b == d).count())
        .unwrap_or(b',')
}

/// Sets the figures of each row on the loaded area with its code; a figure in the CSV
/// replaces one the geometry source had, which is what a user adding newer figures wants.
pub fn apply(
    src: &FiguresSource<'_>,
    areas: &mut [Area],
    report: &mut SourceReport,
) -> Result<(), SourceError> {
    let io = |source| SourceError::Io {
        path: src.path.to_path_buf(),
        source,
    };
    let bytes = std::fs::read(src.path).map_err(io)?;
    let text = String::from_utf8(bytes).map_err(|e| SourceError::Csv {
        path: src.path.to_path_buf(),
        line: 1 + e.as_bytes()[..e.utf8_error().valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u64,
        message: "not UTF-8 text (save the export as UTF-8)".into(),
    })?;
    let text = text.trim_start_matches('\u{feff}');
    let delimiter = sniff_delimiter(text.lines().next().unwrap_or(""));
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| SourceError::Csv {
            path: src.path.to_path_buf(),
            line: 1,
            message: e.to_string(),
        })?
        .clone();
    let by_code: HashMap<AreaCode, usize> =
        areas.iter().enumerate().map(|(i, a)| (a.code, i)).collect();

    for (i, row) in reader.records().enumerate() {
        let line = i as u64 + 2;
        let row = row.map_err(|e| SourceError::Csv {
            path: src.path.to_path_buf(),
            line,
            message: e.to_string(),
        })?;
        report.read += 1;
        report.kept += 1;
        let props: serde_json::Map<String, serde_json::Value> = headers
            .iter()
            .zip(row.iter())
            .map(|(h, v)| (h.to_string(), serde_json::Value::String(v.to_string())))
            .collect();
        let reject = |report: &mut SourceReport,
                      id: Option<String>,
                      field: Option<&str>,
                      problem: String| {
            report.issue(Issue {
                record: line,
                id,
                field: field.map(str::to_string),
                action: Action::Rejected,
                problem,
            })
        };
        let Some((code_col, code_value)) =
            find_column(&props, src.code_field, code_columns(src.level))
        else {
            return Err(SourceError::MissingColumn {
                path: src.path.to_path_buf(),
                column: src
                    .code_field
                    .unwrap_or("a CBS code column (e.g. buurtcode)")
                    .to_string(),
                found: headers.iter().collect::<Vec<_>>().join(", "),
            });
        };
        let code_text = values::text(code_value).unwrap_or_default();
        let code = match AreaCode::parse_at(&code_text, src.level) {
            Ok(c) => c,
            Err(e) => {
                reject(report, Some(code_text), Some(code_col), e.to_string());
                continue;
            }
        };
        let Some(&index) = by_code.get(&code) else {
            reject(
                report,
                Some(code.to_string()),
                Some(code_col),
                format!(
                    "no loaded {} has this code, so its figures have nowhere to go",
                    src.level
                ),
            );
            continue;
        };
        let area = &mut areas[index];
        let mut figures = area.figures.clone();
        read_properties(
            &props,
            |c| c == code_col,
            line,
            code,
            &mut figures,
            &mut area.extra,
            report,
        );
        // Only figures present in the CSV replace the area's own.
        for (figure, value) in figures.present() {
            area.figures.set(figure, Some(value));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_the_usual_delimiters() {
        assert_eq!(sniff_delimiter("buurtcode;aantal_inwoners;65plus"), b';');
        assert_eq!(sniff_delimiter("buurtcode,aantal_inwoners"), b',');
        assert_eq!(sniff_delimiter("buurtcode\tinwoners"), b'\t');
    }
}
