//! Lookout's time-series store.
//!
//! [`Db`] is the durable store: the in-memory [`Head`] (series identified by their label sets, an
//! inverted index from label pairs to series, each series' samples in time order) behind a
//! write-ahead log with group commit and checkpoints. Queries go through [`Head::select`] with
//! Prometheus-style label matchers, so engines built on top can be tested against in-memory data.
//! The store knows nothing about HTTP or JSON.

mod block;
pub mod chunk;
mod db;
mod head;
mod labels;
mod matcher;
mod postings;
pub mod wal;

pub use db::{AppendResult, BLOCK_RANGE_MS, Db, Limits, OpenReport, SampleError};
pub use head::{AppendError, BatchOutcome, Head, Series};
pub use labels::{Label, Labels, METRIC_NAME};
pub use matcher::{MatchOp, Matcher, MatcherError};

/// A sample: Unix time in milliseconds and a float value.
pub type Sample = (i64, f64);

/// The bit pattern Prometheus writes as a staleness marker: a NaN that no arithmetic produces.
pub const STALE_NAN_BITS: u64 = 0x7ff0_0000_0000_0002;

/// A staleness marker as a value.
pub fn stale_nan() -> f64 {
    f64::from_bits(STALE_NAN_BITS)
}

/// Whether a value is a staleness marker (and not any other NaN).
pub fn is_stale_nan(v: f64) -> bool {
    v.to_bits() == STALE_NAN_BITS
}
