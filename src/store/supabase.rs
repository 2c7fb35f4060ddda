//! The Supabase backend: PostgREST RPC calls to the functions in
//! `supabase/migrations/`, with the service role key.

use std::time::Duration;

use serde::Deserialize;
use serde_json::json;

use super::{
    AgentLogEntry, Application, BeginSubmit, DailyStatus, DriftRule, DriftStatus, Enqueued,
    NewApplication, NewSession, ProfileRow, RescueCounts, StatusCount, Store, StoreAdmin,
    StoreError, StoredSession,
    postgrest::{PostgrestClient, RetryPolicy},
};
use crate::{
    config::Config,
    domain::{ApplicantProfile, ApplicationId, GiveBack, Lease, Outcome, Platform, UserId},
};

/// The store of a Supabase project (or any PostgREST in front of the migrations).
#[derive(Debug, Clone)]
pub struct SupabaseStore {
    client: PostgrestClient,
}

fn lease_secs(d: Duration) -> u64 {
    d.as_secs().clamp(5, 3600)
}

fn one<T>(operation: &str, mut rows: Vec<T>) -> Result<T, StoreError> {
    if rows.len() == 1 {
        Ok(rows.remove(0))
    } else {
        Err(StoreError::Decode {
            operation: operation.to_owned(),
            detail: format!("expected one row, got {}", rows.len()),
        })
    }
}

impl SupabaseStore {
    /// A store on an existing client.
    pub fn new(client: PostgrestClient) -> Self {
        Self { client }
    }

    /// The store the configuration names.
    pub fn from_config(config: &Config) -> Result<Self, StoreError> {
        let Some(mut base) = config.supabase_url.clone() else {
            return Err(StoreError::Decode {
                operation: "connect".into(),
                detail: "SUPABASE_URL is not set".into(),
            });
        };
        let path = format!(
            "{}{}",
            base.path().trim_end_matches('/'),
            config.supabase_rest_path
        );
        base.set_path(&path);
        let client = PostgrestClient::new(
            base,
            config
                .service_role_key
                .clone()
                .ok_or_else(|| StoreError::Decode {
                    operation: "connect".into(),
                    detail: "SUPABASE_SERVICE_ROLE_KEY is not set".into(),
                })?,
            config.http_timeout,
            RetryPolicy::default(),
        )?;
        Ok(Self::new(client))
    }

    /// The underlying client (tests and admin commands).
    pub fn client(&self) -> &PostgrestClient {
        &self.client
    }
}

impl Store for SupabaseStore {
    async fn claim_as(
        &self,
        worker: &str,
        lease: Duration,
        request: crate::store::ClaimRequest,
    ) -> Result<Option<Application>, StoreError> {
        let mut rows: Vec<Application> = self
            .client
            .rpc(
                "claim_application",
                &json!({"p_worker": worker, "p_lease_seconds": lease_secs(lease), "p_request": request.id}),
            )
            .await?;
        Ok(rows.pop().map(|row| row.claimed_when(request.asked)))
    }

    async fn claim_by_id(
        &self,
        id: ApplicationId,
        worker: &str,
        lease: Duration,
        by: crate::store::ClaimBy,
    ) -> Result<Option<Application>, StoreError> {
        let asked = std::time::Instant::now();
        let mut rows: Vec<Application> = self
            .client
            .rpc(
                "claim_application_by_id",
                &json!({"p_id": id, "p_worker": worker, "p_lease_seconds": lease_secs(lease), "p_operator": by.is_operator()}),
            )
            .await?;
        Ok(rows.pop().map(|row| row.claimed_when(asked)))
    }

    async fn application_counts(&self) -> Result<Vec<StatusCount>, StoreError> {
        self.client.rpc("application_counts", &json!({})).await
    }

    async fn oldest_claimable_seconds(&self) -> Result<f64, StoreError> {
        self.client
            .rpc("oldest_claimable_seconds", &json!({}))
            .await
    }

