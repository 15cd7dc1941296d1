//! Text written into other languages' syntax — HTML, XML, SQL identifiers — and numbers
//! written the Dutch way. One place for each, so a fix to one reaches every writer.

/// HTML text and attribute values (double- or single-quoted).
pub fn html(text: &str) -> String {
    markup(text, "&#39;", |_| true)
}

/// XML 1.0 text: the five escapes, and the control characters XML does not allow
/// dropped (tab and line ends stay).
pub fn xml(text: &str) -> String {
    markup(text, "&apos;", |c| {
        (c as u32) >= 0x20 || matches!(c, '\t' | '\n' | '\r')
    })
}

/// The markup escapes, with the language's own apostrophe, keeping the characters
/// `allowed` accepts.
fn markup(text: &str, apostrophe: &str, allowed: impl Fn(char) -> bool) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars().filter(|c| allowed(*c)) {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str(apostrophe),
            _ => out.push(ch),
        }
    }
    out
}

/// An SQL identifier (table or column name) in double quotes, as SQLite and PostgreSQL
/// read it: a quote inside is doubled.
pub fn sql_identifier(identifier: &str) -> String {
    format!("\"{}\"", identifier.replace('"', "\"\""))
}

/// A number as Dutch text: a dot between thousands, a decimal comma, `decimals` places.
/// The sign stands once, before the digits ("-123.456", never "-.123.456").
pub fn dutch_number(value: f64, decimals: usize) -> String {
    let text = format!("{value:.decimals$}");
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let (sign, digits) = int.strip_prefix('-').map_or(("", int), |d| ("-", d));
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push('.');
        }
        grouped.push(ch);
    }
    if frac.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped},{frac}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escapes_markup_and_both_quotes() {
        assert_eq!(
            html(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn xml_drops_the_control_characters_it_cannot_hold() {
        assert_eq!(xml("a\u{1}b\tc & 'd'"), "ab\tc &amp; &apos;d&apos;");
    }

    #[test]
    fn sql_identifiers_double_their_quotes() {
        assert_eq!(sql_identifier("naam"), "\"naam\"");
        assert_eq!(sql_identifier("a\"b"), "\"a\"\"b\"");
    }

    #[test]
    fn dutch_numbers_group_thousands_and_keep_the_sign_in_front() {
        assert_eq!(dutch_number(1_234_567.891, 2), "1.234.567,89");
        assert_eq!(dutch_number(-123_456.0, 0), "-123.456");
        assert_eq!(dutch_number(-999.0, 0), "-999");
        assert_eq!(dutch_number(0.5, 1), "0,5");
        assert_eq!(dutch_number(12.0, 0), "12");
    }
}
