//! A LogQL pipeline run over one line: line filters, parsers (`json`, `logfmt`, `regexp`,
//! `pattern`, `unpack`), label filters, `line_format`, `label_format`, `drop`, `keep`,
//! `decolorize` and `unwrap`, with Loki's `__error__` label for what could not be parsed.
//!
//! Labels start as the line's stream labels. A JSON line's fields can be named anywhere a label
//! can, without `| json` (the store has them already); `| json` makes them part of the output
//! labels, as in Loki.

use std::borrow::Cow;

use lookout_logql::ast::{
    CmpOp, CmpValue, Conversion, LabelFilter, LabelFormat, LabelSelection, LineFilterOp, MatchOp, Stage, Template,
    TemplateFunc, TemplatePart, TemplateValue,
};
use regex::Regex;
use serde_json::Value;

use crate::entry::{flatten, sanitize};

pub const ERROR_LABEL: &str = "__error__";
pub const ERROR_DETAILS_LABEL: &str = "__error_details__";

/// A stage ready to run: regexes compiled, templates parsed.
#[derive(Debug)]
enum Step {
    Filter { op: LineFilterOp, values: Vec<String>, regexes: Vec<Regex>, patterns: Vec<Pattern> },
    Json { params: Vec<(String, Vec<PathPart>)> },
    Logfmt { keep_empty: bool, params: Vec<(String, String)> },
    Regexp(Regex),
    Pattern(Pattern),
    Unpack,
    LabelFilter(CompiledFilter),
    LineFormat(Template),
    LabelFormat(Vec<LabelFormat>),
    Drop(Vec<CompiledSelection>),
    Keep(Vec<CompiledSelection>),
    Decolorize,
}

#[derive(Debug)]
enum CompiledFilter {
    Match { name: String, op: MatchOp, value: String, regex: Option<Regex> },
    Compare { name: String, op: CmpOp, value: CmpValue },
    And(Box<CompiledFilter>, Box<CompiledFilter>),
    Or(Box<CompiledFilter>, Box<CompiledFilter>),
}

#[derive(Debug)]
enum CompiledSelection {
    Name(String),
    Matcher { name: String, op: MatchOp, value: String, regex: Option<Regex> },
}

#[derive(Debug, Clone)]
enum PathPart {
    Key(String),
    Index(usize),
}

/// The unwrapped value of a line, how it is read.
#[derive(Debug, Clone)]
pub struct UnwrapSpec {
    pub label: String,
    pub conversion: Option<Conversion>,
}

/// A compiled pipeline; [`Pipeline::run`] applies it to one line.
#[derive(Debug)]
pub struct Pipeline {
    steps: Vec<Step>,
    unwrap: Option<UnwrapSpec>,
    /// Label filters after `unwrap` (they may test `__error__` from the conversion).
    post_unwrap: Vec<CompiledFilter>,
    /// Fields made output labels at the end (those an outer `by (…)` groups by), as if the
    /// query had extracted them.
    materialize: Vec<String>,
}

/// What a line is after the pipeline.
#[derive(Debug, Clone, PartialEq)]
pub struct Output {
    pub labels: Vec<(String, String)>,
    pub line: String,
    /// The unwrapped value, when the pipeline unwraps one and it could be read.
    pub value: Option<f64>,
}

fn regex_for(op: MatchOp, value: &str) -> Result<Option<Regex>, String> {
    match op {
        MatchOp::Re | MatchOp::Nre => Regex::new(&format!("^(?s:{value})$"))
            .map(Some)
            .map_err(|e| format!("invalid regular expression {value:?}: {e}")),
        MatchOp::Eq | MatchOp::Neq => Ok(None),
    }
}

fn matches(op: MatchOp, regex: Option<&Regex>, expected: &str, actual: &str) -> bool {
    match op {
        MatchOp::Eq => actual == expected,
        MatchOp::Neq => actual != expected,
        MatchOp::Re => regex.is_some_and(|r| r.is_match(actual)),
        MatchOp::Nre => !regex.is_some_and(|r| r.is_match(actual)),
    }
}

