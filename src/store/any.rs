//! The store the configuration names: Supabase when `SUPABASE_URL` is set, else the
//! embedded SQLite file. The trait's `async fn`s are not object-safe, so this enum
//! forwards each call.

use std::time::Duration;

use super::{
    AgentLogEntry, Application, BeginSubmit, DailyStatus, DriftRule, DriftStatus, Enqueued,
    NewApplication, NewSession, ProfileRow, RescueCounts, StatusCount, Store, StoreAdmin,
    StoreError, StoredSession, sqlite::SqliteStore, supabase::SupabaseStore,
};
use crate::{
    config::Config,
    domain::{ApplicationId, GiveBack, Lease, Outcome, Platform, UserId},
};

/// One of the two backends.
#[derive(Debug, Clone)]
pub enum AnyStore {
    /// PostgREST in front of the Supabase database
    Supabase(SupabaseStore),
    /// the embedded SQLite file
    Sqlite(SqliteStore),
}

impl AnyStore {
    /// The store the configuration names (opening, and if new creating, the SQLite file).
    pub fn from_config(config: &Config) -> Result<Self, StoreError> {
        if config.supabase_url.is_some() {
            SupabaseStore::from_config(config).map(Self::Supabase)
        } else {
            SqliteStore::open(&config.sqlite_path).map(Self::Sqlite)
        }
    }

    /// Where the data is, for logs and `config check`.
    pub fn describe(&self) -> String {
        match self {
            Self::Supabase(_) => "supabase (PostgREST)".into(),
            Self::Sqlite(s) => format!("embedded SQLite at {}", s.path().display()),
        }
    }
}

macro_rules! forward {
    ($self:ident, $store:ident => $call:expr) => {
        match $self {
            Self::Supabase($store) => $call.await,
            Self::Sqlite($store) => $call.await,
        }
    };
}

impl Store for AnyStore {
    async fn claim_as(
        &self,
        worker: &str,
        lease: Duration,
        request: crate::store::ClaimRequest,
    ) -> Result<Option<Application>, StoreError> {
        forward!(self, s => s.claim_as(worker, lease, request))
    }

    async fn claim_by_id(
        &self,
        id: ApplicationId,
        worker: &str,
        lease: Duration,
        by: crate::store::ClaimBy,
    ) -> Result<Option<Application>, StoreError> {
        forward!(self, s => s.claim_by_id(id, worker, lease, by))
    }

    async fn application_counts(&self) -> Result<Vec<StatusCount>, StoreError> {
        forward!(self, s => s.application_counts())
    }

    async fn oldest_claimable_seconds(&self) -> Result<f64, StoreError> {
        forward!(self, s => s.oldest_claimable_seconds())
    }

    async fn heartbeat(&self, lease: Lease, duration: Duration) -> Result<bool, StoreError> {
        forward!(self, s => s.heartbeat(lease, duration))
    }

    async fn reserve_linkedin_action(&self) -> Result<bool, StoreError> {
        forward!(self, s => s.reserve_linkedin_action())
    }

    async fn reserve_linkedin_action_for(&self, lease: Lease) -> Result<bool, StoreError> {
        forward!(self, s => s.reserve_linkedin_action_for(lease))
    }

    async fn linkedin_daily_status(&self) -> Result<DailyStatus, StoreError> {
        forward!(self, s => s.linkedin_daily_status())
    }

    async fn record_drift(
        &self,
        user: UserId,
        structural: Option<&str>,
        rule: DriftRule,
    ) -> Result<DriftStatus, StoreError> {
        forward!(self, s => s.record_drift(user, structural, rule))
    }

    async fn drift_status(&self) -> Result<DriftStatus, StoreError> {
        forward!(self, s => s.drift_status())
    }

    async fn begin_submit(&self, lease: Lease) -> Result<BeginSubmit, StoreError> {
        forward!(self, s => s.begin_submit(lease))
    }

    async fn finish(&self, lease: Lease, outcome: &Outcome) -> Result<bool, StoreError> {
        forward!(self, s => s.finish(lease, outcome))
    }

    async fn release(&self, lease: Lease, why: &GiveBack) -> Result<bool, StoreError> {
        forward!(self, s => s.release(lease, why))
    }

    async fn rescue_expired(&self) -> Result<RescueCounts, StoreError> {
        forward!(self, s => s.rescue_expired())
    }

    async fn application(&self, id: ApplicationId) -> Result<Option<Application>, StoreError> {
        forward!(self, s => s.application(id))
    }

    async fn session(
        &self,
        user: UserId,
        platform: Platform,
    ) -> Result<Option<StoredSession>, StoreError> {
        forward!(self, s => s.session(user, platform))
    }

    async fn profile(&self, user: UserId) -> Result<Option<ProfileRow>, StoreError> {
        forward!(self, s => s.profile(user))
    }

    async fn purge_expired_agent_logs(&self) -> Result<u32, StoreError> {
        forward!(self, s => s.purge_expired_agent_logs())
    }

    async fn log_agent(&self, entry: &AgentLogEntry) -> Result<(), StoreError> {
        forward!(self, s => s.log_agent(entry))
    }
}

impl StoreAdmin for AnyStore {
    async fn enqueue(&self, new: &NewApplication) -> Result<Enqueued, StoreError> {
        forward!(self, s => s.enqueue(new))
    }

    async fn put_session(&self, new: &NewSession) -> Result<(), StoreError> {
        forward!(self, s => s.put_session(new))
    }

    async fn put_profile(
        &self,
        user: UserId,
        profile: &serde_json::Value,
        resume_path: Option<&str>,
    ) -> Result<(), StoreError> {
        forward!(self, s => s.put_profile(user, profile, resume_path))
    }

    async fn answer_questions(
        &self,
        user: UserId,
        answers: &[super::answering::GivenAnswer],
    ) -> Result<super::answering::AnswerResult, StoreError> {
        forward!(self, s => s.answer_questions(user, answers))
    }

    async fn user_applications(&self, user: UserId) -> Result<Vec<Application>, StoreError> {
        forward!(self, s => s.user_applications(user))
    }
}
