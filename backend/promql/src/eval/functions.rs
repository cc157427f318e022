//! PromQL's functions: those over instant vectors, those over range vectors (windows cut per
//! step), and the label and histogram functions.

use lookout_tsdb::{Labels, METRIC_NAME, Sample, Series, is_valid_label_name};
use regex::Regex;

use super::aggregate::{max, mean, min, quantile, variance};
use super::value::{Row, collect_rows, drop_name, without};
use super::{Ctx, MatrixVal, Steps, Val};
use crate::ast::Expr;
use crate::error::EvalError;
use crate::functions::{DatePart, Func, Function, MathFunc, RangeFunc};

pub fn call(ctx: &Ctx<'_>, func: &Function, args: &[Expr], steps: Steps) -> Result<Val, EvalError> {
    let n = steps.len();
    // timestamp() of a plain selector reports when each sample was taken; of anything else,
    // the evaluation time.
    if func.func == Func::Timestamp {
        let rows = match unparen(&args[0]) {
            Expr::VectorSelector(sel) => ctx.vector_selector(sel, steps, true)?,
            other => match ctx.eval(other, steps)? {
                Val::Vector(rows) => rows
                    .into_iter()
                    .map(|r| Row {
                        vals: r.vals.iter().enumerate().map(|(i, v)| v.map(|_| steps.at(i) as f64 / 1000.0)).collect(),
                        labels: r.labels,
                    })
                    .collect(),
                _ => unreachable!("the parser checks timestamp's argument"),
            },
        };
        return Ok(Val::Vector(collect_rows(
            rows.into_iter().map(|r| Row { labels: drop_name(&r.labels), vals: r.vals }),
        )?));
    }
    let mut vals = Vec::with_capacity(args.len());
    for arg in args {
        vals.push(ctx.eval(arg, steps)?);
    }
    // Scalar and string arguments, by position, taken out before the vectors are moved.
    let scalars: Vec<Vec<f64>> = vals
        .iter()
        .map(|v| match v {
            Val::Scalar(v) => v.clone(),
            _ => Vec::new(),
        })
        .collect();
    let strings: Vec<String> = vals
        .iter()
        .map(|v| match v {
            Val::Str(s) => s.clone(),
            _ => String::new(),
        })
        .collect();
    let scalar = |idx: usize| -> Vec<f64> {
        match scalars.get(idx) {
            Some(v) if !v.is_empty() => v.clone(),
            _ => vec![f64::NAN; n],
        }
    };
    let string = |idx: usize| -> &str { strings.get(idx).map_or("", String::as_str) };
    Ok(match func.func {
        Func::Timestamp => unreachable!("answered above, before its argument is evaluated"),
        Func::Time => Val::Scalar((0..n).map(|i| steps.at(i) as f64 / 1000.0).collect()),
        Func::Pi => Val::Scalar(vec![std::f64::consts::PI; n]),
        Func::Vector => {
            Val::Vector(vec![Row { labels: Labels::default(), vals: scalar(0).into_iter().map(Some).collect() }])
        }
        Func::Scalar => {
            let rows = vector_arg(&mut vals, 0);
            Val::Scalar(
                (0..n)
                    .map(|i| {
                        let mut present = rows.iter().filter_map(|r| r.vals[i]);
                        match (present.next(), present.next()) {
                            (Some(v), None) => v,
                            _ => f64::NAN,
                        }
                    })
                    .collect(),
            )
        }
        Func::Absent => {
            let rows = vector_arg(&mut vals, 0);
            let labels = absent_labels(&args[0]);
            let out: Vec<Option<f64>> =
                (0..n).map(|i| (!rows.iter().any(|r| r.vals[i].is_some())).then_some(1.0)).collect();
            Val::Vector(nonempty(vec![Row { labels, vals: out }]))
        }
        Func::AbsentOverTime => {
            let Some(Val::Matrix(m)) = vals.pop() else { unreachable!("type checked") };
            let labels = absent_labels(&args[0]);
            let out = (0..n)
                .map(|i| {
                    let (lo, hi) = m.window(steps.at(i));
                    let present = m.series.iter().any(|s| !window(&s.samples, lo, hi).is_empty());
                    (!present).then_some(1.0)
                })
                .collect();
            Val::Vector(nonempty(vec![Row { labels, vals: out }]))
        }
        Func::Sort | Func::SortDesc => {
            let mut rows = vector_arg(&mut vals, 0);
            if n == 1 {
                let desc = func.func == Func::SortDesc;
                // NaN sorts last either way, as in Prometheus.
                rows.sort_by(|a, b| {
                    let (x, y) = (a.vals[0].unwrap_or(f64::NAN), b.vals[0].unwrap_or(f64::NAN));
                    match (x.is_nan(), y.is_nan()) {
                        (true, false) => std::cmp::Ordering::Greater,
                        (false, true) => std::cmp::Ordering::Less,
                        _ if desc => y.total_cmp(&x),
                        _ => x.total_cmp(&y),
                    }
                });
            }
            Val::Vector(rows)
        }
        Func::LabelReplace => {
            let rows = vector_arg(&mut vals, 0);
            Val::Vector(label_replace(rows, string(1), string(2), string(3), string(4))?)
        }
        Func::LabelJoin => {
            let rows = vector_arg(&mut vals, 0);
            let sources: Vec<String> = (3..args.len()).map(|i| string(i).to_string()).collect();
            Val::Vector(label_join(rows, string(1), string(2), &sources)?)
        }
        Func::HistogramQuantile => {
            let q = scalar(0);
            let rows = vector_arg(&mut vals, 1);
            Val::Vector(histogram_quantile(&q, rows, n)?)
        }
        kind @ (Func::Clamp | Func::ClampMin | Func::ClampMax | Func::Round) => {
            let rows = vector_arg(&mut vals, 0);
            let (a, b) = (scalar(1), scalar(2));
            let out = rows.into_iter().map(|r| Row {
                labels: drop_name(&r.labels),
                vals: r
                    .vals
                    .iter()
                    .enumerate()
                    .map(|(i, v)| {
                        let v = (*v)?;
                        match kind {
                            Func::Clamp => (b[i].partial_cmp(&a[i]) != Some(std::cmp::Ordering::Less))
                                .then(|| go_max(a[i], go_min(b[i], v))),
                            Func::ClampMin => Some(go_max(a[i], v)),
                            Func::ClampMax => Some(go_min(a[i], v)),
                            _ => {
                                let to = if args.len() > 1 { a[i] } else { 1.0 };
                                let inverse = 1.0 / to;
                                Some((v * inverse + 0.5).floor() / inverse)
                            }
                        }
                    })
                    .collect(),
            });
            Val::Vector(collect_rows(out)?)
        }
        Func::Date(part) => {
            let rows = if args.is_empty() {
                vec![Row {
                    labels: Labels::default(),
                    vals: (0..n).map(|i| Some(steps.at(i) as f64 / 1000.0)).collect(),
                }]
            } else {
                vector_arg(&mut vals, 0)
            };
            Val::Vector(map_values(rows, |v| date_part(part, v))?)
        }
        Func::Range(range) => {
            // The range vector is the first argument, or the second after a scalar parameter
            // (`quantile_over_time`); the other arguments are parameters, in order.
            let matrix_idx = func.args.iter().position(|t| *t == crate::ast::ValueType::Matrix).unwrap_or(0);
            let params: Vec<Vec<f64>> = (0..args.len()).filter(|i| *i != matrix_idx).map(scalar).collect();
            let Val::Matrix(m) = vals.swap_remove(matrix_idx) else { unreachable!("type checked") };
            Val::Vector(range_function(range, &m, &params, steps)?)
        }
        Func::Math(math) => Val::Vector(map_values(vector_arg(&mut vals, 0), simple_math(math))?),
    })
}

