//! The apply engine end to end: real Chromium (headful, on Xvfb), the LinkedIn
//! replica with LinkedIn's markup and the shipped selectors, real PostgREST.

use autoapply::{replica::Replica, store::Store as _};

use crate::support::apply::{
    BROWSER, ada_profile, apply_env, assert_multi_step_answers, assert_screenshot,
    assert_torn_down, local_launch, page_loads, replica_spec, test_dir,
};

const COOKIE: &str = "AQEDAReplicaSessionCookie-7f3a9c";

fn assert_no_secret(logs: &str) {
    assert!(!logs.is_empty(), "logs were captured");
    if let Some(line) = logs.lines().find(|l| l.contains(COOKIE)) {
        panic!(
            "the session cookie leaked into the logs: {}",
            &line[..line.len().min(600)]
        );
    }
    assert!(
        !logs.contains("5550100") && !logs.contains("Lovelace"),
        "an answer leaked into the logs"
    );
}

#[tokio::test]
async fn a_multi_step_application_is_submitted_with_the_profile_answers() {
    let _one = BROWSER.lock().await;
    let env = apply_env().await;
    let (row, report) = env.run_job(1002, COOKIE).await;
    assert_eq!(row.status.as_str(), "submitted", "{report:?}");
    assert!(row.submitted_at.is_some());
    assert_eq!(row.reason, None);
    // LinkedIn showed the user logged in: the session's validated_at says when
    assert_eq!(
        env.app.sql(&format!(
            "select status || ' ' || (validated_at between now() - interval '5 minutes' and now()) from platform_sessions where user_id = '{}'",
            row.user_id
        )),
        "valid true"
    );

    assert_multi_step_answers(&env, 1002, &row.user_id.to_string());
    let s = &env.replica.submissions()[0];
    assert_eq!(s.resume.as_ref().unwrap().size, 27);

    // the session went with every request, and the kill switch counted one action
    let requests = env.replica.requests();
    assert!(
        requests
            .iter()
            .any(|r| r.path == "/jobs/view/1002/" && r.had_session)
    );
    assert!(
        requests.iter().all(|r| r.had_session),
        "every request carried the session"
    );
    // the job page showed the Me menu: it was the only page loaded, no /feed/ first
    assert_eq!(
        page_loads(&env.replica),
        ["/jobs/view/1002/"],
        "{requests:?}"
    );
    assert!(
        requests
            .iter()
            .all(|r| r.user_agent.ends_with("autoapply-test")),
        "every request used the user agent stored with the session"
    );
    assert_eq!(
        env.app
            .sql("select sum(total_linkedin_actions) from system_daily_limits"),
        "1"
    );
    assert!(report.screenshot.is_none(), "no error, no screenshot");
    assert_torn_down(&report);
    let profiles = std::fs::read_dir(env.runtime.join("profiles"))
        .unwrap()
        .count();
    assert_eq!(
        profiles, 0,
        "no profile directory left under the runtime directory"
    );
    assert_no_secret(&env.logs.text());
}

#[tokio::test]
async fn one_step_slow_and_safety_reminder_jobs_are_submitted() {
    let _one = BROWSER.lock().await;
    let env = apply_env().await;
    for job in [1001, 1009, 1012] {
        let (row, report) = env.run_job(job, COOKIE).await;
        assert_eq!(row.status.as_str(), "submitted", "job {job}: {report:?}");
        assert_torn_down(&report);
    }
    let jobs: Vec<u64> = env.replica.submissions().iter().map(|s| s.job_id).collect();
    assert_eq!(jobs, [1001, 1009, 1012]);
    assert_no_secret(&env.logs.text());
}

