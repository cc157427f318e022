//! The PromQL parser: precedence climbing over the lexer's tokens, with the type checks of
//! Prometheus's `checkAST` done as each node is built, so every error has the position of the
//! node it is about.

use lookout_tsdb::{Matcher, is_valid_label_name};

use crate::ast::{AggOp, At, BinOp, Cardinality, Expr, ValueType, VectorMatching, VectorSelector};
use crate::error::{ParseError, Pos};
use crate::functions::{self, VARIADIC};
use crate::lexer::{Tok, Token, lex};

type Result<T> = std::result::Result<T, ParseError>;

/// Parses and type-checks a PromQL expression.
pub fn parse(query: &str) -> std::result::Result<Expr, ParseError> {
    let run = || {
        let tokens = lex(query)?;
        let mut parser = Parser { tokens, i: 0 };
        if parser.peek() == &Tok::Eof {
            return Err(ParseError::new(parser.pos(), "no expression found in input"));
        }
        let (expr, _) = parser.expr(0)?;
        if parser.peek() != &Tok::Eof {
            let token = parser.next();
            return Err(ParseError::new(token.pos, format!("unexpected {}", token.tok.describe())));
        }
        Ok(expr)
    };
    run().map_err(|e: ParseError| e.locate(query))
}

const KEYWORDS: &[&str] =
    &["and", "or", "unless", "atan2", "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset"];

struct Parser {
    tokens: Vec<Token>,
    i: usize,
}

fn err<T>(pos: Pos, msg: impl Into<String>) -> Result<T> {
    Err(ParseError::new(pos, msg))
}

impl Parser {
    fn peek(&self) -> &Tok {
        &self.tokens[self.i].tok
    }

    fn pos(&self) -> Pos {
        self.tokens[self.i].pos
    }

    fn next(&mut self) -> Token {
        let token = self.tokens[self.i].clone();
        if self.i < self.tokens.len() - 1 {
            self.i += 1;
        }
        token
    }

    fn peek_keyword(&self, keyword: &str) -> bool {
        matches!(self.peek(), Tok::Ident(s) if s.eq_ignore_ascii_case(keyword))
    }

    fn expect(&mut self, tok: Tok, context: &str) -> Result<Pos> {
        if *self.peek() == tok {
            return Ok(self.next().pos);
        }
        let found = self.next();
        err(found.pos, format!("unexpected {} {context}, expected {}", found.tok.describe(), tok.describe()))
    }

    fn binop(&self) -> Option<BinOp> {
        Some(match self.peek() {
            Tok::Add => BinOp::Add,
            Tok::Sub => BinOp::Sub,
            Tok::Mul => BinOp::Mul,
            Tok::Div => BinOp::Div,
            Tok::Mod => BinOp::Mod,
            Tok::Pow => BinOp::Pow,
            Tok::Eql => BinOp::Eql,
            Tok::Neq => BinOp::Neq,
            Tok::Gtr => BinOp::Gtr,
            Tok::Lss => BinOp::Lss,
            Tok::Gte => BinOp::Gte,
            Tok::Lte => BinOp::Lte,
            Tok::Ident(s) => match s.to_ascii_lowercase().as_str() {
                "and" => BinOp::And,
                "or" => BinOp::Or,
                "unless" => BinOp::Unless,
                "atan2" => BinOp::Atan2,
                _ => return None,
            },
            _ => return None,
        })
    }

    fn expr(&mut self, min_prec: u8) -> Result<(Expr, Pos)> {
        let (mut lhs, mut lpos) = self.unary()?;
        while let Some(op) = self.binop() {
            let prec = op.precedence();
            if prec < min_prec {
                break;
            }
            let op_pos = self.next().pos;
            let mut return_bool = false;
            if self.peek_keyword("bool") {
                let pos = self.next().pos;
                if !op.is_comparison() {
                    return err(pos, "bool modifier can only be used on comparison operators");
                }
                return_bool = true;
            }
            let matching = self.vector_matching(op)?;
            let next_min = if op.right_associative() { prec } else { prec + 1 };
            let (rhs, rpos) = self.expr(next_min)?;
            let pos = lpos.to(rpos);
            lhs = check_binary(op, lhs, rhs, return_bool, matching, pos, op_pos)?;
            lpos = pos;
        }
        Ok((lhs, lpos))
    }

