//! Cross-origin requests (CORS): which web pages on other sites may call the API.
//!
//! Every header value is made once, when the server starts, and added by the `edge`
//! step. tower-http's `CorsLayer` built its `Vary` and `Access-Control-Expose-Headers`
//! values anew for every answer, which cost `/health` about a tenth of its rate.

use axum::http::header::{
    ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_EXPOSE_HEADERS, ACCESS_CONTROL_MAX_AGE, ACCESS_CONTROL_REQUEST_METHOD, ORIGIN,
    VARY,
};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse as _, Response};

/// Which origins may read answers.
#[derive(Debug, Clone)]
enum Allowed {
    /// Any: the layers are open data (the default).
    Any,
    /// Only these, each answered with its own name.
    Origins(Vec<HeaderValue>),
}

/// The CORS policy of a server, its header values made ahead.
#[derive(Debug, Clone)]
pub struct Cors {
    allowed: Allowed,
    expose: HeaderValue,
    methods: HeaderValue,
    headers: HeaderValue,
    max_age: HeaderValue,
}

/// Headers a script on another site may read: the ETag to revalidate, the ids to
/// report an error or tell snapshots apart, and the CRS of the coordinates.
const EXPOSED: &str = "etag, x-request-id, x-wijkatlas-snapshot, content-crs";

/// A browser keeps a preflight's answer this long (seconds) before asking again.
const PREFLIGHT_MAX_AGE_S: &str = "600";

impl Cors {
    /// Any origin when `origins` is empty; only those named otherwise (values that are
    /// not valid header values are left out: they could never match a browser's
    /// `Origin`).
    pub fn new(origins: &[String]) -> Cors {
        let named: Vec<HeaderValue> = origins
            .iter()
            .filter_map(|o| HeaderValue::from_str(o.trim_end_matches('/')).ok())
            .collect();
        let any = named.is_empty();
        Cors {
            allowed: if any {
                Allowed::Any
            } else {
                Allowed::Origins(named)
            },
            expose: HeaderValue::from_static(EXPOSED),
            // The API reads with GET (and HEAD) and takes JSON by POST on the analysis
            // routes; it asks for no credentials, so `*` is honoured by browsers.
            methods: HeaderValue::from_static(if any { "*" } else { "GET, HEAD, POST" }),
            headers: HeaderValue::from_static(if any {
                "*"
            } else {
                "content-type, accept, if-none-match"
            }),
            max_age: HeaderValue::from_static(PREFLIGHT_MAX_AGE_S),
        }
    }

    /// The origins named, as answered (without a trailing `/`); empty: any origin.
    pub fn origins(&self) -> Vec<&str> {
        match &self.allowed {
            Allowed::Any => Vec::new(),
            Allowed::Origins(named) => named.iter().filter_map(|o| o.to_str().ok()).collect(),
        }
    }

    /// The answer to a preflight (an `OPTIONS` request naming the method a script
    /// wants to use), or `None` when the request is not one and goes to its route.
    pub fn preflight(&self, method: &Method, request: &HeaderMap) -> Option<Response> {
        if *method != Method::OPTIONS || !request.contains_key(ACCESS_CONTROL_REQUEST_METHOD) {
            return None;
        }
        let mut response = StatusCode::NO_CONTENT.into_response();
        let headers = response.headers_mut();
        self.allow(request.get(ORIGIN), headers);
        headers.insert(ACCESS_CONTROL_ALLOW_METHODS, self.methods.clone());
        headers.insert(ACCESS_CONTROL_ALLOW_HEADERS, self.headers.clone());
        headers.insert(ACCESS_CONTROL_MAX_AGE, self.max_age.clone());
        Some(response)
    }

    /// Adds the CORS headers to an answer to a request from `origin`.
    pub fn answer(&self, origin: Option<&HeaderValue>, response: &mut HeaderMap) {
        if self.allow(origin, response) {
            response.insert(ACCESS_CONTROL_EXPOSE_HEADERS, self.expose.clone());
        }
    }

