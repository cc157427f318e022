//! Running PromQL: parsing, the query deadline and sample limit, evaluation off the async
//! runtime, and errors sorted into Prometheus's error types.

use std::time::Duration;

use lookout_promql::{EvalError, Options, ast::Expr, parse};
use lookout_tsdb::Matcher;

use super::Metrics;

/// The most points one series of a range query may have, as Prometheus's API allows, whichever
/// store answers.
pub const MAX_POINTS_PER_SERIES: i64 = 11_000;

/// Limits every query of this store runs under.
#[derive(Debug, Clone)]
pub struct QueryLimits {
    pub timeout: Duration,
    pub max_samples: usize,
}

impl Default for QueryLimits {
    fn default() -> Self {
        QueryLimits { timeout: Duration::from_secs(120), max_samples: 50_000_000 }
    }
}

/// Why a query failed, in the categories Prometheus's API reports.
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    /// The request is wrong: a parse error, a bad parameter. HTTP 400 `bad_data`.
    #[error("{0}")]
    BadData(String),
    /// The query is valid but could not be computed. HTTP 422 `execution`.
    #[error("{0}")]
    Execution(String),
    /// The query ran past its deadline. HTTP 503 `timeout`.
    #[error("{0}")]
    Timeout(String),
    /// The metrics backend could not be asked. HTTP 503 `unavailable`.
    #[error("{0}")]
    Unavailable(String),
}

impl From<EvalError> for QueryError {
    fn from(err: EvalError) -> Self {
        match err {
            EvalError::Timeout(_) => QueryError::Timeout(err.to_string()),
            EvalError::Execution(_) | EvalError::TooManySamples => QueryError::Execution(err.to_string()),
        }
    }
}

/// Parses a query, reporting errors as Prometheus's API does.
pub fn parse_query(query: &str) -> Result<Expr, QueryError> {
    parse(query).map_err(|e| QueryError::BadData(format!("invalid parameter \"query\": {e}")))
}

/// Parses a series selector (`match[]`) into its matchers.
pub fn parse_selector(selector: &str) -> Result<Vec<Matcher>, QueryError> {
    match parse(selector) {
        Ok(Expr::VectorSelector(s)) => Ok(s.matchers),
        Ok(_) => {
            Err(QueryError::BadData(format!("invalid parameter \"match[]\": {selector:?} is not a series selector")))
        }
        Err(e) => Err(QueryError::BadData(format!("invalid parameter \"match[]\": {e}"))),
    }
}

impl Metrics {
    /// The options a query of this store runs under: its limits, and a caller's shorter timeout.
    pub(super) fn options(&self, timeout: Option<Duration>) -> Options {
        let timeout = timeout.map_or(self.limits.timeout, |t| t.min(self.limits.timeout));
        Options { timeout: Some(timeout), max_samples: self.limits.max_samples, ..Options::default() }
    }
}

/// Runs an evaluation on a blocking thread.
pub(super) async fn run_blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, EvalError> + Send + 'static,
) -> Result<T, QueryError> {
    match tokio::task::spawn_blocking(f).await {
        Ok(result) => result.map_err(QueryError::from),
        Err(join) => Err(QueryError::Execution(format!("query evaluation failed: {join}"))),
    }
}
