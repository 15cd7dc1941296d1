//! HTTP errors: a status and a JSON body that says what is wrong.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Unauthorized(String),
    /// Our fault, not the request's: logged with its request id by the middleware.
    #[error("{0}")]
    Internal(String),
    /// The server is at a limit (concurrent expensive requests, time): try again later.
    #[error("{message}")]
    Busy { message: String, retry_after_s: u32 },
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = match &self {
            ApiError::NotFound(_) => (StatusCode::NOT_FOUND, "NotFound"),
            ApiError::BadRequest(_) => (StatusCode::BAD_REQUEST, "InvalidParameterValue"),
            ApiError::Unauthorized(_) => (StatusCode::UNAUTHORIZED, "Unauthorized"),
            ApiError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "InternalError"),
            ApiError::Busy { .. } => (StatusCode::SERVICE_UNAVAILABLE, "ServiceUnavailable"),
        };
        let mut response = (
            status,
            Json(json!({ "code": code, "description": bounded(self.to_string()) })),
        )
            .into_response();
        if let ApiError::Busy { retry_after_s, .. } = self {
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from(retry_after_s),
            );
        }
        response
    }
}

/// The most characters of a message an error body repeats: messages quote parameter
/// values, and a 40 KB value of control characters (6 bytes each once escaped) must not
/// make a 240 KB error.
const MAX_MESSAGE_CHARS: usize = 1000;

fn bounded(message: String) -> String {
    match message.char_indices().nth(MAX_MESSAGE_CHARS) {
        Some((cut, _)) => format!("{}… (cut short)", &message[..cut]),
        None => message,
    }
}
