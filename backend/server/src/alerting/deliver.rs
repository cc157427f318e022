//! Delivery of one planned notification through one integration (placeholder until the
//! integrations land).

use lookout_alertmanager::alert::Alert;
use lookout_alertmanager::config::{Config, Integration};
use lookout_alertmanager::dispatch::Flush;

use super::state::AttemptRecord;

pub struct Deliverer;

impl Deliverer {
    pub fn new(_config: &Config) -> Result<Deliverer, String> {
        Ok(Deliverer)
    }

    pub async fn deliver(
        &self,
        integration: &Integration,
        flush: &Flush,
        alerts: &[Alert],
        _external_url: &str,
    ) -> Vec<AttemptRecord> {
        vec![AttemptRecord {
            at_ms: crate::timefmt::now_ms(),
            receiver: flush.receiver.clone(),
            integration: integration.kind().into(),
            group_key: flush.group_key.clone(),
            alerts: alerts.iter().map(|a| a.fingerprint().to_string()).collect(),
            outcome: "failed".into(),
            status: None,
            smtp_reply: None,
            error: Some("not built yet".into()),
            attempt: 1,
            escalation: flush.escalation,
        }]
    }
}
