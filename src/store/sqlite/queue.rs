//! The queue on SQLite: claims (lease and fencing token from one counter), heartbeats,
//! finishing and the sweeper's rescue, rule for rule as the SQL functions (releasing
//! and what makes a repeated call safe: `repeat.rs`).

use std::time::Duration;

use rusqlite::{OptionalExtension as _, Transaction, params};

use super::{
    Sql as _, SqliteStore,
    quota::limits,
    repeat::{claimed_by_request, finished_as, revive_for_late_submission},
    rows::*,
    rules::next_state,
};
use crate::{
    domain::{ApplicationId, Lease, Outcome, SessionStatus, truncate_error},
    store::{Application, ClaimBy, RescueCounts, StatusCount, StoreError},
};

pub(super) async fn claim(
    store: &SqliteStore,
    worker: &str,
    lease: Duration,
    request: uuid::Uuid,
) -> Result<Option<Application>, StoreError> {
    const OP: &str = "claim_application";
    check_worker(worker)?;
    let worker = worker.to_owned();
    let request = request.to_string();
    store
        .tx(OP, move |tx, now| {
            let now_ms = ms(now);
            if let Some(row) = claimed_by_request(tx, &request, &worker, now_ms).sql(OP)? {
                return Ok(Some(row));
            }
            let candidate: Option<String> = tx
                .query_row(
                    concat!(
                        "select a.id from job_applications a where ",
                        claimable_where!(),
                        " and not exists (
                      select 1 from job_applications b
                       where b.user_id = a.user_id and b.status in ('claimed', 'submitting'))
                     order by a.run_at, a.created_at, a.id
                     limit 1"
                    ),
                    params![now_ms, utc_day(now)],
                    |r| r.get(0),
                )
                .optional()
                .sql(OP)?;
            let Some(id) = candidate else {
                return Ok(None);
            };
            let token = next_token(tx).sql(OP)?;
            tx.execute(
                "update job_applications
                set attempts = attempts + case when status = 'queued' then 1 else 0 end,
                    verification_checks = verification_checks
                      + case when status = 'needs_verification' then 1 else 0 end,
                    status = 'claimed', lease_owner = ?2, lease_token = ?3,
                    lease_expires_at = ?4, updated_at = ?5,
                    claim_request = ?6, claim_request_token = ?3
              where id = ?1",
                params![id, worker, token, now_ms + lease_ms(lease), now_ms, request],
            )
            .sql(OP)?;
            tx.query_row(
                &format!("select {COLUMNS} from job_applications where id = ?1"),
                params![id],
                application_row,
            )
            .optional()
            .sql(OP)
        })
        .await
}

pub(super) async fn claim_by_id(
    store: &SqliteStore,
    id: ApplicationId,
    worker: &str,
    lease: Duration,
    by: ClaimBy,
) -> Result<Option<Application>, StoreError> {
    const OP: &str = "claim_application_by_id";
    check_worker(worker)?;
    let worker = worker.to_owned();
    store.tx(OP, move |tx, now| {
        let now_ms = ms(now);
        rescue(tx, now_ms).sql(OP)?;
        let token = next_token(tx).sql(OP)?;
        let changed = tx
            .execute(
                "update job_applications
                    set attempts = attempts + case when status = 'needs_verification' then 0 else 1 end,
                        verification_checks = verification_checks
                          + case when status = 'needs_verification' then 1 else 0 end,
                        status = 'claimed', lease_owner = ?2, lease_token = ?3,
                        lease_expires_at = ?4, updated_at = ?5
                  where id = ?1
                    and ((status = 'needs_verification' and run_at <= ?5)
                         or (status = 'queued' and (?6 or attempts < max_attempts))
                         or (?6 and status in ('failed', 'needs_user', 'skipped')))
                    and exists (
                      select 1 from platform_sessions s
                       where s.user_id = job_applications.user_id
                         and s.platform = job_applications.platform and s.status = 'valid'
                         and (s.paused_until is null or s.paused_until <= ?5))
                    and not exists (
                      select 1 from job_applications b
                       where b.user_id = job_applications.user_id
                         and b.status in ('claimed', 'submitting'))",
                params![id.to_string(), worker, token, now_ms + lease_ms(lease), now_ms, by.is_operator()],
            )
            .sql(OP)?;
        if changed == 0 {
            return Ok(None);
        }
        select_application(tx, id).sql(OP)
    })
    .await
}

