//! The `--config` YAML file: read as [`RawConfig`], validated into [`Config`].
//!
//! Unknown keys are errors, so a typo is reported instead of silently ignored.

use std::path::Path;
use std::time::Duration;

use serde::Deserialize;

use crate::cli::Cli;
use crate::rules::config::{RawAlerting, RuleSettings};
use crate::scrape::config::{RawGlobal, RawScrapeConfig, ScrapeSettings};
use crate::timefmt::parse_duration;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    #[serde(default)]
    pub demo: RawDemo,
    #[serde(default)]
    pub global: RawGlobal,
    #[serde(default)]
    pub scrape_configs: Vec<RawScrapeConfig>,
    /// Globs of Prometheus rule files, relative to the config file.
    #[serde(default)]
    pub rule_files: Vec<String>,
    #[serde(default)]
    pub alerting: RawAlerting,
    /// Lookout's own notifier, configured as an `alertmanager.yml` is.
    pub alertmanager: Option<serde_norway::Value>,
    /// Globs of Grafana dashboard JSON files to provision, relative to the config file.
    #[serde(default)]
    pub dashboards: Vec<String>,
    #[serde(default)]
    pub outbound: RawOutbound,
    #[serde(default)]
    pub auth: RawAuth,
    /// Where metrics are stored: Lookout's own store, or a Prometheus-compatible engine.
    #[serde(default)]
    pub storage: crate::remote::config::RawStorage,
    /// Named sources Explore and dashboard panels may read instead: `name: {prometheus: {…}}`
    /// or `name: {loki: {…}}`.
    #[serde(default)]
    pub datasources: std::collections::BTreeMap<String, crate::remote::config::RawDataSource>,
    /// Cards pinned to the Overview: PromQL or LogQL with a title, unit, thresholds and limit.
    #[serde(default)]
    pub overview: crate::overview::cards::RawOverview,
}

/// Sign-in; on unless turned off here or by `LOOKOUT_AUTH=off`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAuth {
    pub enabled: Option<bool>,
}

/// Where notifications may go beyond the usual: by default neither to link-local addresses
/// (cloud metadata services) nor to Lookout's own address.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOutbound {
    #[serde(default)]
    pub allow_self: bool,
    #[serde(default)]
    pub allow_link_local: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDemo {
    pub enabled: Option<bool>,
    /// Time between incidents, e.g. `10m`.
    pub incident_every: Option<String>,
    /// Time from start to the first incident, e.g. `60s`.
    pub first_incident_after: Option<String>,
    /// How long the pool stays exhausted, e.g. `2m`.
    pub incident_duration: Option<String>,
}

