//! What is full: a used figure against its limit ([`catalog`] of exporters' pairs, generic
//! [`siblings`] found by name), and for gauges without any limit metric a [`plateau`] (risen to a
//! value and stuck there) or something waiting where nothing waited.
//!
//! Every pair goes through one evaluator: the used side is summed over the series that carry the
//! limit's labels, both are aligned on the used side's sample times, and "since" is the first
//! sample of the run at or above [`FULL`].

pub mod catalog;
pub mod plateau;
pub mod siblings;

use std::collections::{HashMap, HashSet};

use lookout_tsdb::{Labels, METRIC_NAME, Series};
use lookout_types::insight::{Saturation, SaturationKind};

use crate::{align, names, promql};

/// A used figure at this share of its limit or more is at capacity.
pub const FULL: f64 = 0.8;
/// A latest sample older than this is not "now".
pub const LOOKBACK_MS: i64 = 5 * 60_000;

/// One side of a pair: a metric and the label values it must have.
#[derive(Debug, Clone, PartialEq)]
pub struct Side {
    pub metric: String,
    pub equal: Vec<(String, String)>,
}

impl Side {
    pub fn new(metric: &str, equal: &[(&str, &str)]) -> Side {
        Side { metric: metric.into(), equal: equal.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect() }
    }

    fn matches(&self, labels: &Labels) -> bool {
        self.equal.iter().all(|(name, value)| labels.get(name) == Some(value.as_str()))
    }
}

/// A used figure and its limit, as one rule knows them.
#[derive(Debug, Clone, PartialEq)]
pub struct Pair {
    /// The rule's name, shown with the finding.
    pub rule: String,
    /// What runs out, in a word or two.
    pub what: String,
    pub used: Side,
    pub limit: Side,
    /// Whether the used side's metric counts what is left (`avail`), so used is limit minus it.
    pub remaining: bool,
}

/// The series of a window, by metric name.
pub struct Index<'a> {
    by_name: HashMap<&'a str, Vec<&'a Series>>,
}

impl<'a> Index<'a> {
    pub fn new(series: &'a [Series]) -> Index<'a> {
        let mut by_name: HashMap<&str, Vec<&Series>> = HashMap::new();
        for s in series {
            if let Some(name) = s.labels.metric_name() {
                by_name.entry(name).or_default().push(s);
            }
        }
        Index { by_name }
    }

    pub fn metric(&self, name: &str) -> &[&'a Series] {
        self.by_name.get(name).map(Vec::as_slice).unwrap_or(&[])
    }

    pub fn names(&self) -> impl Iterator<Item = &&'a str> {
        self.by_name.keys()
    }

    pub fn contains(&self, name: &str) -> bool {
        self.by_name.contains_key(name)
    }
}

/// Everything at capacity in `series` (a window ending at `now`), fullest first: catalog pairs,
/// then generic siblings of metrics the catalog does not know, then plateaus and waiting gauges
/// among the rest.
pub fn find(series: &[Series], now: i64) -> Vec<Saturation> {
    let index = Index::new(series);
    let mut pairs = catalog::pairs();
    pairs.extend(siblings::pairs(&index));
    let mut found = Vec::new();
    let mut covered: HashSet<String> = HashSet::new();
    for pair in &pairs {
        if covered.contains(&pair.used.metric) && !catalog::is_catalog(&pair.rule) {
            continue;
        }
        evaluate(&index, pair, now, &mut found);
        if !index.metric(&pair.used.metric).is_empty() && !index.metric(&pair.limit.metric).is_empty() {
            covered.insert(pair.used.metric.clone());
        }
    }
    found.extend(plateau::find(&index, &covered, now));
    found.sort_by(|a, b| rank(b).total_cmp(&rank(a)).then_with(|| a.subject.cmp(&b.subject)));
    found
}

/// How full a finding is, for ordering: its share of the limit, or a fixed place for the kinds
/// without one.
fn rank(s: &Saturation) -> f64 {
    match (s.kind, s.limit) {
        (SaturationKind::Limit, Some(limit)) if limit > 0.0 => s.used / limit,
        (SaturationKind::Plateau, _) => 0.95,
        _ => 0.9,
    }
}

