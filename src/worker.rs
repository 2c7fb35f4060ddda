//! The daemon's loop: claim → apply → finish, with heartbeats, the kill switch, the
//! sweeper and retention. Several workers on several servers cooperate through the
//! database alone (leases, fencing tokens, atomic quotas).
//!
//! - polls with jitter, wakes at once on [`Worker::wake_handle`];
//! - runs up to `concurrency` applications, each in its own task (a panic is caught:
//!   that application fails with a reason, the drop guard kills its browser);
//! - a closed kill switch stops claiming, is logged once and checked cheaply until
//!   it opens again (next UTC day, or a raised limit);
//! - the database unreachable: exponential backoff with jitter, no crash.

use std::{num::NonZeroU32, path::PathBuf, sync::Arc, time::Duration};

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use rand::RngExt as _;
use time::OffsetDateTime;
use tokio::{sync::Notify, task::JoinSet};
use tokio_util::sync::CancellationToken;
use tracing::Instrument as _;

use crate::{
    apply::{ApplyOptions, AttemptReport, Engine, outcome::Disposition},
    domain::{ApplicationStatus, Outcome, OutcomeStatus, UserId, truncate_error},
    evidence,
    metrics::Metrics,
    store::{AgentLogEntry, AgentLogStatus, Application, Store},
    systemd,
};

/// How the loop behaves.
#[derive(Debug, Clone)]
pub struct WorkerSettings {
    /// this worker's name in `lease_owner`
    pub worker_id: String,
    /// applications at a time
    pub concurrency: usize,
    /// polling when idle
    pub poll_interval: Duration,
    /// lease length; heartbeats every third of it
    pub lease: Duration,
    /// how often the sweeper runs
    pub sweep_interval: Duration,
    /// least time between two applications of one user (zero: none)
    pub user_spacing: Duration,
    /// screenshots (for retention)
    pub screenshots_dir: PathBuf,
    /// keep a screenshot of every form step (`<id>-step-<n>.png`; the demo does)
    pub step_screenshots: bool,
}

/// Screenshots and error logs are kept this long.
pub const RETENTION: Duration = Duration::from_secs(30 * 24 * 3600);

/// The worker.
pub struct Worker<S> {
    store: S,
    engine: Arc<Engine>,
    settings: WorkerSettings,
    wake: Arc<Notify>,
    metrics: Arc<Metrics>,
}

/// Exponential backoff with full jitter.
struct Backoff {
    failures: u32,
}

impl Backoff {
    fn next(&mut self) -> Duration {
        self.failures = self.failures.saturating_add(1);
        let cap_ms = (500u64 << self.failures.min(7)).min(60_000);
        Duration::from_millis(rand::rng().random_range(cap_ms / 2..=cap_ms))
    }
}

fn jittered(d: Duration) -> Duration {
    let ms = u64::try_from(d.as_millis()).unwrap_or(u64::MAX).max(10);
    Duration::from_millis(rand::rng().random_range(ms * 8 / 10..=ms * 12 / 10))
}

/// What one application run ended with.
#[derive(Debug)]
pub struct RunOutcome {
    /// the global kill switch refused it
    pub kill_switch_closed: bool,
    /// the engine's report (none after a panic or a store error)
    pub report: Option<AttemptReport>,
    /// what `agent_logs` recorded at the end
    pub log_status: AgentLogStatus,
    /// the error recorded, if any
    pub error: Option<String>,
    /// how long it took
    pub duration: Duration,
}

