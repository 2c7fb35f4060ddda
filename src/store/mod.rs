//! The store: the only module that knows SQL or PostgREST. A narrow, domain-typed
//! [`Store`] trait with one backend per file; the worker, the CLI and the webhook
//! see only the trait.
//!
//! Backends: [`supabase::SupabaseStore`] (PostgREST in front of the Supabase
//! database; the SQL lives in `supabase/migrations/`) and [`sqlite::SqliteStore`]
//! (the embedded default: one file under the storage root). [`AnyStore`] is the one
//! the configuration names.

mod any;
pub mod postgrest;
pub mod sqlite;
pub mod supabase;

pub use any::AnyStore;

use std::{future::Future, time::Duration};

use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::domain::{
    ApplicantProfile, ApplicationId, ApplicationStatus, Lease, LeaseToken, Outcome, Platform,
    SessionStatus, UserId,
};

/// Why a store call failed. Messages carry PostgREST's code and message, never a key.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be reached (connection refused, timeout, 5xx) even
    /// after retries: try again later; nothing was lost.
    #[error("{operation}: the database is unreachable after {attempts} tries: {detail}")]
    Unreachable {
        /// what was being done
        operation: String,
        /// how many requests were sent
        attempts: u32,
        /// the last transport error, without URL or headers
        detail: String,
    },
    /// PostgREST answered with an error (4xx, or 5xx after retries).
    #[error("{operation}: PostgREST answered {status}{}: {message}", .code.as_deref().map(|c| format!(" ({c})")).unwrap_or_default())]
    Api {
        /// what was being done
        operation: String,
        /// HTTP status
        status: u16,
        /// PostgREST's or PostgreSQL's error code, e.g. `42501`, `PGRST202`
        code: Option<String>,
        /// PostgREST's message (and hint), truncated
        message: String,
    },
    /// The embedded SQLite database failed.
    #[error("{operation}: the embedded database failed: {detail}")]
    Embedded {
        /// what was being done
        operation: String,
        /// SQLite's message
        detail: String,
        /// another process held the file longer than the busy timeout: try again
        busy: bool,
    },
    /// The answer did not have the expected shape (migrations not applied?).
    #[error("{operation}: unexpected answer from PostgREST: {detail}")]
    Decode {
        /// what was being done
        operation: String,
        /// what was wrong
        detail: String,
    },
    /// An outcome was to be recorded for an application this worker has not
    /// claimed (no lease token): nothing is written.
    #[error(
        "application {application} is not claimed (no lease token): nothing may be recorded for it"
    )]
    NotClaimed {
        /// the application
        application: crate::domain::ApplicationId,
    },
}

impl StoreError {
    /// True when the same call may succeed later (unreachable, 5xx).
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Unreachable { .. } => true,
            Self::Api { status, .. } => *status >= 500,
            Self::Embedded { busy, .. } => *busy,
            Self::Decode { .. } | Self::NotClaimed { .. } => false,
        }
    }
}

/// One row of `job_applications`, as the worker needs it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Application {
    /// primary key
    pub id: ApplicationId,
    /// the job seeker
    pub user_id: UserId,
    /// the platform
    pub platform: Platform,
    /// the job's page
    pub job_url: String,
    /// LinkedIn's job id
    pub external_job_id: String,
    /// current status
    pub status: ApplicationStatus,
    /// machine-readable cause of the status
    pub reason: Option<String>,
    /// attempts spent
    pub attempts: i32,
    /// attempts allowed
    pub max_attempts: i32,
    /// not before
    #[serde(with = "time::serde::rfc3339")]
    pub run_at: OffsetDateTime,
    /// fencing token of the current or last claim
    pub lease_token: Option<LeaseToken>,
    /// lease holder
    pub lease_owner: Option<String>,
    /// lease end
    #[serde(with = "time::serde::rfc3339::option")]
    pub lease_expires_at: Option<OffsetDateTime>,
    /// a verification run must settle this row before any submit
    pub verification_pending: bool,
    /// verification runs spent
    pub verification_checks: i32,
    /// unanswered questions, for the platform to ask the user
    pub pending_questions: Option<serde_json::Value>,
    /// last error text
    pub last_error: Option<String>,
    /// last evidence screenshot
    pub screenshot_path: Option<String>,
    /// when LinkedIn confirmed it
    #[serde(with = "time::serde::rfc3339::option")]
    pub submitted_at: Option<OffsetDateTime>,
}

