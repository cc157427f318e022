//! A Prometheus-compatible engine as Lookout's metrics store (`storage.metrics.prometheus`):
//! every batch Lookout stores is also queued durably per shard ([`queue`]) and forwarded by
//! remote_write ([`send`]); queries read from the engine's HTTP API ([`read`]). While the engine
//! is down writes are kept on disk, and Lookout alerts about it ([`watch`]).

pub mod config;
pub mod queue;
mod read;
pub mod send;
mod watch;

use std::io;
use std::path::Path;
use std::sync::Arc;

use lookout_tsdb::{Batch, Labels};

use crate::ingest::remote_write::{Label, Sample, TimeSeries, WriteRequest};
use config::RemoteSettings;
use queue::ShardQueue;
use send::Health;

/// Cheap to clone.
#[derive(Clone)]
pub struct Remote {
    pub settings: Arc<RemoteSettings>,
    client: reqwest::Client,
    shards: Vec<Arc<ShardQueue>>,
    pub health: Arc<Health>,
}

impl Remote {
    /// Opens one queue per shard under `dir` (what was not sent before a restart is pending).
    pub fn open(dir: &Path, settings: RemoteSettings) -> anyhow::Result<Remote> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder().build()?;
        let shards = (0..settings.shards)
            .map(|n| ShardQueue::open(&dir.join(format!("shard-{n}"))).map(Arc::new))
            .collect::<io::Result<Vec<_>>>()?;
        Ok(Remote { settings: Arc::new(settings), client, shards, health: Arc::default() })
    }

    /// Starts a sender per shard, and the watch that alerts when the engine cannot be written.
    pub fn start(
        &self,
        telemetry: Arc<crate::telemetry::SelfMetrics>,
        alerting: Option<crate::alerting::Alerting>,
        shutdown: tokio::sync::watch::Receiver<bool>,
    ) {
        for (shard, queue) in self.shards.iter().enumerate() {
            let sender = send::Sender {
                shard,
                queue: queue.clone(),
                client: self.client.clone(),
                settings: self.settings.clone(),
                health: self.health.clone(),
                telemetry: telemetry.clone(),
            };
            tokio::spawn(sender.run(shutdown.clone()));
        }
        if let Some(alerting) = alerting {
            tokio::spawn(watch::run(self.clone(), alerting, shutdown));
        }
    }

    /// Queues `batch` for the engine, split by series across the shards, and returns once it is
    /// on disk. Blocking: call it off the async workers.
    pub fn forward(&self, batch: &Batch) -> io::Result<()> {
        for (shard, (body, samples)) in encode_shards(batch, self.shards.len()).into_iter().enumerate() {
            if samples > 0 {
                self.shards[shard].push(body, samples, self.settings.max_pending_bytes / self.shards.len())?;
            }
        }
        Ok(())
    }

    /// Samples waiting for the engine, over all shards.
    pub fn backlog(&self) -> u64 {
        self.shards.iter().map(|s| s.backlog().0).sum()
    }
}

/// `batch` as one uncompressed `WriteRequest` per shard, a series always in the same shard (so
/// its samples reach the engine in order), with the number of samples in each.
fn encode_shards(batch: &Batch, shards: usize) -> Vec<(Vec<u8>, u32)> {
    use prost::Message as _;
    let mut requests: Vec<WriteRequest> = (0..shards).map(|_| WriteRequest::default()).collect();
    let mut series_at: std::collections::HashMap<u32, (usize, usize)> = std::collections::HashMap::new();
    for &(series, t, v) in batch.samples() {
        let (shard, index) = match series_at.get(&series) {
            Some(found) => *found,
            None => {
                let Some(labels) = batch.labels(series) else { continue };
                let shard = (lookout_tsdb::xxh64(batch.key(series)) % shards as u64) as usize;
                requests[shard].timeseries.push(TimeSeries { labels: wire_labels(&labels), samples: Vec::new() });
                let found = (shard, requests[shard].timeseries.len() - 1);
                series_at.insert(series, found);
                found
            }
        };
        requests[shard].timeseries[index].samples.push(Sample { value: v, timestamp: t });
    }
    requests
        .into_iter()
        .map(|r| {
            let samples = r.timeseries.iter().map(|s| s.samples.len() as u32).sum();
            (r.encode_to_vec(), samples)
        })
        .collect()
}

fn wire_labels(labels: &Labels) -> Vec<Label> {
    labels.iter().map(|l| Label { name: l.name.clone(), value: l.value.clone() }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_series_stays_in_one_shard_and_shards_concatenate_into_one_request() {
        use prost::Message as _;
        let a = Labels::from_pairs([("__name__", "a"), ("job", "x")]);
        let b = Labels::from_pairs([("__name__", "b"), ("job", "y")]);
        let batch = Batch::from_samples(&[(a.clone(), 1, 1.0), (b.clone(), 1, 2.0), (a.clone(), 2, 3.0)]);
        let shards = encode_shards(&batch, 4);
        assert_eq!(shards.iter().map(|(_, n)| n).sum::<u32>(), 3);
        let joined: Vec<u8> = shards.iter().flat_map(|(body, _)| body.iter().copied()).collect();
        let request = WriteRequest::decode(joined.as_slice()).unwrap();
        let a_samples: Vec<i64> = request
            .timeseries
            .iter()
            .filter(|s| s.labels.iter().any(|l| l.value == "a"))
            .flat_map(|s| s.samples.iter().map(|x| x.timestamp))
            .collect();
        assert_eq!(a_samples, [1, 2], "a's samples in order");
        let shards_with_a = shards
            .iter()
            .filter(|(body, _)| {
                WriteRequest::decode(body.as_slice())
                    .unwrap()
                    .timeseries
                    .iter()
                    .any(|s| s.labels.iter().any(|l| l.value == "a"))
            })
            .count();
        assert_eq!(shards_with_a, 1, "a series always goes to the same shard");
    }
}
