//! LinkedIn's three markup generations of 2024–2026, end to end on a headful
//! Chromium: the replica serves the April 2026 interop page (an `<a>` apply control
//! beside a filter pill, the legacy form inside an open shadow root) and the
//! September 2026 native `<dialog>` (hashed classes, generated ids, text-only
//! buttons), and a page written by hand in yet another style
//! (`tests/fixtures/foreign-job.html`) keeps the locators honest.

use crate::support::apply::{
    ApplyEnv, BROWSER, ada_profile, apply_env, assert_multi_step_answers, assert_screenshot,
    assert_torn_down, page_loads,
};

const COOKIE: &str = "AQEDAGenerationsSessionCookie-41b2";

/// Neither the filter pill nor "Save" was ever clicked.
fn assert_no_wrong_click(env: &ApplyEnv) {
    let requests = env.replica.requests();
    assert!(
        !requests.iter().any(|r| r.path.starts_with("/jobs/search")),
        "the filter pill was clicked: {requests:?}"
    );
    assert!(
        !requests
            .iter()
            .any(|r| r.path.starts_with("/replica/api/save")),
        "Save was clicked instead of Discard"
    );
}

#[tokio::test]
async fn the_april_2026_interop_page_is_applied_to_through_its_shadow_root() {
    let _one = BROWSER.lock().await;
    let env = apply_env().await;
    let (row, report) = env.run_job(1017, COOKIE).await;
    assert_eq!(row.status.as_str(), "submitted", "{report:?}");
    assert_multi_step_answers(&env, 1017, &row.user_id.to_string());
    assert_no_wrong_click(&env);
    assert_torn_down(&report);
}

#[tokio::test]
async fn the_september_2026_native_dialog_is_applied_to_by_labels_and_button_text() {
    let _one = BROWSER.lock().await;
    let env = apply_env().await;
    let (row, report) = env.run_job(1018, COOKIE).await;
    assert_eq!(row.status.as_str(), "submitted", "{report:?}");
    assert_multi_step_answers(&env, 1018, &row.user_id.to_string());
    assert_no_wrong_click(&env);
    assert_torn_down(&report);
}

#[tokio::test]
async fn the_qualifications_notice_and_the_reminder_are_passed_in_turn() {
    let _one = BROWSER.lock().await;
    let env = apply_env().await;
    let (row, report) = env.run_job(1019, COOKIE).await;
    assert_eq!(row.status.as_str(), "submitted", "{report:?}");
    let steps: Vec<&str> = report.steps.iter().map(|s| s.step.as_str()).collect();
    let notice = steps.iter().position(|s| *s == "qualifications notice");
    let reminder = steps.iter().position(|s| *s == "safety reminder");
    assert!(
        notice.is_some() && reminder.is_some() && notice < reminder,
        "{steps:?}"
    );
    assert_eq!(env.replica.submissions().len(), 1);
    assert_torn_down(&report);
}

#[tokio::test]
async fn an_unanswerable_form_is_discarded_on_both_2026_generations() {
    let _one = BROWSER.lock().await;
    let env = apply_env().await;
    for job in [1020, 1021] {
        let user = env.seed_user(&ada_profile(), COOKIE);
        env.seed_job(user, job);
        let (row, report) = env.claim_and_apply(false).await;
        assert_eq!(
            (row.status.as_str(), row.reason.as_deref()),
            ("needs_user", Some("unknown_questions")),
            "job {job}: {report:?}"
        );
        let mut asked = serde_json::json!({"label": "How many years of experience do you have with COBOL?",
            "kind": "text", "required": true, "options": []});
        if job == 1021 {
            // the September 2026 field says inputmode="numeric": an answer given back
            // must be a whole number
            asked["whole_number"] = true.into();
        }
        assert_eq!(
            row.pending_questions.clone().unwrap(),
            serde_json::json!([asked]),
            "job {job}: read by its label, required by its mark"
        );
        assert_screenshot(&report, &row);
        assert_torn_down(&report);
    }
    assert!(env.replica.submissions().is_empty(), "nothing submitted");
    assert_eq!(
        env.replica.discarded(),
        [1020, 1021],
        "each half-filled form was discarded"
    );
    assert_no_wrong_click(&env);
}

/// The job page written by hand in a style the replica never serves.
fn foreign_job_page() -> String {
    std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/foreign-job.html"),
    )
    .unwrap()
}

