//! Who is signed in: `/api/lookout/me` asked once at start, kept in one signal that the sign-in
//! form fills and any 401 empties (a session that ended elsewhere brings the form back).

use std::cell::Cell;

use leptos::prelude::*;
use lookout_types::auth::{Caller, Me};
use wasm_bindgen::JsCast;

thread_local! {
    static ME: Cell<Option<RwSignal<Option<Me>>>> = const { Cell::new(None) };
}

/// The app's one `me` signal (`None` until the server answered), created on first use.
pub fn me() -> RwSignal<Option<Me>> {
    ME.with(|cell| match cell.get() {
        Some(signal) => signal,
        None => {
            let signal = RwSignal::new(None);
            cell.set(Some(signal));
            signal
        }
    })
}

/// Asks the server who is signed in. Should it not answer, the pages load anyway and show their
/// own "cannot reach" banners.
pub fn load() {
    leptos::task::spawn_local(async move {
        let answer = crate::api::me().await.unwrap_or(Me { auth_enabled: false, user: None });
        me().set(Some(answer));
    });
}

/// The server refused a request for want of sign-in.
pub fn signed_out() {
    me().update(|me| {
        if let Some(me) = me.as_mut().filter(|me| me.auth_enabled) {
            me.user = None;
        }
    });
}

/// The signed-in user, if sign-in is on and someone is.
pub fn caller() -> Option<Caller> {
    me().with(|me| me.as_ref().and_then(|me| me.user.clone()))
}

/// Whether the user may do what `scope` covers (always, with sign-in off).
pub fn may(scope: &str) -> bool {
    me().with(|me| match me {
        Some(Me { auth_enabled: true, user: Some(user) }) => user.scopes.iter().any(|s| s == scope),
        Some(Me { auth_enabled: true, user: None }) => false,
        _ => true,
    })
}

/// The session's CSRF token, from the cookie the server set at sign-in.
pub fn csrf_token() -> Option<String> {
    let document = web_sys::window()?.document()?.dyn_into::<web_sys::HtmlDocument>().ok()?;
    let cookies = document.cookie().ok()?;
    cookies
        .split(';')
        .find_map(|pair| pair.trim().strip_prefix("lookout_csrf=").map(str::to_string))
        .filter(|t| !t.is_empty())
}
