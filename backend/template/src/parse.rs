//! The parser: tokens into [`Tree`]s (the main text, and one per `{{ define }}` and
//! `{{ block }}`) by Go's grammar, with Go's error messages. It also checks what Go checks while
//! parsing: every function called is registered, every variable used is declared.

use std::collections::HashMap;
use std::mem;
use std::sync::Arc;

use crate::ast::{Branch, Command, Node, Number, Operand, Pipeline, Pos, Tree};
use crate::error::{Location, ParseError};
use crate::gofmt::quote;
use crate::lexer::{Keyword, Lexer, Tok, Token};

/// How deeply blocks and parentheses may nest. Deeper input is refused rather than risking the
/// stack; real templates nest a handful of levels.
const MAX_DEPTH: usize = 100;

/// Parses `text` under `name`. `variables` are declared (without `$`) in the main text, not in
/// the definitions it holds.
pub(crate) fn parse(
    name: &str,
    text: &str,
    has_function: &dyn Fn(&str) -> bool,
    variables: &[String],
) -> Result<HashMap<String, Tree>, ParseError> {
    let mut parser = Parser {
        name,
        text: text.into(),
        lexer: Lexer::new(text),
        pushed: Vec::new(),
        has_function,
        vars: std::iter::once("$".to_string()).chain(variables.iter().map(|v| format!("${v}"))).collect(),
        range_depth: 0,
        depth: 0,
        trees: HashMap::new(),
    };
    let root = parser.parse_main()?;
    parser.add(name.to_string(), root, 0)?;
    Ok(parser.trees)
}

/// What `{{ end }}` or `{{ else }}` closed, or a node.
enum Item {
    Node(Node),
    End(Pos),
    /// `chained` for `{{ else if … }}` and `{{ else with … }}`, whose keyword is left unread.
    Else {
        pos: Pos,
        chained: bool,
    },
}

enum Closer {
    End,
    Else { pos: Pos, chained: bool },
}

struct Parser<'a> {
    name: &'a str,
    text: Arc<str>,
    lexer: Lexer<'a>,
    /// Tokens read and put back, the next one last.
    pushed: Vec<Token>,
    has_function: &'a dyn Fn(&str) -> bool,
    /// Variables in scope, with their `$`.
    vars: Vec<String>,
    range_depth: usize,
    depth: usize,
    trees: HashMap<String, Tree>,
}

