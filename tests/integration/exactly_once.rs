//! Exactly-once when LinkedIn lags, on both stores: the worker is killed right after
//! the Submit click (`kill -9`, the crash-injection harness) on a job whose "Applied"
//! state shows only 30 s after the submission and whose confirmation never
//! renders. A second worker verifies: its first look, a settle time (15 s) after the submit
//! began, still sees Easy Apply; a second look a settle time later sees "Applied". The
//! job is submitted exactly once and ends `submitted/verified_applied`, the looks in
//! the row's timeline. (Without the settle rule the first look re-queued it and the
//! job was submitted twice.)

use std::time::Duration;

use autoapply::store::{Application, Store as _};

use crate::support::{
    apply::{ApplyEnv, BROWSER, ada_profile, apply_env},
    daemon::wait_for_submission,
};

const COOKIE: &str = "AQEDAExactlyOnceCookie-77";
/// LinkedIn shows "Applied" this long after the submission.
const LAG: Duration = Duration::from_secs(30);
/// The settle time: the first look comes before the lag is over, the second after.
const SETTLE_SECS: u64 = 15;

/// The looks of a row's timeline, in order.
fn looks(row: &Application) -> Vec<String> {
    row.verification_looks
        .as_array()
        .into_iter()
        .flatten()
        .map(|l| l["saw"].as_str().unwrap_or("?").to_owned())
        .collect()
}

/// Kills a daemon right after the Submit click of `job`, then lets a second one
/// verify; returns the second daemon's logs once the row is settled.
async fn crash_after_the_click_then_verify(
    env: &ApplyEnv,
    job: u64,
    extra: &[(&str, &str)],
    settled: impl AsyncFn() -> String,
) -> String {
    env.replica.set_applied_lag(job, LAG);
    env.replica.set_confirmation_never_renders(job);
    let mut first = env.spawn_daemon("clicker", extra);
    wait_for_submission(&env.replica, Duration::from_secs(90)).await;
    first.crash();
    let mut second = env.spawn_daemon("verifier", extra);
    let deadline = std::time::Instant::now() + Duration::from_secs(180);
    loop {
        let now = settled().await;
        if now == "submitted:verified_applied" {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the row is {now}\n{}",
            second.logs()
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let logs = second.logs();
    second.stop().await;
    logs
}

#[tokio::test]
async fn a_lagging_applied_state_is_waited_for_not_resubmitted_on_postgrest() {
    let _one = BROWSER.lock().await;
    let env = apply_env().await;
    env.app.sql(&format!(
        "update autoapply_limits set verification_settle_seconds = {SETTLE_SECS}"
    ));
    let user = env.seed_user(&ada_profile(), COOKIE);
    let id = env.seed_job(user, 2401);
    let lease = [("AUTOAPPLY_LEASE_SECS", "5")];
    let status = async || {
        env.app.sql(&format!(
            "select status || ':' || coalesce(reason, '') from job_applications where id = '{id}'"
        ))
    };
    let logs = crash_after_the_click_then_verify(&env, 2401, &lease, status).await;
    assert_eq!(env.replica.submissions().len(), 1, "exactly one submission");
    let row = env.app.store.application(id).await.unwrap().unwrap();
    assert_eq!(looks(&row), ["not_applied", "applied"], "{logs}");
    // the first look waited the settle time after the submit began
    let first_look = time::OffsetDateTime::parse(
        row.verification_looks[0]["at"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    let began = row.submit_started_at.expect("submit began");
    assert!(
        first_look - began >= time::Duration::seconds(SETTLE_SECS as i64),
        "first look {first_look} only {} after the submit began",
        first_look - began
    );
}

#[tokio::test]
async fn a_lagging_applied_state_is_waited_for_not_resubmitted_on_sqlite() {
    use autoapply::store::sqlite::SqliteStore;
    let _one = BROWSER.lock().await;
    let env = apply_env().await;
    let lite = [("SUPABASE_URL", ""), ("AUTOAPPLY_LEASE_SECS", "5")];
    env.enqueue_on_sqlite(COOKIE, [2402], &lite).await;
    let path = env.storage.join("autoapply.sqlite3");
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute(
            &format!("update autoapply_limits set verification_settle_seconds = {SETTLE_SECS}"),
            [],
        )
        .unwrap();
    let db = SqliteStore::open(&path).unwrap();
    let row = async || {
        let counts = db.application_counts().await.unwrap();
        counts
            .iter()
            .map(|c| format!("{}:{}", c.status, c.reason))
            .collect::<Vec<_>>()
            .join(",")
    };
    let logs = crash_after_the_click_then_verify(&env, 2402, &lite, row).await;
    assert_eq!(env.replica.submissions().len(), 1, "exactly one submission");
    let id: String = rusqlite::Connection::open(&path)
        .unwrap()
        .query_row("select id from job_applications", [], |r| r.get(0))
        .unwrap();
    let row = db
        .application(autoapply::domain::ApplicationId::parse(&id).unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(looks(&row), ["not_applied", "applied"], "{logs}");
}
