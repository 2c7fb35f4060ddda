//! What makes a repeated lease call safe on SQLite (as
//! `supabase/migrations/20261202000200_*` and `20261202000300_*`): the row a claim
//! request already took, the token that finished or released a row, what it asked
//! for, the late record of a confirmed submission, and the release.

use rusqlite::{OptionalExtension as _, params};

use super::{Sql as _, SqliteStore, rows::*};
use crate::{
    domain::{GiveBack, Lease},
    store::{Application, StoreError},
};

/// The row `request` claimed for `worker`, while that claim's lease holds under the
/// token it got (any later claim of the row gave it a new token): the claim is a
/// repeat whose answer was lost.
pub(super) fn claimed_by_request(
    tx: &rusqlite::Transaction<'_>,
    request: &str,
    worker: &str,
    now_ms: i64,
) -> rusqlite::Result<Option<Application>> {
    tx.query_row(
        &format!(
            "select {COLUMNS} from job_applications
              where claim_request = ?1 and claim_request_token = lease_token
                and status = 'claimed' and lease_owner = ?2 and lease_expires_at > ?3"
        ),
        params![request, worker, now_ms],
        application_row,
    )
    .optional()
}

/// What the token already finished the row as (a status, or `released`), when it
/// did: the call is a repeat.
pub(super) fn finished_as(
    tx: &rusqlite::Transaction<'_>,
    lease: Lease,
) -> rusqlite::Result<Option<String>> {
    tx.query_row(
        "select coalesce(finished_as, '') from job_applications
          where id = ?1 and finished_token = ?2",
        params![lease.id.to_string(), lease.token.0],
        |r| r.get(0),
    )
    .optional()
}

/// A confirmed submission whose record came after the lease: the sweeper moved the
/// row to verification and nobody claimed it since (the token is still ours), so it
/// is `submitting` again for this finish. Not when the user's next application runs
/// (one live row per user): the verification records it then.
pub(super) fn revive_for_late_submission(
    tx: &rusqlite::Transaction<'_>,
    lease: Lease,
    now_ms: i64,
) -> rusqlite::Result<bool> {
    let revived = tx.execute(
        "update job_applications set status = 'submitting', lease_expires_at = ?3
          where id = ?1 and lease_token = ?2 and status = 'needs_verification'",
        params![lease.id.to_string(), lease.token.0, now_ms + 60_000],
    );
    match revived {
        Ok(n) => Ok(n == 1),
        Err(rusqlite::Error::SqliteFailure(e, _))
            if e.code == rusqlite::ErrorCode::ConstraintViolation =>
        {
            Ok(false)
        }
        Err(e) => Err(e),
    }
}

pub(super) async fn release(
    store: &SqliteStore,
    lease: Lease,
    why: &GiveBack,
) -> Result<bool, StoreError> {
    const OP: &str = "release_application";
    let (reason, error) = (why.reason, why.error.clone());
    let after = i64::try_from(why.after.as_millis()).unwrap_or(i64::MAX);
    store.tx(OP, move |tx, now| {
        if let Some(asked) = finished_as(tx, lease).sql(OP)? {
            return Ok(asked == "released");
        }
        let changed = tx
            .execute(
                "update job_applications
                    set finished_token = ?2, finished_as = 'released',
                        status = case when verification_pending then 'needs_verification' else 'queued' end,
                        attempts = case when verification_pending then attempts else max(attempts - 1, 0) end,
                        verification_checks = case when verification_pending
                                                   then max(verification_checks - 1, 0)
                                                   else verification_checks end,
                        reason = ?4, last_error = ?5, run_at = ?3 + ?6,
                        lease_owner = null, lease_expires_at = null, updated_at = ?3
                  where id = ?1 and lease_token = ?2 and status = 'claimed'",
                params![lease.id.to_string(), lease.token.0, ms(now), reason, error, after],
            )
            .sql(OP)?;
        Ok(changed == 1)
    })
    .await
}
