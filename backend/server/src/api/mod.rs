//! The HTTP surface: one router per concern, merged by [`crate::app`].

mod alertmanager;
mod alerts;
mod annotations;
mod auth;
mod dashboards;
mod datasources;
mod demo;
mod error;
mod grafana;
mod health;
mod ingest;
mod links;
mod live;
mod loki;
mod lookout;
mod params;
mod prometheus;
mod rules;

pub use alertmanager::router as alertmanager_router;
pub use alerts::router as alerts_router;
pub use annotations::router as annotations_router;
pub use auth::router as auth_router;
pub use dashboards::router as dashboards_router;
pub use datasources::router as datasources_router;
pub use demo::router as demo_router;
pub use error::ApiError;
pub use health::router as health_router;
pub use ingest::router as ingest_router;
pub use links::router as links_router;
pub use live::router as live_router;
pub use loki::router as loki_router;
pub use lookout::router as lookout_router;
pub use prometheus::router as prometheus_router;
pub use rules::router as rules_router;

/// Request bodies of routes without a limit of their own: axum's default.
pub const DEFAULT_BODY_LIMIT: usize = 2 << 20;

/// An engine's answer passed on as it came: its status, content type and body.
fn passed_on(answer: crate::remote::Answer) -> axum::response::Response {
    use axum::response::IntoResponse;
    let status = axum::http::StatusCode::from_u16(answer.status).unwrap_or(axum::http::StatusCode::BAD_GATEWAY);
    (status, [(axum::http::header::CONTENT_TYPE, answer.content_type)], answer.body).into_response()
}

/// Caps `router`'s request bodies at `max` bytes, and has a body over it answered with 413 and
/// the limit (axum's own answer does not say it).
pub fn with_body_limit<S: Clone + Send + Sync + 'static>(router: axum::Router<S>, max: usize) -> axum::Router<S> {
    router
        .layer(axum::middleware::map_response(move |response: axum::response::Response| too_large(response, max)))
        .layer(axum::extract::DefaultBodyLimit::max(max))
}

/// axum's "length limit exceeded" answer, said with the limit; every other answer as it is.
async fn too_large(response: axum::response::Response, max: usize) -> axum::response::Response {
    use axum::response::IntoResponse;
    if response.status() != axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        return response;
    }
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, 4096).await.unwrap_or_default();
    if !bytes.starts_with(b"Failed to buffer the request body") {
        return axum::response::Response::from_parts(parts, axum::body::Body::from(bytes));
    }
    (axum::http::StatusCode::PAYLOAD_TOO_LARGE, format!("request body is larger than the limit of {max} bytes"))
        .into_response()
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::{Request, StatusCode};

    use crate::testing::{app, send};

    /// Every route that reads a whole body says its limit when a body is over it.
    #[tokio::test]
    async fn oversize_bodies_get_413_with_their_limit() {
        let (_, app) = app();
        let cases = [
            ("/api/v1/write", crate::ingest::remote_write::MAX_COMPRESSED_BYTES),
            ("/api/v2/alerts", 16 << 20),
            ("/api/dashboards/db", 4 << 20),
            ("/api/lookout/links", super::DEFAULT_BODY_LIMIT),
            ("/api/lookout/alerts/0123/ack", super::DEFAULT_BODY_LIMIT),
        ];
        for (path, limit) in cases {
            let request = Request::post(path)
                .header("content-type", "application/json")
                .body(Body::from(vec![b' '; limit + 1]))
                .unwrap();
            let (status, answer) = send(&app, request).await;
            assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{path}: {answer}");
            assert_eq!(answer, format!("request body is larger than the limit of {limit} bytes"), "{path}");
        }
    }
}
