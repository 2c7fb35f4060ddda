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
    /// years of experience per skill, e.g. `{"python": 5, "rust": 2}`; keys are
    /// matched case-insensitively against "How many years of experience do you have
    /// with X?"
    pub experience_years: BTreeMap<String, u32>,
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
        assert_eq!(profile.experience_years.get("rust"), Some(&2));
        assert_eq!(profile.salary_expectation.unwrap().amount, 85000);
        assert!(!profile.follow_companies);
        assert_eq!(profile.answers.len(), 4);
        assert_eq!(profile.willing_to_commute, None, "unknown stays unknown");
    }

    #[test]
    fn an_empty_profile_knows_nothing() {
        let profile: ApplicantProfile = serde_json::from_str("{}").unwrap();
        assert_eq!(profile, ApplicantProfile::default());
        assert!(!profile.follow_companies, "default is unfollow");
    }
}
