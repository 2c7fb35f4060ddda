//! Answers from the applicant profile. Every answer comes from what the job seeker
//! told the platform; a question the profile cannot answer stays unanswered
//! ([`Resolution::Unknown`]), and the flow stops before Submit when it is required.
//! A value LinkedIn prefilled from the user's own account is kept when the profile
//! has nothing better. Questions are recognised in every display language of
//! `lexicon.toml` (data): a question none of its phrases recognise stays unknown.

mod choice;
mod dates;
pub mod lexicon;
mod money;
mod screening;

use std::path::{Path, PathBuf};

use crate::{
    domain::{ApplicantProfile, profile::QuestionAnswer},
    page::{Field, FieldKind},
};

/// What to do with one field.
#[derive(Clone, PartialEq, Eq)]
pub enum Resolution {
    /// type this text
    Type(String),
    /// choose this option (its exact text, from the field's options)
    Choose(String),
    /// tick exactly these options of a checkbox fieldset
    Check(Vec<String>),
    /// set the follow-company box
    Follow(bool),
    /// upload this file
    Upload(PathBuf),
    /// select LinkedIn's résumé card `k` (the application's file, already on LinkedIn)
    SelectDocument(u32),
    /// type `typed`, the whole part of the decimal `given` (the field takes whole
    /// numbers only): the receipt says so
    Whole {
        /// what is typed
        typed: String,
        /// the profile's (or the user's) decimal answer
        given: String,
    },
    /// keep what is there: it is already the profile's answer, or a résumé LinkedIn
    /// selected
    Keep,
    /// keep LinkedIn's prefilled answer to a question the profile does not know (the
    /// user's own earlier answer on LinkedIn); the receipt shows it as LinkedIn's
    KeepPrefilled,
    /// no answer: an optional field stays empty, a required one stops the flow
    Unknown,
}

impl std::fmt::Debug for Resolution {
    // answers are personal data: show the kind of action, never the value
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Type(_) => "Type(..)",
            Self::Choose(_) => "Choose(..)",
            Self::Check(_) => "Check(..)",
            Self::Follow(_) => "Follow(..)",
            Self::Upload(_) => "Upload(..)",
            Self::SelectDocument(_) => "SelectDocument(..)",
            Self::Whole { .. } => "Whole(..)",
            Self::Keep => "Keep",
            Self::KeepPrefilled => "KeepPrefilled",
            Self::Unknown => "Unknown",
        })
    }
}

/// What a file input asks for, by its own label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// the résumé
    Resume,
    /// a cover letter
    CoverLetter,
    /// something else (a portfolio, a transcript): no file of the user's fits
    Other,
}

/// Tells a file input apart by its label (or, without one, its id and name): a
/// cover letter before a résumé ("CV and cover letter" is a letter's input only when
/// it says letter and not résumé).
pub fn file_kind(label: &str) -> FileKind {
    let label = normalize(label);
    match (has("resume", &label), has("cover_letter", &label)) {
        (_, true) => FileKind::CoverLetter,
        (true, false) => FileKind::Resume,
        (false, false) => FileKind::Other,
    }
}

/// A value from the profile, before it is fitted to the field's kind.
#[derive(Debug, Clone, PartialEq)]
enum Value {
    Text(String),
    Number(u64),
    /// years of experience, whole or decimal (`4.5`)
    Years(f64),
    Bool(bool),
}

/// Lower case, punctuation as spaces, spaces collapsed.
pub fn normalize(text: &str) -> String {
    text.to_lowercase()
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '+' {
                c
            } else {
                ' '
            }
        })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

use self::{
    choice::{choose, ticks, whole_number},
    lexicon::has,
};

/// Whole-word (or whole-phrase) containment on normalized text.
fn has_phrase(label: &str, phrase: &str) -> bool {
    let phrase = normalize(phrase);
    !phrase.is_empty() && format!(" {label} ").contains(&format!(" {phrase} "))
}

fn explicit(profile: &ApplicantProfile, label: &str) -> Option<Value> {
    explicit_entry(profile, label).map(|qa| Value::Text(qa.answer.trim().to_owned()))
}

