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

/// The rows a worker could claim now (`a` is `job_applications`; `?1` now in ms, `?2`
/// today's UTC date), as `claim_application` says: due, attempts left, the user's
/// session valid and not paused, the user under their daily cap. One text for the
/// claim and for `oldest_claimable_seconds`, so the two cannot drift apart.
macro_rules! claimable_where {
    () => {
        "a.status in ('queued', 'needs_verification')
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
                  (select l.user_submissions_per_day from autoapply_limits l where l.id = 1))))"
    };
}

mod admin;
mod answers;
mod queue;
mod quota;
mod repeat;
mod rows;
mod rules;
mod schema;
mod users;

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
    sync::{Arc, Mutex},
    time::Duration,
};

use rusqlite::{Connection, Transaction, TransactionBehavior};
use time::OffsetDateTime;

use self::{
    rows::embedded,
    schema::{
        SCHEMA, SCHEMA_V2, SCHEMA_V3, SCHEMA_V4, SCHEMA_V5, SCHEMA_V6, SCHEMA_V7, SCHEMA_VERSION,
    },
};
use super::{
    AgentLogEntry, Application, BeginSubmit, DailyStatus, DriftRule, DriftStatus, ProfileRow,
    RescueCounts, StatusCount, Store, StoreError, StoredSession,
};
use crate::domain::{ApplicationId, GiveBack, Lease, Outcome, Platform, UserId};

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
            0..=6 => {
                if version == 0 {
                    tx.execute_batch(SCHEMA).map_err(|e| embedded(&op, &e))?;
                }
                if version <= 1 {
                    tx.execute_batch(SCHEMA_V2).map_err(|e| embedded(&op, &e))?;
                }
                if version <= 2 {
                    tx.execute_batch(SCHEMA_V3).map_err(|e| embedded(&op, &e))?;
                }
                if version <= 3 {
                    tx.execute_batch(SCHEMA_V4).map_err(|e| embedded(&op, &e))?;
                }
                if version <= 4 {
                    tx.execute_batch(SCHEMA_V5).map_err(|e| embedded(&op, &e))?;
                }
                if version <= 5 {
                    tx.execute_batch(SCHEMA_V6).map_err(|e| embedded(&op, &e))?;
                }
                tx.execute_batch(SCHEMA_V7).map_err(|e| embedded(&op, &e))?;
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
    async fn claim_as(
        &self,
        worker: &str,
        lease: Duration,
        request: crate::store::ClaimRequest,
    ) -> Result<Option<Application>, StoreError> {
        let row = queue::claim(self, worker, lease, request.id).await?;
        Ok(row.map(|row| row.claimed_when(request.asked)))
    }

    async fn claim_by_id(
        &self,
        id: ApplicationId,
        worker: &str,
        lease: Duration,
        by: crate::store::ClaimBy,
    ) -> Result<Option<Application>, StoreError> {
        let asked = std::time::Instant::now();
        let row = queue::claim_by_id(self, id, worker, lease, by).await?;
        Ok(row.map(|row| row.claimed_when(asked)))
    }

    async fn application_counts(&self) -> Result<Vec<StatusCount>, StoreError> {
        queue::application_counts(self).await
    }

    async fn oldest_claimable_seconds(&self) -> Result<f64, StoreError> {
        quota::oldest_claimable_seconds(self).await
    }

    async fn heartbeat(&self, lease: Lease, duration: Duration) -> Result<bool, StoreError> {
        queue::heartbeat(self, lease, duration).await
    }

    async fn reserve_linkedin_action(&self) -> Result<bool, StoreError> {
        quota::reserve_linkedin_action(self, None).await
    }

    async fn reserve_linkedin_action_for(&self, lease: Lease) -> Result<bool, StoreError> {
        quota::reserve_linkedin_action(self, Some(lease)).await
    }

    async fn linkedin_daily_status(&self) -> Result<DailyStatus, StoreError> {
        quota::linkedin_daily_status(self).await
    }

    async fn record_drift(
        &self,
        user: UserId,
        structural: Option<&str>,
        rule: DriftRule,
    ) -> Result<DriftStatus, StoreError> {
        quota::record_drift(self, user, structural.map(str::to_owned), rule).await
    }

    async fn drift_status(&self) -> Result<DriftStatus, StoreError> {
        quota::drift_status(self).await
    }

    async fn begin_submit(&self, lease: Lease) -> Result<BeginSubmit, StoreError> {
        quota::begin_submit(self, lease).await
    }

    async fn finish(&self, lease: Lease, outcome: &Outcome) -> Result<bool, StoreError> {
        queue::finish(self, lease, outcome).await
    }

    async fn release(&self, lease: Lease, why: &GiveBack) -> Result<bool, StoreError> {
        repeat::release(self, lease, why).await
    }

    async fn rescue_expired(&self) -> Result<RescueCounts, StoreError> {
        queue::rescue_expired(self).await
    }

    async fn application(&self, id: ApplicationId) -> Result<Option<Application>, StoreError> {
        queue::application(self, id).await
    }

    async fn session(
        &self,
        user: UserId,
        platform: Platform,
    ) -> Result<Option<StoredSession>, StoreError> {
        users::session(self, user, platform).await
    }

    async fn profile(&self, user: UserId) -> Result<Option<ProfileRow>, StoreError> {
        users::profile(self, user).await
    }

    async fn purge_expired_agent_logs(&self) -> Result<u32, StoreError> {
        users::purge_expired_agent_logs(self).await
    }

    async fn log_agent(&self, entry: &AgentLogEntry) -> Result<(), StoreError> {
        users::log_agent(self, entry).await
    }
}
