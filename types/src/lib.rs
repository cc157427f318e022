//! The JSON wire types that the Lookout server sends and the browser UI reads.
//!
//! This crate is compiled for both the server and `wasm32`, so it holds plain data only: no I/O,
//! no storage types. Every type here is part of a wire contract; the golden tests at the bottom
//! freeze their JSON shape.

use serde::{Deserialize, Serialize};

pub mod alertmanager;
pub mod alerts;
pub mod auth;
pub mod downsample;
pub mod grafana;
pub mod insight;
pub mod live;
pub mod logs;
pub mod prometheus;

/// One point of a history line: Unix time in milliseconds and a value.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Point {
    pub t: i64,
    pub v: f64,
}

/// How healthy a figure looks against its thresholds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Health {
    Ok,
    Warning,
    Critical,
    /// There is no recent data to judge.
    Unknown,
}

/// One figure on the Overview: a current value, what it is measured against, and its recent past.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatCard {
    /// Stable identifier, used by the UI and by tests to find the card.
    pub key: String,
    pub title: String,
    /// The current value, absent when there is no recent data.
    pub value: Option<f64>,
    /// Unit of `value` and `limit`: `percent`, `count`, `per_second`.
    pub unit: String,
    /// The capacity the value is measured against (the pool size for a pool), if any.
    pub limit: Option<f64>,
    pub health: Health,
    /// What produced the figure, in words an on-call engineer can check by hand.
    pub source: String,
    /// The last 15 minutes, oldest first.
    pub history: Vec<Point>,
}

/// Log lines of one service with the same message (numbers aside), counted over a window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorGroup {
    pub service: String,
    /// The newest line's message.
    pub message: String,
    pub count: u64,
    /// Unix milliseconds of the oldest and newest line in the window.
    pub first_seen: i64,
    pub last_seen: i64,
    /// The newest line's request, to follow it.
    pub request_id: Option<String>,
}

/// `GET /api/lookout/overview`: what the landing page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Overview {
    /// Server time of the evaluation, Unix milliseconds.
    pub generated_at: i64,
    pub cards: Vec<StatCard>,
    /// ERROR lines of the last 15 minutes grouped by service and message, most frequent first.
    pub error_groups: Vec<ErrorGroup>,
    /// The metrics that moved most against their own noise, one entry per metric, largest first.
    #[serde(default)]
    pub changes: Vec<insight::Change>,
    /// What is at or near its limit, or pinned as if it were, fullest first.
    #[serde(default)]
    pub at_capacity: Vec<insight::Saturation>,
    /// Each service's request rate, error ratio, latency and log errors, worst first.
    #[serde(default)]
    pub services: Vec<insight::ServiceHealth>,
    /// Error and warning lines of the window grouped into patterns, new and spiking first.
    #[serde(default)]
    pub patterns: Vec<insight::LogPattern>,
}

/// `POST /api/lookout/links`: the view to keep, a path in Lookout with its query.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreateShortLink {
    pub target: String,
}

/// A kept short link: open `path` (`/s/<id>`) to land on `target`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShortLink {
    pub id: String,
    pub path: String,
    pub target: String,
    /// Unix milliseconds.
    pub created: i64,
}

/// `GET /api/lookout/status`: what this server is and how it runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServerStatus {
    pub version: String,
    pub started_at: i64,
    pub demo: bool,
    pub head_series: u64,
}

/// The error body of every `/api/lookout` endpoint, shaped like Prometheus's API errors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiErrorBody {
    pub status: String,
    #[serde(rename = "errorType")]
    pub error_type: String,
    pub error: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overview_json_shape_is_stable() {
        let overview = Overview {
            generated_at: 1_700_000_000_000,
            cards: vec![StatCard {
                key: "payment_success_rate".into(),
                title: "Payment success rate".into(),
                value: Some(95.5),
                unit: "percent".into(),
                limit: None,
                health: Health::Ok,
                source: "payment_requests_total".into(),
                history: vec![Point { t: 1, v: 2.0 }],
            }],
            error_groups: vec![],
            changes: vec![insight::Change {
                series: "up{job=\"a\"}".into(),
                kind: insight::ChangeKind::Down,
                before: 1.0,
                now: 0.0,
                score: 10.0,
                onset: Some(5),
                more: 0,
                query: "up{job=\"a\"}".into(),
            }],
            at_capacity: vec![],
            services: vec![],
            patterns: vec![],
        };
        let json = serde_json::to_string(&overview).unwrap();
        assert_eq!(
            json,
            r#"{"generated_at":1700000000000,"cards":[{"key":"payment_success_rate","title":"Payment success rate","value":95.5,"unit":"percent","limit":null,"health":"ok","source":"payment_requests_total","history":[{"t":1,"v":2.0}]}],"error_groups":[],"changes":[{"series":"up{job=\"a\"}","kind":"down","before":1.0,"now":0.0,"score":10.0,"onset":5,"more":0,"query":"up{job=\"a\"}"}],"at_capacity":[],"services":[],"patterns":[]}"#
        );
        let back: Overview = serde_json::from_str(&json).unwrap();
        assert_eq!(back, overview);
    }

    #[test]
    fn api_error_uses_prometheus_field_names() {
        let body = ApiErrorBody { status: "error".into(), error_type: "bad_data".into(), error: "x".into() };
        assert_eq!(serde_json::to_string(&body).unwrap(), r#"{"status":"error","errorType":"bad_data","error":"x"}"#);
    }
}