fn unparen(expr: &Expr) -> &Expr {
    match expr {
        Expr::Paren(inner) => unparen(inner),
        other => other,
    }
}

fn nonempty(rows: Vec<Row>) -> Vec<Row> {
    rows.into_iter().filter(|r| r.vals.iter().any(Option::is_some)).collect()
}

fn vector_arg(vals: &mut [Val], idx: usize) -> Vec<Row> {
    match std::mem::replace(&mut vals[idx], Val::Scalar(Vec::new())) {
        Val::Vector(rows) => rows,
        _ => unreachable!("the parser checks argument types"),
    }
}

/// Go's math.Max and math.Min: NaN wins.
fn go_max(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() { f64::NAN } else { a.max(b) }
}

fn go_min(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() { f64::NAN } else { a.min(b) }
}

/// Applies `f` to every value, dropping the metric name.
fn map_values(rows: Vec<Row>, f: impl Fn(f64) -> f64) -> Result<Vec<Row>, EvalError> {
    collect_rows(
        rows.into_iter()
            .map(|r| Row { labels: drop_name(&r.labels), vals: r.vals.iter().map(|v| v.map(&f)).collect() }),
    )
}

fn simple_math(func: MathFunc) -> fn(f64) -> f64 {
    match func {
        MathFunc::Abs => f64::abs,
        MathFunc::Ceil => f64::ceil,
        MathFunc::Floor => f64::floor,
        MathFunc::Exp => f64::exp,
        MathFunc::Sqrt => f64::sqrt,
        MathFunc::Ln => f64::ln,
        MathFunc::Log2 => f64::log2,
        MathFunc::Log10 => f64::log10,
        MathFunc::Sin => f64::sin,
        MathFunc::Cos => f64::cos,
        MathFunc::Tan => f64::tan,
        MathFunc::Asin => f64::asin,
        MathFunc::Acos => f64::acos,
        MathFunc::Atan => f64::atan,
        MathFunc::Sinh => f64::sinh,
        MathFunc::Cosh => f64::cosh,
        MathFunc::Tanh => f64::tanh,
        MathFunc::Asinh => f64::asinh,
        MathFunc::Acosh => f64::acosh,
        MathFunc::Atanh => f64::atanh,
        MathFunc::Deg => |v| v * 180.0 / std::f64::consts::PI,
        MathFunc::Rad => |v| v * std::f64::consts::PI / 180.0,
        MathFunc::Sgn => |v: f64| {
            if v < 0.0 {
                -1.0
            } else if v > 0.0 {
                1.0
            } else {
                v
            }
        },
    }
}