#[tokio::test]
async fn jobs_with_nothing_to_do_are_skipped_without_a_submission() {
    let _one = BROWSER.lock().await;
    let env = apply_env().await;
    for (job, reason) in [
        (1003, "already_applied"),
        (1004, "not_easy_apply"),
        (1005, "job_closed"),
    ] {
        let (row, report) = env.run_job(job, COOKIE).await;
        assert_eq!(row.status.as_str(), "skipped", "job {job}: {report:?}");
        assert_eq!(row.reason.as_deref(), Some(reason));
        assert!(report.screenshot.is_none());
        assert_torn_down(&report);
    }
    assert!(env.replica.submissions().is_empty());
}

#[tokio::test]
async fn a_checkpoint_or_a_logged_out_session_stops_the_user() {
    let _one = BROWSER.lock().await;
    let env = apply_env().await;
    let (row, report) = env.run_job(1006, COOKIE).await;
    assert_eq!(
        (row.status.as_str(), row.reason.as_deref()),
        ("needs_user", Some("session_checkpoint")),
        "{report:?}"
    );
    assert_eq!(
        env.app.sql(&format!(
            "select status from platform_sessions where user_id = '{}'",
            row.user_id
        )),
        "checkpoint"
    );
    assert_screenshot(&report, &row);
    assert_torn_down(&report);

    let (row, report) = env.run_job(1001, "revoked-AQEDAcookie").await;
    assert_eq!(
        (row.status.as_str(), row.reason.as_deref()),
        ("needs_user", Some("session_expired")),
        "{report:?}"
    );
    assert_eq!(
        env.app.sql(&format!(
            "select status || ' ' || (validated_at is null) from platform_sessions where user_id = '{}'",
            row.user_id
        )),
        "expired true",
        "a logged-out session is never recorded as validated"
    );
    assert_screenshot(&report, &row);
    assert_torn_down(&report);
    assert!(env.replica.submissions().is_empty());
    assert!(
        env.app
            .store
            .claim("w", std::time::Duration::from_secs(60))
            .await
            .unwrap()
            .is_none(),
        "no retry: both users' sessions are no longer valid"
    );
}

#[tokio::test]
async fn linkedins_daily_limit_sends_the_application_to_the_next_utc_day() {
    let _one = BROWSER.lock().await;
    let env = apply_env().await;
    let (row, report) = env.run_job(1007, COOKIE).await;
    assert_eq!(
        (row.status.as_str(), row.reason.as_deref()),
        ("queued", Some("linkedin_daily_limit")),
        "{report:?}"
    );
    assert_eq!(row.attempts, 0, "the attempt does not count");
    let tomorrow = time::OffsetDateTime::now_utc()
        .date()
        .next_day()
        .unwrap()
        .midnight()
        .assume_utc();
    assert_eq!(row.run_at, tomorrow);
    assert_eq!(
        env.app.sql(&format!(
            "select paused_until = '{}'::timestamptz from platform_sessions where user_id = '{}'",
            tomorrow
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap(),
            row.user_id
        )),
        "t"
    );
    assert_screenshot(&report, &row);
    assert_torn_down(&report);
    assert!(env.replica.submissions().is_empty());
}

#[tokio::test]
async fn the_2026_daily_limit_is_recognised_through_its_typographic_apostrophe() {
    // "You’ve reached the Easy Apply application limit for today" and nothing else:
    // only folding ’ into ' lets the shipped phrase match
    let _one = BROWSER.lock().await;
    let env = apply_env().await;
    let (row, report) = env.run_job(1013, COOKIE).await;
    assert_eq!(
        (row.status.as_str(), row.reason.as_deref()),
        ("queued", Some("linkedin_daily_limit")),
        "{report:?}"
    );
    assert_eq!(row.attempts, 0, "the attempt does not count");
    assert_torn_down(&report);
    assert!(env.replica.submissions().is_empty());
}

