//! Applying honestly on pages of kinds the worker was never told about (issue 34),
//! on pages written by hand in styles the replica never serves.

use crate::support::apply::{BROWSER, ada_profile, apply_env, assert_torn_down, page_loads};

const COOKIE: &str = "AQEDAHonestSessionCookie-7b1f";

fn fixture(name: &str) -> String {
    std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name),
    )
    .unwrap()
}

#[tokio::test]
async fn a_job_whose_apply_leads_off_linkedin_is_skipped_on_the_first_look_without_a_click() {
    let _one = BROWSER.lock().await;
    let env = apply_env().await;
    env.replica.serve_page(4301, fixture("external-job.html"));
    let (row, report) = env.run_job(4301, COOKIE).await;
    assert_eq!(
        (row.status.as_str(), row.reason.as_deref()),
        ("skipped", Some("not_easy_apply")),
        "{report:?}"
    );
    assert_eq!(
        page_loads(&env.replica),
        ["/jobs/view/4301/"],
        "one look: no click took the browser to the redirect, nothing retried"
    );
    assert!(env.replica.submissions().is_empty());
    assert!(env.replica.discarded().is_empty(), "no form was opened");
    assert_torn_down(&report);
}

#[tokio::test]
async fn each_file_input_gets_its_own_file_and_a_cover_letter_is_never_the_resume() {
    let _one = BROWSER.lock().await;
    let env = apply_env().await;
    // with a cover letter of the user's: each file into its own input (2024-25)
    let letter = env.storage.join("resumes/cover-letter-ada.pdf");
    std::fs::create_dir_all(letter.parent().unwrap()).unwrap();
    std::fs::write(&letter, b"%PDF-1.4\n% Ada's letter\n").unwrap();
    let mut with_letter = ada_profile();
    with_letter["cover_letter"] = serde_json::json!({"file": letter});
    let ada = env.seed_user(&with_letter, "AQEDAHonestLetter");
    env.seed_job(ada, 1040);
    let (row, report) = env.claim_and_apply(false).await;
    assert_eq!(row.status.as_str(), "submitted", "{report:?}");
    let sent = &env.replica.submissions()[0];
    assert_eq!(
        sent.resume.as_ref().unwrap().name,
        format!("resume-{ada}.pdf")
    );
    assert_eq!(
        sent.fields.get("Cover letter").map(String::as_str),
        Some("cover-letter-ada.pdf"),
        "the letter in the letter's input"
    );
    let receipt = row.receipt.unwrap();
    assert_eq!(
        receipt["resume"],
        serde_json::json!(format!("resume-{ada}.pdf"))
    );
    assert!(
        receipt["questions"].as_array().unwrap().iter().any(|q| {
            q["question"] == "Upload cover letter" && q["answer"] == "cover-letter-ada.pdf"
        }),
        "{receipt}"
    );
    assert_torn_down(&report);

    // without one: the optional letter input stays empty, on 2024-25 and October 2026
    for (n, job) in [1040u64, 1042].into_iter().enumerate() {
        let bob = env.seed_user(&ada_profile(), &format!("AQEDAHonestNoLetter{n}"));
        env.seed_job(bob, job);
        let (row, report) = env.claim_and_apply(false).await;
        assert_eq!(row.status.as_str(), "submitted", "{job}: {report:?}");
        let sent = env.replica.submissions().last().cloned().unwrap();
        assert_eq!(sent.job_id, job);
        assert_eq!(
            sent.resume.as_ref().unwrap().name,
            format!("resume-{bob}.pdf"),
            "{job}: the user's résumé, over LinkedIn's preselected card"
        );
        assert_eq!(
            sent.fields.get("Cover letter").map(String::as_str),
            Some(""),
            "{job}: never the résumé as a cover letter"
        );
        assert_torn_down(&report);
    }

    // a required cover letter without one: asked, nothing written, nothing sent
    let carol = env.seed_user(&ada_profile(), "AQEDAHonestRequiredLetter");
    env.seed_job(carol, 1041);
    let (row, report) = env.claim_and_apply(false).await;
    assert_eq!(
        (row.status.as_str(), row.reason.as_deref()),
        ("needs_user", Some("unknown_questions")),
        "{report:?}"
    );
    let pending = row.pending_questions.unwrap().to_string();
    assert!(pending.contains("Upload cover letter"), "{pending}");
    assert_eq!(env.replica.submissions().len(), 3, "nothing more sent");
    assert_torn_down(&report);
}

#[tokio::test]
async fn a_salary_in_another_currency_is_asked_never_typed_as_the_profiles_figure() {
    let _one = BROWSER.lock().await;
    let env = apply_env().await;
    // the replica's 2024-25 job 1008 asks "What is your expected annual salary (EUR)?"
    let mut pounds = ada_profile();
    pounds["salary_expectation"] = serde_json::json!({"amount": 85000, "currency": "GBP"});
    let (row, report) = {
        let user = env.seed_user(&pounds, "AQEDAHonestPounds");
        env.seed_job(user, 1008);
        env.claim_and_apply(false).await
    };
    assert_eq!(
        (row.status.as_str(), row.reason.as_deref()),
        ("needs_user", Some("unknown_questions")),
        "{report:?}"
    );
    let pending = row.pending_questions.unwrap().to_string();
    assert!(
        pending.contains("expected annual salary (EUR)"),
        "{pending}"
    );
    assert!(
        env.replica.submissions().is_empty(),
        "nothing sent in the wrong currency"
    );
    assert_torn_down(&report);

    // in the profile's own currency it is answered as before
    let mut euros = ada_profile();
    euros["salary_expectation"] = serde_json::json!({"amount": 85000, "currency": "EUR"});
    let (row, report) = {
        let user = env.seed_user(&euros, "AQEDAHonestEuros");
        env.seed_job(user, 1008);
        env.claim_and_apply(false).await
    };
    assert_eq!(row.status.as_str(), "submitted", "{report:?}");
    assert_eq!(
        env.replica.submissions()[0]
            .fields
            .get("What is your expected annual salary (EUR)?")
            .map(String::as_str),
        Some("85000")
    );
    assert_torn_down(&report);
}
