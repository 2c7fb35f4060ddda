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
    let (row, report) = env.run_job(1041, "AQEDAHonestRequiredLetter").await;
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
    let (row, report) = env
        .run_job_in(&pounds, "AQEDAHonestPounds", None, 1008)
        .await;
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
    let (row, report) = env.run_job_in(&euros, "AQEDAHonestEuros", None, 1008).await;
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

/// The labels of what was clicked in a dialog after Submit (`after-submit:decline`,
/// `after-submit:accept`), in order.
fn after_submit_clicks(env: &crate::support::apply::ApplyEnv) -> Vec<String> {
    env.replica
        .page_actions()
        .into_iter()
        .filter(|a| a.kind == "click" && a.label.starts_with("after-submit:"))
        .map(|a| a.label)
        .collect()
}

#[tokio::test]
async fn a_dialog_between_submit_and_the_confirmation_is_declined_never_accepted() {
    use autoapply::replica::AfterSubmit;
    let _one = BROWSER.lock().await;
    let env = apply_env().await;
    // a Premium upsell over the 2024-25 form (English) and over the September 2026
    // dialog; the October 2026 form's own dialog turned into an alerts offer
    // (German); a survey on a page written by hand
    env.replica.set_after_submit(1001, AfterSubmit::Premium);
    env.replica.set_after_submit(1018, AfterSubmit::Premium);
    env.replica.set_after_submit(1031, AfterSubmit::Alerts);
    env.replica.serve_page(
        4242,
        fixture("foreign-job.html").replace("var AFTER = null;", "var AFTER = 'survey';"),
    );
    let cases = [
        (1001, None),
        (1018, None),
        (1031, Some("de-de")),
        (4242, None),
    ];
    for (n, (job, lang)) in cases.into_iter().enumerate() {
        let (row, report) = env
            .run_job_in(&ada_profile(), &format!("AQEDAHonestAfter{n}"), lang, job)
            .await;
        assert_eq!(
            (row.status.as_str(), row.reason.as_deref()),
            ("submitted", None),
            "job {job}: confirmed once the dialog was declined: {report:?}"
        );
        assert_eq!(
            after_submit_clicks(&env),
            vec!["after-submit:decline"; n + 1],
            "job {job}: one decline per application, never an accept"
        );
        assert!(
            report
                .steps
                .iter()
                .any(|s| s.step == "after submit" && s.detail.contains("without accepting")),
            "job {job}: the timeline says a dialog was declined: {:?}",
            report.steps
        );
        assert_torn_down(&report);
    }
    assert_eq!(env.replica.submissions().len(), 4, "each submitted once");
}

const PYTHON: &str = "How many years of experience do you have with Python?";