#[tokio::test]
async fn linkedins_throttle_pauses_the_user_for_hours_without_spending_an_attempt() {
    let _one = BROWSER.lock().await;
    let env = apply_env().await;
    let before = time::OffsetDateTime::now_utc();
    let (row, report) = env.run_job(1014, COOKIE).await;
    assert_eq!(
        (row.status.as_str(), row.reason.as_deref()),
        ("queued", Some("linkedin_throttled")),
        "{report:?}"
    );
    assert_eq!(row.attempts, 0, "the throttle is not the job's failure");
    let pause = row.run_at - before;
    assert!(
        pause >= time::Duration::hours(6)
            && pause < time::Duration::hours(6) + time::Duration::minutes(5),
        "retried after {pause}, not after the 6 h pause"
    );
    assert_eq!(
        env.app.sql(&format!(
            "select paused_until > now() + interval '5 hours 55 minutes' from platform_sessions where user_id = '{}'",
            row.user_id
        )),
        "t",
        "the user's other applications wait too"
    );
    assert!(
        row.last_error
            .as_deref()
            .is_some_and(|e| e.contains("fast pace")),
        "{:?}",
        row.last_error
    );
    let job_pages = env
        .replica
        .requests()
        .iter()
        .filter(|r| r.path.starts_with("/jobs/view/1014"))
        .count();
    assert_eq!(
        job_pages, 1,
        "the job page is not loaded again into the throttle"
    );
    assert_screenshot(&report, &row);
    assert_torn_down(&report);
    assert!(env.replica.submissions().is_empty());
}

#[tokio::test]
async fn the_follow_box_in_the_review_footer_is_set_to_the_users_choice() {
    // outside every question container, with a generated id (":r7:"), checked by
    // default: found by its label's text and unticked, as the profile says
    let _one = BROWSER.lock().await;
    let env = apply_env().await;
    let (row, report) = env.run_job(1015, COOKIE).await;
    assert_eq!(row.status.as_str(), "submitted", "{report:?}");
    let submissions = env.replica.submissions();
    assert_eq!(submissions.len(), 1);
    assert_eq!(
        submissions[0].follow_company,
        Some(false),
        "the user asked not to follow companies"
    );
    assert!(
        report.steps.iter().any(|s| s
            .detail
            .contains("Follow company [follow_company] Follow(..)")),
        "{:?}",
        report.steps
    );
    assert_torn_down(&report);
}

#[tokio::test]
async fn a_safety_reminder_named_only_by_its_text_is_passed_through() {
    // hashed classes, no aria-label, an NBSP inside "Continue applying": found as the
    // button of a dialog whose text is the reminder's phrase
    let _one = BROWSER.lock().await;
    let env = apply_env().await;
    let (row, report) = env.run_job(1016, COOKIE).await;
    assert_eq!(row.status.as_str(), "submitted", "{report:?}");
    assert!(
        report.steps.iter().any(|s| s.step == "safety reminder"),
        "{:?}",
        report.steps
    );
    assert_eq!(env.replica.submissions().len(), 1);
    assert_torn_down(&report);
}

#[tokio::test]
async fn an_answer_linkedin_rejects_is_asked_of_the_user_with_its_error_text() {
    // the profile's 250000 against "Enter a whole number between 0 and 200000":
    // never sent again as it was, the question goes to the user with LinkedIn's words
    let _one = BROWSER.lock().await;
    let env = apply_env().await;
    let (row, report) = env.run_job(1008, COOKIE).await;
    assert_eq!(
        (row.status.as_str(), row.reason.as_deref()),
        ("needs_user", Some("unknown_questions")),
        "{report:?}"
    );
    let pending = row.pending_questions.clone().unwrap();
    assert_eq!(
        pending[0]["rejected"], "Enter a whole number between 0 and 200000",
        "{pending}"
    );
    assert!(!pending.to_string().contains("250000"), "{pending}");
    let error = row.last_error.clone().unwrap();
    assert!(
        error.contains("Enter a whole number between 0 and 200000"),
        "{error}"
    );
    assert!(
        !error.contains("250000"),
        "no answer value in last_error: {error}"
    );
    assert_screenshot(&report, &row);
    assert_torn_down(&report);
    assert!(env.replica.submissions().is_empty());
}

