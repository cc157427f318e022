//! The signatures of PromQL's functions (Prometheus 2.42): argument types, how many may be left
//! out, and the result type, each under a [`Func`] the evaluator (`eval/functions.rs`) matches on
//! exhaustively, so a function with a signature here and no implementation does not compile.

use crate::ast::ValueType::{self, Matrix, Scalar, String as Str, Vector};

/// One PromQL function, grouped by how it is evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Func {
    /// One value per window of a range vector.
    Range(RangeFunc),
    /// One number to one number, sample by sample.
    Math(MathFunc),
    /// A part of the date each value (or the evaluation time) stands for.
    Date(DatePart),
    Absent,
    AbsentOverTime,
    Clamp,
    ClampMax,
    ClampMin,
    HistogramQuantile,
    LabelReplace,
    LabelJoin,
    Pi,
    Round,
    Scalar,
    Sort,
    SortDesc,
    Time,
    Timestamp,
    Vector,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeFunc {
    Rate,
    Increase,
    Delta,
    Irate,
    Idelta,
    Changes,
    Resets,
    Deriv,
    PredictLinear,
    HoltWinters,
    AvgOverTime,
    CountOverTime,
    SumOverTime,
    MinOverTime,
    MaxOverTime,
    LastOverTime,
    PresentOverTime,
    QuantileOverTime,
    StdvarOverTime,
    StddevOverTime,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MathFunc {
    Abs,
    Ceil,
    Floor,
    Exp,
    Sqrt,
    Ln,
    Log2,
    Log10,
    Sin,
    Cos,
    Tan,
    Asin,
    Acos,
    Atan,
    Sinh,
    Cosh,
    Tanh,
    Asinh,
    Acosh,
    Atanh,
    Deg,
    Rad,
    Sgn,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatePart {
    DaysInMonth,
    DayOfMonth,
    DayOfWeek,
    DayOfYear,
    Hour,
    Minute,
    Month,
    Year,
}

#[derive(Debug, PartialEq, Eq)]
pub struct Function {
    pub func: Func,
    pub name: &'static str,
    pub args: &'static [ValueType],
    /// How many trailing arguments may be left out; [`VARIADIC`] makes the last argument type
    /// repeat any number of times, none included.
    pub optional: usize,
    pub returns: ValueType,
}

const fn f(
    func: Func,
    name: &'static str,
    args: &'static [ValueType],
    optional: usize,
    returns: ValueType,
) -> Function {
    Function { func, name, args, optional, returns }
}

/// `label_join` takes any number of source labels after its first three arguments.
pub const VARIADIC: usize = usize::MAX;

pub static FUNCTIONS: &[Function] = &[
    f(Func::Math(MathFunc::Abs), "abs", &[Vector], 0, Vector),
    f(Func::Absent, "absent", &[Vector], 0, Vector),
    f(Func::AbsentOverTime, "absent_over_time", &[Matrix], 0, Vector),
    f(Func::Math(MathFunc::Acos), "acos", &[Vector], 0, Vector),
    f(Func::Math(MathFunc::Acosh), "acosh", &[Vector], 0, Vector),
    f(Func::Math(MathFunc::Asin), "asin", &[Vector], 0, Vector),
    f(Func::Math(MathFunc::Asinh), "asinh", &[Vector], 0, Vector),
    f(Func::Math(MathFunc::Atan), "atan", &[Vector], 0, Vector),
    f(Func::Math(MathFunc::Atanh), "atanh", &[Vector], 0, Vector),
    f(Func::Range(RangeFunc::AvgOverTime), "avg_over_time", &[Matrix], 0, Vector),
    f(Func::Math(MathFunc::Ceil), "ceil", &[Vector], 0, Vector),
    f(Func::Range(RangeFunc::Changes), "changes", &[Matrix], 0, Vector),
    f(Func::Clamp, "clamp", &[Vector, Scalar, Scalar], 0, Vector),
    f(Func::ClampMax, "clamp_max", &[Vector, Scalar], 0, Vector),
    f(Func::ClampMin, "clamp_min", &[Vector, Scalar], 0, Vector),
    f(Func::Math(MathFunc::Cos), "cos", &[Vector], 0, Vector),
    f(Func::Math(MathFunc::Cosh), "cosh", &[Vector], 0, Vector),
    f(Func::Range(RangeFunc::CountOverTime), "count_over_time", &[Matrix], 0, Vector),
    f(Func::Date(DatePart::DaysInMonth), "days_in_month", &[Vector], 1, Vector),
    f(Func::Date(DatePart::DayOfMonth), "day_of_month", &[Vector], 1, Vector),
    f(Func::Date(DatePart::DayOfWeek), "day_of_week", &[Vector], 1, Vector),
    f(Func::Date(DatePart::DayOfYear), "day_of_year", &[Vector], 1, Vector),
    f(Func::Math(MathFunc::Deg), "deg", &[Vector], 0, Vector),
    f(Func::Range(RangeFunc::Delta), "delta", &[Matrix], 0, Vector),
    f(Func::Range(RangeFunc::Deriv), "deriv", &[Matrix], 0, Vector),
    f(Func::Math(MathFunc::Exp), "exp", &[Vector], 0, Vector),
    f(Func::Math(MathFunc::Floor), "floor", &[Vector], 0, Vector),
    f(Func::HistogramQuantile, "histogram_quantile", &[Scalar, Vector], 0, Vector),
    f(Func::Range(RangeFunc::HoltWinters), "holt_winters", &[Matrix, Scalar, Scalar], 0, Vector),
    f(Func::Date(DatePart::Hour), "hour", &[Vector], 1, Vector),
    f(Func::Range(RangeFunc::Idelta), "idelta", &[Matrix], 0, Vector),
    f(Func::Range(RangeFunc::Increase), "increase", &[Matrix], 0, Vector),
    f(Func::Range(RangeFunc::Irate), "irate", &[Matrix], 0, Vector),
    f(Func::LabelReplace, "label_replace", &[Vector, Str, Str, Str, Str], 0, Vector),
    f(Func::LabelJoin, "label_join", &[Vector, Str, Str, Str], VARIADIC, Vector),
    f(Func::Range(RangeFunc::LastOverTime), "last_over_time", &[Matrix], 0, Vector),
    f(Func::Math(MathFunc::Ln), "ln", &[Vector], 0, Vector),
    f(Func::Math(MathFunc::Log10), "log10", &[Vector], 0, Vector),
    f(Func::Math(MathFunc::Log2), "log2", &[Vector], 0, Vector),
    f(Func::Range(RangeFunc::MaxOverTime), "max_over_time", &[Matrix], 0, Vector),
    f(Func::Range(RangeFunc::MinOverTime), "min_over_time", &[Matrix], 0, Vector),
    f(Func::Date(DatePart::Minute), "minute", &[Vector], 1, Vector),
    f(Func::Date(DatePart::Month), "month", &[Vector], 1, Vector),
    f(Func::Pi, "pi", &[], 0, Scalar),
    f(Func::Range(RangeFunc::PredictLinear), "predict_linear", &[Matrix, Scalar], 0, Vector),
    f(Func::Range(RangeFunc::PresentOverTime), "present_over_time", &[Matrix], 0, Vector),
    f(Func::Range(RangeFunc::QuantileOverTime), "quantile_over_time", &[Scalar, Matrix], 0, Vector),
    f(Func::Math(MathFunc::Rad), "rad", &[Vector], 0, Vector),
    f(Func::Range(RangeFunc::Rate), "rate", &[Matrix], 0, Vector),
    f(Func::Range(RangeFunc::Resets), "resets", &[Matrix], 0, Vector),
    f(Func::Round, "round", &[Vector, Scalar], 1, Vector),
    f(Func::Scalar, "scalar", &[Vector], 0, Scalar),
    f(Func::Math(MathFunc::Sgn), "sgn", &[Vector], 0, Vector),
    f(Func::Math(MathFunc::Sin), "sin", &[Vector], 0, Vector),
    f(Func::Math(MathFunc::Sinh), "sinh", &[Vector], 0, Vector),
    f(Func::Sort, "sort", &[Vector], 0, Vector),
    f(Func::SortDesc, "sort_desc", &[Vector], 0, Vector),
    f(Func::Math(MathFunc::Sqrt), "sqrt", &[Vector], 0, Vector),
    f(Func::Range(RangeFunc::StddevOverTime), "stddev_over_time", &[Matrix], 0, Vector),
    f(Func::Range(RangeFunc::StdvarOverTime), "stdvar_over_time", &[Matrix], 0, Vector),
    f(Func::Range(RangeFunc::SumOverTime), "sum_over_time", &[Matrix], 0, Vector),
    f(Func::Math(MathFunc::Tan), "tan", &[Vector], 0, Vector),
    f(Func::Math(MathFunc::Tanh), "tanh", &[Vector], 0, Vector),
    f(Func::Time, "time", &[], 0, Scalar),
    f(Func::Timestamp, "timestamp", &[Vector], 0, Vector),
    f(Func::Vector, "vector", &[Scalar], 0, Vector),
    f(Func::Date(DatePart::Year), "year", &[Vector], 1, Vector),
];

pub fn lookup(name: &str) -> Option<&'static Function> {
    FUNCTIONS.iter().find(|f| f.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each function once, under its own name.
    #[test]
    fn one_entry_per_function() {
        for (i, a) in FUNCTIONS.iter().enumerate() {
            assert!(FUNCTIONS[i + 1..].iter().all(|b| b.func != a.func && b.name != a.name), "{} twice", a.name);
            assert_eq!(lookup(a.name), Some(a));
        }
    }
}
