//! The bundled replica in the account's display language (issue 25): every markup
//! generation served in French, German, Spanish and Portuguese from the session's
//! `lang` cookie (texts, accessible names, option values, the client's dialogs), applied
//! to end to end with every answer asserted; LinkedIn's daily limit and throttle in two
//! of them; an account in a language the site file does not cover stops with no click.

use crate::support::apply::{
    ApplyEnv, BROWSER, ada_profile, apply_env, assert_torn_down, page_loads,
};
use autoapply::replica::{Submission, i18n::Lang};

/// The profile of a user whose account is in `lang`: the plain facts, and the explicit
/// answers written as that user saw the questions (in their language).
fn profile_in(lang: &Lang) -> serde_json::Value {
    let say = |en: &str| lang.say(en).unwrap_or_else(|| en.to_owned());
    let mut profile = ada_profile();
    profile["answers"] = serde_json::json!([
        {"question": say("I consent to the processing of my personal data for this application"), "answer": say("Yes")},
        {"question": say("Country of residence"), "answer": say("United Kingdom")},
        {"question": say("What is your level of proficiency in English?"), "answer": say("Native or bilingual")},
        {"question": say("Which of these cloud platforms have you used? Select all that apply."), "answer": "AWS, GCP"},
    ]);
    profile
}

/// What the multi-step form (every generation's) must have received in `lang`.
fn expected(lang: &Lang, job: u64, resume: &str) -> Vec<(&'static str, String)> {
    let say = |en: &str| lang.say(en).expect("a translated text");
    let mut fields = vec![
        ("First name", "Ada".to_owned()),
        ("Last name", "Lovelace".to_owned()),
        ("Phone country code", say("United Kingdom (+44)")),
        ("Mobile phone number", "5550100".to_owned()),
        ("Email address", "ada@example.org".to_owned()),
        ("Resume", resume.to_owned()),
        (
            "How many years of experience do you have with Python?",
            "5".to_owned(),
        ),
        ("What is your notice period?", say("30 days")),
        ("Are you legally authorized to work in Germany?", say("Yes")),
        (
            "Will you now or in the future require sponsorship for employment visa status?",
            say("No"),
        ),
        (
            "I consent to the processing of my personal data for this application",
            say("I agree"),
        ),
        ("Follow company", "false".to_owned()),
    ];
    if job == 1030 {
        fields.extend([
            ("Country of residence", say("United Kingdom")),
            (
                "What is your level of proficiency in English?",
                say("Native or bilingual"),
            ),
            (
                "Which of these cloud platforms have you used? Select all that apply.",
                "AWS, GCP".to_owned(),
            ),
            ("Stay in touch", String::new()),
        ]);
    } else {
        fields.push(("City", "London, England, United Kingdom".to_owned()));
    }
    fields
}

fn assert_answers(s: &Submission, lang: &Lang, job: u64, resume: &str) {
    let expected = expected(lang, job, resume);
    for (label, value) in &expected {
        assert_eq!(
            s.fields.get(*label),
            Some(value),
            "{} job {job}, field {label}: {:?}",
            lang.tag,
            s.fields
        );
    }
    assert_eq!(s.fields.len(), expected.len(), "{:?}", s.fields.keys());
    assert_eq!(s.follow_company, Some(false), "the follow box, unticked");
}

/// A Windows user's stored user agent (most job seekers' sessions come from Windows).
const WINDOWS_UA: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36";

async fn apply_in(
    env: &ApplyEnv,
    tag: &str,
    job: u64,
    user_agent: Option<&str>,
) -> (
    autoapply::store::Application,
    autoapply::apply::AttemptReport,
) {
    let lang = Lang::from_tag(tag);
    let cookie = format!("AQEDAReplicaLanguage-{tag}-{job}");
    let user = env.seed_user_in(&profile_in(&lang), &cookie, Some(tag));
    if let Some(ua) = user_agent {
        env.app.sql(&format!(
            "update platform_sessions set user_agent = '{ua}' where user_id = '{user}'"
        ));
    }
    env.seed_job(user, job);
    env.claim_and_apply(false).await
}

