//! The user's answers come back (issue 36), end to end with the real binary: four
//! applications stop on questions, `autoapply answer` answers the one three of them
//! wait on (from a file), the three are queued again and submitted with that answer,
//! the fourth waits on its other question until it too is answered (on standard
//! input); `autoapply status` shows where each stands.

use autoapply::store::Store as _;

use crate::support::apply::{BROWSER, ada_profile, apply_env, assert_torn_down};

const SHIFT: &str = "Which shift do you prefer?";
const COBOL: &str = "How many years of experience do you have with COBOL?";

/// Runs `autoapply` with `args` (or, when the first is a path, that program: a
/// terminal for it), `stdin` written to it.
fn autoapply(env: &[(String, String)], args: &[&str], stdin: &str) -> (i32, String) {
    let (program, args) = match args.split_first() {
        Some((first, rest)) if first.starts_with('/') => (*first, rest),
        _ => (env!("CARGO_BIN_EXE_autoapply"), args),
    };
    let mut cmd = std::process::Command::new(program);
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(env.iter().map(|(k, v)| (k, v)))
        .args(args);
    crate::cli::run_with_stdin(cmd, stdin)
}

#[tokio::test]
async fn one_answer_unblocks_every_application_that_waits_on_it() {
    let _one = BROWSER.lock().await;
    let env = apply_env().await;
    // the profile does not know the shift question
    let mut profile = ada_profile();
    profile["answers"]
        .as_array_mut()
        .unwrap()
        .retain(|a| a["question"] != SHIFT);
    let user = env.seed_user(&profile, "AQEDAHAnswersComeBack");
    let jobs = [1047, 1048, 1049, 1011];
    for job in jobs {
        env.seed_job(user, job);
    }
    let mut asked = Vec::new();
    for _ in jobs {
        let (row, report) = env.claim_and_apply(false).await;
        assert_eq!(
            (row.status.as_str(), row.reason.as_deref()),
            ("needs_user", Some("unknown_questions")),
            "{report:?}"
        );
        asked.push((row.external_job_id.clone(), row.id));
        assert_torn_down(&report);
    }
    assert!(env.replica.submissions().is_empty());
    let cli_env = env.app.env();
    let user_id = user.to_string();

    // status: what waits, on what
    let (code, out) = autoapply(&cli_env, &["status", "--user-id", &user_id], "");
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("needs_user (4)"), "{out}");
    assert!(
        out.contains(&format!("  {SHIFT} [Day | Night] — 4 application(s)")),
        "{out}"
    );
    assert!(
        out.contains(&format!("  {COBOL} — 1 application(s)")),
        "{out}"
    );

    // `autoapply answer --file` with the shift question answered `answer`
    let file = env.storage.join("answers.json");
    let answer_shift = |answer: &str| {
        std::fs::write(
            &file,
            serde_json::json!([{"question": SHIFT, "answer": answer}]).to_string(),
        )
        .unwrap();
        let path = file.display().to_string();
        autoapply(
            &cli_env,
            &["answer", "--user-id", &user_id, "--file", &path],
            "",
        )
    };

    // a wrong option is refused and changes nothing
    let (code, out) = answer_shift("Evening");
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("refused: Which shift do you prefer?: not one of its options: Day | Night"),
        "{out}"
    );
    let (_, out) = autoapply(&cli_env, &["status", "--user-id", &user_id], "");
    assert!(out.contains("needs_user (4)"), "nothing changed: {out}");

    // the answer from a file: three queued again, the fourth still waits on COBOL
    let (code, out) = answer_shift("Night");
    assert_eq!(code, 0, "{out}");
    assert_eq!(out.matches("queued again: ").count(), 3, "{out}");
    let fourth = asked.iter().find(|(job, _)| job == "1011").unwrap().1;
    assert!(
        out.contains(&format!("still waiting: {fourth} on {COBOL}")),
        "{out}"
    );

    // the three are submitted with the user's answer
    for _ in 0..3 {
        let (row, report) = env.claim_and_apply(false).await;
        assert_eq!(row.status.as_str(), "submitted", "{report:?}");
        assert_eq!(
            row.attempts, 2,
            "the attempt that asked and the one that applied"
        );
        let receipt = report.receipt.as_ref().unwrap();
        let shift = receipt
            .questions
            .iter()
            .find(|q| q.question == SHIFT)
            .expect("the receipt lists the question");
        assert_eq!(shift.answer, "Night");
        assert!(
            shift
                .note
                .as_deref()
                .is_some_and(|n| n.starts_with("the user's reply of 20")),
            "the receipt marks the user's earlier reply: {:?}",
            shift.note
        );
        assert!(
            receipt
                .questions
                .iter()
                .filter(|q| q.question != SHIFT)
                .all(|q| q.note.is_none()),
            "only that answer is marked"
        );
        assert_torn_down(&report);
    }
    let sent = env.replica.submissions();
    assert_eq!(sent.len(), 3);
    let mut sent_jobs: Vec<u64> = sent.iter().map(|s| s.job_id).collect();
    sent_jobs.sort_unstable();
    assert_eq!(sent_jobs, [1047, 1048, 1049]);
    assert!(
        sent.iter()
            .all(|s| s.fields.get(SHIFT).map(String::as_str) == Some("Night"))
    );
    let fourth_row = env.app.store.application(fourth).await.unwrap().unwrap();
    assert_eq!(fourth_row.status.as_str(), "needs_user");

    // the last question asked in a terminal (a pseudo-terminal, through script(1)):
    // the fourth goes
    let bin = env!("CARGO_BIN_EXE_autoapply");
    let (code, out) = autoapply(
        &cli_env,
        &[
            "/usr/bin/script",
            "-qec",
            &format!("{bin} answer --user-id {user_id}"),
            "/dev/null",
        ],
        "12\n",
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains(COBOL), "the question was asked: {out}");
    assert!(
        !out.contains(&format!("] {SHIFT}")),
        "an answered question is not asked again: {out}"
    );
    assert!(out.contains(&format!("queued again: {fourth}")), "{out}");
    let (row, report) = env.claim_and_apply(false).await;
    assert_eq!(
        (row.id, row.status.as_str()),
        (fourth, "submitted"),
        "{report:?}"
    );
    let last = env.replica.submissions().pop().unwrap();
    assert_eq!(last.fields.get(COBOL).map(String::as_str), Some("12"));
    assert_eq!(
        last.fields.get(SHIFT).map(String::as_str),
        Some("Night"),
        "remembered"
    );
    assert_torn_down(&report);
}

