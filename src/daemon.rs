//! The daemon (`autoapply run`): the worker [`crate::run::start_worker`] assembles,
//! with the webhook served beside its loop through the same runner.

use std::{process::ExitCode, sync::Arc, time::Duration};

use tokio_util::sync::CancellationToken;
use tracing::Instrument as _;

use crate::{
    config::Config,
    exit::{self, Failure},
    store::{AnyStore, Store as _},
};

/// `autoapply run`: prepares (configuration, selectors, engine, display, directories),
/// sweeps what a dead worker left, waits for the database, then runs the loop and the
/// webhook until SIGTERM/SIGINT, and drains.
pub async fn run() -> Result<ExitCode, Failure> {
    let (config, engine) = crate::run::prepare(crate::config::Uses::WORKER)?;
    create_dirs(&config)?;
    let (removed, killed) =
        crate::browser::leftovers::sweep_orphans(&config.runtime_dir.join("profiles")).await;
    if removed + killed > 0 {
        tracing::warn!(
            profiles = removed,
            processes = killed,
            "deleted browser profiles (and killed browsers) left by a worker that died"
        );
    }
    let store =
        AnyStore::from_config(&config).map_err(|e| Failure::new(exit::CONFIG, e.to_string()))?;
    let cancel = crate::shutdown::on_signals()
        .map_err(|e| Failure::new(exit::CONFIG, format!("cannot handle signals: {e}")))?;
    if !database_answers(&store, &cancel).await {
        return Ok(ExitCode::from(exit::OK));
    }
    // the loop and the webhook start applications through one runner (one gate)
    let crate::run::Started { runner, worker } =
        crate::run::start_worker(&config, store, engine, cancel.clone(), false);
    let state = Arc::new(crate::webhook::WebhookState {
        runner: runner.clone(),
        wake: worker.wake_handle(),
        cancel: cancel.clone(),
        agent_secret: config
            .agent_secret
            .clone()
            .ok_or_else(|| Failure::new(exit::CONFIG, "AGENT_SECRET: missing (a secret)"))?,
        hmac_secret: config.webhook_hmac_secret.clone(),
        worker_id: format!("{}-webhook", config.worker_id),
        deadline: config.webhook_deadline,
        max_tick_age: (config.poll_interval * 3).max(Duration::from_secs(150)),
        selectors: config.selectors.clone(),
        browser_path: config.browser_path.clone(),
        headless: config.headless,
        replays: crate::webhook::ReplayCache::default(),
    });
    let (server, server_stop) = serve_webhook(&config, state).await?;
    crate::systemd::ready();
    tracing::info!(worker = %config.worker_id, concurrency = config.concurrency, webhook = %config.webhook_addr, "worker ready");
    wake_on_sigusr1(worker.wake_handle(), cancel.clone())?;
    worker.run(cancel).await;
    // applications the webhook started finish (or release) too; meanwhile calls get 503
    runner.drain().await;
    server_stop.cancel();
    let _ = tokio::time::timeout(crate::webhook::serve::DRAIN, server).await;
    tracing::info!("worker stopped");
    Ok(ExitCode::from(exit::OK))
}

/// The screenshot directory (0750) and the runtime directory (0700).
fn create_dirs(config: &Config) -> Result<(), Failure> {
    use std::os::unix::fs::DirBuilderExt as _;

    for (dir, mode) in [
        (config.screenshots_dir(), 0o750),
        (config.runtime_dir.clone(), 0o700),
    ] {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(mode)
            .create(&dir)
            .map_err(|e| {
                Failure::new(
                    exit::CONFIG,
                    format!("cannot create {}: {e}", dir.display()),
                )
            })?;
    }
    Ok(())
}

/// The database must answer before the worker says it is ready; until then, back
/// off. False when shutdown came first.
async fn database_answers(store: &AnyStore, cancel: &CancellationToken) -> bool {
    let mut failures = 0u32;
    loop {
        match store.linkedin_daily_status().await {
            Ok(status) => {
                tracing::info!(
                    store = %store.describe(),
                    used = status.used,
                    limit = status.daily_limit,
                    "database reachable; today's LinkedIn actions"
                );
                return true;
            }
            Err(e) => {
                failures += 1;
                let delay = Duration::from_millis((500u64 << failures.min(7)).min(30_000));
                tracing::warn!(error = %e, failures, retry_in_ms = delay.as_millis() as u64, "database not reachable yet");
                tokio::select! {
                    () = tokio::time::sleep(delay) => {}
                    () = cancel.cancelled() => return false,
                }
            }
        }
    }
}

/// Serves the webhook until the returned token is cancelled: the server outlives
/// the worker's drain, answering 503 meanwhile.
async fn serve_webhook(
    config: &Config,
    state: Arc<crate::webhook::WebhookState<AnyStore>>,
) -> Result<(tokio::task::JoinHandle<()>, CancellationToken), Failure> {
    let listener = tokio::net::TcpListener::bind(config.webhook_addr)
        .await
        .map_err(|e| {
            Failure::new(
                exit::CONFIG,
                format!(
                    "AUTOAPPLY_WEBHOOK_ADDR: cannot listen on {}: {e}",
                    config.webhook_addr
                ),
            )
        })?;
    let server_stop = CancellationToken::new();
    let stop = server_stop.clone();
    let app = crate::webhook::router(state);
    let server = tokio::spawn(
        async move {
            crate::webhook::serve::serve(listener, app, stop, crate::webhook::serve::DRAIN).await;
        }
        .instrument(tracing::info_span!("webhook")),
    );
    Ok((server, server_stop))
}

/// SIGUSR1 (e.g. `systemctl kill -s USR1 autoapply`) says there is work: look now.
fn wake_on_sigusr1(wake: Arc<tokio::sync::Notify>, stop: CancellationToken) -> Result<(), Failure> {
    let mut usr1 = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::user_defined1())
        .map_err(|e| Failure::new(exit::CONFIG, format!("cannot handle SIGUSR1: {e}")))?;
    tokio::spawn(
        async move {
            loop {
                tokio::select! {
                    Some(()) = usr1.recv() => {
                        tracing::info!("SIGUSR1: looking for work now");
                        wake.notify_one();
                    }
                    () = stop.cancelled() => return,
                }
            }
        }
        .instrument(tracing::info_span!("wake_signal")),
    );
    Ok(())
}
