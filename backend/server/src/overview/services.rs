//! Each service's figures on the Overview: the PromQL that `lookout_insight::services` finds by
//! naming convention, evaluated now, and the ERROR and WARN lines per second of its logs.

use std::collections::{BTreeMap, HashMap, HashSet};

use lookout_insight::services::{self, Catalog};
use lookout_logs::{LogStore, Selection};
use lookout_promql::{Options, QueryValue, eval_instant};
use lookout_tsdb::{Db, METRIC_NAME, Matcher, Series};
use lookout_types::insight::{ServiceHealth, ServiceQueries};

/// Services shown at most, worst first.
const MAX_SERVICES: usize = 12;
/// The window log rates are counted over.
const LOG_WINDOW_MS: i64 = 5 * 60_000;

/// The metric names of the series read, with the label names their series carry.
fn catalog(series: &[Series]) -> Catalog {
    let mut found: HashMap<&str, HashSet<&str>> = HashMap::new();
    for s in series {
        let Some(name) = s.labels.metric_name() else { continue };
        found.entry(name).or_default().extend(s.labels.iter().map(|l| l.name.as_str()).filter(|n| *n != METRIC_NAME));
    }
    found
        .into_iter()
        .map(|(name, labels)| (name.to_string(), labels.into_iter().map(str::to_string).collect()))
        .collect()
}

/// The value of `query` per value of `label`, at `now`.
fn by_service(db: &Db, query: &str, label: &str, now: i64) -> BTreeMap<String, f64> {
    let Ok(expr) = lookout_promql::parse(query) else { return BTreeMap::new() };
    match eval_instant(db, &expr, now, &Options::default()) {
        Ok(QueryValue::Vector(samples)) => samples
            .into_iter()
            .filter(|(_, v)| v.is_finite())
            .filter_map(|(labels, v)| Some((labels.get(label)?.to_string(), v)))
            .collect(),
        _ => BTreeMap::new(),
    }
}

/// The services among `series` (the Overview's read of every recent series) with their figures.
pub fn compute(db: &Db, logs: &LogStore, series: &[Series], now: i64) -> Vec<ServiceHealth> {
    let mut found: BTreeMap<String, ServiceHealth> = BTreeMap::new();
    for signals in services::find(&catalog(series)) {
        let label = &signals.service_label;
        let grouped = signals.grouped();
        let requests = by_service(db, &grouped.requests, label, now);
        let errors = grouped.error_ratio.as_deref().map(|q| by_service(db, q, label, now)).unwrap_or_default();
        let p99 = grouped.p99.as_deref().map(|q| by_service(db, q, label, now)).unwrap_or_default();
        for (service, rate) in requests {
            let own = signals.for_service(&service);
            found.entry(service.clone()).or_insert_with(|| ServiceHealth {
                service: service.clone(),
                convention: signals.convention.into(),
                requests_per_second: Some(rate),
                // No failed series yet is a ratio of 0, not an unknown one.
                error_ratio: errors.get(&service).copied().or(own.error_ratio.as_ref().map(|_| 0.0)),
                p99_seconds: p99.get(&service).copied(),
                log_errors_per_second: None,
                log_warnings_per_second: None,
                queries: ServiceQueries {
                    requests: Some(own.requests),
                    error_ratio: own.error_ratio,
                    p99: own.p99,
                    log_errors: None,
                },
            });
        }
    }
    for (service, (errors, warnings)) in log_rates(logs, now) {
        let entry = found.entry(service.clone()).or_insert_with(|| ServiceHealth {
            service: service.clone(),
            convention: "logs".into(),
            requests_per_second: None,
            error_ratio: None,
            p99_seconds: None,
            log_errors_per_second: None,
            log_warnings_per_second: None,
            queries: ServiceQueries::default(),
        });
        let seconds = LOG_WINDOW_MS as f64 / 1000.0;
        entry.log_errors_per_second = Some(errors as f64 / seconds);
        entry.log_warnings_per_second = Some(warnings as f64 / seconds);
        entry.queries.log_errors = Some(format!(
            "sum(rate({{service={}, level=~\"(?i)error\"}}[5m]))",
            lookout_insight::promql::quote(&service)
        ));
    }
    let mut out: Vec<ServiceHealth> = found.into_values().collect();
    let badness = |s: &ServiceHealth| (s.error_ratio.unwrap_or(0.0), s.log_errors_per_second.unwrap_or(0.0));
    out.sort_by(|a, b| {
        let (a, b) = (badness(a), badness(b));
        b.0.total_cmp(&a.0).then(b.1.total_cmp(&a.1))
    });
    out.truncate(MAX_SERVICES);
    out
}

/// ERROR and WARN lines per service in the last minutes, from the streams' level labels.
fn log_rates(logs: &LogStore, now: i64) -> BTreeMap<String, (u64, u64)> {
    let mut counts: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    let Ok(level) = Matcher::regex("level", "(?i)(error|err|fatal|critical|warn|warning)") else { return counts };
    let mut selection =
        Selection::new((now - LOG_WINDOW_MS).saturating_mul(1_000_000), now.saturating_mul(1_000_000), vec![level]);
    selection.needs_line = false;
    logs.scan(&selection, lookout_logs::Order::Forward, &mut |row: lookout_logs::Row<'_>| {
        let Some(service) = lookout_insight::names::service(row.stream) else { return };
        let is_warning = row.stream.get("level").is_some_and(|l| l.to_ascii_lowercase().starts_with("warn"));
        let entry = counts.entry(service.to_string()).or_default();
        if is_warning {
            entry.1 += 1;
        } else {
            entry.0 += 1;
        }
    });
    counts
}
