//! The list of log lines: one row a line (time, level, service, message), expanded on click to
//! every field, the raw line, links that follow a request or user, and the lines around it in
//! its service. Log text is only ever rendered as text.

use leptos::prelude::*;

use super::log_line::{LINK_FIELDS, LogLine, level_class, logql_string, merge_streams};
use super::time_range::absolute_millis;
use crate::api::{self, Direction, FetchError, LogQuery};

/// Lines shown before and after a line's context.
const CONTEXT_LINES: usize = 10;
/// How far from the line its context is looked for.
const CONTEXT_WINDOW_NS: i64 = 3_600 * 1_000_000_000;

/// Makes the link that shows every line with `field` equal to `value`.
pub type FieldHref = Callback<(String, String), String>;

/// The data source the lines came from, provided by the page (Lookout's own store when none is):
/// "Show context" asks the same one.
#[derive(Debug, Clone, Copy)]
pub struct LinesSource(pub Memo<String>);

#[component]
pub fn LogTable(#[prop(into)] lines: Signal<Vec<LogLine>>, field_href: FieldHref) -> impl IntoView {
    view! {
        <ol class="log-table" data-testid="log-lines">
            <For
                each=move || lines.get()
                key=|line| line.id
                children=move |line| view! { <LogRow line=line field_href=field_href /> }
            />
        </ol>
    }
}

/// The one-line summary shared by rows and context lines.
fn summary(line: &LogLine) -> impl IntoView + use<> {
    let level = line.level().to_string();
    view! {
        <time>{absolute_millis(line.ts_ms())}</time>
        <span class="level-badge">{if level.is_empty() { "—".to_string() } else { level }}</span>
        <span class="log-service">{line.service().to_string()}</span>
        <span class="log-message">{line.message().to_string()}</span>
    }
}

#[component]
fn LogRow(line: LogLine, field_href: FieldHref) -> impl IntoView {
    let expanded = RwSignal::new(false);
    let level = line.level().to_string();
    let toggle = move || expanded.update(|e| *e = !*e);
    let head = summary(&line);
    view! {
        <li class=format!("log-row {}", level_class(&level)) class:expanded=expanded data-testid="log-row" data-level=level>
            <div
                class="log-summary"
                role="button"
                tabindex="0"
                aria-expanded=move || expanded.get().to_string()
                on:click=move |_| toggle()
                on:keydown=move |ev| {
                    if ev.key() == "Enter" || ev.key() == " " {
                        ev.prevent_default();
                        toggle();
                    }
                }
            >
                {head}
            </div>
            <Show when=move || expanded.get()>
                <LogDetails line=line.clone() field_href=field_href />
            </Show>
        </li>
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Context {
    Hidden,
    Loading,
    Failed(String),
    Shown { before: Vec<LogLine>, after: Vec<LogLine> },
}

#[component]
fn LogDetails(line: LogLine, field_href: FieldHref) -> impl IntoView {
    // Multi-line values (a traceback) read best as blocks of their own under the table.
    let (blocks, fields): (Vec<_>, Vec<_>) = line.fields.iter().cloned().partition(|(_, v)| v.contains('\n'));
    let labels: Vec<(String, String)> = line
        .labels
        .iter()
        .filter(|(k, _)| !line.fields.iter().any(|(f, _)| f == *k))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let rows = labels
        .into_iter()
        .chain(fields)
        .map(|(key, value)| {
            let cell = if LINK_FIELDS.contains(&key.as_str()) {
                let href = field_href.run((key.clone(), value.clone()));
                view! { <a class="field-link" data-testid="field-link" href=href>{value}</a> }.into_any()
            } else {
                view! { <span>{value}</span> }.into_any()
            };
            view! { <tr><th>{key}</th><td>{cell}</td></tr> }
        })
        .collect_view();
    let blocks = blocks
        .into_iter()
        .map(|(key, value)| view! { <h3>{key}</h3><pre class="log-pre">{value}</pre> })
        .collect_view();

    let context = RwSignal::new(Context::Hidden);
    let target = StoredValue::new(line.clone());
    let source = use_context::<LinesSource>().map(|s| s.0.get_untracked()).unwrap_or_default();
    let source = StoredValue::new(source);
    let toggle_context = move |_| {
        if context.get_untracked() != Context::Hidden {
            context.set(Context::Hidden);
            return;
        }
        context.set(Context::Loading);
        leptos::task::spawn_local(async move {
            let Some(line) = target.try_get_value() else { return };
            let shown = load_context(&source.get_value(), &line).await;
            context.try_set(match shown {
                Ok((before, after)) => Context::Shown { before, after },
                Err(e) => Context::Failed(e.brief()),
            });
        });
    };
    let context_view = move || match context.get() {
        Context::Hidden => ().into_any(),
        Context::Loading => view! { <p class="loading">"Loading the lines around it…"</p> }.into_any(),
        Context::Failed(message) => view! { <p class="field-error">{message}</p> }.into_any(),
        Context::Shown { before, after } => {
            let row = |l: &LogLine, current: bool| {
                let class = format!("context-row {}", level_class(l.level()));
                view! { <li class=class class:current=current>{summary(l)}</li> }
            };
            let current = target.with_value(|l| row(l, true));
            view! {
                <ol class="context-lines" data-testid="context-lines">
                    {before.iter().map(|l| row(l, false)).collect_view()}
                    {current}
                    {after.iter().map(|l| row(l, false)).collect_view()}
                </ol>
            }
            .into_any()
        }
    };

    view! {
        <div class="log-details" data-testid="log-details">
            <div class="log-actions">
                <button data-testid="context-button" on:click=toggle_context>
                    {move || if context.get() == Context::Hidden { "Show context" } else { "Hide context" }}
                </button>
            </div>
            {context_view}
            <table class="field-table">
                <tbody>{rows}</tbody>
            </table>
            {blocks}
            <h3>"Raw line"</h3>
            <pre class="log-pre">{line.line.clone()}</pre>
        </div>
    }
}

/// The lines of the same service just before and just after `line`, oldest first. Both ends of
/// a query's range are inclusive, so the line itself (and its equals) come back and are removed.
async fn load_context(source: &str, line: &LogLine) -> Result<(Vec<LogLine>, Vec<LogLine>), FetchError> {
    let selector = format!("{{service={}}}", logql_string(line.service()));
    let around = |start_ns, end_ns, direction| LogQuery {
        source,
        query: &selector,
        start_ns,
        end_ns,
        limit: CONTEXT_LINES + 1,
        direction,
        step_s: None,
    };
    let same = |a: &LogLine, b: &LogLine| a.ts_ns == b.ts_ns && a.line == b.line;
    let before = api::log_query_range(around(line.ts_ns - CONTEXT_WINDOW_NS, line.ts_ns, Direction::Backward)).await?;
    let after = api::log_query_range(around(line.ts_ns, line.ts_ns + CONTEXT_WINDOW_NS, Direction::Forward)).await?;
    let mut before = streams_of(before);
    before.retain(|l| !same(l, line));
    let cut = before.len().saturating_sub(CONTEXT_LINES);
    before.drain(..cut);
    let mut after = streams_of(after);
    after.retain(|l| !same(l, line) && !before.iter().any(|b| same(b, l)));
    after.truncate(CONTEXT_LINES);
    Ok((before, after))
}

/// The lines of a log query's answer, oldest first (a metric answer has none).
fn streams_of(data: lookout_types::logs::QueryData) -> Vec<LogLine> {
    match data.result {
        lookout_types::logs::QueryResult::Streams(streams) => merge_streams(streams, false),
        _ => Vec::new(),
    }
}