pub(super) async fn application_counts(
    store: &SqliteStore,
) -> Result<Vec<StatusCount>, StoreError> {
    const OP: &str = "application_counts";
    store
        .tx(OP, |tx, _| {
            let mut stmt = tx
            .prepare(
                "select status, coalesce(reason, ''), count(*) from job_applications group by 1, 2",
            )
            .sql(OP)?;
            let rows = stmt
                .query_map([], |r| {
                    Ok(StatusCount {
                        status: r.get(0)?,
                        reason: r.get(1)?,
                        applications: r.get(2)?,
                    })
                })
                .sql(OP)?;
            rows.collect::<rusqlite::Result<Vec<_>>>().sql(OP)
        })
        .await
}

pub(super) async fn heartbeat(
    store: &SqliteStore,
    lease: Lease,
    duration: Duration,
) -> Result<bool, StoreError> {
    const OP: &str = "heartbeat_application";
    store
        .tx(OP, move |tx, now| {
            let changed = tx
                .execute(
                    "update job_applications set lease_expires_at = ?3
                  where id = ?1 and lease_token = ?2 and status in ('claimed', 'submitting')",
                    params![
                        lease.id.to_string(),
                        lease.token.0,
                        ms(now) + lease_ms(duration)
                    ],
                )
                .sql(OP)?;
            Ok(changed == 1)
        })
        .await
}

pub(super) async fn finish(
    store: &SqliteStore,
    lease: Lease,
    outcome: &Outcome,
) -> Result<bool, StoreError> {
    const OP: &str = "finish_application";
    let outcome = outcome.clone();
    store
        .tx(OP, move |tx, now| {
            let now_ms = ms(now);
            if let Some(asked) = finished_as(tx, lease).sql(OP)? {
                return Ok(asked == outcome.status.as_str());
            }
            if outcome.status == crate::domain::OutcomeStatus::Submitted {
                // found below when revived; otherwise the row is not ours: false
                revive_for_late_submission(tx, lease, now_ms).sql(OP)?;
            }
            let Some(row) = held_application(tx, lease).sql(OP)? else {
                return Ok(false);
            };
            let limits = limits(tx).sql(OP)?;
            let details = &outcome.details;
            let next = next_state(&row, &outcome, &limits, now_ms);
            let status = next.status;
            let questions = match &details.pending_questions {
                Some(q) => Some(q.to_string()),
                None if status == "submitted" => None,
                None => row.pending_questions.as_ref().map(ToString::to_string),
            };
            let looks = looks_with(&row, details.verification_look, now_ms);
            tx.execute(
                "update job_applications
                set status = ?2, reason = ?3, last_error = ?4, attempts = ?5,
                    verification_pending = ?6, verification_checks = ?7, run_at = ?8,
                    pending_questions = ?9,
                    screenshot_path = coalesce(?10, screenshot_path),
                    submitted_at = case when ?2 = 'submitted' then ?11 else submitted_at end,
                    verification_not_applied_at = ?12, verification_looks = ?13,
                    receipt = coalesce(?14, receipt),
                    display_language = coalesce(?15, display_language),
                    finished_token = ?16, finished_as = ?17,
                    lease_owner = null, lease_expires_at = null, updated_at = ?11
              where id = ?1",
                params![
                    lease.id.to_string(),
                    status,
                    next.reason,
                    next.error.or(outcome.error.as_deref()).map(truncate_error),
                    next.attempts,
                    next.pending,
                    next.checks,
                    next.run_at,
                    questions,
                    details.screenshot_path,
                    now_ms,
                    next.not_applied_at,
                    looks,
                    details.receipt.as_ref().map(ToString::to_string),
                    details.display_language,
                    lease.token.0,
                    outcome.status.as_str(),
                ],
            )
            .sql(OP)?;
            update_session(tx, &row, details, now_ms).sql(OP)?;
            Ok(true)
        })
        .await
}

/// The row's timeline of verification looks with `look` appended (the last 20), as
/// JSON text: `[{"at", "saw", "by"}]`.
fn looks_with(row: &Application, look: Option<crate::domain::Look>, now_ms: i64) -> String {
    let mut looks = row
        .verification_looks
        .as_array()
        .cloned()
        .unwrap_or_default();
    if let Some(look) = look {
        let at = from_ms(now_ms)
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        looks.push(serde_json::json!({"at": at, "saw": look.as_str(), "by": row.lease_owner}));
    }
    let skip = looks.len().saturating_sub(20);
    serde_json::Value::from(looks.split_off(skip)).to_string()
}