#[tokio::test]
async fn a_whole_number_field_gets_the_whole_part_and_a_value_still_rejected_is_asked() {
    let _one = BROWSER.lock().await;
    let env = apply_env().await;
    // "4.5" years of Python: the 2024-25 field (type=text) says "whole number" only in
    // its inline error after Review; the September and October 2026 fields and the
    // hand-written page's say so by their input mode
    let mut decimal = ada_profile();
    decimal["experience_years"]["python"] = 4.5.into();
    env.replica.serve_page(4242, fixture("foreign-job.html"));
    for (n, job) in [1002, 1018, 1030, 4242].into_iter().enumerate() {
        let (row, report) = env
            .run_job_in(&decimal, &format!("AQEDAHonestWhole{n}"), None, job)
            .await;
        assert_eq!(row.status.as_str(), "submitted", "job {job}: {report:?}");
        let sent = env.replica.submissions();
        assert_eq!(sent.len(), n + 1, "job {job}: submitted once");
        assert_eq!(
            sent[n].fields.get(PYTHON).map(String::as_str),
            Some("4"),
            "job {job}: the whole part, never rounded up: {:?}",
            sent[n].fields
        );
        let receipt = report.receipt.as_ref().expect("a receipt");
        let python: Vec<_> = receipt
            .questions
            .iter()
            .filter(|q| q.question == PYTHON)
            .collect();
        assert_eq!(python.len(), 1, "job {job}: listed once");
        let again = report
            .steps
            .iter()
            .any(|s| s.detail.contains("whole numbers only here"));
        assert_eq!(
            again,
            job == 1002,
            "job {job}: only the field that tells in its error alone is filled again: {:?}",
            report.steps
        );
        assert_eq!(python[0].answer, "4");
        assert_eq!(
            python[0].note.as_deref(),
            Some("the whole part of 4.5: the field takes whole numbers only"),
            "job {job}"
        );
        assert_torn_down(&report);
    }

    // the user's own answer that is no number: LinkedIn rejects it, and it is asked,
    // never sent again as it was
    let mut words = ada_profile();
    words["answers"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({"question": PYTHON, "answer": "about four"}));
    let (row, report) = env.run_job_in(&words, "AQEDAHonestWords", None, 1002).await;
    assert_eq!(
        (row.status.as_str(), row.reason.as_deref()),
        ("needs_user", Some("unknown_questions")),
        "{report:?}"
    );
    let pending = row.pending_questions.clone().unwrap();
    assert_eq!(pending[0]["label"], PYTHON, "{pending}");
    assert_eq!(
        pending[0]["rejected"], "Enter a whole number between 0 and 99",
        "LinkedIn's words, never the answer: {pending}"
    );
    assert!(
        row.last_error
            .as_deref()
            .unwrap_or_default()
            .contains("never sent again"),
        "{:?}",
        row.last_error
    );
    assert_eq!(env.replica.submissions().len(), 4, "nothing more was sent");
    assert!(
        env.replica.discarded().contains(&1002),
        "the form was discarded"
    );
    assert_torn_down(&report);
}

#[tokio::test]
async fn self_identification_is_answered_only_from_the_users_own_words_never_declined() {
    let _one = BROWSER.lock().await;
    let env = apply_env().await;
    const VETERAN: &str = "Are you a protected veteran?";
    // no self-identification in the profile: the required veteran question is asked,
    // the optional lists are not touched, nothing is declined for the user
    let (row, report) = env.run_job(1043, "AQEDAHonestSelfIdNone").await;
    assert_eq!(
        (row.status.as_str(), row.reason.as_deref()),
        ("needs_user", Some("unknown_questions")),
        "{report:?}"
    );
    let pending = row.pending_questions.clone().unwrap();
    assert_eq!(pending.as_array().unwrap().len(), 1, "{pending}");
    assert_eq!(pending[0]["label"], VETERAN);
    assert!(env.replica.submissions().is_empty());
    assert_torn_down(&report);

    // the user's own words: those questions answered, the others left empty (2024-25
    // and October 2026)
    let mut stated = ada_profile();
    stated["self_identification"] =
        serde_json::json!({"veteran": "I am not a protected veteran", "gender": "Female"});
    for (n, job) in [1043, 1044].into_iter().enumerate() {
        let (row, report) = env
            .run_job_in(&stated, &format!("AQEDAHonestSelfId{n}"), None, job)
            .await;
        assert_eq!(row.status.as_str(), "submitted", "job {job}: {report:?}");
        let sent = &env.replica.submissions()[n];
        let field = |label: &str| sent.fields.get(label).cloned().unwrap_or_default();
        assert_eq!(field(VETERAN), "I am not a protected veteran", "job {job}");
        assert_eq!(field("Gender"), "Female", "job {job}");
        assert_eq!(field("Race/Ethnicity"), "", "job {job}: left as it was");
        assert_eq!(field("Disability status"), "", "job {job}: left as it was");
        assert!(
            !sent
                .fields
                .values()
                .any(|v| v.contains("wish to answer") || v.contains("Decline")),
            "job {job}: nothing declined for the user: {:?}",
            sent.fields
        );
        assert_torn_down(&report);
    }
}

