//! Named data sources (`datasources:` in the config): Prometheus-compatible engines and Lokis
//! that Explore and dashboard panels may pick instead of Lookout's own store. They are listed as
//! Grafana lists its data sources, read through Grafana's proxy path, and asked by the live
//! socket for the panels that name them.

use std::collections::BTreeMap;

use lookout_types::grafana::DataSourceInfo;

use crate::metrics::{Metrics, Reader};
use crate::remote::config::{EngineSettings, Kind, OWN_SOURCES};
use crate::remote::{Engine, Loki, Prometheus};

/// A named source.
#[derive(Clone)]
pub enum Source {
    Prometheus(Prometheus),
    Loki(Loki),
}

#[derive(Clone, Default)]
pub struct DataSources {
    by_uid: BTreeMap<String, Source>,
}

impl DataSources {
    pub fn connect(configured: &[(String, EngineSettings)]) -> anyhow::Result<DataSources> {
        let mut by_uid = BTreeMap::new();
        for (name, settings) in configured {
            let engine = Engine::connect(settings.clone())?;
            let source = match settings.kind {
                Kind::Metrics => Source::Prometheus(Prometheus { engine }),
                Kind::Logs => Source::Loki(Loki { engine }),
            };
            by_uid.insert(name.clone(), source);
        }
        Ok(DataSources { by_uid })
    }

    /// The named source `uid`; `None` for Lookout's own (`lookout`, `lookout-logs`, or none).
    pub fn get(&self, uid: Option<&str>) -> Result<Option<&Source>, String> {
        match uid {
            None | Some("") => Ok(None),
            Some(uid) if OWN_SOURCES.contains(&uid) => Ok(None),
            Some(uid) => self.by_uid.get(uid).map(Some).ok_or_else(|| format!("no data source {uid:?}")),
        }
    }

    /// The metrics reader `uid` names: Lookout's own pillar (`own`, which reads its engine when
    /// one is configured) for `lookout` or none, the engine of a named Prometheus source.
    pub fn metrics<'a>(&'a self, uid: Option<&str>, own: &'a Metrics) -> Result<Reader<'a>, String> {
        match self.get(uid)? {
            None => Ok(own.reader()),
            Some(Source::Prometheus(engine)) => Ok(Reader::Engine(engine)),
            Some(Source::Loki(_)) => Err(wrong_kind(uid)),
        }
    }

    /// Lookout's own store (as a Prometheus and a Loki source), then the named ones.
    pub fn list(&self) -> Vec<DataSourceInfo> {
        let own = [("lookout", "Lookout", "prometheus"), ("lookout-logs", "Lookout logs", "loki")];
        own.iter()
            .map(|(uid, name, kind)| DataSourceInfo {
                uid: uid.to_string(),
                name: name.to_string(),
                kind: kind.to_string(),
                is_default: *uid == "lookout",
            })
            .chain(self.by_uid.iter().map(|(uid, source)| DataSourceInfo {
                uid: uid.clone(),
                name: uid.clone(),
                kind: match source {
                    Source::Prometheus(_) => "prometheus".into(),
                    Source::Loki(_) => "loki".into(),
                },
                is_default: false,
            }))
            .collect()
    }
}

/// Why a named source cannot answer: a Loki asked for metrics, or a Prometheus for lines.
pub fn wrong_kind(uid: Option<&str>) -> String {
    format!("data source {} does not answer this kind of query", lookout_gotext::quote(uid.unwrap_or("")))
}

impl Source {
    pub fn engine(&self) -> &Engine {
        match self {
            Source::Prometheus(p) => &p.engine,
            Source::Loki(l) => &l.engine,
        }
    }

    /// Whether `path` is one of the read endpoints a source of this kind may be asked for.
    pub fn readable(&self, path: &str) -> bool {
        let path = path.trim_start_matches('/');
        let (prefix, reads): (&str, &[&str]) = match self {
            Source::Prometheus(_) => ("api/v1/", &["query", "query_range", "series", "labels", "metadata"]),
            Source::Loki(_) => ("loki/api/v1/", &["query", "query_range", "series", "labels"]),
        };
        let Some(rest) = path.strip_prefix(prefix) else { return false };
        reads.contains(&rest)
            || rest
                .strip_prefix("label/")
                .and_then(|r| r.strip_suffix("/values"))
                .is_some_and(lookout_tsdb::is_valid_label_name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_read_endpoints_are_passed_on() {
        let settings = |kind| {
            let raw: crate::remote::config::RawEngine = serde_norway::from_str("url: http://engine:9090").unwrap();
            crate::remote::config::validate(&raw, kind, "test").unwrap()
        };
        let sources =
            DataSources::connect(&[("thanos".into(), settings(Kind::Metrics)), ("loki".into(), settings(Kind::Logs))])
                .unwrap();
        let thanos = sources.get(Some("thanos")).unwrap().unwrap();
        assert!(thanos.readable("api/v1/query_range") && thanos.readable("/api/v1/label/job/values"));
        assert!(!thanos.readable("api/v1/write") && !thanos.readable("api/v1/admin/tsdb/delete_series"));
        assert!(!thanos.readable("api/v1/label/../../admin/values"));
        let loki = sources.get(Some("loki")).unwrap().unwrap();
        assert!(loki.readable("loki/api/v1/query_range") && !loki.readable("loki/api/v1/push"));
        assert!(sources.get(Some("lookout")).unwrap().is_none());
        assert!(sources.get(Some("nope")).is_err());
        let listed: Vec<(String, String)> = sources.list().into_iter().map(|s| (s.uid, s.kind)).collect();
        assert_eq!(listed[2..], [("loki".into(), "loki".into()), ("thanos".into(), "prometheus".into())]);
    }
}
