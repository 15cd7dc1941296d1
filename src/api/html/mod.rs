//! Pages a person can browse: the same answers as the JSON routes, as HTML.
//!
//! Written by hand with escaping in one place; every page is plain HTML with one small
//! stylesheet, no script and nothing loaded from elsewhere, so it works on locked-down
//! networks and with screen readers (tables with headers, a labelled map preview).

pub mod accessibility;
pub mod profile;
pub mod svg;

use crate::features::{Collection, Item};
use crate::model::Figure;
use serde_json::Value;
use std::fmt::Write as _;

pub const CONTENT_TYPE: &str = "text/html; charset=utf-8";

pub use crate::text::html as escape;

const STYLE: &str = "body{font:16px/1.5 system-ui,sans-serif;margin:0;color:#1a1a1a;background:#fff}\
header,main,footer{padding:0 1.25rem;max-width:72rem;margin:auto}\
header{border-bottom:1px solid #ccc}nav ol{list-style:none;padding:0;display:flex;gap:.5rem;flex-wrap:wrap}\
header nav li+li:before{content:'›';margin-right:.5rem}a{color:#0b4f8a}a:focus{outline:3px solid #f4a000}\
table{border-collapse:collapse;margin:1rem 0}th,td{border:1px solid #bbb;padding:.25rem .5rem;text-align:left;vertical-align:top}\
th{background:#eef2f6}td.num{text-align:right;font-variant-numeric:tabular-nums}\
.scroll{overflow-x:auto;max-width:100%}.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:#fff}\
svg.preview{width:100%;max-width:640px;border:1px solid #bbb;background:#f7f9fb}\
svg.preview path{fill:#9ecae1;stroke:#08519c;stroke-width:.8;fill-rule:evenodd}svg.preview a:hover path,svg.preview a:focus path{fill:#fdae6b}\
svg.preview circle{fill:#d94801;stroke:#fff;stroke-width:1}footer{border-top:1px solid #ccc;margin-top:2rem;font-size:.9rem;color:#444}";

/// A whole page: breadcrumbs from the landing page, the content, the data's attribution.
pub fn page(
    title: &str,
    crumbs: &[(String, String)],
    main: &str,
    attribution: &[String],
) -> String {
    let mut out = String::with_capacity(main.len() + 4096);
    let _ = write!(
        out,
        r##"<!doctype html><html lang="nl"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>{t} – wijkatlas</title><link rel="icon" href="/web/favicon.svg" type="image/svg+xml"><style>{STYLE}{print}</style></head><body><a class="skip" href="#inhoud">Naar de inhoud</a><header><nav aria-label="Kruimelpad"><ol><li><a href="/?f=html">wijkatlas</a></li>"##,
        t = escape(title),
        print = profile::PRINT_STYLE,
    );
    for (href, label) in crumbs {
        let _ = write!(
            out,
            r#"<li><a href="{}">{}</a></li>"#,
            escape(href),
            escape(label)
        );
    }
    let _ = write!(
        out,
        r#"</ol></nav></header><main id="inhoud"><h1>{}</h1>{main}</main><footer><p>Bronnen: "#,
        escape(title)
    );
    if attribution.is_empty() {
        out.push_str("zie /status");
    } else {
        out.push_str(
            &attribution
                .iter()
                .map(|a| escape(a))
                .collect::<Vec<_>>()
                .join(" · "),
        );
    }
    out.push_str("</p></footer></body></html>");
    out
}

/// A link list item.
pub fn link(href: &str, label: &str) -> String {
    format!(
        r#"<li><a href="{}">{}</a></li>"#,
        escape(href),
        escape(label)
    )
}

/// A property value as table cell text: missing values are shown as such, never as 0.
fn cell(value: Option<&Value>) -> (String, bool) {
    match value {
        None | Some(Value::Null) => ("—".into(), false),
        Some(Value::Number(n)) => (n.to_string(), true),
        Some(Value::String(s)) => (escape(s), false),
        Some(Value::Bool(b)) => ((if *b { "ja" } else { "nee" }).into(), false),
        Some(other) => (escape(&other.to_string()), false),
    }
}

