//! Alertmanager's API v2 (`/api/v2/...`) over Lookout's notifier, so Prometheus
//! (`alerting.alertmanagers`), amtool and Grafana's Alertmanager data source work unchanged.
//! Errors are Alertmanager's: a JSON string body with 400, 404 or 500.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use lookout_alertmanager::alert::{Alert, PostableAlert};
use lookout_alertmanager::matchers::{MatchType, parse_matcher};
use lookout_alertmanager::silence::{Silence, SilenceError, SilenceMatcher};
use lookout_alertmanager::status::{AlertFilter, ListedAlert, list_alerts, list_groups};
use lookout_types::alertmanager as wire;

use super::params::Params;
use crate::alerting::{Alerting, ChangeError, Refusal};
use crate::state::AppState;
use crate::timefmt::{parse_rfc3339, rfc3339_millis};

/// Go's zero time, which clients send for "not set": `0001-01-01T00:00:00Z`.
const GO_ZERO_MS: i64 = -62_135_596_800_000;
/// Bodies of `POST /api/v2/alerts` and silences are bounded; Prometheus sends 64 alerts a batch.
const MAX_BODY: usize = 16 << 20;

pub fn router() -> Router<AppState> {
    let routes = Router::new()
        .route("/api/v2/status", get(status))
        .route("/api/v2/receivers", get(receivers))
        .route("/api/v2/alerts", get(alerts_list).post(alerts_post))
        .route("/api/v2/alerts/groups", get(groups_list))
        .route("/api/v2/silences", get(silences_list).post(silence_create))
        .route("/api/v2/silence/{id}", get(silence_get).delete(silence_delete));
    super::with_body_limit(routes, MAX_BODY)
}

/// An Alertmanager error: the message as a JSON string.
struct AmError(StatusCode, String);

impl IntoResponse for AmError {
    fn into_response(self) -> Response {
        (self.0, Json(self.1)).into_response()
    }
}

fn bad(message: impl Into<String>) -> AmError {
    AmError(StatusCode::BAD_REQUEST, message.into())
}

fn notifier(state: &AppState) -> Result<&Alerting, AmError> {
    state
        .alerting
        .as_ref()
        .ok_or_else(|| AmError(StatusCode::SERVICE_UNAVAILABLE, "the notifier is not running".into()))
}

/// A client's time; Go's zero time and below mean "not set".
fn time_in(text: &str, field: &str) -> Result<Option<i64>, AmError> {
    if text.is_empty() {
        return Ok(None);
    }
    let ms = parse_rfc3339(text).ok_or_else(|| bad(format!("parsing {field} body from {text:?} failed")))?;
    Ok((ms > GO_ZERO_MS).then_some(ms))
}

fn time_out(ms: i64) -> String {
    rfc3339_millis(ms)
}

fn flag(params: &Params, name: &str) -> Result<bool, AmError> {
    match params.get(name) {
        None | Some("") => Ok(true),
        Some("true") => Ok(true),
        Some("false") => Ok(false),
        Some(other) => Err(bad(format!("parsing {name} query from {other:?} failed, because it is not a boolean"))),
    }
}

async fn status(State(state): State<AppState>) -> Result<Json<wire::AlertmanagerStatus>, AmError> {
    let alerting = notifier(&state)?;
    let original = alerting.with_state(|s, _| s.config.original.clone());
    Ok(Json(wire::AlertmanagerStatus {
        cluster: wire::ClusterStatus { status: "disabled".into(), peers: Vec::new() },
        version_info: wire::VersionInfo {
            // amtool compares major.minor with its own; Lookout speaks 0.25's API.
            version: "0.25.0".into(),
            revision: format!("lookout-{}", env!("CARGO_PKG_VERSION")),
            branch: "main".into(),
            build_user: "lookout".into(),
            build_date: "unknown".into(),
            go_version: "none (Lookout is written in Rust)".into(),
        },
        config: wire::ConfigText { original },
        uptime: time_out(alerting.started_at_ms()),
    }))
}

