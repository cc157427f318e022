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
