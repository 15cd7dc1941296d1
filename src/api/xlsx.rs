//! A minimal Office Open XML workbook (`.xlsx`): sheets of text and number cells with a
//! bold, frozen header row. Written by hand over the `zip` crate that `calamine` already
//! brings in, so the download costs no new dependency (a full writer such as
//! `rust_xlsxwriter` adds a large crate and a newer minimum Rust for what is a table).

use std::fmt::Write as _;
use std::io::{Cursor, Write as _};
use zip::write::SimpleFileOptions;
use zip::CompressionMethod;

pub const CONTENT_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Number(f64),
    Empty,
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }

    /// A missing figure stays an empty cell, never 0.
    pub fn number(v: Option<f64>) -> Cell {
        match v {
            Some(v) if v.is_finite() => Cell::Number(v),
            _ => Cell::Empty,
        }
    }
}

pub struct Sheet {
    /// At most 31 characters, none of `[]:*?/\` (Excel's rule for sheet names).
    pub name: &'static str,
    /// The first row is the header.
    pub rows: Vec<Vec<Cell>>,
    /// Column widths in characters, from the first column; the rest get Excel's default.
    pub widths: Vec<f64>,
}

use crate::text::xml;

/// `A`, `B`, …, `Z`, `AA`, …: the column letters of a 0-based index.
fn column(mut i: usize) -> String {
    let mut letters = Vec::new();
    loop {
        letters.push(b'A' + (i % 26) as u8);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    letters.iter().rev().map(|&b| b as char).collect()
}

fn sheet_xml(sheet: &Sheet) -> String {
    let mut out = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>"#,
    );
    if !sheet.widths.is_empty() {
        out.push_str("<cols>");
        for (i, w) in sheet.widths.iter().enumerate() {
            let _ = write!(
                out,
                r#"<col min="{n}" max="{n}" width="{w}" customWidth="1"/>"#,
                n = i + 1
            );
        }
        out.push_str("</cols>");
    }
    out.push_str("<sheetData>");
    for (r, row) in sheet.rows.iter().enumerate() {
        let _ = write!(out, r#"<row r="{}">"#, r + 1);
        // Style 1 is the bold header (see `STYLES`).
        let style = if r == 0 { r#" s="1""# } else { "" };
        for (c, cell) in row.iter().enumerate() {
            let at = format!("{}{}", column(c), r + 1);
            match cell {
                Cell::Text(t) => {
                    let _ = write!(
                        out,
                        r#"<c r="{at}" t="inlineStr"{style}><is><t xml:space="preserve">{}</t></is></c>"#,
                        xml(t)
                    );
                }
                Cell::Number(v) => {
                    let _ = write!(out, r#"<c r="{at}"{style}><v>{v}</v></c>"#);
                }
                Cell::Empty => {}
            }
        }
        out.push_str("</row>");
    }
    out.push_str("</sheetData></worksheet>");
    out
}

const STYLES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>"#;

/// The workbook as the bytes of an `.xlsx` file.
pub fn workbook(sheets: &[Sheet]) -> Result<Vec<u8>, zip::result::ZipError> {
    let mut types = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>"#,
    );
    let mut book = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>"#,
    );
    let mut rels = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
    );
    for (i, s) in sheets.iter().enumerate() {
        let n = i + 1;
        let _ = write!(
            types,
            r#"<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>"#
        );
        let _ = write!(
            book,
            r#"<sheet name="{}" sheetId="{n}" r:id="rId{n}"/>"#,
            xml(s.name)
        );
        let _ = write!(
            rels,
            r#"<Relationship Id="rId{n}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{n}.xml"/>"#
        );
    }
    types.push_str("</Types>");
    book.push_str("</sheets></workbook>");
    let _ = write!(
        rels,
        r#"<Relationship Id="rId{}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"#,
        sheets.len() + 1
    );

    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    let mut part = |name: &str, body: &str| -> Result<(), zip::result::ZipError> {
        zip.start_file(name, options)?;
        zip.write_all(body.as_bytes())?;
        Ok(())
    };
    part("[Content_Types].xml", &types)?;
    part(
        "_rels/.rels",
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
    )?;
    part("xl/workbook.xml", &book)?;
    part("xl/_rels/workbook.xml.rels", &rels)?;
    part("xl/styles.xml", STYLES)?;
    for (i, s) in sheets.iter().enumerate() {
        part(&format!("xl/worksheets/sheet{}.xml", i + 1), &sheet_xml(s))?;
    }
    Ok(zip.finish()?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{Data, Reader, Xlsx};

    #[test]
    fn column_letters_go_past_z() {
        assert_eq!(column(0), "A");
        assert_eq!(column(25), "Z");
        assert_eq!(column(26), "AA");
        assert_eq!(column(27), "AB");
        assert_eq!(column(701), "ZZ");
        assert_eq!(column(702), "AAA");
    }

    #[test]
    fn calamine_reads_back_text_numbers_and_gaps() {
        let bytes = workbook(&[
            Sheet {
                name: "Kerncijfers",
                rows: vec![
                    vec![Cell::text("code"), Cell::text("waarde")],
                    vec![Cell::text("a & <b> \u{1}"), Cell::Number(24.5)],
                    vec![Cell::text("leeg"), Cell::number(None)],
                ],
                widths: vec![20.0],
            },
            Sheet {
                name: "Tweede",
                rows: vec![vec![Cell::Number(-3.0)]],
                widths: vec![],
            },
        ])
        .expect("a workbook");
        let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).expect("open");
        assert_eq!(book.sheet_names(), ["Kerncijfers", "Tweede"]);
        let first = book.worksheet_range("Kerncijfers").expect("sheet");
        assert_eq!(first.get((1, 0)), Some(&Data::String("a & <b> ".into())));
        assert_eq!(first.get((1, 1)), Some(&Data::Float(24.5)));
        assert!(matches!(first.get((2, 1)), None | Some(Data::Empty)));
        let second = book.worksheet_range("Tweede").expect("sheet");
        assert_eq!(second.get((0, 0)), Some(&Data::Float(-3.0)));
    }
}
