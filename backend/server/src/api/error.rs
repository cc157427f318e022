//! `ApiError`: every API failure mapped to an HTTP status and a Prometheus-style `errorType`.
//! The detail is logged; the client gets a clean message.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use lookout_types::ApiErrorBody;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The request itself is wrong; retrying it unchanged cannot help.
    #[error("{0}")]
    BadData(String),
    /// Storage is not open yet or is shutting down; retrying later can help.
    #[error("{0}")]
    Unavailable(String),
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, error_type) = match &self {
            ApiError::BadData(_) => (StatusCode::BAD_REQUEST, "bad_data"),
            ApiError::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
        };
        tracing::debug!(%status, error = %self, "API request failed");
        let body = ApiErrorBody {
            status: "error".into(),
            error_type: error_type.into(),
            error: self.to_string(),
        };
        (status, Json(body)).into_response()
    }
}
