//! The daemon's loop: claim → apply → finish, with heartbeats, the kill switch, the
//! sweeper and retention. Several workers on several servers cooperate through the
//! database alone (leases, fencing tokens, atomic quotas).
//!
//! - polls with jitter, wakes at once on [`Worker::wake_handle`];
//! - runs up to `concurrency` applications, each in its own task (a panic is caught:
//!   that application fails with a reason, the drop guard kills its browser);
//! - a closed kill switch stops claiming, is logged once and checked cheaply until
//!   it opens again (next UTC day, or a raised limit);
//! - an open drift breaker (shared through the store: structural failures across
//!   several users in a row) stops claiming until it closes, logged as an error once;
//! - the database unreachable: exponential backoff with jitter, no crash.

use std::{path::PathBuf, sync::Arc, time::Duration};

use futures_util::{StreamExt as _, stream::FuturesUnordered};
use rand::RngExt as _;
use time::OffsetDateTime;
use tokio::{sync::Notify, task::JoinHandle};
use tokio_util::sync::CancellationToken;
use tracing::Instrument as _;

use super::{
    RunOutcome,
    runner::{Runner, TooSoon, Via},
    sweep::jittered,
};
use crate::{
    apply::ApplyOptions,
    domain::{Outcome, OutcomeStatus},
    store::{Application, Store},
    systemd,
};

/// How the loop behaves.
#[derive(Debug, Clone)]
pub struct WorkerSettings {
    /// this worker's name in `lease_owner`
    pub worker_id: String,
    /// polling when idle
    pub poll_interval: Duration,
    /// how often the sweeper runs
    pub sweep_interval: Duration,
    /// screenshots (for retention)
    pub screenshots_dir: PathBuf,
    /// keep a screenshot of the job page and of every form step (`<id>-job-page.png`, `<id>-step-<n>.png`; the demo does)
    pub step_screenshots: bool,
}

/// The worker.
pub struct Worker<S> {
    runner: Arc<Runner<S>>,
    settings: WorkerSettings,
    wake: Arc<Notify>,
}

/// What one turn of the loop calls for.
enum Turn {
    /// look again at once
    Again,
    /// wait this long (or less, see [`Worker::idle`])
    Wait(Duration),
}

/// The loop's state between turns.
struct LoopState {
    tasks: FuturesUnordered<JoinHandle<RunOutcome>>,
    /// an application ran since the queue was last dry
    worked: bool,
    backoff: Backoff,
    kill_switch_closed: bool,
    /// the drift breaker is open until then
    drift_open_until: Option<OffsetDateTime>,
    /// when the breaker was last read from the store
    drift_checked: Option<tokio::time::Instant>,
    /// a claim whose answer was not heard (the store unreachable): asked again with
    /// the same request, it hands back the row it took rather than taking a second
    claim_unanswered: Option<crate::store::ClaimRequest>,
}

/// Takes the drift breaker as the store reports it; an opening is logged once, and
/// an early close (an operator cleared it after fixing the site file) is taken at once.
fn note_drift(state: &mut LoopState, status: &crate::store::DriftStatus) {
    if !status.is_open(OffsetDateTime::now_utc()) {
        drift_closed(state);
        return;
    }
    if state.drift_open_until.is_none() {
        tracing::error!(
            open_until = ?status.open_until,
            last_reason = status.last_reason.as_deref().unwrap_or("-"),
            "the drift breaker is open: LinkedIn's markup no longer matches the site file; \
             not claiming until it closes. Compare selectors/linkedin.toml with the page \
             snapshots beside the screenshots (`autoapply selectors check --html <id>.html`)"
        );
        systemd::status("drift breaker open: not claiming");
    }
    state.drift_open_until = status.open_until;
}

