//! Alerts (`/alerts`): the notifier's firing alerts, most severe first, each with its summary,
//! labels, runbook, one click to its expression's chart and to the logs of the same time, and
//! Acknowledge / Silence (labels ticked to match, a duration) / Resolve with a comment and its
//! timeline; then the silences with Expire, the rules' pending alerts, every rule with its state
//! and health, and the latest delivery attempts. Refreshed
//! every few seconds; what is being typed survives the refreshes.

use std::time::Duration;

use leptos::prelude::*;
use lookout_types::alertmanager::{PostableSilence, SilenceMatcher};
use lookout_types::alerts::{AlertState, AlertView, NotificationAttempt};
use lookout_types::prometheus::{Alert, Metric, Rule, RulesData};

use crate::api;
use crate::components::time_range::{absolute, absolute_millis};
use crate::components::{ConnectionBanner, use_poll};
use crate::url::with_query;

const REFRESH: Duration = Duration::from_secs(2);
const HOUR_MS: i64 = 60 * 60 * 1000;
/// Delivery attempts listed.
const ATTEMPTS_SHOWN: usize = 20;
const USER_KEY: &str = "lookout-user";
/// How far before an alert became active its chart and logs begin.
const LEAD_MS: i64 = 15 * 60 * 1000;

/// Severities from the most to the least urgent; others sort after them.
const SEVERITIES: [&str; 7] = ["critical", "high", "error", "warning", "medium", "low", "info"];

/// Where an alert's severity ranks, most urgent first (the Overview sorts by it too).
pub fn severity_rank(labels: &Metric) -> usize {
    let severity = labels.get("severity").map(String::as_str).unwrap_or("");
    SEVERITIES.iter().position(|s| s.eq_ignore_ascii_case(severity)).unwrap_or(SEVERITIES.len())
}

/// The CSS class of a severity's colour.
pub fn severity_class(labels: &Metric) -> &'static str {
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

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// The name actions are recorded under, remembered in the browser until Lookout has logins.
pub(crate) fn saved_user() -> String {
    storage().and_then(|s| s.get_item(USER_KEY).ok().flatten()).filter(|u| !u.is_empty()).unwrap_or_default()
}

/// The chart and logs links of an alert, built from its labels, its start and its rule.
struct Links {
    chart: String,
    logs: String,
}

impl Links {
    fn new(labels: &Metric, active_ms: Option<i64>, query: &str, source: Option<&str>) -> Links {
        let from = active_ms.map_or("now-1h".to_string(), |ms| (ms - LEAD_MS).to_string());
        // A PromQL rule's chart is its own expression; a LogQL rule's is on the Logs page.
        let page = if source == Some("logs") { "/logs" } else { "/explore" };
        // The demo's jobs are named after their services; other setups label `service` directly.
        let service = match labels.get("service").or_else(|| labels.get("job")) {
            Some(service) => format!("service=\"{}\"", service.replace('\\', "\\\\").replace('"', "\\\"")),
            None => r#"service=~".+""#.to_string(),
        };
        let selector = format!("{{{service}}}");
        // One click: the expression's chart with the service's ERROR lines of the same window.
        let errors = format!("{{{service}, level=\"ERROR\"}}");
        let chart = if page == "/explore" {
            with_query(page, &[("query", query), ("from", &from), ("to", "now"), ("logs", &errors)])
        } else {
            with_query(page, &[("query", query), ("from", &from), ("to", "now")])
        };
        let logs = with_query("/logs", &[("query", &selector), ("from", &from), ("to", "now")]);
        Links { chart, logs }
    }
}

/// The rule behind an alert, by its name: its expression and where it reads from.
fn rule_of(rules: &Option<RulesData>, alertname: &str) -> Option<(String, Option<String>)> {
    rules.as_ref()?.groups.iter().find_map(|g| {
        g.rules.iter().find_map(|r| match r {
            Rule::Alerting(a) if a.name == alertname => Some((a.query.clone(), g.source.clone())),
            _ => None,
        })
    })
}

