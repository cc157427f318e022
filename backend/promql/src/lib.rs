//! PromQL for Lookout: a lexer and parser that report errors with positions, a type checker,
//! and an evaluator that reads samples only through the [`Queryable`] trait, so it runs the same
//! over the TSDB head and over test data.

pub mod ast;
mod error;
pub mod functions;
mod lexer;
mod parser;
pub mod series;

pub use error::{EvalError, ParseError, Pos};
pub use parser::parse;
mod eval;

/// The statistics PromQL's aggregations use, for engines that aggregate alike (LogQL's `*_over_time`).
pub use eval::{Options, QueryValue, Queryable, eval_instant, eval_range, max, mean, min, quantile, variance};
