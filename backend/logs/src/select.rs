//! What a scan selects: a time range, label matchers and line filters, and how each part is
//! checked. A matcher tests a stream label when the line's stream has it and otherwise the
//! field of that name in the JSON line, so `{request_id="r1"}` works although `request_id` is
//! no stream label.

use lookout_tsdb::{Labels, MatchOp, Matcher};
use regex::bytes::Regex;

use crate::bloom::field_key;
use crate::entry::json_fields;
use crate::words::{Required, required};

/// A substring to look for, with its searcher built once.
#[derive(Debug, Clone)]
pub struct Needle {
    pub text: String,
    finder: memchr::memmem::Finder<'static>,
}

impl Needle {
    pub fn new(text: impl Into<String>) -> Needle {
        let text = text.into();
        let finder = memchr::memmem::Finder::new(text.as_bytes()).into_owned();
        Needle { text, finder }
    }

    pub fn is_in(&self, haystack: &[u8]) -> bool {
        self.finder.find(haystack).is_some()
    }
}

/// A line filter that can be checked against the raw line, before any parsing stage.
#[derive(Debug, Clone)]
pub enum LineFilter {
    /// `|= "a"` (or `|= "a" or "b"`): contains one of them.
    Contains(Vec<Needle>),
    /// `!= "a"`: contains none of them.
    NotContains(Vec<Needle>),
    /// `|~ "re"`.
    Matches(Regex),
    /// `!~ "re"`.
    NotMatches(Regex),
}

impl LineFilter {
    /// Checks the raw bytes, so lines that do not match are never validated as UTF-8.
    pub fn matches(&self, line: &[u8]) -> bool {
        match self {
            LineFilter::Contains(needles) => needles.iter().any(|n| n.is_in(line)),
            LineFilter::NotContains(needles) => !needles.iter().any(|n| n.is_in(line)),
            LineFilter::Matches(re) => re.is_match(line),
            LineFilter::NotMatches(re) => !re.is_match(line),
        }
    }

    /// The word requirements every matching line meets (none known for the other kinds, or for
    /// alternatives).
    pub fn requirements(&self) -> Vec<Required<'_>> {
        match self {
            LineFilter::Contains(needles) if needles.len() == 1 => required(needles[0].text.as_bytes()),
            _ => Vec::new(),
        }
    }
}

/// The lines a scan wants. Times are Unix nanoseconds, both ends included.
#[derive(Debug, Clone)]
pub struct Selection {
    pub start: i64,
    pub end: i64,
    pub matchers: Vec<Matcher>,
    pub line_filters: Vec<LineFilter>,
    /// When false and nothing else needs the text, rows come without it (counting by stream
    /// then never decompresses a page).
    pub needs_line: bool,
}

impl Selection {
    pub fn new(start: i64, end: i64, matchers: Vec<Matcher>) -> Selection {
        Selection { start, end, matchers, line_filters: Vec::new(), needs_line: true }
    }

    /// How rows of a stream are checked: `None` if no row of it can match.
    pub fn plan(&self, stream: &Labels) -> Option<StreamPlan> {
        let mut deferred = Vec::new();
        for (i, m) in self.matchers.iter().enumerate() {
            match stream.get(&m.name) {
                Some(value) => {
                    if !m.matches(value) {
                        return None;
                    }
                }
                None => deferred.push(i),
            }
        }
        Some(StreamPlan { deferred })
    }

