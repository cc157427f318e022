//! Explore (`/explore?query=…&from=…&to=…&ds=…`): a PromQL query drawn as a live chart or listed
//! as a table, on Lookout's own store or a named data source. The URL holds the whole state
//! (query, range, view, refresh, source), so a copied link reproduces the view.

use std::time::Duration;

use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::use_navigate;
use lookout_types::logs::QueryResult;
use lookout_types::prometheus::QueryData;

use crate::api::{self, Direction, LogQuery};
use crate::components::chart::{ChartSeries, TimeSeriesChart, Unit, series_name};
use crate::components::log_line::merge_streams;
use crate::components::log_table::LogTable;
use crate::components::query_editor::QueryEditor;
use crate::components::share::ShareButton;
use crate::components::source_picker::{SourcePicker, use_source};
use crate::components::time_range::{REFRESH_CHOICES, RangeNote, TimeRangePicker, is_relative, refresh_ms, resolve};
use crate::url::{use_query_param, with_query};

/// Points per series a range query asks for; the step follows from the range.
const TARGET_POINTS: i64 = 300;
/// Lines the logs beside the chart show.
const LOG_LINES: usize = 100;

#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    Idle,
    Loading,
    Failed(String),
    Graph { series: Vec<ChartSeries>, step_ms: i64 },
    Table(Vec<(String, String)>),
}

fn step_for(start: i64, end: i64) -> i64 {
    ((end - start) / TARGET_POINTS).max(1000) / 1000 * 1000
}

#[component]
pub fn ExplorePage() -> impl IntoView {
    let query = use_query_param("query", "");
    let from = use_query_param("from", "now-1h");
    let to = use_query_param("to", "now");
    let view_kind = use_query_param("view", "graph");
    let refresh = use_query_param("refresh", "off");
    // LogQL whose lines show under the chart, over the same range (an alert's chart link sets it
    // to its service's ERROR lines).
    let logs = use_query_param("logs", "");
    // The data source (`GET /api/datasources`); Lookout's own store when empty.
    let ds = use_source();

    let draft = RwSignal::new(query.get_untracked());
    Effect::new(move |_| draft.set(query.get()));

    let navigate = use_navigate();
    let go = move |q: String, f: String, t: String, v: String, r: String| {
        let mut params = vec![("query", q.as_str()), ("from", &f), ("to", &t), ("view", &v), ("refresh", &r)];
        let logs = logs.get_untracked();
        if !logs.is_empty() {
            params.push(("logs", &logs));
        }
        let source = ds.get_untracked();
        if !source.is_empty() {
            params.push(("ds", &source));
        }
        navigate(&with_query("/explore", &params), NavigateOptions::default());
    };
    let go = StoredValue::new(go);
    let current = move || {
        (
            draft.get_untracked(),
            from.get_untracked(),
            to.get_untracked(),
            view_kind.get_untracked(),
            refresh.get_untracked(),
        )
    };

    let outcome = RwSignal::new(Outcome::Idle);
    let tick = RwSignal::new(0u64);
    let generation = StoredValue::new(0u64);

    // Runs the query whenever the URL's state changes or the refresh timer ticks.
    Effect::new(move |_| {
        let (q, f, t, v, source) = (query.get(), from.get(), to.get(), view_kind.get(), ds.get());
        tick.track();
        if q.trim().is_empty() {
            outcome.set(Outcome::Idle);
            return;
        }
        let now = js_sys::Date::now() as i64;
        let (Some(start), Some(end)) = (resolve(&f, now), resolve(&t, now)) else {
            outcome.set(Outcome::Failed(format!("cannot read the time range {f:?} to {t:?}")));
            return;
        };
        generation.update_value(|g| *g += 1);
        let mine = generation.get_value();
        if !matches!(outcome.get_untracked(), Outcome::Graph { .. } | Outcome::Table(_)) {
            outcome.set(Outcome::Loading);
        }
        leptos::task::spawn_local(async move {
            let result = if v == "table" {
                api::query(&source, &q, end).await.map(|data| match data {
                    QueryData::Vector(samples) => {
                        Outcome::Table(samples.iter().map(|s| (series_name(&s.metric), s.value.1.clone())).collect())
                    }
                    QueryData::Scalar(p) | QueryData::String(p) => Outcome::Table(vec![("scalar".into(), p.1)]),
                    QueryData::Matrix(series) => Outcome::Table(
                        series
                            .iter()
                            .map(|s| {
                                (
                                    series_name(&s.metric),
                                    s.values.iter().map(|p| p.1.clone()).collect::<Vec<_>>().join(" "),
                                )
                            })
                            .collect(),
                    ),
                })
            } else {
                let step = step_for(start, end);
                api::query_range(&source, &q, start, end, step).await.map(|data| match data {
                    QueryData::Matrix(series) => {
                        Outcome::Graph { series: series.iter().map(ChartSeries::from_range).collect(), step_ms: step }
                    }
                    _ => Outcome::Failed("the query did not return a range of series".into()),
                })
            };
            // A newer run started meanwhile: its answer wins.
            if generation.try_get_value() != Some(mine) {
                return;
            }
            outcome.try_set(result.unwrap_or_else(|e| Outcome::Failed(e.brief())));
        });
    });

    // Auto-refresh re-runs relative ranges; an absolute range never changes, so it is not polled.
    let timer = StoredValue::new(None::<IntervalHandle>);
    Effect::new(move |_| {
        if let Some(old) = timer.get_value() {
            old.clear();
        }
        let every = refresh_ms(&refresh.get());
        let relative = is_relative(&from.get()) || is_relative(&to.get());
        timer.set_value(match every {
            Some(ms) if relative => {
                set_interval_with_handle(move || tick.update(|t| *t += 1), Duration::from_millis(ms as u64)).ok()
            }
            _ => None,
        });
    });
    on_cleanup(move || {
        if let Some(old) = timer.get_value() {
            old.clear();
        }
    });

    let error = Signal::derive(move || match outcome.get() {
        Outcome::Failed(message) => Some(message),
        _ => None,
    });
    let unit = Signal::derive(move || Unit::guess(&query.get()));
    let run = Callback::new(move |()| {
        let (q, f, t, v, r) = current();
        go.with_value(|go| go(q, f, t, v, r));
        tick.update(|t| *t += 1);
    });

    view! {
        <div class="page explore">
            <h1>"Explore"</h1>
            <div class="explore-bar">
                <QueryEditor value=draft on_input=Callback::new(move |text| draft.set(text)) on_run=run error=error />
                <button class="run" data-testid="run-query" on:click=move |_| run.run(())>"Run query"</button>
            </div>
            <div class="explore-controls">
                <TimeRangePicker
                    from=from
                    to=to
                    on_change=Callback::new(move |(f, t): (String, String)| {
                        let (q, _, _, v, r) = current();
                        go.with_value(|go| go(q, f, t, v, r));
                    })
                />
                <div class="segmented" role="group" aria-label="View">
                    {["graph", "table"]
                        .into_iter()
                        .map(|kind| {
                            view! {
                                <button
                                    class:selected=move || view_kind.get() == kind
                                    on:click=move |_| {
                                        let (q, f, t, _, r) = current();
                                        go.with_value(|go| go(q, f, t, kind.to_string(), r));
                                    }
                                >
                                    {if kind == "graph" { "Graph" } else { "Table" }}
                                </button>
                            }
                        })
                        .collect_view()}
                </div>
                <label class="refresh">
                    "Refresh "
                    <select on:change=move |ev| {
                        let (q, f, t, v, _) = current();
                        go.with_value(|go| go(q, f, t, v, event_target_value(&ev)));
                    }>
                        {REFRESH_CHOICES
                            .iter()
                            .map(|(value, label)| view! { <option value=*value selected=move || refresh.get() == *value>{*label}</option> })
                            .collect_view()}
                    </select>
                </label>
                <SourcePicker kind="prometheus" />
                <ShareButton />
            </div>
            <RangeNote from=from to=to />
            {move || match outcome.get() {
                Outcome::Idle => view! { <p class="empty">"Type a PromQL query and press Enter."</p> }.into_any(),
                Outcome::Loading => view! { <p class="loading">"Running the query…"</p> }.into_any(),
                Outcome::Failed(_) => ().into_any(),
                Outcome::Graph { series, step_ms } => {
                    if series.is_empty() {
                        view! { <p class="empty" data-testid="no-data">"The query returned no series in this range."</p> }.into_any()
                    } else {
                        let count = series.len();
                        view! {
                            <p class="result-stats">{format!("{count} series · step {} s", step_ms / 1000)}</p>
                            <TimeSeriesChart series=Signal::derive(move || series.clone()) unit=unit />
                        }
                        .into_any()
                    }
                }
                Outcome::Table(rows) => view! {
                    <table class="result-table" data-testid="result-table">
                        <thead><tr><th>"Series"</th><th>"Value"</th></tr></thead>
                        <tbody>
                            {rows.into_iter().map(|(name, value)| view! { <tr><td><code>{name}</code></td><td class="num">{value}</td></tr> }).collect_view()}
                        </tbody>
                    </table>
                }
                .into_any(),
            }}
            {move || {
                let query = logs.get();
                (!query.is_empty()).then(|| view! { <LogsBeside query from=from.get() to=to.get() /> })
            }}
        </div>
    }
}

