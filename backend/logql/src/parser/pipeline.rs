//! Log queries for the parser: stream selectors, pipeline stages, label filters, and the log
//! ranges that range aggregations take.

use super::{Parser, Result, check_regex, is_reserved};
use crate::ast::*;
use crate::error::ParseError;
use crate::lexer::{Tok, is_label_name};

/// What a log query's parentheses held: a log query still waiting for its range, or a whole range.
enum LogPart {
    Log(LogExpr),
    Range(LogRange),
}

impl Parser<'_> {
    // ---- Log queries ----

    /// A stream selector and its pipeline.
    pub(super) fn log_expr(&mut self) -> Result<LogExpr> {
        let start = self.expect(Tok::LBrace, "\"{\"")?.start;
        let mut selector = Vec::new();
        loop {
            selector.push(self.matcher()?);
            match self.peek() {
                Tok::Comma => {
                    self.next();
                }
                Tok::RBrace => {
                    self.next();
                    break;
                }
                _ => return Err(self.unexpected("\",\" or \"}\"")),
            }
        }
        let mut log = LogExpr { selector, pipeline: Vec::new(), span: Span::new(start, self.prev_end()) };
        self.pipeline(&mut log)?;
        Ok(log)
    }

    /// `name op "value"`, with `op` one of `=`, `!=`, `=~`, `!~` (and `==` for `=`).
    fn matcher(&mut self) -> Result<Matcher> {
        let (name, name_span) = self.label_name("label name")?;
        let op = match self.peek() {
            Tok::Eq | Tok::CmpEq => MatchOp::Eq,
            Tok::Neq => MatchOp::Neq,
            Tok::Re => MatchOp::Re,
            Tok::Nre => MatchOp::Nre,
            _ => return Err(self.unexpected("\"=\", \"!=\", \"=~\" or \"!~\"")),
        };
        self.next();
        let (value, value_span) = self.string("string")?;
        if matches!(op, MatchOp::Re | MatchOp::Nre) {
            check_regex(&value, value_span)?;
        }
        Ok(Matcher { name, op, value, span: name_span.to(value_span) })
    }

    /// Appends stages to `log` for as long as one follows.
    fn pipeline(&mut self, log: &mut LogExpr) -> Result<()> {
        loop {
            let filter_op = match self.peek() {
                Tok::PipeExact => LineFilterOp::Contains,
                Tok::Neq => LineFilterOp::NotContains,
                Tok::PipeMatch => LineFilterOp::Match,
                Tok::Nre => LineFilterOp::NotMatch,
                Tok::PipePattern => LineFilterOp::Pattern,
                Tok::NotPattern => LineFilterOp::NotPattern,
                Tok::Pipe => {
                    let stage = self.stage()?;
                    self.push_stage(log, stage)?;
                    continue;
                }
                _ => return Ok(()),
            };
            let stage = self.line_filter(filter_op)?;
            self.push_stage(log, stage)?;
        }
    }

    fn push_stage(&mut self, log: &mut LogExpr, stage: Stage) -> Result<()> {
        // Loki's grammar puts unwrap at the end of a pipeline, followed only by label filters.
        if log.unwrap().is_some() && !matches!(stage, Stage::LabelFilter { .. }) {
            return Err(ParseError::syntax(stage.span().start, "only label filters may follow unwrap"));
        }
        log.span = log.span.to(stage.span());
        log.pipeline.push(stage);
        Ok(())
    }

    /// `|= "a"`, `!~ "re"`, `|= "a" or "b"`, ...
    fn line_filter(&mut self, op: LineFilterOp) -> Result<Stage> {
        let start = self.next().span.start;
        let mut values = vec![self.line_filter_value(op)?];
        // `or` continues the filter only when a value follows; otherwise it is not ours.
        while self.at_keyword("or")
            && (matches!(self.peek_at(1), Tok::Str(_))
                || matches!(self.peek_at(1), Tok::Ident(s) if s.eq_ignore_ascii_case("ip")))
        {
            self.next();
            values.push(self.line_filter_value(op)?);
        }
        Ok(Stage::LineFilter(LineFilter { op, values, span: Span::new(start, self.prev_end()) }))
    }

    fn line_filter_value(&mut self, op: LineFilterOp) -> Result<String> {
        if matches!(self.peek(), Tok::Ident(s) if s.eq_ignore_ascii_case("ip")) && self.peek_at(1) == &Tok::LParen {
            return Err(ParseError::new(self.span().start, "ip(...) line filters are not supported"));
        }
        let (value, span) = self.string("string")?;
        if matches!(op, LineFilterOp::Match | LineFilterOp::NotMatch) {
            check_regex(&value, span)?;
        }
        Ok(value)
    }

    /// A stage that starts with `|`: a parser, a formatter, unwrap or a label filter.
    fn stage(&mut self) -> Result<Stage> {
        let start = self.next().span.start;
        let keyword = match self.peek() {
            Tok::Ident(word) => word.to_ascii_lowercase(),
            Tok::LParen => String::new(),
            _ => return Err(self.unexpected("a parser, formatter, label filter or unwrap")),
        };
        let span = |p: &Self| Span::new(start, p.prev_end());
        let stage = match keyword.as_str() {
            "json" => {
                self.next();
                let params = self.extraction_params()?;
                Stage::Json { params, span: span(self) }
            }
            "logfmt" => {
                self.next();
                let (mut strict, mut keep_empty) = (false, false);
                while let Tok::Flag(flag) = self.peek() {
                    match flag.as_str() {
                        "--strict" => strict = true,
                        "--keep-empty" => keep_empty = true,
                        _ => return Err(self.unexpected("--strict or --keep-empty")),
                    }
                    self.next();
                }
                let params = self.extraction_params()?;
                Stage::Logfmt { strict, keep_empty, params, span: span(self) }
            }
            "regexp" => {
                self.next();
                let (regex, regex_span) = self.string("string")?;
                let compiled = check_regex(&regex, regex_span)?;
                let mut names = compiled.capture_names().flatten().peekable();
                if names.peek().is_none() {
                    return Err(ParseError::new(regex_span.start, "at least one named capture must be supplied"));
                }
                if let Some(bad) = names.find(|n| !is_label_name(n)) {
                    return Err(ParseError::new(regex_span.start, format!("invalid extracted label name {bad:?}")));
                }
                Stage::Regexp { regex, span: span(self) }
            }
            "pattern" => {
                self.next();
                let (pattern, pattern_span) = self.string("string")?;
                check_pattern(&pattern).map_err(|e| ParseError::new(pattern_span.start, e))?;
                Stage::Pattern { pattern, span: span(self) }
            }
            "unpack" => {
                self.next();
                Stage::Unpack { span: span(self) }
            }
            "decolorize" => {
                self.next();
                Stage::Decolorize { span: span(self) }
            }
            "line_format" => {
                self.next();
                let template = self.template()?;
                Stage::LineFormat { template, span: span(self) }
            }
            "label_format" => {
                self.next();
                let formats = self.label_formats()?;
                Stage::LabelFormat { formats, span: span(self) }
            }
            "drop" | "keep" => {
                self.next();
                let mut labels = Vec::new();
                loop {
                    if matches!(self.peek_at(1), Tok::Eq | Tok::CmpEq | Tok::Neq | Tok::Re | Tok::Nre) {
                        labels.push(LabelSelection::Matcher(self.matcher()?));
                    } else {
                        labels.push(LabelSelection::Name(self.label_name("label name")?.0));
                    }
                    if !self.at(&Tok::Comma) {
                        break;
                    }
                    self.next();
                }
                if keyword == "drop" {
                    Stage::Drop { labels, span: span(self) }
                } else {
                    Stage::Keep { labels, span: span(self) }
                }
            }
            "unwrap" => {
                self.next();
                Stage::Unwrap(self.unwrap(start)?)
            }
            _ => {
                let filter = self.label_filter_or()?;
                Stage::LabelFilter { filter, span: span(self) }
            }
        };
        Ok(stage)
    }

    /// The `a="x.y", b` of `| json` and `| logfmt`; none when no label name follows.
    fn extraction_params(&mut self) -> Result<Vec<LabelExtraction>> {
        let mut params = Vec::new();
        // `or` and the other reserved words end the stage rather than start a parameter list.
        if !matches!(self.peek(), Tok::Ident(name) if !is_reserved(name)) {
            return Ok(params);
        }
        loop {
            let (name, _) = self.label_name("label name")?;
            let mut expression = None;
            if self.at(&Tok::Eq) {
                self.next();
                expression = Some(self.string("string")?.0);
            }
            params.push(LabelExtraction { name, expression });
            if !self.at(&Tok::Comma) {
                return Ok(params);
            }
            self.next();
        }
    }

    fn template(&mut self) -> Result<Template> {
        let (source, span) = self.string("string")?;
        Template::parse(&source).map_err(|e| ParseError::new(span.start, format!("invalid template: {e}")))
    }

    /// `a=b, c="template"` of `| label_format`.
    fn label_formats(&mut self) -> Result<Vec<LabelFormat>> {
        let mut formats = Vec::new();
        loop {
            let (dst, _) = self.label_name("label name")?;
            self.expect(Tok::Eq, "\"=\"")?;
            formats.push(match self.peek() {
                Tok::Ident(src) => {
                    let src = src.clone();
                    self.next();
                    LabelFormat::Rename { dst, src }
                }
                Tok::Str(_) => LabelFormat::Template { dst, template: self.template()? },
                _ => return Err(self.unexpected("label name or string")),
            });
            if !self.at(&Tok::Comma) {
                return Ok(formats);
            }
            self.next();
        }
    }

    /// After `| unwrap`: `label`, or `duration(label)`, `duration_seconds(label)`, `bytes(label)`.
    fn unwrap(&mut self, start: usize) -> Result<Unwrap> {
        let mut conversion = None;
        if let Tok::Ident(word) = self.peek()
            && self.peek_at(1) == &Tok::LParen
        {
            conversion = Some(match word.to_ascii_lowercase().as_str() {
                "duration" => Conversion::Duration,
                "duration_seconds" => Conversion::DurationSeconds,
                "bytes" => Conversion::Bytes,
                _ => {
                    return Err(self.unexpected("a label name or duration(...), duration_seconds(...), bytes(...)"));
                }
            });
            self.next();
            self.next();
        }
        let (label, _) = self.label_name("label name")?;
        if conversion.is_some() {
            self.expect(Tok::RParen, "\")\"")?;
        }
        Ok(Unwrap { label, conversion, span: Span::new(start, self.prev_end()) })
    }

    // ---- Label filters: `or` of `and`s of atoms ----

    fn label_filter_or(&mut self) -> Result<LabelFilter> {
        self.descend()?;
        let mut lhs = self.label_filter_and()?;
        while self.at_keyword("or") {
            self.count_operator()?;
            self.next();
            let rhs = self.label_filter_and()?;
            lhs = LabelFilter::Or(Box::new(lhs), Box::new(rhs));
        }
        self.depth -= 1;
        Ok(lhs)
    }

    fn label_filter_and(&mut self) -> Result<LabelFilter> {
        let mut lhs = self.label_filter_atom()?;
        loop {
            if self.at_keyword("and") || self.at(&Tok::Comma) {
                self.next();
            } else if !self.at_label_filter_atom() {
                break;
            }
            self.count_operator()?;
            // Loki also reads two filters side by side (`| a="b" c="d"`) as `and`.
            let rhs = self.label_filter_atom()?;
            lhs = LabelFilter::And(Box::new(lhs), Box::new(rhs));
        }
        Ok(lhs)
    }

    /// Whether a label filter atom starts here: `(` or a label name followed by an operator.
    fn at_label_filter_atom(&self) -> bool {
        match self.peek() {
            Tok::LParen => true,
            Tok::Ident(name) => {
                !is_reserved(name)
                    && matches!(
                        self.peek_at(1),
                        Tok::Eq | Tok::CmpEq | Tok::Neq | Tok::Re | Tok::Nre | Tok::Gt | Tok::Gte | Tok::Lt | Tok::Lte
                    )
            }
            _ => false,
        }
    }

    fn label_filter_atom(&mut self) -> Result<LabelFilter> {
        if self.at(&Tok::LParen) {
            self.next();
            let inner = self.label_filter_or()?;
            self.expect(Tok::RParen, "\")\"")?;
            return Ok(inner);
        }
        let name = match self.peek() {
            Tok::Ident(name) if !is_reserved(name) => name.clone(),
            _ => return Err(self.unexpected("label name")),
        };
        let name_span = self.next().span;
        let (match_op, cmp_op) = match self.peek() {
            Tok::Eq | Tok::CmpEq => (Some(MatchOp::Eq), Some(CmpOp::Eq)),
            Tok::Neq => (Some(MatchOp::Neq), Some(CmpOp::Neq)),
            Tok::Re => (Some(MatchOp::Re), None),
            Tok::Nre => (Some(MatchOp::Nre), None),
            Tok::Gt => (None, Some(CmpOp::Gt)),
            Tok::Gte => (None, Some(CmpOp::Gte)),
            Tok::Lt => (None, Some(CmpOp::Lt)),
            Tok::Lte => (None, Some(CmpOp::Lte)),
            _ => return Err(self.unexpected("a comparison operator")),
        };
        self.next();
        let value_start = self.span().start;
        if let Some(op) = match_op
            && let Tok::Str(_) = self.peek()
        {
            let (value, value_span) = self.string("string")?;
            if matches!(op, MatchOp::Re | MatchOp::Nre) {
                check_regex(&value, value_span)?;
            }
            return Ok(LabelFilter::Match(Matcher { name, op, value, span: name_span.to(value_span) }));
        }
        if matches!(self.peek(), Tok::Ident(s) if s.eq_ignore_ascii_case("ip")) && self.peek_at(1) == &Tok::LParen {
            return Err(ParseError::new(value_start, "ip(...) label filters are not supported"));
        }
        let Some(op) = cmp_op else {
            return Err(self.unexpected("string"));
        };
        let value = match *self.peek() {
            Tok::Duration(d) => {
                self.next();
                CmpValue::Duration(d)
            }
            Tok::Bytes(b) => {
                self.next();
                CmpValue::Bytes(b)
            }
            Tok::Number(_) | Tok::Add | Tok::Sub => CmpValue::Number(self.number_literal()?),
            _ if match_op.is_some() => return Err(self.unexpected("string, number, duration or byte size")),
            _ => return Err(self.unexpected("number, duration or byte size")),
        };
        Ok(LabelFilter::Compare { name, op, value, span: Span::new(name_span.start, self.prev_end()) })
    }

    // ---- Log ranges ----

    /// The argument of a range aggregation: a log query with a range, the range written after the
    /// selector or after the pipeline, and an optional offset.
    pub(super) fn log_range(&mut self) -> Result<LogRange> {
        match self.log_part()? {
            LogPart::Range(range) => Ok(range),
            LogPart::Log(_) => Err(self.unexpected("a pipeline stage or a range such as [5m]")),
        }
    }

    fn log_part(&mut self) -> Result<LogPart> {
        self.descend()?;
        let start = self.span().start;
        let part = match self.peek() {
            Tok::LParen => {
                self.next();
                let inner = self.log_part()?;
                self.expect(Tok::RParen, "\")\"")?;
                match inner {
                    LogPart::Log(log) if matches!(self.peek(), Tok::Range(_)) => {
                        LogPart::Range(self.finish_range(log, start)?)
                    }
                    other => other,
                }
            }
            Tok::LBrace => {
                let log = self.log_expr()?;
                if matches!(self.peek(), Tok::Range(_)) {
                    LogPart::Range(self.finish_range(log, start)?)
                } else {
                    LogPart::Log(log)
                }
            }
            _ => return Err(self.unexpected("a stream selector such as {app=\"x\"}")),
        };
        self.depth -= 1;
        Ok(part)
    }

    /// Takes the range token, an optional offset, and, when the range came straight after the
    /// selector, the pipeline that follows it.
    fn finish_range(&mut self, mut log: LogExpr, start: usize) -> Result<LogRange> {
        let Tok::Range(range) = self.next().tok else {
            return Err(self.unexpected("a range such as [5m]"));
        };
        let mut offset = None;
        if self.at_keyword("offset") {
            self.next();
            match *self.peek() {
                Tok::Duration(d) => {
                    self.next();
                    offset = Some(d);
                }
                _ => return Err(self.unexpected("duration")),
            }
        }
        if log.pipeline.is_empty() {
            self.pipeline(&mut log)?;
        }
        Ok(LogRange { log, range, offset, span: Span::new(start, self.prev_end()) })
    }
}