/// The profile's explicit answer for the (normalized) question `label`: the same
/// question, else one of three words or more that holds it or is held by it.
fn explicit_entry<'p>(profile: &'p ApplicantProfile, label: &str) -> Option<&'p QuestionAnswer> {
    let exact = profile
        .answers
        .iter()
        .find(|qa| normalize(&qa.question) == label);
    let close = || {
        profile.answers.iter().find(|qa| {
            let q = normalize(&qa.question);
            q.split(' ').count() >= 3
                && (label.contains(&q) || q.contains(label))
                && label.split(' ').count() >= 3
        })
    };
    exact.or_else(close)
}

/// When the user gave back the explicit answer that answers `question` (as shown),
/// where that answer came from one of their replies: what the receipt marks.
pub fn replied_at<'p>(profile: &'p ApplicantProfile, question: &str) -> Option<&'p str> {
    explicit_entry(profile, &normalize(question)).and_then(|qa| qa.answered_at.as_deref())
}

fn years_for(profile: &ApplicantProfile, label: &str) -> Option<Value> {
    if !(has("years", label) && has("experience", label)) {
        return None;
    }
    // "… years of experience (in months)?": a unit the profile does not use is asked,
    // never converted
    if ["month", "week", "day", "hour"]
        .iter()
        .any(|unit| has(unit, label))
    {
        return None;
    }
    // the longest skill name that appears as a phrase: "rust" must not match "rustic"
    profile
        .experience_years
        .iter()
        .filter(|(skill, _)| has_phrase(label, skill))
        .max_by_key(|(skill, _)| skill.len())
        .map(|(_, years)| Value::Years(years.get()))
}

fn from_profile(profile: &ApplicantProfile, label: &str, raw: &str) -> Option<Value> {
    let c = &profile.contact;
    let text = |v: &Option<String>| {
        v.as_ref()
            .filter(|s| !s.trim().is_empty())
            .map(|s| Value::Text(s.clone()))
    };
    let flag = |v: Option<bool>| v.map(Value::Bool);
    // self-identification: from its own profile data or not at all (checked first,
    // so that no other fact ever answers it)
    let me = &profile.self_identification;
    for (fact, answer) in
        SELF_ID
            .iter()
            .zip([&me.gender, &me.ethnicity, &me.veteran, &me.disability])
    {
        if has(fact, label) {
            return text(answer);
        }
    }
    if let Some(v) = years_for(profile, label) {
        return Some(v);
    }
    if has("years", label) {
        return None; // years of something the profile does not list: unknown
    }
    if has("first_name", label) {
        return text(&c.first_name);
    }
    if has("last_name", label) {
        return text(&c.last_name);
    }
    if has("email", label) {
        return text(&c.email);
    }
    if has("phone_country", label) {
        return text(&c.phone_country);
    }
    if has("phone", label) {
        return text(&c.phone);
    }
    if has("sponsorship", label) {
        return flag(profile.requires_sponsorship);
    }
    if has("work_authorization", label) {
        return flag(profile.work_authorization);
    }
    if has("relocation", label) {
        return flag(profile.willing_to_relocate);
    }
    if has("commute", label) {
        return flag(profile.willing_to_commute);
    }
    if has("background_check", label) {
        return flag(profile.background_check);
    }
    if has("cover_letter", label) {
        return profile
            .cover_letter
            .as_ref()
            .and_then(|c| c.text.as_ref())
            .filter(|t| !t.trim().is_empty())
            .map(|t| Value::Text(t.clone()));
    }
    if has("notice_period", label) {
        return notice_period(profile.notice_period_days?, label);
    }
    if has("salary", label) {
        return money::salary(profile.salary_expectation.as_ref()?, label, raw);
    }
    if has("city", label) && !has("relocation", label) {
        return text(&c.city);
    }
    screening::answer(profile, label).flatten()
}

/// The self-identification facts, in the profile's order.
const SELF_ID: [&str; 4] = ["gender", "ethnicity", "veteran", "disability"];

/// A self-identification question (gender, ethnicity, veteran status, disability).
fn self_identification(label: &str) -> bool {
    SELF_ID.iter().any(|fact| has(fact, label))
}

