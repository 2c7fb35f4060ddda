//! Both store backends behind one test handle, for the conformance suite: the
//! store under test (an [`AnyStore`]) and the few raw edits a scenario needs (expire
//! a lease, pause a user, read a row), written once per dialect.

use std::{
    path::PathBuf,
    sync::atomic::{AtomicU32, Ordering},
};

use autoapply::{
    domain::{ApplicationId, UserId},
    session::EncryptedSession,
    store::{AnyStore, NewSession, StoreAdmin as _, sqlite::SqliteStore},
};
use secrecy::SecretString;

use super::{TestApp, manifest_dir, spawn_app};

static N: AtomicU32 = AtomicU32::new(0);

enum Raw {
    Postgres(Box<TestApp>),
    Sqlite(PathBuf),
}

/// One backend of a conformance scenario.
pub struct Db {
    pub store: AnyStore,
    raw: Raw,
}

impl Db {
    /// A fresh database behind its own PostgREST.
    pub async fn postgres() -> Self {
        let app = spawn_app().await;
        Self {
            store: AnyStore::Supabase(app.store.clone()),
            raw: Raw::Postgres(Box::new(app)),
        }
    }

    /// A fresh SQLite file.
    pub async fn sqlite() -> Self {
        let n = N.fetch_add(1, Ordering::SeqCst);
        let path = manifest_dir()
            .join("target/test-sqlite")
            .join(format!("{}-{n}", std::process::id()))
            .join("autoapply.sqlite3");
        let _ = std::fs::remove_dir_all(path.parent().unwrap());
        let store = SqliteStore::open(&path).expect("open the SQLite store");
        Self {
            store: AnyStore::Sqlite(store),
            raw: Raw::Sqlite(path),
        }
    }

