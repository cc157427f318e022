//! The LogQL parser: precedence climbing for the binary operators of metric queries, recursive
//! descent for the rest (log queries and their pipelines are in `pipeline`). Loki's checks that
//! are not grammar (a range function's unwrap, topk's k, regex syntax, ...) are made as each node
//! is built, so every error points at the node it is about.

use regex::Regex;

use crate::ast::*;
use crate::error::ParseError;
use crate::lexer::{RESERVED, Tok, Token, is_label_name, lex};

mod pipeline;

type Result<T> = std::result::Result<T, ParseError>;

/// Nesting (parentheses, aggregations) deeper than this is refused, so no input overflows the
/// stack: an unoptimized build spends about 12 KiB of stack per level of `sum(sum(...))`.
const MAX_NESTING: usize = 64;

/// Binary operators and label-filter `and`/`or`s per query. Chains of them are parsed in a loop but
/// make trees as deep as they are long, and printing, comparing and dropping trees recurses.
const MAX_OPERATORS: usize = 1000;

/// Parses a LogQL query: a log query or a metric query.
pub fn parse(query: &str) -> std::result::Result<Expr, ParseError> {
    let run = || {
        let tokens = lex(query)?;
        let mut p = Parser { src: query, tokens, i: 0, depth: 0, operators: 0 };
        if p.at(&Tok::Eof) {
            return Err(p.unexpected("a query"));
        }
        let expr = p.expr(0)?;
        if let Expr::Log(log) = &expr {
            check_no_unwrap(log)?;
        }
        if !p.at(&Tok::Eof) {
            return Err(match (&expr, p.peek()) {
                (_, Tok::Range(_)) => ParseError::syntax(
                    p.span().start,
                    format!("unexpected {} outside a range aggregation such as count_over_time(...)", p.describe()),
                ),
                (Expr::Log(_), _) => p.unexpected("a pipeline stage or end of input"),
                _ => p.unexpected("a binary operator or end of input"),
            });
        }
        Ok(expr)
    };
    run().map_err(|e: ParseError| e.locate(query))
}

struct Parser<'a> {
    src: &'a str,
    /// Always ends with `Tok::Eof`, which `next` never moves past.
    tokens: Vec<Token>,
    i: usize,
    depth: usize,
    operators: usize,
}