/// The notice period in the unit the question asks for (weeks or months only when
/// the days divide evenly: never a rounded answer).
fn notice_period(days: u32, label: &str) -> Option<Value> {
    if has("week", label) {
        days.is_multiple_of(7)
            .then(|| Value::Number(u64::from(days / 7)))
    } else if has("month", label) && !has("day", label) {
        days.is_multiple_of(30)
            .then(|| Value::Number(u64::from(days / 30)))
    } else {
        Some(Value::Number(u64::from(days)))
    }
}

fn as_text(value: &Value) -> String {
    match value {
        Value::Text(t) => t.clone(),
        Value::Number(n) => n.to_string(),
        Value::Years(y) => y.to_string(),
        Value::Bool(true) => "Yes".into(),
        Value::Bool(false) => "No".into(),
    }
}

/// Decides what to put in `field`.
pub fn resolve(
    field: &Field,
    profile: &ApplicantProfile,
    resume: Option<&Path>,
    document_selected: bool,
) -> Resolution {
    let label = normalize(&field.label);
    match field.kind {
        FieldKind::FollowCompany => return Resolution::Follow(profile.follow_companies),
        FieldKind::File => {
            if document_selected {
                return Resolution::Keep;
            }
            return resume.map_or(Resolution::Unknown, |p| Resolution::Upload(p.to_owned()));
        }
        FieldKind::Unknown => return Resolution::Unknown,
        FieldKind::Date => return date_field(field, profile, &label),
        _ => {}
    }
    let value = explicit(profile, &label).or_else(|| from_profile(profile, &label, &field.label));
    let resolved = value.and_then(|value| match field.kind {
        FieldKind::Select | FieldKind::Radio => {
            choose(&field.options, &value).map(Resolution::Choose)
        }
        FieldKind::Checkbox => ticks(field, &value).map(Resolution::Check),
        FieldKind::Text | FieldKind::Textarea | FieldKind::Typeahead => {
            Some(Resolution::Type(as_text(&value)))
        }
        FieldKind::Date | FieldKind::File | FieldKind::FollowCompany | FieldKind::Unknown => None,
    });
    let resolved = match resolved {
        Some(Resolution::Type(t)) if field.whole => Some(whole_number(t)),
        other => other,
    };
    match resolved {
        Some(Resolution::Type(t) | Resolution::Whole { typed: t, .. })
            if !field.value.is_empty() && normalize(&t) == normalize(&field.value) =>
        {
            Resolution::Keep
        }
        Some(Resolution::Choose(o)) if normalize(&o) == normalize(&field.value) => Resolution::Keep,
        Some(r) => r,
        // no consent on the user's behalf: a box the profile does not answer ends
        // unticked when it is optional (a prechecked marketing opt-in included), and is
        // a question for the user when it is required (a privacy notice, terms)
        // (self-identification apart: an optional one is left as it is)
        None if field.kind == FieldKind::Checkbox
            && !field.required
            && !self_identification(&label) =>
        {
            Resolution::Check(Vec::new())
        }
        None if field.kind == FieldKind::Checkbox => Resolution::Unknown,
        None if !field.value.is_empty() => Resolution::KeepPrefilled,
        None => Resolution::Unknown,
    }
}