    /// Which backend, for messages.
    pub fn name(&self) -> &'static str {
        match self.raw {
            Raw::Postgres(_) => "postgrest",
            Raw::Sqlite(_) => "sqlite",
        }
    }

    /// Runs `pg` or `lite` (where `{now}` is now in Unix milliseconds); returns rows
    /// as lines of `|`-separated values, like `psql -At`.
    pub fn sql(&self, pg: &str, lite: &str) -> String {
        match &self.raw {
            Raw::Postgres(app) => app.sql(pg),
            Raw::Sqlite(path) => {
                let now = time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000;
                let lite = lite.replace("{now}", &now.to_string());
                let conn = rusqlite::Connection::open(path).unwrap();
                conn.busy_timeout(std::time::Duration::from_secs(10))
                    .unwrap();
                let mut out = Vec::new();
                for statement in lite.split(';').filter(|s| !s.trim().is_empty()) {
                    let mut stmt = conn.prepare(statement).unwrap();
                    let columns = stmt.column_count();
                    let mut rows = stmt.raw_query();
                    while let Some(row) = rows.next().unwrap() {
                        let values: Vec<String> = (0..columns)
                            .map(|i| match row.get_ref(i).unwrap() {
                                rusqlite::types::ValueRef::Null => String::new(),
                                rusqlite::types::ValueRef::Integer(v) => v.to_string(),
                                rusqlite::types::ValueRef::Real(v) => v.to_string(),
                                rusqlite::types::ValueRef::Text(t) => {
                                    String::from_utf8_lossy(t).into_owned()
                                }
                                rusqlite::types::ValueRef::Blob(_) => "<blob>".into(),
                            })
                            .collect();
                        out.push(values.join("|"));
                    }
                }
                out.join("\n")
            }
        }
    }

    /// The same statement in both dialects.
    pub fn both(&self, sql: &str) -> String {
        self.sql(sql, sql)
    }

    /// A user with a stored session in `status` (a placeholder ciphertext: the
    /// queue never decrypts), stored through the admin API.
    pub async fn seed_user(&self, status: &str) -> UserId {
        let user = UserId::new_random();
        self.store
            .put_session(&NewSession {
                user_id: user,
                platform: autoapply::domain::Platform::Linkedin,
                sealed: EncryptedSession {
                    ciphertext: SecretString::from("00"),
                    iv: SecretString::from("00"),
                },
                user_agent: None,
            })
            .await
            .unwrap();
        if status != "valid" {
            self.both(&format!(
                "update platform_sessions set status = '{status}' where user_id = '{user}'"
            ));
        }
        user
    }

    /// `n` queued applications of `user`, job ids `<prefix>-1..n`.
    pub fn seed_applications(&self, user: UserId, prefix: &str, n: usize) {
        // one statement each: thousands of admin calls would only slow the suite
        let mut values = Vec::with_capacity(n);
        for g in 1..=n {
            let id = ApplicationId::new_random();
            values.push(format!(
                "('{id}', '{user}', 'https://www.linkedin.com/jobs/view/{g}', '{prefix}-{g}', RUN, RUN, RUN)"
            ));
        }
        let values = values.join(", ");
        self.sql(
            &format!(
                "insert into job_applications (id, user_id, job_url, external_job_id, run_at, created_at, updated_at) values {}",
                values.replace("RUN", "now()")
            ),
            &format!(
                "insert into job_applications (id, user_id, job_url, external_job_id, run_at, created_at, updated_at) values {}",
                values.replace("RUN", "{now}")
            ),
        );
    }

    /// Makes every lease of `id` already expired.
    pub fn expire_lease(&self, id: ApplicationId) {
        self.sql(
            &format!("update job_applications set lease_expires_at = now() - interval '1 second' where id = '{id}'"),
            &format!("update job_applications set lease_expires_at = {{now}} - 1000 where id = '{id}'"),
        );
    }

    /// Moves `run_at` of the rows matching `filter` (SQL, same in both) to now + `secs`.
    pub fn set_run_at(&self, filter: &str, secs: i64) {
        self.sql(
            &format!("update job_applications set run_at = now() + interval '{secs} seconds' where {filter}"),
            &format!("update job_applications set run_at = {{now}} + {secs} * 1000 where {filter}"),
        );
    }

    /// No claims for `user` for an hour.
    pub fn pause_user(&self, user: UserId) {
        self.sql(
            &format!("update platform_sessions set paused_until = now() + interval '1 hour' where user_id = '{user}'"),
            &format!("update platform_sessions set paused_until = {{now}} + 3600000 where user_id = '{user}'"),
        );
    }

    /// Seconds from now until `run_at` of `id`.
    pub fn run_at_in_secs(&self, id: ApplicationId) -> i64 {
        self.sql(
            &format!("select floor(extract(epoch from run_at - now()))::bigint from job_applications where id = '{id}'"),
            &format!("select (run_at - {{now}}) / 1000 from job_applications where id = '{id}'"),
        )
        .parse()
        .unwrap()
    }

    /// `status|reason|attempts|verification_pending` of a row.
    pub fn row(&self, id: ApplicationId) -> String {
        self.sql(
            &format!(
                "select status || '|' || coalesce(reason, '') || '|' || attempts || '|' || case when verification_pending then 't' else 'f' end \
                 from job_applications where id = '{id}'"
            ),
            &format!(
                "select status || '|' || coalesce(reason, '') || '|' || attempts || '|' || case when verification_pending then 't' else 'f' end \
                 from job_applications where id = '{id}'"
            ),
        )
    }

    /// How many rows have `status`.
    pub fn count(&self, status: &str) -> i64 {
        self.both(&format!(
            "select count(*) from job_applications where status = '{status}'"
        ))
        .parse()
        .unwrap()
    }

    /// Today's (UTC) LinkedIn actions as recorded.
    pub fn actions_today(&self) -> String {
        let today = time::OffsetDateTime::now_utc().date();
        self.both(&format!(
            "select total_linkedin_actions from system_daily_limits where date = '{today}'"
        ))
    }

    /// Sets one column of the limits row.
    /// Moves the first "not applied" look of `id` `secs` into the past.
    pub fn backdate_not_applied(&self, id: ApplicationId, secs: i64) {
        self.sql(
            &format!("update job_applications set verification_not_applied_at = verification_not_applied_at - interval '{secs} seconds' where id = '{id}'"),
            &format!("update job_applications set verification_not_applied_at = verification_not_applied_at - {secs} * 1000 where id = '{id}'"),
        );
    }

    pub fn set_limit(&self, column: &str, value: i64) {
        self.both(&format!("update autoapply_limits set {column} = {value}"));
    }
}
