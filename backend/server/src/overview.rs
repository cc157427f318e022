//! The Overview's figures, computed from stored samples: the payment success rate, the database
//! pool against its limit, and the request rate, each with its last 15 minutes.
//!
//! These are fixed computations over the head (increase of counters, newest gauge values); they
//! answer the landing page's "is the payment service healthy?" without a query language.

use lookout_tsdb::{Head, Matcher, Sample, Series};
use lookout_types::{Health, Overview, Point, StatCard};

use crate::logbuf::LogBuffer;

/// Width of the window a rate is computed over, as `rate(x[1m])` would.
const RATE_WINDOW_MS: i64 = 60_000;
/// How far back a gauge's newest sample still counts as current (Prometheus's lookback delta).
const LOOKBACK_MS: i64 = 5 * 60_000;
const HISTORY_MS: i64 = 15 * 60_000;
const HISTORY_STEP_MS: i64 = 15_000;
/// How old a sample just before a window may be and still serve as the window's baseline.
const BASELINE_SLACK_MS: i64 = 15_000;

pub fn compute(head: &Head, logs: &LogBuffer, now: i64) -> Overview {
    Overview {
        generated_at: now,
        cards: vec![
            success_rate_card(head, now),
            pool_card(head, now),
            request_rate_card(head, now),
        ],
        error_groups: logs.error_groups("ERROR", now - HISTORY_MS, 8),
    }
}

fn history_steps(now: i64) -> impl Iterator<Item = i64> {
    let first = now - HISTORY_MS;
    (0..=HISTORY_MS / HISTORY_STEP_MS).map(move |i| first + i * HISTORY_STEP_MS)
}

fn select_name(head: &Head, name: &str, from: i64, to: i64) -> Vec<Series> {
    head.select(&[Matcher::equal("__name__", name)], from, to)
}

/// The counter growth of one series from the window's start to `end`, counting a drop as a
/// reset. The window starts at the newest sample at or before `start` (if it is at most
/// `BASELINE_SLACK_MS` old), so a counter scraped every few seconds is measured over the full minute.
fn increase(samples: &[Sample], start: i64, end: i64) -> Option<f64> {
    let first = samples.partition_point(|(t, _)| *t <= start);
    let first = match first.checked_sub(1) {
        Some(i) if samples[i].0 > start - BASELINE_SLACK_MS => i,
        _ => first,
    };
    let window: Vec<f64> = samples[first..]
        .iter()
        .take_while(|(t, _)| *t <= end)
        .map(|(_, v)| *v)
        .collect();
    (window.len() >= 2).then(|| {
        window
            .windows(2)
            .map(|pair| {
                if pair[1] < pair[0] {
                    pair[1]
                } else {
                    pair[1] - pair[0]
                }
            })
            .sum()
    })
}

/// Sums the increase of the selected counters over the window ending at `end`.
fn summed_increase<'a>(series: impl Iterator<Item = &'a Series>, end: i64) -> Option<f64> {
    series
        .filter_map(|s| increase(&s.samples, end - RATE_WINDOW_MS, end))
        .fold(None, |acc, v| Some(acc.unwrap_or(0.0) + v))
}

fn latest(samples: &[Sample], at: i64) -> Option<f64> {
    samples
        .iter()
        .rev()
        .find(|(t, _)| *t <= at && *t > at - LOOKBACK_MS)
        .map(|(_, v)| *v)
}

fn success_rate_at(requests: &[Series], at: i64) -> Option<f64> {
    let total = summed_increase(requests.iter(), at)?;
    let success = summed_increase(
        requests
            .iter()
            .filter(|s| s.labels.get("status") == Some("success")),
        at,
    )
    .unwrap_or(0.0);
    (total > 0.0).then(|| 100.0 * success / total)
}

fn success_rate_card(head: &Head, now: i64) -> StatCard {
    let requests = select_name(
        head,
        "payment_requests_total",
        now - HISTORY_MS - RATE_WINDOW_MS,
        now,
    );
    let value = success_rate_at(&requests, now);
    StatCard {
        key: "payment_success_rate".into(),
        title: "Payment success rate".into(),
        value,
        unit: "percent".into(),
        limit: None,
        health: match value {
            None => Health::Unknown,
            Some(v) if v < 90.0 => Health::Critical,
            Some(v) if v < 95.0 => Health::Warning,
            Some(_) => Health::Ok,
        },
        source: "increase of payment_requests_total{status=\"success\"} over all statuses, last 1m"
            .into(),
        history: history_steps(now)
            .filter_map(|t| success_rate_at(&requests, t).map(|v| Point { t, v }))
            .collect(),
    }
}