#[tokio::test]
async fn standard_screening_questions_are_answered_from_their_own_facts_in_each_language() {
    use autoapply::replica::i18n::Lang;
    let _one = BROWSER.lock().await;
    let env = apply_env().await;
    let mut profile = ada_profile();
    for (key, value) in [
        ("driving_licence", serde_json::json!(true)),
        ("start_immediately", serde_json::json!(false)),
        ("available_from", serde_json::json!("2099-03-15")),
        ("work_settings", serde_json::json!({"hybrid": true})),
        (
            "education",
            serde_json::json!(["Bachelor's Degree", "Bachelor"]),
        ),
        (
            "certifications",
            serde_json::json!(["AWS Certified Solutions Architect"]),
        ),
        (
            "languages",
            // each level as that page's options read it
            serde_json::json!({"German": "Professional", "Deutsch": "Verhandlungssicher", "alemão": "Profissional"}),
        ),
    ] {
        profile[key] = value;
    }
    let expected = [
        ("Do you have a valid driver's license?", "Yes"),
        (
            "We must fill this position urgently. Can you start immediately?",
            "No",
        ),
        ("Are you comfortable working in a hybrid setting?", "Yes"),
        (
            "Have you completed the following level of education: Bachelor's Degree?",
            "Yes",
        ),
        (
            "Do you have the following license or certification: AWS Certified Solutions Architect?",
            "Yes",
        ),
        (
            "What is your level of proficiency in German?",
            "Professional",
        ),
        // in German: "Sind Sie berechtigt, im Vereinigten Königreich zu arbeiten?"
        (
            "Are you legally authorized to work in the United Kingdom?",
            "Yes",
        ),
    ];
    // 2024-25 and October 2026, in English, German and Brazilian Portuguese
    let runs = [
        (1045, None),
        (1046, None),
        (1045, Some("de-de")),
        (1046, Some("pt-br")),
    ];
    for (n, (job, lang)) in runs.into_iter().enumerate() {
        let (row, report) = env
            .run_job_in(&profile, &format!("AQEDAHonestScreening{n}"), lang, job)
            .await;
        assert_eq!(
            row.status.as_str(),
            "submitted",
            "job {job} {lang:?}: {report:?}"
        );
        let words = lang.map_or_else(Lang::english, Lang::from_tag);
        let say = |t: &str| words.say(t).unwrap_or_else(|| t.to_owned());
        let sent = &env.replica.submissions()[n];
        for (question, answer) in expected {
            assert_eq!(
                sent.fields.get(question).map(String::as_str),
                Some(say(answer).as_str()),
                "job {job} {lang:?}: {question}: {:?}",
                sent.fields
            );
        }
        // the start date, in the layout the page's date picker shows in its language
        let start = match lang {
            Some("de-de") => "15.03.2099",
            Some("pt-br") => "15/03/2099",
            _ => "03/15/2099",
        };
        assert_eq!(
            sent.fields
                .get("What is your earliest start date?")
                .map(String::as_str),
            Some(start),
            "job {job} {lang:?}"
        );
        assert_torn_down(&report);
    }

    // without those facts the same questions are asked, never guessed
    let (row, report) = env.run_job(1045, "AQEDAHonestScreeningNone").await;
    assert_eq!(
        (row.status.as_str(), row.reason.as_deref()),
        ("needs_user", Some("unknown_questions")),
        "{report:?}"
    );
    let pending = row.pending_questions.clone().unwrap();
    let asked: Vec<&str> = pending
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|q| q["label"].as_str())
        .collect();
    let mut want: Vec<&str> = expected[..6].iter().map(|(q, _)| *q).collect();
    want.push("What is your earliest start date?");
    assert_eq!(asked, want);
    let start = &pending.as_array().unwrap()[6];
    assert_eq!(start["kind"], "date", "asked as a date: {start}");
    assert_eq!(env.replica.submissions().len(), 4, "nothing more sent");
    assert_torn_down(&report);
}

