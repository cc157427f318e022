//! One dashboard (`/d/<uid>?from=…&to=…&var-<name>=…&panel=…`): its panels on Grafana's
//! 24-column grid, each running its queries over the page's time range: time series as charts,
//! stat, gauge and bar gauge panels as their last value coloured by threshold, tables as the
//! series' last values, logs panels as lines, alert lists as the firing alerts. Template
//! variables are dropdowns (`label_values(…)` queries list their values; `All` matches
//! everything) whose choice is in the URL as `var-<name>=…`; `panel=<id>` shows one panel alone,
//! so a copied link shows the same selection. `edit=1` opens the editor.

use leptos::callback::UnsyncCallback;
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};
use std::collections::BTreeMap;

use lookout_types::grafana::{Dashboard, DashboardWithMeta, Panel, Target, Variable};
use lookout_types::live::{LiveKind, LiveQuery, LiveRequest, LiveResult, LiveRound};
use lookout_types::logs::QueryResult;
use lookout_types::prometheus::{Metric, QueryData};

use crate::api;
use crate::components::chart::{ChartSeries, TimeSeriesChart, Unit, points};
use crate::components::live::{LiveEvent, LiveFeed};
use crate::components::log_line::merge_streams;
use crate::components::log_table::LogTable;
use crate::components::share::ShareButton;
use crate::components::time_range::{REFRESH_CHOICES, RangeNote, TimeRangePicker, is_relative, refresh_ms, resolve};
use crate::url::{use_query_param, with_param, with_params};

use super::dashboard_edit::{DashboardEditor, export_href};

/// Points per series a chart asks for, unless the panel sets `maxDataPoints`.
const POINTS: i64 = 300;
/// Height of one grid row (Grafana's 30 px and the margins it adds).
const ROW_PX: u32 = 40;
/// Lines a logs panel shows.
const LOG_LINES: usize = 100;
/// A lost live connection is opened again after this long.
const RECONNECT_MS: u32 = 2_000;

/// The chosen value of each variable: the URL's `var-<name>`, else the dashboard's saved one.
type Choices = BTreeMap<String, Vec<String>>;

const ALL: &str = "$__all";