impl Parser<'_> {
    fn peek(&self) -> &Tok {
        &self.tokens[self.i].tok
    }

    fn peek_at(&self, ahead: usize) -> &Tok {
        &self.tokens[(self.i + ahead).min(self.tokens.len() - 1)].tok
    }

    fn span(&self) -> Span {
        self.tokens[self.i].span
    }

    /// The end of the last token taken.
    fn prev_end(&self) -> usize {
        self.i.checked_sub(1).map_or(0, |i| self.tokens[i].span.end)
    }

    fn at(&self, tok: &Tok) -> bool {
        self.peek() == tok
    }

    fn next(&mut self) -> Token {
        let token = self.tokens[self.i].clone();
        if self.i < self.tokens.len() - 1 {
            self.i += 1;
        }
        token
    }

    fn at_keyword(&self, keyword: &str) -> bool {
        matches!(self.peek(), Tok::Ident(s) if s.eq_ignore_ascii_case(keyword))
    }

    fn describe(&self) -> String {
        self.tokens[self.i].describe(self.src)
    }

    /// `syntax error: unexpected <current token>, expecting <expecting>`.
    fn unexpected(&self, expecting: &str) -> ParseError {
        ParseError::syntax(self.span().start, format!("unexpected {}, expecting {expecting}", self.describe()))
    }

    fn expect(&mut self, tok: Tok, expecting: &str) -> Result<Span> {
        if self.at(&tok) {
            return Ok(self.next().span);
        }
        Err(self.unexpected(expecting))
    }

    fn string(&mut self, expecting: &str) -> Result<(String, Span)> {
        if let Tok::Str(s) = self.peek() {
            let s = s.clone();
            return Ok((s, self.next().span));
        }
        Err(self.unexpected(expecting))
    }

    /// `, "string"`: the next argument of label_replace.
    fn comma_string(&mut self) -> Result<(String, Span)> {
        self.expect(Tok::Comma, "\",\"")?;
        self.string("string")
    }

    fn label_name(&mut self, expecting: &str) -> Result<(String, Span)> {
        if let Tok::Ident(name) = self.peek() {
            let name = name.clone();
            return Ok((name, self.next().span));
        }
        Err(self.unexpected(expecting))
    }

    /// Enters one level of nesting, refusing to go deeper than [`MAX_NESTING`].
    fn descend(&mut self) -> Result<()> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(ParseError::new(self.span().start, "query is nested too deeply"));
        }
        Ok(())
    }

    /// Counts one more operator, refusing more than [`MAX_OPERATORS`].
    fn count_operator(&mut self) -> Result<()> {
        self.operators += 1;
        if self.operators > MAX_OPERATORS {
            return Err(ParseError::new(self.span().start, "query has too many operators"));
        }
        Ok(())
    }

    // ---- Metric expressions ----

    fn expr(&mut self, min_prec: u8) -> Result<Expr> {
        self.descend()?;
        let mut lhs = self.primary()?;
        while let Some(op) = self.binop() {
            let prec = op.precedence();
            if prec < min_prec {
                break;
            }
            if lhs.is_log_query() {
                let message = format!(
                    "unexpected {} after a log query: operators take metric queries such as {}",
                    self.describe(),
                    "count_over_time({...}[5m])"
                );
                return Err(ParseError::syntax(self.span().start, message));
            }
            self.count_operator()?;
            self.next();
            let mut return_bool = false;
            if self.at_keyword("bool") {
                let span = self.next().span;
                if !op.is_comparison() {
                    return Err(ParseError::new(span.start, "bool modifier can only be used on comparison operators"));
                }
                return_bool = true;
            }
            let matching = self.vector_matching(op)?;
            let rhs = self.expr(if op.right_associative() { prec } else { prec + 1 })?;
            lhs = binary(op, lhs, rhs, return_bool, matching)?;
        }
        self.depth -= 1;
        Ok(lhs)
    }

    fn binop(&self) -> Option<BinOp> {
        Some(match self.peek() {
            Tok::Add => BinOp::Add,
            Tok::Sub => BinOp::Sub,
            Tok::Mul => BinOp::Mul,
            Tok::Div => BinOp::Div,
            Tok::Mod => BinOp::Mod,
            Tok::Pow => BinOp::Pow,
            Tok::CmpEq => BinOp::Eq,
            Tok::Neq => BinOp::Neq,
            Tok::Gt => BinOp::Gt,
            Tok::Gte => BinOp::Gte,
            Tok::Lt => BinOp::Lt,
            Tok::Lte => BinOp::Lte,
            Tok::Ident(s) if s.eq_ignore_ascii_case("and") => BinOp::And,
            Tok::Ident(s) if s.eq_ignore_ascii_case("or") => BinOp::Or,
            Tok::Ident(s) if s.eq_ignore_ascii_case("unless") => BinOp::Unless,
            _ => return None,
        })
    }

    /// `on(...)`/`ignoring(...)`, then `group_left`/`group_right` with optional labels.
    fn vector_matching(&mut self, op: BinOp) -> Result<Option<VectorMatching>> {
        if !self.at_keyword("on") && !self.at_keyword("ignoring") {
            if self.at_keyword("group_left") || self.at_keyword("group_right") {
                return Err(self.unexpected("on(...) or ignoring(...) before it"));
            }
            return Ok(None);
        }
        let on = self.at_keyword("on");
        self.next();
        let labels = self.label_list()?;
        let mut matching = VectorMatching { on, labels, card: Cardinality::OneToOne, include: Vec::new() };
        if self.at_keyword("group_left") || self.at_keyword("group_right") {
            let left = self.at_keyword("group_left");
            let span = self.next().span;
            if op.is_set() {
                return Err(ParseError::new(
                    span.start,
                    format!("no grouping allowed for \"{}\" operation", op.symbol()),
                ));
            }
            matching.card = if left { Cardinality::ManyToOne } else { Cardinality::OneToMany };
            if self.at(&Tok::LParen) {
                matching.include = self.label_list()?;
            }
        }
        Ok(Some(matching))
    }

    /// `(a, b)`, possibly empty.
    fn label_list(&mut self) -> Result<Vec<String>> {
        self.expect(Tok::LParen, "\"(\"")?;
        let mut labels = Vec::new();
        if self.at(&Tok::RParen) {
            self.next();
            return Ok(labels);
        }
        loop {
            let (name, _) = self.label_name("label name")?;
            labels.push(name);
            match self.peek() {
                Tok::Comma => {
                    self.next();
                }
                Tok::RParen => {
                    self.next();
                    return Ok(labels);
                }
                _ => return Err(self.unexpected("\",\" or \")\"")),
            }
        }
    }

    fn grouping(&mut self) -> Result<Option<Grouping>> {
        if !self.at_keyword("by") && !self.at_keyword("without") {
            return Ok(None);
        }
        let without = self.at_keyword("without");
        self.next();
        Ok(Some(Grouping { without, labels: self.label_list()? }))
    }

    fn primary(&mut self) -> Result<Expr> {
        let start = self.span();
        match self.peek().clone() {
            Tok::LBrace => Ok(Expr::Log(self.log_expr()?)),
            Tok::LParen => {
                self.next();
                let inner = self.expr(0)?;
                self.expect(Tok::RParen, "\")\"")?;
                Ok(inner)
            }
            Tok::Number(_) | Tok::Add | Tok::Sub => {
                let value = self.number_literal()?;
                Ok(Expr::Number { value, span: Span::new(start.start, self.prev_end()) })
            }
            Tok::Ident(name) => {
                if !matches!(self.peek_at(1), Tok::LParen) && VectorOp::from_name(&name).is_none() {
                    return Err(self.unexpected("a query"));
                }
                if let Some(op) = RangeOp::from_name(&name) {
                    self.range_aggregation(op)
                } else if let Some(op) = VectorOp::from_name(&name) {
                    self.vector_aggregation(op)
                } else if name.eq_ignore_ascii_case("vector") {
                    self.next();
                    self.expect(Tok::LParen, "\"(\"")?;
                    let value = self.number_literal()?;
                    let end = self.expect(Tok::RParen, "\")\"")?.end;
                    Ok(Expr::Vector { value, span: Span::new(start.start, end) })
                } else if name.eq_ignore_ascii_case("label_replace") {
                    self.label_replace()
                } else {
                    Err(ParseError::syntax(start.start, format!("unknown function {name:?}")))
                }
            }
            _ => Err(self.unexpected("a query")),
        }
    }

    /// A number with an optional sign, as Loki's `literalExpr`.
    fn number_literal(&mut self) -> Result<f64> {
        let negative = match self.peek() {
            Tok::Sub => {
                self.next();
                true
            }
            Tok::Add => {
                self.next();
                false
            }
            _ => false,
        };
        match *self.peek() {
            Tok::Number(n) => {
                self.next();
                Ok(if negative { -n } else { n })
            }
            _ => Err(self.unexpected("number")),
        }
    }

    fn range_aggregation(&mut self, op: RangeOp) -> Result<Expr> {
        let name_span = self.next().span;
        self.expect(Tok::LParen, "\"(\"")?;
        let mut param = None;
        if op == RangeOp::QuantileOverTime {
            if !matches!(self.peek(), Tok::Number(_)) {
                return Err(self.unexpected("the quantile, as in quantile_over_time(0.99, ...)"));
            }
            param = Some(self.number_literal()?);
            self.expect(Tok::Comma, "\",\"")?;
        } else if matches!(self.peek(), Tok::Number(_)) && self.peek_at(1) == &Tok::Comma {
            return Err(ParseError::new(
                self.span().start,
                format!("unsupported parameter for operation {}", op.name()),
            ));
        }
        let range = self.log_range()?;
        let mut end = self.expect(Tok::RParen, "\")\"")?.end;
        let grouping_start = self.span().start;
        let grouping = self.grouping()?;
        if grouping.is_some() {
            if !op.allows_grouping() {
                return Err(ParseError::new(
                    grouping_start,
                    format!("grouping not allowed for {} aggregation", op.name()),
                ));
            }
            end = self.prev_end();
        }
        match range.log.unwrap() {
            Some(unwrap) if !op.accepts_unwrap() => {
                return Err(ParseError::new(
                    unwrap.span.start,
                    format!("invalid aggregation {} with unwrap", op.name()),
                ));
            }
            None if op.requires_unwrap() => {
                return Err(ParseError::new(
                    name_span.start,
                    format!("invalid aggregation {} without unwrap", op.name()),
                ));
            }
            _ => {}
        }
        Ok(Expr::RangeAggregation(RangeAggregation {
            op,
            param,
            range,
            grouping,
            span: Span::new(name_span.start, end),
        }))
    }

    fn vector_aggregation(&mut self, op: VectorOp) -> Result<Expr> {
        let name_span = self.next().span;
        let mut grouping = self.grouping()?;
        self.expect(Tok::LParen, "\"(\"")?;
        let mut param = None;
        if matches!(self.peek(), Tok::Number(_)) && self.peek_at(1) == &Tok::Comma {
            let token = self.next();
            self.next();
            if !op.takes_param() {
                return Err(ParseError::new(
                    token.span.start,
                    format!("unsupported parameter for operation {}", op.name()),
                ));
            }
            let text = &self.src[token.span.start..token.span.end];
            match text.parse::<u64>() {
                Ok(k) if k > 0 => param = Some(k),
                _ => {
                    return Err(ParseError::new(
                        token.span.start,
                        format!("invalid parameter for operation {}: {text} is not an integer above 0", op.name()),
                    ));
                }
            }
        } else if op.takes_param() {
            return Err(ParseError::new(self.span().start, format!("parameter required for operation {}", op.name())));
        }
        let expr = self.metric_expr()?;
        let mut end = self.expect(Tok::RParen, "\")\"")?.end;
        let after_start = self.span().start;
        if let Some(after) = self.grouping()? {
            if grouping.is_some() {
                return Err(ParseError::syntax(after_start, "grouping given both before and after the arguments"));
            }
            grouping = Some(after);
            end = self.prev_end();
        }
        Ok(Expr::VectorAggregation(VectorAggregation {
            op,
            param,
            expr: Box::new(expr),
            grouping,
            span: Span::new(name_span.start, end),
        }))
    }

    fn label_replace(&mut self) -> Result<Expr> {
        let start = self.next().span.start;
        self.expect(Tok::LParen, "\"(\"")?;
        let expr = self.metric_expr()?;
        let (dst, dst_span) = self.comma_string()?;
        let (replacement, _) = self.comma_string()?;
        let (src, _) = self.comma_string()?;
        let (regex, regex_span) = self.comma_string()?;
        let end = self.expect(Tok::RParen, "\")\"")?.end;
        if !is_label_name(&dst) {
            return Err(ParseError::new(
                dst_span.start,
                format!("invalid destination label name in label_replace(): {dst:?}"),
            ));
        }
        check_regex(&regex, regex_span)?;
        Ok(Expr::LabelReplace(LabelReplace {
            expr: Box::new(expr),
            dst,
            replacement,
            src,
            regex,
            span: Span::new(start, end),
        }))
    }

    /// An expression that must be a metric query: the argument of an aggregation or label_replace.
    fn metric_expr(&mut self) -> Result<Expr> {
        let expr = self.expr(0)?;
        if let Expr::Log(log) = &expr {
            return Err(log_not_metric(log));
        }
        Ok(expr)
    }
}

