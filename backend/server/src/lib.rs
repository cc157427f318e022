//! The `lookout` server: one process that serves the UI and the APIs, owns the storage and runs
//! the demo. `main.rs` only parses flags; [`run`] wires everything together.

pub mod alerting;
pub mod annotations;
pub mod api;
pub mod app;
mod assets;
pub mod auth;
pub mod cli;
pub mod config;
pub mod dashboards;
pub mod datadir;
pub mod demo;
pub mod ingest;
pub mod investigation;
mod jsonl;
pub mod links;
pub mod logs;
pub mod metrics;
pub mod overview;
pub mod random;
pub mod reload;
pub mod remote;
pub mod rules;
pub mod scrape;
pub mod sources;
pub mod state;
pub mod telemetry;
#[cfg(test)]
mod testing;
pub mod timefmt;
pub mod tls;

use std::net::{Ipv6Addr, SocketAddr};

use anyhow::Context as _;
use tokio::sync::watch;

use crate::cli::Cli;
use crate::config::Config;
use crate::datadir::DataDir;
use crate::state::AppState;

/// Starts Lookout and serves until SIGTERM or Ctrl-C.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = Config::load(&cli)?;
    let identity = match (&cli.tls_cert, &cli.tls_key) {
        (Some(cert), Some(key)) => Some(tls::Identity::load(cert, key)?),
        _ => None,
    };
    let data_dir = DataDir::open(&cli.data_dir)?;
    let mut state = open_state(&data_dir, &config, &cli, identity.is_some())?;
    if !assets::ui_embedded() {
        tracing::warn!("this binary carries no UI; build it with `make build`");
    }

    let (shutdown_tx, shutdown_rx) = watch::channel(false);
    tokio::spawn(maintain_storage(state.clone(), cli.retention, shutdown_rx.clone()));
    state.scrape = scrape::start(config.scrape.clone(), state.metrics.clone(), shutdown_rx.clone());
    let listener =
        tokio::net::TcpListener::bind(cli.listen).await.with_context(|| format!("cannot listen on {}", cli.listen))?;
    let address = listener.local_addr()?;
    let (demo_endpoints, inbox) = match &config.demo {
        Some(_) => {
            let (endpoints, inbox) = start_demo_receivers(&shutdown_rx).await?;
            (Some(endpoints), Some(inbox))
        }
        None => (None, None),
    };
    start_alerting(&mut state, &config, &cli, &data_dir, address, demo_endpoints, &shutdown_rx)?;
    let demo = match config.demo.clone() {
        Some(demo) => {
            let target = demo_target(&state, address, identity.as_ref())?;
            Some(tokio::spawn(demo::run(state.clone(), target, demo, shutdown_rx.clone())))
        }
        None => None,
    };
    // Scripts (and the test harness) read this line to learn the port when listening on :0.
    let signalled = shutdown_signal()?;
    let scheme = if identity.is_some() { "https" } else { "http" };
    println!("Lookout is listening on {scheme}://{address}/");

    tokio::spawn(async move {
        signalled.await;
        tracing::info!("shutting down");
        let _ = shutdown_tx.send(true);
    });
    serve(listener, identity.as_ref(), app::app(state, inbox), shutdown_rx).await?;
    if let Some(demo) = demo {
        let _ = demo.await;
    }
    drop(data_dir);
    Ok(())
}

