//! LinkedIn's October 2026 server-driven (SDUI) Easy Apply dialog, end to end on a
//! headful Chromium: every step in the DOM at once (only the shown one is read),
//! questions named by a `<p>` heading their block, options whose text sits beside an
//! empty label, résumé cards, a prechecked opt-in, a country list without a
//! placeholder, a bare "Applied" status, a description full of status-like phrases,
//! and an unreadable question that is drift, never a question for the user.

use crate::support::apply::{
    ApplyEnv, BROWSER, ada_profile, apply_env, assert_screenshot, assert_torn_down,
};
use autoapply::{domain::ApplicationId, replica::sdui::RESUME_CARDS};

const COOKIE: &str = "AQEDASduiSessionCookie-77c1";

/// Names `file` (written into the résumé folder) as the application's résumé.
fn name_resume(env: &ApplyEnv, id: ApplicationId, file: &str) -> std::path::PathBuf {
    let path = env.storage.join("resumes").join(file);
    std::fs::write(&path, b"%PDF-1.4\n% the application's own CV\n").unwrap();
    env.app.sql(&format!(
        "update job_applications set resume_path = '{}' where id = '{id}'",
        path.display()
    ));
    path
}

fn field<'a>(s: &'a autoapply::replica::Submission, label: &str) -> &'a str {
    s.fields
        .get(label)
        .map(String::as_str)
        .unwrap_or_else(|| panic!("no field {label}: {:?}", s.fields))
}

#[tokio::test]
async fn the_october_2026_dialog_is_applied_to_with_every_answer_and_a_receipt() {
    let _one = BROWSER.lock().await;
    let env = apply_env().await;
    let user = env.seed_user(&ada_profile(), COOKIE);
    let id = env.seed_job(user, 1030);
    name_resume(&env, id, &format!("resume-{user}.pdf"));
    let (row, report) = env.claim_and_apply(false).await;
    assert_eq!(row.status.as_str(), "submitted", "{report:?}");
    let submissions = env.replica.submissions();
    assert_eq!(submissions.len(), 1, "submitted exactly once");
    let s = &submissions[0];
    let expected = [
        ("First name", "Ada"),
        ("Last name", "Lovelace"),
        ("Phone country code", "United Kingdom (+44)"),
        ("Mobile phone number", "5550100"),
        ("Email address", "ada@example.org"),
        // a list without a placeholder starts at "Afghanistan": answered, not kept
        ("Country of residence", "United Kingdom"),
        ("How many years of experience do you have with Python?", "5"),
        ("What is your notice period?", "30 days"),
        // radios with opaque values, chosen by the text beside them
        ("Are you legally authorized to work in Germany?", "Yes"),
        (
            "Will you now or in the future require sponsorship for employment visa status?",
            "No",
        ),
        (
            "What is your level of proficiency in English?",
            "Native or bilingual",
        ),
        (
            "Which of these cloud platforms have you used? Select all that apply.",
            "AWS, GCP",
        ),
        // the prechecked marketing opt-in ends unticked
        ("Stay in touch", ""),
        (
            "I consent to the processing of my personal data for this application",
            "I agree",
        ),
        ("Resume", &format!("resume-{user}.pdf")),
        ("Follow company", "false"),
    ];
    for (label, value) in expected {
        assert_eq!(field(s, label), value, "field {label}");
    }
    assert_eq!(s.fields.len(), expected.len(), "{:?}", s.fields.keys());
    let resume = s.resume.as_ref().expect("a résumé was sent");
    assert_eq!(
        resume.name,
        format!("resume-{user}.pdf"),
        "the application's résumé, not LinkedIn's preselected {}",
        RESUME_CARDS[0]
    );
    assert!(resume.size > 0, "uploaded, not a card");
    assert_eq!(s.follow_company, Some(false));

    // the receipt on the row says what the page received
    let receipt = row.receipt.clone().expect("a receipt on the row");
    assert_eq!(
        receipt["resume"],
        serde_json::json!(format!("resume-{user}.pdf"))
    );
    assert_eq!(receipt["follow_company"], serde_json::json!(false));
    let answers: std::collections::BTreeMap<String, serde_json::Value> = receipt["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| {
            (
                q["question"].as_str().unwrap().to_owned(),
                q["answer"].clone(),
            )
        })
        .collect();
    for (label, value) in expected {
        if matches!(label, "Resume" | "Follow company") {
            continue;
        }
        let given = &answers[label];
        let as_sent = match given {
            serde_json::Value::Array(ticked) => ticked
                .iter()
                .map(|t| t.as_str().unwrap())
                .collect::<Vec<_>>()
                .join(", "),
            other => other.as_str().unwrap().to_owned(),
        };
        assert_eq!(as_sent, value, "receipt of {label}: {receipt}");
    }
    assert!(
        !receipt.to_string().contains(COOKIE),
        "no session value in the receipt"
    );
    // the post-apply page was reached; nothing was saved or half-sent
    assert!(
        env.replica
            .requests()
            .iter()
            .all(|r| !r.path.starts_with("/replica/api/save")),
        "Save was never clicked"
    );
    assert_torn_down(&report);
}