/// The Dutch label and unit of a property, when it is one of the key figures.
pub fn property_label(name: &str) -> Option<String> {
    if let Some((title, _)) = crate::analysis::network::describe(name) {
        return Some(title);
    }
    Figure::ALL.iter().find(|f| f.key() == name).map(|f| {
        let unit = f.quantity().unit();
        if unit.is_empty() {
            f.label().to_string()
        } else {
            format!("{} ({unit})", f.label())
        }
    })
}

/// Names a reader looks for first; the rest follow alphabetically.
const LEADING: [&str; 5] = ["naam", "categorie_naam", "gemeentenaam", "niveau", "jaar"];

/// Columns in reading order: the leading names (those present), then the others; `code`
/// repeats the id and is left out.
pub fn reading_order<'a>(names: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let mut names: Vec<&str> = names.into_iter().filter(|n| *n != "code").collect();
    names.sort_by_key(|n| LEADING.iter().position(|l| l == n).unwrap_or(LEADING.len()));
    names
}

/// The features of a page as a table, one row each, linked to their own pages.
pub fn items_table(c: &Collection, items: &[&Item], columns: &[&str], caption: &str) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<div class="scroll" role="region" aria-label="{cap}" tabindex="0"><table><caption>{cap}</caption><thead><tr><th scope="col">id</th>"#,
        cap = escape(caption)
    );
    for col in columns {
        let title = property_label(col).map(|l| format!(r#" title="{}""#, escape(&l)));
        let _ = write!(
            out,
            r#"<th scope="col"{}>{}</th>"#,
            title.unwrap_or_default(),
            escape(col)
        );
    }
    out.push_str("</tr></thead><tbody>");
    for item in items {
        let _ = write!(
            out,
            r#"<tr><th scope="row"><a href="{}">{}</a></th>"#,
            escape(&item_href(c, &item.id)),
            escape(&item.id)
        );
        for col in columns {
            let (text, numeric) = cell(item.props.get(*col));
            let class = if numeric { r#" class="num""# } else { "" };
            let _ = write!(out, "<td{class}>{text}</td>");
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table></div>");
    out
}

/// One feature's properties as a two-column table with the figures' Dutch labels.
pub fn properties_table(item: &Item) -> String {
    let mut out = String::from(
        r#"<table><caption>Eigenschappen</caption><thead><tr><th scope="col">eigenschap</th><th scope="col">betekenis</th><th scope="col">waarde</th></tr></thead><tbody>"#,
    );
    for name in reading_order(item.props.keys().map(String::as_str)) {
        let value = item.props.get(name);
        let (text, numeric) = cell(value);
        let class = if numeric { r#" class="num""# } else { "" };
        let _ = write!(
            out,
            r#"<tr><th scope="row">{}</th><td>{}</td><td{class}>{text}</td></tr>"#,
            escape(name),
            escape(&property_label(name).unwrap_or_default())
        );
    }
    out.push_str("</tbody></table>");
    out
}

/// A feature page's address: ids such as `osm:node/1` keep their slash inside one
/// path segment.
pub fn item_href(c: &Collection, id: &str) -> String {
    format!(
        "/collections/{}/items/{}?f=html",
        super::percent::encode(c.id),
        super::percent::encode(id)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_values_are_shown_as_missing_not_zero() {
        assert_eq!(cell(Some(&Value::Null)).0, "—");
        assert_eq!(cell(None).0, "—");
        assert_eq!(cell(Some(&serde_json::json!(0))).0, "0");
    }

    #[test]
    fn page_carries_language_title_and_attribution() {
        let html = page(
            "Wijken",
            &[("/collections?f=html".into(), "Collecties".into())],
            "<p>x</p>",
            &["© CBS".into()],
        );
        assert!(html.starts_with("<!doctype html><html lang=\"nl\">"));
        assert!(html.contains("<title>Wijken – wijkatlas</title>"));
        assert!(html.contains("© CBS"));
    }
}
