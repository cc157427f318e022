//! The Overview's figures, each a PromQL query over stored samples: the payment success rate,
//! the busiest database pool against its limit, and the request rate, with their last 15 minutes;
//! and (in [`changes`]) what moved most and what is full, for any metrics.

mod changes;

use lookout_promql::{Options, QueryValue, eval_instant, eval_range, parse};
use lookout_tsdb::{Db, Labels};
use lookout_types::{Health, Overview, Point, StatCard};

use lookout_logs::LogStore;

const HISTORY_MS: i64 = 15 * 60_000;
const HISTORY_STEP_MS: i64 = 15_000;

const SUCCESS_RATE: &str =
    r#"sum(rate(payment_requests_total{status="success"}[1m])) / sum(rate(payment_requests_total[1m])) * 100"#;
const REQUEST_RATE: &str = "sum(rate(payment_requests_total[1m]))";
const POOL_FILL: &str = "max by (pool) (database_connections_active / database_connections_max)";

pub fn compute(db: &Db, logs: &LogStore, now: i64) -> Overview {
    let recent = changes::recent_series(db, now);
    Overview {
        generated_at: now,
        cards: vec![success_rate_card(db, now), pool_card(db, now), request_rate_card(db, now)],
        error_groups: crate::logs::error_groups(logs, now - HISTORY_MS, now, 8),
        changes: changes::changes(&recent, now),
        at_capacity: changes::at_capacity(&recent, now),
    }
}

/// The instant vector of `query` at `now`, empty on any error (the queries are fixed and valid;
/// an error means missing data, which the card shows as "no data").
fn instant(db: &Db, query: &str, now: i64) -> Vec<(Labels, f64)> {
    let Ok(expr) = parse(query) else {
        return Vec::new();
    };
    match eval_instant(db, &expr, now, &Options::default()) {
        Ok(QueryValue::Vector(samples)) => samples,
        _ => Vec::new(),
    }
}

/// The first series of `query` over the last 15 minutes.
fn history(db: &Db, query: &str, now: i64) -> Vec<Point> {
    let Ok(expr) = parse(query) else {
        return Vec::new();
    };
    let start = now - HISTORY_MS;
    match eval_range(db, &expr, start, now, HISTORY_STEP_MS, &Options::default()) {
        Ok(series) => series
            .into_iter()
            .next()
            .map(|s| s.samples.iter().map(|&(t, v)| Point { t, v }).collect())
            .unwrap_or_default(),
        Err(_) => Vec::new(),
    }
}

fn first_value(db: &Db, query: &str, now: i64) -> Option<f64> {
    instant(db, query, now).first().map(|(_, v)| *v).filter(|v| v.is_finite())
}

fn success_rate_card(db: &Db, now: i64) -> StatCard {
    let value = first_value(db, SUCCESS_RATE, now);
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
        source: SUCCESS_RATE.into(),
        history: history(db, SUCCESS_RATE, now),
    }
}

fn request_rate_card(db: &Db, now: i64) -> StatCard {
    let value = first_value(db, REQUEST_RATE, now);
    StatCard {
        key: "payment_request_rate".into(),
        title: "Payment requests".into(),
        value,
        unit: "per_second".into(),
        limit: None,
        health: if value.is_some() { Health::Ok } else { Health::Unknown },
        source: REQUEST_RATE.into(),
        history: history(db, REQUEST_RATE, now),
    }
}

/// The pool closest to its limit, shown as connections in use against the pool size.
fn pool_card(db: &Db, now: i64) -> StatCard {
    let busiest =
        instant(db, POOL_FILL, now).into_iter().filter(|(_, v)| v.is_finite()).max_by(|a, b| a.1.total_cmp(&b.1));
    let Some((labels, _)) = busiest else {
        return StatCard {
            key: "db_pool_usage".into(),
            title: "DB pool in use".into(),
            value: None,
            unit: "count".into(),
            limit: None,
            health: Health::Unknown,
            source: POOL_FILL.into(),
            history: Vec::new(),
        };
    };
    let pool = labels.get("pool").unwrap_or("").to_string();
    let selector = format!("{{pool={pool:?}}}");
    let active = format!("max(database_connections_active{selector})");
    let value = first_value(db, &active, now);
    let limit = first_value(db, &format!("max(database_connections_max{selector})"), now);
    StatCard {
        key: "db_pool_usage".into(),
        title: format!("DB pool \"{pool}\" in use"),
        value,
        unit: "count".into(),
        limit,
        health: match (value, limit) {
            (Some(v), Some(l)) if l > 0.0 && v / l >= 0.9 => Health::Critical,
            (Some(v), Some(l)) if l > 0.0 && v / l >= 0.75 => Health::Warning,
            (Some(_), _) => Health::Ok,
            (None, _) => Health::Unknown,
        },
        source: format!("{active} against max(database_connections_max{selector})"),
        history: history(db, &active, now),
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
        let db = crate::testing::db();
        let head = db.head();
        let ok = labels("payment_requests_total", &[("status", "success"), ("instance", "a")]);
        let failed = labels("payment_requests_total", &[("status", "failed"), ("instance", "a")]);
        let active = labels("database_connections_active", &[("pool", "payments")]);
        let max = labels("database_connections_max", &[("pool", "payments")]);
        // 60 s of data every 5 s: 9 successes and 1 failure per step, with a counter reset halfway.
        for step in 0..=12 {
            let t = 1_000_000 + step * 5_000;
            let n = if step >= 6 { (step - 6) as f64 } else { step as f64 };
            head.append(&ok, t, 9.0 * n).unwrap();
            head.append(&failed, t, n).unwrap();
            head.append(&active, t, 19.0).unwrap();
            head.append(&max, t, 20.0).unwrap();
        }
        let now = 1_060_000;
        let overview = compute(&db, &crate::testing::log_store(), now);

        let rate = card(&overview, "payment_success_rate");
        assert!((rate.value.unwrap() - 90.0).abs() < 1e-9, "{rate:?}");
        assert_eq!(rate.health, Health::Warning);

        let pool = card(&overview, "db_pool_usage");
        assert_eq!((pool.value, pool.limit, pool.health), (Some(19.0), Some(20.0), Health::Critical));
        assert_eq!(pool.title, "DB pool \"payments\" in use");

        let requests = card(&overview, "payment_request_rate");
        // 110 requests in the minute (99 successes, 11 failures, counting across the reset).
        assert!((requests.value.unwrap() - 110.0 / 60.0).abs() < 1e-9, "{requests:?}");
    }

    #[test]
    fn no_data_is_unknown_not_zero() {
        let overview = compute(&crate::testing::db(), &crate::testing::log_store(), 1_000_000);
        for card in &overview.cards {
            assert_eq!((card.value, card.health), (None, Health::Unknown), "{}", card.key);
        }
    }
}
