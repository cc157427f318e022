//! Inhibition (`inhibit/inhibit.go`): a firing source alert mutes target alerts that agree on the `equal` labels.

use crate::alert::{Alert, AlertStore};
use crate::labels::{Fingerprint, LabelSet};
use crate::matchers::Matchers;

/// One `inhibit_rules` entry, all source forms (match, match_re, matchers) folded into one list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InhibitRule {
    pub source: Matchers,
    pub target: Matchers,
    pub equal: Vec<String>,
}

/// The rules with, per rule, the stored alerts that match its source side (the rule's cache).
#[derive(Debug)]
pub struct Inhibitor<'a> {
    rules: Vec<(&'a InhibitRule, Vec<(Fingerprint, &'a Alert)>)>,
    now: i64,
}

impl<'a> Inhibitor<'a> {
    /// Snapshots the source alerts of every rule from the store at `now`.
    pub fn new(rules: &'a [InhibitRule], alerts: &'a AlertStore, now: i64) -> Self {
        let rules =
            rules.iter().map(|r| (r, alerts.iter().filter(|(_, a)| r.source.matches(&a.labels)).collect())).collect();
        Inhibitor { rules, now }
    }

    /// The fingerprint of the alert inhibiting `target`, from the first rule that applies.
    pub fn inhibited_by(&self, target: &LabelSet) -> Option<Fingerprint> {
        self.rules.iter().filter(|(r, _)| r.target.matches(target)).find_map(|(rule, sources)| {
            // An alert on both sides cannot be muted by another alert that is also on both sides.
            let two_sided = rule.source.matches(target);
            sources
                .iter()
                .find(|(_, s)| {
                    !s.resolved_at(self.now)
                        && rule.equal.iter().all(|n| {
                            s.labels.get(n).map_or("", String::as_str) == target.get(n).map_or("", String::as_str)
                        })
                        && !(two_sided && rule.target.matches(&s.labels))
                })
                .map(|(fp, _)| *fp)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alert::{PostableAlert, ingest};
    use crate::labels::label_set;
    use crate::matchers::parse_matchers;

    fn rule(source: &str, target: &str, equal: &[&str]) -> InhibitRule {
        InhibitRule {
            source: Matchers(parse_matchers(source).unwrap()),
            target: Matchers(parse_matchers(target).unwrap()),
            equal: equal.iter().map(|s| s.to_string()).collect(),
        }
    }

    /// Stores `alerts` (labels, resolved?) and checks whether `target` is inhibited by the nth alert.
    fn check(rules: &[InhibitRule], alerts: &[(&[(&str, &str)], bool)], target: &[(&str, &str)], by: Option<usize>) {
        let mut store = AlertStore::new();
        let mut fps = Vec::new();
        for (labels, resolved) in alerts {
            let p = PostableAlert {
                labels: label_set(labels.iter().copied()),
                ends_at: resolved.then_some(50),
                starts_at: Some(10),
                ..Default::default()
            };
            let a = ingest(p, 100, 300_000).unwrap();
            fps.push(a.fingerprint());
            store.put(a, 100);
        }
        let inhibitor = Inhibitor::new(rules, &store, 100);
        let target = label_set(target.iter().copied());
        assert_eq!(inhibitor.inhibited_by(&target), by.map(|i| fps[i]), "target {target:?}");
    }

    #[test]
    fn inhibition() {
        let r = [rule(r#"severity="critical""#, r#"severity="warning""#, &["alertname", "cluster"])];
        let crit: &[(&str, &str)] = &[("alertname", "A"), ("cluster", "x"), ("severity", "critical")];
        check(&r, &[(crit, false)], &[("alertname", "A"), ("cluster", "x"), ("severity", "warning")], Some(0));
        check(&r, &[(crit, false)], &[("alertname", "A"), ("cluster", "y"), ("severity", "warning")], None);
        check(&r, &[(crit, true)], &[("alertname", "A"), ("cluster", "x"), ("severity", "warning")], None);
        check(&r, &[(crit, false)], &[("alertname", "A"), ("cluster", "x"), ("severity", "critical")], None);
        // Equal labels missing on both sides count as equal.
        check(&r, &[(&[("severity", "critical")], false)], &[("severity", "warning")], Some(0));
        // Two alerts matching both sides do not mute each other.
        let both = [rule("a=1", "b=1", &[])];
        check(&both, &[(&[("a", "1"), ("b", "1"), ("n", "x")], false)], &[("a", "1"), ("b", "1"), ("n", "y")], None);
        check(&both, &[(&[("a", "1"), ("n", "x")], false)], &[("a", "1"), ("b", "1"), ("n", "y")], Some(0));
    }
}
