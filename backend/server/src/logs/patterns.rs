//! Log lines grouped into patterns (`lookout_insight::drain`) from the store: for the Overview,
//! the error and warning lines of the last minutes against the hour before (new, spiking), with
//! a few example lines to follow; for `GET /loki/api/v1/patterns`, every line a selector picks.

use std::collections::{BTreeMap, HashMap, VecDeque};

use lookout_insight::drain::{self, Drain, Format};
use lookout_logs::{LogStore, Order, Row, Selection};
use lookout_tsdb::{Labels, Matcher};
use lookout_types::Point;
use lookout_types::insight::{LogPattern, PatternExample};

/// Stream labels that carry a line's level, by the clients that set them.
const LEVEL_LABELS: [&str; 4] = ["level", "severity", "detected_level", "lvl"];
/// The levels the Overview groups.
const PROBLEM_LEVELS: &str = "(?i)(error|err|fatal|critical|crit|alert|emerg|panic|warn|warning)";
/// Example lines kept per pattern.
const EXAMPLES: usize = 3;
/// A pattern is spiking when its rate in the window is this many times its rate before …
const SPIKE_FACTOR: f64 = 3.0;
/// … and it has at least this many lines in the window.
const SPIKE_MIN_LINES: u64 = 10;
/// The Overview's buckets.
const BUCKET_MS: i64 = 60_000;

/// A line's level from its stream, lowercase, `unknown` when it has none.
fn level(stream: &Labels) -> String {
    LEVEL_LABELS.iter().find_map(|l| stream.get(l)).unwrap_or("unknown").to_ascii_lowercase()
}

/// Lines of one service, level and format share a Drain: lines of each format are grouped
/// apart, as each of Loki's streams has its own.
type Key = (String, String, Format);

/// Lines read at most for one answer; past it the scan goes on but learns nothing, so memory is
/// bounded whatever range is asked.
const MAX_LINES: usize = 500_000;

/// Drains per [`Key`], with what the Overview keeps beside each cluster.
#[derive(Default)]
struct Trained {
    drains: BTreeMap<Key, Drain>,
    /// Per key and cluster: when it was seen, and its newest lines.
    seen: HashMap<(Key, usize), Seen>,
    lines: usize,
}

/// When a pattern's lines came, and the newest of them.
#[derive(Debug, Clone, Default)]
struct Seen {
    first: i64,
    last: i64,
    examples: VecDeque<PatternExample>,
}

impl Trained {
    fn add(&mut self, row: &Row<'_>) {
        if self.lines >= MAX_LINES {
            return;
        }
        self.lines += 1;
        let service = lookout_insight::names::service(row.stream).unwrap_or("").to_string();
        let format = Format::detect(row.line);
        let key = (service, level(row.stream), format);
        let t = row.ts / 1_000_000;
        let drain =
            self.drains.entry(key.clone()).or_insert_with(|| Drain::with_format(drain::Config::default(), format));
        let Some(id) = drain.train(row.line, t) else { return };
        let entry = self.seen.entry((key, id)).or_insert(Seen { first: t, last: t, examples: VecDeque::new() });
        entry.first = entry.first.min(t);
        entry.last = entry.last.max(t);
        let fields = lookout_logs::json_fields(row.line).unwrap_or_default();
        let field = |name: &str| fields.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone());
        entry.examples.push_back(PatternExample {
            t,
            line: row.line.to_string(),
            request_id: field("request_id"),
            trace_id: field("trace_id"),
        });
        if entry.examples.len() > EXAMPLES {
            entry.examples.pop_front();
        }
    }
}

