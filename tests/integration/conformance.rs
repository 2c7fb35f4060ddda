//! The conformance suite: every scenario runs against both store backends — the SQL
//! functions behind the real PostgREST and the embedded SQLite store — so the two
//! cannot drift. Claims, leases, fencing, rescue, verification, the kill switch, the
//! per-user cap and the admin writes.

use std::{collections::HashSet, sync::Arc, time::Duration};

use autoapply::{
    domain::{GiveBack, Outcome, OutcomeStatus, UserId},
    store::{
        BeginSubmit, ClaimBy, ClaimRequest, DriftRule, Enqueued, NewApplication, Store, StoreAdmin,
    },
};
use time::OffsetDateTime;

use crate::support::backend::Db;

const LEASE: Duration = Duration::from_secs(60);

/// Runs each scenario once per backend: `postgrest::<name>` and `sqlite::<name>`.
macro_rules! conformance {
    ($($(#[$attr:meta])* $name:ident),* $(,)?) => {
        mod postgrest {
            $( $(#[$attr])* async fn $name() { super::$name(super::Db::postgres().await).await } )*
        }
        mod sqlite {
            $( $(#[$attr])* async fn $name() { super::$name(super::Db::sqlite().await).await } )*
        }
    };
}

conformance!(
    #[tokio::test]
    answers_requeue_every_application_they_unblock_and_bad_input_changes_nothing,
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    thirty_two_claimers_take_each_of_1000_rows_once_and_one_user_at_a_time,
    #[tokio::test]
    claims_skip_invalid_and_paused_sessions_and_spent_attempts,
    #[tokio::test]
    the_oldest_claimable_age_counts_only_what_a_worker_could_take,
    #[tokio::test]
    a_stale_fencing_token_changes_nothing,
    #[tokio::test]
    begin_submit_refuses_an_expired_lease_even_before_the_sweeper,
    #[tokio::test]
    an_expired_submit_goes_to_verification_and_never_back_to_the_queue,
    #[tokio::test]
    a_retry_asked_while_submitting_becomes_verification,
    #[tokio::test]
    verification_settles_not_applied_and_gives_up_after_the_bound,
    #[tokio::test]
    a_look_that_sees_applied_wins_and_the_first_look_waits_the_settle_time,
    #[tokio::test]
    retries_back_off_then_fail_and_release_spends_nothing,
    #[tokio::test]
    finish_records_questions_screenshot_and_marks_the_session,
    #[tokio::test]
    finish_moves_validated_at_forward_and_leaves_the_status,
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    forty_eight_callers_reserve_exactly_1500_linkedin_actions,
    #[tokio::test]
    the_limit_lives_in_the_database,
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    the_per_user_cap_holds_and_a_user_is_in_one_browser_at_most,
    #[tokio::test]
    claim_by_id_takes_a_finished_row_but_never_a_live_or_submitted_one,
    #[tokio::test]
    a_call_claims_by_id_only_what_the_loop_could_and_honours_pauses_and_sessions,
    #[tokio::test]
    enqueue_adds_one_application_per_job_and_sessions_and_profiles_round_trip,
    #[tokio::test]
    agent_logs_are_kept_until_they_expire,
    #[tokio::test]
    the_drift_breaker_opens_on_failures_across_users_and_a_healthy_ending_resets_it,
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    concurrent_failures_open_the_drift_breaker_once,
    #[tokio::test]
    every_lease_call_repeated_does_its_work_once,
    #[tokio::test]
    a_confirmed_submission_recorded_after_the_sweep_is_kept,
    #[tokio::test]
    a_claim_asked_again_with_its_request_hands_back_the_same_row,
);
async fn thirty_two_claimers_take_each_of_1000_rows_once_and_one_user_at_a_time(db: Db) {
    use std::sync::{
        Mutex,
        atomic::{AtomicUsize, Ordering},
    };
    const ROWS: usize = 1000;
    for u in 0..40 {
        let user = db.seed_user("valid").await;
        db.seed_applications(user, &format!("u{u}"), ROWS / 40);
    }
    let store = Arc::new(db.store.clone());
    // users in a browser now, as the claimers see them; and the rows finished
    let live: Arc<Mutex<HashSet<UserId>>> = Arc::default();
    let done = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for w in 0..32 {
        let (store, live, done) = (store.clone(), live.clone(), done.clone());
        tasks.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            while done.load(Ordering::SeqCst) < ROWS {
                let Some(a) = store.claim(&format!("worker-{w}"), LEASE).await.unwrap() else {
                    tokio::time::sleep(Duration::from_millis(5)).await;
                    continue;
                };
                assert!(
                    live.lock().unwrap().insert(a.user_id),
                    "user {} claimed while already in a browser",
                    a.user_id
                );
                mine.push((a.id, a.lease_token.unwrap()));
                live.lock().unwrap().remove(&a.user_id);
                let skipped = Outcome::new(OutcomeStatus::Skipped, Some("already_applied"));
                assert!(store.finish(a.lease().unwrap(), &skipped).await.unwrap());
                done.fetch_add(1, Ordering::SeqCst);
            }
            mine
        }));
    }
    let mut ids = HashSet::new();
    let mut tokens = HashSet::new();
    let mut total = 0;
    for t in tasks {
        for (id, token) in t.await.unwrap() {
            total += 1;
            ids.insert(id);
            tokens.insert(token);
        }
    }
    assert_eq!(total, ROWS, "claims handed out");
    assert_eq!(ids.len(), ROWS, "distinct rows claimed");
    assert_eq!(tokens.len(), ROWS, "distinct fencing tokens");
    assert_eq!(
        db.both("select status, attempts, count(*) from job_applications group by 1, 2"),
        "skipped|1|1000",
        "{}",
        db.name()
    );
}

async fn claims_skip_invalid_and_paused_sessions_and_spent_attempts(db: Db) {
    let expired = db.seed_user("expired").await;
    let checkpoint = db.seed_user("checkpoint").await;
    let paused = db.seed_user("valid").await;
    let spent = db.seed_user("valid").await;
    let no_session = autoapply::domain::UserId::new_random();
    for user in [expired, checkpoint, paused, spent, no_session] {
        db.seed_applications(user, "j", 1);
    }
    db.pause_user(paused);
    db.both(&format!(
        "update job_applications set attempts = max_attempts where user_id = '{spent}'"
    ));
    assert!(
        db.store.claim("w", LEASE).await.unwrap().is_none(),
        "nothing claimable"
    );

    let ok = db.seed_user("valid").await;
    db.seed_applications(ok, "j", 1);
    db.set_run_at(&format!("user_id = '{ok}'"), 3600);
    assert!(
        db.store.claim("w", LEASE).await.unwrap().is_none(),
        "not before run_at"
    );
    db.set_run_at(&format!("user_id = '{ok}'"), 0);
    let claimed = db
        .store
        .claim("w", LEASE)
        .await
        .unwrap()
        .expect("claimable");
    assert_eq!(claimed.user_id, ok);
    assert_eq!(claimed.lease_owner.as_deref(), Some("w"));
    let expires = claimed.lease_expires_at.unwrap() - time::OffsetDateTime::now_utc();
    assert!(
        expires > time::Duration::seconds(50) && expires <= time::Duration::seconds(61),
        "{expires}"
    );
}

/// The figure behind the "queue is not being taken" alert: the claim's rule, so a
/// paused user, a row not yet due, or spent attempts never make it fire.
async fn the_oldest_claimable_age_counts_only_what_a_worker_could_take(db: Db) {
    let age = || async { db.store.oldest_claimable_seconds().await.unwrap() };
    assert_eq!(age().await, 0.0, "{}: an empty queue", db.name());
    let paused = db.seed_user("valid").await;
    let expired = db.seed_user("expired").await;
    let spent = db.seed_user("valid").await;
    let later = db.seed_user("valid").await;
    for user in [paused, expired, spent, later] {
        db.seed_applications(user, "j", 1);
    }
    db.pause_user(paused);
    db.both(&format!(
        "update job_applications set attempts = max_attempts where user_id = '{spent}'"
    ));
    db.set_run_at("true", -7200);
    db.set_run_at(&format!("user_id = '{later}'"), 600);
    assert_eq!(
        age().await,
        0.0,
        "{}: nothing a worker could claim",
        db.name()
    );

    let ok = db.seed_user("valid").await;
    db.seed_applications(ok, "k", 2);
    db.set_run_at(&format!("user_id = '{ok}'"), -3000);
    db.set_run_at(
        &format!("user_id = '{ok}' and external_job_id = 'k-1'"),
        -5400,
    );
    let oldest = age().await;
    assert!(
        (5399.0..5420.0).contains(&oldest),
        "{}: the oldest claimable row waited 5400 s, got {oldest}",
        db.name()
    );
}

async fn a_stale_fencing_token_changes_nothing(db: Db) {
    let user = db.seed_user("valid").await;
    db.seed_applications(user, "j", 1);
    let first = db.store.claim("worker-a", LEASE).await.unwrap().unwrap();
    let stale = first.lease().unwrap();
    assert!(db.store.heartbeat(stale, LEASE).await.unwrap());

    // worker-a stalls; its lease expires; the sweeper requeues; worker-b claims
    db.expire_lease(first.id);
    let rescued = db.store.rescue_expired().await.unwrap();
    assert_eq!(
        (rescued.requeued, rescued.failed, rescued.to_verify),
        (1, 0, 0)
    );
    assert_eq!(db.row(first.id), "queued|lease_expired|1|f");
    db.set_run_at("true", 0);
    let second = db.store.claim("worker-b", LEASE).await.unwrap().unwrap();
    assert_eq!(second.id, first.id);
    let fresh = second.lease().unwrap();
    assert_ne!(fresh.token, stale.token);

    assert!(!db.store.heartbeat(stale, LEASE).await.unwrap());
    assert_eq!(
        db.store.begin_submit(stale).await.unwrap(),
        BeginSubmit::LeaseLost
    );
    let submitted = Outcome::new(OutcomeStatus::Submitted, None);
    assert!(!db.store.finish(stale, &submitted).await.unwrap());
    assert!(
        !db.store
            .release(stale, &GiveBack::shutdown())
            .await
            .unwrap()
    );
    assert_eq!(
        db.row(first.id),
        "claimed|lease_expired|2|f",
        "stale calls changed nothing"
    );

    assert_eq!(db.store.begin_submit(fresh).await.unwrap(), BeginSubmit::Ok);
    assert!(db.store.finish(fresh, &submitted).await.unwrap());
    let row = db.store.application(first.id).await.unwrap().unwrap();
    assert_eq!(row.status.as_str(), "submitted");
    assert!(row.submitted_at.is_some());
    assert!(row.lease_owner.is_none());
}

async fn begin_submit_refuses_an_expired_lease_even_before_the_sweeper(db: Db) {
    let user = db.seed_user("valid").await;
    db.seed_applications(user, "j", 1);
    let claimed = db.store.claim("w", LEASE).await.unwrap().unwrap();
    db.expire_lease(claimed.id);
    assert_eq!(
        db.store
            .begin_submit(claimed.lease().unwrap())
            .await
            .unwrap(),
        BeginSubmit::LeaseLost
    );
    assert_eq!(db.row(claimed.id), "claimed||1|f");
}

async fn an_expired_submit_goes_to_verification_and_never_back_to_the_queue(db: Db) {
    // no settle time here: the looks themselves are the subject
    db.set_limit("verification_settle_seconds", 0);
    let user = db.seed_user("valid").await;
    db.seed_applications(user, "j", 1);
    let claimed = db.store.claim("w", LEASE).await.unwrap().unwrap();
    let lease = claimed.lease().unwrap();
    assert_eq!(db.store.begin_submit(lease).await.unwrap(), BeginSubmit::Ok);
    // the worker dies after the click: its lease runs out while submitting
    db.expire_lease(claimed.id);
    let rescued = db.store.rescue_expired().await.unwrap();
    assert_eq!((rescued.requeued, rescued.to_verify), (0, 1));
    assert_eq!(
        db.row(claimed.id),
        "needs_verification|submit_unconfirmed|1|t"
    );
    // the sweeper again: still waiting for verification, never queued
    db.store.rescue_expired().await.unwrap();
    assert_eq!(
        db.row(claimed.id),
        "needs_verification|submit_unconfirmed|1|t"
    );

    // a verification run claims it; no attempt is spent and the gate stays shut
    let check = db.store.claim("verifier", LEASE).await.unwrap().unwrap();
    assert_eq!(check.id, claimed.id);
    assert_eq!((check.attempts, check.verification_checks), (1, 1));
    assert!(check.verification_pending);
    let check_lease = check.lease().unwrap();
    assert_eq!(
        db.store.begin_submit(check_lease).await.unwrap(),
        BeginSubmit::VerificationRequired
    );
    // its lease expires too: back to needs_verification, not queued
    db.expire_lease(claimed.id);
    assert_eq!(db.store.rescue_expired().await.unwrap().to_verify, 1);
    assert_eq!(
        db.row(claimed.id),
        "needs_verification|submit_unconfirmed|1|t"
    );

    // verification finds LinkedIn shows it applied: submitted, exactly once
    let check = db.store.claim("verifier", LEASE).await.unwrap().unwrap();
    let outcome = Outcome::new(OutcomeStatus::Submitted, Some("verified_applied"));
    assert!(
        db.store
            .finish(check.lease().unwrap(), &outcome)
            .await
            .unwrap()
    );
    assert_eq!(db.row(claimed.id), "submitted|verified_applied|1|f");
    assert!(db.store.claim("w", LEASE).await.unwrap().is_none());
}

async fn a_retry_asked_while_submitting_becomes_verification(db: Db) {
    let user = db.seed_user("valid").await;
    db.seed_applications(user, "j", 1);
    let claimed = db.store.claim("w", LEASE).await.unwrap().unwrap();
    let lease = claimed.lease().unwrap();
    assert_eq!(db.store.begin_submit(lease).await.unwrap(), BeginSubmit::Ok);
    let retry =
        Outcome::new(OutcomeStatus::RetryLater, None).with_error("confirmation never appeared");
    assert!(db.store.finish(lease, &retry).await.unwrap());
    assert_eq!(
        db.row(claimed.id),
        "needs_verification|submit_unconfirmed|1|t"
    );
}

async fn verification_settles_not_applied_and_gives_up_after_the_bound(db: Db) {
    use autoapply::domain::Look;
    let looked = |status, reason, look| {
        let mut o = Outcome::new(status, Some(reason));
        o.details.verification_look = Some(look);
        o
    };
    let user = db.seed_user("valid").await;
    db.seed_applications(user, "j", 2);
    db.both("update job_applications set status = 'needs_verification', verification_pending = true, attempts = 1");
    db.set_limit("verification_checks_max", 3);
    db.set_limit("verification_settle_seconds", 60);

    // one look sees no application: not concluded, a second look a settle time later
    let first = db.store.claim("v", LEASE).await.unwrap().unwrap();
    let not_applied = looked(
        OutcomeStatus::RetryLater,
        "verified_not_applied",
        Look::NotApplied,
    );
    assert!(
        db.store
            .finish(first.lease().unwrap(), &not_applied)
            .await
            .unwrap()
    );
    assert_eq!(
        db.row(first.id),
        "needs_verification|verification_second_look|1|t"
    );
    assert!((58..=60).contains(&db.run_at_in_secs(first.id)));
    // the second look, a settle time later, agrees: applied again
    db.set_run_at(&format!("id <> '{}'", first.id), 3600);
    db.backdate_not_applied(first.id, 61);
    db.set_run_at(&format!("id = '{}'", first.id), 0);
    let second = db.store.claim("v", LEASE).await.unwrap().unwrap();
    assert_eq!(second.id, first.id);
    assert!(
        db.store
            .finish(second.lease().unwrap(), &not_applied)
            .await
            .unwrap()
    );
    assert_eq!(db.row(first.id), "queued|verified_not_applied|1|f");
    let timeline = db.store.application(first.id).await.unwrap().unwrap();
    let saw: Vec<&str> = timeline
        .verification_looks
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["saw"].as_str().unwrap())
        .collect();
    assert_eq!(saw, ["not_applied", "not_applied"]);
    assert_eq!(timeline.verification_not_applied_at, None);
    db.set_run_at(&format!("id = '{}'", first.id), 3600);
    db.set_run_at(&format!("id <> '{}'", first.id), 0);

    // a verification run that ends without a look (a crash) is no conclusion
    let other = db.store.claim("v", LEASE).await.unwrap().unwrap();
    assert_ne!(other.id, first.id);
    let crashed = Outcome::new(OutcomeStatus::RetryLater, Some("browser_crashed"));
    assert!(
        db.store
            .finish(other.lease().unwrap(), &crashed)
            .await
            .unwrap()
    );
    assert_eq!(db.row(other.id), "needs_verification|browser_crashed|1|t");

    // cannot tell, until the bound: the user is asked, never a resubmission
    let unsure = looked(
        OutcomeStatus::NeedsVerification,
        "verification_inconclusive",
        Look::Unclear,
    );
    for expected in [
        "needs_verification|verification_inconclusive|1|t",
        "needs_user|unverifiable|1|t",
    ] {
        db.set_run_at(&format!("id = '{}'", other.id), 0);
        let again = db.store.claim("v", LEASE).await.unwrap().unwrap();
        assert_eq!(again.id, other.id);
        assert!(
            db.store
                .finish(again.lease().unwrap(), &unsure)
                .await
                .unwrap()
        );
        assert_eq!(db.row(other.id), expected);
    }
}

async fn a_look_that_sees_applied_wins_and_the_first_look_waits_the_settle_time(db: Db) {
    use autoapply::domain::Look;
    let user = db.seed_user("valid").await;
    db.seed_applications(user, "j", 1);
    db.set_limit("verification_settle_seconds", 60);
    let claimed = db.store.claim("w", LEASE).await.unwrap().unwrap();
    assert_eq!(
        db.store
            .begin_submit(claimed.lease().unwrap())
            .await
            .unwrap(),
        BeginSubmit::Ok
    );
    // the worker dies after the click: the first look waits the settle time after
    // the submit began, not a moment less
    db.expire_lease(claimed.id);
    assert_eq!(db.store.rescue_expired().await.unwrap().to_verify, 1);
    assert!((58..=60).contains(&db.run_at_in_secs(claimed.id)));
    assert!(
        db.store.claim("v", LEASE).await.unwrap().is_none(),
        "not yet"
    );
    // first look: no application yet (LinkedIn lags); second look: applied
    db.set_run_at(&format!("id = '{}'", claimed.id), 0);
    let mut saw = Vec::new();
    for (look, status, reason) in [
        (
            Look::NotApplied,
            OutcomeStatus::RetryLater,
            "verified_not_applied",
        ),
        (Look::Applied, OutcomeStatus::Submitted, "verified_applied"),
    ] {
        db.set_run_at(&format!("id = '{}'", claimed.id), 0);
        let check = db.store.claim("v", LEASE).await.unwrap().unwrap();
        let mut outcome = Outcome::new(status, Some(reason));
        outcome.details.verification_look = Some(look);
        assert!(
            db.store
                .finish(check.lease().unwrap(), &outcome)
                .await
                .unwrap()
        );
        saw.push(db.row(claimed.id));
    }
    assert_eq!(
        saw,
        [
            "needs_verification|verification_second_look|1|t",
            "submitted|verified_applied|1|f"
        ]
    );
    let row = db.store.application(claimed.id).await.unwrap().unwrap();
    let looks = row.verification_looks.as_array().unwrap();
    assert_eq!(looks.len(), 2);
    assert_eq!(looks[1]["saw"], "applied");
    assert_eq!(looks[1]["by"], "v");
    assert!(looks[0]["at"].as_str().is_some());
}

async fn retries_back_off_then_fail_and_release_spends_nothing(db: Db) {
    let user = db.seed_user("valid").await;
    db.seed_applications(user, "j", 1);
    db.both("update job_applications set max_attempts = 2");

    let claimed = db.store.claim("w", LEASE).await.unwrap().unwrap();
    assert!(
        db.store
            .release(claimed.lease().unwrap(), &GiveBack::shutdown())
            .await
            .unwrap()
    );
    assert_eq!(
        db.row(claimed.id),
        "queued|shutdown|0|f",
        "release spends no attempt and says why"
    );

    // a give-back with a wait: the reason and text on the row, no claim before it
    let claimed = db.store.claim("w", LEASE).await.unwrap().unwrap();
    let why = GiveBack::new(
        "store_error",
        "the store failed during the attempt",
        Duration::from_secs(30),
    );
    assert!(
        db.store
            .release(claimed.lease().unwrap(), &why)
            .await
            .unwrap()
    );
    assert_eq!(db.row(claimed.id), "queued|store_error|0|f");
    assert_eq!(
        db.both(&format!(
            "select last_error from job_applications where id = '{}'",
            claimed.id
        )),
        "the store failed during the attempt"
    );
    let wait = db.run_at_in_secs(claimed.id);
    assert!(
        (25..=30).contains(&wait),
        "claimable again in 30 s: {wait} s"
    );
    assert!(
        db.store.claim("w", LEASE).await.unwrap().is_none(),
        "not claimed again before its wait"
    );
    db.set_run_at("true", 0);

    let claimed = db.store.claim("w", LEASE).await.unwrap().unwrap();
    let retry = Outcome::new(OutcomeStatus::RetryLater, Some("browser_crashed"))
        .with_error("chromium exited");
    assert!(
        db.store
            .finish(claimed.lease().unwrap(), &retry)
            .await
            .unwrap()
    );
    assert_eq!(db.row(claimed.id), "queued|browser_crashed|1|f");
    let wait = db.run_at_in_secs(claimed.id);
    assert!(
        (50..=60).contains(&wait),
        "backoff of 30 s * 2^attempts: {wait} s"
    );
    db.set_run_at("true", 0);
    let claimed = db.store.claim("w", LEASE).await.unwrap().unwrap();
    assert!(
        db.store
            .finish(claimed.lease().unwrap(), &retry)
            .await
            .unwrap()
    );
    assert_eq!(
        db.row(claimed.id),
        "failed|browser_crashed|2|f",
        "no attempts left"
    );
    assert_eq!(
        db.both(&format!(
            "select last_error from job_applications where id = '{}'",
            claimed.id
        )),
        "chromium exited"
    );
}

async fn finish_records_questions_screenshot_and_marks_the_session(db: Db) {
    let user = db.seed_user("valid").await;
    db.seed_applications(user, "j", 1);
    let claimed = db.store.claim("w", LEASE).await.unwrap().unwrap();
    let mut outcome = Outcome::new(OutcomeStatus::NeedsUser, Some("session_checkpoint"))
        .with_error(&"LinkedIn asked for a security check ".repeat(40));
    outcome.details.pending_questions =
        Some(serde_json::json!([{"label": "Years of COBOL?", "kind": "text"}]));
    outcome.details.screenshot_path = Some(format!("/storage/screenshots/{}.png", claimed.id));
    outcome.details.session_status = Some(autoapply::domain::SessionStatus::Checkpoint);
    assert!(
        db.store
            .finish(claimed.lease().unwrap(), &outcome)
            .await
            .unwrap()
    );
    let row = db.store.application(claimed.id).await.unwrap().unwrap();
    assert_eq!(row.status.as_str(), "needs_user");
    assert_eq!(row.last_error.unwrap().chars().count(), 500);
    assert_eq!(
        row.pending_questions.unwrap()[0]["label"],
        "Years of COBOL?"
    );
    assert_eq!(
        row.screenshot_path.unwrap(),
        format!("/storage/screenshots/{}.png", claimed.id)
    );
    assert_eq!(
        db.both(&format!(
            "select status from platform_sessions where user_id = '{user}'"
        )),
        "checkpoint"
    );
    let bad = Outcome::new(OutcomeStatus::Submitted, None);
    assert!(
        !db.store
            .finish(claimed.lease().unwrap(), &bad)
            .await
            .unwrap(),
        "finished rows stay finished"
    );
    assert_eq!(db.row(claimed.id).split('|').next(), Some("needs_user"));
}

/// An attempt that saw the user logged in records when; an older time never moves it
/// back, and a session another attempt found dead stays dead.
async fn finish_moves_validated_at_forward_and_leaves_the_status(db: Db) {
    use autoapply::domain::SessionStatus;
    let user = db.seed_user("valid").await;
    db.seed_applications(user, "j", 3);
    let validated = |at: OffsetDateTime, status: Option<SessionStatus>| {
        let mut outcome = Outcome::new(OutcomeStatus::Skipped, Some("already_applied"));
        outcome.details.session_validated_at = Some(at);
        outcome.details.session_status = status;
        outcome
    };
    let seen = || async {
        let s = db
            .store
            .session(user, autoapply::domain::Platform::Linkedin)
            .await
            .unwrap()
            .unwrap();
        (
            s.status,
            s.validated_at.map(|t| t.unix_timestamp_nanos() / 1_000_000),
        )
    };
    assert_eq!(seen().await, (SessionStatus::Valid, None));
    let at =
        OffsetDateTime::from_unix_timestamp(2_000_000_000).unwrap() + Duration::from_millis(250);
    for (when, status) in [
        (at, None),
        (at - Duration::from_secs(3600), None),
        (at + Duration::from_secs(60), Some(SessionStatus::Expired)),
    ] {
        let claimed = db.store.claim("w", LEASE).await.unwrap().unwrap();
        assert!(
            db.store
                .finish(claimed.lease().unwrap(), &validated(when, status))
                .await
                .unwrap()
        );
    }
    // the first moved it, the older one did not; the last marked the session expired
    // and moved the time forward (the engine never sends both: an expired session was
    // not seen logged in)
    assert_eq!(
        seen().await,
        (
            SessionStatus::Expired,
            Some((at + Duration::from_secs(60)).unix_timestamp_nanos() / 1_000_000)
        )
    );
}

async fn forty_eight_callers_reserve_exactly_1500_linkedin_actions(db: Db) {
    let store = Arc::new(db.store.clone());
    let mut tasks = Vec::new();
    for _ in 0..48 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut granted = 0u32;
            while store.reserve_linkedin_action().await.unwrap() {
                granted += 1;
            }
            granted
        }));
    }
    let mut total = 0;
    for t in tasks {
        total += t.await.unwrap();
    }
    assert_eq!(total, 1500);
    let today = OffsetDateTime::now_utc().date();
    assert_eq!(db.actions_today(), "1500");
    assert!(
        !db.store.reserve_linkedin_action().await.unwrap(),
        "still closed"
    );
    let status = db.store.linkedin_daily_status().await.unwrap();
    assert_eq!(
        (
            status.day,
            status.used,
            status.daily_limit,
            status.remaining
        ),
        (today, 1500, 1500, 0)
    );
}

