//! Grafana's dashboard JSON, the parts Lookout draws (panels with their queries, units and
//! thresholds, template variables, the time range), and the answers of Grafana's dashboard API.
//! Everything else in a dashboard is kept by the server as it came and ignored here.

use serde::{Deserialize, Serialize};

/// `GET /api/search`: one dashboard found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DashboardHit {
    pub uid: String,
    pub title: String,
    pub url: String,
    #[serde(default)]
    pub tags: Vec<String>,
}

/// `GET /api/dashboards/uid/{uid}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DashboardWithMeta {
    pub dashboard: Dashboard,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Dashboard {
    #[serde(default)]
    pub uid: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub panels: Vec<Panel>,
    #[serde(default)]
    pub time: Option<TimeRange>,
    #[serde(default)]
    pub templating: Templating,
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
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Variable {
    pub name: String,
    #[serde(rename = "type", default)]
    pub kind: String,
    /// For `query` variables: `label_values(metric, label)` or `label_values(label)`.
    #[serde(default)]
    pub query: Option<VariableQuery>,
    #[serde(default)]
    pub current: Option<Current>,
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
    #[serde(default)]
    pub datasource: Option<Datasource>,
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
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FieldConfig {
    #[serde(default)]
    pub defaults: FieldDefaults,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FieldDefaults {
    #[serde(default)]
    pub unit: String,
    #[serde(default)]
    pub thresholds: Option<Thresholds>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Thresholds {
    #[serde(default)]
    pub steps: Vec<Step>,
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
              "fieldConfig":{"defaults":{"unit":"percent","thresholds":{"steps":[{"color":"red","value":null},{"color":"green","value":95}]}}},
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
        let steps = &d.panels[0].field_config.defaults.thresholds.as_ref().unwrap().steps;
        assert_eq!((steps[0].value, steps[1].value), (None, Some(95.0)));
    }
}