/// Checks a `| pattern` expression as Loki does: at least one named capture, no two captures in a
/// row (nothing would separate them), no name twice.
fn check_pattern(pattern: &str) -> std::result::Result<(), String> {
    let mut names: Vec<&str> = Vec::new();
    let mut rest = pattern;
    let mut previous_was_capture = false;
    while !rest.is_empty() {
        let capture = rest.strip_prefix('<').and_then(|after| {
            let end = after.find('>')?;
            let name = &after[..end];
            is_label_name(name).then_some((name, &after[end + 1..]))
        });
        match capture {
            Some((name, after)) => {
                if previous_was_capture {
                    return Err(format!("invalid pattern {pattern:?}: consecutive captures are not allowed"));
                }
                if name != "_" {
                    if names.contains(&name) {
                        return Err(format!("invalid pattern {pattern:?}: duplicate capture name {name:?}"));
                    }
                    names.push(name);
                }
                previous_was_capture = true;
                rest = after;
            }
            None => {
                previous_was_capture = false;
                let skip = rest.chars().next().map_or(1, char::len_utf8);
                rest = &rest[skip..];
            }
        }
    }
    if names.is_empty() {
        return Err(format!("invalid pattern {pattern:?}: at least one named capture is required"));
    }
    Ok(())
}
