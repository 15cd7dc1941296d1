//! Splitting register text into a header and rows: the delimiter detected (or as set),
//! and a wrong delimiter or a broken quote reported with its line and field.

use super::options::Delimiter;

/// A register as rows of trimmed text fields, before any meaning is given to them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Row>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The line (CSV) or sheet row (XLSX) the record starts on, 1-based.
    pub line: u64,
    pub fields: Vec<String>,
}

/// Why the text is not a table we can trust; `line` is 1-based.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableError {
    pub line: u64,
    pub message: String,
}

/// How many records the delimiter detection looks at.
const SNIFF_RECORDS: usize = 20;

pub fn parse(text: &str, declared: Option<Delimiter>) -> Result<Table, TableError> {
    // Excel writes and honours a first line `sep=;`; it is a hint, not the header.
    let (text, sep_hint, offset) = match excel_sep_line(text) {
        Some((delimiter, rest)) => (rest, Some(delimiter), 1),
        None => (text, None, 0),
    };
    let delimiter = declared
        .map(|d| d.0)
        .or(sep_hint)
        .unwrap_or_else(|| sniff(text));
    let mut records = reader(text, delimiter).into_records();
    let header = match records.next() {
        None => {
            return Err(TableError {
                line: 1,
                message: "the file is empty: a register needs a header row".into(),
            })
        }
        Some(Err(e)) => return Err(csv_error(&e, offset)),
        Some(Ok(r)) => r,
    };
    let headers: Vec<String> = header.iter().map(clean_header).collect();
    let lines = Lines::new(text);
    let header_line = lines.of(header.position()) + offset;
    if headers.len() < 2 {
        return Err(one_column(&headers, header_line, delimiter, text));
    }

    let mut rows = Vec::new();
    for record in records {
        let record = record.map_err(|e| csv_error(&e, offset))?;
        let line = lines.of(record.position()) + offset;
        let fields: Vec<String> = record.iter().map(str::to_string).collect();
        if fields.iter().all(String::is_empty) {
            // `;;;;` rows that spreadsheets leave below the data hold nothing to lose.
            continue;
        }
        if fields.len() != headers.len() {
            if let Some(i) = fields.iter().position(|f| f.contains('\n')) {
                return Err(broken_quote(&headers, line, i, &fields[i]));
            }
        }
        rows.push(Row { line, fields });
    }
    if let Some(first) = rows.first() {
        if rows.iter().all(|r| r.fields.len() != headers.len()) {
            return Err(rows_do_not_fit(&headers, first, delimiter));
        }
    }
    Ok(Table { headers, rows })
}

/// Line numbers from byte offsets. The csv crate's own line count lags behind on CRLF
/// files (each `\r\n` ends a record but only one of its bytes is counted as a line),
/// and Excel writes CRLF, so lines are counted here from the byte offset instead.
struct Lines<'a> {
    text: &'a [u8],
    newlines: Vec<usize>,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Self {
        let text = text.as_bytes();
        let newlines = (0..text.len()).filter(|&i| text[i] == b'\n').collect();
        Lines { text, newlines }
    }

    /// The 1-based line a record starts on, skipping the terminator it may start at.
    fn of(&self, position: Option<&csv::Position>) -> u64 {
        let mut byte = position.map_or(0, |p| p.byte() as usize);
        while self
            .text
            .get(byte)
            .is_some_and(|b| matches!(b, b'\r' | b'\n'))
        {
            byte += 1;
        }
        self.newlines.partition_point(|&n| n < byte) as u64 + 1
    }
}

fn reader(text: &str, delimiter: u8) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        // Rows with too few or too many fields are judged per record, not fatal here.
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes())
}

fn excel_sep_line(text: &str) -> Option<(u8, &str)> {
    let (first, rest) = text.split_once('\n').unwrap_or((text, ""));
    let value = first.trim_end_matches('\r').strip_prefix("sep=")?;
    match value.as_bytes() {
        [b] if Delimiter::CANDIDATES.contains(b) => Some((*b, rest)),
        _ => None,
    }
}

/// Headers lose surrounding quotes and spaces and a stray BOM (files concatenated by hand).
fn clean_header(h: &str) -> String {
    h.trim_start_matches('\u{FEFF}').trim().to_string()
}

/// Fields per record for the first few records, with this delimiter.
fn widths(text: &str, delimiter: u8) -> Vec<usize> {
    reader(text, delimiter)
        .into_records()
        .take(SNIFF_RECORDS)
        .filter_map(Result::ok)
        .map(|r| r.len())
        .collect()
}

/// Picks the candidate that splits the header into several columns and the following
/// rows into as many; ties go to the wider header. A comma if nothing splits at all.
fn sniff(text: &str) -> u8 {
    Delimiter::CANDIDATES
        .into_iter()
        .filter_map(|d| {
            let w = widths(text, d);
            let header = *w.first()?;
            let fitting = w[1..].iter().filter(|&&n| n == header).count();
            (header > 1).then_some((fitting, header, d))
        })
        .max_by_key(|&(fitting, header, _)| (fitting, header))
        .map_or(b',', |(_, _, d)| d)
}

