//! The rule settings of the `--config` file, as Prometheus writes them: `rule_files` (globs),
//! `global.evaluation_interval` and `external_labels`, and `alerting.alertmanagers`, where the
//! alerts go.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;

use crate::config::{Secret, credentials};
use crate::scrape::config::RawGlobal;
use crate::timefmt::parse_duration;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAlerting {
    #[serde(default)]
    pub alertmanagers: Vec<RawAlertmanager>,
    /// Lookout's own key: `false` sends the rules' alerts only to `alertmanagers` (an
    /// Alertmanager cluster), not to Lookout's built-in notifier too.
    pub builtin_notifier: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAlertmanager {
    #[serde(default)]
    pub static_configs: Vec<RawStaticConfig>,
    pub scheme: Option<String>,
    pub path_prefix: Option<String>,
    pub timeout: Option<String>,
    pub api_version: Option<String>,
    pub basic_auth: Option<lookout_alertmanager::config::raw::RawBasicAuth>,
    pub authorization: Option<lookout_alertmanager::config::raw::RawAuthorization>,
    pub bearer_token: Option<String>,
    pub bearer_token_file: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStaticConfig {
    #[serde(default)]
    pub targets: Vec<String>,
}

/// Everything the rule engine runs with; reloads replace it whole.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleSettings {
    /// `rule_files` patterns, relative to `base_dir`.
    pub patterns: Vec<String>,
    pub base_dir: PathBuf,
    pub evaluation_interval: Duration,
    pub external_labels: BTreeMap<String, String>,
    /// Where links in alerts point (`$externalURL`, generator URLs).
    pub external_url: String,
    /// Rule files compiled into the binary (the demo's), as (name, text).
    pub builtin: Vec<(String, String)>,
    /// `POST …/api/v2/alerts` endpoints of the Alertmanagers to notify.
    pub alertmanagers: Vec<AlertmanagerTarget>,
    /// Whether the rules' alerts go to Lookout's own notifier as well.
    pub builtin_notifier: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AlertmanagerTarget {
    pub url: String,
    pub timeout: Duration,
    /// The `Authorization` header its credentials make, if any.
    pub authorization: Option<Secret>,
}

/// Validates the rule-related parts of a config file.
pub fn validate(
    global: &RawGlobal,
    rule_files: &[String],
    alerting: &RawAlerting,
    base_dir: PathBuf,
    external_url: String,
) -> Result<RuleSettings, String> {
    let evaluation_interval = match &global.evaluation_interval {
        Some(text) => parse_duration(text).map_err(|e| format!("global.evaluation_interval: {e}"))?,
        None => Duration::from_secs(60),
    };
    if evaluation_interval.is_zero() {
        return Err("global.evaluation_interval must be more than zero".into());
    }
    let mut alertmanagers = Vec::new();
    for (i, am) in alerting.alertmanagers.iter().enumerate() {
        let scheme = am.scheme.as_deref().unwrap_or("http");
        if scheme != "http" && scheme != "https" {
            return Err(format!("alerting.alertmanagers[{i}].scheme: unsupported scheme {scheme:?}"));
        }
        if let Some(version) = am.api_version.as_deref().filter(|v| *v != "v2") {
            return Err(format!("alerting.alertmanagers[{i}].api_version: only v2 is supported, not {version:?}"));
        }
        let timeout = match &am.timeout {
            Some(text) => parse_duration(text).map_err(|e| format!("alerting.alertmanagers[{i}].timeout: {e}"))?,
            None => Duration::from_secs(10),
        };
        let authorization = credentials(&am.basic_auth, &am.authorization, &am.bearer_token, &am.bearer_token_file)
            .map_err(|e| format!("alerting.alertmanagers[{i}]: {e}"))?;
        let prefix = am.path_prefix.as_deref().unwrap_or("").trim_matches('/');
        let path = if prefix.is_empty() { "/api/v2/alerts".to_string() } else { format!("/{prefix}/api/v2/alerts") };
        for target in am.static_configs.iter().flat_map(|s| &s.targets) {
            if target.is_empty() || target.contains('/') {
                return Err(format!("alerting.alertmanagers[{i}]: {target:?} is not a host:port"));
            }
            let url = format!("{scheme}://{target}{path}");
            alertmanagers.push(AlertmanagerTarget { url, timeout, authorization: authorization.clone() });
        }
    }
    Ok(RuleSettings {
        patterns: rule_files.to_vec(),
        base_dir,
        evaluation_interval,
        external_labels: global.external_labels.clone(),
        external_url: external_url.trim_end_matches('/').to_string(),
        builtin: Vec::new(),
        alertmanagers,
        builtin_notifier: alerting.builtin_notifier.unwrap_or(true),
    })
}
