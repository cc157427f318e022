//! Liveness, readiness and Lookout's own metrics: `/-/healthy`, `/-/ready`, `/metrics`.

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/-/healthy", get(healthy)).route("/-/ready", get(ready)).route("/metrics", get(metrics))
}

async fn healthy() -> &'static str {
    "Lookout is Healthy.\n"
}

async fn ready(State(state): State<AppState>) -> impl IntoResponse {
    if state.is_ready() {
        (StatusCode::OK, "Lookout is Ready.\n")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "Storage is not open yet.\n")
    }
}

async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    state.telemetry.head_series.set(&[], state.metrics.head.num_series() as f64);
    let logs = state.logs.store.stats();
    let t = &state.telemetry;
    t.log_store_bytes.set(&["blocks"], logs.block_bytes as f64);
    t.log_store_lines.set(&["blocks"], logs.block_rows as f64);
    t.log_store_bytes.set(&["head"], logs.head_bytes as f64);
    t.log_store_lines.set(&["head"], logs.head_rows as f64);
    t.log_store_blocks.set(&[], logs.blocks as f64);
    t.refresh_process();
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], state.telemetry.registry.render_text())
}