async fn the_limit_lives_in_the_database(db: Db) {
    db.set_limit("linkedin_actions_per_day", 5);
    let mut granted = 0;
    for _ in 0..8 {
        if db.store.reserve_linkedin_action().await.unwrap() {
            granted += 1;
        }
    }
    assert_eq!(granted, 5);
    db.set_limit("linkedin_actions_per_day", 0);
    assert!(
        !db.store.reserve_linkedin_action().await.unwrap(),
        "0 stops everything"
    );
}

async fn the_per_user_cap_holds_and_a_user_is_in_one_browser_at_most(db: Db) {
    let capped = db.seed_user("valid").await;
    let other = db.seed_user("valid").await;
    db.seed_applications(capped, "c", 5);
    db.both(&format!(
        "insert into user_submission_caps values ('{capped}', 2)"
    ));

    // one live row per user: while one is claimed, the user's others wait
    let first = db.store.claim("w", LEASE).await.unwrap().unwrap();
    assert!(
        db.store.claim("w", LEASE).await.unwrap().is_none(),
        "a user in a browser is not claimed again"
    );
    let lease = first.lease().unwrap();
    assert_eq!(db.store.begin_submit(lease).await.unwrap(), BeginSubmit::Ok);
    assert!(
        db.store.claim("w2", LEASE).await.unwrap().is_none(),
        "nor while submitting"
    );
    let done = Outcome::new(OutcomeStatus::Submitted, None);
    assert!(db.store.finish(lease, &done).await.unwrap());
    // the second submission reaches the cap; a third claimed row is refused by it
    let second = db.store.claim("w", LEASE).await.unwrap().unwrap();
    db.both(&format!(
        "update user_submission_caps set daily_cap = 1 where user_id = '{capped}'"
    ));
    assert_eq!(
        db.store
            .begin_submit(second.lease().unwrap())
            .await
            .unwrap(),
        BeginSubmit::UserLimit
    );
    let limited = vec![second.lease().unwrap()];
    assert_eq!(db.count("submitted"), 1);
    assert_eq!(db.count("claimed"), 1);

    // the capped user's rows wait for tomorrow; the other user's work goes on
    let tomorrow = OffsetDateTime::now_utc()
        .date()
        .next_day()
        .unwrap()
        .midnight()
        .assume_utc();
    for lease in limited {
        let mut wait = autoapply::domain::Outcome::new(
            autoapply::domain::OutcomeStatus::RetryLater,
            Some("user_daily_limit"),
        );
        wait.details.keep_attempt = true;
        wait.details.run_at = Some(tomorrow);
        assert!(db.store.finish(lease, &wait).await.unwrap());
    }
    db.set_run_at("status = 'queued'", 0);
    db.seed_applications(other, "o", 1);
    let next = db
        .store
        .claim("w", LEASE)
        .await
        .unwrap()
        .expect("the other user's row");
    assert_eq!(next.user_id, other);
    assert!(
        db.store.claim("w", LEASE).await.unwrap().is_none(),
        "capped user skipped today"
    );
    assert_eq!(
        db.both(&format!("select distinct status || ':' || attempts from job_applications where user_id = '{capped}' and status = 'queued'")),
        "queued:0",
        "waiting for the cap spent no attempt"
    );
}

