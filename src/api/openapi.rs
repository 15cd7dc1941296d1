//! The OpenAPI 3.0 document at `/api`, written from the same tables the server reads.
//!
//! The items parameters come from [`ITEMS_PARAMETERS`] (which the query parser uses),
//! the collections, their property filters and feature ids from the served snapshot,
//! and the conformance list from the one the server answers with; so the document
//! describes this server as it runs, and `schemathesis` checks the answers against it.

use super::base_url::BaseUrl;
use super::features::{CONFORMANCE, OPENAPI};
use super::Snapshot;
use crate::features::{Collection, ParameterValue, ITEMS_PARAMETERS};
use serde_json::{json, Map, Value};

fn f_parameter(offered: &[&str]) -> Value {
    json!({
        "name": "f", "in": "query", "required": false,
        "description": "Encoding of the answer; without it, a browser's Accept: text/html gets html.",
        "schema": { "type": "string", "enum": offered },
    })
}

fn parameter_schema(value: ParameterValue) -> (Value, Option<(&'static str, bool)>) {
    match value {
        ParameterValue::Count { min, max, default } => {
            let mut s = json!({ "type": "integer", "minimum": min });
            if let Some(m) = max {
                s["maximum"] = json!(m);
            }
            if let Some(d) = default {
                s["default"] = json!(d);
            }
            (s, None)
        }
        ParameterValue::OneOf(words) => (json!({ "type": "string", "enum": words }), None),
        ParameterValue::Numbers { min, max } => (
            json!({ "type": "array", "minItems": min, "maxItems": max, "items": { "type": "number" } }),
            Some(("form", false)),
        ),
        ParameterValue::List => (
            json!({ "type": "array", "items": { "type": "string" } }),
            Some(("form", false)),
        ),
        ParameterValue::Text => (json!({ "type": "string" }), None),
        ParameterValue::Pattern(p) => (json!({ "type": "string", "pattern": p }), None),
    }
}

fn items_parameters(c: &Collection) -> Vec<Value> {
    let mut out: Vec<Value> = ITEMS_PARAMETERS
        .iter()
        // Only collections with reference years take `datetime`.
        .filter(|p| p.name != "datetime" || !c.years.is_empty())
        .map(|p| {
            let (schema, style) = parameter_schema(p.value);
            let mut v = json!({
                "name": p.name, "in": "query", "required": false,
                "description": p.description, "schema": schema,
            });
            if let Some((style, explode)) = style {
                v["style"] = json!(style);
                v["explode"] = json!(explode);
            }
            v
        })
        .collect();
    for (name, kind) in &c.queryables {
        // The parser reads every filter value as text and compares it by the property's type.
        out.push(json!({
            "name": name, "in": "query", "required": false,
            "description": format!("Only features whose '{name}' ({kind}) equals this value; text compares without regard to case."),
            "schema": { "type": "string" },
        }));
    }
    out
}

fn error_responses(codes: &[u16]) -> Map<String, Value> {
    codes
        .iter()
        .map(|code| {
            let description = match code {
                400 => "A parameter cannot be honoured; the description says which and why.",
                401 => "The bearer token is missing or wrong.",
                404 => "No such collection, feature or route.",
                409 => "The new data failed validation; the old data is still served.",
                503 => "The server is at a limit (the request time, or expensive requests running and waiting); Retry-After says when to try again.",
                _ => "Error",
            };
            (
                code.to_string(),
                json!({ "description": description, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Exception" } } } }),
            )
        })
        .collect()
}

fn operation(summary: &str, parameters: Vec<Value>, ok: Value, errors: &[u16]) -> Value {
    let mut responses = error_responses(errors);
    // Any route may outrun the time limit; expensive ones may find no turn.
    responses.extend(error_responses(&[503]));
    responses.insert("200".into(), ok);
    json!({ "summary": summary, "parameters": parameters, "responses": responses })
}

fn json_or_html(description: &str, schema: &str) -> Value {
    json!({
        "description": description,
        "content": {
            "application/json": { "schema": { "$ref": format!("#/components/schemas/{schema}") } },
            "text/html": { "schema": { "type": "string" } },
        },
    })
}

fn content_crs_header() -> Value {
    json!({ "Content-Crs": { "description": "The CRS of the coordinates, as <URI>.", "schema": { "type": "string" } } })
}

fn collection_paths(c: &Collection, paths: &mut Map<String, Value>) {
    let items = format!("/collections/{}/items", c.id);
    let mut ok = json!({
        "description": format!("{}: a page of features", c.title),
        "headers": content_crs_header(),
        "content": {
            "application/geo+json": { "schema": { "$ref": "#/components/schemas/FeatureCollection" } },
            "text/html": { "schema": { "type": "string" } },
            "text/csv": { "schema": { "type": "string" } },
        },
    });
    ok["headers"]["OAPI-Number-Matched"] =
        json!({ "description": "numberMatched, on CSV answers", "schema": { "type": "integer" } });
    paths.insert(
        items.clone(),
        json!({ "get": operation(
            &format!("Features of {}", c.title),
            items_parameters(c),
            ok,
            &[400],
        ) }),
    );
    let ids: Vec<&str> = c.items.iter().map(|i| i.id.as_str()).take(1).collect();
    let crs = ITEMS_PARAMETERS
        .iter()
        .find(|p| p.name == "crs")
        .map(|p| parameter_schema(p.value).0)
        .unwrap_or_else(|| json!({ "type": "string" }));
    paths.insert(
        format!("{items}/{{featureId}}"),
        json!({ "get": operation(
            &format!("One feature of {}", c.title),
            vec![
                json!({ "name": "featureId", "in": "path", "required": true,
                        "description": "The CBS code or facility id.",
                        "schema": { "type": "string" }, "example": ids.first().copied().unwrap_or("") }),
                json!({ "name": "crs", "in": "query", "required": false, "schema": crs }),
                f_parameter(&["json", "html"]),
            ],
            json!({
                "description": "The feature",
                "headers": content_crs_header(),
                "content": {
                    "application/geo+json": { "schema": { "$ref": "#/components/schemas/Feature" } },
                    "text/html": { "schema": { "type": "string" } },
                },
            }),
            &[400, 404],
        ) }),
    );
}

fn query(name: &str, description: &str, schema: Value) -> Value {
    json!({ "name": name, "in": "query", "required": false, "description": description, "schema": schema })
}

/// The analysis routes under `/api/…` (see `super::analysis`).
fn analysis_paths(s: &Snapshot, paths: &mut Map<String, Value>) {
    let niveau = niveau_parameter(s);
    let routes = [
        ("/api/nearest", nearest_operation()),
        ("/api/isochrone", isochrone_operation()),
        ("/api/within", within_operation()),
        (
            "/api/area-at",
            operation(
                "The gemeente, wijk and buurt at a point, with their key figures",
                point_parameters(),
                analysis_ok("Coarsest first"),
                &[400],
            ),
        ),
        ("/api/housing", housing_operation(niveau.clone())),
        (
            "/api/access",
            operation(
                "E2SFCA access score of every area for one category",
                vec![categorie_parameter("One category (required)."), niveau],
                analysis_ok("One score per area; null where nothing is in reach"),
                &[400],
            ),
        ),
        ("/api/zoek", zoek_operation()),
    ];
    for (path, get) in routes {
        paths.insert(path.into(), json!({ "get": get }));
    }
}

/// A JSON object answer of an analysis route.
fn analysis_ok(description: &str) -> Value {
    json!({ "description": description, "content": { "application/json": { "schema": { "type": "object" } } } })
}

fn range(min: f64, max: f64) -> Value {
    json!({ "type": "number", "minimum": min, "maximum": max })
}

/// The point a route asks about: lon/lat or RD x/y, each bounded to the Netherlands.
fn point_parameters() -> Vec<Value> {
    use crate::crs::{RD_DOMAIN, WGS84_DOMAIN};
    let (wgs84, rd) = (WGS84_DOMAIN, RD_DOMAIN);
    [
        (
            "lon",
            "Longitude (WGS84), with lat; the point must lie in a loaded area.",
            wgs84.min_x,
            wgs84.max_x,
        ),
        (
            "lat",
            "Latitude (WGS84), with lon.",
            wgs84.min_y,
            wgs84.max_y,
        ),
        (
            "x",
            "RD New x (EPSG:28992, metres), with y; instead of lon/lat.",
            rd.min_x,
            rd.max_x,
        ),
        (
            "y",
            "RD New y (EPSG:28992, metres), with x.",
            rd.min_y,
            rd.max_y,
        ),
    ]
    .map(|(name, description, min, max)| query(name, description, range(min, max)))
    .to_vec()
}

fn categorie_parameter(what: &str) -> Value {
    query(
        "categorie",
        what,
        json!({ "type": "string", "example": "huisarts" }),
    )
}

/// `niveau`, offering the levels the snapshot has areas of.
fn niveau_parameter(s: &Snapshot) -> Value {
    let levels: Vec<String> = crate::model::AreaLevel::ALL
        .into_iter()
        .filter(|l| !s.dataset.areas(*l).is_empty())
        .map(|l| l.to_string())
        .collect();
    query(
        "niveau",
        "Area level (default: the finest level covering every loaded gemeente).",
        json!({ "type": "string", "enum": levels }),
    )
}

fn nearest_operation() -> Value {
    use crate::analysis::proximity::MAX_K;
    let mut parameters = point_parameters();
    parameters.push(query(
        "k",
        "How many (default 5).",
        json!({ "type": "integer", "minimum": 1, "maximum": MAX_K, "default": 5 }),
    ));
    parameters.push(categorie_parameter(
        "Only these categories, comma-separated (default: all).",
    ));
    operation(
        "The k nearest voorzieningen to a point, with straight-line and estimated road distance",
        parameters,
        analysis_ok("Nearest first"),
        &[400],
    )
}

fn isochrone_operation() -> Value {
    let mut parameters = point_parameters();
    parameters.push(query(
        "minuten",
        "Minutes of travel (default 15).",
        json!({ "type": "number", "exclusiveMinimum": true, "minimum": 0, "maximum": 60, "default": 15 }),
    ));
    parameters.push(query(
        "modus",
        "lopen (foot, the default), fietsen (bicycle) or auto (car).",
        json!({ "type": "string", "enum": ["lopen", "fietsen", "auto", "foot", "bicycle", "car"] }),
    ));
    operation(
        "The roads and paths reachable from a point within t minutes along the network (GeoJSON lines); 404 when no road network is loaded",
        parameters,
        analysis_ok("A FeatureCollection of one MultiLineString"),
        &[400, 404],
    )
}

fn within_operation() -> Value {
    use crate::analysis::proximity::MAX_RADIUS_M;
    let mut parameters = point_parameters();
    parameters.push(query("radius", "Radius in metres (required).", json!({ "type": "number", "exclusiveMinimum": true, "minimum": 0, "maximum": MAX_RADIUS_M })));
    parameters.push(categorie_parameter(
        "Only these categories, comma-separated (default: all).",
    ));
    parameters.push(query(
        "limit",
        "Page size (default 100).",
        json!({ "type": "integer", "minimum": 1, "maximum": 1000, "default": 100 }),
    ));
    parameters.push(query(
        "offset",
        "Results to skip.",
        json!({ "type": "integer", "minimum": 0, "default": 0 }),
    ));
    operation(
        "Every voorziening within a radius, nearest first, paged",
        parameters,
        analysis_ok("Nearest first"),
        &[400],
    )
}

fn housing_operation(niveau: Value) -> Value {
    operation(
        "The share of corporation-owned dwellings per area against the 30% target",
        vec![
            niveau,
            query(
                "doel",
                "Target share in percent (default 30).",
                json!({ "type": "number", "minimum": 0, "maximum": 100, "default": 30 }),
            ),
        ],
        analysis_ok("Largest shortfall first"),
        &[400],
    )
}

fn zoek_operation() -> Value {
    use crate::analysis::search::{MAX_HITS, MAX_QUERY_CHARS};
    operation(
        "Places in the loaded data by PC4 postcode or area name (the resident page's search when PDOK is out of reach); the text is not logged",
        vec![
            query("q", "A postcode (`3741`, `3741 AB`) or (part of) a gemeente, wijk or buurt name (required).", json!({ "type": "string", "minLength": 1, "maxLength": MAX_QUERY_CHARS, "example": "Baarn" })),
            query("limit", "How many (default 10).", json!({ "type": "integer", "minimum": 1, "maximum": MAX_HITS, "default": 10 })),
        ],
        analysis_ok("Postcodes first, then names that start with the text, then names that contain it"),
        &[400],
    )
}

/// `/profiles/{code}` (see `super::profiles`): the JSON is `Profile`, the rest are the
/// page and the downloads.
fn profile_paths(s: &Snapshot, paths: &mut Map<String, Value>) {
    let example = crate::analysis::default_level(&s.dataset)
        .and_then(|l| s.dataset.areas(l).first())
        .map(|a| a.code.to_string())
        .unwrap_or_else(|| "GM0505".into());
    paths.insert(
        "/profiles/{code}".into(),
        json!({ "get": operation(
            "An area's profile: every key figure beside its wijk, gemeente and the Netherlands, the voorzieningen per category with the gap rank, housing against the 30% target",
            vec![
                json!({ "name": "code", "in": "path", "required": true,
                        "description": "A loaded gemeente, wijk or buurt code (GM0505, WK050501, BU03080000); another string is a 404.",
                        "schema": { "type": "string" }, "example": example }),
                f_parameter(&super::profiles::ENCODINGS),
            ],
            json!({
                "description": "The profile; csv and xlsx come as a download (Content-Disposition: attachment)",
                "content": {
                    "application/json": { "schema": { "$ref": "#/components/schemas/Profile" } },
                    "text/html": { "schema": { "type": "string" } },
                    "text/csv": { "schema": { "type": "string" } },
                    super::xlsx::CONTENT_TYPE: { "schema": { "type": "string", "format": "binary" } },
                },
            }),
            &[400, 404],
        ) }),
    );
}

/// One area inside a profile's area (`analysis::profile::SubareaRow`); its own
/// function to stay within `json!`'s recursion limit.
fn subarea_schema() -> Value {
    let number = || json!({ "type": "number", "nullable": true });
    let category = json!({ "type": "object", "required": ["category", "nearest_m", "rank"], "properties": {
        "category": { "type": "string" }, "nearest_m": number(),
        "rank": { "type": "integer", "minimum": 1, "nullable": true } } });
    json!({ "type": "object", "required": ["code", "name", "inwoners", "pct_65plus", "categories"], "properties": {
        "code": { "type": "string" }, "name": { "type": "string" }, "inwoners": number(), "pct_65plus": number(),
        "categories": { "type": "array", "items": category } } })
}

/// The JSON of a profile, as `analysis::profile::Profile` serialises it.
fn profile_schemas() -> Value {
    let number = || json!({ "type": "number", "nullable": true });
    let text = || json!({ "type": "string", "nullable": true });
    let reference = || json!({ "allOf": [{ "$ref": "#/components/schemas/ProfileReference" }], "nullable": true });
    let code_and_name = json!({ "type": "array", "items": { "type": "string" }, "minItems": 2, "maxItems": 2, "nullable": true,
                                "description": "[code, name]" });
    let levels = json!(["gemeente", "wijk", "buurt"]);
    json!({
        "ProfileReference": {
            "type": "object", "required": ["value", "how"],
            "properties": { "value": { "type": "number" }, "how": { "type": "string", "description": "How the reference was found, in words, with its year" },
                            "year": { "type": "integer", "nullable": true, "description": "The reference year of this figure, when its areas state one" } },
        },
        "ProfileSubarea": subarea_schema(),
        "ProfileFigure": {
            "type": "object", "required": ["key", "label", "unit", "value", "wijk", "gemeente", "nederland", "standing"],
            "properties": {
                "key": { "type": "string" }, "label": { "type": "string" }, "unit": { "type": "string" },
                "value": number(), "wijk": reference(), "gemeente": reference(), "nederland": reference(),
                "standing": { "type": "string", "nullable": true, "enum": ["well_below", "below", "around", "above", "well_above", null] },
                "standing_label": text(), "z": number(), "standing_among": text(),
                "year": { "type": "integer", "nullable": true }, "source": text(),
            },
        },
        "ProfileCategory": {
            "type": "object", "required": ["category", "label", "nearest_m", "within_1km", "within_3km", "within_5km", "rank", "ranked_of"],
            "properties": {
                "category": { "type": "string" }, "label": { "type": "string" },
                "nearest_m": number(),
                "within_1km": { "type": "number", "minimum": 0 }, "within_3km": { "type": "number", "minimum": 0 },
                "within_5km": { "type": "number", "minimum": 0 },
                "people_beyond": number(), "threshold_m": { "type": "number" },
                "dekking": { "type": "string", "enum": ["binnen", "rand", "buiten"] },
                "dekking_omschrijving": { "type": "string" }, "vraag_basis": { "type": "string" },
                "toegang_bron": { "type": "string" },
                "cbs_afstand_km": number(), "cbs_niveau": { "type": "string", "nullable": true, "enum": ["gemeente", "wijk", "buurt", null] },
                "rank": { "type": "integer", "minimum": 1, "nullable": true }, "ranked_of": { "type": "integer", "minimum": 0 },
                "gap": number(), "reason": text(),
                "nearest_gemeente": reference(), "nearest_nederland": reference(),
            },
        },
        "Profile": {
            "type": "object",
            "required": ["code", "name", "level", "wijk", "gemeente", "figures", "categories", "housing", "housing_caveat", "housing_target_pct"],
            "properties": {
                "code": { "type": "string" }, "name": { "type": "string" },
                "level": { "type": "string", "enum": levels },
                "wijk": code_and_name, "gemeente": code_and_name,
                "figures": { "type": "array", "items": { "$ref": "#/components/schemas/ProfileFigure" } },
                "categories": { "type": "array", "items": { "$ref": "#/components/schemas/ProfileCategory" } },
                "housing": { "type": "object", "required": ["status"], "properties": {
                    "status": { "type": "string", "enum": ["meets", "below", "insufficient_data"] },
                    "share_pct": { "type": "number" }, "gap_pct_points": { "type": "number" },
                    "dwellings_short": { "type": "integer", "nullable": true } } },
                "housing_caveat": { "type": "string" }, "housing_target_pct": { "type": "number" },
                "analysis_level": { "type": "string", "nullable": true, "enum": ["gemeente", "wijk", "buurt", null] },
                "subareas": { "type": "array", "description": "The loaded areas one level down inside this one",
                              "items": { "$ref": "#/components/schemas/ProfileSubarea" } },
                "need": { "type": "object", "required": ["index", "components", "missing"], "properties": {
                    "index": number(),
                    "components": { "type": "array", "items": { "type": "array", "items": {} } },
                    "missing": { "type": "array", "items": { "type": "string" } } } },
                "changes": { "type": "array", "items": { "type": "object" }, "description": "Against each earlier year loaded for this level, newest first" },
            },
        },
    })
}

fn schemas() -> Value {
    let link = json!({
        "type": "object", "required": ["href"],
        "properties": { "href": { "type": "string" }, "rel": { "type": "string" },
                        "type": { "type": "string" }, "title": { "type": "string" } },
    });
    json!({
        "Link": link,
        "Exception": {
            "type": "object", "required": ["code", "description"],
            "properties": { "code": { "type": "string" }, "description": { "type": "string" },
                            "requestId": { "type": "string" } },
        },
        "LandingPage": {
            "type": "object", "required": ["links"],
            "properties": { "title": { "type": "string" }, "description": { "type": "string" },
                            "links": { "type": "array", "items": { "$ref": "#/components/schemas/Link" } },
                            "attribution": { "type": "array", "items": { "type": "string" } } },
        },
        "Conformance": {
            "type": "object", "required": ["conformsTo"],
            "properties": { "conformsTo": { "type": "array", "items": { "type": "string" } } },
        },
        "Collection": {
            "type": "object", "required": ["id", "links"],
            "properties": {
                "id": { "type": "string" }, "title": { "type": "string" }, "description": { "type": "string" },
                "itemType": { "type": "string" }, "numberOfFeatures": { "type": "integer", "minimum": 0 },
                "crs": { "type": "array", "items": { "type": "string" } }, "storageCrs": { "type": "string" },
                "extent": { "type": "object" },
                "links": { "type": "array", "items": { "$ref": "#/components/schemas/Link" } },
            },
        },
        "Collections": {
            "type": "object", "required": ["collections", "links"],
            "properties": {
                "links": { "type": "array", "items": { "$ref": "#/components/schemas/Link" } },
                "crs": { "type": "array", "items": { "type": "string" } },
                "collections": { "type": "array", "items": { "$ref": "#/components/schemas/Collection" } },
            },
        },
        "Queryables": {
            "type": "object", "required": ["type", "properties"],
            "properties": { "type": { "type": "string" }, "title": { "type": "string" },
                            "properties": { "type": "object" } },
        },
        "Geometry": {
            "type": "object", "required": ["type", "coordinates"],
            "properties": { "type": { "type": "string", "enum": ["Point", "MultiPolygon"] },
                            "coordinates": { "type": "array" } },
        },
        "Feature": {
            "type": "object", "required": ["type", "geometry", "properties"],
            "properties": {
                "type": { "type": "string", "enum": ["Feature"] },
                "id": { "oneOf": [{ "type": "string" }, { "type": "integer" }] },
                "geometry": { "allOf": [{ "$ref": "#/components/schemas/Geometry" }], "nullable": true },
                "properties": { "type": "object", "nullable": true },
            },
        },
        "FeatureCollection": {
            "type": "object", "required": ["type", "features"],
            "properties": {
                "type": { "type": "string", "enum": ["FeatureCollection"] },
                "features": { "type": "array", "items": { "$ref": "#/components/schemas/Feature" } },
                "links": { "type": "array", "items": { "$ref": "#/components/schemas/Link" } },
                "numberMatched": { "type": "integer", "minimum": 0 },
                "numberReturned": { "type": "integer", "minimum": 0 },
            },
        },
    })
}

/// The whole document for the snapshot being served.
pub fn document(s: &Snapshot, admin_enabled: bool, base: &BaseUrl) -> Value {
    let mut paths = Map::new();
    let page = |summary: &str, schema: &str| json!({ "get": operation(summary, vec![f_parameter(&["json", "html"])], json_or_html(summary, schema), &[400]) });
    paths.insert("/".into(), page("Landing page", "LandingPage"));
    paths.insert(
        "/conformance".into(),
        page("Conformance classes", "Conformance"),
    );
    paths.insert(
        "/collections".into(),
        page("The collections", "Collections"),
    );
    paths.insert(
        "/api".into(),
        json!({ "get": operation(
            "This document",
            vec![f_parameter(&["json", "html"])],
            json!({ "description": "The OpenAPI 3.0 document", "content": {
                OPENAPI: { "schema": { "type": "object" } },
                "text/html": { "schema": { "type": "string" } },
            } }),
            &[400],
        ) }),
    );
    let ids: Vec<&str> = s.collections.iter().map(|c| c.id).collect();
    let collection_id = json!({ "name": "collectionId", "in": "path", "required": true,
                                "schema": { "type": "string", "enum": ids } });
    paths.insert(
        "/collections/{collectionId}".into(),
        json!({ "get": operation("One collection", vec![collection_id.clone(), f_parameter(&["json", "html"])],
                                 json_or_html("The collection", "Collection"), &[400, 404]) }),
    );
    paths.insert(
        "/collections/{collectionId}/queryables".into(),
        json!({ "get": operation(
            "The properties a collection can be filtered on (JSON Schema)",
            vec![collection_id, f_parameter(&["json", "html"])],
            json!({ "description": "The queryables", "content": {
                "application/schema+json": { "schema": { "$ref": "#/components/schemas/Queryables" } },
                "text/html": { "schema": { "type": "string" } },
            } }),
            &[400, 404],
        ) }),
    );
    for c in &s.collections {
        collection_paths(c, &mut paths);
    }
    paths.insert(
        "/health".into(),
        json!({ "get": operation("Liveness", vec![], json!({ "description": "The process is up", "content": { "application/json": { "schema": {
            "type": "object", "required": ["status"], "properties": { "status": { "type": "string", "enum": ["ok"] } } } } } }), &[]) }),
    );
    paths.insert(
        "/status".into(),
        json!({ "get": operation("The loaded data: snapshot id, sources, validation report", vec![], json!({ "description": "Status", "content": { "application/json": { "schema": {
            "type": "object", "required": ["snapshot", "sources", "report"],
            "properties": { "snapshot": { "type": "string" }, "loaded_at": { "type": "integer" },
                            "sources": { "type": "array" }, "report": { "type": "object" }, "reloads": { "type": "object" } } } } } }), &[]) }),
    );
    analysis_paths(s, &mut paths);
    profile_paths(s, &mut paths);
    if admin_enabled {
        let mut responses = error_responses(&[400, 401, 409]);
        responses.insert("200".into(), json!({ "description": "The new data is served", "content": { "application/json": { "schema": { "type": "object" } } } }));
        responses.insert("202".into(), json!({ "description": "The reload runs on as a background job; poll the URL in Location (and status_url)", "content": { "application/json": { "schema": { "type": "object" } } } }));
        paths.insert(
            "/admin/reload".into(),
            json!({ "post": { "summary": "Reload the data directory as a background job", "security": [{ "bearer": [] }],
                "parameters": [{ "name": "wait", "in": "query", "description": "Wait for the outcome for up to three quarters of the request time limit (default true)", "schema": { "type": "boolean" } }],
                "responses": responses } }),
        );
        let mut responses = error_responses(&[401, 404]);
        responses.insert("200".into(), json!({ "description": "The job: running, or done with its outcome", "content": { "application/json": { "schema": { "type": "object" } } } }));
        paths.insert(
            "/admin/reload/{job}".into(),
            json!({ "get": { "summary": "A reload job", "security": [{ "bearer": [] }],
                "parameters": [{ "name": "job", "in": "path", "required": true, "schema": { "type": "integer" } }],
                "responses": responses } }),
        );
    }
    let mut all_schemas = schemas();
    if let (Some(all), Value::Object(more)) = (all_schemas.as_object_mut(), profile_schemas()) {
        all.extend(more);
    }
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "wijkatlas",
            "version": env!("CARGO_PKG_VERSION"),
            "description": format!(
                "Care and welfare facilities against need per buurt, wijk and gemeente, as OGC API – Features. Collections: {}. Conformance: {}.",
                s.collections.iter().map(|c| c.id).collect::<Vec<_>>().join(", "),
                CONFORMANCE.join(", ")
            ),
            "license": { "name": "Data: see /status for each source's licence (CBS: CC BY 4.0, OpenStreetMap: ODbL)" },
        },
        "servers": [{ "url": base.as_str() }],
        "paths": paths,
        "components": {
            "schemas": all_schemas,
            "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer" } },
        },
    })
}

