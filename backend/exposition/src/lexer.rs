//! A cursor over one line of an exposition, and the escapes of quoted strings and help texts. It
//! knows the character classes both formats share (blanks, metric and label names, quoted
//! strings) and nothing about what a line means.

/// Reads one line from left to right. Every method consumes exactly what it returns, so a failed
/// read leaves the cursor where it was and error messages can describe what comes next.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cursor<'a> {
    rest: &'a str,
}

impl<'a> Cursor<'a> {
    pub(crate) fn new(line: &'a str) -> Self {
        Cursor { rest: line }
    }

    /// What has not been consumed yet.
    pub(crate) fn rest(&self) -> &'a str {
        self.rest
    }

    pub(crate) fn is_at_end(&self) -> bool {
        self.rest.is_empty()
    }

    pub(crate) fn peek(&self) -> Option<char> {
        self.rest.chars().next()
    }

    /// Consumes `expected` if it is the next character.
    pub(crate) fn eat(&mut self, expected: char) -> bool {
        match self.rest.strip_prefix(expected) {
            Some(rest) => {
                self.rest = rest;
                true
            }
            None => false,
        }
    }

    /// Skips spaces and tabs, the separators of both formats, and says whether there were any.
    pub(crate) fn skip_blanks(&mut self) -> bool {
        !self.take_while(is_blank).is_empty()
    }

    /// Reads a metric name, `[a-zA-Z_:][a-zA-Z0-9_:]*`, or nothing if none starts here.
    pub(crate) fn metric_name(&mut self) -> Option<&'a str> {
        if !self.peek().is_some_and(is_metric_name_start) {
            return None;
        }
        Some(self.take_while(is_metric_name_char))
    }

    /// Reads a label name, `[a-zA-Z_][a-zA-Z0-9_]*`, or nothing if none starts here.
    pub(crate) fn label_name(&mut self) -> Option<&'a str> {
        if !self.peek().is_some_and(is_label_name_start) {
            return None;
        }
        Some(self.take_while(is_label_name_char))
    }

    /// Reads everything up to the next blank or the end of the line.
    pub(crate) fn token(&mut self) -> &'a str {
        self.take_while(|c| !is_blank(c))
    }

    /// The token [`Cursor::token`] would read, without consuming it, for error messages.
    pub(crate) fn peek_token(&self) -> &'a str {
        let mut ahead = *self;
        ahead.token()
    }

    /// Names the next character for an error message, or says that the line has ended.
    pub(crate) fn describe_next(&self) -> String {
        match self.peek() {
            Some(c) => format!("{c:?}"),
            None => "the end of the line".to_owned(),
        }
    }

    /// Reads the rest of a double-quoted string whose opening quote is already consumed, decoding
    /// `\\`, `\"` and `\n`. `None` means the line ended before the closing quote.
    pub(crate) fn quoted(&mut self) -> Option<String> {
        let mut value = String::new();
        let mut chars = self.rest.chars();
        loop {
            match chars.next()? {
                '"' => break,
                '\\' => push_escape(&mut value, chars.next()?, true),
                c => value.push(c),
            }
        }
        self.rest = chars.as_str();
        Some(value)
    }

    fn take_while(&mut self, keep: impl Fn(char) -> bool) -> &'a str {
        let end = self.rest.find(|c: char| !keep(c)).unwrap_or(self.rest.len());
        // `find` returns the index where a character starts, so the split never lands inside one.
        let (taken, rest) = self.rest.split_at(end);
        self.rest = rest;
        taken
    }
}

/// Decodes the escapes of a help text: `\\` and `\n`, and `\"` too when `quote_escape` is set,
/// as OpenMetrics does and the text format does not.
pub(crate) fn unescape(text: &str, quote_escape: bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some(escaped) => push_escape(&mut out, escaped, quote_escape),
            // A backslash that ends the text escapes nothing; it stays as written.
            None => out.push('\\'),
        }
    }
    out
}

/// Appends what a backslash followed by `c` stands for.
fn push_escape(out: &mut String, c: char, quote_escape: bool) {
    match c {
        '\\' => out.push('\\'),
        'n' => out.push('\n'),
        '"' if quote_escape => out.push('"'),
        // Prometheus's own scraper keeps an unknown escape as written instead of dropping the
        // line; doing the same keeps series identical whichever of the two scraped them.
        other => {
            out.push('\\');
            out.push(other);
        }
    }
}

fn is_blank(c: char) -> bool {
    c == ' ' || c == '\t'
}

fn is_metric_name_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_' || c == ':'
}

/// Also the character class of OpenMetrics units.
pub(crate) fn is_metric_name_char(c: char) -> bool {
    is_metric_name_start(c) || c.is_ascii_digit()
}

fn is_label_name_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

fn is_label_name_char(c: char) -> bool {
    is_label_name_start(c) || c.is_ascii_digit()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_quoted(input: &str, expected: Option<(&str, &str)>) {
        let mut cur = Cursor::new(input);
        let actual = cur.quoted().map(|value| (value, cur.rest()));
        let expected = expected.map(|(value, rest)| (value.to_owned(), rest));
        assert_eq!(actual, expected, "input {input:?}");
    }

    #[test]
    fn quoted_strings() {
        check_quoted(r#"abc" rest"#, Some(("abc", " rest")));
        check_quoted(r#"""#, Some(("", "")));
        check_quoted(r#"a\"b\\c\nd"}"#, Some(("a\"b\\c\nd", "}")));
        check_quoted(r#"a\tb""#, Some((r"a\tb", "")));
        check_quoted(r#"ü€𝄞"x"#, Some(("ü€𝄞", "x")));
        check_quoted("abc", None);
        check_quoted(r#"abc\""#, None);
        check_quoted(r"abc\", None);
    }

    fn check_unescape(input: &str, quote_escape: bool, expected: &str) {
        assert_eq!(unescape(input, quote_escape), expected, "input {input:?}");
    }

    #[test]
    fn help_escapes() {
        check_unescape(r"a\\b", false, r"a\b");
        check_unescape(r"line\nbreak", false, "line\nbreak");
        check_unescape(r#"say \"hi\""#, false, r#"say \"hi\""#);
        check_unescape(r#"say \"hi\""#, true, r#"say "hi""#);
        check_unescape(r"C:\path", false, r"C:\path");
        check_unescape(r"ends\", false, r"ends\");
        check_unescape("ünï€", true, "ünï€");
    }

    fn check_name(label: bool, input: &str, expected: Option<(&str, &str)>) {
        let mut cur = Cursor::new(input);
        let name = if label { cur.label_name() } else { cur.metric_name() };
        assert_eq!(name.map(|name| (name, cur.rest())), expected, "input {input:?}");
    }

    #[test]
    fn names() {
        check_name(false, "foo:bar_1{x", Some(("foo:bar_1", "{x")));
        check_name(false, "_a 1", Some(("_a", " 1")));
        check_name(false, ":a", Some((":a", "")));
        check_name(false, "foo-bar", Some(("foo", "-bar")));
        check_name(false, "1foo", None);
        check_name(false, "ü", None);
        check_name(false, "", None);
        check_name(true, "a:b", Some(("a", ":b")));
        check_name(true, "_1=", Some(("_1", "=")));
        check_name(true, ":a", None);
        check_name(true, "9", None);
    }
}
