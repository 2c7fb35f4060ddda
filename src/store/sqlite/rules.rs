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
    let settle = limits.verification_settle_secs * 1000;
    let look = details.verification_look;
    let mut not_applied_at = row.verification_not_applied_at.map(ms);
    let mut error = None;
    // a verification run concludes "not applied" only from two looks that saw no
    // application a settle time apart; anything else it ends with is no conclusion
    let mut scheduled = false;
    if status == "queued" && pending {
        match (look, not_applied_at) {
            (Some(Look::NotApplied), Some(first)) if first + settle <= now_ms => {
                pending = false;
                checks = 0;
                not_applied_at = None;
                run_at = details.run_at.map_or(now_ms, ms);
                scheduled = true;
            }
            (Some(Look::NotApplied), _) => {
                let first = *not_applied_at.get_or_insert(now_ms);
                status = "needs_verification";
                reason = Some("verification_second_look".into());
                error = Some(SECOND_LOOK);
                run_at = first + settle;
                scheduled = true;
            }
            _ => {
                status = "needs_verification";
                reason = reason.or_else(|| Some("verification_inconclusive".into()));
            }
        }
    }
    match status {
        _ if scheduled => {}
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
                // never a first look before the settle time after the submit began
                let settled = row.submit_started_at.map_or(now_ms, ms) + settle;
                run_at = details.run_at.map_or((now_ms + wait).max(settled), ms);
            }
        }
        "submitted" => {
            pending = false;
            not_applied_at = None;
        }
        _ => {}
    }
    NextState {
        status,
        reason,
        attempts,
        pending,
        checks,
        run_at,
        not_applied_at,
        error,
    }
}
