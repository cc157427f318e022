//! Aggregation operators (`sum`, `avg`, `topk`, `quantile`, `count_values`, …) over groups
//! formed by `by`/`without`, step by step.

use std::collections::HashMap;

use lookout_tsdb::{Labels, METRIC_NAME, format_value, is_valid_label_name};

use super::Val;
use super::value::Row;
use crate::ast::AggOp;
use crate::error::EvalError;

pub fn eval(
    op: AggOp,
    rows: Vec<Row>,
    param: Option<Val>,
    without: bool,
    grouping: &[String],
    n: usize,
) -> Result<Vec<Row>, EvalError> {
    // Group membership depends on labels only, so it is computed once per series.
    let mut group_ids: HashMap<Labels, usize> = HashMap::new();
    let mut groups: Vec<Labels> = Vec::new();
    let member: Vec<usize> = rows
        .iter()
        .map(|r| {
            let key = group_key(&r.labels, without, grouping);
            *group_ids.entry(key.clone()).or_insert_with(|| {
                groups.push(key);
                groups.len() - 1
            })
        })
        .collect();
    let scalar_param = |i: usize| match &param {
        Some(Val::Scalar(v)) => v[i],
        _ => f64::NAN,
    };
    match op {
        AggOp::Topk | AggOp::Bottomk => Ok(top_bottom(op == AggOp::Topk, rows, &member, groups.len(), n, scalar_param)),
        AggOp::CountValues => {
            let Some(Val::Str(label)) = &param else { unreachable!("the parser checks count_values' parameter") };
            count_values(label, &rows, &member, &groups, n)
        }
        _ => {
            let mut out: Vec<Row> = groups.into_iter().map(|labels| Row { labels, vals: vec![None; n] }).collect();
            let mut values: Vec<Vec<f64>> = vec![Vec::new(); out.len()];
            for i in 0..n {
                for v in &mut values {
                    v.clear();
                }
                for (row, g) in rows.iter().zip(&member) {
                    if let Some(v) = row.vals[i] {
                        values[*g].push(v);
                    }
                }
                for (g, vs) in values.iter_mut().enumerate() {
                    if !vs.is_empty() {
                        out[g].vals[i] = Some(reduce(op, vs, scalar_param(i)));
                    }
                }
            }
            out.retain(|r| r.vals.iter().any(Option::is_some));
            Ok(out)
        }
    }
}

/// The labels a series is grouped by: the `by` labels it has, or all but the `without` labels
/// (and never the metric name).
fn group_key(labels: &Labels, without: bool, grouping: &[String]) -> Labels {
    let keep = |name: &str| {
        if without {
            name != METRIC_NAME && !grouping.iter().any(|g| g == name)
        } else {
            grouping.iter().any(|g| g == name)
        }
    };
    Labels::from_pairs(labels.iter().filter(|l| keep(&l.name)).map(|l| (l.name.clone(), l.value.clone())))
}

fn reduce(op: AggOp, values: &mut [f64], param: f64) -> f64 {
    match op {
        AggOp::Sum => values.iter().sum(),
        AggOp::Count => values.len() as f64,
        AggOp::Group => 1.0,
        AggOp::Min => min(values.iter().copied()),
        AggOp::Max => max(values.iter().copied()),
        AggOp::Avg => mean(values),
        AggOp::Stdvar => variance(values.iter().copied()),
        AggOp::Stddev => variance(values.iter().copied()).sqrt(),
        AggOp::Quantile => quantile(param, values),
        AggOp::Topk | AggOp::Bottomk | AggOp::CountValues => unreachable!("handled by the caller"),
    }
}

/// The smallest value; a NaN is replaced by any later number, as in Prometheus. Never empty.
pub fn min(mut values: impl Iterator<Item = f64>) -> f64 {
    let first = values.next().unwrap_or(f64::NAN);
    values.fold(first, |acc, v| if acc > v || acc.is_nan() { v } else { acc })
}

/// The largest value, with the same NaN rule as [`min`].
pub fn max(mut values: impl Iterator<Item = f64>) -> f64 {
    let first = values.next().unwrap_or(f64::NAN);
    values.fold(first, |acc, v| if acc < v || acc.is_nan() { v } else { acc })
}

/// The population variance, computed in one pass (Welford).
pub fn variance(values: impl Iterator<Item = f64>) -> f64 {
    let (mut count, mut mean, mut m2) = (0.0, 0.0, 0.0);
    for v in values {
        count += 1.0;
        let delta = v - mean;
        mean += delta / count;
        m2 += delta * (v - mean);
    }
    m2 / count
}