#[tokio::test]
async fn the_applications_resume_card_is_selected_and_without_one_linkedins_is_kept() {
    let _one = BROWSER.lock().await;
    let env = apply_env().await;
    // named, and LinkedIn already has it: its card is selected, nothing uploaded
    let user = env.seed_user(&ada_profile(), COOKIE);
    let id = env.seed_job(user, 1030);
    name_resume(&env, id, RESUME_CARDS[1]);
    let (row, report) = env.claim_and_apply(false).await;
    assert_eq!(row.status.as_str(), "submitted", "{report:?}");
    let sent = env.replica.submissions()[0].resume.clone().unwrap();
    assert_eq!((sent.name.as_str(), sent.size), (RESUME_CARDS[1], 0));
    assert_eq!(
        row.receipt.unwrap()["resume"],
        serde_json::json!(RESUME_CARDS[1])
    );
    assert_torn_down(&report);

    // not named by the application: the résumé the user gave the platform is sent
    // over the card LinkedIn preselected (issue 34)
    let other = env.seed_user(&ada_profile(), "AQEDASduiOtherUser-9a0e");
    env.seed_job(other, 1030);
    let (row, report) = env.claim_and_apply(false).await;
    assert_eq!(row.status.as_str(), "submitted", "{report:?}");
    let sent = env.replica.submissions()[1].resume.clone().unwrap();
    assert_eq!(sent.name, format!("resume-{other}.pdf"));
    assert_eq!(
        row.receipt.unwrap()["resume"],
        serde_json::json!(format!("resume-{other}.pdf"))
    );
    assert_torn_down(&report);

    // no résumé given at all: LinkedIn's preselected card is kept
    let third = env.seed_user(&ada_profile(), "AQEDASduiThirdUser-4c1d");
    env.app.sql(&format!(
        "update applicant_profiles set resume_path = null where user_id = '{third}'"
    ));
    env.seed_job(third, 1030);
    let (row, report) = env.claim_and_apply(false).await;
    assert_eq!(row.status.as_str(), "submitted", "{report:?}");
    let sent = env.replica.submissions()[2].resume.clone().unwrap();
    assert_eq!(sent.name, RESUME_CARDS[0]);
    assert_torn_down(&report);
}

#[tokio::test]
async fn status_phrases_in_the_description_are_not_a_status_and_the_bare_one_is() {
    let _one = BROWSER.lock().await;
    let env = apply_env().await;
    // "applied", "You applied on …", "Application sent", "No longer accepting
    // applications" in the employer's text, "Applied Scientist" as the title
    let (row, report) = env.run_job(1031, COOKIE).await;
    assert_eq!(row.status.as_str(), "submitted", "{report:?}");
    assert_eq!(env.replica.submissions().len(), 1);
    assert_torn_down(&report);

    // LinkedIn's own status: "Applied", "·", "2 days ago" in separate elements
    let (row, report) = env.run_job(1032, "AQEDASduiAppliedUser-1b2c").await;
    assert_eq!(
        (row.status.as_str(), row.reason.as_deref()),
        ("skipped", Some("already_applied")),
        "{report:?}"
    );
    assert_eq!(env.replica.submissions().len(), 1, "nothing more sent");
    assert_torn_down(&report);
}

