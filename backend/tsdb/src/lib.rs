//! Lookout's time-series store.
//!
//! Today it holds the in-memory head: series identified by their label sets, an inverted index
//! from label pairs to series (postings), and each series' samples in time order. Queries go
//! through [`Head::select`] with Prometheus-style label matchers, so engines built on top can be
//! tested against in-memory data. The store knows nothing about HTTP or JSON.

mod head;
mod labels;
mod matcher;

pub use head::{AppendError, Head, Series};
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