/// The validated configuration the server runs with.
#[derive(Debug, Clone)]
pub struct Config {
    pub demo: Option<DemoConfig>,
    pub scrape: ScrapeSettings,
    pub rules: RuleSettings,
    /// The `alertmanager:` section, when there is one.
    pub alertmanager: Option<lookout_alertmanager::config::Config>,
    /// Dashboard files to provision.
    pub dashboard_files: Vec<std::path::PathBuf>,
    /// Where notifications may not go; the server adds its own address when it listens.
    pub outbound: lookout_notify::Guard,
    /// Whether requests must sign in.
    pub auth_enabled: bool,
    /// The engine metrics are forwarded to and read from, if any.
    pub remote: Option<crate::remote::config::EngineSettings>,
    /// The Loki log lines are forwarded to and read from, if any.
    pub loki: Option<crate::remote::config::EngineSettings>,
    /// Named data sources, by name.
    pub datasources: Vec<(String, crate::remote::config::EngineSettings)>,
    /// The Overview's pinned cards: the config's, then the demo's.
    pub overview_cards: Vec<crate::overview::Card>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DemoConfig {
    pub incident_every: Duration,
    pub first_incident_after: Duration,
    pub incident_duration: Duration,
}

impl Default for DemoConfig {
    fn default() -> Self {
        DemoConfig {
            incident_every: Duration::from_secs(600),
            first_incident_after: Duration::from_secs(60),
            incident_duration: Duration::from_secs(120),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
}

impl Config {
    /// Reads the config file named on the command line (if any) and applies the flags over it.
    pub fn load(cli: &Cli) -> Result<Config, ConfigError> {
        Config::load_with_env(cli, std::env::var("LOOKOUT_AUTH").ok().as_deref())
    }

    /// [`Config::load`] with the value of `LOOKOUT_AUTH` given, which overrides the file.
    fn load_with_env(cli: &Cli, auth_env: Option<&str>) -> Result<Config, ConfigError> {
        let (raw, path) = match &cli.config {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|source| ConfigError::Read { path: path.display().to_string(), source })?;
                (parse(&text, path)?, path.display().to_string())
            }
            None => (RawConfig::default(), "(defaults)".to_string()),
        };
        let invalid = |message: String| ConfigError::Invalid { path: path.clone(), message };
        let demo = demo_config(&raw.demo, cli, &invalid)?;
        let base_dir = cli.config.as_ref().and_then(|p| p.parent()).map(Path::to_path_buf).unwrap_or_default();
        let scrape = crate::scrape::config::validate(&raw.global, &raw.scrape_configs, &base_dir).map_err(invalid)?;
        let external_url = cli.external_url.clone().unwrap_or_else(|| format!("http://{}", cli.listen));
        let mut rules =
            crate::rules::config::validate(&raw.global, &raw.rule_files, &raw.alerting, base_dir.clone(), external_url)
                .map_err(invalid)?;
        if demo.is_some() {
            rules.builtin.push(crate::demo::rules());
        }
        let alertmanager =
            raw.alertmanager.as_ref().map(|v| alertmanager_config(v, &base_dir, &invalid)).transpose()?;
        let dashboard_files =
            lookout_rules::glob::expand(&base_dir, &raw.dashboards).map_err(|e| invalid(format!("dashboards: {e}")))?;
        let outbound = lookout_notify::Guard {
            own: Vec::new(),
            allow_self: raw.outbound.allow_self,
            allow_link_local: raw.outbound.allow_link_local,
        };
        let auth_enabled = auth_enabled(auth_env, raw.auth.enabled)?;
        use crate::remote::config::{Kind, validate};
        let remote = raw
            .storage
            .metrics
            .prometheus
            .as_ref()
            .map(|r| validate(r, Kind::Metrics, Kind::Metrics.key()))
            .transpose()
            .map_err(&invalid)?;
        let loki = raw
            .storage
            .logs
            .loki
            .as_ref()
            .map(|r| validate(r, Kind::Logs, Kind::Logs.key()))
            .transpose()
            .map_err(&invalid)?;
        let datasources = crate::remote::config::data_sources(&raw.datasources).map_err(&invalid)?;
        let mut overview_cards = crate::overview::cards::validate(&raw.overview).map_err(&invalid)?;
        if demo.is_some() {
            overview_cards.extend(crate::demo::overview_cards());
        }
        Ok(Config {
            demo,
            scrape,
            rules,
            alertmanager,
            dashboard_files,
            outbound,
            auth_enabled,
            remote,
            loki,
            datasources,
            overview_cards,
        })
    }
}

/// A credential: compared and cloned like a string, never printed.
#[derive(Clone, PartialEq)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<secret>")
    }
}

/// The `Authorization` header that Prometheus-style credentials make (`basic_auth`,
/// `authorization`, `bearer_token`, `bearer_token_file`, secrets possibly in files), if any.
pub fn credentials(
    basic_auth: &Option<lookout_alertmanager::config::raw::RawBasicAuth>,
    authorization: &Option<lookout_alertmanager::config::raw::RawAuthorization>,
    bearer_token: &Option<String>,
    bearer_token_file: &Option<String>,
) -> Result<Option<Secret>, String> {
    let config = lookout_alertmanager::config::raw::RawHttpConfig {
        basic_auth: basic_auth.clone(),
        authorization: authorization.clone(),
        bearer_token: bearer_token.clone(),
        bearer_token_file: bearer_token_file.clone(),
        ..Default::default()
    };
    lookout_notify::authorization(&config).map(|header| header.map(Secret)).map_err(|e| e.to_string())
}

fn parse(text: &str, path: &Path) -> Result<RawConfig, ConfigError> {
    if text.trim().is_empty() {
        return Ok(RawConfig::default());
    }
    serde_norway::from_str(text)
        .map_err(|e| ConfigError::Invalid { path: path.display().to_string(), message: e.to_string() })
}

/// The demo's settings, or `None` when it is off (`--no-demo`, `demo: {enabled: false}`).
fn demo_config(
    raw: &RawDemo,
    cli: &Cli,
    invalid: &dyn Fn(String) -> ConfigError,
) -> Result<Option<DemoConfig>, ConfigError> {
    if cli.no_demo || !raw.enabled.unwrap_or(true) {
        return Ok(None);
    }
    let defaults = DemoConfig::default();
    let duration = |field: &str, value: &Option<String>, default: Duration| match value {
        Some(text) => parse_duration(text).map_err(|e| invalid(format!("demo.{field}: {e}"))),
        None => Ok(default),
    };
    let mut demo = DemoConfig {
        incident_every: duration("incident_every", &raw.incident_every, defaults.incident_every)?,
        first_incident_after: duration(
            "first_incident_after",
            &raw.first_incident_after,
            defaults.first_incident_after,
        )?,
        incident_duration: duration("incident_duration", &raw.incident_duration, defaults.incident_duration)?,
    };
    if let Some(minutes) = cli.demo_incident_every {
        demo.incident_every = Duration::from_secs(minutes * 60);
    }
    if demo.incident_every.is_zero() {
        return Err(invalid("demo.incident_every must be more than zero".into()));
    }
    Ok(Some(demo))
}

