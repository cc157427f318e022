//! Recording rules (the result renamed to the rule's metric, with its labels), and the errors a
//! rule evaluation reports, with Prometheus's texts.

use std::collections::{BTreeMap, HashSet};
use std::fmt;

use lookout_tsdb::{Labels, METRIC_NAME};

use crate::querier::Sample;

/// Why one evaluation of a rule failed.
#[derive(Debug, Clone, PartialEq)]
pub enum RuleError {
    /// The query failed (also a result that is neither vector nor scalar).
    Query(String),
    /// Two samples became one alert after the rule's labels were applied.
    DuplicateAlertLabels,
    /// Two samples became one series after the rule's labels were applied.
    DuplicateSeries,
    AlertLimit {
        limit: usize,
        count: usize,
    },
    SeriesLimit {
        limit: usize,
        count: usize,
    },
    /// Storing the output failed.
    Append(String),
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RuleError::Query(message) | RuleError::Append(message) => f.write_str(message),
            RuleError::DuplicateAlertLabels => {
                f.write_str("vector contains metrics with the same labelset after applying alert labels")
            }
            RuleError::DuplicateSeries => {
                f.write_str("vector contains metrics with the same labelset after applying rule labels")
            }
            RuleError::AlertLimit { limit, count } => write!(f, "exceeded limit of {limit} with {count} alerts"),
            RuleError::SeriesLimit { limit, count } => write!(f, "exceeded limit of {limit} with {count} series"),
        }
    }
}

impl std::error::Error for RuleError {}

/// Renames and relabels a recording rule's result.
pub(crate) fn record(
    name: &str,
    labels: &BTreeMap<String, String>,
    result: Vec<Sample>,
    limit: usize,
) -> Result<Vec<Sample>, RuleError> {
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(result.len());
    for sample in result {
        let mut pairs: Vec<(&str, &str)> = sample.labels.iter().map(|l| (l.name.as_str(), l.value.as_str())).collect();
        pairs.push((METRIC_NAME, name));
        pairs.extend(labels.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let labels = Labels::from_pairs(pairs);
        if !seen.insert(labels.clone()) {
            return Err(RuleError::DuplicateSeries);
        }
        out.push(Sample { labels, value: sample.value });
    }
    if limit > 0 && out.len() > limit {
        return Err(RuleError::SeriesLimit { limit, count: out.len() });
    }
    Ok(out)
}
