//! `GET /api/lookout/live` (WebSocket): a page's panels kept up to date over one connection.
//! The page sends a [`LiveRequest`] (again whenever its queries or range change); the server
//! answers at once with a [`LiveRound`] holding every query's result, then again every
//! `every_ms`, until the page closes the socket.

use serde::{Deserialize, Serialize};

use crate::logs;
use crate::prometheus::QueryData;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LiveRequest {
    pub queries: Vec<LiveQuery>,
    /// How often to run them again; 0 runs them once (an absolute time range never changes).
    #[serde(default)]
    pub every_ms: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LiveQuery {
    /// The page's name for it, echoed in the result.
    pub id: String,
    pub kind: LiveKind,
    pub expr: String,
    pub start_ms: i64,
    pub end_ms: i64,
    /// Range queries: the resolution. Log queries: unused.
    #[serde(default)]
    pub step_ms: i64,
    /// Log queries: at most this many lines, newest first.
    #[serde(default)]
    pub limit: usize,
    /// The range moves with the clock: each round ends now and keeps its width.
    #[serde(default)]
    pub follow: bool,
    /// The data source to ask (its uid); Lookout's own store when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub datasource: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LiveKind {
    /// PromQL over the range (`query_range`).
    Range,
    /// PromQL at the range's end (`query`).
    Instant,
    /// LogQL over the range (`/loki/api/v1/query_range`, backward).
    Logs,
}

/// Every query's result of one round.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LiveRound {
    pub at_ms: i64,
    pub results: Vec<LiveResult>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LiveResult {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metrics: Option<QueryData>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logs: Option<logs::QueryData>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}
