//! Editing a dashboard (`/d/<uid>?edit=1`): its title, and each panel's title, type, query,
//! legend, unit, red threshold and size on the grid; adding and removing panels. Saving stores a
//! new version on the server (refused if someone saved a newer one meanwhile); "Save as copy"
//! makes a new dashboard; "Delete" removes it. Everything else in the dashboard's JSON is kept.

use leptos::callback::UnsyncCallback;
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::use_navigate;
use lookout_types::grafana::{Dashboard, DashboardWithMeta, GridPos, Panel, Step, Target, Thresholds};

use crate::api;

/// The panel types the editor offers, with their names in Grafana's JSON.
const PANEL_TYPES: [(&str, &str); 6] = [
    ("timeseries", "Time series"),
    ("stat", "Stat"),
    ("gauge", "Gauge"),
    ("bargauge", "Bar gauge"),
    ("table", "Table"),
    ("logs", "Logs (LogQL)"),
];

/// Units the editor offers, with Grafana's names.
const UNITS: [(&str, &str); 5] =
    [("", "none"), ("percent", "percent (0–100)"), ("s", "seconds"), ("bytes", "bytes"), ("reqps", "requests/s")];

/// Grafana's grid is 24 columns wide.
const GRID_COLUMNS: u32 = 24;

/// A new panel: half the width, below everything else.
pub fn new_panel(dashboard: &Dashboard) -> Panel {
    let bottom = dashboard.panels.iter().map(|p| p.grid_pos.y + p.grid_pos.h).max().unwrap_or(0);
    let id = dashboard.panels.iter().map(|p| p.id).max().unwrap_or(0) + 1;
    Panel {
        id,
        kind: "timeseries".into(),
        title: format!("Panel {id}"),
        grid_pos: GridPos { x: 0, y: bottom, w: GRID_COLUMNS / 2, h: 8 },
        targets: vec![Target { expr: String::new(), ..Target::default() }],
        ..Panel::default()
    }
}

/// The value from which a panel turns red, if it has such a step.
fn red_from(panel: &Panel) -> String {
    panel
        .field_config
        .defaults
        .thresholds
        .as_ref()
        .and_then(|t| t.steps.iter().find(|s| s.color == "red").and_then(|s| s.value))
        .map(|v| v.to_string())
        .unwrap_or_default()
}

/// Green below `value`, red from it on; no thresholds for an empty text.
fn set_red_from(panel: &mut Panel, text: &str) {
    panel.field_config.defaults.thresholds = text.trim().parse::<f64>().ok().map(|value| Thresholds {
        steps: vec![Step { color: "green".into(), value: None }, Step { color: "red".into(), value: Some(value) }],
        rest: Default::default(),
    });
}

/// A width or height typed in, within the grid's bounds.
fn grid_number(text: &str, at_least: u32, at_most: u32) -> u32 {
    text.trim().parse::<u32>().unwrap_or(at_least).clamp(at_least, at_most)
}

#[derive(Debug, Clone, PartialEq)]
enum Status {
    Editing,
    Busy,
    /// A saved version is in the editor, not yet saved again.
    Restored(u64),
    Failed(String),
}

/// The editor over a copy of `dashboard`; `done` gets the uid to show once saved or copied
/// (None after a delete).
#[component]
pub fn DashboardEditor(dashboard: Dashboard, provisioned: bool, done: UnsyncCallback<Option<String>>) -> impl IntoView {
    let draft = RwSignal::new(dashboard);
    let status = RwSignal::new(Status::Editing);
    let save = move |copy: bool| {
        let mut dashboard = draft.get_untracked();
        if copy {
            dashboard.uid = String::new();
            dashboard.title = format!("{} (copy)", dashboard.title);
            dashboard.rest.remove("id");
            dashboard.rest.remove("version");
        }
        status.set(Status::Busy);
        leptos::task::spawn_local(async move {
            match api::save_dashboard(dashboard, if copy { "copied in Lookout" } else { "edited in Lookout" }).await {
                Ok(saved) => done.run(Some(saved.uid)),
                Err(e) => status.set(Status::Failed(e.brief())),
            }
        });
    };
    let delete = move |_| {
        let uid = draft.with_untracked(|d| d.uid.clone());
        let confirmed = web_sys::window()
            .and_then(|w| w.confirm_with_message("Delete this dashboard and its versions?").ok())
            .unwrap_or(false);
        if !confirmed {
            return;
        }
        status.set(Status::Busy);
        leptos::task::spawn_local(async move {
            match api::delete_dashboard(&uid).await {
                Ok(()) => done.run(None),
                Err(e) => status.set(Status::Failed(e.brief())),
            }
        });
    };
    let count = Memo::new(move |_| draft.with(|d| d.panels.len()));
    view! {
        <div class="dash-editor" data-testid="dashboard-editor">
            <div class="explore-controls">
                <label class="refresh">
                    "Title "
                    <input
                        type="text"
                        data-testid="dashboard-title"
                        prop:value=move || draft.with(|d| d.title.clone())
                        on:input=move |ev| draft.update(|d| d.title = event_target_value(&ev))
                    />
                </label>
                <button data-testid="add-panel" on:click=move |_| draft.update(|d| {
                    let panel = new_panel(d);
                    d.panels.push(panel);
                })>"Add panel"</button>
                <button class="run" data-testid="save-dashboard" disabled=move || status.get() == Status::Busy on:click=move |_| save(false)>"Save"</button>
                <button data-testid="copy-dashboard" on:click=move |_| save(true)>"Save as copy"</button>
                <button data-testid="delete-dashboard" on:click=delete>"Delete"</button>
                <button on:click=move |_| done.run(Some(draft.with_untracked(|d| d.uid.clone())))>"Cancel"</button>
            </div>
            {provisioned.then(|| view! { <p class="share-note">"Provisioned from a file: save a copy to change it here."</p> })}
            {move || match status.get() {
                Status::Failed(message) => {
                    Some(view! { <p class="field-error" data-testid="editor-error">{message}</p> }.into_any())
                }
                Status::Restored(version) => Some(
                    view! { <p class="share-note" data-testid="editor-note">{format!("Version {version} is in the editor: Save makes it the newest.")}</p> }
                        .into_any(),
                ),
                _ => None,
            }}
            <div class="dash-editor-panels">
                {move || (0..count.get()).map(|index| view! { <PanelForm draft index /> }).collect_view()}
            </div>
            <Versions draft status />
        </div>
    }
}