/// How another delimiter would split `line`, if it splits it into more columns.
fn better_split(line: &str, delimiter: u8) -> Option<(u8, usize)> {
    Delimiter::CANDIDATES
        .into_iter()
        .filter(|&d| d != delimiter)
        .map(|d| (d, widths(line, d).first().copied().unwrap_or(0)))
        .filter(|&(_, n)| n > 1)
        .max_by_key(|&(_, n)| n)
}

fn one_column(headers: &[String], line: u64, delimiter: u8, text: &str) -> TableError {
    let field = headers.first().map(String::as_str).unwrap_or("");
    let header_text = text.lines().next().unwrap_or("");
    let message = match better_split(header_text, delimiter) {
        Some((d, n)) => format!(
            "field '{field}': the header is a single column when split on {}, but {} splits it into {n} columns; set delimiter = \"{}\" in [source.register] (or leave delimiter out to detect it)",
            Delimiter::describe(delimiter),
            Delimiter::describe(d),
            if d == b'\t' { "tab".to_string() } else { (d as char).to_string() },
        ),
        None => format!(
            "field '{field}': the header has a single column; a register needs at least a name and a location (lat/lon, x/y or postcode) column, separated by , ; | or a tab"
        ),
    };
    TableError { line, message }
}

fn broken_quote(headers: &[String], line: u64, index: usize, value: &str) -> TableError {
    let column = headers
        .get(index)
        .map_or_else(|| format!("column {}", index + 1), |h| format!("'{h}'"));
    let spans = value.matches('\n').count() + 1;
    TableError {
        line,
        message: format!(
            "field {column}: a quoted value runs on over {spans} lines and leaves the row with the wrong number of fields; a quote is probably missing or stray on this line"
        ),
    }
}

fn rows_do_not_fit(headers: &[String], first: &Row, delimiter: u8) -> TableError {
    let raw = first.fields.join(&(delimiter as char).to_string());
    let hint = match better_split(&raw, delimiter) {
        Some((d, n)) if n == headers.len() => format!(
            "; {} splits the rows into {n} columns, so the rows use another delimiter than the header",
            Delimiter::describe(d)
        ),
        _ => String::new(),
    };
    TableError {
        line: first.line,
        message: format!(
            "field '{}': every row has a different number of fields than the {} columns of the header (this row has {}) when split on {}{hint}",
            first.fields.first().map(String::as_str).unwrap_or(""),
            headers.len(),
            first.fields.len(),
            Delimiter::describe(delimiter),
        ),
    }
}

fn csv_error(e: &csv::Error, offset: u64) -> TableError {
    TableError {
        line: e.position().map_or(0, |p| p.line()) + offset,
        message: e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_each_delimiter() {
        for d in [",", ";", "\t", "|"] {
            let text = format!("naam{d}postcode{d}plaats\nA{d}3311 BD{d}Dordrecht\n");
            let t = parse(&text, None).unwrap();
            assert_eq!(t.headers, ["naam", "postcode", "plaats"], "{d:?}");
            assert_eq!(t.rows[0].fields, ["A", "3311 BD", "Dordrecht"]);
            assert_eq!(t.rows[0].line, 2);
        }
    }

    #[test]
    fn decimal_commas_do_not_fool_the_sniffer() {
        let t = parse("naam;lat;lon\nA;52,1;4,5\nB;52,2;4,6\n", None).unwrap();
        assert_eq!(t.rows[1].fields, ["B", "52,2", "4,6"]);
    }

    #[test]
    fn counts_lines_in_crlf_files() {
        let t = parse("a;b\r\nc;d\r\n\r\ne;\"f\r\ng\"\r\nh;i\r\n", None).unwrap();
        let lines: Vec<u64> = t.rows.iter().map(|r| r.line).collect();
        assert_eq!(lines, [2, 4, 6]);
    }

    #[test]
    fn honours_the_excel_sep_line() {
        let t = parse("sep=;\nnaam;plaats\nA;B\n", None).unwrap();
        assert_eq!(t.headers, ["naam", "plaats"]);
        assert_eq!(t.rows[0].line, 3);
    }

    #[test]
    fn wrong_delimiter_names_line_field_and_fix() {
        let err = parse("naam;postcode\nA;3311 BD\n", Some(Delimiter(b','))).unwrap_err();
        assert_eq!(err.line, 1);
        assert!(err.message.contains("delimiter = \";\""), "{}", err.message);
        assert!(err.message.contains("'naam;postcode'"), "{}", err.message);
    }

    #[test]
    fn broken_quote_names_line_and_field() {
        let text = "naam,postcode,plaats\nA,3311 BD,X\n\"B,3312 AA,Y\nC,3313 AA,Z\n";
        let err = parse(text, None).unwrap_err();
        assert_eq!(err.line, 3);
        assert!(err.message.contains("'naam'"), "{}", err.message);
    }
}