impl<S: Store + Clone + 'static> Worker<S> {
    /// A worker over `store` with `engine`, counting into `metrics`.
    pub fn new(
        store: S,
        engine: Arc<Engine>,
        settings: WorkerSettings,
        metrics: Arc<Metrics>,
    ) -> Self {
        Self {
            store,
            engine,
            settings,
            wake: Arc::new(Notify::new()),
            metrics,
        }
    }

    /// Notify this to make the loop look for work at once.
    pub fn wake_handle(&self) -> Arc<Notify> {
        self.wake.clone()
    }

    /// Runs until `cancel`; returns once every in-flight application has reached a
    /// safe point (released, or recorded).
    pub async fn run(self, cancel: CancellationToken) {
        let sweeper = tokio::spawn(
            sweep_loop(
                self.store.clone(),
                self.settings.clone(),
                self.metrics.clone(),
                cancel.clone(),
            )
            .instrument(tracing::info_span!("sweeper")),
        );
        let spacing: Option<DefaultKeyedRateLimiter<UserId>> =
            (!self.settings.user_spacing.is_zero())
                .then(|| Quota::with_period(self.settings.user_spacing))
                .flatten()
                .map(|q| RateLimiter::keyed(q.allow_burst(NonZeroU32::MIN)));
        let mut tasks: JoinSet<RunOutcome> = JoinSet::new();
        let mut worked = false;
        let mut backoff = Backoff { failures: 0 };
        let mut kill_switch_closed = false;
        let watchdog = systemd::watchdog_interval();
        let mut last_ping = tokio::time::Instant::now();
        systemd::status("applying");
        loop {
            self.metrics.tick();
            if let Some(every) = watchdog
                && last_ping.elapsed() >= every
            {
                systemd::watchdog();
                last_ping = tokio::time::Instant::now();
            }
            if cancel.is_cancelled() {
                break;
            }
            let mut delay = jittered(self.settings.poll_interval);
            if kill_switch_closed {
                match self.store.linkedin_daily_status().await {
                    Ok(status) if status.remaining > 0 => {
                        tracing::info!(
                            remaining = status.remaining,
                            "the global LinkedIn limit has room again: claiming"
                        );
                        kill_switch_closed = false;
                        systemd::status("applying");
                        continue;
                    }
                    Ok(_) => delay = Duration::from_secs(60).min(self.settings.poll_interval * 12),
                    Err(e) => {
                        delay = backoff.next();
                        tracing::warn!(error = %e, "kill-switch check failed");
                    }
                }
            } else if tasks.len() < self.settings.concurrency {
                match self
                    .store
                    .claim(&self.settings.worker_id, self.settings.lease)
                    .await
                {
                    Ok(Some(application)) => {
                        if backoff.failures > 0 {
                            tracing::info!("the database is reachable again");
                        }
                        backoff.failures = 0;
                        if let Some(wait) = spacing
                            .as_ref()
                            .and_then(|l| l.check_key(&application.user_id).err())
                        {
                            let wait = wait.wait_time_from(governor::clock::Clock::now(
                                &governor::clock::DefaultClock::default(),
                            ));
                            self.defer(&application, wait).await;
                            continue;
                        }
                        let store = self.store.clone();
                        let engine = self.engine.clone();
                        let lease = self.settings.lease;
                        let metrics = self.metrics.clone();
                        worked = true;
                        let span = tracing::info_span!("application", application.id = %application.id, user.id = %application.user_id);
                        tasks.spawn(
                            run_application(
                                store,
                                engine,
                                lease,
                                metrics,
                                application,
                                cancel.clone(),
                                ApplyOptions {
                                    step_screenshots: self.settings.step_screenshots,
                                    ..ApplyOptions::default()
                                },
                            )
                            .instrument(span),
                        );
                        continue;
                    }
                    Ok(None) => {
                        if backoff.failures > 0 {
                            tracing::info!("the database is reachable again");
                        }
                        backoff.failures = 0;
                        // the queue ran dry: give the pages freed by the run back
                        if worked && tasks.is_empty() {
                            worked = false;
                            crate::heap::trim();
                        }
                    }
                    Err(e) => {
                        delay = backoff.next();
                        if backoff.failures == 1 || backoff.failures.is_multiple_of(10) {
                            tracing::warn!(error = %e, failures = backoff.failures, retry_in_ms = delay.as_millis() as u64, "cannot claim: database unreachable, backing off");
                        }
                    }
                }
            }
            if let Some(every) = watchdog {
                delay = delay.min(every);
            }
            tokio::select! {
                () = tokio::time::sleep(delay) => {}
                () = self.wake.notified() => {}
                Some(joined) = tasks.join_next(), if !tasks.is_empty() => {
                    if let Ok(finished) = joined
                        && finished.kill_switch_closed
                        && !kill_switch_closed
                    {
                        tracing::warn!("the global LinkedIn limit for today is reached: no more claims until it opens again");
                        systemd::status("global LinkedIn limit reached: waiting");
                        kill_switch_closed = true;
                    }
                }
                () = cancel.cancelled() => {}
            }
        }
        systemd::stopping();
        systemd::status("stopping: waiting for in-flight applications");
        while tasks.join_next().await.is_some() {}
        sweeper.abort();
    }

    /// The user's previous application was too recent: try again later without
    /// spending the attempt.
    async fn defer(&self, application: &Application, wait: Duration) {
        let Some(lease) = application.lease() else {
            return;
        };
        let mut outcome = Outcome::new(OutcomeStatus::RetryLater, Some("user_spacing"));
        outcome.details.keep_attempt = true;
        outcome.details.run_at = Some(OffsetDateTime::now_utc() + wait);
        if let Err(e) = self.store.finish(lease, &outcome).await {
            tracing::warn!(error = %e, "could not defer an application (its lease will expire)");
        }
    }
}

