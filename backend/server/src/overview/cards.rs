//! Cards a user pins to the Overview (`overview: cards:` in the config): a PromQL or LogQL query
//! with a title, a unit, thresholds and an optional limit, validated at load with the query's
//! error position, and evaluated with their last 15 minutes. The demo ships its cards the same
//! way, as data.

use lookout_logs::LogStore;
use lookout_logs::query::{Output, Params};
use lookout_promql::{Options, QueryValue, eval_instant, eval_range};
use lookout_tsdb::Db;
use lookout_types::{Health, Point, StatCard};
use serde::Deserialize;

use super::{HISTORY_MS, HISTORY_STEP_MS};

/// The `overview:` section.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOverview {
    #[serde(default)]
    pub cards: Vec<RawCard>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCard {
    pub title: String,
    /// A stable name for links and tests; from the title when absent.
    #[serde(default)]
    pub key: Option<String>,
    /// Exactly one of `promql` and `logql`.
    pub promql: Option<String>,
    pub logql: Option<String>,
    /// `percent`, `count`, `per_second`, `seconds`, `bytes`, or any word shown after the value.
    #[serde(default)]
    pub unit: Option<String>,
    #[serde(default)]
    pub thresholds: Option<RawThresholds>,
    /// The value's capacity: a number, or PromQL whose first value is it.
    #[serde(default)]
    pub limit: Option<RawLimit>,
}

