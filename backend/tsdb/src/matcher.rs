//! Label matchers (`=`, `!=`, `=~`, `!~`) with Prometheus semantics: regexes are fully anchored,
//! and a missing label matches as the empty string.

use regex::Regex;

#[derive(Debug, Clone)]
pub enum MatchOp {
    Equal,
    NotEqual,
    Regex(Regex),
    NotRegex(Regex),
}

#[derive(Debug, Clone)]
pub struct Matcher {
    pub name: String,
    pub op: MatchOp,
    pub value: String,
}

#[derive(Debug, thiserror::Error)]
#[error("invalid regular expression {pattern:?} for label {name}: {source}")]
pub struct MatcherError {
    pub name: String,
    pub pattern: String,
    #[source]
    pub source: regex::Error,
}

impl Matcher {
    pub fn equal(name: impl Into<String>, value: impl Into<String>) -> Self {
        Matcher { name: name.into(), op: MatchOp::Equal, value: value.into() }
    }

    pub fn not_equal(name: impl Into<String>, value: impl Into<String>) -> Self {
        Matcher { name: name.into(), op: MatchOp::NotEqual, value: value.into() }
    }

    pub fn regex(name: impl Into<String>, pattern: impl Into<String>) -> Result<Self, MatcherError> {
        let (name, value) = (name.into(), pattern.into());
        let re = anchored(&name, &value)?;
        Ok(Matcher { name, op: MatchOp::Regex(re), value })
    }

    pub fn not_regex(name: impl Into<String>, pattern: impl Into<String>) -> Result<Self, MatcherError> {
        let (name, value) = (name.into(), pattern.into());
        let re = anchored(&name, &value)?;
        Ok(Matcher { name, op: MatchOp::NotRegex(re), value })
    }

    /// Whether a label value (the empty string when the label is absent) satisfies the matcher.
    pub fn matches(&self, value: &str) -> bool {
        match &self.op {
            MatchOp::Equal => value == self.value,
            MatchOp::NotEqual => value != self.value,
            MatchOp::Regex(re) => re.is_match(value),
            MatchOp::NotRegex(re) => !re.is_match(value),
        }
    }

    /// True when the matcher accepts a series that lacks the label entirely.
    pub fn matches_empty(&self) -> bool {
        self.matches("")
    }
}

fn anchored(name: &str, pattern: &str) -> Result<Regex, MatcherError> {
    Regex::new(&format!("^(?s:{pattern})$")).map_err(|source| MatcherError {
        name: name.to_string(),
        pattern: pattern.to_string(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regex_is_anchored() {
        let m = Matcher::regex("job", "api|web").unwrap();
        assert!(m.matches("api"));
        assert!(!m.matches("api-server"));
        assert!(!m.matches_empty());
    }

    #[test]
    fn negative_matchers_accept_missing_labels() {
        assert!(Matcher::not_equal("env", "prod").matches_empty());
        assert!(Matcher::not_regex("env", "p.*").unwrap().matches_empty());
        assert!(!Matcher::regex("env", "p.*").unwrap().matches_empty());
    }

    #[test]
    fn bad_regex_names_label_and_pattern() {
        let err = Matcher::regex("job", "(").unwrap_err();
        assert!(err.to_string().contains("job"), "{err}");
        assert!(err.to_string().contains("\"(\""), "{err}");
    }
}
