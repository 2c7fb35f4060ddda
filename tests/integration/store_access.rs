//! Who may do what through PostgREST: only the service role; and what the store
//! reports when PostgREST is down.

use std::time::{Duration, Instant};

use autoapply::store::{AgentLogEntry, AgentLogStatus, Store, StoreError};
use time::OffsetDateTime;

use crate::support::{free_port, jwt, spawn_app, store_for};

const FUNCTIONS: [(&str, &str); 11] = [
    (
        "claim_application",
        r#"{"p_worker": "w", "p_lease_seconds": 60}"#,
    ),
    (
        "heartbeat_application",
        r#"{"p_id": "00000000-0000-0000-0000-000000000000", "p_token": 1, "p_lease_seconds": 60}"#,
    ),
    ("reserve_linkedin_action", "{}"),
    (
        "increment_linkedin_daily_count",
        r#"{"action_date": "2026-01-01"}"#,
    ),
    ("linkedin_daily_status", "{}"),
    (
        "begin_submit",
        r#"{"p_id": "00000000-0000-0000-0000-000000000000", "p_token": 1}"#,
    ),
    (
        "finish_application",
        r#"{"p_id": "00000000-0000-0000-0000-000000000000", "p_token": 1, "p_status": "failed"}"#,
    ),
    (
        "release_application",
        r#"{"p_id": "00000000-0000-0000-0000-000000000000", "p_token": 1, "p_reason": "shutdown", "p_error": "", "p_after_ms": 0}"#,
    ),
    ("rescue_expired_applications", "{}"),
    (
        "record_drift",
        r#"{"p_user": "00000000-0000-0000-0000-000000000000", "p_reason": "modal_missing", "p_failures": 1, "p_users": 1, "p_pause_secs": 86400}"#,
    ),
    ("drift_status", "{}"),
];

#[tokio::test]
async fn anon_and_authenticated_cannot_execute_functions_or_read_tables() {
    let app = spawn_app().await;
    let user = app.seed_user("valid");
    app.seed_applications(user, "j", 3);
    let http = crate::support::http();
    let authenticated = jwt::token("authenticated");
    for (name, body) in FUNCTIONS {
        let url = app.rest_url.join(&format!("rpc/{name}")).unwrap();
        for token in [None, Some(authenticated.as_str())] {
            let mut req = http
                .post(url.clone())
                .header("Content-Type", "application/json")
                .body(body);
            if let Some(t) = token {
                req = req.bearer_auth(t);
            }
            let resp = req.send().await.unwrap();
            let status = resp.status().as_u16();
            let body: serde_json::Value = resp.json().await.unwrap();
            assert!(
                status == 401 || status == 403,
                "{name} as {token:?}: {status} {body}"
            );
            assert_eq!(body["code"], "42501", "{name}: {body}");
        }
    }
    for table in [
        "job_applications",
        "platform_sessions",
        "applicant_profiles",
        "agent_logs",
        "system_daily_limits",
        "autoapply_drift",
    ] {
        let resp = http
            .get(app.rest_url.join(table).unwrap())
            .bearer_auth(&authenticated)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), 403, "{table}");
    }
    assert_eq!(
        app.sql("select count(*) from job_applications where status = 'queued'"),
        "3",
        "nothing changed"
    );
    assert_eq!(app.sql("select count(*) from system_daily_limits"), "0");
    assert_eq!(
        app.sql("select coalesce(open_until::text, 'closed') from autoapply_drift"),
        "closed",
        "nobody but the service role can open the drift breaker"
    );
    // the service role may
    assert!(
        app.store
            .claim("w", Duration::from_secs(60))
            .await
            .unwrap()
            .is_some()
    );
}

#[tokio::test]
async fn an_unprivileged_key_gets_postgrest_code_and_message_but_no_key() {
    let app = spawn_app().await;
    let key = jwt::token("authenticated");
    let store = store_for(&app.rest_url, &key);
    let err = store.reserve_linkedin_action().await.unwrap_err();
    let text = err.to_string();
    assert!(
        matches!(err, StoreError::Api { status: 403, .. }),
        "{err:?}"
    );
    assert!(
        text.contains("(42501)")
            && text.contains("permission denied for function reserve_linkedin_action"),
        "{text}"
    );
    assert!(!text.contains(&key) && !format!("{err:?}").contains(&key));
    assert!(!err.is_transient(), "4xx is never retried");
}