async fn heartbeat_loop<S: Store>(
    store: S,
    application: Application,
    lease: Duration,
    stop: CancellationToken,
    lost: CancellationToken,
) {
    let Some(held) = application.lease() else {
        return;
    };
    let every = (lease / 3).max(Duration::from_secs(1));
    loop {
        tokio::select! {
            () = tokio::time::sleep(every) => {}
            () = stop.cancelled() => return,
        }
        match store.heartbeat(held, lease).await {
            Ok(true) => {}
            Ok(false) => {
                tracing::warn!("the lease was lost: stopping this application");
                lost.cancel();
                return;
            }
            Err(e) => tracing::warn!(error = %e, "heartbeat failed; retrying"),
        }
    }
}

/// Runs one claimed application as the daemon does: `agent_logs` at start and end,
/// a heartbeat beside it, the engine in a task of its own (a panic is recorded as a
/// failed application). The replay CLI and the webhook call this too.
pub async fn run_application<S: Store + Clone + 'static>(
    store: S,
    engine: Arc<Engine>,
    lease: Duration,
    metrics: Arc<Metrics>,
    application: Application,
    cancel: CancellationToken,
    options: ApplyOptions,
) -> RunOutcome {
    let started = std::time::Instant::now();
    metrics.browser_delta(1);
    let begin = AgentLogEntry::new(
        AgentLogStatus::Started,
        Some(application.user_id),
        Some(application.id),
        OffsetDateTime::now_utc(),
    );
    if let Err(e) = store.log_agent(&begin).await {
        tracing::warn!(error = %e, "agent_logs start row not written");
    }
    let app_cancel = cancel.child_token();
    let stop_heartbeat = CancellationToken::new();
    let heartbeat = tokio::spawn(
        heartbeat_loop(
            store.clone(),
            application.clone(),
            lease,
            stop_heartbeat.clone(),
            app_cancel.clone(),
        )
        .in_current_span(),
    );
    // the application in a task of its own, so a panic in it is caught here
    let dry_run = options.dry_run;
    let attempt = {
        let (store, engine, application, app_cancel) = (
            store.clone(),
            engine.clone(),
            application.clone(),
            app_cancel.clone(),
        );
        tokio::spawn(
            async move {
                engine
                    .apply(&store, &application, &app_cancel, &options)
                    .await
            }
            .in_current_span(),
        )
        .await
    };
    stop_heartbeat.cancel();
    let _ = heartbeat.await;

    let mut end = AgentLogEntry::new(
        AgentLogStatus::Failed,
        Some(application.user_id),
        Some(application.id),
        OffsetDateTime::now_utc(),
    );
    let mut kill_switch_closed = false;
    let mut kept_report = None;
    let mut outcome_label = "error".to_owned();
    match attempt {
        Ok(Ok(report)) => {
            kill_switch_closed = report.kill_switch_closed;
            match &report.disposition {
                Disposition::Finish(outcome) => {
                    end.status = match outcome.status {
                        OutcomeStatus::Submitted => AgentLogStatus::Completed,
                        OutcomeStatus::Skipped => AgentLogStatus::Skipped,
                        _ => AgentLogStatus::Failed,
                    };
                    end.records_processed = Some(1);
                    outcome_label = outcome.status.as_str().to_owned();
                    if end.status == AgentLogStatus::Failed {
                        let text = format!(
                            "{}: {}",
                            outcome.reason.as_deref().unwrap_or(outcome.status.as_str()),
                            outcome.error.as_deref().unwrap_or_default()
                        );
                        end.error = Some(truncate_error(&text));
                    }
                    tracing::info!(
                        status = outcome.status.as_str(),
                        reason = outcome.reason.as_deref().unwrap_or(""),
                        recorded = report.recorded,
                        "application finished"
                    );
                }
                Disposition::Release | Disposition::Nothing => {
                    end.status = AgentLogStatus::Skipped;
                    end.records_processed = Some(0);
                    end.error = Some(truncate_error(&format!(
                        "claim given back: {}",
                        report.ended
                    )));
                    outcome_label = if dry_run {
                        "dry_run".into()
                    } else {
                        "released".into()
                    };
                    tracing::info!(ended = %report.ended, "claim given back");
                }
            }
            if dry_run {
                end.status = AgentLogStatus::Skipped;
                end.records_processed = Some(0);
                end.error = Some(truncate_error(&format!(
                    "dry run (nothing recorded): {}",
                    report.ended
                )));
                outcome_label = "dry_run".into();
            }
            kept_report = Some(report);
        }
        Ok(Err(e)) => {
            // the outcome could not be recorded: the lease expires and the sweeper acts
            end.error = Some(truncate_error(&format!("store_error: {e}")));
            tracing::error!(error = %e, "the application's outcome could not be recorded");
        }
        Err(join) => {
            let what = if join.is_panic() {
                "a bug (panic)"
            } else {
                "the task was aborted"
            };
            tracing::error!(
                cause = what,
                "internal error in an application; its browser was torn down"
            );
            record_internal_error(&store, &application, what).await;
            end.error = Some(format!("internal_error: {what} during the application"));
        }
    }
    end.duration_ms = Some(i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX));
    end.expires_at = OffsetDateTime::now_utc()
        + if end.status == AgentLogStatus::Failed {
            time::Duration::days(30)
        } else {
            time::Duration::days(3)
        };
    if let Err(e) = store.log_agent(&end).await {
        tracing::warn!(error = %e, "agent_logs end row not written");
    }
    metrics.browser_delta(-1);
    metrics.application_done(started.elapsed(), &outcome_label);
    RunOutcome {
        kill_switch_closed,
        report: kept_report,
        log_status: end.status,
        error: end.error,
        duration: started.elapsed(),
    }
}