async fn claim_by_id_takes_a_finished_row_but_never_a_live_or_submitted_one(db: Db) {
    let user = db.seed_user("valid").await;
    db.seed_applications(user, "j", 2);
    let held = db.store.claim("daemon", LEASE).await.unwrap().unwrap();
    assert!(
        db.store
            .claim_by_id(held.id, "replay", LEASE, ClaimBy::Operator)
            .await
            .unwrap()
            .is_none(),
        "a live lease is never taken"
    );
    let outcome = Outcome::new(OutcomeStatus::NeedsUser, Some("unknown_questions"));
    assert!(
        db.store
            .finish(held.lease().unwrap(), &outcome)
            .await
            .unwrap()
    );
    let again = db
        .store
        .claim_by_id(held.id, "replay", LEASE, ClaimBy::Operator)
        .await
        .unwrap()
        .expect("a needs_user row can be replayed");
    assert_eq!(again.lease_owner.as_deref(), Some("replay"));
    assert_eq!(again.attempts, 2);
    assert_ne!(again.lease_token, held.lease_token);
    let lease = again.lease().unwrap();
    assert_eq!(db.store.begin_submit(lease).await.unwrap(), BeginSubmit::Ok);
    let done = Outcome::new(OutcomeStatus::Submitted, None);
    assert!(db.store.finish(lease, &done).await.unwrap());
    assert!(
        db.store
            .claim_by_id(held.id, "replay", LEASE, ClaimBy::Operator)
            .await
            .unwrap()
            .is_none(),
        "a submitted row is never claimed again"
    );
    // an expired lease is swept first, then the row is claimable by id
    let other = db.store.claim("daemon", LEASE).await.unwrap().unwrap();
    db.expire_lease(other.id);
    let taken = db
        .store
        .claim_by_id(other.id, "replay", LEASE, ClaimBy::Operator)
        .await
        .unwrap()
        .expect("an expired lease is swept and taken");
    assert_eq!(taken.reason.as_deref(), Some("lease_expired"));
    assert!(
        db.store
            .claim_by_id(
                autoapply::domain::ApplicationId::new_random(),
                "replay",
                LEASE,
                ClaimBy::Operator
            )
            .await
            .unwrap()
            .is_none()
    );
}

