//! Alerting and recording rules in the server: loads `rule_files` (and the demo's rules), runs
//! one evaluation loop per group over the stores, keeps each group's latest state for the API,
//! and hands the alerts to send to the [`sender`]. A reload applies new files only when every
//! file is valid; groups whose definition did not change keep running, with their alerts.

pub mod config;
mod querier;
pub mod sender;

use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use lookout_logs::LogStore;
use lookout_rules::{Group, GroupDef, GroupOptions, GroupState, RuleAppender};
use tokio::sync::{oneshot, watch};

use self::config::RuleSettings;
use self::querier::{StoreAppender, StoreQuerier};
use self::sender::Sender;
use crate::metrics::Metrics;
use crate::timefmt::now_ms;

/// One group as loaded: where it came from, its definition, and how to reach its loop.
struct Running {
    file: String,
    def: GroupDef,
    state: Arc<RwLock<GroupState>>,
    stop: oneshot::Sender<Stop>,
}

/// Why a group's loop ends on a reload.
enum Stop {
    /// The group is gone: everything it wrote goes stale.
    Removed,
    /// A changed definition replaces it: its state goes to the new group's loop.
    Replaced(oneshot::Sender<Group>),
}

/// How long a new group waits for the one it replaces to hand over (it may be mid-evaluation).
const HANDOVER_WAIT: Duration = Duration::from_secs(30);

/// The rule engine. Cheap to clone.
#[derive(Clone)]
pub struct Rules {
    inner: Arc<Inner>,
}

struct Inner {
    /// The metrics store (and the backend behind it, when there is one).
    metrics: Metrics,
    logs: Arc<LogStore>,
    sender: Sender,
    /// The settings the running groups use, and the groups in (file, name) order.
    running: Mutex<(Option<RuleSettings>, Vec<Running>)>,
    shutdown: watch::Receiver<bool>,
}

impl Rules {
    /// Loads the rules and starts their loops; invalid files keep Lookout from starting, as
    /// they keep Prometheus from starting.
    pub fn start(
        settings: RuleSettings,
        metrics: Metrics,
        logs: Arc<LogStore>,
        shutdown: watch::Receiver<bool>,
    ) -> Result<Rules, String> {
        let sender = Sender::start(shutdown.clone());
        let rules = Rules { inner: Arc::new(Inner { metrics, logs, sender, running: Mutex::default(), shutdown }) };
        rules.apply(settings, true)?;
        Ok(rules)
    }

    /// Re-reads every rule file of `settings` (a reload). On any error the old rules keep
    /// running and the error says which file, line and rule. Returns the number of groups now
    /// loaded.
    pub fn apply_settings(&self, settings: RuleSettings) -> Result<usize, String> {
        self.apply(settings, false)
    }

    fn apply(&self, settings: RuleSettings, first_load: bool) -> Result<usize, String> {
        let defs = load(&settings)?;
        let options = GroupOptions {
            default_interval_ms: settings.evaluation_interval.as_millis() as i64,
            external_labels: settings.external_labels.clone(),
            external_url: settings.external_url.clone(),
            ..GroupOptions::default()
        };
        let mut guard = self.inner.running.lock().unwrap_or_else(|e| e.into_inner());
        let (current, running) = &mut *guard;
        // Groups run with their options baked in: a change of those restarts every group.
        let same_options = current.as_ref().is_some_and(|c| {
            (c.evaluation_interval, &c.external_labels, &c.external_url)
                == (settings.evaluation_interval, &settings.external_labels, &settings.external_url)
        });
        let mut old: Vec<Running> = std::mem::take(running);
        for (file, def) in defs {
            if let Some(i) = old.iter().position(|r| same_options && r.file == file && r.def == def) {
                running.push(old.swap_remove(i));
                continue;
            }
            // A changed group takes over its predecessor's alerts, as Prometheus's reload does.
            let predecessor = old.iter().position(|r| r.file == file && r.def.name == def.name).map(|i| {
                let (handover, taken) = oneshot::channel();
                let _ = old.swap_remove(i).stop.send(Stop::Replaced(handover));
                taken
            });
            running.push(self.spawn(file, def, &options, first_load, predecessor));
        }
        for gone in old {
            let _ = gone.stop.send(Stop::Removed);
        }
        self.inner.sender.configure(
            settings.alertmanagers.clone(),
            settings.external_labels.clone(),
            settings.builtin_notifier,
        );
        *current = Some(settings);
        Ok(running.len())
    }

    fn spawn(
        &self,
        file: String,
        def: GroupDef,
        options: &GroupOptions,
        restore: bool,
        predecessor: Option<oneshot::Receiver<Group>>,
    ) -> Running {
        let group = Group::new(&file, &def, options, restore);
        let state = Arc::new(RwLock::new(group.state()));
        let (stop, stopped) = oneshot::channel();
        tokio::spawn(run_group(group, predecessor, state.clone(), self.inner.clone(), stopped));
        Running { file, def, state, stop }
    }

