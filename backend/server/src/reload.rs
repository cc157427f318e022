//! Reloading the configuration (`SIGHUP`, `POST /-/reload`), as Prometheus and Alertmanager do:
//! the file is read again, and its rule files and notifier configuration replace the running
//! ones only if everything is valid; otherwise the old ones keep running and the error says why.

use crate::alerting::Alerting;
use crate::cli::Cli;
use crate::config::Config;
use crate::demo::alerting::DemoEndpoints;
use crate::rules::Rules;

pub struct Reloader {
    /// One reload at a time, so SIGHUP and `/-/reload` cannot mix two files' halves.
    pub running: std::sync::Mutex<()>,
    pub cli: Cli,
    pub rules: Rules,
    pub alerting: Alerting,
    /// The demo's stand-in receivers, when the demo runs.
    pub demo: Option<DemoEndpoints>,
}

impl Reloader {
    /// Reads the configuration again and applies it; what is now loaded.
    pub fn reload(&self) -> Result<String, String> {
        let _one_at_a_time = self.running.lock().unwrap_or_else(|e| e.into_inner());
        let config = Config::load(&self.cli).map_err(|e| e.to_string())?;
        // The notifier's part is readied before the rules change, so an error changes nothing.
        let notifier = self.alerting.prepare_config(notifier_config(&config, self.demo)?)?;
        let groups = self.rules.apply_settings(config.rules)?;
        self.alerting.apply_config(notifier);
        tracing::info!(groups, "configuration reloaded");
        Ok(format!("{groups} rule groups"))
    }
}

/// The notifier's configuration: the file's `alertmanager:` section; without one, the demo's
/// routing to its stand-ins when the demo runs, else one receiver without integrations.
pub fn notifier_config(
    config: &Config,
    demo: Option<DemoEndpoints>,
) -> Result<lookout_alertmanager::config::Config, String> {
    match (&config.alertmanager, demo) {
        (Some(configured), _) => Ok(configured.clone()),
        (None, Some(at)) => lookout_alertmanager::config::load(&crate::demo::alerting::config_text(at))
            .map_err(|e| format!("the demo's notifier configuration: {e}")),
        (None, None) => Ok(crate::alerting::default_config()),
    }
}