    async fn heartbeat(&self, lease: Lease, duration: Duration) -> Result<bool, StoreError> {
        self.client
            .rpc_patient(
                "heartbeat_application",
                &json!({"p_id": lease.id, "p_token": lease.token, "p_lease_seconds": lease_secs(duration)}),
            )
            .await
    }

    async fn reserve_linkedin_action(&self) -> Result<bool, StoreError> {
        self.client.rpc("reserve_linkedin_action", &json!({})).await
    }

    async fn reserve_linkedin_action_for(&self, lease: Lease) -> Result<bool, StoreError> {
        self.client
            .rpc_patient("reserve_linkedin_action", &json!({"p_token": lease.token}))
            .await
    }

    async fn linkedin_daily_status(&self) -> Result<DailyStatus, StoreError> {
        let rows = self.client.rpc("linkedin_daily_status", &json!({})).await?;
        one("rpc linkedin_daily_status", rows)
    }

    async fn record_drift(
        &self,
        user: UserId,
        structural: Option<&str>,
        rule: DriftRule,
    ) -> Result<DriftStatus, StoreError> {
        let rows = self
            .client
            .rpc(
                "record_drift",
                &json!({
                    "p_user": user,
                    "p_reason": structural,
                    "p_failures": rule.failures,
                    "p_users": rule.users,
                    "p_pause_secs": rule.pause.as_secs(),
                }),
            )
            .await?;
        one("rpc record_drift", rows)
    }

    async fn drift_status(&self) -> Result<DriftStatus, StoreError> {
        let rows = self.client.rpc("drift_status", &json!({})).await?;
        one("rpc drift_status", rows)
    }

    async fn begin_submit(&self, lease: Lease) -> Result<BeginSubmit, StoreError> {
        self.client
            .rpc_patient(
                "begin_submit",
                &json!({"p_id": lease.id, "p_token": lease.token}),
            )
            .await
    }

    async fn finish(&self, lease: Lease, outcome: &Outcome) -> Result<bool, StoreError> {
        self.client
            .rpc_patient(
                "finish_application",
                &json!({
                    "p_id": lease.id,
                    "p_token": lease.token,
                    "p_status": outcome.status.as_str(),
                    "p_reason": outcome.reason,
                    "p_error": outcome.error,
                    "p_details": outcome.details,
                }),
            )
            .await
    }

    async fn release(&self, lease: Lease, why: &GiveBack) -> Result<bool, StoreError> {
        self.client
            .rpc_patient(
                "release_application",
                &json!({
                    "p_id": lease.id,
                    "p_token": lease.token,
                    "p_reason": why.reason,
                    "p_error": why.error,
                    "p_after_ms": i64::try_from(why.after.as_millis()).unwrap_or(i64::MAX),
                }),
            )
            .await
    }

    async fn rescue_expired(&self) -> Result<RescueCounts, StoreError> {
        let rows = self
            .client
            .rpc("rescue_expired_applications", &json!({}))
            .await?;
        one("rpc rescue_expired_applications", rows)
    }

    async fn application(&self, id: ApplicationId) -> Result<Option<Application>, StoreError> {
        let mut rows: Vec<Application> = self
            .client
            .select(
                "job_applications",
                &[("id", format!("eq.{id}")), ("limit", "1".into())],
            )
            .await?;
        Ok(rows.pop())
    }

    async fn session(
        &self,
        user: UserId,
        platform: Platform,
    ) -> Result<Option<StoredSession>, StoreError> {
        let mut rows: Vec<StoredSession> = self
            .client
            .select(
                "platform_sessions",
                &[
                    (
                        "select",
                        "user_id,platform,session_encrypted,session_iv,user_agent,status,validated_at".into(),
                    ),
                    ("user_id", format!("eq.{user}")),
                    ("platform", format!("eq.{}", platform.as_str())),
                ],
            )
            .await?;
        Ok(rows.pop())
    }

