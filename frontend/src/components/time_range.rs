//! Time ranges as Grafana writes them in URLs: `now`, `now-1h`, `now+5m`, or Unix milliseconds, and the
//! picker that edits them.

use leptos::prelude::*;

/// Quick ranges offered by the picker.
const QUICK: [(&str, &str); 9] = [
    ("now-5m", "Last 5 minutes"),
    ("now-15m", "Last 15 minutes"),
    ("now-1h", "Last 1 hour"),
    ("now-3h", "Last 3 hours"),
    ("now-6h", "Last 6 hours"),
    ("now-12h", "Last 12 hours"),
    ("now-24h", "Last 24 hours"),
    ("now-2d", "Last 2 days"),
    ("now-7d", "Last 7 days"),
];

fn duration_ms(text: &str) -> Option<i64> {
    let digits = text.find(|c: char| !c.is_ascii_digit())?;
    let n: i64 = text[..digits].parse().ok()?;
    let unit = match &text[digits..] {
        "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        "w" => 604_800_000,
        _ => return None,
    };
    Some(n * unit)
}

/// Resolves `now`, `now-<n><unit>`, `now+<n><unit>`, Unix milliseconds or an ISO date against `now_ms`.
pub fn resolve(text: &str, now_ms: i64) -> Option<i64> {
    let text = text.trim();
    if text == "now" {
        return Some(now_ms);
    }
    if let Some(rest) = text.strip_prefix("now-") {
        return duration_ms(rest).map(|d| now_ms - d);
    }
    if let Some(rest) = text.strip_prefix("now+") {
        return duration_ms(rest).map(|d| now_ms + d);
    }
    if let Ok(ms) = text.parse::<i64>() {
        return Some(ms);
    }
    let parsed = js_sys::Date::parse(text);
    parsed.is_finite().then_some(parsed as i64)
}

pub fn is_relative(text: &str) -> bool {
    text.trim().starts_with("now")
}

/// Formats Unix milliseconds as local `YYYY-MM-DD HH:MM:SS`.
pub fn absolute(ms: i64) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        date.get_full_year(),
        date.get_month() + 1,
        date.get_date(),
        date.get_hours(),
        date.get_minutes(),
        date.get_seconds()
    )
}

/// Formats Unix milliseconds as local `YYYY-MM-DD HH:MM:SS.mmm`, for log lines.
pub fn absolute_millis(ms: i64) -> String {
    format!("{}.{:03}", absolute(ms), ms.rem_euclid(1000))
}

/// The range resolved to local times, so a relative range reads as the times it covers now.
#[component]
pub fn RangeNote(#[prop(into)] from: Signal<String>, #[prop(into)] to: Signal<String>) -> impl IntoView {
    view! {
        <p class="range-note">
            {move || {
                let now = js_sys::Date::now() as i64;
                match (resolve(&from.get(), now), resolve(&to.get(), now)) {
                    (Some(a), Some(b)) => format!("{} → {}", absolute(a), absolute(b)),
                    _ => String::new(),
                }
            }}
        </p>
    }
}

/// Picks a range: quick relative ranges, or any `from`/`to` typed in.
#[component]
pub fn TimeRangePicker(
    #[prop(into)] from: Signal<String>,
    #[prop(into)] to: Signal<String>,
    on_change: Callback<(String, String)>,
) -> impl IntoView {
    let from_text = RwSignal::new(from.get_untracked());
    let to_text = RwSignal::new(to.get_untracked());
    Effect::new(move |_| from_text.set(from.get()));
    Effect::new(move |_| to_text.set(to.get()));
    let invalid = RwSignal::new(false);
    let apply = move || {
        let now = js_sys::Date::now() as i64;
        let (f, t) = (from_text.get_untracked(), to_text.get_untracked());
        match (resolve(&f, now), resolve(&t, now)) {
            (Some(a), Some(b)) if a < b => {
                invalid.set(false);
                on_change.run((f, t));
            }
            _ => invalid.set(true),
        }
    };
    view! {
        <div class="time-range">
            <select
                aria-label="Quick range"
                on:change=move |ev| {
                    let value = event_target_value(&ev);
                    if !value.is_empty() {
                        on_change.run((value, "now".to_string()));
                    }
                }
            >
                <option value="" selected=move || !QUICK.iter().any(|(q, _)| *q == from.get()) || to.get() != "now">
                    "Custom range"
                </option>
                {QUICK
                    .iter()
                    .map(|(value, label)| {
                        view! {
                            <option value=*value selected=move || from.get() == *value && to.get() == "now">
                                {*label}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
            <input
                class="time-input"
                aria-label="From"
                prop:value=move || from_text.get()
                on:input=move |ev| from_text.set(event_target_value(&ev))
                on:keydown=move |ev| if ev.key() == "Enter" { apply() }
            />
            <span>"to"</span>
            <input
                class="time-input"
                aria-label="To"
                prop:value=move || to_text.get()
                on:input=move |ev| to_text.set(event_target_value(&ev))
                on:keydown=move |ev| if ev.key() == "Enter" { apply() }
            />
            <button on:click=move |_| apply()>"Apply"</button>
            <Show when=move || invalid.get()>
                <span class="field-error">"Use now, now-1h, Unix milliseconds or a date; from before to."</span>
            </Show>
        </div>
    }
}

/// Auto-refresh choices: the URL's `refresh` value and its label.
pub const REFRESH_CHOICES: [(&str, &str); 5] =
    [("off", "Off"), ("5s", "5s"), ("10s", "10s"), ("30s", "30s"), ("1m", "1m")];

/// A refresh choice in milliseconds; `None` for off (or anything unknown).
pub fn refresh_ms(choice: &str) -> Option<u32> {
    match choice {
        "5s" => Some(5_000),
        "10s" => Some(10_000),
        "30s" => Some(30_000),
        "1m" => Some(60_000),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_times_and_refresh_choices() {
        let now = 1_000_000_000;
        assert_eq!(resolve("now", now), Some(now));
        assert_eq!(resolve(" now-15m ", now), Some(now - 900_000));
        assert_eq!(resolve("now+1h", now), Some(now + 3_600_000));
        assert_eq!(resolve("now-2w", now), Some(now - 2 * 604_800_000));
        assert_eq!(resolve("1700000000000", now), Some(1_700_000_000_000));
        assert_eq!(resolve("now-5x", now), None);
        assert_eq!(resolve("now-m", now), None);
        assert!(is_relative("now-1h") && !is_relative("1700000000000"));
        for (choice, _) in REFRESH_CHOICES {
            assert_eq!(refresh_ms(choice).is_none(), choice == "off", "{choice}");
        }
    }
}
