//! Account (`/account`): change one's own password; for admins, the users (add, change role,
//! reset password, delete) and the API tokens (create with scopes, shown once; revoke).

use leptos::prelude::*;
use lookout_types::auth::{CreateToken, CreateUser, Token, UpdateUser, User};

use crate::{api, session};

const ROLES: [&str; 4] = ["viewer", "responder", "editor", "admin"];
const SCOPES: [&str; 5] = ["read", "ingest", "respond", "edit", "admin"];

#[component]
pub fn AccountPage() -> impl IntoView {
    view! {
        <div class="page account" data-testid="account-page">
            <h1>"Account"</h1>
            {move || match session::me().get() {
                Some(me) if !me.auth_enabled => view! {
                    <p class="empty">"Sign-in is off on this server (LOOKOUT_AUTH=off): there are no accounts."</p>
                }
                .into_any(),
                _ => view! {
                    <ChangePassword />
                    <Show when=|| session::may("admin")>
                        <Users />
                        <Tokens />
                    </Show>
                }
                .into_any(),
            }}
        </div>
    }
}

/// Runs `action`, then shows its error or `done`, and calls `after` on success.
fn run<F>(outcome: RwSignal<Option<Result<String, String>>>, done: &'static str, after: impl Fn() + 'static, action: F)
where
    F: std::future::Future<Output = Result<(), api::FetchError>> + 'static,
{
    leptos::task::spawn_local(async move {
        match action.await {
            Ok(()) => {
                outcome.set(Some(Ok(done.to_string())));
                after();
            }
            Err(e) => outcome.set(Some(Err(e.brief()))),
        }
    });
}

fn outcome_view(outcome: RwSignal<Option<Result<String, String>>>) -> impl IntoView {
    move || {
        outcome.get().map(|o| match o {
            Ok(text) => view! { <p class="form-note" data-testid="form-ok">{text}</p> }.into_any(),
            Err(text) => view! { <p class="field-error" data-testid="form-error">{text}</p> }.into_any(),
        })
    }
}

#[component]
fn ChangePassword() -> impl IntoView {
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let outcome = RwSignal::new(None);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (c, n) = (current.get_untracked(), new.get_untracked());
        run(
            outcome,
            "Password changed.",
            move || {
                current.set(String::new());
                new.set(String::new());
            },
            async move { api::change_password(&c, &n).await },
        );
    };
    view! {
        <form class="panel panel-form" on:submit=submit data-testid="change-password">
            <legend>"Your password"</legend>
            <label>"Current" <input type="password" autocomplete="current-password" prop:value=move || current.get() on:input=move |ev| current.set(event_target_value(&ev)) /></label>
            <label>"New" <input type="password" autocomplete="new-password" prop:value=move || new.get() on:input=move |ev| new.set(event_target_value(&ev)) /></label>
            <button type="submit">"Change password"</button>
            {outcome_view(outcome)}
        </form>
    }
}

#[component]
fn Users() -> impl IntoView {
    let users = LocalResource::new(api::users);
    let outcome = RwSignal::new(None);
    let (name, role, password) =
        (RwSignal::new(String::new()), RwSignal::new("viewer".to_string()), RwSignal::new(String::new()));
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let user =
            CreateUser { name: name.get_untracked(), role: role.get_untracked(), password: password.get_untracked() };
        run(
            outcome,
            "User added.",
            move || {
                name.set(String::new());
                password.set(String::new());
                users.refetch();
            },
            async move { api::create_user(&user).await.map(|_| ()) },
        );
    };
    let row = move |user: User| {
        let who = user.name.clone();
        let change_role = {
            let who = who.clone();
            move |ev: leptos::ev::Event| {
                let (who, role) = (who.clone(), event_target_value(&ev));
                run(outcome, "Role changed.", move || users.refetch(), async move {
                    api::update_user(&who, &UpdateUser { role: Some(role), password: None }).await
                });
            }
        };
        let remove = move |_| {
            let who = who.clone();
            run(outcome, "User deleted.", move || users.refetch(), async move { api::delete_user(&who).await });
        };
        view! {
            <tr data-testid="user-row">
                <td>{user.name.clone()}</td>
                <td>
                    <select on:change=change_role aria-label="Role">
                        {ROLES.map(|r| view! { <option value=r selected=user.role == r>{r}</option> }).collect_view()}
                    </select>
                </td>
                <td>{crate::components::time_range::absolute(user.created)}</td>
                <td><button class="link-button" on:click=remove>"Delete"</button></td>
            </tr>
        }
    };
    view! {
        <section class="panel" data-testid="users">
            <h2>"Users"</h2>
            {move || match users.get() {
                None => view! { <p class="loading">"Loading…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="field-error">{e.brief()}</p> }.into_any(),
                Some(Ok(list)) => view! {
                    <table class="field-table">
                        <tr><th>"Name"</th><th>"Role"</th><th>"Created"</th><th></th></tr>
                        {list.into_iter().map(row).collect_view()}
                    </table>
                }
                .into_any(),
            }}
            <form class="panel-form" on:submit=add data-testid="add-user">
                <legend>"Add a user"</legend>
                <label>"Name" <input id="new-user-name" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) /></label>
                <label>
                    "Role"
                    <select id="new-user-role" on:change=move |ev| role.set(event_target_value(&ev))>
                        {ROLES.map(|r| view! { <option value=r selected=r == "viewer">{r}</option> }).collect_view()}
                    </select>
                </label>
                <label>"Password" <input id="new-user-password" type="password" autocomplete="new-password" prop:value=move || password.get() on:input=move |ev| password.set(event_target_value(&ev)) /></label>
                <button type="submit" id="add-user-submit">"Add"</button>
            </form>
            {outcome_view(outcome)}
        </section>
    }
}