#[tokio::test]
async fn a_step_whose_next_never_appears_is_retried_later_with_evidence() {
    let _one = BROWSER.lock().await;
    let env = apply_env().await;
    let (row, report) = env.run_job(1010, COOKIE).await;
    assert_eq!(
        (row.status.as_str(), row.reason.as_deref()),
        ("queued", Some("step_stuck")),
        "{report:?}"
    );
    assert!(
        row.last_error
            .as_deref()
            .unwrap()
            .contains("selectors/linkedin.toml")
    );
    assert_eq!(row.attempts, 1);
    assert_screenshot(&report, &row);
    assert_torn_down(&report);
    assert!(env.replica.submissions().is_empty());
}

#[tokio::test]
async fn an_unknown_required_question_stops_before_submit_and_its_answer_is_used_next_time() {
    let _one = BROWSER.lock().await;
    let env = apply_env().await;
    let user = env.seed_user(&ada_profile(), COOKIE);
    let id = env.seed_job(user, 1011);
    let (row, report) = env.claim_and_apply(false).await;
    assert_eq!(
        (row.status.as_str(), row.reason.as_deref()),
        ("needs_user", Some("unknown_questions")),
        "{report:?}"
    );
    let pending = row.pending_questions.clone().unwrap();
    assert_eq!(
        pending,
        serde_json::json!([{"label": "How many years of experience do you have with COBOL?", "kind": "text", "required": true, "options": []}]),
        "only the unanswerable required question; the optional one and the answered ones are not asked"
    );
    assert!(env.replica.submissions().is_empty(), "nothing submitted");
    assert_eq!(
        env.replica.discarded(),
        [1011],
        "the half-filled application was discarded"
    );
    assert_screenshot(&report, &row);
    // taken before the discard, with the unanswerable question outlined in red
    let shot = image::open(report.screenshot.as_ref().unwrap())
        .unwrap()
        .to_rgba8();
    let red = shot.pixels().filter(|p| p.0 == [220, 20, 60, 255]).count();
    assert!(red > 500, "the outline is drawn ({red} red pixels)");
    assert_torn_down(&report);

    // the platform asks the user, stores the answer and queues the application again
    let mut profile = ada_profile();
    profile["answers"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({
            "question": "How many years of experience do you have with COBOL?", "answer": "0"
        }));
    env.app.sql(&format!(
        "update applicant_profiles set profile = '{}' where user_id = '{user}'; \
         update job_applications set status = 'queued', run_at = now() where id = '{id}'",
        profile
    ));
    let (row, report) = env.claim_and_apply(false).await;
    assert_eq!(row.status.as_str(), "submitted", "{report:?}");
    let s = &env.replica.submissions()[0];
    assert_eq!(
        s.fields["How many years of experience do you have with COBOL?"],
        "0"
    );
    assert_eq!(s.fields["Which shift do you prefer?"], "Night");
    assert_eq!(
        s.fields["Anything else you would like us to know?"], "",
        "optional unknown left empty"
    );
    assert_torn_down(&report);
}

#[tokio::test]
async fn a_dry_run_walks_every_step_and_submits_nothing() {
    let _one = BROWSER.lock().await;
    let env = apply_env().await;
    let user = env.seed_user(&ada_profile(), COOKIE);
    env.seed_job(user, 1002);
    let (row, report) = env.claim_and_apply(true).await;
    assert_eq!(
        row.status.as_str(),
        "claimed",
        "a dry run changes no status"
    );
    assert!(
        report.steps.iter().any(|s| s.step == "step 4"),
        "{:?}",
        report.steps
    );
    assert!(report.steps.iter().any(|s| s.detail.contains("dry run")));
    assert!(env.replica.submissions().is_empty());
    assert_torn_down(&report);
    let steps = format!("{:?}", report.steps);
    assert!(
        !steps.contains("5550100") && !steps.contains("Lovelace"),
        "steps name questions, never answers: {steps}"
    );
}

