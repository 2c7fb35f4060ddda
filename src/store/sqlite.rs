//! The embedded backend: one SQLite file under the storage root, used when
//! `SUPABASE_URL` is not set (the demo, a single-machine user).
//!
//! It keeps the guarantees of the SQL functions in `supabase/migrations/`, statement
//! for statement: a claim is one `BEGIN IMMEDIATE` transaction that picks the oldest
//! ready row and stamps a lease and a fencing token from one counter; every later
//! change names the token; `begin_submit` reserves the user's daily slot in the same
//! transaction that moves the row to `submitting`; the kill switch is one
//! check-and-increment upsert. The conformance suite (`tests/integration/conformance.rs`)
//! runs the same scenarios against this backend and against PostgREST.
//!
//! Its scope, honestly: one machine. Workers in one process share a connection; other
//! processes on the same machine (`autoapply enqueue`, a second worker) are serialised
//! by SQLite's file lock (`BEGIN IMMEDIATE`, a 5 s busy timeout). It is not for a
//! fleet: several servers need the Supabase backend.
//!
//! Times are stored as milliseconds since the Unix epoch (UTC), days as `YYYY-MM-DD`
//! UTC dates, JSON as text.

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
    sync::{Arc, Mutex},
    time::Duration,
};

use rusqlite::{Connection, OptionalExtension as _, Row, Transaction, TransactionBehavior, params};
use secrecy::{ExposeSecret as _, SecretString};
use serde::de::DeserializeOwned;
use time::OffsetDateTime;

use super::{
    AgentLogEntry, Application, BeginSubmit, DailyStatus, Enqueued, NewApplication, NewSession,
    ProfileRow, RescueCounts, StatusCount, Store, StoreAdmin, StoreError, StoredSession,
};
use crate::domain::{
    ApplicationId, ApplicationStatus, Lease, LeaseToken, Outcome, OutcomeStatus, Platform,
    SessionStatus, UserId, truncate_error,
};

/// The schema version this build writes (`PRAGMA user_version`).
const SCHEMA_VERSION: i32 = 1;

const SCHEMA: &str = r"
create table job_applications (
  id                   text primary key,
  user_id              text not null,
  platform             text not null default 'linkedin' check (platform in ('linkedin')),
  job_url              text not null check (length(job_url) between 1 and 2048),
  external_job_id      text not null check (length(external_job_id) between 1 and 200),
  status               text not null default 'queued' check (status in (
                         'queued', 'claimed', 'submitting', 'submitted', 'failed',
                         'needs_user', 'needs_verification', 'skipped', 'cancelled')),
  reason               text,
  attempts             integer not null default 0 check (attempts >= 0),
  max_attempts         integer not null default 3 check (max_attempts between 1 and 20),
  run_at               integer not null,
  lease_owner          text,
  lease_token          integer,
  lease_expires_at     integer,
  verification_pending integer not null default 0,
  verification_checks  integer not null default 0,
  submit_started_at    integer,
  pending_questions    text,
  last_error           text check (length(last_error) <= 500),
  screenshot_path      text,
  submitted_at         integer,
  created_at           integer not null,
  updated_at           integer not null,
  unique (user_id, platform, external_job_id)
);
create index job_applications_ready on job_applications (status, run_at, created_at);
create index job_applications_leased on job_applications (status, lease_expires_at);

create table platform_sessions (
  user_id            text not null,
  platform           text not null default 'linkedin',
  session_encrypted  text not null,
  session_iv         text not null,
  user_agent         text,
  status             text not null default 'valid' check (status in ('valid', 'expired', 'checkpoint')),
  validated_at       integer,
  paused_until       integer,
  updated_at         integer not null,
  primary key (user_id, platform)
);

create table applicant_profiles (
  user_id      text primary key,
  profile      text not null check (json_type(profile) = 'object'),
  resume_path  text,
  updated_at   integer not null
);