fn is_open(a: &AlertView) -> bool {
    a.state != AlertState::Resolved
}

/// Firing and unacknowledged first, then acknowledged, then silenced; most severe first.
fn open_order(a: &AlertView) -> (u8, usize, i64) {
    let rank = match (a.state, a.acknowledged.is_some()) {
        (AlertState::Firing, false) => 0,
        (AlertState::Firing, true) => 1,
        _ => 2,
    };
    (rank, severity_rank(&a.labels), -a.starts_at)
}

#[component]
pub fn AlertsPage() -> impl IntoView {
    let notifier = use_poll(REFRESH, api::notifier_alerts);
    let groups_poll = use_poll(REFRESH, api::alert_groups);
    let rules_poll = use_poll(REFRESH * 2, api::rules);
    let attempts_poll = use_poll(REFRESH * 2, api::notifications);
    // Memos compare: an unchanged answer re-renders nothing, so typing is never interrupted.
    let alerts = Memo::new(move |_| notifier.data.get().unwrap_or_default());
    let rules = Memo::new(move |_| rules_poll.data.get());
    let attempts = Memo::new(move |_| attempts_poll.data.get().unwrap_or_default());
    let user = RwSignal::new(saved_user());
    let open = Memo::new(move |_| {
        let mut open: Vec<AlertView> = alerts.get().into_iter().filter(is_open).collect();
        open.sort_by_key(open_order);
        open
    });
    // The routes' groups, the most urgent first, each as (receiver, its labels, fingerprints).
    let groups = Memo::new(move |_| {
        let open = open.get();
        let urgency = |fp: &String| open.iter().position(|a| a.fingerprint == *fp).unwrap_or(usize::MAX);
        let mut groups: Vec<(String, String, Vec<String>)> = groups_poll
            .data
            .get()
            .unwrap_or_default()
            .into_iter()
            .map(|g| {
                let labels: Vec<String> = g.labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
                let mut fps: Vec<String> = g.alerts.into_iter().map(|a| a.fingerprint).collect();
                fps.sort_by_key(urgency);
                (g.receiver.name, labels.join(", "), fps)
            })
            .filter(|(_, _, fps)| fps.iter().any(|fp| urgency(fp) != usize::MAX))
            .collect();
        groups.sort_by_key(|(_, _, fps)| fps.first().map(urgency));
        groups
    });
    let heading = move || {
        let open = open.get();
        let firing = open.iter().filter(|a| a.state == AlertState::Firing).count();
        let acked = open.iter().filter(|a| a.state == AlertState::Firing && a.acknowledged.is_some()).count();
        format!("{firing} firing ({acked} acknowledged), {} silenced or inhibited", open.len() - firing)
    };
    view! {
        <div class="page alerts" data-testid="alerts-page">
            <div class="page-head">
                <h1>"Alerts"</h1>
                <ConnectionBanner poll=notifier every_seconds=REFRESH.as_secs() as u32 />
                <Show when=|| crate::session::caller().is_none()>
                <label class="acting-as">
                    "Acting as "
                    <input
                        class="time-input"
                        data-testid="acting-as"
                        placeholder="your name"
                        prop:value=move || user.get()
                        on:change=move |ev| {
                            let name = event_target_value(&ev);
                            if let Some(s) = storage() {
                                let _ = s.set_item(USER_KEY, &name);
                            }
                            user.set(name);
                        }
                    />
                </label>
                </Show>
            </div>
            <section class="alert-list" data-testid="alert-list">
                <h2>{heading}</h2>
                <Show when=move || open.with(Vec::is_empty) && notifier.data.with(Option::is_some)>
                    <p class="empty" data-testid="no-alerts">"No alert is firing."</p>
                </Show>
                <For
                    each=move || groups.get()
                    key=|g| g.clone()
                    children=move |(receiver, labels, fingerprints)| {
                        let count = fingerprints.len();
                        view! {
                            <div class="alert-group" data-testid="alert-group">
                                <h3 class="group-head">
                                    {format!("to {receiver} · {} · {count} alert{}", if labels.is_empty() { "all" } else { &labels }, if count == 1 { "" } else { "s" })}
                                </h3>
                                <For
                                    each=move || fingerprints.clone()
                                    key=|fp| fp.clone()
                                    children=move |fingerprint| view! { <NotifierCard fingerprint alerts rules user /> }
                                />
                            </div>
                        }
                    }
                />
            </section>
            <StatsSection />
            <SilencesSection />
            {move || rules.get().map(|data| view! { <RulesSection data /> })}
            <AttemptsSection attempts />
        </div>
    }
}

