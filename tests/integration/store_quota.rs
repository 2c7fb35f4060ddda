//! PostgreSQL-only parts of the kill switch and the per-user cap: the platform's own
//! RPC, and UTC days whatever the database's time zone. The rest is in `conformance`.

use std::time::Duration;

use autoapply::store::{BeginSubmit, Store};
use time::OffsetDateTime;

use crate::support::{Options, spawn_app, spawn_app_with};

const LEASE: Duration = Duration::from_secs(60);

#[tokio::test]
async fn the_platforms_increment_rpc_counts_unconditionally_and_the_switch_stays_shut() {
    // reserve_linkedin_action's exactness under concurrency is in the conformance suite
    let app = spawn_app().await;
    app.sql("update autoapply_limits set linkedin_actions_per_day = 3");
    for _ in 0..3 {
        assert!(app.store.reserve_linkedin_action().await.unwrap());
    }
    assert!(!app.store.reserve_linkedin_action().await.unwrap());
    let today = OffsetDateTime::now_utc().date();
    let count: i32 = app
        .store
        .client()
        .rpc(
            "increment_linkedin_daily_count",
            &serde_json::json!({"action_date": today.to_string()}),
        )
        .await
        .unwrap();
    assert_eq!(count, 4);
    assert!(!app.store.reserve_linkedin_action().await.unwrap());
    let status = app.store.linkedin_daily_status().await.unwrap();
    assert_eq!(
        (status.used, status.daily_limit, status.remaining),
        (4, 3, 0)
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