/// The mean the way Prometheus computes it: incrementally, keeping an infinite mean infinite.
pub fn mean(values: &[f64]) -> f64 {
    let mut mean = values[0];
    let mut count = 1.0;
    for &v in &values[1..] {
        count += 1.0;
        if mean.is_infinite() {
            if v.is_infinite() && (mean > 0.0) == (v > 0.0) {
                continue;
            }
            if !v.is_infinite() && !v.is_nan() {
                continue;
            }
        }
        mean += v / count - mean / count;
    }
    mean
}

/// The φ-quantile of `values` by linear interpolation between the closest ranks.
pub fn quantile(q: f64, values: &mut [f64]) -> f64 {
    if values.is_empty() || q.is_nan() {
        return f64::NAN;
    }
    if q < 0.0 {
        return f64::NEG_INFINITY;
    }
    if q > 1.0 {
        return f64::INFINITY;
    }
    values.sort_by(|a, b| a.total_cmp(b));
    let n = values.len() as f64;
    let rank = q * (n - 1.0);
    let lower = rank.floor().max(0.0);
    let upper = (lower + 1.0).min(n - 1.0);
    let weight = rank - rank.floor();
    values[lower as usize] * (1.0 - weight) + values[upper as usize] * weight
}

fn top_bottom(
    top: bool,
    mut rows: Vec<Row>,
    member: &[usize],
    groups: usize,
    n: usize,
    k_at: impl Fn(usize) -> f64,
) -> Vec<Row> {
    let mut keep = vec![vec![false; n]; rows.len()];
    // The order of the first step's selection, so an instant topk lists its largest first.
    let mut first_rank: Vec<(usize, usize, usize)> = Vec::new();
    #[expect(clippy::needless_range_loop, reason = "`i` is the step of every row, not an index into one slice")]
    for i in 0..n {
        let k = k_at(i);
        // NaN keeps nothing, as below 1 does.
        if k.is_nan() || k < 1.0 {
            continue;
        }
        let k = k.min(rows.len() as f64) as usize;
        let mut per_group: Vec<Vec<(usize, f64)>> = vec![Vec::new(); groups];
        for (r, (row, g)) in rows.iter().zip(member).enumerate() {
            if let Some(v) = row.vals[i] {
                per_group[*g].push((r, v));
            }
        }
        for (g, candidates) in per_group.iter_mut().enumerate() {
            // NaN ranks last for both topk and bottomk.
            candidates.sort_by(|a, b| match (a.1.is_nan(), b.1.is_nan()) {
                (true, false) => std::cmp::Ordering::Greater,
                (false, true) => std::cmp::Ordering::Less,
                _ if top => b.1.total_cmp(&a.1),
                _ => a.1.total_cmp(&b.1),
            });
            for (rank, (r, _)) in candidates.iter().take(k).enumerate() {
                keep[*r][i] = true;
                if i == 0 {
                    first_rank.push((g, rank, *r));
                }
            }
        }
    }
    for (row, keep) in rows.iter_mut().zip(&keep) {
        for (v, k) in row.vals.iter_mut().zip(keep) {
            if !k {
                *v = None;
            }
        }
    }
    if n == 1 {
        first_rank.sort();
        let mut slots: Vec<Option<Row>> = rows.into_iter().map(Some).collect();
        return first_rank.into_iter().filter_map(|(_, _, r)| slots[r].take()).collect();
    }
    rows.retain(|r| r.vals.iter().any(Option::is_some));
    rows
}

fn count_values(
    label: &str,
    rows: &[Row],
    member: &[usize],
    groups: &[Labels],
    n: usize,
) -> Result<Vec<Row>, EvalError> {
    if !is_valid_label_name(label) {
        return Err(EvalError::Execution(format!("invalid label name {label:?}")));
    }
    // Counted by the output label set: the value label may overwrite a grouping label.
    let mut counts: HashMap<Labels, Vec<Option<f64>>> = HashMap::new();
    for i in 0..n {
        for (row, g) in rows.iter().zip(member) {
            if let Some(v) = row.vals[i] {
                let labels = Labels::from_pairs(
                    groups[*g]
                        .iter()
                        .map(|l| (l.name.clone(), l.value.clone()))
                        .chain([(label.to_string(), format_value(v))]),
                );
                let slot = &mut counts.entry(labels).or_insert_with(|| vec![None; n])[i];
                *slot = Some(slot.unwrap_or(0.0) + 1.0);
            }
        }
    }
    Ok(counts.into_iter().map(|(labels, vals)| Row { labels, vals }).collect())
}
