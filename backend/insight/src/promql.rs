//! PromQL text for the findings, so each one carries a query that charts it: selectors built from
//! names and values, quoted as the PromQL lexer reads them (Go's escapes, never Rust's `{:?}`);
//! and the compared side of an alert's expression, to chart the value rather than the alert.

/// `value` as a double-quoted PromQL string (Go's escapes, as LogQL's are).
pub use lookout_logql::quote;

/// `metric{a="x",b="y"}` with the pairs in the order given.
pub fn selector<'a>(metric: &str, equal: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let matchers: Vec<String> = equal.into_iter().map(|(name, value)| format!("{name}={}", quote(value))).collect();
    format!("{metric}{{{}}}", matchers.join(","))
}

/// For an expression that compares to a number at its top level (`rate(x[5m]) > 0.1`,
/// `0.95 > success`), the other side and the number: what to chart, and where the line is.
pub fn compared(expr: &str) -> Option<(&str, f64)> {
    let bytes = expr.as_bytes();
    let (mut depth, mut quote, mut last) = (0i32, None::<u8>, None::<(usize, usize)>);
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match quote {
            Some(q) if b == b'\\' && q != b'`' => i += 1,
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None => match b {
                b'"' | b'\'' | b'`' => quote = Some(b),
                b'(' | b'[' | b'{' => depth += 1,
                b')' | b']' | b'}' => depth -= 1,
                b'>' | b'<' | b'=' | b'!' if depth == 0 => {
                    let two = bytes.get(i + 1) == Some(&b'=');
                    let op = if two { 2 } else { 1 };
                    // `=` alone and `!` alone are not comparisons.
                    if two || b == b'>' || b == b'<' {
                        last = Some((i, op));
                    }
                    i += op;
                    continue;
                }
                _ => {}
            },
        }
        i += 1;
    }
    // `and`, `or` and `unless` bind more loosely than a comparison: no one side to chart.
    if has_set_operator(expr) {
        return None;
    }
    let (at, len) = last?;
    let (lhs, rhs) = (expr[..at].trim(), expr[at + len..].trim());
    if rhs.starts_with("bool") || lhs.is_empty() || rhs.is_empty() {
        return None;
    }
    match (lhs.parse::<f64>(), rhs.parse::<f64>()) {
        (Err(_), Ok(n)) => Some((lhs, n)),
        (Ok(n), Err(_)) => Some((rhs, n)),
        _ => None,
    }
}

/// Whether `and`, `or` or `unless` stands as a word outside brackets and quotes.
fn has_set_operator(expr: &str) -> bool {
    let (mut depth, mut quote) = (0i32, None::<char>);
    let mut word = String::new();
    let mut escaped = false;
    for c in expr.chars().chain(std::iter::once(' ')) {
        if let Some(q) = quote {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') if q != '`' => escaped = true,
                (false, c) if c == q => quote = None,
                _ => {}
            }
            continue;
        }
        if c.is_alphanumeric() || c == '_' {
            word.push(c);
            continue;
        }
        if depth == 0 && matches!(word.to_ascii_lowercase().as_str(), "and" | "or" | "unless") {
            return true;
        }
        word.clear();
        match c {
            '"' | '\'' | '`' => quote = Some(c),
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_as_the_lexer_reads_it() {
        assert_eq!(quote("plain"), r#""plain""#);
        assert_eq!(quote("a\"b\\c\nd\u{1}"), r#""a\"b\\c\nd\x01""#, "Go's escapes, which the lexer reads");
        assert_eq!(selector("up", [("job", "db"), ("instance", "h:1")]), r#"up{job="db",instance="h:1"}"#);
        assert_eq!(selector("up", []), "up{}");
    }

    #[test]
    fn the_compared_side_of_an_alert() {
        let check = |expr: &str, expected: Option<(&str, f64)>| assert_eq!(compared(expr), expected, "{expr}");
        check(
            "sum(rate(x{code=~\"5..\"}[20s])) / sum(rate(x[20s])) > 0.05",
            Some(("sum(rate(x{code=~\"5..\"}[20s])) / sum(rate(x[20s]))", 0.05)),
        );
        check("database_connections_active > 18", Some(("database_connections_active", 18.0)));
        check("0.95 >= payment_success_rate", Some(("payment_success_rate", 0.95)));
        check("up == 0", Some(("up", 0.0)));
        check("x{a=\">\"} != 1", Some(("x{a=\">\"}", 1.0)));
        check("sum by (job) (x > 1)", None);
        check("x > bool 1", None);
        check("x > y", None);
        check("rate(x[5m])", None);
        check("x > 1 and y", None);
        check("x > 1 unless on (job) y", None);
        check("sum by (or_label) (x) > 1", Some(("sum by (or_label) (x)", 1.0)));
        check("x{a=\"and\"} > 1", Some(("x{a=\"and\"}", 1.0)));
        check("", None);
    }
}
