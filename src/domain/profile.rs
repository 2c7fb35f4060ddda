//! The applicant profile: what the job seeker told the platform about themselves,
//! stored as `applicant_profiles.profile` (jsonb). Every answer the worker gives
//! comes from here; a question it cannot answer from here stays unanswered.
//!
//! The schema is documented field by field below and in README.md. Unknown fields
//! are ignored, so the platform may add fields before the worker reads them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// An example profile in the documented schema (Ada, who answers everything the
/// replica's multi-step job asks): the demo's profile and the tests' base fixture,
/// one file so that the three cannot drift apart.
pub const EXAMPLE: &str = include_str!("profile.example.json");

/// [`EXAMPLE`] as JSON.
pub fn example() -> serde_json::Value {
    serde_json::from_str(EXAMPLE).expect("the example profile is JSON")
}

/// The whole profile.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ApplicantProfile {
    /// contact details (the Easy Apply "Contact info" step)
    pub contact: Contact,
    /// years of experience per skill, e.g. `{"python": 5, "rust": 2.5}` (a number,
    /// whole or decimal, or the same as text: `"4.5"`, `"4,5"`); keys are matched
    /// case-insensitively against "How many years of experience do you have with X?"
    pub experience_years: BTreeMap<String, Years>,
    /// legally authorized to work in the job's country
    pub work_authorization: Option<bool>,
    /// needs visa sponsorship now or in the future
    pub requires_sponsorship: Option<bool>,
    /// notice period in days
    pub notice_period_days: Option<u32>,
    /// expected salary
    pub salary_expectation: Option<Salary>,
    /// willing to relocate
    pub willing_to_relocate: Option<bool>,
    /// willing to commute to the job's location
    pub willing_to_commute: Option<bool>,
    /// consents to a background check
    pub background_check: Option<bool>,
    /// a cover letter the user wrote: its text for a cover-letter text box, its file
    /// (in the résumé folder, like the résumé) for a cover-letter upload; without
    /// one such a question is left empty, or asked when required — never written
    pub cover_letter: Option<CoverLetter>,
    /// holds a valid driving licence
    pub driving_licence: Option<bool>,
    /// can start at once ("Can you start immediately?"); a start-date question is
    /// then answered with today's date (UTC)
    pub start_immediately: Option<bool>,
    /// the first day the user is free to start, `YYYY-MM-DD`: a start-date question
    /// is answered with it (today's date once it has passed); without it or
    /// `start_immediately`, a start date is asked — never derived from a notice period
    #[serde(with = "iso_date")]
    pub available_from: Option<time::Date>,
    /// the work settings the user accepts ("comfortable working in a hybrid setting?")
    pub work_settings: WorkSettings,
    /// education levels completed, as LinkedIn names them ("Bachelor's Degree"): a
    /// question naming one is answered yes; any other is asked
    pub education: Vec<String>,
    /// licences and certifications held, as their issuers name them: a question
    /// naming one is answered yes; any other is asked
    pub certifications: Vec<String>,
    /// languages and the level in each, as LinkedIn's options read (`{"German":
    /// "Professional"}`), the language by the name the question uses
    pub languages: BTreeMap<String, String>,
    /// voluntary self-identification, each answer as the user states it: only these
    /// answer such a question; without one it is left as it is, or asked when required
    pub self_identification: SelfIdentification,
    /// keep LinkedIn's "follow company" box ticked; default false (unfollow)
    pub follow_companies: bool,
    /// explicit question/answer pairs, matched after normalizing case, spacing and
    /// punctuation; answers to questions the worker stored in `pending_questions`
    /// come back here
    pub answers: Vec<QuestionAnswer>,
}

