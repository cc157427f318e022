//! What moved and what is full, found without knowing the metrics: the series that changed most
//! in the last 15 minutes against the hour before (counters by their rate, gauges by their
//! mean; with less history, its newer half against its older half), and gauges at or near a limit that sits beside them (`…_active` against `…_max`, a
//! `heap_used` value against `heap_max`). On a large store the scan is skipped rather than made
//! slow: it reads every series' last 75 minutes.

use std::collections::HashMap;

use lookout_tsdb::{Db, Labels, METRIC_NAME, Matcher, Series};
use lookout_types::{Capacity, SeriesChange};

const RECENT_MS: i64 = 15 * 60_000;
const BEFORE_MS: i64 = 60 * 60_000;
/// More series than this and the Overview leaves both lists empty.
const MAX_SERIES: usize = 20_000;
/// A change smaller than this share of the larger side is not news.
const MIN_RELATIVE_CHANGE: f64 = 0.25;
const MAX_CHANGES: usize = 6;
/// Series of one metric in the list, so one noisy metric does not fill it.
const MAX_PER_METRIC: usize = 2;
/// A gauge at this share of its limit counts as at capacity.
const FULL: f64 = 0.8;
/// A latest sample older than this is not "now".
const LOOKBACK_MS: i64 = 5 * 60_000;

const USED_SUFFIXES: [&str; 4] = ["_active", "_used", "_in_use", "_usage"];
const LIMIT_SUFFIXES: [&str; 4] = ["_max", "_limit", "_capacity", "_size"];

/// Every series with its last 75 minutes, or nothing on a store too large to scan.
pub fn recent_series(db: &Db, now: i64) -> Vec<Series> {
    if db.head().num_series() > MAX_SERIES {
        return Vec::new();
    }
    let Ok(any) = Matcher::regex(METRIC_NAME, ".+") else { return Vec::new() };
    db.select(&[any], now - RECENT_MS - BEFORE_MS, now).unwrap_or_default()
}

fn is_counter(name: &str) -> bool {
    name.ends_with("_total") || name.ends_with("_count") || name.ends_with("_sum")
}

/// Per-second increase over the samples, counting a drop as a counter reset.
fn rate(samples: &[(i64, f64)]) -> Option<f64> {
    let (first, last) = (samples.first()?, samples.last()?);
    let seconds = (last.0 - first.0) as f64 / 1000.0;
    if samples.len() < 2 || seconds <= 0.0 {
        return None;
    }
    let increase: f64 = samples.windows(2).map(|w| if w[1].1 >= w[0].1 { w[1].1 - w[0].1 } else { w[1].1 }).sum();
    Some(increase / seconds)
}

fn mean(samples: &[(i64, f64)]) -> Option<f64> {
    (samples.len() >= 2).then(|| samples.iter().map(|s| s.1).sum::<f64>() / samples.len() as f64)
}

/// The series whose rate or level moved most, largest relative change first.
pub fn changes(series: &[Series], now: i64) -> Vec<SeriesChange> {
    // With less than half an hour of history (a fresh install, the demo), the newer half of
    // what there is is compared with the older half.
    let earliest = series.iter().filter_map(|s| s.samples.first()).map(|s| s.0).min().unwrap_or(now);
    let split = if earliest > now - 2 * RECENT_MS { earliest + (now - earliest) / 2 } else { now - RECENT_MS };
    let mut found: Vec<(f64, SeriesChange)> = Vec::new();
    for s in series {
        let name = s.labels.metric_name().unwrap_or("");
        if name.ends_with("_bucket") {
            continue;
        }
        let samples: Vec<(i64, f64)> = s.samples.iter().copied().filter(|(_, v)| v.is_finite()).collect();
        let (before, recent): (Vec<_>, Vec<_>) = samples.iter().partition(|(t, _)| *t < split);
        let counter = is_counter(name);
        let measure = if counter { rate } else { mean };
        let (Some(was), Some(is)) = (measure(&before), measure(&recent)) else { continue };
        let larger = was.abs().max(is.abs());
        if larger == 0.0 || (is - was).abs() / larger < MIN_RELATIVE_CHANGE {
            continue;
        }
        let shown = s.labels.to_string();
        let query = if counter { format!("rate({shown}[5m])") } else { shown.clone() };
        let kind = if counter { "rate" } else { "level" };
        let change = SeriesChange { series: shown, kind: kind.into(), before: was, now: is, query };
        found.push(((is - was).abs() / larger, change));
    }
    found.sort_by(|a, b| {
        b.0.total_cmp(&a.0).then((b.1.now - b.1.before).abs().total_cmp(&(a.1.now - a.1.before).abs()))
    });
    let mut per_metric: HashMap<String, usize> = HashMap::new();
    found
        .into_iter()
        .map(|(_, change)| change)
        .filter(|c| {
            let metric = c.series.split('{').next().unwrap_or("").to_string();
            let seen = per_metric.entry(metric).or_default();
            *seen += 1;
            *seen <= MAX_PER_METRIC
        })
        .take(MAX_CHANGES)
        .collect()
}