#[tokio::test]
async fn a_page_in_a_style_the_replica_never_serves_is_applied_to() {
    // written by hand: a custom element with its own shadow root, wrapping labels,
    // aria-labelledby radio groups, role=button divs, no LinkedIn class or data-test
    // attribute anywhere; only roles, labels and visible text
    let _one = BROWSER.lock().await;
    let env = apply_env().await;
    let page = foreign_job_page();
    env.replica.serve_page(4242, page);
    let (row, report) = env.run_job(4242, COOKIE).await;
    assert_eq!(row.status.as_str(), "submitted", "{report:?}");
    let submissions = env.replica.submissions();
    assert_eq!(submissions.len(), 1, "submitted exactly once");
    let s = &submissions[0];
    let expected = [
        ("Mobile phone number", "5550100"),
        ("Email address", "ada@example.org"),
        ("How many years of experience do you have with Python?", "5"),
        ("Are you legally authorized to work in Germany?", "Yes"),
        ("City", "London, England, United Kingdom"),
    ];
    for (label, value) in expected {
        assert_eq!(
            s.fields.get(label).map(String::as_str),
            Some(value),
            "field {label}: {:?}",
            s.fields
        );
    }
    assert_eq!(s.follow_company, Some(false), "the user does not follow");
    assert_no_wrong_click(&env);
    assert_torn_down(&report);
}

#[tokio::test]
async fn a_job_page_without_the_me_menu_sends_the_session_check_to_the_feed_first() {
    // the same hand-written page without its "Me" button: the job page cannot tell
    // whether the session holds, so the feed (which shows the menu) is asked, then
    // the job page again
    let _one = BROWSER.lock().await;
    let env = apply_env().await;
    let page = foreign_job_page();
    let me =
        r#"<button class="b0 b1" type="button" aria-label="Me" aria-haspopup="menu">☺</button>"#;
    assert!(page.contains(me), "the fixture's Me menu");
    env.replica.serve_page(4243, page.replace(me, ""));
    let (row, report) = env.run_job(4243, COOKIE).await;
    assert_eq!(row.status.as_str(), "submitted", "{report:?}");
    assert_eq!(env.replica.submissions().len(), 1, "submitted exactly once");
    assert_eq!(
        page_loads(&env.replica),
        ["/jobs/view/4243/", "/feed/", "/jobs/view/4243/"],
        "job page, the session page, the job page again"
    );
    assert!(
        report.steps.iter().any(|s| s.step == "session"
            && s.detail
                .contains("no logged-in marker: checking on the session page")),
        "{:?}",
        report.steps
    );
    assert_torn_down(&report);
}

#[tokio::test]
async fn a_structural_failure_leaves_a_sanitized_snapshot_that_selectors_check_reads() {
    let _one = BROWSER.lock().await;
    let env = apply_env().await;
    // the April 2026 form inside its shadow root, with a step that has no button
    let (row, report) = env.run_job(1022, COOKIE).await;
    assert_eq!(
        (row.status.as_str(), row.reason.as_deref()),
        ("queued", Some("step_stuck")),
        "{report:?}"
    );
    assert_eq!(
        env.app
            .sql("select streak || ':' || users || ':' || last_reason from drift_status()"),
        "1:1:step_stuck",
        "the drift breaker counted the structural failure"
    );
    let snapshot = report.snapshot.clone().expect("a page snapshot was kept");
    assert_eq!(
        snapshot.with_extension("png"),
        *report.screenshot.as_ref().unwrap(),
        "beside the screenshot"
    );
    let error = row.last_error.clone().unwrap();
    assert!(
        error.contains(&snapshot.display().to_string()) && error.contains("selectors check --html"),
        "the row's error names the snapshot: {error}"
    );
    let html = std::fs::read_to_string(&snapshot).unwrap();
    assert!(
        html.contains("<template shadowrootmode=\"open\">"),
        "shadow root inlined"
    );
    assert!(html.contains("Contact info") && html.contains("First name"));
    assert!(!html.contains("<script"), "scripts removed");
    assert!(!html.contains("value=\"Ada\""), "input values removed");
    assert!(!html.contains(COOKIE));
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(&snapshot).unwrap().permissions(),
    );
    assert_eq!(mode & 0o777, 0o640);

    // what the worker saw, reproduced offline
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_autoapply"))
        .args(["selectors", "check", "--html"])
        .arg(&snapshot)
        .arg("--dir")
        .arg(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("selectors"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    let line = |key: &str| {
        stdout
            .lines()
            .find(|l| l.split_whitespace().any(|w| w == key))
            .unwrap_or_default()
            .to_owned()
    };
    assert!(line("modal.root").starts_with("  match"), "{stdout}");
    assert!(line("modal.next").starts_with("  no match"), "{stdout}");
    assert!(line("modal.submit").starts_with("  no match"), "{stdout}");
    assert_torn_down(&report);
}
