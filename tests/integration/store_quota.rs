//! The kill switch and the per-user cap through PostgREST: exact under concurrency,
//! counted per UTC day.

use std::{sync::Arc, time::Duration};

use autoapply::store::{BeginSubmit, Store};
use time::OffsetDateTime;

use crate::support::{Options, spawn_app, spawn_app_with};

const LEASE: Duration = Duration::from_secs(60);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn forty_eight_callers_reserve_exactly_1500_linkedin_actions() {
    let app = spawn_app().await;
    let store = Arc::new(app.store.clone());
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
    assert_eq!(
        app.sql(&format!(
            "select total_linkedin_actions from system_daily_limits where date = '{today}'"
        )),
        "1500"
    );
    assert!(
        !app.store.reserve_linkedin_action().await.unwrap(),
        "still closed"
    );
    let status = app.store.linkedin_daily_status().await.unwrap();
    assert_eq!(
        (
            status.day,
            status.used,
            status.daily_limit,
            status.remaining
        ),
        (today, 1500, 1500, 0)
    );

    // the platform's existing RPC still counts unconditionally, and the switch stays shut
    let count: i32 = app
        .store
        .client()
        .rpc(
            "increment_linkedin_daily_count",
            &serde_json::json!({"action_date": today.to_string()}),
        )
        .await
        .unwrap();
    assert_eq!(count, 1501);
    assert!(!app.store.reserve_linkedin_action().await.unwrap());
}

#[tokio::test]
async fn the_limit_lives_in_the_database() {
    let app = spawn_app().await;
    app.sql("update autoapply_limits set linkedin_actions_per_day = 5");
    let mut granted = 0;
    for _ in 0..8 {
        if app.store.reserve_linkedin_action().await.unwrap() {
            granted += 1;
        }
    }
    assert_eq!(granted, 5);
    app.sql("update autoapply_limits set linkedin_actions_per_day = 0");
    assert!(
        !app.store.reserve_linkedin_action().await.unwrap(),
        "0 stops everything"
    );
}

#[tokio::test]
async fn days_are_utc_days_whatever_the_database_time_zone() {
    // pick a zone whose calendar date differs from UTC's right now
    let hour = OffsetDateTime::now_utc().hour();
    let zone = if hour >= 11 {
        "Pacific/Kiritimati"
    } else {
        "Pacific/Pago_Pago"
    };
    let app = spawn_app_with(Options {
        timezone: Some(zone.into()),
    })
    .await;
    let today = OffsetDateTime::now_utc().date();
    let yesterday = today.previous_day().unwrap();
    assert_ne!(
        app.sql("select current_date").parse::<String>().unwrap(),
        today.to_string(),
        "the zone must differ"
    );

    // yesterday (UTC) is full, for everyone and for this user
    app.sql(&format!(
        "insert into system_daily_limits values ('{yesterday}', 1500)"
    ));
    let user = app.seed_user("valid");
    app.sql(&format!(
        "insert into user_daily_submissions values ('{user}', '{yesterday}', 25)"
    ));
    app.seed_applications(user, "j", 1);

    assert!(
        app.store.reserve_linkedin_action().await.unwrap(),
        "a new UTC day opens the switch"
    );
    assert_eq!(
        app.sql(
            "select date || '=' || total_linkedin_actions from system_daily_limits order by date"
        ),
        format!("{yesterday}=1500\n{today}=1")
    );
    assert_eq!(app.store.linkedin_daily_status().await.unwrap().day, today);

    let claimed = app
        .store
        .claim("w", LEASE)
        .await
        .unwrap()
        .expect("yesterday's cap does not block today");
    assert_eq!(
        app.store
            .begin_submit(claimed.lease().unwrap())
            .await
            .unwrap(),
        BeginSubmit::Ok
    );
    assert_eq!(
        app.sql(&format!("select submissions from user_daily_submissions where user_id = '{user}' and date = '{today}'")),
        "1"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_per_user_cap_holds_under_concurrency() {
    let app = spawn_app().await;
    let capped = app.seed_user("valid");
    let other = app.seed_user("valid");
    app.seed_applications(capped, "c", 5);
    app.sql(&format!(
        "insert into user_submission_caps values ('{capped}', 2)"
    ));

    let mut leases = Vec::new();
    while let Some(a) = app.store.claim("w", LEASE).await.unwrap() {
        leases.push(a.lease().unwrap());
    }
    assert_eq!(leases.len(), 5);
    let store = Arc::new(app.store.clone());
    let tasks: Vec<_> = leases
        .iter()
        .map(|lease| {
            let store = store.clone();
            let lease = *lease;
            tokio::spawn(async move { (lease, store.begin_submit(lease).await.unwrap()) })
        })
        .collect();
    let mut ok = Vec::new();
    let mut limited = Vec::new();
    for t in tasks {
        let (lease, answer) = t.await.unwrap();
        match answer {
            BeginSubmit::Ok => ok.push(lease),
            BeginSubmit::UserLimit => limited.push(lease),
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!((ok.len(), limited.len()), (2, 3));
    assert_eq!(
        app.sql("select count(*) from job_applications where status = 'submitting'"),
        "2"
    );
    assert_eq!(
        app.sql("select count(*) from job_applications where status = 'claimed'"),
        "3"
    );

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
        assert!(app.store.finish(lease, &wait).await.unwrap());
    }
    app.sql("update job_applications set run_at = now() where status = 'queued'");
    app.seed_applications(other, "o", 1);
    let next = app
        .store
        .claim("w", LEASE)
        .await
        .unwrap()
        .expect("the other user's row");
    assert_eq!(next.user_id, other);
    assert!(
        app.store.claim("w", LEASE).await.unwrap().is_none(),
        "capped user skipped today"
    );
    assert_eq!(
        app.sql(&format!("select string_agg(distinct status || ':' || attempts, ',') from job_applications where user_id = '{capped}' and status = 'queued'")),
        "queued:0",
        "waiting for the cap spent no attempt"
    );
}
