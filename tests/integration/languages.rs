//! Accounts in other display languages (issue 25, in part): the page's language is
//! read on the first page, the site file's texts of that language are used from there
//! on, and a language the file has no texts for stops the run before any click.

use crate::support::apply::{BROWSER, ada_profile, apply_env, assert_torn_down, page_loads};

const COOKIE: &str = "AQEDALanguagesSessionCookie-5d3e";

fn fixture(name: &str) -> String {
    std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name),
    )
    .unwrap()
}

#[tokio::test]
async fn a_french_page_is_applied_to_with_the_french_texts() {
    // written by hand in French (tests/fixtures/foreign-job-fr.html): "Candidature
    // simplifiée", "Suivant", "Vérifier", "Envoyer la candidature", "Sélectionnez une
    // option", "Suivre … pour rester informé(e)", "Votre candidature a été envoyée"
    let _one = BROWSER.lock().await;
    let env = apply_env().await;
    env.replica.serve_page(4270, fixture("foreign-job-fr.html"));
    let mut profile = ada_profile();
    for (q, a) in [
        ("Numéro de téléphone mobile", "5550100"),
        ("Adresse e-mail", "ada@example.org"),
        ("Êtes-vous autorisé(e) à travailler en France ?", "Oui"),
    ] {
        profile["answers"]
            .as_array_mut()
            .unwrap()
            .push(serde_json::json!({"question": q, "answer": a}));
    }
    let user = env.seed_user(&profile, COOKIE);
    env.seed_job(user, 4270);
    let (row, report) = env.claim_and_apply(false).await;
    assert_eq!(row.status.as_str(), "submitted", "{report:?}");
    assert!(
        report
            .steps
            .iter()
            .any(|s| s.step == "language" && s.detail == "fr (the page's <html lang>)"),
        "{:?}",
        report.steps
    );
    assert_eq!(row.display_language.as_deref(), Some("fr"));
    let submissions = env.replica.submissions();
    assert_eq!(submissions.len(), 1);
    let s = &submissions[0];
    for (label, value) in [
        ("Numéro de téléphone mobile", "5550100"),
        ("Adresse e-mail", "ada@example.org"),
        ("Êtes-vous autorisé(e) à travailler en France ?", "Oui"),
    ] {
        assert_eq!(
            s.fields.get(label).map(String::as_str),
            Some(value),
            "{label}"
        );
    }
    assert_eq!(
        s.follow_company,
        Some(false),
        "the French follow box, unticked"
    );
    assert_torn_down(&report);
}

#[tokio::test]
async fn a_language_without_texts_stops_before_any_click_and_spends_no_attempt() {
    let _one = BROWSER.lock().await;
    let env = apply_env().await;
    let italian = fixture("foreign-job-fr.html")
        .replace(r#"<html lang="fr-FR">"#, r#"<html lang="it-IT">"#)
        .replace("Candidature simplifiée", "Candidatura semplice");
    env.replica.serve_page(4271, italian);
    let user = env.seed_user(&ada_profile(), COOKIE);
    let id = env.seed_job(user, 4271);
    let (row, report) = env.claim_and_apply(false).await;
    assert_eq!(
        (row.status.as_str(), row.reason.as_deref()),
        ("needs_user", Some("unsupported_language")),
        "{report:?}"
    );
    let error = row.last_error.clone().unwrap();
    assert!(
        error.contains("`it`")
            && error.contains("[languages.it]")
            && error.contains("nothing was clicked"),
        "{error}"
    );
    assert_eq!(row.attempts, 0, "no attempt spent");
    assert_eq!(row.display_language.as_deref(), Some("it"));
    assert_eq!(
        page_loads(&env.replica),
        ["/jobs/view/4271/"],
        "one page load, nothing else"
    );
    assert!(env.replica.submissions().is_empty());
    assert!(
        env.replica.discarded().is_empty(),
        "no form was ever opened"
    );
    assert!(
        !report.steps.iter().any(|s| s.step == "job page"),
        "the job page was never acted on: {:?}",
        report.steps
    );
    assert!(
        report.drift.is_none(),
        "neutral for the drift breaker: {:?}",
        report.drift
    );
    assert_eq!(
        env.app.sql(&format!(
            "select status from job_applications where id = '{id}'"
        )),
        "needs_user"
    );
    assert_torn_down(&report);
}
