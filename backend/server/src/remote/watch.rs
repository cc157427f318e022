//! Lookout alerts about its own backends: once writes to one have failed for `alert_after` (a
//! minute unless configured), `LookoutMetricsBackendDown` or `LookoutLogsBackendDown` (critical,
//! with the last error and how much waits on disk) goes where the rules' alerts go (the built-in
//! notifier, the Alertmanagers), re-sent while it lasts and resolved when writes go through again.
//! The alert comes from Lookout itself, not from a rule, since rules would read from the engine
//! that is down.

use std::time::Duration;

use lookout_alertmanager::alert::PostableAlert;
use lookout_alertmanager::labels::label_set;

use super::config::Kind;
use super::engine::Engine;
use crate::rules::sender::Sender;
use crate::timefmt::now_ms;

/// How often the backend's health is looked at, at most.
const EVERY: Duration = Duration::from_secs(15);

pub async fn run(remote: Engine, alerts: Sender, mut shutdown: tokio::sync::watch::Receiver<bool>) {
    let after = remote.settings.alert_after;
    let mut ticker = tokio::time::interval(after.clamp(Duration::from_secs(1), EVERY));
    let after = after.as_millis() as i64;
    let mut firing_since: Option<i64> = None;
    loop {
        tokio::select! {
            _ = ticker.tick() => {}
            _ = shutdown.changed() => return,
        }
        let now = now_ms();
        let alert = match (remote.health.failing(), firing_since) {
            (Some((since, error)), _) if now - since >= after => {
                firing_since = Some(since);
                Some(alert(&remote, since, None, &error))
            }
            (None, Some(since)) => {
                firing_since = None;
                Some(alert(&remote, since, Some(now), "writes go through again"))
            }
            _ => None,
        };
        if let Some(alert) = alert {
            alerts.dispatch(vec![alert]);
        }
    }
}

fn alert(remote: &Engine, since: i64, ended: Option<i64>, error: &str) -> PostableAlert {
    let (url, kind) = (remote.settings.url.as_str(), remote.settings.kind);
    let name = match kind {
        Kind::Metrics => "LookoutMetricsBackendDown",
        Kind::Logs => "LookoutLogsBackendDown",
    };
    let summary = format!("Lookout cannot write to its {} backend {url}", kind.name());
    let description = format!(
        "{error}. {} {} wait on Lookout's disk and are sent once the backend takes them.",
        remote.backlog(),
        kind.unit()
    );
    PostableAlert {
        labels: label_set([("alertname", name), ("severity", "critical"), ("backend", url)]),
        annotations: label_set([("summary", summary.as_str()), ("description", description.as_str())]),
        starts_at: Some(since),
        ends_at: ended,
        generator_url: String::new(),
    }
}
