//! The lexer: template text into tokens with byte offsets, by Go's rules for the `{{ }}`
//! delimiters, trim markers (`{{- ` and ` -}}`), comments and the words inside actions. The parser
//! pulls tokens one at a time, so a lexical error late in the text never hides an earlier syntax
//! error.

use std::fmt;

/// What a token is. Literals keep their source text; the parser converts them.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok {
    /// Text outside actions, with trim markers already applied.
    Text(String),
    LeftDelim,
    RightDelim,
    /// A run of spaces, tabs and newlines inside an action.
    Space,
    /// `:=`
    Declare,
    /// `=`
    Assign,
    Pipe,
    LeftParen,
    RightParen,
    /// Any other printable ASCII character inside an action, such as `,`.
    Char(char),
    Bool(bool),
    Number,
    CharConstant,
    String,
    RawString,
    /// `.Name`, holding `Name`.
    Field(String),
    /// `$` or `$name`, with the `$`.
    Variable(String),
    Identifier(String),
    Dot,
    Nil,
    Keyword(Keyword),
    Eof,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Keyword {
    Block,
    Break,
    Continue,
    Define,
    Else,
    End,
    If,
    Range,
    Template,
    With,
}

impl Keyword {
    fn from_word(word: &str) -> Option<Keyword> {
        Some(match word {
            "block" => Keyword::Block,
            "break" => Keyword::Break,
            "continue" => Keyword::Continue,
            "define" => Keyword::Define,
            "else" => Keyword::Else,
            "end" => Keyword::End,
            "if" => Keyword::If,
            "range" => Keyword::Range,
            "template" => Keyword::Template,
            "with" => Keyword::With,
            _ => return None,
        })
    }

    fn word(self) -> &'static str {
        match self {
            Keyword::Block => "block",
            Keyword::Break => "break",
            Keyword::Continue => "continue",
            Keyword::Define => "define",
            Keyword::Else => "else",
            Keyword::End => "end",
            Keyword::If => "if",
            Keyword::Range => "range",
            Keyword::Template => "template",
            Keyword::With => "with",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Token {
    pub tok: Tok,
    /// Byte offset of the token's first character.
    pub pos: usize,
    /// The source text of the token.
    pub text: String,
}

impl fmt::Display for Token {
    /// How Go's parser names a token in "unexpected …" messages.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.tok {
            Tok::Eof => f.write_str("EOF"),
            Tok::Keyword(k) => write!(f, "<{}>", k.word()),
            Tok::Nil => f.write_str("<nil>"),
            Tok::Dot => f.write_str("<.>"),
            _ if self.text.chars().count() > 10 => {
                let head: String = self.text.chars().take(10).collect();
                write!(f, "{}...", crate::gofmt::quote(&head))
            }
            _ => f.write_str(&crate::gofmt::quote(&self.text)),
        }
    }
}

/// A lexical error: where, and Go's message for it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LexError {
    pub pos: usize,
    pub message: String,
}

/// The characters trim markers remove, and the ones that separate words in an action.
const SPACE_CHARS: &[char] = &[' ', '\t', '\r', '\n'];

fn is_space(c: char) -> bool {
    SPACE_CHARS.contains(&c)
}

fn is_alphanumeric(c: char) -> bool {
    c == '_' || c.is_alphabetic() || c.is_numeric()
}

/// `{{-` counts as a trim marker only when a space follows, so `{{-3}}` stays the number -3.
fn has_left_trim_marker(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next() == Some('-') && chars.next().is_some_and(is_space)
}

/// Go's `%#U`: `U+0041 'A'`, or just `U+00A0` for a character that does not print.
pub(crate) fn describe_char(c: char) -> String {
    if c.is_control() || (c.is_whitespace() && c != ' ') {
        format!("U+{:04X}", c as u32)
    } else {
        format!("U+{:04X} '{c}'", c as u32)
    }
}

enum State {
    Text,
    /// At a `{{` found while scanning text.
    LeftDelim(usize),
    Action,
    Done,
}

pub(crate) struct Lexer<'a> {
    src: &'a str,
    pos: usize,
    state: State,
    paren_depth: usize,
    /// Where the current action's `{{` is, which an unclosed action is reported at.
    action_start: usize,
}

impl<'a> Lexer<'a> {
    pub fn new(src: &'a str) -> Self {
        Lexer { src, pos: 0, state: State::Text, paren_depth: 0, action_start: 0 }
    }

