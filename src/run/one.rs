//! One application run, as the daemon's loop, the webhook and the replay CLI all do
//! it: `agent_logs` at start and end, a heartbeat beside it, the engine in a task of
//! its own (a panic is recorded as a failed application, never a dead worker).

use std::{sync::Arc, time::Duration};

use time::OffsetDateTime;
use tokio_util::sync::CancellationToken;

use super::heartbeat::attempt_with_heartbeat;
use crate::{
    apply::{ApplyOptions, AttemptReport, Engine, outcome::Disposition},
    domain::{ApplicationStatus, GiveBack, Outcome, OutcomeStatus, truncate_error},
    lease::LeaseClock,
    metrics::Metrics,
    store::{AgentLogEntry, AgentLogStatus, Application, Store},
};

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

/// Runs one claimed application as the daemon does: `agent_logs` at start and end,
/// a heartbeat beside it, the engine in a task of its own (a panic is recorded as a
/// failed application). [`super::Runner::start`] is its one caller.
pub(super) async fn run_application<S: Store + Clone + 'static>(
    store: S,
    engine: Arc<Engine>,
    lease: Duration,
    metrics: Arc<Metrics>,
    application: Application,
    cancel: CancellationToken,
    options: ApplyOptions,
) -> RunOutcome {
    let started = std::time::Instant::now();
    let browser = metrics.browser_started();
    let begin = AgentLogEntry::new(
        AgentLogStatus::Started,
        Some(application.user_id),
        Some(application.id),
        OffsetDateTime::now_utc(),
    );
    if let Err(e) = store.log_agent(&begin).await {
        tracing::warn!(error = %e, "agent_logs start row not written");
    }
    let dry_run = options.dry_run;
    // the lease began after the claim was asked for: counted from then
    let clock = LeaseClock::starting(
        application
            .claimed_at
            .unwrap_or_else(std::time::Instant::now),
        lease,
    );
    let attempt = attempt_with_heartbeat(
        &store,
        engine,
        (lease, clock.clone()),
        &application,
        cancel,
        options,
    )
    .await;
    let mut end = AgentLogEntry::new(
        AgentLogStatus::Failed,
        Some(application.user_id),
        Some(application.id),
        OffsetDateTime::now_utc(),
    );
    let (report, outcome_label) = settle(
        &store,
        &application,
        (&clock, dry_run),
        &metrics,
        attempt,
        &mut end,
    )
    .await;
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
    metrics.browser_ended(browser);
    metrics.application_done(started.elapsed(), &outcome_label);
    RunOutcome {
        kill_switch_closed: report.as_ref().is_some_and(|r| r.kill_switch_closed),
        report,
        log_status: end.status,
        error: end.error,
        duration: started.elapsed(),
    }
}

/// What an attempt ended with: the report and the metrics' label, the `agent_logs`
/// end row filled; a store error gives the claim back, a panic is recorded.
async fn settle<S: Store>(
    store: &S,
    application: &Application,
    (clock, dry_run): (&LeaseClock, bool),
    metrics: &Metrics,
    attempt: Result<Result<AttemptReport, crate::store::StoreError>, tokio::task::JoinError>,
    end: &mut AgentLogEntry,
) -> (Option<AttemptReport>, String) {
    match attempt {
        Ok(Ok(report)) => {
            metrics.phases_done(&report.phases);
            if let Some(code) = &report.language {
                metrics.language_seen(code);
            }
            let label = end_of_attempt(end, &report, dry_run);
            (Some(report), label)
        }
        Ok(Err(e)) => {
            end.error = Some(truncate_error(&format!("store_error: {e}")));
            tracing::error!(error = %e, "the application's outcome could not be recorded");
            if !dry_run {
                release_after_store_error(store, application, clock, &e).await;
            }
            (None, "error".to_owned())
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
            record_internal_error(store, application, what).await;
            end.error = Some(format!("internal_error: {what} during the application"));
            (None, "error".to_owned())
        }
    }
}

/// Fills the `agent_logs` end row from a finished attempt; returns the metrics'
/// outcome label.
fn end_of_attempt(end: &mut AgentLogEntry, report: &AttemptReport, dry_run: bool) -> String {
    let label = match &report.disposition {
        Disposition::Finish(outcome) => {
            end.status = match outcome.status {
                OutcomeStatus::Submitted => AgentLogStatus::Completed,
                OutcomeStatus::Skipped => AgentLogStatus::Skipped,
                _ => AgentLogStatus::Failed,
            };
            end.records_processed = Some(1);
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
            outcome.status.as_str().to_owned()
        }
        Disposition::Release(_) | Disposition::Nothing => {
            end.status = AgentLogStatus::Skipped;
            end.records_processed = Some(0);
            end.error = Some(truncate_error(&format!(
                "claim given back: {}",
                report.ended
            )));
            tracing::info!(ended = %report.ended, "claim given back");
            if dry_run { "dry_run" } else { "released" }.to_owned()
        }
    };
    if !dry_run {
        return label;
    }
    end.status = AgentLogStatus::Skipped;
    end.records_processed = Some(0);
    end.error = Some(truncate_error(&format!(
        "dry run (nothing recorded): {}",
        report.ended
    )));
    "dry_run".to_owned()
}

/// How long a row given back after a store error waits before any worker claims it
/// again: a fault that fails every run of this row before the browser (a row the
/// store cannot read) costs two claims a minute, not a loop.
pub const AFTER_STORE_ERROR: Duration = Duration::from_secs(30);

/// The store failed the run before an outcome was written (an outage outlasting the
/// retries): the claim is given back at once, without spending the attempt, while
/// the lease holds — not left `claimed` without a browser until it expires — with
/// the error on the row and [`AFTER_STORE_ERROR`] before the next claim. A row past
/// its submit gate is untouched (release only moves a `claimed` row).
async fn release_after_store_error<S: Store>(
    store: &S,
    application: &Application,
    clock: &LeaseClock,
    error: &crate::store::StoreError,
) {
    let Some(lease) = application.lease() else {
        return;
    };
    if !clock.holds() {
        return;
    }
    let why = GiveBack::new(
        "store_error",
        &format!(
            "the store failed during the attempt ({error}): given back with no attempt spent; claimable again in {} s",
            AFTER_STORE_ERROR.as_secs()
        ),
        AFTER_STORE_ERROR,
    );
    match clock.within(store.release(lease, &why)).await {
        Some(Ok(true)) => {
            tracing::warn!("the claim was given back after the store error; no attempt spent");
        }
        Some(Ok(false)) => {}
        Some(Err(e)) => {
            tracing::warn!(error = %e, "the claim could not be given back (the lease will expire)");
        }
        None => tracing::warn!("the store did not answer before the lease's deadline"),
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
