//! PromQL text for the findings, so each one carries a query that charts it: selectors built from
//! names and values, quoted as the PromQL lexer reads them (Go's escapes, never Rust's `{:?}`).

/// `value` as a double-quoted PromQL string.
pub fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `metric{a="x",b="y"}` with the pairs in the order given.
pub fn selector<'a>(metric: &str, equal: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let matchers: Vec<String> = equal.into_iter().map(|(name, value)| format!("{name}={}", quote(value))).collect();
    format!("{metric}{{{}}}", matchers.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_as_the_lexer_reads_it() {
        assert_eq!(quote("plain"), r#""plain""#);
        assert_eq!(quote("a\"b\\c\nd\u{1}"), r#""a\"b\\c\nd\x01""#);
        assert_eq!(selector("up", [("job", "db"), ("instance", "h:1")]), r#"up{job="db",instance="h:1"}"#);
        assert_eq!(selector("up", []), "up{}");
    }
}
