//! The `global` section with Alertmanager's defaults (`DefaultGlobalConfig`) and its own checks.

use super::ConfigError;
use super::raw::{RawGlobal, RawHttpConfig};
use super::url::{check_host_port, check_url};
use lookout_tsdb::duration::parse_duration;

#[derive(Debug, Clone, PartialEq)]
pub struct GlobalConfig {
    pub resolve_timeout_ms: i64,
    pub http_config: RawHttpConfig,
    pub smtp_from: String,
    pub smtp_hello: String,
    pub smtp_smarthost: String,
    pub smtp_auth_username: String,
    pub smtp_auth_password: String,
    pub smtp_auth_password_file: String,
    pub smtp_auth_secret: String,
    pub smtp_auth_identity: String,
    pub smtp_require_tls: bool,
    pub slack_api_url: Option<String>,
    pub slack_api_url_file: Option<String>,
    pub pagerduty_url: String,
    pub opsgenie_api_url: String,
    pub wechat_api_url: String,
    pub victorops_api_url: String,
    pub telegram_api_url: String,
    pub webex_api_url: String,
}

fn or(v: &Option<String>, default: &str) -> String {
    v.clone().unwrap_or_else(|| default.to_string())
}

/// Checks made while `global` is read: durations, URLs, the smarthost.
pub(super) fn check_global_syntax(g: &RawGlobal) -> Result<(), ConfigError> {
    if let Some(d) = &g.resolve_timeout {
        parse_duration(d).map_err(|e| ConfigError::Invalid(e.to_string()))?;
    }
    let urls = [
        &g.slack_api_url,
        &g.pagerduty_url,
        &g.opsgenie_api_url,
        &g.wechat_api_url,
        &g.victorops_api_url,
        &g.telegram_api_url,
        &g.webex_api_url,
    ];
    for u in urls.into_iter().flatten() {
        check_url(u)?;
    }
    if let Some(h) = &g.smtp_smarthost {
        check_host_port(h)?;
    }
    Ok(())
}

/// The `at most one of …` checks `Config.UnmarshalYAML` starts with.
pub(super) fn check_global_exclusive(g: &RawGlobal) -> Result<(), ConfigError> {
    let set = |v: &Option<String>| v.as_deref().is_some_and(|s| !s.is_empty());
    let pairs = [
        (g.slack_api_url.is_some() && set(&g.slack_api_url_file), "slack_api_url & slack_api_url_file"),
        (set(&g.opsgenie_api_key) && set(&g.opsgenie_api_key_file), "opsgenie_api_key & opsgenie_api_key_file"),
        (set(&g.victorops_api_key) && set(&g.victorops_api_key_file), "victorops_api_key & victorops_api_key_file"),
        (set(&g.smtp_auth_password) && set(&g.smtp_auth_password_file), "smtp_auth_password & smtp_auth_password_file"),
    ];
    match pairs.iter().find(|(both, _)| *both) {
        Some((_, what)) => Err(ConfigError::Invalid(format!("at most one of {what} must be configured"))),
        None => Ok(()),
    }
}

impl GlobalConfig {
    pub(super) fn from_raw(g: &RawGlobal) -> Result<Self, ConfigError> {
        let resolve_timeout_ms = match &g.resolve_timeout {
            Some(d) => parse_duration(d).map_err(|e| ConfigError::Invalid(e.to_string()))?,
            None => 5 * 60_000,
        };
        Ok(GlobalConfig {
            resolve_timeout_ms,
            http_config: g.http_config.clone().unwrap_or_default(),
            smtp_from: or(&g.smtp_from, ""),
            smtp_hello: or(&g.smtp_hello, "localhost"),
            smtp_smarthost: or(&g.smtp_smarthost, ""),
            smtp_auth_username: or(&g.smtp_auth_username, ""),
            smtp_auth_password: or(&g.smtp_auth_password, ""),
            smtp_auth_password_file: or(&g.smtp_auth_password_file, ""),
            smtp_auth_secret: or(&g.smtp_auth_secret, ""),
            smtp_auth_identity: or(&g.smtp_auth_identity, ""),
            smtp_require_tls: g.smtp_require_tls.unwrap_or(true),
            slack_api_url: g.slack_api_url.clone(),
            slack_api_url_file: g.slack_api_url_file.clone().filter(|f| !f.is_empty()),
            pagerduty_url: or(&g.pagerduty_url, "https://events.pagerduty.com/v2/enqueue"),
            opsgenie_api_url: or(&g.opsgenie_api_url, "https://api.opsgenie.com/"),
            wechat_api_url: or(&g.wechat_api_url, "https://qyapi.weixin.qq.com/cgi-bin/"),
            victorops_api_url: or(
                &g.victorops_api_url,
                "https://alert.victorops.com/integrations/generic/20131114/alert/",
            ),
            telegram_api_url: or(&g.telegram_api_url, "https://api.telegram.org"),
            webex_api_url: or(&g.webex_api_url, "https://webexapis.com/v1/messages"),
        })
    }
}