async fn a_call_claims_by_id_only_what_the_loop_could_and_honours_pauses_and_sessions(db: Db) {
    let user = db.seed_user("valid").await;
    db.seed_applications(user, "j", 3);
    let by_id = |status: &str| {
        autoapply::domain::ApplicationId::parse(&db.both(&format!(
            "select id from job_applications where user_id = '{user}' and status = '{status}' limit 1"
        )))
        .unwrap()
    };
    let claim = |id, by| {
        let store = db.store.clone();
        async move { store.claim_by_id(id, "hook", LEASE, by).await.unwrap() }
    };
    // a finished row (a replayed webhook call) is the operator's, never a caller's
    let held = db.store.claim("daemon", LEASE).await.unwrap().unwrap();
    let outcome = Outcome::new(OutcomeStatus::NeedsUser, Some("unknown_questions"));
    assert!(
        db.store
            .finish(held.lease().unwrap(), &outcome)
            .await
            .unwrap()
    );
    assert!(
        claim(held.id, ClaimBy::Caller).await.is_none(),
        "needs_user"
    );
    let queued = by_id("queued");
    // a user in a browser: no second claim by id, whoever asks
    let live = claim(queued, ClaimBy::Caller).await.expect("a queued row");
    for by in [ClaimBy::Caller, ClaimBy::Operator] {
        assert!(
            claim(held.id, by).await.is_none(),
            "{by:?}: user in a browser"
        );
    }
    assert!(
        db.store
            .release(live.lease().unwrap(), &GiveBack::shutdown())
            .await
            .unwrap()
    );
    // a paused user, an expired session: nobody's
    db.pause_user(user);
    for by in [ClaimBy::Caller, ClaimBy::Operator] {
        assert!(claim(queued, by).await.is_none(), "{by:?}: paused");
    }
    db.both(&format!(
        "update platform_sessions set paused_until = null, status = 'expired' where user_id = '{user}'"
    ));
    for by in [ClaimBy::Caller, ClaimBy::Operator] {
        assert!(claim(queued, by).await.is_none(), "{by:?}: session expired");
    }
    db.both(&format!(
        "update platform_sessions set status = 'valid' where user_id = '{user}'"
    ));
    // spent attempts: the operator's only
    db.both(&format!(
        "update job_applications set attempts = max_attempts where id = '{queued}'"
    ));
    assert!(
        claim(queued, ClaimBy::Caller).await.is_none(),
        "attempts spent"
    );
    let replayed = claim(held.id, ClaimBy::Operator)
        .await
        .expect("the operator replays a needs_user row");
    assert_eq!(replayed.lease_owner.as_deref(), Some("hook"));
    assert_eq!(db.row(held.id), "claimed|unknown_questions|2|f");
    // a row awaiting verification keeps its schedule (the settle time), whoever asks
    assert!(
        db.store
            .release(replayed.lease().unwrap(), &GiveBack::shutdown())
            .await
            .unwrap()
    );
    db.both(&format!(
        "update job_applications set status = 'needs_verification', verification_pending = true where id = '{}'",
        held.id
    ));
    db.set_run_at(&format!("id = '{}'", held.id), 3600);
    for by in [ClaimBy::Caller, ClaimBy::Operator] {
        assert!(
            claim(held.id, by).await.is_none(),
            "{by:?}: before its run_at"
        );
    }
    db.set_run_at(&format!("id = '{}'", held.id), 0);
    assert!(
        claim(held.id, ClaimBy::Caller).await.is_some(),
        "once it has come"
    );
}