impl Application {
    /// The lease this row was claimed with, when it is claimed or submitting.
    pub fn lease(&self) -> Option<Lease> {
        self.lease_token.map(|token| Lease { id: self.id, token })
    }
}

/// Answer of the submit gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BeginSubmit {
    /// the row is `submitting`: the Submit click may happen
    Ok,
    /// the lease expired or was taken over: do not click
    LeaseLost,
    /// the user's daily submission cap is reached: do not click
    UserLimit,
    /// a verification run must settle the row first: do not click
    VerificationRequired,
}

/// What the sweeper did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
pub struct RescueCounts {
    /// expired claims put back in the queue
    pub requeued: i32,
    /// expired claims with no attempts left
    pub failed: i32,
    /// expired submits (and verification claims) sent to verification
    pub to_verify: i32,
}

/// How many applications have one status and reason.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct StatusCount {
    /// status
    pub status: String,
    /// reason ("" when none)
    pub reason: String,
    /// how many
    pub applications: i64,
}

/// Today's kill-switch figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct DailyStatus {
    /// the UTC day
    pub day: time::Date,
    /// LinkedIn actions taken today, by all workers
    pub used: i32,
    /// the day's limit
    pub daily_limit: i32,
    /// what is left
    pub remaining: i32,
}

/// A stored session, still encrypted.
#[derive(Debug, Deserialize)]
pub struct StoredSession {
    /// the job seeker
    pub user_id: UserId,
    /// the platform
    pub platform: Platform,
    /// `session_encrypted`: never logged
    pub session_encrypted: SecretString,
    /// `session_iv`: never logged
    pub session_iv: SecretString,
    /// the browser's user agent
    pub user_agent: Option<String>,
    /// valid | expired | checkpoint
    pub status: SessionStatus,
    /// last time a worker saw it logged in
    #[serde(with = "time::serde::rfc3339::option")]
    pub validated_at: Option<OffsetDateTime>,
}

/// A row of `applicant_profiles`.
#[derive(Debug, Clone, Deserialize)]
pub struct ProfileRow {
    /// the job seeker
    pub user_id: UserId,
    /// the profile
    pub profile: ApplicantProfile,
    /// where the résumé file is
    pub resume_path: Option<String>,
}

/// Status of an `agent_logs` row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AgentLogStatus {
    /// a run began
    Started,
    /// a run ended well
    Completed,
    /// a run ended in an error
    Failed,
    /// a run had nothing to do
    Skipped,
}

/// One `agent_logs` row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgentLogEntry {
    /// always `auto_apply` for this worker
    pub agent_name: &'static str,
    /// the job seeker
    pub user_id: Option<UserId>,
    /// the application
    pub application_id: Option<ApplicationId>,
    /// what happened
    pub status: AgentLogStatus,
    /// how long the run took
    pub duration_ms: Option<i64>,
    /// applications handled
    pub records_processed: Option<i32>,
    /// error text, at most 500 characters, no secrets
    pub error: Option<String>,
    /// kept until then: 3 days after success, 30 after an error
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
}

impl AgentLogEntry {
    /// An entry for this worker; `expires_at` follows the retention rule.
    pub fn new(
        status: AgentLogStatus,
        user_id: Option<UserId>,
        application_id: Option<ApplicationId>,
        now: OffsetDateTime,
    ) -> Self {
        let keep = match status {
            AgentLogStatus::Failed => time::Duration::days(30),
            AgentLogStatus::Started | AgentLogStatus::Completed | AgentLogStatus::Skipped => {
                time::Duration::days(3)
            }
        };
        Self {
            agent_name: "auto_apply",
            user_id,
            application_id,
            status,
            duration_ms: None,
            records_processed: None,
            error: None,
            expires_at: now + keep,
        }
    }
}

/// Everything the worker asks of the database. Every method is one round trip.
pub trait Store: Send + Sync {
    /// Claims at most one ready application under a lease of `lease`.
    fn claim(
        &self,
        worker: &str,
        lease: Duration,
    ) -> impl Future<Output = Result<Option<Application>, StoreError>> + Send;