    /// `on(...)`/`ignoring(...)` and `group_left(...)`/`group_right(...)` after an operator.
    fn vector_matching(&mut self, op: BinOp) -> Result<Option<VectorMatching>> {
        let mut matching = None;
        if self.peek_keyword("on") || self.peek_keyword("ignoring") {
            let on = self.peek_keyword("on");
            self.next();
            let labels = self.label_list("grouping opts")?;
            matching = Some(VectorMatching { card: Cardinality::OneToOne, on, labels, include: Vec::new() });
        }
        if self.peek_keyword("group_left") || self.peek_keyword("group_right") {
            let left = self.peek_keyword("group_left");
            let pos = self.next().pos;
            if op.is_set() {
                return err(pos, format!("no grouping allowed for \"{}\" operation", op_name(op)));
            }
            let include = if *self.peek() == Tok::LParen { self.label_list("grouping opts")? } else { Vec::new() };
            let m = matching.get_or_insert(VectorMatching {
                card: Cardinality::OneToOne,
                on: false,
                labels: Vec::new(),
                include: Vec::new(),
            });
            m.card = if left { Cardinality::ManyToOne } else { Cardinality::OneToMany };
            m.include = include;
            if m.on
                && let Some(both) = m.include.iter().find(|l| m.labels.contains(l))
            {
                return err(pos, format!("label \"{both}\" must not occur in ON and GROUP clause at once"));
            }
        }
        Ok(matching)
    }

    fn label_list(&mut self, context: &str) -> Result<Vec<String>> {
        self.expect(Tok::LParen, &format!("in {context}"))?;
        let mut labels = Vec::new();
        loop {
            let token = self.next();
            match token.tok {
                Tok::RParen => return Ok(labels),
                Tok::Ident(name) if is_valid_label_name(&name) => labels.push(name),
                other => {
                    return err(token.pos, format!("unexpected {} in {context}, expected label", other.describe()));
                }
            }
            let token = self.next();
            match token.tok {
                Tok::RParen => return Ok(labels),
                Tok::Comma => {}
                other => {
                    return err(
                        token.pos,
                        format!("unexpected {} in {context}, expected \",\" or \")\"", other.describe()),
                    );
                }
            }
        }
    }

    fn unary(&mut self) -> Result<(Expr, Pos)> {
        if matches!(self.peek(), Tok::Sub | Tok::Add) {
            let token = self.next();
            // Unary operators bind like multiplication: `-a * b` is `(-a) * b`, `-a ^ b` is `-(a ^ b)`.
            let (operand, pos) = self.expr(BinOp::Pow.precedence())?;
            let pos = token.pos.to(pos);
            let ty = operand.value_type();
            if ty != ValueType::Scalar && ty != ValueType::Vector {
                return err(
                    pos,
                    format!(
                        "unary expression only allowed on expressions of type scalar or instant vector, got {}",
                        ty.name()
                    ),
                );
            }
            if token.tok == Tok::Add {
                return Ok((operand, pos));
            }
            return Ok(match operand {
                Expr::Number(n) => (Expr::Number(-n), pos),
                other => (Expr::Neg(Box::new(other)), pos),
            });
        }
        let (expr, pos) = self.primary()?;
        self.postfix(expr, pos)
    }

