//! Lookout's own alert API, beyond Alertmanager's: alerts with their acknowledgement and
//! timeline (`GET /api/lookout/alerts`), acknowledge, unacknowledge and resolve by hand
//! (`POST /api/lookout/alerts/{fingerprint}/ack|unack|resolve`), and every delivery attempt
//! (`GET /api/lookout/notifications`), how it is all going (`GET /api/lookout/alerts/stats`), and
//! an alert's investigation (`GET /api/lookout/investigation/{fingerprint}`).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use lookout_alertmanager::inhibit::Inhibitor;
use lookout_alertmanager::labels::Fingerprint;
use lookout_alertmanager::status::alert_status;
use lookout_types::alerts::{Acknowledgement, AlertAction, AlertStats, AlertView, NotificationAttempt, TimelineEvent};
use lookout_types::insight::Investigation;

use super::ApiError;
use crate::alerting::{Alerting, Durable};
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
    let alerts = notifier(state)?.with_state(|s, now| {
        let inhibitor = Inhibitor::new(&s.config.inhibit_rules, &s.alerts, now);
        let mut alerts: Vec<AlertView> = s
            .alerts
            .iter()
            .map(|(fp, a)| {
                let status = alert_status(a, &s.config, &inhibitor, &s.silences, now);
                let state = if a.resolved_at(now) {
                    "resolved"
                } else if status.silenced_by.is_empty() && status.inhibited_by.is_empty() {
                    "firing"
                } else {
                    "suppressed"
                };
                let mut receivers: Vec<String> = s.config.route.receivers(&a.labels);
                receivers.dedup();
                AlertView {
                    fingerprint: fp.to_string(),
                    labels: a.labels.clone(),
                    annotations: a.annotations.clone(),
                    state: state.into(),
                    starts_at: a.starts_at,
                    ends_at: a.ends_at,
                    generator_url: a.generator_url.clone(),
                    receivers,
                    silenced_by: status.silenced_by,
                    inhibited_by: status.inhibited_by,
                    acknowledged: s.is_acked(fp).then(|| &s.acks[&fp]).map(|ack| Acknowledgement {
                        by: ack.by.clone(),
                        at: ack.at_ms,
                        comment: ack.comment.clone(),
                    }),
                    history: s
                        .history
                        .get(&fp)
                        .into_iter()
                        .flatten()
                        .map(|e| TimelineEvent { at: e.at_ms, kind: e.kind.clone(), detail: e.detail.clone() })
                        .collect(),
                }
            })
            .collect();
        alerts.sort_by_key(|a| (a.state != "firing", -a.starts_at));
        alerts
    });
    Ok(alerts)
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
    let stats = notifier(&state)?.with_state(|s, now| {
        let inhibitor = Inhibitor::new(&s.config.inhibit_rules, &s.alerts, now);
        s.stats(now, |a| {
            let status = alert_status(a, &s.config, &inhibitor, &s.silences, now);
            !status.silenced_by.is_empty() || !status.inhibited_by.is_empty()
        })
    });
    Ok(Json(stats))
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
    let outcome: Durable<Result<(), String>> = match action.as_str() {
        "ack" => alerting.ack(fp, by, request.comment).await,
        "unack" => alerting.unack(fp, by).await,
        "resolve" => alerting.resolve(fp, by, request.comment).await,
        other => return Err(ApiError::NotFound(format!("unknown action {other:?}: use ack, unack or resolve"))),
    };
    match outcome {
        Ok(Ok(())) => Ok(StatusCode::NO_CONTENT),
        Ok(Err(message)) => Err(ApiError::NotFound(message)),
        Err(message) => Err(ApiError::Execution(message)),
    }
}

async fn notifications_list(State(state): State<AppState>) -> Result<Json<Vec<NotificationAttempt>>, ApiError> {
    let attempts = notifier(&state)?.with_state(|s, _| {
        s.attempts
            .iter()
            .rev()
            .map(|a| NotificationAttempt {
                at: a.at_ms,
                receiver: a.receiver.clone(),
                integration: a.integration.clone(),
                group_key: a.group_key.clone(),
                alerts: a.alerts.clone(),
                outcome: a.outcome.clone(),
                http_status: a.status,
                smtp_reply: a.smtp_reply.clone(),
                error: a.error.clone(),
                attempt: a.attempt,
                escalation: a.escalation,
            })
            .collect()
    });
    Ok(Json(attempts))
}