/// Warning and critical levels; when warning is above critical, lower values are worse (a
/// success rate), otherwise higher ones are (an error ratio).
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawThresholds {
    pub warning: Option<f64>,
    pub critical: Option<f64>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum RawLimit {
    Number(f64),
    Query(String),
}

/// A validated card.
#[derive(Debug, Clone)]
pub struct Card {
    pub key: String,
    pub title: String,
    pub query: CardQuery,
    pub unit: String,
    pub thresholds: Option<RawThresholds>,
    pub limit: Option<CardLimit>,
}

#[derive(Debug, Clone)]
pub enum CardQuery {
    PromQL(String, lookout_promql::ast::Expr),
    LogQL(String, lookout_logql::ast::Expr),
}

#[derive(Debug, Clone)]
pub enum CardLimit {
    Number(f64),
    Query(String, lookout_promql::ast::Expr),
}

/// Validates the section; an error names the card (`overview.cards[1].promql`) and the query's
/// position.
pub fn validate(raw: &RawOverview) -> Result<Vec<Card>, String> {
    raw.cards
        .iter()
        .enumerate()
        .map(|(i, card)| {
            let at = |field: &str| format!("overview.cards[{i}].{field}");
            let query = match (&card.promql, &card.logql) {
                (Some(q), None) => CardQuery::PromQL(
                    q.clone(),
                    lookout_promql::parse(q).map_err(|e| format!("{}: {e}", at("promql")))?,
                ),
                (None, Some(q)) => {
                    let expr = lookout_logql::parse(q).map_err(|e| format!("{}: {e}", at("logql")))?;
                    if matches!(expr, lookout_logql::ast::Expr::Log(_)) {
                        return Err(format!(
                            "{}: a card needs a metric query, such as count_over_time(…)",
                            at("logql")
                        ));
                    }
                    CardQuery::LogQL(q.clone(), expr)
                }
                _ => return Err(format!("overview.cards[{i}]: give one of promql and logql")),
            };
            let limit = match &card.limit {
                None => None,
                Some(RawLimit::Number(n)) => Some(CardLimit::Number(*n)),
                Some(RawLimit::Query(q)) => Some(CardLimit::Query(
                    q.clone(),
                    lookout_promql::parse(q).map_err(|e| format!("{}: {e}", at("limit")))?,
                )),
            };
            Ok(Card {
                // `Orders per second` → `orders_per_second`.
                key: card.key.clone().unwrap_or_else(|| crate::dashboards::slug(&card.title, '_')),
                title: card.title.clone(),
                query,
                unit: card.unit.clone().unwrap_or_else(|| "count".into()),
                thresholds: card.thresholds,
                limit,
            })
        })
        .collect()
}

/// The card with its value now and its last 15 minutes.
pub fn evaluate(card: &Card, db: &Db, logs: &LogStore, now: i64) -> StatCard {
    let (source, history) = match &card.query {
        CardQuery::PromQL(text, expr) => {
            let start = now - HISTORY_MS;
            let history = eval_range(db, expr, start, now, HISTORY_STEP_MS, &Options::default())
                .ok()
                .and_then(|series| series.into_iter().next())
                .map(|s| points(&s.samples))
                .unwrap_or_default();
            (text.clone(), history)
        }
        CardQuery::LogQL(text, expr) => (text.clone(), logql_history(logs, expr, now)),
    };
    let value = match &card.query {
        CardQuery::PromQL(_, expr) => first(db, expr, now),
        CardQuery::LogQL(..) => history.last().filter(|p| p.t >= now - HISTORY_STEP_MS).map(|p| p.v),
    }
    .filter(|v| v.is_finite());
    let limit = match &card.limit {
        Some(CardLimit::Number(n)) => Some(*n),
        Some(CardLimit::Query(_, expr)) => first(db, expr, now),
        None => None,
    };
    StatCard {
        key: card.key.clone(),
        title: card.title.clone(),
        value,
        unit: card.unit.clone(),
        limit,
        health: health(value, limit, card.thresholds),
        source,
        history,
    }
}

fn first(db: &Db, expr: &lookout_promql::ast::Expr, now: i64) -> Option<f64> {
    match eval_instant(db, expr, now, &Options::default()) {
        Ok(QueryValue::Vector(samples)) => samples.first().map(|(_, v)| *v),
        Ok(QueryValue::Scalar(v)) => Some(v),
        _ => None,
    }
}

fn logql_history(logs: &LogStore, expr: &lookout_logql::ast::Expr, now: i64) -> Vec<Point> {
    let params = Params {
        start: (now - HISTORY_MS) * 1_000_000,
        end: now * 1_000_000,
        step: HISTORY_STEP_MS * 1_000_000,
        limit: 0,
        direction: lookout_logs::Order::Backward,
        timeout: std::time::Duration::from_secs(10),
    };
    match lookout_logs::query::evaluate_expr(logs, expr, &params) {
        Ok((Output::Matrix(series), _)) => series.into_iter().next().map(|s| points(&s.samples)).unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// A history's points; NaN and infinities (a 0/0 ratio) are gaps, which JSON cannot carry.
fn points(samples: &[(i64, f64)]) -> Vec<Point> {
    samples.iter().filter(|(_, v)| v.is_finite()).map(|&(t, v)| Point { t, v }).collect()
}

/// Against the thresholds, or against the limit (75 % warning, 90 % critical) without them.
fn health(value: Option<f64>, limit: Option<f64>, thresholds: Option<RawThresholds>) -> Health {
    let Some(v) = value else { return Health::Unknown };
    match (thresholds, limit) {
        (Some(RawThresholds { warning, critical }), _) => {
            let lower_is_worse = matches!((warning, critical), (Some(w), Some(c)) if w > c);
            let beyond = |level: Option<f64>| level.is_some_and(|l| if lower_is_worse { v < l } else { v >= l });
            if beyond(critical) {
                Health::Critical
            } else if beyond(warning) {
                Health::Warning
            } else {
                Health::Ok
            }
        }
        (None, Some(l)) if l > 0.0 && v / l >= 0.9 => Health::Critical,
        (None, Some(l)) if l > 0.0 && v / l >= 0.75 => Health::Warning,
        _ => Health::Ok,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cards(yaml: &str) -> Result<Vec<Card>, String> {
        validate(&serde_norway::from_str::<RawOverview>(yaml).unwrap())
    }

    #[test]
    fn bad_queries_are_refused_with_their_position() {
        let err = cards("cards:\n  - title: A\n    promql: 'sum(rate(x[5m]) /'\n").unwrap_err();
        assert!(err.starts_with("overview.cards[0].promql: 1:"), "{err}");
        let err = cards("cards:\n  - title: A\n    logql: '{a=\"b\"} |~'\n").unwrap_err();
        assert!(err.starts_with("overview.cards[0].logql: parse error at line 1"), "{err}");
        let err = cards("cards:\n  - title: A\n    logql: '{a=\"b\"}'\n").unwrap_err();
        assert!(err.contains("metric query"), "{err}");
        let err = cards("cards:\n  - title: A\n    promql: up\n    logql: '{a=\"b\"}'\n").unwrap_err();
        assert!(err.contains("one of promql and logql"), "{err}");
        let err = cards("cards:\n  - title: A\n    promql: up\n    limit: 'max(('\n").unwrap_err();
        assert!(err.starts_with("overview.cards[0].limit:"), "{err}");
    }

    #[test]
    fn health_against_thresholds_either_way_and_limits() {
        let t = |warning, critical| Some(RawThresholds { warning: Some(warning), critical: Some(critical) });
        assert_eq!(health(Some(97.0), None, t(95.0, 90.0)), Health::Ok);
        assert_eq!(health(Some(93.0), None, t(95.0, 90.0)), Health::Warning);
        assert_eq!(health(Some(80.0), None, t(95.0, 90.0)), Health::Critical);
        assert_eq!(health(Some(0.5), None, t(1.0, 5.0)), Health::Ok);
        assert_eq!(health(Some(6.0), None, t(1.0, 5.0)), Health::Critical);
        assert_eq!(health(Some(19.0), Some(20.0), None), Health::Critical);
        assert_eq!(health(Some(5.0), Some(0.0), None), Health::Ok, "a limit of 0 judges nothing");
        assert_eq!(health(None, Some(20.0), None), Health::Unknown);
    }

    #[test]
    fn a_card_from_samples() {
        let db = crate::testing::db();
        let labels = lookout_tsdb::Labels::from_pairs([("__name__", "pool_used"), ("pool", "p")]);
        for step in 0..=12 {
            db.head().append(&labels, 1_000_000 + step * 5_000, 19.0).unwrap();
        }
        let card = &cards("cards:\n  - title: Pool\n    promql: max(pool_used)\n    limit: 20\n").unwrap()[0];
        let shown = evaluate(card, &db, &crate::testing::log_store(), 1_060_000);
        assert_eq!((shown.value, shown.limit, shown.health), (Some(19.0), Some(20.0), Health::Critical));
        assert!(!shown.history.is_empty());
        let empty = evaluate(card, &crate::testing::db(), &crate::testing::log_store(), 1_060_000);
        assert_eq!((empty.value, empty.health), (None, Health::Unknown));
    }
}
