//! Accounts in other display languages (issue 25; the bundled replica in five
//! languages is `replica_languages.rs`): the page's language is
//! read on the first page, the site file's texts of that language are used from there
//! on, screening questions are recognised in it, and a language the file has no texts
//! for stops the run before any click. The page is written by hand in French
//! (`tests/fixtures/foreign-job-fr.html`, a style of its own) and translated here into
//! German, Spanish and Portuguese word by word, as LinkedIn would show it.

use crate::support::apply::{
    ApplyEnv, BROWSER, ada_profile, apply_env, assert_torn_down, page_loads,
};

const COOKIE: &str = "AQEDALanguagesSessionCookie-5d3e";

/// The French page's texts, and what each language shows instead.
const WORDS: [&str; 17] = [
    "fr-FR",
    "Candidature simplifiée",
    "Suivant",
    "Vérifier",
    "Envoyer la candidature",
    "Sélectionnez une option",
    "Numéro de téléphone mobile",
    "Adresse e-mail",
    "Êtes-vous autorisé(e) à travailler en France ?",
    "data-t=\"Oui\" required> Oui",
    "data-t=\"Non\" required> Non",
    "Suivre ' + COMPANY + ' pour rester informé(e) de son actualité.",
    "Votre candidature a été envoyée",
    "aria-label=\"Vous\"",
    "aria-label=\"Fermer\"",
    "Postuler chez",
    "Vérifiez vos réponses.",
];

fn translation(code: &str) -> [&'static str; 17] {
    match code {
        "de" => [
            "de-DE",
            "Einfach bewerben",
            "Weiter",
            "Überprüfen",
            "Bewerbung senden",
            "Option auswählen",
            "Mobiltelefonnummer",
            "E-Mail-Adresse",
            "Haben Sie eine Arbeitserlaubnis für Deutschland?",
            "data-t=\"Ja\" required> Ja",
            "data-t=\"Nein\" required> Nein",
            "' + COMPANY + ' folgen, um auf dem Laufenden zu bleiben.",
            "Ihre Bewerbung wurde gesendet",
            "aria-label=\"Ich\"",
            "aria-label=\"Schließen\"",
            "Bewerbung bei",
            "Prüfen Sie Ihre Antworten.",
        ],
        "es" => [
            "es-ES",
            "Solicitud sencilla",
            "Siguiente",
            "Revisar",
            "Enviar solicitud",
            "Selecciona una opción",
            "Número de teléfono móvil",
            "Correo electrónico",
            "¿Está autorizado para trabajar en España?",
            "data-t=\"Sí\" required> Sí",
            "data-t=\"No\" required> No",
            "Seguir a ' + COMPANY + ' para estar al día.",
            "Se ha enviado tu solicitud",
            "aria-label=\"Yo\"",
            "aria-label=\"Cerrar\"",
            "Solicitar en",
            "Revisa tus respuestas.",
        ],
        "pt" => [
            "pt-BR",
            "Candidatura simplificada",
            "Avançar",
            "Revisar",
            "Enviar candidatura",
            "Selecione uma opção",
            "Número de celular",
            "Endereço de e-mail",
            "Você está autorizado a trabalhar no Brasil?",
            "data-t=\"Sim\" required> Sim",
            "data-t=\"Não\" required> Não",
            "Seguir ' + COMPANY + ' para se manter atualizado.",
            "Candidatura enviada",
            "aria-label=\"Eu\"",
            "aria-label=\"Fechar\"",
            "Candidatar-se para",
            "Revise suas respostas.",
        ],
        _ => WORDS,
    }
}

/// The hand-written page in language `code`, as job `job`, showing `signal` instead
/// of the form when given.
fn page(code: &str, job: u64, signal: Option<&str>) -> String {
    let mut html = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/foreign-job-fr.html"),
    )
    .unwrap();
    for (fr, other) in WORDS.iter().zip(translation(code)) {
        assert!(html.contains(fr), "the fixture says {fr}");
        html = html.replace(fr, other);
    }
    html = html.replace("var JOB = 4270", &format!("var JOB = {job}"));
    if let Some(signal) = signal {
        html = html.replace("var SIGNAL = null;", &format!("var SIGNAL = {:?};", signal));
    }
    html
}

async fn run(
    env: &ApplyEnv,
    code: &str,
    job: u64,
    signal: Option<&str>,
    li_at: &str,
) -> (
    autoapply::store::Application,
    autoapply::apply::AttemptReport,
) {
    env.replica.serve_page(job, page(code, job, signal));
    let user = env.seed_user(&ada_profile(), li_at);
    env.seed_job(user, job);
    env.claim_and_apply(false).await
}

