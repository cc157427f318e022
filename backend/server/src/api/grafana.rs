//! What Grafana's HTTP API answers on failure, for the routes that speak it (dashboards,
//! annotations, folders): `{"message": …}`, and a `status` word where Grafana adds one.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// Grafana's error body.
pub struct GrafanaError(pub StatusCode, pub String, pub Option<&'static str>);

impl IntoResponse for GrafanaError {
    fn into_response(self) -> Response {
        let mut body = json!({ "message": self.1 });
        if let Some(status) = self.2 {
            body["status"] = Value::from(status);
        }
        (self.0, Json(body)).into_response()
    }
}