fn request_rate_card(head: &Head, now: i64) -> StatCard {
    let requests = select_name(
        head,
        "payment_requests_total",
        now - HISTORY_MS - RATE_WINDOW_MS,
        now,
    );
    let rate_at =
        |t: i64| summed_increase(requests.iter(), t).map(|v| v / (RATE_WINDOW_MS as f64 / 1000.0));
    let value = rate_at(now);
    StatCard {
        key: "payment_request_rate".into(),
        title: "Payment requests".into(),
        value,
        unit: "per_second".into(),
        limit: None,
        health: if value.is_some() {
            Health::Ok
        } else {
            Health::Unknown
        },
        source: "increase of payment_requests_total per second, last 1m".into(),
        history: history_steps(now)
            .filter_map(|t| rate_at(t).map(|v| Point { t, v }))
            .collect(),
    }
}

/// The pool closest to its limit: `database_connections_active` against the
/// `database_connections_max` series with the same labels.
fn pool_card(head: &Head, now: i64) -> StatCard {
    let from = now - HISTORY_MS - LOOKBACK_MS;
    let active = select_name(head, "database_connections_active", from, now);
    let limits = select_name(head, "database_connections_max", from, now);
    let limit_of = |series: &Series| {
        limits
            .iter()
            .find(|l| {
                l.labels
                    .iter()
                    .filter(|x| x.name != "__name__")
                    .eq(series.labels.iter().filter(|x| x.name != "__name__"))
            })
            .and_then(|l| latest(&l.samples, now))
    };
    // The busiest pool, by fraction of its limit (or by count where no limit is exported).
    let busiest = active
        .iter()
        .filter_map(|s| {
            let value = latest(&s.samples, now)?;
            let limit = limit_of(s);
            let fill = limit.map_or(value, |l| if l > 0.0 { value / l } else { 0.0 });
            Some((s, value, limit, fill))
        })
        .max_by(|a, b| a.3.total_cmp(&b.3));
    let (title, value, limit, history) = match busiest {
        Some((series, value, limit, _)) => {
            let pool = series.labels.get("pool").unwrap_or("?");
            let history = history_steps(now)
                .filter_map(|t| latest(&series.samples, t).map(|v| Point { t, v }))
                .collect();
            (
                format!("DB pool \"{pool}\" in use"),
                Some(value),
                limit,
                history,
            )
        }
        None => ("DB pool in use".to_string(), None, None, Vec::new()),
    };
    StatCard {
        key: "db_pool_usage".into(),
        title,
        value,
        unit: "count".into(),
        limit,
        health: match (value, limit) {
            (Some(v), Some(l)) if l > 0.0 && v / l >= 0.9 => Health::Critical,
            (Some(v), Some(l)) if l > 0.0 && v / l >= 0.75 => Health::Warning,
            (Some(_), _) => Health::Ok,
            (None, _) => Health::Unknown,
        },
        source: "newest database_connections_active against database_connections_max".into(),
        history,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lookout_tsdb::Labels;

    fn labels(name: &str, pairs: &[(&str, &str)]) -> Labels {
        Labels::from_pairs(std::iter::once(("__name__", name)).chain(pairs.iter().copied()))
    }

    fn card<'a>(overview: &'a Overview, key: &str) -> &'a StatCard {
        overview.cards.iter().find(|c| c.key == key).unwrap()
    }

    #[test]
    fn success_rate_and_pool_from_samples() {
        let head = Head::new();
        let ok = labels(
            "payment_requests_total",
            &[("status", "success"), ("instance", "a")],
        );
        let failed = labels(
            "payment_requests_total",
            &[("status", "failed"), ("instance", "a")],
        );
        let active = labels("database_connections_active", &[("pool", "payments")]);
        let max = labels("database_connections_max", &[("pool", "payments")]);
        // 60 s of data every 5 s: 9 successes and 1 failure per step, with a counter reset halfway.
        for step in 0..=12 {
            let t = 1_000_000 + step * 5_000;
            let n = if step >= 6 {
                (step - 6) as f64
            } else {
                step as f64
            };
            head.append(&ok, t, 9.0 * n).unwrap();
            head.append(&failed, t, n).unwrap();
            head.append(&active, t, 19.0).unwrap();
            head.append(&max, t, 20.0).unwrap();
        }
        let now = 1_060_000;
        let overview = compute(&head, &LogBuffer::new(10), now);

        let rate = card(&overview, "payment_success_rate");
        assert!((rate.value.unwrap() - 90.0).abs() < 1e-9, "{rate:?}");
        assert_eq!(rate.health, Health::Warning);

        let pool = card(&overview, "db_pool_usage");
        assert_eq!(
            (pool.value, pool.limit, pool.health),
            (Some(19.0), Some(20.0), Health::Critical)
        );
        assert_eq!(pool.title, "DB pool \"payments\" in use");

        let requests = card(&overview, "payment_request_rate");
        // 60 requests (10 per step over 6 steps after the reset, 50 + 10 before it) in 60 s.
        assert!(
            (requests.value.unwrap() - 110.0 / 60.0).abs() < 1e-9,
            "{requests:?}"
        );
    }

    #[test]
    fn no_data_is_unknown_not_zero() {
        let overview = compute(&Head::new(), &LogBuffer::new(10), 1_000_000);
        for card in &overview.cards {
            assert_eq!(
                (card.value, card.health),
                (None, Health::Unknown),
                "{}",
                card.key
            );
        }
    }
}
