//! Printing the syntax tree back as LogQL, in one normalized form: canonical spacing, lowercase
//! keywords, durations and sizes in canonical units, only the parentheses precedence needs. What
//! is printed parses back to an equal tree.

use std::fmt::{self, Display, Formatter};

use crate::ast::*;
use crate::duration::{format_bytes, format_duration};

/// A string literal that the lexer reads back as `s`: Go's `strconv.Quote`.
pub use lookout_gotext::quote;

fn write_list<T>(
    f: &mut Formatter<'_>,
    items: &[T],
    item: impl Fn(&mut Formatter<'_>, &T) -> fmt::Result,
) -> fmt::Result {
    for (i, x) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        item(f, x)?;
    }
    Ok(())
}

impl Display for Expr {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Log(log) => log.fmt(f),
            Expr::RangeAggregation(r) => {
                write!(f, "{}(", r.op.name())?;
                if let Some(p) = r.param {
                    write!(f, "{p}, ")?;
                }
                write!(f, "{})", r.range)?;
                if let Some(g) = &r.grouping {
                    write!(f, " {g}")?;
                }
                Ok(())
            }
            Expr::VectorAggregation(v) => {
                f.write_str(v.op.name())?;
                if let Some(g) = &v.grouping {
                    write!(f, " {g} ")?;
                }
                f.write_str("(")?;
                if let Some(k) = v.param {
                    write!(f, "{k}, ")?;
                }
                write!(f, "{})", v.expr)
            }
            Expr::Binary(b) => {
                let prec = b.op.precedence();
                // The side that associates away from the operator needs parentheses at equal precedence.
                let (left_min, right_min) = if b.op.right_associative() { (prec + 1, prec) } else { (prec, prec + 1) };
                write_operand(f, &b.lhs, left_min)?;
                write!(f, " {}", b.op.symbol())?;
                if b.return_bool {
                    f.write_str(" bool")?;
                }
                if let Some(m) = &b.matching {
                    write!(f, " {} (", if m.on { "on" } else { "ignoring" })?;
                    write_list(f, &m.labels, |f, l| f.write_str(l))?;
                    f.write_str(")")?;
                    let group = match m.card {
                        Cardinality::OneToOne => None,
                        Cardinality::ManyToOne => Some("group_left"),
                        Cardinality::OneToMany => Some("group_right"),
                    };
                    if let Some(group) = group {
                        write!(f, " {group}")?;
                        if !m.include.is_empty() {
                            f.write_str(" (")?;
                            write_list(f, &m.include, |f, l| f.write_str(l))?;
                            f.write_str(")")?;
                        }
                    }
                }
                f.write_str(" ")?;
                write_operand(f, &b.rhs, right_min)
            }
            Expr::Number { value, .. } => write!(f, "{value}"),
            Expr::Vector { value, .. } => write!(f, "vector({value})"),
            Expr::LabelReplace(l) => write!(
                f,
                "label_replace({}, {}, {}, {}, {})",
                l.expr,
                quote(&l.dst),
                quote(&l.replacement),
                quote(&l.src),
                quote(&l.regex)
            ),
        }
    }
}

fn write_operand(f: &mut Formatter<'_>, e: &Expr, min_prec: u8) -> fmt::Result {
    match e {
        Expr::Binary(b) if b.op.precedence() < min_prec => write!(f, "({e})"),
        _ => write!(f, "{e}"),
    }
}

impl Display for Grouping {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(if self.without { "without (" } else { "by (" })?;
        write_list(f, &self.labels, |f, l| f.write_str(l))?;
        f.write_str(")")
    }
}

impl Display for LogRange {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        self.log.fmt(f)?;
        if !self.log.pipeline.is_empty() {
            f.write_str(" ")?;
        }
        write!(f, "[{}]", format_duration(self.range))?;
        if let Some(offset) = self.offset {
            write!(f, " offset {}", format_duration(offset))?;
        }
        Ok(())
    }
}

impl Display for LogExpr {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str("{")?;
        write_list(f, &self.selector, |f, m| m.fmt(f))?;
        f.write_str("}")?;
        for stage in &self.pipeline {
            write!(f, " {stage}")?;
        }
        Ok(())
    }
}

