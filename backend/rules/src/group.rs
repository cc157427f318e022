//! A rule group at run time: its rules in file order, each evaluated at the group's slotted
//! timestamp with its output appended before the next rule runs (so later rules see it), stale
//! markers for series a rule no longer produces, health and timings, and the alerts to send.

use std::collections::{BTreeMap, HashSet};
use std::time::{Duration, Instant, SystemTime};

use lookout_tsdb::{Labels, stale_nan};

use crate::alerting::{AlertingRule, Notification, TemplateEnv};
use crate::file::{GroupDef, RuleKind, Source};
use crate::querier::{RuleAppender, RuleQuerier, Sample};
use crate::recording::{RuleError, record};
use crate::state::{AlertState, GroupState, Health, RuleState, RuleStateKind};
use crate::timing;
use lookout_template::rule::QuerySample;

/// Settings shared by all groups; the defaults are Prometheus's flags.
#[derive(Debug, Clone)]
pub struct GroupOptions {
    /// `global.evaluation_interval`, for groups without their own.
    pub default_interval_ms: i64,
    pub external_labels: BTreeMap<String, String>,
    /// `--web.external-url`: templates' `$externalURL` and the alerts' generator URLs.
    pub external_url: String,
    pub resend_delay_ms: i64,
    /// How far back `ALERTS_FOR_STATE` is read when restoring `for` state.
    pub outage_tolerance_ms: i64,
    /// The least time an alert restored as pending still waits before firing.
    pub grace_period_ms: i64,
}

impl Default for GroupOptions {
    fn default() -> Self {
        GroupOptions {
            default_interval_ms: 60_000,
            external_labels: BTreeMap::new(),
            external_url: String::new(),
            resend_delay_ms: 60_000,
            outage_tolerance_ms: 3_600_000,
            grace_period_ms: 600_000,
        }
    }
}

pub(crate) enum Kind {
    Recording,
    Alerting(AlertingRule),
}

impl Kind {
    fn same_kind(&self, other: &Kind) -> bool {
        matches!((self, other), (Kind::Recording, Kind::Recording) | (Kind::Alerting(_), Kind::Alerting(_)))
    }
}

pub(crate) struct Rule {
    pub name: String,
    pub expr: String,
    pub labels: BTreeMap<String, String>,
    pub kind: Kind,
    health: Health,
    last_error: Option<RuleError>,
    last_evaluation: Option<SystemTime>,
    evaluation_time: Duration,
    /// The series the last successful evaluation wrote, which go stale when not written again.
    previous: HashSet<Labels>,
}

pub struct Group {
    file: String,
    name: String,
    interval_ms: i64,
    limit: usize,
    source: Source,
    pub(crate) rules: Vec<Rule>,
    pub(crate) options: GroupOptions,
    env: TemplateEnv,
    pub(crate) evaluations: u64,
    last_evaluation: Option<SystemTime>,
    evaluation_time: Duration,
    /// Series written by rules of the group this one replaced that no rule here writes: marked
    /// stale at the next evaluation.
    orphans: Vec<Labels>,
}

impl Group {
    /// A group of `file`. On the first load after start `restore` is true: alerting rules then
    /// write no `ALERTS` series until [`Group::restore_for_state`] has run; groups loaded by
    /// later reloads start restored.
    pub fn new(file: &str, def: &GroupDef, options: &GroupOptions, restore: bool) -> Group {
        let rules = def
            .rules
            .iter()
            .map(|r| {
                let kind = match &r.kind {
                    RuleKind::Recording => Kind::Recording,
                    RuleKind::Alerting { for_ms, keep_firing_for_ms, annotations } => Kind::Alerting(
                        AlertingRule::new(&r.name, *for_ms, *keep_firing_for_ms, &r.labels, annotations, !restore),
                    ),
                };
                Rule {
                    name: r.name.clone(),
                    expr: r.expr.clone(),
                    labels: r.labels.clone(),
                    kind,
                    health: Health::Unknown,
                    last_error: None,
                    last_evaluation: None,
                    evaluation_time: Duration::ZERO,
                    previous: HashSet::new(),
                }
            })
            .collect();
        Group {
            file: file.to_string(),
            name: def.name.clone(),
            interval_ms: def.interval_ms.unwrap_or(options.default_interval_ms),
            limit: def.limit,
            source: def.source,
            rules,
            options: options.clone(),
            env: TemplateEnv {
                external_labels: options.external_labels.clone(),
                external_url: options.external_url.clone(),
            },
            evaluations: 0,
            last_evaluation: None,
            evaluation_time: Duration::ZERO,
            orphans: Vec::new(),
        }
    }

    /// Takes over the state of the group this one replaces on a reload, as Prometheus's
    /// `CopyState` does: a rule with the same name and labels keeps its alerts (with their
    /// `activeAt`), its health and the series it wrote; the series of old rules that have no
    /// match go stale at the next evaluation.
    pub fn adopt(&mut self, old: Group) {
        let mut old_rules: Vec<Option<Rule>> = old.rules.into_iter().map(Some).collect();
        for rule in &mut self.rules {
            let matching = old_rules.iter_mut().find(|o| {
                o.as_ref()
                    .is_some_and(|o| o.name == rule.name && o.labels == rule.labels && o.kind.same_kind(&rule.kind))
            });
            let Some(previous) = matching.and_then(Option::take) else { continue };
            rule.previous = previous.previous;
            rule.health = previous.health;
            rule.last_error = previous.last_error;
            rule.last_evaluation = previous.last_evaluation;
            if let (Kind::Alerting(new), Kind::Alerting(before)) = (&mut rule.kind, previous.kind) {
                new.active = before.active;
                new.restored = before.restored;
            }
        }
        self.orphans = old_rules.into_iter().flatten().flat_map(|r| r.previous).chain(old.orphans).collect();
        self.orphans.sort();
    }