async fn enqueue_adds_one_application_per_job_and_sessions_and_profiles_round_trip(db: Db) {
    let user = db.seed_user("expired").await;
    let new = NewApplication {
        resume_path: None,
        user_id: user,
        job_url: "https://www.linkedin.com/jobs/view/4242/".into(),
        external_job_id: "4242".into(),
        max_attempts: 4,
    };
    let Enqueued::Added(added) = db.store.enqueue(&new).await.unwrap() else {
        panic!("the first enqueue adds");
    };
    assert_eq!(added.status.as_str(), "queued");
    assert_eq!((added.attempts, added.max_attempts), (0, 4));
    assert_eq!(added.job_url, new.job_url);
    let Enqueued::Exists(same) = db.store.enqueue(&new).await.unwrap() else {
        panic!("the second enqueue finds the first");
    };
    assert_eq!(same.id, added.id);
    assert_eq!(db.count("queued"), 1, "never queued twice");

    // storing the session again makes it valid (the user reconnected)
    assert!(
        db.store.claim("w", LEASE).await.unwrap().is_none(),
        "expired session"
    );
    db.store
        .put_session(&autoapply::store::NewSession {
            user_id: user,
            platform: autoapply::domain::Platform::Linkedin,
            sealed: autoapply::session::EncryptedSession {
                ciphertext: secrecy::SecretString::from("c0ffee"),
                iv: secrecy::SecretString::from("00112233445566778899aabbccddeeff"),
            },
            user_agent: Some("Mozilla/5.0 test".into()),
        })
        .await
        .unwrap();
    let session = db
        .store
        .session(user, autoapply::domain::Platform::Linkedin)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(session.status, autoapply::domain::SessionStatus::Valid);
    assert_eq!(session.user_agent.as_deref(), Some("Mozilla/5.0 test"));
    assert!(!format!("{session:?}").contains("c0ffee"), "debug hides it");
    assert_eq!(
        db.store.claim("w", LEASE).await.unwrap().map(|a| a.id),
        Some(added.id)
    );

    let profile =
        serde_json::json!({"contact": {"first_name": "Ada"}, "experience_years": {"rust": 3}});
    db.store
        .put_profile(user, &profile, Some("/storage/resumes/ada.pdf"))
        .await
        .unwrap();
    let row = db.store.profile(user).await.unwrap().unwrap();
    assert_eq!(
        row.profile.as_ref().unwrap().contact.first_name.as_deref(),
        Some("Ada")
    );
    assert_eq!(
        row.profile.as_ref().unwrap().experience_years["rust"].get(),
        3.0
    );
    assert_eq!(row.resume_path.as_deref(), Some("/storage/resumes/ada.pdf"));
    let wrong = serde_json::json!({"experience_years": {"rust": "SECRETISH"}});
    db.store.put_profile(user, &wrong, None).await.unwrap();
    // a profile of the wrong shape is the user's to fix: read, with where and why
    let err = db
        .store
        .profile(user)
        .await
        .unwrap()
        .unwrap()
        .profile
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("does not match the documented schema at `experience_years.rust`")
            && !err.contains("SECRETISH"),
        "{err}"
    );
    assert!(
        db.store
            .profile(UserId::new_random())
            .await
            .unwrap()
            .is_none()
    );
}

