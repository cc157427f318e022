//! Saturation of gauges that have no limit metric: a gauge that kept moving and then stopped at
//! the highest value of the window (a pool of 20 pinned at 20 after wandering below it), and a
//! waiting or pending gauge above zero where it was zero before.

use std::collections::HashSet;

use lookout_tsdb::Series;
use lookout_types::insight::{Saturation, SaturationKind};

use super::{Index, LOOKBACK_MS, siblings};
use crate::{names, promql};

/// The pinned run must hold this many samples …
const MIN_PINNED_SAMPLES: usize = 4;
/// … and last this long.
const MIN_PINNED_MS: i64 = 45_000;
/// Before the run the gauge must have taken this many distinct values: it was moving …
const MIN_DISTINCT_BEFORE: usize = 3;
/// Words of a gauge that counts what waits for a resource.
const WAITING_WORDS: [&str; 6] = ["pending", "waiting", "queued", "waiters", "blocked", "wait"];

/// Plateaus and waiting gauges among the series of metrics no pair covered.
pub fn find(index: &Index<'_>, covered: &HashSet<String>, now: i64) -> Vec<Saturation> {
    let mut out = Vec::new();
    let mut metrics: Vec<&str> = index.names().copied().collect();
    metrics.sort_unstable();
    for name in metrics {
        if covered.contains(name)
            || names::is_counter(name)
            || names::is_histogram_part(name)
            || names::is_not_a_level(name)
            || names::is_self_monitoring(name)
            || siblings::is_limit_name(name)
        {
            continue;
        }
        let waiting = names::words(name).iter().any(|w| WAITING_WORDS.contains(w));
        for series in index.metric(name) {
            let found = if waiting { waiting_since(series, now) } else { pinned_since(series, now) };
            if let Some((since, value)) = found {
                let shown = series.labels.to_string();
                out.push(Saturation {
                    subject: names::subject_label(&series.labels).unwrap_or(name).to_string(),
                    what: siblings::what(name),
                    kind: if waiting { SaturationKind::Waiting } else { SaturationKind::Plateau },
                    rule: if waiting { "waiting" } else { "plateau" }.into(),
                    used: value,
                    limit: None,
                    since: Some(since),
                    query: selector(series),
                    series: shown,
                    limit_query: None,
                });
            }
        }
    }
    out
}

fn selector(series: &Series) -> String {
    let name = series.labels.metric_name().unwrap_or("");
    promql::selector(
        name,
        series
            .labels
            .iter()
            .filter(|l| l.name != lookout_tsdb::METRIC_NAME)
            .map(|l| (l.name.as_str(), l.value.as_str())),
    )
}

/// When a gauge stopped at its window's highest value after moving below it, and that value.
/// The cheap checks come first: most series moved at their last sample and are done at once.
pub fn pinned_since(series: &Series, now: i64) -> Option<(i64, f64)> {
    let samples = &series.samples;
    let &(last, top) = samples.last()?;
    if !top.is_finite() || top <= 0.0 || last < now - LOOKBACK_MS {
        return None;
    }
    let start = samples.iter().rposition(|s| s.1 != top).map_or(0, |i| i + 1);
    let run = &samples[start..];
    if run.len() < MIN_PINNED_SAMPLES || last - run[0].0 < MIN_PINNED_MS {
        return None;
    }
    let before = &samples[..start];
    if before.iter().any(|s| s.1 > top) {
        return None;
    }
    // … up and down, as a pool's use does; a gauge that only ever grew and then held (a process's
    // memory after start-up) has not hit a ceiling.
    let wandered = before.windows(2).any(|w| w[1].1 < w[0].1);
    (wandered && distinct_at_least(before, MIN_DISTINCT_BEFORE)).then(|| (run[0].0, top))
}

/// Whether the finite values take at least `n` distinct values.
fn distinct_at_least(samples: &[(i64, f64)], n: usize) -> bool {
    let mut seen: Vec<u64> = Vec::with_capacity(n);
    for (_, v) in samples.iter().filter(|s| s.1.is_finite()) {
        if !seen.contains(&v.to_bits()) {
            seen.push(v.to_bits());
            if seen.len() >= n {
                return true;
            }
        }
    }
    false
}