/// The stores, the engines that stand in for them, and every file of state under the data
/// directory, opened and ready to serve.
fn open_state(data_dir: &DataDir, config: &Config, cli: &Cli, tls: bool) -> anyhow::Result<AppState> {
    let metrics_dir = data_dir.path().join("metrics");
    let (db, report) = lookout_tsdb::Db::open(&metrics_dir, lookout_tsdb::Limits::default())
        .with_context(|| format!("cannot open the metrics store in {}", metrics_dir.display()))?;
    if let Some(segment) = &report.wal.truncated_segment {
        tracing::warn!(
            segment = %segment.display(),
            dropped_bytes = report.wal.truncated_bytes,
            "the write-ahead log ended in a torn or corrupt record; cut it off there and kept everything before it"
        );
    }
    let logs_dir = data_dir.path().join("logs");
    let (log_store, log_report) = lookout_logs::LogStore::open(&logs_dir)
        .with_context(|| format!("cannot open the log store in {}", logs_dir.display()))?;
    if log_report.wal_truncated_bytes > 0 {
        tracing::warn!(
            dropped_bytes = log_report.wal_truncated_bytes,
            "the log store's write-ahead log ended in a torn or corrupt record; cut it off there and kept everything before it"
        );
    }
    for broken in &log_report.broken_blocks {
        tracing::error!(%broken, "a log block could not be read and was moved aside");
    }
    tracing::info!(blocks = log_report.blocks, replayed_lines = log_report.replayed_entries, "log store open");
    let mut state = AppState::new(
        std::sync::Arc::new(db),
        std::sync::Arc::new(log_store),
        timefmt::now_ms(),
        config.demo.is_some(),
    );
    if let Some(settings) = config.remote.clone() {
        tracing::info!(backend = %settings.url, shards = settings.shards, "metrics are forwarded to and read from a backend");
        let engine = remote::Engine::open(&data_dir.path().join("remote-write"), settings)
            .context("cannot open the metrics forwarding queue")?;
        state.metrics.remote = Some(remote::Prometheus { engine });
    }
    if let Some(settings) = config.loki.clone() {
        tracing::info!(backend = %settings.url, shards = settings.shards, "log lines are forwarded to and read from Loki");
        let engine = remote::Engine::open(&data_dir.path().join("loki-push"), settings)
            .context("cannot open the log forwarding queue")?;
        state.logs.remote = Some(remote::Loki { engine });
    }
    state.links = Some(std::sync::Arc::new(
        links::Links::open(&data_dir.path().join("links.jsonl")).context("cannot open the short links")?,
    ));
    state.dashboards = Some(std::sync::Arc::new(open_dashboards(data_dir, config)?));
    state.annotations = Some(std::sync::Arc::new(
        annotations::Annotations::open(&data_dir.path().join("annotations.jsonl"))
            .context("cannot open the annotations")?,
    ));
    state.sources = std::sync::Arc::new(sources::DataSources::connect(&config.datasources)?);
    state.overview_cards = std::sync::Arc::new(config.overview_cards.clone());
    state.auth = open_auth(data_dir, config, cli.reset_admin_password, tls)?;
    state.set_ready();
    tracing::info!(
        data_dir = %data_dir.path().display(),
        blocks = report.blocks,
        series = report.series,
        wal_records = report.wal.records,
        checkpoint = ?report.checkpoint,
        "storage open"
    );
    Ok(state)
}

/// The demo's stand-in receivers: an HTTP inbox and an SMTP server on loopback, where its
/// notifications go.
async fn start_demo_receivers(
    shutdown: &watch::Receiver<bool>,
) -> anyhow::Result<(demo::alerting::DemoEndpoints, demo::inbox::Inbox)> {
    let inbox = demo::inbox::Inbox::default();
    let smtp = inbox.start_smtp(shutdown.clone()).await.context("cannot start the demo's mail server")?;
    let http = inbox.start_http(shutdown.clone()).await.context("cannot start the demo's receivers")?;
    Ok((demo::alerting::DemoEndpoints { http, smtp }, inbox))
}

/// The notifier, the rules that feed it, the engines' senders (whose alert about an engine goes
/// where the rules' go), and the reloader of both on SIGHUP.
fn start_alerting(
    state: &mut AppState,
    config: &Config,
    cli: &Cli,
    data_dir: &DataDir,
    address: SocketAddr,
    demo_endpoints: Option<demo::alerting::DemoEndpoints>,
    shutdown: &watch::Receiver<bool>,
) -> anyhow::Result<()> {
    let alerting = alerting::Alerting::start(
        &data_dir.path().join("alerts"),
        reload::notifier_config(config, demo_endpoints).map_err(anyhow::Error::msg)?,
        lookout_notify::Guard { own: vec![address], ..config.outbound.clone() },
        config.rules.external_url.clone(),
        shutdown.clone(),
    )
    .context("cannot open the alert state")?;
    state.alerting = Some(alerting.clone());
    let rules =
        rules::Rules::start(config.rules.clone(), state.metrics.clone(), state.logs.store.clone(), shutdown.clone())
            .map_err(|e| anyhow::anyhow!("invalid rule files:\n{e}"))?;
    rules.deliver_to(alerting.clone());
    let engines = [state.metrics.remote.as_ref().map(|r| &r.engine), state.logs.remote.as_ref().map(|l| &l.engine)];
    for engine in engines.into_iter().flatten() {
        engine.start(state.telemetry.clone(), rules.sender(), shutdown.clone());
    }
    state.rules = Some(rules.clone());
    let reloader = std::sync::Arc::new(reload::Reloader {
        running: std::sync::Mutex::new(()),
        cli: cli.clone(),
        rules,
        alerting,
        demo: demo_endpoints,
    });
    tokio::spawn(reload_on_sighup(reloader.clone())?);
    state.reloader = Some(reloader);
    Ok(())
}