#[tokio::test]
async fn a_page_written_by_hand_gets_screening_self_identification_and_whole_numbers_right() {
    // the hand-written page (no LinkedIn class, a custom element's shadow root,
    // aria-labelledby groups, role=button divs) with a step of a driving-licence
    // question, optional self-identification lists and a years question in a numeric
    // field
    let _one = BROWSER.lock().await;
    let env = apply_env().await;
    env.replica.serve_page(
        4242,
        fixture("foreign-job.html").replace("var EXTRA = null;", "var EXTRA = 'screening';"),
    );
    let mut profile = ada_profile();
    profile["driving_licence"] = true.into();
    profile["self_identification"] = serde_json::json!({"gender": "Female"});
    profile["experience_years"]["go"] = 4.5.into();
    profile["start_immediately"] = true.into();
    let before = time::OffsetDateTime::now_utc().date();
    let (row, report) = env
        .run_job_in(&profile, "AQEDAHonestHandPage", None, 4242)
        .await;
    let after = time::OffsetDateTime::now_utc().date();
    assert_eq!(row.status.as_str(), "submitted", "{report:?}");
    let sent = &env.replica.submissions()[0];
    let field = |label: &str| sent.fields.get(label).cloned();
    assert_eq!(
        field("Do you have a valid driver's license?").as_deref(),
        Some("Yes")
    );
    assert_eq!(field("Gender").as_deref(), Some("Female"));
    let day = |d: time::Date| format!("{:02}.{:02}.{}", d.day(), u8::from(d.month()), d.year());
    assert!(
        [day(before), day(after)].contains(&field("Earliest possible start").unwrap_or_default()),
        "free at once: today, laid out as the page's DD.MM.YYYY: {:?}",
        sent.fields
    );
    assert_eq!(
        field("Veteran status").as_deref(),
        Some(""),
        "no data: left as it was, never declined"
    );
    assert_eq!(
        field("How many years of experience do you have with Go?").as_deref(),
        Some("4"),
        "the whole part: {:?}",
        sent.fields
    );
    let receipt = report.receipt.as_ref().unwrap();
    let go = receipt
        .questions
        .iter()
        .find(|q| q.question == "How many years of experience do you have with Go?")
        .expect("listed");
    assert_eq!(
        go.note.as_deref(),
        Some("the whole part of 4.5: the field takes whole numbers only")
    );
    assert_torn_down(&report);
}

#[tokio::test]
async fn a_prefilled_value_the_profile_contradicts_is_replaced_and_an_unknown_one_kept_as_linkedins()
 {
    // LinkedIn prefills from the user's account: a phone number the profile says
    // otherwise, and a headline the profile does not know (the user's own earlier word)
    let _one = BROWSER.lock().await;
    let env = apply_env().await;
    let page = fixture("foreign-job.html").replace(
        r#"<label class="f">Mobile phone number <input type="tel" name="phone" required></label>"#,
        r#"<label class="f">Mobile phone number <input type="tel" name="phone" required value="5550199"></label><label class="f">Headline <input name="headline" required value="Engineer at Acme"></label>"#,
    );
    assert!(page.contains("5550199"), "the fixture's phone field moved");
    env.replica.serve_page(4242, page);
    let (row, report) = env.run_job(4242, "AQEDAHonestPrefilled").await;
    assert_eq!(row.status.as_str(), "submitted", "{report:?}");
    let sent = &env.replica.submissions()[0];
    assert_eq!(
        sent.fields.get("Mobile phone number").map(String::as_str),
        Some("5550100"),
        "the profile's, over LinkedIn's"
    );
    assert_eq!(
        sent.fields.get("Headline").map(String::as_str),
        Some("Engineer at Acme"),
        "kept"
    );
    let receipt = report.receipt.as_ref().unwrap();
    let headline = receipt
        .questions
        .iter()
        .find(|q| q.question == "Headline")
        .expect("the receipt lists the kept answer");
    assert!(
        headline
            .note
            .as_deref()
            .is_some_and(|n| n.starts_with("LinkedIn's prefilled answer")),
        "{:?}",
        headline.note
    );
    let phone = receipt
        .questions
        .iter()
        .find(|q| q.question == "Mobile phone number")
        .unwrap();
    assert_eq!(phone.answer, "5550100");
    assert_eq!(phone.note, None);
    assert_torn_down(&report);
}

