//! The store: the only module that knows SQL or PostgREST. A narrow, domain-typed
//! [`Store`] trait with one backend per file; the worker, the CLI and the webhook
//! see only the trait.
//!
//! Backends: [`supabase::SupabaseStore`] (PostgREST in front of the Supabase
//! database; the SQL lives in `supabase/migrations/`) and [`sqlite::SqliteStore`]
//! (the embedded default: one file under the storage root). [`AnyStore`] is the one
//! the configuration names.

pub mod answering;
mod any;
pub mod postgrest;
mod rows;
pub mod sqlite;
pub mod supabase;

pub use any::AnyStore;
pub use rows::*;

use std::{future::Future, time::Duration};

use crate::domain::{ApplicationId, GiveBack, Lease, Outcome, Platform, UserId};

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
    /// The call was refused for its input (a user without a profile, a malformed
    /// answer): nothing changed.
    #[error("{operation}: {message}")]
    Refused {
        /// what was being done
        operation: String,
        /// why, in words
        message: String,
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
            Self::Decode { .. } | Self::NotClaimed { .. } | Self::Refused { .. } => false,
        }
    }
}

/// Who claims an application by id, and so which rows they may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaimBy {
    /// the webhook: only what the loop could claim (`queued` with attempts left,
    /// `needs_verification`), so a replayed call cannot re-run a finished row
    Caller,
    /// `autoapply replay`: also `failed`, `needs_user` and `skipped`
    Operator,
}

impl ClaimBy {
    /// As the SQL function's `p_operator`.
    pub fn is_operator(self) -> bool {
        self == Self::Operator
    }
}

/// Everything the worker asks of the database. Every method is one round trip.
pub trait Store: Send + Sync {
    /// Claims at most one ready application under a lease of `lease`.
    fn claim(
        &self,
        worker: &str,
        lease: Duration,
    ) -> impl Future<Output = Result<Option<Application>, StoreError>> + Send {
        self.claim_as(worker, lease, ClaimRequest::new())
    }

    /// [`Store::claim`] as `request`: asked again with the same request (its answer
    /// was lost), it answers the row that request claimed while its lease holds,
    /// unchanged, instead of claiming a second one.
    fn claim_as(
        &self,
        worker: &str,
        lease: Duration,
        request: ClaimRequest,
    ) -> impl Future<Output = Result<Option<Application>, StoreError>> + Send;

    /// Claims one given application now (replay, webhook); `None` when it is not
    /// claimable: see [`ClaimBy`]. Never a submitted, cancelled or live row, never a
    /// user whose session is not valid or is paused, or who is already in a browser.
    fn claim_by_id(
        &self,
        id: ApplicationId,
        worker: &str,
        lease: Duration,
        by: ClaimBy,
    ) -> impl Future<Output = Result<Option<Application>, StoreError>> + Send;

    /// Applications by status and reason.
    fn application_counts(
        &self,
    ) -> impl Future<Output = Result<Vec<StatusCount>, StoreError>> + Send;

    /// How long (seconds) the oldest application a worker could claim now has waited
    /// since its `run_at` (0 when none): the claim's rule without the fleet-wide stops.
    fn oldest_claimable_seconds(&self) -> impl Future<Output = Result<f64, StoreError>> + Send;

    /// Renews a lease; false when it was lost.
    fn heartbeat(
        &self,
        lease: Lease,
        duration: Duration,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// The global kill switch: reserves one LinkedIn action for today (UTC);
    /// false once the day's limit is reached.
    fn reserve_linkedin_action(&self) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// [`reserve_linkedin_action`](Self::reserve_linkedin_action) for one claim: its
    /// one action, reserved once however often it is asked (a repeat whose first
    /// answer was lost finds it reserved).
    fn reserve_linkedin_action_for(
        &self,
        lease: Lease,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Today's kill-switch figures.
    fn linkedin_daily_status(&self)
    -> impl Future<Output = Result<DailyStatus, StoreError>> + Send;

    /// The drift breaker: counts one ending (`structural`: a structural failure's
    /// reason; `None`: an ending that shows the markup works, which starts the count
    /// again) and opens the breaker by `rule`; returns it as it now stands.
    fn record_drift(
        &self,
        user: UserId,
        structural: Option<&str>,
        rule: DriftRule,
    ) -> impl Future<Output = Result<DriftStatus, StoreError>> + Send;

    /// The drift breaker as it stands.
    fn drift_status(&self) -> impl Future<Output = Result<DriftStatus, StoreError>> + Send;

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

    /// Gives the claim back without spending the attempt, recording why; no worker
    /// claims it again before `why.after`.
    fn release(
        &self,
        lease: Lease,
        why: &GiveBack,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

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

    /// The user's answers to the questions their applications wait on
    /// ([`answering`]): all or nothing. A user without a profile is refused.
    fn answer_questions(
        &self,
        user: UserId,
        answers: &[answering::GivenAnswer],
    ) -> impl Future<Output = Result<answering::AnswerResult, StoreError>> + Send;

    /// The user's applications, the newest first.
    fn user_applications(
        &self,
        user: UserId,
    ) -> impl Future<Output = Result<Vec<Application>, StoreError>> + Send;
}