/// Where the demo's services send: this server's public API on the address it listens on,
/// with a token of their own that only ingests when sign-in is on.
fn demo_target(
    state: &AppState,
    address: SocketAddr,
    identity: Option<&tls::Identity>,
) -> anyhow::Result<demo::client::Target> {
    let authorization = match state.auth.store() {
        Some(store) => Some(format!(
            "Bearer {}",
            store.ephemeral_token("demo", [lookout_auth::Scope::Ingest].into_iter().collect())?
        )),
        None => None,
    };
    Ok(demo::client::Target {
        address: local_address(address),
        authorization,
        tls: match identity {
            Some(identity) => Some(std::sync::Arc::new(tls::pinned_client(identity.chain[0].clone())?)),
            None => None,
        },
    })
}

/// Serves the app over HTTP, or HTTPS with an identity, until shutdown.
async fn serve(
    listener: tokio::net::TcpListener,
    identity: Option<&tls::Identity>,
    app: axum::Router,
    mut shutdown: watch::Receiver<bool>,
) -> anyhow::Result<()> {
    match identity {
        Some(identity) => tls::serve(listener, identity, app, shutdown).await?,
        None => {
            let app = app.into_make_service_with_connect_info::<SocketAddr>();
            axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = shutdown.changed().await;
                })
                .await
                .context("HTTP server failed")?;
        }
    }
    Ok(())
}

const MAINTENANCE_EVERY: std::time::Duration = std::time::Duration::from_secs(60);
/// Rounds of maintenance between log checkpoints that happen without a new block.
const CHECKPOINT_ROUNDS: u32 = 10;

/// Once a minute: cuts full head windows into compressed blocks, merges complete runs of blocks,
/// deletes what is past retention, and every ten minutes folds the log into a checkpoint so it
/// stays short. The log store's head is cut when it is due and its old blocks dropped alike.
async fn maintain_storage(state: AppState, retention: std::time::Duration, mut shutdown: watch::Receiver<bool>) {
    let mut ticker = tokio::time::interval(MAINTENANCE_EVERY);
    ticker.tick().await;
    let mut round = 0u32;
    loop {
        tokio::select! {
            _ = ticker.tick() => {}
            _ = shutdown.changed() => break,
        }
        round += 1;
        let log_store = state.logs.store.clone();
        let log_retention_ns = (timefmt::now_ms() - retention.as_millis() as i64).saturating_mul(1_000_000);
        let logs = tokio::task::spawn_blocking(move || -> std::io::Result<(bool, usize)> {
            let cut = log_store.head_due() && log_store.cut()?.is_some();
            Ok((cut, log_store.retain(log_retention_ns)?))
        })
        .await;
        match logs {
            Ok(Ok((false, 0))) => {}
            Ok(Ok((cut, expired))) => tracing::info!(cut, expired, "log store maintained"),
            Ok(Err(err)) => tracing::error!(%err, "log maintenance failed; it is retried next minute"),
            Err(err) => tracing::error!(%err, "log maintenance task failed"),
        }
        let db = state.metrics.db().clone();
        let checkpoint_due = round.is_multiple_of(CHECKPOINT_ROUNDS);
        let result = tokio::task::spawn_blocking(move || -> std::io::Result<(usize, usize)> {
            let mut written = db.compact()?;
            written.extend(db.merge_blocks()?);
            let expired = db.retain(timefmt::now_ms() - retention.as_millis() as i64)?;
            if written.is_empty() && checkpoint_due {
                db.checkpoint()?;
            }
            Ok((written.len(), expired))
        })
        .await;
        match result {
            Ok(Ok((0, 0))) => {}
            Ok(Ok((written, expired))) => tracing::info!(written, expired, "metrics blocks compacted"),
            Ok(Err(err)) => tracing::error!(%err, "metrics maintenance failed; it is retried next minute"),
            Err(err) => tracing::error!(%err, "metrics maintenance task failed"),
        }
    }
}

