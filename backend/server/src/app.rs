//! Builds the whole HTTP application: API routers, the embedded UI as fallback, request telemetry.

use axum::Router;
use axum::http::StatusCode;
use axum::middleware;
use axum::response::IntoResponse;

use crate::demo::inbox::Inbox;
use crate::state::AppState;
use crate::{api, assets, auth, telemetry};

/// The application; `inbox` adds the demo's inbox route while the demo runs.
pub fn app(state: AppState, inbox: Option<Inbox>) -> Router {
    let router = Router::new()
        .merge(api::health_router())
        .merge(api::lookout_router())
        .merge(api::prometheus_router())
        .merge(api::ingest_router())
        .merge(api::loki_router())
        .merge(api::rules_router())
        .merge(api::alertmanager_router())
        .merge(api::alerts_router())
        .merge(api::auth_router())
        .merge(api::links_router())
        .merge(api::live_router())
        .merge(api::dashboards_router())
        .merge(api::annotations_router())
        .merge(api::datasources_router())
        .merge(inbox.map(api::demo_router).unwrap_or_default())
        .route("/api/{*rest}", axum::routing::any(api_not_found))
        .fallback(assets::serve);
    api::with_body_limit(router, api::DEFAULT_BODY_LIMIT)
        .layer(middleware::from_fn_with_state(state.auth.clone(), auth::middleware::authorize))
        .layer(middleware::from_fn_with_state(state.telemetry.clone(), telemetry::track_requests))
        .with_state(state)
}

/// Unknown API paths get a JSON 404 rather than the UI's HTML shell.
async fn api_not_found() -> impl IntoResponse {
    let body = lookout_types::ApiErrorBody {
        status: "error".into(),
        error_type: "not_found".into(),
        error: "unknown API endpoint".into(),
    };
    (StatusCode::NOT_FOUND, axum::Json(body))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::get;

    #[tokio::test]
    async fn ready_only_after_storage_is_open() {
        let state = AppState::new(crate::testing::db(), crate::testing::log_store(), 0, false);
        let app = app(state.clone(), None);
        assert_eq!(get(&app, "/-/healthy").await.0, StatusCode::OK);
        assert_eq!(get(&app, "/-/ready").await.0, StatusCode::SERVICE_UNAVAILABLE);
        let (status, body) = get(&app, "/api/lookout/overview").await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(body.contains(r#""errorType":"unavailable""#), "{body}");
        state.set_ready();
        assert_eq!(get(&app, "/-/ready").await.0, StatusCode::OK);
        assert_eq!(get(&app, "/api/lookout/overview").await.0, StatusCode::OK);
    }

    #[tokio::test]
    async fn metrics_count_requests_by_route_template() {
        let (_, app) = crate::testing::app();
        get(&app, "/-/healthy").await;
        get(&app, "/api/lookout/overview").await;
        let (status, body) = get(&app, "/metrics").await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            body.contains(r#"lookout_http_requests_total{route="/-/healthy",method="GET",code="200"} 1"#),
            "{body}"
        );
        assert!(body.contains(r#"lookout_http_request_duration_seconds_count{route="/api/lookout/overview"} 1"#));
        assert!(body.contains("# TYPE lookout_ingested_samples_total counter"));
    }

    #[tokio::test]
    async fn unknown_api_paths_are_json_404s_and_pages_get_the_shell() {
        let (_, app) = crate::testing::app();
        let (status, body) = get(&app, "/api/nope").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(body.contains("not_found"));
        assert_eq!(get(&app, "/missing.js").await.0, StatusCode::NOT_FOUND);
        let (status, body) = get(&app, "/explore").await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.to_ascii_lowercase().contains("<!doctype html>"), "{body}");
    }
}