async fn agent_logs_are_kept_until_they_expire(db: Db) {
    use autoapply::store::{AgentLogEntry, AgentLogStatus};
    let user = UserId::new_random();
    let now = OffsetDateTime::now_utc();
    let started = AgentLogEntry::new(AgentLogStatus::Started, Some(user), None, now);
    db.store.log_agent(&started).await.unwrap();
    let mut failed = AgentLogEntry::new(AgentLogStatus::Failed, Some(user), None, now);
    failed.error = Some("validation_error".into());
    failed.duration_ms = Some(1234);
    db.store.log_agent(&failed).await.unwrap();
    let old = AgentLogEntry::new(
        AgentLogStatus::Completed,
        Some(user),
        None,
        now - time::Duration::days(4),
    );
    db.store.log_agent(&old).await.unwrap();
    assert_eq!(db.store.purge_expired_agent_logs().await.unwrap(), 1);
    assert_eq!(db.store.purge_expired_agent_logs().await.unwrap(), 0);
    assert_eq!(
        db.both("select agent_name || ',' || status || ',' || coalesce(error, '') from agent_logs order by id"),
        "auto_apply,started,\nauto_apply,failed,validation_error"
    );
}

const DRIFT: DriftRule = DriftRule {
    failures: 5,
    users: 3,
    pause: Duration::from_secs(1800),
};

async fn the_drift_breaker_opens_on_failures_across_users_and_a_healthy_ending_resets_it(db: Db) {
    let s = &db.store;
    let users: Vec<UserId> = (0..3).map(|_| UserId::new_random()).collect();
    let closed = s.drift_status().await.unwrap();
    assert!(!closed.is_open(OffsetDateTime::now_utc()));
    assert_eq!((closed.streak, closed.users), (0, 0));

    // six failures of one user: a broken job, not a changed site
    for _ in 0..6 {
        let d = s
            .record_drift(users[0], Some("step_stuck"), DRIFT)
            .await
            .unwrap();
        assert!(!d.is_open(OffsetDateTime::now_utc()), "{d:?}");
    }
    let d = s.drift_status().await.unwrap();
    assert_eq!(
        (d.streak, d.users, d.last_reason.as_deref()),
        (6, 1, Some("step_stuck"))
    );

    // a healthy ending starts the count again
    let d = s.record_drift(users[1], None, DRIFT).await.unwrap();
    assert_eq!((d.streak, d.users), (0, 0));

    // five in a row from three users open it for the pause, on every worker
    // every structural reason counts alike (apply::outcome::structural_reason)
    for (i, reason) in [
        "question_unreadable",
        "step_stuck",
        "element_missing",
        "job_page_unreadable",
    ]
    .iter()
    .enumerate()
    {
        let d = s
            .record_drift(users[i % 3], Some(reason), DRIFT)
            .await
            .unwrap();
        assert!(!d.is_open(OffsetDateTime::now_utc()), "{i}: {d:?}");
    }
    let before = OffsetDateTime::now_utc();
    let d = s
        .record_drift(users[1], Some("modal_missing"), DRIFT)
        .await
        .unwrap();
    assert!(d.is_open(OffsetDateTime::now_utc()), "{d:?}");
    let until = d.open_until.unwrap();
    assert!(
        until >= before + Duration::from_secs(1790) && until <= before + Duration::from_secs(1810),
        "{until} vs {before}"
    );
    assert_eq!(
        (d.streak, d.users),
        (0, 0),
        "the opening starts a new count"
    );
    assert_eq!(
        s.drift_status().await.unwrap(),
        d,
        "what every worker reads"
    );
    // a healthy ending does not close it early: the pause is the operator's window
    s.record_drift(users[2], None, DRIFT).await.unwrap();
    assert!(
        s.drift_status()
            .await
            .unwrap()
            .is_open(OffsetDateTime::now_utc())
    );
}