    pub fn next_token(&mut self) -> Result<Token, LexError> {
        loop {
            let token = match self.state {
                State::Text => self.lex_text(),
                State::LeftDelim(at) => self.lex_left_delim(at)?,
                State::Action => Some(self.lex_inside_action()?),
                State::Done => Some(self.token(Tok::Eof, self.src.len(), self.src.len())),
            };
            if let Some(token) = token {
                return Ok(token);
            }
        }
    }

    fn token(&self, tok: Tok, start: usize, end: usize) -> Token {
        Token { tok, pos: start, text: self.src[start..end].to_string() }
    }

    fn rest(&self) -> &'a str {
        &self.src[self.pos..]
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn error(&self, pos: usize, message: impl Into<String>) -> LexError {
        LexError { pos, message: message.into() }
    }

    fn lex_text(&mut self) -> Option<Token> {
        let start = self.pos;
        let Some(offset) = self.rest().find("{{") else {
            self.pos = self.src.len();
            self.state = State::Done;
            return (start < self.pos).then(|| self.token(Tok::Text(self.src[start..].to_string()), start, self.pos));
        };
        let at = start + offset;
        let mut end = at;
        if has_left_trim_marker(&self.src[at + 2..]) {
            end = start + self.src[start..at].trim_end_matches(SPACE_CHARS).len();
        }
        self.state = State::LeftDelim(at);
        self.pos = at;
        (start < end).then(|| self.token(Tok::Text(self.src[start..end].to_string()), start, end))
    }

    fn lex_left_delim(&mut self, at: usize) -> Result<Option<Token>, LexError> {
        self.pos = at + 2;
        let marker = if has_left_trim_marker(self.rest()) { 2 } else { 0 };
        if self.src[self.pos + marker..].starts_with("/*") {
            self.pos += marker;
            self.lex_comment(at)?;
            return Ok(None);
        }
        self.pos += marker;
        self.state = State::Action;
        self.paren_depth = 0;
        self.action_start = at;
        Ok(Some(self.token(Tok::LeftDelim, at, at + 2)))
    }

    /// Skips a comment, which must fill its action: `{{/* … */}}`, possibly with trim markers.
    fn lex_comment(&mut self, at: usize) -> Result<(), LexError> {
        let Some(close) = self.src[self.pos + 2..].find("*/") else {
            return Err(self.error(at, "unclosed comment"));
        };
        self.pos += 2 + close + 2;
        let Some(trim) = self.at_right_delim() else {
            return Err(self.error(at, "comment ends before closing delimiter"));
        };
        self.skip_right_delim(trim);
        self.state = State::Text;
        Ok(())
    }

    /// Whether the input is at `}}` (`Some(false)`) or ` -}}` (`Some(true)`).
    fn at_right_delim(&self) -> Option<bool> {
        let rest = self.rest();
        if rest.starts_with("}}") {
            return Some(false);
        }
        let mut chars = rest.chars();
        (chars.next().is_some_and(is_space) && chars.as_str().starts_with("-}}")).then_some(true)
    }

    fn skip_right_delim(&mut self, trim: bool) {
        self.pos += if trim { 4 } else { 2 };
        if trim {
            self.pos = self.src.len() - self.rest().trim_start_matches(SPACE_CHARS).len();
        }
    }

    /// Whether the next character may end an identifier, field or variable. Go demands one, so
    /// `$x+2` is an error rather than two words.
    fn at_terminator(&self) -> bool {
        match self.peek() {
            None => true,
            Some(c) => is_space(c) || matches!(c, '.' | ',' | '|' | ':' | ')' | '(' | '}'),
        }
    }

