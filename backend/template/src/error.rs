//! The two ways a template fails: a `ParseError` (bad syntax, an unknown function or variable) with
//! its line and column, and an `ExecError` (a function's error, a field a value lacks, a missing
//! template) with the place and the action being executed, both printed the way Go prints them.

use std::fmt;

/// Where in a template's text something is: 1-based line, and 1-based column counted in
/// characters (Go counts bytes from 0 in execution errors; characters from 1 are what an editor
/// shows, and what the UI underlines).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    /// Byte offset into the text.
    pub pos: usize,
    pub line: usize,
    pub col: usize,
}

impl Location {
    pub(crate) fn of(text: &str, pos: usize) -> Location {
        let pos = pos.min(text.len());
        // Positions come from the lexer and sit on character boundaries; `get` keeps a mistake
        // from turning into a panic.
        let before = text.get(..pos).unwrap_or(text);
        let line_start = before.rfind('\n').map_or(0, |nl| nl + 1);
        Location { pos, line: before.matches('\n').count() + 1, col: before[line_start..].chars().count() + 1 }
    }
}

/// A template that does not parse. Displays as `template: name:3:14: unexpected "}" in operand`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// The name the text was parsed under.
    pub name: String,
    pub location: Location,
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "template: {}:{}:{}: {}", self.name, self.location.line, self.location.col, self.message)
    }
}

impl std::error::Error for ParseError {}

/// A template that failed while running. Displays as
/// `template: name:1:4: executing "name" at <index .Alerts 5>: error calling index: …`. Boxed,
/// so results that carry it stay small.
#[derive(Debug, Clone, PartialEq)]
pub struct ExecError(Box<Details>);

#[derive(Debug, Clone, PartialEq)]
struct Details {
    template: String,
    location: Option<(String, Location)>,
    context: String,
    kind: ExecErrorKind,
}

impl ExecError {
    pub(crate) fn new(
        template: String,
        location: Option<(String, Location)>,
        context: String,
        kind: ExecErrorKind,
    ) -> ExecError {
        ExecError(Box::new(Details { template, location, context, kind }))
    }

    pub fn kind(&self) -> &ExecErrorKind {
        &self.0.kind
    }

    /// The template being executed (a `{{ define }}`d one when the error is inside it).
    pub fn template(&self) -> &str {
        &self.0.template
    }

    /// The name the failing template's text was parsed under, and the place in that text; `None`
    /// when the error is about which template to run rather than something inside one.
    pub fn location(&self) -> Option<(&str, Location)> {
        self.0.location.as_ref().map(|(name, at)| (name.as_str(), *at))
    }

    /// The action or operand being evaluated, as written.
    pub fn context(&self) -> &str {
        &self.0.context
    }
}

/// What went wrong during execution.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ExecErrorKind {
    /// `{{ template "x" }}`, or executing a name, that no template was defined under.
    UndefinedTemplate(String),
    /// A function called with a number of arguments it does not take.
    ArgCount { function: String, want: String, got: usize },
    /// A function or method returned an error (wrong argument types, an index out of range, a
    /// bad regular expression …).
    Call { function: String, message: String },
    /// `.Name` on a value that has neither a field nor a method of that name.
    NoField { name: String, type_name: String },
    /// `.Name arg` where `Name` is a field or map key, not a method.
    NotAMethod(String),
    /// `{{ 1 2 }}` or `{{ . | "x" }}`: arguments given to something that is not a function.
    NotAFunction(String),
    /// `{{ nil }}` used as a command.
    NilCommand,
    /// `range` over something that is not a list, map or count.
    NotIterable(String),
    /// Templates invoking templates (or nesting blocks) deeper than the executor allows, which
    /// only a template that calls itself without end reaches.
    TooDeep(usize),
    /// More template invocations and range iterations than the executor allows, which only a
    /// template whose work multiplies (invoking itself twice, ranging over ranges) reaches.
    TooManySteps(usize),
}

impl fmt::Display for ExecErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExecErrorKind::UndefinedTemplate(name) => write!(f, "template {name:?} not defined"),
            ExecErrorKind::ArgCount { function, want, got } => {
                write!(f, "wrong number of args for {function}: want {want} got {got}")
            }
            ExecErrorKind::Call { function, message } => write!(f, "error calling {function}: {message}"),
            ExecErrorKind::NoField { name, type_name } => write!(f, "can't evaluate field {name} in type {type_name}"),
            ExecErrorKind::NotAMethod(name) => write!(f, "{name} is not a method but has arguments"),
            ExecErrorKind::NotAFunction(what) => write!(f, "can't give argument to non-function {what}"),
            ExecErrorKind::NilCommand => f.write_str("nil is not a command"),
            ExecErrorKind::NotIterable(what) => write!(f, "range can't iterate over {what}"),
            ExecErrorKind::TooDeep(limit) => write!(f, "exceeded maximum template depth ({limit})"),
            ExecErrorKind::TooManySteps(limit) => {
                write!(f, "exceeded the limit of {limit} template invocations and range iterations")
            }
        }
    }
}

impl fmt::Display for ExecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Details { template, location, context, kind } = self.0.as_ref();
        match location {
            Some((name, at)) => {
                write!(f, "template: {name}:{}:{}: executing {template:?} at <{context}>: {kind}", at.line, at.col)
            }
            None => write!(f, "template: {template}: {kind}"),
        }
    }
}

impl std::error::Error for ExecError {}

/// Either failure, for [`crate::Template::render`], which parses and executes in one call.
#[derive(Debug, Clone, PartialEq)]
pub enum Error {
    Parse(ParseError),
    Exec(ExecError),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Parse(e) => e.fmt(f),
            Error::Exec(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Parse(e) => Some(e),
            Error::Exec(e) => Some(e),
        }
    }
}

impl From<ParseError> for Error {
    fn from(e: ParseError) -> Self {
        Error::Parse(e)
    }
}

impl From<ExecError> for Error {
    fn from(e: ExecError) -> Self {
        Error::Exec(e)
    }
}

#[cfg(test)]
mod tests {
    use super::Location;

    #[test]
    fn lines_and_columns_count_characters() {
        assert_eq!(Location::of("ab\nµcd efg", 9), Location { pos: 9, line: 2, col: 6 });
        assert_eq!(Location::of("abc", 100), Location { pos: 3, line: 1, col: 4 });
        assert_eq!(Location::of("", 0), Location { pos: 0, line: 1, col: 1 });
    }
}
