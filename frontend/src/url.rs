//! URLs: query strings built with every value percent-encoded, and the page state read back from
//! the current URL's query string.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

pub fn encode(text: &str) -> String {
    String::from(js_sys::encode_uri_component(text))
}

/// `path?k1=v1&k2=v2`, each value percent-encoded.
pub fn with_query(path: &str, params: &[(&str, &str)]) -> String {
    let pairs: Vec<String> = params.iter().map(|(k, v)| format!("{k}={}", encode(v))).collect();
    format!("{path}?{}", pairs.join("&"))
}

/// One parameter of the current URL, `default` when it is missing or empty.
pub fn use_query_param(key: &'static str, default: &'static str) -> Memo<String> {
    let params = use_query_map();
    Memo::new(move |_| params.with(|p| p.get(key).filter(|v| !v.is_empty()).unwrap_or_else(|| default.to_string())))
}

/// The current page's path and query with `key` set to `value` (replacing its values), or
/// removed for `None`; every other parameter kept as it is.
pub fn with_param(key: &str, value: Option<&str>) -> String {
    with_params(&[(key, value)])
}

/// [`with_param`] for several keys at once.
pub fn with_params(changes: &[(&str, Option<&str>)]) -> String {
    let Some(location) = web_sys::window().map(|w| w.location()) else { return String::new() };
    let path = location.pathname().unwrap_or_default();
    let search = location.search().unwrap_or_default();
    let changed = |pair: &str| changes.iter().any(|(key, _)| pair.split('=').next() == Some(*key));
    let mut pairs: Vec<String> = search
        .trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty() && !changed(p))
        .map(str::to_string)
        .collect();
    for (key, value) in changes {
        if let Some(value) = value {
            pairs.push(format!("{key}={}", encode(value)));
        }
    }
    if pairs.is_empty() { path } else { format!("{path}?{}", pairs.join("&")) }
}
