//! The quotas on SQLite: the global kill switch and the submit gate with the user's
//! daily cap, each one check-and-increment upsert in the caller's transaction.

use rusqlite::{Connection, OptionalExtension as _, params};

use super::{Sql as _, SqliteStore, rows::*};
use crate::{
    domain::Lease,
    store::{BeginSubmit, DailyStatus, StoreError},
};

pub(super) async fn reserve_linkedin_action(store: &SqliteStore) -> Result<bool, StoreError> {
    const OP: &str = "reserve_linkedin_action";
    store
        .tx(OP, |tx, now| {
            let limit = limits(tx).sql(OP)?.linkedin_actions_per_day;
            if limit <= 0 {
                return Ok(false);
            }
            let changed = tx
                .execute(
                    "insert into system_daily_limits (date, total_linkedin_actions) values (?1, 1)
                 on conflict (date) do update
                    set total_linkedin_actions = total_linkedin_actions + 1
                  where total_linkedin_actions < ?2",
                    params![utc_day(now), limit],
                )
                .sql(OP)?;
            Ok(changed == 1)
        })
        .await
}

pub(super) async fn linkedin_daily_status(store: &SqliteStore) -> Result<DailyStatus, StoreError> {
    const OP: &str = "linkedin_daily_status";
    store.tx(OP, |tx, now| {
        let limit = limits(tx).sql(OP)?.linkedin_actions_per_day;
        let used: i64 = tx
            .query_row(
                "select coalesce((select total_linkedin_actions from system_daily_limits where date = ?1), 0)",
                params![utc_day(now)],
                |r| r.get(0),
            )
            .sql(OP)?;
        let clamp = |v: i64| i32::try_from(v).unwrap_or(i32::MAX);
        Ok(DailyStatus {
            day: now.date(),
            used: clamp(used),
            daily_limit: clamp(limit),
            remaining: clamp((limit - used).max(0)),
        })
    })
    .await
}

pub(super) async fn begin_submit(
    store: &SqliteStore,
    lease: Lease,
) -> Result<BeginSubmit, StoreError> {
    const OP: &str = "begin_submit";
    store
        .tx(OP, move |tx, now| {
            let now_ms = ms(now);
            let row: Option<(String, bool)> = tx
                .query_row(
                    "select user_id, verification_pending from job_applications
                  where id = ?1 and lease_token = ?2 and status = 'claimed'
                    and lease_expires_at > ?3",
                    params![lease.id.to_string(), lease.token.0, now_ms],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()
                .sql(OP)?;
            let Some((user, pending)) = row else {
                return Ok(BeginSubmit::LeaseLost);
            };
            if pending {
                return Ok(BeginSubmit::VerificationRequired);
            }
            let cap: i64 = tx
                .query_row(
                    "select coalesce(
                   (select daily_cap from user_submission_caps where user_id = ?1),
                   (select user_submissions_per_day from autoapply_limits where id = 1))",
                    params![user],
                    |r| r.get(0),
                )
                .sql(OP)?;
            if cap <= 0 {
                return Ok(BeginSubmit::UserLimit);
            }
            let reserved = tx
            .execute(
                "insert into user_daily_submissions (user_id, date, submissions) values (?1, ?2, 1)
                 on conflict (user_id, date) do update
                    set submissions = submissions + 1
                  where submissions < ?3",
                params![user, utc_day(now), cap],
            )
            .sql(OP)?;
            if reserved == 0 {
                return Ok(BeginSubmit::UserLimit);
            }
            tx.execute(
                "update job_applications
                set status = 'submitting', submit_started_at = ?2, updated_at = ?2
              where id = ?1",
                params![lease.id.to_string(), now_ms],
            )
            .sql(OP)?;
            Ok(BeginSubmit::Ok)
        })
        .await
}

pub(super) struct Limits {
    pub(super) linkedin_actions_per_day: i64,
    pub(super) verification_checks_max: i64,
    pub(super) retry_backoff_base_secs: i64,
}

pub(super) fn limits(tx: &Connection) -> rusqlite::Result<Limits> {
    tx.query_row(
        "select linkedin_actions_per_day, verification_checks_max, retry_backoff_base_secs \
         from autoapply_limits where id = 1",
        [],
        |r| {
            Ok(Limits {
                linkedin_actions_per_day: r.get(0)?,
                verification_checks_max: r.get(1)?,
                retry_backoff_base_secs: r.get(2)?,
            })
        },
    )
}