/// Contact details.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Contact {
    /// given name
    pub first_name: Option<String>,
    /// family name
    pub last_name: Option<String>,
    /// e-mail address
    pub email: Option<String>,
    /// phone number as the user writes it, without the country code
    pub phone: Option<String>,
    /// phone country as LinkedIn lists it, e.g. "United States (+1)"
    pub phone_country: Option<String>,
    /// city, e.g. "Berlin, Germany" (LinkedIn's typeahead picks the matching entry)
    pub city: Option<String>,
}

/// Years of experience as people write them: `4`, `4.5`, `"4.5"` or `"4,5"`; never
/// negative, at most 80.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Years(f64);

impl Years {
    /// The years, from a number a person wrote; `None` when it is not 0 to 80.
    pub fn new(years: f64) -> Option<Self> {
        (years.is_finite() && (0.0..=80.0).contains(&years)).then_some(Self(years))
    }

    /// The years as a number.
    pub fn get(self) -> f64 {
        self.0
    }
}

impl<'de> Deserialize<'de> for Years {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Written {
            Number(f64),
            Text(String),
        }
        let years = match Written::deserialize(d).map_err(|_| {
            serde::de::Error::custom("expected years as a number (4 or 4.5) or its text")
        })? {
            Written::Number(n) => n,
            Written::Text(t) => t.trim().replace(',', ".").parse().map_err(|_| {
                serde::de::Error::custom("expected years as a number (4 or 4.5) or its text")
            })?,
        };
        Self::new(years).ok_or_else(|| serde::de::Error::custom("expected years from 0 to 80"))
    }
}

/// Why a stored profile cannot be used: where in the document and what is wrong,
/// never a value (a profile is personal data).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("the applicant profile does not match the documented schema at `{path}`: {problem}")]
pub struct ProfileError {
    /// the field, e.g. `experience_years.python` (`.` for the whole document)
    pub path: String,
    /// what is wrong with it
    pub problem: String,
}

impl ApplicantProfile {
    /// The profile in `value`, or where and why it does not match the schema.
    pub fn from_json(value: &serde_json::Value) -> Result<Self, ProfileError> {
        if !value.is_object() {
            // serde would read a list positionally, field by field
            return Err(ProfileError {
                path: ".".into(),
                problem: "expected a JSON object".into(),
            });
        }
        serde_path_to_error::deserialize(value).map_err(|e| ProfileError {
            path: e.path().to_string(),
            problem: without_values(&e.inner().to_string()),
        })
    }
}

/// serde's message without what it quotes: `invalid type: string "x", expected u32`
/// → `invalid type: string, expected a whole number`.
fn without_values(message: &str) -> String {
    let mut out = String::new();
    let mut quote = None;
    for c in message.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '`' => {
                quote = Some(c);
                // drop the space before the quoted value
                while out.ends_with(' ') {
                    out.pop();
                }
            }
            None => out.push(c),
        }
    }
    out.replace(" u32", " a whole number")
        .replace(" u64", " a whole number")
        .replace(" f64", " a number")
        .replace(" a boolean", " true or false")
}

/// A date written `YYYY-MM-DD`, and only that form (the one no country reads another
/// way: no day-month order to guess).
pub fn parse_iso_date(text: &str) -> Option<time::Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(text.trim(), format).ok()
}

/// `YYYY-MM-DD`, and only that (no day-month order to guess).
mod iso_date {
    use super::parse_iso_date;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &Option<time::Date>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_str(&d.to_string()),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<time::Date>, D::Error> {
        Option::<String>::deserialize(d)
            .map_err(|_| serde::de::Error::custom("expected a date as YYYY-MM-DD"))?
            .map(|t| {
                parse_iso_date(&t)
                    .ok_or_else(|| serde::de::Error::custom("expected a date as YYYY-MM-DD"))
            })
            .transpose()
    }
}

/// The work settings a user accepts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WorkSettings {
    /// remote
    pub remote: Option<bool>,
    /// hybrid
    pub hybrid: Option<bool>,
    /// on site
    pub on_site: Option<bool>,
}