/// The labels `absent()` gives its result: the selector's equality matchers.
fn absent_labels(arg: &Expr) -> Labels {
    let matchers = match arg {
        Expr::VectorSelector(s) | Expr::MatrixSelector { selector: s, .. } => &s.matchers,
        _ => return Labels::default(),
    };
    let mut pairs: Vec<(String, String)> = Vec::new();
    let mut ambiguous: Vec<&str> = Vec::new();
    for m in matchers.iter().filter(|m| m.name != METRIC_NAME) {
        if matches!(m.op, lookout_tsdb::MatchOp::Equal) && !pairs.iter().any(|(n, _)| *n == m.name) {
            pairs.push((m.name.clone(), m.value.clone()));
        } else {
            ambiguous.push(&m.name);
        }
    }
    pairs.retain(|(n, _)| !ambiguous.contains(&n.as_str()));
    Labels::from_pairs(pairs)
}

/// The samples in `[lo, hi]`, as a slice of the series' (time-ordered) samples: no copying,
/// since a range query asks for one window per series per step.
fn window(samples: &[Sample], lo: i64, hi: i64) -> &[Sample] {
    let start = samples.partition_point(|(t, _)| *t < lo);
    let end = start + samples[start..].partition_point(|(t, _)| *t <= hi);
    &samples[start..end]
}

/// Series per thread below which a range function is not worth splitting across cores.
const SERIES_PER_THREAD: usize = 500;

fn range_function(func: RangeFunc, m: &MatrixVal, params: &[Vec<f64>], steps: Steps) -> Result<Vec<Row>, EvalError> {
    // Each series is independent, so large inputs are split across the machine's cores.
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(m.series.len().div_ceil(SERIES_PER_THREAD))
        .max(1);
    let part = m.series.len().div_ceil(threads).max(1);
    let rows: Vec<Result<Vec<Row>, EvalError>> = if threads == 1 {
        vec![range_rows(func, &m.series, m, params, steps)]
    } else {
        std::thread::scope(|scope| {
            let handles: Vec<_> = m
                .series
                .chunks(part)
                .map(|chunk| scope.spawn(move || range_rows(func, chunk, m, params, steps)))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|_| Err(EvalError::Execution("a query worker thread failed".into()))))
                .collect()
        })
    };
    let mut all = Vec::with_capacity(m.series.len());
    for part in rows {
        all.extend(part?);
    }
    collect_rows(all)
}

