//! Loki as the log store: stored lines become Loki protobuf push requests, one per shard (a
//! stream always in the same shard, so its lines arrive in order), and Loki's query API is asked
//! on the reader's behalf, its answers passed on as they are.

use std::collections::HashMap;
use std::io;

use lookout_logs::Entry;
use lookout_types::logs::QueryData;
use lookout_types::prometheus::Response;

use crate::timefmt::NS_PER_MS;
use prost::Message as _;

use super::engine::{Engine, shard_of};
use crate::ingest::loki_push::{EntryAdapter, PushRequest, StreamAdapter, Timestamp};

/// Cheap to clone.
#[derive(Clone)]
pub struct Loki {
    pub engine: Engine,
}

impl Loki {
    /// Queues `entries` for Loki and returns once they are on disk. Blocking: call it off the
    /// async workers.
    pub fn forward(&self, entries: &[Entry]) -> io::Result<()> {
        self.engine.push(|shards| encode_shards(entries, shards))
    }

    /// A LogQL query over `[start, end]` (ms), at most `limit` lines, newest first, as Loki's
    /// `query_range` answers it.
    pub async fn query_lines(&self, expr: &str, start: i64, end: i64, limit: usize) -> Result<QueryData, String> {
        let params: Vec<(String, String)> = [
            ("query", expr.to_string()),
            ("start", start.saturating_mul(NS_PER_MS).to_string()),
            ("end", end.saturating_mul(NS_PER_MS).to_string()),
            ("limit", limit.to_string()),
            ("direction", "backward".to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        let answer = self.engine.fetch("/loki/api/v1/query_range", &params).await?;
        let text = String::from_utf8_lossy(&answer.body);
        if answer.status != 200 {
            return Err(text.trim().to_string());
        }
        let envelope: Response<QueryData> =
            serde_json::from_str(&text).map_err(|e| format!("the Loki data source answered something else: {e}"))?;
        envelope.data.ok_or_else(|| envelope.error.unwrap_or_else(|| "no data".into()))
    }
}

/// `entries` as one uncompressed `PushRequest` per shard, with the number of lines in each.
fn encode_shards(entries: &[Entry], shards: usize) -> Vec<(Vec<u8>, u32)> {
    let mut requests: Vec<PushRequest> = (0..shards).map(|_| PushRequest::default()).collect();
    let mut streams: HashMap<Vec<u8>, (usize, usize)> = HashMap::new();
    for entry in entries {
        let mut key = Vec::new();
        entry.stream.write_canonical(&mut key);
        let (shard, index) = *streams.entry(key).or_insert_with_key(|key| {
            let shard = shard_of(key, shards);
            requests[shard].streams.push(StreamAdapter { labels: entry.stream.to_string(), entries: Vec::new() });
            (shard, requests[shard].streams.len() - 1)
        });
        let timestamp =
            Timestamp { seconds: entry.ts.div_euclid(1_000_000_000), nanos: entry.ts.rem_euclid(1_000_000_000) as i32 };
        requests[shard].streams[index]
            .entries
            .push(EntryAdapter { timestamp: Some(timestamp), line: entry.line.clone() });
    }
    requests
        .into_iter()
        .map(|r| {
            let lines = r.streams.iter().map(|s| s.entries.len() as u32).sum();
            (r.encode_to_vec(), lines)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use lookout_logs::ingest::Limits;
    use lookout_tsdb::Labels;

    #[test]
    fn pushed_lines_decode_as_loki_push_does() {
        let stream = |service: &str| Labels::from_pairs([("level", "ERROR"), ("service", service)]);
        let entries = [
            Entry { ts: 1_735_074_309_000_000_005, stream: stream("api"), line: r#"{"message":"a"}"#.into() },
            Entry { ts: 1_735_074_310_000_000_000, stream: stream("db"), line: r#"{"message":"b"}"#.into() },
            Entry { ts: 1_735_074_311_000_000_000, stream: stream("api"), line: r#"{"message":"c"}"#.into() },
        ];
        let shards = encode_shards(&entries, 3);
        let joined: Vec<u8> = shards.iter().flat_map(|(body, _)| body.iter().copied()).collect();
        let compressed = snap::raw::Encoder::new().compress_vec(&joined).unwrap();
        let decoded = crate::ingest::loki_push::decode_protobuf(&compressed, Limits::default()).unwrap();
        assert!(decoded.invalid.is_empty(), "{:?}", decoded.invalid);
        let mut got: Vec<(i64, String, String)> = decoded
            .entries
            .iter()
            .map(|e| (e.ts, e.stream.get("service").unwrap().to_string(), e.line.clone()))
            .collect();
        got.sort();
        assert_eq!(got[0], (1_735_074_309_000_000_005, "api".into(), r#"{"message":"a"}"#.into()));
        assert_eq!(got.len(), 3);
        assert_eq!(shards.iter().map(|(_, n)| n).sum::<u32>(), 3);
    }
}
