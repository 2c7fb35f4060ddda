//! The fleet under faults (issue 26), with the real `autoapply run` binary against
//! real PostgreSQL + PostgREST, the replica and a headful Chromium: a worker frozen
//! (SIGSTOP) past its lease never touches its page again after it wakes, and a
//! PostgREST restart at the submit gate or at the finish costs no attempt and leaves
//! no row `claimed` without a browser. The replica tells which page load each click,
//! keystroke and choice happened on (`Replica::page_actions`).

use std::time::{Duration, Instant};

use crate::support::{
    apply::{ApplyEnv, BROWSER, ada_profile, apply_env},
    daemon::browsers_under,
};

const COOKIE: &str = "AQEDAFaultsSessionCookie-4b7e";

/// Waits until the replica heard of an action on a field labelled `label`.
async fn wait_for_action(env: &ApplyEnv, label: &str, timeout: Duration) {
    let deadline = Instant::now() + timeout;
    while !env.replica.page_actions().iter().any(|a| a.label == label) {
        assert!(
            Instant::now() < deadline,
            "no action on {label} within {timeout:?}: {:?}",
            env.replica.page_actions()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_worker_frozen_past_its_lease_touches_its_page_no_more_after_it_wakes() {
    let _one = BROWSER.lock().await;
    let env = apply_env().await;
    env.app
        .sql("update autoapply_limits set retry_backoff_base_secs = 1");
    let user = env.seed_user(&ada_profile(), COOKIE);
    // the four-step form, at a person's pace: the worker is mid-form when frozen
    env.seed_jobs(user, [1002]);
    let lease = [
        ("AUTOAPPLY_LEASE_SECS", "6"),
        ("AUTOAPPLY_PACING_SCALE", "0.5"),
    ];
    let mut frozen = env.spawn_daemon("frozen", &lease);
    wait_for_action(&env, "First name", Duration::from_secs(90)).await;
    let page = env.replica.page_actions()[0].page.clone();
    frozen.signal(libc::SIGSTOP);
    // frozen for twice the lease: its row's lease runs out in the database
    tokio::time::sleep(Duration::from_secs(12)).await;
    let before_wake = env.replica.page_actions().len();
    let woke = Instant::now();
    frozen.signal(libc::SIGCONT);
    // it wakes, sees its lease gone, and lets go; its sweeper then gives the row back
    // and it applies again in a new browser (a new page load), exactly once
    env.wait_for_count(
        "select status from job_applications",
        "submitted",
        Duration::from_secs(120),
    )
    .await;
    let after: Vec<_> = env
        .replica
        .page_actions()
        .into_iter()
        .skip(before_wake)
        .filter(|a| a.page == page)
        .collect();
    assert!(
        after.is_empty(),
        "the frozen page was acted on after the wake ({:?} after): {after:?}",
        after.first().map(|a| a.at.saturating_duration_since(woke))
    );
    assert!(
        env.replica
            .page_actions()
            .iter()
            .any(|a| a.page != page && a.at > woke),
        "a new page load applied after the wake"
    );
    assert_eq!(env.replica.submissions().len(), 1, "submitted exactly once");
    assert_eq!(
        env.app
            .sql("select attempts || ':' || coalesce(reason, '') from job_applications"),
        "2:",
        "the frozen attempt counted, the second submitted"
    );
    let logs = frozen.logs();
    assert!(
        logs.contains("the lease ran out on this worker"),
        "the wake is explained in the log:\n{logs}"
    );
    frozen.stop().await;
    assert!(browsers_under(&env.runtime).is_empty(), "no browser left");
}

#[tokio::test]
async fn a_postgrest_restart_at_the_gate_and_at_the_finish_costs_no_attempt() {
    let _one = BROWSER.lock().await;
    let mut env = apply_env().await;
    let user = env.seed_user(&ada_profile(), COOKIE);
    // 1001: one step; its last field is the e-mail list, then the gate, then Submit
    env.seed_jobs(user, [1001]);
    // the tests' 30 s lease: a heartbeat every 10 s, so 6 s away fit in its deadline
    let mut daemon = env.spawn_daemon("patient", &[("AUTOAPPLY_PACING_SCALE", "1")]);
    wait_for_action(&env, "Email address", Duration::from_secs(90)).await;
    // PostgREST restarts while the worker pauses before the Submit click (the gate)
    env.app.stop_postgrest();
    tokio::time::sleep(Duration::from_secs(6)).await;
    assert!(
        env.replica.submissions().is_empty(),
        "no click before the gate answered"
    );
    env.app.start_postgrest().await;
    env.wait_for_count(
        "select status || ':' || attempts from job_applications",
        "submitted:1",
        Duration::from_secs(60),
    )
    .await;
    let logs = daemon.logs();
    assert!(
        logs.contains("rpc begin_submit"),
        "the outage hit the gate:\n{logs}"
    );

    // and once more at the finish: the confirmation seen, the store away for 6 s
    env.seed_jobs(user, [2401]);
    wait_for_submission_of(&env, 2401).await;
    env.app.stop_postgrest();
    tokio::time::sleep(Duration::from_secs(6)).await;
    env.app.start_postgrest().await;
    env.wait_for_count(
        "select string_agg(status || ':' || attempts, ',' order by external_job_id) from job_applications",
        "submitted:1,submitted:1",
        Duration::from_secs(60),
    )
    .await;
    assert_eq!(env.replica.submissions().len(), 2, "each submitted once");
    assert_eq!(
        env.app
            .sql("select count(*) from job_applications where status = 'needs_verification'"),
        "0",
        "the confirmed submission was recorded, not left to verification"
    );
    daemon.stop().await;
    assert!(browsers_under(&env.runtime).is_empty(), "no browser left");
}

async fn wait_for_submission_of(env: &ApplyEnv, job: u64) {
    let deadline = Instant::now() + Duration::from_secs(90);
    while !env.replica.submissions().iter().any(|s| s.job_id == job) {
        assert!(Instant::now() < deadline, "job {job} was not submitted");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
