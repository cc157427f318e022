//! The Overview (`/`): is the payment service healthy right now? The firing alerts, most severe
//! first, with their age and who acknowledged them; success rate, database pool against its
//! limit, request rate; and the errors of the last 15 minutes, refreshed every few seconds.

use std::time::Duration;

use leptos::prelude::*;
use lookout_types::Overview;
use lookout_types::alerts::AlertView;

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
                Some(overview) => view! { <OverviewBody overview /> }.into_any(),
            }}
        </div>
    }
}

#[component]
fn OverviewBody(overview: Overview) -> impl IntoView {
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
    let changes = overview
        .changes
        .into_iter()
        .map(|c| {
            let unit = if c.kind == "rate" { "/s" } else { "" };
            let (was, is) = (Unit::Plain.format(c.before), Unit::Plain.format(c.now));
            view! {
                <li class="change-row">
                    <a href=explore(&c.query) class="change-series">{c.series}</a>
                    <span class="change-figures">{format!("{was}{unit} → {is}{unit}")}</span>
                </li>
            }
        })
        .collect_view();
    let full = overview
        .at_capacity
        .into_iter()
        .map(|c| {
            let (used, limit) = (Unit::Plain.format(c.used), Unit::Plain.format(c.limit));
            let share = if c.limit > 0.0 { c.used / c.limit * 100.0 } else { 0.0 };
            view! {
                <li class="change-row health-critical">
                    <a href=explore(&c.query) class="change-series">{c.series}</a>
                    <span class="change-figures">{format!("{used} of {limit} ({share:.0} %)")}</span>
                </li>
            }
        })
        .collect_view();
    view! {
        <div class="cards">{cards}</div>
        <div class="overview-columns">
            <section class="panel">
                <h2>"Changed most: last 15 minutes against the hour before"</h2>
                <ul class="change-list" data-testid="changes">{changes}</ul>
            </section>
            <section class="panel">
                <h2>"At capacity"</h2>
                <ul class="change-list" data-testid="at-capacity">{full}</ul>
            </section>
        </div>
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
    let mut firing: Vec<AlertView> = alerts.into_iter().filter(|a| a.state == "firing").collect();
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
                    <a href="/alerts" class="firing-name">{name}</a>
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
