//! LinkedIn's standard screening questions (driving licence, immediate start, work
//! settings, education, licences and certifications, language proficiency), answered
//! from the profile's optional facts for them and from nothing else.

use super::{Value, lexicon::has, normalize};
use crate::domain::ApplicantProfile;

/// `None`: not one of these questions. `Some(None)`: one of them that the profile
/// does not answer (asked, never answered from another fact). `Some(Some(v))`: the
/// answer.
pub(super) fn answer(profile: &ApplicantProfile, label: &str) -> Option<Option<Value>> {
    let flag = |v: Option<bool>| Some(v.map(Value::Bool));
    if has("driving_licence", label) {
        return flag(profile.driving_licence);
    }
    if has("immediate_start", label) {
        return flag(profile.start_immediately);
    }
    if has("education", label) {
        return Some(named(&profile.education, label));
    }
    if has("certification", label) {
        return Some(named(&profile.certifications, label));
    }
    if has("proficiency", label)
        && let Some(level) = language_level(profile, label)
    {
        return Some(level);
    }
    let w = &profile.work_settings;
    let settings: Vec<Option<bool>> = [
        ("remote", w.remote),
        ("hybrid", w.hybrid),
        ("on_site", w.on_site),
    ]
    .into_iter()
    .filter(|(fact, _)| has(fact, label))
    .map(|(_, accepted)| accepted)
    .collect();
    match settings[..] {
        [] => None,
        [one] => flag(one),
        // "remote or hybrid?": more than one setting, no single answer
        _ => Some(None),
    }
}

/// Yes when the question names one of `held` (as a whole phrase); otherwise not
/// known: a level or certificate the user did not list is asked, never denied.
fn named(held: &[String], label: &str) -> Option<Value> {
    let padded = format!(" {label} ");
    held.iter()
        .map(|h| normalize(h))
        .any(|h| !h.is_empty() && padded.contains(&format!(" {h} ")))
        .then_some(Value::Bool(true))
}

/// The level the profile gives for the language the question names (`Some(None)`
/// when it names one the profile has no level for is left to the caller: `None`
/// here means no language of the profile is named).
fn language_level(profile: &ApplicantProfile, label: &str) -> Option<Option<Value>> {
    let padded = format!(" {label} ");
    profile
        .languages
        .iter()
        .find(|(language, _)| {
            let language = normalize(language);
            !language.is_empty() && padded.contains(&format!(" {language} "))
        })
        .map(|(_, level)| {
            Some(level.trim())
                .filter(|l| !l.is_empty())
                .map(|l| Value::Text(l.to_owned()))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ask(profile: &ApplicantProfile, question: &str) -> Option<Option<Value>> {
        answer(profile, &normalize(question))
    }

    #[test]
    fn the_standard_questions_come_from_their_own_facts_or_are_asked() {
        let empty = ApplicantProfile::default();
        let profile = ApplicantProfile::from_json(&serde_json::json!({
            "driving_licence": true,
            "start_immediately": false,
            "work_settings": {"remote": true, "hybrid": true, "on_site": false},
            "education": ["Bachelor's Degree"],
            "certifications": ["AWS Certified Solutions Architect"],
            "languages": {"German": "Professional", "Deutsch": "Professional"}
        }))
        .unwrap();
        let yes = Some(Some(Value::Bool(true)));
        let no = Some(Some(Value::Bool(false)));
        let asked = Some(None);
        for (question, want) in [
            ("Do you have a valid driver's license?", &yes),
            ("Haben Sie einen gültigen Führerschein?", &yes),
            (
                "We must fill this position urgently. Can you start immediately?",
                &no,
            ),
            ("Are you comfortable working in a hybrid setting?", &yes),
            ("Are you comfortable working in an onsite setting?", &no),
            ("¿Te sientes cómodo trabajando en remoto?", &yes),
            ("Are you open to remote or hybrid work?", &asked),
            (
                "Have you completed the following level of education: Bachelor's Degree?",
                &yes,
            ),
            (
                "Have you completed the following level of education: Doctorate?",
                &asked,
            ),
            (
                "Do you have the following license or certification: AWS Certified Solutions Architect?",
                &yes,
            ),
            (
                "Do you have the following license or certification: CPA?",
                &asked,
            ),
        ] {
            assert_eq!(&ask(&profile, question), want, "{question}");
            let none = ask(&empty, question);
            assert!(
                none.is_some() && none.clone().flatten().is_none(),
                "{question}: without the fact, asked: {none:?}"
            );
        }
        assert_eq!(
            ask(&profile, "What is your level of proficiency in German?"),
            Some(Some(Value::Text("Professional".into())))
        );
        assert_eq!(
            ask(&profile, "Wie sind Ihre Sprachkenntnisse in Deutsch?"),
            Some(Some(Value::Text("Professional".into())))
        );
        assert_eq!(
            ask(&profile, "What is your level of proficiency in Japanese?"),
            None,
            "a language the profile does not list: not answered"
        );
        assert_eq!(ask(&profile, "How did you hear about us?"), None);
    }
}