impl Display for Matcher {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}{}", self.name, self.op.symbol(), quote(&self.value))
    }
}

impl Display for Stage {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Stage::LineFilter(filter) => {
                write!(f, "{} ", filter.op.symbol())?;
                for (i, value) in filter.values.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" or ")?;
                    }
                    f.write_str(&quote(value))?;
                }
                Ok(())
            }
            Stage::Json { params, .. } => {
                f.write_str("| json")?;
                write_params(f, params)
            }
            Stage::Logfmt { strict, keep_empty, params, .. } => {
                f.write_str("| logfmt")?;
                if *strict {
                    f.write_str(" --strict")?;
                }
                if *keep_empty {
                    f.write_str(" --keep-empty")?;
                }
                write_params(f, params)
            }
            Stage::Regexp { regex, .. } => write!(f, "| regexp {}", quote(regex)),
            Stage::Pattern { pattern, .. } => write!(f, "| pattern {}", quote(pattern)),
            Stage::Unpack { .. } => f.write_str("| unpack"),
            Stage::LabelFilter { filter, .. } => write!(f, "| {filter}"),
            Stage::LineFormat { template, .. } => write!(f, "| line_format {}", quote(&template.source)),
            Stage::LabelFormat { formats, .. } => {
                f.write_str("| label_format ")?;
                write_list(f, formats, |f, format| match format {
                    LabelFormat::Rename { dst, src } => write!(f, "{dst}={src}"),
                    LabelFormat::Template { dst, template } => write!(f, "{dst}={}", quote(&template.source)),
                })
            }
            Stage::Drop { labels, .. } => {
                f.write_str("| drop ")?;
                write_list(f, labels, write_selection)
            }
            Stage::Keep { labels, .. } => {
                f.write_str("| keep ")?;
                write_list(f, labels, write_selection)
            }
            Stage::Decolorize { .. } => f.write_str("| decolorize"),
            Stage::Unwrap(u) => match u.conversion {
                Some(conversion) => write!(f, "| unwrap {}({})", conversion.name(), u.label),
                None => write!(f, "| unwrap {}", u.label),
            },
        }
    }
}

fn write_params(f: &mut Formatter<'_>, params: &[LabelExtraction]) -> fmt::Result {
    if params.is_empty() {
        return Ok(());
    }
    f.write_str(" ")?;
    write_list(f, params, |f, p| match &p.expression {
        Some(expression) => write!(f, "{}={}", p.name, quote(expression)),
        None => f.write_str(&p.name),
    })
}

fn write_selection(f: &mut Formatter<'_>, selection: &LabelSelection) -> fmt::Result {
    match selection {
        LabelSelection::Name(name) => f.write_str(name),
        LabelSelection::Matcher(m) => m.fmt(f),
    }
}

impl Display for LabelFilter {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        // The parser builds left-leaning trees with `and` under `or`; anything else needs parentheses.
        let wrapped = |f: &mut Formatter<'_>, inner: &LabelFilter, needs: bool| {
            if needs { write!(f, "({inner})") } else { write!(f, "{inner}") }
        };
        match self {
            LabelFilter::Match(m) => m.fmt(f),
            LabelFilter::Compare { name, op, value, .. } => {
                write!(f, "{name} {} ", op.symbol())?;
                match value {
                    CmpValue::Number(n) => write!(f, "{n}"),
                    CmpValue::Duration(d) => f.write_str(&format_duration(*d)),
                    CmpValue::Bytes(b) => f.write_str(&format_bytes(*b)),
                }
            }
            LabelFilter::And(l, r) => {
                wrapped(f, l, matches!(**l, LabelFilter::Or(..)))?;
                f.write_str(" and ")?;
                wrapped(f, r, matches!(**r, LabelFilter::Or(..) | LabelFilter::And(..)))
            }
            LabelFilter::Or(l, r) => {
                wrapped(f, l, false)?;
                f.write_str(" or ")?;
                wrapped(f, r, matches!(**r, LabelFilter::Or(..)))
            }
        }
    }
}