fn compile_filter(filter: &LabelFilter) -> Result<CompiledFilter, String> {
    Ok(match filter {
        LabelFilter::Match(m) => CompiledFilter::Match {
            name: m.name.clone(),
            op: m.op,
            value: m.value.clone(),
            regex: regex_for(m.op, &m.value)?,
        },
        LabelFilter::Compare { name, op, value, .. } => {
            CompiledFilter::Compare { name: name.clone(), op: *op, value: *value }
        }
        LabelFilter::And(a, b) => CompiledFilter::And(Box::new(compile_filter(a)?), Box::new(compile_filter(b)?)),
        LabelFilter::Or(a, b) => CompiledFilter::Or(Box::new(compile_filter(a)?), Box::new(compile_filter(b)?)),
    })
}

fn compile_path(expression: &str) -> Result<Vec<PathPart>, String> {
    let mut parts = Vec::new();
    let bad = || format!("invalid JSON path {expression:?}");
    let mut rest = expression.trim();
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('[') {
            let close = after.find(']').ok_or_else(bad)?;
            let inside = after[..close].trim();
            if let Some(key) = inside.strip_prefix('"').and_then(|k| k.strip_suffix('"')) {
                parts.push(PathPart::Key(key.to_string()));
            } else {
                parts.push(PathPart::Index(inside.parse().map_err(|_| bad())?));
            }
            rest = &after[close + 1..];
        } else {
            let rest_dot = rest.strip_prefix('.').unwrap_or(rest);
            let end = rest_dot.find(['.', '[']).unwrap_or(rest_dot.len());
            if end == 0 {
                return Err(bad());
            }
            parts.push(PathPart::Key(rest_dot[..end].to_string()));
            rest = &rest_dot[end..];
        }
    }
    Ok(parts)
}

impl Pipeline {
    /// Compiles `stages` (those before `unwrap`, the unwrap, and label filters after it).
    pub fn new(stages: &[Stage]) -> Result<Pipeline, String> {
        let mut steps = Vec::new();
        let mut unwrap = None;
        let mut post_unwrap = Vec::new();
        for stage in stages {
            if unwrap.is_some() {
                match stage {
                    Stage::LabelFilter { filter, .. } => post_unwrap.push(compile_filter(filter)?),
                    _ => return Err("only label filters may follow unwrap".into()),
                }
                continue;
            }
            let step = match stage {
                Stage::LineFilter(f) => {
                    let regexes = match f.op {
                        LineFilterOp::Match | LineFilterOp::NotMatch => f
                            .values
                            .iter()
                            .map(|v| Regex::new(v).map_err(|e| format!("invalid regular expression {v:?}: {e}")))
                            .collect::<Result<_, _>>()?,
                        _ => Vec::new(),
                    };
                    let patterns = match f.op {
                        LineFilterOp::Pattern | LineFilterOp::NotPattern => {
                            f.values.iter().map(|v| Pattern::new(v)).collect::<Result<_, _>>()?
                        }
                        _ => Vec::new(),
                    };
                    Step::Filter { op: f.op, values: f.values.clone(), regexes, patterns }
                }
                Stage::Json { params, .. } => Step::Json {
                    params: params
                        .iter()
                        .map(|p| Ok((p.name.clone(), compile_path(p.expression.as_deref().unwrap_or(&p.name))?)))
                        .collect::<Result<_, String>>()?,
                },
                Stage::Logfmt { keep_empty, params, .. } => Step::Logfmt {
                    keep_empty: *keep_empty,
                    params: params
                        .iter()
                        .map(|p| (p.name.clone(), p.expression.clone().unwrap_or_else(|| p.name.clone())))
                        .collect(),
                },
                Stage::Regexp { regex, .. } => {
                    let re = Regex::new(regex).map_err(|e| format!("invalid regular expression {regex:?}: {e}"))?;
                    if re.capture_names().flatten().next().is_none() {
                        return Err(format!("regexp {regex:?} has no named capture group"));
                    }
                    Step::Regexp(re)
                }
                Stage::Pattern { pattern, .. } => Step::Pattern(Pattern::new(pattern)?),
                Stage::Unpack { .. } => Step::Unpack,
                Stage::LabelFilter { filter, .. } => Step::LabelFilter(compile_filter(filter)?),
                Stage::LineFormat { template, .. } => Step::LineFormat(template.clone()),
                Stage::LabelFormat { formats, .. } => Step::LabelFormat(formats.clone()),
                Stage::Drop { labels, .. } => Step::Drop(compile_selections(labels)?),
                Stage::Keep { labels, .. } => Step::Keep(compile_selections(labels)?),
                Stage::Decolorize { .. } => Step::Decolorize,
                Stage::Unwrap(u) => {
                    unwrap = Some(UnwrapSpec { label: u.label.clone(), conversion: u.conversion });
                    continue;
                }
            };
            steps.push(step);
        }
        Ok(Pipeline { steps, unwrap, post_unwrap, materialize: Vec::new() })
    }

