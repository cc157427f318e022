//! The errors of loading a rule file, each displaying as Prometheus's `promtool check rules` and
//! rule manager print it: `file: line:col: group "G", rule N, "NAME": message`.

use std::fmt;

use crate::yaml::Position;

/// One problem with a rule file.
#[derive(Debug, Clone, PartialEq)]
pub struct FileError {
    /// The file's name as given to the loader.
    pub file: String,
    pub kind: ErrorKind,
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.file, self.kind)
    }
}

impl std::error::Error for FileError {}

#[derive(Debug, Clone, PartialEq)]
pub enum ErrorKind {
    /// The file could not be read.
    Read(String),
    /// Not YAML at all.
    Syntax {
        line: usize,
        message: String,
    },
    /// YAML of the wrong shape: unknown keys, wrong types, repeated keys; each with its line.
    Unmarshal(Vec<(usize, String)>),
    /// A duration that does not parse; yaml.v3 stops decoding there, without a position.
    Duration(String),
    EmptyGroupName(Position),
    RepeatedGroupName {
        pos: Position,
        name: String,
    },
    /// A problem with rule `index` (1-based) of a group, at the YAML nodes Prometheus names
    /// (none, one, or two for `record` and `alert` both set). An absent node is at `0:0`.
    Rule {
        group: String,
        index: usize,
        name: String,
        at: Vec<Position>,
        problem: RuleProblem,
    },
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorKind::Read(message) => f.write_str(message),
            ErrorKind::Syntax { line, message } => write!(f, "yaml: line {line}: {message}"),
            ErrorKind::Unmarshal(errors) => {
                f.write_str("yaml: unmarshal errors:")?;
                errors.iter().try_for_each(|(line, message)| write!(f, "\n  line {line}: {message}"))
            }
            ErrorKind::Duration(message) => f.write_str(message),
            ErrorKind::EmptyGroupName(pos) => write!(f, "{}:{}: Groupname must not be empty", pos.line, pos.col),
            ErrorKind::RepeatedGroupName { pos, name } => {
                write!(f, "{}:{}: groupname: \"{name}\" is repeated in the same file", pos.line, pos.col)
            }
            ErrorKind::Rule { group, index, name, at, problem } => {
                for pos in at {
                    write!(f, "{}:{}: ", pos.line, pos.col)?;
                }
                write!(f, "group {group:?}, rule {index}, {name:?}: {problem}")
            }
        }
    }
}

/// What is wrong with one rule; the texts are Prometheus's, but for the LogQL ones.
#[derive(Debug, Clone, PartialEq)]
pub enum RuleProblem {
    BothRecordAndAlert,
    NeitherRecordNorAlert,
    MissingExpr,
    /// The expression does not parse (PromQL, or LogQL for `source: logs` groups).
    BadExpr(String),
    /// A `source: logs` rule whose expression selects log lines instead of computing a metric.
    LogQuery,
    AnnotationsInRecording,
    ForInRecording,
    KeepFiringForInRecording,
    BadRecordName(String),
    BadLabelName(String),
    BadAnnotationName(String),
    LabelTemplate {
        name: String,
        error: String,
    },
    AnnotationTemplate {
        name: String,
        error: String,
    },
}

impl fmt::Display for RuleProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RuleProblem::BothRecordAndAlert => f.write_str("only one of 'record' and 'alert' must be set"),
            RuleProblem::NeitherRecordNorAlert => f.write_str("one of 'record' or 'alert' must be set"),
            RuleProblem::MissingExpr => f.write_str("field 'expr' must be set in rule"),
            RuleProblem::BadExpr(error) => write!(f, "could not parse expression: {error}"),
            RuleProblem::LogQuery => f.write_str(
                "could not parse expression: a log query is not a metric query; rules with `source: logs` need \
                 one such as sum(count_over_time({level=\"ERROR\"}[5m])) > 10",
            ),
            RuleProblem::AnnotationsInRecording => f.write_str("invalid field 'annotations' in recording rule"),
            RuleProblem::ForInRecording => f.write_str("invalid field 'for' in recording rule"),
            RuleProblem::KeepFiringForInRecording => f.write_str("invalid field 'keep_firing_for' in recording rule"),
            RuleProblem::BadRecordName(name) => write!(f, "invalid recording rule name: {name}"),
            RuleProblem::BadLabelName(name) => write!(f, "invalid label name: {name}"),
            RuleProblem::BadAnnotationName(name) => write!(f, "invalid annotation name: {name}"),
            RuleProblem::LabelTemplate { name, error } => write!(f, "label {name:?}: {error}"),
            RuleProblem::AnnotationTemplate { name, error } => write!(f, "annotation {name:?}: {error}"),
        }
    }
}
