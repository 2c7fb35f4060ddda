//! The quotas on SQLite: the global kill switch and the submit gate with the user's
//! daily cap, each one check-and-increment upsert in the caller's transaction; and
//! the drift breaker (as `public.record_drift` / `public.drift_status`).

use rusqlite::{Connection, OptionalExtension as _, params};

use super::{Sql as _, SqliteStore, rows::*};
use crate::{
    domain::Lease,
    domain::UserId,
    store::{BeginSubmit, DailyStatus, DriftRule, DriftStatus, StoreError},
};

/// `public.oldest_claimable_seconds`: the claim's rule (`claimable_where!`) without
/// the kill switch, the drift breaker and the one-browser-per-user rule.
pub(super) async fn oldest_claimable_seconds(store: &SqliteStore) -> Result<f64, StoreError> {
    const OP: &str = "oldest_claimable_seconds";
    store
        .tx(OP, |tx, now| {
            let now_ms = ms(now);
            let oldest: Option<i64> = tx
                .query_row(
                    concat!(
                        "select min(a.run_at) from job_applications a where ",
                        claimable_where!()
                    ),
                    params![now_ms, utc_day(now)],
                    |r| r.get(0),
                )
                .sql(OP)?;
            Ok(oldest.map_or(0.0, |t| (now_ms - t).max(0) as f64 / 1000.0))
        })
        .await
}

/// Reserves one LinkedIn action for today; with a claim's `lease`, once per claim
/// however often it is asked.
pub(super) async fn reserve_linkedin_action(
    store: &SqliteStore,
    lease: Option<Lease>,
) -> Result<bool, StoreError> {
    const OP: &str = "reserve_linkedin_action";
    store
        .tx(OP, move |tx, now| {
            if let Some(lease) = lease {
                let fresh = tx
                    .execute(
                        "insert into linkedin_action_reservations (lease_token, reserved_on)
                         values (?1, ?2) on conflict (lease_token) do nothing",
                        params![lease.token.0, utc_day(now)],
                    )
                    .sql(OP)?;
                if fresh == 0 {
                    return Ok(true);
                }
                tx.execute(
                    "delete from linkedin_action_reservations where reserved_on < ?1",
                    params![utc_day(now - time::Duration::days(1))],
                )
                .sql(OP)?;
            }
            let limit = limits(tx).sql(OP)?.linkedin_actions_per_day;
            let refuse = |tx: &rusqlite::Transaction<'_>| -> Result<bool, StoreError> {
                if let Some(lease) = lease {
                    tx.execute(
                        "delete from linkedin_action_reservations where lease_token = ?1",
                        params![lease.token.0],
                    )
                    .sql(OP)?;
                }
                Ok(false)
            };
            if limit <= 0 {
                return refuse(tx);
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
            if changed == 1 { Ok(true) } else { refuse(tx) }
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
            // the gate was passed by this token and its answer lost: the same answer
            let passed: Option<i64> = tx
                .query_row(
                    "select 1 from job_applications where id = ?1 and lease_token = ?2
                        and status = 'submitting' and lease_expires_at > ?3",
                    params![lease.id.to_string(), lease.token.0, now_ms],
                    |r| r.get(0),
                )
                .optional()
                .sql(OP)?;
            if passed.is_some() {
                return Ok(BeginSubmit::Ok);
            }
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
    pub(super) verification_settle_secs: i64,
}

pub(super) fn limits(tx: &Connection) -> rusqlite::Result<Limits> {
    tx.query_row(
        "select linkedin_actions_per_day, verification_checks_max, retry_backoff_base_secs, \
         verification_settle_seconds from autoapply_limits where id = 1",
        [],
        |r| {
            Ok(Limits {
                linkedin_actions_per_day: r.get(0)?,
                verification_checks_max: r.get(1)?,
                retry_backoff_base_secs: r.get(2)?,
                verification_settle_secs: r.get(3)?,
            })
        },
    )
}

fn read_drift(tx: &Connection) -> rusqlite::Result<(DriftStatus, Vec<String>)> {
    tx.query_row(
        "select open_until, opened_at, streak, streak_users, last_reason from autoapply_drift where id = 1",
        [],
        |r| {
            let users: String = r.get(3)?;
            let users: Vec<String> = serde_json::from_str(&users).unwrap_or_default();
            Ok((
                DriftStatus {
                    open_until: r.get::<_, Option<i64>>(0)?.map(from_ms),
                    opened_at: r.get::<_, Option<i64>>(1)?.map(from_ms),
                    streak: r.get(2)?,
                    users: i32::try_from(users.len()).unwrap_or(i32::MAX),
                    last_reason: r.get(4)?,
                },
                users,
            ))
        },
    )
}

pub(super) async fn record_drift(
    store: &SqliteStore,
    user: UserId,
    structural: Option<String>,
    rule: DriftRule,
) -> Result<DriftStatus, StoreError> {
    const OP: &str = "record_drift";
    store
        .tx(OP, move |tx, now| {
            let Some(reason) = structural else {
                tx.execute(
                    "update autoapply_drift set streak = 0, streak_users = '[]' where id = 1 and streak > 0",
                    [],
                )
                .sql(OP)?;
                return Ok(read_drift(tx).sql(OP)?.0);
            };
            let (status, mut users) = read_drift(tx).sql(OP)?;
            let user = user.to_string();
            if !users.contains(&user) {
                users.push(user);
            }
            let streak = status.streak.saturating_add(1);
            let opens = i64::from(streak) >= i64::from(rule.failures.max(1))
                && users.len() >= usize::try_from(rule.users.max(1)).unwrap_or(usize::MAX);
            if opens {
                let until = now + rule.pause.max(std::time::Duration::from_secs(1));
                tx.execute(
                    "update autoapply_drift set streak = 0, streak_users = '[]', last_reason = ?1,
                        opened_at = ?2, open_until = ?3 where id = 1",
                    params![reason, ms(now), ms(until)],
                )
                .sql(OP)?;
            } else {
                let users = serde_json::to_string(&users).unwrap_or_else(|_| "[]".into());
                tx.execute(
                    "update autoapply_drift set streak = ?1, streak_users = ?2, last_reason = ?3 where id = 1",
                    params![streak, users, reason],
                )
                .sql(OP)?;
            }
            Ok(read_drift(tx).sql(OP)?.0)
        })
        .await
}

pub(super) async fn drift_status(store: &SqliteStore) -> Result<DriftStatus, StoreError> {
    const OP: &str = "drift_status";
    store.tx(OP, |tx, _| Ok(read_drift(tx).sql(OP)?.0)).await
}
