//! Limit pairs found by name for metrics no catalog row knows: a "used" word in a metric name
//! (or a label value) swapped for a "limit" word names its limit (`workers_active` against
//! `workers_max`, `jvm_memory_used_bytes` against `jvm_memory_max_bytes`,
//! `memory{type="heap_used"}` against `memory{type="heap_max"}`), and a metric split by a `state`
//! label is measured by its in-use state against the metric with a limit word appended.

use std::collections::BTreeSet;

use lookout_tsdb::METRIC_NAME;

use super::{Index, Pair, Side};
use crate::names;

/// Words that mark a figure in use.
const USED_WORDS: [&str; 7] = ["active", "used", "usage", "inuse", "busy", "open", "current"];
/// Words that mark a limit.
const LIMIT_WORDS: [&str; 6] = ["max", "limit", "capacity", "maximum", "size", "total"];
/// Values of a `state` label that mean in use.
const USED_STATES: [&str; 5] = ["used", "active", "busy", "in_use", "inuse"];

/// Whether a metric name carries a limit word (a limit is not itself a plateau).
pub fn is_limit_name(name: &str) -> bool {
    names::words(name).iter().any(|w| LIMIT_WORDS.contains(w) && *w != "total")
}

/// Whether a text holds a used word at all (a quick test before splitting it): one pass over
/// its bytes, comparing only where a used word could begin, since every label value of every
/// series goes through here.
fn has_used_word(text: &str) -> bool {
    let bytes = text.as_bytes();
    let starts = |rest: &[u8], word: &str| rest[0] == word.as_bytes()[0] && rest.starts_with(word.as_bytes());
    (0..bytes.len()).any(|i| starts(&bytes[i..], "in_use") || USED_WORDS.iter().any(|w| starts(&bytes[i..], w)))
}

/// The name with its used word (or the two words `in_use`) swapped for each limit word.
fn swapped(name: &str) -> Vec<String> {
    let words = names::words(name);
    let mut out = Vec::new();
    for (i, word) in words.iter().enumerate() {
        let span = if *word == "in" && words.get(i + 1) == Some(&"use") {
            2
        } else if USED_WORDS.contains(word) {
            1
        } else {
            continue;
        };
        for limit in LIMIT_WORDS {
            let mut candidate: Vec<&str> = words[..i].to_vec();
            candidate.push(limit);
            candidate.extend_from_slice(&words[i + span..]);
            out.push(candidate.join("_"));
        }
    }
    out
}

/// Generic pairs among the metrics of `index`, the catalog's metrics left out by the caller.
pub fn pairs(index: &Index<'_>) -> Vec<Pair> {
    let mut out = Vec::new();
    let mut metrics: Vec<&str> = index.names().copied().collect();
    metrics.sort_unstable();
    for name in metrics {
        if names::is_histogram_part(name) || names::is_not_a_level(name) || names::is_self_monitoring(name) {
            continue;
        }
        if name.ends_with("_count") && index.contains(&format!("{}_sum", &name[..name.len() - 6])) {
            continue;
        }
        let series = index.metric(name);
        // A state split: measure the in-use state.
        let states: BTreeSet<&str> = series.iter().filter_map(|s| s.labels.get("state")).collect();
        let used_state = USED_STATES.iter().find(|s| states.contains(*s));
        let equal: Vec<(&str, &str)> = match used_state {
            Some(state) => vec![("state", *state)],
            None if !states.is_empty() => continue,
            None => Vec::new(),
        };
        let mut limits: Vec<String> = swapped(name);
        if used_state.is_some() {
            limits.extend(LIMIT_WORDS.iter().map(|w| format!("{name}_{w}")));
        }
        if let Some(limit) = limits.into_iter().find(|l| index.contains(l)) {
            out.push(Pair {
                rule: "siblings".into(),
                what: what(name),
                used: Side::new(name, &equal),
                limit: Side::new(&limit, &[]),
                remaining: false,
            });
            continue;
        }
        // A used word in a label value, with its limit beside it in the same metric. Only
        // distinct values are looked at, and only those with a used word in them are split.
        let values: BTreeSet<(&str, &str)> = series
            .iter()
            .flat_map(|s| s.labels.iter())
            .filter(|l| l.name != METRIC_NAME && has_used_word(&l.value))
            .map(|l| (l.name.as_str(), l.value.as_str()))
            .collect();
        for (label, value) in values {
            for limit_value in swapped(value) {
                if series.iter().any(|o| o.labels.get(label) == Some(limit_value.as_str())) {
                    out.push(Pair {
                        rule: "siblings".into(),
                        what: what(name),
                        used: Side::new(name, &[(label, value)]),
                        limit: Side::new(name, &[(label, &limit_value)]),
                        remaining: false,
                    });
                }
            }
        }
    }
    out
}

