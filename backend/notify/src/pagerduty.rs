//! The PagerDuty integration, Events API v2 (`notify/pagerduty/pagerduty.go`): trigger and
//! resolve events keyed by the hashed group key, and Lookout's acknowledge event.

use std::collections::BTreeMap;

use lookout_alertmanager::config::PagerDutyConfig;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::DeliveryError;
use crate::http::{Retrier, secret};
use crate::json;
use crate::render::{Renderer, truncate};

/// PagerDuty cuts summaries longer than this.
const MAX_SUMMARY_RUNES: usize = 1024;
/// PagerDuty refuses events larger than this; Alertmanager drops the custom details to fit.
const MAX_EVENT_BYTES: usize = 512_000;
const TOO_BIG: &str = "Custom details have been removed because the original event exceeds the maximum size of 512kB";

#[derive(Serialize)]
struct Event {
    routing_key: String,
    dedup_key: String,
    event_action: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    payload: Option<Payload>,
    #[serde(skip_serializing_if = "String::is_empty")]
    client: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    client_url: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    images: Vec<Image>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    links: Vec<Link>,
}

#[derive(Serialize)]
struct Payload {
    summary: String,
    source: String,
    severity: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    class: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    component: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    group: String,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    custom_details: BTreeMap<String, String>,
}

#[derive(Serialize)]
struct Image {
    src: String,
    alt: String,
    href: String,
}

#[derive(Serialize)]
struct Link {
    href: String,
    text: String,
}

/// PagerDuty's answer to a refused event.
#[derive(Deserialize)]
struct Refusal {
    #[serde(default)]
    message: String,
    #[serde(default)]
    errors: Vec<String>,
}

/// Events API v2 also retries 429 (rate limited); a 400 explains itself in the body.
pub(crate) const RETRIER: Retrier = Retrier {
    retry_codes: &[429],
    details: |_, status, body| {
        if status != 400 {
            return None;
        }
        let refusal: Refusal = serde_json::from_str(body).ok()?;
        Some(format!("{}: {}", refusal.message, refusal.errors.join(",")))
    },
};

/// The event's `dedup_key`: lowercase hex SHA-256 of the group key.
pub fn dedup_key(group_key: &str) -> String {
    Sha256::digest(group_key.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// The routing key, given inline (a template) or in a file.
fn routing_key(config: &PagerDutyConfig, r: &Renderer<'_>) -> Result<String, DeliveryError> {
    if !config.service_key.is_empty() || !config.service_key_file.is_empty() {
        return Err(DeliveryError::Config(
            "PagerDuty Events API v1 (service_key) is not supported; use routing_key".to_string(),
        ));
    }
    let key = if config.routing_key_file.is_empty() {
        r.text("routing_key", &config.routing_key)?
    } else {
        secret(&None, &Some(config.routing_key_file.clone()))?
    };
    if key.is_empty() {
        return Err(DeliveryError::Config("routing key cannot be empty".to_string()));
    }
    Ok(key)
}

/// The trigger (or, when every alert is resolved, resolve) event Alertmanager 0.25 sends.
pub(crate) fn event_body(
    config: &PagerDutyConfig,
    group_key: &str,
    resolved: bool,
    r: &Renderer<'_>,
) -> Result<Vec<u8>, DeliveryError> {
    let custom_details = config
        .details
        .iter()
        .map(|(k, v)| Ok((k.clone(), r.text(&format!("details {k:?}"), v)?)))
        .collect::<Result<_, DeliveryError>>()?;
    let severity = if config.severity.is_empty() { "error" } else { &config.severity };
    let images = config
        .images
        .iter()
        .map(|i| {
            Ok(Image {
                src: r.text("image src", i.src.as_deref().unwrap_or(""))?,
                alt: r.text("image alt", i.alt.as_deref().unwrap_or(""))?,
                href: r.text("image href", i.href.as_deref().unwrap_or(""))?,
            })
        })
        .filter(|i: &Result<Image, DeliveryError>| i.as_ref().map_or(true, |i| !i.src.is_empty()))
        .collect::<Result<_, DeliveryError>>()?;
    let links = config
        .links
        .iter()
        .map(|l| {
            Ok(Link {
                href: r.text("link href", l.href.as_deref().unwrap_or(""))?,
                text: r.text("link text", l.text.as_deref().unwrap_or(""))?,
            })
        })
        .filter(|l: &Result<Link, DeliveryError>| l.as_ref().map_or(true, |l| !l.href.is_empty()))
        .collect::<Result<_, DeliveryError>>()?;
    let mut event = Event {
        routing_key: routing_key(config, r)?,
        dedup_key: dedup_key(group_key),
        event_action: if resolved { "resolve" } else { "trigger" },
        payload: Some(Payload {
            summary: truncate(r.text("description", &config.description)?, MAX_SUMMARY_RUNES),
            source: r.text("source", &config.source)?,
            severity: r.text("severity", severity)?,
            class: r.text("class", &config.class)?,
            component: r.text("component", &config.component)?,
            group: r.text("group", &config.group)?,
            custom_details,
        }),
        client: r.text("client", &config.client)?,
        client_url: r.text("client_url", &config.client_url)?,
        images,
        links,
    };
    let body = json::encode(&event)?;
    if body.len() <= MAX_EVENT_BYTES {
        return Ok(body);
    }
    if let Some(payload) = &mut event.payload {
        payload.custom_details = BTreeMap::from([("error".to_string(), TOO_BIG.to_string())]);
    }
    json::encode(&event)
}

/// Lookout's acknowledge event for the group: the same `dedup_key`, no payload.
pub(crate) fn acknowledge_body(
    config: &PagerDutyConfig,
    group_key: &str,
    r: &Renderer<'_>,
) -> Result<Vec<u8>, DeliveryError> {
    json::encode(&Event {
        routing_key: routing_key(config, r)?,
        dedup_key: dedup_key(group_key),
        event_action: "acknowledge",
        payload: None,
        client: String::new(),
        client_url: String::new(),
        images: Vec::new(),
        links: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dedup_key_is_sha256_hex() {
        assert_eq!(dedup_key(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assert_eq!(dedup_key("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_eq!(
            dedup_key("{}:{alertname=\"HighErrorRate\"}"),
            "cbc7a356b874c7d0332c73753d5082204bea3c18a5cb2a9a50e75f6687ffb86b"
        );
    }
}
