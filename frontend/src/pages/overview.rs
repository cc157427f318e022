//! The Overview (`/`): what is wrong right now, from whatever data there is. The firing alerts,
//! most severe first, with their age and who acknowledged them; the pinned cards; what is at
//! capacity and what changed most; each service's vital signs; the error patterns and errors of
//! the last 15 minutes, refreshed every few seconds.

use std::time::Duration;

use leptos::prelude::*;
use lookout_types::Overview;
use lookout_types::alerts::{AlertState, AlertView};
use lookout_types::insight::{ChangeKind, SaturationKind};

use super::alerts::{severity_class, severity_rank};
use super::logs::follow_href;
use crate::api;
use crate::components::chart::Unit;
use crate::components::{ConnectionBanner, StatCardView, clock_time, use_poll};
use crate::url::with_query;

const REFRESH: Duration = Duration::from_secs(2);
/// How far before and after an error line the link that follows its request looks.
const FOLLOW_MARGIN_MS: i64 = 5 * 60 * 1000;

#[component]
pub fn OverviewPage() -> impl IntoView {
    let poll = use_poll(REFRESH, api::overview);
    let alerts = use_poll(REFRESH, api::notifier_alerts);
    view! {
        <div class="page overview">
            <div class="page-head">
                <h1>"Overview"</h1>
                <ConnectionBanner poll=poll every_seconds=REFRESH.as_secs() as u32 />
            </div>
            {move || alerts.data.get().map(|alerts| view! { <FiringAlerts alerts /> })}
            {move || match poll.data.get() {
                None => view! { <p class="loading">"Loading the current figures…"</p> }.into_any(),
                Some(overview) => {
                    let quiet = alerts.data.get().is_some_and(|all| all.iter().all(|a| a.state != AlertState::Firing));
                    view! { <OverviewBody overview quiet /> }.into_any()
                }
            }}
        </div>
    }
}

/// When no alert fires but something is full or a pattern is new or spiking, the page leads
/// with it: the trouble that has no rule yet.
fn lead(overview: &Overview) -> Option<String> {
    if let Some(s) = overview.at_capacity.first() {
        let how = match (s.kind, s.limit) {
            (SaturationKind::Limit, Some(limit)) => {
                format!("{} of {} {} used", Unit::Plain.format(s.used), Unit::Plain.format(limit), s.what)
            }
            (SaturationKind::Waiting, _) => format!("{} waiting for {}", Unit::Plain.format(s.used), s.what),
            _ => format!("{} stuck at {}", s.what, Unit::Plain.format(s.used)),
        };
        return Some(format!("No alert is firing, but {} is at capacity: {how}.", s.subject));
    }
    let p = overview.patterns.iter().find(|p| p.new || p.spiking)?;
    let how = if p.new { "a new" } else { "a spiking" };
    Some(format!("No alert is firing, but {} logs {how} {} pattern: {} ({}×).", p.service, p.level, p.pattern, p.count))
}