/// Log lines of the chart's range (newest first): the errors beside a metric.
#[component]
fn LogsBeside(query: String, from: String, to: String) -> impl IntoView {
    let now = js_sys::Date::now() as i64;
    let range = resolve(&from, now).zip(resolve(&to, now));
    let shown = query.clone();
    let lines = LocalResource::new(move || {
        let query = query.clone();
        async move {
            let (start, end) = range.ok_or_else(|| "cannot read the time range".to_string())?;
            let q = LogQuery {
                source: "",
                query: &query,
                start_ns: start * 1_000_000,
                end_ns: end * 1_000_000,
                limit: LOG_LINES,
                direction: Direction::Backward,
                step_s: None,
            };
            match api::log_query_range(q).await.map(|d| d.result) {
                Ok(QueryResult::Streams(streams)) => Ok(merge_streams(streams, true)),
                Ok(_) => Ok(Vec::new()),
                Err(e) => Err(e.brief()),
            }
        }
    });
    let follow =
        Callback::new(move |(field, value): (String, String)| super::logs::follow_href(&field, &value, &from, &to));
    view! {
        <section class="panel logs-beside" data-testid="logs-beside">
            <h2>{format!("Logs of the same window: {shown}")}</h2>
            {move || match lines.get() {
                None => view! { <p class="loading">"Reading the logs…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="field-error">{e}</p> }.into_any(),
                Some(Ok(lines)) if lines.is_empty() => view! { <p class="empty">"No lines in this range."</p> }.into_any(),
                Some(Ok(lines)) => {
                    let lines = RwSignal::new(lines);
                    view! { <LogTable lines=lines field_href=follow /> }.into_any()
                }
            }}
        </section>
    }
}
