//! The LogQL lexer: turns query text into tokens that remember their byte range. It follows Loki's
//! lexer where that shapes the language: a range `[5m]` is one token, a number directly followed by
//! a unit is a duration or a byte size, `--strict` is a flag, and `#` starts a comment.

use std::time::Duration;

use crate::ast::Span;
use crate::duration::{parse_bytes, parse_duration};
use crate::error::ParseError;

#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    /// A label name, keyword or function name; the parser decides which.
    Ident(String),
    Number(f64),
    Duration(Duration),
    /// A byte size such as `20MB`, in bytes.
    Bytes(u64),
    /// A string with its escapes resolved.
    Str(String),
    /// `[5m]`
    Range(Duration),
    /// `--strict`, `--keep-empty`
    Flag(String),
    LParen,
    RParen,
    LBrace,
    RBrace,
    Comma,
    /// `=`
    Eq,
    /// `==`
    CmpEq,
    /// `!=`
    Neq,
    /// `=~`
    Re,
    /// `!~`
    Nre,
    /// `|`
    Pipe,
    /// `|=`
    PipeExact,
    /// `|~`
    PipeMatch,
    /// `|>`
    PipePattern,
    /// `!>`
    NotPattern,
    Lt,
    Lte,
    Gt,
    Gte,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Pow,
    Eof,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    pub tok: Tok,
    pub span: Span,
}

/// Words that are never label names in a label filter, because a stage or an operator starts with
/// them; Loki reserves them everywhere, we only where they would be ambiguous.
pub const RESERVED: &[&str] = &[
    "json",
    "logfmt",
    "regexp",
    "pattern",
    "unpack",
    "unwrap",
    "line_format",
    "label_format",
    "decolorize",
    "drop",
    "keep",
    "and",
    "or",
    "unless",
    "by",
    "without",
    "bool",
    "on",
    "ignoring",
    "group_left",
    "group_right",
    "offset",
];

impl Token {
    /// How the token reads in an error message: its text, with its kind where that helps.
    pub fn describe(&self, src: &str) -> String {
        let text = src.get(self.span.start..self.span.end).unwrap_or("");
        // Long strings would drown the message; their start is enough to find them.
        let text = match text.char_indices().nth(40) {
            Some((cut, _)) => format!("{}...", &text[..cut]),
            None => text.to_string(),
        };
        match &self.tok {
            Tok::Eof => "end of input".to_string(),
            Tok::Ident(word) if RESERVED.iter().any(|r| r.eq_ignore_ascii_case(word)) => format!("{text:?}"),
            Tok::Ident(_) => format!("identifier {text:?}"),
            Tok::Number(_) => format!("number {text}"),
            Tok::Duration(_) => format!("duration {text}"),
            Tok::Bytes(_) => format!("byte size {text}"),
            Tok::Str(_) => format!("string {text}"),
            Tok::Range(_) => format!("range {text}"),
            Tok::Flag(_) => format!("flag {text}"),
            _ => format!("{text:?}"),
        }
    }
}

pub fn is_label_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

pub fn lex(src: &str) -> Result<Vec<Token>, ParseError> {
    let mut lexer = Lexer { src, bytes: src.as_bytes(), i: 0, tokens: Vec::new() };
    lexer.run()?;
    Ok(lexer.tokens)
}

struct Lexer<'a> {
    src: &'a str,
    bytes: &'a [u8],
    i: usize,
    tokens: Vec<Token>,
}