#[derive(Debug, Clone, PartialEq)]
enum ActionState {
    Idle,
    Busy,
    Done(String),
    Failed(String),
}

#[component]
pub(crate) fn NotifierCard(
    fingerprint: String,
    alerts: Memo<Vec<AlertView>>,
    rules: Memo<Option<RulesData>>,
    user: RwSignal<String>,
) -> impl IntoView {
    let fp = fingerprint.clone();
    let alert = Memo::new(move |_| alerts.with(|all| all.iter().find(|a| a.fingerprint == fp).cloned()));
    let comment = RwSignal::new(String::new());
    let action = RwSignal::new(ActionState::Idle);
    let fp = StoredValue::new(fingerprint);
    let who = move || Some(user.get_untracked()).filter(|u| !u.is_empty()).unwrap_or_else(|| "anonymous".into());
    let act = move |verb: &'static str, done: &'static str| {
        action.set(ActionState::Busy);
        let (by, text) = (who(), comment.get_untracked());
        leptos::task::spawn_local(async move {
            let result = api::alert_action(&fp.get_value(), verb, &by, &text).await;
            action.try_set(match result {
                Ok(()) => ActionState::Done(done.into()),
                Err(e) => ActionState::Failed(e.brief()),
            });
            comment.try_set(String::new());
        });
    };
    // The silence form: one checkbox per label (all ticked: this alert exactly), a duration.
    let silencing = RwSignal::new(false);
    let unticked = RwSignal::new(Vec::<String>::new());
    let hours = RwSignal::new(1i64);
    let silence = move || {
        let Some(a) = alert.get_untracked() else { return };
        action.set(ActionState::Busy);
        let now = js_sys::Date::now() as i64;
        let text = comment.get_untracked();
        let skip = unticked.get_untracked();
        let body = PostableSilence {
            id: None,
            matchers: a
                .labels
                .iter()
                .filter(|(k, _)| !skip.contains(k))
                .map(|(k, v)| SilenceMatcher { name: k.clone(), value: v.clone(), is_regex: false, is_equal: true })
                .collect(),
            starts_at: iso(now),
            ends_at: iso(now + hours.get_untracked() * HOUR_MS),
            created_by: who(),
            comment: if text.is_empty() { "silenced from the Alerts page".into() } else { text },
        };
        leptos::task::spawn_local(async move {
            let result = api::create_silence(&body).await;
            action.try_set(match result {
                Ok(id) => ActionState::Done(format!("Silenced ({id})")),
                Err(e) => ActionState::Failed(e.brief()),
            });
            comment.try_set(String::new());
            silencing.try_set(false);
        });
    };
    let silence_form = move || {
        let labels: Vec<String> =
            alert.with(|a| a.as_ref().map(|a| a.labels.keys().cloned().collect()).unwrap_or_default());
        let boxes = labels
            .into_iter()
            .map(|name| {
                let value = alert.with(|a| a.as_ref().and_then(|a| a.labels.get(&name).cloned()).unwrap_or_default());
                let key = name.clone();
                view! {
                    <label class="label-chip">
                        <input
                            type="checkbox"
                            prop:checked=move || !unticked.with(|u| u.contains(&key))
                            on:change={
                                let key = name.clone();
                                move |ev| {
                                    let on = event_target_checked(&ev);
                                    unticked.update(|u| {
                                        u.retain(|k| *k != key);
                                        if !on {
                                            u.push(key.clone());
                                        }
                                    });
                                }
                            }
                        />
                        {format!("{name}=\"{value}\"")}
                    </label>
                }
            })
            .collect_view();
        view! {
            <div class="silence-form" data-testid="silence-form">
                <span class="form-note">"Silence alerts matching"</span>
                {boxes}
                <select on:change=move |ev| hours.set(event_target_value(&ev).parse().unwrap_or(1))>
                    <option value="1">"for 1 hour"</option>
                    <option value="4">"for 4 hours"</option>
                    <option value="24">"for 1 day"</option>
                    <option value="168">"for 1 week"</option>
                </select>
                <button class="run" data-testid="silence-create" on:click=move |_| silence()>"Create silence"</button>
            </div>
        }
    };
    move || {
        let Some(a) = alert.get() else { return ().into_any() };
        let name = a.labels.get("alertname").cloned().unwrap_or_default();
        let severity = a.labels.get("severity").cloned().unwrap_or_default();
        let (query, source) = rules.with(|r| rule_of(r, &name)).unwrap_or_default();
        let links = Links::new(&a.labels, Some(a.starts_at), &query, source.as_deref());
        let badge = match (a.state, &a.acknowledged) {
            (AlertState::Firing, Some(_)) => ("ACKNOWLEDGED", "state-acked"),
            (AlertState::Firing, None) => ("FIRING", "state-firing"),
            _ if !a.silenced_by.is_empty() => ("SILENCED", "state-suppressed"),
            _ => ("INHIBITED", "state-suppressed"),
        };
        let acked = a.acknowledged.clone();
        let ack_note = acked.clone().map(|ack| {
            let when = absolute(ack.at);
            let why = if ack.comment.is_empty() { String::new() } else { format!(": {}", ack.comment) };
            view! { <p class="ack-note" data-testid="ack-note">{format!("Acknowledged by {} at {when}{why}", ack.by)}</p> }
        });
        let labels = a
            .labels
            .iter()
            .filter(|(k, _)| *k != "alertname" && *k != "severity")
            .map(|(k, v)| view! { <li class="label-chip"><span>{k.clone()}</span>"="<span>{v.clone()}</span></li> })
            .collect_view();
        let runbook = a.annotations.get("runbook_url").cloned().filter(|u| is_web_link(u));
        let timeline = a
            .history
            .iter()
            .rev()
            .map(|e| {
                let detail = if e.detail.is_empty() { String::new() } else { format!(" · {}", e.detail) };
                view! { <li><time>{absolute_millis(e.at)}</time>" "{e.kind.as_str()}{detail}</li> }
            })
            .collect_view();
        let receivers = a.receivers.join(", ");
        view! {
            <article
                class=format!("alert-card {}", severity_class(&a.labels))
                data-testid="alert"
                data-state=a.state.as_str()
                data-acked=acked.is_some().to_string()
            >
                <header class="alert-head">
                    <span class=format!("alert-state {}", badge.1)>{badge.0}</span>
                    <strong class="alert-name">{name}</strong>
                    <span class="sev-badge">{severity}</span>
                    <span class="alert-since">{format!("since {}", absolute(a.starts_at))}</span>
                    <span class="alert-value">{format!("to {receivers}")}</span>
                </header>
                {a.annotations.get("summary").cloned().map(|s| view! { <p class="alert-summary" data-testid="alert-summary">{s}</p> })}
                {a.annotations.get("description").cloned().map(|d| view! { <p class="alert-description">{d}</p> })}
                {ack_note}
                <ul class="label-chips">{labels}</ul>
                <div class="alert-links">
                    <a href=format!("/alerts/{}", fp.get_value()) data-testid="alert-investigate">"Probable cause"</a>
                    <Show when={
                        let has_query = !query.is_empty();
                        move || has_query
                    }>
                        <a href=links.chart.clone() data-testid="alert-chart">"Chart the expression"</a>
                    </Show>
                    <a href=links.logs.clone() data-testid="alert-logs">"Logs from the same time"</a>
                    {runbook.map(|url| view! { <a href=url target="_blank" rel="noopener noreferrer" data-testid="alert-runbook">"Runbook"</a> })}
                </div>
                <div class="alert-actions">
                    <input
                        class="comment-input"
                        data-testid="comment"
                        placeholder="comment (optional)"
                        prop:value=move || comment.get()
                        on:input=move |ev| comment.set(event_target_value(&ev))
                    />
                    {if acked.is_some() {
                        view! { <button data-testid="unack" on:click=move |_| act("unack", "Unacknowledged")>"Unacknowledge"</button> }.into_any()
                    } else {
                        view! { <button class="run" data-testid="ack" on:click=move |_| act("ack", "Acknowledged")>"Acknowledge"</button> }.into_any()
                    }}
                    <button data-testid="silence" on:click=move |_| silencing.update(|s| *s = !*s)>"Silence…"</button>
                    <button data-testid="resolve" on:click=move |_| act("resolve", "Resolved")>"Resolve"</button>
                    <span class="action-state" data-testid="action-state">
                        {move || match action.get() {
                            ActionState::Idle => String::new(),
                            ActionState::Busy => "…".into(),
                            ActionState::Done(text) => text,
                            ActionState::Failed(text) => format!("Failed: {text}"),
                        }}
                    </span>
                </div>
                <Show when=move || silencing.get()>{silence_form}</Show>
                <details class="alert-timeline">
                    <summary>"Timeline"</summary>
                    <ol data-testid="timeline">{timeline}</ol>
                </details>
            </article>
        }
        .into_any()
    }
}