/// The document as a page: each path with its summary and parameters.
pub fn page_body(doc: &Value) -> String {
    use super::html::escape;
    let mut main = String::from(
        r#"<p>Het machineleesbare document staat op <a href="/api?f=json">/api</a> (OpenAPI 3.0).</p>"#,
    );
    let Some(paths) = doc["paths"].as_object() else {
        return main;
    };
    for (path, item) in paths {
        let Some(ops) = item.as_object() else {
            continue;
        };
        for (method, op) in ops {
            main.push_str(&format!(
                "<h2><code>{} {}</code></h2><p>{}</p>",
                method.to_uppercase(),
                escape(path),
                escape(op["summary"].as_str().unwrap_or(""))
            ));
            let params = op["parameters"]
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or(&[]);
            if params.is_empty() {
                continue;
            }
            main.push_str(r#"<div class="scroll" role="region" aria-label="parameters" tabindex="0"><table><thead><tr><th scope="col">parameter</th><th scope="col">in</th><th scope="col">waarde</th><th scope="col">betekenis</th></tr></thead><tbody>"#);
            for p in params {
                main.push_str(&format!(
                    r#"<tr><th scope="row"><code>{}</code></th><td>{}</td><td><code>{}</code></td><td>{}</td></tr>"#,
                    escape(p["name"].as_str().unwrap_or("")),
                    escape(p["in"].as_str().unwrap_or("")),
                    escape(&p["schema"].to_string()),
                    escape(p["description"].as_str().unwrap_or(""))
                ));
            }
            main.push_str("</tbody></table></div>");
        }
    }
    main
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bundled() -> Snapshot {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
        Snapshot::new(crate::load::load_dir(&dir).expect("the bundled data loads"))
    }

    /// Every analysis route with the parameters it reads, each with a schema, and the
    /// errors it may answer.
    #[test]
    fn every_analysis_route_lists_its_parameters() {
        let s = bundled();
        let mut paths = Map::new();
        analysis_paths(&s, &mut paths);
        let point = ["lon", "lat", "x", "y"];
        let expected: [(&str, Vec<&str>, &[&str]); 7] = [
            (
                "/api/nearest",
                [&point[..], &["k", "categorie"]].concat(),
                &["400", "503"],
            ),
            (
                "/api/isochrone",
                [&point[..], &["minuten", "modus"]].concat(),
                &["400", "404", "503"],
            ),
            (
                "/api/within",
                [&point[..], &["radius", "categorie", "limit", "offset"]].concat(),
                &["400", "503"],
            ),
            ("/api/area-at", point.to_vec(), &["400", "503"]),
            ("/api/housing", vec!["niveau", "doel"], &["400", "503"]),
            ("/api/access", vec!["categorie", "niveau"], &["400", "503"]),
            ("/api/zoek", vec!["q", "limit"], &["400", "503"]),
        ];
        assert_eq!(paths.len(), expected.len());
        for (path, parameters, errors) in expected {
            let get = &paths[path]["get"];
            let names: Vec<&str> = get["parameters"]
                .as_array()
                .expect("parameters")
                .iter()
                .map(|p| {
                    assert!(p["schema"].is_object(), "{path}: {p}");
                    p["name"].as_str().expect("a name")
                })
                .collect();
            assert_eq!(names, parameters, "{path}");
            let responses = get["responses"].as_object().expect("responses");
            let mut codes: Vec<&str> = responses.keys().map(String::as_str).collect();
            codes.retain(|c| *c != "200");
            assert_eq!(codes, errors, "{path}");
            assert!(!get["summary"].as_str().unwrap_or("").is_empty(), "{path}");
        }
        let niveau = &paths["/api/access"]["get"]["parameters"][1]["schema"]["enum"];
        assert_eq!(niveau, &json!(["gemeente", "wijk", "buurt"]));
        assert_eq!(
            paths["/api/nearest"]["get"]["parameters"][0]["schema"]["minimum"],
            json!(crate::crs::WGS84_DOMAIN.min_x)
        );
    }
}
