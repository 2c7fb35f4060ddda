//! The queue's rules as pure functions: what `finish` makes of a row, and the
//! retry backoff (the SQL functions' rules, statement for statement).

use super::{quota::Limits, rows::ms};
use crate::{
    domain::{ApplicationStatus, Outcome, OutcomeStatus},
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
    let mut status = outcome.status.as_str();
    let mut reason = outcome.reason.clone();
    let mut attempts = i64::from(row.attempts);
    let mut pending = row.verification_pending;
    let mut checks = i64::from(row.verification_checks);
    let mut run_at = ms(row.run_at);

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
        status = "needs_verification";
        reason = reason.or_else(|| Some("submit_unconfirmed".into()));
    }
    match status {
        "queued" if pending => {
            // a verification run saw clearly that LinkedIn has no application
            pending = false;
            checks = 0;
            run_at = details.run_at.map_or(now_ms, ms);
        }
        "queued" => {
            if details.keep_attempt {
                attempts = (attempts - 1).max(0);
            }
            if attempts >= i64::from(row.max_attempts) {
                status = "failed";
            } else {
                run_at = details.run_at.map_or_else(
                    || now_ms + retry_backoff_ms(limits.retry_backoff_base_secs, attempts),
                    ms,
                );
            }
        }
        "needs_verification" => {
            if pending && checks >= limits.verification_checks_max {
                status = "needs_user";
                reason = Some("unverifiable".into());
            } else {
                pending = true;
                let wait = (60_000i64 << checks.clamp(0, 20)).min(6 * 3_600_000);
                run_at = details.run_at.map_or(now_ms + wait, ms);
            }
        }
        "submitted" => pending = false,
        _ => {}
    }
    NextState {
        status,
        reason,
        attempts,
        pending,
        checks,
        run_at,
    }
}
