//! The rule engine's HTTP surface, as Prometheus serves it: `/api/v1/rules`, `/api/v1/alerts`,
//! and `POST /-/reload`.

use std::time::{SystemTime, UNIX_EPOCH};

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use lookout_rules::{AlertState, GroupState, RuleState, RuleStateKind, Source};
use lookout_types::prometheus::{Alert, AlertingRule, AlertsData, RecordingRule, Response, Rule, RuleGroup, RulesData};

use super::ApiError;
use super::params::Params;
use crate::state::AppState;
use crate::timefmt::rfc3339_nanos;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/rules", get(rules))
        .route("/api/v1/alerts", get(alerts))
        .route("/-/reload", post(reload).put(reload))
}

fn groups(state: &AppState) -> Vec<GroupState> {
    state.rules.as_ref().map(|r| r.groups()).unwrap_or_default()
}

async fn rules(State(state): State<AppState>, params: Params) -> Result<Json<Response<RulesData>>, ApiError> {
    let kind = params.get("type").map(str::to_ascii_lowercase);
    let (alerting, recording) = match kind.as_deref() {
        None | Some("") => (true, true),
        Some("alert") => (true, false),
        Some("record") => (false, true),
        Some(other) => {
            return Err(ApiError::BadData(format!("invalid parameter \"type\": not supported value {other:?}")));
        }
    };
    let groups = groups(&state)
        .iter()
        .map(|g| RuleGroup {
            name: g.name.clone(),
            file: g.file.clone(),
            rules: g
                .rules
                .iter()
                .filter(|r| if matches!(r.kind, RuleStateKind::Recording) { recording } else { alerting })
                .map(rule)
                .collect(),
            interval: g.interval_ms as f64 / 1000.0,
            limit: g.limit,
            evaluation_time: g.evaluation_time.as_secs_f64(),
            last_evaluation: wall_time(g.last_evaluation),
            source: (g.source == Source::Logs).then(|| "logs".to_string()),
        })
        .collect();
    Ok(Json(Response::success(RulesData { groups })))
}

fn rule(r: &RuleState) -> Rule {
    let labels = r.labels.clone();
    match &r.kind {
        RuleStateKind::Recording => Rule::Recording(RecordingRule {
            name: r.name.clone(),
            query: r.query.clone(),
            labels,
            health: r.health.as_str().into(),
            last_error: r.last_error.clone(),
            evaluation_time: r.evaluation_time.as_secs_f64(),
            last_evaluation: wall_time(r.last_evaluation),
        }),
        RuleStateKind::Alerting { state, for_ms, keep_firing_for_ms, annotations, alerts } => {
            Rule::Alerting(AlertingRule {
                state: state.as_str().into(),
                name: r.name.clone(),
                query: r.query.clone(),
                duration: *for_ms as f64 / 1000.0,
                keep_firing_for: *keep_firing_for_ms as f64 / 1000.0,
                labels,
                annotations: annotations.clone(),
                alerts: alerts.iter().map(alert).collect(),
                health: r.health.as_str().into(),
                last_error: r.last_error.clone(),
                evaluation_time: r.evaluation_time.as_secs_f64(),
                last_evaluation: wall_time(r.last_evaluation),
            })
        }
    }
}

fn alert(a: &AlertState) -> Alert {
    Alert {
        labels: a.labels.iter().map(|l| (l.name.clone(), l.value.clone())).collect(),
        annotations: a.annotations.clone(),
        state: a.state.as_str().into(),
        active_at: rfc3339_nanos(a.active_at_ms.saturating_mul(1_000_000)),
        keep_firing_since: a.keep_firing_since_ms.map(|ms| rfc3339_nanos(ms.saturating_mul(1_000_000))),
        value: go_exponent(a.value),
    }
}

async fn alerts(State(state): State<AppState>) -> Json<Response<AlertsData>> {
    let alerts = groups(&state)
        .iter()
        .flat_map(|g| &g.rules)
        .filter_map(|r| match &r.kind {
            RuleStateKind::Alerting { alerts, .. } => Some(alerts),
            RuleStateKind::Recording => None,
        })
        .flatten()
        .map(alert)
        .collect();
    Json(Response::success(AlertsData { alerts }))
}

/// Reloads the configuration (rule files and the notifier's); a bad file is a 500 naming it, as
/// in Prometheus, and what ran before keeps running.
async fn reload(State(state): State<AppState>, caller: crate::auth::Caller) -> (StatusCode, String) {
    let Some(reloader) = state.reloader.clone() else {
        return (StatusCode::SERVICE_UNAVAILABLE, "Lookout is still starting\n".into());
    };
    tracing::info!(by = %caller.name(None), "configuration reload asked for");
    match tokio::task::spawn_blocking(move || reloader.reload()).await {
        Ok(Ok(loaded)) => (StatusCode::OK, format!("reloaded: {loaded}\n")),
        Ok(Err(err)) => (StatusCode::INTERNAL_SERVER_ERROR, format!("failed to reload config: {err}\n")),
        Err(err) => (StatusCode::INTERNAL_SERVER_ERROR, format!("failed to reload config: {err}\n")),
    }
}

/// Go's RFC3339Nano of a wall-clock time; the zero time when there is none.
fn wall_time(t: Option<SystemTime>) -> String {
    match t.and_then(|t| t.duration_since(UNIX_EPOCH).ok()) {
        Some(d) => rfc3339_nanos(i64::try_from(d.as_nanos()).unwrap_or(i64::MAX)),
        None => "0001-01-01T00:00:00Z".into(),
    }
}

/// A value as Go's `strconv.FormatFloat(v, 'e', -1, 64)` writes it: `4.2e+00`, `1e-05`.
fn go_exponent(v: f64) -> String {
    if v.is_nan() {
        return "NaN".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "+Inf".into() } else { "-Inf".into() };
    }
    let text = format!("{v:e}");
    let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    format!("{mantissa}e{}{:02}", if exponent < 0 { '-' } else { '+' }, exponent.abs())
}

#[cfg(test)]
mod tests {
    use super::go_exponent;

    #[test]
    fn values_print_as_go_does() {
        for (v, want) in [
            (4.2, "4.2e+00"),
            (1.0, "1e+00"),
            (0.0, "0e+00"),
            (1_234_567.0, "1.234567e+06"),
            (0.00001, "1e-05"),
            (-2.5e-300, "-2.5e-300"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "+Inf"),
        ] {
            assert_eq!(go_exponent(v), want);
        }
    }
}
