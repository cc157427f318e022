//! What Grafana's HTTP API answers on failure, for the routes that speak it (dashboards,
//! annotations, folders): `{"message": …}`, and a `status` word where Grafana adds one.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use lookout_types::grafana::ErrorMessage;

/// Grafana's error body.
pub struct GrafanaError(pub StatusCode, pub String, pub Option<&'static str>);

impl IntoResponse for GrafanaError {
    fn into_response(self) -> Response {
        (self.0, Json(ErrorMessage { message: self.1, status: self.2.map(str::to_string) })).into_response()
    }
}
