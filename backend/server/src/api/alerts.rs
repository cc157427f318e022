//! Lookout's own alert API, beyond Alertmanager's: alerts with their acknowledgement and
//! timeline (`GET /api/lookout/alerts`), acknowledge, unacknowledge and resolve by hand
//! (`POST /api/lookout/alerts/{fingerprint}/ack|unack|resolve`), and every delivery attempt
//! (`GET /api/lookout/notifications`), how it is all going (`GET /api/lookout/alerts/stats`), and
//! an alert's investigation (`GET /api/lookout/investigation/{fingerprint}`).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use lookout_alertmanager::labels::Fingerprint;
use lookout_types::alerts::{AlertAction, AlertStats, AlertView, NotificationAttempt};
use lookout_types::insight::Investigation;

use super::ApiError;
use crate::alerting::{Alerting, ChangeError};
use crate::state::AppState;
use crate::timefmt::now_ms;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/lookout/alerts", get(alerts_list))
        .route("/api/lookout/alerts/stats", get(alerts_stats))
        .route("/api/lookout/alerts/{fingerprint}/{action}", post(alert_act))
        .route("/api/lookout/notifications", get(notifications_list))
        .route("/api/lookout/investigation/{fingerprint}", get(investigation_get))
}

fn notifier(state: &AppState) -> Result<&Alerting, ApiError> {
    state.alerting.as_ref().ok_or_else(|| ApiError::Unavailable("the notifier is not running".into()))
}

async fn alerts_list(State(state): State<AppState>) -> Result<Json<Vec<AlertView>>, ApiError> {
    Ok(Json(views(&state)?))
}

/// Every alert the notifier holds as the UI shows it, firing first, newest first.
fn views(state: &AppState) -> Result<Vec<AlertView>, ApiError> {
    Ok(notifier(state)?.with_state(|s, now| s.views(now)))
}

/// `GET /api/lookout/investigation/{fingerprint}`: the alert's symptom and its probable causes.
async fn investigation_get(
    State(state): State<AppState>,
    Path(fingerprint): Path<String>,
) -> Result<Json<Investigation>, ApiError> {
    let alert = views(&state)?
        .into_iter()
        .find(|a| a.fingerprint == fingerprint)
        .ok_or_else(|| ApiError::NotFound(format!("no alert with fingerprint {fingerprint}")))?;
    let found = tokio::task::spawn_blocking(move || {
        crate::investigation::investigate(
            state.metrics.db(),
            &state.logs.store,
            state.annotations.as_deref(),
            &alert,
            now_ms(),
        )
    })
    .await
    .map_err(|e| ApiError::Execution(format!("investigation: {e}")))?;
    Ok(Json(found))
}

async fn alerts_stats(State(state): State<AppState>) -> Result<Json<AlertStats>, ApiError> {
    Ok(Json(notifier(&state)?.with_state(|s, now| s.stats(now))))
}

async fn alert_act(
    State(state): State<AppState>,
    Path((fingerprint, action)): Path<(String, String)>,
    caller: crate::auth::Caller,
    body: axum::body::Bytes,
) -> Result<StatusCode, ApiError> {
    let fp = u64::from_str_radix(&fingerprint, 16)
        .map(Fingerprint)
        .map_err(|_| ApiError::BadData(format!("{fingerprint:?} is not an alert fingerprint (16 hex digits)")))?;
    let request: AlertAction = if body.is_empty() {
        AlertAction::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| ApiError::BadData(format!("invalid JSON body: {e}")))?
    };
    let by = caller.name(request.by);
    let alerting = notifier(&state)?;
    let outcome = match action.as_str() {
        "ack" => alerting.ack(fp, by, request.comment).await,
        "unack" => alerting.unack(fp, by).await,
        "resolve" => alerting.resolve(fp, by, request.comment).await,
        other => return Err(ApiError::NotFound(format!("unknown action {other:?}: use ack, unack or resolve"))),
    };
    match outcome {
        Ok(()) => Ok(StatusCode::NO_CONTENT),
        // No such alert, or not in the state the action needs (not firing, not acknowledged).
        Err(ChangeError::Refused(refusal)) => Err(ApiError::NotFound(refusal.to_string())),
        Err(err @ ChangeError::NotStored(_)) => Err(ApiError::Execution(err.to_string())),
    }
}

async fn notifications_list(State(state): State<AppState>) -> Result<Json<Vec<NotificationAttempt>>, ApiError> {
    Ok(Json(notifier(&state)?.with_state(|s, _| s.attempt_views())))
}
