//! The user's answers given back (`store::answering`) and the user's applications,
//! on the embedded file: one transaction, all or nothing.

use rusqlite::{OptionalExtension as _, params};

use super::{Sql as _, SqliteStore, rows::*};
use crate::{
    domain::{ApplicationId, UserId},
    store::{
        Application, StoreError,
        answering::{self, AnswerResult, GivenAnswer, PendingRow},
    },
};

pub(super) async fn answer_questions(
    store: &SqliteStore,
    user: UserId,
    given: Vec<GivenAnswer>,
) -> Result<AnswerResult, StoreError> {
    const OP: &str = "answer_pending_questions";
    store
        .tx(OP, move |tx, now| {
            let profile: Option<String> = tx
                .query_row(
                    "select profile from applicant_profiles where user_id = ?1",
                    params![user.to_string()],
                    |r| r.get(0),
                )
                .optional()
                .sql(OP)?;
            let refused = |message: String| StoreError::Refused {
                operation: OP.into(),
                message,
            };
            let Some(profile) = profile else {
                return Err(refused(format!("user {user} has no applicant profile")));
            };
            if given.is_empty() {
                return Err(refused("no answer given".into()));
            }
            let mut profile: serde_json::Value = serde_json::from_str(&profile)
                .map_err(|e| refused(format!("the stored profile is not JSON: {e}")))?;
            let rows = waiting_rows(tx, user).sql(OP)?;
            let refusals = answering::refusals(&given, &rows);
            if !refusals.is_empty() {
                let (_, waiting) = answering::unblocked(&profile["answers"], &rows);
                return Ok(AnswerResult {
                    requeued: Vec::new(),
                    waiting,
                    refused: refusals,
                });
            }
            profile["answers"] =
                answering::merged(&profile["answers"], &given, &answering::answered_at(now));
            tx.execute(
                "update applicant_profiles set profile = ?2, updated_at = ?3 where user_id = ?1",
                params![user.to_string(), profile.to_string(), ms(now)],
            )
            .sql(OP)?;
            let (requeued, waiting) = answering::unblocked(&profile["answers"], &rows);
            for id in &requeued {
                tx.execute(
                    "update job_applications
                        set status = 'queued', reason = null, pending_questions = null,
                            last_error = null, run_at = ?2, updated_at = ?2
                      where id = ?1 and status = 'needs_user' and reason = 'unknown_questions'",
                    params![id.to_string(), ms(now)],
                )
                .sql(OP)?;
            }
            Ok(AnswerResult {
                requeued,
                waiting,
                refused: Vec::new(),
            })
        })
        .await
}

/// The user's applications that wait on their answers, with their questions.
fn waiting_rows(tx: &rusqlite::Connection, user: UserId) -> rusqlite::Result<Vec<PendingRow>> {
    let mut stmt = tx.prepare(
        "select id, coalesce(pending_questions, '[]') from job_applications
          where user_id = ?1 and status = 'needs_user' and reason = 'unknown_questions'
          order by created_at, id",
    )?;
    let rows = stmt.query_map(params![user.to_string()], |r| {
        let id: String = r.get(0)?;
        let pending: String = r.get(1)?;
        Ok((id, pending))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, pending) = row?;
        let Ok(id) = ApplicationId::parse(&id) else {
            continue;
        };
        out.push((id, serde_json::from_str(&pending).unwrap_or_default()));
    }
    Ok(out)
}

pub(super) async fn user_applications(
    store: &SqliteStore,
    user: UserId,
) -> Result<Vec<Application>, StoreError> {
    const OP: &str = "select job_applications of a user";
    store
        .tx(OP, move |tx, _| {
            let mut stmt = tx
                .prepare(&format!(
                    "select {COLUMNS} from job_applications where user_id = ?1
                      order by created_at desc, id"
                ))
                .sql(OP)?;
            let rows = stmt
                .query_map(params![user.to_string()], application_row)
                .sql(OP)?;
            rows.collect::<rusqlite::Result<Vec<_>>>().sql(OP)
        })
        .await
}
