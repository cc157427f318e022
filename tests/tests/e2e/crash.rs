//! Crash safety: `kill -9` in the middle of concurrent metrics, log and alert writes loses no
//! acknowledged write of any of them and duplicates none; damaged log tails are cut off and
//! reported.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use lookout_e2e::{Lookout, TempDir, http_get, http_post, url_encode};
use lookout_server::ingest::remote_write::encode;
use lookout_tsdb::Labels;
use serde_json::Value;

/// Writers of each kind, all at once.
const WRITERS: usize = 2;
const MAX_BATCHES: usize = 400;
const SERIES_PER_BATCH: usize = 50;
const SAMPLES_PER_SERIES: usize = 10;
const LINES_PER_BATCH: usize = 100;
const ALERTS_PER_BATCH: usize = 10;
const BASE_MS: i64 = 1_700_000_000_000;

/// The three kinds of durable write: samples, log lines and the notifier's alerts.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Metrics,
    Logs,
    Alerts,
}

impl Kind {
    fn per_batch(self) -> usize {
        match self {
            Kind::Metrics => SERIES_PER_BATCH * SAMPLES_PER_SERIES,
            Kind::Logs => LINES_PER_BATCH,
            Kind::Alerts => ALERTS_PER_BATCH,
        }
    }

    /// The request for one batch: path, content type, body, and the status that acknowledges it.
    fn request(self, writer: usize, batch: usize) -> (&'static str, &'static str, Vec<u8>, u16) {
        match self {
            Kind::Metrics => ("/api/v1/write", "application/x-protobuf", metrics_body(writer, batch), 204),
            Kind::Logs => {
                let mut body = String::new();
                for i in 0..LINES_PER_BATCH {
                    let ts = (BASE_MS + (batch * LINES_PER_BATCH + i) as i64) * 1_000_000;
                    body.push_str(&format!(
                        "{{\"timestamp\":{ts},\"level\":\"INFO\",\"service\":\"crash-test\",\"writer\":\"{writer}\",\"message\":\"line {i} of batch {batch}\"}}\n"
                    ));
                }
                ("/api/v1/logs", "application/x-ndjson", body.into_bytes(), 200)
            }
            Kind::Alerts => {
                let alerts: Vec<serde_json::Value> = (0..ALERTS_PER_BATCH)
                    .map(|i| {
                        serde_json::json!({"labels": {"alertname": "CrashTest", "writer": writer.to_string(),
                            "batch": batch.to_string(), "i": i.to_string()}})
                    })
                    .collect();
                ("/api/v2/alerts", "application/json", serde_json::to_vec(&alerts).unwrap(), 200)
            }
        }
    }