fn range_rows(
    func: RangeFunc,
    series: &[Series],
    m: &MatrixVal,
    params: &[Vec<f64>],
    steps: Steps,
) -> Result<Vec<Row>, EvalError> {
    let n = steps.len();
    let keep_name = func == RangeFunc::LastOverTime;
    let mut rows = Vec::with_capacity(series.len());
    for s in series {
        let mut vals = vec![None; n];
        for (i, slot) in vals.iter_mut().enumerate() {
            let t = steps.at(i);
            let (lo, hi) = m.window(t);
            let points = window(&s.samples, lo, hi);
            if points.is_empty() {
                continue;
            }
            let param = |k: usize| params.get(k).map_or(f64::NAN, |p| p[i]);
            *slot = over_window(func, points, lo, hi, m.range, t, param)?;
        }
        rows.push(Row { labels: if keep_name { s.labels.clone() } else { drop_name(&s.labels) }, vals });
    }
    Ok(rows)
}

/// One range function over one window of samples (never empty).
fn over_window(
    func: RangeFunc,
    points: &[Sample],
    lo: i64,
    hi: i64,
    range: i64,
    t: i64,
    param: impl Fn(usize) -> f64,
) -> Result<Option<f64>, EvalError> {
    let values = || points.iter().map(|(_, v)| *v);
    Ok(match func {
        RangeFunc::Rate => extrapolated_rate(points, lo, hi, range, true, true),
        RangeFunc::Increase => extrapolated_rate(points, lo, hi, range, true, false),
        RangeFunc::Delta => extrapolated_rate(points, lo, hi, range, false, false),
        RangeFunc::Irate | RangeFunc::Idelta => {
            if points.len() < 2 {
                return Ok(None);
            }
            let (last, prev) = (points[points.len() - 1], points[points.len() - 2]);
            let interval = last.0 - prev.0;
            if interval == 0 {
                return Ok(None);
            }
            if func == RangeFunc::Irate {
                let delta = if last.1 < prev.1 { last.1 } else { last.1 - prev.1 };
                Some(delta / (interval as f64 / 1000.0))
            } else {
                Some(last.1 - prev.1)
            }
        }
        RangeFunc::Changes => {
            Some(points.windows(2).filter(|w| w[0].1 != w[1].1 && !(w[0].1.is_nan() && w[1].1.is_nan())).count() as f64)
        }
        RangeFunc::Resets => Some(points.windows(2).filter(|w| w[1].1 < w[0].1).count() as f64),
        RangeFunc::Deriv => (points.len() >= 2).then(|| linear_regression(points, points[0].0).0),
        RangeFunc::PredictLinear => (points.len() >= 2).then(|| {
            let (slope, intercept) = linear_regression(points, t);
            slope * param(0) + intercept
        }),
        RangeFunc::HoltWinters => holt_winters(points, param(0), param(1))?,
        RangeFunc::AvgOverTime => Some(mean(&values().collect::<Vec<_>>())),
        RangeFunc::CountOverTime => Some(points.len() as f64),
        RangeFunc::SumOverTime => Some(values().sum()),
        RangeFunc::MinOverTime => Some(min(values())),
        RangeFunc::MaxOverTime => Some(max(values())),
        RangeFunc::LastOverTime => Some(points[points.len() - 1].1),
        RangeFunc::PresentOverTime => Some(1.0),
        RangeFunc::QuantileOverTime => Some(quantile(param(0), &mut values().collect::<Vec<_>>())),
        RangeFunc::StdvarOverTime => Some(variance(values())),
        RangeFunc::StddevOverTime => Some(variance(values()).sqrt()),
    })
}

/// `rate`, `increase` and `delta`: the change over the window, extrapolated towards its edges
/// as Prometheus does (not beyond half a sample interval, and not below zero for counters).
fn extrapolated_rate(
    points: &[Sample],
    range_start: i64,
    range_end: i64,
    range: i64,
    counter: bool,
    per_second: bool,
) -> Option<f64> {
    if points.len() < 2 {
        return None;
    }
    let (first, last) = (points[0], points[points.len() - 1]);
    let mut result = last.1 - first.1;
    if counter {
        let mut previous = 0.0;
        for &(_, v) in points {
            if v < previous {
                result += previous;
            }
            previous = v;
        }
    }
    let mut to_start = (first.0 - range_start) as f64 / 1000.0;
    let to_end = (range_end - last.0) as f64 / 1000.0;
    let sampled = (last.0 - first.0) as f64 / 1000.0;
    let average_gap = sampled / (points.len() - 1) as f64;
    if counter && result > 0.0 && first.1 >= 0.0 {
        let to_zero = sampled * (first.1 / result);
        if to_zero < to_start {
            to_start = to_zero;
        }
    }
    let threshold = average_gap * 1.1;
    let mut interval = sampled;
    interval += if to_start < threshold { to_start } else { average_gap / 2.0 };
    interval += if to_end < threshold { to_end } else { average_gap / 2.0 };
    result *= interval / sampled;
    if per_second {
        result /= range as f64 / 1000.0;
    }
    Some(result)
}

