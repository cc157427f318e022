//! The Prometheus `global` and `scrape_configs` sections of the config file, as Prometheus
//! users write them, validated into [`ScrapeConfig`]s.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;

use super::relabel::{LabelMap, RawRule, Rule};
use crate::timefmt::parse_duration;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGlobal {
    pub scrape_interval: Option<String>,
    pub scrape_timeout: Option<String>,
    pub evaluation_interval: Option<String>,
    #[serde(default)]
    pub external_labels: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScrapeConfig {
    pub job_name: String,
    pub scrape_interval: Option<String>,
    pub scrape_timeout: Option<String>,
    pub metrics_path: Option<String>,
    pub scheme: Option<String>,
    #[serde(default)]
    pub params: BTreeMap<String, Vec<String>>,
    pub honor_labels: Option<bool>,
    pub honor_timestamps: Option<bool>,
    pub sample_limit: Option<usize>,
    #[serde(default)]
    pub static_configs: Vec<RawStaticConfig>,
    #[serde(default)]
    pub file_sd_configs: Vec<RawFileSdConfig>,
    #[serde(default)]
    pub relabel_configs: Vec<RawRule>,
    #[serde(default)]
    pub metric_relabel_configs: Vec<RawRule>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStaticConfig {
    #[serde(default)]
    pub targets: Vec<String>,
    #[serde(default)]
    pub labels: LabelMap,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFileSdConfig {
    pub files: Vec<String>,
    pub refresh_interval: Option<String>,
}

/// One validated scrape job.
#[derive(Debug, Clone)]
pub struct ScrapeConfig {
    pub job_name: String,
    pub interval: Duration,
    pub timeout: Duration,
    pub metrics_path: String,
    pub scheme: String,
    pub params: BTreeMap<String, Vec<String>>,
    pub honor_labels: bool,
    pub honor_timestamps: bool,
    /// 0 means no limit.
    pub sample_limit: usize,
    pub static_groups: Vec<RawStaticConfig>,
    pub file_sd: Vec<FileSd>,
    pub relabel: Vec<Rule>,
    pub metric_relabel: Vec<Rule>,
}

#[derive(Debug, Clone)]
pub struct FileSd {
    /// Glob patterns, relative to the config file's directory.
    pub patterns: Vec<PathBuf>,
}

/// The scrape settings of the whole file.
#[derive(Debug, Clone, Default)]
pub struct ScrapeSettings {
    pub configs: Vec<ScrapeConfig>,
}

fn duration(field: &str, value: &Option<String>, default: Duration) -> Result<Duration, String> {
    match value {
        Some(text) => parse_duration(text).map_err(|e| format!("{field}: {e}")),
        None => Ok(default),
    }
}

/// Validates the scrape sections; `base_dir` resolves relative `file_sd_configs` paths.
pub fn validate(
    global: &RawGlobal,
    raw: &[RawScrapeConfig],
    base_dir: &std::path::Path,
) -> Result<ScrapeSettings, String> {
    let global_interval = duration("global.scrape_interval", &global.scrape_interval, Duration::from_secs(60))?;
    let global_timeout = duration("global.scrape_timeout", &global.scrape_timeout, Duration::from_secs(10))?;
    let mut configs = Vec::new();
    for r in raw {
        let job = &r.job_name;
        if job.is_empty() {
            return Err("scrape_configs: job_name must not be empty".into());
        }
        if configs.iter().any(|c: &ScrapeConfig| c.job_name == *job) {
            return Err(format!("scrape_configs: found multiple scrape configs with job name {job:?}"));
        }
        let interval =
            duration(&format!("scrape_configs[{job}].scrape_interval"), &r.scrape_interval, global_interval)?;
        let timeout = duration(
            &format!("scrape_configs[{job}].scrape_timeout"),
            &r.scrape_timeout,
            global_timeout.min(interval),
        )?;
        if interval.is_zero() {
            return Err(format!("scrape_configs[{job}]: scrape_interval must be more than zero"));
        }
        if timeout > interval {
            return Err(format!("scrape timeout greater than scrape interval for scrape config with job name {job:?}"));
        }
        let scheme = r.scheme.clone().unwrap_or_else(|| "http".into());
        if scheme != "http" && scheme != "https" {
            return Err(format!("scrape_configs[{job}]: scheme must be http or https, not {scheme:?}"));
        }
        let compile = |rules: &[RawRule], field: &str| -> Result<Vec<Rule>, String> {
            rules
                .iter()
                .enumerate()
                .map(|(i, rule)| Rule::compile(rule).map_err(|e| format!("scrape_configs[{job}].{field}[{i}]: {e}")))
                .collect()
        };
        let mut file_sd = Vec::new();
        for sd in &r.file_sd_configs {
            // refresh_interval is checked for syntax; files are re-read every few seconds anyway.
            duration(
                &format!("scrape_configs[{job}].file_sd_configs.refresh_interval"),
                &sd.refresh_interval,
                Duration::ZERO,
            )?;
            file_sd.push(FileSd { patterns: sd.files.iter().map(|f| base_dir.join(f)).collect() });
        }
        configs.push(ScrapeConfig {
            job_name: job.clone(),
            interval,
            timeout,
            metrics_path: r.metrics_path.clone().unwrap_or_else(|| "/metrics".into()),
            scheme,
            params: r.params.clone(),
            honor_labels: r.honor_labels.unwrap_or(false),
            honor_timestamps: r.honor_timestamps.unwrap_or(true),
            sample_limit: r.sample_limit.unwrap_or(0),
            static_groups: r.static_configs.clone(),
            file_sd,
            relabel: compile(&r.relabel_configs, "relabel_configs")?,
            metric_relabel: compile(&r.metric_relabel_configs, "metric_relabel_configs")?,
        });
    }
    Ok(ScrapeSettings { configs })
}
