//! Excel workbooks (`.xlsx`): one worksheet read as a table, via `calamine`.

use super::table::{Row, Table};
use calamine::{Reader, Xlsx};
use std::io::Cursor;

/// Reads `sheet` (or the first sheet): the first non-empty row is the header.
///
/// Cells become text as Excel would show them unformatted (`52.1234`, `3`), so the
/// rest of the reader treats a workbook exactly like a CSV export of it.
pub fn parse(bytes: &[u8], sheet: Option<&str>) -> Result<Table, String> {
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| e.to_string())?;
    let names = workbook.sheet_names();
    let name = match sheet {
        Some(s) => names
            .iter()
            .find(|n| n.eq_ignore_ascii_case(s))
            .cloned()
            .ok_or_else(|| format!("no worksheet '{s}' (sheets: {})", names.join(", ")))?,
        None => names
            .first()
            .cloned()
            .ok_or_else(|| "the workbook has no worksheets".to_string())?,
    };
    let range = workbook
        .worksheet_range(&name)
        .map_err(|e| format!("worksheet '{name}': {e}"))?;
    let first_row = range.start().map_or(0, |(r, _)| u64::from(r));
    let mut rows = range.rows().enumerate().filter_map(|(i, cells)| {
        let fields: Vec<String> = cells
            .iter()
            .map(|c| c.to_string().trim().to_string())
            .collect();
        (!fields.iter().all(String::is_empty)).then(|| Row {
            // Excel numbers its rows from 1.
            line: first_row + i as u64 + 1,
            fields,
        })
    });
    let header = rows
        .next()
        .ok_or_else(|| format!("worksheet '{name}' is empty: a register needs a header row"))?;
    Ok(Table {
        headers: header.fields,
        rows: rows.collect(),
    })
}