async fn receivers(State(state): State<AppState>) -> Result<Json<Vec<wire::ReceiverName>>, AmError> {
    let names = notifier(&state)?
        .with_state(|s, _| s.config.receivers.iter().map(|r| wire::ReceiverName { name: r.name.clone() }).collect());
    Ok(Json(names))
}

fn filter(params: &Params, with_receiver: bool) -> Result<AlertFilter, AmError> {
    let filters: Vec<String> = params.all("filter").into_iter().map(String::from).collect();
    let receiver = if with_receiver { params.get("receiver").filter(|r| !r.is_empty()) } else { None };
    AlertFilter::new(&filters, flag(params, "active")?, flag(params, "silenced")?, flag(params, "inhibited")?, receiver)
        .map_err(|e| bad(e.to_string()))
}

fn gettable(listed: &ListedAlert<'_>) -> wire::GettableAlert {
    let a: &Alert = listed.alert;
    wire::GettableAlert {
        annotations: a.annotations.clone(),
        ends_at: a.ends_at.map(time_out).unwrap_or_else(|| time_out(GO_ZERO_MS)),
        fingerprint: listed.fingerprint.to_string(),
        receivers: listed.receivers.iter().map(|name| wire::ReceiverName { name: name.clone() }).collect(),
        starts_at: time_out(a.starts_at),
        status: wire::AlertStatus {
            inhibited_by: listed.status.inhibited_by.clone(),
            silenced_by: listed.status.silenced_by.clone(),
            muted_by: listed.status.muted_by.clone(),
            state: listed.status.state.as_str().into(),
        },
        updated_at: time_out(a.updated_at),
        generator_url: a.generator_url.clone(),
        labels: a.labels.clone(),
    }
}

async fn alerts_list(State(state): State<AppState>, params: Params) -> Result<Json<Vec<wire::GettableAlert>>, AmError> {
    let filter = filter(&params, true)?;
    let alerts = notifier(&state)?.with_status(|ctx, _| list_alerts(ctx, &filter).iter().map(gettable).collect());
    Ok(Json(alerts))
}

async fn groups_list(State(state): State<AppState>, params: Params) -> Result<Json<Vec<wire::AlertGroup>>, AmError> {
    let filter = filter(&params, true)?;
    let groups = notifier(&state)?.with_status(|ctx, dispatcher| {
        list_groups(ctx, dispatcher, &filter)
            .iter()
            .map(|g| wire::AlertGroup {
                alerts: g.alerts.iter().map(gettable).collect(),
                labels: g.labels.clone(),
                receiver: wire::ReceiverName { name: g.receiver.clone() },
            })
            .collect()
    });
    Ok(Json(groups))
}

async fn alerts_post(State(state): State<AppState>, body: axum::body::Bytes) -> Result<StatusCode, AmError> {
    let posted: Vec<wire::PostableAlert> =
        serde_json::from_slice(&body).map_err(|e| bad(format!("parsing alerts body failed, because {e}")))?;
    let mut alerts = Vec::with_capacity(posted.len());
    for p in posted {
        alerts.push(PostableAlert {
            labels: p.labels,
            annotations: p.annotations,
            starts_at: time_in(p.starts_at.as_deref().unwrap_or(""), "startsAt")?,
            ends_at: time_in(p.ends_at.as_deref().unwrap_or(""), "endsAt")?,
            generator_url: p.generator_url,
        });
    }
    let errors = notifier(&state)?.post(alerts).await.map_err(change_error)?;
    if errors.is_empty() { Ok(StatusCode::OK) } else { Err(bad(errors.join("; "))) }
}