/// The gateway gives the answers in the webhook's payload: the same contract, answered
/// with what it did, bad input refused with nothing changed, and the worker woken
/// for what was queued again.
#[tokio::test]
async fn the_webhook_takes_the_answers_and_the_worker_applies_what_they_unblock() {
    let _one = BROWSER.lock().await;
    let env = apply_env().await;
    let mut profile = ada_profile();
    profile["answers"]
        .as_array_mut()
        .unwrap()
        .retain(|a| a["question"] != SHIFT);
    let user = env.seed_user(&profile, "AQEDAHAnswersWebhook");
    let ids = [env.seed_job(user, 1047), env.seed_job(user, 1048)];
    let pending = serde_json::json!([{"label": SHIFT, "kind": "select", "required": true,
        "options": ["Day", "Night"]}]);
    env.app.sql(&format!(
        "update job_applications set status = 'needs_user', reason = 'unknown_questions', \
         attempts = 1, pending_questions = '{pending}'::jsonb"
    ));
    let mut daemon = env.spawn_daemon("answers", &[]);
    daemon.ready().await;
    let snapshot = || {
        env.app.sql(
            "select string_agg(status || ':' || coalesce(reason, ''), ',' order by id) from job_applications",
        ) + &env.app.sql(&format!(
            "select profile::text from applicant_profiles where user_id = '{user}'"
        ))
    };
    let before = snapshot();
    let post = |body: serde_json::Value| {
        let url = format!("{}/api/agents/auto_apply", daemon.webhook.as_str());
        async move {
            let response = crate::support::http()
                .post(url)
                .header("Content-Type", "application/json")
                .header("X-Agent-Secret", "test-agent-secret-0123456789")
                .body(body.to_string())
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            let text = response.text().await.unwrap();
            (
                status,
                serde_json::from_str::<serde_json::Value>(&text).unwrap(),
            )
        }
    };
    let call = |user: String, payload: serde_json::Value| serde_json::json!({"agent": "auto_apply", "user_id": user, "payload": payload});
    let u = user.to_string();
    let night = serde_json::json!([{"question": SHIFT, "answer": "Night"}]);

    // a wrong option: 422 with the refusal, nothing changed
    let (status, body) = post(call(
        u.clone(),
        serde_json::json!({"answers": [{"question": SHIFT, "answer": "Evening"}]}),
    ))
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(
        body["answers"]["refused"][0]["reason"],
        "not one of its options: Day | Night"
    );
    // malformed, both kinds of call at once, an unknown user: 400
    for (payload, user, says) in [
        (
            serde_json::json!({"answers": [{"question": SHIFT}]}),
            u.clone(),
            "missing field `answer`",
        ),
        (
            serde_json::json!({"answers": []}),
            u.clone(),
            "must not be empty",
        ),
        (
            serde_json::json!({"answers": night, "application_id": ids[0]}),
            u.clone(),
            "not both",
        ),
        (
            serde_json::json!({"answers": night}),
            autoapply::domain::UserId::new_random().to_string(),
            "has no applicant profile",
        ),
    ] {
        let (status, body) = post(call(user, payload)).await;
        assert_eq!(status, 400, "{body}");
        assert!(body["error"].as_str().unwrap().contains(says), "{body}");
    }
    assert_eq!(snapshot(), before, "nothing changed");

    // the answer: both queued again, and the woken worker applies them
    let (status, body) = post(call(u.clone(), serde_json::json!({"answers": night}))).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "success");
    assert_eq!(body["records_processed"], 2);
    assert_eq!(body["answers"]["requeued"].as_array().unwrap().len(), 2);
    env.wait_for_count(
        "select count(*) from job_applications where status = 'submitted'",
        "2",
        std::time::Duration::from_secs(90),
    )
    .await;
    let sent = env.replica.submissions();
    assert_eq!(sent.len(), 2);
    assert!(
        sent.iter()
            .all(|s| s.fields.get(SHIFT).map(String::as_str) == Some("Night"))
    );
    // the outcome is recorded while the browser is torn down: stop once it is gone
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !crate::support::metrics_text(daemon.webhook.as_str())
        .await
        .contains("autoapply_browsers_running 0")
        && std::time::Instant::now() < deadline
    {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    daemon.stop().await;
}