    /// Every group's latest state, in (file, name) order.
    pub fn groups(&self) -> Vec<GroupState> {
        let guard = self.inner.running.lock().unwrap_or_else(|e| e.into_inner());
        guard.1.iter().map(|r| r.state.read().unwrap_or_else(|e| e.into_inner()).clone()).collect()
    }

    /// Hands every alert to Lookout's own notifier as well as to the Alertmanagers.
    pub fn deliver_to(&self, alerting: crate::alerting::Alerting) {
        self.inner.sender.deliver_to(alerting);
    }

    /// Where alerts go: the notifier and the Alertmanagers, as configured.
    pub fn sender(&self) -> Sender {
        self.inner.sender.clone()
    }

    pub fn sender_stats(&self) -> &sender::SenderStats {
        &self.inner.sender.stats
    }
}

/// Every group of every rule file (the built-in ones last), sorted by file then name as
/// Prometheus lists them; all errors of all files at once.
fn load(settings: &RuleSettings) -> Result<Vec<(String, GroupDef)>, String> {
    let paths = lookout_rules::glob::expand(&settings.base_dir, &settings.patterns).map_err(|e| e.to_string())?;
    let mut groups = Vec::new();
    let mut errors = Vec::new();
    let files = paths
        .iter()
        .map(|p| (p.display().to_string(), lookout_rules::file::load(p)))
        .chain(settings.builtin.iter().map(|(name, text)| (name.clone(), lookout_rules::file::parse(name, text))));
    for (name, parsed) in files {
        match parsed {
            Ok(file) => groups.extend(file.groups.into_iter().map(|g| (name.clone(), g))),
            Err(errs) => errors.extend(errs.iter().map(ToString::to_string)),
        }
    }
    if !errors.is_empty() {
        return Err(errors.join("\n"));
    }
    groups.sort_by(|a, b| (&a.0, &a.1.name).cmp(&(&b.0, &b.1.name)));
    Ok(groups)
}

/// One group's loop: evaluates at Prometheus's slotted times (skipping missed slots), stores the
/// results, publishes the state, queues the alerts, and restores `for` state after a start.
async fn run_group(
    mut group: Group,
    predecessor: Option<oneshot::Receiver<Group>>,
    state: Arc<RwLock<GroupState>>,
    inner: Arc<Inner>,
    mut stop: oneshot::Receiver<Stop>,
) {
    if let Some(predecessor) = predecessor {
        match tokio::time::timeout(HANDOVER_WAIT, predecessor).await {
            Ok(Ok(old)) => group.adopt(old),
            _ => tracing::warn!(group = group.name(), "the replaced rule group did not hand over its alerts"),
        }
        *state.write().unwrap_or_else(|e| e.into_inner()) = group.state();
    }
    let interval = group.interval_ms();
    let mut shutdown = inner.shutdown.clone();
    let mut ts = group.eval_timestamp_ms(now_ms()) + interval;
    loop {
        let wait = Duration::from_millis(u64::try_from(ts - now_ms()).unwrap_or(0));
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            stopped = &mut stop => {
                match stopped {
                    Ok(Stop::Replaced(successor)) => {
                        let _ = successor.send(group);
                    }
                    Ok(Stop::Removed) => {
                        // As Prometheus does for a removed group: what it wrote goes stale.
                        let (metrics, stale) = (inner.metrics.clone(), group.stale_markers());
                        let now = now_ms();
                        let _ = tokio::task::spawn_blocking(move || StoreAppender(&metrics).append(now, &stale)).await;
                    }
                    Err(_) => {}
                }
                return;
            }
            _ = shutdown.changed() => return,
        }
        let behind = now_ms() - ts;
        if behind >= interval {
            ts += behind / interval * interval;
        }
        let querier = StoreQuerier {
            metrics: inner.metrics.clone(),
            runtime: tokio::runtime::Handle::current(),
            logs: inner.logs.clone(),
            interval_ms: interval,
        };
        let evaluated = tokio::task::spawn_blocking(move || {
            let alerts = group.eval(ts, &querier, &mut StoreAppender(&querier.metrics));
            if group.restore_due() {
                group.restore_for_state(now_ms(), &querier);
            }
            (group, alerts)
        })
        .await;
        let alerts;
        (group, alerts) = match evaluated {
            Ok(done) => done,
            Err(err) => {
                tracing::error!(%err, "a rule group's evaluation failed; the group stops");
                return;
            }
        };
        *state.write().unwrap_or_else(|e| e.into_inner()) = group.state();
        inner.sender.send(alerts);
        ts += interval;
    }
}
