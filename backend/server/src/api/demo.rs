//! The demo's stand-in receivers (`/api/lookout/demo/inbox/{kind}`): its Slack, PagerDuty and
//! webhook notifications arrive here over real HTTP, and `GET /api/lookout/demo/inbox` lists
//! them with the mail its SMTP stand-in got. Without the demo there is no inbox (404).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use lookout_types::alerts::InboxMessage;

use super::ApiError;
use crate::state::AppState;

/// A notification larger than this is refused (Slack's own limit is far below it).
const MAX_BODY: usize = 1 << 20;

pub fn router() -> Router<AppState> {
    let routes = Router::new()
        .route("/api/lookout/demo/inbox", get(inbox_list))
        .route("/api/lookout/demo/inbox/{kind}", post(inbox_put));
    super::with_body_limit(routes, MAX_BODY)
}

fn inbox(state: &AppState) -> Result<&crate::demo::inbox::Inbox, ApiError> {
    state.inbox.as_ref().ok_or_else(|| ApiError::NotFound("the demo is not running".into()))
}

async fn inbox_put(
    State(state): State<AppState>,
    Path(kind): Path<String>,
    body: String,
) -> Result<StatusCode, ApiError> {
    if !["slack", "pagerduty", "webhook"].contains(&kind.as_str()) {
        return Err(ApiError::NotFound(format!("no stand-in for {kind:?}: slack, pagerduty or webhook")));
    }
    inbox(&state)?.put(&kind, body);
    // PagerDuty answers 202 to an accepted event; Slack and webhooks 200.
    Ok(if kind == "pagerduty" { StatusCode::ACCEPTED } else { StatusCode::OK })
}

async fn inbox_list(State(state): State<AppState>) -> Result<Json<Vec<InboxMessage>>, ApiError> {
    let messages =
        inbox(&state)?.list().into_iter().map(|m| InboxMessage { at: m.at_ms, kind: m.kind, body: m.body }).collect();
    Ok(Json(messages))
}