#[tokio::test]
async fn a_page_written_by_hand_gets_the_files_and_the_currency_right() {
    // the hand-written page's 'files' step: the résumé it remembers (sent unless
    // another is uploaded), an optional cover-letter upload, a salary in US dollars
    let _one = BROWSER.lock().await;
    let env = apply_env().await;
    env.replica.serve_page(
        4242,
        fixture("foreign-job.html").replace("var EXTRA = null;", "var EXTRA = 'files';"),
    );
    let salary = "What base salary do you expect, in US dollars per year?";

    // pounds against a question in dollars: asked of the user, nothing sent
    let mut pounds = ada_profile();
    pounds["salary_expectation"] = serde_json::json!({"amount": 85000, "currency": "GBP"});
    let (row, report) = env
        .run_job_in(&pounds, "AQEDAHonestHandPounds", None, 4242)
        .await;
    assert_eq!(
        (row.status.as_str(), row.reason.as_deref()),
        ("needs_user", Some("unknown_questions")),
        "{report:?}"
    );
    let pending = row.pending_questions.unwrap().to_string();
    assert!(pending.contains(salary), "{pending}");
    assert!(
        env.replica.submissions().is_empty(),
        "nothing sent in pounds"
    );
    assert_torn_down(&report);

    // dollars, and a cover letter of the user's: each file into its own input
    let letter = env.storage.join("resumes/cover-letter-hand.pdf");
    std::fs::create_dir_all(letter.parent().unwrap()).unwrap();
    std::fs::write(&letter, b"%PDF-1.4\n% a letter\n").unwrap();
    let mut usd = ada_profile();
    usd["salary_expectation"] = serde_json::json!({"amount": 120000, "currency": "USD"});
    let mut dollars = usd.clone();
    dollars["cover_letter"] = serde_json::json!({"file": letter});
    let (row, report) = env
        .run_job_in(&dollars, "AQEDAHonestHandDollars", None, 4242)
        .await;
    assert_eq!(row.status.as_str(), "submitted", "{report:?}");
    let sent = env.replica.submissions().last().cloned().unwrap();
    let field = |label: &str| sent.fields.get(label).cloned();
    assert_eq!(
        field(salary).as_deref(),
        Some("120000"),
        "{:?}",
        sent.fields
    );
    assert_eq!(
        field("Résumé"),
        Some(format!("resume-{}.pdf", row.user_id)),
        "the user's résumé over the one the page remembered"
    );
    assert_eq!(
        field("Cover letter").as_deref(),
        Some("cover-letter-hand.pdf")
    );
    assert_torn_down(&report);

    // no letter of the user's: the optional input stays empty, never the résumé
    let (row, report) = env
        .run_job_in(&usd, "AQEDAHonestHandNoLetter", None, 4242)
        .await;
    assert_eq!(row.status.as_str(), "submitted", "{report:?}");
    let sent = env.replica.submissions().last().cloned().unwrap();
    assert_eq!(
        sent.fields.get("Cover letter").map(String::as_str),
        Some("")
    );
    assert_eq!(
        sent.fields.get("Résumé"),
        Some(&format!("resume-{}.pdf", row.user_id))
    );
    assert_torn_down(&report);
}