#[component]
fn OverviewBody(overview: Overview, quiet: bool) -> impl IntoView {
    let leading = quiet
        .then(|| lead(&overview))
        .flatten()
        .map(|text| view! { <p class="lead-finding" data-testid="lead-finding">{text}</p> });
    let cards = overview.cards.into_iter().map(|card| view! { <StatCardView card /> }).collect_view();
    let errors = if overview.error_groups.is_empty() {
        view! { <p class="empty">"No errors in the last 15 minutes."</p> }.into_any()
    } else {
        overview
            .error_groups
            .into_iter()
            .map(|group| {
                view! {
                    <li class="log-line level-error">
                        <span class="count">{format!("{}×", group.count)}</span>
                        <span class="service">{group.service}</span>
                        <span class="message">{group.message}</span>
                        <time title="first seen">{format!("since {}", clock_time(group.first_seen as f64))}</time>
                        {group.request_id.map(|id| {
                            // An absolute window around the line, so the link shows the same
                            // request later too, including the other services' lines that
                            // finish after it.
                            let (from, to) = (group.last_seen - FOLLOW_MARGIN_MS, group.last_seen + FOLLOW_MARGIN_MS);
                            let href = follow_href("request_id", &id, &from.to_string(), &to.to_string());
                            view! {
                                <a
                                    class="request-id"
                                    data-testid="follow-request"
                                    href=href
                                    title="Every line of this request, across services"
                                >
                                    {id}
                                </a>
                            }
                        })}
                    </li>
                }
            })
            .collect_view()
            .into_any()
    };
    let explore = |query: &str| with_query("/explore", &[("query", query), ("from", "now-75m"), ("to", "now")]);
    let since = |t: Option<i64>| t.map(|t| format!(" since {}", clock_time(t as f64))).unwrap_or_default();
    let changes = overview
        .changes
        .into_iter()
        .map(|c| {
            let figures = match c.kind {
                ChangeKind::Rate => format!("{}/s → {}/s", Unit::Plain.format(c.before), Unit::Plain.format(c.now)),
                ChangeKind::Level => format!("{} → {}", Unit::Plain.format(c.before), Unit::Plain.format(c.now)),
                ChangeKind::ErrorRatio => format!("{:.1} % → {:.1} %", c.before * 100.0, c.now * 100.0),
                ChangeKind::Down => "down".to_string(),
                ChangeKind::Flapping => format!("down {} times", c.now),
                ChangeKind::Restart => "restarted".to_string(),
            };
            let more = if c.more > 0 { format!(" · {} more series", c.more) } else { String::new() };
            view! {
                <li class="change-row">
                    <a href=explore(&c.query) class="change-series">{c.series}</a>
                    <span class="change-figures">{format!("{figures}{}{more}", since(c.onset))}</span>
                </li>
            }
        })
        .collect_view();
    let full = overview
        .at_capacity
        .into_iter()
        .map(|s| {
            let used = Unit::Plain.format(s.used);
            let figures = match (s.kind, s.limit) {
                (SaturationKind::Limit, Some(limit)) => format!(
                    "{used} of {} ({:.0} %) {}",
                    Unit::Plain.format(limit),
                    if limit > 0.0 { s.used / limit * 100.0 } else { 0.0 },
                    s.what
                ),
                (SaturationKind::Waiting, _) => format!("{used} waiting ({})", s.what),
                _ => format!("{} stuck at {used}", s.what),
            };
            view! {
                <li class="change-row health-critical">
                    <a href=explore(&s.query) class="change-series">{s.subject}</a>
                    <span class="change-figures">{format!("{figures}{}", since(s.since))}</span>
                    <span class="change-source" title=s.rule.clone()>{s.series}</span>
                </li>
            }
        })
        .collect_view();
    let services = overview
        .services
        .into_iter()
        .map(|s| {
            let figure = |v: Option<f64>, f: &dyn Fn(f64) -> String| v.map(f).unwrap_or_else(|| "–".into());
            let errors = s.error_ratio.unwrap_or(0.0);
            let class = if errors >= 0.05 { "health-critical" } else if errors >= 0.01 { "health-warning" } else { "" };
            let link = |q: &Option<String>, text: String| match q {
                Some(q) => view! { <a href=explore(q)>{text}</a> }.into_any(),
                None => view! { <span>{text}</span> }.into_any(),
            };
            view! {
                <tr class=class>
                    <th scope="row">{s.service}</th>
                    <td>{link(&s.queries.requests, figure(s.requests_per_second, &|v| format!("{}/s", Unit::Plain.format(v))))}</td>
                    <td>{link(&s.queries.error_ratio, figure(s.error_ratio, &|v| format!("{:.1} %", v * 100.0)))}</td>
                    <td>{link(&s.queries.p99, figure(s.p99_seconds, &|v| Unit::Seconds.format(v)))}</td>
                    <td>{link(&s.queries.log_errors, figure(s.log_errors_per_second, &|v| format!("{}/s", Unit::Plain.format(v))))}</td>
                </tr>
            }
        })
        .collect_view();
    let patterns = overview
        .patterns
        .into_iter()
        .map(|p| {
            let badge = if p.new { "new" } else if p.spiking { "spiking" } else { "" };
            let example = p.examples.into_iter().find_map(|e| e.request_id.map(|id| (id, e.t)));
            view! {
                <li class=format!("log-line level-{}", p.level)>
                    <span class="count">{format!("{}×", p.count)}</span>
                    <span class="service">{p.service}</span>
                    {(!badge.is_empty()).then(|| view! { <span class="badge">{badge}</span> })}
                    <span class="message">{p.pattern}</span>
                    <time title="first seen">{format!("since {}", clock_time(p.first_seen as f64))}</time>
                    {example.map(|(id, t)| {
                        let href = follow_href("request_id", &id, &(t - FOLLOW_MARGIN_MS).to_string(), &(t + FOLLOW_MARGIN_MS).to_string());
                        view! { <a class="request-id" href=href title="Every line of this request, across services">{id}</a> }
                    })}
                </li>
            }
        })
        .collect_view();
    view! {
        {leading}
        <div class="cards">{cards}</div>
        <div class="overview-columns">
            <section class="panel">
                <h2>"At capacity"</h2>
                <ul class="change-list" data-testid="at-capacity">{full}</ul>
            </section>
            <section class="panel">
                <h2>"Changed most: last 15 minutes against the hour before"</h2>
                <ul class="change-list" data-testid="changes">{changes}</ul>
            </section>
        </div>
        <section class="panel">
            <h2>"Services"</h2>
            <div class="table-scroll">
                <table class="services" data-testid="services">
                    <thead><tr><th>"Service"</th><th>"Requests"</th><th>"Errors"</th><th>"p99"</th><th>"Log errors"</th></tr></thead>
                    <tbody>{services}</tbody>
                </table>
            </div>
        </section>
        <section class="panel">
            <h2>"Error and warning patterns, last 15 minutes"</h2>
            <ul class="log-lines" data-testid="patterns">{patterns}</ul>
        </section>
        <section class="panel">
            <h2>"Errors, last 15 minutes"</h2>
            <ul class="log-lines" data-testid="error-groups">{errors}</ul>
        </section>
    }
}