/// A date field gets a date and nothing else: the user's own answer to it
/// (`YYYY-MM-DD`) or, for a start date, the day the profile says they are free; in
/// the layout its placeholder shows. No date, or no layout to write it in: asked (or
/// LinkedIn's prefilled date kept, the user's own).
fn date_field(field: &Field, profile: &ApplicantProfile, label: &str) -> Resolution {
    let today = time::OffsetDateTime::now_utc().date();
    let date = match explicit(profile, label) {
        Some(Value::Text(answer)) => dates::parse_iso(&answer),
        _ => dates::start_date(profile, label, today),
    };
    match date.and_then(|d| dates::in_layout(d, &field.format)) {
        Some(typed) if typed.trim() == field.value.trim() => Resolution::Keep,
        Some(typed) => Resolution::Type(typed),
        None if !field.value.is_empty() => Resolution::KeepPrefilled,
        None => Resolution::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::profile::{Contact, QuestionAnswer, Salary, Years};

    fn profile() -> ApplicantProfile {
        ApplicantProfile {
            contact: Contact {
                first_name: Some("Ada".into()),
                last_name: Some("Lovelace".into()),
                email: Some("ada@example.org".into()),
                phone: Some("5550100".into()),
                phone_country: Some("United Kingdom (+44)".into()),
                city: Some("London, England".into()),
            },
            experience_years: [("python", 5.0), ("rust", 2.0), ("c", 9.0), ("go", 4.5)]
                .map(|(skill, years)| (skill.to_owned(), Years::new(years).unwrap()))
                .into(),
            work_authorization: Some(true),
            requires_sponsorship: Some(false),
            notice_period_days: Some(30),
            salary_expectation: Some(Salary {
                amount: 90_000,
                currency: Some("EUR".into()),
                period: None,
            }),
            willing_to_relocate: Some(false),
            willing_to_commute: None,
            background_check: None,
            cover_letter: None,
            follow_companies: false,

            answers: vec![
                QuestionAnswer {
                    question:
                        "I consent to the processing of my personal data for this application"
                            .into(),
                    answer: "Yes".into(),
                    answered_at: None,
                },
                QuestionAnswer {
                    question: "Which shift do you prefer?".into(),
                    answer: "Night".into(),
                    answered_at: Some("2026-12-06T07:46:10Z".into()),
                },
            ],
            ..Default::default()
        }
    }

    fn field(label: &str, kind: FieldKind, options: &[&str]) -> Field {
        serde_json::from_value(serde_json::json!({
            "handle": 0, "label": label, "kind": kind, "required": true,
            "options": options, "value": ""
        }))
        .unwrap()
    }

    fn resolve_it(label: &str, kind: FieldKind, options: &[&str]) -> Resolution {
        resolve(
            &field(label, kind, options),
            &profile(),
            Some(Path::new("/r/cv.pdf")),
            false,
        )
    }

    #[test]
    fn contact_fields_come_from_the_contact_details() {
        assert_eq!(
            resolve_it("First name", FieldKind::Text, &[]),
            Resolution::Type("Ada".into())
        );
        assert_eq!(
            resolve_it("Last name", FieldKind::Text, &[]),
            Resolution::Type("Lovelace".into())
        );
        assert_eq!(
            resolve_it("Mobile phone number", FieldKind::Text, &[]),
            Resolution::Type("5550100".into())
        );
        assert_eq!(
            resolve_it(
                "Phone country code",
                FieldKind::Select,
                &["Germany (+49)", "United Kingdom (+44)"]
            ),
            Resolution::Choose("United Kingdom (+44)".into())
        );
        assert_eq!(
            resolve_it(
                "Email address",
                FieldKind::Select,
                &["ada@example.org", "other@example.org"]
            ),
            Resolution::Choose("ada@example.org".into())
        );
        assert_eq!(
            resolve_it("City", FieldKind::Typeahead, &[]),
            Resolution::Type("London, England".into())
        );
    }

    #[test]
    fn years_of_experience_per_skill_and_never_a_guess() {
        assert_eq!(
            resolve_it(
                "How many years of experience do you have with Python?",
                FieldKind::Text,
                &[]
            ),
            Resolution::Type("5".into())
        );
        assert_eq!(
            resolve_it(
                "How many years of work experience do you have with Rust?",
                FieldKind::Text,
                &[]
            ),
            Resolution::Type("2".into())
        );
        assert_eq!(
            resolve_it(
                "How many years of experience do you have with COBOL?",
                FieldKind::Text,
                &[]
            ),
            Resolution::Unknown,
            "not on the profile: unknown, not zero"
        );
        assert_eq!(
            resolve_it(
                "Years of experience with Rustic furniture?",
                FieldKind::Text,
                &[]
            ),
            Resolution::Unknown,
            "rust is not rustic"
        );
        assert_eq!(
            resolve_it(
                "How many years of Python experience?",
                FieldKind::Select,
                &["0-1 years", "2-4 years", "5+ years"]
            ),
            Resolution::Choose("5+ years".into())
        );
        let go = "How many years of experience do you have with Go?";
        assert_eq!(
            resolve_it(go, FieldKind::Text, &[]),
            Resolution::Type("4.5".into()),
            "a decimal as the user wrote it"
        );
        assert_eq!(
            resolve_it(
                go,
                FieldKind::Select,
                &["0-2 years", "3-5 years", "6+ years"]
            ),
            Resolution::Choose("3-5 years".into())
        );
        assert_eq!(
            resolve_it(
                go,
                FieldKind::Radio,
                &["0-1 years", "2-4 years", "5+ years"]
            ),
            Resolution::Unknown,
            "4.5 is in neither 2-4 nor 5+: asked, never rounded"
        );
        assert_eq!(
            resolve_it(go, FieldKind::Radio, &["4 years", "5 years"]),
            Resolution::Unknown
        );
    }

    #[test]
    fn yes_no_questions_follow_the_profile() {
        let yes_no = ["Yes", "No"];
        assert_eq!(
            resolve_it(
                "Are you legally authorized to work in Germany?",
                FieldKind::Radio,
                &yes_no
            ),
            Resolution::Choose("Yes".into())
        );
        assert_eq!(
            resolve_it(
                "Will you now or in the future require sponsorship for employment visa status?",
                FieldKind::Radio,
                &yes_no
            ),
            Resolution::Choose("No".into())
        );
        assert_eq!(
            resolve_it("Are you willing to relocate?", FieldKind::Radio, &yes_no),
            Resolution::Choose("No".into())
        );
        assert_eq!(
            resolve_it(
                "Are you comfortable commuting to this job's location?",
                FieldKind::Radio,
                &yes_no
            ),
            Resolution::Unknown,
            "commute preference not given"
        );
    }

    #[test]
    fn notice_period_and_salary() {
        assert_eq!(
            resolve_it(
                "What is your notice period?",
                FieldKind::Select,
                &["0 days", "15 days", "30 days", "60 days"]
            ),
            Resolution::Choose("30 days".into())
        );
        assert_eq!(
            resolve_it("Notice period in days", FieldKind::Text, &[]),
            Resolution::Type("30".into())
        );
        assert_eq!(
            resolve_it("Notice period (months)", FieldKind::Text, &[]),
            Resolution::Type("1".into())
        );
        assert_eq!(
            resolve_it(
                "What is your expected annual salary (EUR)?",
                FieldKind::Text,
                &[]
            ),
            Resolution::Type("90000".into())
        );
        assert_eq!(
            resolve_it("Expected monthly salary", FieldKind::Text, &[]),
            Resolution::Unknown,
            "a yearly figure is not a monthly one"
        );
    }

    #[test]
    fn explicit_answers_win_and_are_matched_loosely() {
        assert_eq!(
            resolve_it(
                "Which shift do you prefer?",
                FieldKind::Select,
                &["Day", "Night"]
            ),
            Resolution::Choose("Night".into())
        );
        assert_eq!(
            resolve_it(
                "which  shift do you prefer",
                FieldKind::Radio,
                &["Day", "Night"]
            ),
            Resolution::Choose("Night".into())
        );
        assert_eq!(
            resolve_it(
                "I consent to the processing of my personal data for this application",
                FieldKind::Checkbox,
                &["I agree"]
            ),
            Resolution::Check(vec!["I agree".into()])
        );
        assert_eq!(
            resolve_it(
                "Which shift do you prefer?",
                FieldKind::Select,
                &["Morning", "Evening"]
            ),
            Resolution::Unknown,
            "answer not among the options"
        );
    }

    #[test]
    fn files_follow_and_prefill() {
        assert_eq!(
            resolve_it("Resume", FieldKind::File, &[]),
            Resolution::Upload("/r/cv.pdf".into())
        );
        assert_eq!(
            resolve(
                &field("Resume", FieldKind::File, &[]),
                &profile(),
                None,
                true
            ),
            Resolution::Keep
        );
        assert_eq!(
            resolve(
                &field("Resume", FieldKind::File, &[]),
                &profile(),
                None,
                false
            ),
            Resolution::Unknown
        );
        assert_eq!(
            resolve_it("Follow company", FieldKind::FollowCompany, &[]),
            Resolution::Follow(false)
        );
        let mut prefilled = field("Headline", FieldKind::Text, &[]);
        prefilled.value = "Engineer".into();
        assert_eq!(
            resolve(&prefilled, &profile(), None, false),
            Resolution::KeepPrefilled,
            "LinkedIn's prefill to a question the profile does not know is kept, as LinkedIn's"
        );
        let mut same = field("First name", FieldKind::Text, &[]);
        same.value = "Ada".into();
        assert_eq!(resolve(&same, &profile(), None, false), Resolution::Keep);
    }

    #[test]
    fn a_whole_number_field_gets_the_whole_part_of_a_decimal_never_rounded() {
        let go = "How many years of experience do you have with Go?";
        let mut whole = field(go, FieldKind::Text, &[]);
        assert_eq!(
            resolve(&whole, &profile(), None, false),
            Resolution::Type("4.5".into()),
            "a field that takes decimals gets the decimal"
        );
        whole.whole = true;
        assert_eq!(
            resolve(&whole, &profile(), None, false),
            Resolution::Whole {
                typed: "4".into(),
                given: "4.5".into()
            }
        );
        whole.value = "4".into();
        assert_eq!(
            resolve(&whole, &profile(), None, false),
            Resolution::Keep,
            "already the whole part: nothing to type again"
        );
        for (given, typed) in [("4,5", "4"), ("0.75", "0"), ("12.99", "12"), ("007.5", "7")] {
            assert_eq!(
                whole_number(given.into()),
                Resolution::Whole {
                    typed: typed.into(),
                    given: given.into()
                }
            );
        }
        for (given, typed) in [("5", "5"), ("5.0", "5"), ("5,00", "5"), ("4.", "4")] {
            assert_eq!(whole_number(given.into()), Resolution::Type(typed.into()));
        }
        // thousands, text, signs: as they are (LinkedIn's own check then speaks)
        for same in ["100,000", "100.000", "1,000.50", "about 4", "-4.5", ""] {
            assert_eq!(
                whole_number(same.into()),
                Resolution::Type(same.into()),
                "{same:?}"
            );
        }
    }

    #[test]
    fn self_identification_comes_only_from_its_own_profile_data_never_declined() {
        let veteran = field(
            "Are you a protected veteran?",
            FieldKind::Radio,
            &[
                "I am a protected veteran",
                "I am not a protected veteran",
                "I don't wish to answer",
            ],
        );
        let mut gender = field(
            "Gender",
            FieldKind::Select,
            &["Male", "Female", "Decline to self-identify"],
        );
        gender.required = false;
        let mut races = field(
            "Race/Ethnicity (select all that apply)",
            FieldKind::Checkbox,
            &["White", "Asian"],
        );
        races.required = false;
        races.value = "Asian".into();
        races.checked = vec![1];
        let disability = field(
            "Do you have a disability?",
            FieldKind::Radio,
            &["Yes", "No"],
        );
        // no data: a required one is asked, an optional one left as it is (a
        // prefilled box not unticked), never "decline"; no other fact answers them
        let mut p = profile();
        p.background_check = Some(true);
        p.work_authorization = Some(true);
        assert_eq!(resolve(&veteran, &p, None, false), Resolution::Unknown);
        assert_eq!(resolve(&gender, &p, None, false), Resolution::Unknown);
        assert_eq!(resolve(&races, &p, None, false), Resolution::Unknown);
        assert_eq!(resolve(&disability, &p, None, false), Resolution::Unknown);
        // the user's own words choose the option that says the same
        p.self_identification.veteran = Some("I am not a protected veteran".into());
        p.self_identification.gender = Some("female".into());
        p.self_identification.disability = Some("No".into());
        assert_eq!(
            resolve(&veteran, &p, None, false),
            Resolution::Choose("I am not a protected veteran".into())
        );
        assert_eq!(
            resolve(&gender, &p, None, false),
            Resolution::Choose("Female".into())
        );
        assert_eq!(
            resolve(&disability, &p, None, false),
            Resolution::Choose("No".into())
        );
        // words no option says: asked, never a near option
        p.self_identification.gender = Some("Woman".into());
        assert_eq!(resolve(&gender, &p, None, false), Resolution::Unknown);
    }

    #[test]
    fn a_question_in_a_unit_the_profile_does_not_use_is_asked_never_converted() {
        for question in [
            "How many months of experience do you have with Python?",
            "How many years of experience do you have with Python (in months)?",
            "Wie viele Monate Erfahrung haben Sie mit Python?",
            "How many hours per week can you work?",
            "What is your expected hourly rate?",
        ] {
            assert_eq!(
                resolve_it(question, FieldKind::Text, &[]),
                Resolution::Unknown,
                "{question}"
            );
        }
        assert_eq!(
            resolve_it(
                "How many years of experience do you have with Python?",
                FieldKind::Text,
                &[]
            ),
            Resolution::Type("5".into()),
            "in the profile's own unit"
        );
    }

    #[test]
    fn an_answer_from_the_users_reply_is_told_apart() {
        let p = profile();
        assert_eq!(
            replied_at(&p, "Which  shift do you prefer"),
            Some("2026-12-06T07:46:10Z")
        );
        assert_eq!(
            replied_at(
                &p,
                "I consent to the processing of my personal data for this application"
            ),
            None,
            "written in the profile, not a reply"
        );
        assert_eq!(replied_at(&p, "Years of COBOL?"), None);
    }

    #[test]
    fn debug_never_shows_an_answer() {
        assert_eq!(
            format!("{:?}", Resolution::Type("secret answer".into())),
            "Type(..)"
        );
    }

    #[test]
    fn questions_are_recognised_in_the_five_languages() {
        assert_eq!(
            resolve_it(
                "Indicatif du pays",
                FieldKind::Select,
                &["Allemagne (+49)", "Royaume-Uni (+44)"]
            ),
            Resolution::Choose("Royaume-Uni (+44)".into()),
            "the phone country by its dialling code"
        );
        assert_eq!(
            resolve_it(
                "Indicatif du pays",
                FieldKind::Select,
                &["Canada (+1)", "États-Unis (+1)"]
            ),
            Resolution::Unknown,
            "never a guess among several"
        );
        assert_eq!(
            resolve_it(
                "Wie viele Jahre Erfahrung haben Sie mit Python?",
                FieldKind::Text,
                &[]
            ),
            Resolution::Type("5".into())
        );
        assert_eq!(
            resolve_it(
                "¿Necesitará patrocinio de visado?",
                FieldKind::Radio,
                &["Sí", "No"]
            ),
            Resolution::Choose("No".into())
        );
        assert_eq!(
            resolve_it(
                "Você está autorizado a trabalhar na Alemanha?",
                FieldKind::Radio,
                &["Sim", "Não"]
            ),
            Resolution::Choose("Sim".into())
        );
        assert_eq!(
            resolve_it(
                "Quel est votre préavis (en semaines) ?",
                FieldKind::Text,
                &[]
            ),
            Resolution::Unknown,
            "30 days are not a whole number of weeks"
        );
    }

    #[test]
    fn no_consent_is_given_for_the_user() {
        let mut opt_in = field(
            "Keep me informed about jobs and events",
            FieldKind::Checkbox,
            &["Yes, send me marketing e-mails"],
        );
        opt_in.required = false;
        opt_in.value = "Yes, send me marketing e-mails".into();
        opt_in.checked = vec![0];
        assert_eq!(
            resolve(&opt_in, &profile(), None, false),
            Resolution::Check(vec![]),
            "a prechecked optional opt-in ends unticked"
        );
        let mut terms = field(
            "I have read the privacy notice",
            FieldKind::Checkbox,
            &["I have read the privacy notice"],
        );
        terms.value = "I have read the privacy notice".into();
        terms.checked = vec![0];
        assert_eq!(
            resolve(&terms, &profile(), None, false),
            Resolution::Unknown,
            "a required consent the profile does not give is asked, even prechecked"
        );
        assert_eq!(
            resolve_it(
                "I consent to the processing of my personal data for this application",
                FieldKind::Checkbox,
                &["I agree"]
            ),
            Resolution::Check(vec!["I agree".into()]),
            "an explicit answer ticks it"
        );
    }
}
