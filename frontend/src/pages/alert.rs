//! One alert (`/alerts/<fingerprint>`), the page a notification links to: its state, summary,
//! labels and who acknowledged it, with Acknowledge, Silence and Resolve; then its investigation:
//! the symptom's chart with the onset marked, and the probable causes ranked, each with its
//! evidence (a chart, or the pattern's lines with their requests to follow).

use std::time::Duration;

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use lookout_types::insight::{Cause, CauseKind, Investigation};
use lookout_types::prometheus::QueryData;

use super::alerts::{NotifierCard, saved_user};
use super::logs::follow_href;
use crate::api;
use crate::components::chart::{ChartSeries, Mark, TimeSeriesChart, Unit};
use crate::components::{clock_time, use_poll};
use crate::url::with_query;

const REFRESH: Duration = Duration::from_secs(3);
const INVESTIGATION_REFRESH: Duration = Duration::from_secs(15);
/// How far around a pattern's line the request it links to is followed.
const FOLLOW_MARGIN_MS: i64 = 5 * 60 * 1000;

#[component]
pub fn AlertPage() -> impl IntoView {
    let params = use_params_map();
    let fingerprint = move || params.with(|p| p.get("fingerprint").unwrap_or_default());
    let notifier = use_poll(REFRESH, api::notifier_alerts);
    let rules_poll = use_poll(REFRESH * 2, api::rules);
    let alerts = Memo::new(move |_| notifier.data.get().unwrap_or_default());
    let rules = Memo::new(move |_| rules_poll.data.get());
    let user = RwSignal::new(saved_user());
    let investigation = use_poll(INVESTIGATION_REFRESH, move || {
        let fp = fingerprint();
        async move { api::investigation(&fp).await }
    });
    view! {
        <div class="page alert-page">
            <div class="page-head">
                <h1>"Alert"</h1>
                <a href="/alerts">"All alerts"</a>
            </div>
            {move || {
                let fp = fingerprint();
                if notifier.data.get().is_none() {
                    view! { <p class="loading">"Loading the alert…"</p> }.into_any()
                } else if alerts.with(|all| all.iter().any(|a| a.fingerprint == fp)) {
                    view! { <NotifierCard fingerprint=fp alerts rules user /> }.into_any()
                } else {
                    view! { <p class="empty" data-testid="no-alert">"No alert with this fingerprint: it may have been resolved long ago."</p> }.into_any()
                }
            }}
            {move || investigation.data.get().map(|found| view! { <InvestigationView found /> })}
        </div>
    }
}

/// The symptom's chart, then the causes, most probable first.
#[component]
fn InvestigationView(found: Investigation) -> impl IntoView {
    let onset = found.onset;
    let threshold = found.threshold.map(|t| format!(", against {}", Unit::Plain.format(t))).unwrap_or_default();
    let expression = found.expression.clone().unwrap_or_default();
    let symptom = found.symptom_query.clone().map(|query| {
        view! {
            <section class="panel">
                <h2>"Symptom"</h2>
                <p class="symptom-query"><a href=explore(&query, found.start, found.end) title=expression>{query.clone()}</a></p>
                <p class="onset">{format!("Began at {}{threshold}", clock_time(onset as f64))}</p>
                <QueryChart query start=found.start end=found.end onset=Some(onset) />
            </section>
        }
    });
    let causes = if found.causes.is_empty() {
        view! { <p class="empty">"Nothing stands out in the data around the onset."</p> }.into_any()
    } else {
        found
            .causes
            .into_iter()
            .map(|cause| view! { <CauseView cause start=found.start end=found.end /> })
            .collect_view()
            .into_any()
    };
    view! {
        {symptom}
        <section class="panel">
            <h2>"Probable causes"</h2>
            <ol class="causes" data-testid="causes">{causes}</ol>
        </section>
    }
}

fn explore(query: &str, start: i64, end: i64) -> String {
    with_query("/explore", &[("query", query), ("from", &start.to_string()), ("to", &end.to_string())])
}

/// "1 s before the alert", "2 min after it".
fn lead(ms: i64) -> String {
    let (amount, side) = if ms >= 0 { (ms, "before") } else { (-ms, "after") };
    let text = if amount < 60_000 {
        format!("{} s", amount / 1000)
    } else if amount < 3_600_000 {
        format!("{} min", amount / 60_000)
    } else {
        format!("{:.1} h", amount as f64 / 3_600_000.0)
    };
    format!("{text} {side} the alert")
}

#[component]
fn CauseView(cause: Cause, start: i64, end: i64) -> impl IntoView {
    let kind = match cause.kind {
        CauseKind::Saturation => "at capacity",
        CauseKind::Change => "changed",
        CauseKind::Pattern => "log pattern",
        CauseKind::Restart => "restart",
        CauseKind::Down => "down",
        CauseKind::Deploy => "deploy",
    };
    let when = match (cause.onset, cause.lead_ms) {
        (Some(t), Some(ms)) => format!("since {}, {}", clock_time(t as f64), lead(ms)),
        _ => String::new(),
    };
    let chart = cause.query.clone().map(|query| {
        view! {
            <a class="cause-query" href=explore(&query, start, end)>{query.clone()}</a>
            <QueryChart query start end onset=None />
        }
    });
    let examples = cause
        .examples
        .into_iter()
        .map(|e| {
            let follow = e.request_id.map(|id| {
                let href = follow_href(
                    "request_id",
                    &id,
                    &(e.t - FOLLOW_MARGIN_MS).to_string(),
                    &(e.t + FOLLOW_MARGIN_MS).to_string(),
                );
                view! { <a class="request-id" data-testid="follow-request" href=href title="Every line of this request, across services">{id}</a> }
            });
            view! {
                <li class="log-line">
                    <time>{clock_time(e.t as f64)}</time>
                    <span class="message">{e.line}</span>
                    {follow}
                </li>
            }
        })
        .collect_view();
    view! {
        <li class="cause" data-kind=kind>
            <div class="cause-head">
                <span class="badge">{kind}</span>
                <strong class="cause-title">{cause.title}</strong>
                <span class="cause-when">{when}</span>
            </div>
            <div class="cause-detail">{cause.detail}</div>
            {chart}
            <ul class="log-lines">{examples}</ul>
        </li>
    }
}

/// A range query over the investigation's window, charted.
#[component]
fn QueryChart(query: String, start: i64, end: i64, onset: Option<i64>) -> impl IntoView {
    let marks: Vec<Mark> = onset.map(|t| Mark { t, end: t, text: "the alert began".into() }).into_iter().collect();
    let unit = Unit::guess(&query);
    let series = RwSignal::new(Vec::<ChartSeries>::new());
    let step = ((end - start) / 240).max(5_000);
    leptos::task::spawn_local(async move {
        if let Ok(QueryData::Matrix(found)) = api::query_range("", &query, start, end, step).await {
            series.try_set(found.iter().map(ChartSeries::from_range).collect());
        }
    });
    view! {
        <TimeSeriesChart
            series=Signal::derive(move || series.get())
            unit=Signal::derive(move || unit)
            marks=Signal::derive(move || marks.clone())
            span_at_least=(start, end)
        />
    }
}