    /// Makes these fields output labels of every line that has them.
    pub fn materialize(&mut self, names: &[String]) {
        self.materialize = names.to_vec();
    }

    pub fn unwraps(&self) -> bool {
        self.unwrap.is_some()
    }

    /// Whether the pipeline changes anything beyond passing or dropping lines by the raw text
    /// (so a scan that needs no text for itself must still read it).
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty() && self.unwrap.is_none() && self.post_unwrap.is_empty() && self.materialize.is_empty()
    }

    /// Runs the pipeline over one line; `None` if a filter dropped it.
    pub fn run(&self, ts: i64, stream: &lookout_tsdb::Labels, line: &str) -> Option<Output> {
        let mut state = LineState {
            ts,
            original: line,
            line: Cow::Borrowed(line),
            labels: stream.iter().map(|l| (l.name.clone(), l.value.clone())).collect(),
            fields: None,
            hidden: Vec::new(),
        };
        for step in &self.steps {
            if !state.apply(step) {
                return None;
            }
        }
        for name in &self.materialize {
            if !state.labels.iter().any(|(n, _)| n == name)
                && let Some(v) = state.get(name).map(str::to_string)
            {
                state.set(name, v);
            }
        }
        let mut value = None;
        if let Some(spec) = &self.unwrap {
            match state.get(&spec.label).map(|raw| convert(raw, spec.conversion)) {
                Some(Ok(v)) => value = Some(v),
                Some(Err(err)) => state.set_error("SampleExtractionErr", &err),
                None => state.set_error("SampleExtractionErr", &format!("label {:?} not found", spec.label)),
            }
            for filter in &self.post_unwrap {
                if !state.filter(filter) {
                    return None;
                }
            }
        }
        Some(Output { labels: state.labels, line: state.line.into_owned(), value })
    }
}

fn compile_selections(labels: &[LabelSelection]) -> Result<Vec<CompiledSelection>, String> {
    labels
        .iter()
        .map(|l| {
            Ok(match l {
                LabelSelection::Name(n) => CompiledSelection::Name(n.clone()),
                LabelSelection::Matcher(m) => CompiledSelection::Matcher {
                    name: m.name.clone(),
                    op: m.op,
                    value: m.value.clone(),
                    regex: regex_for(m.op, &m.value)?,
                },
            })
        })
        .collect()
}

/// Reads an unwrapped label value as a number.
fn convert(raw: &str, conversion: Option<Conversion>) -> Result<f64, String> {
    let raw = raw.trim();
    match conversion {
        None => raw.parse::<f64>().map_err(|_| format!("cannot read {raw:?} as a number")),
        Some(Conversion::Duration | Conversion::DurationSeconds) => lookout_logql::parse_duration(raw)
            .map(|d| d.as_secs_f64())
            .ok_or_else(|| format!("cannot read {raw:?} as a duration")),
        Some(Conversion::Bytes) => {
            lookout_logql::parse_bytes(raw).map(|b| b as f64).ok_or_else(|| format!("cannot read {raw:?} as bytes"))
        }
    }
}