    /// Sets `Access-Control-Allow-Origin` when `origin` may read the answer; says so.
    fn allow(&self, origin: Option<&HeaderValue>, response: &mut HeaderMap) -> bool {
        match &self.allowed {
            Allowed::Any => {
                response.insert(ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
                true
            }
            Allowed::Origins(named) => {
                // The answer differs by origin, so a shared cache must keep them apart.
                response.append(VARY, HeaderValue::from_static("origin"));
                match origin.filter(|o| named.contains(o)) {
                    Some(o) => {
                        response.insert(ACCESS_CONTROL_ALLOW_ORIGIN, o.clone());
                        true
                    }
                    None => false,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(method: &str, origin: Option<&str>) -> HeaderMap {
        let mut h = HeaderMap::new();
        if let Some(o) = origin {
            h.insert(ORIGIN, HeaderValue::from_str(o).expect("an origin"));
        }
        if !method.is_empty() {
            h.insert(
                ACCESS_CONTROL_REQUEST_METHOD,
                HeaderValue::from_str(method).expect("a method"),
            );
        }
        h
    }

    fn get<'a>(h: &'a HeaderMap, name: &axum::http::HeaderName) -> Option<&'a str> {
        h.get(name).and_then(|v| v.to_str().ok())
    }

    #[test]
    fn any_origin_reads_every_answer_and_its_exposed_headers() {
        let cors = Cors::new(&[]);
        let mut answer = HeaderMap::new();
        cors.answer(None, &mut answer);
        assert_eq!(get(&answer, &ACCESS_CONTROL_ALLOW_ORIGIN), Some("*"));
        let exposed = get(&answer, &ACCESS_CONTROL_EXPOSE_HEADERS).expect("exposed headers");
        for name in [
            "etag",
            "x-request-id",
            "x-wijkatlas-snapshot",
            "content-crs",
        ] {
            assert!(
                exposed.split(", ").any(|e| e == name),
                "{name} in {exposed}"
            );
        }
        assert_eq!(get(&answer, &VARY), None, "one answer for every origin");
    }

    #[test]
    fn named_origins_are_echoed_and_others_are_not_allowed() {
        let cors = Cors::new(&["https://gemeente.example/".to_string()]);
        let mut answer = HeaderMap::new();
        let theirs = HeaderValue::from_static("https://gemeente.example");
        cors.answer(Some(&theirs), &mut answer);
        assert_eq!(
            get(&answer, &ACCESS_CONTROL_ALLOW_ORIGIN),
            Some("https://gemeente.example")
        );
        assert!(answer.contains_key(ACCESS_CONTROL_EXPOSE_HEADERS));
        assert_eq!(get(&answer, &VARY), Some("origin"));
        let mut other = HeaderMap::new();
        cors.answer(
            Some(&HeaderValue::from_static("https://elders.example")),
            &mut other,
        );
        assert_eq!(get(&other, &ACCESS_CONTROL_ALLOW_ORIGIN), None);
        assert_eq!(get(&other, &ACCESS_CONTROL_EXPOSE_HEADERS), None);
        assert_eq!(get(&other, &VARY), Some("origin"));
    }

    #[test]
    fn a_preflight_is_answered_and_other_requests_go_on() {
        let cors = Cors::new(&[]);
        let answer = cors
            .preflight(
                &Method::OPTIONS,
                &request("POST", Some("https://a.example")),
            )
            .expect("a preflight");
        assert_eq!(answer.status(), StatusCode::NO_CONTENT);
        let h = answer.headers();
        assert_eq!(get(h, &ACCESS_CONTROL_ALLOW_ORIGIN), Some("*"));
        assert_eq!(get(h, &ACCESS_CONTROL_ALLOW_METHODS), Some("*"));
        assert_eq!(get(h, &ACCESS_CONTROL_ALLOW_HEADERS), Some("*"));
        assert_eq!(get(h, &ACCESS_CONTROL_MAX_AGE), Some(PREFLIGHT_MAX_AGE_S));
        // An OPTIONS without Access-Control-Request-Method is not a preflight, and a GET
        // never is.
        assert!(cors
            .preflight(&Method::OPTIONS, &request("", None))
            .is_none());
        assert!(cors
            .preflight(&Method::GET, &request("GET", None))
            .is_none());
    }

    #[test]
    fn a_preflight_from_an_origin_not_named_gets_no_allowance() {
        let cors = Cors::new(&["https://gemeente.example".to_string()]);
        let answer = cors
            .preflight(
                &Method::OPTIONS,
                &request("POST", Some("https://x.example")),
            )
            .expect("a preflight");
        let h = answer.headers();
        assert_eq!(get(h, &ACCESS_CONTROL_ALLOW_ORIGIN), None);
        assert_eq!(
            get(h, &ACCESS_CONTROL_ALLOW_METHODS),
            Some("GET, HEAD, POST")
        );
    }
}