/// The stored dashboards, plus the provisioned ones: the config's files and, with the demo on,
/// its "Payment service" dashboard. A provisioned file that is not a dashboard stops the start.
fn open_dashboards(data_dir: &DataDir, config: &Config) -> anyhow::Result<dashboards::Dashboards> {
    let store =
        dashboards::Dashboards::open(&data_dir.path().join("dashboards")).context("cannot open the dashboards")?;
    let mut files: Vec<(String, String)> = Vec::new();
    for path in &config.dashboard_files {
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
        files.push((path.display().to_string(), text));
    }
    if config.demo.is_some() {
        files.push(("<demo>/dashboard.json".into(), include_str!("demo/dashboard.json").into()));
    }
    for (name, text) in files {
        let json: serde_json::Value = serde_json::from_str(&text).with_context(|| format!("{name}: not JSON"))?;
        store.provision(json, timefmt::now_ms()).map_err(|e| anyhow::anyhow!("{name}: {e:?}"))?;
    }
    Ok(store)
}

/// Sign-in as configured: with it on, the user store, and at the first start (or with
/// `--reset-admin-password`) the `admin` user, with `LOOKOUT_ADMIN_PASSWORD` or a generated
/// password printed this once.
fn open_auth(data_dir: &DataDir, config: &Config, reset: bool, tls: bool) -> anyhow::Result<auth::Auth> {
    if !config.auth_enabled {
        tracing::warn!("sign-in is off: anyone who can reach Lookout may read and change everything");
        return Ok(auth::Auth::off());
    }
    let store = lookout_auth::Store::open(&data_dir.path().join("auth")).context("cannot open the user store")?;
    let password = std::env::var("LOOKOUT_ADMIN_PASSWORD").ok().filter(|p| !p.is_empty());
    let now = timefmt::now_ms();
    let generated = if reset {
        let generated = store.reset_admin(password.as_deref(), now).context("LOOKOUT_ADMIN_PASSWORD")?;
        tracing::warn!("the user admin has a new password (--reset-admin-password)");
        generated
    } else {
        store.ensure_admin(password.as_deref(), now).context("LOOKOUT_ADMIN_PASSWORD")?
    };
    if let Some(generated) = generated {
        println!("Lookout set the user admin's password to {generated}");
        println!("(shown only this once: sign in and change it, or set LOOKOUT_ADMIN_PASSWORD before the first start)");
    }
    Ok(auth::Auth::on(std::sync::Arc::new(store), tls))
}

/// The address a client on this machine reaches `listening` at (loopback for a wildcard).
fn local_address(listening: SocketAddr) -> SocketAddr {
    match listening {
        SocketAddr::V4(a) if a.ip().is_unspecified() => SocketAddr::from(([127, 0, 0, 1], a.port())),
        SocketAddr::V6(a) if a.ip().is_unspecified() => SocketAddr::from((Ipv6Addr::LOCALHOST, a.port())),
        other => other,
    }
}

/// Reloads the configuration on every SIGHUP, as Prometheus and Alertmanager do.
fn reload_on_sighup(
    reloader: std::sync::Arc<reload::Reloader>,
) -> anyhow::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut hup = signal(SignalKind::hangup()).context("cannot listen for SIGHUP")?;
    Ok(async move {
        while hup.recv().await.is_some() {
            let reloader = reloader.clone();
            // Reading files and taking locks belong off the async workers.
            let outcome =
                tokio::task::spawn_blocking(move || reloader.reload()).await.unwrap_or_else(|e| Err(e.to_string()));
            if let Err(err) = outcome {
                tracing::error!(%err, "reloading the configuration failed; the previous rules keep running");
            }
        }
    })
}

/// Installs the SIGTERM and SIGINT handlers now, and returns a future that resolves when either
/// arrives. Installing before the server announces itself means a signal sent right after the
/// "listening" line is never lost to the default handler.
fn shutdown_signal() -> anyhow::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate()).context("cannot listen for SIGTERM")?;
    let mut int = signal(SignalKind::interrupt()).context("cannot listen for SIGINT")?;
    Ok(async move {
        tokio::select! {
            _ = term.recv() => {}
            _ = int.recv() => {}
        }
    })
}