struct LineState<'a> {
    ts: i64,
    original: &'a str,
    line: Cow<'a, str>,
    labels: Vec<(String, String)>,
    /// The JSON fields of the original line, read on first use.
    fields: Option<Vec<(String, String)>>,
    /// Names dropped or not kept: no longer found among the fields either.
    hidden: Vec<String>,
}

impl LineState<'_> {
    fn get(&mut self, name: &str) -> Option<&str> {
        if let Some(i) = self.labels.iter().position(|(n, _)| n == name) {
            return Some(&self.labels[i].1);
        }
        if self.hidden.iter().any(|h| h == name) {
            return None;
        }
        let original = self.original;
        let fields = self.fields.get_or_insert_with(|| {
            if original.starts_with('{') { crate::entry::json_fields(original).unwrap_or_default() } else { Vec::new() }
        });
        fields.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    fn set(&mut self, name: &str, value: String) {
        self.hidden.retain(|h| h != name);
        match self.labels.iter_mut().find(|(n, _)| n == name) {
            Some(slot) => slot.1 = value,
            None => self.labels.push((name.to_string(), value)),
        }
    }

    /// Adds an extracted label; one that clashes with an existing label gets `_extracted`.
    fn extract(&mut self, name: String, value: String) {
        let name = if self.labels.iter().any(|(n, _)| *n == name) { format!("{name}_extracted") } else { name };
        self.set(&name, value);
    }

    fn set_error(&mut self, kind: &str, details: &str) {
        if !self.labels.iter().any(|(n, _)| n == ERROR_LABEL) {
            self.set(ERROR_LABEL, kind.to_string());
            self.set(ERROR_DETAILS_LABEL, details.to_string());
        }
    }

    fn remove(&mut self, name: &str) {
        self.labels.retain(|(n, _)| n != name);
        if !self.hidden.iter().any(|h| h == name) {
            self.hidden.push(name.to_string());
        }
    }

    /// Applies one step; false drops the line.
    fn apply(&mut self, step: &Step) -> bool {
        match step {
            Step::Filter { op, values, regexes, patterns } => return self.line_filter(op, values, regexes, patterns),
            Step::LabelFilter(filter) => return self.filter(filter),
            Step::Json { params } => self.json(params),
            Step::Logfmt { keep_empty, params } => self.logfmt(*keep_empty, params),
            Step::Regexp(re) => self.regexp(re),
            Step::Pattern(pattern) => self.pattern(pattern),
            Step::Unpack => self.unpack(),
            Step::LineFormat(template) => {
                let line = self.render(template);
                self.line = Cow::Owned(line);
            }
            Step::LabelFormat(formats) => self.label_format(formats),
            Step::Drop(selections) => self.drop_labels(selections),
            Step::Keep(selections) => self.keep_labels(selections),
            Step::Decolorize => self.decolorize(),
        }
        // Every stage but the filters keeps the line.
        true
    }

    /// A line filter: whether the line stays.
    fn line_filter(&self, op: &LineFilterOp, values: &[String], regexes: &[Regex], patterns: &[Pattern]) -> bool {
        let line = self.line.as_ref();
        match op {
            LineFilterOp::Contains => values.iter().any(|v| line.contains(v.as_str())),
            LineFilterOp::NotContains => !values.iter().any(|v| line.contains(v.as_str())),
            LineFilterOp::Match => regexes.iter().any(|r| r.is_match(line)),
            LineFilterOp::NotMatch => !regexes.iter().any(|r| r.is_match(line)),
            LineFilterOp::Pattern => patterns.iter().any(|p| p.captures(line).is_some()),
            LineFilterOp::NotPattern => !patterns.iter().any(|p| p.captures(line).is_some()),
        }
    }

    /// `| json`: every field flattened, or the named paths.
    fn json(&mut self, params: &[(String, Vec<PathPart>)]) {
        match serde_json::from_str::<Value>(&self.line) {
            Ok(Value::Object(map)) if params.is_empty() => {
                let mut fields = Vec::with_capacity(map.len());
                flatten("", &map, &mut fields);
                fields.into_iter().for_each(|(n, v)| self.extract(n, v));
            }
            Ok(value) if !params.is_empty() => {
                for (name, path) in params {
                    if let Some(found) = walk(&value, path) {
                        self.extract(sanitize(name).into_owned(), found);
                    }
                }
            }
            Ok(_) => self.set_error("JSONParserErr", "the line is not a JSON object"),
            Err(e) => self.set_error("JSONParserErr", &e.to_string()),
        }
    }

    /// `| logfmt`: every key, or the named ones.
    fn logfmt(&mut self, keep_empty: bool, params: &[(String, String)]) {
        let pairs = logfmt(&self.line);
        if params.is_empty() {
            for (k, v) in pairs {
                if !v.is_empty() || keep_empty {
                    self.extract(sanitize(&k).into_owned(), v);
                }
            }
        } else {
            for (name, key) in params {
                if let Some((_, v)) = pairs.iter().find(|(k, _)| k == key) {
                    self.extract(sanitize(name).into_owned(), v.clone());
                }
            }
        }
    }

    /// `| regexp`: the named groups.
    fn regexp(&mut self, re: &Regex) {
        if let Some(caps) = re.captures(&self.line.clone()) {
            for name in re.capture_names().flatten() {
                if let Some(m) = caps.name(name) {
                    self.extract(name.to_string(), m.as_str().to_string());
                }
            }
        }
    }

    /// `| pattern`: the named captures.
    fn pattern(&mut self, pattern: &Pattern) {
        if let Some(captures) = pattern.captures(&self.line.clone()) {
            captures.into_iter().for_each(|(n, v)| self.extract(n, v));
        }
    }

    /// `| unpack`: the packed labels, and `_entry` as the line.
    fn unpack(&mut self) {
        match serde_json::from_str::<Value>(&self.line) {
            Ok(Value::Object(map)) => {
                let mut entry = None;
                for (k, v) in map {
                    match (k.as_str(), v) {
                        ("_entry", Value::String(s)) => entry = Some(s),
                        (_, Value::String(s)) => self.extract(sanitize(&k).into_owned(), s),
                        _ => {}
                    }
                }
                if let Some(entry) = entry {
                    self.line = Cow::Owned(entry);
                }
            }
            _ => self.set_error("JSONParserErr", "unpack: the line is not a JSON object"),
        }
    }

    /// `| label_format`: renames and templates, each over the labels as they were before the stage.
    fn label_format(&mut self, formats: &[LabelFormat]) {
        // Every template sees the labels as they were before this stage.
        let mut updates = Vec::new();
        for format in formats {
            match format {
                LabelFormat::Rename { dst, src } => {
                    let value = self.get(src).map(str::to_string);
                    updates.push((dst.clone(), value, Some(src.clone())));
                }
                LabelFormat::Template { dst, template } => {
                    updates.push((dst.clone(), Some(self.render(template)), None));
                }
            }
        }
        for (dst, value, renamed_from) in updates {
            if let Some(src) = renamed_from.filter(|s| *s != dst) {
                self.remove(&src);
            }
            match value {
                Some(v) => self.set(&dst, v),
                None => self.remove(&dst),
            }
        }
    }

    /// `| drop`: the named labels, or those matching.
    fn drop_labels(&mut self, selections: &[CompiledSelection]) {
        for selection in selections {
            match selection {
                CompiledSelection::Name(n) => self.remove(n),
                CompiledSelection::Matcher { name, op, value, regex } => {
                    if self.get(name).is_some_and(|actual| matches(*op, regex.as_ref(), value, actual)) {
                        self.remove(name);
                    }
                }
            }
        }
    }

    /// `| keep`: only the named labels, or those matching; named fields become labels.
    fn keep_labels(&mut self, selections: &[CompiledSelection]) {
        let names: Vec<String> = self.labels.iter().map(|(n, _)| n.clone()).collect();
        for name in names {
            let keep = selections.iter().any(|s| match s {
                CompiledSelection::Name(n) => *n == name,
                CompiledSelection::Matcher { name: n, op, value, regex } => {
                    *n == name && self.labels.iter().any(|(k, v)| *k == name && matches(*op, regex.as_ref(), value, v))
                }
            });
            if !keep {
                self.remove(&name);
            }
        }
        // Kept names that are fields, not labels yet, become labels.
        for selection in selections {
            if let CompiledSelection::Name(n) = selection
                && !self.labels.iter().any(|(k, _)| k == n)
            {
                self.hidden.retain(|h| h != n);
                if let Some(v) = self.get(n).map(str::to_string) {
                    self.set(n, v);
                }
            }
        }
        // Fields not named stay hidden from later stages, as dropped labels would be.
        let fields: Vec<String> = self
            .fields
            .iter()
            .flatten()
            .map(|(n, _)| n.clone())
            .filter(|n| !self.labels.iter().any(|(k, _)| k == n))
            .collect();
        fields.into_iter().for_each(|n| self.remove(&n));
    }

    /// `| decolorize`: ANSI colour codes out of the line.
    fn decolorize(&mut self) {
        static ANSI: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
        let ansi = ANSI.get_or_init(|| Regex::new(r"\x1b\[[0-9;]*[A-Za-z]").expect("a valid regex"));
        if let Cow::Owned(clean) = ansi.replace_all(&self.line, "") {
            self.line = Cow::Owned(clean);
        }
    }

    fn filter(&mut self, filter: &CompiledFilter) -> bool {
        match filter {
            CompiledFilter::And(a, b) => self.filter(a) && self.filter(b),
            CompiledFilter::Or(a, b) => self.filter(a) || self.filter(b),
            CompiledFilter::Match { name, op, value, regex } => {
                let actual = self.get(name).unwrap_or("");
                matches(*op, regex.as_ref(), value, actual)
            }
            CompiledFilter::Compare { name, op, value } => {
                let Some(raw) = self.get(name).map(str::to_string) else {
                    return false;
                };
                let (actual, expected) = match value {
                    CmpValue::Number(n) => (raw.trim().parse::<f64>().ok(), *n),
                    CmpValue::Duration(d) => {
                        (lookout_logql::parse_duration(raw.trim()).map(|x| x.as_secs_f64()), d.as_secs_f64())
                    }
                    CmpValue::Bytes(b) => (lookout_logql::parse_bytes(raw.trim()).map(|x| x as f64), *b as f64),
                };
                let Some(actual) = actual else {
                    // Loki keeps the line and marks it, so `| __error__=""` can drop it.
                    self.set_error("LabelFilterErr", &format!("cannot compare {raw:?} with {op:?}"));
                    return true;
                };
                match op {
                    CmpOp::Eq => actual == expected,
                    CmpOp::Neq => actual != expected,
                    CmpOp::Gt => actual > expected,
                    CmpOp::Gte => actual >= expected,
                    CmpOp::Lt => actual < expected,
                    CmpOp::Lte => actual <= expected,
                }
            }
        }
    }

    fn render(&mut self, template: &Template) -> String {
        let mut out = String::new();
        for part in &template.parts {
            match part {
                TemplatePart::Text(t) => out.push_str(t),
                TemplatePart::Value(v) => {
                    let value = self.value_of(v);
                    out.push_str(&value);
                }
                TemplatePart::Call { func, arg } => {
                    let value = self.value_of(arg);
                    out.push_str(&match func {
                        TemplateFunc::ToUpper => value.to_uppercase(),
                        TemplateFunc::ToLower => value.to_lowercase(),
                    });
                }
            }
        }
        out
    }

    fn value_of(&mut self, value: &TemplateValue) -> String {
        match value {
            TemplateValue::Field(name) => self.get(name).unwrap_or("").to_string(),
            TemplateValue::Line => self.line.to_string(),
            TemplateValue::Timestamp => crate::timestamp::format_rfc3339_nanos(self.ts),
        }
    }
}

