//! The Alertmanager configuration: `load` reads the YAML into `RawConfig`, applies Alertmanager's checks
//! in its order and with its messages, and builds the validated `Config` (route tree, receivers, rules).

mod global;
pub mod raw;
mod receivers;
mod url;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

pub use global::GlobalConfig;
pub use receivers::{
    EmailConfig, Integration, IntegrationConfig, PagerDutyConfig, Receiver, SlackAction, SlackConfig, SlackConfirm,
    SlackField, WebhookConfig,
};

use crate::inhibit::InhibitRule;
use crate::labels::{go_quote, valid_label_name};
use crate::matchers::{MatchType, Matcher, Matchers, anchored_regex, parse_matchers};
use crate::route::{Escalation, RouteId, RouteOpts, RouteTree};
use crate::timeinterval::TimeInterval;
use lookout_tsdb::duration::parse_duration;
use raw::{RawConfig, RawInhibitRule, RawNamedTimeInterval, RawRoute};

/// Why a config was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigError {
    /// The YAML did not parse or has unknown keys (serde's text, not Go's).
    Yaml(String),
    /// One of Alertmanager's own checks failed; the text is Alertmanager's.
    Invalid(String),
    /// The receiver uses an integration Lookout cannot send to yet.
    UnsupportedIntegration { receiver: String, kind: String },
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::Yaml(e) | ConfigError::Invalid(e) => f.write_str(e),
            ConfigError::UnsupportedIntegration { receiver, kind } => write!(
                f,
                "receiver {} uses {kind}, which Lookout does not support yet (supported: email_configs, pagerduty_configs, slack_configs, webhook_configs)",
                go_quote(receiver)
            ),
        }
    }
}

impl std::error::Error for ConfigError {}

fn invalid(msg: impl Into<String>) -> ConfigError {
    ConfigError::Invalid(msg.into())
}

/// A loaded, validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub global: GlobalConfig,
    pub route: RouteTree,
    pub inhibit_rules: Vec<InhibitRule>,
    /// In file order (the API lists them so).
    pub receivers: Vec<Receiver>,
    /// Template globs as written; the server resolves them against the config's folder.
    pub templates: Vec<String>,
    /// `time_intervals` and `mute_time_intervals` in one namespace.
    pub time_intervals: BTreeMap<String, Vec<TimeInterval>>,
    /// The file as given, for `/api/v2/status`.
    pub original: String,
}

impl Config {
    pub fn receiver(&self, name: &str) -> Option<&Receiver> {
        self.receivers.iter().find(|r| r.name == name)
    }
}

/// Keys whose values Alertmanager keeps as secrets and shows as `<secret>`.
const SECRET_KEYS: [&str; 11] = [
    "smtp_auth_password",
    "smtp_auth_secret",
    "slack_api_url",
    "auth_password",
    "auth_secret",
    "api_url",
    "routing_key",
    "service_key",
    "password",
    "credentials",
    "bearer_token",
];

/// The configuration as `/api/v2/status` shows it: secrets as `<secret>`, as Alertmanager does,
/// and without Lookout's own `escalate` keys, so that amtool's strict loader reads it back. A
/// webhook's `url` is a secret too: receivers' URLs often carry their token in the path.
fn shareable(mut doc: serde_norway::Value) -> String {
    fn walk(value: &mut serde_norway::Value) {
        match value {
            serde_norway::Value::Mapping(map) => {
                map.remove("escalate");
                if let Some(serde_norway::Value::Sequence(hooks)) = map.get_mut("webhook_configs") {
                    for hook in hooks.iter_mut().filter_map(serde_norway::Value::as_mapping_mut) {
                        if let Some(url) = hook.get_mut("url").filter(|u| !u.is_null()) {
                            *url = serde_norway::Value::String("<secret>".into());
                        }
                    }
                }
                for (key, v) in map.iter_mut() {
                    if key.as_str().is_some_and(|k| SECRET_KEYS.contains(&k)) && !v.is_null() {
                        *v = serde_norway::Value::String("<secret>".into());
                    } else {
                        walk(v);
                    }
                }
            }
            serde_norway::Value::Sequence(items) => items.iter_mut().for_each(walk),
            _ => {}
        }
    }
    walk(&mut doc);
    serde_norway::to_string(&doc).unwrap_or_default()
}