    async fn profile(&self, user: UserId) -> Result<Option<ProfileRow>, StoreError> {
        #[derive(Deserialize)]
        struct Raw {
            user_id: UserId,
            profile: serde_json::Value,
            resume_path: Option<String>,
        }
        let mut rows: Vec<Raw> = self
            .client
            .select(
                "applicant_profiles",
                &[
                    ("select", "user_id,profile,resume_path".into()),
                    ("user_id", format!("eq.{user}")),
                ],
            )
            .await?;
        let Some(raw) = rows.pop() else {
            return Ok(None);
        };
        // a profile of the wrong shape is the user's to fix: named, never a store error
        let profile = ApplicantProfile::from_json(&raw.profile);
        Ok(Some(ProfileRow {
            user_id: raw.user_id,
            profile,
            resume_path: raw.resume_path,
        }))
    }

    async fn purge_expired_agent_logs(&self) -> Result<u32, StoreError> {
        self.client
            .rpc("purge_expired_agent_logs", &json!({}))
            .await
    }

    async fn log_agent(&self, entry: &AgentLogEntry) -> Result<(), StoreError> {
        self.client.insert("agent_logs", entry).await
    }
}

impl StoreAdmin for SupabaseStore {
    async fn enqueue(&self, new: &NewApplication) -> Result<Enqueued, StoreError> {
        let mut added: Vec<Application> = self
            .client
            .write(
                "job_applications",
                &[("on_conflict", "user_id,platform,external_job_id".into())],
                &json!({
                    "user_id": new.user_id,
                    "platform": crate::domain::Platform::Linkedin.as_str(),
                    "job_url": new.job_url,
                    "external_job_id": new.external_job_id,
                    "max_attempts": new.max_attempts,
                    "resume_path": new.resume_path,
                }),
                "resolution=ignore-duplicates,return=representation",
            )
            .await?;
        if let Some(row) = added.pop() {
            return Ok(Enqueued::Added(row));
        }
        let rows: Vec<Application> = self
            .client
            .select(
                "job_applications",
                &[
                    ("user_id", format!("eq.{}", new.user_id)),
                    ("platform", "eq.linkedin".into()),
                    ("external_job_id", format!("eq.{}", new.external_job_id)),
                ],
            )
            .await?;
        one("select job_applications", rows).map(Enqueued::Exists)
    }

    async fn put_session(&self, new: &NewSession) -> Result<(), StoreError> {
        use secrecy::ExposeSecret as _;
        let _: Vec<serde_json::Value> = self
            .client
            .write(
                "platform_sessions",
                &[("on_conflict", "user_id,platform".into())],
                &json!({
                    "user_id": new.user_id,
                    "platform": new.platform.as_str(),
                    "session_encrypted": new.sealed.ciphertext.expose_secret(),
                    "session_iv": new.sealed.iv.expose_secret(),
                    "user_agent": new.user_agent,
                    "status": "valid",
                    "paused_until": null,
                }),
                "resolution=merge-duplicates,return=minimal",
            )
            .await?;
        Ok(())
    }

    async fn put_profile(
        &self,
        user: UserId,
        profile: &serde_json::Value,
        resume_path: Option<&str>,
    ) -> Result<(), StoreError> {
        let _: Vec<serde_json::Value> = self
            .client
            .write(
                "applicant_profiles",
                &[("on_conflict", "user_id".into())],
                &json!({"user_id": user, "profile": profile, "resume_path": resume_path}),
                "resolution=merge-duplicates,return=minimal",
            )
            .await?;
        Ok(())
    }

    async fn answer_questions(
        &self,
        user: UserId,
        answers: &[super::answering::GivenAnswer],
    ) -> Result<super::answering::AnswerResult, StoreError> {
        self.client
            .rpc(
                "answer_pending_questions",
                &json!({"p_user_id": user, "p_answers": answers}),
            )
            .await
    }

    async fn user_applications(&self, user: UserId) -> Result<Vec<Application>, StoreError> {
        self.client
            .select(
                "job_applications",
                &[
                    ("user_id", format!("eq.{user}")),
                    ("order", "created_at.desc,id".into()),
                ],
            )
            .await
    }
}
