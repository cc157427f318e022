//! The webhook integration (`notify/webhook/webhook.go`): the group's template data as JSON,
//! version 4, truncated to `max_alerts`.

use std::collections::BTreeMap;

use lookout_alertmanager::config::WebhookConfig;
use lookout_template::alertmanager::Data;
use serde::Serialize;

use crate::error::DeliveryError;
use crate::http::Retrier;
use crate::json;
use crate::message::{Message, rfc3339_nano};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Payload<'a> {
    receiver: &'a str,
    status: &'static str,
    alerts: Vec<AlertJson<'a>>,
    group_labels: &'a BTreeMap<String, String>,
    common_labels: &'a BTreeMap<String, String>,
    common_annotations: &'a BTreeMap<String, String>,
    #[serde(rename = "externalURL")]
    external_url: &'a str,
    version: &'static str,
    group_key: &'a str,
    truncated_alerts: u64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AlertJson<'a> {
    status: &'static str,
    labels: &'a BTreeMap<String, String>,
    annotations: &'a BTreeMap<String, String>,
    starts_at: String,
    ends_at: String,
    #[serde(rename = "generatorURL")]
    generator_url: &'a str,
    fingerprint: &'a str,
}

/// Webhooks retry only 5xx; the error names the URL and what the receiver said.
pub(crate) const RETRIER: Retrier =
    Retrier { retry_codes: &[], details: |url, _, body| Some(format!("{url}: {body}")) };

/// The request body Alertmanager 0.25 posts for `message`.
pub(crate) fn body(config: &WebhookConfig, message: &Message) -> Result<Vec<u8>, DeliveryError> {
    let limit = usize::try_from(config.max_alerts).unwrap_or(usize::MAX);
    let (kept, truncated) = if limit > 0 && message.alerts.len() > limit {
        (&message.alerts[..limit], message.alerts.len() - limit)
    } else {
        (&message.alerts[..], 0)
    };
    let data = message.data(kept);
    json::encode(&payload(&data, &message.group_key, truncated as u64))
}

fn payload<'a>(data: &'a Data, group_key: &'a str, truncated: u64) -> Payload<'a> {
    Payload {
        receiver: &data.receiver,
        status: data.status.as_str(),
        alerts: data
            .alerts
            .iter()
            .map(|a| AlertJson {
                status: a.status.as_str(),
                labels: &a.labels.0,
                annotations: &a.annotations.0,
                starts_at: rfc3339_nano(a.starts_at),
                ends_at: rfc3339_nano(a.ends_at),
                generator_url: &a.generator_url,
                fingerprint: &a.fingerprint,
            })
            .collect(),
        group_labels: &data.group_labels.0,
        common_labels: &data.common_labels.0,
        common_annotations: &data.common_annotations.0,
        external_url: &data.external_url,
        version: "4",
        group_key,
        truncated_alerts: truncated,
    }
}