#[tokio::test]
async fn every_generation_is_applied_to_in_french_german_spanish_and_portuguese() {
    let _one = BROWSER.lock().await;
    let env = apply_env().await;
    // 1002 artdeco 2024-25, 1017 April 2026 shadow root, 1018 September 2026 native
    // dialog, 1030 October 2026 server-driven dialog: each in each language
    let runs = ["fr-fr", "de-de", "es-es", "pt-br"]
        .into_iter()
        .flat_map(|tag| [1002, 1017, 1018, 1030].map(|job| (tag, job)));
    for (n, (tag, job)) in runs.into_iter().enumerate() {
        let lang = Lang::from_tag(tag);
        // every other user's session comes from Windows: each language and each
        // generation with both (the sensor checks one identity on every page)
        let windows = n % 2 == 1;
        let seen_before = env.replica.sensor_reports().len();
        let (row, report) = apply_in(&env, tag, job, windows.then_some(WINDOWS_UA)).await;
        for seen in &env.replica.sensor_reports()[seen_before..] {
            assert!(
                seen.languages
                    .first()
                    .is_some_and(|l| l.to_ascii_lowercase().starts_with(&tag[..2])),
                "{tag} job {job}: the browser's languages {:?} on {}",
                seen.languages,
                seen.url
            );
            if windows {
                assert_eq!(
                    seen.user_agent, WINDOWS_UA,
                    "{tag} job {job} on {}",
                    seen.url
                );
            }
        }
        assert_eq!(
            row.status.as_str(),
            "submitted",
            "{tag} job {job}: {:?} {report:?}",
            row.last_error
        );
        let code = &tag[..2];
        assert_eq!(row.display_language.as_deref(), Some(code), "{tag}");
        assert!(
            report
                .steps
                .iter()
                .any(|s| s.step == "language" && s.detail.starts_with(code)),
            "{tag}: {:?}",
            report.steps
        );
        let submissions = env.replica.submissions();
        assert_eq!(submissions.len(), n + 1, "{tag} job {job}: submitted once");
        let s = submissions.last().unwrap();
        assert_eq!(s.job_id, job);
        // the user's résumé, over LinkedIn's preselected card on 1030 too
        let resume = format!("resume-{}.pdf", row.user_id);
        assert_answers(s, &lang, job, &resume);
        assert_torn_down(&report);
    }
}

#[tokio::test]
async fn linkedins_limit_and_throttle_stop_the_user_on_the_replica_in_every_language() {
    let _one = BROWSER.lock().await;
    let env = apply_env().await;
    // 1007: the 2024-25 daily limit, 1013: the 2026 one, 1014: the throttle
    for (tag, job, reason) in [
        ("es-es", 1007, "linkedin_daily_limit"),
        ("fr-fr", 1007, "linkedin_daily_limit"),
        ("pt-br", 1013, "linkedin_daily_limit"),
        ("pt-br", 1014, "linkedin_throttled"),
        ("de-de", 1014, "linkedin_throttled"),
    ] {
        let (row, report) = apply_in(&env, tag, job, None).await;
        assert_eq!(
            (row.status.as_str(), row.reason.as_deref()),
            ("queued", Some(reason)),
            "{tag} job {job}: {:?} {report:?}",
            row.last_error
        );
        assert_eq!(
            row.attempts, 0,
            "{tag} job {job}: LinkedIn's stop spends no attempt"
        );
        assert_torn_down(&report);
    }
    assert!(env.replica.submissions().is_empty());
}

#[tokio::test]
async fn an_account_in_italian_on_the_replica_ends_unsupported_language_with_no_click() {
    let _one = BROWSER.lock().await;
    let env = apply_env().await;
    let (row, report) = apply_in(&env, "it-it", 1002, None).await;
    assert_eq!(
        (row.status.as_str(), row.reason.as_deref()),
        ("needs_user", Some("unsupported_language")),
        "{report:?}"
    );
    assert_eq!(row.attempts, 0);
    assert_eq!(row.display_language.as_deref(), Some("it"));
    assert_eq!(
        page_loads(&env.replica),
        ["/jobs/view/1002/"],
        "one page load, no click"
    );
    assert!(env.replica.submissions().is_empty() && env.replica.discarded().is_empty());
    assert_torn_down(&report);
}
