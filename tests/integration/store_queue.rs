//! The queue through PostgREST: claims, leases, fencing, rescue, verification.

use std::{collections::HashSet, sync::Arc, time::Duration};

use autoapply::{
    domain::{Outcome, OutcomeStatus},
    store::{BeginSubmit, Store},
};

use crate::support::spawn_app;

const LEASE: Duration = Duration::from_secs(60);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn thirty_two_claimers_claim_each_of_2000_rows_exactly_once() {
    let app = spawn_app().await;
    for u in 0..40 {
        let user = app.seed_user("valid");
        app.seed_applications(user, &format!("u{u}"), 50);
    }
    let store = Arc::new(app.store.clone());
    let mut tasks = Vec::new();
    for w in 0..32 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            while let Some(a) = store.claim(&format!("worker-{w}"), LEASE).await.unwrap() {
                mine.push((a.id, a.lease_token.unwrap()));
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
    assert_eq!(total, 2000, "claims handed out");
    assert_eq!(ids.len(), 2000, "distinct rows claimed");
    assert_eq!(tokens.len(), 2000, "distinct fencing tokens");
    assert_eq!(
        app.sql("select status, attempts, count(*), count(distinct lease_owner) > 1 from job_applications group by 1, 2"),
        "claimed|1|2000|t"
    );
}

#[tokio::test]
async fn claims_skip_invalid_and_paused_sessions_and_spent_attempts() {
    let app = spawn_app().await;
    let expired = app.seed_user("expired");
    let checkpoint = app.seed_user("checkpoint");
    let paused = app.seed_user("valid");
    let spent = app.seed_user("valid");
    let no_session = autoapply::domain::UserId::new_random();
    for user in [expired, checkpoint, paused, spent, no_session] {
        app.seed_applications(user, "j", 1);
    }
    app.sql(&format!("update platform_sessions set paused_until = now() + interval '1 hour' where user_id = '{paused}'"));
    app.sql(&format!(
        "update job_applications set attempts = max_attempts where user_id = '{spent}'"
    ));
    assert!(
        app.store.claim("w", LEASE).await.unwrap().is_none(),
        "nothing claimable"
    );

    let ok = app.seed_user("valid");
    app.seed_applications(ok, "j", 1);
    app.sql(&format!(
        "update job_applications set run_at = now() + interval '1 hour' where user_id = '{ok}'"
    ));
    assert!(
        app.store.claim("w", LEASE).await.unwrap().is_none(),
        "not before run_at"
    );
    app.sql(&format!(
        "update job_applications set run_at = now() where user_id = '{ok}'"
    ));
    let claimed = app
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

#[tokio::test]
async fn a_stale_fencing_token_changes_nothing() {
    let app = spawn_app().await;
    let user = app.seed_user("valid");
    app.seed_applications(user, "j", 1);
    let first = app.store.claim("worker-a", LEASE).await.unwrap().unwrap();
    let stale = first.lease().unwrap();
    assert!(app.store.heartbeat(stale, LEASE).await.unwrap());

    // worker-a stalls; its lease expires; the sweeper requeues; worker-b claims
    app.expire_lease(first.id);
    let rescued = app.store.rescue_expired().await.unwrap();
    assert_eq!(
        (rescued.requeued, rescued.failed, rescued.to_verify),
        (1, 0, 0)
    );
    assert_eq!(app.row(first.id), "queued|lease_expired|1|f");
    app.sql("update job_applications set run_at = now()");
    let second = app.store.claim("worker-b", LEASE).await.unwrap().unwrap();
    assert_eq!(second.id, first.id);
    let fresh = second.lease().unwrap();
    assert_ne!(fresh.token, stale.token);

    assert!(!app.store.heartbeat(stale, LEASE).await.unwrap());
    assert_eq!(
        app.store.begin_submit(stale).await.unwrap(),
        BeginSubmit::LeaseLost
    );
    let submitted = Outcome::new(OutcomeStatus::Submitted, None);
    assert!(!app.store.finish(stale, &submitted).await.unwrap());
    assert!(!app.store.release(stale).await.unwrap());
    assert_eq!(
        app.row(first.id),
        "claimed|lease_expired|2|f",
        "stale calls changed nothing"
    );

    assert_eq!(
        app.store.begin_submit(fresh).await.unwrap(),
        BeginSubmit::Ok
    );
    assert!(app.store.finish(fresh, &submitted).await.unwrap());
    let row = app.store.application(first.id).await.unwrap().unwrap();
    assert_eq!(row.status.as_str(), "submitted");
    assert!(row.submitted_at.is_some());
    assert!(row.lease_owner.is_none());
}

#[tokio::test]
async fn begin_submit_refuses_an_expired_lease_even_before_the_sweeper() {
    let app = spawn_app().await;
    let user = app.seed_user("valid");
    app.seed_applications(user, "j", 1);
    let claimed = app.store.claim("w", LEASE).await.unwrap().unwrap();
    app.expire_lease(claimed.id);
    assert_eq!(
        app.store
            .begin_submit(claimed.lease().unwrap())
            .await
            .unwrap(),
        BeginSubmit::LeaseLost
    );
    assert_eq!(app.row(claimed.id), "claimed||1|f");
}

#[tokio::test]
async fn an_expired_submit_goes_to_verification_and_never_back_to_the_queue() {
    let app = spawn_app().await;
    let user = app.seed_user("valid");
    app.seed_applications(user, "j", 1);
    let claimed = app.store.claim("w", LEASE).await.unwrap().unwrap();
    let lease = claimed.lease().unwrap();
    assert_eq!(
        app.store.begin_submit(lease).await.unwrap(),
        BeginSubmit::Ok
    );
    // the worker dies after the click: its lease runs out while submitting
    app.expire_lease(claimed.id);
    let rescued = app.store.rescue_expired().await.unwrap();
    assert_eq!((rescued.requeued, rescued.to_verify), (0, 1));
    assert_eq!(
        app.row(claimed.id),
        "needs_verification|submit_unconfirmed|1|t"
    );
    // the sweeper again: still waiting for verification, never queued
    app.store.rescue_expired().await.unwrap();
    assert_eq!(
        app.row(claimed.id),
        "needs_verification|submit_unconfirmed|1|t"
    );

    // a verification run claims it; no attempt is spent and the gate stays shut
    let check = app.store.claim("verifier", LEASE).await.unwrap().unwrap();
    assert_eq!(check.id, claimed.id);
    assert_eq!((check.attempts, check.verification_checks), (1, 1));
    assert!(check.verification_pending);
    let check_lease = check.lease().unwrap();
    assert_eq!(
        app.store.begin_submit(check_lease).await.unwrap(),
        BeginSubmit::VerificationRequired
    );
    // its lease expires too: back to needs_verification, not queued
    app.expire_lease(claimed.id);
    assert_eq!(app.store.rescue_expired().await.unwrap().to_verify, 1);
    assert_eq!(
        app.row(claimed.id),
        "needs_verification|submit_unconfirmed|1|t"
    );

    // verification finds LinkedIn shows it applied: submitted, exactly once
    let check = app.store.claim("verifier", LEASE).await.unwrap().unwrap();
    let outcome = Outcome::new(OutcomeStatus::Submitted, Some("verified_applied"));
    assert!(
        app.store
            .finish(check.lease().unwrap(), &outcome)
            .await
            .unwrap()
    );
    assert_eq!(app.row(claimed.id), "submitted|verified_applied|1|f");
    assert!(app.store.claim("w", LEASE).await.unwrap().is_none());
}

#[tokio::test]
async fn a_retry_asked_while_submitting_becomes_verification() {
    let app = spawn_app().await;
    let user = app.seed_user("valid");
    app.seed_applications(user, "j", 1);
    let claimed = app.store.claim("w", LEASE).await.unwrap().unwrap();
    let lease = claimed.lease().unwrap();
    assert_eq!(
        app.store.begin_submit(lease).await.unwrap(),
        BeginSubmit::Ok
    );
    let retry =
        Outcome::new(OutcomeStatus::RetryLater, None).with_error("confirmation never appeared");
    assert!(app.store.finish(lease, &retry).await.unwrap());
    assert_eq!(
        app.row(claimed.id),
        "needs_verification|submit_unconfirmed|1|t"
    );
}

#[tokio::test]
async fn verification_settles_not_applied_and_gives_up_after_the_bound() {
    let app = spawn_app().await;
    let user = app.seed_user("valid");
    app.seed_applications(user, "j", 2);
    app.sql("update job_applications set status = 'needs_verification', verification_pending = true, attempts = 1");
    app.sql("update autoapply_limits set verification_checks_max = 2");

    // clearly not applied: queued again, gate open again
    let first = app.store.claim("v", LEASE).await.unwrap().unwrap();
    let requeue = Outcome::new(OutcomeStatus::RetryLater, Some("verified_not_applied"));
    assert!(
        app.store
            .finish(first.lease().unwrap(), &requeue)
            .await
            .unwrap()
    );
    assert_eq!(app.row(first.id), "queued|verified_not_applied|1|f");

    // cannot tell, twice: the second time it goes to the user as unverifiable
    let other = app.store.claim("v", LEASE).await.unwrap().unwrap();
    assert_ne!(other.id, first.id);
    let unsure = Outcome::new(
        OutcomeStatus::NeedsVerification,
        Some("verification_inconclusive"),
    );
    assert!(
        app.store
            .finish(other.lease().unwrap(), &unsure)
            .await
            .unwrap()
    );
    assert_eq!(
        app.row(other.id),
        "needs_verification|verification_inconclusive|1|t"
    );
    app.sql(&format!(
        "update job_applications set run_at = now() where id = '{}'",
        other.id
    ));
    let again = app.store.claim("v", LEASE).await.unwrap().unwrap();
    // the first one (requeued, attempt 2) may come first: take until ours
    let again = if again.id == other.id {
        again
    } else {
        app.store.claim("v", LEASE).await.unwrap().unwrap()
    };
    assert_eq!(again.id, other.id);
    assert!(
        app.store
            .finish(again.lease().unwrap(), &unsure)
            .await
            .unwrap()
    );
    assert_eq!(app.row(other.id), "needs_user|unverifiable|1|t");
}

#[tokio::test]
async fn retries_back_off_then_fail_and_release_spends_nothing() {
    let app = spawn_app().await;
    let user = app.seed_user("valid");
    app.seed_applications(user, "j", 1);
    app.sql("update job_applications set max_attempts = 2");

    let claimed = app.store.claim("w", LEASE).await.unwrap().unwrap();
    assert!(app.store.release(claimed.lease().unwrap()).await.unwrap());
    assert_eq!(
        app.row(claimed.id),
        "queued||0|f",
        "release spends no attempt"
    );

    let claimed = app.store.claim("w", LEASE).await.unwrap().unwrap();
    let retry = Outcome::new(OutcomeStatus::RetryLater, Some("browser_crashed"))
        .with_error("chromium exited");
    assert!(
        app.store
            .finish(claimed.lease().unwrap(), &retry)
            .await
            .unwrap()
    );
    assert_eq!(app.row(claimed.id), "queued|browser_crashed|1|f");
    assert_eq!(
        app.sql(&format!(
            "select run_at > now() + interval '50 seconds' from job_applications where id = '{}'",
            claimed.id
        )),
        "t",
        "backoff of 30 s * 2^attempts"
    );
    app.sql("update job_applications set run_at = now()");
    let claimed = app.store.claim("w", LEASE).await.unwrap().unwrap();
    assert!(
        app.store
            .finish(claimed.lease().unwrap(), &retry)
            .await
            .unwrap()
    );
    assert_eq!(
        app.row(claimed.id),
        "failed|browser_crashed|2|f",
        "no attempts left"
    );
    assert_eq!(
        app.sql(&format!(
            "select last_error from job_applications where id = '{}'",
            claimed.id
        )),
        "chromium exited"
    );
}

#[tokio::test]
async fn finish_records_questions_screenshot_and_marks_the_session() {
    let app = spawn_app().await;
    let user = app.seed_user("valid");
    app.seed_applications(user, "j", 1);
    let claimed = app.store.claim("w", LEASE).await.unwrap().unwrap();
    let mut outcome = Outcome::new(OutcomeStatus::NeedsUser, Some("session_checkpoint"))
        .with_error(&"LinkedIn asked for a security check ".repeat(40));
    outcome.details.pending_questions =
        Some(serde_json::json!([{"label": "Years of COBOL?", "kind": "text"}]));
    outcome.details.screenshot_path = Some(format!("/storage/screenshots/{}.png", claimed.id));
    outcome.details.session_status = Some(autoapply::domain::SessionStatus::Checkpoint);
    assert!(
        app.store
            .finish(claimed.lease().unwrap(), &outcome)
            .await
            .unwrap()
    );
    let row = app.store.application(claimed.id).await.unwrap().unwrap();
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
        app.sql(&format!(
            "select status from platform_sessions where user_id = '{user}'"
        )),
        "checkpoint"
    );
    let bad = Outcome::new(OutcomeStatus::Submitted, None);
    assert!(
        !app.store
            .finish(claimed.lease().unwrap(), &bad)
            .await
            .unwrap(),
        "finished rows stay finished"
    );
}
