//! `GET /profiles/{code}`: an area's profile (see `analysis::profile`) as JSON, or as
//! CSV (`f=csv`) for a spreadsheet: one row per figure and per category.

use super::{html, negotiate};
use super::{ApiError, AppState};
use crate::analysis::profile::{self, Profile, Reference};
use crate::features::Format;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::Json;
use std::sync::Arc;

pub async fn profile(
    State(state): State<Arc<AppState>>,
    Path(code): Path<String>,
    Query(pairs): Query<Vec<(String, String)>>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    if let Some((k, _)) = pairs.iter().find(|(k, _)| k != "f") {
        return Err(ApiError::BadRequest(format!(
            "unknown parameter '{k}'; this route takes: f"
        )));
    }
    let format = negotiate::format(
        &pairs,
        &headers,
        &[Format::GeoJson, Format::Csv, Format::Html],
    )?;
    let code = code
        .parse()
        .map_err(|e: crate::model::InvalidAreaCode| ApiError::BadRequest(e.to_string()))?;
    let s = state.snapshot();
    let attribution = super::attributions(&s.dataset);
    // Every figure against every area of its level: CPU work off the async workers.
    let made = tokio::task::spawn_blocking(move || profile::profile(&s.dataset, &s.analysis, code))
        .await
        .map_err(|e| ApiError::Internal(format!("the profile could not be made: {e}")))?;
    let Some(p) = made else {
        return Err(ApiError::NotFound(format!(
            "no loaded area has the code {code}; see /collections"
        )));
    };
    Ok(match format {
        Format::Csv => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"profiel-{}.csv\"", p.code),
                ),
            ],
            csv(&p),
        )
            .into_response(),
        Format::Html => (
            [(header::CONTENT_TYPE, html::CONTENT_TYPE)],
            html::page(
                &format!("Profiel van {}", p.name),
                &[],
                &html::profile::page_body(&p),
                &attribution,
            ),
        )
            .into_response(),
        Format::GeoJson => Json(p).into_response(),
    })
}

fn field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn number(v: Option<f64>) -> String {
    v.map(|v| format!("{}", (v * 1000.0).round() / 1000.0))
        .unwrap_or_default()
}

fn reference(r: &Option<Reference>) -> [String; 2] {
    match r {
        Some(r) => [number(Some(r.value)), field(&r.how)],
        None => [String::new(), String::new()],
    }
}

/// Figures and categories in one table, told apart by the first column.
fn csv(p: &Profile) -> String {
    let mut out = String::from(
        "onderdeel,code,naam,eenheid,waarde,wijk,wijk_bron,gemeente,gemeente_bron,nederland,nederland_bron,stand,z,jaar,bron\n",
    );
    for r in &p.figures {
        let [w, wh] = reference(&r.wijk);
        let [g, gh] = reference(&r.gemeente);
        let [n, nh] = reference(&r.nederland);
        let row = [
            "kerncijfer".to_string(),
            r.key.to_string(),
            field(r.label),
            field(r.unit),
            number(r.value),
            w,
            wh,
            g,
            gh,
            n,
            nh,
            r.standing_label.unwrap_or("").to_string(),
            number(r.z),
            r.year.map(|y| y.to_string()).unwrap_or_default(),
            field(r.source.as_deref().unwrap_or("")),
        ];
        out.push_str(&row.join(","));
        out.push('\n');
    }
    out.push_str("\nonderdeel,categorie,naam,dichtstbij_m,binnen_1km,binnen_3km,binnen_5km,rang,van,gap,reden\n");
    for c in &p.categories {
        let row = [
            "voorziening".to_string(),
            c.category.to_string(),
            field(c.label),
            number(c.nearest_m),
            c.within_1km.to_string(),
            c.within_3km.to_string(),
            c.within_5km.to_string(),
            c.rank.map(|r| r.to_string()).unwrap_or_default(),
            c.ranked_of.to_string(),
            number(c.gap),
            field(c.reason.as_deref().unwrap_or("")),
        ];
        out.push_str(&row.join(","));
        out.push('\n');
    }
    out
}
