//! Alerts (`/alerts`): the firing and pending alerts of the rules, most severe first, each with
//! its summary, labels, runbook and one click to its expression's chart and to the logs of the
//! same time; below them every rule with its state, health and last evaluation. Refreshed every
//! few seconds.

use std::time::Duration;

use leptos::prelude::*;
use lookout_types::prometheus::{Alert, Metric, Rule, RulesData};

use crate::api;
use crate::components::time_range::absolute;
use crate::components::{ConnectionBanner, use_poll};
use crate::url::with_query;

const REFRESH: Duration = Duration::from_secs(5);
/// How far before an alert became active its chart and logs begin.
const LEAD_MS: i64 = 15 * 60 * 1000;

/// Severities from the most to the least urgent; others sort after them.
const SEVERITIES: [&str; 7] = ["critical", "high", "error", "warning", "medium", "low", "info"];

fn severity_rank(labels: &Metric) -> usize {
    let severity = labels.get("severity").map(String::as_str).unwrap_or("");
    SEVERITIES.iter().position(|s| s.eq_ignore_ascii_case(severity)).unwrap_or(SEVERITIES.len())
}

/// The CSS class of a severity's colour.
fn severity_class(labels: &Metric) -> &'static str {
    match severity_rank(labels) {
        0 => "sev-critical",
        1..=3 => "sev-warning",
        4..=6 => "sev-info",
        _ => "sev-none",
    }
}

/// An alert with the rule it came from.
#[derive(Debug, Clone, PartialEq)]
struct RuleAlert {
    alert: Alert,
    query: String,
    /// `logs` for LogQL rules.
    source: Option<String>,
}

fn active_alerts(data: &RulesData) -> Vec<RuleAlert> {
    let mut alerts: Vec<RuleAlert> = data
        .groups
        .iter()
        .flat_map(|g| g.rules.iter().map(move |r| (g, r)))
        .filter_map(|(g, r)| match r {
            Rule::Alerting(rule) => Some((g, rule)),
            Rule::Recording(_) => None,
        })
        .flat_map(|(g, rule)| {
            rule.alerts.iter().map(move |a| RuleAlert {
                alert: a.clone(),
                query: rule.query.clone(),
                source: g.source.clone(),
            })
        })
        .collect();
    alerts.sort_by_key(|a| (a.alert.state != "firing", severity_rank(&a.alert.labels), a.alert.active_at.clone()));
    alerts
}

fn parse_time(text: &str) -> Option<i64> {
    let ms = js_sys::Date::parse(text);
    ms.is_finite().then_some(ms as i64)
}

/// A value with four significant digits at most: `0.408`, `20`, `10.74`.
fn readable(value: &str) -> String {
    let Ok(v) = value.parse::<f64>() else { return value.to_string() };
    if !v.is_finite() || v == v.trunc() && v.abs() < 1e15 {
        return format!("{v}");
    }
    let decimals = (3 - v.abs().log10().floor() as i32).clamp(0, 6) as usize;
    let text = format!("{v:.decimals$}");
    if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.').to_string() } else { text }
}

/// Only web links are followed from an annotation; anything else stays text.
fn is_web_link(text: &str) -> bool {
    text.starts_with("https://") || text.starts_with("http://")
}

#[component]
pub fn AlertsPage() -> impl IntoView {
    let poll = use_poll(REFRESH, api::rules);
    view! {
        <div class="page alerts" data-testid="alerts-page">
            <div class="page-head">
                <h1>"Alerts"</h1>
                <ConnectionBanner poll=poll every_seconds=REFRESH.as_secs() as u32 />
            </div>
            {move || match poll.data.get() {
                None => view! { <p class="loading">"Loading the rules…"</p> }.into_any(),
                Some(data) => view! { <AlertsBody data /> }.into_any(),
            }}
        </div>
    }
}

#[component]
fn AlertsBody(data: RulesData) -> impl IntoView {
    let alerts = active_alerts(&data);
    let firing = alerts.iter().filter(|a| a.alert.state == "firing").count();
    let heading = format!("{firing} firing, {} pending", alerts.len() - firing);
    let list = if alerts.is_empty() {
        view! { <p class="empty" data-testid="no-alerts">"No alert is firing or pending."</p> }.into_any()
    } else {
        alerts.into_iter().map(|alert| view! { <AlertCard alert /> }).collect_view().into_any()
    };
    let rules = data
        .groups
        .iter()
        .flat_map(|g| g.rules.iter().map(move |r| (g.name.clone(), r.clone())))
        .map(|(group, rule)| view! { <RuleRow group rule /> })
        .collect_view();
    view! {
        <section class="alert-list" data-testid="alert-list">
            <h2>{heading}</h2>
            {list}
        </section>
        <section class="panel rules-panel">
            <h2>"Rules"</h2>
            <table class="result-table rules-table" data-testid="rules-table">
                <thead>
                    <tr>
                        <th>"Group"</th>
                        <th>"Rule"</th>
                        <th>"State"</th>
                        <th>"Health"</th>
                        <th>"Last evaluation"</th>
                        <th>"Error"</th>
                    </tr>
                </thead>
                <tbody>{rules}</tbody>
            </table>
        </section>
    }
}

