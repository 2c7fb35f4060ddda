//! The gateway webhook, health, readiness and metrics of `autoapply run`, and the
//! replay CLI: real binary, real PostgREST, the replica, Chromium on Xvfb.

use std::time::Duration;

use autoapply::webhook::AgentResponse;
use hmac::{KeyInit as _, Mac as _};

use crate::support::apply::{BROWSER, ada_profile, apply_env};

const SECRET: &str = "test-agent-secret-0123456789";
const COOKIE: &str = "AQEDAWebhookSessionCookie-5d1e";

async fn call(
    url: &str,
    secret: Option<&str>,
    content_type: &str,
    body: impl Into<reqwest::Body>,
) -> (u16, AgentResponse, String) {
    let mut request = crate::support::http()
        .post(format!("{url}/api/agents/auto_apply"))
        .header("Content-Type", content_type)
        .body(body);
    if let Some(s) = secret {
        request = request.header("X-Agent-Secret", s);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    let parsed: AgentResponse =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    (status, parsed, text)
}

fn body(user: &str, application: Option<&str>) -> String {
    match application {
        Some(a) => serde_json::json!({"agent": "auto_apply", "user_id": user, "payload": {"application_id": a}}).to_string(),
        None => serde_json::json!({"agent": "auto_apply", "user_id": user, "payload": {}}).to_string(),
    }
}

#[tokio::test]
async fn bad_webhook_calls_get_precise_answers_and_change_nothing() {
    let _one = BROWSER.lock().await;
    let env = apply_env().await;
    let user = env.seed_user(&ada_profile(), COOKIE);
    let queued = env.seed_job(user, 2601);
    let submitted = env.seed_job(user, 2602);
    env.app.sql(&format!("update job_applications set status = 'submitted', submitted_at = now() where id = '{submitted}'"));
    let other = env.seed_user(&ada_profile(), "AQEDAother");
    // the loop must not take this work meanwhile (a claim by id ignores run_at)
    env.app
        .sql("update job_applications set run_at = now() + interval '1 day'");
    let daemon = env.spawn_daemon("hooked", &[]);
    daemon.ready().await;
    let snapshot = || {
        env.app.sql("select id, status, attempts, coalesce(reason, ''), lease_token from job_applications order by id")
    };
    let before = snapshot();
    let url = daemon.webhook.as_str();
    let (u, q, s) = (user.to_string(), queued.to_string(), submitted.to_string());
    let json = "application/json";

    let cases: Vec<(u16, Option<&str>, &str, String, &str)> = vec![
        (
            401,
            None,
            json,
            body(&u, Some(&q)),
            "missing X-Agent-Secret header",
        ),
        (
            401,
            Some("wrong-secret-0123456789"),
            json,
            body(&u, Some(&q)),
            "wrong X-Agent-Secret",
        ),
        (
            415,
            Some(SECRET),
            "text/plain",
            body(&u, Some(&q)),
            "Content-Type must be application/json",
        ),
        (
            413,
            Some(SECRET),
            json,
            format!("{{\"pad\": \"{}\"}}", "x".repeat(70 * 1024)),
            "body larger than 64 KiB",
        ),
        (
            400,
            Some(SECRET),
            json,
            "{".into(),
            "invalid body: EOF while parsing",
        ),
        (
            400,
            Some(SECRET),
            json,
            r#"{"agent": "auto_apply", "payload": {}}"#.into(),
            "invalid body: missing field `user_id`",
        ),
        (
            400,
            Some(SECRET),
            json,
            r#"{"agent": "auto_apply", "user_id": 42}"#.into(),
            "invalid body: invalid type: integer `42`, expected a string",
        ),
        (
            400,
            Some(SECRET),
            json,
            body("not-a-uuid", None),
            "field `user_id` must be a UUID",
        ),
        (
            400,
            Some(SECRET),
            json,
            serde_json::json!({"agent": "other", "user_id": u}).to_string(),
            "field `agent` must be \"auto_apply\"",
        ),
        (
            400,
            Some(SECRET),
            json,
            body(&u, Some("../../etc/passwd")),
            "field `payload.application_id` must be a UUID",
        ),
        (
            404,
            Some(SECRET),
            json,
            body(&u, Some("00000000-0000-4000-8000-000000000000")),
            "no application 00000000-0000-4000-8000-000000000000",
        ),
        (
            404,
            Some(SECRET),
            json,
            body(&other.to_string(), Some(&q)),
            "no application",
        ),
        (
            409,
            Some(SECRET),
            json,
            body(&u, Some(&s)),
            "is not claimable now (status submitted)",
        ),
    ];
    for (code, secret, content_type, payload, expected) in cases {
        let (status, answer, text) = call(url, secret, content_type, payload).await;
        assert_eq!(status, code, "{expected}: {text}");
        assert_eq!(answer.status, "failed");
        assert_eq!(answer.records_processed, 0);
        let error = answer.error.unwrap_or_default();
        assert!(
            error.contains(expected),
            "expected `{expected}` in `{error}`"
        );
        assert!(!text.contains(SECRET), "the secret was echoed: {text}");
    }
    env.app
        .sql("update autoapply_limits set linkedin_actions_per_day = 0");
    let (status, answer, _) = call(url, Some(SECRET), json, body(&u, Some(&q))).await;
    assert_eq!(status, 429);
    assert!(answer.error.unwrap().contains("global LinkedIn limit"));
    env.app
        .sql("update autoapply_limits set linkedin_actions_per_day = 1500");

    assert_eq!(snapshot(), before, "no row changed");
    assert!(
        env.replica.requests().is_empty(),
        "nothing reached LinkedIn"
    );
    assert!(
        !daemon.logs().contains(SECRET) && !daemon.logs().contains(&env.key_hex),
        "no secret in the logs"
    );
}

#[tokio::test]
async fn a_webhook_call_applies_now_and_metrics_show_it() {
    let _one = BROWSER.lock().await;
    let env = apply_env().await;
    let user = env.seed_user(&ada_profile(), COOKIE);
    let id = env.seed_job(user, 2603);
    let later = env.seed_job(user, 2604);
    // the loop must not take this work meanwhile (a claim by id ignores run_at)
    env.app
        .sql("update job_applications set run_at = now() + interval '1 day'");
    let daemon = env.spawn_daemon("hooked", &[]);
    daemon.ready().await;
    let url = daemon.webhook.as_str();

    let (status, answer, text) = call(
        url,
        Some(SECRET),
        "application/json",
        body(&user.to_string(), Some(&id.to_string())),
    )
    .await;
    assert_eq!(status, 200, "{text}");
    assert_eq!(answer.status, "success", "{text}");
    assert_eq!(answer.records_processed, 1);
    assert_eq!(answer.error, None);
    assert!(answer.duration_ms > 100, "{text}");
    assert_eq!(
        env.app.sql(&format!(
            "select status from job_applications where id = '{id}'"
        )),
        "submitted"
    );
    assert_eq!(env.replica.submissions().len(), 1);
    assert_eq!(
        env.app
            .sql("select string_agg(status, ',' order by id) from agent_logs"),
        "started,completed"
    );

    // "async": answered at once, applied in the background. The first run's slot is
    // held until its browser is torn down, after its answer: a call before then is
    // rightly 429 ("every slot busy"), so wait for the browser to be gone
    let gone = std::time::Instant::now() + Duration::from_secs(30);
    while !crate::support::metrics_text(url)
        .await
        .contains("autoapply_browsers_running 0")
        && std::time::Instant::now() < gone
    {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let async_body = serde_json::json!({"agent": "auto_apply", "user_id": user, "payload": {"application_id": later, "async": true}}).to_string();
    let (status, answer, text) = call(url, Some(SECRET), "application/json", async_body).await;
    assert_eq!((status, answer.status.as_str()), (202, "success"), "{text}");
    env.wait_for_count(
        &format!("select status from job_applications where id = '{later}'"),
        "submitted",
        Duration::from_secs(60),
    )
    .await;

    // the outcome is recorded while the browser is torn down: the run ends after
    let http = crate::support::http();
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let metrics = loop {
        let metrics = crate::support::metrics_text(url).await;
        if metrics.contains("autoapply_browsers_running 0") || std::time::Instant::now() > deadline
        {
            break metrics;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    for line in [
        "autoapply_applications{status=\"submitted\",reason=\"\"} 2",
        "autoapply_linkedin_actions_used 2",
        "autoapply_linkedin_actions_remaining 1498",
        "autoapply_outcomes_total{outcome=\"submitted\"} 2",
        "autoapply_application_duration_seconds_count 2",
        "autoapply_browsers_running 0",
        "autoapply_browser_oldest_age_seconds 0.0",
        "autoapply_database_up 1",
        "autoapply_drift_breaker_open 0",
        // both calls with an application id: one 200, one 202 (async)
        "autoapply_webhook_responses_total{code=\"200\"} 1",
        "autoapply_webhook_responses_total{code=\"202\"} 1",
        "autoapply_phase_duration_seconds_count{phase=\"form_steps\"} 2",
        "autoapply_phase_duration_seconds_count{phase=\"browser_launch\"} 2",
        // both submitted: nothing claimable waits
        "autoapply_queue_oldest_claimable_seconds 0",
    ] {
        assert!(metrics.contains(line), "{line} not in\n{metrics}");
    }
    let health = http.get(format!("{url}/healthz")).send().await.unwrap();
    assert_eq!(health.status().as_u16(), 200);
    let ready = http.get(format!("{url}/readyz")).send().await.unwrap();
    assert_eq!(ready.status().as_u16(), 200);
    let checks: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(
        checks["checks"],
        serde_json::json!({"database": "ok", "drift_breaker": "ok", "selectors": "ok", "browser": "ok", "display": "ok"})
    );

    // without an application id: the loop is woken and answers at once
    let (status, answer, _) = call(
        url,
        Some(SECRET),
        "application/json",
        body(&user.to_string(), None),
    )
    .await;
    assert_eq!(
        (status, answer.status.as_str(), answer.records_processed),
        (202, "success", 0)
    );
}

#[tokio::test]
async fn signed_calls_are_checked_and_shutdown_answers_503() {
    let _one = BROWSER.lock().await;
    let env = apply_env().await;
    let hmac_secret = "hmac-secret-for-the-gateway-42";
    let user = env.seed_user(&ada_profile(), COOKIE);
    let id = env.seed_job(user, 2605);
    env.replica.set_confirm_delay(Duration::from_secs(6));
    // the loop must not take this work meanwhile (a claim by id ignores run_at)
    env.app
        .sql("update job_applications set run_at = now() + interval '1 day'");
    let mut daemon = env.spawn_daemon("signed", &[("AUTOAPPLY_WEBHOOK_HMAC_SECRET", hmac_secret)]);
    daemon.ready().await;
    let url = daemon.webhook.clone();
    let payload = body(&user.to_string(), Some(&id.to_string()));
    let sign = |at: i64, payload: &str| {
        let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(hmac_secret.as_bytes()).unwrap();
        mac.update(format!("{at}.{payload}").as_bytes());
        hex::encode(mac.finalize().into_bytes())
    };
    let signed = |at: i64, signature: String, payload: String| {
        crate::support::http()
            .post(format!("{url}/api/agents/auto_apply"))
            .header("Content-Type", "application/json")
            .header("X-Agent-Secret", SECRET)
            .header("X-Agent-Timestamp", at.to_string())
            .header("X-Agent-Signature", signature)
            .body(payload)
            .send()
    };
    let (status, answer, _) = call(&url, Some(SECRET), "application/json", payload.clone()).await;
    assert_eq!(
        (status, answer.error.as_deref()),
        (401, Some("missing X-Agent-Timestamp"))
    );
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let stale = signed(now - 600, sign(now - 600, &payload), payload.clone())
        .await
        .unwrap();
    assert_eq!(stale.status().as_u16(), 401);
    assert!(stale.text().await.unwrap().contains("replay"));
    let forged = signed(now, sign(now, "{}"), payload.clone()).await.unwrap();
    assert_eq!(forged.status().as_u16(), 401);
    assert_eq!(
        env.app.sql(&format!(
            "select status from job_applications where id = '{id}'"
        )),
        "queued"
    );

    // a correctly signed call runs; while it waits for LinkedIn's confirmation the
    // worker is told to stop: new calls get 503, the submit still completes
    let running = tokio::spawn(signed(now, sign(now, &payload), payload.clone()));
    crate::support::daemon::wait_for_submission(&env.replica, Duration::from_secs(60)).await;
    // the same signed call again, inside its window: refused as a replay
    let replayed = signed(now, sign(now, &payload), payload.clone())
        .await
        .unwrap();
    assert_eq!(replayed.status().as_u16(), 401);
    assert!(
        replayed.text().await.unwrap().contains("already received"),
        "a replayed signed call"
    );
    daemon.signal(libc::SIGTERM);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (status, answer, _) = call(
        &url,
        Some(SECRET),
        "application/json",
        body(&user.to_string(), None),
    )
    .await;
    assert_eq!(
        (status, answer.error.as_deref()),
        (503, Some("shutting down: call again later"))
    );
    let first: AgentResponse = running.await.unwrap().unwrap().json().await.unwrap();
    assert_eq!(first.status, "success", "{first:?}");
    let exit = daemon
        .wait_exit(Duration::from_secs(30))
        .await
        .expect("exits after the confirmation");
    assert!(exit.success());
    assert_eq!(
        env.app.sql(&format!(
            "select status from job_applications where id = '{id}'"
        )),
        "submitted"
    );
    assert_eq!(env.replica.submissions().len(), 1);
}

#[tokio::test]
async fn replay_walks_one_application_in_the_foreground() {
    let _one = BROWSER.lock().await;
    let env = apply_env().await;
    let user = env.seed_user(&ada_profile(), COOKIE);
    let id = env.seed_job(user, 3005);

    let out = env
        .run_cli(&["replay", &id.to_string(), "--dry-run", "--screenshots"])
        .await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for expected in [
        "dry run, nothing will be submitted",
        "session",
        "job page",
        "step 1",
        "step 4",
        "Mobile phone number [text, required] Type(..)",
        "dry run: stopped before Submit",
        "ended:       DryRunComplete",
        "phases:      browser_launch ",
        // steps 1–3 left by Next or Review, each its own phase
        "form_step ",
        "form_steps ",
        "status:      queued",
    ] {
        assert!(stdout.contains(expected), "`{expected}` not in\n{stdout}");
    }
    // the receipt shows what would have been sent; nothing else prints an answer,
    // and no cookie is printed anywhere
    assert!(
        stdout.contains("receipt: ") && stdout.contains("  sent: Mobile phone number -> 5550100"),
        "{stdout}"
    );
    assert!(
        stdout
            .lines()
            .filter(|l| l.contains("5550100"))
            .all(|l| l.starts_with("  sent: ")),
        "an answer outside the receipt:\n{stdout}"
    );
    assert!(!stdout.contains(COOKIE), "no cookie printed");
    assert!(
        env.replica.submissions().is_empty(),
        "the replica received nothing"
    );
    assert_eq!(
        env.app.sql(&format!(
            "select status || ':' || attempts from job_applications where id = '{id}'"
        )),
        "queued:0"
    );
    assert_eq!(
        env.app
            .sql("select string_agg(status, ',' order by id) from agent_logs"),
        "started,skipped"
    );
    assert!(
        env.app
            .sql("select error from agent_logs where status = 'skipped'")
            .starts_with("dry run")
    );
    let shots: Vec<_> = std::fs::read_dir(env.storage.join("screenshots"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    // named by the form's own steps: the job page, then the form's four steps
    let mut steps: Vec<_> = shots
        .iter()
        .filter(|s| {
            s.starts_with(&id.to_string()) && (s.contains("-step-") || s.contains("-job-page"))
        })
        .cloned()
        .collect();
    steps.sort();
    assert_eq!(
        steps,
        [
            format!("{id}-job-page.png"),
            format!("{id}-step-1.png"),
            format!("{id}-step-2.png"),
            format!("{id}-step-3.png"),
            format!("{id}-step-4.png"),
        ],
        "{shots:?}"
    );

    // the real thing: submitted, through the same path as the daemon
    let out = env.run_cli(&["replay", &id.to_string()]).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("status:      submitted"), "{stdout}");
    assert_eq!(env.replica.submissions().len(), 1);

    // refusals, each with its documented exit code
    let out = env.run_cli(&["replay", &id.to_string()]).await;
    assert_eq!(out.status.code(), Some(7));
    assert!(String::from_utf8_lossy(&out.stderr).contains("already submitted"));
    let out = env.run_cli(&["replay", "not-a-uuid"]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("application id must be a UUID"));
    let out = env
        .run_cli(&["replay", "00000000-0000-4000-8000-000000000000"])
        .await;
    assert_eq!(out.status.code(), Some(5));
    let leased = env.seed_job(user, 2606);
    env.app.sql(&format!("update job_applications set status = 'claimed', lease_owner = 'busy-worker', lease_token = 99, lease_expires_at = now() + interval '1 minute' where id = '{leased}'"));
    let out = env.run_cli(&["replay", &leased.to_string()]).await;
    assert_eq!(out.status.code(), Some(8));
    assert!(String::from_utf8_lossy(&out.stderr).contains("leased by worker busy-worker"));
    let help = env.run_cli(&["replay", "--help"]).await;
    assert!(String::from_utf8_lossy(&help.stdout).contains("7 already submitted"));
}

#[tokio::test]
async fn readiness_says_why_only_with_the_secret_and_every_answer_has_the_agent_shape() {
    // issue 18, finding 11
    let _one = BROWSER.lock().await;
    let env = apply_env().await;
    let selectors = env.storage.join("selectors-copy");
    std::fs::create_dir_all(&selectors).unwrap();
    std::fs::copy(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("selectors/linkedin.toml"),
        selectors.join("linkedin.toml"),
    )
    .unwrap();
    let dir = selectors.display().to_string();
    let mut daemon = env.spawn_daemon("ready", &[("AUTOAPPLY_SELECTORS_DIR", dir.as_str())]);
    daemon.ready().await;
    // the file breaks under the running worker
    std::fs::write(selectors.join("linkedin.toml"), "version = ").unwrap();
    let http = crate::support::http();
    let url = format!("{}/readyz", daemon.webhook);
    let anonymous = http.get(&url).send().await.unwrap();
    assert_eq!(anonymous.status(), 503);
    let text = anonymous.text().await.unwrap();
    let body: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(body["checks"]["selectors"], "failing", "{text}");
    assert_eq!(body["checks"]["database"], "ok", "{text}");
    assert!(
        !text.contains("linkedin.toml") && !text.contains(&dir),
        "{text}"
    );
    let operator = http
        .get(&url)
        .header("X-Agent-Secret", SECRET)
        .send()
        .await
        .unwrap();
    assert_eq!(operator.status(), 503);
    let body: serde_json::Value = operator.json().await.unwrap();
    assert!(
        body["checks"]["selectors"]
            .as_str()
            .is_some_and(|s| s.contains("linkedin.toml")),
        "{body}"
    );
    // unknown paths and methods answer in the agent shape too
    for (method, path, code) in [
        (reqwest::Method::GET, "/nope", 404),
        (reqwest::Method::GET, "/api/agents/auto_apply", 405),
        (reqwest::Method::DELETE, "/readyz", 405),
    ] {
        let response = http
            .request(method.clone(), format!("{}{path}", daemon.webhook))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), code, "{method} {path}");
        let text = response.text().await.unwrap();
        let answer: AgentResponse =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{method} {path}: {e}: {text}"));
        assert_eq!(answer.status, "failed");
        assert!(
            answer
                .error
                .is_some_and(|e| e.contains("/api/agents/auto_apply"))
        );
    }
    daemon.stop().await;
}
