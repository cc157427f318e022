//! The query editor for PromQL and LogQL: completes names (metrics, labels, log fields) and the
//! language's keywords, runs on Enter (Shift+Enter for a new line), and underlines a parse error
//! at its position.

use leptos::html::Textarea;
use leptos::prelude::*;

use crate::api;

/// The language typed, which decides the keywords and the names completed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Language {
    #[default]
    PromQL,
    LogQL,
}

impl Language {
    fn keywords(self) -> &'static [&'static str] {
        match self {
            Language::PromQL => PROMQL_KEYWORDS,
            Language::LogQL => LOGQL_KEYWORDS,
        }
    }

    fn placeholder(self) -> &'static str {
        match self {
            Language::PromQL => "PromQL, e.g. sum by (status) (rate(payment_requests_total[5m]))",
            Language::LogQL => r#"LogQL, e.g. {service="payment-service", level="ERROR"} |= "timeout""#,
        }
    }

    /// The names the server knows: metric and label names, or log field names.
    async fn names(self) -> Vec<String> {
        let mut names = Vec::new();
        match self {
            Language::PromQL => {
                if let Ok(metrics) = api::label_values("__name__").await {
                    names.extend(metrics);
                }
                if let Ok(labels) = api::label_names().await {
                    names.extend(labels.into_iter().filter(|l| l != "__name__"));
                }
            }
            Language::LogQL => {
                if let Ok(fields) = api::log_field_names().await {
                    names.extend(fields);
                }
            }
        }
        names
    }
}

/// LogQL's range and vector aggregations, parsers and pipeline stages, as Lookout's parser knows
/// them.
const LOGQL_KEYWORDS: &[&str] = &[
    "absent_over_time",
    "avg",
    "avg_over_time",
    "bottomk",
    "by",
    "bytes",
    "bytes_over_time",
    "bytes_rate",
    "count",
    "count_over_time",
    "decolorize",
    "drop",
    "duration",
    "duration_seconds",
    "first_over_time",
    "json",
    "keep",
    "label_format",
    "label_replace",
    "last_over_time",
    "line_format",
    "logfmt",
    "max",
    "max_over_time",
    "min",
    "min_over_time",
    "offset",
    "pattern",
    "quantile_over_time",
    "rate",
    "rate_counter",
    "regexp",
    "sort",
    "sort_desc",
    "stddev",
    "stddev_over_time",
    "stdvar",
    "stdvar_over_time",
    "sum",
    "sum_over_time",
    "topk",
    "unpack",
    "unwrap",
    "without",
];

/// PromQL's functions and aggregations, completed like metric names.
const PROMQL_KEYWORDS: &[&str] = &[
    "abs",
    "absent",
    "absent_over_time",
    "avg",
    "avg_over_time",
    "bottomk",
    "ceil",
    "changes",
    "clamp",
    "clamp_max",
    "clamp_min",
    "count",
    "count_over_time",
    "count_values",
    "delta",
    "deriv",
    "exp",
    "floor",
    "group",
    "histogram_quantile",
    "holt_winters",
    "idelta",
    "increase",
    "irate",
    "label_join",
    "label_replace",
    "last_over_time",
    "ln",
    "log10",
    "log2",
    "max",
    "max_over_time",
    "min",
    "min_over_time",
    "predict_linear",
    "quantile",
    "quantile_over_time",
    "rate",
    "resets",
    "round",
    "scalar",
    "sort",
    "sort_desc",
    "sqrt",
    "stddev",
    "stddev_over_time",
    "stdvar",
    "sum",
    "sum_over_time",
    "time",
    "timestamp",
    "topk",
    "vector",
    "without",
    "by",
    "offset",
    "ignoring",
    "on",
    "group_left",
    "group_right",
];

const MAX_SUGGESTIONS: usize = 8;

fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == ':'
}

/// The word ending at byte `cursor`, and where it starts.
fn word_before(text: &str, cursor: usize) -> (usize, &str) {
    let cursor = cursor.min(text.len());
    let start = text[..cursor].rfind(|c: char| !is_word(c)).map_or(0, |i| i + 1);
    (start, &text[start..cursor])
}

/// The 1-based line and column of a parse error, as Prometheus (`… 1:7: parse error: …`) or
/// Loki (`parse error at line 1, col 7: …`) writes them.
pub fn error_position(message: &str) -> Option<(usize, usize)> {
    loki_error_position(message).or_else(|| prometheus_error_position(message))
}

fn loki_error_position(message: &str) -> Option<(usize, usize)> {
    const MARK: &str = "parse error at line ";
    let rest = &message[message.find(MARK)? + MARK.len()..];
    let (line, rest) = rest.split_once(", col ")?;
    let col = &rest[..rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len())];
    Some((line.parse().ok()?, col.parse().ok()?))
}

fn prometheus_error_position(message: &str) -> Option<(usize, usize)> {
    let idx = message.find(": parse error")?;
    let head = &message[..idx];
    let col_start = head.rfind(':')?;
    let col: usize = head[col_start + 1..].trim().parse().ok()?;
    let line_part = &head[..col_start];
    let line_start = line_part.rfind(|c: char| !c.is_ascii_digit()).map_or(0, |i| i + 1);
    let line: usize = line_part[line_start..].parse().ok()?;
    Some((line, col))
}