/// The dashboard's saved versions; "Restore" loads one into the editor, and saving it makes it
/// the newest version (nothing is lost: the versions after it stay in the history).
#[component]
fn Versions(draft: RwSignal<Dashboard>, status: RwSignal<Status>) -> impl IntoView {
    let uid = draft.with_untracked(|d| d.uid.clone());
    let versions = LocalResource::new({
        let uid = uid.clone();
        move || {
            let uid = uid.clone();
            async move { api::dashboard_versions(&uid).await }
        }
    });
    let restore = move |version: u64| {
        let uid = uid.clone();
        leptos::task::spawn_local(async move {
            match api::dashboard_version(&uid, version).await {
                Ok(old) => {
                    // Saved on top of the current version, so the save is not taken for a stale one.
                    let current = draft.with_untracked(|d| d.rest.get("version").cloned());
                    let mut restored = old.data;
                    if let Some(current) = current {
                        restored.rest.insert("version".into(), current);
                    }
                    draft.set(restored);
                    status.set(Status::Restored(version));
                }
                Err(e) => status.set(Status::Failed(e.brief())),
            }
        });
    };
    view! {
        <details class="versions" data-testid="versions">
            <summary>"Versions"</summary>
            <ul>
                {move || {
                    versions
                        .get()
                        .and_then(Result::ok)
                        .unwrap_or_default()
                        .into_iter()
                        .map(|v| {
                            let restore = restore.clone();
                            let note = if v.message.is_empty() { String::new() } else { format!(" · {}", v.message) };
                            view! {
                                <li>
                                    {format!("Version {} · {}{note} ", v.version, v.created)}
                                    <button data-testid="restore-version" on:click=move |_| restore(v.version)>"Restore"</button>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
        </details>
    }
}

/// One panel's fields; each edit goes straight into the draft.
#[component]
fn PanelForm(draft: RwSignal<Dashboard>, index: usize) -> impl IntoView {
    let read = move |f: fn(&Panel) -> String| move || draft.with(|d| d.panels.get(index).map(f).unwrap_or_default());
    let write = move |f: fn(&mut Panel, String)| {
        move |ev: leptos::ev::Event| {
            let value = event_target_value(&ev);
            draft.update(|d| {
                if let Some(p) = d.panels.get_mut(index) {
                    f(p, value);
                }
            });
        }
    };
    let kind = read(|p| p.kind.clone());
    let unit = read(|p| p.field_config.defaults.unit.clone());
    view! {
        <fieldset class="panel panel-form" data-testid="panel-form">
            <legend>{move || format!("Panel {}", index + 1)}</legend>
            <label>"Title "<input type="text" data-testid="panel-title" prop:value=read(|p| p.title.clone()) on:input=write(|p, v| p.title = v) /></label>
            <label>
                "Type "
                <select data-testid="panel-type" on:change=write(|p, v| p.kind = v)>
                    {PANEL_TYPES
                        .iter()
                        .map(|(value, label)| {
                            let value = *value;
                            view! { <option value=value selected=move || kind() == value>{*label}</option> }
                        })
                        .collect_view()}
                </select>
            </label>
            <label class="wide">
                "Query "
                <textarea
                    data-testid="panel-query"
                    rows="2"
                    prop:value=read(|p| p.targets.first().map(|t| t.expr.clone()).unwrap_or_default())
                    on:input=write(|p, v| match p.targets.first_mut() {
                        Some(target) => target.expr = v,
                        None => p.targets.push(Target { expr: v, ..Target::default() }),
                    })
                ></textarea>
            </label>
            <label>"Legend "<input type="text" placeholder="{{instance}}" prop:value=read(|p| p.targets.first().map(|t| t.legend_format.clone()).unwrap_or_default()) on:input=write(|p, v| if let Some(t) = p.targets.first_mut() { t.legend_format = v }) /></label>
            <label>
                "Unit "
                <select data-testid="panel-unit" on:change=write(|p, v| p.field_config.defaults.unit = v)>
                    {UNITS
                        .iter()
                        .map(|(value, label)| {
                            let value = *value;
                            view! { <option value=value selected=move || unit() == value>{*label}</option> }
                        })
                        .collect_view()}
                </select>
            </label>
            <label>"Red from "<input type="number" step="any" data-testid="panel-red" prop:value=read(red_from) on:input=write(|p, v| set_red_from(p, &v)) /></label>
            <label>"Width "<input type="number" min="1" max="24" prop:value=read(|p| p.grid_pos.w.to_string()) on:input=write(|p, v| p.grid_pos.w = grid_number(&v, 1, GRID_COLUMNS)) /></label>
            <label>"Height "<input type="number" min="2" max="40" prop:value=read(|p| p.grid_pos.h.to_string()) on:input=write(|p, v| p.grid_pos.h = grid_number(&v, 2, 40)) /></label>
            <button data-testid="remove-panel" on:click=move |_| draft.update(|d| {
                if index < d.panels.len() {
                    d.panels.remove(index);
                }
            })>"Remove"</button>
        </fieldset>
    }
}

/// A fresh dashboard on the list page: saved at once, then opened in the editor.
#[component]
pub fn NewDashboard() -> impl IntoView {
    let title = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let navigate = use_navigate();
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let name = title.get_untracked().trim().to_string();
        if name.is_empty() {
            error.set(Some("Give the dashboard a title.".into()));
            return;
        }
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            let dashboard = Dashboard { title: name, ..Dashboard::default() };
            match api::save_dashboard(dashboard, "created in Lookout").await {
                Ok(saved) => navigate(&format!("/d/{}?edit=1", saved.uid), NavigateOptions::default()),
                Err(e) => error.set(Some(e.brief())),
            }
        });
    };
    view! {
        <form class="explore-controls" on:submit=create>
            <input type="text" placeholder="New dashboard title" data-testid="new-dashboard-title" prop:value=move || title.get() on:input=move |ev| title.set(event_target_value(&ev)) />
            <button type="submit" class="run" data-testid="new-dashboard">"New dashboard"</button>
            {move || error.get().map(|e| view! { <span class="field-error">{e}</span> })}
        </form>
    }
}

/// Grafana dashboard JSON pasted in (the model, or an export with its `meta`), saved as a new
/// dashboard (or a new version of the one with its uid) and opened.
#[component]
pub fn ImportDashboard() -> impl IntoView {
    let text = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let navigate = use_navigate();
    let import = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let json = text.get_untracked();
        let parsed = serde_json::from_str::<DashboardWithMeta>(&json)
            .map(|d| d.dashboard)
            .or_else(|_| serde_json::from_str::<Dashboard>(&json));
        let mut dashboard = match parsed {
            Ok(d) if !d.title.is_empty() => d,
            Ok(_) => return error.set(Some("The JSON has no dashboard title.".into())),
            Err(e) => return error.set(Some(format!("Not dashboard JSON: {e}"))),
        };
        // Grafana's numeric id and version belong to the Grafana it came from.
        dashboard.rest.remove("id");
        dashboard.rest.remove("version");
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            match api::save_dashboard(dashboard, "imported in Lookout").await {
                Ok(saved) => navigate(&format!("/d/{}", saved.uid), NavigateOptions::default()),
                Err(e) => error.set(Some(e.brief())),
            }
        });
    };
    view! {
        <details class="import">
            <summary>"Import Grafana JSON"</summary>
            <form on:submit=import>
                <textarea
                    rows="8"
                    data-testid="import-json"
                    placeholder="Paste a dashboard's JSON model (Grafana: Share → Export)"
                    prop:value=move || text.get()
                    on:input=move |ev| text.set(event_target_value(&ev))
                ></textarea>
                <button type="submit" class="run" data-testid="import-dashboard">"Import"</button>
                {move || error.get().map(|e| view! { <span class="field-error" data-testid="import-error">{e}</span> })}
            </form>
        </details>
    }
}

/// A download of the dashboard's JSON model, for Grafana's import or a file in version control.
pub fn export_href(dashboard: &Dashboard) -> String {
    let json = serde_json::to_string_pretty(dashboard).unwrap_or_default();
    format!("data:application/json;charset=utf-8,{}", crate::url::encode(&json))
}