#[tokio::test]
async fn an_unreadable_question_is_drift_with_a_snapshot_and_five_open_the_breaker() {
    let _one = BROWSER.lock().await;
    let env = apply_env().await;
    let users: Vec<_> = (0..3)
        .map(|i| env.seed_user(&ada_profile(), &format!("AQEDASduiDrift{i}")))
        .collect();
    for (run, user) in [0, 1, 2, 0, 1].iter().map(|i| users[*i]).enumerate() {
        env.seed_job(user, 5000 + run as u64);
        let (row, report) = env.claim_and_apply(false).await;
        assert_eq!(
            (row.status.as_str(), row.reason.as_deref()),
            ("queued", Some("question_unreadable")),
            "run {run}: {report:?}"
        );
        assert!(
            row.pending_questions.is_none(),
            "nobody can answer an unreadable question: {:?}",
            row.pending_questions
        );
        assert!(
            row.last_error
                .as_deref()
                .is_some_and(|e| e.contains("could not be read")),
            "{:?}",
            row.last_error
        );
        let snapshot = report.snapshot.clone().expect("a page snapshot");
        assert!(snapshot.exists());
        assert_screenshot(&report, &row);
        assert_torn_down(&report);
        let drift = report.drift.clone().expect("the breaker counted");
        if run < 4 {
            assert_eq!(drift.streak as usize, run + 1, "{drift:?}");
        } else {
            assert!(
                drift.is_open(time::OffsetDateTime::now_utc()),
                "five structural endings from three users open the breaker: {drift:?}"
            );
        }
    }
    assert!(env.replica.submissions().is_empty(), "nothing submitted");
    assert_eq!(env.replica.discarded().len(), 5, "each form discarded");
}

#[tokio::test]
async fn a_hand_written_page_of_another_style_is_applied_to_honestly() {
    // tests/fixtures/foreign-sdui-job.html: steps switched off by inline style, question
    // texts in <div>s, option text before its input, custom role=radio résumé cards,
    // lists without placeholders, a prechecked newsletter box, status phrases in the
    // description, a live-region confirmation
    let _one = BROWSER.lock().await;
    let env = apply_env().await;
    let page = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/foreign-sdui-job.html"),
    )
    .unwrap();
    env.replica.serve_page(4260, page);
    let user = env.seed_user(&ada_profile(), COOKIE);
    let id = env.seed_job(user, 4260);
    name_resume(&env, id, "cv-contoso.pdf");
    let (row, report) = env.claim_and_apply(false).await;
    assert_eq!(row.status.as_str(), "submitted", "{report:?}");
    let submissions = env.replica.submissions();
    assert_eq!(submissions.len(), 1, "submitted exactly once");
    let s = &submissions[0];
    let expected = [
        ("Mobile phone number", "5550100"),
        ("Email address", "ada@example.org"),
        ("Country of residence", "United Kingdom"),
        ("How many years of experience do you have with Python?", "5"),
        ("Are you legally authorized to work in Germany?", "Yes"),
        ("Which of these cloud platforms have you used?", "AWS, GCP"),
        ("Contoso newsletter", ""),
        (
            "I consent to the processing of my personal data for this application",
            "yes",
        ),
    ];
    for (label, value) in expected {
        assert_eq!(field(s, label), value, "field {label}");
    }
    assert_eq!(s.fields.len(), expected.len(), "{:?}", s.fields.keys());
    let resume = s.resume.clone().expect("a résumé");
    assert_eq!(
        (resume.name.as_str(), resume.size),
        ("cv-contoso.pdf", 0),
        "the application's card was selected, nothing uploaded"
    );
    assert_eq!(s.follow_company, Some(false));
    let receipt = row.receipt.expect("a receipt");
    assert_eq!(receipt["resume"], serde_json::json!("cv-contoso.pdf"));
    assert_torn_down(&report);
}
