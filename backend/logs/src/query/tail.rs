//! Live tail: the same selection and pipeline as a log query, applied to entries as they are
//! stored rather than to the store.

use lookout_logql::ast::Expr;
use lookout_tsdb::Labels;

use super::QueryError;
use super::pipeline::Pipeline;
use super::range::plan;
use crate::entry::Entry;
use crate::select::Selection;

pub struct Tail {
    selection: Selection,
    pipeline: Pipeline,
}

impl Tail {
    /// A tail for a log query (metric queries cannot be tailed).
    pub fn new(query: &str) -> Result<Tail, QueryError> {
        let expr = lookout_logql::parse(query).map_err(|e| QueryError::BadData(e.to_string()))?;
        let Expr::Log(log) = &expr else {
            return Err(QueryError::BadData("only log queries can be tailed".into()));
        };
        super::check_selectors(&expr)?;
        let (selection, pipeline) = plan(log, i64::MIN, i64::MAX)?;
        if pipeline.unwraps() {
            return Err(QueryError::BadData("unwrap is only allowed inside a range aggregation".into()));
        }
        Ok(Tail { selection, pipeline })
    }

    /// The entry as the query shows it, or `None` if it does not match.
    pub fn apply(&self, entry: &Entry) -> Option<(Labels, String)> {
        let plan = self.selection.plan(&entry.stream)?;
        self.selection.row_matches(&plan, entry.line.as_bytes())?;
        let out = self.pipeline.run(entry.ts, &entry.stream, &entry.line)?;
        Some((Labels::from_pairs(out.labels), out.line))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tails_match_like_queries() {
        let tail = Tail::new(r#"{service="payment-service"} |= "pool" | json | line_format "{{.message}}""#).unwrap();
        let entry = |service: &str, message: &str| Entry {
            ts: 1,
            stream: Labels::from_pairs([("service", service)]),
            line: format!(r#"{{"message":"{message}"}}"#),
        };
        let (labels, line) = tail.apply(&entry("payment-service", "pool exhausted")).unwrap();
        assert_eq!(line, "pool exhausted");
        assert_eq!(labels.get("message"), Some("pool exhausted"));
        assert!(tail.apply(&entry("payment-service", "fine")).is_none());
        assert!(tail.apply(&entry("api-gateway", "pool exhausted")).is_none());
        assert!(Tail::new(r#"count_over_time({a="b"}[1m])"#).is_err());
    }
}
