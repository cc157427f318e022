//! Grafana's dashboard JSON, the parts Lookout draws and edits (panels with their queries, units
//! and thresholds, template variables, the time range), and the requests and answers of Grafana's
//! dashboard API. Every other field of a dashboard or panel is kept as it came (`rest`), so a
//! dashboard saved from Lookout's editor loses nothing Grafana put there.

use serde::{Deserialize, Serialize};

/// `GET /api/search`: one dashboard found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DashboardHit {
    pub uid: String,
    pub title: String,
    pub url: String,
    /// Always `dash-db`: Lookout has no folders to find.
    #[serde(default = "dash_db", rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub tags: Vec<String>,
}

fn dash_db() -> String {
    "dash-db".into()
}

/// `GET /api/dashboards/uid/{uid}`. The server hands the stored JSON on as it was saved
/// (`D` = `serde_json::Value`); the browser reads the parts it draws.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DashboardWithMeta<D = Dashboard> {
    pub dashboard: D,
    #[serde(default)]
    pub meta: DashboardMeta,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DashboardMeta {
    #[serde(default)]
    pub slug: String,
    #[serde(default)]
    pub url: String,
    #[serde(default)]
    pub version: u64,
    /// Loaded from a file: the API refuses to change it.
    #[serde(default)]
    pub provisioned: bool,
    #[serde(default)]
    pub can_save: bool,
    #[serde(default)]
    pub can_edit: bool,
    #[serde(default)]
    pub can_delete: bool,
    /// RFC 3339, of the first version.
    #[serde(default)]
    pub created: String,
    /// RFC 3339, of the latest version.
    #[serde(default)]
    pub updated: String,
    #[serde(default)]
    pub created_by: String,
    #[serde(default)]
    pub updated_by: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Dashboard {
    #[serde(default)]
    pub uid: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub panels: Vec<Panel>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<TimeRange>,
    #[serde(default)]
    pub templating: Templating,
    #[serde(flatten)]
    pub rest: serde_json::Map<String, serde_json::Value>,
}

/// `POST /api/dashboards/db`; the server takes the dashboard as any JSON (`D` =
/// `serde_json::Value`) and keeps all of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SaveDashboard<D = Dashboard> {
    pub dashboard: D,
    /// Without it, a save based on an older version than the stored one is refused (412).
    #[serde(default)]
    pub overwrite: bool,
    #[serde(default)]
    pub message: String,
}

/// `GET /api/dashboards/uid/{uid}/versions`: one saved version, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DashboardVersion {
    pub version: u64,
    /// RFC 3339.
    pub created: String,
    /// Who saved it.
    #[serde(default, rename = "createdBy")]
    pub created_by: String,
    #[serde(default)]
    pub message: String,
}

/// `GET /api/dashboards/uid/{uid}/versions/{n}`: that version's dashboard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DashboardVersionData<D = Dashboard> {
    pub version: u64,
    /// RFC 3339.
    #[serde(default)]
    pub created: String,
    #[serde(default)]
    pub message: String,
    pub data: D,
}

/// The answer to a save.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedDashboard {
    /// `success`.
    #[serde(default)]
    pub status: String,
    pub uid: String,
    #[serde(default)]
    pub slug: String,
    #[serde(default)]
    pub url: String,
    pub version: u64,
}

/// The answer to `DELETE /api/dashboards/uid/{uid}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeletedDashboard {
    pub uid: String,
    pub title: String,
    pub message: String,
}