    fn primary(&mut self) -> Result<(Expr, Pos)> {
        let token = self.next();
        match token.tok {
            Tok::Number(n) => Ok((Expr::Number(n), token.pos)),
            Tok::Str(s) => Ok((Expr::String(s), token.pos)),
            Tok::LParen => {
                let (inner, _) = self.expr(0)?;
                let end = self.expect(Tok::RParen, "in paren expression")?;
                Ok((Expr::Paren(Box::new(inner)), token.pos.to(end)))
            }
            Tok::LBrace => self.selector(None, token.pos),
            Tok::Ident(name) => {
                let lower = name.to_ascii_lowercase();
                if let Some(op) = AggOp::from_name(&name)
                    && (matches!(self.peek(), Tok::LParen) || self.peek_keyword("by") || self.peek_keyword("without"))
                {
                    return self.aggregation(op, token.pos);
                }
                if KEYWORDS.contains(&lower.as_str()) {
                    return err(token.pos, format!("unexpected {}", Tok::Ident(name).describe()));
                }
                if *self.peek() == Tok::LParen {
                    return self.call(&name, token.pos);
                }
                if (lower == "inf" || lower == "nan") && *self.peek() != Tok::LBrace {
                    let value = if lower == "inf" { f64::INFINITY } else { f64::NAN };
                    return Ok((Expr::Number(value), token.pos));
                }
                self.selector(Some(name), token.pos)
            }
            Tok::Duration(_) => err(token.pos, "unexpected duration: a duration is only allowed in ranges and offsets"),
            other => err(token.pos, format!("unexpected {}", other.describe())),
        }
    }

    /// A vector selector: `name`, `name{...}` or `{...}`. `start` is the position of the name or `{`.
    fn selector(&mut self, name: Option<String>, start: Pos) -> Result<(Expr, Pos)> {
        let mut matchers = Vec::new();
        let mut end = start;
        let brace_open = name.is_none() || *self.peek() == Tok::LBrace;
        if name.is_some() && brace_open {
            self.next();
        }
        if brace_open {
            loop {
                let token = self.next();
                let label = match token.tok {
                    Tok::RBrace => {
                        end = token.pos;
                        break;
                    }
                    Tok::Ident(label) if is_valid_label_name(&label) => label,
                    other => {
                        return err(
                            token.pos,
                            format!("unexpected {} in label matching, expected label", other.describe()),
                        );
                    }
                };
                let op = self.next();
                let value = self.next();
                let Tok::Str(text) = value.tok else {
                    return err(
                        value.pos,
                        format!("unexpected {} in label matching, expected string", value.tok.describe()),
                    );
                };
                let regex_err = |e: lookout_tsdb::MatcherError| {
                    ParseError::new(value.pos, format!("error parsing regexp: {}", e.source))
                };
                matchers.push(match op.tok {
                    Tok::Assign => Matcher::equal(label, text),
                    Tok::Neq => Matcher::not_equal(label, text),
                    Tok::EqlRegex => Matcher::regex(label, text).map_err(regex_err)?,
                    Tok::NeqRegex => Matcher::not_regex(label, text).map_err(regex_err)?,
                    other => {
                        return err(
                            op.pos,
                            format!(
                                "unexpected {} in label matching, expected label matching operator",
                                other.describe()
                            ),
                        );
                    }
                });
                let sep = self.next();
                match sep.tok {
                    Tok::Comma => {}
                    Tok::RBrace => {
                        end = sep.pos;
                        break;
                    }
                    other => {
                        return err(
                            sep.pos,
                            format!("unexpected {} in label matching, expected \",\" or \"}}\"", other.describe()),
                        );
                    }
                }
            }
        }
        let pos = start.to(end);
        if let Some(name) = &name {
            if let Some(set) = matchers.iter().find(|m| m.name == "__name__") {
                return err(pos, format!("metric name must not be set twice: {name:?} or {:?}", set.value));
            }
            matchers.insert(0, Matcher::equal("__name__", name.clone()));
        }
        if matchers.iter().all(|m| m.matches_empty()) {
            return err(pos, "vector selector must contain at least one non-empty matcher");
        }
        Ok((Expr::VectorSelector(VectorSelector { name, matchers, offset: 0, at: None }), pos))
    }