fn silence_out(s: &Silence, now: i64) -> wire::GettableSilence {
    wire::GettableSilence {
        id: s.id.clone(),
        status: wire::SilenceStatus { state: s.api_state(now).as_str().into() },
        updated_at: time_out(s.updated_at),
        matchers: s
            .matchers
            .iter()
            .map(|m| wire::SilenceMatcher {
                name: m.name.clone(),
                value: m.value.clone(),
                is_regex: matches!(m.op, MatchType::Regexp | MatchType::NotRegexp),
                is_equal: matches!(m.op, MatchType::Equal | MatchType::Regexp),
            })
            .collect(),
        starts_at: time_out(s.starts_at),
        ends_at: time_out(s.ends_at),
        created_by: s.created_by.clone(),
        comment: s.comment.clone(),
    }
}

async fn silences_list(
    State(state): State<AppState>,
    params: Params,
) -> Result<Json<Vec<wire::GettableSilence>>, AmError> {
    let filter = params
        .all("filter")
        .into_iter()
        .map(parse_matcher)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| bad(e.to_string()))?;
    let silences = notifier(&state)?
        .with_state(|s, now| s.silences.list(&filter, now).iter().map(|s| silence_out(s, now)).collect());
    Ok(Json(silences))
}

async fn silence_create(
    State(state): State<AppState>,
    caller: crate::auth::Caller,
    body: axum::body::Bytes,
) -> Result<Json<wire::SilenceCreated>, AmError> {
    let posted: wire::PostableSilence =
        serde_json::from_slice(&body).map_err(|e| bad(format!("parsing silence body failed, because {e}")))?;
    let required =
        |text: &str, field: &str| time_in(text, field)?.ok_or_else(|| bad(format!("{field} in body is required")));
    let silence = Silence {
        id: posted.id.unwrap_or_default(),
        matchers: posted
            .matchers
            .into_iter()
            .map(|m| SilenceMatcher {
                name: m.name,
                value: m.value,
                op: match (m.is_equal, m.is_regex) {
                    (true, false) => MatchType::Equal,
                    (false, false) => MatchType::NotEqual,
                    (true, true) => MatchType::Regexp,
                    (false, true) => MatchType::NotRegexp,
                },
            })
            .collect(),
        starts_at: required(&posted.starts_at, "startsAt")?,
        ends_at: required(&posted.ends_at, "endsAt")?,
        updated_at: 0,
        // With sign-in on, the silence is recorded as its signed-in author's, whatever the
        // client wrote (amtool fills in the local account name).
        created_by: caller.name(Some(posted.created_by)),
        comment: posted.comment,
    };
    let silence_id = notifier(&state)?.set_silence(silence).await.map_err(change_error)?;
    Ok(Json(wire::SilenceCreated { silence_id }))
}

/// Alertmanager's status and message for a change the notifier did not make.
fn change_error(e: ChangeError) -> AmError {
    match e {
        ChangeError::Refused(Refusal::Silence(SilenceError::NotFound)) => {
            AmError(StatusCode::NOT_FOUND, "silence not found".into())
        }
        ChangeError::Refused(Refusal::Silence(e)) => bad(e.to_string()),
        ChangeError::Refused(Refusal::Alert(m)) => bad(format!("silence invalid: {m}")),
        ChangeError::NotStored(_) => AmError(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

async fn silence_get(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    let found = match notifier(&state) {
        Ok(alerting) => alerting.with_state(|s, now| s.silences.get(&id).map(|s| silence_out(s, now))),
        Err(e) => return e.into_response(),
    };
    // Alertmanager answers an unknown id with an empty 404.
    found.map_or_else(|| StatusCode::NOT_FOUND.into_response(), |s| Json(s).into_response())
}

async fn silence_delete(
    State(state): State<AppState>,
    Path(id): Path<String>,
    caller: crate::auth::Caller,
) -> Result<StatusCode, AmError> {
    notifier(&state)?.expire_silence(id.clone()).await.map_err(change_error)?;
    tracing::info!(silence = %id, by = %caller.name(None), "silence expired");
    Ok(StatusCode::OK)
}
