//! The log store end to end on disk: append, cut into blocks, scan with every kind of
//! selection, reopen after a crash, retention.

use lookout_logs::ingest::{Limits, parse_ndjson};
use lookout_logs::{Entry, LineFilter, LogStore, Needle, Order, Row, Selection, Visitor};
use lookout_tsdb::Matcher;

const T0: i64 = 1_735_074_309_000_000_000;
const SECOND: i64 = 1_000_000_000;

struct TempDir(std::path::PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("lookout-logs-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `n` demo-like lines a second apart, three services, every 50th an error with a traceback.
fn lines(n: usize) -> Vec<Entry> {
    let services = ["payment-service", "order-service", "api-gateway"];
    let mut body = String::new();
    for i in 0..n {
        let service = services[i % 3];
        let (level, message) = if i % 50 == 0 {
            ("ERROR", "Connection pool exhausted! Waiting for available connection...".to_string())
        } else {
            ("INFO", format!("Payment processed for order ord-{i}"))
        };
        body.push_str(&format!(
            r#"{{"timestamp":{},"level":"{level}","service":"{service}","logger":"app.{service}","message":"{message}","request_id":"req-{i:06x}","user_id":"user-{}","processing_time_ms":{}}}"#,
            T0 / SECOND + i as i64,
            i % 97,
            i % 1500
        ));
        body.push('\n');
    }
    let parsed = parse_ndjson(body.as_bytes(), None, 0, Limits::default());
    assert!(parsed.rejected.is_empty(), "{:?}", parsed.rejected);
    parsed.entries
}

fn collect(store: &LogStore, selection: &Selection) -> Vec<(i64, String)> {
    let mut rows = Vec::new();
    store.scan(selection, Order::Forward, &mut |row: Row<'_>| rows.push((row.ts, row.line.to_string())));
    rows.sort();
    rows
}

fn all(matchers: Vec<Matcher>) -> Selection {
    Selection::new(i64::MIN, i64::MAX, matchers)
}

#[test]
fn blocks_and_head_answer_alike_and_survive_a_reopen() {
    let dir = TempDir::new("alike");
    let entries = lines(3000);
    let queries: Vec<(&str, Selection)> = vec![
        ("one service", all(vec![Matcher::equal("service", "payment-service")])),
        ("errors", all(vec![Matcher::equal("level", "ERROR")])),
        ("a request id", all(vec![Matcher::equal("request_id", "req-0003e8")])),
        (
            "a user, regex service",
            all(vec![Matcher::equal("user_id", "user-5"), Matcher::regex("service", "pay.*|api.*").unwrap()]),
        ),
        ("full text", {
            let mut s = all(vec![Matcher::regex("service", ".+").unwrap()]);
            s.line_filters.push(LineFilter::Contains(vec![Needle::new("exhausted")]));
            s
        }),
        ("full text, bounded word and negation", {
            let mut s = all(vec![Matcher::not_equal("service", "api-gateway")]);
            s.line_filters.push(LineFilter::Contains(vec![Needle::new("for order ord-12")]));
            s.line_filters.push(LineFilter::NotContains(vec![Needle::new("ord-123")]));
            s
        }),
        (
            "time range",
            Selection::new(T0 + 100 * SECOND, T0 + 199 * SECOND, vec![Matcher::regex("service", ".+").unwrap()]),
        ),
    ];
    let expected: Vec<usize> = vec![1000, 60, 1, 0, 60, 0, 100];
    let (store, _) = LogStore::open(&dir.0).unwrap();
    store.append(entries[..2000].to_vec()).unwrap();
    store.append(entries[2000..].to_vec()).unwrap();
    let from_head: Vec<_> = queries.iter().map(|(_, s)| collect(&store, s)).collect();
    let counts: Vec<usize> = from_head.iter().map(Vec::len).collect();
    // "a user, regex service": user-5 lines are i % 97 == 5; services vary; count them directly.
    let users = (0..3000).filter(|i| i % 97 == 5 && i % 3 != 1).count();
    let bounded = (0..3000)
        .filter(|i| {
            i % 50 != 0
                && i % 3 != 2
                && format!("ord-{i}").starts_with("ord-12")
                && !format!("ord-{i}").starts_with("ord-123")
        })
        .count();
    let expected: Vec<usize> = expected
        .iter()
        .enumerate()
        .map(|(q, &n)| match q {
            3 => users,
            5 => bounded,
            _ => n,
        })
        .collect();
    assert_eq!(counts, expected);

    store.cut().unwrap().expect("a block was written");
    assert_eq!(store.stats().head_rows, 0);
    assert_eq!(store.stats().block_rows, 3000);
    let from_block: Vec<_> = queries.iter().map(|(_, s)| collect(&store, s)).collect();
    for (q, (name, _)) in queries.iter().enumerate() {
        assert_eq!(from_block[q], from_head[q], "{name}: block and head differ");
    }
    drop(store);

    let (store, report) = LogStore::open(&dir.0).unwrap();
    assert_eq!((report.blocks, report.replayed_entries), (1, 0), "the block covers the WAL");
    for (q, (name, s)) in queries.iter().enumerate() {
        assert_eq!(collect(&store, s), from_head[q], "{name}: after reopen");
    }
}

#[test]
fn an_acknowledged_batch_survives_without_a_clean_shutdown() {
    let dir = TempDir::new("crash");
    let entries = lines(500);
    {
        let (store, _) = LogStore::open(&dir.0).unwrap();
        store.append(entries[..300].to_vec()).unwrap();
        store.cut().unwrap();
        store.append(entries[300..].to_vec()).unwrap();
        // Dropped without a cut: as after kill -9, only the WAL holds the last 200.
        std::mem::forget(store);
    }
    // A torn record at the end of the newest segment, as a crash mid-write leaves it.
    let wal = dir.0.join("wal");
    let newest = std::fs::read_dir(&wal).unwrap().filter_map(|e| e.ok()).map(|e| e.path()).max().unwrap();
    let mut bytes = std::fs::read(&newest).unwrap();
    bytes.extend_from_slice(&[200, 0, 0, 0, 1, 2, 3]);
    std::fs::write(&newest, bytes).unwrap();
    let (store, report) = LogStore::open(&dir.0).unwrap();
    assert_eq!(report.replayed_entries, 200);
    assert_eq!(report.wal_truncated_bytes, 7);
    let rows = collect(&store, &all(vec![Matcher::regex("service", ".+").unwrap()]));
    assert_eq!(rows.len(), 500);
    let want: Vec<(i64, String)> = entries.iter().map(|e| (e.ts, e.line.clone())).collect();
    assert_eq!(rows, want);
}

/// Keeps the newest `limit` rows, as a log query with a limit does.
struct Newest {
    limit: usize,
    rows: Vec<i64>,
    rows_seen: usize,
}

impl Visitor for Newest {
    fn visit(&mut self, row: Row<'_>) {
        self.rows_seen += 1;
        self.rows.push(row.ts);
        self.rows.sort_unstable_by(|a, b| b.cmp(a));
        self.rows.truncate(self.limit);
    }

    fn horizon(&self) -> Option<i64> {
        (self.rows.len() == self.limit).then(|| *self.rows.last().unwrap())
    }
}

#[test]
fn a_backward_scan_with_a_limit_stops_early_and_retention_drops_old_blocks() {
    let dir = TempDir::new("backward");
    let entries = lines(3000);
    let (store, _) = LogStore::open(&dir.0).unwrap();
    for chunk in entries.chunks(1000) {
        store.append(chunk.to_vec()).unwrap();
        store.cut().unwrap();
    }
    assert_eq!(store.stats().blocks, 3);
    let mut newest = Newest { limit: 10, rows: Vec::new(), rows_seen: 0 };
    store.scan(&all(vec![Matcher::regex("service", ".+").unwrap()]), Order::Backward, &mut newest);
    let want: Vec<i64> = (2990..3000).rev().map(|i| T0 + i * SECOND).collect();
    assert_eq!(newest.rows, want);
    assert!(newest.rows_seen < 3000, "visited {} rows: older blocks should be skipped", newest.rows_seen);

    assert_eq!(store.retain(T0 + 1500 * SECOND).unwrap(), 1);
    let rows = collect(&store, &all(vec![Matcher::regex("service", ".+").unwrap()]));
    assert_eq!(rows.len(), 2000);
    let fields = store.fields(i64::MIN, i64::MAX);
    assert!(fields.fields.contains_key("request_id"));
    assert_eq!(fields.fields["request_id"], None, "too many values to list");
    assert_eq!(fields.fields["level"].as_ref().unwrap().len(), 2);
}

#[test]
fn pages_read_on_several_cores_are_visited_in_order() {
    let dir = TempDir::new("parallel");
    let (store, _) = LogStore::open(&dir.0).unwrap();
    store.append(lines(20_000)).unwrap();
    store.cut().unwrap();
    let mut selection = all(vec![Matcher::regex("service", ".+").unwrap()]);
    selection.line_filters.push(LineFilter::Contains(vec![Needle::new("exhausted")]));
    // Every 50th line has the word: the newest 100 of them lie across many pages, read in runs.
    let mut newest = Newest { limit: 100, rows: Vec::new(), rows_seen: 0 };
    store.scan(&selection, Order::Backward, &mut newest);
    let want: Vec<i64> = (0..20_000).rev().filter(|i| i % 50 == 0).take(100).map(|i| T0 + i * SECOND).collect();
    assert_eq!(newest.rows, want);
    assert!(newest.rows_seen < 400, "visited {} rows: the scan should stop near its limit", newest.rows_seen);
    // Rows reach the visitor in page order: a forward scan sees its matches in time order.
    let mut seen = Vec::new();
    store.scan(&selection, Order::Forward, &mut |row: Row<'_>| seen.push(row.ts));
    let forward: Vec<i64> = (0..20_000).filter(|i| i % 50 == 0).map(|i| T0 + i * SECOND).collect();
    assert_eq!(seen, forward);
}