/// What a metric measures, in its own words without the usage and unit words
/// (`db_workers_active` → `db workers`).
pub fn what(name: &str) -> String {
    let words: Vec<&str> = names::words(name)
        .into_iter()
        .filter(|w| !USED_WORDS.contains(w) && !["in", "use", "bytes", "seconds", "ratio", "count"].contains(w))
        .collect();
    words.join(" ")
}

#[cfg(test)]
mod tests {
    use super::super::find;
    use super::super::tests::{NOW, every_15s, series, summary};
    use super::*;

    #[test]
    fn used_words_anywhere_in_a_text() {
        for text in ["heap_used", "inuse", "conn_in_use", "Active", "reopened", "current", "usage"] {
            assert_eq!(has_used_word(text), text != "Active", "{text}");
        }
        for text in ["", "host-3:9100", "max", "in use", "u", "héap_usé"] {
            assert!(!has_used_word(text), "{text}");
        }
    }

    #[test]
    fn names_swapped() {
        assert!(swapped("database_connections_active").contains(&"database_connections_max".to_string()));
        assert!(swapped("jvm_memory_used_bytes").contains(&"jvm_memory_limit_bytes".to_string()));
        assert!(swapped("workers_in_use").contains(&"workers_capacity".to_string()));
        assert!(swapped("requests_total").is_empty());
        assert_eq!(what("database_connections_active"), "database connections");
        assert!(is_limit_name("database_connections_max") && !is_limit_name("requests_total"));
    }

    #[test]
    fn siblings_by_name_label_value_and_state() {
        let check = |all: Vec<lookout_tsdb::Series>, expected: &[(&str, f64, f64)]| {
            let got: Vec<(String, f64, Option<f64>)> = summary(&find(&all, NOW))
                .into_iter()
                .map(|(_, subject, used, limit, _)| (subject, used, limit))
                .collect();
            let expected: Vec<(String, f64, Option<f64>)> =
                expected.iter().map(|(s, u, l)| (s.to_string(), *u, Some(*l))).collect();
            assert_eq!(got, expected);
        };
        // The seed's pool, with a max sibling.
        check(
            vec![
                series("database_connections_active", &[("pool", "payments")], every_15s(|_| 20.0)),
                series("database_connections_max", &[("pool", "payments")], every_15s(|_| 20.0)),
                series("database_connections_active", &[("pool", "reports")], every_15s(|_| 2.0)),
                series("database_connections_max", &[("pool", "reports")], every_15s(|_| 20.0)),
            ],
            &[("payments", 20.0, 20.0)],
        );
        // A label value's sibling.
        check(
            vec![
                series("memory_usage_bytes", &[("type", "heap_used"), ("job", "api")], every_15s(|_| 90.0)),
                series("memory_usage_bytes", &[("type", "heap_max"), ("job", "api")], every_15s(|_| 100.0)),
            ],
            &[("api", 90.0, 100.0)],
        );
        // A state split against the metric with `_max` appended.
        check(
            vec![
                series("pool_connections", &[("state", "used"), ("pool", "w")], every_15s(|_| 8.0)),
                series("pool_connections", &[("state", "idle"), ("pool", "w")], every_15s(|_| 0.0)),
                series("pool_connections_max", &[("pool", "w")], every_15s(|_| 8.0)),
            ],
            &[("w", 8.0, 8.0)],
        );
        // `_total` as a limit only when it does not grow like a counter.
        check(
            vec![series("slots_used", &[], every_15s(|_| 9.0)), series("slots_total", &[], every_15s(|_| 10.0))],
            &[("slots_used", 9.0, 10.0)],
        );
        check(
            vec![
                series("sessions_active", &[], every_15s(|_| 9.0)),
                series("sessions_total", &[], every_15s(|i| i as f64)),
            ],
            &[],
        );
    }
}