impl Lexer<'_> {
    fn push(&mut self, tok: Tok, start: usize) {
        self.tokens.push(Token { tok, span: Span::new(start, self.i) });
    }

    fn peek(&self, ahead: usize) -> Option<u8> {
        self.bytes.get(self.i + ahead).copied()
    }

    /// Consumes one byte and, if the next byte is one of `seconds`, that one too; returns which
    /// second byte was taken.
    fn pair(&mut self, seconds: &[u8]) -> Option<u8> {
        self.i += 1;
        let second = self.peek(0).filter(|b| seconds.contains(b));
        if second.is_some() {
            self.i += 1;
        }
        second
    }

    fn run(&mut self) -> Result<(), ParseError> {
        while let Some(c) = self.peek(0) {
            let start = self.i;
            match c {
                b' ' | b'\t' | b'\n' | b'\r' => self.i += 1,
                b'#' => {
                    while self.peek(0).is_some_and(|b| b != b'\n') {
                        self.i += 1;
                    }
                }
                b'(' | b')' | b'{' | b'}' | b',' | b'+' | b'*' | b'/' | b'%' | b'^' => {
                    self.i += 1;
                    let tok = match c {
                        b'(' => Tok::LParen,
                        b')' => Tok::RParen,
                        b'{' => Tok::LBrace,
                        b'}' => Tok::RBrace,
                        b',' => Tok::Comma,
                        b'+' => Tok::Add,
                        b'*' => Tok::Mul,
                        b'/' => Tok::Div,
                        b'%' => Tok::Mod,
                        _ => Tok::Pow,
                    };
                    self.push(tok, start);
                }
                b'-' => {
                    if self.peek(1) == Some(b'-') && self.peek(2).is_some_and(|b| b.is_ascii_alphabetic()) {
                        self.i += 2;
                        while self.peek(0).is_some_and(|b| b.is_ascii_alphabetic() || b == b'-') {
                            self.i += 1;
                        }
                        self.push(Tok::Flag(self.src[start..self.i].to_string()), start);
                    } else {
                        self.i += 1;
                        self.push(Tok::Sub, start);
                    }
                }
                b'=' => {
                    let tok = match self.pair(b"=~") {
                        Some(b'=') => Tok::CmpEq,
                        Some(_) => Tok::Re,
                        None => Tok::Eq,
                    };
                    self.push(tok, start);
                }
                b'|' => {
                    let tok = match self.pair(b"=~>") {
                        Some(b'=') => Tok::PipeExact,
                        Some(b'~') => Tok::PipeMatch,
                        Some(_) => Tok::PipePattern,
                        None => Tok::Pipe,
                    };
                    self.push(tok, start);
                }
                b'!' => {
                    let tok = match self.pair(b"=~>") {
                        Some(b'=') => Tok::Neq,
                        Some(b'~') => Tok::Nre,
                        Some(_) => Tok::NotPattern,
                        None => return Err(ParseError::syntax(start, "unexpected character \"!\"")),
                    };
                    self.push(tok, start);
                }
                b'<' | b'>' => {
                    let tok = match (c, self.pair(b"=").is_some()) {
                        (b'<', false) => Tok::Lt,
                        (b'<', true) => Tok::Lte,
                        (_, false) => Tok::Gt,
                        (_, true) => Tok::Gte,
                    };
                    self.push(tok, start);
                }
                b'[' => self.range()?,
                b'"' => {
                    let s = self.quoted()?;
                    self.push(Tok::Str(s), start);
                }
                b'`' => {
                    self.i += 1;
                    let Some(len) = self.src[self.i..].find('`') else {
                        return Err(ParseError::syntax(start, "unterminated raw string"));
                    };
                    let s = self.src[self.i..self.i + len].to_string();
                    self.i += len + 1;
                    self.push(Tok::Str(s), start);
                }
                b'0'..=b'9' => self.number()?,
                b'.' if self.peek(1).is_some_and(|b| b.is_ascii_digit()) => self.number()?,
                c if c == b'_' || c.is_ascii_alphabetic() => {
                    while self.peek(0).is_some_and(|b| b == b'_' || b.is_ascii_alphanumeric()) {
                        self.i += 1;
                    }
                    self.push(Tok::Ident(self.src[start..self.i].to_string()), start);
                }
                _ => {
                    let ch = self.src[start..].chars().next().unwrap_or('?');
                    return Err(ParseError::syntax(start, format!("unexpected character \"{ch}\"")));
                }
            }
        }
        let end = self.bytes.len();
        self.tokens.push(Token { tok: Tok::Eof, span: Span::new(end, end) });
        Ok(())
    }

    /// `[5m]`: Loki lexes the whole bracket as one token and reads what is inside as a duration.
    fn range(&mut self) -> Result<(), ParseError> {
        let start = self.i;
        let Some(len) = self.src[start + 1..].find(']') else {
            return Err(ParseError::syntax(start, "missing closing ']' in duration"));
        };
        let inner = &self.src[start + 1..start + 1 + len];
        let text = inner.trim_matches([' ', '\t', '\n', '\r']);
        let text_pos = start + 1 + (inner.len() - inner.trim_start_matches([' ', '\t', '\n', '\r']).len());
        let Some(d) = parse_duration(text) else {
            return Err(ParseError::new(text_pos, format!("not a valid duration string: {text:?}")));
        };
        self.i = start + len + 2;
        self.push(Tok::Range(d), start);
        Ok(())
    }

    /// A number, or, when letters follow it directly, a duration (`1h30m`, `1.5s`) or a byte size
    /// (`20MB`).
    fn number(&mut self) -> Result<(), ParseError> {
        let start = self.i;
        let digits = |lexer: &mut Self| {
            while lexer.peek(0).is_some_and(|b| b.is_ascii_digit()) {
                lexer.i += 1;
            }
        };
        digits(self);
        if self.peek(0) == Some(b'.') {
            self.i += 1;
            digits(self);
        }
        if matches!(self.peek(0), Some(b'e' | b'E')) {
            let sign = usize::from(matches!(self.peek(1), Some(b'+' | b'-')));
            if self.peek(1 + sign).is_some_and(|b| b.is_ascii_digit()) {
                self.i += 1 + sign;
                digits(self);
            }
        }
        let number_end = self.i;
        // The unit part: letters, digits and dots up to the next separator, plus µ and μ.
        let mut end = number_end;
        while let Some(ch) = self.src[end..].chars().next() {
            if ch.is_ascii_alphanumeric() || ch == '.' || ch == '_' || ch == 'µ' || ch == 'μ' {
                end += ch.len_utf8();
            } else {
                break;
            }
        }
        let text = &self.src[start..end];
        if end == number_end {
            let value: f64 = text.parse().map_err(|_| ParseError::syntax(start, format!("invalid number {text:?}")))?;
            if !value.is_finite() {
                return Err(ParseError::syntax(start, format!("number {text} is out of range")));
            }
            self.push(Tok::Number(value), start);
            return Ok(());
        }
        self.i = end;
        if let Some(d) = parse_duration(text) {
            self.push(Tok::Duration(d), start);
        } else if let Some(b) = parse_bytes(text) {
            self.push(Tok::Bytes(b), start);
        } else {
            return Err(ParseError::syntax(start, format!("invalid number, duration or byte size {text:?}")));
        }
        Ok(())
    }

    /// A double-quoted string with Go's escapes. `\x` and octal escapes give bytes, which must
    /// make valid UTF-8 together.
    fn quoted(&mut self) -> Result<String, ParseError> {
        let start = self.i;
        self.i += 1;
        let mut out: Vec<u8> = Vec::new();
        loop {
            let Some(c) = self.peek(0) else {
                return Err(ParseError::syntax(start, "unterminated string"));
            };
            match c {
                b'"' => {
                    self.i += 1;
                    return String::from_utf8(out)
                        .map_err(|_| ParseError::syntax(start, "string escapes make invalid UTF-8"));
                }
                b'\n' => return Err(ParseError::syntax(start, "unterminated string")),
                b'\\' => self.escape(&mut out)?,
                _ => {
                    out.push(c);
                    self.i += 1;
                }
            }
        }
    }

    fn escape(&mut self, out: &mut Vec<u8>) -> Result<(), ParseError> {
        let at = self.i;
        let bad = |what: &str| ParseError::syntax(at, format!("invalid escape sequence: {what}"));
        let Some(e) = self.peek(1) else {
            return Err(bad("unterminated"));
        };
        self.i += 2;
        let simple = match e {
            b'a' => Some(0x07),
            b'b' => Some(0x08),
            b'f' => Some(0x0c),
            b'n' => Some(b'\n'),
            b'r' => Some(b'\r'),
            b't' => Some(b'\t'),
            b'v' => Some(0x0b),
            b'\\' => Some(b'\\'),
            b'"' => Some(b'"'),
            _ => None,
        };
        if let Some(b) = simple {
            out.push(b);
            return Ok(());
        }
        match e {
            b'x' | b'u' | b'U' => {
                let len = match e {
                    b'x' => 2,
                    b'u' => 4,
                    _ => 8,
                };
                let hex = self.src.get(self.i..self.i + len).unwrap_or("");
                let code = u32::from_str_radix(hex, 16)
                    .ok()
                    .filter(|_| hex.len() == len && hex.bytes().all(|b| b.is_ascii_hexdigit()))
                    .ok_or_else(|| bad(&format!("\\{} needs {len} hex digits", e as char)))?;
                self.i += len;
                if e == b'x' {
                    out.push(code as u8);
                } else {
                    let ch = char::from_u32(code).ok_or_else(|| bad("not a Unicode code point"))?;
                    out.extend_from_slice(ch.encode_utf8(&mut [0; 4]).as_bytes());
                }
            }
            b'0'..=b'7' => {
                let oct = self.src.get(self.i - 1..self.i + 2).unwrap_or("");
                let code = u32::from_str_radix(oct, 8)
                    .ok()
                    .filter(|&c| oct.len() == 3 && oct.bytes().all(|b| (b'0'..=b'7').contains(&b)) && c < 256)
                    .ok_or_else(|| bad("octal escapes need three digits up to \\377"))?;
                self.i += 2;
                out.push(code as u8);
            }
            _ => {
                let ch = self.src[self.i - 1..].chars().next().unwrap_or('?');
                self.i += ch.len_utf8() - 1;
                return Err(bad(&format!("\\{ch}")));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(input: &str) -> Vec<Tok> {
        lex(input).unwrap().into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn operators_and_pipes() {
        use Tok::*;
        assert_eq!(
            toks(r#"{a="b"} |= "x" != "y" |~ "z" !~ "w" |> "p" !> "q" | level == 5"#),
            vec![
                LBrace,
                Ident("a".into()),
                Eq,
                Str("b".into()),
                RBrace,
                PipeExact,
                Str("x".into()),
                Neq,
                Str("y".into()),
                PipeMatch,
                Str("z".into()),
                Nre,
                Str("w".into()),
                PipePattern,
                Str("p".into()),
                NotPattern,
                Str("q".into()),
                Pipe,
                Ident("level".into()),
                CmpEq,
                Number(5.0),
                Eof,
            ]
        );
        assert_eq!(toks("a=~b<=c>=d<e>f"), {
            let i = |s: &str| Ident(s.into());
            vec![i("a"), Re, i("b"), Lte, i("c"), Gte, i("d"), Lt, i("e"), Gt, i("f"), Eof]
        });
    }

    #[test]
    fn numbers_durations_bytes_ranges_and_flags() {
        use Tok::*;
        assert_eq!(
            toks("1.5 .5 1e3 10s 1m30s 250ms 20MB 1KiB [5m] [ 1h ] --strict --keep-empty 1 --1"),
            vec![
                Number(1.5),
                Number(0.5),
                Number(1000.0),
                Duration(std::time::Duration::from_secs(10)),
                Duration(std::time::Duration::from_secs(90)),
                Duration(std::time::Duration::from_millis(250)),
                Bytes(20_000_000),
                Bytes(1024),
                Range(std::time::Duration::from_secs(300)),
                Range(std::time::Duration::from_secs(3600)),
                Flag("--strict".into()),
                Flag("--keep-empty".into()),
                Number(1.0),
                Sub,
                Sub,
                Number(1.0),
                Eof,
            ]
        );
    }

    #[test]
    fn strings_and_comments() {
        use Tok::*;
        assert_eq!(
            toks("\"a\\\"b\\n\\u00e9\\xc3\\xa9\\101\" `raw\\n` # comment\n\"x\""),
            vec![Str("a\"b\néé\u{41}".into()), Str("raw\\n".into()), Str("x".into()), Eof]
        );
    }

    #[test]
    fn errors_have_positions() {
        let cases: &[(&str, usize, &str)] = &[
            ("a ! b", 2, "syntax error: unexpected character \"!\""),
            ("{a=\"b}", 3, "syntax error: unterminated string"),
            ("x `raw", 2, "syntax error: unterminated raw string"),
            ("\"\\q\"", 1, "syntax error: invalid escape sequence: \\q"),
            ("\"\\xff\"", 0, "syntax error: string escapes make invalid UTF-8"),
            ("x[5m", 1, "syntax error: missing closing ']' in duration"),
            ("x[ 5x]", 3, "not a valid duration string: \"5x\""),
            ("5mb", 0, "syntax error: invalid number, duration or byte size \"5mb\""),
            ("1e999", 0, "syntax error: number 1e999 is out of range"),
            ("a @", 2, "syntax error: unexpected character \"@\""),
        ];
        for &(input, pos, message) in cases {
            let err = lex(input).unwrap_err();
            assert_eq!((err.pos, err.message.as_str()), (pos, message), "{input}");
        }
    }
}
