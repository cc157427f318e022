//! An alert's investigation: the window around its onset read for everything `lookout-insight`
//! finds (saturation, changes against the time before the symptom, new or spiking log patterns,
//! restarts, targets down) and the annotations (deploys) before it, ranked as probable causes.

use lookout_insight::cause;
use lookout_insight::changes::{self, Window};
use lookout_logs::LogStore;
use lookout_tsdb::Db;
use lookout_types::alerts::AlertView;
use lookout_types::insight::Investigation;

use crate::annotations::{Annotations, Query};
use crate::overview::joined;

/// How far before the onset the window reaches: the usual before the symptom.
const BEFORE_MS: i64 = 60 * 60_000;
/// "Before" ends this long before the onset, so a cause that began just before the symptom is
/// measured as a change.
const LEAD_MS: i64 = 5 * 60_000;
/// The window ends this long after the onset (or now, if sooner): what began the trouble is
/// near its onset, and an alert that fired for days must not make the read days long.
const AFTER_MS: i64 = 15 * 60_000;
const MAX_CAUSES: usize = 12;

/// The expression of a Prometheus-style generator URL (`…/graph?g0.expr=…`).
pub fn expression(generator_url: &str) -> Option<String> {
    let query = generator_url.split_once('?')?.1;
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).ok()?;
    pairs.into_iter().find(|(k, _)| k == "g0.expr").map(|(_, v)| v).filter(|v| !v.is_empty())
}

pub fn investigate(
    db: &Db,
    logs: &LogStore,
    annotations: Option<&Annotations>,
    alert: &AlertView,
    now: i64,
) -> Investigation {
    let onset = alert.starts_at;
    let end = (onset + AFTER_MS).min(now);
    let start = onset - BEFORE_MS;
    let window_ms = end - (onset - LEAD_MS);
    // Two cores: the log patterns need no series, so they run while the series are read; then
    // the changes on one core and the saturation on the other.
    let (full, changed, patterns) = std::thread::scope(|scope| {
        let patterns = scope.spawn(|| crate::logs::patterns::problems(logs, end, window_ms, MAX_CAUSES));
        let series = crate::overview::read(db, start, onset - 2 * LEAD_MS, end);
        let window = Window { start, split: onset - LEAD_MS, end };
        let (full, changed) = std::thread::scope(|inner| {
            let changed = inner.spawn(|| changes::find(&series, window, MAX_CAUSES));
            (lookout_insight::saturation::find(&series, end), joined(changed))
        });
        (full, changed, joined(patterns))
    });
    let mut causes: Vec<_> = full.iter().map(|s| cause::from_saturation(s, onset)).collect();
    causes.extend(changed.iter().map(|c| cause::from_change(c, onset)));
    causes.extend(patterns.iter().filter(|p| p.new || p.spiking).map(|p| cause::from_pattern(p, onset)));
    if let Some(annotations) = annotations {
        let q = Query { range: Some((start, onset + LEAD_MS)), ..Default::default() };
        causes.extend(annotations.query(&q).iter().map(|a| cause::from_annotation(a.time, &a.text, &a.tags, onset)));
    }
    let mut causes = cause::rank(causes);
    causes.truncate(MAX_CAUSES);
    let expression = expression(&alert.generator_url);
    let compared = expression
        .as_deref()
        .and_then(lookout_insight::promql::compared)
        .filter(|(side, _)| lookout_promql::parse(side).is_ok());
    Investigation {
        fingerprint: alert.fingerprint.clone(),
        symptom_query: compared.map(|(side, _)| side.to_string()).or(expression.clone()),
        threshold: compared.map(|(_, n)| n),
        expression,
        onset,
        start,
        end,
        causes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expressions_from_generator_urls() {
        let url = "http://lookout:3000/graph?g0.expr=sum%28rate%28x%5B5m%5D%29%29+%3E+1&g0.tab=1";
        assert_eq!(expression(url).as_deref(), Some("sum(rate(x[5m])) > 1"));
        assert_eq!(expression("http://x/graph"), None);
        assert_eq!(expression(""), None);
    }
}
