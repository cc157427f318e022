//! Engines that already scale as Lookout's stores: a Prometheus-compatible engine for metrics
//! (`storage.metrics.prometheus`, [`prometheus`]) and Loki for logs (`storage.logs.loki`,
//! [`loki`]). Every write is also queued durably per shard ([`queue`]) and forwarded ([`send`]);
//! reads go to the engine's HTTP API. While an engine cannot be written, writes are kept on disk
//! and Lookout alerts about it ([`watch`]).

pub mod config;
mod engine;
pub mod loki;
pub mod prometheus;
pub mod queue;
pub mod send;
mod watch;

pub use engine::{Answer, Engine};
pub use loki::Loki;
pub use prometheus::Prometheus;
