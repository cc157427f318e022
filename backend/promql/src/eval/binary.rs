//! Binary operators: arithmetic, comparisons (filtering or `bool`) and set operators, between
//! scalars and vectors, with Prometheus's vector matching (`on`, `ignoring`, `group_left`,
//! `group_right`) checked step by step.

use std::collections::{HashMap, HashSet};

use lookout_tsdb::{Labels, METRIC_NAME};

use super::Val;
use super::value::{Row, collect_rows, drop_name, same_labelset};
use crate::ast::{BinOp, Cardinality, VectorMatching};
use crate::error::EvalError;

pub fn eval(
    op: BinOp,
    lhs: Val,
    rhs: Val,
    return_bool: bool,
    matching: Option<&VectorMatching>,
    n: usize,
) -> Result<Val, EvalError> {
    Ok(match (lhs, rhs) {
        (Val::Scalar(l), Val::Scalar(r)) => Val::Scalar(l.iter().zip(&r).map(|(a, b)| scalar_op(op, *a, *b)).collect()),
        (Val::Vector(rows), Val::Scalar(s)) => Val::Vector(vector_scalar(op, rows, &s, false, return_bool)?),
        (Val::Scalar(s), Val::Vector(rows)) => Val::Vector(vector_scalar(op, rows, &s, true, return_bool)?),
        (Val::Vector(l), Val::Vector(r)) => {
            let matching = matching.expect("the parser sets matching for vector operands");
            Val::Vector(match op {
                BinOp::And | BinOp::Unless => and_unless(op == BinOp::And, l, r, matching, n),
                BinOp::Or => or(l, r, matching, n)?,
                _ => vector_vector(op, l, r, matching, return_bool, n)?,
            })
        }
        _ => unreachable!("the parser only allows scalars and vectors as operands"),
    })
}

/// Applies `op` to two values: the result, and whether a comparison holds (always true otherwise).
fn elem_op(op: BinOp, l: f64, r: f64) -> (f64, bool) {
    match op {
        BinOp::Add => (l + r, true),
        BinOp::Sub => (l - r, true),
        BinOp::Mul => (l * r, true),
        BinOp::Div => (l / r, true),
        BinOp::Mod => (l % r, true),
        BinOp::Pow => (l.powf(r), true),
        BinOp::Atan2 => (l.atan2(r), true),
        BinOp::Eql => (l, l == r),
        BinOp::Neq => (l, l != r),
        BinOp::Gtr => (l, l > r),
        BinOp::Lss => (l, l < r),
        BinOp::Gte => (l, l >= r),
        BinOp::Lte => (l, l <= r),
        BinOp::And | BinOp::Or | BinOp::Unless => {
            unreachable!("set operators have no element operation")
        }
    }
}

fn scalar_op(op: BinOp, l: f64, r: f64) -> f64 {
    let (value, keep) = elem_op(op, l, r);
    if op.is_comparison() { if keep { 1.0 } else { 0.0 } } else { value }
}

/// Arithmetic drops the metric name: the result is no longer that metric. (`atan2` keeps it,
/// as in Prometheus 2.42.)
fn drops_name(op: BinOp) -> bool {
    matches!(op, BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Mod | BinOp::Pow)
}

fn vector_scalar(
    op: BinOp,
    rows: Vec<Row>,
    scalar: &[f64],
    scalar_left: bool,
    return_bool: bool,
) -> Result<Vec<Row>, EvalError> {
    let rename = drops_name(op) || return_bool;
    let out = rows.into_iter().map(|row| {
        let vals = row
            .vals
            .iter()
            .zip(scalar)
            .map(|(v, s)| {
                let v = (*v)?;
                let (l, r) = if scalar_left { (*s, v) } else { (v, *s) };
                let (mut value, mut keep) = elem_op(op, l, r);
                // A comparison keeps the vector's value even when the vector is on the right.
                if op.is_comparison() && scalar_left {
                    value = r;
                }
                if return_bool {
                    value = if keep { 1.0 } else { 0.0 };
                    keep = true;
                }
                keep.then_some(value)
            })
            .collect();
        Row { labels: if rename { drop_name(&row.labels) } else { row.labels }, vals }
    });
    collect_rows(out)
}

/// The labels two series are matched on.
fn signature(labels: &Labels, m: &VectorMatching) -> Labels {
    let pairs = labels.iter().filter(|l| {
        if m.on { m.labels.contains(&l.name) } else { l.name != METRIC_NAME && !m.labels.contains(&l.name) }
    });
    Labels::from_pairs(pairs.map(|l| (l.name.clone(), l.value.clone())))
}

/// Interns each row's signature as a small id, so steps compare integers.
fn signature_ids(rows: &[Row], m: &VectorMatching, ids: &mut HashMap<Labels, usize>) -> Vec<usize> {
    rows.iter()
        .map(|r| {
            let sig = signature(&r.labels, m);
            let next = ids.len();
            *ids.entry(sig).or_insert(next)
        })
        .collect()
}

fn and_unless(and: bool, lhs: Vec<Row>, rhs: Vec<Row>, m: &VectorMatching, n: usize) -> Vec<Row> {
    let mut ids = HashMap::new();
    let lsig = signature_ids(&lhs, m, &mut ids);
    let rsig = signature_ids(&rhs, m, &mut ids);
    let mut out = lhs;
    for i in 0..n {
        let present: HashSet<usize> =
            rhs.iter().zip(&rsig).filter(|(r, _)| r.vals[i].is_some()).map(|(_, s)| *s).collect();
        for (row, sig) in out.iter_mut().zip(&lsig) {
            if present.contains(sig) != and {
                row.vals[i] = None;
            }
        }
    }
    out.retain(|r| r.vals.iter().any(Option::is_some));
    out
}

