//! Which encoding a request gets: `f=` when given, otherwise the Accept header.

use super::ApiError;
use crate::features::Format;
use axum::http::{header, HeaderMap};

/// Whether the client would rather read a page than data: a browser lists `text/html`
/// first, while GIS clients and scripts ask for JSON or anything (`*/*`), which gets JSON.
pub fn prefers_html(headers: &HeaderMap) -> bool {
    let Some(accept) = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let mut html: Option<(f32, usize)> = None;
    let mut json: Option<(f32, usize)> = None;
    for (position, range) in accept.split(',').enumerate() {
        let mut parts = range.split(';');
        let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = parts
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|v| v.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        let slot = match media.as_str() {
            "text/html" | "application/xhtml+xml" => &mut html,
            "application/json" | "application/geo+json" | "application/schema+json" | "*/*" => {
                &mut json
            }
            _ => continue,
        };
        if slot.is_none_or(|(best, _)| q > best) {
            *slot = Some((q, position));
        }
    }
    match (html, json) {
        (Some((hq, _)), None) => hq > 0.0,
        (Some((hq, hp)), Some((jq, jp))) => hq > jq || (hq == jq && hp < jp),
        _ => false,
    }
}

/// The encoding for a route that offers `offered`: `f` decides, else the Accept header.
pub fn format(
    pairs: &[(String, String)],
    headers: &HeaderMap,
    offered: &[Format],
) -> Result<Format, ApiError> {
    let asked = pairs
        .iter()
        .find(|(k, _)| k == "f")
        .map(|(_, v)| v.as_str());
    match asked {
        Some(name) => {
            let names: Vec<&str> = offered.iter().map(|f| f.name()).collect();
            offered
                .iter()
                .copied()
                .find(|f| {
                    name.eq_ignore_ascii_case(f.name())
                        || (*f == Format::GeoJson && name.eq_ignore_ascii_case("geojson"))
                })
                .ok_or_else(|| {
                    ApiError::BadRequest(format!(
                        "parameter 'f': '{name}' is not offered here ({})",
                        names.join(", ")
                    ))
                })
        }
        None if offered.contains(&Format::Html) && prefers_html(headers) => Ok(Format::Html),
        None => Ok(Format::GeoJson),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn accept(v: &'static str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT, HeaderValue::from_static(v));
        h
    }

    #[test]
    fn browsers_get_pages_and_clients_get_json() {
        assert!(prefers_html(&accept(
            "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
        )));
        assert!(!prefers_html(&accept(
            "application/geo+json, application/json"
        )));
        assert!(!prefers_html(&accept("*/*")));
        assert!(!prefers_html(&HeaderMap::new()));
        assert!(!prefers_html(&accept("application/json, text/html;q=0.5")));
        assert!(!prefers_html(&accept("text/html;q=0")));
    }

    #[test]
    fn f_wins_over_accept_and_unknown_f_is_refused() {
        let pairs = vec![("f".to_string(), "json".to_string())];
        let all = [Format::GeoJson, Format::Html];
        assert_eq!(
            format(&pairs, &accept("text/html"), &all).ok(),
            Some(Format::GeoJson)
        );
        let csv = vec![("f".to_string(), "csv".to_string())];
        assert!(format(&csv, &HeaderMap::new(), &all).is_err());
    }
}