    fn lex_inside_action(&mut self) -> Result<Token, LexError> {
        loop {
            if let Some(trim) = self.at_right_delim() {
                if self.paren_depth > 0 {
                    return Err(self.error(self.pos, "unclosed left paren"));
                }
                let start = self.pos;
                self.skip_right_delim(trim);
                self.state = State::Text;
                return Ok(self.token(Tok::RightDelim, start, start + if trim { 4 } else { 2 }));
            }
            let start = self.pos;
            let Some(c) = self.peek() else {
                return Err(self.error(self.action_start, "unclosed action"));
            };
            if is_space(c) {
                if let Some(token) = self.lex_space() {
                    return Ok(token);
                }
                continue;
            }
            self.pos += c.len_utf8();
            let tok = match c {
                ':' => {
                    if self.peek() != Some('=') {
                        return Err(self.error(start, "expected :="));
                    }
                    self.pos += 1;
                    Tok::Declare
                }
                '|' => Tok::Pipe,
                '=' => Tok::Assign,
                '(' => {
                    self.paren_depth += 1;
                    Tok::LeftParen
                }
                ')' => {
                    if self.paren_depth == 0 {
                        return Err(self.error(start, format!("unexpected right paren {}", describe_char(c))));
                    }
                    self.paren_depth -= 1;
                    Tok::RightParen
                }
                '"' => self.lex_quote(start, '"', "unterminated quoted string", Tok::String)?,
                '\'' => self.lex_quote(start, '\'', "unterminated character constant", Tok::CharConstant)?,
                '`' => match self.rest().find('`') {
                    Some(close) => {
                        self.pos += close + 1;
                        Tok::RawString
                    }
                    None => return Err(self.error(start, "unterminated raw quoted string")),
                },
                '$' => {
                    let name = self.lex_word(start)?;
                    Tok::Variable(format!("${name}"))
                }
                '.' if !self.peek().is_some_and(|c| c.is_ascii_digit()) => {
                    let name = self.lex_word(start)?;
                    if name.is_empty() { Tok::Dot } else { Tok::Field(name) }
                }
                '.' | '+' | '-' | '0'..='9' => {
                    self.pos = start;
                    self.lex_number(start)?
                }
                c if is_alphanumeric(c) => {
                    self.pos = start;
                    let word = self.lex_word(start)?;
                    match word.as_str() {
                        "true" => Tok::Bool(true),
                        "false" => Tok::Bool(false),
                        "nil" => Tok::Nil,
                        _ => Keyword::from_word(&word).map_or(Tok::Identifier(word), Tok::Keyword),
                    }
                }
                c if c.is_ascii_graphic() => Tok::Char(c),
                c => return Err(self.error(start, format!("unrecognized character in action: {}", describe_char(c)))),
            };
            return Ok(self.token(tok, start, self.pos));
        }
    }

    /// A run of spaces; `None` when the run is only the space of a ` -}}` trim marker.
    fn lex_space(&mut self) -> Option<Token> {
        let start = self.pos;
        let mut end = self.src.len() - self.rest().trim_start_matches(SPACE_CHARS).len();
        // The last space before `-}}` belongs to the trim marker, not to the run.
        if self.src[end..].starts_with("-}}") {
            end -= 1;
        }
        self.pos = end;
        (end > start).then(|| self.token(Tok::Space, start, end))
    }

    /// The alphanumeric word at the position (after a `$` or `.` already consumed), which must end
    /// at a terminator.
    fn lex_word(&mut self, start: usize) -> Result<String, LexError> {
        let word_start = self.pos;
        while let Some(c) = self.peek().filter(|&c| is_alphanumeric(c)) {
            self.pos += c.len_utf8();
        }
        if !self.at_terminator() {
            let bad = self.peek().map_or_else(String::new, describe_char);
            return Err(self.error(start, format!("bad character {bad}")));
        }
        Ok(self.src[word_start..self.pos].to_string())
    }

    fn lex_quote(&mut self, start: usize, close: char, unterminated: &str, tok: Tok) -> Result<Tok, LexError> {
        loop {
            let Some(c) = self.peek() else {
                return Err(self.error(start, unterminated));
            };
            self.pos += c.len_utf8();
            match c {
                '\\' => match self.peek() {
                    Some(escaped) if escaped != '\n' => self.pos += escaped.len_utf8(),
                    _ => return Err(self.error(start, unterminated)),
                },
                '\n' => return Err(self.error(start, unterminated)),
                c if c == close => return Ok(tok),
                _ => {}
            }
        }
    }

    fn accept(&mut self, valid: &str) -> bool {
        match self.peek() {
            Some(c) if valid.contains(c) => {
                self.pos += c.len_utf8();
                true
            }
            _ => false,
        }
    }

    fn accept_run(&mut self, valid: &str) {
        while self.accept(valid) {}
    }

