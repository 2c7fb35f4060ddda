//! Rows that cannot be run are an answer, not a loop (issue 34, point 1): a profile
//! that does not match the schema ends `needs_user/profile_invalid` within one claim,
//! with its message and no attempt spent, while a profile with decimal years applies;
//! a row whose every run fails before the browser is given back with its reason and
//! not claimed again for 30 s (`run::one::AFTER_STORE_ERROR`) — the real daemon on
//! both stores.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::support::apply::{BROWSER, ada_profile, apply_env};

#[tokio::test]
async fn a_malformed_profile_ends_needs_user_at_once_and_a_decimal_one_applies() {
    let _one = BROWSER.lock().await;
    let env = apply_env().await;
    let mut broken = ada_profile();
    broken["experience_years"] = json!({"python": "five-ish-secret"});
    let bad = env.seed_user(&broken, "AQEDAbrokenProfile");
    let mut decimal = ada_profile();
    decimal["experience_years"] = json!({"python": 5, "rust": 2.5, "go": "4,5"});
    let good = env.seed_user(&decimal, "AQEDAdecimalProfile");
    let bad_row = env.seed_job(bad, 3301);
    let good_row = env.seed_job(good, 3302);

    let mut daemon = env.spawn_daemon("bad-rows", &[]);
    let deadline = Instant::now() + Duration::from_secs(90);
    let status = |id| {
        env.app.sql(&format!(
            "select status || '|' || coalesce(reason, '') || '|' || attempts from job_applications where id = '{id}'"
        ))
    };
    while status(bad_row) != "needs_user|profile_invalid|0"
        || !status(good_row).starts_with("submitted")
    {
        assert!(
            Instant::now() < deadline,
            "{} / {}\n{}",
            status(bad_row),
            status(good_row),
            daemon.logs()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // a few polls more: the row is not claimed again
    tokio::time::sleep(Duration::from_secs(3)).await;
    daemon.stop().await;

    let error = env.app.sql(&format!(
        "select last_error from job_applications where id = '{bad_row}'"
    ));
    assert!(
        error.contains("`experience_years.python`")
            && error.contains("expected years as a number")
            && error.contains("nothing was sent to LinkedIn"),
        "the message names the field and what is wrong: {error}"
    );
    assert!(!error.contains("secret"), "never the value: {error}");
    let claims = env.app.sql(&format!(
        "select count(*) from agent_logs where application_id = '{bad_row}' and status = 'started'"
    ));
    assert_eq!(claims, "1", "one claim, one answer");
    let submitted: Vec<u64> = env.replica.submissions().iter().map(|s| s.job_id).collect();
    assert_eq!(
        submitted,
        [3302],
        "the decimal profile applied; the broken one did not"
    );
    assert!(
        !env.replica
            .requests()
            .iter()
            .any(|r| r.path.contains("3301")),
        "no LinkedIn action for the broken profile's job"
    );
}

#[tokio::test]
async fn a_row_that_fails_before_the_browser_is_given_back_with_its_reason_and_waits() {
    use autoapply::store::sqlite::SqliteStore;
    let _one = BROWSER.lock().await;
    let env = apply_env().await;
    let lite = [("SUPABASE_URL", "")];
    let user = env
        .enqueue_on_sqlite("AQEDAstoreError", [3311], &lite)
        .await;
    let path = env.storage.join("autoapply.sqlite3");
    let sql = rusqlite::Connection::open(&path).unwrap();
    // a session row the store cannot read: every run fails before the browser
    sql.execute(
        "update platform_sessions set validated_at = 'not a time' where user_id = ?1",
        [&user],
    )
    .unwrap();
    drop(SqliteStore::open(&path).unwrap());

    let mut daemon = env.spawn_daemon("lite-bad", &lite);
    tokio::time::sleep(Duration::from_secs(10)).await;
    daemon.stop().await;

    let sql = rusqlite::Connection::open(&path).unwrap();
    let claims: i64 = sql
        .query_row(
            "select count(*) from agent_logs where status = 'started'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        claims,
        1,
        "claimed once in 10 s with a 1 s poll, not in a loop\n{}",
        daemon.logs()
    );
    let (status, reason, attempts, error, wait_ms): (String, String, i64, String, i64) = sql
        .query_row(
            "select status, reason, attempts, last_error, run_at - cast(strftime('%s','now') as integer) * 1000
               from job_applications",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .unwrap();
    assert_eq!(
        (status.as_str(), reason.as_str(), attempts),
        ("queued", "store_error", 0),
        "given back with its reason, no attempt spent"
    );
    assert!(
        error.contains("the store failed during the attempt") && error.contains("30 s"),
        "{error}"
    );
    assert!(
        (10_000..=30_000).contains(&wait_ms),
        "not claimable before its wait: {wait_ms} ms"
    );
    assert!(
        env.replica.requests().is_empty(),
        "nothing reached LinkedIn"
    );
}