/// Least-squares slope and intercept, with time in seconds relative to `intercept_time`.
fn linear_regression(points: &[Sample], intercept_time: i64) -> (f64, f64) {
    let (mut n, mut sum_x, mut sum_y, mut sum_xy, mut sum_x2) = (0.0, 0.0, 0.0, 0.0, 0.0);
    let first = points[0].1;
    let constant = points.iter().all(|(_, v)| *v == first);
    for &(t, v) in points {
        n += 1.0;
        let x = (t - intercept_time) as f64 / 1000.0;
        sum_x += x;
        sum_y += v;
        sum_xy += x * v;
        sum_x2 += x * x;
    }
    if constant {
        return if first.is_infinite() { (f64::NAN, f64::NAN) } else { (0.0, first) };
    }
    let cov_xy = sum_xy - sum_x * sum_y / n;
    let var_x = sum_x2 - sum_x * sum_x / n;
    let slope = cov_xy / var_x;
    (slope, sum_y / n - slope * sum_x / n)
}

fn holt_winters(points: &[Sample], sf: f64, tf: f64) -> Result<Option<f64>, EvalError> {
    if !(sf > 0.0 && sf < 1.0) {
        return Err(EvalError::Execution(format!("invalid smoothing factor. Expected: 0 < sf < 1, got: {sf:.6}")));
    }
    if !(tf > 0.0 && tf < 1.0) {
        return Err(EvalError::Execution(format!("invalid trend factor. Expected: 0 < tf < 1, got: {tf:.6}")));
    }
    if points.len() < 2 {
        return Ok(None);
    }
    let (mut s0, mut s1) = (0.0, points[0].1);
    let mut b = points[1].1 - points[0].1;
    for (i, &(_, v)) in points.iter().enumerate().skip(1) {
        let x = sf * v;
        if i > 1 {
            b = tf * (s1 - s0) + (1.0 - tf) * b;
        }
        let y = (1.0 - sf) * (s1 + b);
        s0 = s1;
        s1 = x + y;
    }
    Ok(Some(s1))
}

fn label_replace(
    rows: Vec<Row>,
    dst: &str,
    replacement: &str,
    src: &str,
    pattern: &str,
) -> Result<Vec<Row>, EvalError> {
    let re = Regex::new(&format!("^(?s:{pattern})$"))
        .map_err(|e| EvalError::Execution(format!("invalid regular expression in label_replace(): {pattern}: {e}")))?;
    if !is_valid_label_name(dst) {
        return Err(EvalError::Execution(format!("invalid destination label name in label_replace(): {dst}")));
    }
    collect_rows(rows.into_iter().map(|row| {
        let value = row.labels.get(src).unwrap_or("");
        let labels = match re.captures(value) {
            Some(caps) => {
                let mut result = String::new();
                caps.expand(replacement, &mut result);
                set_label(&row.labels, dst, result)
            }
            None => row.labels,
        };
        Row { labels, vals: row.vals }
    }))
}

fn label_join(rows: Vec<Row>, dst: &str, separator: &str, sources: &[String]) -> Result<Vec<Row>, EvalError> {
    if !is_valid_label_name(dst) {
        return Err(EvalError::Execution(format!("invalid destination label name in label_join(): {dst}")));
    }
    if let Some(bad) = sources.iter().find(|s| !is_valid_label_name(s)) {
        return Err(EvalError::Execution(format!("invalid source label name in label_join(): {bad}")));
    }
    collect_rows(rows.into_iter().map(|row| {
        let joined = sources.iter().map(|s| row.labels.get(s).unwrap_or("")).collect::<Vec<_>>().join(separator);
        Row { labels: set_label(&row.labels, dst, joined), vals: row.vals }
    }))
}

/// Sets (or with an empty value, removes) one label.
fn set_label(labels: &Labels, name: &str, value: String) -> Labels {
    Labels::from_pairs(labels.iter().map(|l| (l.name.clone(), l.value.clone())).chain([(name.to_string(), value)]))
}

