//! Lookout's own telemetry: the metrics it exposes about itself on `/metrics`.

mod process;
pub mod registry;
mod self_metrics;

pub use self_metrics::{SelfMetrics, track_requests};