#[tokio::test]
async fn applications_in_french_german_spanish_and_portuguese_are_submitted() {
    // the plain profile: no explicit answer in any of these languages, the facts
    // recognised through the lexicon, yes/no options in each language
    let _one = BROWSER.lock().await;
    let env = apply_env().await;
    for (n, code) in ["fr", "de", "es", "pt"].into_iter().enumerate() {
        let job = 4270 + n as u64;
        let (row, report) = run(&env, code, job, None, &format!("{COOKIE}-{code}")).await;
        assert_eq!(row.status.as_str(), "submitted", "{code}: {report:?}");
        assert!(
            report
                .steps
                .iter()
                .any(|s| s.step == "language"
                    && s.detail == format!("{code} (the page's <html lang>)")),
            "{code}: {:?}",
            report.steps
        );
        assert_eq!(row.display_language.as_deref(), Some(code));
        let words = translation(code);
        let s = env.replica.submissions().pop().unwrap();
        assert_eq!(s.job_id, job);
        let yes = words[9].rsplit("> ").next().unwrap();
        for (label, value) in [
            (words[6], "5550100"),
            (words[7], "ada@example.org"),
            (words[8], yes),
        ] {
            assert_eq!(
                s.fields.get(label).map(String::as_str),
                Some(value),
                "{code}: {label}"
            );
        }
        assert_eq!(
            s.follow_company,
            Some(false),
            "{code}: the follow box, unticked"
        );
        assert_torn_down(&report);
    }
    assert_eq!(env.replica.submissions().len(), 4);
}

#[tokio::test]
async fn linkedins_limit_and_throttle_stop_the_user_in_french_and_german() {
    let _one = BROWSER.lock().await;
    let env = apply_env().await;
    let (row, report) = run(
        &env,
        "fr",
        4280,
        Some("Vous avez atteint la limite quotidienne de candidatures simplifiées. Enregistrez cette offre et revenez demain."),
        "AQEDALanguagesLimitFr",
    )
    .await;
    assert_eq!(
        (row.status.as_str(), row.reason.as_deref()),
        ("queued", Some("linkedin_daily_limit")),
        "{report:?}"
    );
    let (row, report) = run(
        &env,
        "de",
        4281,
        Some("Sie bewerben sich in schnellem Tempo. Wir haben „Einfach bewerben“ vorübergehend pausiert, um Ihr Konto zu schützen."),
        "AQEDALanguagesThrottleDe",
    )
    .await;
    assert_eq!(
        (row.status.as_str(), row.reason.as_deref()),
        ("queued", Some("linkedin_throttled")),
        "{report:?}"
    );
    assert!(env.replica.submissions().is_empty());
    assert_torn_down(&report);
}

#[tokio::test]
async fn a_dialog_the_site_file_does_not_know_stops_the_user_until_tomorrow() {
    use autoapply::store::Store as _;
    // LinkedIn's daily limit in German words the site file does not have: neither the
    // form nor a known message, so the user's run stops with a screenshot, nothing is
    // clicked again today and no attempt is spent (it was clicked three times before)
    let _one = BROWSER.lock().await;
    let env = apply_env().await;
    let words = "Sie haben heute die maximale Anzahl an Bewerbungen über „Einfach bewerben“ erreicht. Speichern Sie diesen Job und versuchen Sie es morgen erneut.";
    let (row, report) = run(&env, "de", 4285, Some(words), "AQEDALanguagesUnknownDe").await;
    assert_eq!(
        (row.status.as_str(), row.reason.as_deref(), row.attempts),
        ("queued", Some("unknown_dialog"), 0),
        "{report:?}"
    );
    let error = row.last_error.clone().unwrap();
    assert!(
        error.contains("maximale Anzahl an Bewerbungen") && error.contains("next UTC day"),
        "the operator reads what LinkedIn said: {error}"
    );
    let tomorrow = time::OffsetDateTime::now_utc().date().next_day().unwrap();
    assert_eq!(row.run_at.date(), tomorrow, "waits for the next UTC day");
    let shot = row
        .screenshot_path
        .clone()
        .expect("a screenshot for a person");
    assert!(std::path::Path::new(&shot).is_file(), "{shot}");
    assert_eq!(
        env.app.sql(&format!(
            "select paused_until::date = (now() at time zone 'utc')::date + 1 from platform_sessions where user_id = '{}'",
            row.user_id
        )),
        "t",
        "the user's other applications wait too"
    );
    env.seed_job(row.user_id, 4286);
    assert!(
        env.app
            .store
            .claim("test-worker", std::time::Duration::from_secs(60))
            .await
            .unwrap()
            .is_none(),
        "nothing of this user is claimed again today"
    );
    assert!(env.replica.submissions().is_empty());
    assert_torn_down(&report);
}

#[tokio::test]
async fn a_language_without_texts_stops_before_any_click_and_spends_no_attempt() {
    let _one = BROWSER.lock().await;
    let env = apply_env().await;
    let italian = page("fr", 4290, None)
        .replace(r#"<html lang="fr-FR">"#, r#"<html lang="it-IT">"#)
        .replace("Candidature simplifiée", "Candidatura semplice");
    env.replica.serve_page(4290, italian);
    let user = env.seed_user(&ada_profile(), COOKIE);
    let id = env.seed_job(user, 4290);
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
        ["/jobs/view/4290/"],
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