/// `config.Load`: parses and validates a whole alertmanager.yml.
pub fn load(text: &str) -> Result<Config, ConfigError> {
    let doc: serde_norway::Value = serde_norway::from_str(text).map_err(|e| ConfigError::Yaml(e.to_string()))?;
    if doc.is_null() {
        return Err(invalid("no route provided in config"));
    }
    let raw: RawConfig = serde_norway::from_value(doc.clone()).map_err(|e| ConfigError::Yaml(e.to_string()))?;
    // Go checks each section while decoding it, so section errors come in the file's key order.
    let keys: Vec<String> =
        doc.as_mapping().into_iter().flat_map(|m| m.keys()).filter_map(|k| k.as_str().map(str::to_string)).collect();
    for key in &keys {
        match key.as_str() {
            "global" => raw.global.as_ref().map_or(Ok(()), global::check_global_syntax)?,
            "route" => raw.route.as_ref().map_or(Ok(()), check_route_syntax)?,
            "inhibit_rules" => {
                raw.inhibit_rules.iter().flatten().try_for_each(|r| build_inhibit_rule(r).map(|_| ()))?
            }
            "receivers" => raw.receivers.iter().flatten().try_for_each(receivers::check_receiver_syntax)?,
            "mute_time_intervals" => check_intervals(&raw.mute_time_intervals, "missing name in mute time interval")?,
            "time_intervals" => check_intervals(&raw.time_intervals, "missing name in time interval")?,
            _ => {}
        }
    }
    validate(raw, text)
}

fn check_intervals(list: &Option<Vec<RawNamedTimeInterval>>, missing_name: &str) -> Result<(), ConfigError> {
    for ti in list.iter().flatten() {
        if ti.name.as_deref().unwrap_or("").is_empty() {
            return Err(invalid(missing_name));
        }
        for entry in ti.time_intervals.iter().flatten() {
            TimeInterval::from_raw(entry).map_err(|e| invalid(e.to_string()))?;
        }
    }
    Ok(())
}

/// The checks of `Config.UnmarshalYAML` and `Load`, in their order, then the build.
fn validate(raw: RawConfig, text: &str) -> Result<Config, ConfigError> {
    let raw_global = raw.global.clone().unwrap_or_default();
    global::check_global_exclusive(&raw_global)?;
    let global = GlobalConfig::from_raw(&raw_global)?;
    let mut receivers = Vec::new();
    let mut names = BTreeSet::new();
    for r in raw.receivers.iter().flatten() {
        let name = r.name.clone().unwrap_or_default();
        if names.contains(&name) {
            return Err(invalid(format!("notification config name {} is not unique", go_quote(&name))));
        }
        receivers.push(receivers::build_receiver(r, &global)?);
        names.insert(name);
    }
    let Some(root) = &raw.route else { return Err(invalid("no routes provided")) };
    if root.receiver.as_deref().unwrap_or("").is_empty() {
        return Err(invalid("root route must specify a default receiver"));
    }
    let nonempty_map = |m: &Option<BTreeMap<String, String>>| m.as_ref().is_some_and(|m| !m.is_empty());
    if nonempty_map(&root.match_eq)
        || root.match_re.as_ref().is_some_and(|m| !m.is_empty())
        || root.matchers.as_ref().is_some_and(|m| !m.is_empty())
    {
        return Err(invalid("root route must not have any matchers"));
    }
    if root.mute_time_intervals.as_ref().is_some_and(|v| !v.is_empty()) {
        return Err(invalid("root route must not have any mute time intervals"));
    }
    if root.active_time_intervals.as_ref().is_some_and(|v| !v.is_empty()) {
        return Err(invalid("root route must not have any active time intervals"));
    }
    check_route_receivers(root, &names)?;
    let mut time_intervals = BTreeMap::new();
    for (list, what) in [(&raw.mute_time_intervals, "mute time interval"), (&raw.time_intervals, "time interval")] {
        for ti in list.iter().flatten() {
            let name = ti.name.clone().unwrap_or_default();
            if time_intervals.contains_key(&name) {
                return Err(invalid(format!("{what} {} is not unique", go_quote(&name))));
            }
            let entries = ti.time_intervals.iter().flatten().map(TimeInterval::from_raw).collect::<Result<Vec<_>, _>>();
            time_intervals.insert(name, entries.map_err(|e| invalid(e.to_string()))?);
        }
    }
    check_route_intervals(root, &time_intervals)?;
    if root.continue_matching == Some(true) {
        return Err(invalid("cannot have continue in root route"));
    }
    let mut tree = RouteTree::with_root(Matchers::default(), route_opts(root, &RouteOpts::default())?);
    for child in root.routes.iter().flatten() {
        let root_id = tree.root();
        add_route(&mut tree, root_id, child)?;
    }
    let inhibit_rules = raw.inhibit_rules.iter().flatten().map(build_inhibit_rule).collect::<Result<_, _>>()?;
    Ok(Config {
        global,
        route: tree,
        inhibit_rules,
        receivers,
        templates: raw.templates.clone().unwrap_or_default(),
        time_intervals,
        original: shareable(serde_norway::from_str(text).unwrap_or(serde_norway::Value::Null)),
    })
}

