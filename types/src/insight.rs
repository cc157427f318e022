//! What Lookout found in the data without being told: saturation, changes, log patterns and the
//! services' vital signs, as the Overview and an alert's investigation show them.

use serde::{Deserialize, Serialize};

use crate::Point;

/// How a saturation was recognised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SaturationKind {
    /// A used figure against a limit the data also holds (a pool against its size).
    Limit,
    /// A gauge that rose to a value and stopped moving there, as a full pool does.
    Plateau,
    /// Something waiting for a resource (pending requests, queued clients) where nothing waited.
    Waiting,
}

/// Something at or near its limit, or pinned as if it were.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Saturation {
    /// What is full, in the data's own words (`orders-db`, `/var`, `db:5432`).
    pub subject: String,
    /// What runs out (`connections`, `disk space`), from the rule or the metric name.
    pub what: String,
    pub kind: SaturationKind,
    /// The rule that found it: an exporter's pair (`postgres_exporter`), `siblings`, `plateau`,
    /// `waiting`.
    pub rule: String,
    pub used: f64,
    pub limit: Option<f64>,
    /// Unix milliseconds since when it has been this full (the first sample of the run).
    pub since: Option<i64>,
    /// The used side, as Prometheus prints a series or an aggregation of them.
    pub series: String,
    /// PromQL that charts the used side.
    pub query: String,
    /// PromQL that charts the limit, when there is one.
    pub limit_query: Option<String>,
}

/// How a change is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// A counter's rate per second.
    Rate,
    /// A gauge's level.
    Level,
    /// The share of failed requests among all, from a counter split by status.
    ErrorRatio,
    /// A scrape target that stopped answering (`up` = 0).
    Down,
    /// A scrape target that went down and came back more than once (`now` counts the times).
    Flapping,
    /// A process that started again (`process_start_time_seconds` moved).
    Restart,
}

/// One metric's change: its series folded into one entry, ranked against its own noise.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// The metric, with only the labels that tell its moving series apart.
    pub series: String,
    pub kind: ChangeKind,
    pub before: f64,
    pub now: f64,
    /// How far it moved, in multiples of its own noise before (larger is more unusual).
    pub score: f64,
    /// Unix milliseconds at which it left its usual range, when that can be told.
    pub onset: Option<i64>,
    /// Further series of the same metric that moved with it.
    pub more: usize,
    /// PromQL that charts it.
    pub query: String,
}

/// Log lines of one shape: the Drain algorithm's template, variable tokens as `<_>`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogPattern {
    pub pattern: String,
    /// The service the lines came from.
    pub service: String,
    /// The level they share (`error`, `warn`), lowercase.
    pub level: String,
    pub count: u64,
    /// Unix milliseconds of the first and last line in the window.
    pub first_seen: i64,
    pub last_seen: i64,
    /// Whether the pattern was absent in the hour before the window.
    pub new: bool,
    /// Whether its rate in the window is well above its rate in the hour before.
    pub spiking: bool,
    /// Lines per time bucket over the window, oldest first.
    pub samples: Vec<Point>,
    /// A few recent lines of the pattern, with their request ids when they carry one.
    pub examples: Vec<PatternExample>,
}

/// One line of a pattern, to read and to follow.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PatternExample {
    /// Unix milliseconds.
    pub t: i64,
    pub line: String,
    pub request_id: Option<String>,
    pub trace_id: Option<String>,
}

/// A service's vital signs, found by naming convention.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceHealth {
    pub service: String,
    /// The convention the figures come from (`opentelemetry_http`, `prometheus_client`, `grpc`,
    /// `micrometer`, `logs`).
    pub convention: String,
    pub requests_per_second: Option<f64>,
    /// Failed requests among all, 0 to 1.
    pub error_ratio: Option<f64>,
    pub p99_seconds: Option<f64>,
    /// ERROR and WARN lines per second in its logs.
    pub log_errors_per_second: Option<f64>,
    pub log_warnings_per_second: Option<f64>,
    /// The queries behind each figure, to open in Explore.
    pub queries: ServiceQueries,
}

/// PromQL (and LogQL for the log figures) behind a service's figures.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ServiceQueries {
    pub requests: Option<String>,
    pub error_ratio: Option<String>,
    pub p99: Option<String>,
    pub log_errors: Option<String>,
}

/// What kind of evidence a candidate cause is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CauseKind {
    Saturation,
    Change,
    /// A log pattern that is new or spiking in the window.
    Pattern,
    Restart,
    Down,
    /// An annotation (a deploy) shortly before the symptom.
    Deploy,
}

/// One candidate cause of a symptom, with its evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cause {
    pub kind: CauseKind,
    /// What it is, in a line (`orders-db: 20 of 20 connections used`).
    pub title: String,
    /// Where it comes from (the rule, the series, the pattern's service).
    pub detail: String,
    /// Unix milliseconds at which it began, when known.
    pub onset: Option<i64>,
    /// How long before the symptom's onset it began (negative: after it).
    pub lead_ms: Option<i64>,
    /// How likely a cause it is, 0 to 1, for ordering.
    pub score: f64,
    /// PromQL that charts it, when it is a metric.
    pub query: Option<String>,
    /// A few lines of a pattern, to read and follow.
    #[serde(default)]
    pub examples: Vec<PatternExample>,
}

/// `GET /api/lookout/alerts/{fingerprint}/investigation`: the symptom and its probable causes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Investigation {
    pub fingerprint: String,
    /// The alert's expression as written (absent for alerts not from a rule).
    pub expression: Option<String>,
    /// What to chart as the symptom: the compared side of the expression when it compares to a
    /// number (`errors / requests` of `errors / requests > 0.05`), else the expression.
    pub symptom_query: Option<String>,
    /// The number the expression compares to, when it does.
    pub threshold: Option<f64>,
    /// When the symptom began: the alert's start.
    pub onset: i64,
    /// The window looked at, Unix milliseconds.
    pub start: i64,
    pub end: i64,
    /// Most probable first.
    pub causes: Vec<Cause>,
}
