//! The series notation of Prometheus's test scripts and `promtool test rules`
//! (`parser.ParseSeriesDesc`): `metric{a="b"}` names a series, and values such as
//! `1 _ stale 1+2x3 5-1x2 _x4` expand to one value, or none, per step.

use lookout_tsdb::{Labels, stale_nan};

use crate::ast::Expr;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SeriesError {
    #[error("bad series {desc:?}: {reason}")]
    Labels { desc: String, reason: String },
    #[error("bad value {0:?}: expected a number, _, stale, AxN or A+BxN")]
    Value(String),
}

/// The labels of `metric{a="b"}`, `{a="b"}` or `{}`.
pub fn labels(desc: &str) -> Result<Labels, SeriesError> {
    if desc.replace(' ', "") == "{}" {
        return Ok(Labels::default());
    }
    let bad = |reason: String| SeriesError::Labels { desc: desc.to_string(), reason };
    match crate::parse(desc) {
        Ok(Expr::VectorSelector(selector)) => {
            Ok(Labels::from_pairs(selector.matchers.iter().map(|m| (m.name.clone(), m.value.clone()))))
        }
        Ok(_) => Err(bad("not a series".into())),
        Err(err) => Err(bad(err.to_string())),
    }
}

/// A number as the notation writes one: Go's float syntax, `Inf` and `NaN` in either case.
pub fn value(text: &str) -> Option<f64> {
    match text {
        "Inf" | "+Inf" | "inf" | "+inf" => Some(f64::INFINITY),
        "-Inf" | "-inf" => Some(f64::NEG_INFINITY),
        "NaN" | "nan" => Some(f64::NAN),
        other => other.parse().ok(),
    }
}

/// The values of whitespace-separated items, one per step (`None` = no sample): `_` is none,
/// `stale` a staleness marker, `AxN` A for N+1 steps, `A+BxN` and `A-BxN` N+1 steps from A by B,
/// `_xN` none for N steps, as Prometheus counts them.
pub fn values(text: &str) -> Result<Vec<Option<f64>>, SeriesError> {
    let mut out = Vec::new();
    for item in text.split_whitespace() {
        out.extend(expand(item)?);
    }
    Ok(out)
}

fn expand(item: &str) -> Result<Vec<Option<f64>>, SeriesError> {
    let bad = || SeriesError::Value(item.to_string());
    let single = |text: &str| match text {
        "_" => Ok(None),
        "stale" => Ok(Some(stale_nan())),
        other => value(other).map(Some).ok_or_else(bad),
    };
    let Some((base, count)) = item.rsplit_once('x') else {
        return Ok(vec![single(item)?]);
    };
    let count: usize = count.parse().map_err(|_| bad())?;
    if base == "_" {
        return Ok(vec![None; count]);
    }
    // The increment's sign separates it from the start, which may have a sign and an exponent
    // of its own (`-1e+3+2x4`).
    let split = base
        .char_indices()
        .skip(1)
        .filter(|(_, c)| matches!(c, '+' | '-'))
        .map(|(i, _)| i)
        .find(|&i| !base[..i].ends_with(['e', 'E']));
    let (start, step) = match split {
        Some(i) => (single(&base[..i])?.ok_or_else(bad)?, value(&base[i..]).ok_or_else(bad)?),
        None => (single(base)?.ok_or_else(bad)?, 0.0),
    };
    Ok((0..=count).map(|k| Some(start + step * k as f64)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_expand_as_prometheus_counts_them() {
        let check = |text: &str, expected: &[Option<f64>]| assert_eq!(values(text).unwrap(), expected, "{text}");
        check("1 _ 3", &[Some(1.0), None, Some(3.0)]);
        check("1+2x3", &[Some(1.0), Some(3.0), Some(5.0), Some(7.0)]);
        check("5-1x2", &[Some(5.0), Some(4.0), Some(3.0)]);
        check("-2+1x1", &[Some(-2.0), Some(-1.0)]);
        check("7x2 _x2", &[Some(7.0), Some(7.0), Some(7.0), None, None]);
        // The promtool harness once split `1e+3x5` at the exponent's sign and panicked.
        check("1e+3x2", &[Some(1000.0), Some(1000.0), Some(1000.0)]);
        check("1e+3+1e-1x1", &[Some(1000.0), Some(1000.1)]);
        check("-1E-1-1x1", &[Some(-0.1), Some(-1.1)]);
        assert!(values("stale").unwrap()[0].is_some_and(lookout_tsdb::is_stale_nan));
        assert!(values("Inf+1x1").unwrap().iter().all(|v| v == &Some(f64::INFINITY)));
        for bad in ["1+x2", "ax2", "1x", "1xx2", "+", "1+2+3x1"] {
            assert_eq!(values(bad), Err(SeriesError::Value(bad.into())), "{bad}");
        }
    }

    #[test]
    fn series_labels() {
        let l = labels(r#"m{a="1", b="x\ty"}"#).unwrap();
        assert_eq!((l.metric_name(), l.get("a"), l.get("b")), (Some("m"), Some("1"), Some("x\ty")));
        assert_eq!(labels("{ }").unwrap(), Labels::default());
        assert!(matches!(labels("sum(m)"), Err(SeriesError::Labels { .. })));
        assert!(matches!(labels("m{"), Err(SeriesError::Labels { .. })));
    }
}