/// The value at a JSON path, as label text.
fn walk(value: &Value, path: &[PathPart]) -> Option<String> {
    let mut at = value;
    for part in path {
        at = match part {
            PathPart::Key(k) => at.get(k)?,
            PathPart::Index(i) => at.get(*i)?,
        };
    }
    Some(match at {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    })
}

/// `key=value key2="quoted value"` pairs.
fn logfmt(line: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let b = line.as_bytes();
    let mut i = 0;
    while i < b.len() {
        while i < b.len() && b[i] == b' ' {
            i += 1;
        }
        let start = i;
        while i < b.len() && b[i] != b'=' && b[i] != b' ' {
            i += 1;
        }
        let key = &line[start..i];
        if i >= b.len() || b[i] == b' ' {
            if !key.is_empty() {
                out.push((key.to_string(), String::new()));
            }
            continue;
        }
        i += 1;
        let value = if i < b.len() && b[i] == b'"' {
            i += 1;
            let mut value = String::new();
            while i < b.len() && b[i] != b'"' {
                if b[i] == b'\\' && i + 1 < b.len() {
                    i += 1;
                }
                let c = line[i..].chars().next().unwrap_or(' ');
                value.push(c);
                i += c.len_utf8();
            }
            i += 1;
            value
        } else {
            let start = i;
            while i < b.len() && b[i] != b' ' {
                i += 1;
            }
            line[start..i].to_string()
        };
        if !key.is_empty() {
            out.push((key.to_string(), value));
        }
    }
    out
}