/// The alerts firing now, most severe first: what to look at before anything else.
#[component]
fn FiringAlerts(alerts: Vec<AlertView>) -> impl IntoView {
    let now = js_sys::Date::now() as i64;
    let mut firing: Vec<AlertView> = alerts.into_iter().filter(|a| a.state == AlertState::Firing).collect();
    firing.sort_by_key(|a| (severity_rank(&a.labels), a.acknowledged.is_some(), a.starts_at));
    if firing.is_empty() {
        return view! { <p class="all-clear" data-testid="firing-alerts">"No alert is firing."</p> }.into_any();
    }
    let rows = firing
        .into_iter()
        .map(|a| {
            let name = a.labels.get("alertname").cloned().unwrap_or_default();
            let severity = a.labels.get("severity").cloned().unwrap_or_default();
            let summary = a.annotations.get("summary").cloned().unwrap_or_default();
            let minutes = ((now - a.starts_at) / 60_000).max(0);
            let ack = a
                .acknowledged
                .map(|ack| format!("acknowledged by {}", ack.by))
                .unwrap_or_else(|| "not acknowledged".into());
            view! {
                <li class=format!("firing-row {}", severity_class(&a.labels))>
                    <span class="sev-badge">{severity}</span>
                    <a href=format!("/alerts/{}", a.fingerprint) class="firing-name" data-testid="firing-link">{name}</a>
                    <span class="firing-summary">{summary}</span>
                    <span class="firing-age">{format!("for {minutes} min · {ack}")}</span>
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="panel firing-panel">
            <h2>"Firing alerts"</h2>
            <ul class="firing-list" data-testid="firing-alerts">{rows}</ul>
        </section>
    }
    .into_any()
}
