//! [`Notifier`]: renders one integration's notification and delivers it with retries.

use lookout_alertmanager::config::{Integration, IntegrationConfig, PagerDutyConfig};
use lookout_alertmanager::labels::go_quote;
use lookout_template::Template;
use tokio::time::Instant;

use crate::Guard;
use crate::attempt::{Attempt, Outcome};
use crate::error::DeliveryError;
use crate::message::Message;
use crate::render::Renderer;
use crate::retry::{now_ms, with_retries};
use crate::{email, http, pagerduty, slack, webhook};

/// Sends notifications; built once and shared (it holds the HTTP connection pool).
#[derive(Debug, Clone)]
pub struct Notifier {
    client: http::Outbound,
    templates: Template,
}

/// reqwest and lettre are built without a TLS provider of their own; ring is the process's.
fn install_crypto_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Losing a race with another installer is fine: a provider is installed either way.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}

impl Notifier {
    /// A notifier with its own HTTP client. `templates` is
    /// `lookout_template::alertmanager::default_template()` with the user's template files parsed
    /// into it.
    pub fn new(templates: Template, guard: Guard) -> Result<Notifier, reqwest::Error> {
        install_crypto_provider();
        Ok(Notifier::with_client(reqwest::Client::builder().build()?, templates, guard))
    }

    /// A notifier using the given HTTP client; `guard` says where it may not send.
    pub fn with_client(client: reqwest::Client, templates: Template, guard: Guard) -> Notifier {
        install_crypto_provider();
        Notifier { client: http::Outbound { client, guard }, templates }
    }

    /// Delivers `message` through `integration`, retrying retryable failures with Alertmanager's
    /// backoff until `deadline` (Alertmanager uses the group interval), and reports every attempt
    /// to `on_attempt` as it ends. A notification that cannot be rendered counts as one failed
    /// attempt.
    pub async fn deliver(
        &self,
        integration: &Integration,
        message: &Message,
        deadline: Instant,
        on_attempt: &mut (dyn FnMut(Attempt) + Send),
    ) -> Result<(), DeliveryError> {
        let kind = integration.kind();
        let data = message.data(&message.alerts);
        let r = Renderer::new(&self.templates, &data);
        let client = &self.client;
        match &integration.config {
            IntegrationConfig::Webhook(c) => {
                let target = JsonTarget { kind, url: &c.url, http_config: &c.http_config, retrier: &webhook::RETRIER };
                self.post(target, webhook::body(c, message), deadline, on_attempt).await
            }
            IntegrationConfig::Slack(c) => {
                let prepared = (|| Ok((http::authorization(&c.http_config)?, slack::prepare(c, &r)?)))();
                let (auth, p) = unsent(kind, on_attempt, prepared)?;
                let (auth, p) = (&auth, &p);
                with_retries(kind, deadline, on_attempt, || async move {
                    http::post_json(client, &p.url, auth.as_deref(), p.body.clone(), &slack::RETRIER).await.map_err(
                        |mut f| {
                            f.message = format!("channel {}: {}", go_quote(&p.channel), f.message);
                            f
                        },
                    )
                })
                .await
            }
            IntegrationConfig::PagerDuty(c) => {
                let body = pagerduty::event_body(c, &message.group_key, message.all_resolved(), &r);
                let target =
                    JsonTarget { kind, url: &c.url, http_config: &c.http_config, retrier: &pagerduty::RETRIER };
                self.post(target, body, deadline, on_attempt).await
            }
            IntegrationConfig::Email(c) => {
                let p = unsent(kind, on_attempt, email::prepare(c, &r))?;
                let p = &p;
                let guard = &self.client.guard;
                with_retries(kind, deadline, on_attempt, || email::send(p, guard, deadline)).await
            }
        }
    }

    /// Lookout's extension: tells PagerDuty the group's incident is acknowledged (an Events v2
    /// `acknowledge` event with the `dedup_key` the trigger had), with the same retries.
    pub async fn acknowledge_pagerduty(
        &self,
        config: &PagerDutyConfig,
        message: &Message,
        deadline: Instant,
        on_attempt: &mut (dyn FnMut(Attempt) + Send),
    ) -> Result<(), DeliveryError> {
        let data = message.data(&message.alerts);
        let r = Renderer::new(&self.templates, &data);
        let body = pagerduty::acknowledge_body(config, &message.group_key, &r);
        let target = JsonTarget {
            kind: "pagerduty",
            url: &config.url,
            http_config: &config.http_config,
            retrier: &pagerduty::RETRIER,
        };
        self.post(target, body, deadline, on_attempt).await
    }

    /// Posts a prepared JSON body with the target's credentials and Alertmanager's retries; a
    /// body or credentials that cannot be prepared are recorded as the first attempt.
    async fn post(
        &self,
        target: JsonTarget<'_>,
        body: Result<Vec<u8>, DeliveryError>,
        deadline: Instant,
        on_attempt: &mut (dyn FnMut(Attempt) + Send),
    ) -> Result<(), DeliveryError> {
        let prepared = http::authorization(target.http_config).and_then(|auth| Ok((auth, body?)));
        let (auth, body) = unsent(target.kind, on_attempt, prepared)?;
        let (auth, body, client) = (&auth, &body, &self.client);
        with_retries(target.kind, deadline, on_attempt, || {
            http::post_json(client, target.url, auth.as_deref(), body.clone(), target.retrier)
        })
        .await
    }
}

/// Where a JSON notification goes: the webhook, PagerDuty (events and acknowledgements).
struct JsonTarget<'a> {
    kind: &'static str,
    url: &'a str,
    http_config: &'a lookout_alertmanager::config::raw::RawHttpConfig,
    retrier: &'a crate::http::Retrier,
}

/// Passes a prepared notification on, or reports the failure to prepare it as a failed first
/// attempt: the history then says why nothing was sent.
fn unsent<T>(
    integration: &'static str,
    on_attempt: &mut (dyn FnMut(Attempt) + Send),
    prepared: Result<T, DeliveryError>,
) -> Result<T, DeliveryError> {
    prepared.inspect_err(|e| {
        on_attempt(Attempt {
            at_ms: now_ms(),
            attempt: 1,
            integration,
            outcome: Outcome::Failed,
            http_status: None,
            smtp_reply: None,
            error: Some(e.to_string()),
            duration: std::time::Duration::ZERO,
        })
    })
}
