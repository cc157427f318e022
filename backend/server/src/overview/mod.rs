//! The Overview: what the data says now, found without knowing the metrics. The user's pinned
//! [`cards`] (the demo's too, as data), each service's vital signs by naming convention
//! ([`services`]), what is at capacity, what changed most against its own noise, and the new or
//! spiking error patterns, all from `lookout-insight` over the last 75 minutes.

mod cache;
pub mod cards;
pub mod services;

use lookout_insight::changes::{self, Window};
use lookout_logs::LogStore;
use lookout_tsdb::{Db, METRIC_NAME, Matcher, Series, Thin};
use lookout_types::Overview;

pub use cache::Cache;
pub use cards::Card;

/// The window cards and charts show.
pub const HISTORY_MS: i64 = 15 * 60_000;
pub const HISTORY_STEP_MS: i64 = 15_000;
/// "Before" reaches back this far beyond the window.
const BEFORE_MS: i64 = 60 * 60_000;
/// More series than this and the findings that read every series are left out rather than slow
/// (`make bench BENCH=insight` measures 100,000).
pub const MAX_SERIES: usize = 200_000;
const MAX_CHANGES: usize = 8;
/// Samples older than the window kept at most this often.
const THINNED_MS: i64 = 60_000;
const MAX_PATTERNS: usize = 10;

pub fn compute(db: &Db, logs: &LogStore, cards: &[Card], now: i64) -> Overview {
    // Two cores: the logs' findings need no series, so they run while the series are read; then
    // the changes on one core and the rest of the findings over every series on the other.
    let (metrics, (error_groups, patterns)) = std::thread::scope(|scope| {
        let from_logs = scope.spawn(|| {
            let errors = crate::logs::error_groups(logs, now - HISTORY_MS, now, 8);
            (errors, crate::logs::patterns::problems(logs, now, HISTORY_MS, MAX_PATTERNS))
        });
        let recent = recent_series(db, now);
        let window = Window::of(&recent, now - HISTORY_MS - BEFORE_MS, now, HISTORY_MS);
        let metrics = std::thread::scope(|inner| {
            let changes = inner.spawn(|| changes::find(&recent, window, MAX_CHANGES));
            let at_capacity = lookout_insight::saturation::find(&recent, now);
            let services = services::compute(db, logs, &recent, now);
            (joined(changes), at_capacity, services)
        });
        (metrics, joined(from_logs))
    });
    let (changes, at_capacity, services) = metrics;
    Overview {
        generated_at: now,
        cards: cards.iter().map(|card| cards::evaluate(card, db, logs, now)).collect(),
        error_groups,
        changes,
        at_capacity,
        services,
        patterns,
    }
}

/// A scoped thread's answer, its panic carried on to the caller.
pub(crate) fn joined<T>(handle: std::thread::ScopedJoinHandle<'_, T>) -> T {
    handle.join().unwrap_or_else(|e| std::panic::resume_unwind(e))
}

/// Every series with its last 75 minutes, or nothing on a store too large to scan.
pub fn recent_series(db: &Db, now: i64) -> Vec<Series> {
    read(db, now - HISTORY_MS - BEFORE_MS, now - HISTORY_MS, now)
}

/// Every series in `[start, end]`, whole from `full_from` on and one sample a minute before it:
/// what the findings need (a mean and its noise before, the exact time something began), at a
/// third of the copying. Nothing on a store too large to scan.
pub fn read(db: &Db, start: i64, full_from: i64, end: i64) -> Vec<Series> {
    if db.head().num_series() > MAX_SERIES {
        return Vec::new();
    }
    let Ok(any) = Matcher::regex(METRIC_NAME, ".+") else { return Vec::new() };
    db.select_thinned(&[any], start, end, Thin { full_from, every: THINNED_MS }).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use lookout_tsdb::Labels;
    use lookout_types::Health;

    fn labels(name: &str, pairs: &[(&str, &str)]) -> Labels {
        Labels::from_pairs(std::iter::once(("__name__", name)).chain(pairs.iter().copied()))
    }

    /// The seed's names without a limit metric: the pool is found as a plateau, the outcome
    /// counter as a service with an error ratio, and no card is invented.
    #[test]
    fn the_seed_story_without_being_told() {
        let db = crate::testing::db();
        let head = db.head();
        let now = 10_000_000;
        let (mut ok, mut failed) = (0.0, 0.0);
        for step in 0..240 {
            let t = now - (239 - step) * 15_000;
            let incident = step >= 200;
            ok += if incident { 50.0 } else { 100.0 };
            failed += if incident { 50.0 } else { 1.0 };
            let job = [("job", "payment-service")];
            head.append(&labels("payment_requests_total", &[("status", "success"), job[0]]), t, ok).unwrap();
            head.append(&labels("payment_requests_total", &[("status", "failed"), job[0]]), t, failed).unwrap();
            let pool = if incident { 20.0 } else { 4.0 + (step % 6) as f64 };
            head.append(&labels("database_connections_active", &[("pool", "payments"), job[0]]), t, pool).unwrap();
        }
        let overview = compute(&db, &crate::testing::log_store(), &[], now);
        assert!(overview.cards.is_empty());
        let full = &overview.at_capacity[0];
        assert_eq!((full.subject.as_str(), full.used, full.since), ("payments", 20.0, Some(now - 39 * 15_000)));
        let service = &overview.services[0];
        assert_eq!(service.service, "payment-service");
        assert!((service.error_ratio.unwrap() - 0.5).abs() < 0.01, "{service:?}");
        let kinds: Vec<_> = overview.changes.iter().map(|c| c.kind).collect();
        assert!(kinds.contains(&lookout_types::insight::ChangeKind::ErrorRatio), "{:?}", overview.changes);
    }

    #[test]
    fn no_data_no_findings() {
        let overview = compute(&crate::testing::db(), &crate::testing::log_store(), &[], 1_000_000);
        assert!(overview.at_capacity.is_empty() && overview.changes.is_empty() && overview.services.is_empty());
        let card = cards::validate(&serde_norway::from_str("cards:\n  - title: A\n    promql: up\n").unwrap()).unwrap();
        let overview = compute(&crate::testing::db(), &crate::testing::log_store(), &card, 1_000_000);
        assert_eq!(overview.cards[0].health, Health::Unknown);
    }
}
