//! `ApiError`: every API failure mapped to an HTTP status and a Prometheus-style `errorType`.
//! The detail is logged; the client gets a clean message.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use lookout_types::ApiErrorBody;

use crate::metrics::QueryError;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The request itself is wrong; retrying it unchanged cannot help.
    #[error("{0}")]
    BadData(String),
    /// Storage is not open yet or is shutting down; retrying later can help.
    #[error("{0}")]
    Unavailable(String),
    /// The request was valid but could not be carried out (Prometheus's `execution`).
    #[error("{0}")]
    Execution(String),
    /// The request ran past its deadline.
    #[error("{0}")]
    Timeout(String),
    /// The request body is larger than allowed; the message names the limit.
    #[error("{0}")]
    TooLarge(String),
    /// What the request names does not exist (an alert, an action).
    #[error("{0}")]
    NotFound(String),
    /// No credentials, or wrong ones.
    #[error("{0}")]
    Unauthorized(String),
    /// The caller is known but may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// The change clashes with what is there (a user that exists, the last admin).
    #[error("{0}")]
    Conflict(String),
    /// Too many failed sign-ins lately; the caller may try again after this many seconds.
    #[error("{message}")]
    TooManyRequests { message: String, retry_after_s: u64 },
}

impl From<QueryError> for ApiError {
    fn from(err: QueryError) -> Self {
        match err {
            QueryError::BadData(m) => ApiError::BadData(m),
            QueryError::Execution(m) => ApiError::Execution(m),
            QueryError::Timeout(m) => ApiError::Timeout(m),
            QueryError::Unavailable(m) => ApiError::Unavailable(m),
        }
    }
}

impl From<lookout_auth::AuthError> for ApiError {
    fn from(err: lookout_auth::AuthError) -> Self {
        use lookout_auth::AuthError;
        match err {
            AuthError::Invalid(m) => ApiError::BadData(m),
            AuthError::NotFound(m) => ApiError::NotFound(m),
            AuthError::Conflict(m) => ApiError::Conflict(m),
            err @ AuthError::Io(_) => ApiError::Execution(err.to_string()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, error_type) = match &self {
            ApiError::BadData(_) => (StatusCode::BAD_REQUEST, "bad_data"),
            ApiError::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
            ApiError::Execution(_) => (StatusCode::UNPROCESSABLE_ENTITY, "execution"),
            ApiError::Timeout(_) => (StatusCode::SERVICE_UNAVAILABLE, "timeout"),
            ApiError::TooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "bad_data"),
            ApiError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            ApiError::Unauthorized(_) => (StatusCode::UNAUTHORIZED, "unauthorized"),
            ApiError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
            ApiError::Conflict(_) => (StatusCode::CONFLICT, "conflict"),
            ApiError::TooManyRequests { .. } => (StatusCode::TOO_MANY_REQUESTS, "too_many_requests"),
        };
        let retry_after = match &self {
            ApiError::TooManyRequests { retry_after_s, .. } => Some(*retry_after_s),
            _ => None,
        };
        tracing::debug!(%status, error = %self, "API request failed");
        let body = ApiErrorBody { status: "error".into(), error_type: error_type.into(), error: self.to_string() };
        let mut response = (status, Json(body)).into_response();
        if let Some(seconds) = retry_after {
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, seconds.into());
        }
        response
    }
}