/// `checkReceiver`: children first, then the node; escalation receivers are Lookout's addition.
fn check_route_receivers(r: &RawRoute, names: &BTreeSet<String>) -> Result<(), ConfigError> {
    for child in r.routes.iter().flatten() {
        check_route_receivers(child, names)?;
    }
    if let Some(rcv) = r.receiver.as_deref().filter(|s| !s.is_empty())
        && !names.contains(rcv)
    {
        return Err(invalid(format!("undefined receiver {} used in route", go_quote(rcv))));
    }
    for e in r.escalate.iter().flatten() {
        let rcv = e.receiver.as_deref().unwrap_or("");
        if !names.contains(rcv) {
            return Err(invalid(format!("undefined receiver {} used in escalate", go_quote(rcv))));
        }
    }
    Ok(())
}

/// `checkTimeInterval`: children first, then active, then mute intervals.
fn check_route_intervals(r: &RawRoute, known: &BTreeMap<String, Vec<TimeInterval>>) -> Result<(), ConfigError> {
    for child in r.routes.iter().flatten() {
        check_route_intervals(child, known)?;
    }
    for name in r.active_time_intervals.iter().flatten().chain(r.mute_time_intervals.iter().flatten()) {
        if !known.contains_key(name) {
            return Err(invalid(format!("undefined time interval {} used in route", go_quote(name))));
        }
    }
    Ok(())
}

/// `Route.UnmarshalYAML`: children are decoded (and checked) before the node's own checks.
fn check_route_syntax(r: &RawRoute) -> Result<(), ConfigError> {
    for child in r.routes.iter().flatten() {
        check_route_syntax(child)?;
    }
    route_matchers(r)?;
    for k in r.match_eq.iter().flatten().map(|(k, _)| k) {
        if !valid_label_name(k) {
            return Err(invalid(format!("invalid label name {}", go_quote(k))));
        }
    }
    let mut by = Vec::new();
    let mut all = false;
    for l in r.group_by.iter().flatten() {
        if l == "..." {
            all = true;
        } else if !valid_label_name(l) {
            return Err(invalid(format!("invalid label name {} in group_by list", go_quote(l))));
        } else {
            by.push(l);
        }
    }
    if all && !by.is_empty() {
        return Err(invalid("cannot have wildcard group_by (`...`) and other other labels at the same time"));
    }
    let mut seen = BTreeSet::new();
    if let Some(dup) = by.iter().find(|l| !seen.insert(**l)) {
        return Err(invalid(format!("duplicated label {} in group_by", go_quote(dup))));
    }
    for (value, zero_msg) in [
        (&r.group_wait, None),
        (&r.group_interval, Some("group_interval cannot be zero")),
        (&r.repeat_interval, Some("repeat_interval cannot be zero")),
    ] {
        if let Some(v) = value {
            let d = parse_duration(v).map_err(|e| invalid(e.to_string()))?;
            if let Some(msg) = zero_msg.filter(|_| d == 0) {
                return Err(invalid(msg));
            }
        }
    }
    for e in r.escalate.iter().flatten() {
        let Some(after) = &e.after else { return Err(invalid("missing after in escalate")) };
        if parse_duration(after).map_err(|e| invalid(e.to_string()))? == 0 {
            return Err(invalid("escalate after cannot be zero"));
        }
        if e.receiver.as_deref().unwrap_or("").is_empty() {
            return Err(invalid("missing receiver in escalate"));
        }
    }
    Ok(())
}

/// `match` (equality) + `match_re` (anchored) + `matchers`, sorted by (name, value, type).
fn route_matchers(r: &RawRoute) -> Result<Matchers, ConfigError> {
    legacy_matchers(&r.match_eq, &r.match_re, &r.matchers)
}

