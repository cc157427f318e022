//! Alertmanager's label matchers: the `ParseMatchers` syntax, anchored regexes and the `String()` forms.

use std::fmt;
use std::sync::LazyLock;

use regex::Regex;

use crate::labels::LabelSet;

/// Why a matcher string or value was refused; the texts are Alertmanager's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MatcherError {
    /// The string is not `name op value`.
    BadFormat(String),
    /// A `"` inside the value was not escaped, or the closing quote is missing.
    UnescapedQuote(String),
    /// A regex value did not compile (Go's text is approximated from the Rust error).
    Regex(String),
}

impl fmt::Display for MatcherError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MatcherError::BadFormat(s) => write!(f, "bad matcher format: {s}"),
            MatcherError::UnescapedQuote(s) => write!(f, "matcher value contains unescaped double quote: {s}"),
            MatcherError::Regex(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for MatcherError {}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MatchType {
    Equal,
    NotEqual,
    Regexp,
    NotRegexp,
}

impl MatchType {
    pub fn as_str(self) -> &'static str {
        match self {
            MatchType::Equal => "=",
            MatchType::NotEqual => "!=",
            MatchType::Regexp => "=~",
            MatchType::NotRegexp => "!~",
        }
    }

    pub fn is_regex(self) -> bool {
        matches!(self, MatchType::Regexp | MatchType::NotRegexp)
    }

    pub fn is_equal(self) -> bool {
        matches!(self, MatchType::Equal | MatchType::Regexp)
    }

    /// The API's `{isEqual, isRegex}` pair as a type.
    pub fn from_flags(is_equal: bool, is_regex: bool) -> Self {
        match (is_equal, is_regex) {
            (true, false) => MatchType::Equal,
            (false, false) => MatchType::NotEqual,
            (true, true) => MatchType::Regexp,
            (false, true) => MatchType::NotRegexp,
        }
    }
}

/// One matcher; regex values are compiled anchored, `^(?:value)$`.
#[derive(Debug, Clone)]
pub struct Matcher {
    pub name: String,
    pub op: MatchType,
    pub value: String,
    regex: Option<Regex>,
}

/// Compiles `^(?:re)$`, turning the error into a one-line text in Go's shape.
pub(crate) fn anchored_regex(re: &str) -> Result<Regex, MatcherError> {
    Regex::new(&format!("^(?:{re})$")).map_err(|e| MatcherError::Regex(regex_error_text(&e)))
}

/// Go says `error parsing regexp: <what>: `<where>``; the Rust error's last line names the what.
pub(crate) fn regex_error_text(e: &regex::Error) -> String {
    let text = e.to_string();
    let what = text.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("invalid regexp");
    format!("error parsing regexp: {}", what.trim().trim_start_matches("error: "))
}

impl Matcher {
    pub fn new(op: MatchType, name: &str, value: &str) -> Result<Self, MatcherError> {
        let regex = if op.is_regex() { Some(anchored_regex(value)?) } else { None };
        Ok(Matcher { name: name.to_string(), op, value: value.to_string(), regex })
    }

    /// Whether `value` (the label's value, `""` when absent) satisfies the matcher.
    pub fn matches(&self, value: &str) -> bool {
        match (self.op, &self.regex) {
            (MatchType::Equal, _) => value == self.value,
            (MatchType::NotEqual, _) => value != self.value,
            (MatchType::Regexp, Some(re)) => re.is_match(value),
            (MatchType::NotRegexp, Some(re)) => !re.is_match(value),
            // Regex matchers are only built by `new`, which always compiles.
            (_, None) => false,
        }
    }

    /// Matches against a label set, an absent label counting as `""`.
    pub fn matches_labels(&self, labels: &LabelSet) -> bool {
        self.matches(labels.get(&self.name).map_or("", String::as_str))
    }
}

impl PartialEq for Matcher {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name && self.op == other.op && self.value == other.value
    }
}

impl Eq for Matcher {}

/// Escapes a value for `Matcher.String()`: `\`, newline and `"`.
fn escape_value(v: &str) -> String {
    v.replace('\\', "\\\\").replace('\n', "\\n").replace('"', "\\\"")
}

impl fmt::Display for Matcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}\"{}\"", self.name, self.op.as_str(), escape_value(&self.value))
    }
}

/// A list of matchers that must all hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Matchers(pub Vec<Matcher>);

impl Matchers {
    pub fn matches(&self, labels: &LabelSet) -> bool {
        self.0.iter().all(|m| m.matches_labels(labels))
    }

    /// Sorts by (name, value, type) as the config's `Matchers` type does.
    pub fn sort(&mut self) {
        self.0.sort_by(|a, b| (&a.name, &a.value, a.op).cmp(&(&b.name, &b.value, b.op)));
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for Matchers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.0.iter().map(Matcher::to_string).collect();
        write!(f, "{{{}}}", parts.join(","))
    }
}

/// `name op value`; whitespace is Go's `\s` (ASCII only).
static MATCHER_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^[\t\n\x0C\r ]*([a-zA-Z_:][a-zA-Z0-9_:]*)[\t\n\x0C\r ]*(=~|=|!=|!~)[\t\n\x0C\r ]*((?s).*?)[\t\n\x0C\r ]*$",
    )
    .expect("static regex")
});