#[component]
pub fn QueryEditor(
    #[prop(into)] value: Signal<String>,
    on_input: Callback<String>,
    on_run: Callback<()>,
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(optional)] language: Language,
) -> impl IntoView {
    let textarea = NodeRef::<Textarea>::new();
    let candidates = RwSignal::new(Vec::<String>::new());
    let suggestions = RwSignal::new(Vec::<String>::new());
    let selected = RwSignal::new(0usize);

    leptos::task::spawn_local(async move {
        let mut all: Vec<String> = language.keywords().iter().map(|s| s.to_string()).collect();
        all.extend(language.names().await);
        all.sort();
        all.dedup();
        candidates.try_set(all);
    });

    let cursor = move || textarea.get().and_then(|t| t.selection_start().ok().flatten()).unwrap_or(0) as usize;
    let refresh = move || {
        let text = value.get_untracked();
        let (_, word) = word_before(&text, cursor());
        let found: Vec<String> = if word.len() < 2 {
            Vec::new()
        } else {
            candidates.with_untracked(|c| {
                c.iter().filter(|c| c.starts_with(word) && c.as_str() != word).take(MAX_SUGGESTIONS).cloned().collect()
            })
        };
        selected.set(0);
        suggestions.set(found);
    };
    let complete = move |choice: String| {
        let text = value.get_untracked();
        let at = cursor();
        let (start, _) = word_before(&text, at);
        let new_text = format!("{}{}{}", &text[..start], choice, &text[at.min(text.len())..]);
        on_input.run(new_text);
        suggestions.set(Vec::new());
        if let Some(t) = textarea.get() {
            let pos = (start + choice.len()) as u32;
            let _ = t.focus();
            let _ = t.set_selection_range(pos, pos);
        }
    };
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        let open = !suggestions.with_untracked(Vec::is_empty);
        match ev.key().as_str() {
            "Enter" if !ev.shift_key() => {
                ev.prevent_default();
                if open {
                    let choice = suggestions.with_untracked(|s| s.get(selected.get_untracked()).cloned());
                    if let Some(choice) = choice {
                        complete(choice);
                        return;
                    }
                }
                suggestions.set(Vec::new());
                on_run.run(());
            }
            "Tab" if open => {
                ev.prevent_default();
                if let Some(choice) = suggestions.with_untracked(|s| s.get(selected.get_untracked()).cloned()) {
                    complete(choice);
                }
            }
            "ArrowDown" if open => {
                ev.prevent_default();
                let n = suggestions.with_untracked(Vec::len);
                selected.update(|s| *s = (*s + 1) % n);
            }
            "ArrowUp" if open => {
                ev.prevent_default();
                let n = suggestions.with_untracked(Vec::len);
                selected.update(|s| *s = (*s + n - 1) % n);
            }
            "Escape" => suggestions.set(Vec::new()),
            _ => {}
        }
    };

    // The query with the error's place marked, so the eye goes straight to it.
    let marked = move || {
        let message = error.get()?;
        let (line, col) = error_position(&message)?;
        let text = value.get();
        let line_text = text.lines().nth(line.saturating_sub(1)).unwrap_or("").to_string();
        let chars: Vec<char> = line_text.chars().collect();
        let start = col.saturating_sub(1).min(chars.len());
        let end =
            chars[start..].iter().position(|c| c.is_whitespace()).map_or(chars.len(), |p| start + p).max(start + 1);
        let before: String = chars[..start].iter().collect();
        let at: String =
            if start < chars.len() { chars[start..end.min(chars.len())].iter().collect() } else { " ".into() };
        let after: String = chars[end.min(chars.len())..].iter().collect();
        Some(view! {
            <pre class="query-marked" data-testid="query-error-mark">
                {before}<mark>{at}</mark>{after}
            </pre>
        })
    };

    view! {
        <div class="query-editor">
            <textarea
                node_ref=textarea
                class="query-input"
                data-testid="query-input"
                rows="2"
                spellcheck="false"
                placeholder=language.placeholder()
                prop:value=move || value.get()
                on:input=move |ev| {
                    on_input.run(event_target_value(&ev));
                    refresh();
                }
                on:keydown=on_keydown
                on:blur=move |_| suggestions.set(Vec::new())
            ></textarea>
            <Show when=move || !suggestions.get().is_empty()>
                <ul class="suggestions" data-testid="suggestions">
                    {move || {
                        suggestions
                            .get()
                            .into_iter()
                            .enumerate()
                            .map(|(i, s)| {
                                let choice = s.clone();
                                view! {
                                    <li
                                        class:active=move || selected.get() == i
                                        on:mousedown=move |ev| {
                                            ev.prevent_default();
                                            complete(choice.clone());
                                        }
                                    >
                                        {s}
                                    </li>
                                }
                            })
                            .collect_view()
                    }}
                </ul>
            </Show>
            {marked}
            {move || error.get().map(|e| view! { <div class="query-error" role="alert" data-testid="query-error">{e}</div> })}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The messages as the peers write them, and ours.
    #[test]
    fn error_positions_from_either_peer() {
        assert_eq!(error_position("bad_data: 1:7: parse error: unexpected end of input"), Some((1, 7)));
        assert_eq!(
            error_position("invalid parameter \"query\": 2:14: parse error: unclosed left brace"),
            Some((2, 14))
        );
        assert_eq!(error_position("parse error at line 1, col 12: syntax error: unexpected IDENTIFIER"), Some((1, 12)));
        assert_eq!(error_position("query timed out"), None);
        assert_eq!(error_position("x: parse error"), None);
    }

    #[test]
    fn the_word_at_the_cursor() {
        assert_eq!(word_before("sum(rate(http_req", 17), (9, "http_req"));
        assert_eq!(word_before("up{job", 6), (3, "job"));
        assert_eq!(word_before("a b", 2), (2, ""));
        assert_eq!(word_before("abc", 99), (0, "abc"));
    }
}
