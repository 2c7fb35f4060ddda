//! The webhook under load and abuse: one admission gate with the loop (slots and
//! per-user spacing, 429 when full), bounded headers, bodies and connections, the
//! secret checked before the body is read, a late synchronous answer. Real binary on
//! loopback, real PostgREST, the replica, Chromium on Xvfb.

use std::time::{Duration, Instant};

use autoapply::webhook::{
    AgentResponse,
    serve::{BODY_TIMEOUT, HEADER_TIMEOUT, MAX_CONNECTIONS},
};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

use crate::support::apply::{BROWSER, ada_profile, apply_env};

const SECRET: &str = "test-agent-secret-0123456789";

async fn call_for(
    url: &str,
    user: &str,
    application: &str,
) -> (u16, Option<String>, AgentResponse) {
    let body = serde_json::json!({"agent": "auto_apply", "user_id": user, "payload": {"application_id": application}});
    let response = crate::support::http()
        .post(format!("{url}/api/agents/auto_apply"))
        .header("X-Agent-Secret", SECRET)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let retry = response
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_owned());
    let text = response.text().await.unwrap();
    let parsed = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    (status, retry, parsed)
}

/// Sockets the process holds open.
fn sockets_of(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap()
        .filter_map(|e| std::fs::read_link(e.ok()?.path()).ok())
        .filter(|target| target.to_string_lossy().starts_with("socket:"))
        .count()
}

/// Whether the server closed `stream` (reads end) within `wait`.
async fn closed_within(stream: &mut tokio::net::TcpStream, wait: Duration) -> bool {
    let mut buf = [0u8; 512];
    loop {
        match tokio::time::timeout(wait, stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            // an error response before the close is fine
            Ok(Ok(_)) => continue,
            Err(_) => return false,
        }
    }
}

