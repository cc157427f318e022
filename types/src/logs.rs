//! The JSON of the logs pillar: Lookout's NDJSON ingest answer and Loki's query API (`/loki/api/
//! v1/...`), whose envelope and metric results are Prometheus's and whose log results are
//! streams of `["<unix ns>", "<line>"]` pairs.

use serde::{Deserialize, Serialize};

use crate::prometheus::{InstantSample, Metric, RangeSeries};

/// The answer to `POST /api/v1/logs`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IngestResponse {
    pub accepted: usize,
    pub rejected: Vec<RejectedLine>,
}

/// A line of an NDJSON body that was not stored, by its 1-based number.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RejectedLine {
    pub line: usize,
    pub error: String,
}

/// One stream of a log query's answer: its labels and its lines, as `[ns as a string, line]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stream {
    pub stream: Metric,
    pub values: Vec<(String, String)>,
}

/// `data` of `/loki/api/v1/query` and `/loki/api/v1/query_range`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueryData {
    #[serde(flatten)]
    pub result: QueryResult,
    pub stats: QueryStats,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "resultType", content = "result", rename_all = "lowercase")]
pub enum QueryResult {
    Streams(Vec<Stream>),
    Matrix(Vec<RangeSeries>),
    Vector(Vec<InstantSample>),
}

/// What a query read: Loki reports far more; Grafana shows what is here.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueryStats {
    pub summary: StatsSummary,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatsSummary {
    pub total_lines_processed: u64,
    pub total_bytes_processed: u64,
    pub exec_time: f64,
}

/// A message of `/loki/api/v1/tail`: new lines, and how many a slow reader missed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TailMessage {
    pub streams: Vec<Stream>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub dropped_entries: Vec<DroppedEntry>,
}

/// Lines a tail missed, as Loki reports them: the stream and the time of the gap.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DroppedEntry {
    pub labels: String,
    pub timestamp: String,
}

/// One pattern of `GET /loki/api/v1/patterns`, as Loki 3.6 answers it: the Drain template, the
/// lines' level, and `[unix seconds, lines]` per step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PatternSeries {
    pub pattern: String,
    pub level: String,
    pub samples: Vec<(i64, u64)>,
}