    fn aggregation(&mut self, op: AggOp, start: Pos) -> Result<(Expr, Pos)> {
        let mut grouping = None;
        if self.peek_keyword("by") || self.peek_keyword("without") {
            let without = self.peek_keyword("without");
            self.next();
            grouping = Some((without, self.label_list("grouping opts")?));
        }
        self.expect(Tok::LParen, "in aggregation")?;
        let mut param = None;
        if let Some(param_type) = op.param_type() {
            let (p, ppos) = self.expr(0)?;
            if p.value_type() != param_type {
                return err(
                    ppos,
                    format!(
                        "expected type {} in aggregation parameter, got {}",
                        param_type.name(),
                        p.value_type().name()
                    ),
                );
            }
            param = Some(Box::new(p));
            self.expect(Tok::Comma, "in aggregation")?;
        }
        let (inner, ipos) = self.expr(0)?;
        let mut end = self.expect(Tok::RParen, "in aggregation")?;
        if grouping.is_none() && (self.peek_keyword("by") || self.peek_keyword("without")) {
            let without = self.peek_keyword("without");
            self.next();
            grouping = Some((without, self.label_list("grouping opts")?));
            end = self.tokens[self.i - 1].pos;
        }
        if inner.value_type() != ValueType::Vector {
            return err(
                ipos,
                format!("expected type instant vector in aggregation expression, got {}", inner.value_type().name()),
            );
        }
        let (without, grouping) = grouping.unwrap_or((false, Vec::new()));
        Ok((Expr::Aggregate { op, expr: Box::new(inner), param, without, grouping }, start.to(end)))
    }

    fn call(&mut self, name: &str, start: Pos) -> Result<(Expr, Pos)> {
        let Some(func) = functions::lookup(name) else {
            return err(start, format!("unknown function with name {name:?}"));
        };
        self.next(); // (
        let mut args = Vec::new();
        let end;
        if *self.peek() == Tok::RParen {
            end = self.next().pos;
        } else {
            loop {
                let (arg, apos) = self.expr(0)?;
                args.push((arg, apos));
                let token = self.next();
                match token.tok {
                    Tok::Comma => {}
                    Tok::RParen => {
                        end = token.pos;
                        break;
                    }
                    other => {
                        return err(
                            token.pos,
                            format!("unexpected {} in function call, expected \",\" or \")\"", other.describe()),
                        );
                    }
                }
            }
        }
        let pos = start.to(end);
        let (min, max) = if func.optional == VARIADIC {
            (func.args.len() - 1, usize::MAX)
        } else {
            (func.args.len() - func.optional, func.args.len())
        };
        if args.len() < min || args.len() > max {
            let expected = if min == max {
                min.to_string()
            } else if max == usize::MAX {
                format!("at least {min}")
            } else {
                format!("{min} to {max}")
            };
            return err(pos, format!("expected {expected} argument(s) in call to {:?}, got {}", func.name, args.len()));
        }
        for (i, (arg, apos)) in args.iter().enumerate() {
            let want = func.args[i.min(func.args.len() - 1)];
            if arg.value_type() != want {
                return err(
                    *apos,
                    format!(
                        "expected type {} in call to function {:?}, got {}",
                        want.name(),
                        func.name,
                        arg.value_type().name()
                    ),
                );
            }
        }
        Ok((Expr::Call { func, args: args.into_iter().map(|(a, _)| a).collect() }, pos))
    }

