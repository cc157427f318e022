//! The PromQL lexer: turns query text into tokens that remember their byte range, so every
//! parse error can point at the place it is about.

use crate::error::{ParseError, Pos};

#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    /// A metric name, label name, keyword or function name; the parser decides which.
    Ident(String),
    Number(f64),
    /// A duration literal such as `5m` or `1h30m`, in milliseconds.
    Duration(i64),
    Str(String),
    LParen,
    RParen,
    LBrace,
    RBrace,
    LBracket,
    RBracket,
    Comma,
    Colon,
    At,
    /// `=` (label matcher).
    Assign,
    Eql,
    Neq,
    Lss,
    Lte,
    Gtr,
    Gte,
    EqlRegex,
    NeqRegex,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Pow,
    Eof,
}

impl Tok {
    /// How the token reads in an error message.
    pub fn describe(&self) -> String {
        match self {
            Tok::Ident(s) => format!("identifier {s:?}"),
            Tok::Number(n) => format!("number {n}"),
            Tok::Duration(_) => "duration".into(),
            Tok::Str(s) => format!("string {s:?}"),
            Tok::Eof => "end of input".into(),
            other => format!("\"{}\"", other.symbol()),
        }
    }

    fn symbol(&self) -> &'static str {
        match self {
            Tok::LParen => "(",
            Tok::RParen => ")",
            Tok::LBrace => "{",
            Tok::RBrace => "}",
            Tok::LBracket => "[",
            Tok::RBracket => "]",
            Tok::Comma => ",",
            Tok::Colon => ":",
            Tok::At => "@",
            Tok::Assign => "=",
            Tok::Eql => "==",
            Tok::Neq => "!=",
            Tok::Lss => "<",
            Tok::Lte => "<=",
            Tok::Gtr => ">",
            Tok::Gte => ">=",
            Tok::EqlRegex => "=~",
            Tok::NeqRegex => "!~",
            Tok::Add => "+",
            Tok::Sub => "-",
            Tok::Mul => "*",
            Tok::Div => "/",
            Tok::Mod => "%",
            Tok::Pow => "^",
            _ => "",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    pub tok: Tok,
    pub pos: Pos,
}

pub fn lex(input: &str) -> Result<Vec<Token>, ParseError> {
    let mut lexer = Lexer { src: input, bytes: input.as_bytes(), i: 0, brackets: 0, tokens: Vec::new() };
    lexer.run()?;
    Ok(lexer.tokens)
}

struct Lexer<'a> {
    src: &'a str,
    bytes: &'a [u8],
    i: usize,
    /// Depth of `[`: inside brackets a colon separates a subquery's range from its step.
    brackets: usize,
    tokens: Vec<Token>,
}