#[tokio::test]
async fn shutdown_mid_application_releases_the_claim_and_leaves_no_browser() {
    let _one = BROWSER.lock().await;
    let env = apply_env().await;
    let user = env.seed_user(&ada_profile(), COOKIE);
    let id = env.seed_job(user, 1002);
    let claimed = env
        .app
        .store
        .claim("w", std::time::Duration::from_secs(120))
        .await
        .unwrap()
        .unwrap();
    let cancel = tokio_util::sync::CancellationToken::new();
    let stopper = cancel.clone();
    let replica = &env.replica;
    let watch = async {
        // cancel once the browser is on the job page
        while !replica
            .requests()
            .iter()
            .any(|r| r.path.starts_with("/jobs/view/1002"))
        {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        stopper.cancel();
    };
    let options = autoapply::apply::ApplyOptions::default();
    let (report, ()) = tokio::join!(
        env.engine
            .apply(&env.app.store, &claimed, &cancel, &options),
        watch
    );
    let report = report.unwrap();
    assert_eq!(
        env.app.row(id),
        "queued|shutdown|0|f",
        "claim released, no attempt spent: {report:?}"
    );
    assert!(env.replica.submissions().is_empty());
    assert_torn_down(&report);
}

#[tokio::test]
async fn the_launch_guard_kills_the_browser_when_a_task_panics() {
    let _one = BROWSER.lock().await;
    crate::support::apply::require_display();
    let options = autoapply::browser::LaunchOptions {
        user_agent: Some("Mozilla/5.0 autoapply-test".into()),
        language: None,
        ..local_launch("panic", std::time::Duration::from_secs(20))
    };
    let (tx, rx) = tokio::sync::oneshot::channel();
    let task = tokio::spawn(async move {
        let browser = autoapply::browser::LaunchedBrowser::launch(&options)
            .await
            .unwrap();
        let pid = browser.pid().unwrap();
        let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap();
        let args: Vec<String> = cmdline
            .split(|b| *b == 0)
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect();
        // its own process group, led by itself (the launcher setsid's)
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
        let pgrp: u32 = stat[stat.rfind(')').unwrap() + 2..]
            .split(' ')
            .nth(2)
            .unwrap()
            .parse()
            .unwrap();
        tx.send((pid == pgrp, browser.profile_dir().to_owned(), args))
            .unwrap();
        panic!("simulated bug inside an application");
    });
    let (own_group, profile, args) = rx.await.unwrap();
    assert!(task.await.unwrap_err().is_panic());
    assert!(own_group, "Chromium leads a process group of its own");
    // the flags reached Chromium as written
    assert!(args.iter().any(|a| a == "--no-first-run"), "{args:?}");
    assert!(
        args.iter()
            .any(|a| a == "--user-agent=Mozilla/5.0 autoapply-test"),
        "{args:?}"
    );
    assert!(args.iter().all(|a| !a.starts_with("----")), "{args:?}");
    assert!(
        !args.iter().any(|a| a.starts_with("--headless")),
        "headful: {args:?}"
    );
    // SIGKILL is asynchronous: the processes are given a moment to end
    let gone =
        autoapply::browser::leftovers::wait_gone(&profile, std::time::Duration::from_secs(5)).await;
    assert!(
        gone,
        "left after the panic: {:?}",
        autoapply::browser::leftovers::processes_of(&profile)
    );
    assert!(!profile.exists());
}

/// A browser killed under a pending command reads as a crash (`browser_crashed`,
/// retried later), never as a page timeout, whatever the daemon was doing.
#[tokio::test]
async fn every_browser_call_reports_a_killed_browser_as_a_crash() {
    use autoapply::browser::{BrowserError, Target};
    let _one = BROWSER.lock().await;
    crate::support::apply::require_display();
    let replica = Replica::start("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let spec = replica_spec(&replica);
    // a long command timeout, so that a timeout could not pass for a crash
    let options = local_launch("killed", std::time::Duration::from_secs(60));
    let browser = autoapply::browser::LaunchedBrowser::launch(&options)
        .await
        .unwrap();
    let cancel = tokio_util::sync::CancellationToken::new();
    let job = replica.origin().join("/jobs/view/1002/").unwrap();
    browser.goto(job.as_str(), &cancel).await.unwrap();
    let profile = browser.profile_dir().to_owned();
    assert!(autoapply::browser::leftovers::kill_all(&profile, None, browser.pid()) > 0);
    let crashed = |what: &str, r: Result<(), BrowserError>| {
        assert!(
            matches!(r, Err(BrowserError::Crashed { .. })),
            "{what} after the kill: {r:?}"
        );
    };
    crashed("click", browser.click(Target::EasyApply).await);
    crashed("goto", browser.goto(job.as_str(), &cancel).await);
    crashed("observe", browser.observe(&spec).await.map(drop));
    let wait = std::time::Duration::from_secs(30);
    crashed(
        "wait_for",
        browser
            .wait_for(&spec, "Easy Apply", wait, &cancel, |o| o.easy_apply)
            .await
            .map(drop),
    );
    crashed("screenshot", browser.screenshot().await.map(drop));
    browser.teardown().await;
    assert!(!profile.exists());
}

#[tokio::test]
async fn headless_against_linkedin_is_refused() {
    let options = autoapply::browser::LaunchOptions {
        executable: "/usr/bin/chromium".into(),
        profile_root: crate::support::manifest_dir().join("target/test-apply/headless"),
        label: "headless".into(),
        user_agent: None,
        language: None,
        headless: true,
        targets_linkedin: true,
        command_timeout: std::time::Duration::from_secs(5),
        mode: autoapply::browser::Mode::Person,
    };
    let err = autoapply::browser::LaunchedBrowser::launch(&options)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "refusing to run headless against LinkedIn: the worker is headful only (run under Xvfb)"
    );
    assert!(!Replica::linkedin_job_url(1).is_empty());
}

#[tokio::test]
async fn selectors_check_reports_what_matches_a_saved_replica_page() {
    let _one = BROWSER.lock().await;
    crate::support::apply::require_display();
    let replica = Replica::start("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let dir = test_dir("saved");
    std::fs::create_dir_all(&dir).unwrap();
    let spec = replica_spec(&replica);
    let options = local_launch("saved", std::time::Duration::from_secs(20));
    let browser = autoapply::browser::LaunchedBrowser::launch(&options)
        .await
        .unwrap();
    let session = autoapply::session::Session::parse(
        br#"[{"name": "li_at", "value": "AQEDAsaved", "domain": ".www.linkedin.com", "expirationDate": 4102444800}]"#,
        time::OffsetDateTime::now_utc(),
    )
    .unwrap();
    browser
        .set_cookies(&session, &replica.origin(), true)
        .await
        .unwrap();
    browser
        .goto(
            replica.origin().join("/jobs/view/1002/").unwrap().as_str(),
            &tokio_util::sync::CancellationToken::new(),
        )
        .await
        .unwrap();
    let cancel = tokio_util::sync::CancellationToken::new();
    let wait = std::time::Duration::from_secs(10);
    browser
        .wait_for(&spec, "Easy Apply", wait, &cancel, |o| o.easy_apply)
        .await
        .unwrap();
    let job_page = dir.join("job.html");
    std::fs::write(&job_page, browser.html().await.unwrap()).unwrap();
    browser
        .click(autoapply::page::Target::EasyApply)
        .await
        .unwrap();
    browser
        .wait_for(&spec, "the modal", wait, &cancel, |o| o.modal.is_some())
        .await
        .unwrap();
    let rect = browser
        .rect(autoapply::page::Target::Field(0))
        .await
        .expect("the first field has a rectangle");
    assert!(rect.width > 100.0 && rect.height > 10.0, "{rect:?}");
    let modal_page = dir.join("modal.html");
    std::fs::write(&modal_page, browser.html().await.unwrap()).unwrap();
    browser.teardown().await;

    let run = |html: &std::path::Path| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_autoapply"))
            .args(["selectors", "check", "--html"])
            .arg(html)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let job = run(&job_page);
    assert!(job.contains("selectors/linkedin.toml: ok"), "{job}");
    for key in ["session_markers.logged_in", "job.loaded", "job.easy_apply"] {
        assert!(
            job.contains(&format!("match     {key}")),
            "{key} should match the job page:\n{job}"
        );
    }
    assert!(job.contains("no match  modal.root"), "{job}");
    let modal = run(&modal_page);
    for key in [
        "modal.root",
        "modal.next",
        "modal.dismiss",
        "fields.containers",
        "fields.labels",
        "fields.text",
        "fields.select",
    ] {
        assert!(
            modal.contains(&format!("match     {key}")),
            "{key} should match the open modal:\n{modal}"
        );
    }

    // a broken selector file is refused with the file, the key and the reason
    let broken = dir.join("broken");
    std::fs::create_dir_all(&broken).unwrap();
    let text =
        std::fs::read_to_string(crate::support::manifest_dir().join("selectors/linkedin.toml"))
            .unwrap();
    std::fs::write(
        broken.join("linkedin.toml"),
        text.replace("button[aria-label='Continue to next step']", "button[[next"),
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_autoapply"))
        .args(["selectors", "check", "--dir"])
        .arg(&broken)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("linkedin.toml: key `modal.next`: entry 1 `button[[next` is not valid"),
        "{err}"
    );
}

#[tokio::test]
async fn an_unreadable_session_reads_the_same_whatever_broke_and_a_foreign_resume_is_never_sent() {
    let _one = BROWSER.lock().await;
    let env = apply_env().await;
    // three different breakages: not hex, a bad padding (last block changed), a
    // readable block that is not JSON (IV changed): one message for all three
    let edits = [
        "session_encrypted = 'zz-not-hex'",
        "session_encrypted = left(session_encrypted, length(session_encrypted) - 2) || case when right(session_encrypted, 2) = '00' then '01' else '00' end",
        "session_iv = case when left(session_iv, 2) = '00' then '01' else '00' end || substr(session_iv, 3)",
    ];
    let mut errors = Vec::new();
    for (n, edit) in edits.iter().enumerate() {
        let user = env.seed_user(&ada_profile(), COOKIE);
        env.app.sql(&format!(
            "update platform_sessions set {edit} where user_id = '{user}'"
        ));
        env.seed_job(user, 1001);
        let (row, report) = env.claim_and_apply(false).await;
        assert_eq!(
            (row.status.as_str(), row.reason.as_deref()),
            ("needs_user", Some("session_unreadable")),
            "breakage {n}: {report:?}"
        );
        errors.push(row.last_error.clone().unwrap());
    }
    assert!(
        errors.iter().all(|e| e == &errors[0]),
        "different messages: {errors:#?}"
    );
    assert!(errors[0].contains("session inspect"), "{}", errors[0]);

    // a résumé path outside the résumé folder: refused before LinkedIn is touched
    for path in ["/proc/self/environ", "/etc/passwd"] {
        let user = env.seed_user(&ada_profile(), COOKIE);
        env.app.sql(&format!(
            "update applicant_profiles set resume_path = '{path}' where user_id = '{user}'"
        ));
        env.seed_job(user, 1002);
        let (row, report) = env.claim_and_apply(false).await;
        assert_eq!(
            (row.status.as_str(), row.reason.as_deref()),
            ("needs_user", Some("resume_refused")),
            "{report:?}"
        );
        let error = row.last_error.unwrap();
        assert!(error.contains("outside the résumé folder"), "{error}");
        assert!(report.browser.is_none(), "no browser for a refused résumé");
    }
    assert!(env.replica.submissions().is_empty());
    assert!(env.replica.requests().is_empty(), "LinkedIn never touched");
}