fn histogram_quantile(q: &[f64], rows: Vec<Row>, n: usize) -> Result<Vec<Row>, EvalError> {
    // Buckets of one histogram share all labels but `le`; the metric name keeps histograms of
    // different metrics apart until the result drops it.
    let mut groups: Vec<(Labels, Vec<(f64, &Row)>)> = Vec::new();
    let mut index = std::collections::HashMap::new();
    for row in &rows {
        let Some(le) = row.labels.get("le").and_then(parse_le) else {
            continue;
        };
        let key = without(&row.labels, &["le"]);
        let g = *index.entry(key.clone()).or_insert_with(|| {
            groups.push((key, Vec::new()));
            groups.len() - 1
        });
        groups[g].1.push((le, row));
    }
    collect_rows(groups.into_iter().map(|(key, buckets)| {
        let vals = (0..n)
            .map(|i| {
                let mut present: Vec<(f64, f64)> =
                    buckets.iter().filter_map(|(le, r)| r.vals[i].map(|c| (*le, c))).collect();
                (!present.is_empty()).then(|| bucket_quantile(q[i], &mut present))
            })
            .collect();
        Row { labels: drop_name(&key), vals }
    }))
}

fn parse_le(text: &str) -> Option<f64> {
    match text.trim() {
        "+Inf" | "Inf" | "+inf" | "inf" => Some(f64::INFINITY),
        "-Inf" | "-inf" => Some(f64::NEG_INFINITY),
        other => other.parse().ok(),
    }
}

/// The quantile of a classic histogram's cumulative buckets `(upper bound, count)`, with linear
/// interpolation inside the bucket that holds the rank.
fn bucket_quantile(q: f64, buckets: &mut Vec<(f64, f64)>) -> f64 {
    if q.is_nan() {
        return f64::NAN;
    }
    if q < 0.0 {
        return f64::NEG_INFINITY;
    }
    if q > 1.0 {
        return f64::INFINITY;
    }
    buckets.sort_by(|a, b| a.0.total_cmp(&b.0));
    if buckets.last().is_none_or(|b| b.0 != f64::INFINITY) {
        return f64::NAN;
    }
    // Merge buckets with the same bound, then force the counts to be monotonic.
    buckets.dedup_by(|next, kept| {
        if next.0 == kept.0 {
            kept.1 += next.1;
            true
        } else {
            false
        }
    });
    let mut max = f64::NEG_INFINITY;
    for b in buckets.iter_mut() {
        if b.1 > max {
            max = b.1;
        } else if b.1 < max {
            b.1 = max;
        }
    }
    if buckets.len() < 2 {
        return f64::NAN;
    }
    let observations = buckets[buckets.len() - 1].1;
    if observations == 0.0 {
        return f64::NAN;
    }
    let mut rank = q * observations;
    let b = buckets[..buckets.len() - 1].partition_point(|b| b.1 < rank);
    if b == buckets.len() - 1 {
        return buckets[buckets.len() - 2].0;
    }
    if b == 0 && buckets[0].0 <= 0.0 {
        return buckets[0].0;
    }
    let (mut start, end, mut count) = (0.0, buckets[b].0, buckets[b].1);
    if b > 0 {
        start = buckets[b - 1].0;
        count -= buckets[b - 1].1;
        rank -= buckets[b - 1].1;
    }
    start + (end - start) * (rank / count)
}

/// The calendar part `name` of a Unix time in seconds, in UTC.
fn date_part(part: DatePart, seconds: f64) -> f64 {
    if !seconds.is_finite() {
        return f64::NAN;
    }
    let secs = seconds.trunc() as i64;
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = lookout_tsdb::civil_from_days(days);
    let (m, d) = (i64::from(m), i64::from(d));
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let month_days = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    match part {
        DatePart::Year => y as f64,
        DatePart::Month => m as f64,
        DatePart::DayOfMonth => d as f64,
        DatePart::DayOfWeek => (days + 4).rem_euclid(7) as f64,
        DatePart::DayOfYear => (month_days[..(m - 1) as usize].iter().sum::<i64>() + d) as f64,
        DatePart::DaysInMonth => month_days[(m - 1) as usize] as f64,
        DatePart::Hour => (rem / 3600) as f64,
        DatePart::Minute => (rem % 3600 / 60) as f64,
    }
}
