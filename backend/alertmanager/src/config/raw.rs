//! The YAML as written (`RawConfig` and friends): strict serde shapes, no defaults and no checks yet.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::timeinterval::RawTimeInterval;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    pub global: Option<RawGlobal>,
    pub route: Option<RawRoute>,
    pub inhibit_rules: Option<Vec<RawInhibitRule>>,
    pub receivers: Option<Vec<RawReceiver>>,
    #[serde(default, deserialize_with = "crate::scalar::opt_vec")]
    pub templates: Option<Vec<String>>,
    pub mute_time_intervals: Option<Vec<RawNamedTimeInterval>>,
    pub time_intervals: Option<Vec<RawNamedTimeInterval>>,
    /// Accepted (newer Alertmanagers and the conformance `simple.yml` have it) and ignored.
    pub tracing: Option<RawTracing>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTracing {
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub client_type: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub endpoint: Option<String>,
    pub sampling_fraction: Option<f64>,
    pub insecure: Option<bool>,
    pub tls_config: Option<RawTlsConfig>,
    #[serde(default, deserialize_with = "crate::scalar::opt_map")]
    pub headers: Option<BTreeMap<String, String>>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub compression: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub timeout: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGlobal {
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub resolve_timeout: Option<String>,
    pub http_config: Option<RawHttpConfig>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub smtp_from: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub smtp_hello: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub smtp_smarthost: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub smtp_auth_username: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub smtp_auth_password: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub smtp_auth_password_file: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub smtp_auth_secret: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub smtp_auth_identity: Option<String>,
    pub smtp_require_tls: Option<bool>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub slack_api_url: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub slack_api_url_file: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub pagerduty_url: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub opsgenie_api_url: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub opsgenie_api_key: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub opsgenie_api_key_file: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub wechat_api_url: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub wechat_api_secret: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub wechat_api_corp_id: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub victorops_api_url: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub victorops_api_key: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub victorops_api_key_file: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub telegram_api_url: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub webex_api_url: Option<String>,
}

/// `prometheus/common`'s HTTP client config, kept as written for the server's HTTP client.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawHttpConfig {
    pub basic_auth: Option<RawBasicAuth>,
    pub authorization: Option<RawAuthorization>,
    pub oauth2: Option<BTreeMap<String, serde_norway::Value>>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub bearer_token: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub bearer_token_file: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub proxy_url: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub no_proxy: Option<String>,
    pub proxy_from_environment: Option<bool>,
    pub proxy_connect_header: Option<BTreeMap<String, Vec<String>>>,
    pub tls_config: Option<RawTlsConfig>,
    pub follow_redirects: Option<bool>,
    pub enable_http2: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBasicAuth {
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub username: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub username_file: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub password: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub password_file: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAuthorization {
    #[serde(rename = "type")]
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub kind: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub credentials: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub credentials_file: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTlsConfig {
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub ca: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub cert: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub key: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub ca_file: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub cert_file: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub key_file: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub server_name: Option<String>,
    pub insecure_skip_verify: Option<bool>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub min_version: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub max_version: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRoute {
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub receiver: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_vec")]
    pub group_by: Option<Vec<String>>,
    #[serde(rename = "continue")]
    pub continue_matching: Option<bool>,
    #[serde(rename = "match")]
    #[serde(default, deserialize_with = "crate::scalar::opt_map")]
    pub match_eq: Option<BTreeMap<String, String>>,
    #[serde(default, deserialize_with = "crate::scalar::opt_map_opt")]
    pub match_re: Option<BTreeMap<String, Option<String>>>,
    #[serde(default, deserialize_with = "crate::scalar::opt_vec")]
    pub matchers: Option<Vec<String>>,
    #[serde(default, deserialize_with = "crate::scalar::opt_vec")]
    pub mute_time_intervals: Option<Vec<String>>,
    #[serde(default, deserialize_with = "crate::scalar::opt_vec")]
    pub active_time_intervals: Option<Vec<String>>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub group_wait: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub group_interval: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub repeat_interval: Option<String>,
    pub routes: Option<Vec<RawRoute>>,
    /// Lookout's extension: escalation receivers for unacknowledged firing groups.
    pub escalate: Option<Vec<RawEscalation>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEscalation {
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub after: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub receiver: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawInhibitRule {
    #[serde(default, deserialize_with = "crate::scalar::opt_map")]
    pub source_match: Option<BTreeMap<String, String>>,
    #[serde(default, deserialize_with = "crate::scalar::opt_map_opt")]
    pub source_match_re: Option<BTreeMap<String, Option<String>>>,
    #[serde(default, deserialize_with = "crate::scalar::opt_vec")]
    pub source_matchers: Option<Vec<String>>,
    #[serde(default, deserialize_with = "crate::scalar::opt_map")]
    pub target_match: Option<BTreeMap<String, String>>,
    #[serde(default, deserialize_with = "crate::scalar::opt_map_opt")]
    pub target_match_re: Option<BTreeMap<String, Option<String>>>,
    #[serde(default, deserialize_with = "crate::scalar::opt_vec")]
    pub target_matchers: Option<Vec<String>>,
    #[serde(default, deserialize_with = "crate::scalar::opt_vec")]
    pub equal: Option<Vec<String>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawNamedTimeInterval {
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub name: Option<String>,
    pub time_intervals: Option<Vec<RawTimeInterval>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawReceiver {
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub name: Option<String>,
    pub email_configs: Option<Vec<RawEmailConfig>>,
    pub slack_configs: Option<Vec<RawSlackConfig>>,
    pub pagerduty_configs: Option<Vec<RawPagerDutyConfig>>,
    pub webhook_configs: Option<Vec<RawWebhookConfig>>,
    // Parsed only to say clearly that Lookout does not send them yet.
    pub opsgenie_configs: Option<Vec<serde_norway::Value>>,
    pub wechat_configs: Option<Vec<serde_norway::Value>>,
    pub pushover_configs: Option<Vec<serde_norway::Value>>,
    pub victorops_configs: Option<Vec<serde_norway::Value>>,
    pub sns_configs: Option<Vec<serde_norway::Value>>,
    pub telegram_configs: Option<Vec<serde_norway::Value>>,
    pub discord_configs: Option<Vec<serde_norway::Value>>,
    pub webex_configs: Option<Vec<serde_norway::Value>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEmailConfig {
    pub send_resolved: Option<bool>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub to: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub from: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub hello: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub smarthost: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub auth_username: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub auth_password: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub auth_password_file: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub auth_secret: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub auth_identity: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_map")]
    pub headers: Option<BTreeMap<String, String>>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub html: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub text: Option<String>,
    pub require_tls: Option<bool>,
    pub tls_config: Option<RawTlsConfig>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSlackConfig {
    pub send_resolved: Option<bool>,
    pub http_config: Option<RawHttpConfig>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub api_url: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub api_url_file: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub channel: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub username: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub color: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub title_link: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub pretext: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub text: Option<String>,
    pub fields: Option<Vec<RawSlackField>>,
    pub short_fields: Option<bool>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub footer: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub fallback: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub callback_id: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub icon_emoji: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub icon_url: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub image_url: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub thumb_url: Option<String>,
    pub link_names: Option<bool>,
    #[serde(default, deserialize_with = "crate::scalar::opt_vec")]
    pub mrkdwn_in: Option<Vec<String>>,
    pub actions: Option<Vec<RawSlackAction>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSlackField {
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub value: Option<String>,
    pub short: Option<bool>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSlackAction {
    #[serde(rename = "type")]
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub kind: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub text: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub url: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub style: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub value: Option<String>,
    pub confirm: Option<RawSlackConfirm>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSlackConfirm {
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub text: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub ok_text: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub dismiss_text: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPagerDutyConfig {
    pub send_resolved: Option<bool>,
    pub http_config: Option<RawHttpConfig>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub service_key: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub service_key_file: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub routing_key: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub routing_key_file: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub url: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub client: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub client_url: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_map")]
    pub details: Option<BTreeMap<String, String>>,
    pub images: Option<Vec<RawPagerDutyImage>>,
    pub links: Option<Vec<RawPagerDutyLink>>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub source: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub severity: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub class: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub component: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub group: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPagerDutyImage {
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub src: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub alt: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub href: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPagerDutyLink {
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub href: Option<String>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub text: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawWebhookConfig {
    pub send_resolved: Option<bool>,
    pub http_config: Option<RawHttpConfig>,
    #[serde(default, deserialize_with = "crate::scalar::opt_string")]
    pub url: Option<String>,
    pub max_alerts: Option<u64>,
}