/// A `pattern` expression: literal text and `<name>` (or `<_>`) captures.
#[derive(Debug)]
pub struct Pattern {
    parts: Vec<PatternPart>,
}

#[derive(Debug)]
enum PatternPart {
    Literal(String),
    Capture(Option<String>),
}

impl Pattern {
    pub fn new(source: &str) -> Result<Pattern, String> {
        let mut parts = Vec::new();
        let mut rest = source;
        while !rest.is_empty() {
            match rest.find('<') {
                Some(open) => {
                    let close = rest[open..].find('>').map(|c| c + open);
                    let name = close.map(|c| &rest[open + 1..c]);
                    match (close, name) {
                        (Some(close), Some(name))
                            if name == "_" || (!name.is_empty() && lookout_tsdb::is_valid_label_name(name)) =>
                        {
                            if open > 0 {
                                parts.push(PatternPart::Literal(rest[..open].to_string()));
                            }
                            if matches!(parts.last(), Some(PatternPart::Capture(_))) {
                                return Err(format!("pattern {source:?} has two captures with nothing between"));
                            }
                            parts.push(PatternPart::Capture((name != "_").then(|| name.to_string())));
                            rest = &rest[close + 1..];
                        }
                        _ => {
                            let upto = open + 1;
                            match parts.last_mut() {
                                Some(PatternPart::Literal(l)) => l.push_str(&rest[..upto]),
                                _ => parts.push(PatternPart::Literal(rest[..upto].to_string())),
                            }
                            rest = &rest[upto..];
                        }
                    }
                }
                None => {
                    match parts.last_mut() {
                        Some(PatternPart::Literal(l)) => l.push_str(rest),
                        _ => parts.push(PatternPart::Literal(rest.to_string())),
                    }
                    rest = "";
                }
            }
        }
        if !parts.iter().any(|p| matches!(p, PatternPart::Capture(_))) {
            return Err(format!("pattern {source:?} has no capture"));
        }
        Ok(Pattern { parts })
    }

    /// The named captures, or `None` if the line does not have the pattern's shape.
    pub fn captures(&self, line: &str) -> Option<Vec<(String, String)>> {
        let mut out = Vec::new();
        let mut at = 0;
        let mut i = 0;
        while i < self.parts.len() {
            match &self.parts[i] {
                PatternPart::Literal(l) => {
                    if !line[at..].starts_with(l.as_str()) {
                        return None;
                    }
                    at += l.len();
                }
                PatternPart::Capture(name) => {
                    let end = match self.parts.get(i + 1) {
                        Some(PatternPart::Literal(next)) => at + line[at..].find(next.as_str())?,
                        _ => line.len(),
                    };
                    if let Some(name) = name {
                        out.push((name.clone(), line[at..end].to_string()));
                    }
                    at = end;
                }
            }
            i += 1;
        }
        Some(out)
    }
}