    /// Go's loose number scanner: a sign, a base prefix, digits, a fraction and an exponent. The
    /// parser checks the text properly.
    fn lex_number(&mut self, start: usize) -> Result<Tok, LexError> {
        self.accept("+-");
        let mut digits = "0123456789_";
        let mut exponent = "eE";
        if self.accept("0") {
            if self.accept("xX") {
                digits = "0123456789abcdefABCDEF_";
                exponent = "pP";
            } else if self.accept("oO") {
                digits = "01234567_";
            } else if self.accept("bB") {
                digits = "01_";
            }
        }
        self.accept_run(digits);
        if self.accept(".") {
            self.accept_run(digits);
        }
        if self.accept(exponent) {
            self.accept("+-");
            self.accept_run("0123456789_");
        }
        self.accept("i");
        if let Some(c) = self.peek().filter(|&c| is_alphanumeric(c) || c == '+' || c == '-') {
            self.pos += c.len_utf8();
            return Err(
                self.error(start, format!("bad number syntax: {}", crate::gofmt::quote(&self.src[start..self.pos])))
            );
        }
        Ok(Tok::Number)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(src: &str) -> Vec<Tok> {
        let mut lexer = Lexer::new(src);
        let mut out = Vec::new();
        loop {
            match lexer.next_token() {
                Ok(Token { tok: Tok::Eof, .. }) => return out,
                Ok(token) => out.push(token.tok),
                Err(e) => panic!("{src}: {e:?}"),
            }
        }
    }

    fn check(src: &str, expected: &[Tok]) {
        assert_eq!(tokens(src), expected, "{src}");
    }

    fn check_error(src: &str, message: &str) {
        let mut lexer = Lexer::new(src);
        loop {
            match lexer.next_token() {
                Ok(Token { tok: Tok::Eof, .. }) => panic!("{src}: no error"),
                Ok(_) => {}
                Err(e) => return assert_eq!(e.message, message, "{src}"),
            }
        }
    }

    use Tok::*;

    #[test]
    fn text_and_actions() {
        check("", &[]);
        check("plain", &[Text("plain".into())]);
        check("a{{.}}b", &[Text("a".into()), LeftDelim, Dot, RightDelim, Text("b".into())]);
        check(
            "{{ .A.b $x $ }}",
            &[
                LeftDelim,
                Space,
                Field("A".into()),
                Field("b".into()),
                Space,
                Variable("$x".into()),
                Space,
                Variable("$".into()),
                Space,
                RightDelim,
            ],
        );
        check(
            "{{$x := f 1 \"s\" `r` true nil|g}}",
            &[
                LeftDelim,
                Variable("$x".into()),
                Space,
                Declare,
                Space,
                Identifier("f".into()),
                Space,
                Number,
                Space,
                String,
                Space,
                RawString,
                Space,
                Bool(true),
                Space,
                Nil,
                Pipe,
                Identifier("g".into()),
                RightDelim,
            ],
        );
        check(
            "{{if}}{{end}}",
            &[
                LeftDelim,
                Tok::Keyword(super::Keyword::If),
                RightDelim,
                LeftDelim,
                Tok::Keyword(super::Keyword::End),
                RightDelim,
            ],
        );
        check("{{(1)}}", &[LeftDelim, LeftParen, Number, RightParen, RightDelim]);
        check("{{ -3 }}", &[LeftDelim, Space, Number, Space, RightDelim]);
        check("{{\n.x\n}}", &[LeftDelim, Space, Field("x".into()), Space, RightDelim]);
    }

    #[test]
    fn trim_markers_and_comments() {
        check("a  {{- 1 -}}  b", &[Text("a".into()), LeftDelim, Number, RightDelim, Text("b".into())]);
        check(
            "a \n{{-  1  -}}\n b",
            &[Text("a".into()), LeftDelim, Space, Number, Space, RightDelim, Text("b".into())],
        );
        check("{{-3}}", &[LeftDelim, Number, RightDelim]);
        check("a {{/* c */}} b", &[Text("a ".into()), Text(" b".into())]);
        check("a {{- /* c */ -}} b", &[Text("a".into()), Text("b".into())]);
        check("{{/* multi\nline */}}", &[]);
    }

    #[test]
    fn errors() {
        check_error("{{", "unclosed action");
        check_error("{{ .x ", "unclosed action");
        check_error("{{/* x", "unclosed comment");
        check_error("{{/* x */ }}", "comment ends before closing delimiter");
        check_error("{{ \"abc }}", "unterminated quoted string");
        check_error("{{ `abc }}", "unterminated raw quoted string");
        check_error("{{ 'a }}", "unterminated character constant");
        check_error("{{ ( }}", "unclosed left paren");
        check_error("{{ ) }}", "unexpected right paren U+0029 ')'");
        check_error("{{ : }}", "expected :=");
        check_error("{{ $x+1 }}", "bad character U+002B '+'");
        check_error("{{ 3k }}", "bad number syntax: \"3k\"");
        check_error("{{ \u{a0} }}", "unrecognized character in action: U+00A0");
    }
}
