//! Dashboards, kept in Grafana's JSON model so that existing dashboards come across unchanged
//! and go back out as they came: every save is a new version, written atomically (temporary
//! file, fsync, rename) under `<data-dir>/dashboards/<uid>/<version>.json`; deleting removes the
//! dashboard with its history. Provisioned dashboards (from files named in the config, and the
//! demo's) are loaded at start and are read-only through the API, as in Grafana.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::RwLock;

use serde_json::Value;

/// A uid is what Grafana allows: letters, digits, `-` and `_`, at most 40 of them.
const MAX_UID: usize = 40;
/// The largest dashboard JSON accepted.
pub const MAX_DASHBOARD_BYTES: usize = 4 << 20;

/// One saved version of a dashboard.
#[derive(Debug, Clone, PartialEq)]
pub struct Version {
    pub version: u64,
    pub created_ms: i64,
    pub message: String,
    /// Who saved it (`anonymous` with sign-in off; empty for versions stored before sign-in).
    pub created_by: String,
    pub json: Value,
}

/// A dashboard with its history, newest version last.
#[derive(Debug, Clone, PartialEq)]
pub struct Dashboard {
    pub uid: String,
    pub versions: Vec<Version>,
    /// From a file (or the demo): not changed or deleted through the API.
    pub provisioned: bool,
}

impl Dashboard {
    pub fn latest(&self) -> &Version {
        // Every stored dashboard has at least one version.
        &self.versions[self.versions.len() - 1]
    }

    pub fn title(&self) -> String {
        self.latest().json.get("title").and_then(Value::as_str).unwrap_or_default().to_string()
    }
}

/// Why a save or a delete was refused; each maps to Grafana's status code.
#[derive(Debug, Clone, PartialEq)]
pub enum DashboardError {
    /// 400: the JSON is not a dashboard.
    Invalid(String),
    /// 404.
    NotFound,
    /// 412: the version in the request is not the latest (Grafana's `version-mismatch`).
    VersionMismatch,
    /// 400: provisioned dashboards are changed in their files.
    Provisioned,
    /// 500.
    Storage(String),
}

pub struct Dashboards {
    dir: PathBuf,
    all: RwLock<BTreeMap<String, Dashboard>>,
}

impl Dashboards {
    /// Loads every stored dashboard; an unreadable version file is skipped with a log line.
    pub fn open(dir: &Path) -> std::io::Result<Dashboards> {
        std::fs::create_dir_all(dir)?;
        let mut all = BTreeMap::new();
        for entry in std::fs::read_dir(dir)? {
            let path = entry?.path();
            let Some(uid) = path.file_name().and_then(|n| n.to_str()).map(str::to_string) else { continue };
            if !path.is_dir() || check_uid(&uid).is_err() {
                continue;
            }
            let mut versions = Vec::new();
            for file in std::fs::read_dir(&path)? {
                let file = file?.path();
                if file.extension().and_then(|e| e.to_str()) != Some("json") {
                    continue;
                }
                match std::fs::read(&file).map_err(|e| e.to_string()).and_then(|b| read_version(&b)) {
                    Ok(v) => versions.push(v),
                    Err(err) => tracing::warn!(file = %file.display(), %err, "unreadable dashboard version skipped"),
                }
            }
            versions.sort_by_key(|v| v.version);
            if !versions.is_empty() {
                all.insert(uid.clone(), Dashboard { uid, versions, provisioned: false });
            }
        }
        Ok(Dashboards { dir: dir.to_path_buf(), all: RwLock::new(all) })
    }

    /// Adds a provisioned dashboard (not stored; read from its file at every start).
    pub fn provision(&self, json: Value, now_ms: i64) -> Result<String, DashboardError> {
        let (uid, json) = normalise(json, None)?;
        let version =
            Version { version: 1, created_ms: now_ms, message: "provisioned".into(), created_by: String::new(), json };
        let mut all = self.all.write().unwrap_or_else(|e| e.into_inner());
        all.insert(uid.clone(), Dashboard { uid: uid.clone(), versions: vec![version], provisioned: true });
        Ok(uid)
    }