    /// Word requirements of all line filters together.
    pub fn requirements(&self) -> Vec<Required<'_>> {
        self.line_filters.iter().flat_map(LineFilter::requirements).collect()
    }

    /// Whether rows must be read from the text at all.
    pub fn reads_text(&self, plans: &[Option<StreamPlan>]) -> bool {
        self.needs_line || !self.line_filters.is_empty() || plans.iter().flatten().any(|p| !p.deferred.is_empty())
    }

    /// Field values a row must have for deferred equality matchers: Bloom keys, and the text
    /// that must appear in the line when the value is written in JSON without escapes.
    pub fn field_keys(&self, plan: &StreamPlan) -> Vec<u64> {
        plan.deferred
            .iter()
            .map(|&i| &self.matchers[i])
            .filter(|m| matches!(m.op, MatchOp::Equal) && !m.value.is_empty())
            .map(|m| field_key(&m.name, &m.value))
            .collect()
    }

    /// Checks one row of a stream that passed [`Selection::plan`]; the line as text if it
    /// matches (`None` too for a line that is not UTF-8, which only damage could produce).
    pub fn row_matches<'l>(&self, plan: &StreamPlan, line: &'l [u8]) -> Option<&'l str> {
        if !self.line_filters.iter().all(|f| f.matches(line)) {
            return None;
        }
        let line = std::str::from_utf8(line).ok()?;
        if plan.deferred.is_empty() {
            return Some(line);
        }
        // A quick test before parsing: an exact value must appear in the line.
        for &i in &plan.deferred {
            let m = &self.matchers[i];
            if matches!(m.op, MatchOp::Equal)
                && !m.value.is_empty()
                && !m.value.bytes().any(|b| b == b'"' || b == b'\\' || b < 0x20)
                && memchr::memmem::find(line.as_bytes(), m.value.as_bytes()).is_none()
            {
                return None;
            }
        }
        let fields = json_fields(line).unwrap_or_default();
        plan.deferred
            .iter()
            .all(|&i| {
                let m = &self.matchers[i];
                m.matches(fields.iter().find(|(name, _)| *name == m.name).map_or("", |(_, v)| v.as_str()))
            })
            .then_some(line)
    }
}

/// The matchers left to check per row, for one stream.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamPlan {
    pub deferred: Vec<usize>,
}

/// A selected line.
#[derive(Debug, Clone, Copy)]
pub struct Row<'a> {
    pub ts: i64,
    pub stream: &'a Labels,
    /// Empty when the selection said it needs no text.
    pub line: &'a str,
}

/// Receives the rows of a scan.
pub trait Visitor {
    fn visit(&mut self, row: Row<'_>);

    /// Rows on the far side of this time are no longer wanted (older ones in a backward scan,
    /// newer ones in a forward scan): pages wholly beyond it are skipped.
    fn horizon(&self) -> Option<i64> {
        None
    }

    /// True to end the scan (a deadline passed).
    fn done(&self) -> bool {
        false
    }
}

/// A closure is a visitor that wants every row.
impl<F: FnMut(Row<'_>)> Visitor for F {
    fn visit(&mut self, row: Row<'_>) {
        self(row)
    }
}

/// Which end of the range a scan starts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    Forward,
    Backward,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matchers_use_the_stream_label_or_else_the_field() {
        let selection =
            Selection::new(0, 1, vec![Matcher::equal("service", "payment"), Matcher::equal("request_id", "req-1")]);
        let payment = Labels::from_pairs([("service", "payment")]);
        assert_eq!(selection.plan(&Labels::from_pairs([("service", "api")])), None);
        let plan = selection.plan(&payment).unwrap();
        assert_eq!(plan.deferred, vec![1]);
        assert!(selection.row_matches(&plan, br#"{"request_id":"req-1","message":"x"}"#).is_some());
        assert!(selection.row_matches(&plan, br#"{"request_id":"req-12","message":"x"}"#).is_none());
        assert!(selection.row_matches(&plan, br#"{"message":"req-1"}"#).is_none());
        assert!(selection.row_matches(&plan, b"req-1 plain text").is_none());
        let mut negative = Selection::new(0, 1, vec![Matcher::not_equal("user_id", "")]);
        negative.line_filters.push(LineFilter::NotContains(vec![Needle::new("debug")]));
        let plan = negative.plan(&payment).unwrap();
        assert!(negative.row_matches(&plan, br#"{"user_id":"u1"}"#).is_some());
        assert!(negative.row_matches(&plan, br#"{"user_id":"u1","m":"debug"}"#).is_none());
        assert!(negative.row_matches(&plan, br#"{"other":"u1"}"#).is_none(), "a missing field is empty");
    }
}