#[tokio::test]
async fn an_unreachable_postgrest_is_retried_then_reported() {
    let url: url::Url = format!("http://127.0.0.1:{}/", free_port())
        .parse()
        .unwrap();
    let store = store_for(&url, "key-that-must-not-leak");
    let started = Instant::now();
    let err = store.claim("w", Duration::from_secs(60)).await.unwrap_err();
    assert!(
        matches!(err, StoreError::Unreachable { attempts: 3, .. }),
        "{err:?}"
    );
    assert!(err.is_transient());
    let text = err.to_string();
    assert!(
        text.starts_with(
            "rpc claim_application: the database is unreachable after 3 tries: connection failed"
        ),
        "{text}"
    );
    assert!(!text.contains("key-that-must-not-leak"));
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn sessions_profiles_and_agent_logs_round_trip() {
    let app = spawn_app().await;
    let user = app.seed_user("valid");
    app.sql(&format!(
        "insert into applicant_profiles (user_id, profile, resume_path) values ('{user}', \
         '{{\"contact\": {{\"first_name\": \"Ada\"}}, \"experience_years\": {{\"rust\": 3}}}}', '/storage/resumes/ada.pdf')"
    ));
    let session = app
        .store
        .session(user, autoapply::domain::Platform::Linkedin)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(session.status, autoapply::domain::SessionStatus::Valid);
    assert!(!format!("{session:?}").contains("session_encrypted: \"00\""));
    let profile = app.store.profile(user).await.unwrap().unwrap();
    assert_eq!(
        profile
            .profile
            .as_ref()
            .unwrap()
            .contact
            .first_name
            .as_deref(),
        Some("Ada")
    );
    assert_eq!(
        profile.profile.as_ref().unwrap().experience_years["rust"].get(),
        3.0
    );
    assert_eq!(
        profile.resume_path.as_deref(),
        Some("/storage/resumes/ada.pdf")
    );
    assert!(
        app.store
            .profile(autoapply::domain::UserId::new_random())
            .await
            .unwrap()
            .is_none()
    );

    app.sql(&format!(
        "update applicant_profiles set profile = '{{\"experience_years\": {{\"rust\": \"SECRETISH\"}}}}' where user_id = '{user}'"
    ));
    // a profile of the wrong shape is the user's to fix: read, with where and why
    let err = app
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

    let now = OffsetDateTime::now_utc();
    let mut started = AgentLogEntry::new(AgentLogStatus::Started, Some(user), None, now);
    started.records_processed = Some(0);
    app.store.log_agent(&started).await.unwrap();
    let mut failed = AgentLogEntry::new(AgentLogStatus::Failed, Some(user), None, now);
    failed.error = Some("validation_error".into());
    failed.duration_ms = Some(1234);
    app.store.log_agent(&failed).await.unwrap();
    assert_eq!(
        app.sql(
            "select agent_name || ',' || status || ',' || round(extract(epoch from expires_at - created_at) / 86400) \
             from agent_logs order by id"
        ),
        "auto_apply,started,3\nauto_apply,failed,30"
    );
}

#[tokio::test]
async fn a_version_1_sqlite_file_is_upgraded_step_by_step_and_keeps_its_rows() {
    let dir = std::env::temp_dir().join(format!("autoapply-v1-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("v1.sqlite3");
    let _ = std::fs::remove_file(&path);
    {
        let store = autoapply::store::sqlite::SqliteStore::open(&path).unwrap();
        drop(store);
        // as a version-1 build left it: no drift table, no one-live-row index, no
        // verification settle columns, no receipt or application résumé, no
        // repeatable lease calls or claims
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "drop table autoapply_drift; drop index job_applications_one_live_per_user; \
             alter table autoapply_limits drop column verification_settle_seconds; \
             alter table job_applications drop column verification_not_applied_at; \
             alter table job_applications drop column verification_looks; \
             alter table job_applications drop column receipt; \
             alter table job_applications drop column resume_path; \
             alter table job_applications drop column display_language; \
             alter table job_applications drop column finished_token; \
             alter table job_applications drop column finished_as; \
             alter table job_applications drop column claim_request; \
             alter table job_applications drop column claim_request_token; \
             drop table linkedin_action_reservations; \
             insert into system_daily_limits values ('2026-11-27', 7); pragma user_version = 1;",
        )
        .unwrap();
    }
    let store = autoapply::store::sqlite::SqliteStore::open(&path).unwrap();
    let drift = store.drift_status().await.unwrap();
    assert_eq!((drift.streak, drift.open_until), (0, None));
    let conn = rusqlite::Connection::open(&path).unwrap();
    let (version, kept): (i32, i64) = conn
        .query_row(
            "select (select user_version from pragma_user_version), (select total_linkedin_actions from system_daily_limits)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((version, kept), (7, 7));
    let settle: i64 = conn
        .query_row(
            "select verification_settle_seconds from autoapply_limits",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(settle, 900, "the upgrade adds the settle time, 15 min");
    let indexed: i64 = conn
        .query_row(
            "select count(*) from sqlite_master where name = 'job_applications_one_live_per_user'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(indexed, 1, "the upgrade adds the one-live-row index");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn a_redirect_never_carries_the_service_role_key_elsewhere() {
    // issue 18, finding 5: reqwest strips Authorization on a cross-origin redirect,
    // not `apikey`
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let elsewhere = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let elsewhere_port = elsewhere.local_addr().unwrap().port();
    let redirector = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let rest = url::Url::parse(&format!(
        "http://127.0.0.1:{}/rest/v1/",
        redirector.local_addr().unwrap().port()
    ))
    .unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = redirector.accept().await {
            let mut buf = [0u8; 4096];
            let _ = socket.read(&mut buf).await;
            let answer = format!(
                "HTTP/1.1 307 Temporary Redirect\r\nLocation: http://127.0.0.1:{elsewhere_port}/steal\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
            let _ = socket.write_all(answer.as_bytes()).await;
        }
    });
    let store = store_for(&rest, "service-role-key-for-the-redirect-test");
    let err = store.reserve_linkedin_action().await.unwrap_err();
    assert!(
        matches!(err, StoreError::Api { status: 307, .. }),
        "a redirect is an answer, not followed: {err:?}"
    );
    let reached = tokio::time::timeout(Duration::from_millis(500), elsewhere.accept()).await;
    assert!(
        reached.is_err(),
        "the redirect was followed to another port"
    );
}
