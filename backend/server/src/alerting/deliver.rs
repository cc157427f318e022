//! Delivery of one planned notification through one integration: `lookout-notify` speaks the
//! protocols and retries; this records every attempt for the notification log.

use std::time::Duration;

use lookout_alertmanager::config::{Config, Integration, PagerDutyConfig};
use lookout_alertmanager::dispatch::Flush;
use lookout_alertmanager::pipeline::SendPlan;
use lookout_notify::{Attempt, Guard, Message, Notifier, Outcome};
use lookout_types::alerts::DeliveryOutcome;

use super::state::AttemptRecord;

/// Alertmanager gives a flush `max(group_interval, 10s)` to deliver.
const MIN_DELIVERY_TIME: Duration = Duration::from_secs(10);

pub struct Deliverer {
    notifier: Notifier,
}

impl Deliverer {
    /// Our default templates (Alertmanager's names) plus the config's `templates:` files.
    pub fn new(config: &Config, guard: &Guard) -> Result<Deliverer, String> {
        let mut templates = lookout_template::alertmanager::default_template();
        let files = lookout_rules::glob::expand(std::path::Path::new("/"), &config.templates)
            .map_err(|e| format!("alertmanager templates: {e}"))?;
        for file in files {
            let text = std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            templates = templates.parse(&text).map_err(|e| format!("{}: {e}", file.display()))?;
        }
        let notifier =
            Notifier::new(templates, guard.clone()).map_err(|e| format!("cannot build the HTTP client: {e}"))?;
        Ok(Deliverer { notifier })
    }

    /// Tells PagerDuty that the incident of `message`'s group is acknowledged; every attempt.
    pub async fn acknowledge_pagerduty(&self, config: &PagerDutyConfig, message: &Message) -> Vec<AttemptRecord> {
        let deadline = tokio::time::Instant::now() + MIN_DELIVERY_TIME;
        let fingerprints: Vec<String> = message.alerts.iter().map(|a| a.fingerprint().to_string()).collect();
        let mut records = Vec::new();
        let outcome = self
            .notifier
            .acknowledge_pagerduty(config, message, deadline, &mut |a| {
                records.push(record(a, &message.receiver, &message.group_key, &fingerprints, false))
            })
            .await;
        if let Err(err) = outcome {
            tracing::warn!(receiver = %message.receiver, %err, "PagerDuty was not told of an acknowledgement");
            settle(&mut records);
        }
        records
    }

    /// Delivers `plan` within the flush's time; every attempt, in order.
    pub async fn deliver(
        &self,
        integration: &Integration,
        flush: &Flush,
        plan: &SendPlan,
        group_interval: Duration,
        external_url: &str,
    ) -> Vec<AttemptRecord> {
        let message = Message::for_plan(flush, plan, external_url);
        let deadline = tokio::time::Instant::now() + group_interval.max(MIN_DELIVERY_TIME);
        let fingerprints: Vec<String> = plan.alerts.iter().map(|a| a.fingerprint().to_string()).collect();
        let mut records = Vec::new();
        let result = self
            .notifier
            .deliver(integration, &message, deadline, &mut |a| {
                records.push(record(a, &flush.receiver, &flush.group_key, &fingerprints, flush.escalation))
            })
            .await;
        if let Err(err) = result {
            tracing::warn!(receiver = %flush.receiver, integration = integration.kind(), %err, "notification not delivered");
            settle(&mut records);
        }
        records
    }
}

fn record(a: Attempt, receiver: &str, group_key: &str, alerts: &[String], escalation: bool) -> AttemptRecord {
    AttemptRecord {
        at_ms: a.at_ms,
        receiver: receiver.to_string(),
        integration: a.integration.to_string(),
        group_key: group_key.to_string(),
        alerts: alerts.to_vec(),
        outcome: match a.outcome {
            Outcome::Success => DeliveryOutcome::Success,
            Outcome::Retryable => DeliveryOutcome::Retrying,
            Outcome::Failed => DeliveryOutcome::Failed,
        },
        status: a.http_status,
        smtp_reply: a.smtp_reply,
        error: a.error,
        attempt: a.attempt,
        escalation,
    }
}

/// A delivery that ended in an error: its last try said "retrying" but none follows (the
/// deadline ended it), so it is the failure.
fn settle(records: &mut [AttemptRecord]) {
    if let Some(last) = records.last_mut().filter(|r| r.outcome == DeliveryOutcome::Retrying) {
        last.outcome = DeliveryOutcome::Failed;
    }
}
