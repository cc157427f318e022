//! `GET /api/lookout/demo/inbox`: what the demo's stand-in receivers (Slack, PagerDuty, webhook
//! and mail, see `demo::inbox`) got. Without the demo there is no inbox (404).

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use lookout_types::alerts::InboxMessage;

use super::ApiError;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/lookout/demo/inbox", get(inbox_list))
}

async fn inbox_list(State(state): State<AppState>) -> Result<Json<Vec<InboxMessage>>, ApiError> {
    let inbox = state.inbox.as_ref().ok_or_else(|| ApiError::NotFound("the demo is not running".into()))?;
    let messages = inbox.list().into_iter().map(|m| InboxMessage { at: m.at_ms, kind: m.kind, body: m.body }).collect();
    Ok(Json(messages))
}