/// `labels.ParseMatchers`: an optional `{…}` around comma-separated matchers (commas inside quotes kept).
pub fn parse_matchers(s: &str) -> Result<Vec<Matcher>, MatcherError> {
    let s = s.strip_prefix('{').unwrap_or(s);
    let s = s.strip_suffix('}').unwrap_or(s);
    let mut tokens = Vec::new();
    let mut token = String::new();
    let (mut inside_quotes, mut escaped) = (false, false);
    for c in s.chars() {
        match c {
            ',' if !inside_quotes => {
                tokens.push(std::mem::take(&mut token));
                continue;
            }
            ',' => {}
            '"' if !escaped => inside_quotes = !inside_quotes,
            '"' => escaped = false,
            '\\' => escaped = !escaped,
            _ => escaped = false,
        }
        token.push(c);
    }
    let last = token.trim();
    if !last.is_empty() {
        tokens.push(last.to_string());
    }
    tokens.iter().map(|t| parse_matcher(t)).collect()
}

/// `labels.ParseMatcher`: one matcher, value bare or double-quoted with `\"`, `\n`, `\\` escapes.
pub fn parse_matcher(s: &str) -> Result<Matcher, MatcherError> {
    let caps = MATCHER_RE.captures(s).ok_or_else(|| MatcherError::BadFormat(s.to_string()))?;
    let (name, op, raw) = (&caps[1], &caps[2], &caps[3]);
    let op = match op {
        "=" => MatchType::Equal,
        "!=" => MatchType::NotEqual,
        "=~" => MatchType::Regexp,
        _ => MatchType::NotRegexp,
    };
    let (mut body, mut expect_quote) = (raw, false);
    if let Some(rest) = raw.strip_prefix('"') {
        body = rest;
        expect_quote = true;
    }
    let mut value = String::with_capacity(body.len());
    let mut escaped = false;
    for (i, c) in body.char_indices() {
        let last = i + c.len_utf8() == body.len();
        if escaped {
            escaped = false;
            match c {
                'n' => value.push('\n'),
                '"' | '\\' => value.push(c),
                _ => {
                    value.push('\\');
                    value.push(c);
                }
            }
            continue;
        }
        match c {
            '\\' if !last => escaped = true,
            '\\' => value.push('\\'),
            '"' if !expect_quote || !last => return Err(MatcherError::UnescapedQuote(raw.to_string())),
            '"' => expect_quote = false,
            _ => value.push(c),
        }
    }
    if expect_quote {
        return Err(MatcherError::UnescapedQuote(raw.to_string()));
    }
    Matcher::new(op, name, &value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labels::label_set;

    /// Parses `input`; `expected` is the printed list or the error text.
    fn check(input: &str, expected: &str) {
        let got = match parse_matchers(input) {
            Ok(ms) => Matchers(ms).to_string(),
            Err(e) => e.to_string(),
        };
        assert_eq!(got, expected, "input {input:?}");
    }

    #[test]
    fn parse_and_print() {
        check(r#"foo="bar""#, r#"{foo="bar"}"#);
        check(r#"{foo="bar", baz=~"qu+x"}"#, r#"{foo="bar",baz=~"qu+x"}"#);
        check("foo=bar", r#"{foo="bar"}"#);
        check("  foo  !=  bar baz  ", r#"{foo!="bar baz"}"#);
        check(r#"foo!~"a,b""#, r#"{foo!~"a,b"}"#);
        check("foo=", r#"{foo=""}"#);
        check(r#"foo="""#, r#"{foo=""}"#);
        check(r#"foo="a\"b\nc\\d\q""#, r#"{foo="a\"b\nc\\d\\q"}"#);
        check(r#"foo=bar\"#, r#"{foo="bar\\"}"#);
        check("a=1,b=2,", r#"{a="1",b="2"}"#);
        check("", "{}");
        check("{}", "{}");
        check("a:b=c", r#"{a:b="c"}"#);
        check("a=1,,b=2", "bad matcher format: ");
        check("foo", "bad matcher format: foo");
        check("1foo=bar", "bad matcher format: 1foo=bar");
        check(r#"foo="bar"#, r#"matcher value contains unescaped double quote: "bar"#);
        check(r#"foo=b"ar"#, r#"matcher value contains unescaped double quote: b"ar"#);
        check(r#"foo="b"ar""#, r#"matcher value contains unescaped double quote: "b"ar""#);
        check("foo=~(", "error parsing regexp: unclosed group");
    }

    #[test]
    fn regexes_are_anchored_and_absent_labels_are_empty() {
        let m = parse_matcher("service=~foo1|foo2").unwrap();
        let labels = label_set([("service", "foo1x")]);
        assert!(!m.matches_labels(&labels));
        assert!(m.matches_labels(&label_set([("service", "foo2")])));
        assert!(parse_matcher("x=").unwrap().matches_labels(&LabelSet::new()));
        assert!(!parse_matcher("x!~.*").unwrap().matches_labels(&LabelSet::new()));
    }

    #[test]
    fn malformed_input_never_panics() {
        for s in
            ["{", "}", "{,}", "\"", "\\", "a=\"\\", "a=\u{0}", "=~", "a=~\\", "a=~[", "{a=\"}\"", "é=1", "a=é\"", ","]
        {
            let _ = parse_matchers(s);
        }
    }
}