create table system_daily_limits (
  date                    text primary key,
  total_linkedin_actions  integer not null default 0 check (total_linkedin_actions >= 0)
);

create table autoapply_limits (
  id                        integer primary key check (id = 1),
  linkedin_actions_per_day  integer not null default 1500 check (linkedin_actions_per_day >= 0),
  user_submissions_per_day  integer not null default 25 check (user_submissions_per_day >= 0),
  verification_checks_max   integer not null default 5 check (verification_checks_max >= 1),
  retry_backoff_base_secs   integer not null default 30 check (retry_backoff_base_secs between 1 and 3600)
);
insert into autoapply_limits (id) values (1);

create table user_submission_caps (
  user_id    text primary key,
  daily_cap  integer not null check (daily_cap >= 0)
);

create table user_daily_submissions (
  user_id      text not null,
  date         text not null,
  submissions  integer not null default 0 check (submissions >= 0),
  primary key (user_id, date)
);

create table agent_logs (
  id                 integer primary key autoincrement,
  agent_name         text not null,
  user_id            text,
  application_id     text,
  status             text not null check (status in ('started', 'completed', 'failed', 'skipped')),
  duration_ms        integer,
  records_processed  integer,
  error              text check (length(error) <= 500),
  created_at         integer not null,
  expires_at         integer not null
);
create index agent_logs_expires on agent_logs (expires_at);

-- fencing tokens: one counter, never reused
create table lease_sequence (id integer primary key check (id = 1), last integer not null);
insert into lease_sequence (id, last) values (1, 0);
";

const COLUMNS: &str = "id, user_id, platform, job_url, external_job_id, status, reason, attempts, \
     max_attempts, run_at, lease_token, lease_owner, lease_expires_at, verification_pending, \
     verification_checks, pending_questions, last_error, screenshot_path, submitted_at";

