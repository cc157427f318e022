//! The sign-in form, shown in place of every page while sign-in is needed; the URL is kept, so
//! a shared link opens where it points once signed in.

use leptos::prelude::*;

use crate::{api, session};

#[component]
pub fn LoginPage() -> impl IntoView {
    let user = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        let (name, secret) = (user.get_untracked(), password.get_untracked());
        leptos::task::spawn_local(async move {
            match api::login(&name, &secret).await {
                Ok(me) => {
                    error.set(None);
                    session::me().set(Some(me));
                }
                Err(e) => error.set(Some(e.brief())),
            }
            busy.set(false);
        });
    };
    view! {
        <div class="login" data-testid="login-page">
            <form class="login-form panel" on:submit=submit>
                <h1>"Sign in to Lookout"</h1>
                <label>
                    "User"
                    <input
                        id="login-user"
                        autocomplete="username"
                        required=true
                        prop:value=move || user.get()
                        on:input=move |ev| user.set(event_target_value(&ev))
                    />
                </label>
                <label>
                    "Password"
                    <input
                        id="login-password"
                        type="password"
                        autocomplete="current-password"
                        required=true
                        prop:value=move || password.get()
                        on:input=move |ev| password.set(event_target_value(&ev))
                    />
                </label>
                <button id="login-submit" type="submit" disabled=move || busy.get()>"Sign in"</button>
                {move || error.get().map(|e| view! { <p class="field-error" data-testid="login-error">{e}</p> })}
                <p class="form-note">
                    "The first start created the user admin and printed its password (or used LOOKOUT_ADMIN_PASSWORD)."
                </p>
            </form>
        </div>
    }
}

/// The signed-in user's name and role in the top bar, with the account page and signing out.
#[component]
pub fn UserMenu() -> impl IntoView {
    let sign_out = move |_| {
        leptos::task::spawn_local(async move {
            let _ = api::logout().await;
            session::signed_out();
        });
    };
    move || {
        session::caller().map(|caller| {
            let role = if caller.role.is_empty() { String::new() } else { format!(" ({})", caller.role) };
            view! {
                <span class="user-menu" data-testid="user-menu">
                    <a href="/account">{caller.name}{role}</a>
                    <button class="link-button" data-testid="sign-out" on:click=sign_out>"Sign out"</button>
                </span>
            }
        })
    }
}
