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

/// The one order of a write, for every pillar, on a blocking thread: queued (on disk) for the
/// engine when there is one, then stored here. A write the queue refuses is not stored either,
/// so the writer's retry finds neither copy.
pub async fn forward_then_store<W, R>(
    write: W,
    forward: Option<impl FnOnce(&W) -> std::io::Result<()> + Send + 'static>,
    store: impl FnOnce(W) -> std::io::Result<R> + Send + 'static,
) -> std::io::Result<R>
where
    W: Send + 'static,
    R: Send + 'static,
{
    tokio::task::spawn_blocking(move || {
        if let Some(forward) = forward {
            forward(&write)?;
        }
        store(write)
    })
    .await
    .map_err(std::io::Error::other)?
}
