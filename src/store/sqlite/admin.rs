//! What `autoapply enqueue` and the demo write: applications, sessions, profiles.

use rusqlite::params;
use secrecy::ExposeSecret as _;

use super::{Sql as _, SqliteStore, rows::*};
use crate::store::StoreAdmin;
use crate::{
    domain::{ApplicationId, UserId},
    store::{Enqueued, NewApplication, NewSession, StoreError},
};

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
                                                   max_attempts, run_at, created_at, updated_at,
                                                   resume_path)
                     values (?1, ?2, 'linkedin', ?3, ?4, ?5, ?6, ?6, ?6, ?7)
                     on conflict (user_id, platform, external_job_id) do nothing",
                    params![
                        id.to_string(),
                        new.user_id.to_string(),
                        new.job_url,
                        new.external_job_id,
                        new.max_attempts,
                        now_ms,
                        new.resume_path
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

    async fn answer_questions(
        &self,
        user: UserId,
        answers: &[crate::store::answering::GivenAnswer],
    ) -> Result<crate::store::answering::AnswerResult, StoreError> {
        super::answers::answer_questions(self, user, answers.to_vec()).await
    }

    async fn user_applications(
        &self,
        user: UserId,
    ) -> Result<Vec<crate::store::Application>, StoreError> {
        super::answers::user_applications(self, user).await
    }
}
