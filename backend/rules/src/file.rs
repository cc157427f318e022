//! Rule files: Prometheus's rule-group YAML (`groups[].name/interval/limit/rules[]`, plus
//! Lookout's `source: logs`) decoded strictly, as yaml.v3 with known fields does, and validated
//! as `rulefmt` does, every error collected with the position Prometheus gives it.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use lookout_template::rule;
use lookout_tsdb::is_valid_label_name;

use crate::error::{ErrorKind, FileError, RuleProblem};
use crate::yaml::{self, Kind, Node, Position};
use lookout_tsdb::duration::parse_duration;

/// Which language a group's expressions are in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Source {
    /// PromQL over the metrics store (Prometheus's only kind).
    #[default]
    Metrics,
    /// LogQL metric queries over the log store (`source: logs`, Lookout's extension).
    Logs,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Metrics => "metrics",
            Source::Logs => "logs",
        }
    }
}

/// A validated rule file.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RuleFile {
    pub groups: Vec<GroupDef>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct GroupDef {
    pub name: String,
    /// `None`: the global evaluation interval.
    pub interval_ms: Option<i64>,
    /// The most alerts or series one rule may produce; 0 is no limit.
    pub limit: usize,
    pub source: Source,
    pub rules: Vec<RuleDef>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RuleDef {
    /// The alert name or the recorded metric's name.
    pub name: String,
    pub expr: String,
    /// Sorted by name; template texts for alerting rules.
    pub labels: BTreeMap<String, String>,
    pub kind: RuleKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum RuleKind {
    Recording,
    Alerting { for_ms: i64, keep_firing_for_ms: i64, annotations: BTreeMap<String, String> },
}

/// Reads and validates a rule file; `name` prefixes every error, as Prometheus's file name does.
pub fn load(path: &Path) -> Result<RuleFile, Vec<FileError>> {
    let name = path.display().to_string();
    match std::fs::read_to_string(path) {
        Ok(text) => parse(&name, &text),
        Err(e) => Err(vec![FileError { file: name, kind: ErrorKind::Read(e.to_string()) }]),
    }
}

/// Parses and validates a rule file's text.
pub fn parse(file: &str, text: &str) -> Result<RuleFile, Vec<FileError>> {
    let wrap = |kind| FileError { file: file.to_string(), kind };
    let root = yaml::parse(text).map_err(|e| vec![wrap(ErrorKind::Syntax { line: e.line, message: e.message })])?;
    let mut decoder = Decoder::default();
    let groups = root.map(|root| decoder.file(&root)).unwrap_or_default();
    if let Some(message) = decoder.fatal {
        return Err(vec![wrap(ErrorKind::Duration(message))]);
    }
    if !decoder.errors.is_empty() {
        return Err(vec![wrap(ErrorKind::Unmarshal(decoder.errors))]);
    }
    let mut errors = Vec::new();
    let mut seen = HashSet::new();
    let mut out = RuleFile::default();
    for group in groups {
        if group.name.is_empty() {
            errors.push(ErrorKind::EmptyGroupName(group.pos));
        }
        if !seen.insert(group.name.clone()) {
            errors.push(ErrorKind::RepeatedGroupName { pos: group.pos, name: group.name.clone() });
        }
        let mut rules = Vec::new();
        for (i, raw) in group.rules.into_iter().enumerate() {
            let problems = validate(&raw, group.source);
            if problems.is_empty() {
                rules.push(raw.into_def());
                continue;
            }
            let name = if raw.alert.value.is_empty() { &raw.record.value } else { &raw.alert.value };
            errors.extend(problems.into_iter().map(|(at, problem)| ErrorKind::Rule {
                group: group.name.clone(),
                index: i + 1,
                name: name.clone(),
                at,
                problem,
            }));
        }
        out.groups.push(GroupDef {
            name: group.name,
            interval_ms: group.interval_ms,
            limit: group.limit,
            source: group.source,
            rules,
        });
    }
    if errors.is_empty() { Ok(out) } else { Err(errors.into_iter().map(wrap).collect()) }
}

/// A scalar with where it was; an absent one is empty at `0:0`, as a zero `yaml.Node` is.
#[derive(Debug, Default)]
struct Scalar {
    value: String,
    pos: Position,
}

struct RawGroup {
    pos: Position,
    name: String,
    interval_ms: Option<i64>,
    limit: usize,
    source: Source,
    rules: Vec<RawRule>,
}

#[derive(Default)]
struct RawRule {
    record: Scalar,
    alert: Scalar,
    expr: Scalar,
    for_ms: i64,
    keep_firing_for_ms: i64,
    labels: BTreeMap<String, String>,
    annotations: BTreeMap<String, String>,
}

impl RawRule {
    fn into_def(self) -> RuleDef {
        let (name, kind) = if self.alert.value.is_empty() {
            (self.record.value, RuleKind::Recording)
        } else {
            let kind = RuleKind::Alerting {
                for_ms: self.for_ms,
                keep_firing_for_ms: self.keep_firing_for_ms,
                annotations: self.annotations,
            };
            (self.alert.value, kind)
        };
        RuleDef { name, expr: self.expr.value.trim().to_string(), labels: self.labels, kind }
    }
}

/// The checks of Prometheus's `RuleNode.Validate`, in its order.
fn validate(rule: &RawRule, source: Source) -> Vec<(Vec<Position>, RuleProblem)> {
    let mut out = Vec::new();
    let (record, alert) = (&rule.record, &rule.alert);
    if !record.value.is_empty() && !alert.value.is_empty() {
        out.push((vec![record.pos, alert.pos], RuleProblem::BothRecordAndAlert));
    }
    if record.value.is_empty() && alert.value.is_empty() {
        out.push((vec![record.pos], RuleProblem::NeitherRecordNorAlert));
    }
    if rule.expr.value.is_empty() {
        out.push((vec![rule.expr.pos], RuleProblem::MissingExpr));
    } else if let Some(problem) = check_expr(&rule.expr.value, source) {
        out.push((vec![rule.expr.pos], problem));
    }
    if !record.value.is_empty() {
        let at = || vec![record.pos];
        if !rule.annotations.is_empty() {
            out.push((at(), RuleProblem::AnnotationsInRecording));
        }
        if rule.for_ms != 0 {
            out.push((at(), RuleProblem::ForInRecording));
        }
        if rule.keep_firing_for_ms != 0 {
            out.push((at(), RuleProblem::KeepFiringForInRecording));
        }
        if !is_valid_metric_name(&record.value) {
            out.push((at(), RuleProblem::BadRecordName(record.value.clone())));
        }
    }
    for name in rule.labels.keys() {
        if !is_valid_label_name(name) || name == "__name__" {
            out.push((Vec::new(), RuleProblem::BadLabelName(name.clone())));
        }
    }
    for name in rule.annotations.keys() {
        if !is_valid_label_name(name) {
            out.push((Vec::new(), RuleProblem::BadAnnotationName(name.clone())));
        }
    }
    // Only alerting rules' texts are templates.
    if !alert.value.is_empty() {
        let template_name = format!("__alert_{}", alert.value);
        let parse = |text: &str| {
            rule::template(&template_name, text)
                .err()
                .map(|e| format!("template: {}:{}: {}", e.name, e.location.line, e.message))
        };
        for (name, text) in &rule.labels {
            if let Some(error) = parse(text) {
                out.push((Vec::new(), RuleProblem::LabelTemplate { name: name.clone(), error }));
            }
        }
        for (name, text) in &rule.annotations {
            if let Some(error) = parse(text) {
                out.push((Vec::new(), RuleProblem::AnnotationTemplate { name: name.clone(), error }));
            }
        }
    }
    out
}

fn check_expr(expr: &str, source: Source) -> Option<RuleProblem> {
    match source {
        Source::Metrics => lookout_promql::parse(expr).err().map(|e| RuleProblem::BadExpr(e.to_string())),
        Source::Logs => match lookout_logql::parse(expr) {
            Err(e) => Some(RuleProblem::BadExpr(e.to_string())),
            Ok(lookout_logql::Expr::Log(_)) => Some(RuleProblem::LogQuery),
            Ok(_) => None,
        },
    }
}

fn is_valid_metric_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

/// Decodes nodes into the raw file the way yaml.v3 does into `rulefmt`'s structs: type errors
/// and unknown or repeated keys are collected with their lines; a bad duration stops decoding.
#[derive(Default)]
struct Decoder {
    errors: Vec<(usize, String)>,
    fatal: Option<String>,
}

impl Decoder {
    fn file(&mut self, root: &Node) -> Vec<RawGroup> {
        let mut groups = Vec::new();
        for (key, value) in self.fields(root, "rulefmt.RuleGroups", &["groups"]) {
            if key == "groups" {
                groups = self.seq(value, "[]rulefmt.RuleGroup").iter().map(|g| self.group(g)).collect();
            }
        }
        groups
    }

    fn group(&mut self, node: &Node) -> RawGroup {
        let mut group = RawGroup {
            pos: node.pos,
            name: String::new(),
            interval_ms: None,
            limit: 0,
            source: Source::Metrics,
            rules: Vec::new(),
        };
        let known = ["name", "interval", "limit", "rules", "source"];
        for (key, value) in self.fields(node, "rulefmt.RuleGroup", &known) {
            match key {
                "name" => group.name = self.string(value).value,
                "interval" => group.interval_ms = Some(self.duration(value)).filter(|ms| *ms != 0),
                "limit" => group.limit = self.int(value).max(0) as usize,
                "source" => match self.string(value).value.as_str() {
                    "" | "metrics" => group.source = Source::Metrics,
                    "logs" => group.source = Source::Logs,
                    other => self
                        .errors
                        .push((value.pos.line, format!("invalid source {other:?}: must be \"metrics\" or \"logs\""))),
                },
                _ => group.rules = self.seq(value, "[]rulefmt.RuleNode").iter().map(|r| self.rule(r)).collect(),
            }
        }
        group
    }

    fn rule(&mut self, node: &Node) -> RawRule {
        let mut rule = RawRule::default();
        let known = ["record", "alert", "expr", "for", "keep_firing_for", "labels", "annotations"];
        for (key, value) in self.fields(node, "rulefmt.RuleNode", &known) {
            match key {
                "record" => rule.record = self.string(value),
                "alert" => rule.alert = self.string(value),
                "expr" => rule.expr = self.string(value),
                "for" => rule.for_ms = self.duration(value),
                "keep_firing_for" => rule.keep_firing_for_ms = self.duration(value),
                "labels" => rule.labels = self.string_map(value),
                _ => rule.annotations = self.string_map(value),
            }
        }
        rule
    }

    /// A mapping's entries with known keys; unknown and repeated keys are reported.
    fn fields<'n>(&mut self, node: &'n Node, type_name: &str, known: &[&str]) -> Vec<(&'n str, &'n Node)> {
        let mut out = Vec::new();
        for (key, value) in self.entries(node, type_name) {
            if known.contains(&key.0) {
                out.push((key.0, value));
            } else {
                self.errors.push((key.1.line, format!("field {} not found in type {type_name}", key.0)));
            }
        }
        out
    }

    /// A mapping's entries (a null is an empty mapping), each key with its position.
    fn entries<'n>(&mut self, node: &'n Node, type_name: &str) -> Vec<((&'n str, Position), &'n Node)> {
        let entries = match &node.kind {
            Kind::Map(entries) => entries,
            _ if node.is_null() => return Vec::new(),
            _ => {
                self.type_error(node, type_name);
                return Vec::new();
            }
        };
        let mut out: Vec<((&str, Position), &Node)> = Vec::new();
        for (key, value) in entries {
            let Kind::Scalar { value: name, .. } = &key.kind else {
                self.type_error(key, "string");
                continue;
            };
            if let Some(((_, first), _)) = out.iter().find(|((k, _), _)| k == name) {
                let message = format!("mapping key {name:?} already defined at line {}", first.line);
                self.errors.push((key.pos.line, message));
                continue;
            }
            out.push(((name.as_str(), key.pos), value));
        }
        out
    }

    fn seq<'n>(&mut self, node: &'n Node, type_name: &str) -> &'n [Node] {
        match &node.kind {
            Kind::Seq(items) => items,
            _ => {
                if !node.is_null() {
                    self.type_error(node, type_name);
                }
                &[]
            }
        }
    }

    fn string(&mut self, node: &Node) -> Scalar {
        match &node.kind {
            Kind::Scalar { .. } if node.is_null() => Scalar { value: String::new(), pos: node.pos },
            Kind::Scalar { value, .. } => Scalar { value: value.clone(), pos: node.pos },
            _ => {
                self.type_error(node, "string");
                Scalar::default()
            }
        }
    }

    fn string_map(&mut self, node: &Node) -> BTreeMap<String, String> {
        let entries = self.entries(node, "map[string]string");
        entries.into_iter().map(|((key, _), value)| (key.to_string(), self.string(value).value)).collect()
    }

    fn int(&mut self, node: &Node) -> i64 {
        match &node.kind {
            Kind::Scalar { value, plain: true } if !node.is_null() => match value.parse() {
                Ok(n) => n,
                Err(_) => {
                    self.type_error(node, "int");
                    0
                }
            },
            _ if node.is_null() => 0,
            _ => {
                self.type_error(node, "int");
                0
            }
        }
    }

    fn duration(&mut self, node: &Node) -> i64 {
        if node.is_null() {
            return 0;
        }
        let text = self.string(node).value;
        match parse_duration(&text) {
            Ok(ms) => ms,
            Err(e) => {
                self.fatal.get_or_insert(e.to_string());
                0
            }
        }
    }

    fn type_error(&mut self, node: &Node, type_name: &str) {
        let shown = match &node.kind {
            Kind::Scalar { value, .. } => format!("{} `{value}`", node.tag()),
            _ => node.tag().to_string(),
        };
        self.errors.push((node.pos.line, format!("cannot unmarshal {shown} into {type_name}")));
    }
}