impl Parser<'_> {
    fn error(&self, pos: Pos, message: impl Into<String>) -> ParseError {
        ParseError { name: self.name.to_string(), location: Location::of(&self.text, pos), message: message.into() }
    }

    fn unexpected(&self, token: &Token, context: &str) -> ParseError {
        self.error(token.pos, format!("unexpected {token} in {context}"))
    }

    fn next(&mut self) -> Result<Token, ParseError> {
        match self.pushed.pop() {
            Some(token) => Ok(token),
            None => self.lexer.next_token().map_err(|e| self.error(e.pos, e.message)),
        }
    }

    fn backup(&mut self, token: Token) {
        self.pushed.push(token);
    }

    fn peek(&mut self) -> Result<Token, ParseError> {
        let token = self.next()?;
        self.backup(token.clone());
        Ok(token)
    }

    fn next_non_space(&mut self) -> Result<Token, ParseError> {
        loop {
            let token = self.next()?;
            if token.tok != Tok::Space {
                return Ok(token);
            }
        }
    }

    fn peek_non_space(&mut self) -> Result<Token, ParseError> {
        let token = self.next_non_space()?;
        self.backup(token.clone());
        Ok(token)
    }

    fn expect(&mut self, expected: &Tok, context: &str) -> Result<Token, ParseError> {
        let token = self.next_non_space()?;
        if token.tok != *expected {
            return Err(self.unexpected(&token, context));
        }
        Ok(token)
    }

    fn enter(&mut self, pos: Pos) -> Result<(), ParseError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error(pos, "max expression depth exceeded"));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    /// Installs a definition; a name may be defined twice in one text only if one of the two is
    /// empty, and the non-empty one wins.
    fn add(&mut self, name: String, root: Vec<Node>, pos: Pos) -> Result<(), ParseError> {
        let tree = Tree { name: name.clone(), parse_name: self.name.to_string(), text: self.text.clone(), root };
        match self.trees.get(&name) {
            Some(existing) if !existing.is_empty() && !tree.is_empty() => {
                Err(self.error(pos, format!("multiple definition of template {}", quote(&name))))
            }
            Some(existing) if !existing.is_empty() => Ok(()),
            _ => {
                self.trees.insert(name, tree);
                Ok(())
            }
        }
    }

    /// The main text: like a list, but to the end of input and with `{{ define }}` allowed.
    fn parse_main(&mut self) -> Result<Vec<Node>, ParseError> {
        let mut root = Vec::new();
        loop {
            let token = self.peek()?;
            match token.tok {
                Tok::Eof => return Ok(root),
                Tok::LeftDelim => {
                    let delim = self.next()?;
                    let keyword = self.next_non_space()?;
                    if keyword.tok == Tok::Keyword(Keyword::Define) {
                        self.parse_definition(keyword.pos)?;
                        continue;
                    }
                    self.backup(keyword);
                    self.backup(delim);
                }
                _ => {}
            }
            match self.text_or_action()? {
                Item::Node(node) => root.push(node),
                Item::End(pos) => return Err(self.error(pos, "unexpected {{end}}")),
                Item::Else { pos, .. } => return Err(self.error(pos, "unexpected {{else}}")),
            }
        }
    }

    /// `{{ define "name" }} … {{ end }}`, with the keyword read.
    fn parse_definition(&mut self, pos: Pos) -> Result<(), ParseError> {
        const CONTEXT: &str = "define clause";
        let token = self.next_non_space()?;
        let name = self.template_name(&token, CONTEXT)?;
        self.expect(&Tok::RightDelim, CONTEXT)?;
        let list = self.definition_body(pos, CONTEXT)?;
        self.add(name, list, token.pos)
    }

    /// The body of a definition or block: its own scope, with only `$` declared.
    fn definition_body(&mut self, pos: Pos, context: &str) -> Result<Vec<Node>, ParseError> {
        self.enter(pos)?;
        let vars = mem::replace(&mut self.vars, vec!["$".to_string()]);
        let range_depth = mem::take(&mut self.range_depth);
        let (list, closer) = self.item_list()?;
        self.vars = vars;
        self.range_depth = range_depth;
        self.leave();
        match closer {
            Closer::End => Ok(list),
            Closer::Else { pos, .. } => Err(self.error(pos, format!("unexpected {{{{else}}}} in {context}"))),
        }
    }

    fn template_name(&self, token: &Token, context: &str) -> Result<String, ParseError> {
        match token.tok {
            Tok::String | Tok::RawString => self.unquote(token),
            _ => Err(self.unexpected(token, context)),
        }
    }

    /// Nodes up to `{{ end }}` or `{{ else }}`.
    fn item_list(&mut self) -> Result<(Vec<Node>, Closer), ParseError> {
        let mut list = Vec::new();
        loop {
            let token = self.peek_non_space()?;
            if token.tok == Tok::Eof {
                return Err(self.error(token.pos, "unexpected EOF"));
            }
            match self.text_or_action()? {
                Item::Node(node) => list.push(node),
                Item::End(_) => return Ok((list, Closer::End)),
                Item::Else { pos, chained } => return Ok((list, Closer::Else { pos, chained })),
            }
        }
    }

    fn text_or_action(&mut self) -> Result<Item, ParseError> {
        let token = self.next_non_space()?;
        match token.tok {
            Tok::Text(text) => Ok(Item::Node(Node::Text { pos: token.pos, text })),
            Tok::LeftDelim => self.action(),
            _ => Err(self.unexpected(&token, "input")),
        }
    }

    /// What follows `{{`: a control keyword or a pipeline.
    fn action(&mut self) -> Result<Item, ParseError> {
        let token = self.next_non_space()?;
        let pos = token.pos;
        Ok(match token.tok {
            Tok::Keyword(Keyword::Block) => self.block(pos)?,
            Tok::Keyword(keyword @ (Keyword::Break | Keyword::Continue)) => {
                let name = if keyword == Keyword::Break { "{{break}}" } else { "{{continue}}" };
                self.expect(&Tok::RightDelim, name)?;
                if self.range_depth == 0 {
                    return Err(self.error(pos, format!("{name} outside {{{{range}}}}")));
                }
                Item::Node(if keyword == Keyword::Break { Node::Break { pos } } else { Node::Continue { pos } })
            }
            Tok::Keyword(Keyword::Else) => {
                let next = self.peek_non_space()?;
                if matches!(next.tok, Tok::Keyword(Keyword::If | Keyword::With)) {
                    Item::Else { pos: next.pos, chained: true }
                } else {
                    self.expect(&Tok::RightDelim, "else")?;
                    Item::Else { pos, chained: false }
                }
            }
            Tok::Keyword(Keyword::End) => {
                self.expect(&Tok::RightDelim, "end")?;
                Item::End(pos)
            }
            Tok::Keyword(Keyword::If) => Item::Node(Node::If(self.control("if", pos)?)),
            Tok::Keyword(Keyword::Range) => Item::Node(Node::Range(self.control("range", pos)?)),
            Tok::Keyword(Keyword::With) => Item::Node(Node::With(self.control("with", pos)?)),
            Tok::Keyword(Keyword::Template) => {
                const CONTEXT: &str = "template clause";
                let name_token = self.next_non_space()?;
                let name = self.template_name(&name_token, CONTEXT)?;
                let next = self.next_non_space()?;
                let pipe = if next.tok == Tok::RightDelim {
                    None
                } else {
                    self.backup(next);
                    Some(self.pipeline(CONTEXT, &Tok::RightDelim)?)
                };
                Item::Node(Node::Template { pos, name, pipe })
            }
            _ => {
                self.backup(token);
                Item::Node(Node::Action { pos, pipe: self.pipeline("command", &Tok::RightDelim)? })
            }
        })
    }

    /// `{{ block "name" pipeline }} … {{ end }}`: defines the template and invokes it in place.
    fn block(&mut self, pos: Pos) -> Result<Item, ParseError> {
        const CONTEXT: &str = "block clause";
        let name_token = self.next_non_space()?;
        let name = self.template_name(&name_token, CONTEXT)?;
        let pipe = self.pipeline(CONTEXT, &Tok::RightDelim)?;
        let list = self.definition_body(pos, CONTEXT)?;
        self.add(name.clone(), list, name_token.pos)?;
        Ok(Item::Node(Node::Template { pos, name, pipe: Some(pipe) }))
    }

    /// `if`, `with` and `range`, with the keyword read. Variables declared inside go out of scope
    /// at `{{ end }}`.
    fn control(&mut self, context: &str, pos: Pos) -> Result<Branch, ParseError> {
        self.enter(pos)?;
        let mark = self.vars.len();
        let pipe = self.pipeline(context, &Tok::RightDelim)?;
        let in_range = usize::from(context == "range");
        self.range_depth += in_range;
        let (list, closer) = self.item_list()?;
        self.range_depth -= in_range;
        let else_list = match closer {
            Closer::End => None,
            Closer::Else { chained, .. } => {
                let next = self.peek()?;
                // `{{ else if }}` is `{{ else }}{{ if }}…{{ end }}` sharing the outer `{{ end }}`.
                match (context, next.tok) {
                    ("if", Tok::Keyword(Keyword::If)) if chained => {
                        self.next()?;
                        Some(vec![Node::If(self.control("if", next.pos)?)])
                    }
                    ("with", Tok::Keyword(Keyword::With)) if chained => {
                        self.next()?;
                        Some(vec![Node::With(self.control("with", next.pos)?)])
                    }
                    _ => {
                        let (list, closer) = self.item_list()?;
                        if let Closer::Else { pos, .. } = closer {
                            return Err(self.error(pos, "expected end; found {{else}}"));
                        }
                        Some(list)
                    }
                }
            }
        };
        self.vars.truncate(mark);
        self.leave();
        Ok(Branch { pos, pipe, list, else_list })
    }

    fn use_var(&self, name: &str, pos: Pos) -> Result<(), ParseError> {
        if self.vars.iter().any(|v| v == name) {
            Ok(())
        } else {
            Err(self.error(pos, format!("undefined variable {}", quote(name))))
        }
    }

    /// `$x := cmd | cmd …` up to `end` (`}}`, or `)` inside parentheses).
    fn pipeline(&mut self, context: &str, end: &Tok) -> Result<Pipeline, ParseError> {
        let pos = self.peek_non_space()?.pos;
        let mut pipe = Pipeline { pos, is_assign: false, decl: Vec::new(), cmds: Vec::new() };
        let outer_scope = self.vars.len();
        while let Tok::Variable(name) = self.peek_non_space()?.tok {
            let variable = self.next()?;
            let after = self.next()?;
            let next = if after.tok == Tok::Space { self.next_non_space()? } else { after.clone() };
            match next.tok {
                Tok::Declare | Tok::Assign => {
                    pipe.decl.push(name);
                    pipe.is_assign = next.tok == Tok::Assign;
                    if pipe.is_assign {
                        // Assignment declares nothing: each variable must already be in scope.
                        self.vars.truncate(outer_scope);
                        for name in &pipe.decl {
                            self.use_var(name, variable.pos)?;
                        }
                    } else {
                        self.vars.extend(pipe.decl.iter().skip(self.vars.len() - outer_scope).cloned());
                    }
                    break;
                }
                Tok::Char(',') => {
                    pipe.decl.push(name.clone());
                    self.vars.push(name);
                    if context == "range" && pipe.decl.len() < 2 {
                        match self.peek_non_space()?.tok {
                            Tok::Variable(_) | Tok::RightDelim | Tok::RightParen => continue,
                            _ => return Err(self.error(next.pos, "range can only initialize variables")),
                        }
                    }
                    return Err(self.error(next.pos, format!("too many declarations in {context}")));
                }
                _ => {
                    self.backup(next);
                    if after.tok == Tok::Space {
                        self.backup(after);
                    }
                    self.backup(variable);
                    break;
                }
            }
        }
        loop {
            let token = self.next_non_space()?;
            if token.tok == *end {
                return self.check_pipeline(pipe, context, token.pos);
            }
            match token.tok {
                Tok::Bool(_)
                | Tok::CharConstant
                | Tok::Number
                | Tok::Dot
                | Tok::Field(_)
                | Tok::Identifier(_)
                | Tok::Nil
                | Tok::RawString
                | Tok::String
                | Tok::Variable(_)
                | Tok::LeftParen => {
                    self.backup(token);
                    let command = self.command()?;
                    pipe.cmds.push(command);
                }
                _ => return Err(self.unexpected(&token, context)),
            }
        }
    }

    fn check_pipeline(&self, pipe: Pipeline, context: &str, end: Pos) -> Result<Pipeline, ParseError> {
        if pipe.cmds.is_empty() {
            return Err(self.error(end, format!("missing value for {context}")));
        }
        // Only the first stage may be a plain value: later ones receive the previous result.
        for (stage, cmd) in pipe.cmds.iter().enumerate().skip(1) {
            if let Some(
                Operand::Bool { pos, .. }
                | Operand::Dot { pos }
                | Operand::Nil { pos }
                | Operand::Number { pos, .. }
                | Operand::String { pos, .. },
            ) = cmd.args.first()
            {
                return Err(self.error(*pos, format!("non executable command in pipeline stage {}", stage + 1)));
            }
        }
        Ok(pipe)
    }

    /// Operands separated by spaces, up to `|`, `}}` or `)`.
    fn command(&mut self) -> Result<Command, ParseError> {
        let pos = self.peek_non_space()?.pos;
        let mut args = Vec::new();
        loop {
            self.peek_non_space()?;
            if let Some(operand) = self.operand()? {
                args.push(operand);
            }
            let token = self.next()?;
            match token.tok {
                Tok::Space => continue,
                Tok::RightDelim | Tok::RightParen => {
                    self.backup(token);
                    break;
                }
                Tok::Pipe => break,
                _ => return Err(self.unexpected(&token, "operand")),
            }
        }
        Ok(Command { pos, args })
    }

    /// A term and the fields after it: `.A.B`, `$x.A`, `(pipeline).A`.
    fn operand(&mut self) -> Result<Option<Operand>, ParseError> {
        let Some(term) = self.term()? else {
            return Ok(None);
        };
        let mut fields = Vec::new();
        let mut chain_pos = None;
        while let Token { tok: Tok::Field(name), pos, .. } = self.peek()? {
            self.next()?;
            chain_pos.get_or_insert(pos);
            fields.push(name);
        }
        let Some(chain_pos) = chain_pos else {
            return Ok(Some(term));
        };
        Ok(Some(match term {
            Operand::Field { pos, mut names } => {
                names.extend(fields);
                Operand::Field { pos, names }
            }
            Operand::Variable { pos, name, fields: mut own } => {
                own.extend(fields);
                Operand::Variable { pos, name, fields: own }
            }
            Operand::Bool { .. }
            | Operand::String { .. }
            | Operand::Number { .. }
            | Operand::Nil { .. }
            | Operand::Dot { .. } => {
                return Err(self.error(chain_pos, format!("unexpected . after term {}", quote(&term.to_string()))));
            }
            other => Operand::Chain { pos: other.pos(), operand: Box::new(other), fields },
        }))
    }

    /// A literal, function name, `.`, `.Field`, `$var` or `( pipeline )`; `None` if the next token
    /// is none of these.
    fn term(&mut self) -> Result<Option<Operand>, ParseError> {
        let token = self.next_non_space()?;
        let pos = token.pos;
        Ok(Some(match token.tok {
            Tok::Identifier(name) => {
                if !(self.has_function)(&name) {
                    return Err(self.error(pos, format!("function {} not defined", quote(&name))));
                }
                Operand::Function { pos, name }
            }
            Tok::Dot => Operand::Dot { pos },
            Tok::Nil => Operand::Nil { pos },
            Tok::Variable(name) => {
                self.use_var(&name, pos)?;
                Operand::Variable { pos, name, fields: Vec::new() }
            }
            Tok::Field(name) => Operand::Field { pos, names: vec![name] },
            Tok::Bool(value) => Operand::Bool { pos, value },
            Tok::Number | Tok::CharConstant => Operand::Number { pos, value: self.number(&token)?, text: token.text },
            Tok::LeftParen => {
                self.enter(pos)?;
                let pipe = self.pipeline("parenthesized pipeline", &Tok::RightParen)?;
                self.leave();
                Operand::Pipeline(Box::new(pipe))
            }
            Tok::String | Tok::RawString => Operand::String { pos, value: self.unquote(&token)?, text: token.text },
            _ => {
                self.backup(token);
                return Ok(None);
            }
        }))
    }

    fn number(&self, token: &Token) -> Result<Number, ParseError> {
        if token.tok == Tok::CharConstant {
            let mut chars =
                unquote_chars(&token.text).ok_or_else(|| self.error(token.pos, "invalid syntax"))?.into_iter();
            return match (chars.next(), chars.next()) {
                (Some(c), None) => Ok(Number::Int(u32::from(c).into())),
                _ => Err(self.error(token.pos, format!("malformed character constant: {}", token.text))),
            };
        }
        if token.text.ends_with('i') {
            return Err(self.error(token.pos, format!("complex numbers are not supported: {}", quote(&token.text))));
        }
        parse_number(&token.text)
            .ok_or_else(|| self.error(token.pos, format!("illegal number syntax: {}", quote(&token.text))))
    }

    fn unquote(&self, token: &Token) -> Result<String, ParseError> {
        let text = &token.text;
        if let Some(raw) = text.strip_prefix('`').and_then(|t| t.strip_suffix('`')) {
            // Go drops carriage returns from raw strings.
            return Ok(raw.replace('\r', ""));
        }
        unquote_chars(text)
            .map(|chars| chars.into_iter().collect())
            .ok_or_else(|| self.error(token.pos, "invalid syntax"))
    }
}