/// Grafana's error body: a message, and a status word where Grafana adds one
/// (`not-found`, `version-mismatch`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorMessage {
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimeRange {
    pub from: String,
    pub to: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Templating {
    #[serde(default)]
    pub list: Vec<Variable>,
    #[serde(flatten)]
    pub rest: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Variable {
    pub name: String,
    #[serde(rename = "type", default)]
    pub kind: String,
    /// For `query` variables: `label_values(metric, label)` or `label_values(label)`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<VariableQuery>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current: Option<Current>,
    #[serde(flatten)]
    pub rest: serde_json::Map<String, serde_json::Value>,
}

/// Grafana writes a variable's query as text, or (newer versions) as an object holding it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum VariableQuery {
    Text(String),
    Object {
        #[serde(default)]
        query: String,
    },
}

impl Variable {
    /// The fixed choices of a `custom` (`a,b,c`, or `label : value` pairs) or `interval`
    /// (`1m,5m,1h`) variable; `None` for other kinds.
    pub fn fixed_options(&self) -> Option<Vec<String>> {
        if self.kind != "custom" && self.kind != "interval" {
            return None;
        }
        let text = match self.query.as_ref()? {
            VariableQuery::Text(text) | VariableQuery::Object { query: text } => text,
        };
        Some(
            text.split(',')
                .map(|option| option.rsplit_once(" : ").map_or(option, |(_, value)| value).trim().to_string())
                .filter(|option| !option.is_empty())
                .collect(),
        )
    }

    /// Whether "All" is offered: always for `label_values` queries, as Grafana's `includeAll` says
    /// for the other kinds.
    pub fn offers_all(&self) -> bool {
        self.label_values().is_some() || self.rest.get("includeAll").and_then(|v| v.as_bool()).unwrap_or(false)
    }

    /// The value used when neither the URL nor the dashboard chose one: All where offered, else
    /// the first fixed option.
    pub fn default_values(&self) -> Vec<String> {
        match (self.offers_all(), self.fixed_options()) {
            (false, Some(options)) => options.into_iter().take(1).collect(),
            _ => Vec::new(),
        }
    }

    /// `(metric, label)` of a `label_values(…)` query; the metric may be empty.
    pub fn label_values(&self) -> Option<(String, String)> {
        let text = match self.query.as_ref()? {
            VariableQuery::Text(text) | VariableQuery::Object { query: text } => text,
        };
        let inner = text.trim().strip_prefix("label_values(")?.strip_suffix(')')?;
        match inner.rsplit_once(',') {
            Some((metric, label)) => Some((metric.trim().to_string(), label.trim().to_string())),
            None => Some((String::new(), inner.trim().to_string())),
        }
    }
}

/// A variable's selected value; Grafana writes one value or a list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Current {
    #[serde(default)]
    pub value: OneOrMany,
    #[serde(flatten)]
    pub rest: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Panel {
    #[serde(default)]
    pub id: u64,
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub title: String,
    #[serde(rename = "gridPos", default)]
    pub grid_pos: GridPos,
    #[serde(default)]
    pub targets: Vec<Target>,
    #[serde(rename = "fieldConfig", default)]
    pub field_config: FieldConfig,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub datasource: Option<Datasource>,
    #[serde(flatten)]
    pub rest: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct GridPos {
    #[serde(default)]
    pub x: u32,
    #[serde(default)]
    pub y: u32,
    #[serde(default)]
    pub w: u32,
    #[serde(default)]
    pub h: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Target {
    #[serde(default)]
    pub expr: String,
    #[serde(rename = "legendFormat", default)]
    pub legend_format: String,
    #[serde(flatten)]
    pub rest: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FieldConfig {
    #[serde(default)]
    pub defaults: FieldDefaults,
    #[serde(flatten)]
    pub rest: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FieldDefaults {
    #[serde(default)]
    pub unit: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thresholds: Option<Thresholds>,
    #[serde(flatten)]
    pub rest: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Thresholds {
    #[serde(default)]
    pub steps: Vec<Step>,
    #[serde(flatten)]
    pub rest: serde_json::Map<String, serde_json::Value>,
}

/// From `value` up (the first step's value is null: from minus infinity).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    pub color: String,
    pub value: Option<f64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Datasource {
    #[serde(rename = "type", default)]
    pub kind: String,
    /// Which data source (`GET /api/datasources`); the default store when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<String>,
}

/// `GET /api/datasources`: one data source, as Grafana lists them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DataSourceInfo {
    pub uid: String,
    pub name: String,
    /// `prometheus` or `loki`.
    #[serde(rename = "type")]
    pub kind: String,
    pub is_default: bool,
}

/// A JSON value that is one string or a list of them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl Default for OneOrMany {
    fn default() -> Self {
        OneOrMany::One(String::new())
    }
}

impl OneOrMany {
    pub fn values(&self) -> Vec<String> {
        match self {
            OneOrMany::One(v) => vec![v.clone()],
            OneOrMany::Many(v) => v.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grafana_json_reads_with_what_lookout_draws() {
        let json = r#"{"dashboard":{"uid":"u","title":"T","id":3,"schemaVersion":39,
            "time":{"from":"now-30m","to":"now"},
            "templating":{"list":[{"name":"instance","type":"query","query":{"query":"label_values(up, instance)"},"current":{"text":"All","value":["$__all"]}}]},
            "panels":[{"id":1,"type":"stat","title":"S","gridPos":{"x":0,"y":0,"w":6,"h":6},
              "fieldConfig":{"defaults":{"unit":"percent","thresholds":{"steps":[{"color":"red","value":null},{"color":"green","value":95.5}]}}},
              "targets":[{"refId":"A","expr":"up","legendFormat":"{{job}}"}],"options":{"reduceOptions":{}}}]},
            "meta":{"slug":"t"}}"#;
        let read: DashboardWithMeta = serde_json::from_str(json).unwrap();
        let d = read.dashboard;
        assert_eq!((d.uid.as_str(), d.panels[0].kind.as_str(), d.panels[0].grid_pos.w), ("u", "stat", 6));
        assert_eq!(d.templating.list[0].current.as_ref().unwrap().value.values(), ["$__all"]);
        let var = Variable {
            query: Some(VariableQuery::Text("label_values(up{job=\"a\"}, instance)".into())),
            ..Variable::default()
        };
        assert_eq!(var.label_values(), Some((r#"up{job="a"}"#.to_string(), "instance".to_string())));
        let interval = Variable {
            kind: "interval".into(),
            query: Some(VariableQuery::Text("1m,5m, 1h".into())),
            ..Variable::default()
        };
        assert_eq!(interval.fixed_options(), Some(vec!["1m".to_string(), "5m".into(), "1h".into()]));
        assert!(!interval.offers_all());
        assert_eq!(interval.default_values(), ["1m"]);
        let custom: Variable = serde_json::from_str(
            r#"{"name":"env","type":"custom","query":"Production : prod,Staging : staging","includeAll":true}"#,
        )
        .unwrap();
        assert_eq!(custom.fixed_options(), Some(vec!["prod".to_string(), "staging".into()]));
        assert!(custom.offers_all() && custom.default_values().is_empty());
        let steps = &d.panels[0].field_config.defaults.thresholds.as_ref().unwrap().steps;
        assert_eq!((steps[0].value, steps[1].value), (None, Some(95.5)));
        // What Lookout does not draw survives a save from its editor.
        let written = serde_json::to_value(&d).unwrap();
        let original: serde_json::Value = serde_json::from_str(json).unwrap();
        assert_eq!(written, original["dashboard"]);
    }
}

/// `POST /api/annotations`, `PUT` and `PATCH /api/annotations/{id}`: every field may be absent or
/// `null` (Grafana's clients send nulls), which means "not given".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AnnotationInput {
    #[serde(rename = "dashboardUID", default)]
    pub dashboard_uid: Option<String>,
    #[serde(default)]
    pub dashboard_id: Option<i64>,
    #[serde(default)]
    pub panel_id: Option<i64>,
    /// Unix milliseconds.
    #[serde(default)]
    pub time: Option<i64>,
    #[serde(default)]
    pub time_end: Option<i64>,
    #[serde(default)]
    pub tags: Option<Vec<String>>,
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    pub data: Option<serde_json::Value>,
}

/// `POST /api/annotations/graphite`: `when` in seconds, tags as a list or one spaced string.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GraphiteAnnotation {
    #[serde(default)]
    pub what: Option<String>,
    #[serde(default)]
    pub tags: Option<serde_json::Value>,
    #[serde(default)]
    pub when: Option<i64>,
    #[serde(default)]
    pub data: Option<String>,
}

/// One annotation as `GET /api/annotations` lists it, in Grafana's field order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Annotation {
    pub id: i64,
    pub alert_id: i64,
    pub alert_name: String,
    pub dashboard_id: i64,
    #[serde(rename = "dashboardUID")]
    pub dashboard_uid: Option<String>,
    pub panel_id: i64,
    pub user_id: i64,
    pub new_state: String,
    pub prev_state: String,
    pub created: i64,
    pub updated: i64,
    pub time: i64,
    pub time_end: i64,
    pub text: String,
    pub tags: Vec<String>,
    pub login: String,
    pub email: String,
    pub avatar_url: String,
    pub data: serde_json::Value,
}

/// Grafana's answer to an annotation write: a message, and the id of a new one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnnotationWritten {
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub id: Option<i64>,
}

/// `GET /api/health`, as Grafana answers it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Health {
    pub commit: String,
    pub database: String,
    pub version: String,
}

/// One folder of `GET /api/folders`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FolderHit {
    pub id: i64,
    pub uid: String,
    pub title: String,
}