/// The query with the dashboard's variables filled in: `$var`, `${var}` and `[[var]]`, a name
/// read whole as Grafana reads it (`$environment` is not `$env` followed by text); `All` (or a
/// multi-value selection) becomes a regex alternative; unknown names stay as written.
fn interpolate(query: &str, dashboard: &Dashboard, choices: &Choices) -> String {
    let value_of = |name: &str| {
        dashboard.templating.list.iter().any(|v| v.name == name).then(|| {
            let values = choices.get(name).cloned().unwrap_or_default();
            if values.is_empty() || values.iter().any(|v| v == ALL) {
                ".*".to_string()
            } else if values.len() == 1 {
                values[0].clone()
            } else {
                format!("({})", values.join("|"))
            }
        })
    };
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut out = String::with_capacity(query.len());
    let mut rest = query;
    while let Some(at) = rest.find(['$', '[']) {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        // (the reference as written, the name in it)
        let reference = if let Some(braced) = tail.strip_prefix("${") {
            braced.find('}').map(|end| (&tail[..end + 3], &braced[..end]))
        } else if let Some(bracketed) = tail.strip_prefix("[[") {
            bracketed.find("]]").map(|end| (&tail[..end + 4], &bracketed[..end]))
        } else if let Some(bare) = tail.strip_prefix('$') {
            let end = bare.find(|c: char| !is_word(c)).unwrap_or(bare.len());
            (end > 0).then(|| (&tail[..end + 1], &bare[..end]))
        } else {
            None
        };
        match reference.and_then(|(written, name)| value_of(name).map(|value| (written, value))) {
            Some((written, value)) => {
                out.push_str(&value);
                rest = &tail[written.len()..];
            }
            None => {
                out.push_str(&tail[..1]);
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// `{{label}}` in a legend format replaced by the series' labels.
fn legend(format: &str, metric: &lookout_types::prometheus::Metric, fallback: String) -> String {
    if format.is_empty() {
        return fallback;
    }
    let mut out = format.to_string();
    for (k, v) in metric {
        out = out.replace(&format!("{{{{{k}}}}}"), v).replace(&format!("{{{{ {k} }}}}"), v);
    }
    out
}

fn unit_of(panel: &Panel) -> Unit {
    match panel.field_config.defaults.unit.as_str() {
        "s" | "ms" => Unit::Seconds,
        "bytes" | "decbytes" => Unit::Bytes,
        "percent" | "percentunit" => Unit::Percent,
        _ => Unit::Plain,
    }
}

#[component]
pub fn DashboardPage() -> impl IntoView {
    let params = use_params_map();
    let uid = Memo::new(move |_| params.with(|p| p.get("uid").unwrap_or_default()));
    let dashboard = LocalResource::new(move || {
        let uid = uid.get();
        async move { api::dashboard(&uid).await }
    });
    let from = use_query_param("from", "");
    let to = use_query_param("to", "");
    let editing = use_query_param("edit", "");
    let alone = use_query_param("panel", "");
    let query = use_query_map();
    let navigate = use_navigate();
    let go = StoredValue::new({
        let navigate = navigate.clone();
        move |url: String| navigate(&url, NavigateOptions::default())
    });
    let done = UnsyncCallback::new(move |saved: Option<String>| match saved {
        Some(saved) => {
            // Another uid (a copy) is fetched by the navigation itself; the same one again.
            if saved == uid.get_untracked() {
                dashboard.refetch();
            }
            navigate(&format!("/d/{saved}"), NavigateOptions::default());
        }
        None => navigate("/dashboards", NavigateOptions::default()),
    });
    move || match dashboard.get() {
        None => view! { <p class="loading">"Loading the dashboard…"</p> }.into_any(),
        Some(Err(e)) => {
            view! { <div class="page"><h1>"Dashboard"</h1><p class="field-error">{e.brief()}</p></div> }.into_any()
        }
        Some(Ok(DashboardWithMeta { dashboard: d, meta })) if editing.get() == "1" => view! {
            <div class="page dashboard">
                <h1>{format!("Editing {}", d.title)}</h1>
                <DashboardEditor dashboard=d provisioned=meta.provisioned done />
            </div>
        }
        .into_any(),
        Some(Ok(DashboardWithMeta { dashboard: d, .. })) => {
            let saved =
                d.time.clone().unwrap_or(lookout_types::grafana::TimeRange { from: "now-1h".into(), to: "now".into() });
            let from = Signal::derive(move || Some(from.get()).filter(|f| !f.is_empty()).unwrap_or(saved.from.clone()));
            let to = Signal::derive(move || Some(to.get()).filter(|t| !t.is_empty()).unwrap_or(saved.to.clone()));
            let title = d.title.clone();
            // The URL's choices win over the saved ones.
            let saved_choices: Choices = d
                .templating
                .list
                .iter()
                .map(|v| {
                    let saved = v.current.as_ref().map(|c| c.value.values()).unwrap_or_default();
                    let saved = saved.into_iter().filter(|value| !value.is_empty()).collect::<Vec<_>>();
                    (v.name.clone(), if saved.is_empty() { v.default_values() } else { saved })
                })
                .collect();
            let choices = Memo::new(move |_| {
                let mut all = saved_choices.clone();
                query.with(|q| {
                    for (name, values) in all.iter_mut() {
                        let chosen = q.get_all(&format!("var-{name}")).unwrap_or_default();
                        if !chosen.is_empty() {
                            *values = chosen;
                        }
                    }
                });
                all
            });
            let variables = d
                .templating
                .list
                .clone()
                .into_iter()
                .map(|var| view! { <VariablePicker var choices /> })
                .collect_view();
            // Every panel's data comes over one live connection; the range, the variables and
            // the refresh interval decide what it asks for.
            let saved_refresh = d.rest.get("refresh").and_then(|r| r.as_str()).unwrap_or("").to_string();
            let refresh = Signal::derive(move || {
                query.with(|q| q.get("refresh")).filter(|r| !r.is_empty()).unwrap_or_else(|| saved_refresh.clone())
            });
            let rounds = RwSignal::new(None::<LiveRound>);
            let live_error = RwSignal::new(None::<String>);
            let feed = StoredValue::new_local(None::<LiveFeed>);
            let reconnect = RwSignal::new(0u32);
            // The reconnection waiting to happen: dropped with the page, which cancels it.
            let retry = StoredValue::new_local(None::<gloo_timers::callback::Timeout>);
            let for_live = d.clone();
            Effect::new(move |_| {
                reconnect.track();
                let (f, t, chosen, every) = (from.get(), to.get(), choices.get(), refresh.get());
                let now = js_sys::Date::now() as i64;
                let (Some(start), Some(end)) = (resolve(&f, now), resolve(&t, now)) else {
                    live_error.set(Some(format!("cannot read the time range {f:?} to {t:?}")));
                    return;
                };
                // An absolute range never changes: it is asked for once.
                let follow = is_relative(&t);
                let every_ms = if follow { refresh_ms(&every).map_or(0, u64::from) } else { 0 };
                let request = live_request(&for_live, &chosen, start, end, follow, every_ms);
                feed.update_value(|slot| {
                    if slot.is_none() {
                        *slot = LiveFeed::open(move |event| match event {
                            LiveEvent::Round(round) => {
                                live_error.set(None);
                                rounds.set(Some(round));
                            }
                            LiveEvent::Closed(why) => {
                                live_error.set(Some(format!("{why}; reconnecting")));
                                // Later, not here: the socket's handler must not drop itself.
                                let again = move || {
                                    feed.update_value(|slot| *slot = None);
                                    reconnect.update(|n| *n += 1);
                                };
                                let timer = gloo_timers::callback::Timeout::new(RECONNECT_MS, again);
                                retry.update_value(|pending| *pending = Some(timer));
                            }
                        })
                        .map_err(|e| live_error.set(Some(e)))
                        .ok();
                    }
                    if let Some(feed) = slot {
                        feed.ask(&request);
                    }
                });
            });
            // `panel=<id>` shows that panel alone, the whole width.
            let alone_id = alone.get().parse::<u64>().ok();
            let panels = d
                .panels
                .clone()
                .into_iter()
                .enumerate()
                .filter(|(_, panel)| alone_id.is_none_or(|id| panel.id == id))
                .map(|(index, panel)| {
                    let pos = panel.grid_pos;
                    let style = match alone_id {
                        Some(_) => format!("grid-column: 1 / span 24; min-height: {}px", 14 * ROW_PX),
                        None => format!(
                            "grid-column: {} / span {}; grid-row: {} / span {}; min-height: {}px",
                            pos.x + 1,
                            pos.w.max(1),
                            pos.y + 1,
                            pos.h.max(1),
                            pos.h.max(1) * ROW_PX
                        ),
                    };
                    let id = panel.id.to_string();
                    let view_link = move || {
                        query.track();
                        match alone_id {
                            Some(_) => with_param("panel", None),
                            None => with_param("panel", Some(&id)),
                        }
                    };
                    view! {
                        <section class="panel dash-panel" style=style data-testid="dash-panel">
                            <h2>
                                {panel.title.clone()}
                                " "
                                <a class="panel-view" data-testid="panel-view" href=view_link>
                                    {if alone_id.is_some() { "Back to the dashboard" } else { "View" }}
                                </a>
                            </h2>
                            <PanelBody panel index rounds />
                        </section>
                    }
                })
                .collect_view();
            view! {
                <div class="page dashboard" data-testid="dashboard">
                    <div class="page-head">
                        <h1>{title}</h1>
                        <RangeNote from=from to=to />
                        <a
                            class="button"
                            data-testid="edit-dashboard"
                            href=move || {
                                query.track();
                                with_param("edit", Some("1"))
                            }
                        >
                            "Edit"
                        </a>
                        <a class="button" data-testid="export-dashboard" href=export_href(&d) download=format!("{}.json", d.uid)>
                            "Export JSON"
                        </a>
                        <ShareButton />
                    </div>
                    <div class="explore-controls">
                        {variables}
                        <TimeRangePicker
                            from=from
                            to=to
                            on_change=Callback::new(move |(f, t): (String, String)| {
                                go.with_value(|go| go(with_params(&[("from", Some(&f)), ("to", Some(&t))])));
                            })
                        />
                        <label class="refresh">
                            "Refresh "
                            <select data-testid="dashboard-refresh" on:change=move |ev| {
                                let choice = event_target_value(&ev);
                                go.with_value(|go| go(with_param("refresh", Some(&choice))));
                            }>
                                {REFRESH_CHOICES
                                    .iter()
                                    .map(|(value, label)| {
                                        let selected = move || refresh.get() == *value || (*value == "off" && refresh_ms(&refresh.get()).is_none());
                                        view! { <option value=*value selected=selected>{*label}</option> }
                                    })
                                    .collect_view()}
                            </select>
                        </label>
                    </div>
                    {move || live_error.get().map(|e| view! { <p class="field-error" data-testid="live-error">{e}</p> })}
                    <div class="dash-grid">{panels}</div>
                </div>
            }
            .into_any()
        }
    }
}

/// A variable as a dropdown of its values (`label_values(…)`) and All; a choice goes into the URL.
#[component]
fn VariablePicker(var: Variable, choices: Memo<Choices>) -> impl IntoView {
    let navigate = use_navigate();
    let name = var.name.clone();
    let offers_all = var.offers_all();
    let values = LocalResource::new({
        let var = var.clone();
        move || {
            let var = var.clone();
            async move {
                match (var.label_values(), var.fixed_options()) {
                    (_, Some(options)) => options,
                    (Some((metric, label)), None) => api::label_values_of(&label, &metric).await.unwrap_or_default(),
                    (None, None) => var.current.as_ref().map(|c| c.value.values()).unwrap_or_default(),
                }
            }
        }
    });
    let chosen = {
        let name = name.clone();
        Memo::new(move |_| {
            choices.with(|c| c.get(&name).and_then(|v| v.first().cloned()).unwrap_or_else(|| ALL.to_string()))
        })
    };
    let pick = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        navigate(&with_param(&format!("var-{}", var.name), Some(&value)), NavigateOptions::default());
    };
    view! {
        <label class="refresh">
            {format!("{name} ")}
            <select data-testid=format!("var-{name}") on:change=pick>
                {offers_all.then(|| view! { <option value=ALL selected=move || chosen.get() == ALL>"All"</option> })}
                {move || {
                    values
                        .get()
                        .unwrap_or_default()
                        .into_iter()
                        .filter(|v| v != ALL)
                        .map(|v| {
                            let (selected, label) = (v.clone(), v.clone());
                            view! { <option value=v selected=move || chosen.get() == selected>{label}</option> }
                        })
                        .collect_view()
                }}
            </select>
        </label>
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Body {
    Loading,
    Failed(String),
    Series(Vec<ChartSeries>),
    Value(Option<f64>),
    /// A table: each series' name and value at the end of the range.
    Rows(Vec<(String, f64)>),
    /// An alert list: (alert name and labels, state).
    Alerts(Vec<(String, String)>),
    Lines(Vec<crate::components::log_line::LogLine>),
    Unsupported(String),
}

/// The live request for every panel of the dashboard over `[start, end]`: a query per target,
/// named `<panel index>-<target index>`.
fn live_request(d: &Dashboard, choices: &Choices, start: i64, end: i64, follow: bool, every_ms: u64) -> LiveRequest {
    let mut queries = Vec::new();
    for (index, panel) in d.panels.iter().enumerate() {
        // Grafana's `maxDataPoints` sets a panel's resolution; else about a point per 4 px.
        let points = panel.rest.get("maxDataPoints").and_then(|v| v.as_i64()).filter(|p| *p > 0).unwrap_or(POINTS);
        let step_ms = ((end - start) / points).max(1000);
        let (kind, targets) = match panel.kind.as_str() {
            "timeseries" | "graph" => (LiveKind::Range, panel.targets.len()),
            "stat" | "gauge" | "bargauge" => (LiveKind::Instant, panel.targets.len().min(1)),
            "table" => (LiveKind::Instant, panel.targets.len()),
            "logs" => (LiveKind::Logs, panel.targets.len().min(1)),
            _ => continue,
        };
        // Grafana puts the data source on the panel, and may override it per target.
        let panel_source = panel.datasource.as_ref().and_then(|d| d.uid.clone());
        for (t, target) in panel.targets.iter().take(targets).enumerate() {
            let source =
                target.rest.get("datasource").and_then(|d| d.get("uid")).and_then(|u| u.as_str()).map(str::to_string);
            queries.push(LiveQuery {
                id: format!("{index}-{t}"),
                kind,
                expr: interpolate(&target.expr, d, choices),
                start_ms: start,
                end_ms: end,
                step_ms,
                limit: LOG_LINES,
                follow,
                datasource: source.or_else(|| panel_source.clone()),
            });
        }
    }
    LiveRequest { queries, every_ms }
}

/// What a panel shows from a round's results.
fn body_of(panel: &Panel, index: usize, round: &LiveRound) -> Body {
    let prefix = format!("{index}-");
    let mine: Vec<(usize, &LiveResult)> =
        round.results.iter().filter_map(|r| Some((r.id.strip_prefix(&prefix)?.parse::<usize>().ok()?, r))).collect();
    if let Some((_, failed)) = mine.iter().find(|(_, r)| r.error.is_some()) {
        return Body::Failed(failed.error.clone().unwrap_or_default());
    }
    let target = |t: usize| panel.targets.get(t).cloned().unwrap_or_default();
    let row = |target: &Target, metric: &Metric, value: f64| {
        (legend(&target.legend_format, metric, crate::components::chart::series_name(metric)), value)
    };
    match panel.kind.as_str() {
        "timeseries" | "graph" => Body::Series(
            mine.iter()
                .filter_map(|(t, r)| match &r.metrics {
                    Some(QueryData::Matrix(series)) => Some((target(*t), series)),
                    _ => None,
                })
                .flat_map(|(target, series)| {
                    series.iter().map(move |s| ChartSeries { name: row(&target, &s.metric, 0.0).0, points: points(s) })
                })
                .collect(),
        ),
        "stat" | "gauge" | "bargauge" => Body::Value(mine.first().and_then(|(_, r)| match &r.metrics {
            Some(QueryData::Vector(v)) => v.first().map(|s| s.value.value()),
            Some(QueryData::Scalar(s)) => Some(s.value()),
            _ => None,
        })),
        "table" => Body::Rows(
            mine.iter()
                .flat_map(|(t, r)| {
                    let target = target(*t);
                    match &r.metrics {
                        Some(QueryData::Vector(v)) => {
                            v.iter().map(|s| row(&target, &s.metric, s.value.value())).collect()
                        }
                        Some(QueryData::Scalar(s)) => vec![(target.expr.clone(), s.value())],
                        _ => Vec::new(),
                    }
                })
                .collect(),
        ),
        "logs" => match mine.first().and_then(|(_, r)| r.logs.as_ref()).map(|d| &d.result) {
            Some(QueryResult::Streams(streams)) => Body::Lines(merge_streams(streams.clone(), true)),
            _ => Body::Lines(Vec::new()),
        },
        other => Body::Unsupported(other.to_string()),
    }
}

/// The firing alerts, for alert-list panels (they show the notifier's state, not a query).
fn alert_rows(alerts: Vec<lookout_types::alerts::AlertView>) -> Body {
    Body::Alerts(
        alerts
            .into_iter()
            .filter(|a| a.state != lookout_types::alerts::AlertState::Resolved)
            .map(|a| {
                let name = a.labels.get("alertname").cloned().unwrap_or_default();
                let rest: Vec<String> = a
                    .labels
                    .iter()
                    .filter(|(k, _)| k.as_str() != "alertname")
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect();
                let state = if a.acknowledged.is_some() { "acknowledged" } else { a.state.as_str() };
                (format!("{name} {{{}}}", rest.join(", ")), state.to_string())
            })
            .collect(),
    )
}

#[component]
fn PanelBody(panel: Panel, index: usize, rounds: RwSignal<Option<LiveRound>>) -> impl IntoView {
    let unit = unit_of(&panel);
    let thresholds = panel.field_config.defaults.thresholds.clone();
    let kind = panel.kind.clone();
    // Gauges fill from `min` to `max` (Grafana's field config; 0 to 100 when unset).
    let bound =
        |key: &str, default: f64| panel.field_config.defaults.rest.get(key).and_then(|v| v.as_f64()).unwrap_or(default);
    let (min, max) = (bound("min", 0.0), bound("max", 100.0));
    let alerts = RwSignal::new(Body::Loading);
    let is_alert_list = panel.kind == "alertlist";
    if is_alert_list {
        // Each round (the page's clock) refreshes the alert list too.
        Effect::new(move |_| {
            rounds.track();
            leptos::task::spawn_local(async move {
                let body = match api::notifier_alerts().await {
                    Ok(list) => alert_rows(list),
                    Err(e) => Body::Failed(e.brief()),
                };
                alerts.try_set(body);
            });
        });
    }
    let body = Memo::new(move |_| {
        if is_alert_list {
            return alerts.get();
        }
        rounds.with(|round| round.as_ref().map_or(Body::Loading, |round| body_of(&panel, index, round)))
    });
    move || {
        match body.get() {
        Body::Loading => view! { <p class="loading">"…"</p> }.into_any(),
        Body::Failed(message) => view! { <p class="field-error">{message}</p> }.into_any(),
        Body::Unsupported(kind) => {
            view! { <p class="empty">{format!("A {kind} panel is not drawn yet.")}</p> }.into_any()
        }
        Body::Series(series) => {
            if series.is_empty() {
                view! { <p class="empty">"No data in this range."</p> }.into_any()
            } else {
                view! { <TimeSeriesChart series=Signal::derive(move || series.clone()) unit=Signal::derive(move || unit) /> }.into_any()
            }
        }
        Body::Value(value) => {
            let text = value.map_or("—".to_string(), |v| unit.format(v));
            // The colour of the highest step the value reaches.
            let colour = value
                .and_then(|v| {
                    thresholds.as_ref().and_then(|t| {
                        t.steps
                            .iter()
                            .rfind(|s| s.value.is_none_or(|from| v >= from))
                            .map(|s| s.color.clone())
                    })
                })
                .unwrap_or_default();
            let class = match colour.as_str() {
                "red" | "dark-red" => "health-critical",
                "orange" | "yellow" => "health-warning",
                "green" | "dark-green" => "health-ok",
                _ => "",
            };
            let fill = value.map_or(0.0, |v| if max > min { ((v - min) / (max - min)).clamp(0.0, 1.0) } else { 0.0 });
            match kind.as_str() {
                "gauge" => view! {
                    <div class=format!("gauge {class}")>
                        <svg viewBox="0 0 120 70" class="gauge-arc" role="img">
                            <path d=arc(1.0) class="gauge-track" />
                            <path d=arc(fill) class="gauge-fill" />
                        </svg>
                        <div class=format!("card-value stat {class}") data-testid="stat-value">{text}</div>
                    </div>
                }
                .into_any(),
                "bargauge" => view! {
                    <div class=format!("bar-gauge {class}")>
                        <div class="bar-track"><div class="bar-fill" style=format!("width: {:.1}%", fill * 100.0)></div></div>
                        <div class=format!("card-value stat {class}") data-testid="stat-value">{text}</div>
                    </div>
                }
                .into_any(),
                _ => view! { <div class=format!("card-value stat {class}") data-testid="stat-value">{text}</div> }.into_any(),
            }
        }
        Body::Rows(rows) if rows.is_empty() => view! { <p class="empty">"No data at the end of this range."</p> }.into_any(),
        Body::Rows(rows) => view! {
            <table class="dash-table" data-testid="dash-table">
                <thead><tr><th>"Series"</th><th>"Value"</th></tr></thead>
                <tbody>
                    {rows.into_iter().map(|(name, value)| view! { <tr><td>{name}</td><td>{unit.format(value)}</td></tr> }).collect_view()}
                </tbody>
            </table>
        }
        .into_any(),
        Body::Alerts(alerts) if alerts.is_empty() => view! { <p class="empty">"Nothing is firing."</p> }.into_any(),
        Body::Alerts(alerts) => view! {
            <ul class="dash-alerts" data-testid="dash-alerts">
                {alerts.into_iter().map(|(name, state)| view! { <li><a href="/alerts">{name}</a>" "<span class="share-note">{state}</span></li> }).collect_view()}
            </ul>
        }
        .into_any(),
        Body::Lines(lines) => {
            let lines = RwSignal::new(lines);
            let href = Callback::new(|(field, value): (String, String)| {
                super::logs::follow_href(&field, &value, "now-1h", "now")
            });
            view! { <div class="dash-logs"><LogTable lines=lines field_href=href /></div> }.into_any()
        }
    }
    }
}

/// The SVG path of a gauge's arc from its left end over `fill` (0 to 1) of the half circle.
fn arc(fill: f64) -> String {
    let (cx, cy, r) = (60.0, 62.0, 50.0);
    let angle = std::f64::consts::PI * (1.0 - fill);
    let (x, y) = (cx + r * angle.cos(), cy - r * angle.sin());
    format!("M {} {cy} A {r} {r} 0 0 1 {x:.2} {y:.2}", cx - r)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dashboard(variables: &[&str]) -> Dashboard {
        let list: Vec<serde_json::Value> =
            variables.iter().map(|name| serde_json::json!({"name": name, "type": "custom"})).collect();
        serde_json::from_value(serde_json::json!({"templating": {"list": list}})).unwrap()
    }

    #[test]
    fn variables_fill_in_whole_names_only() {
        let d = dashboard(&["env", "environment", "job"]);
        let choices: Choices = [
            ("env".to_string(), vec!["prod".to_string()]),
            ("environment".to_string(), vec!["eu".to_string(), "us".to_string()]),
            ("job".to_string(), vec![ALL.to_string()]),
        ]
        .into_iter()
        .collect();
        let check = |query: &str, expected: &str| assert_eq!(interpolate(query, &d, &choices), expected, "{query}");
        check(r#"up{env="$env", region=~"$environment"}"#, r#"up{env="prod", region=~"(eu|us)"}"#);
        check(r#"up{job=~"${job}", a="[[env]]"}"#, r#"up{job=~".*", a="prod"}"#);
        check(
            "rate(x[$__rate_interval]) $unknown ${unknown} [[unknown]] $ [a]",
            "rate(x[$__rate_interval]) $unknown ${unknown} [[unknown]] $ [a]",
        );
        check("${env", "${env");
        check("$env$env", "prodprod");
        check("é $env é", "é prod é");
    }

    #[test]
    fn legends_name_labels() {
        let metric: lookout_types::prometheus::Metric =
            [("job".to_string(), "api".to_string()), ("code".to_string(), "500".to_string())].into_iter().collect();
        assert_eq!(legend("{{job}} {{ code }} {{missing}}", &metric, "x".into()), "api 500 {{missing}}");
        assert_eq!(legend("", &metric, "fallback".into()), "fallback");
    }
}