fn legacy_matchers(
    eq: &Option<BTreeMap<String, String>>,
    re: &Option<BTreeMap<String, Option<String>>>,
    strings: &Option<Vec<String>>,
) -> Result<Matchers, ConfigError> {
    let mut out = Vec::new();
    for (k, v) in eq.iter().flatten() {
        out.push(Matcher::new(MatchType::Equal, k, v).map_err(|e| invalid(e.to_string()))?);
    }
    for (k, v) in re.iter().flatten() {
        if !valid_label_name(k) {
            return Err(invalid(format!("invalid label name {}", go_quote(k))));
        }
        let Some(v) = v else { return Err(invalid(format!("invalid regexp value for {}", go_quote(k)))) };
        anchored_regex(v).map_err(|e| invalid(e.to_string()))?;
        out.push(Matcher::new(MatchType::Regexp, k, v).map_err(|e| invalid(e.to_string()))?);
    }
    for s in strings.iter().flatten() {
        out.extend(parse_matchers(s).map_err(|e| invalid(e.to_string()))?);
    }
    let mut ms = Matchers(out);
    ms.sort();
    Ok(ms)
}

fn build_inhibit_rule(r: &RawInhibitRule) -> Result<InhibitRule, ConfigError> {
    for k in r.source_match.iter().flatten().chain(r.target_match.iter().flatten()).map(|(k, _)| k) {
        if !valid_label_name(k) {
            return Err(invalid(format!("invalid label name {}", go_quote(k))));
        }
    }
    for k in r.equal.iter().flatten() {
        if !valid_label_name(k) {
            return Err(invalid(format!("{} is not a valid label name", go_quote(k))));
        }
    }
    Ok(InhibitRule {
        source: legacy_matchers(&r.source_match, &r.source_match_re, &r.source_matchers)?,
        target: legacy_matchers(&r.target_match, &r.target_match_re, &r.target_matchers)?,
        equal: r.equal.clone().unwrap_or_default(),
    })
}

/// `NewRoute`'s inheritance: start from the parent, override what the node sets.
fn route_opts(r: &RawRoute, parent: &RouteOpts) -> Result<RouteOpts, ConfigError> {
    let mut opts = parent.clone();
    if let Some(rcv) = r.receiver.as_deref().filter(|s| !s.is_empty()) {
        opts.receiver = rcv.to_string();
    }
    let labels: BTreeSet<String> = r.group_by.iter().flatten().filter(|l| *l != "...").cloned().collect();
    if !labels.is_empty() {
        opts.group_by = labels;
        opts.group_by_all = false;
    } else if r.group_by.iter().flatten().any(|l| l == "...") {
        opts.group_by_all = true;
    }
    let dur = |v: &Option<String>, old: i64| {
        v.as_deref().map_or(Ok(old), |s| parse_duration(s).map_err(|e| invalid(e.to_string())))
    };
    opts.group_wait_ms = dur(&r.group_wait, parent.group_wait_ms)?;
    opts.group_interval_ms = dur(&r.group_interval, parent.group_interval_ms)?;
    opts.repeat_interval_ms = dur(&r.repeat_interval, parent.repeat_interval_ms)?;
    opts.mute_time_intervals = r.mute_time_intervals.clone().unwrap_or_default();
    opts.active_time_intervals = r.active_time_intervals.clone().unwrap_or_default();
    if let Some(list) = r.escalate.as_ref().filter(|l| !l.is_empty()) {
        opts.escalate = list
            .iter()
            .map(|e| {
                let after_ms = parse_duration(e.after.as_deref().unwrap_or("")).map_err(|e| invalid(e.to_string()))?;
                Ok(Escalation { after_ms, receiver: e.receiver.clone().unwrap_or_default() })
            })
            .collect::<Result<_, ConfigError>>()?;
    }
    Ok(opts)
}

fn add_route(tree: &mut RouteTree, parent: RouteId, r: &RawRoute) -> Result<(), ConfigError> {
    let opts = route_opts(r, &tree.get(parent).opts)?;
    let id = tree.add_child(parent, route_matchers(r)?, r.continue_matching.unwrap_or(false), opts);
    for child in r.routes.iter().flatten() {
        add_route(tree, id, child)?;
    }
    Ok(())
}