/// A Go integer or float literal: decimal, `0x`, `0o`, `0b` or legacy-octal integers (an int,
/// or a float if too large for one), decimal floats, `_` between digits.
fn parse_number(text: &str) -> Option<Number> {
    let (negative, body) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let digits = body.replace('_', "");
    let radix = |prefix: &str| digits.get(..2).filter(|p| p.eq_ignore_ascii_case(prefix)).map(|_| &digits[2..]);
    let magnitude = if let Some(hex) = radix("0x") {
        u64::from_str_radix(hex, 16).ok()?
    } else if let Some(octal) = radix("0o") {
        u64::from_str_radix(octal, 8).ok()?
    } else if let Some(binary) = radix("0b") {
        u64::from_str_radix(binary, 2).ok()?
    } else if digits.len() > 1 && digits.starts_with('0') && digits.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
        u64::from_str_radix(&digits[1..], 8).ok()?
    } else if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        match digits.parse::<u64>() {
            Ok(magnitude) => magnitude,
            Err(_) => return digits.parse::<f64>().ok().map(|f| Number::Float(if negative { -f } else { f })),
        }
    } else if digits.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-')) {
        let f = digits.parse::<f64>().ok()?;
        return Some(Number::Float(if negative { -f } else { f }));
    } else {
        return None;
    };
    let signed = if negative { -i128::from(magnitude) } else { i128::from(magnitude) };
    Some(match i64::try_from(signed) {
        Ok(i) => Number::Int(i),
        Err(_) => Number::Float(signed as f64),
    })
}