async fn record_internal_error<S: Store>(store: &S, application: &Application, what: &str) {
    let Some(lease) = application.lease() else {
        return;
    };
    // after the submit gate the click may have happened: verification, never a retry
    let submitting = matches!(store.application(application.id).await, Ok(Some(row)) if row.status == ApplicationStatus::Submitting);
    let status = if submitting {
        OutcomeStatus::NeedsVerification
    } else {
        OutcomeStatus::Failed
    };
    let outcome = Outcome::new(status, Some("internal_error"))
        .with_error(&format!("internal error: {what} during the application; the browser was torn down; report it with the worker's logs"));
    if let Err(e) = store.finish(lease, &outcome).await {
        tracing::error!(error = %e, "the internal error could not be recorded (the lease will expire)");
    }
}

async fn sweep_loop<S: Store>(
    store: S,
    settings: WorkerSettings,
    metrics: Arc<Metrics>,
    cancel: CancellationToken,
) {
    let mut last_retention: Option<tokio::time::Instant> = None;
    loop {
        tokio::select! {
            () = tokio::time::sleep(jittered(settings.sweep_interval)) => {}
            () = cancel.cancelled() => return,
        }
        match store.rescue_expired().await {
            Ok(c) if c.requeued + c.failed + c.to_verify > 0 => {
                metrics.swept(c.requeued, c.failed, c.to_verify);
                tracing::warn!(
                    requeued = c.requeued,
                    failed = c.failed,
                    to_verify = c.to_verify,
                    "expired leases rescued"
                );
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "sweeper could not rescue expired leases"),
        }
        if last_retention.is_none_or(|t| t.elapsed() >= Duration::from_secs(3600)) {
            last_retention = Some(tokio::time::Instant::now());
            match store.purge_expired_agent_logs().await {
                Ok(n) if n > 0 => tracing::info!(deleted = n, "expired agent_logs purged"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "agent_logs retention failed"),
            }
            let removed = evidence::purge_older_than(&settings.screenshots_dir, RETENTION);
            if removed > 0 {
                tracing::info!(deleted = removed, "screenshots older than 30 days purged");
            }
        }
    }
}