/// The drift breaker is closed (it expired, or an operator cleared it): claim again,
/// said once.
fn drift_closed(state: &mut LoopState) {
    if state.drift_open_until.take().is_some() {
        tracing::info!("the drift breaker closed: claiming again");
        systemd::status("applying");
    }
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

impl<S: Store + Clone + 'static> Worker<S> {
    /// A worker claiming from `runner`'s store and starting what it claims there.
    pub fn new(runner: Arc<Runner<S>>, settings: WorkerSettings) -> Self {
        Self {
            runner,
            settings,
            wake: Arc::new(Notify::new()),
        }
    }

    /// Notify this to make the loop look for work at once.
    pub fn wake_handle(&self) -> Arc<Notify> {
        self.wake.clone()
    }

    /// Runs until `cancel`; returns once every application it started has reached a
    /// safe point (released, or recorded).
    pub async fn run(self, cancel: CancellationToken) {
        let span = tracing::info_span!("worker", worker.id = %self.settings.worker_id);
        self.run_loop(cancel).instrument(span).await;
    }

    async fn run_loop(self, cancel: CancellationToken) {
        // until the last application drained, not only until shutdown began
        let collector = tokio::spawn(
            crate::browser::reap::collect_as_they_end(CancellationToken::new())
                .instrument(tracing::info_span!("collector")),
        );
        let sweeper = tokio::spawn(
            super::sweep::sweep_loop(
                self.runner.store().clone(),
                self.settings.sweep_interval,
                self.settings.screenshots_dir.clone(),
                self.runner.metrics().clone(),
                cancel.clone(),
            )
            .instrument(tracing::info_span!("sweeper")),
        );
        let mut state = LoopState {
            tasks: FuturesUnordered::new(),
            worked: false,
            backoff: Backoff { failures: 0 },
            kill_switch_closed: false,
            drift_open_until: None,
            drift_checked: None,
            claim_unanswered: None,
        };
        let watchdog = systemd::watchdog_interval();
        let mut last_ping = tokio::time::Instant::now();
        systemd::status("applying");
        loop {
            self.runner.metrics().tick();
            if let Some(every) = watchdog
                && last_ping.elapsed() >= every
            {
                systemd::watchdog();
                last_ping = tokio::time::Instant::now();
            }
            if cancel.is_cancelled() {
                break;
            }
            let turn = if state.kill_switch_closed {
                self.kill_switch_turn(&mut state).await
            } else if let Some(wait) = self.drift_wait(&mut state).await {
                wait
            } else if let Some(slot) = self.runner.slot() {
                self.claim_turn(&mut state, slot).await
            } else {
                Turn::Wait(jittered(self.settings.poll_interval))
            };
            let Turn::Wait(mut delay) = turn else {
                continue;
            };
            if let Some(every) = watchdog {
                delay = delay.min(every);
            }
            self.idle(&mut state, delay, &cancel).await;
        }
        systemd::stopping();
        systemd::status("stopping: waiting for in-flight applications");
        while state.tasks.next().await.is_some() {}
        sweeper.abort();
        collector.abort();
    }

    /// The kill switch is closed: has the global limit room again?
    async fn kill_switch_turn(&self, state: &mut LoopState) -> Turn {
        match self.runner.store().linkedin_daily_status().await {
            Ok(status) if status.remaining > 0 => {
                tracing::info!(
                    remaining = status.remaining,
                    "the global LinkedIn limit has room again: claiming"
                );
                state.kill_switch_closed = false;
                systemd::status("applying");
                Turn::Again
            }
            Ok(_) => Turn::Wait(Duration::from_secs(60).min(self.settings.poll_interval * 12)),
            Err(e) => {
                tracing::warn!(error = %e, "kill-switch check failed");
                Turn::Wait(state.backoff.next())
            }
        }
    }

    /// The drift breaker: a wait while it is open. Read from the store at most every
    /// few polls, and at once when a run of this worker counted an ending.
    async fn drift_wait(&self, state: &mut LoopState) -> Option<Turn> {
        let every = (self.settings.poll_interval * 6).min(Duration::from_secs(30));
        if state.drift_checked.is_none_or(|t| t.elapsed() >= every) {
            state.drift_checked = Some(tokio::time::Instant::now());
            match self.runner.store().drift_status().await {
                Ok(status) => note_drift(state, &status),
                // the claim that follows reports an unreachable database
                Err(e) => tracing::debug!(error = %e, "drift breaker check failed"),
            }
        }
        let until = state.drift_open_until?;
        let left = until - OffsetDateTime::now_utc();
        if left.is_positive() {
            return Some(Turn::Wait(
                Duration::try_from(left).unwrap_or(every).min(every),
            ));
        }
        drift_closed(state);
        None
    }

    /// Claims the next application and starts it in `slot` (or defers it: its user's
    /// previous application was too recent).
    async fn claim_turn(&self, state: &mut LoopState, slot: super::admission::Slot) -> Turn {
        // a request older than a quarter lease: its row, if any, is not worth having
        // (the run would start with little of its lease left)
        let request = state
            .claim_unanswered
            .take()
            .filter(|r| r.asked.elapsed() < self.runner.lease() / 4)
            .unwrap_or_default();
        let claimed = self
            .runner
            .store()
            .claim_as(&self.settings.worker_id, self.runner.lease(), request)
            .await;
        if claimed.is_err() {
            state.claim_unanswered = Some(request);
        } else {
            if state.backoff.failures > 0 {
                tracing::info!("the database is reachable again");
            }
            state.backoff.failures = 0;
        }
        let application = match claimed {
            Ok(Some(application)) => application,
            Ok(None) => {
                // the queue ran dry: give the pages freed by the run back
                if state.worked && state.tasks.is_empty() {
                    state.worked = false;
                    crate::heap::trim();
                }
                return Turn::Wait(jittered(self.settings.poll_interval));
            }
            Err(e) => {
                let delay = state.backoff.next();
                if state.backoff.failures == 1 || state.backoff.failures.is_multiple_of(10) {
                    tracing::warn!(error = %e, failures = state.backoff.failures, retry_in_ms = delay.as_millis() as u64, "cannot claim: database unreachable, backing off");
                }
                return Turn::Wait(delay);
            }
        };
        let options = ApplyOptions {
            step_screenshots: self.settings.step_screenshots,
            ..ApplyOptions::default()
        };
        match self.runner.start(slot, application, options, Via::Loop) {
            Ok(run) => {
                state.worked = true;
                state.tasks.push(run);
            }
            Err(TooSoon { application, wait }) => self.defer(&application, wait).await,
        }
        Turn::Again
    }

    /// Waits `delay`, or less: a wake-up, a finished application (which may close
    /// the kill switch), or shutdown.
    async fn idle(&self, state: &mut LoopState, delay: Duration, cancel: &CancellationToken) {
        tokio::select! {
            () = tokio::time::sleep(delay) => {}
            () = self.wake.notified() => {}
            Some(joined) = state.tasks.next(), if !state.tasks.is_empty() => {
                let Ok(finished) = joined else { return };
                if let Some(status) = finished.report.as_ref().and_then(|r| r.drift.as_ref()) {
                    note_drift(state, status);
                }
                if finished.kill_switch_closed && !state.kill_switch_closed {
                    tracing::warn!("the global LinkedIn limit for today is reached: no more claims until it opens again");
                    systemd::status("global LinkedIn limit reached: waiting");
                    state.kill_switch_closed = true;
                }
            }
            () = cancel.cancelled() => {}
        }
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
        if let Err(e) = self.runner.store().finish(lease, &outcome).await {
            tracing::warn!(error = %e, "could not defer an application (its lease will expire)");
        }
    }
}
