//! LogQL, Grafana Loki's query language (as of Loki 2.9/3.x), for Lookout: a lexer and parser that
//! turn a query into a typed syntax tree with byte positions, and `Display` impls that print the
//! tree back as a normalized query. Syntax only: evaluating queries is another crate's job.

pub mod ast;
mod display;
mod duration;
mod error;
mod lexer;
mod parser;
mod template;

pub use ast::{Expr, LogExpr, Span};
/// A string literal as both LogQL and PromQL read it (double quotes, Go's escapes), for anything
/// that writes queries.
pub use display::quote;
/// Durations and byte sizes as LogQL writes them, for evaluators that read label values the same
/// way the parser reads literals (`| unwrap duration(x)`, `| size > 1KB`).
pub use duration::{format_bytes, format_duration, parse_bytes, parse_duration};
pub use error::ParseError;
pub use parser::parse;