/// Trains on the lines `matchers` select in `[start_ms, end_ms]`, oldest first.
fn train(store: &LogStore, matchers: Vec<Matcher>, start_ms: i64, end_ms: i64, trained: &mut Trained) {
    let selection = Selection::new(start_ms.saturating_mul(1_000_000), end_ms.saturating_mul(1_000_000), matchers);
    store.scan(&selection, Order::Forward, &mut |row: Row<'_>| trained.add(&row));
}

/// The error and warning patterns of `[now - window_ms, now]`, judged against the hour before:
/// new ones first, then spiking ones, then by count.
pub fn problems(store: &LogStore, now: i64, window_ms: i64, limit: usize) -> Vec<LogPattern> {
    // The window starts on a bucket's start, so a bucket is before it or in it, never both.
    let split = now - window_ms;
    let split = split - split.rem_euclid(drain::BUCKET_MS);
    let start = split - 3_600_000;
    let mut trained = Trained::default();
    for label in LEVEL_LABELS {
        let Ok(matcher) = Matcher::regex(label, PROBLEM_LEVELS) else { continue };
        // A stream with two level labels would be read twice; the first label it has wins.
        let mut matchers = vec![matcher];
        matchers.extend(LEVEL_LABELS.iter().take_while(|l| **l != label).map(|l| Matcher::equal(*l, "")));
        train(store, matchers, start, now, &mut trained);
    }
    let mut out = Vec::new();
    for (key, drain) in &trained.drains {
        let (service, level, _) = key;
        for cluster in drain.clusters() {
            let recent: u64 = cluster.buckets.range(split..).map(|(_, n)| n).sum();
            if recent == 0 {
                continue;
            }
            let before = cluster.count - recent;
            let Seen { first: first_seen, last: last_seen, examples } =
                trained.seen.get(&(key.clone(), cluster.id)).cloned().unwrap_or_default();
            let rate_now = recent as f64 / (now - split).max(1) as f64;
            let rate_before = before as f64 / (split - start) as f64;
            let mut samples: BTreeMap<i64, u64> = BTreeMap::new();
            for (t, n) in cluster.buckets.range(split..) {
                *samples.entry(t - t.rem_euclid(BUCKET_MS)).or_default() += n;
            }
            out.push(LogPattern {
                pattern: cluster.message(),
                service: service.clone(),
                level: level.clone(),
                count: recent,
                first_seen,
                last_seen,
                new: before == 0,
                spiking: before > 0 && recent >= SPIKE_MIN_LINES && rate_now >= SPIKE_FACTOR * rate_before,
                samples: samples.into_iter().map(|(t, n)| Point { t, v: n as f64 }).collect(),
                examples: examples.into_iter().rev().collect(),
            });
        }
    }
    out.sort_by(|a, b| {
        (b.new, b.spiking, b.count).cmp(&(a.new, a.spiking, a.count)).then_with(|| a.pattern.cmp(&b.pattern))
    });
    out.truncate(limit);
    out
}

/// One pattern as Loki's API answers it: its text as Loki prints it, its level, and its lines
/// per `step_ms` bucket.
#[derive(Debug, Clone, PartialEq)]
pub struct PatternSeries {
    pub pattern: String,
    pub level: String,
    pub total: u64,
    pub samples: Vec<(i64, u64)>,
}

/// Loki drops patterns with fewer lines than this …
pub const MIN_PATTERN_LINES: u64 = 30;
/// … and keeps this many at most.
pub const MAX_PATTERNS: usize = 300;

/// The patterns of every line `matchers` select in `[start_ms, end_ms)`, as Loki's pattern
/// querier answers: buckets of `step_ms` (at least Drain's 10 s), the largest patterns first.
pub fn series(
    store: &LogStore,
    matchers: Vec<Matcher>,
    start_ms: i64,
    end_ms: i64,
    step_ms: i64,
) -> Vec<PatternSeries> {
    let step = step_ms.max(drain::BUCKET_MS);
    let mut trained = Trained::default();
    train(store, matchers, start_ms, end_ms, &mut trained);
    let mut merged: BTreeMap<(String, String), BTreeMap<i64, u64>> = BTreeMap::new();
    for ((_, level, _), drain) in &trained.drains {
        for cluster in drain.clusters() {
            let buckets = merged.entry((cluster.pattern(), level.clone())).or_default();
            // Only lines of the range were read, so every bucket counts, the first one too
            // though it starts before the range.
            for (t, n) in &cluster.buckets {
                *buckets.entry(t - t.rem_euclid(step)).or_default() += n;
            }
        }
    }
    let mut out: Vec<PatternSeries> = merged
        .into_iter()
        .map(|((pattern, level), buckets)| PatternSeries {
            pattern,
            level,
            total: buckets.values().sum(),
            samples: buckets.into_iter().collect(),
        })
        .filter(|s| s.total >= MIN_PATTERN_LINES)
        .collect();
    out.sort_by(|a, b| b.total.cmp(&a.total).then_with(|| a.pattern.cmp(&b.pattern)));
    out.truncate(MAX_PATTERNS);
    out
}

#[cfg(test)]
mod tests {
    use lookout_logs::ingest::{Limits, parse_ndjson};

    use super::*;

    /// On a bucket boundary, so the window's edges fall between buckets.
    const NOW: i64 = 1_735_074_310_000;

    fn store_with(lines: &[(i64, &str, &str)]) -> LogStore {
        let dir = std::env::temp_dir().join(format!("lookout-patterns-{}-{}", std::process::id(), lines.len()));
        let _ = std::fs::remove_dir_all(&dir);
        let (store, _) = LogStore::open(&dir).unwrap();
        let mut body = String::new();
        for (i, (t, level, message)) in lines.iter().enumerate() {
            body.push_str(&format!(
                r#"{{"timestamp":{t},"level":"{level}","service":"checkout","message":"{message}","request_id":"r{i}"}}"#
            ));
            body.push('\n');
        }
        store.append(parse_ndjson(body.as_bytes(), None, 0, Limits::default()).entries).unwrap();
        store
    }

    #[test]
    fn new_and_spiking_patterns_lead() {
        let mut lines = Vec::new();
        // An old warning, steady: before and now alike.
        for i in 0..60 {
            lines.push((NOW - 70 * 60_000 + i * 60_000, "WARNING", "cache miss ratio high"));
        }
        // The pool: new in the window.
        for i in 0..30 {
            lines.push((
                NOW - 5 * 60_000 + i * 1000,
                "ERROR",
                if i % 2 == 0 {
                    "couldn't get a connection after 2.00 sec"
                } else {
                    "couldn't get a connection after 2.01 sec"
                },
            ));
        }
        lines.push((NOW - 60_000, "INFO", "fine and dandy all along"));
        lines.sort_by_key(|l| l.0);
        let store = store_with(&lines);
        let found = problems(&store, NOW, 15 * 60_000, 10);
        let shown: Vec<(&str, &str, u64, bool)> =
            found.iter().map(|p| (p.pattern.as_str(), p.level.as_str(), p.count, p.new)).collect();
        assert_eq!(
            shown,
            [
                ("couldn't get a connection after <_> sec", "error", 30, true),
                ("cache miss ratio high", "warning", 5, false),
            ]
        );
        let pool = &found[0];
        assert_eq!(pool.first_seen, NOW - 5 * 60_000);
        assert_eq!(pool.examples.len(), EXAMPLES);
        assert_eq!(pool.examples[0].request_id.as_deref(), Some("r89"), "newest first");
        assert_eq!(pool.samples.iter().map(|p| p.v).sum::<f64>(), 30.0);
    }

    #[test]
    fn loki_series_drop_small_patterns() {
        let mut lines: Vec<(i64, &str, &str)> = (0..40)
            .map(|i| {
                (
                    NOW - 100_000 + i * 1000,
                    "INFO",
                    if i % 2 == 0 { "request served in 12 ms" } else { "request served in 7 ms" },
                )
            })
            .collect();
        lines.extend((0..5).map(|i| (NOW - 50_000 + i, "INFO", "rare thing happened here")));
        lines.sort_by_key(|l| l.0);
        let store = store_with(&lines);
        let all = series(&store, vec![Matcher::equal("service", "checkout")], NOW - 200_000, NOW, 60_000);
        assert_eq!(all.len(), 1, "{all:?}");
        assert_eq!(
            (all[0].pattern.as_str(), all[0].level.as_str(), all[0].total),
            ("<_>request served in <_> ms<_>", "info", 40)
        );
        assert!(all[0].samples.iter().all(|(t, _)| t % 60_000 == 0));
    }
}