/// When a waiting gauge rose above zero (it was zero earlier in the window), and its value now.
pub fn waiting_since(series: &Series, now: i64) -> Option<(i64, f64)> {
    let samples = &series.samples;
    let &(last, value) = samples.last()?;
    if !value.is_finite() || value <= 0.0 || last < now - LOOKBACK_MS {
        return None;
    }
    let start = samples.iter().rposition(|s| s.1 <= 0.0)? + 1;
    (samples.len() - start >= 2).then(|| (samples[start].0, value))
}

#[cfg(test)]
mod tests {
    use super::super::find as find_all;
    use super::super::tests::{NOW, every_15s, series, summary};
    use super::*;

    #[test]
    fn a_gauge_pinned_at_its_highest_value() {
        let wander = |i: i64| 3.0 + (i % 7) as f64;
        let check = |samples: Vec<(i64, f64)>, expected: Option<(i64, f64)>| {
            let s = series("database_connections_active", &[("pool", "payments")], samples);
            assert_eq!(pinned_since(&s, NOW), expected);
        };
        // The seed's pool: wandering 3..9, then at 20 for the last 20 samples.
        check(every_15s(|i| if i >= 100 { 20.0 } else { wander(i) }), Some((NOW - 19 * 15_000, 20.0)));
        // Constant all along (a configured size, a stable thread count): not a plateau.
        check(every_15s(|_| 20.0), None);
        // A step from one constant to another: it never moved before.
        check(every_15s(|i| if i >= 100 { 12.0 } else { 8.0 }), None);
        // Growth that levelled off (postgres_exporter's own memory after start-up): never fell.
        check(every_15s(|i| (i.min(60) * 4096) as f64 + 1e6), None);
        // Pinned for too short a time.
        check(every_15s(|i| if i >= 118 { 20.0 } else { wander(i) }), None);
        // Higher before than now: not its ceiling.
        check(
            every_15s(|i| {
                if i == 10 {
                    25.0
                } else if i >= 100 {
                    20.0
                } else {
                    wander(i)
                }
            }),
            None,
        );
        // Stale, or NaN at the end: nothing.
        check(every_15s(|_| f64::NAN), None);
        check(vec![(NOW - 3_600_000, 1.0)], None);
        // Zero is no saturation.
        check(every_15s(|i| if i >= 100 { 0.0 } else { -wander(i) }), None);
    }

    #[test]
    fn waiting_above_zero() {
        let s =
            series("hikaricp_connections_pending", &[("pool", "p")], every_15s(|i| if i >= 110 { 4.0 } else { 0.0 }));
        assert_eq!(waiting_since(&s, NOW), Some((NOW - 9 * 15_000, 4.0)));
        let always = series("queue_waiting", &[], every_15s(|_| 3.0));
        assert_eq!(waiting_since(&always, NOW), None, "never zero in the window: its usual level");
        let blip = series("queue_waiting", &[], every_15s(|i| if i == 119 { 3.0 } else { 0.0 }));
        assert_eq!(waiting_since(&blip, NOW), None, "one sample is a blip");
    }

    #[test]
    fn plateaus_only_where_no_limit_is_known() {
        let pool = |name: &str| {
            series(name, &[("pool", "payments")], every_15s(|i| if i >= 100 { 20.0 } else { 3.0 + (i % 5) as f64 }))
        };
        let found = find_all(&[pool("database_connections_active")], NOW);
        assert_eq!(summary(&found), [("plateau".into(), "payments".into(), 20.0, None, Some(NOW - 19 * 15_000))]);
        assert_eq!(found[0].query, r#"database_connections_active{pool="payments"}"#);
        assert_eq!(found[0].what, "database connections");
        // With its limit beside it, the pair speaks instead.
        let with_max = find_all(
            &[
                pool("database_connections_active"),
                series("database_connections_max", &[("pool", "payments")], every_15s(|_| 20.0)),
            ],
            NOW,
        );
        assert_eq!(with_max.iter().map(|s| s.rule.as_str()).collect::<Vec<_>>(), ["siblings"]);
        // Counters and self-monitoring never plateau.
        assert!(find_all(&[pool("requests_total"), pool("scrape_samples_scraped")], NOW).is_empty());
    }
}