fn is_reserved(word: &str) -> bool {
    RESERVED.iter().any(|r| r.eq_ignore_ascii_case(word))
}

fn log_not_metric(log: &LogExpr) -> ParseError {
    ParseError::syntax(
        log.span.start,
        "a log query is not a metric: use a range aggregation such as count_over_time({...}[5m])",
    )
}

/// A log query outside a range aggregation cannot unwrap: there is no range to aggregate.
fn check_no_unwrap(log: &LogExpr) -> Result<()> {
    match log.unwrap() {
        Some(unwrap) => Err(ParseError::syntax(
            unwrap.span.start,
            "unwrap is only allowed in a range aggregation such as sum_over_time",
        )),
        None => Ok(()),
    }
}

fn binary(op: BinOp, lhs: Expr, rhs: Expr, return_bool: bool, matching: Option<VectorMatching>) -> Result<Expr> {
    // A log query on the left was refused at the operator already.
    if let Expr::Log(log) = &rhs {
        return Err(log_not_metric(log));
    }
    for side in [&lhs, &rhs] {
        if op.is_set() && matches!(side, Expr::Number { .. }) {
            return Err(ParseError::new(
                side.span().start,
                format!("set operator \"{}\" not allowed with a number operand", op.symbol()),
            ));
        }
    }
    let span = lhs.span().to(rhs.span());
    Ok(Expr::Binary(BinaryExpr { op, lhs: Box::new(lhs), rhs: Box::new(rhs), return_bool, matching, span }))
}

/// Compiles a regex to check it; the error is at the string that holds it.
fn check_regex(re: &str, span: Span) -> Result<Regex> {
    Regex::new(re).map_err(|e| {
        let reason = match &e {
            // The syntax error's last line names the problem; the lines above draw the regex.
            regex::Error::Syntax(text) => {
                text.lines().last().unwrap_or_default().trim_start_matches("error: ").to_string()
            }
            other => other.to_string(),
        };
        ParseError::new(span.start, format!("invalid regular expression {re:?}: {reason}"))
    })
}
