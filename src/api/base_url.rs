//! The server's own address as the client used it, for absolute links in JSON.
//!
//! Clients such as OWSLib fetch `href`s as they are, so a relative `/api` fails there;
//! the address comes from the request (`Host`, and `X-Forwarded-Proto`/`-Host` when a
//! proxy in front sets them), so every replica and proxy gives working links.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderName};
use serde_json::Value;
use std::convert::Infallible;

/// `scheme://host[:port]`, without a trailing slash. Made only by
/// [`BaseUrl::from_headers`] from a [`plausible_host`], so it holds ASCII letters,
/// digits and `-.:[]_/` alone: it goes into JSON strings and HTML attributes as it is.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BaseUrl(String);

/// A host name with an optional port: no slashes, spaces or other URL parts.
fn plausible_host(h: &str) -> bool {
    !h.is_empty()
        && h.len() <= 255
        && h.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-.:[]_".contains(&b))
}

impl BaseUrl {
    pub fn from_headers(headers: &HeaderMap) -> BaseUrl {
        // Names as constants and the address pushed together: asked twice per request
        // (ETag and links), the header names parsed from text and a `format!` were a
        // tenth of a small page's own work.
        const FORWARDED_HOST: HeaderName = HeaderName::from_static("x-forwarded-host");
        const FORWARDED_PROTO: HeaderName = HeaderName::from_static("x-forwarded-proto");
        let get = |name: &HeaderName| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.split(',').next())
                .map(str::trim)
        };
        let host = get(&FORWARDED_HOST)
            .filter(|h| plausible_host(h))
            .or_else(|| get(&header::HOST).filter(|h| plausible_host(h)))
            .unwrap_or("localhost");
        let scheme = match get(&FORWARDED_PROTO) {
            Some(p) if p.eq_ignore_ascii_case("https") => "https://",
            _ => "http://",
        };
        let mut base = String::with_capacity(scheme.len() + host.len());
        base.push_str(scheme);
        base.push_str(host);
        BaseUrl(base)
    }

    /// `scheme://host`, for URLs outside `href` members (TileJSON's `tiles`).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Makes every `"href": "/…"` in `value` absolute.
    pub fn absolutise(&self, value: &mut Value) {
        match value {
            Value::Object(map) => {
                for (k, v) in map.iter_mut() {
                    match v {
                        Value::String(s) if k == "href" && s.starts_with('/') => {
                            *s = format!("{}{s}", self.0);
                        }
                        _ => self.absolutise(v),
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|v| self.absolutise(v)),
            _ => {}
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for BaseUrl {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(BaseUrl::from_headers(&parts.headers))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;
    use serde_json::json;

    #[test]
    fn links_use_the_address_the_client_used() {
        let mut h = HeaderMap::new();
        h.insert("host", HeaderValue::from_static("127.0.0.1:8080"));
        let base = BaseUrl::from_headers(&h);
        assert_eq!(base.0, "http://127.0.0.1:8080");
        let mut doc =
            json!({ "links": [{ "href": "/api" }, { "href": "https://x/y" }], "href": "rel" });
        base.absolutise(&mut doc);
        assert_eq!(doc["links"][0]["href"], "http://127.0.0.1:8080/api");
        assert_eq!(doc["links"][1]["href"], "https://x/y");
        assert_eq!(doc["href"], "rel");
        h.insert("x-forwarded-proto", HeaderValue::from_static("https"));
        h.insert(
            "x-forwarded-host",
            HeaderValue::from_static("wijkatlas.example.nl"),
        );
        assert_eq!(BaseUrl::from_headers(&h).0, "https://wijkatlas.example.nl");
        // A forged host with a path cannot inject into links.
        h.insert("x-forwarded-host", HeaderValue::from_static("evil/x?"));
        assert_eq!(BaseUrl::from_headers(&h).0, "https://127.0.0.1:8080");
    }
}
