//! The parse error: a byte offset into the query, its line and column, and a message, rendered
//! the way Loki renders its own (`parse error at line 1, col 15: syntax error: ...`) so clients that
//! show Loki's errors show ours the same way.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// Byte offset into the query of the place the error is about.
    pub pos: usize,
    /// 1-based line of `pos`.
    pub line: usize,
    /// 1-based column of `pos`, counted in characters as Loki's scanner counts them.
    pub col: usize,
    pub message: String,
}

impl ParseError {
    /// An error whose line and column [`crate::parse`] fills in once it knows the query text.
    pub(crate) fn new(pos: usize, message: impl Into<String>) -> Self {
        ParseError { pos, line: 0, col: 0, message: message.into() }
    }

    /// A grammar error, prefixed the way Loki's yacc errors are.
    pub(crate) fn syntax(pos: usize, message: impl fmt::Display) -> Self {
        Self::new(pos, format!("syntax error: {message}"))
    }

    pub(crate) fn locate(mut self, query: &str) -> Self {
        self.pos = self.pos.min(query.len());
        // Positions come from the lexer and sit on character boundaries; `get` keeps a mistake
        // from turning into a panic.
        let before = query.get(..self.pos).unwrap_or(query);
        self.line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |nl| nl + 1);
        self.col = before[line_start..].chars().count() + 1;
        self
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "parse error at line {}, col {}: {}", self.line, self.col, self.message)
    }
}

impl std::error::Error for ParseError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns_count_characters() {
        let e = ParseError::new(9, "x").locate("ab\nµcd efg");
        assert_eq!((e.line, e.col), (2, 6));
        assert_eq!(e.to_string(), "parse error at line 2, col 6: x");
        let e = ParseError::new(100, "y").locate("abc");
        assert_eq!((e.pos, e.line, e.col), (3, 1, 4));
    }
}