/// The `alertmanager:` section as Alertmanager reads its file, template globs relative to the
/// config file as in Alertmanager.
fn alertmanager_config(
    value: &serde_norway::Value,
    base_dir: &Path,
    invalid: &dyn Fn(String) -> ConfigError,
) -> Result<lookout_alertmanager::config::Config, ConfigError> {
    let text = serde_norway::to_string(value).map_err(|e| invalid(format!("alertmanager: {e}")))?;
    let mut config = lookout_alertmanager::config::load(&text).map_err(|e| invalid(format!("alertmanager: {e}")))?;
    for pattern in &mut config.templates {
        *pattern = base_dir.join(&*pattern).display().to_string();
    }
    Ok(config)
}

/// Whether sign-in is on: `LOOKOUT_AUTH` (on or off) over the file's `auth.enabled`, on by default.
fn auth_enabled(env: Option<&str>, configured: Option<bool>) -> Result<bool, ConfigError> {
    match env.map(str::to_ascii_lowercase).as_deref() {
        None | Some("") => Ok(configured.unwrap_or(true)),
        Some("on" | "true" | "1") => Ok(true),
        Some("off" | "false" | "0") => Ok(false),
        Some(other) => {
            Err(ConfigError::Invalid { path: "LOOKOUT_AUTH".into(), message: format!("{other:?}: use on or off") })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn load(yaml: &str, args: &[&str]) -> Result<Config, ConfigError> {
        load_env(yaml, args, None)
    }

    fn load_env(yaml: &str, args: &[&str], auth_env: Option<&str>) -> Result<Config, ConfigError> {
        let dir = std::env::temp_dir().join(format!("lookout-config-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{:x}.yml", yaml.len() * 31 + args.len()));
        std::fs::write(&path, yaml).unwrap();
        let mut argv = vec!["lookout", "--config", path.to_str().unwrap()];
        argv.extend_from_slice(args);
        Config::load_with_env(&Cli::parse_from(argv), auth_env)
    }

    #[test]
    fn a_metrics_backend_with_its_credentials() {
        let yaml = "storage:\n  metrics:\n    prometheus:\n      url: http://mimir:9009/prometheus/\n      remote_write_url: http://mimir:9009/api/v1/push\n      headers: {X-Scope-OrgID: team-a}\n      basic_auth: {username: lookout, password: s3cret}\n      queue: {shards: 2}\n";
        let remote = load(yaml, &[]).unwrap().remote.unwrap();
        assert_eq!(remote.url, "http://mimir:9009/prometheus");
        assert_eq!(remote.write_url, "http://mimir:9009/api/v1/push");
        assert_eq!(remote.shards, 2);
        assert!(remote.headers.contains(&("X-Scope-OrgID".into(), Secret("team-a".into()))));
        assert!(remote.headers.contains(&("Authorization".into(), Secret("Basic bG9va291dDpzM2NyZXQ=".into()))));
        assert!(!format!("{remote:?}").contains("bG9va291dDpzM2NyZXQ"), "credentials stay out of debug output");
        let default_write = load("storage:\n  metrics:\n    prometheus:\n      url: http://prom:9090\n", &[]).unwrap();
        assert_eq!(default_write.remote.unwrap().write_url, "http://prom:9090/api/v1/write");
        let err = load("storage:\n  metrics:\n    prometheus:\n      url: ftp://x\n", &[]).unwrap_err().to_string();
        assert!(err.contains("storage.metrics.prometheus.url") && err.contains("only http and https"), "{err}");
        let err =
            load("storage:\n  metrics:\n    prometheus:\n      url: http://me:pw@x\n", &[]).unwrap_err().to_string();
        assert!(err.contains("use basic_auth") && !err.contains("pw@"), "{err}");
        assert!(load("", &[]).unwrap().remote.is_none());
        let loki = load("storage:\n  logs:\n    loki:\n      url: http://loki:3100\n", &[]).unwrap().loki.unwrap();
        assert_eq!(loki.write_url, "http://loki:3100/loki/api/v1/push");
    }

    #[test]
    fn sign_in_is_on_unless_turned_off() {
        assert!(load("", &[]).unwrap().auth_enabled);
        assert!(!load("auth:\n  enabled: false\n", &[]).unwrap().auth_enabled);
        assert!(!load_env("", &[], Some("off")).unwrap().auth_enabled);
        assert!(load_env("auth:\n  enabled: false\n", &[], Some("on")).unwrap().auth_enabled, "the variable wins");
        let err = load_env("", &[], Some("maybe")).unwrap_err().to_string();
        assert!(err.contains("LOOKOUT_AUTH") && err.contains("maybe"), "{err}");
    }

    #[test]
    fn demo_settings_from_yaml_and_flags() {
        let config = load("demo:\n  incident_every: 5m\n  first_incident_after: 10s\n", &[]).unwrap();
        let demo = config.demo.unwrap();
        assert_eq!(demo.incident_every, Duration::from_secs(300));
        assert_eq!(demo.first_incident_after, Duration::from_secs(10));

        let config = load("demo:\n  incident_every: 5m\n", &["--demo-incident-every", "2"]).unwrap();
        assert_eq!(config.demo.unwrap().incident_every, Duration::from_secs(120));

        assert!(load("", &["--no-demo"]).unwrap().demo.is_none());
        assert!(load("demo:\n  enabled: false\n", &[]).unwrap().demo.is_none());
    }

    #[test]
    fn overview_cards_from_the_config_then_the_demo() {
        let yaml = "overview:\n  cards:\n    - title: Orders\n      promql: sum(rate(orders_total[5m]))\n      unit: per_second\n";
        let config = load(yaml, &["--no-demo"]).unwrap();
        let titles: Vec<&str> = config.overview_cards.iter().map(|c| c.title.as_str()).collect();
        assert_eq!(titles, ["Orders"]);
        assert!(load(yaml, &[]).unwrap().overview_cards.len() > 1, "the demo adds its own");
        let err =
            load("overview:\n  cards:\n    - title: A\n      promql: 'rate(x[5m]'\n", &[]).unwrap_err().to_string();
        assert!(err.contains("overview.cards[0].promql: 1:"), "{err}");
    }

    #[test]
    fn errors_name_the_place() {
        let err = load("demo:\n  incident_evry: 5m\n", &[]).unwrap_err().to_string();
        assert!(err.contains("incident_evry") && err.contains("line 2"), "{err}");
        let err = load("demo:\n  incident_every: soon\n", &[]).unwrap_err().to_string();
        assert!(err.contains("demo.incident_every") && err.contains("soon"), "{err}");
    }

    #[test]
    fn rule_settings_and_alertmanagers() {
        let yaml = "global:\n  evaluation_interval: 30s\n  external_labels: {cluster: eu1}\nrule_files: ['rules/*.yml']\n\
                    alerting:\n  alertmanagers:\n    - path_prefix: /am\n      timeout: 5s\n      static_configs:\n        - targets: ['a:9093', 'b:9093']\n";
        let config = load(yaml, &["--web.external-url", "https://lookout.example.com/"]).unwrap();
        let rules = config.rules;
        assert_eq!(rules.evaluation_interval, Duration::from_secs(30));
        assert_eq!(rules.patterns, ["rules/*.yml"]);
        assert_eq!(rules.external_url, "https://lookout.example.com");
        assert_eq!(rules.external_labels.get("cluster").map(String::as_str), Some("eu1"));
        let urls: Vec<&str> = rules.alertmanagers.iter().map(|a| a.url.as_str()).collect();
        assert_eq!(urls, ["http://a:9093/am/api/v2/alerts", "http://b:9093/am/api/v2/alerts"]);
        assert_eq!(rules.alertmanagers[0].timeout, Duration::from_secs(5));
        // The demo brings its own rules.
        assert_eq!(rules.builtin.len(), 1);
        assert!(load("", &["--no-demo"]).unwrap().rules.builtin.is_empty());

        assert!(rules.builtin_notifier, "Lookout's own notifier gets the alerts unless told otherwise");
        let with_auth = "alerting:\n  builtin_notifier: false\n  alertmanagers:\n    - basic_auth: {username: lookout, password: s3cret}\n      static_configs:\n        - targets: ['am:9093']\n";
        let rules = load(with_auth, &[]).unwrap().rules;
        assert!(!rules.builtin_notifier);
        let target = &rules.alertmanagers[0];
        assert_eq!(target.authorization.as_ref().map(|s| s.0.as_str()), Some("Basic bG9va291dDpzM2NyZXQ="));
        assert!(!format!("{target:?}").contains("bG9va291dDpzM2NyZXQ"), "{target:?}");
        let err = load("alerting:\n  alertmanagers:\n    - api_version: v1\n", &[]).unwrap_err().to_string();
        assert!(err.contains("only v2 is supported"), "{err}");
    }
}