    /// Claims one given application now (replay, webhook); `None` when it is not
    /// claimable (submitted, cancelled, or held by a live lease).
    fn claim_by_id(
        &self,
        id: ApplicationId,
        worker: &str,
        lease: Duration,
    ) -> impl Future<Output = Result<Option<Application>, StoreError>> + Send;

    /// Applications by status and reason.
    fn application_counts(
        &self,
    ) -> impl Future<Output = Result<Vec<StatusCount>, StoreError>> + Send;

    /// Renews a lease; false when it was lost.
    fn heartbeat(
        &self,
        lease: Lease,
        duration: Duration,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// The global kill switch: reserves one LinkedIn action for today (UTC);
    /// false once the day's limit is reached.
    fn reserve_linkedin_action(&self) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Today's kill-switch figures.
    fn linkedin_daily_status(&self)
    -> impl Future<Output = Result<DailyStatus, StoreError>> + Send;

    /// The fenced gate before the Submit click.
    fn begin_submit(
        &self,
        lease: Lease,
    ) -> impl Future<Output = Result<BeginSubmit, StoreError>> + Send;

    /// Records the outcome; false when the lease was lost (nothing changed).
    fn finish(
        &self,
        lease: Lease,
        outcome: &Outcome,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Gives the claim back without spending the attempt.
    fn release(&self, lease: Lease) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// The sweeper.
    fn rescue_expired(&self) -> impl Future<Output = Result<RescueCounts, StoreError>> + Send;

    /// One application by id.
    fn application(
        &self,
        id: ApplicationId,
    ) -> impl Future<Output = Result<Option<Application>, StoreError>> + Send;

    /// The user's stored session for a platform.
    fn session(
        &self,
        user: UserId,
        platform: Platform,
    ) -> impl Future<Output = Result<Option<StoredSession>, StoreError>> + Send;

    /// The user's applicant profile.
    fn profile(
        &self,
        user: UserId,
    ) -> impl Future<Output = Result<Option<ProfileRow>, StoreError>> + Send;

    /// Deletes `agent_logs` rows past their `expires_at`; returns how many.
    fn purge_expired_agent_logs(&self) -> impl Future<Output = Result<u32, StoreError>> + Send;

    /// Appends an `agent_logs` row.
    fn log_agent(
        &self,
        entry: &AgentLogEntry,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// A new application for [`StoreAdmin::enqueue`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewApplication {
    /// the job seeker
    pub user_id: UserId,
    /// the job's page
    pub job_url: String,
    /// LinkedIn's job id (the number in `/jobs/view/<id>/`)
    pub external_job_id: String,
    /// attempts allowed (1 to 20)
    pub max_attempts: i32,
}

/// A session to store for [`StoreAdmin::put_session`]: already encrypted.
#[derive(Debug)]
pub struct NewSession {
    /// the job seeker
    pub user_id: UserId,
    /// the platform
    pub platform: Platform,
    /// ciphertext and IV, encoded as the worker is configured to read them
    pub sealed: crate::session::EncryptedSession,
    /// the user agent of the browser the cookies came from
    pub user_agent: Option<String>,
}

/// What [`StoreAdmin::enqueue`] did.
#[derive(Debug, Clone, PartialEq)]
pub enum Enqueued {
    /// a new queued row
    Added(Application),
    /// the user already has an application for this job: nothing changed
    Exists(Application),
}

/// The admin writes of `autoapply enqueue`: what the platform does for the worker
/// in production, for a single-machine user who has no platform.
pub trait StoreAdmin: Store {
    /// Adds a queued application; one per user and job (an existing one is returned
    /// untouched, never queued twice).
    fn enqueue(
        &self,
        new: &NewApplication,
    ) -> impl Future<Output = Result<Enqueued, StoreError>> + Send;

    /// Stores (or replaces) the user's encrypted session, marked valid and unpaused.
    fn put_session(&self, new: &NewSession) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Stores (or replaces) the user's applicant profile.
    fn put_profile(
        &self,
        user: UserId,
        profile: &serde_json::Value,
        resume_path: Option<&str>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// serde's message names the field and the expected type; cut any quoted value.
pub(crate) fn clip_serde(err: &serde_json::Error) -> String {
    let text = err.to_string();
    match text.find('"') {
        Some(i) => format!("{}…", &text[..i]),
        None => text,
    }
}