    /// Ranges, subqueries, `offset` and `@` after a primary expression.
    fn postfix(&mut self, mut expr: Expr, mut pos: Pos) -> Result<(Expr, Pos)> {
        loop {
            match self.peek() {
                Tok::LBracket => {
                    self.next();
                    let range = self.duration("in range")?;
                    if *self.peek() == Tok::Colon {
                        self.next();
                        let step = if matches!(self.peek(), Tok::Duration(_)) {
                            Some(self.duration("in subquery step")?)
                        } else {
                            None
                        };
                        let end = self.expect(Tok::RBracket, "in subquery selector")?;
                        if expr.value_type() != ValueType::Vector {
                            return err(
                                pos.to(end),
                                format!(
                                    "subquery is only allowed on instant vector, got {} instead",
                                    expr.value_type().name()
                                ),
                            );
                        }
                        expr = Expr::Subquery { expr: Box::new(expr), range, step, offset: 0, at: None };
                        pos = pos.to(end);
                    } else {
                        let end = self.expect(Tok::RBracket, "in range selector")?;
                        expr = match expr {
                            Expr::VectorSelector(selector) => {
                                if selector.offset != 0 || selector.at.is_some() {
                                    return err(pos.to(end), "no offset or @ modifiers allowed before range");
                                }
                                Expr::MatrixSelector { selector, range }
                            }
                            _ => {
                                return err(pos.to(end), "ranges only allowed for vector selectors");
                            }
                        };
                        pos = pos.to(end);
                    }
                }
                Tok::Ident(word) if word.eq_ignore_ascii_case("offset") => {
                    let start = self.next().pos;
                    let negative = if *self.peek() == Tok::Sub {
                        self.next();
                        true
                    } else {
                        if *self.peek() == Tok::Add {
                            self.next();
                        }
                        false
                    };
                    let duration = self.duration("in offset")?;
                    let offset = if negative { -duration } else { duration };
                    let here = start.to(self.tokens[self.i - 1].pos);
                    let slot = offset_slot(&mut expr).ok_or_else(|| {
                        ParseError::new(here, "offset modifier must be preceded by an instant vector selector or range vector selector or a subquery")
                    })?;
                    if *slot != 0 {
                        return err(here, "offset may not be set multiple times");
                    }
                    *slot = offset;
                    pos = pos.to(here);
                }
                Tok::At => {
                    let start = self.next().pos;
                    let at = self.at_value()?;
                    let here = start.to(self.tokens[self.i - 1].pos);
                    let slot = at_slot(&mut expr).ok_or_else(|| {
                        ParseError::new(here, "@ modifier must be preceded by an instant vector selector or range vector selector or a subquery")
                    })?;
                    if slot.is_some() {
                        return err(here, "@ <timestamp> may not be set multiple times");
                    }
                    *slot = Some(at);
                    pos = pos.to(here);
                }
                _ => return Ok((expr, pos)),
            }
        }
    }

    fn duration(&mut self, context: &str) -> Result<i64> {
        let token = self.next();
        match token.tok {
            Tok::Duration(ms) if ms > 0 => Ok(ms),
            Tok::Duration(_) => err(token.pos, "duration must be greater than 0"),
            other => err(token.pos, format!("unexpected {} {context}, expected duration", other.describe())),
        }
    }

    fn at_value(&mut self) -> Result<At> {
        let token = self.next();
        let sign = match token.tok {
            Tok::Sub => -1.0,
            Tok::Add => 1.0,
            Tok::Ident(ref word) if (word == "start" || word == "end") && *self.peek() == Tok::LParen => {
                self.next();
                self.expect(Tok::RParen, "in @ modifier")?;
                return Ok(if word == "start" { At::Start } else { At::End });
            }
            Tok::Number(n) => return at_time(n, token.pos),
            other => {
                return err(token.pos, format!("unexpected {} in @, expected timestamp", other.describe()));
            }
        };
        let token = self.next();
        match token.tok {
            Tok::Number(n) => at_time(sign * n, token.pos),
            other => err(token.pos, format!("unexpected {} in @, expected timestamp", other.describe())),
        }
    }
}