    /// How many of this kind's items the server holds, per writer.
    async fn stored(self, url: &str) -> Vec<usize> {
        let mut counts = vec![0; WRITERS];
        type Reader = (String, &'static str, fn(&Value) -> &Value, fn(&Value) -> usize);
        let (path, rows, writer_of, count_of): Reader = match self {
            Kind::Metrics => {
                let end = (BASE_MS + (MAX_BATCHES * SAMPLES_PER_SERIES) as i64 * 1000) / 1000;
                let query = url_encode("sum by (writer) (count_over_time(crash_test[30d]))");
                (
                    format!("/api/v1/query?query={query}&time={end}"),
                    "/data/result",
                    |r| &r["metric"]["writer"],
                    |r| r["value"][1].as_str().unwrap().parse().unwrap(),
                )
            }
            Kind::Logs => {
                let query = url_encode(r#"sum by (writer) (count_over_time({service="crash-test"} | json [1d]))"#);
                let time = (BASE_MS + 3_600_000) * 1_000_000;
                (
                    format!("/loki/api/v1/query?query={query}&time={time}"),
                    "/data/result",
                    |r| &r["metric"]["writer"],
                    |r| r["value"][1].as_str().unwrap().parse().unwrap(),
                )
            }
            Kind::Alerts => {
                let filter = url_encode(r#"alertname="CrashTest""#);
                (format!("/api/v2/alerts?filter={filter}"), "", |r| &r["labels"]["writer"], |_| 1)
            }
        };
        let response = http_get(&format!("{url}{path}")).await.unwrap();
        assert_eq!(response.status, 200, "{self:?}: {}", response.body);
        let json: serde_json::Value = serde_json::from_str(&response.body).unwrap();
        for row in json.pointer(rows).and_then(|r| r.as_array()).unwrap() {
            let writer: usize = writer_of(row).as_str().unwrap().parse().unwrap();
            counts[writer] += count_of(row);
        }
        counts
    }
}

fn metrics_body(writer: usize, batch: usize) -> Vec<u8> {
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

const KINDS: [Kind; 3] = [Kind::Metrics, Kind::Logs, Kind::Alerts];

#[tokio::test]
async fn kill_9_during_metrics_log_and_alert_writes_loses_no_acknowledged_write() {
    let dir = TempDir::new("crash");
    let mut lookout = Lookout::start_in(dir.path(), &["--no-demo"], None).await;
    // One counter of acknowledged batches per (kind, writer).
    let acked: Arc<Vec<AtomicUsize>> = Arc::new((0..KINDS.len() * WRITERS).map(|_| AtomicUsize::new(0)).collect());
    let mut tasks = Vec::new();
    for (k, kind) in KINDS.into_iter().enumerate() {
        for writer in 0..WRITERS {
            let (url, acked) = (lookout.url.clone(), acked.clone());
            tasks.push(tokio::spawn(async move {
                // Batches go in order per writer; a batch counts only once the server said so.
                for batch in 0..MAX_BATCHES {
                    let (path, content_type, body, ok) = kind.request(writer, batch);
                    let mut headers = vec![("Content-Type", content_type)];
                    if kind == Kind::Metrics {
                        headers.push(("Content-Encoding", "snappy"));
                    }
                    match http_post(&format!("{url}{path}"), &headers, &body).await {
                        Ok(r) if r.status == ok => acked[k * WRITERS + writer].store(batch + 1, Ordering::SeqCst),
                        _ => return,
                    }
                }
            }));
        }
    }
    // Let every writer of every kind get going, then pull the plug mid-stream.
    lookout_e2e::wait_all_reach(&acked, 20).await;
    lookout.kill().await;
    for task in tasks {
        let _ = task.await;
    }
    let acked: Vec<usize> = acked.iter().map(|a| a.load(Ordering::SeqCst)).collect();
    assert!(acked.iter().all(|a| *a > 0 && *a < MAX_BATCHES), "the kill must land mid-stream: {acked:?}");

    let restarted = Lookout::start_in(dir.path(), &["--no-demo"], None).await;
    for (k, kind) in KINDS.into_iter().enumerate() {
        let stored = kind.stored(&restarted.url).await;
        let per_batch = kind.per_batch();
        for writer in 0..WRITERS {
            // Every acknowledged batch is there, once; the one in flight at the kill may be too.
            let acked = acked[k * WRITERS + writer];
            let (low, high) = (acked * per_batch, (acked + 1) * per_batch);
            assert!(
                stored[writer] >= low && stored[writer] <= high && stored[writer] % per_batch == 0,
                "{kind:?} writer {writer}: {} stored, {acked} batches of {per_batch} acknowledged",
                stored[writer]
            );
        }
    }
}

/// Half a record of garbage appended to the newest non-empty segment of a write-ahead log, as a
/// crash in the middle of a write would leave it; returns the segment and its good length.
fn tear(wal: &std::path::Path) -> (std::path::PathBuf, u64) {
    let (_, newest) = lookout_tsdb::wal::segments(wal)
        .unwrap()
        .into_iter()
        .rfind(|(_, p)| std::fs::metadata(p).unwrap().len() > 0)
        .unwrap_or_else(|| panic!("no segment with records in {}", wal.display()));
    let mut bytes = std::fs::read(&newest).unwrap();
    let good_len = bytes.len() as u64;
    bytes.extend_from_slice(&[0x40, 0, 0, 0, 0xde, 0xad, 0xbe, 0xef, 1, 2, 3]);
    std::fs::write(&newest, &bytes).unwrap();
    (newest, good_len)
}

#[tokio::test]
async fn torn_log_tails_of_every_store_are_cut_off_and_the_rest_kept() {
    let dir = TempDir::new("torn");
    let lookout = Lookout::start_in(dir.path(), &["--no-demo"], None).await;
    for kind in KINDS {
        for batch in 0..3 {
            let (path, content_type, body, ok) = kind.request(0, batch);
            let mut headers = vec![("Content-Type", content_type)];
            if kind == Kind::Metrics {
                headers.push(("Content-Encoding", "snappy"));
            }
            let r = http_post(&format!("{}{path}", lookout.url), &headers, &body).await.unwrap();
            assert_eq!(r.status, ok, "{kind:?}: {}", r.body);
        }
    }
    assert!(lookout.terminate().await.success());
    let torn: Vec<_> =
        ["metrics/wal", "logs/wal", "alerts/journal"].iter().map(|wal| tear(&dir.path().join(wal))).collect();

    let restarted = Lookout::start_in(dir.path(), &["--no-demo"], None).await;
    for kind in KINDS {
        assert_eq!(kind.stored(&restarted.url).await[0], 3 * kind.per_batch(), "{kind:?} after the torn tail");
    }
    for (segment, good_len) in torn {
        assert_eq!(std::fs::metadata(&segment).unwrap().len(), good_len, "{} was cut back", segment.display());
    }
}

/// A tmpfs of a few megabytes, unmounted when dropped.
struct TinyDisk {
    dir: TempDir,
}

impl TinyDisk {
    /// `None` where this process may not mount (not root, no CAP_SYS_ADMIN).
    fn mount(megabytes: u32) -> Option<TinyDisk> {
        let dir = TempDir::new("tiny-disk");
        let status = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={megabytes}m"), "tmpfs"])
            .arg(dir.path())
            .stderr(std::process::Stdio::null())
            .status()
            .ok()?;
        status.success().then_some(TinyDisk { dir })
    }
}

impl Drop for TinyDisk {
    fn drop(&mut self) {
        // Lazily: a server killed a moment ago may still hold files open in it.
        let _ = std::process::Command::new("umount").arg("-l").arg(self.dir.path()).status();
    }
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A full disk: writes are refused with a clear error (and the server stays up); what was
/// acknowledged before is all there when the data moves to a disk with room.
#[tokio::test]
async fn a_full_disk_refuses_writes_clearly_and_keeps_what_was_acknowledged() {
    let Some(disk) = TinyDisk::mount(3) else {
        eprintln!("skipped: this process cannot mount a tmpfs (it needs root) to fill a disk");
        return;
    };
    let data = disk.dir.path().join("data");
    let mut lookout = Lookout::start_in(&data, &["--no-demo"], None).await;
    let mut acked = 0;
    let mut refusal = None;
    for batch in 0..400 {
        let (path, content_type, body, ok) = Kind::Logs.request(0, batch);
        let r = http_post(&format!("{}{path}", lookout.url), &[("Content-Type", content_type)], &body).await.unwrap();
        if r.status != ok {
            refusal = Some((r.status, r.body));
            break;
        }
        acked += 1;
    }
    let (status, body) = refusal.expect("3 MB filled up within 400 batches");
    assert_eq!(status, 500, "{body}");
    assert!(body.contains("No space left on device"), "{body}");
    // Every store says so; the server stays up and answers reads.
    let (path, content_type, body, _) = Kind::Alerts.request(0, 0);
    let r = http_post(&format!("{}{path}", lookout.url), &[("Content-Type", content_type)], &body).await.unwrap();
    assert!(r.status == 500 && r.body.contains("No space left on device"), "{}: {}", r.status, r.body);
    assert_eq!(http_get(&format!("{}/-/healthy", lookout.url)).await.unwrap().status, 200);
    // The refused batch reached the store's memory before its log write failed: until a
    // restart, reads may show it (it was never acknowledged, and is gone after one).
    let live = Kind::Logs.stored(&lookout.url).await[0];
    assert!(live == acked * LINES_PER_BATCH || live == (acked + 1) * LINES_PER_BATCH, "{live} lines, {acked} batches");
    lookout.kill().await;

    // Moved to a disk with room, every acknowledged line is there and nothing else.
    let roomy = TempDir::new("roomy");
    copy_dir(&data, roomy.path());
    drop(disk);
    let restarted = Lookout::start_in(roomy.path(), &["--no-demo"], None).await;
    assert_eq!(Kind::Logs.stored(&restarted.url).await[0], acked * LINES_PER_BATCH);
}
