//! Logs (`/logs?query=…&from=…&to=…&direction=…&live=1`): a LogQL search shown as a histogram by
//! level over a list of lines, with a live tail and links that follow one request across
//! services. The URL holds the whole state, so a copied link reproduces the view.

use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::use_navigate;
use lookout_types::logs::QueryResult;

use crate::api::{self, Direction, LogQuery};
use crate::components::chart::{ChartSeries, TimeSeriesChart, Unit};
use crate::components::log_histogram::{Histogram, HistogramPlan, LogHistogram};
use crate::components::log_line::{LogLine, logql_string, merge_streams, sort_lines};
use crate::components::log_table::LogTable;
use crate::components::log_tail::{Tail, TailEvent};
use crate::components::query_editor::{Language, QueryEditor};
use crate::components::share::ShareButton;
use crate::components::source_picker::{SourcePicker, use_source};
use crate::components::time_range::{RangeNote, TimeRangePicker, resolve};
use crate::url::{use_query_param, with_query};

const DEFAULT_QUERY: &str = r#"{service=~".+"}"#;
/// Lines a search shows.
const LIMIT: usize = 500;
/// Lines kept while tailing; the oldest go first.
const LIVE_KEEP: usize = 1000;
const NS_PER_MS: i64 = 1_000_000;

/// The page's state, as its URL holds it.
#[derive(Debug, Clone, PartialEq)]
struct LogsView {
    /// The data source; empty for Lookout's own store.
    source: String,
    query: String,
    from: String,
    to: String,
    direction: Direction,
    live: bool,
}

impl LogsView {
    fn href(&self) -> String {
        let mut params = vec![
            ("query", self.query.as_str()),
            ("from", self.from.as_str()),
            ("to", self.to.as_str()),
            ("direction", self.direction.as_str()),
        ];
        if self.live {
            params.push(("live", "1"));
        }
        if !self.source.is_empty() {
            params.push(("ds", self.source.as_str()));
        }
        with_query("/logs", &params)
    }
}

/// The Logs page showing every line whose `field` is `value`, across all services and oldest
/// first: one request (or user, or order) followed from end to end.
pub fn follow_href(field: &str, value: &str, from: &str, to: &str) -> String {
    LogsView {
        source: String::new(),
        query: format!("{{{field}={}}}", logql_string(value)),
        from: from.to_string(),
        to: to.to_string(),
        direction: Direction::Forward,
        live: false,
    }
    .href()
}

#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    Loading,
    Failed(String),
    /// The lines are in their own signal, which the live tail adds to; `limited` says the
    /// search stopped at [`LIMIT`].
    Lines {
        limited: bool,
    },
    /// A metric query's answer.
    Metric(Vec<ChartSeries>),
}

#[derive(Debug, Clone, PartialEq)]
enum HistogramState {
    /// Not a log query.
    Absent,
    Loading,
    Failed(String),
    Ready(Histogram),
}

#[derive(Debug, Clone, PartialEq)]
enum LiveState {
    Connecting,
    Live,
    Closed(String),
}

/// A log query starts with its stream selector; anything else is a metric query.
fn is_log_query(query: &str) -> bool {
    query.trim_start().starts_with('{')
}

/// Adds tailed lines in the list's order, dropping the oldest beyond [`LIVE_KEEP`].
fn add_live(all: &mut Vec<LogLine>, new: Vec<LogLine>, newest_first: bool) {
    all.extend(new);
    sort_lines(all, newest_first);
    let excess = all.len().saturating_sub(LIVE_KEEP);
    if newest_first {
        all.truncate(LIVE_KEEP);
    } else {
        all.drain(..excess);
    }
}