/// The embedded store. Cheap to clone: clones share one connection.
#[derive(Clone)]
pub struct SqliteStore {
    conn: Arc<Mutex<Connection>>,
    path: PathBuf,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

fn embedded(operation: &str, err: &rusqlite::Error) -> StoreError {
    let busy = matches!(
        err.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    );
    StoreError::Embedded {
        operation: operation.to_owned(),
        detail: err.to_string(),
        busy,
    }
}

fn ms(t: OffsetDateTime) -> i64 {
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

fn from_ms(v: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(v) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

fn duration_ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

fn lease_ms(d: Duration) -> i64 {
    // the same bounds as check_lease_seconds
    duration_ms(d.clamp(Duration::from_secs(5), Duration::from_secs(3600)))
}

fn utc_day(now: OffsetDateTime) -> String {
    now.date().to_string()
}

/// A column value of one of our snake_case enums.
fn enum_column<T: DeserializeOwned>(row: &Row<'_>, index: usize) -> rusqlite::Result<T> {
    let text: String = row.get(index)?;
    serde_json::from_value(serde_json::Value::String(text.clone())).map_err(|_| {
        rusqlite::Error::FromSqlConversionFailure(
            index,
            rusqlite::types::Type::Text,
            format!("unknown value {text:?}").into(),
        )
    })
}

fn uuid_column<T>(
    row: &Row<'_>,
    index: usize,
    parse: fn(&str) -> Result<T, crate::domain::IdError>,
) -> rusqlite::Result<T> {
    let text: String = row.get(index)?;
    parse(&text).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(index, rusqlite::types::Type::Text, e.into())
    })
}

fn application_row(row: &Row<'_>) -> rusqlite::Result<Application> {
    let questions: Option<String> = row.get(15)?;
    Ok(Application {
        id: uuid_column(row, 0, ApplicationId::parse)?,
        user_id: uuid_column(row, 1, UserId::parse)?,
        platform: enum_column(row, 2)?,
        job_url: row.get(3)?,
        external_job_id: row.get(4)?,
        status: enum_column(row, 5)?,
        reason: row.get(6)?,
        attempts: row.get(7)?,
        max_attempts: row.get(8)?,
        run_at: from_ms(row.get(9)?),
        lease_token: row.get::<_, Option<i64>>(10)?.map(LeaseToken),
        lease_owner: row.get(11)?,
        lease_expires_at: row.get::<_, Option<i64>>(12)?.map(from_ms),
        verification_pending: row.get(13)?,
        verification_checks: row.get(14)?,
        pending_questions: questions.and_then(|q| serde_json::from_str(&q).ok()),
        last_error: row.get(16)?,
        screenshot_path: row.get(17)?,
        submitted_at: row.get::<_, Option<i64>>(18)?.map(from_ms),
    })
}

fn select_application(tx: &Connection, id: ApplicationId) -> rusqlite::Result<Option<Application>> {
    tx.query_row(
        &format!("select {COLUMNS} from job_applications where id = ?1"),
        params![id.to_string()],
        application_row,
    )
    .optional()
}

fn next_token(tx: &Transaction<'_>) -> rusqlite::Result<i64> {
    tx.query_row(
        "update lease_sequence set last = last + 1 where id = 1 returning last",
        [],
        |r| r.get(0),
    )
}

struct Limits {
    linkedin_actions_per_day: i64,
    verification_checks_max: i64,
    retry_backoff_base_secs: i64,
}

fn limits(tx: &Connection) -> rusqlite::Result<Limits> {
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

/// base * 2^attempts seconds, at most an hour (`autoapply_private.retry_backoff`).
fn retry_backoff_ms(base_secs: i64, attempts: i64) -> i64 {
    let factor = 1i64 << attempts.clamp(0, 20);
    base_secs
        .saturating_mul(1000)
        .saturating_mul(factor)
        .min(3_600_000)
}

/// The SQL of `retry_backoff`, for set-wise updates; `?1` is the base in seconds.
const RETRY_BACKOFF_SQL: &str = "min(3600000, ?1 * 1000 * (1 << max(min(attempts, 20), 0)))";

fn rescue(tx: &Transaction<'_>, now: i64) -> rusqlite::Result<RescueCounts> {
    let base = limits(tx)?.retry_backoff_base_secs;
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
                run_at = ?1, updated_at = ?1
          where status = 'claimed' and lease_expires_at < ?1 and verification_pending",
        params![now],
    )?;
    let verify_submitting = tx.execute(
        "update job_applications
            set status = 'needs_verification', reason = 'submit_unconfirmed',
                last_error = 'the worker stopped renewing its lease while submitting; LinkedIn must be checked before any retry',
                verification_pending = 1, lease_owner = null, lease_expires_at = null,
                run_at = ?1, updated_at = ?1
          where status = 'submitting' and lease_expires_at < ?1",
        params![now],
    )?;
    let count = |n: usize| i32::try_from(n).unwrap_or(i32::MAX);
    Ok(RescueCounts {
        requeued: count(requeued),
        failed: count(failed),
        to_verify: count(verify_claimed + verify_submitting),
    })
}

fn check_worker(worker: &str) -> Result<(), StoreError> {
    if worker.is_empty() || worker.len() > 200 {
        return Err(StoreError::Embedded {
            operation: "claim".into(),
            detail: "worker name must be 1 to 200 characters".into(),
            busy: false,
        });
    }
    Ok(())
}

impl SqliteStore {
    /// Opens (creating it, mode 0600, in a 0700 directory when new) the database file
    /// and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        use std::os::unix::fs::{DirBuilderExt as _, OpenOptionsExt as _};
        let op = format!("open {}", path.display());
        let fail = |detail: String| StoreError::Embedded {
            operation: op.clone(),
            detail,
            busy: false,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(dir)
                .map_err(|e| fail(format!("cannot create {}: {e}", dir.display())))?;
        }
        // create the file ourselves so it is never world-readable, even for an instant
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .mode(0o600)
            .open(path)
            .map_err(|e| fail(format!("cannot create the database file: {e}")))?;
        let mut conn = Connection::open(path).map_err(|e| embedded(&op, &e))?;
        conn.busy_timeout(Duration::from_secs(5))
            .map_err(|e| embedded(&op, &e))?;
        conn.pragma_update(None, "journal_mode", "wal")
            .map_err(|e| embedded(&op, &e))?;
        // an acknowledged outcome survives a power cut
        conn.pragma_update(None, "synchronous", "full")
            .map_err(|e| embedded(&op, &e))?;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| embedded(&op, &e))?;
        let version: i32 = tx
            .query_row("pragma user_version", [], |r| r.get(0))
            .map_err(|e| embedded(&op, &e))?;
        match version {
            0 => {
                tx.execute_batch(SCHEMA).map_err(|e| embedded(&op, &e))?;
                tx.pragma_update(None, "user_version", SCHEMA_VERSION)
                    .map_err(|e| embedded(&op, &e))?;
            }
            SCHEMA_VERSION => {}
            newer => {
                return Err(fail(format!(
                    "the file has schema version {newer}, this autoapply knows {SCHEMA_VERSION}: \
                     it was written by a newer release"
                )));
            }
        }
        tx.commit().map_err(|e| embedded(&op, &e))?;
        Ok(Self {
            conn: Arc::new(Mutex::new(conn)),
            path: path.to_owned(),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// How long each application's last run took (`agent_logs` end rows), for the
    /// demo's summary.
    pub async fn run_durations(&self) -> Result<HashMap<ApplicationId, i64>, StoreError> {
        const OP: &str = "select agent_logs";
        self.tx(OP, |tx, _| {
            let mut stmt = tx
                .prepare(
                    "select application_id, duration_ms from agent_logs
                      where application_id is not null and duration_ms is not null order by id",
                )
                .sql(OP)?;
            let rows = stmt
                .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))
                .sql(OP)?;
            let mut out = HashMap::new();
            for row in rows {
                let (id, ms) = row.sql(OP)?;
                if let Ok(id) = ApplicationId::parse(&id) {
                    out.insert(id, ms);
                }
            }
            Ok(out)
        })
        .await
    }