#[tokio::test]
async fn stalled_clients_are_cut_off_and_the_secret_is_checked_before_the_body() {
    let _one = BROWSER.lock().await;
    let env = apply_env().await;
    let daemon = env.spawn_daemon("stalled", &[]);
    daemon.ready().await;
    let addr = daemon.webhook.trim_start_matches("http://").to_owned();
    let pid = daemon.pid();
    let before = sockets_of(pid);

    // 100 clients that never finish their headers
    let mut stalled = Vec::new();
    for _ in 0..100 {
        let mut s = tokio::net::TcpStream::connect(&addr).await.unwrap();
        s.write_all(b"POST /api/agents/auto_apply HTTP/1.1\r\nHost: x\r\n")
            .await
            .unwrap();
        stalled.push(s);
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let during = sockets_of(pid);
    assert!(
        during - before <= MAX_CONNECTIONS + 4,
        "the daemon holds {} sockets more than before, the cap is {MAX_CONNECTIONS}",
        during - before
    );
    // the first wave is cut off after the header timeout, the rest (accepted as
    // slots free up) one timeout later
    let started = Instant::now();
    for s in &mut stalled {
        assert!(
            closed_within(s, HEADER_TIMEOUT * 2 + Duration::from_secs(5)).await,
            "a client that never sent its headers is still connected after {:?}",
            started.elapsed()
        );
    }
    let health = reqwest::get(format!("{}/healthz", daemon.webhook))
        .await
        .unwrap();
    assert_eq!(health.status().as_u16(), 200, "serves again");

    // no secret: refused from the headers, the announced body never awaited
    let mut s = tokio::net::TcpStream::connect(&addr).await.unwrap();
    s.write_all(b"POST /api/agents/auto_apply HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n")
        .await
        .unwrap();
    let mut answer = vec![0u8; 2048];
    let n = tokio::time::timeout(Duration::from_secs(3), s.read(&mut answer))
        .await
        .expect("answered before any body byte")
        .unwrap();
    let text = String::from_utf8_lossy(&answer[..n]);
    assert!(text.starts_with("HTTP/1.1 401"), "{text}");
    assert!(text.contains("missing X-Agent-Secret header"), "{text}");

    // the secret, then a body that never comes: 408 after the body timeout
    let mut s = tokio::net::TcpStream::connect(&addr).await.unwrap();
    s.write_all(format!("POST /api/agents/auto_apply HTTP/1.1\r\nHost: x\r\nX-Agent-Secret: {SECRET}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{\"agent\"").as_bytes())
        .await
        .unwrap();
    let n = tokio::time::timeout(BODY_TIMEOUT + Duration::from_secs(5), s.read(&mut answer))
        .await
        .expect("answered after the body timeout")
        .unwrap();
    let text = String::from_utf8_lossy(&answer[..n]);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");

    // a declared body over the limit: 413 before reading it
    let mut s = tokio::net::TcpStream::connect(&addr).await.unwrap();
    s.write_all(format!("POST /api/agents/auto_apply HTTP/1.1\r\nHost: x\r\nX-Agent-Secret: {SECRET}\r\nContent-Type: application/json\r\nContent-Length: 10000000\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let n = tokio::time::timeout(Duration::from_secs(3), s.read(&mut answer))
        .await
        .expect("answered at once")
        .unwrap();
    assert!(String::from_utf8_lossy(&answer[..n]).starts_with("HTTP/1.1 413"));
}

#[tokio::test]
async fn webhook_runs_share_the_loops_slot_and_spacing_and_a_late_answer_is_202() {
    let _one = BROWSER.lock().await;
    let env = apply_env().await;
    let ada = env.seed_user(&ada_profile(), "AQEDAgateAda");
    let bob = env.seed_user(&ada_profile(), "AQEDAgateBob");
    let (first, second) = (env.seed_job(ada, 2611), env.seed_job(ada, 2612));
    let bobs = env.seed_job(bob, 2613);
    // the loop must not take this work meanwhile (a claim by id ignores run_at)
    env.app
        .sql("update job_applications set run_at = now() + interval '1 day'");
    env.replica.set_confirm_delay(Duration::from_secs(16));
    let daemon = env.spawn_daemon(
        "gate",
        &[
            ("AUTOAPPLY_CONCURRENCY", "1"),
            ("AUTOAPPLY_USER_SPACING_SECS", "3600"),
            ("AUTOAPPLY_WEBHOOK_DEADLINE_SECS", "10"),
        ],
    );
    daemon.ready().await;
    let url = daemon.webhook.clone();
    let (ada_s, bob_s) = (ada.to_string(), bob.to_string());

    // a synchronous call whose run outlives the deadline: 202, no error
    let running = {
        let (url, ada_s, first) = (url.clone(), ada_s.clone(), first.to_string());
        tokio::spawn(async move { call_for(&url, &ada_s, &first).await })
    };
    crate::support::daemon::wait_for_request(
        &env.replica,
        "/jobs/view/2611",
        Duration::from_secs(60),
    )
    .await;
    // the one slot is taken: another user's call is refused at once, nothing claimed
    let (status, retry, answer) = call_for(&url, &bob_s, &bobs.to_string()).await;
    assert_eq!(status, 429, "{answer:?}");
    assert!(retry.is_some(), "Retry-After");
    assert!(
        answer
            .error
            .as_deref()
            .is_some_and(|e| e.contains("running its 1 applications at once")),
        "{answer:?}"
    );
    let (status, _, late) = running.await.unwrap();
    assert_eq!(status, 202, "{late:?}");
    assert_eq!(
        (late.status.as_str(), late.error.as_deref()),
        ("success", None)
    );
    env.wait_for_count(
        &format!("select status from job_applications where id = '{first}'"),
        "submitted",
        Duration::from_secs(60),
    )
    .await;
    // the slot is free again once the run ended (the outcome is recorded while the
    // browser is torn down, a moment before); Ada's spacing is not: 429, the row untouched
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let (status, retry, answer) = loop {
        let (status, retry, answer) = call_for(&url, &ada_s, &second.to_string()).await;
        let busy = answer
            .error
            .as_deref()
            .is_some_and(|e| e.contains("applications at once"));
        if !busy || std::time::Instant::now() > deadline {
            break (status, retry, answer);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(status, 429, "{answer:?}");
    let secs: u64 = retry.expect("Retry-After").parse().unwrap();
    assert!(secs > 3500, "Retry-After {secs}");
    assert!(
        answer
            .error
            .as_deref()
            .is_some_and(|e| e.contains("AUTOAPPLY_USER_SPACING")),
        "{answer:?}"
    );
    assert_eq!(
        env.app.sql(&format!(
            "select status || ':' || attempts from job_applications where id in ('{second}', '{bobs}') order by id"
        )),
        "queued:0\nqueued:0"
    );
    assert_eq!(env.replica.submissions().len(), 1, "one application ran");
}
