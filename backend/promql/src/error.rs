//! Errors of parsing and evaluating PromQL. A parse error carries the byte range it is about and
//! renders as Prometheus does: `1:5: parse error: …`.

use std::fmt;

/// A byte range of the query text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pos {
    pub start: usize,
    pub end: usize,
}

impl Pos {
    pub fn to(self, other: Pos) -> Pos {
        Pos { start: self.start.min(other.start), end: self.end.max(other.end) }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ParseError {
    pub pos: Pos,
    pub msg: String,
    /// 1-based line and column of `pos.start`, filled in by [`crate::parse`].
    pub line: usize,
    pub col: usize,
}

impl ParseError {
    pub fn new(pos: Pos, msg: impl Into<String>) -> Self {
        ParseError { pos, msg: msg.into(), line: 0, col: 0 }
    }

    /// Fills in the line and column of the error's start within `query`.
    pub(crate) fn locate(mut self, query: &str) -> Self {
        let before = &query[..self.pos.start.min(query.len())];
        self.line = before.matches('\n').count() + 1;
        self.col = before.rfind('\n').map_or(before.chars().count(), |nl| before[nl + 1..].chars().count()) + 1;
        self
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: parse error: {}", self.line, self.col, self.msg)
    }
}

impl std::error::Error for ParseError {}

/// Why an evaluation failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EvalError {
    /// The query is valid but cannot be computed on this data (Prometheus's `execution`).
    #[error("{0}")]
    Execution(String),
    /// The query would load more samples than allowed.
    #[error("query processing would load too many samples into memory in query execution")]
    TooManySamples,
    /// The query ran past its deadline.
    #[error("query timed out in {0}")]
    Timeout(&'static str),
}