    /// Runs `f` in one immediate transaction on a blocking thread; commits when it
    /// returns `Ok`.
    async fn tx<T, F>(&self, operation: &'static str, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>, OffsetDateTime) -> Result<T, StoreError> + Send + 'static,
    {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            // a panic elsewhere poisons the lock, not the data: SQLite rolled it back
            let mut conn = conn
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(|e| embedded(operation, &e))?;
            let value = f(&tx, OffsetDateTime::now_utc())?;
            tx.commit().map_err(|e| embedded(operation, &e))?;
            Ok(value)
        })
        .await
        .map_err(|e| StoreError::Embedded {
            operation: operation.to_owned(),
            detail: format!("the database thread failed: {e}"),
            busy: false,
        })?
    }
}

/// `?` for rusqlite errors inside [`SqliteStore::tx`].
trait Sql<T> {
    fn sql(self, operation: &str) -> Result<T, StoreError>;
}

impl<T> Sql<T> for rusqlite::Result<T> {
    fn sql(self, operation: &str) -> Result<T, StoreError> {
        self.map_err(|e| embedded(operation, &e))
    }
}

impl Store for SqliteStore {
    async fn claim(
        &self,
        worker: &str,
        lease: Duration,
    ) -> Result<Option<Application>, StoreError> {
        const OP: &str = "claim_application";
        check_worker(worker)?;
        let worker = worker.to_owned();
        self.tx(OP, move |tx, now| {
            let now_ms = ms(now);
            let candidate: Option<String> = tx
                .query_row(
                    "select a.id from job_applications a
                      where a.status in ('queued', 'needs_verification')
                        and a.run_at <= ?1
                        and (a.status = 'needs_verification' or a.attempts < a.max_attempts)
                        and exists (
                          select 1 from platform_sessions s
                           where s.user_id = a.user_id and s.platform = a.platform and s.status = 'valid'
                             and (s.paused_until is null or s.paused_until <= ?1))
                        and (a.status = 'needs_verification' or not exists (
                          select 1 from user_daily_submissions d
                           where d.user_id = a.user_id and d.date = ?2
                             and d.submissions >= coalesce(
                               (select c.daily_cap from user_submission_caps c where c.user_id = a.user_id),
                               (select l.user_submissions_per_day from autoapply_limits l where l.id = 1))))
                      order by a.run_at, a.created_at, a.id
                      limit 1",
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
                        lease_expires_at = ?4, updated_at = ?5
                  where id = ?1",
                params![id, worker, token, now_ms + lease_ms(lease), now_ms],
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

    async fn claim_by_id(
        &self,
        id: ApplicationId,
        worker: &str,
        lease: Duration,
    ) -> Result<Option<Application>, StoreError> {
        const OP: &str = "claim_application_by_id";
        check_worker(worker)?;
        let worker = worker.to_owned();
        self.tx(OP, move |tx, now| {
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
                        and status in ('queued', 'failed', 'needs_user', 'needs_verification', 'skipped')",
                    params![id.to_string(), worker, token, now_ms + lease_ms(lease), now_ms],
                )
                .sql(OP)?;
            if changed == 0 {
                return Ok(None);
            }
            select_application(tx, id).sql(OP)
        })
        .await
    }

    async fn application_counts(&self) -> Result<Vec<StatusCount>, StoreError> {
        const OP: &str = "application_counts";
        self.tx(OP, |tx, _| {
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

    async fn heartbeat(&self, lease: Lease, duration: Duration) -> Result<bool, StoreError> {
        const OP: &str = "heartbeat_application";
        self.tx(OP, move |tx, now| {
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

    async fn reserve_linkedin_action(&self) -> Result<bool, StoreError> {
        const OP: &str = "reserve_linkedin_action";
        self.tx(OP, |tx, now| {
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

    async fn linkedin_daily_status(&self) -> Result<DailyStatus, StoreError> {
        const OP: &str = "linkedin_daily_status";
        self.tx(OP, |tx, now| {
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

    async fn begin_submit(&self, lease: Lease) -> Result<BeginSubmit, StoreError> {
        const OP: &str = "begin_submit";
        self.tx(OP, move |tx, now| {
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

    async fn finish(&self, lease: Lease, outcome: &Outcome) -> Result<bool, StoreError> {
        const OP: &str = "finish_application";
        let outcome = outcome.clone();
        self.tx(OP, move |tx, now| {
            let now_ms = ms(now);
            let Some(row) = tx
                .query_row(
                    &format!(
                        "select {COLUMNS} from job_applications
                          where id = ?1 and lease_token = ?2 and status in ('claimed', 'submitting')"
                    ),
                    params![lease.id.to_string(), lease.token.0],
                    application_row,
                )
                .optional()
                .sql(OP)?
            else {
                return Ok(false);
            };
            let limits = limits(tx).sql(OP)?;
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
            let questions = match &details.pending_questions {
                Some(q) => Some(q.to_string()),
                None if status == "submitted" => None,
                None => row.pending_questions.as_ref().map(ToString::to_string),
            };
            tx.execute(
                "update job_applications
                    set status = ?2, reason = ?3, last_error = ?4, attempts = ?5,
                        verification_pending = ?6, verification_checks = ?7, run_at = ?8,
                        pending_questions = ?9,
                        screenshot_path = coalesce(?10, screenshot_path),
                        submitted_at = case when ?2 = 'submitted' then ?11 else submitted_at end,
                        lease_owner = null, lease_expires_at = null, updated_at = ?11
                  where id = ?1",
                params![
                    lease.id.to_string(),
                    status,
                    reason,
                    outcome.error.as_deref().map(truncate_error),
                    attempts,
                    pending,
                    checks,
                    run_at,
                    questions,
                    details.screenshot_path,
                    now_ms,
                ],
            )
            .sql(OP)?;
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
                )
                .sql(OP)?;
            }
            Ok(true)
        })
        .await
    }

    async fn release(&self, lease: Lease) -> Result<bool, StoreError> {
        const OP: &str = "release_application";
        self.tx(OP, move |tx, now| {
            let changed = tx
                .execute(
                    "update job_applications
                        set status = case when verification_pending then 'needs_verification' else 'queued' end,
                            attempts = case when verification_pending then attempts else max(attempts - 1, 0) end,
                            verification_checks = case when verification_pending
                                                       then max(verification_checks - 1, 0)
                                                       else verification_checks end,
                            run_at = ?3, lease_owner = null, lease_expires_at = null, updated_at = ?3
                      where id = ?1 and lease_token = ?2 and status = 'claimed'",
                    params![lease.id.to_string(), lease.token.0, ms(now)],
                )
                .sql(OP)?;
            Ok(changed == 1)
        })
        .await
    }

    async fn rescue_expired(&self) -> Result<RescueCounts, StoreError> {
        const OP: &str = "rescue_expired_applications";
        self.tx(OP, |tx, now| rescue(tx, ms(now)).sql(OP)).await
    }

    async fn application(&self, id: ApplicationId) -> Result<Option<Application>, StoreError> {
        const OP: &str = "select job_applications";
        self.tx(OP, move |tx, _| select_application(tx, id).sql(OP))
            .await
    }

    async fn session(
        &self,
        user: UserId,
        platform: Platform,
    ) -> Result<Option<StoredSession>, StoreError> {
        const OP: &str = "select platform_sessions";
        self.tx(OP, move |tx, _| {
            tx.query_row(
                "select session_encrypted, session_iv, user_agent, status, validated_at
                   from platform_sessions where user_id = ?1 and platform = ?2",
                params![user.to_string(), platform.as_str()],
                |r| {
                    Ok(StoredSession {
                        user_id: user,
                        platform,
                        session_encrypted: SecretString::from(r.get::<_, String>(0)?),
                        session_iv: SecretString::from(r.get::<_, String>(1)?),
                        user_agent: r.get(2)?,
                        status: enum_column(r, 3)?,
                        validated_at: r.get::<_, Option<i64>>(4)?.map(from_ms),
                    })
                },
            )
            .optional()
            .sql(OP)
        })
        .await
    }

    async fn profile(&self, user: UserId) -> Result<Option<ProfileRow>, StoreError> {
        const OP: &str = "select applicant_profiles";
        let raw: Option<(String, Option<String>)> = self
            .tx(OP, move |tx, _| {
                tx.query_row(
                    "select profile, resume_path from applicant_profiles where user_id = ?1",
                    params![user.to_string()],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()
                .sql(OP)
            })
            .await?;
        let Some((profile, resume_path)) = raw else {
            return Ok(None);
        };
        let profile = serde_json::from_str(&profile).map_err(|e| StoreError::Decode {
            operation: OP.into(),
            detail: format!(
                "profile of user {user} does not match the documented schema: {}",
                super::clip_serde(&e)
            ),
        })?;
        Ok(Some(ProfileRow {
            user_id: user,
            profile,
            resume_path,
        }))
    }

    async fn purge_expired_agent_logs(&self) -> Result<u32, StoreError> {
        const OP: &str = "purge_expired_agent_logs";
        self.tx(OP, |tx, now| {
            let deleted = tx
                .execute(
                    "delete from agent_logs where expires_at < ?1",
                    params![ms(now)],
                )
                .sql(OP)?;
            Ok(u32::try_from(deleted).unwrap_or(u32::MAX))
        })
        .await
    }

    async fn log_agent(&self, entry: &AgentLogEntry) -> Result<(), StoreError> {
        const OP: &str = "insert agent_logs";
        let entry = entry.clone();
        self.tx(OP, move |tx, now| {
            let status = serde_json::to_value(entry.status)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            tx.execute(
                "insert into agent_logs (agent_name, user_id, application_id, status, duration_ms,
                                         records_processed, error, created_at, expires_at)
                 values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    entry.agent_name,
                    entry.user_id.map(|u| u.to_string()),
                    entry.application_id.map(|a| a.to_string()),
                    status,
                    entry.duration_ms,
                    entry.records_processed,
                    entry.error.as_deref().map(truncate_error),
                    ms(now),
                    ms(entry.expires_at),
                ],
            )
            .sql(OP)?;
            Ok(())
        })
        .await
    }
}

impl StoreAdmin for SqliteStore {
    async fn enqueue(&self, new: &NewApplication) -> Result<Enqueued, StoreError> {
        const OP: &str = "insert job_applications";
        let new = new.clone();
        self.tx(OP, move |tx, now| {
            let now_ms = ms(now);
            let id = ApplicationId::new_random();
            let added = tx
                .execute(
                    "insert into job_applications (id, user_id, platform, job_url, external_job_id,
                                                   max_attempts, run_at, created_at, updated_at)
                     values (?1, ?2, 'linkedin', ?3, ?4, ?5, ?6, ?6, ?6)
                     on conflict (user_id, platform, external_job_id) do nothing",
                    params![
                        id.to_string(),
                        new.user_id.to_string(),
                        new.job_url,
                        new.external_job_id,
                        new.max_attempts,
                        now_ms
                    ],
                )
                .sql(OP)?;
            let row = tx
                .query_row(
                    &format!(
                        "select {COLUMNS} from job_applications
                          where user_id = ?1 and platform = 'linkedin' and external_job_id = ?2"
                    ),
                    params![new.user_id.to_string(), new.external_job_id],
                    application_row,
                )
                .sql(OP)?;
            Ok(if added == 1 {
                Enqueued::Added(row)
            } else {
                Enqueued::Exists(row)
            })
        })
        .await
    }

    async fn put_session(&self, new: &NewSession) -> Result<(), StoreError> {
        const OP: &str = "upsert platform_sessions";
        let user = new.user_id.to_string();
        let platform = new.platform.as_str();
        let ciphertext = new.sealed.ciphertext.expose_secret().to_owned();
        let iv = new.sealed.iv.expose_secret().to_owned();
        let user_agent = new.user_agent.clone();
        self.tx(OP, move |tx, now| {
            tx.execute(
                "insert into platform_sessions (user_id, platform, session_encrypted, session_iv,
                                                user_agent, status, paused_until, updated_at)
                 values (?1, ?2, ?3, ?4, ?5, 'valid', null, ?6)
                 on conflict (user_id, platform) do update
                    set session_encrypted = excluded.session_encrypted,
                        session_iv = excluded.session_iv, user_agent = excluded.user_agent,
                        status = 'valid', paused_until = null, updated_at = excluded.updated_at",
                params![user, platform, ciphertext, iv, user_agent, ms(now)],
            )
            .sql(OP)?;
            Ok(())
        })
        .await
    }

    async fn put_profile(
        &self,
        user: UserId,
        profile: &serde_json::Value,
        resume_path: Option<&str>,
    ) -> Result<(), StoreError> {
        const OP: &str = "upsert applicant_profiles";
        let profile = profile.to_string();
        let resume = resume_path.map(str::to_owned);
        self.tx(OP, move |tx, now| {
            tx.execute(
                "insert into applicant_profiles (user_id, profile, resume_path, updated_at)
                 values (?1, ?2, ?3, ?4)
                 on conflict (user_id) do update
                    set profile = excluded.profile, resume_path = excluded.resume_path,
                        updated_at = excluded.updated_at",
                params![user.to_string(), profile, resume, ms(now)],
            )
            .sql(OP)?;
            Ok(())
        })
        .await
    }
}
