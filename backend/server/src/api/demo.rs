//! `GET /api/lookout/demo/inbox`: what the demo's stand-in receivers (Slack, PagerDuty, webhook
//! and mail, see `demo::inbox`) got. The route exists only while the demo runs.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use lookout_types::alerts::InboxMessage;

use crate::demo::inbox::Inbox;
use crate::state::AppState;

/// The inbox's route, holding the inbox itself: nothing else of the server knows it.
pub fn router(inbox: Inbox) -> Router<AppState> {
    Router::new().route("/api/lookout/demo/inbox", get(inbox_list)).with_state(inbox)
}

async fn inbox_list(State(inbox): State<Inbox>) -> Json<Vec<InboxMessage>> {
    Json(inbox.list().into_iter().map(|m| InboxMessage { at: m.at_ms, kind: m.kind, body: m.body }).collect())
}