#[tokio::test]
async fn a_page_written_by_hand_stops_on_the_daily_limit_and_on_a_dialog_it_does_not_know() {
    // the hand-written page's Easy Apply opens a dialog of its own style instead of
    // the form: LinkedIn's 2026 daily limit, then words no site file has; each time
    // the user's run stops there, the apply control clicked once
    let _one = BROWSER.lock().await;
    let env = apply_env().await;
    let with_limit = |text: &str| {
        fixture("foreign-job.html").replace("var LIMIT = null;", &format!("var LIMIT = {text:?};"))
    };
    let clicks = |env: &crate::support::apply::ApplyEnv| {
        env.replica
            .page_actions()
            .into_iter()
            .filter(|a| a.kind == "click" && a.label == "apply")
            .count()
    };
    env.replica
        .serve_page(4242, with_limit(autoapply::replica::jobs::DAILY_LIMIT_2026));
    let (row, report) = env.run_job(4242, "AQEDAHonestHandLimit").await;
    assert_eq!(
        (row.status.as_str(), row.reason.as_deref()),
        ("queued", Some("linkedin_daily_limit")),
        "{report:?}"
    );
    assert_eq!(clicks(&env), 1, "Easy Apply clicked once");
    assert_torn_down(&report);

    let unknown = "Before you apply again, confirm a few details about your account.";
    env.replica.serve_page(
        4243,
        with_limit(unknown).replace("JOB = 4242", "JOB = 4243"),
    );
    let (row, report) = env.run_job(4243, "AQEDAHonestHandUnknown").await;
    assert_eq!(
        (row.status.as_str(), row.reason.as_deref(), row.attempts),
        ("queued", Some("unknown_dialog"), 0),
        "{report:?}"
    );
    assert!(
        row.last_error
            .as_deref()
            .is_some_and(|e| e.contains(unknown)),
        "the operator reads what the page said: {:?}",
        row.last_error
    );
    let shot = row
        .screenshot_path
        .clone()
        .expect("a screenshot for a person");
    assert!(std::path::Path::new(&shot).is_file(), "{shot}");
    assert_eq!(
        clicks(&env),
        2,
        "Easy Apply clicked once more, on the other job only"
    );
    assert!(env.replica.submissions().is_empty());
    assert_torn_down(&report);
}

#[tokio::test]
async fn an_answer_refused_on_the_submit_step_is_filled_again_or_asked_never_failed() {
    // the hand-written page's 'late' variant: the step with Submit asks the Go years
    // in a plain text field; only Submit says, beside it, what the page refuses
    let _one = BROWSER.lock().await;
    let env = apply_env().await;
    env.replica.serve_page(
        4242,
        fixture("foreign-job.html").replace("var EXTRA = null;", "var EXTRA = 'late';"),
    );
    let go = "How many years of experience do you have with Go?";

    // 4.5 refused as not whole: the whole part typed, Submit clicked again, sent once
    let mut decimal = ada_profile();
    decimal["experience_years"]["go"] = 4.5.into();
    let (row, report) = env
        .run_job_in(&decimal, "AQEDAHonestLateWhole", None, 4242)
        .await;
    assert_eq!(row.status.as_str(), "submitted", "{report:?}");
    assert_eq!(env.replica.submissions().len(), 1, "sent once");
    assert_eq!(
        env.replica.submissions()[0]
            .fields
            .get(go)
            .map(String::as_str),
        Some("4")
    );
    let receipt = report.receipt.as_ref().unwrap();
    assert!(
        receipt
            .questions
            .iter()
            .any(|q| q.question == go && q.answer == "4" && q.note.is_some()),
        "{receipt:?}"
    );
    assert_torn_down(&report);

    // 60 refused as out of range: asked of the user with the page's words, not failed
    let mut many = ada_profile();
    many["experience_years"]["go"] = 60.into();
    let (row, report) = env
        .run_job_in(&many, "AQEDAHonestLateRange", None, 4242)
        .await;
    assert_eq!(
        (row.status.as_str(), row.reason.as_deref()),
        ("needs_user", Some("unknown_questions")),
        "{report:?}"
    );
    let pending = row.pending_questions.unwrap().to_string();
    assert!(
        pending.contains(go) && pending.contains("Enter a number from 0 to 50"),
        "{pending}"
    );
    assert_eq!(env.replica.submissions().len(), 1, "nothing more sent");
    assert_torn_down(&report);
}
