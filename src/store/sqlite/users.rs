//! What the worker reads of a user (session, profile) and the agent log it writes.

use rusqlite::{OptionalExtension as _, params};
use secrecy::SecretString;

use super::{Sql as _, SqliteStore, rows::*};
use crate::{
    domain::{ApplicantProfile, Platform, ProfileError, UserId, truncate_error},
    store::{AgentLogEntry, ProfileRow, StoreError, StoredSession},
};

pub(super) async fn session(
    store: &SqliteStore,
    user: UserId,
    platform: Platform,
) -> Result<Option<StoredSession>, StoreError> {
    const OP: &str = "select platform_sessions";
    store
        .tx(OP, move |tx, _| {
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

pub(super) async fn profile(
    store: &SqliteStore,
    user: UserId,
) -> Result<Option<ProfileRow>, StoreError> {
    const OP: &str = "select applicant_profiles";
    let raw: Option<(String, Option<String>)> = store
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
    // a profile of the wrong shape is the user's to fix: named, never a store error
    let profile = match serde_json::from_str::<serde_json::Value>(&profile) {
        Ok(json) => ApplicantProfile::from_json(&json),
        Err(e) => Err(ProfileError {
            path: ".".into(),
            problem: format!("not JSON (line {}, column {})", e.line(), e.column()),
        }),
    };
    Ok(Some(ProfileRow {
        user_id: user,
        profile,
        resume_path,
    }))
}

pub(super) async fn purge_expired_agent_logs(store: &SqliteStore) -> Result<u32, StoreError> {
    const OP: &str = "purge_expired_agent_logs";
    store
        .tx(OP, |tx, now| {
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

pub(super) async fn log_agent(
    store: &SqliteStore,
    entry: &AgentLogEntry,
) -> Result<(), StoreError> {
    const OP: &str = "insert agent_logs";
    let entry = entry.clone();
    store
        .tx(OP, move |tx, now| {
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