fn at_time(seconds: f64, pos: Pos) -> Result<At> {
    let ms = seconds * 1000.0;
    if !ms.is_finite() || ms.abs() > i64::MAX as f64 {
        return err(pos, "timestamp out of bounds for @ modifier");
    }
    Ok(At::Time(ms.round() as i64))
}

fn offset_slot(expr: &mut Expr) -> Option<&mut i64> {
    match expr {
        Expr::VectorSelector(s) | Expr::MatrixSelector { selector: s, .. } => Some(&mut s.offset),
        Expr::Subquery { offset, .. } => Some(offset),
        _ => None,
    }
}

fn at_slot(expr: &mut Expr) -> Option<&mut Option<At>> {
    match expr {
        Expr::VectorSelector(s) | Expr::MatrixSelector { selector: s, .. } => Some(&mut s.at),
        Expr::Subquery { at, .. } => Some(at),
        _ => None,
    }
}

fn op_name(op: BinOp) -> &'static str {
    match op {
        BinOp::And => "and",
        BinOp::Or => "or",
        BinOp::Unless => "unless",
        _ => "",
    }
}

fn check_binary(
    op: BinOp,
    lhs: Expr,
    rhs: Expr,
    return_bool: bool,
    mut matching: Option<VectorMatching>,
    pos: Pos,
    op_pos: Pos,
) -> Result<Expr> {
    let (lt, rt) = (lhs.value_type(), rhs.value_type());
    for t in [lt, rt] {
        if t != ValueType::Scalar && t != ValueType::Vector {
            return err(pos, "binary expression must contain only scalar and instant vector types");
        }
    }
    let both_vectors = lt == ValueType::Vector && rt == ValueType::Vector;
    if op.is_comparison() && !return_bool && lt == ValueType::Scalar && rt == ValueType::Scalar {
        return err(op_pos, "comparisons between scalars must use BOOL modifier");
    }
    if op.is_set() && !both_vectors {
        return err(op_pos, format!("set operator \"{}\" not allowed in binary scalar expression", op_name(op)));
    }
    if !both_vectors {
        if matching.as_ref().is_some_and(|m| !m.labels.is_empty() || !m.include.is_empty()) {
            return err(op_pos, "vector matching only allowed between instant vectors");
        }
        matching = None;
    } else {
        let m = matching.get_or_insert(VectorMatching {
            card: Cardinality::OneToOne,
            on: false,
            labels: Vec::new(),
            include: Vec::new(),
        });
        if op.is_set() {
            m.card = Cardinality::ManyToMany;
        }
    }
    Ok(Expr::Binary { op, lhs: Box::new(lhs), rhs: Box::new(rhs), return_bool, matching })
}

#[cfg(test)]
mod tests {
    use super::*;
    use lookout_tsdb::MatchOp;

    /// Parses and prints the tree compactly, or the error with its position.
    fn check(query: &str, expected: &str) {
        let got = match parse(query) {
            Ok(expr) => show(&expr),
            Err(e) => format!("error {}..{}: {}", e.pos.start, e.pos.end, e),
        };
        assert_eq!(got, expected, "query: {query}");
    }