impl Lexer<'_> {
    fn push(&mut self, tok: Tok, start: usize) {
        self.tokens.push(Token { tok, pos: Pos { start, end: self.i } });
    }

    fn peek(&self, ahead: usize) -> Option<u8> {
        self.bytes.get(self.i + ahead).copied()
    }

    fn run(&mut self) -> Result<(), ParseError> {
        while self.i < self.bytes.len() {
            let start = self.i;
            let c = self.bytes[self.i];
            match c {
                b' ' | b'\t' | b'\n' | b'\r' => self.i += 1,
                b'#' => {
                    while self.i < self.bytes.len() && self.bytes[self.i] != b'\n' {
                        self.i += 1;
                    }
                }
                b'(' | b')' | b'{' | b'}' | b',' | b'@' | b'+' | b'-' | b'*' | b'/' | b'%' | b'^' => {
                    self.i += 1;
                    let tok = match c {
                        b'(' => Tok::LParen,
                        b')' => Tok::RParen,
                        b'{' => Tok::LBrace,
                        b'}' => Tok::RBrace,
                        b',' => Tok::Comma,
                        b'@' => Tok::At,
                        b'+' => Tok::Add,
                        b'-' => Tok::Sub,
                        b'*' => Tok::Mul,
                        b'/' => Tok::Div,
                        b'%' => Tok::Mod,
                        _ => Tok::Pow,
                    };
                    self.push(tok, start);
                }
                b'[' => {
                    self.i += 1;
                    self.brackets += 1;
                    self.push(Tok::LBracket, start);
                }
                b']' => {
                    self.i += 1;
                    self.brackets = self.brackets.saturating_sub(1);
                    self.push(Tok::RBracket, start);
                }
                b'=' => {
                    self.i += 1;
                    let tok = match self.peek(0) {
                        Some(b'=') => {
                            self.i += 1;
                            Tok::Eql
                        }
                        Some(b'~') => {
                            self.i += 1;
                            Tok::EqlRegex
                        }
                        _ => Tok::Assign,
                    };
                    self.push(tok, start);
                }
                b'!' => {
                    let tok = match self.peek(1) {
                        Some(b'=') => Tok::Neq,
                        Some(b'~') => Tok::NeqRegex,
                        _ => {
                            return Err(self.error(start, start + 1, "unexpected character after '!'"));
                        }
                    };
                    self.i += 2;
                    self.push(tok, start);
                }
                b'<' | b'>' => {
                    self.i += 1;
                    let eq = self.peek(0) == Some(b'=');
                    if eq {
                        self.i += 1;
                    }
                    let tok = match (c, eq) {
                        (b'<', false) => Tok::Lss,
                        (b'<', true) => Tok::Lte,
                        (_, false) => Tok::Gtr,
                        (_, true) => Tok::Gte,
                    };
                    self.push(tok, start);
                }
                b':' if self.brackets > 0 => {
                    self.i += 1;
                    self.push(Tok::Colon, start);
                }
                b'"' | b'\'' => {
                    let s = self.quoted(c)?;
                    self.push(Tok::Str(s), start);
                }
                b'`' => {
                    self.i += 1;
                    let body_start = self.i;
                    while self.i < self.bytes.len() && self.bytes[self.i] != b'`' {
                        self.i += 1;
                    }
                    if self.i >= self.bytes.len() {
                        return Err(self.error(start, self.i, "unterminated raw string"));
                    }
                    let s = self.src[body_start..self.i].to_string();
                    self.i += 1;
                    self.push(Tok::Str(s), start);
                }
                b'0'..=b'9' | b'.' => self.number_or_duration()?,
                c if c == b'_' || c == b':' || c.is_ascii_alphabetic() => {
                    while self.i < self.bytes.len()
                        && (self.bytes[self.i] == b'_'
                            || self.bytes[self.i] == b':'
                            || self.bytes[self.i].is_ascii_alphanumeric())
                    {
                        self.i += 1;
                    }
                    let word = self.src[start..self.i].to_string();
                    self.push(Tok::Ident(word), start);
                }
                _ => {
                    let ch = self.src[start..].chars().next().unwrap_or('?');
                    return Err(self.error(start, start + ch.len_utf8(), &format!("unexpected character: {ch:?}")));
                }
            }
        }
        let end = self.bytes.len();
        self.tokens.push(Token { tok: Tok::Eof, pos: Pos { start: end, end } });
        Ok(())
    }

    fn error(&self, start: usize, end: usize, msg: &str) -> ParseError {
        ParseError::new(Pos { start, end }, msg)
    }

    fn number_or_duration(&mut self) -> Result<(), ParseError> {
        let start = self.i;
        let bytes = self.bytes;
        // Hexadecimal.
        if bytes[start] == b'0' && matches!(self.peek(1), Some(b'x' | b'X')) {
            self.i += 2;
            while self.i < bytes.len() && bytes[self.i].is_ascii_hexdigit() {
                self.i += 1;
            }
            let value = i64::from_str_radix(&self.src[start + 2..self.i], 16)
                .map_err(|_| self.error(start, self.i, "bad hexadecimal number"))?;
            self.push(Tok::Number(value as f64), start);
            return Ok(());
        }
        let mut j = start;
        while j < bytes.len() && bytes[j].is_ascii_digit() {
            j += 1;
        }
        // A duration: digits followed by a unit, possibly repeated (1h30m).
        if j > start && j < bytes.len() && matches!(bytes[j], b's' | b'm' | b'h' | b'd' | b'w' | b'y') {
            let mut k = start;
            let mut total: i64 = 0;
            loop {
                let digits_start = k;
                while k < bytes.len() && bytes[k].is_ascii_digit() {
                    k += 1;
                }
                if k == digits_start {
                    break;
                }
                let n: i64 =
                    self.src[digits_start..k].parse().map_err(|_| self.error(start, k, "duration out of range"))?;
                let (unit, len) = match (bytes.get(k), bytes.get(k + 1)) {
                    (Some(b'm'), Some(b's')) => (1, 2),
                    (Some(b's'), _) => (1_000, 1),
                    (Some(b'm'), _) => (60_000, 1),
                    (Some(b'h'), _) => (3_600_000, 1),
                    (Some(b'd'), _) => (86_400_000, 1),
                    (Some(b'w'), _) => (7 * 86_400_000, 1),
                    (Some(b'y'), _) => (365 * 86_400_000, 1),
                    _ => return Err(self.error(start, k, "bad duration: a number needs a unit")),
                };
                k += len;
                total = n
                    .checked_mul(unit)
                    .and_then(|v| total.checked_add(v))
                    .ok_or_else(|| self.error(start, k, "duration out of range"))?;
            }
            if k < bytes.len() && (bytes[k].is_ascii_alphanumeric() || bytes[k] == b'_') {
                return Err(self.error(start, k + 1, &format!("bad duration syntax: {:?}", &self.src[start..=k])));
            }
            self.i = k;
            self.push(Tok::Duration(total), start);
            return Ok(());
        }
        // A decimal number with optional fraction and exponent.
        let mut k = j;
        if k < bytes.len() && bytes[k] == b'.' {
            k += 1;
            while k < bytes.len() && bytes[k].is_ascii_digit() {
                k += 1;
            }
        }
        if k < bytes.len() && matches!(bytes[k], b'e' | b'E') {
            let mut e = k + 1;
            if e < bytes.len() && matches!(bytes[e], b'+' | b'-') {
                e += 1;
            }
            let digits = e;
            while e < bytes.len() && bytes[e].is_ascii_digit() {
                e += 1;
            }
            if e > digits {
                k = e;
            }
        }
        let text = &self.src[start..k];
        if k < bytes.len() && (bytes[k].is_ascii_alphabetic() || bytes[k] == b'_') {
            return Err(self.error(
                start,
                k + 1,
                &format!("bad number or duration syntax: {:?}", &self.src[start..=k]),
            ));
        }
        let value: f64 = text.parse().map_err(|_| self.error(start, k, &format!("bad number syntax: {text:?}")))?;
        self.i = k;
        self.push(Tok::Number(value), start);
        Ok(())
    }

    /// A double- or single-quoted string with Go's escapes.
    fn quoted(&mut self, quote: u8) -> Result<String, ParseError> {
        let start = self.i;
        self.i += 1;
        let mut out = String::new();
        loop {
            let Some(&c) = self.bytes.get(self.i) else {
                return Err(self.error(start, self.i, "unterminated quoted string"));
            };
            if c == quote {
                self.i += 1;
                return Ok(out);
            }
            if c == b'\n' {
                return Err(self.error(start, self.i, "unterminated quoted string"));
            }
            if c != b'\\' {
                let ch = self.src[self.i..].chars().next().unwrap_or('\u{fffd}');
                out.push(ch);
                self.i += ch.len_utf8();
                continue;
            }
            let esc_start = self.i;
            self.i += 1;
            let Some(&e) = self.bytes.get(self.i) else {
                return Err(self.error(start, self.i, "escape sequence not terminated"));
            };
            self.i += 1;
            match e {
                b'a' => out.push('\u{7}'),
                b'b' => out.push('\u{8}'),
                b'f' => out.push('\u{c}'),
                b'n' => out.push('\n'),
                b'r' => out.push('\r'),
                b't' => out.push('\t'),
                b'v' => out.push('\u{b}'),
                b'\\' => out.push('\\'),
                b'"' | b'\'' if e == quote => out.push(e as char),
                b'x' | b'u' | b'U' => {
                    let len = match e {
                        b'x' => 2,
                        b'u' => 4,
                        _ => 8,
                    };
                    let hex = self.src.get(self.i..self.i + len).unwrap_or("");
                    let code = u32::from_str_radix(hex, 16)
                        .ok()
                        .filter(|_| hex.len() == len)
                        .ok_or_else(|| self.error(esc_start, self.i, "invalid escape sequence"))?;
                    self.i += len;
                    if e == b'x' {
                        // \xHH is a byte; only ASCII bytes make valid UTF-8 on their own.
                        out.push(char::from_u32(code).filter(|_| code < 0x80).unwrap_or('\u{fffd}'));
                    } else {
                        out.push(
                            char::from_u32(code)
                                .ok_or_else(|| self.error(esc_start, self.i, "invalid Unicode code point"))?,
                        );
                    }
                }
                b'0'..=b'7' => {
                    let oct = self.src.get(self.i - 1..self.i + 2).unwrap_or("");
                    let code = u32::from_str_radix(oct, 8)
                        .ok()
                        .filter(|c| oct.len() == 3 && *c < 256)
                        .ok_or_else(|| self.error(esc_start, self.i, "invalid octal escape"))?;
                    self.i += 2;
                    out.push(char::from_u32(code).filter(|_| code < 0x80).unwrap_or('\u{fffd}'));
                }
                _ => {
                    return Err(self.error(esc_start, self.i, &format!("unknown escape sequence '\\{}'", e as char)));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(input: &str) -> Vec<Tok> {
        lex(input).unwrap().into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn selectors_durations_and_subqueries() {
        assert_eq!(
            toks(r#"rate(foo:bar{a=~"x"}[1h30m:5s])"#),
            vec![
                Tok::Ident("rate".into()),
                Tok::LParen,
                Tok::Ident("foo:bar".into()),
                Tok::LBrace,
                Tok::Ident("a".into()),
                Tok::EqlRegex,
                Tok::Str("x".into()),
                Tok::RBrace,
                Tok::LBracket,
                Tok::Duration(5_400_000),
                Tok::Colon,
                Tok::Duration(5_000),
                Tok::RBracket,
                Tok::RParen,
                Tok::Eof,
            ]
        );
        assert_eq!(toks("x[5m:]")[2..5], [Tok::Duration(300_000), Tok::Colon, Tok::RBracket]);
    }

    #[test]
    fn numbers_and_strings() {
        assert_eq!(
            toks("1.5e3 0x1F .5 'a\\'b' `raw\\n` \"\\u00e9\""),
            vec![
                Tok::Number(1500.0),
                Tok::Number(31.0),
                Tok::Number(0.5),
                Tok::Str("a'b".into()),
                Tok::Str("raw\\n".into()),
                Tok::Str("é".into()),
                Tok::Eof,
            ]
        );
    }

    #[test]
    fn errors_have_positions() {
        let err = lex("foo ! bar").unwrap_err();
        assert_eq!((err.pos.start, err.pos.end), (4, 5));
        let err = lex("foo{a=\"b}").unwrap_err();
        assert_eq!(err.pos.start, 6);
        assert!(err.msg.contains("unterminated"));
    }
}