#[component]
pub fn LogsPage() -> impl IntoView {
    let query = use_query_param("query", DEFAULT_QUERY);
    let from = use_query_param("from", "now-1h");
    let to = use_query_param("to", "now");
    let direction_param = use_query_param("direction", "backward");
    let direction = Memo::new(move |_| Direction::parse(&direction_param.get()));
    let live_param = use_query_param("live", "");
    let live = Memo::new(move |_| live_param.get() == "1");
    let source = use_source();
    provide_context(crate::components::log_table::LinesSource(source));

    let draft = RwSignal::new(query.get_untracked());
    Effect::new(move |_| draft.set(query.get()));

    let navigate = use_navigate();
    let go = StoredValue::new(move |view: LogsView| navigate(&view.href(), NavigateOptions::default()));
    let current = move || LogsView {
        source: source.get_untracked(),
        query: draft.get_untracked(),
        from: from.get_untracked(),
        to: to.get_untracked(),
        direction: direction.get_untracked(),
        live: live.get_untracked(),
    };

    let outcome = RwSignal::new(Outcome::Loading);
    let lines = RwSignal::new(Vec::<LogLine>::new());
    let histogram = RwSignal::new(HistogramState::Absent);
    let tick = RwSignal::new(0u64);
    let generation = StoredValue::new(0u64);
    // The run whose lines are on screen, once they are: the live tail continues from them.
    let shown_run = RwSignal::new(None::<u64>);

    // Runs the search (and its histogram) whenever the URL's state changes or Run is pressed.
    Effect::new(move |_| {
        let (q, f, t, dir, ds) = (query.get(), from.get(), to.get(), direction.get(), source.get());
        tick.track();
        shown_run.set(None);
        let now = js_sys::Date::now() as i64;
        let (Some(start), Some(end)) = (resolve(&f, now), resolve(&t, now)) else {
            outcome.set(Outcome::Failed(format!("cannot read the time range {f:?} to {t:?}")));
            histogram.set(HistogramState::Absent);
            return;
        };
        generation.update_value(|g| *g += 1);
        let mine = generation.get_value();
        let is_current = move || generation.try_get_value() == Some(mine);
        // A re-run keeps the old answer on screen until the new one arrives.
        if !matches!(outcome.get_untracked(), Outcome::Lines { .. } | Outcome::Metric(_)) {
            outcome.set(Outcome::Loading);
        }

        if is_log_query(&q) {
            let plan = HistogramPlan::new(start, end);
            if !matches!(histogram.get_untracked(), HistogramState::Ready(_)) {
                histogram.set(HistogramState::Loading);
            }
            let counting = plan.query(&q);
            let ds = ds.clone();
            leptos::task::spawn_local(async move {
                let result = api::log_query_range(LogQuery {
                    source: &ds,
                    query: &counting,
                    start_ns: plan.start_ms * NS_PER_MS,
                    end_ns: plan.end_ms * NS_PER_MS,
                    limit: LIMIT,
                    direction: Direction::Backward,
                    step_s: Some(plan.step_ms / 1000),
                })
                .await;
                if !is_current() {
                    return;
                }
                histogram.try_set(match result.map(|data| data.result) {
                    Ok(QueryResult::Matrix(series)) => HistogramState::Ready(Histogram::from_matrix(plan, &series)),
                    Ok(_) => HistogramState::Failed("the count by level did not return a range of series".into()),
                    Err(e) => HistogramState::Failed(e.brief()),
                });
            });
        } else {
            histogram.set(HistogramState::Absent);
        }

        leptos::task::spawn_local(async move {
            let result = api::log_query_range(LogQuery {
                source: &ds,
                query: &q,
                start_ns: start * NS_PER_MS,
                end_ns: end * NS_PER_MS,
                limit: LIMIT,
                direction: dir,
                step_s: None,
            })
            .await;
            // A newer run started meanwhile: its answer wins.
            if !is_current() {
                return;
            }
            match result.map(|data| data.result) {
                Ok(QueryResult::Streams(streams)) => {
                    let merged = merge_streams(streams, dir == Direction::Backward);
                    let limited = merged.len() >= LIMIT;
                    lines.try_set(merged);
                    outcome.try_set(Outcome::Lines { limited });
                    shown_run.try_set(Some(mine));
                }
                Ok(QueryResult::Matrix(series)) => {
                    lines.try_set(Vec::new());
                    outcome.try_set(Outcome::Metric(series.iter().map(ChartSeries::from_range).collect()));
                }
                Ok(QueryResult::Vector(_)) => {
                    outcome.try_set(Outcome::Failed("the query returned an instant vector, not lines".into()));
                }
                Err(e) => {
                    outcome.try_set(Outcome::Failed(e.brief()));
                }
            }
        });
    });

    // The live tail: opened once a search's lines are shown, continuing after the newest of them;
    // replaced on every new search and closed when the toggle is turned off or the page is left.
    let live_state = RwSignal::new(LiveState::Connecting);
    let missed = RwSignal::new(0u64);
    let tail = StoredValue::new_local(None::<Tail>);
    Effect::new(move |_| {
        let (on, run) = (live.get(), shown_run.get());
        tail.set_value(None);
        live_state.set(LiveState::Connecting);
        if !on || run.is_none() {
            return;
        }
        missed.set(0);
        let newest = lines.with_untracked(|all| all.iter().map(|l| l.ts_ns).max());
        let start_ns = newest.map_or(js_sys::Date::now() as i64 * NS_PER_MS, |t| t + 1);
        let newest_first = direction.get_untracked() == Direction::Backward;
        let opened = Tail::open(&query.get_untracked(), start_ns, LIMIT, move |event| match event {
            TailEvent::Open => {
                live_state.try_set(LiveState::Live);
            }
            TailEvent::Lines { lines: new, missed: count } => {
                if count > 0 {
                    missed.try_update(|m| *m += count);
                }
                if !new.is_empty() {
                    lines.try_update(|all| add_live(all, new, newest_first));
                }
            }
            TailEvent::Closed(why) => {
                live_state.try_set(LiveState::Closed(why));
            }
        });
        match opened {
            Ok(socket) => tail.set_value(Some(socket)),
            Err(why) => live_state.set(LiveState::Closed(why)),
        }
    });
    on_cleanup(move || {
        tail.try_update_value(|t| *t = None);
    });

    let error = Signal::derive(move || match outcome.get() {
        Outcome::Failed(message) => Some(message),
        _ => None,
    });
    let run = Callback::new(move |()| {
        go.with_value(|go| go(current()));
        tick.update(|t| *t += 1);
    });
    let field_href = Callback::new(move |(field, value): (String, String)| {
        follow_href(&field, &value, &from.get_untracked(), &to.get_untracked())
    });
    let zoom = Callback::new(move |(begin, end): (i64, i64)| {
        let view = LogsView { from: begin.to_string(), to: end.to_string(), live: false, ..current() };
        go.with_value(|go| go(view));
    });

    let live_status = move || {
        let (class, text) = outcome.with(|o| match o {
            Outcome::Metric(_) => ("off", "Live tail follows log queries only".to_string()),
            Outcome::Failed(_) => ("off", "Not connected".to_string()),
            _ => match live_state.get() {
                LiveState::Connecting => ("connecting", "Connecting…".to_string()),
                LiveState::Live => match missed.get() {
                    0 => ("live", "Live".to_string()),
                    n => ("live", format!("Live · {n} lines missed")),
                },
                LiveState::Closed(why) => ("closed", format!("Disconnected: {why}")),
            },
        });
        view! { <span class=format!("live-status live-{class}") role="status" data-testid="live-status">{text}</span> }
    };
    let count_note = move || {
        let n = lines.with(Vec::len);
        let mut note = format!("{n} line{}", if n == 1 { "" } else { "s" });
        if live.get() {
            note.push_str(&format!(" · live, the newest {LIVE_KEEP} are kept"));
        } else if matches!(outcome.get(), Outcome::Lines { limited: true }) {
            let which = if direction.get() == Direction::Backward { "newest" } else { "oldest" };
            note.push_str(&format!(" · showing the {which} {LIMIT}"));
        }
        note
    };
    let histogram_view = move || match histogram.get() {
        HistogramState::Absent => ().into_any(),
        HistogramState::Loading => view! { <div class="log-histogram loading">"Counting lines…"</div> }.into_any(),
        HistogramState::Failed(message) => {
            // The search's own error already shows under the query.
            if matches!(outcome.get(), Outcome::Failed(_)) {
                ().into_any()
            } else {
                view! { <p class="field-error">{format!("Cannot count lines by level: {message}")}</p> }.into_any()
            }
        }
        HistogramState::Ready(h) => view! { <LogHistogram histogram=h on_zoom=zoom /> }.into_any(),
    };
    let results = move || match outcome.get() {
        Outcome::Loading => view! { <p class="loading">"Searching…"</p> }.into_any(),
        Outcome::Failed(_) => ().into_any(),
        Outcome::Metric(series) => {
            if series.is_empty() {
                view! { <p class="empty" data-testid="no-data">"The query returned no series in this range."</p> }
                    .into_any()
            } else {
                let unit = Signal::derive(move || Unit::guess(&query.get()));
                view! { <TimeSeriesChart series=Signal::derive(move || series.clone()) unit=unit /> }.into_any()
            }
        }
        Outcome::Lines { .. } => view! {
            <p class="result-stats" data-testid="log-count">{count_note}</p>
            <Show when=move || lines.with(Vec::is_empty)>
                <p class="empty" data-testid="no-data">"No lines match in this range."</p>
            </Show>
            <LogTable lines=lines field_href=field_href />
        }
        .into_any(),
    };

    view! {
        <div class="page logs" data-testid="logs-page">
            <h1>"Logs"</h1>
            <div class="explore-bar">
                <QueryEditor
                    value=draft
                    on_input=Callback::new(move |text| draft.set(text))
                    on_run=run
                    error=error
                    language=Language::LogQL
                />
                <button class="run" data-testid="run-query" on:click=move |_| run.run(())>"Run query"</button>
            </div>
            <div class="explore-controls">
                <TimeRangePicker
                    from=from
                    to=to
                    on_change=Callback::new(move |(from, to): (String, String)| {
                        go.with_value(|go| go(LogsView { from, to, ..current() }));
                    })
                />
                <div class="segmented" role="group" aria-label="Order">
                    {[(Direction::Backward, "Newest first"), (Direction::Forward, "Oldest first")]
                        .into_iter()
                        .map(|(kind, label)| {
                            view! {
                                <button
                                    class:selected=move || direction.get() == kind
                                    on:click=move |_| go.with_value(|go| go(LogsView { direction: kind, ..current() }))
                                >
                                    {label}
                                </button>
                            }
                        })
                        .collect_view()}
                </div>
                <button
                    class="live-toggle"
                    class:on=live
                    data-testid="live-toggle"
                    aria-pressed=move || live.get().to_string()
                    // The live tail follows the lines this Lookout stores, not another source's.
                    disabled=move || !source.get().is_empty()
                    title=move || (!source.get().is_empty()).then_some("The live tail follows Lookout's own store")
                    on:click=move |_| go.with_value(|go| go(LogsView { live: !live.get_untracked(), ..current() }))
                >
                    {move || if live.get() { "Stop live tail" } else { "Live tail" }}
                </button>
                <Show when=move || live.get()>{live_status}</Show>
                <SourcePicker kind="loki" />
                <ShareButton />
            </div>
            <RangeNote from=from to=to />
            {histogram_view}
            {results}
        </div>
    }
}
