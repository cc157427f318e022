//! Targets: turning discovered addresses and their labels into scrape targets the way Prometheus
//! does (`__address__`, `__scheme__`, `__metrics_path__`, `__param_*`, relabeling, `instance`).

use std::path::Path;

use super::config::{RawStaticConfig, ScrapeConfig};
use super::relabel::{self, LabelMap};
use crate::timefmt::format_duration;

/// A target ready to scrape.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub job: String,
    pub url: String,
    /// The labels every series of this target carries (`job`, `instance`, …).
    pub labels: LabelMap,
    /// The labels before relabeling, for `/api/v1/targets`.
    pub discovered: LabelMap,
}

/// What discovery produced for one job: the targets to scrape and those relabeling dropped.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Discovered {
    pub targets: Vec<Target>,
    pub dropped: Vec<LabelMap>,
}

/// The last good contents of each discovery file: a file that cannot be read (half written,
/// say) keeps its previous targets, as in Prometheus, instead of dropping them.
pub type FileCache = std::collections::HashMap<std::path::PathBuf, Vec<RawStaticConfig>>;

/// The groups of one job: its static ones and whatever its `file_sd_configs` files list now.
pub fn groups(config: &ScrapeConfig, cache: &mut FileCache) -> (Vec<RawStaticConfig>, Vec<String>) {
    let mut groups = config.static_groups.clone();
    let mut errors = Vec::new();
    for sd in &config.file_sd {
        for pattern in &sd.patterns {
            for path in glob(pattern) {
                match read_file_sd(&path) {
                    Ok(found) => {
                        let found: Vec<RawStaticConfig> = found
                            .into_iter()
                            .map(|mut g| {
                                g.labels.insert("__meta_filepath".into(), path.display().to_string());
                                g
                            })
                            .collect();
                        cache.insert(path.clone(), found);
                    }
                    Err(err) => errors.push(format!("{}: {err} (keeping its last good targets)", path.display())),
                }
                if let Some(found) = cache.get(&path) {
                    groups.extend(found.iter().cloned());
                }
            }
        }
    }
    (groups, errors)
}

fn read_file_sd(path: &Path) -> Result<Vec<RawStaticConfig>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let is_json = path.extension().is_some_and(|e| e == "json");
    if is_json {
        serde_json::from_str(&text).map_err(|e| e.to_string())
    } else {
        serde_norway::from_str(&text).map_err(|e| e.to_string())
    }
}

/// Expands `*` in the last path component (what `file_sd_configs` patterns use).
fn glob(pattern: &Path) -> Vec<std::path::PathBuf> {
    let Some(name) = pattern.file_name().and_then(|n| n.to_str()) else { return Vec::new() };
    if !name.contains('*') {
        return if pattern.exists() { vec![pattern.to_path_buf()] } else { Vec::new() };
    }
    let dir = pattern.parent().unwrap_or(Path::new("."));
    let (prefix, suffix) = name.split_once('*').unwrap_or((name, ""));
    let mut found: Vec<_> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                        n.len() >= prefix.len() + suffix.len() && n.starts_with(prefix) && n.ends_with(suffix)
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found
}

/// Adds the scheme's port to an address without one (`web` becomes `web:80`), as Prometheus 2.42
/// does, so `instance` always names a port.
fn with_default_port(address: &str, scheme: &str) -> String {
    let has_port = match address.rsplit_once(':') {
        Some((host, port)) => {
            !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) && (!host.contains(':') || host.ends_with(']'))
        }
        None => false,
    };
    if address.is_empty() || has_port {
        address.to_string()
    } else {
        format!("{address}:{}", if scheme == "https" { 443 } else { 80 })
    }
}

