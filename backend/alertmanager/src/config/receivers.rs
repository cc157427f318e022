//! Receivers and their integrations (`config/notifiers.go`): defaults, per-integration checks, global fallbacks.

use std::collections::BTreeMap;

use super::ConfigError;
use super::global::GlobalConfig;
use super::raw::{
    RawEmailConfig, RawHttpConfig, RawPagerDutyConfig, RawPagerDutyImage, RawPagerDutyLink, RawReceiver,
    RawSlackConfig, RawTlsConfig, RawWebhookConfig,
};
use super::url::{check_host_port, check_url};

/// A receiver with its integrations in Alertmanager's build order (webhook, email, pagerduty, slack).
#[derive(Debug, Clone, PartialEq)]
pub struct Receiver {
    pub name: String,
    pub integrations: Vec<Integration>,
}

/// One configured integration; `index` counts within its kind, as in the nflog key `<kind>/<index>`.
#[derive(Debug, Clone, PartialEq)]
pub struct Integration {
    pub index: usize,
    pub send_resolved: bool,
    pub config: IntegrationConfig,
}

impl Integration {
    /// The name Alertmanager logs and keys the notification log with.
    pub fn kind(&self) -> &'static str {
        match self.config {
            IntegrationConfig::Webhook(_) => "webhook",
            IntegrationConfig::Email(_) => "email",
            IntegrationConfig::PagerDuty(_) => "pagerduty",
            IntegrationConfig::Slack(_) => "slack",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum IntegrationConfig {
    Webhook(Box<WebhookConfig>),
    Email(Box<EmailConfig>),
    PagerDuty(Box<PagerDutyConfig>),
    Slack(Box<SlackConfig>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct WebhookConfig {
    pub http_config: RawHttpConfig,
    pub url: String,
    /// 0 means no limit.
    pub max_alerts: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EmailConfig {
    pub to: String,
    pub from: String,
    pub hello: String,
    pub smarthost: String,
    pub auth_username: String,
    pub auth_password: String,
    pub auth_password_file: String,
    pub auth_secret: String,
    pub auth_identity: String,
    /// Keys in `CanonicalMIMEHeaderKey` form; `Subject` is defaulted at send time.
    pub headers: BTreeMap<String, String>,
    pub html: String,
    pub text: String,
    pub require_tls: bool,
    pub tls_config: RawTlsConfig,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PagerDutyConfig {
    pub http_config: RawHttpConfig,
    pub service_key: String,
    pub service_key_file: String,
    pub routing_key: String,
    pub routing_key_file: String,
    pub url: String,
    pub client: String,
    pub client_url: String,
    pub description: String,
    pub details: BTreeMap<String, String>,
    pub images: Vec<RawPagerDutyImage>,
    pub links: Vec<RawPagerDutyLink>,
    pub source: String,
    /// Empty means `error` at send time.
    pub severity: String,
    pub class: String,
    pub component: String,
    pub group: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SlackConfig {
    pub http_config: RawHttpConfig,
    pub api_url: Option<String>,
    pub api_url_file: Option<String>,
    pub channel: String,
    pub username: String,
    pub color: String,
    pub title: String,
    pub title_link: String,
    pub pretext: String,
    pub text: String,
    pub fields: Vec<SlackField>,
    pub short_fields: bool,
    pub footer: String,
    pub fallback: String,
    pub callback_id: String,
    pub icon_emoji: String,
    pub icon_url: String,
    pub image_url: String,
    pub thumb_url: String,
    pub link_names: bool,
    /// Empty means `["fallback","pretext","text"]` at send time.
    pub mrkdwn_in: Vec<String>,
    pub actions: Vec<SlackAction>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlackField {
    pub title: String,
    pub value: String,
    pub short: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlackAction {
    pub kind: String,
    pub text: String,
    pub url: String,
    pub style: String,
    pub name: String,
    pub value: String,
    pub confirm: Option<SlackConfirm>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlackConfirm {
    pub text: String,
    pub title: String,
    pub ok_text: String,
    pub dismiss_text: String,
}

fn tmpl(name: &str) -> String {
    format!("{{{{ template \"{name}\" . }}}}")
}

fn invalid(msg: &str) -> ConfigError {
    ConfigError::Invalid(msg.to_string())
}

fn or(v: &Option<String>, default: &str) -> String {
    v.clone().filter(|s| !s.is_empty()).unwrap_or_else(|| default.to_string())
}

fn s(v: &Option<String>) -> String {
    v.clone().unwrap_or_default()
}

/// `textproto.CanonicalMIMEHeaderKey`: `content-type` → `Content-Type`; keys with odd bytes unchanged.
fn canonical_header_key(key: &str) -> String {
    if !key.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)) {
        return key.to_string();
    }
    let mut upper = true;
    key.chars()
        .map(|c| {
            let out = if upper { c.to_ascii_uppercase() } else { c.to_ascii_lowercase() };
            upper = c == '-';
            out
        })
        .collect()
}

/// Checks done while each receiver is read (`UnmarshalYAML` of the receiver and its integrations).
pub(super) fn check_receiver_syntax(raw: &RawReceiver) -> Result<(), ConfigError> {
    if raw.name.as_deref().unwrap_or("").is_empty() {
        return Err(invalid("missing name in receiver"));
    }
    for w in raw.webhook_configs.iter().flatten() {
        let Some(url) = &w.url else { return Err(invalid("missing URL in webhook config")) };
        check_url(url)?;
    }
    for e in raw.email_configs.iter().flatten() {
        if e.to.as_deref().unwrap_or("").is_empty() {
            return Err(invalid("missing to address in email config"));
        }
        if let Some(h) = &e.smarthost {
            check_host_port(h)?;
        }
        let mut seen = BTreeMap::new();
        for key in e.headers.iter().flatten().map(|(k, _)| canonical_header_key(k)) {
            if seen.insert(key.clone(), ()).is_some() {
                return Err(ConfigError::Invalid(format!(
                    "duplicate header {} in email config",
                    crate::labels::go_quote(&key)
                )));
            }
        }
    }
    for p in raw.pagerduty_configs.iter().flatten() {
        let set = |v: &Option<String>| v.as_deref().is_some_and(|s| !s.is_empty());
        if !set(&p.routing_key) && !set(&p.service_key) && !set(&p.routing_key_file) && !set(&p.service_key_file) {
            return Err(invalid("missing service or routing key in PagerDuty config"));
        }
        if set(&p.routing_key) && set(&p.routing_key_file) {
            return Err(invalid("at most one of routing_key & routing_key_file must be configured"));
        }
        if set(&p.service_key) && set(&p.service_key_file) {
            return Err(invalid("at most one of service_key & service_key_file must be configured"));
        }
        if let Some(u) = &p.url {
            check_url(u)?;
        }
    }
    for c in raw.slack_configs.iter().flatten() {
        for a in c.actions.iter().flatten() {
            if a.kind.as_deref().unwrap_or("").is_empty() {
                return Err(invalid("missing type in Slack action configuration"));
            }
            if a.text.as_deref().unwrap_or("").is_empty() {
                return Err(invalid("missing text in Slack action configuration"));
            }
            if a.url.as_deref().unwrap_or("").is_empty() && a.name.as_deref().unwrap_or("").is_empty() {
                return Err(invalid("missing name or url in Slack action configuration"));
            }
            if let Some(confirm) = &a.confirm
                && confirm.text.as_deref().unwrap_or("").is_empty()
            {
                return Err(invalid("missing text in Slack confirmation configuration"));
            }
        }
        for f in c.fields.iter().flatten() {
            if f.title.as_deref().unwrap_or("").is_empty() {
                return Err(invalid("missing title in Slack field configuration"));
            }
            if f.value.as_deref().unwrap_or("").is_empty() {
                return Err(invalid("missing value in Slack field configuration"));
            }
        }
        if c.api_url.is_some() && c.api_url_file.as_deref().is_some_and(|f| !f.is_empty()) {
            return Err(invalid("at most one of api_url & api_url_file must be configured"));
        }
        if let Some(u) = &c.api_url {
            check_url(u)?;
        }
    }
    let others = [
        ("opsgenie_configs", &raw.opsgenie_configs),
        ("wechat_configs", &raw.wechat_configs),
        ("pushover_configs", &raw.pushover_configs),
        ("victorops_configs", &raw.victorops_configs),
        ("sns_configs", &raw.sns_configs),
        ("telegram_configs", &raw.telegram_configs),
        ("discord_configs", &raw.discord_configs),
        ("webex_configs", &raw.webex_configs),
    ];
    if let Some((kind, _)) = others.iter().find(|(_, v)| v.as_ref().is_some_and(|v| !v.is_empty())) {
        return Err(ConfigError::UnsupportedIntegration { receiver: s(&raw.name), kind: (*kind).to_string() });
    }
    Ok(())
}

/// Builds a receiver, filling integration fields from the global config (`Config.UnmarshalYAML`).
pub(super) fn build_receiver(raw: &RawReceiver, global: &GlobalConfig) -> Result<Receiver, ConfigError> {
    let mut integrations = Vec::new();
    for (index, w) in raw.webhook_configs.iter().flatten().enumerate() {
        integrations.push(webhook(index, w, global));
    }
    for (index, e) in raw.email_configs.iter().flatten().enumerate() {
        integrations.push(email(index, e, global)?);
    }
    for (index, p) in raw.pagerduty_configs.iter().flatten().enumerate() {
        integrations.push(pagerduty(index, p, global)?);
    }
    for (index, c) in raw.slack_configs.iter().flatten().enumerate() {
        integrations.push(slack(index, c, global)?);
    }
    Ok(Receiver { name: s(&raw.name), integrations })
}

fn http(c: &Option<RawHttpConfig>, global: &GlobalConfig) -> RawHttpConfig {
    c.clone().unwrap_or_else(|| global.http_config.clone())
}

fn webhook(index: usize, w: &RawWebhookConfig, global: &GlobalConfig) -> Integration {
    Integration {
        index,
        send_resolved: w.send_resolved.unwrap_or(true),
        config: IntegrationConfig::Webhook(Box::new(WebhookConfig {
            http_config: http(&w.http_config, global),
            url: s(&w.url),
            max_alerts: w.max_alerts.unwrap_or(0),
        })),
    }
}

fn email(index: usize, e: &RawEmailConfig, g: &GlobalConfig) -> Result<Integration, ConfigError> {
    let smarthost = match e.smarthost.as_deref().filter(|h| !h.is_empty()) {
        Some(h) => h.to_string(),
        None if g.smtp_smarthost.is_empty() => return Err(invalid("no global SMTP smarthost set")),
        None => g.smtp_smarthost.clone(),
    };
    let from = match e.from.as_deref().filter(|f| !f.is_empty()) {
        Some(f) => f.to_string(),
        None if g.smtp_from.is_empty() => return Err(invalid("no global SMTP from set")),
        None => g.smtp_from.clone(),
    };
    let headers = e.headers.iter().flatten().map(|(k, v)| (canonical_header_key(k), v.clone())).collect();
    Ok(Integration {
        index,
        send_resolved: e.send_resolved.unwrap_or(false),
        config: IntegrationConfig::Email(Box::new(EmailConfig {
            to: s(&e.to),
            from,
            hello: or(&e.hello, &g.smtp_hello),
            smarthost,
            auth_username: or(&e.auth_username, &g.smtp_auth_username),
            auth_password: or(&e.auth_password, &g.smtp_auth_password),
            auth_password_file: or(&e.auth_password_file, &g.smtp_auth_password_file),
            auth_secret: or(&e.auth_secret, &g.smtp_auth_secret),
            auth_identity: or(&e.auth_identity, &g.smtp_auth_identity),
            headers,
            html: e.html.clone().unwrap_or_else(|| tmpl("email.default.html")),
            text: s(&e.text),
            require_tls: e.require_tls.unwrap_or(g.smtp_require_tls),
            tls_config: e.tls_config.clone().unwrap_or_default(),
        })),
    })
}

fn pagerduty(index: usize, p: &RawPagerDutyConfig, g: &GlobalConfig) -> Result<Integration, ConfigError> {
    let url = match &p.url {
        Some(u) => u.clone(),
        None if g.pagerduty_url.is_empty() => return Err(invalid("no global PagerDuty URL set")),
        None => g.pagerduty_url.clone(),
    };
    let client = p.client.clone().unwrap_or_else(|| tmpl("pagerduty.default.client"));
    let mut details = p.details.clone().unwrap_or_default();
    for (k, v) in [
        ("firing", "{{ template \"pagerduty.default.instances\" .Alerts.Firing }}"),
        ("resolved", "{{ template \"pagerduty.default.instances\" .Alerts.Resolved }}"),
        ("num_firing", "{{ .Alerts.Firing | len }}"),
        ("num_resolved", "{{ .Alerts.Resolved | len }}"),
    ] {
        details.entry(k.to_string()).or_insert_with(|| v.to_string());
    }
    Ok(Integration {
        index,
        send_resolved: p.send_resolved.unwrap_or(true),
        config: IntegrationConfig::PagerDuty(Box::new(PagerDutyConfig {
            http_config: http(&p.http_config, g),
            service_key: s(&p.service_key),
            service_key_file: s(&p.service_key_file),
            routing_key: s(&p.routing_key),
            routing_key_file: s(&p.routing_key_file),
            url,
            source: or(&p.source, &client),
            client,
            client_url: p.client_url.clone().unwrap_or_else(|| tmpl("pagerduty.default.clientURL")),
            description: p
                .description
                .clone()
                .unwrap_or_else(|| "{{ template \"pagerduty.default.description\" .}}".to_string()),
            details,
            images: p.images.clone().unwrap_or_default(),
            links: p.links.clone().unwrap_or_default(),
            severity: s(&p.severity),
            class: s(&p.class),
            component: s(&p.component),
            group: s(&p.group),
        })),
    })
}

fn slack(index: usize, c: &RawSlackConfig, g: &GlobalConfig) -> Result<Integration, ConfigError> {
    let no_file = c.api_url_file.as_deref().is_none_or(str::is_empty);
    let (api_url, api_url_file) = if c.api_url.is_none() && no_file {
        if g.slack_api_url.is_none() && g.slack_api_url_file.is_none() {
            return Err(invalid("no global Slack API URL set either inline or in a file"));
        }
        (g.slack_api_url.clone(), g.slack_api_url_file.clone())
    } else {
        (c.api_url.clone(), c.api_url_file.clone().filter(|f| !f.is_empty()))
    };
    let d = |v: &Option<String>, name: &str| v.clone().unwrap_or_else(|| tmpl(name));
    let actions = c
        .actions
        .iter()
        .flatten()
        .map(|a| {
            let by_url = a.url.as_deref().is_some_and(|u| !u.is_empty());
            SlackAction {
                kind: s(&a.kind),
                text: s(&a.text),
                url: s(&a.url),
                style: s(&a.style),
                // A URL button carries no name, value or confirmation (`SlackAction.UnmarshalYAML`).
                name: if by_url { String::new() } else { s(&a.name) },
                value: if by_url { String::new() } else { s(&a.value) },
                confirm: a.confirm.as_ref().filter(|_| !by_url).map(|c| SlackConfirm {
                    text: s(&c.text),
                    title: s(&c.title),
                    ok_text: s(&c.ok_text),
                    dismiss_text: s(&c.dismiss_text),
                }),
            }
        })
        .collect();
    Ok(Integration {
        index,
        send_resolved: c.send_resolved.unwrap_or(false),
        config: IntegrationConfig::Slack(Box::new(SlackConfig {
            http_config: http(&c.http_config, g),
            api_url,
            api_url_file,
            channel: s(&c.channel),
            username: d(&c.username, "slack.default.username"),
            color: c
                .color
                .clone()
                .unwrap_or_else(|| "{{ if eq .Status \"firing\" }}danger{{ else }}good{{ end }}".to_string()),
            title: d(&c.title, "slack.default.title"),
            title_link: d(&c.title_link, "slack.default.titlelink"),
            pretext: d(&c.pretext, "slack.default.pretext"),
            text: d(&c.text, "slack.default.text"),
            fields: c
                .fields
                .iter()
                .flatten()
                .map(|f| SlackField { title: s(&f.title), value: s(&f.value), short: f.short })
                .collect(),
            short_fields: c.short_fields.unwrap_or(false),
            footer: d(&c.footer, "slack.default.footer"),
            fallback: d(&c.fallback, "slack.default.fallback"),
            callback_id: d(&c.callback_id, "slack.default.callbackid"),
            icon_emoji: d(&c.icon_emoji, "slack.default.iconemoji"),
            icon_url: d(&c.icon_url, "slack.default.iconurl"),
            image_url: s(&c.image_url),
            thumb_url: s(&c.thumb_url),
            link_names: c.link_names.unwrap_or(false),
            mrkdwn_in: c.mrkdwn_in.clone().unwrap_or_default(),
            actions,
        })),
    })
}