    fn show(expr: &Expr) -> String {
        match expr {
            Expr::Number(n) => format!("{n}"),
            Expr::String(s) => format!("{s:?}"),
            Expr::VectorSelector(s) => {
                let ms: Vec<String> = s
                    .matchers
                    .iter()
                    .map(|m| {
                        format!(
                            "{}{}{:?}",
                            m.name,
                            match m.op {
                                MatchOp::Equal => "=",
                                MatchOp::NotEqual => "!=",
                                MatchOp::Regex(_) => "=~",
                                MatchOp::NotRegex(_) => "!~",
                            },
                            m.value
                        )
                    })
                    .collect();
                let mut out = format!("sel{{{}}}", ms.join(","));
                if s.offset != 0 {
                    out += &format!(" offset {}", s.offset);
                }
                if let Some(at) = s.at {
                    out += &format!(" @ {at:?}");
                }
                out
            }
            Expr::MatrixSelector { selector, range } => {
                format!("{}[{range}]", show(&Expr::VectorSelector(selector.clone())))
            }
            Expr::Subquery { expr, range, step, offset, .. } => {
                format!("({})[{range}:{step:?}] offset {offset}", show(expr))
            }
            Expr::Paren(e) => format!("({})", show(e)),
            Expr::Neg(e) => format!("-{}", show(e)),
            Expr::Binary { op, lhs, rhs, return_bool, matching } => {
                let m = matching
                    .as_ref()
                    .map(|m| format!(" {:?}{}{:?}{:?}", m.card, if m.on { " on" } else { "" }, m.labels, m.include))
                    .unwrap_or_default();
                format!("({} {op:?}{}{m} {})", show(lhs), if *return_bool { " bool" } else { "" }, show(rhs))
            }
            Expr::Aggregate { op, expr, param, without, grouping } => format!(
                "{op:?}{}{grouping:?}({}{})",
                if *without { " without" } else { " by" },
                param.as_ref().map(|p| format!("{}, ", show(p))).unwrap_or_default(),
                show(expr)
            ),
            Expr::Call { func, args } => {
                format!("{}({})", func.name, args.iter().map(show).collect::<Vec<_>>().join(", "))
            }
        }
    }

    #[test]
    fn precedence_and_associativity() {
        check("1 + 2 * 3", "(1 Add (2 Mul 3))");
        check("2 ^ 3 ^ 2", "(2 Pow (3 Pow 2))");
        check("-2 ^ 2", "-(2 Pow 2)");
        check("-1 * 2", "(-1 Mul 2)");
        check(
            "a or b and c",
            "(sel{__name__=\"a\"} Or ManyToMany[][] (sel{__name__=\"b\"} And ManyToMany[][] sel{__name__=\"c\"}))",
        );
        check("1 == bool 2", "(1 Eql bool 2)");
    }

    #[test]
    fn selectors_and_modifiers() {
        check(r#"foo{a="b", c=~"d.*",}"#, r#"sel{__name__="foo",a="b",c=~"d.*"}"#);
        check("foo offset 5m @ 100", "sel{__name__=\"foo\"} offset 300000 @ Time(100000)");
        check("foo[5m] offset -1m", "sel{__name__=\"foo\"} offset -60000[300000]");
        check("rate(foo[5m])[30m:1m]", "(rate(sel{__name__=\"foo\"}[300000]))[1800000:Some(60000)] offset 0");
        check("foo @ start()", "sel{__name__=\"foo\"} @ Start");
        check("sum by (a) (x)", "Sum by[\"a\"](sel{__name__=\"x\"})");
        check("topk(3, x) without (b)", "Topk without[\"b\"](3, sel{__name__=\"x\"})");
        check("a * on(x) group_left(y) b", "(sel{__name__=\"a\"} Mul ManyToOne on[\"x\"][\"y\"] sel{__name__=\"b\"})");
    }

    #[test]
    fn errors_point_at_their_place() {
        check("foo{", "error 4..4: 1:5: parse error: unexpected end of input in label matching, expected label");
        check("1 > 2", "error 2..3: 1:3: parse error: comparisons between scalars must use BOOL modifier");
        check(
            "rate(foo)",
            "error 5..8: 1:6: parse error: expected type range vector in call to function \"rate\", got instant vector",
        );
        check("nope(1)", "error 0..4: 1:1: parse error: unknown function with name \"nope\"");
        check("{a=\"\"}", "error 0..6: 1:1: parse error: vector selector must contain at least one non-empty matcher");
        check("sum(foo) + ", "error 11..11: 1:12: parse error: unexpected end of input");
        check("foo offset 1m offset 2m", "error 14..23: 1:15: parse error: offset may not be set multiple times");
        check("1 and 2", "error 2..5: 1:3: parse error: set operator \"and\" not allowed in binary scalar expression");
    }
}
