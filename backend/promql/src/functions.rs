//! The signatures of PromQL's functions (Prometheus 2.42): argument types, how many may be left
//! out, and the result type. Their implementations live in `eval/functions.rs`.

use crate::ast::ValueType::{self, Matrix, Scalar, String as Str, Vector};

#[derive(Debug, PartialEq, Eq)]
pub struct Function {
    pub name: &'static str,
    pub args: &'static [ValueType],
    /// How many trailing arguments may be left out; [`VARIADIC`] makes the last argument type
    /// repeat any number of times, none included.
    pub optional: usize,
    pub returns: ValueType,
}

const fn f(name: &'static str, args: &'static [ValueType], optional: usize, returns: ValueType) -> Function {
    Function { name, args, optional, returns }
}

/// `label_join` takes any number of source labels after its first three arguments.
pub const VARIADIC: usize = usize::MAX;

pub static FUNCTIONS: &[Function] = &[
    f("abs", &[Vector], 0, Vector),
    f("absent", &[Vector], 0, Vector),
    f("absent_over_time", &[Matrix], 0, Vector),
    f("acos", &[Vector], 0, Vector),
    f("acosh", &[Vector], 0, Vector),
    f("asin", &[Vector], 0, Vector),
    f("asinh", &[Vector], 0, Vector),
    f("atan", &[Vector], 0, Vector),
    f("atanh", &[Vector], 0, Vector),
    f("avg_over_time", &[Matrix], 0, Vector),
    f("ceil", &[Vector], 0, Vector),
    f("changes", &[Matrix], 0, Vector),
    f("clamp", &[Vector, Scalar, Scalar], 0, Vector),
    f("clamp_max", &[Vector, Scalar], 0, Vector),
    f("clamp_min", &[Vector, Scalar], 0, Vector),
    f("cos", &[Vector], 0, Vector),
    f("cosh", &[Vector], 0, Vector),
    f("count_over_time", &[Matrix], 0, Vector),
    f("days_in_month", &[Vector], 1, Vector),
    f("day_of_month", &[Vector], 1, Vector),
    f("day_of_week", &[Vector], 1, Vector),
    f("day_of_year", &[Vector], 1, Vector),
    f("deg", &[Vector], 0, Vector),
    f("delta", &[Matrix], 0, Vector),
    f("deriv", &[Matrix], 0, Vector),
    f("exp", &[Vector], 0, Vector),
    f("floor", &[Vector], 0, Vector),
    f("histogram_quantile", &[Scalar, Vector], 0, Vector),
    f("holt_winters", &[Matrix, Scalar, Scalar], 0, Vector),
    f("hour", &[Vector], 1, Vector),
    f("idelta", &[Matrix], 0, Vector),
    f("increase", &[Matrix], 0, Vector),
    f("irate", &[Matrix], 0, Vector),
    f("label_replace", &[Vector, Str, Str, Str, Str], 0, Vector),
    f("label_join", &[Vector, Str, Str, Str], VARIADIC, Vector),
    f("last_over_time", &[Matrix], 0, Vector),
    f("ln", &[Vector], 0, Vector),
    f("log10", &[Vector], 0, Vector),
    f("log2", &[Vector], 0, Vector),
    f("max_over_time", &[Matrix], 0, Vector),
    f("min_over_time", &[Matrix], 0, Vector),
    f("minute", &[Vector], 1, Vector),
    f("month", &[Vector], 1, Vector),
    f("pi", &[], 0, Scalar),
    f("predict_linear", &[Matrix, Scalar], 0, Vector),
    f("present_over_time", &[Matrix], 0, Vector),
    f("quantile_over_time", &[Scalar, Matrix], 0, Vector),
    f("rad", &[Vector], 0, Vector),
    f("rate", &[Matrix], 0, Vector),
    f("resets", &[Matrix], 0, Vector),
    f("round", &[Vector, Scalar], 1, Vector),
    f("scalar", &[Vector], 0, Scalar),
    f("sgn", &[Vector], 0, Vector),
    f("sin", &[Vector], 0, Vector),
    f("sinh", &[Vector], 0, Vector),
    f("sort", &[Vector], 0, Vector),
    f("sort_desc", &[Vector], 0, Vector),
    f("sqrt", &[Vector], 0, Vector),
    f("stddev_over_time", &[Matrix], 0, Vector),
    f("stdvar_over_time", &[Matrix], 0, Vector),
    f("sum_over_time", &[Matrix], 0, Vector),
    f("tan", &[Vector], 0, Vector),
    f("tanh", &[Vector], 0, Vector),
    f("time", &[], 0, Scalar),
    f("timestamp", &[Vector], 0, Vector),
    f("vector", &[Scalar], 0, Vector),
    f("year", &[Vector], 1, Vector),
];

pub fn lookup(name: &str) -> Option<&'static Function> {
    FUNCTIONS.iter().find(|f| f.name == name)
}
