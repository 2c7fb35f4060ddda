//! The queue's rules as pure functions: what `finish` makes of a row, and the
//! retry backoff (the SQL functions' rules, statement for statement).

use super::{quota::Limits, rows::ms};
use crate::{
    domain::{ApplicationStatus, Look, Outcome, OutcomeStatus},
    store::Application,
};

/// base * 2^attempts seconds, at most an hour (`autoapply_private.retry_backoff`).
pub(super) fn retry_backoff_ms(base_secs: i64, attempts: i64) -> i64 {
    let factor = 1i64 << attempts.clamp(0, 20);
    base_secs
        .saturating_mul(1000)
        .saturating_mul(factor)
        .min(3_600_000)
}

/// A row's next state under the queue's rules (the SQL function's, statement for
/// statement).
pub(super) struct NextState {
    pub(super) status: &'static str,
    pub(super) reason: Option<String>,
    pub(super) attempts: i64,
    pub(super) pending: bool,
    pub(super) checks: i64,
    pub(super) run_at: i64,
    /// when a look first saw no application
    pub(super) not_applied_at: Option<i64>,
    /// replaces the outcome's error (the second-look notice)
    pub(super) error: Option<&'static str>,
}

/// The second-look notice (`verification_second_look`), as the SQL function writes it.
pub(super) const SECOND_LOOK: &str = "LinkedIn showed no application at this look; its \"Applied\" state can lag, so a second look a settle time later decides";

/// A verification run that ends `queued`: two "not applied" looks a settle time apart
/// re-queue it; a first such look asks for a second; anything else (a crash) is no
/// conclusion. Returns whether `run_at` is settled here.
fn apply_look(
    next: &mut NextState,
    details: &crate::domain::OutcomeDetails,
    settle: i64,
    now_ms: i64,
) -> bool {
    match (details.verification_look, next.not_applied_at) {
        (Some(Look::NotApplied), Some(first)) if first + settle <= now_ms => {
            next.pending = false;
            next.checks = 0;
            next.not_applied_at = None;
            next.run_at = details.run_at.map_or(now_ms, ms);
            true
        }
        (Some(Look::NotApplied), first) => {
            let first = first.unwrap_or(now_ms);
            next.status = "needs_verification";
            next.reason = Some("verification_second_look".into());
            next.error = Some(SECOND_LOOK);
            next.not_applied_at = Some(first);
            next.run_at = first + settle;
            true
        }
        _ => {
            // the outcome's own reason stays (a crash), else "inconclusive"
            next.status = "needs_verification";
            if next.reason.is_none() {
                next.reason = Some("verification_inconclusive".into());
            }
            false
        }
    }
}

/// Applies the rules of `finish` to `row`: never a blind retry after the submit
/// gate, backoff and spent attempts for a retry, the verification schedule.
pub(super) fn next_state(
    row: &Application,
    outcome: &Outcome,
    limits: &Limits,
    now_ms: i64,
) -> NextState {
    let details = &outcome.details;
    let mut next = NextState {
        status: outcome.status.as_str(),
        reason: outcome.reason.clone(),
        attempts: i64::from(row.attempts),
        pending: row.verification_pending,
        checks: i64::from(row.verification_checks),
        run_at: ms(row.run_at),
        not_applied_at: row.verification_not_applied_at.map(ms),
        error: None,
    };
    // after begin_submit the click may have happened: never a blind retry
    if row.status == ApplicationStatus::Submitting
        && !matches!(
            outcome.status,
            OutcomeStatus::Submitted
                | OutcomeStatus::NeedsVerification
                | OutcomeStatus::Failed
                | OutcomeStatus::NeedsUser
        )
    {
        next.status = "needs_verification";
        next.reason = next.reason.or_else(|| Some("submit_unconfirmed".into()));
    }
    let settle = limits.verification_settle_secs * 1000;
    let scheduled =
        next.status == "queued" && next.pending && apply_look(&mut next, details, settle, now_ms);
    match next.status {
        _ if scheduled => {}
        "queued" => {
            if details.keep_attempt {
                next.attempts = (next.attempts - 1).max(0);
            }
            if next.attempts >= i64::from(row.max_attempts) {
                next.status = "failed";
            } else {
                next.run_at = details.run_at.map_or_else(
                    || now_ms + retry_backoff_ms(limits.retry_backoff_base_secs, next.attempts),
                    ms,
                );
            }
        }
        "needs_verification" => {
            if next.pending && next.checks >= limits.verification_checks_max {
                next.status = "needs_user";
                next.reason = Some("unverifiable".into());
            } else {
                next.pending = true;
                let wait = (60_000i64 << next.checks.clamp(0, 20)).min(6 * 3_600_000);
                // never a first look before the settle time after the submit began
                let settled = row.submit_started_at.map_or(now_ms, ms) + settle;
                next.run_at = details.run_at.map_or((now_ms + wait).max(settled), ms);
            }
        }
        "submitted" => {
            next.pending = false;
            next.not_applied_at = None;
        }
        // nothing was tried (a display language without texts): no attempt spent
        "needs_user" if details.keep_attempt => {
            next.attempts = (next.attempts - 1).max(0);
        }
        _ => {}
    }
    next
}