    /// Grafana's `POST /api/dashboards/db`: a new dashboard (no uid, or an unknown one) or a new
    /// version of one. Unless `overwrite`, the request's `version` must be the latest.
    pub fn save(
        &self,
        json: Value,
        message: String,
        by: &str,
        overwrite: bool,
        now_ms: i64,
    ) -> Result<Version, DashboardError> {
        let mut all = self.all.write().unwrap_or_else(|e| e.into_inner());
        let asked_uid = json.get("uid").and_then(Value::as_str).filter(|u| !u.is_empty()).map(str::to_string);
        let existing = asked_uid.as_ref().and_then(|u| all.get(u));
        if let Some(existing) = existing {
            if existing.provisioned {
                return Err(DashboardError::Provisioned);
            }
            let asked_version = json.get("version").and_then(Value::as_u64);
            if !overwrite && asked_version != Some(existing.latest().version) {
                return Err(DashboardError::VersionMismatch);
            }
        }
        let next = existing.map_or(1, |d| d.latest().version + 1);
        let fresh_uid = || loop {
            let uid = new_uid();
            if !all.contains_key(&uid) {
                break uid;
            }
        };
        let (uid, mut json) = normalise(json, Some(asked_uid.clone().unwrap_or_else(fresh_uid)))?;
        json["version"] = Value::from(next);
        let version = Version { version: next, created_ms: now_ms, message, created_by: by.to_string(), json };
        self.write_version(&uid, &version)?;
        all.entry(uid.clone())
            .or_insert_with(|| Dashboard { uid, versions: Vec::new(), provisioned: false })
            .versions
            .push(version.clone());
        Ok(version)
    }

    pub fn get(&self, uid: &str) -> Option<Dashboard> {
        self.all.read().unwrap_or_else(|e| e.into_inner()).get(uid).cloned()
    }

    /// Every dashboard, by title.
    pub fn list(&self) -> Vec<Dashboard> {
        let mut all: Vec<Dashboard> = self.all.read().unwrap_or_else(|e| e.into_inner()).values().cloned().collect();
        all.sort_by_key(|d| (d.title().to_lowercase(), d.uid.clone()));
        all
    }

    /// Removes a dashboard and its history.
    pub fn delete(&self, uid: &str) -> Result<Dashboard, DashboardError> {
        let mut all = self.all.write().unwrap_or_else(|e| e.into_inner());
        match all.get(uid) {
            None => return Err(DashboardError::NotFound),
            Some(d) if d.provisioned => return Err(DashboardError::Provisioned),
            Some(_) => {}
        }
        std::fs::remove_dir_all(self.dir.join(uid)).map_err(|e| DashboardError::Storage(e.to_string()))?;
        all.remove(uid).ok_or(DashboardError::NotFound)
    }

    fn write_version(&self, uid: &str, version: &Version) -> Result<(), DashboardError> {
        let dir = self.dir.join(uid);
        let storage = |e: std::io::Error| DashboardError::Storage(format!("cannot store the dashboard: {e}"));
        std::fs::create_dir_all(&dir).map_err(storage)?;
        let record = serde_json::json!({
            "version": version.version,
            "created": version.created_ms,
            "message": version.message,
            "createdBy": version.created_by,
            "dashboard": version.json,
        });
        let bytes = serde_json::to_vec(&record).map_err(|e| DashboardError::Storage(e.to_string()))?;
        let path = dir.join(format!("{:08}.json", version.version));
        lookout_wal::bytes::write_atomic(&path, &bytes).map_err(storage)
    }
}

fn read_version(bytes: &[u8]) -> Result<Version, String> {
    let record: Value = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    Ok(Version {
        version: record.get("version").and_then(Value::as_u64).ok_or("no version")?,
        created_ms: record.get("created").and_then(Value::as_i64).unwrap_or(0),
        message: record.get("message").and_then(Value::as_str).unwrap_or_default().to_string(),
        created_by: record.get("createdBy").and_then(Value::as_str).unwrap_or_default().to_string(),
        json: record.get("dashboard").cloned().ok_or("no dashboard")?,
    })
}

