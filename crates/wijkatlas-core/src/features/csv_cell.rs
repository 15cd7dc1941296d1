//! CSV cells a spreadsheet will not run as formulas (OWASP's rule on CSV injection): a
//! cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading
//! apostrophe. Spreadsheets drop a leading tab when they open a file, so `\t=1+1` is a
//! formula too. A plain number such as `-3.5` is left as it is.

use std::borrow::Cow;

pub fn neutralise(cell: &str) -> Cow<'_, str> {
    let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if !risky || (cell.trim() == cell && cell.parse::<f64>().is_ok_and(f64::is_finite)) {
        Cow::Borrowed(cell)
    } else {
        Cow::Owned(format!("'{cell}"))
    }
}

#[cfg(test)]
mod tests {
    use super::neutralise;

    #[test]
    fn formulas_are_neutralised_and_numbers_kept() {
        for (cell, want) in [
            (
                "=HYPERLINK(\"http://x\",\"y\")",
                "'=HYPERLINK(\"http://x\",\"y\")",
            ),
            ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
            ("+31 6", "'+31 6"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("-2+3", "'-2+3"),
            ("\t=1+1", "'\t=1+1"),
            ("\r=1+1", "'\r=1+1"),
            ("-inf", "'-inf"),
            ("-3.5", "-3.5"),
            ("+4", "+4"),
            ("Utrecht", "Utrecht"),
            ("", ""),
        ] {
            assert_eq!(neutralise(cell), want, "{cell:?}");
        }
    }
}
