//! The Slack integration (`notify/slack/slack.go`): one attachment posted to an incoming webhook.

use lookout_alertmanager::config::SlackConfig;
use serde::Serialize;

use crate::error::DeliveryError;
use crate::http::{Retrier, secret};
use crate::json;
use crate::render::{Renderer, truncate};

/// Slack cuts titles longer than this.
const MAX_TITLE_RUNES: usize = 1024;

#[derive(Serialize)]
struct Request {
    #[serde(skip_serializing_if = "String::is_empty")]
    channel: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    username: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    icon_emoji: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    icon_url: String,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    link_names: bool,
    attachments: Vec<Attachment>,
}

#[derive(Serialize)]
struct Attachment {
    #[serde(skip_serializing_if = "String::is_empty")]
    title: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    title_link: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pretext: String,
    text: String,
    fallback: String,
    callback_id: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fields: Vec<Field>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    actions: Vec<Action>,
    #[serde(skip_serializing_if = "String::is_empty")]
    image_url: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    thumb_url: String,
    footer: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    color: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    mrkdwn_in: Vec<String>,
}

#[derive(Serialize)]
struct Field {
    title: String,
    value: String,
    short: bool,
}

#[derive(Serialize)]
struct Action {
    #[serde(rename = "type", skip_serializing_if = "String::is_empty")]
    kind: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    text: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    url: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    style: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    name: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    value: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    confirm: Option<Confirm>,
}

#[derive(Serialize)]
struct Confirm {
    #[serde(skip_serializing_if = "String::is_empty")]
    text: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    title: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    ok_text: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    dismiss_text: String,
}

/// Slack retries only 5xx and adds nothing to the status in its error.
pub(crate) const RETRIER: Retrier = Retrier { retry_codes: &[], details: |_, _, _| None };

/// A rendered Slack request: where it goes, the channel (for error texts) and the body.
pub(crate) struct Prepared {
    pub url: String,
    pub channel: String,
    pub body: Vec<u8>,
}

pub(crate) fn prepare(config: &SlackConfig, r: &Renderer<'_>) -> Result<Prepared, DeliveryError> {
    let mrkdwn_in = if config.mrkdwn_in.is_empty() {
        vec!["fallback".to_string(), "pretext".to_string(), "text".to_string()]
    } else {
        config.mrkdwn_in.clone()
    };
    let fields = config
        .fields
        .iter()
        .map(|f| {
            Ok(Field {
                title: r.text("field title", &f.title)?,
                value: r.text("field value", &f.value)?,
                short: f.short.unwrap_or(config.short_fields),
            })
        })
        .collect::<Result<_, DeliveryError>>()?;
    let actions = config
        .actions
        .iter()
        .map(|a| {
            let confirm = match &a.confirm {
                Some(c) => Some(Confirm {
                    text: r.text("action confirm text", &c.text)?,
                    title: r.text("action confirm title", &c.title)?,
                    ok_text: r.text("action confirm ok_text", &c.ok_text)?,
                    dismiss_text: r.text("action confirm dismiss_text", &c.dismiss_text)?,
                }),
                None => None,
            };
            Ok(Action {
                kind: r.text("action type", &a.kind)?,
                text: r.text("action text", &a.text)?,
                url: r.text("action url", &a.url)?,
                style: r.text("action style", &a.style)?,
                name: r.text("action name", &a.name)?,
                value: r.text("action value", &a.value)?,
                confirm,
            })
        })
        .collect::<Result<_, DeliveryError>>()?;
    let attachment = Attachment {
        title: truncate(r.text("title", &config.title)?, MAX_TITLE_RUNES),
        title_link: r.text("title_link", &config.title_link)?,
        pretext: r.text("pretext", &config.pretext)?,
        text: r.text("text", &config.text)?,
        fallback: r.text("fallback", &config.fallback)?,
        callback_id: r.text("callback_id", &config.callback_id)?,
        fields,
        actions,
        image_url: r.text("image_url", &config.image_url)?,
        thumb_url: r.text("thumb_url", &config.thumb_url)?,
        footer: r.text("footer", &config.footer)?,
        color: r.text("color", &config.color)?,
        mrkdwn_in,
    };
    let request = Request {
        channel: r.text("channel", &config.channel)?,
        username: r.text("username", &config.username)?,
        icon_emoji: r.text("icon_emoji", &config.icon_emoji)?,
        icon_url: r.text("icon_url", &config.icon_url)?,
        link_names: config.link_names,
        attachments: vec![attachment],
    };
    let url = secret(&config.api_url, &config.api_url_file)?;
    if url.is_empty() {
        return Err(DeliveryError::Config("no Slack API URL".to_string()));
    }
    Ok(Prepared { url, channel: request.channel.clone(), body: json::encode(&request)? })
}