/// Checks that `json` is a dashboard and sets its uid (`fallback` when it has none); the `id`
/// Grafana's database assigns means nothing here and is dropped.
fn normalise(mut json: Value, fallback: Option<String>) -> Result<(String, Value), DashboardError> {
    let Some(object) = json.as_object_mut() else {
        return Err(DashboardError::Invalid("a dashboard is a JSON object".into()));
    };
    if object.get("title").and_then(Value::as_str).is_none_or(|t| t.trim().is_empty()) {
        return Err(DashboardError::Invalid("Dashboard title cannot be empty".into()));
    }
    if object.get("panels").is_some_and(|p| !p.is_array()) {
        return Err(DashboardError::Invalid("panels must be a list".into()));
    }
    let uid = object
        .get("uid")
        .and_then(Value::as_str)
        .filter(|u| !u.is_empty())
        .map(str::to_string)
        .or(fallback)
        .ok_or_else(|| DashboardError::Invalid("a provisioned dashboard needs a uid".into()))?;
    check_uid(&uid)?;
    object.insert("uid".into(), Value::from(uid.clone()));
    object.remove("id");
    Ok((uid, json))
}

fn check_uid(uid: &str) -> Result<(), DashboardError> {
    if uid.is_empty()
        || uid.len() > MAX_UID
        || !uid.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(DashboardError::Invalid(format!(
            "invalid uid {uid:?}: at most {MAX_UID} letters, digits, - and _"
        )));
    }
    Ok(())
}

fn new_uid() -> String {
    crate::random::id::<9>(b"0123456789abcdefghijklmnopqrstuvwxyz")
}

/// A title's words, lowercase, joined by `separator`: `my-payments-board` from `My Payments:
/// board!` as Grafana makes a dashboard's slug, and the same rule for any key made from a title.
pub fn slug(title: &str, separator: char) -> String {
    let lower = title.to_lowercase();
    let words: Vec<&str> = lower.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    words.join(&separator.to_string())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn versions_are_kept_checked_and_survive_a_reopen() {
        let dir = std::env::temp_dir().join(format!("lookout-dashboards-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let store = Dashboards::open(&dir).unwrap();
        let first =
            store.save(json!({"title": "Payments", "id": 7, "panels": []}), "new".into(), "ed", false, 1).unwrap();
        let uid = first.json["uid"].as_str().unwrap().to_string();
        assert_eq!((first.version, first.json.get("id")), (1, None));
        // An edit based on version 1 becomes version 2; a stale edit is refused unless forced.
        let edit = json!({"uid": uid, "title": "Payments", "version": 1, "panels": [{"type": "stat"}]});
        assert_eq!(store.save(edit.clone(), "add a stat".into(), "ed", false, 2).unwrap().version, 2);
        assert_eq!(store.save(edit.clone(), "stale".into(), "ed", false, 3), Err(DashboardError::VersionMismatch));
        assert_eq!(store.save(edit, "forced".into(), "ed", true, 4).unwrap().version, 3);
        for bad in [
            json!([]),
            json!({"title": ""}),
            json!({"title": "x", "uid": "../etc"}),
            json!({"title": "x", "panels": 1}),
        ] {
            assert!(
                matches!(store.save(bad.clone(), String::new(), "ed", true, 5), Err(DashboardError::Invalid(_))),
                "{bad}"
            );
        }
        store.provision(json!({"uid": "demo", "title": "Demo"}), 6).unwrap();
        assert_eq!(store.delete("demo").unwrap_err(), DashboardError::Provisioned);
        drop(store);

        let store = Dashboards::open(&dir).unwrap();
        let kept = store.get(&uid).unwrap();
        let messages: Vec<&str> = kept.versions.iter().map(|v| v.message.as_str()).collect();
        assert_eq!(messages, ["new", "add a stat", "forced"]);
        assert!(store.get("demo").is_none(), "provisioned dashboards are not stored");
        store.delete(&uid).unwrap();
        assert!(Dashboards::open(&dir).unwrap().get(&uid).is_none());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
