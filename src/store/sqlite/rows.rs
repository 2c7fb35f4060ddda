//! Row mapping: columns, times as Unix milliseconds, UTC days, enum and UUID columns,
//! and the error of an embedded call.

use std::time::Duration;

use rusqlite::{Connection, OptionalExtension as _, Row, Transaction, params};
use serde::de::DeserializeOwned;
use time::OffsetDateTime;

use crate::{
    domain::{ApplicationId, LeaseToken, UserId},
    store::{Application, StoreError},
};

pub(super) const COLUMNS: &str = "id, user_id, platform, job_url, external_job_id, status, reason, attempts, \
     max_attempts, run_at, lease_token, lease_owner, lease_expires_at, verification_pending, \
     verification_checks, pending_questions, last_error, screenshot_path, submitted_at, \
     submit_started_at, verification_not_applied_at, verification_looks, receipt, resume_path, display_language";

pub(super) fn embedded(operation: &str, err: &rusqlite::Error) -> StoreError {
    let busy = matches!(
        err.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    );
    StoreError::Embedded {
        operation: operation.to_owned(),
        detail: err.to_string(),
        busy,
    }
}

pub(super) fn ms(t: OffsetDateTime) -> i64 {
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

pub(super) fn from_ms(v: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(v) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

pub(super) fn duration_ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

pub(super) fn lease_ms(d: Duration) -> i64 {
    // the same bounds as check_lease_seconds
    duration_ms(d.clamp(Duration::from_secs(5), Duration::from_secs(3600)))
}

pub(super) fn utc_day(now: OffsetDateTime) -> String {
    now.date().to_string()
}

/// A column value of one of our snake_case enums.
pub(super) fn enum_column<T: DeserializeOwned>(row: &Row<'_>, index: usize) -> rusqlite::Result<T> {
    let text: String = row.get(index)?;
    serde_json::from_value(serde_json::Value::String(text.clone())).map_err(|_| {
        rusqlite::Error::FromSqlConversionFailure(
            index,
            rusqlite::types::Type::Text,
            format!("unknown value {text:?}").into(),
        )
    })
}

pub(super) fn uuid_column<T>(
    row: &Row<'_>,
    index: usize,
    parse: fn(&str) -> Result<T, crate::domain::IdError>,
) -> rusqlite::Result<T> {
    let text: String = row.get(index)?;
    parse(&text).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(index, rusqlite::types::Type::Text, e.into())
    })
}

pub(super) fn application_row(row: &Row<'_>) -> rusqlite::Result<Application> {
    let questions: Option<String> = row.get(15)?;
    Ok(Application {
        claimed_at: None,
        id: uuid_column(row, 0, ApplicationId::parse)?,
        user_id: uuid_column(row, 1, UserId::parse)?,
        platform: enum_column(row, 2)?,
        job_url: row.get(3)?,
        external_job_id: row.get(4)?,
        status: enum_column(row, 5)?,
        reason: row.get(6)?,
        attempts: row.get(7)?,
        max_attempts: row.get(8)?,
        run_at: from_ms(row.get(9)?),
        lease_token: row.get::<_, Option<i64>>(10)?.map(LeaseToken),
        lease_owner: row.get(11)?,
        lease_expires_at: row.get::<_, Option<i64>>(12)?.map(from_ms),
        verification_pending: row.get(13)?,
        verification_checks: row.get(14)?,
        pending_questions: questions.and_then(|q| serde_json::from_str(&q).ok()),
        last_error: row.get(16)?,
        screenshot_path: row.get(17)?,
        submitted_at: row.get::<_, Option<i64>>(18)?.map(from_ms),
        submit_started_at: row.get::<_, Option<i64>>(19)?.map(from_ms),
        verification_not_applied_at: row.get::<_, Option<i64>>(20)?.map(from_ms),
        verification_looks: serde_json::from_str(&row.get::<_, String>(21)?)
            .unwrap_or_else(|_| serde_json::json!([])),
        receipt: row
            .get::<_, Option<String>>(22)?
            .and_then(|r| serde_json::from_str(&r).ok()),
        resume_path: row.get(23)?,
        display_language: row.get(24)?,
    })
}

pub(super) fn select_application(
    tx: &Connection,
    id: ApplicationId,
) -> rusqlite::Result<Option<Application>> {
    tx.query_row(
        &format!("select {COLUMNS} from job_applications where id = ?1"),
        params![id.to_string()],
        application_row,
    )
    .optional()
}

/// The row `lease` holds, while it is live (`claimed` or `submitting`).
pub(super) fn held_application(
    tx: &Connection,
    lease: crate::domain::Lease,
) -> rusqlite::Result<Option<Application>> {
    tx.query_row(
        &format!(
            "select {COLUMNS} from job_applications
              where id = ?1 and lease_token = ?2 and status in ('claimed', 'submitting')"
        ),
        params![lease.id.to_string(), lease.token.0],
        application_row,
    )
    .optional()
}

pub(super) fn next_token(tx: &Transaction<'_>) -> rusqlite::Result<i64> {
    tx.query_row(
        "update lease_sequence set last = last + 1 where id = 1 returning last",
        [],
        |r| r.get(0),
    )
}