#[component]
fn Tokens() -> impl IntoView {
    let tokens = LocalResource::new(api::tokens);
    let outcome = RwSignal::new(None);
    let name = RwSignal::new(String::new());
    let expires = RwSignal::new(String::new());
    let chosen = RwSignal::new(vec!["ingest".to_string()]);
    let secret = RwSignal::new(None::<String>);
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let expires_in = Some(expires.get_untracked()).filter(|e| !e.trim().is_empty());
        let token = CreateToken { name: name.get_untracked(), scopes: chosen.get_untracked(), owner: None, expires_in };
        leptos::task::spawn_local(async move {
            match api::create_token(&token).await {
                Ok(created) => {
                    secret.set(Some(created.secret));
                    outcome.set(None);
                    name.set(String::new());
                    tokens.refetch();
                }
                Err(e) => outcome.set(Some(Err(e.brief()))),
            }
        });
    };
    let row = move |token: Token| {
        let id = token.id.clone();
        let revoke = move |_| {
            let id = id.clone();
            run(outcome, "Token revoked.", move || tokens.refetch(), async move { api::delete_token(&id).await });
        };
        let when = |t: Option<i64>| t.map(crate::components::time_range::absolute).unwrap_or_else(|| "never".into());
        view! {
            <tr data-testid="token-row">
                <td>{token.name}</td>
                <td>{token.owner}</td>
                <td>{token.scopes.join(", ")}</td>
                <td>{crate::components::time_range::absolute(token.created)}</td>
                <td>{when(token.last_used)}</td>
                <td>{when(token.expires)}</td>
                <td><button class="link-button" on:click=revoke>"Revoke"</button></td>
            </tr>
        }
    };
    view! {
        <section class="panel" data-testid="tokens">
            <h2>"API tokens"</h2>
            <p class="form-note">"For agents and scripts: Prometheus remote_write (authorization: {credentials: …}), amtool, curl -H 'Authorization: Bearer …'."</p>
            {move || match tokens.get() {
                None => view! { <p class="loading">"Loading…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="field-error">{e.brief()}</p> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! { <p class="empty">"No token yet."</p> }.into_any(),
                Some(Ok(list)) => view! {
                    <table class="field-table">
                        <tr><th>"Name"</th><th>"Owner"</th><th>"Scopes"</th><th>"Created"</th><th>"Last used"</th><th>"Expires"</th><th></th></tr>
                        {list.into_iter().map(row).collect_view()}
                    </table>
                }
                .into_any(),
            }}
            <form class="panel-form" on:submit=create data-testid="create-token">
                <legend>"New token"</legend>
                <label>"Name" <input id="new-token-name" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) /></label>
                {SCOPES.map(|scope| view! {
                    <label>
                        <input
                            type="checkbox"
                            prop:checked=move || chosen.with(|c| c.iter().any(|s| s == scope))
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                chosen.update(|c| {
                                    c.retain(|s| s != scope);
                                    if on {
                                        c.push(scope.to_string());
                                    }
                                });
                            }
                        />
                        {scope}
                    </label>
                }).collect_view()}
                <label>"Expires in" <input placeholder="e.g. 90d; empty: never" prop:value=move || expires.get() on:input=move |ev| expires.set(event_target_value(&ev)) /></label>
                <button type="submit" id="create-token-submit">"Create"</button>
            </form>
            {move || secret.get().map(|s| view! {
                <p class="token-secret" data-testid="token-secret">
                    "Copy the token now; it is not shown again: " <code>{s}</code>
                </p>
            })}
            {outcome_view(outcome)}
        </section>
    }
}
