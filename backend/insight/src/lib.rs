//! What the data says without being told: the heuristics behind the Overview and an alert's
//! investigation, over metrics and log lines whose names Lookout has never seen.
//!
//! Nothing here does I/O or knows a store: callers hand in series (labels and samples) and log
//! lines, and get findings in `lookout-types` wire shapes back. Each heuristic is a small module
//! with table-driven tests on real exporters' names:
//! - [`saturation`]: used against limit from a catalog of exporters' pairs and generic siblings,
//!   plateaus and waiting gauges;
//! - [`changes`]: what moved against its own noise, folded per metric, errors as ratios;
//! - [`drain`]: log lines grouped into patterns (the Drain algorithm, as Loki's pattern ingester);
//! - [`services`]: request rate, error ratio and latency per service, found by naming convention;
//! - [`cause`]: those findings ranked as candidate causes of a symptom by kind and timing;
//! - [`names`]: the conventions all of them share.

pub mod align;
pub mod cause;
pub mod changes;
pub mod drain;
pub mod names;
pub mod promql;
pub mod saturation;
pub mod services;