/// Voluntary self-identification (the US equal-opportunity questions and their
/// like), each the user's own words, best as LinkedIn's option reads ("Female", "I am
/// not a protected veteran"); chosen only where an option says the same (or the same
/// yes or no), never guessed, never declined for the user.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SelfIdentification {
    /// gender
    pub gender: Option<String>,
    /// race or ethnicity
    pub ethnicity: Option<String>,
    /// veteran status
    pub veteran: Option<String>,
    /// disability status
    pub disability: Option<String>,
}

/// The user's own cover letter.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CoverLetter {
    /// the letter as text
    pub text: Option<String>,
    /// the letter as a file (PDF, DOC, DOCX) of the résumé folder
    pub file: Option<String>,
}

/// A salary expectation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Salary {
    /// the amount, in `currency` per `period`
    pub amount: u64,
    /// ISO 4217 code, e.g. "EUR"
    #[serde(default)]
    pub currency: Option<String>,
    /// "year" (default), "month" or "hour"
    #[serde(default)]
    pub period: Option<String>,
}

/// One explicit answer of the job seeker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuestionAnswer {
    /// the question as LinkedIn showed it
    pub question: String,
    /// the answer: free text, a number, or the text of the option to choose
    pub answer: String,
    /// when the user gave this answer back for a question the worker asked (RFC 3339,
    /// UTC): the receipt marks answers that came from the user's earlier replies
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answered_at: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_documented_profile_parses_and_unknown_fields_are_ignored() {
        let mut json = example();
        json["some_future_field"] = serde_json::json!({"x": 1});
        let profile: ApplicantProfile = serde_json::from_value(json).unwrap();
        assert_eq!(profile.contact.first_name.as_deref(), Some("Ada"));
        assert_eq!(profile.experience_years["rust"].get(), 2.0);
        assert_eq!(profile.salary_expectation.unwrap().amount, 85000);
        assert!(!profile.follow_companies);
        assert_eq!(profile.answers.len(), 4);
        assert_eq!(profile.willing_to_commute, None, "unknown stays unknown");
    }

    #[test]
    fn years_are_read_as_people_write_them() {
        for (written, years) in [
            (serde_json::json!(4), 4.0),
            (serde_json::json!(4.5), 4.5),
            (serde_json::json!("4.5"), 4.5),
            (serde_json::json!(" 4,5 "), 4.5),
        ] {
            let profile = ApplicantProfile::from_json(
                &serde_json::json!({"experience_years": {"go": written}}),
            )
            .unwrap();
            assert_eq!(profile.experience_years["go"].get(), years);
        }
    }

    #[test]
    fn a_malformed_profile_says_where_and_what_without_the_value() {
        let cases = [
            (
                serde_json::json!({"experience_years": {"go": "four and a half"}}),
                "experience_years.go",
                "expected years as a number (4 or 4.5) or its text",
            ),
            (
                serde_json::json!({"experience_years": {"go": -1}}),
                "experience_years.go",
                "expected years from 0 to 80",
            ),
            (
                serde_json::json!({"notice_period_days": "secret thirty"}),
                "notice_period_days",
                "invalid type: string, expected a whole number",
            ),
            (
                serde_json::json!({"work_authorization": "yes"}),
                "work_authorization",
                "invalid type: string, expected true or false",
            ),
            (serde_json::json!(["a list"]), ".", "expected a JSON object"),
        ];
        for (json, path, problem) in cases {
            let e = ApplicantProfile::from_json(&json).unwrap_err();
            assert_eq!(
                (e.path.as_str(), e.problem.as_str()),
                (path, problem),
                "{json}"
            );
            assert!(!e.to_string().contains("secret"), "{e}");
        }
    }

    #[test]
    fn an_empty_profile_knows_nothing() {
        let profile: ApplicantProfile = serde_json::from_str("{}").unwrap();
        assert_eq!(profile, ApplicantProfile::default());
        assert!(!profile.follow_companies, "default is unfollow");
    }
}