#[component]
fn AlertCard(alert: RuleAlert) -> impl IntoView {
    let RuleAlert { alert, query, source } = alert;
    let name = alert.labels.get("alertname").cloned().unwrap_or_default();
    let severity = alert.labels.get("severity").cloned().unwrap_or_default();
    let active_ms = parse_time(&alert.active_at);
    let since = active_ms.map(|ms| format!("active since {}", absolute(ms))).unwrap_or_default();
    let from = active_ms.map_or("now-1h".to_string(), |ms| (ms - LEAD_MS).to_string());
    // A PromQL rule's chart is its own expression; a LogQL rule's is on the Logs page.
    let chart_href = if source.as_deref() == Some("logs") {
        with_query("/logs", &[("query", &query), ("from", &from), ("to", "now")])
    } else {
        with_query("/explore", &[("query", &query), ("from", &from), ("to", "now")])
    };
    // The demo's jobs are named after their services; other setups label `service` directly.
    let selector = match alert.labels.get("service").or_else(|| alert.labels.get("job")) {
        Some(service) => format!("{{service=\"{}\"}}", service.replace('\\', "\\\\").replace('"', "\\\"")),
        None => r#"{service=~".+"}"#.to_string(),
    };
    let logs_href = with_query("/logs", &[("query", &selector), ("from", &from), ("to", "now")]);
    let labels = alert
        .labels
        .iter()
        .filter(|(k, _)| *k != "alertname" && *k != "severity")
        .map(|(k, v)| view! { <li class="label-chip"><span>{k.clone()}</span>"="<span>{v.clone()}</span></li> })
        .collect_view();
    let summary = alert.annotations.get("summary").cloned();
    let description = alert.annotations.get("description").cloned();
    let runbook = alert.annotations.get("runbook_url").cloned();
    let others = alert
        .annotations
        .iter()
        .filter(|(k, _)| !["summary", "description", "runbook_url"].contains(&k.as_str()))
        .map(|(k, v)| view! { <tr><th>{k.clone()}</th><td>{v.clone()}</td></tr> })
        .collect_view();
    view! {
        <article class=format!("alert-card {}", severity_class(&alert.labels)) data-testid="alert" data-state=alert.state.clone()>
            <header class="alert-head">
                <span class=format!("alert-state state-{}", alert.state)>{alert.state.to_uppercase()}</span>
                <strong class="alert-name">{name}</strong>
                <span class="sev-badge">{severity}</span>
                <span class="alert-since">{since}</span>
                <span class="alert-value" title=format!("the value of the expression: {}", alert.value)>
                    {format!("value {}", readable(&alert.value))}
                </span>
            </header>
            {summary.map(|s| view! { <p class="alert-summary" data-testid="alert-summary">{s}</p> })}
            {description.map(|d| view! { <p class="alert-description">{d}</p> })}
            <ul class="label-chips">{labels}</ul>
            <table class="field-table">
                <tbody>{others}</tbody>
            </table>
            <div class="alert-links">
                <a href=chart_href data-testid="alert-chart">"Chart the expression"</a>
                <a href=logs_href data-testid="alert-logs">"Logs from the same time"</a>
                {runbook.map(|url| {
                    if is_web_link(&url) {
                        view! { <a href=url target="_blank" rel="noopener noreferrer" data-testid="alert-runbook">"Runbook"</a> }
                            .into_any()
                    } else {
                        view! { <span class="runbook-text">{format!("Runbook: {url}")}</span> }.into_any()
                    }
                })}
            </div>
        </article>
    }
}

#[component]
fn RuleRow(group: String, rule: Rule) -> impl IntoView {
    let (name, state, health, last, error) = match &rule {
        Rule::Alerting(r) => {
            (r.name.clone(), r.state.clone(), r.health.clone(), r.last_evaluation.clone(), r.last_error.clone())
        }
        // A recording rule has no state of its own; the column says what it is.
        Rule::Recording(r) => {
            (r.name.clone(), "recording".to_string(), r.health.clone(), r.last_evaluation.clone(), r.last_error.clone())
        }
    };
    let last = parse_time(&last).filter(|ms| *ms > 0).map(absolute).unwrap_or_else(|| "never".into());
    view! {
        <tr data-testid="rule-row" class=format!("health-{health}")>
            <td>{group}</td>
            <td><code>{name}</code></td>
            <td class=format!("rule-state state-{state}")>{state.clone()}</td>
            <td class="rule-health">{health.clone()}</td>
            <td>{last}</td>
            <td class="rule-error">{error.unwrap_or_default()}</td>
        </tr>
    }
}