/// The characters of a Go double-quoted string or character literal, escapes resolved; `None`
/// for bad syntax. Byte escapes (`\xff`) that do not make UTF-8 become U+FFFD.
fn unquote_chars(text: &str) -> Option<Vec<char>> {
    let quote = text.chars().next().filter(|&q| q == '"' || q == '\'')?;
    let body = text.strip_prefix(quote)?.strip_suffix(quote)?;
    let mut bytes: Vec<u8> = Vec::new();
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c == quote || c == '\n' {
            return None;
        }
        if c != '\\' {
            bytes.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
            continue;
        }
        let escaped = chars.next()?;
        let mut code = |digits: usize, radix: u32| -> Option<u32> {
            let s: String = chars.by_ref().take(digits).collect();
            (s.len() == digits).then(|| u32::from_str_radix(&s, radix).ok()).flatten()
        };
        let simple = match escaped {
            'a' => Some(0x07),
            'b' => Some(0x08),
            'f' => Some(0x0c),
            'n' => Some(b'\n'),
            'r' => Some(b'\r'),
            't' => Some(b'\t'),
            'v' => Some(0x0b),
            '\\' => Some(b'\\'),
            c if c == quote => Some(c as u8),
            _ => None,
        };
        match (simple, escaped) {
            (Some(byte), _) => bytes.push(byte),
            (None, 'x') => bytes.push(u8::try_from(code(2, 16)?).ok()?),
            (None, '0'..='7') => {
                let rest = code(2, 8)?;
                bytes.push(u8::try_from(escaped.to_digit(8)? * 64 + rest).ok()?);
            }
            (None, 'u') => bytes.extend_from_slice(char::from_u32(code(4, 16)?)?.encode_utf8(&mut [0; 4]).as_bytes()),
            (None, 'U') => bytes.extend_from_slice(char::from_u32(code(8, 16)?)?.encode_utf8(&mut [0; 4]).as_bytes()),
            _ => return None,
        }
    }
    Some(String::from_utf8_lossy(&bytes).chars().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        use Number::{Float, Int};
        for (text, value) in [
            ("1", Int(1)),
            ("-1.5", Float(-1.5)),
            ("+2", Int(2)),
            ("1e3", Float(1000.0)),
            (".5", Float(0.5)),
            ("0x1F", Int(31)),
            ("0o17", Int(15)),
            ("017", Int(15)),
            ("089", Int(89)),
            ("0b101", Int(5)),
            ("1_000", Int(1000)),
            ("-9223372036854775808", Int(i64::MIN)),
            ("9223372036854775808", Float(9.223_372_036_854_776e18)),
            ("99999999999999999999", Float(1e20)),
        ] {
            assert_eq!(parse_number(text), Some(value), "{text}");
        }
        for bad in ["-", ".", "0x", "1e", "0b2", "1.2.3"] {
            assert_eq!(parse_number(bad), None, "{bad}");
        }
    }

    #[test]
    fn quoted_strings() {
        let unquote = |s: &str| unquote_chars(s).map(|c| c.into_iter().collect::<String>());
        assert_eq!(unquote(r#""a\tb\n\"q\" \\ \x41\101\u00e9\U0001F600""#).as_deref(), Some("a\tb\n\"q\" \\ AAé😀"));
        assert_eq!(unquote(r"'\''").as_deref(), Some("'"));
        for bad in [r#""\'""#, r#""\q""#, r#""\x4""#, r#""\ud800""#, r#""\400""#, "\"a", r#""a"b""#] {
            assert_eq!(unquote(bad), None, "{bad}");
        }
    }
}
