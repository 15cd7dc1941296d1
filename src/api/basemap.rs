//! `/basemap/{z}/{x}/{y}`: the tiles of a self-hosted basemap file (`--basemap-file`).

use super::{ApiError, AppState};
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// The URL template the web map is given for the self-hosted basemap.
pub const TILES_PATH: &str = "/basemap/{z}/{x}/{y}";

pub async fn tile(
    State(state): State<Arc<AppState>>,
    Path((z, x, y)): Path<(String, String, String)>,
) -> Result<Response, ApiError> {
    let Some(file) = state.web().basemap_file.clone() else {
        return Err(ApiError::NotFound(
            "this server serves no basemap of its own (see --basemap-file)".into(),
        ));
    };
    let (z, x, y) = crate::basemap::tile_address(&z, &x, &y).map_err(ApiError::BadRequest)?;
    // SQLite reads block: off the async workers. One indexed lookup, so no deadline.
    let content_type = file.format.content_type();
    let found = tokio::task::spawn_blocking(move || file.tile(z, x, y))
        .await
        .map_err(|e| ApiError::Internal(format!("the basemap read stopped: {e}")))?
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let mut response = match found {
        Some(bytes) => ([(header::CONTENT_TYPE, content_type)], bytes).into_response(),
        // No tile here (sea, or past the file's edge): nothing to draw, not an error.
        None => StatusCode::NO_CONTENT.into_response(),
    };
    // A basemap file changes only with a restart.
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=86400"),
    );
    Ok(response)
}
