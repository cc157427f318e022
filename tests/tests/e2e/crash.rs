//! Crash safety: `kill -9` in the middle of concurrent remote_write traffic loses no
//! acknowledged sample and duplicates none; damaged log tails are cut off and reported.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use lookout_e2e::{Lookout, TempDir, http_get, http_post};
use lookout_server::ingest::remote_write::encode;
use lookout_tsdb::Labels;

const WRITERS: usize = 4;
const SERIES_PER_BATCH: usize = 50;
const SAMPLES_PER_SERIES: usize = 10;
const MAX_BATCHES: usize = 400;
const BASE_MS: i64 = 1_700_000_000_000;

fn batch_body(writer: usize, batch: usize) -> Vec<u8> {
    let series: Vec<(Labels, Vec<(i64, f64)>)> = (0..SERIES_PER_BATCH)
        .map(|s| {
            let labels = Labels::from_pairs([
                ("__name__", "crash_test".to_string()),
                ("writer", writer.to_string()),
                ("series", s.to_string()),
            ]);
            let t0 = BASE_MS + (batch * SAMPLES_PER_SERIES) as i64 * 1000;
            (labels, (0..SAMPLES_PER_SERIES).map(|i| (t0 + i as i64 * 1000, batch as f64)).collect())
        })
        .collect();
    encode(&series, &[])
}

async fn stored_per_writer(url: &str) -> Vec<usize> {
    let end = (BASE_MS + (MAX_BATCHES * SAMPLES_PER_SERIES) as i64 * 1000) / 1000;
    let query = format!("/api/v1/query?query=sum%20by%20(writer)%20(count_over_time(crash_test%5B30d%5D))&time={end}");
    let response = http_get(&format!("{url}{query}")).await.unwrap();
    let json: serde_json::Value = serde_json::from_str(&response.body).unwrap();
    let mut counts = vec![0; WRITERS];
    for sample in json["data"]["result"].as_array().unwrap() {
        let writer: usize = sample["metric"]["writer"].as_str().unwrap().parse().unwrap();
        counts[writer] = sample["value"][1].as_str().unwrap().parse().unwrap();
    }
    counts
}

#[tokio::test]
async fn kill_9_during_writes_loses_no_acknowledged_sample() {
    let dir = TempDir::new("crash");
    let mut lookout = Lookout::start_in(dir.path(), &["--no-demo"], None).await;
    let acked: Arc<Vec<AtomicUsize>> = Arc::new((0..WRITERS).map(|_| AtomicUsize::new(0)).collect());
    let mut tasks = Vec::new();
    for writer in 0..WRITERS {
        let (url, acked) = (lookout.url.clone(), acked.clone());
        tasks.push(tokio::spawn(async move {
            // Batches go in order per writer; a batch counts only once the server said 204.
            for batch in 0..MAX_BATCHES {
                let headers = [("Content-Type", "application/x-protobuf"), ("Content-Encoding", "snappy")];
                match http_post(&format!("{url}/api/v1/write"), &headers, &batch_body(writer, batch)).await {
                    Ok(r) if r.status == 204 => acked[writer].store(batch + 1, Ordering::SeqCst),
                    _ => return,
                }
            }
        }));
    }
    // Let every writer get going, then pull the plug mid-stream.
    lookout_e2e::wait_all_reach(&acked, 20).await;
    lookout.kill().await;
    for task in tasks {
        let _ = task.await;
    }
    let acked: Vec<usize> = acked.iter().map(|a| a.load(Ordering::SeqCst)).collect();
    assert!(acked.iter().all(|a| *a > 0 && *a < MAX_BATCHES), "the kill must land mid-stream: {acked:?}");

    let restarted = Lookout::start_in(dir.path(), &["--no-demo"], None).await;
    let stored = stored_per_writer(&restarted.url).await;
    let per_batch = SERIES_PER_BATCH * SAMPLES_PER_SERIES;
    for writer in 0..WRITERS {
        // Every acknowledged batch is there; at most the one batch in flight at the kill may be too.
        let (low, high) = (acked[writer] * per_batch, (acked[writer] + 1) * per_batch);
        assert!(
            stored[writer] >= low && stored[writer] <= high && stored[writer] % per_batch == 0,
            "writer {writer}: {} samples stored, {} batches acknowledged",
            stored[writer],
            acked[writer]
        );
    }
}

#[tokio::test]
async fn a_torn_log_tail_is_cut_off_and_the_rest_kept() {
    let dir = TempDir::new("torn");
    let lookout = Lookout::start_in(dir.path(), &["--no-demo"], None).await;
    let headers = [("Content-Type", "application/x-protobuf"), ("Content-Encoding", "snappy")];
    for batch in 0..3 {
        let r = http_post(&format!("{}/api/v1/write", lookout.url), &headers, &batch_body(0, batch)).await.unwrap();
        assert_eq!(r.status, 204);
    }
    assert!(lookout.terminate().await.success());
    // Append half a record of garbage, as a crash in the middle of a write would leave.
    let wal = dir.path().join("metrics/wal");
    let (_, newest) = lookout_tsdb::wal::segments(&wal)
        .unwrap()
        .into_iter()
        .filter(|(_, p)| std::fs::metadata(p).unwrap().len() > 0)
        .next_back()
        .unwrap();
    let mut bytes = std::fs::read(&newest).unwrap();
    let good_len = bytes.len();
    bytes.extend_from_slice(&[0x40, 0, 0, 0, 0xde, 0xad, 0xbe, 0xef, 1, 2, 3]);
    std::fs::write(&newest, &bytes).unwrap();

    let restarted = Lookout::start_in(dir.path(), &["--no-demo"], None).await;
    let stored = stored_per_writer(&restarted.url).await;
    assert_eq!(stored[0], 3 * SERIES_PER_BATCH * SAMPLES_PER_SERIES);
    assert_eq!(std::fs::metadata(&newest).unwrap().len() as usize, good_len, "the torn tail was cut off");
}
