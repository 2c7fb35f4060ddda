//! Known secret values through a whole run: the session key, a session cookie, the
//! service role key and the agent secret must appear nowhere a person or another
//! system can read — the daemon's logs at `trace`, the database rows, the screenshot
//! file names, any HTTP answer of the webhook, health, readiness or metrics.

use std::time::Duration;

use crate::support::apply::{BROWSER, ada_profile, apply_env};

const COOKIE: &str = "AQEDASecretCookieValue-7f3a91c4e2";
const AGENT_SECRET: &str = "test-agent-secret-0123456789";

async fn get(url: &str) -> String {
    let r = reqwest::get(url).await.unwrap();
    let head = format!("{:?}", r.headers());
    format!("{head}\n{}", r.text().await.unwrap())
}

async fn post(url: &str, secret: &str, body: String) -> String {
    let r = crate::support::http()
        .post(format!("{url}/api/agents/auto_apply"))
        .header("Content-Type", "application/json")
        .header("X-Agent-Secret", secret)
        .body(body)
        .send()
        .await
        .unwrap();
    let head = format!("{} {:?}", r.status(), r.headers());
    format!("{head}\n{}", r.text().await.unwrap())
}

#[tokio::test]
async fn no_secret_reaches_logs_rows_file_names_or_http_answers() {
    let _one = BROWSER.lock().await;
    let env = apply_env().await;
    let user = env.seed_user(&ada_profile(), COOKIE);
    let submitted = env.seed_job(user, 1002);
    let unknown = env.seed_job(user, 1011);
    let invalid = env.seed_job(user, 1008);
    let mut daemon = env.spawn_daemon(
        "secrets",
        &[
            ("RUST_LOG", "trace"),
            ("AUTOAPPLY_SUCCESS_SCREENSHOTS", "true"),
        ],
    );
    daemon.ready().await;
    env.wait_for_count(
        "select count(*) from job_applications where status in ('submitted', 'needs_user', 'failed')",
        "3",
        Duration::from_secs(120),
    )
    .await;
    // each outcome is recorded while its browser's clean-up runs: the runs end after
    env.wait_for_count(
        "select count(*) from agent_logs where status <> 'started'",
        "3",
        Duration::from_secs(30),
    )
    .await;
    assert_eq!(
        env.app.sql(&format!(
            "select string_agg(status, ',' order by status) from job_applications where id in ('{submitted}', '{unknown}', '{invalid}')"
        )),
        // 1008: LinkedIn rejects the salary, so the question goes to the user
        "needs_user,needs_user,submitted"
    );

    // every HTTP answer: good and bad calls, health, readiness, metrics
    let url = daemon.webhook.clone();
    let mut answers = Vec::new();
    let call = |a: Option<String>| {
        match a {
        Some(a) => serde_json::json!({"agent": "auto_apply", "user_id": user.to_string(), "payload": {"application_id": a}}).to_string(),
        None => serde_json::json!({"agent": "auto_apply", "user_id": user.to_string(), "payload": {}}).to_string(),
    }
    };
    // the user answered nothing yet, the platform queues it again and calls: the run
    // ends as before, and its answer carries the outcome (a caller may claim only
    // what the loop could; run_at keeps the loop away)
    env.app.sql(&format!(
        "update job_applications set status = 'queued', run_at = now() + interval '1 day' where id = '{unknown}'"
    ));
    answers.push(post(&url, AGENT_SECRET, call(Some(unknown.to_string()))).await);
    answers.push(post(&url, AGENT_SECRET, call(Some(submitted.to_string()))).await);
    answers.push(post(&url, AGENT_SECRET, call(None)).await);
    answers.push(post(&url, &format!("{AGENT_SECRET}x"), call(None)).await);
    answers.push(post(&url, AGENT_SECRET, format!("{{\"user_id\": \"{COOKIE}\"}}")).await);
    for path in ["/healthz", "/readyz", "/metrics"] {
        answers.push(get(&format!("{url}{path}")).await);
    }
    assert!(
        answers[0].starts_with("200 ") && answers[0].contains("\"failed\""),
        "the replayed unknown-question application answers with its outcome: {}",
        answers[0]
    );
    assert!(answers[3].starts_with("401 "), "{}", answers[3]);
    daemon.stop().await;

    // every row of every table the worker writes or reads
    let mut rows = String::new();
    for table in [
        "job_applications",
        "agent_logs",
        "applicant_profiles",
        "system_daily_limits",
        "user_daily_submissions",
    ] {
        rows.push_str(
            &env.app
                .sql(&format!("select row_to_json(t)::text from {table} t")),
        );
        rows.push('\n');
    }
    // the sessions table holds the ciphertext by design; its other columns must not leak
    rows.push_str(
        &env.app
            .sql("select user_agent, status, validated_at, paused_until from platform_sessions"),
    );
    assert!(rows.contains("unknown_questions") && rows.contains("Enter a whole number"));

    let shots: Vec<String> = std::fs::read_dir(env.storage.join("screenshots"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        shots.contains(&format!("{unknown}.png"))
            && shots.contains(&format!("{invalid}.png"))
            && shots.contains(&format!("{submitted}-confirmation.png")),
        "{shots:?}"
    );
    let logs = daemon.logs();
    assert!(
        logs.contains("\"level\":\"TRACE\"") || logs.contains("TRACE"),
        "the daemon logged at trace"
    );

    let secrets = [
        ("the session key", env.key_hex.clone()),
        ("the session key (upper case)", env.key_hex.to_uppercase()),
        ("the li_at cookie", COOKIE.to_owned()),
        ("the service role key", env.app.service_key.clone()),
        ("the agent secret", AGENT_SECRET.to_owned()),
    ];
    let places = [
        ("the daemon's logs", logs),
        ("the database rows", rows),
        ("the screenshot file names", shots.join("\n")),
        ("the HTTP answers", answers.join("\n")),
    ];
    for (what, secret) in &secrets {
        for (place, text) in &places {
            assert!(!text.contains(secret.as_str()), "{what} found in {place}");
        }
    }
}