pub(super) async fn rescue_expired(store: &SqliteStore) -> Result<RescueCounts, StoreError> {
    const OP: &str = "rescue_expired_applications";
    store.tx(OP, |tx, now| rescue(tx, ms(now)).sql(OP)).await
}

pub(super) async fn application(
    store: &SqliteStore,
    id: ApplicationId,
) -> Result<Option<Application>, StoreError> {
    const OP: &str = "select job_applications";
    store
        .tx(OP, move |tx, _| select_application(tx, id).sql(OP))
        .await
}

/// The SQL of `retry_backoff`, for set-wise updates; `?1` is the base in seconds.
pub(super) const RETRY_BACKOFF_SQL: &str =
    "min(3600000, ?1 * 1000 * (1 << max(min(attempts, 20), 0)))";

pub(super) fn rescue(tx: &Transaction<'_>, now: i64) -> rusqlite::Result<RescueCounts> {
    let limits = limits(tx)?;
    let base = limits.retry_backoff_base_secs;
    let settle = limits.verification_settle_secs * 1000;
    let requeued = tx.execute(
        &format!(
            "update job_applications
                set status = 'queued', reason = 'lease_expired',
                    last_error = 'the worker stopped renewing its lease before submitting',
                    lease_owner = null, lease_expires_at = null,
                    run_at = ?2 + {RETRY_BACKOFF_SQL}, updated_at = ?2
              where status = 'claimed' and lease_expires_at < ?2
                and not verification_pending and attempts < max_attempts"
        ),
        params![base, now],
    )?;
    let failed = tx.execute(
        "update job_applications
            set status = 'failed', reason = 'lease_expired',
                last_error = 'the worker stopped renewing its lease before submitting; no attempts left',
                lease_owner = null, lease_expires_at = null, updated_at = ?1
          where status = 'claimed' and lease_expires_at < ?1
            and not verification_pending and attempts >= max_attempts",
        params![now],
    )?;
    let verify_claimed = tx.execute(
        "update job_applications
            set status = 'needs_verification', lease_owner = null, lease_expires_at = null,
                run_at = max(?1, coalesce(submit_started_at, ?1) + ?2), updated_at = ?1
          where status = 'claimed' and lease_expires_at < ?1 and verification_pending",
        params![now, settle],
    )?;
    let verify_submitting = tx.execute(
        "update job_applications
            set status = 'needs_verification', reason = 'submit_unconfirmed',
                last_error = 'the worker stopped renewing its lease while submitting; LinkedIn must be checked before any retry',
                verification_pending = 1, lease_owner = null, lease_expires_at = null,
                run_at = max(?1, coalesce(submit_started_at, ?1) + ?2), updated_at = ?1
          where status = 'submitting' and lease_expires_at < ?1",
        params![now, settle],
    )?;
    let count = |n: usize| i32::try_from(n).unwrap_or(i32::MAX);
    Ok(RescueCounts {
        requeued: count(requeued),
        failed: count(failed),
        to_verify: count(verify_claimed + verify_submitting),
    })
}

pub(super) fn check_worker(worker: &str) -> Result<(), StoreError> {
    if worker.is_empty() || worker.len() > 200 {
        return Err(StoreError::Embedded {
            operation: "claim".into(),
            detail: "worker name must be 1 to 200 characters".into(),
            busy: false,
        });
    }
    Ok(())
}

/// Pauses, marks or validates the user's session as the outcome says.
fn update_session(
    tx: &Transaction<'_>,
    row: &Application,
    details: &crate::domain::OutcomeDetails,
    now_ms: i64,
) -> rusqlite::Result<()> {
    if details.pause_user_until.is_some()
        || details.session_status.is_some()
        || details.session_validated_at.is_some()
    {
        // validated_at only moves forward; the status is left to session_status
        tx.execute(
            "update platform_sessions
                set paused_until = coalesce(?3, paused_until),
                    status = coalesce(?4, status), updated_at = ?5,
                    validated_at = case
                      when ?6 is not null and (validated_at is null or validated_at < ?6)
                      then ?6 else validated_at end
              where user_id = ?1 and platform = ?2",
            params![
                row.user_id.to_string(),
                row.platform.as_str(),
                details.pause_user_until.map(ms),
                details.session_status.map(SessionStatus::as_str),
                now_ms,
                details.session_validated_at.map(ms)
            ],
        )?;
    }
    Ok(())
}