/// Unix milliseconds as RFC 3339 in UTC, as Alertmanager's API takes times.
fn iso(ms: i64) -> String {
    String::from(js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64)).to_iso_string())
}

#[component]
fn RulesSection(data: RulesData) -> impl IntoView {
    let pending: Vec<RuleAlert> = active_alerts(&data).into_iter().filter(|a| a.alert.state == "pending").collect();
    let pending = (!pending.is_empty()).then(|| {
        let cards = pending.into_iter().map(|alert| view! { <AlertCard alert /> }).collect_view();
        view! {
            <section class="alert-list" data-testid="pending-list">
                <h2>"Pending: the condition holds, waiting out its for"</h2>
                {cards}
            </section>
        }
    });
    let rules = data
        .groups
        .iter()
        .flat_map(|g| g.rules.iter().map(move |r| (g.name.clone(), r.clone())))
        .map(|(group, rule)| view! { <RuleRow group rule /> })
        .collect_view();
    view! {
        {pending}
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

/// How alerting is going: alerts by severity and state, delivery success per integration, and
/// the mean times to acknowledge and to resolve.
#[component]
fn StatsSection() -> impl IntoView {
    let poll = use_poll(REFRESH * 5, api::alert_stats);
    let minutes = |s: Option<f64>| s.map_or("—".to_string(), |s| format!("{:.1} min", s / 60.0));
    move || {
        poll.data.get().map(|stats| {
            let severities = stats
                .by_severity
                .iter()
                .map(|c| {
                    let name = if c.severity.is_empty() { "no severity".to_string() } else { c.severity.clone() };
                    format!(
                        "{name}: {} firing, {} acknowledged, {} suppressed, {} resolved",
                        c.firing, c.acknowledged, c.suppressed, c.resolved
                    )
                })
                .map(|line| view! { <li>{line}</li> })
                .collect_view();
            let deliveries = stats
                .integrations
                .iter()
                .map(|i| {
                    format!(
                        "{}: {:.0} % of {} delivered",
                        i.integration,
                        i.success_rate * 100.0,
                        i.delivered + i.failed
                    )
                })
                .map(|line| view! { <li>{line}</li> })
                .collect_view();
            view! {
                <section class="panel rules-panel stats-panel" data-testid="alert-stats">
                    <h2>"Statistics"</h2>
                    <p>
                        {format!(
                            "Mean time to acknowledge {}, to resolve {}.",
                            minutes(stats.mean_time_to_acknowledge_s),
                            minutes(stats.mean_time_to_resolve_s)
                        )}
                    </p>
                    <ul class="stats-list">{severities}</ul>
                    <ul class="stats-list">{deliveries}</ul>
                </section>
            }
        })
    }
}

/// The silences in force and to come, each with who made it, why, and an Expire button.
#[component]
fn SilencesSection() -> impl IntoView {
    let poll = use_poll(REFRESH * 2, api::silences);
    let silences = Memo::new(move |_| {
        poll.data.get().unwrap_or_default().into_iter().filter(|s| s.status.state != "expired").collect::<Vec<_>>()
    });
    let expire = move |id: String| {
        leptos::task::spawn_local(async move {
            if let Err(e) = api::expire_silence(&id).await {
                leptos::logging::warn!("expiring silence {id}: {}", e.brief());
            }
        });
    };
    view! {
        <section class="panel rules-panel" data-testid="silences">
            <h2>"Silences"</h2>
            <Show when=move || silences.with(Vec::is_empty)>
                <p class="empty">"No silence is active or pending."</p>
            </Show>
            <For
                each=move || silences.get()
                key=|s| (s.id.clone(), s.updated_at.clone())
                children=move |s| {
                    let matchers = s
                        .matchers
                        .iter()
                        .map(|m| {
                            let op = match (m.is_equal, m.is_regex) {
                                (true, false) => "=",
                                (false, false) => "!=",
                                (true, true) => "=~",
                                (false, true) => "!~",
                            };
                            view! { <li class="label-chip">{format!("{}{op}\"{}\"", m.name, m.value)}</li> }
                        })
                        .collect_view();
                    let ends = parse_time(&s.ends_at).map(absolute).unwrap_or_default();
                    let id = s.id.clone();
                    view! {
                        <div class="silence-row" data-testid="silence-row">
                            <ul class="label-chips">{matchers}</ul>
                            <span class="alert-since">{format!("{} until {ends}, by {}: {}", s.status.state, s.created_by, s.comment)}</span>
                            <button data-testid="silence-expire" on:click=move |_| expire(id.clone())>"Expire"</button>
                        </div>
                    }
                }
            />
        </section>
    }
}

#[component]
fn AttemptsSection(attempts: Memo<Vec<NotificationAttempt>>) -> impl IntoView {
    let rows = move || {
        attempts
            .get()
            .into_iter()
            .take(ATTEMPTS_SHOWN)
            .map(|a| {
                let result = match (a.http_status, &a.smtp_reply, &a.error) {
                    (_, _, Some(e)) => e.clone(),
                    (Some(status), _, None) => format!("HTTP {status}"),
                    (None, Some(reply), None) => reply.clone(),
                    (None, None, None) => String::new(),
                };
                let escalation = if a.escalation { " (escalation)" } else { "" };
                view! {
                    <tr class=format!("attempt-{}", a.outcome.as_str())>
                        <td>{absolute_millis(a.at)}</td>
                        <td>{format!("{}{escalation}", a.receiver)}</td>
                        <td>{a.integration.clone()}</td>
                        <td>{a.attempt}</td>
                        <td class="attempt-outcome">{a.outcome.as_str()}</td>
                        <td>{result}</td>
                    </tr>
                }
            })
            .collect_view()
    };
    view! {
        <section class="panel rules-panel">
            <h2>"Notifications, newest first"</h2>
            <Show when=move || attempts.with(Vec::is_empty)>
                <p class="empty">"Nothing was sent yet."</p>
            </Show>
            <table class="result-table" data-testid="attempts-table">
                <thead>
                    <tr>
                        <th>"Time"</th>
                        <th>"Receiver"</th>
                        <th>"Integration"</th>
                        <th>"Try"</th>
                        <th>"Outcome"</th>
                        <th>"Answer"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
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
    let links = Links::new(&alert.labels, active_ms, &query, source.as_deref());
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
                <a href=links.chart data-testid="alert-chart">"Chart the expression"</a>
                <a href=links.logs data-testid="alert-logs">"Logs from the same time"</a>
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
