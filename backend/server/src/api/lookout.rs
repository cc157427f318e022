//! Lookout's own API under `/api/lookout`: what the UI needs beyond the Prometheus and Loki APIs.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use lookout_types::{Overview, ServerStatus};

use super::ApiError;
use crate::state::AppState;
use crate::{overview, timefmt};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/lookout/overview", get(overview_get)).route("/api/lookout/status", get(status_get))
}

async fn overview_get(State(state): State<AppState>) -> Result<Json<Overview>, ApiError> {
    if !state.is_ready() {
        return Err(ApiError::Unavailable("storage is not open yet".into()));
    }
    let cache = state.overview_cache.clone();
    let overview = cache
        .get(|| async move {
            let now = timefmt::now_ms();
            // Reading every recent series is heavy: off the async workers.
            tokio::task::spawn_blocking(move || {
                overview::compute(state.metrics.db(), &state.logs.store, &state.overview_cards, now)
            })
            .await
            .map_err(|e| ApiError::Execution(format!("overview: {e}")))
        })
        .await?;
    Ok(Json(Overview::clone(&overview)))
}

async fn status_get(State(state): State<AppState>) -> Json<ServerStatus> {
    Json(ServerStatus {
        version: env!("CARGO_PKG_VERSION").into(),
        started_at: state.started_at_ms,
        demo: state.demo,
        head_series: state.metrics.head.num_series() as u64,
    })
}