/// Appends the findings of one pair: for each limit series, the used series that carry its
/// labels, summed.
fn evaluate(index: &Index<'_>, pair: &Pair, now: i64, out: &mut Vec<Saturation>) {
    let used_series: Vec<&Series> =
        index.metric(&pair.used.metric).iter().copied().filter(|s| pair.used.matches(&s.labels)).collect();
    if used_series.is_empty() {
        return;
    }
    for limit in index.metric(&pair.limit.metric).iter().filter(|s| pair.limit.matches(&s.labels)) {
        let key: Vec<(&str, &str)> = limit
            .labels
            .iter()
            .filter(|l| l.name != METRIC_NAME && !pair.limit.equal.iter().any(|(n, _)| *n == l.name))
            .map(|l| (l.name.as_str(), l.value.as_str()))
            .collect();
        let members: Vec<&Series> = used_series
            .iter()
            .copied()
            .filter(|s| key.iter().all(|(name, value)| s.labels.get(name) == Some(value)))
            .collect();
        if members.is_empty() || (pair.limit.metric.ends_with("_total") && grows(&limit.samples)) {
            continue;
        }
        let grid = align::grid(members.iter().map(|s| s.samples.as_slice()));
        let parts: Vec<Vec<Option<f64>>> = members.iter().map(|s| align::at(&s.samples, &grid, LOOKBACK_MS)).collect();
        let measured = align::sum(&parts, grid.len());
        let limits = align::at(&limit.samples, &grid, LOOKBACK_MS);
        let fills: Vec<Option<(f64, f64)>> = measured
            .iter()
            .zip(&limits)
            .map(|(m, l)| match (*m, *l) {
                (Some(m), Some(l)) if l > 0.0 && m.is_finite() && l.is_finite() => {
                    Some((if pair.remaining { l - m } else { m }, l))
                }
                _ => None,
            })
            .collect();
        let Some(last) = fills.iter().rposition(Option::is_some) else { continue };
        let Some((used, limit_value)) = fills[last] else { continue };
        if grid[last] < now - LOOKBACK_MS || used / limit_value < FULL {
            continue;
        }
        let mut start = last;
        while start > 0 && fills[start - 1].is_some_and(|(u, l)| u / l >= FULL) {
            start -= 1;
        }
        let key_owned: Vec<(&str, &str)> = key.clone();
        let mut used_selector_pairs: Vec<(&str, &str)> =
            pair.used.equal.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        used_selector_pairs.extend(key_owned.iter().copied());
        let used_selector = promql::selector(&pair.used.metric, used_selector_pairs.iter().copied());
        let mut limit_pairs: Vec<(&str, &str)> =
            pair.limit.equal.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        limit_pairs.extend(key_owned.iter().copied());
        let limit_selector = promql::selector(&pair.limit.metric, limit_pairs.iter().copied());
        let query = if pair.remaining {
            format!("max({limit_selector}) - sum({used_selector})")
        } else {
            format!("sum({used_selector})")
        };
        out.push(Saturation {
            subject: names::subject_label(&limit.labels).unwrap_or(&pair.used.metric).to_string(),
            what: pair.what.clone(),
            kind: SaturationKind::Limit,
            rule: pair.rule.clone(),
            used,
            limit: Some(limit_value),
            since: Some(grid[start]),
            series: used_selector,
            query,
            limit_query: Some(format!("max({limit_selector})")),
        });
    }
}

/// Whether a series' value rose over the window, as a counter does.
fn grows(samples: &[(i64, f64)]) -> bool {
    matches!((samples.first(), samples.last()), (Some(a), Some(b)) if b.1 > a.1)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub const NOW: i64 = 10_000_000;

    pub fn series(name: &str, pairs: &[(&str, &str)], samples: Vec<(i64, f64)>) -> Series {
        Series { labels: Labels::from_pairs(std::iter::once(("__name__", name)).chain(pairs.iter().copied())), samples }
    }

    /// A value every 15 s over the last 30 minutes, from `value(i)` for the i-th sample.
    pub fn every_15s(value: impl Fn(i64) -> f64) -> Vec<(i64, f64)> {
        (0..120).map(|i| (NOW - (119 - i) * 15_000, value(i))).collect()
    }

    /// (rule, subject, used, limit, since).
    pub type Summary = (String, String, f64, Option<f64>, Option<i64>);

    /// The summary of each finding.
    pub fn summary(found: &[Saturation]) -> Vec<Summary> {
        found.iter().map(|s| (s.rule.clone(), s.subject.clone(), s.used, s.limit, s.since)).collect()
    }

    #[test]
    fn since_is_the_first_sample_of_the_full_run() {
        let all = vec![
            series(
                "hikaricp_connections_active",
                &[("pool", "orders")],
                every_15s(|i| if i >= 100 { 10.0 } else { 3.0 }),
            ),
            series("hikaricp_connections_max", &[("pool", "orders")], every_15s(|_| 10.0)),
        ];
        let found = find(&all, NOW);
        assert_eq!(summary(&found), [("hikaricp".into(), "orders".into(), 10.0, Some(10.0), Some(NOW - 19 * 15_000))]);
        assert_eq!(found[0].query, r#"sum(hikaricp_connections_active{pool="orders"})"#);
        assert_eq!(found[0].limit_query.as_deref(), Some(r#"max(hikaricp_connections_max{pool="orders"})"#));
    }

    #[test]
    fn odd_data_is_no_finding() {
        let all = vec![
            // A limit of 0 (no limit set), NaN, and a series that vanished an hour ago.
            series("container_memory_working_set_bytes", &[("container", "a")], every_15s(|_| 5.0)),
            series("container_spec_memory_limit_bytes", &[("container", "a")], every_15s(|_| 0.0)),
            series("process_open_fds", &[("job", "x")], every_15s(|_| f64::NAN)),
            series("process_max_fds", &[("job", "x")], every_15s(|_| 10.0)),
            series("redis_connected_clients", &[("job", "r")], vec![(NOW - 3_600_000, 10.0)]),
            series("redis_config_maxclients", &[("job", "r")], every_15s(|_| 10.0)),
        ];
        assert!(find(&all, NOW).is_empty());
        assert!(find(&[], NOW).is_empty());
    }
}
