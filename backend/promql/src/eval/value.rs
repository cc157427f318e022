//! The evaluator's intermediate values and the query result.

use std::collections::HashMap;

use lookout_tsdb::{Labels, METRIC_NAME, Series};

use crate::error::EvalError;

/// A query's result.
#[derive(Debug, Clone, PartialEq)]
pub enum QueryValue {
    Scalar(f64),
    String(String),
    /// One value per series at the evaluation time.
    Vector(Vec<(Labels, f64)>),
    Matrix(Vec<Series>),
}

/// One series of an instant vector across all steps: a value, or a gap, at each step.
#[derive(Debug, Clone)]
pub struct Row {
    pub labels: Labels,
    pub vals: Vec<Option<f64>>,
}

pub fn drop_name(labels: &Labels) -> Labels {
    without(labels, &[METRIC_NAME])
}

pub fn without(labels: &Labels, names: &[&str]) -> Labels {
    Labels::from_pairs(
        labels.iter().filter(|l| !names.contains(&l.name.as_str())).map(|l| (l.name.clone(), l.value.clone())),
    )
}

/// Merges rows with equal label sets. Two values for one label set at the same step is the
/// error Prometheus reports for a vector holding the same series twice.
pub fn collect_rows(rows: impl IntoIterator<Item = Row>) -> Result<Vec<Row>, EvalError> {
    let mut out: Vec<Row> = Vec::new();
    let mut index: HashMap<Labels, usize> = HashMap::new();
    for row in rows {
        match index.get(&row.labels) {
            None => {
                index.insert(row.labels.clone(), out.len());
                out.push(row);
            }
            Some(&i) => {
                let target = &mut out[i];
                for (slot, v) in target.vals.iter_mut().zip(row.vals) {
                    if v.is_some() {
                        if slot.is_some() {
                            return Err(same_labelset());
                        }
                        *slot = v;
                    }
                }
            }
        }
    }
    out.retain(|r| r.vals.iter().any(Option::is_some));
    Ok(out)
}

pub fn same_labelset() -> EvalError {
    EvalError::Execution("vector cannot contain metrics with the same labelset".into())
}