    /// Staleness markers for every series this group wrote last, for when it is removed.
    pub fn stale_markers(&self) -> Vec<Sample> {
        let mut series: Vec<&Labels> = self.rules.iter().flat_map(|r| &r.previous).chain(&self.orphans).collect();
        series.sort();
        series.into_iter().map(|labels| Sample { labels: labels.clone(), value: stale_nan() }).collect()
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn file(&self) -> &str {
        &self.file
    }

    pub fn interval_ms(&self) -> i64 {
        self.interval_ms
    }

    pub fn source(&self) -> Source {
        self.source
    }

    /// The evaluation slot at or before `now_ms` (Prometheus's `EvalTimestamp`, to the ms).
    pub fn eval_timestamp_ms(&self, now_ms: i64) -> i64 {
        let now_ns = now_ms.saturating_mul(1_000_000);
        timing::eval_timestamp_ns(&self.file, &self.name, self.interval_ms, now_ns).div_euclid(1_000_000)
    }

    /// Evaluates every rule at `ts_ms` in order, appending each rule's output (and stale
    /// markers) before the next runs; returns the alerts to send to Alertmanager.
    pub fn eval(
        &mut self,
        ts_ms: i64,
        querier: &dyn RuleQuerier,
        appender: &mut dyn RuleAppender,
    ) -> Vec<Notification> {
        let started = Instant::now();
        self.last_evaluation = Some(SystemTime::now());
        let mut notifications = Vec::new();
        let generator_base = format!("{}/graph?g0.expr=", self.options.external_url);
        // Templates' `query` calls run in the group's language at the evaluation time.
        let source = self.source;
        let query = |expr: &str| -> Result<Vec<QuerySample>, String> {
            let samples = querier.instant(source, expr, ts_ms)?;
            Ok(samples
                .into_iter()
                .map(|s| (s.labels.iter().map(|l| (l.name.clone(), l.value.clone())).collect(), s.value))
                .collect())
        };
        for rule in &mut self.rules {
            let rule_started = Instant::now();
            rule.last_evaluation = Some(SystemTime::now());
            let outcome =
                querier.instant(self.source, &rule.expr, ts_ms).map_err(RuleError::Query).and_then(|result| {
                    match &mut rule.kind {
                        Kind::Recording => record(&rule.name, &rule.labels, result, self.limit),
                        Kind::Alerting(alerting) => alerting.eval(ts_ms, result, self.limit, &self.env, &query),
                    }
                });
            match outcome {
                Err(e) => {
                    rule.health = Health::Err;
                    rule.last_error = Some(e);
                }
                Ok(samples) => {
                    rule.health = Health::Ok;
                    rule.last_error = None;
                    if let Kind::Alerting(alerting) = &mut rule.kind {
                        let url = format!("{generator_base}{}&g0.tab=1", lookout_template::query_escape(&rule.expr));
                        notifications.extend(alerting.notifications(
                            ts_ms,
                            self.options.resend_delay_ms,
                            self.interval_ms,
                            &url,
                        ));
                    }
                    let current: HashSet<Labels> = samples.iter().map(|s| s.labels.clone()).collect();
                    let mut batch = samples;
                    let mut gone: Vec<&Labels> = rule.previous.difference(&current).collect();
                    gone.sort();
                    batch.extend(gone.into_iter().map(|labels| Sample { labels: labels.clone(), value: stale_nan() }));
                    match appender.append(ts_ms, &batch) {
                        Ok(()) => rule.previous = current,
                        Err(e) => {
                            rule.health = Health::Err;
                            rule.last_error = Some(RuleError::Append(e));
                        }
                    }
                }
            }
            rule.evaluation_time = rule_started.elapsed();
        }
        if !self.orphans.is_empty() {
            let stale: Vec<Sample> =
                self.orphans.iter().map(|labels| Sample { labels: labels.clone(), value: stale_nan() }).collect();
            // Kept for the next evaluation if they could not be stored now.
            if appender.append(ts_ms, &stale).is_ok() {
                self.orphans.clear();
            }
        }
        self.evaluations += 1;
        self.evaluation_time = started.elapsed();
        notifications
    }

    /// A snapshot for the API.
    pub fn state(&self) -> GroupState {
        GroupState {
            name: self.name.clone(),
            file: self.file.clone(),
            interval_ms: self.interval_ms,
            limit: self.limit,
            source: self.source,
            rules: self.rules.iter().map(Rule::state).collect(),
            evaluation_time: self.evaluation_time,
            last_evaluation: self.last_evaluation,
        }
    }
}

impl Rule {
    fn state(&self) -> RuleState {
        let kind = match &self.kind {
            Kind::Recording => RuleStateKind::Recording,
            Kind::Alerting(alerting) => RuleStateKind::Alerting {
                state: alerting.state(),
                for_ms: alerting.for_ms,
                keep_firing_for_ms: alerting.keep_firing_for_ms,
                annotations: alerting.annotations.clone(),
                alerts: alerting
                    .active
                    .values()
                    .filter(|a| a.resolved_at.is_none())
                    .map(|a| AlertState {
                        labels: a.labels.clone(),
                        annotations: a.annotations.clone(),
                        state: a.state,
                        active_at_ms: a.active_at,
                        keep_firing_since_ms: a.keep_firing_since,
                        value: a.value,
                    })
                    .collect(),
            },
        };
        RuleState {
            name: self.name.clone(),
            query: self.expr.clone(),
            labels: self.labels.clone(),
            health: self.health,
            last_error: self.last_error.as_ref().map(ToString::to_string),
            evaluation_time: self.evaluation_time,
            last_evaluation: self.last_evaluation,
            kind,
        }
    }
}