fn or(lhs: Vec<Row>, mut rhs: Vec<Row>, m: &VectorMatching, n: usize) -> Result<Vec<Row>, EvalError> {
    let mut ids = HashMap::new();
    let lsig = signature_ids(&lhs, m, &mut ids);
    let rsig = signature_ids(&rhs, m, &mut ids);
    for i in 0..n {
        let present: HashSet<usize> =
            lhs.iter().zip(&lsig).filter(|(r, _)| r.vals[i].is_some()).map(|(_, s)| *s).collect();
        for (row, sig) in rhs.iter_mut().zip(&rsig) {
            if present.contains(sig) {
                row.vals[i] = None;
            }
        }
    }
    collect_rows(lhs.into_iter().chain(rhs))
}

fn vector_vector(
    op: BinOp,
    lhs: Vec<Row>,
    rhs: Vec<Row>,
    m: &VectorMatching,
    return_bool: bool,
    n: usize,
) -> Result<Vec<Row>, EvalError> {
    // Make the right side the "one" side of the match, as group_right mirrors group_left.
    let swapped = m.card == Cardinality::OneToMany;
    let (many, one) = if swapped { (rhs, lhs) } else { (lhs, rhs) };
    let mut ids = HashMap::new();
    let many_sig = signature_ids(&many, m, &mut ids);
    let one_sig = signature_ids(&one, m, &mut ids);
    let sig_text: HashMap<usize, Labels> = ids.iter().map(|(l, i)| (*i, l.clone())).collect();

    let mut out: Vec<Row> = Vec::new();
    let mut out_index: HashMap<Labels, usize> = HashMap::new();
    let mut result_labels: HashMap<(usize, usize), usize> = HashMap::new();
    for i in 0..n {
        let mut one_by_sig: HashMap<usize, usize> = HashMap::new();
        for (r, (row, sig)) in one.iter().zip(&one_sig).enumerate() {
            if row.vals[i].is_none() {
                continue;
            }
            if let Some(&other) = one_by_sig.get(sig) {
                return Err(EvalError::Execution(format!(
                    "found duplicate series for the match group {} on the {} hand-side of the operation: [{}, {}];many-to-many matching not allowed: matching labels must be unique on one side",
                    sig_text[sig],
                    if swapped { "left" } else { "right" },
                    one[other].labels,
                    row.labels
                )));
            }
            one_by_sig.insert(*sig, r);
        }
        let mut matched: HashMap<usize, HashSet<usize>> = HashMap::new();
        for (l, (row, sig)) in many.iter().zip(&many_sig).enumerate() {
            let Some(lv) = row.vals[i] else { continue };
            let Some(&r) = one_by_sig.get(sig) else {
                continue;
            };
            let rv = one[r].vals[i].expect("indexed only when present");
            let (vl, vr) = if swapped { (rv, lv) } else { (lv, rv) };
            let (mut value, keep) = elem_op(op, vl, vr);
            if return_bool {
                value = if keep { 1.0 } else { 0.0 };
            } else if !keep {
                continue;
            }
            let target = match result_labels.get(&(l, r)) {
                Some(&t) => t,
                None => {
                    let labels = result_metric(&row.labels, &one[r].labels, op, m, return_bool);
                    let t = *out_index.entry(labels.clone()).or_insert_with(|| {
                        out.push(Row { labels, vals: vec![None; n] });
                        out.len() - 1
                    });
                    result_labels.insert((l, r), t);
                    t
                }
            };
            let inserted = matched.entry(*sig).or_default();
            if m.card == Cardinality::OneToOne {
                if !inserted.is_empty() {
                    return Err(EvalError::Execution(
                        "multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)"
                            .into(),
                    ));
                }
            } else if inserted.contains(&target) {
                return Err(EvalError::Execution(
                    "multiple matches for labels: grouping labels must ensure unique matches".into(),
                ));
            }
            inserted.insert(target);
            if out[target].vals[i].is_some() {
                return Err(same_labelset());
            }
            out[target].vals[i] = Some(value);
        }
    }
    out.retain(|r| r.vals.iter().any(Option::is_some));
    Ok(out)
}

/// The labels of a matched pair's result: the "many" side's, narrowed for one-to-one matching,
/// with `group_x(...)` labels copied from the "one" side.
fn result_metric(many: &Labels, one: &Labels, op: BinOp, m: &VectorMatching, return_bool: bool) -> Labels {
    let keep = |name: &str| -> bool {
        if (drops_name(op) || return_bool) && name == METRIC_NAME {
            return false;
        }
        if m.card == Cardinality::OneToOne {
            return if m.on { m.labels.iter().any(|l| l == name) } else { !m.labels.iter().any(|l| l == name) };
        }
        true
    };
    let mut pairs: Vec<(String, String)> =
        many.iter().filter(|l| keep(&l.name)).map(|l| (l.name.clone(), l.value.clone())).collect();
    for name in &m.include {
        pairs.retain(|(n, _)| n != name);
        if let Some(v) = one.get(name) {
            pairs.push((name.clone(), v.to_string()));
        }
    }
    Labels::from_pairs(pairs)
}
