//! What the store reads and writes: rows as the worker needs them, the answers of
//! the queue functions, what `enqueue` adds.

use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::domain::{
    ApplicantProfile, ApplicationId, ApplicationStatus, Lease, LeaseToken, Platform, ProfileError,
    SessionStatus, UserId,
};

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
    /// when the submit gate was passed (the click may have followed)
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub submit_started_at: Option<OffsetDateTime>,
    /// when a verification look first saw no application (a second look decides)
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub verification_not_applied_at: Option<OffsetDateTime>,
    /// the verification looks, oldest first: `[{"at", "saw", "by"}]`
    #[serde(default)]
    pub verification_looks: serde_json::Value,
    /// what a submitted application sent (questions and answers, résumé, follow)
    #[serde(default)]
    pub receipt: Option<serde_json::Value>,
    /// the résumé the platform chose for this application (else the profile's)
    #[serde(default)]
    pub resume_path: Option<String>,
    /// the display language the last run read on LinkedIn (`fr`)
    #[serde(default)]
    pub display_language: Option<String>,
    /// when this worker asked for the claim (its lease began after that): set by
    /// the claim, never stored
    #[serde(skip)]
    pub claimed_at: Option<std::time::Instant>,
}

impl Application {
    /// The lease this row was claimed with, when it is claimed or submitting.
    pub fn lease(&self) -> Option<Lease> {
        self.lease_token.map(|token| Lease { id: self.id, token })
    }

    /// The row as claimed by a request sent at `asked`.
    pub fn claimed_when(self, asked: std::time::Instant) -> Self {
        Self {
            claimed_at: Some(asked),
            ..self
        }
    }
}

/// One claim as a worker asks for it: an id kept across the retries of that claim (a
/// repeat whose first answer was lost gets the same row back, not a second one) and
/// when it was first asked (the lease is counted from then).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClaimRequest {
    /// picked once per claim, sent with every try of it
    pub id: uuid::Uuid,
    /// the first try
    pub asked: std::time::Instant,
}

impl ClaimRequest {
    /// A claim asked for now.
    pub fn new() -> Self {
        Self {
            id: uuid::Uuid::new_v4(),
            asked: std::time::Instant::now(),
        }
    }
}

impl Default for ClaimRequest {
    fn default() -> Self {
        Self::new()
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

/// The drift breaker as it stands, shared by every worker.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct DriftStatus {
    /// claiming stops until then
    #[serde(with = "time::serde::rfc3339::option")]
    pub open_until: Option<OffsetDateTime>,
    /// when it last opened
    #[serde(with = "time::serde::rfc3339::option")]
    pub opened_at: Option<OffsetDateTime>,
    /// structural failures in a row since the last healthy ending
    pub streak: i32,
    /// the distinct users of that streak
    pub users: i32,
    /// the last structural failure's reason
    pub last_reason: Option<String>,
}

impl DriftStatus {
    /// Whether claiming is stopped at `now`.
    pub fn is_open(&self, now: OffsetDateTime) -> bool {
        self.open_until.is_some_and(|until| until > now)
    }
}

/// When the drift breaker opens: `failures` structural failures in a row from at
/// least `users` distinct users stop claiming for `pause`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DriftRule {
    /// failures in a row
    pub failures: u32,
    /// from this many distinct users
    pub users: u32,
    /// how long claiming stops
    pub pause: std::time::Duration,
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
#[derive(Debug, Clone)]
pub struct ProfileRow {
    /// the job seeker
    pub user_id: UserId,
    /// the profile, or where and why it does not match the schema (the user's
    /// answer to fix, not the store's error)
    pub profile: Result<ApplicantProfile, ProfileError>,
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
    /// the résumé the platform chose for this application (a file of the résumé
    /// folder); `None`: LinkedIn's selected one, else the profile's
    pub resume_path: Option<String>,
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