/// Builds the targets of one job from its groups.
pub fn build(config: &ScrapeConfig, groups: &[RawStaticConfig]) -> Discovered {
    let mut out = Discovered::default();
    for group in groups {
        for address in &group.targets {
            let mut labels = group.labels.clone();
            labels.insert("__address__".into(), address.clone());
            // Discovery may set these itself (a file listing `__metrics_path__: /probe`); the
            // job's settings only fill what it left out, as in Prometheus.
            let mut default = |name: &str, value: String| {
                labels.entry(name.to_string()).or_insert(value);
            };
            default("job", config.job_name.clone());
            default("__scheme__", config.scheme.clone());
            default("__metrics_path__", config.metrics_path.clone());
            default("__scrape_interval__", format_duration(config.interval));
            default("__scrape_timeout__", format_duration(config.timeout));
            for (name, values) in &config.params {
                if let Some(first) = values.first() {
                    default(&format!("__param_{name}"), first.clone());
                }
            }
            let discovered = labels.clone();
            let Some(mut final_labels) = relabel::apply(&config.relabel, labels) else {
                out.dropped.push(discovered);
                continue;
            };
            let scheme = final_labels.get("__scheme__").cloned().unwrap_or_else(|| "http".into());
            let address = with_default_port(final_labels.get("__address__").map_or("", String::as_str), &scheme);
            if address.is_empty() {
                out.dropped.push(discovered);
                continue;
            }
            let path = final_labels.get("__metrics_path__").cloned().unwrap_or_else(|| "/metrics".into());
            let mut query: Vec<(String, String)> = config
                .params
                .iter()
                .flat_map(|(name, values)| values.iter().skip(1).map(move |v| (name.clone(), v.clone())))
                .collect();
            query.extend(
                final_labels.iter().filter_map(|(k, v)| k.strip_prefix("__param_").map(|n| (n.to_string(), v.clone()))),
            );
            query.sort();
            let query_string = if query.is_empty() {
                String::new()
            } else {
                format!("?{}", serde_urlencoded::to_string(&query).unwrap_or_default())
            };
            let url = format!("{scheme}://{address}{path}{query_string}");
            final_labels.entry("instance".into()).or_insert(address);
            final_labels.retain(|k, v| !k.starts_with("__") && !v.is_empty());
            out.targets.push(Target { job: config.job_name.clone(), url, labels: final_labels, discovered });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::scrape::config::{RawGlobal, RawScrapeConfig, validate};

    fn config(yaml: &str) -> ScrapeConfig {
        let raw: Vec<RawScrapeConfig> = serde_norway::from_str(yaml).unwrap();
        validate(&RawGlobal::default(), &raw, Path::new("/tmp")).unwrap().configs.remove(0)
    }

    #[test]
    fn targets_from_static_configs_and_relabeling() {
        let c = config(
            "- job_name: node\n  scrape_interval: 15s\n  params: {module: [http_2xx]}\n  static_configs:\n    - targets: ['a:9100', 'b:9100']\n      labels: {env: prod}\n  relabel_configs:\n    - source_labels: [__address__]\n      regex: 'b:.*'\n      action: drop\n",
        );
        assert_eq!(c.interval, Duration::from_secs(15));
        let found = build(&c, &c.static_groups);
        assert_eq!(found.targets.len(), 1);
        let t = &found.targets[0];
        assert_eq!(t.url, "http://a:9100/metrics?module=http_2xx");
        let labels: Vec<(&str, &str)> = t.labels.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(labels, [("env", "prod"), ("instance", "a:9100"), ("job", "node")]);
        assert_eq!(found.dropped.len(), 1);
        assert_eq!(found.dropped[0].get("__address__").map(String::as_str), Some("b:9100"));
    }

    #[test]
    fn default_ports_and_discovered_paths_win() {
        let c = config(
            "- job_name: probe\n  scheme: https\n  static_configs:\n    - targets: ['web', '[::1]:9', 'h:1']\n      labels: {__metrics_path__: /probe}\n",
        );
        let found = build(&c, &c.static_groups);
        let urls: Vec<&str> = found.targets.iter().map(|t| t.url.as_str()).collect();
        assert_eq!(urls, ["https://web:443/probe", "https://[::1]:9/probe", "https://h:1/probe"]);
        assert_eq!(found.targets[0].labels.get("instance").map(String::as_str), Some("web:443"));
    }

    #[test]
    fn validation_errors_name_the_job() {
        let raw: Vec<RawScrapeConfig> =
            serde_norway::from_str("- job_name: x\n  scrape_interval: 5s\n  scrape_timeout: 10s\n").unwrap();
        let err = validate(&RawGlobal::default(), &raw, Path::new("/")).unwrap_err();
        assert!(err.contains("scrape timeout greater than scrape interval") && err.contains("\"x\""), "{err}");
        let raw: Vec<RawScrapeConfig> = serde_norway::from_str("- job_name: x\n- job_name: x\n").unwrap();
        assert!(validate(&RawGlobal::default(), &raw, Path::new("/")).unwrap_err().contains("multiple scrape configs"));
    }

    #[test]
    fn file_sd_reads_json_and_yaml_with_globs() {
        let dir = std::env::temp_dir().join(format!("lookout-file-sd-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("a.json"), r#"[{"targets": ["x:1"], "labels": {"team": "pay"}}]"#).unwrap();
        std::fs::write(dir.join("b.yml"), "- targets: ['y:2']\n").unwrap();
        let raw: Vec<RawScrapeConfig> =
            serde_norway::from_str("- job_name: f\n  file_sd_configs:\n    - files: ['*.json', 'b.yml']\n").unwrap();
        let c = validate(&RawGlobal::default(), &raw, &dir).unwrap().configs.remove(0);
        let (groups, errors) = groups(&c, &mut FileCache::new());
        assert!(errors.is_empty(), "{errors:?}");
        let found = build(&c, &groups);
        let urls: Vec<&str> = found.targets.iter().map(|t| t.url.as_str()).collect();
        assert_eq!(urls, ["http://x:1/metrics", "http://y:2/metrics"]);
        assert_eq!(found.targets[0].labels.get("team").map(String::as_str), Some("pay"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
