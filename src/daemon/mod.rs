//! The daemon (`autoapply run`): its start-up wiring. The loop is [`worker`], the
//! sweeper [`sweep`]; the webhook is served beside them from the same state.

pub mod sweep;
pub mod worker;

use std::process::ExitCode;

use tokio_util::sync::CancellationToken;
use tracing::Instrument as _;

use crate::{
    exit::{self, Failure},
    store::{AnyStore, Store as _},
};

/// `autoapply run`: prepares (configuration, selectors, engine, display, directories),
/// sweeps what a dead worker left, waits for the database, then runs the loop and the
/// webhook until SIGTERM/SIGINT, and drains.
pub async fn run() -> Result<ExitCode, Failure> {
    use std::os::unix::fs::DirBuilderExt as _;

    let (config, engine) = crate::run::prepare()?;
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
    let (removed, killed) =
        crate::browser::teardown::sweep_orphans(&config.runtime_dir.join("profiles")).await;
    if removed + killed > 0 {
        tracing::warn!(
            profiles = removed,
            processes = killed,
            "deleted browser profiles (and killed browsers) left by a worker that died"
        );
    }
    let store =
        AnyStore::from_config(&config).map_err(|e| Failure::new(exit::STORE, e.to_string()))?;
    let cancel = crate::shutdown::on_signals()
        .map_err(|e| Failure::new(exit::CONFIG, format!("cannot handle signals: {e}")))?;

    // the database must answer before the worker says it is ready; until then, back off
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
                break;
            }
            Err(e) => {
                failures += 1;
                let delay =
                    std::time::Duration::from_millis((500u64 << failures.min(7)).min(30_000));
                tracing::warn!(error = %e, failures, retry_in_ms = delay.as_millis() as u64, "database not reachable yet");
                tokio::select! {
                    () = tokio::time::sleep(delay) => {}
                    () = cancel.cancelled() => return Ok(ExitCode::from(exit::OK)),
                }
            }
        }
    }
    let settings = self::worker::WorkerSettings {
        worker_id: config.worker_id.clone(),
        concurrency: config.concurrency,
        poll_interval: config.poll_interval,
        lease: config.lease,
        sweep_interval: config.sweep_interval,
        user_spacing: config.user_spacing,
        screenshots_dir: config.screenshots_dir(),
        step_screenshots: false,
    };
    let metrics = std::sync::Arc::new(crate::metrics::Metrics::default());
    let engine = std::sync::Arc::new(engine);
    let worker =
        self::worker::Worker::new(store.clone(), engine.clone(), settings, metrics.clone());
    let tasks = tokio_util::task::TaskTracker::new();
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
    let state = std::sync::Arc::new(crate::webhook::WebhookState {
        store,
        engine,
        metrics,
        wake: worker.wake_handle(),
        cancel: cancel.clone(),
        agent_secret: config.agent_secret.clone(),
        hmac_secret: config.webhook_hmac_secret.clone(),
        lease: config.lease,
        worker_id: format!("{}-webhook", config.worker_id),
        deadline: config.webhook_deadline,
        max_tick_age: (config.poll_interval * 3).max(std::time::Duration::from_secs(150)),
        selectors_dir: config.selectors_dir.clone(),
        browser_path: config.browser_path.clone(),
        headless: config.headless,
        tasks: tasks.clone(),
    });
    // the server outlives the worker's drain, answering 503 meanwhile
    let server_stop = CancellationToken::new();
    let server = {
        let stop = server_stop.clone();
        let app = crate::webhook::router(state);
        tokio::spawn(
            async move {
                if let Err(e) = axum::serve(listener, app)
                    .with_graceful_shutdown(stop.cancelled_owned())
                    .await
                {
                    tracing::error!(error = %e, "the webhook server stopped");
                }
            }
            .instrument(tracing::info_span!("webhook")),
        )
    };
    crate::systemd::ready();
    tracing::info!(worker = %config.worker_id, concurrency = config.concurrency, webhook = %config.webhook_addr, "worker ready");
    // SIGUSR1 (e.g. `systemctl kill -s USR1 autoapply`) says there is work: look now
    {
        let wake = worker.wake_handle();
        let mut usr1 =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::user_defined1())
                .map_err(|e| Failure::new(exit::CONFIG, format!("cannot handle SIGUSR1: {e}")))?;
        let stop = cancel.clone();
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
    }
    worker
        .run(cancel)
        .instrument(tracing::info_span!("worker", worker.id = %config.worker_id))
        .await;
    // applications the webhook started finish (or release) too; meanwhile calls get 503
    tasks.close();
    tasks.wait().await;
    server_stop.cancel();
    let _ = tokio::time::timeout(std::time::Duration::from_secs(10), server).await;
    tracing::info!("worker stopped");
    Ok(ExitCode::from(exit::OK))
}