async fn concurrent_failures_open_the_drift_breaker_once(db: Db) {
    let store = Arc::new(db.store.clone());
    let users: Vec<UserId> = (0..4).map(|_| UserId::new_random()).collect();
    let mut tasks = Vec::new();
    for i in 0..8 {
        let (store, user) = (store.clone(), users[i % 4]);
        tasks.push(tokio::spawn(async move {
            store
                .record_drift(user, Some("modal_missing"), DRIFT)
                .await
                .unwrap()
        }));
    }
    let mut opened = 0;
    for t in tasks {
        let d = t.await.unwrap();
        if d.is_open(OffsetDateTime::now_utc()) && d.streak == 0 {
            opened += 1;
        }
    }
    // 8 failures from 4 users: the 5th opens it, the 3 after it start a new count
    let d = store.drift_status().await.unwrap();
    assert!(d.is_open(OffsetDateTime::now_utc()));
    assert_eq!(d.streak, 3, "{d:?}");
    assert_eq!(opened, 1, "exactly one failure opened the breaker");
}

/// Each call a worker repeats when it did not hear the answer (a PostgREST restart):
/// the heartbeat, the kill switch's reserve, the submit gate, the finish and the
/// release, each asked twice with the same token, count once and answer the same.
async fn every_lease_call_repeated_does_its_work_once(db: Db) {
    let user = db.seed_user("valid").await;
    db.seed_applications(user, "j", 2);
    let claimed = db.store.claim("w", LEASE).await.unwrap().unwrap();
    let lease = claimed.lease().unwrap();
    for _ in 0..2 {
        assert!(db.store.heartbeat(lease, LEASE).await.unwrap());
        assert!(db.store.reserve_linkedin_action_for(lease).await.unwrap());
    }
    assert_eq!(
        db.actions_today(),
        "1",
        "one action for the claim, asked twice"
    );
    for _ in 0..2 {
        assert_eq!(db.store.begin_submit(lease).await.unwrap(), BeginSubmit::Ok);
    }
    assert_eq!(
        db.both(&format!(
            "select submissions from user_daily_submissions where user_id = '{user}'"
        )),
        "1",
        "the user's daily slot reserved once"
    );
    let done = Outcome::new(OutcomeStatus::Submitted, None);
    for _ in 0..2 {
        assert!(
            db.store.finish(lease, &done).await.unwrap(),
            "a repeat answers true"
        );
    }
    assert_eq!(db.row(claimed.id), "submitted||1|f");
    // the same token asking for another ending is not a repeat: refused, unchanged
    let other = Outcome::new(OutcomeStatus::Failed, Some("browser_error"));
    assert!(!db.store.finish(lease, &other).await.unwrap());
    assert_eq!(db.row(claimed.id), "submitted||1|f");

    // a release repeated gives the attempt back once
    let second = db.store.claim("w", LEASE).await.unwrap().unwrap();
    let lease = second.lease().unwrap();
    assert!(db.store.reserve_linkedin_action_for(lease).await.unwrap());
    assert_eq!(db.actions_today(), "2");
    for _ in 0..2 {
        assert!(
            db.store
                .release(lease, &GiveBack::shutdown())
                .await
                .unwrap()
        );
    }
    assert_eq!(
        db.row(second.id),
        "queued|shutdown|0|f",
        "one attempt given back, not two"
    );
    assert!(
        !db.store.finish(lease, &done).await.unwrap(),
        "released, not finished"
    );
    // a new claim of the same row is a new token: a new action
    let again = db.store.claim("w", LEASE).await.unwrap().unwrap();
    assert_eq!(again.id, second.id);
    assert!(
        db.store
            .reserve_linkedin_action_for(again.lease().unwrap())
            .await
            .unwrap()
    );
    assert_eq!(db.actions_today(), "3");
}

/// A worker saw LinkedIn's confirmation but the store was away past its lease: the
/// sweeper moved the row to verification; the worker's record, when the store
/// answers, is kept — the application is not left to the verification settle.
async fn a_confirmed_submission_recorded_after_the_sweep_is_kept(db: Db) {
    let user = db.seed_user("valid").await;
    db.seed_applications(user, "j", 1);
    let claimed = db.store.claim("w", LEASE).await.unwrap().unwrap();
    let lease = claimed.lease().unwrap();
    assert_eq!(db.store.begin_submit(lease).await.unwrap(), BeginSubmit::Ok);
    db.expire_lease(claimed.id);
    assert_eq!(db.store.rescue_expired().await.unwrap().to_verify, 1);
    assert_eq!(
        db.row(claimed.id),
        "needs_verification|submit_unconfirmed|1|t"
    );
    let done = Outcome::new(OutcomeStatus::Submitted, None);
    assert!(db.store.finish(lease, &done).await.unwrap());
    assert_eq!(db.row(claimed.id), "submitted||1|f");
    assert!(db.store.claim("w", LEASE).await.unwrap().is_none());

    // once a verification run claimed it, the old token records nothing
    db.seed_applications(user, "k", 1);
    let next = db.store.claim("w", LEASE).await.unwrap().unwrap();
    let old = next.lease().unwrap();
    assert_eq!(db.store.begin_submit(old).await.unwrap(), BeginSubmit::Ok);
    db.expire_lease(next.id);
    db.store.rescue_expired().await.unwrap();
    db.set_run_at("true", 0);
    let verifier = db.store.claim("verifier", LEASE).await.unwrap().unwrap();
    assert_eq!(verifier.id, next.id);
    assert!(!db.store.finish(old, &done).await.unwrap());
    assert_eq!(db.row(next.id).split('|').next(), Some("claimed"));
}

/// A claim whose answer was lost (PostgREST restarting) is asked again with the same
/// request: the same row, token and attempt come back, not a second row; another
/// worker, a new request or a row claimed since by someone else get nothing of it.
async fn a_claim_asked_again_with_its_request_hands_back_the_same_row(db: Db) {
    let ada = db.seed_user("valid").await;
    let bob = db.seed_user("valid").await;
    db.seed_applications(ada, "a", 1);
    db.seed_applications(bob, "b", 1);
    let request = ClaimRequest::new();
    let first = db
        .store
        .claim_as("w", LEASE, request)
        .await
        .unwrap()
        .unwrap();
    let again = db
        .store
        .claim_as("w", LEASE, request)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (again.id, again.lease_token, again.attempts),
        (first.id, first.lease_token, first.attempts),
        "{}: the same claim handed back",
        db.name()
    );
    assert_eq!(
        db.both(
            "select count(*) || ':' || sum(attempts) from job_applications where status = 'claimed'"
        ),
        "1:1",
        "one row claimed, one attempt spent"
    );
    // the same request id from another worker is not this worker's claim
    let other = db
        .store
        .claim_as("v", LEASE, request)
        .await
        .unwrap()
        .unwrap();
    assert_ne!(other.id, first.id, "another worker gets the other row");
    // once the row was released and claimed again, the old request hands back nothing
    assert!(
        db.store
            .release(first.lease().unwrap(), &GiveBack::shutdown())
            .await
            .unwrap()
    );
    let taken = db.store.claim("w", LEASE).await.unwrap().unwrap();
    assert_eq!(taken.id, first.id);
    assert!(
        db.store
            .release(taken.lease().unwrap(), &GiveBack::shutdown())
            .await
            .unwrap()
    );
    let fresh = db
        .store
        .claim_as("w", LEASE, request)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(fresh.id, first.id, "claimed anew");
    assert_ne!(fresh.lease_token, taken.lease_token, "a new token");
    assert_ne!(fresh.lease_token, first.lease_token, "not the old claim");
    // an expired claim is not handed back: it is the sweeper's
    db.expire_lease(fresh.id);
    assert!(
        db.store
            .claim_as("w", LEASE, request)
            .await
            .unwrap()
            .is_none(),
        "{}: an expired claim is not handed back",
        db.name()
    );
}