/// Gauges at [`FULL`] of their limit or more, fullest first.
pub fn at_capacity(series: &[Series], now: i64) -> Vec<Capacity> {
    let latest: HashMap<&Labels, f64> = series
        .iter()
        .filter_map(|s| {
            let &(t, v) = s.samples.last()?;
            (t >= now - LOOKBACK_MS && v.is_finite()).then_some((&s.labels, v))
        })
        .collect();
    let mut full: Vec<(f64, Capacity)> = Vec::new();
    for (labels, &used) in &latest {
        for limit_labels in limit_candidates(labels) {
            let Some(&limit) = latest.get(&limit_labels) else { continue };
            if limit > 0.0 && used / limit >= FULL {
                let (shown, limit_shown) = (labels.to_string(), limit_labels.to_string());
                let query = format!("{shown} / {limit_shown}");
                full.push((used / limit, Capacity { series: shown, used, limit, query }));
                break;
            }
        }
    }
    full.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.series.cmp(&b.1.series)));
    full.into_iter().map(|(_, c)| c).collect()
}

/// The series that would hold this one's limit: its name, or one label value, with a "used"
/// suffix swapped for a "limit" one.
fn limit_candidates(labels: &Labels) -> Vec<Labels> {
    let swaps = |text: &str| -> Vec<String> {
        USED_SUFFIXES
            .iter()
            .filter_map(|used| text.strip_suffix(used))
            .flat_map(|base| LIMIT_SUFFIXES.iter().map(move |limit| format!("{base}{limit}")))
            .collect()
    };
    let pairs: Vec<(String, String)> = labels.iter().map(|l| (l.name.clone(), l.value.clone())).collect();
    let mut out = Vec::new();
    for (i, (name, value)) in pairs.iter().enumerate() {
        for swapped in swaps(value) {
            let mut candidate = pairs.clone();
            candidate[i] = (name.clone(), swapped);
            out.push(Labels::from_pairs(candidate));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(name: &str, pairs: &[(&str, &str)], samples: Vec<(i64, f64)>) -> Series {
        Series { labels: Labels::from_pairs(std::iter::once(("__name__", name)).chain(pairs.iter().copied())), samples }
    }

    const NOW: i64 = 10_000_000;

    /// Every 15 s over the last 75 minutes, `before` up to 15 minutes ago and `recent` since.
    fn over_time(before: impl Fn(i64) -> f64, recent: impl Fn(i64) -> f64) -> Vec<(i64, f64)> {
        (0..300)
            .map(|i| {
                let t = NOW - (300 - i) * 15_000 + 15_000;
                (t, if t < NOW - RECENT_MS { before(i) } else { recent(i) })
            })
            .collect()
    }

    #[test]
    fn rates_and_levels_that_moved_are_found_largest_first() {
        let all = vec![
            // Errors: 0.1/s, then 2/s.
            series("errors_total", &[], over_time(|i| i as f64 * 1.5, |i| 360.0 + (i - 240) as f64 * 30.0)),
            // Requests: steady at 10/s.
            series("requests_total", &[], over_time(|i| i as f64 * 150.0, |i| i as f64 * 150.0)),
            // The pool: 6, then 20.
            series("pool_active", &[], over_time(|_| 6.0, |_| 20.0)),
            // Noise within a quarter.
            series("cpu", &[], over_time(|i| 30.0 + (i % 3) as f64, |i| 33.0 + (i % 3) as f64)),
        ];
        let found = changes(&all, NOW);
        let names: Vec<&str> = found.iter().map(|c| c.series.as_str()).collect();
        assert_eq!(names, ["errors_total{}", "pool_active{}"]);
        assert_eq!(found[0].kind, "rate");
        assert!((found[0].before - 0.1).abs() < 0.01 && (found[0].now - 2.0).abs() < 0.01, "{:?}", found[0]);
        assert_eq!(found[0].query, "rate(errors_total{}[5m])");
        assert_eq!((found[1].kind.as_str(), found[1].before, found[1].now), ("level", 6.0, 20.0));
    }

    #[test]
    fn short_histories_compare_their_halves() {
        // Ten minutes of a pool: 6 for five minutes, then 20.
        let samples = (0..40).map(|i| (NOW - (40 - i) * 15_000, if i < 20 { 6.0 } else { 20.0 })).collect();
        let found = changes(&[series("pool_active", &[], samples)], NOW);
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].before, found[0].now), (6.0, 20.0));
    }

    #[test]
    fn gauges_beside_their_limit_are_found_at_capacity() {
        let at = |v: f64| vec![(NOW - 10_000, v)];
        let all = vec![
            series("database_connections_active", &[("pool", "payments")], at(20.0)),
            series("database_connections_max", &[("pool", "payments")], at(20.0)),
            series("database_connections_active", &[("pool", "reports")], at(2.0)),
            series("database_connections_max", &[("pool", "reports")], at(20.0)),
            series("memory_usage_bytes", &[("type", "heap_used")], at(90.0)),
            series("memory_usage_bytes", &[("type", "heap_max")], at(100.0)),
            // A limit without a used side, and a stale used side: neither is listed.
            series("queue_capacity", &[], at(5.0)),
            series("disk_used", &[], vec![(NOW - 3_600_000, 99.0)]),
            series("disk_size", &[], at(100.0)),
        ];
        let full = at_capacity(&all, NOW);
        let shown: Vec<(&str, f64, f64)> = full.iter().map(|c| (c.series.as_str(), c.used, c.limit)).collect();
        assert_eq!(
            shown,
            [
                (r#"database_connections_active{pool="payments"}"#, 20.0, 20.0),
                (r#"memory_usage_bytes{type="heap_used"}"#, 90.0, 100.0),
            ]
        );
        assert_eq!(
            full[0].query,
            r#"database_connections_active{pool="payments"} / database_connections_max{pool="payments"}"#
        );
    }
}