/// The user's answers come back (issue 36): one answer that three applications wait
/// on requeues the three, no attempt spent; a fourth that waits on another question
/// too stays; every kind of bad input is refused with its reason, and then the rows
/// and the profile are as they were.
async fn answers_requeue_every_application_they_unblock_and_bad_input_changes_nothing(db: Db) {
    use autoapply::store::answering::GivenAnswer;
    let shift = serde_json::json!({"label": "Which shift do you prefer?", "kind": "select",
        "required": true, "options": ["Day", "Night"]});
    let cobol = serde_json::json!({"label": "How many years of experience do you have with COBOL?",
        "kind": "text", "required": true, "options": [], "whole_number": true});
    let start = serde_json::json!({"label": "Earliest start date", "kind": "date",
        "required": true, "options": []});
    let user = db.seed_user("valid").await;
    let other = db.seed_user("valid").await;
    let profile = serde_json::json!({"answers": [{"question": "Earlier?", "answer": "kept"}]});
    db.store.put_profile(user, &profile, None).await.unwrap();
    db.store
        .put_profile(other, &serde_json::json!({}), None)
        .await
        .unwrap();
    db.seed_applications(user, "a", 4);
    db.seed_applications(other, "b", 1);
    let mut ids = Vec::new();
    for n in 0..5 {
        let claimed = db.store.claim("w", LEASE).await.unwrap().unwrap();
        let mut outcome = Outcome::new(OutcomeStatus::NeedsUser, Some("unknown_questions"));
        let asked = if claimed.user_id == other {
            serde_json::json!([{"label": "Do you hold a security clearance?", "kind": "radio",
                "required": true, "options": ["Yes", "No"]}])
        } else if ids.len() == 3 {
            serde_json::json!([shift, cobol, start])
        } else {
            serde_json::json!([shift])
        };
        outcome.details.pending_questions = Some(asked);
        assert!(
            db.store
                .finish(claimed.lease().unwrap(), &outcome)
                .await
                .unwrap(),
            "{n}"
        );
        if claimed.user_id == user {
            ids.push(claimed.id);
        }
    }
    let given = |q: &str, a: &str| GivenAnswer {
        question: q.into(),
        answer: a.into(),
    };
    let rows = |db: &Db| {
        ids.iter()
            .map(|id| db.row(*id))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let stored_profile = |db: &Db| {
        db.both(&format!(
            "select profile from applicant_profiles where user_id = '{user}'"
        ))
    };
    let before = (rows(&db), stored_profile(&db));
    let shift_q = "Which shift do you prefer?";
    // bad input: each refused, nothing changes
    for (answers, reason) in [
        (
            vec![given(shift_q, "Evening")],
            "not one of its options: Day | Night",
        ),
        (vec![given(shift_q, "  ")], "an answer is required"),
        (
            vec![given("Do you like COBOL?", "Yes")],
            "not a question pending for this user",
        ),
        (
            vec![given(shift_q, "Night"), given(shift_q, "Day")],
            "answered more than once",
        ),
        (
            vec![given(
                "How many years of experience do you have with COBOL?",
                "about three",
            )],
            "a whole number is expected",
        ),
        (
            vec![given("Earliest start date", "next Monday")],
            "a date is expected, as YYYY-MM-DD",
        ),
        (
            vec![given("Earliest start date", "2027-02-30")],
            "a date is expected, as YYYY-MM-DD",
        ),
        (
            vec![given("Earliest start date", "15/01/2027")],
            "a date is expected, as YYYY-MM-DD",
        ),
    ] {
        let result = db.store.answer_questions(user, &answers).await.unwrap();
        assert!(result.requeued.is_empty(), "{result:?}");
        assert_eq!(result.refused.last().unwrap().reason, reason, "{result:?}");
        assert_eq!(result.waiting.len(), 4, "all four still wait: {result:?}");
        let after = (rows(&db), stored_profile(&db));
        assert_eq!(after, before, "{reason}: nothing changed");
    }
    // another user's question is not this user's to answer
    let cobol_q = "How many years of experience do you have with COBOL?";
    let result = db
        .store
        .answer_questions(
            user,
            &[
                given(shift_q, "Night"),
                given("Do you hold a security clearance?", "Yes"),
            ],
        )
        .await
        .unwrap();
    assert_eq!(result.refused.len(), 1);
    assert_eq!(
        result.refused[0].reason,
        "not a question pending for this user"
    );
    assert_eq!(rows(&db), before.0, "nothing changed");
    let unknown = UserId::new_random();
    let err = db
        .store
        .answer_questions(unknown, &[given(shift_q, "Night")])
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("has no applicant profile"), "{err}");
    assert_eq!(rows(&db), before.0);

    // one answer: the three that wait on it alone are queued again, no attempt spent
    let result = db
        .store
        .answer_questions(user, &[given(shift_q, "Night")])
        .await
        .unwrap();
    assert!(result.refused.is_empty(), "{result:?}");
    let mut requeued = result.requeued.clone();
    requeued.sort();
    let mut first_three = ids[..3].to_vec();
    first_three.sort();
    assert_eq!(requeued, first_three);
    assert_eq!(result.waiting.len(), 1);
    assert_eq!(result.waiting[0].id, ids[3]);
    assert_eq!(
        result.waiting[0].questions,
        [cobol_q, "Earliest start date"]
    );
    for id in &ids[..3] {
        let row = db.store.application(*id).await.unwrap().unwrap();
        assert_eq!(
            (row.status.as_str(), row.reason.as_deref(), row.attempts),
            ("queued", None, 1),
            "no attempt spent beyond the one that asked"
        );
        assert!(row.pending_questions.is_none());
    }
    let row = db.store.application(ids[3]).await.unwrap().unwrap();
    assert_eq!(row.status.as_str(), "needs_user");
    // remembered in the profile, beside what was there; a later answer replaces it
    let stored: Vec<(String, String)> = db
        .store
        .profile(user)
        .await
        .unwrap()
        .unwrap()
        .profile
        .unwrap()
        .answers
        .into_iter()
        .map(|a| (a.question, a.answer))
        .collect();
    assert_eq!(
        stored,
        [
            ("Earlier?".to_owned(), "kept".to_owned()),
            (shift_q.to_owned(), "Night".to_owned())
        ]
    );
    // the other user's rows were never touched
    let theirs = db.store.user_applications(other).await.unwrap();
    assert_eq!(theirs.len(), 1);
    assert_eq!(theirs[0].status.as_str(), "needs_user");
    let mine = db.store.user_applications(user).await.unwrap();
    assert_eq!(mine.len(), 4);
    // the fourth: its last question answered, it goes too
    let result = db
        .store
        .answer_questions(
            user,
            &[
                given(cobol_q, "3"),
                given("Earliest start date", "2027-01-15"),
            ],
        )
        .await
        .unwrap();
    assert!(result.refused.is_empty(), "{result:?}");
    assert_eq!(result.requeued, [ids[3]]);
    assert!(result.waiting.is_empty());
}
