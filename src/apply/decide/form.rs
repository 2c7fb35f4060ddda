//! Decisions inside the Easy Apply form: what to fill on a step, which button ends
//! it, what followed a click, what the submit gate's answer means, and the choices
//! of one field (an option, the boxes to toggle, a typeahead suggestion).

use std::path::Path;

use serde::Serialize;

use super::{PendingQuestion, Stop};
use crate::{
    answers::{self, Resolution, normalize},
    domain::ApplicantProfile,
    page::{Field, FieldKind, Modal, Observation, Target},
    store::BeginSubmit,
};

/// What to fill on one step.
#[derive(Debug, Clone, PartialEq)]
pub struct StepPlan {
    /// every field with what to do with it (optional unknowns included, left empty)
    pub fills: Vec<(Field, Resolution)>,
    /// required questions without an answer: the step must not be submitted
    pub unknown_required: Vec<PendingQuestion>,
    /// required questions whose text or options cannot be read (drift, never a
    /// question for the user: nobody could answer `{"label": ""}`)
    pub unreadable: usize,
}

/// The résumé the application sends: the file it names, else the profile's.
#[derive(Debug, Clone, Copy)]
pub struct ResumeChoice<'a> {
    /// the file (confined to the résumé folder)
    pub path: Option<&'a Path>,
    /// the application itself names it: it must be the one sent, whatever LinkedIn
    /// preselects
    pub named: bool,
}

impl ResumeChoice<'_> {
    /// The file name LinkedIn shows for it.
    pub fn file_name(&self) -> Option<String> {
        self.path
            .and_then(Path::file_name)
            .map(|n| n.to_string_lossy().into_owned())
    }
}

/// Whether LinkedIn's card `shown` is the file `name` (case and a missing extension
/// aside).
pub fn same_document(shown: &str, name: &str) -> bool {
    let stem = |s: &str| {
        let s = s.trim().to_lowercase();
        match s.rsplit_once('.') {
            Some((stem, ext)) if ext.len() <= 4 && !stem.is_empty() => stem.to_owned(),
            _ => s,
        }
    };
    shown.trim().eq_ignore_ascii_case(name.trim()) || stem(shown) == stem(name)
}

/// What to do at a résumé upload: the application's named résumé is selected from
/// LinkedIn's cards when LinkedIn has it, else uploaded; without one, LinkedIn's
/// selected card is kept, else the profile's file is uploaded.
pub fn resume_action(modal: &Modal, resume: ResumeChoice<'_>) -> Resolution {
    let Some(path) = resume.path else {
        return if modal.document_selected {
            Resolution::Keep
        } else {
            Resolution::Unknown
        };
    };
    if !resume.named {
        return if modal.document_selected {
            Resolution::Keep
        } else {
            Resolution::Upload(path.to_owned())
        };
    }
    let name = resume.file_name().unwrap_or_default();
    if modal
        .selected_document
        .as_deref()
        .is_some_and(|s| same_document(s, &name))
    {
        return Resolution::Keep;
    }
    match modal.documents.iter().position(|d| same_document(d, &name)) {
        Some(k) => Resolution::SelectDocument(u32::try_from(k).unwrap_or_default()),
        None => Resolution::Upload(path.to_owned()),
    }
}

/// Before Submit: the résumé LinkedIn shows selected, when the application named
/// one, must be it (`None`: nothing was shown, nothing to hold against).
pub fn resume_mismatch(selected: Option<&str>, resume: ResumeChoice<'_>) -> bool {
    match (resume.named, resume.file_name(), selected) {
        (true, Some(name), Some(selected)) => !same_document(selected, &name),
        _ => false,
    }
}

/// Plans one step from the profile.
pub fn plan_step(modal: &Modal, profile: &ApplicantProfile, resume: ResumeChoice<'_>) -> StepPlan {
    let mut plan = StepPlan {
        fills: Vec::new(),
        unknown_required: Vec::new(),
        unreadable: 0,
    };
    for field in &modal.fields {
        if field.required && !field.readable() {
            plan.unreadable += 1;
            continue;
        }
        let resolution = if field.kind == FieldKind::File {
            resume_action(modal, resume)
        } else {
            answers::resolve(field, profile, resume.path, modal.document_selected)
        };
        if resolution == Resolution::Unknown && field.required {
            plan.unknown_required.push(PendingQuestion::of(field));
        }
        plan.fills.push((field.clone(), resolution));
    }
    plan
}

/// How to leave a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepAction {
    /// the last step: Submit application
    Submit,
    /// Review your application
    Review,
    /// Continue to next step
    Next,
    /// no button to go on
    Stuck,
}

/// The button that ends this step; Submit before Review before Next.
pub fn step_action(modal: &Modal) -> StepAction {
    if modal.submit {
        StepAction::Submit
    } else if modal.review {
        StepAction::Review
    } else if modal.next {
        StepAction::Next
    } else {
        StepAction::Stuck
    }
}

/// What a step looks like, to notice that the next one came.
pub fn step_signature(modal: &Modal) -> String {
    let labels: Vec<&str> = modal.fields.iter().map(|f| f.label.as_str()).collect();
    format!(
        "{}|{}{}{}|{}",
        labels.join("\u{1f}"),
        modal.next,
        modal.review,
        modal.submit,
        modal.progress
    )
}

/// What followed a click on Next or Review.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Advance {
    /// a new step is showing
    NewStep,
    /// LinkedIn refused the answers
    Errors(Vec<String>),
    /// LinkedIn's daily limit or throttle appeared
    Stop(Stop),
    /// not yet
    Pending,
}

/// Decides after Next/Review, given the step's signature before the click.
pub fn advance(before: &str, obs: &Observation) -> Advance {
    if let Some(stop) = super::linkedin_stop(obs) {
        return Advance::Stop(stop);
    }
    match &obs.modal {
        Some(m) if !m.errors.is_empty() => Advance::Errors(m.errors.clone()),
        Some(m) if step_signature(m) != before => Advance::NewStep,
        _ => Advance::Pending,
    }
}

/// What followed the Submit click.
pub fn after_submit(obs: &Observation) -> Option<Stop> {
    if obs.confirmation {
        Some(Stop::Submitted)
    } else if let Some(stop) = super::linkedin_stop(obs) {
        Some(stop)
    } else {
        obs.modal
            .as_ref()
            .filter(|m| !m.errors.is_empty())
            .map(|m| Stop::ValidationError(m.errors.clone()))
    }
}

/// What the step record says of a plan: each field's label, kind, whether it is
/// required and what is done with it (never a value of the profile's: resolutions
/// print their kind of action only where they carry none).
pub fn describe_step(modal: &Modal, plan: &StepPlan) -> String {
    let kinds: Vec<String> = plan
        .fills
        .iter()
        .map(|(f, r)| {
            format!(
                "{} [{}{}] {:?}",
                f.label,
                f.kind.as_str(),
                if f.required { ", required" } else { "" },
                r
            )
        })
        .collect();
    format!("{} field(s): {}", modal.fields.len(), kinds.join("; "))
}

/// What was sent for the user, for the platform to show them: every question's
/// text and the answer given (as typed or chosen), the résumé's file name, the
/// follow choice. Never a cookie, key or session value. Its `Debug` shows counts only:
/// answers are personal data and stay out of logs.
#[derive(Clone, Default, PartialEq, Serialize)]
pub struct Receipt {
    /// each question answered, in the order of the form
    pub questions: Vec<ReceiptAnswer>,
    /// the résumé's file name as LinkedIn showed it selected, or as uploaded
    pub resume: Option<String>,
    /// the follow-company box at Submit
    pub follow_company: Option<bool>,
}

impl std::fmt::Debug for Receipt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Receipt")
            .field("questions", &self.questions.len())
            .field("resume", &self.resume.is_some())
            .field("follow_company", &self.follow_company)
            .finish()
    }
}

/// One question of a receipt.
#[derive(Clone, PartialEq, Serialize)]
pub struct ReceiptAnswer {
    /// the question as shown
    pub question: String,
    /// text, select, radio, checkbox, ...
    pub kind: &'static str,
    /// the answer given: a text, or the ticked options of a checkbox group (an empty
    /// list: left unticked)
    pub answer: serde_json::Value,
}

impl Receipt {
    /// Notes what was done with `field` (an optional question left empty is not sent,
    /// and not listed).
    pub fn note(&mut self, field: &Field, resolution: &Resolution) {
        use serde_json::Value;
        let answer = match (field.kind, resolution) {
            (FieldKind::FollowCompany, Resolution::Follow(follow)) => {
                self.follow_company = Some(*follow);
                return;
            }
            (FieldKind::FollowCompany, _) => {
                self.follow_company = Some(field.value == "true");
                return;
            }
            (FieldKind::File, Resolution::Upload(path)) => {
                self.resume = path.file_name().map(|n| n.to_string_lossy().into_owned());
                return;
            }
            (FieldKind::File, _) => return,
            (_, Resolution::Type(text) | Resolution::Choose(text)) => Value::String(text.clone()),
            (_, Resolution::Check(ticked)) => {
                Value::Array(ticked.iter().cloned().map(Value::String).collect())
            }
            (FieldKind::Checkbox, Resolution::Keep) => Value::Array(
                field
                    .checked
                    .iter()
                    .filter_map(|k| field.options.get(*k as usize).cloned())
                    .map(Value::String)
                    .collect(),
            ),
            (_, Resolution::Keep) if !field.value.is_empty() => Value::String(field.value.clone()),
            _ => return,
        };
        self.questions.push(ReceiptAnswer {
            question: field.label.clone(),
            kind: field.kind.as_str(),
            answer,
        });
    }
}

/// A stored receipt (`job_applications.receipt`) in lines a person reads: the
/// résumé and follow choice, then each question and the answer sent.
pub fn receipt_lines(receipt: &serde_json::Value) -> Vec<String> {
    use serde_json::Value;
    let questions = receipt["questions"].as_array().cloned().unwrap_or_default();
    let follow = match receipt["follow_company"].as_bool() {
        Some(true) => "yes",
        Some(false) => "no",
        None => "not asked",
    };
    let mut lines = vec![format!(
        "receipt: {} answer(s), résumé {}, follow company: {follow}",
        questions.len(),
        receipt["resume"].as_str().unwrap_or("none")
    )];
    for q in &questions {
        let answer = match &q["answer"] {
            Value::Array(ticked) if ticked.is_empty() => "(left unticked)".to_owned(),
            Value::Array(ticked) => ticked
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(", "),
            other => other.as_str().unwrap_or_default().to_owned(),
        };
        lines.push(format!(
            "  sent: {} -> {answer}",
            q["question"].as_str().unwrap_or_default()
        ));
    }
    lines
}

/// The first required field without an answer (the screenshot outlines it).
pub fn first_unknown_required(plan: &StepPlan) -> Option<Target> {
    plan.fills
        .iter()
        .find(|(f, r)| f.required && *r == Resolution::Unknown)
        .map(|(f, _)| Target::Field(f.handle))
}

/// The button to click for Next or Review; none for Submit (the gate comes first)
/// or a stuck step.
pub fn step_button(action: StepAction) -> Option<Target> {
    match action {
        StepAction::Next => Some(Target::Next),
        StepAction::Review => Some(Target::Review),
        StepAction::Submit | StepAction::Stuck => None,
    }
}

/// What the submit gate's answer calls for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AtGate {
    /// the gate is open: click Submit
    Click,
    /// stop where the form is
    Stop(Stop),
    /// keep the evidence, discard the form, then stop
    DiscardAndStop(Stop),
}

/// Decides on `begin_submit`'s answer.
pub fn at_gate(answer: BeginSubmit) -> AtGate {
    match answer {
        BeginSubmit::Ok => AtGate::Click,
        BeginSubmit::LeaseLost => AtGate::Stop(Stop::LeaseLost),
        BeginSubmit::VerificationRequired => AtGate::Stop(Stop::VerificationRequired),
        BeginSubmit::UserLimit => AtGate::DiscardAndStop(Stop::UserLimit),
    }
}

/// How the Submit click ended, from the last observation (none: nothing decisive
/// was seen in time, or the wait failed): anything short of the confirmation is
/// unconfirmed, never a failure to retry.
pub fn confirmation(obs: Option<&Observation>) -> Stop {
    obs.and_then(after_submit)
        .unwrap_or(Stop::SubmitUnconfirmed)
}

/// The suggestion to pick for typed `text`: an exact match, else the first that
/// starts with it (compared normalised); none means the answer cannot be given.
pub fn pick_suggestion(suggestions: &[String], text: &str) -> Option<usize> {
    let want = normalize(text);
    suggestions
        .iter()
        .position(|s| normalize(s) == want)
        .or_else(|| {
            suggestions
                .iter()
                .position(|s| normalize(s).starts_with(&want))
        })
}

/// The radio option to click for `option` (the first when the label is not found,
/// as the answer was resolved against these very options).
pub fn radio_option(field: &Field, option: &str) -> u32 {
    let k = field
        .options
        .iter()
        .position(|o| o == option)
        .unwrap_or_default();
    u32::try_from(k).unwrap_or_default()
}

/// The checkbox options whose state differs from `wanted`: each is clicked once.
pub fn checkbox_toggles(field: &Field, wanted: &[String]) -> Vec<u32> {
    field
        .options
        .iter()
        .enumerate()
        .filter_map(|(k, option)| Some((u32::try_from(k).ok()?, option)))
        .filter(|(k, option)| wanted.contains(option) != field.checked.contains(k))
        .map(|(k, _)| k)
        .collect()
}

/// Whether the follow-company box must be clicked to match `follow`.
pub fn follow_needs_click(field: &Field, follow: bool) -> bool {
    (field.value == "true") != follow
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::page::FieldKind;

    fn field(kind: FieldKind, options: &[&str], value: &str) -> Field {
        serde_json::from_value(serde_json::json!({
            "handle": 3, "label": "Q", "kind": kind, "required": true,
            "options": options, "value": value
        }))
        .unwrap()
    }

    #[test]
    fn field_choices() {
        let radio = field(FieldKind::Radio, &["Yes", "No"], "");
        assert_eq!(radio_option(&radio, "No"), 1);
        let mut boxes = field(FieldKind::Checkbox, &["A", "B", "C"], "A, C");
        boxes.checked = vec![0, 2];
        assert_eq!(checkbox_toggles(&boxes, &["B".into(), "C".into()]), [0, 1]);
        let follow = field(FieldKind::FollowCompany, &[], "true");
        assert!(follow_needs_click(&follow, false));
        assert!(!follow_needs_click(&follow, true));
        let suggestions = ["London, Ontario".to_owned(), "London, England".to_owned()];
        assert_eq!(pick_suggestion(&suggestions, "london,  england"), Some(1));
        assert_eq!(pick_suggestion(&suggestions, "London"), Some(0));
        assert_eq!(pick_suggestion(&suggestions, "Paris"), None);
    }

    fn modal(documents: &[&str], selected: Option<&str>, fields: Vec<Field>) -> Modal {
        Modal {
            fields,
            documents: documents.iter().map(|d| (*d).to_owned()).collect(),
            document_selected: selected.is_some(),
            selected_document: selected.map(str::to_owned),
            ..Modal::default()
        }
    }

    #[test]
    fn the_applications_resume_is_the_one_sent() {
        let path = Path::new("/r/cv-acme.pdf");
        let named = ResumeChoice {
            path: Some(path),
            named: true,
        };
        let profiles = ResumeChoice {
            path: Some(path),
            named: false,
        };
        let cards = ["Old_CV.pdf", "CV-Acme.PDF"];
        assert_eq!(
            resume_action(&modal(&cards, Some("Old_CV.pdf"), vec![]), named),
            Resolution::SelectDocument(1),
            "LinkedIn has it: its card, whatever is preselected"
        );
        assert_eq!(
            resume_action(&modal(&cards, Some("cv-acme"), vec![]), named),
            Resolution::Keep,
            "already selected (the extension aside)"
        );
        assert_eq!(
            resume_action(&modal(&["Old_CV.pdf"], Some("Old_CV.pdf"), vec![]), named),
            Resolution::Upload(path.to_owned()),
            "LinkedIn does not have it: uploaded"
        );
        assert_eq!(
            resume_action(
                &modal(&["Old_CV.pdf"], Some("Old_CV.pdf"), vec![]),
                profiles
            ),
            Resolution::Keep,
            "not named: LinkedIn's selected card is kept"
        );
        assert_eq!(
            resume_action(&modal(&[], None, vec![]), profiles),
            Resolution::Upload(path.to_owned())
        );
        assert!(resume_mismatch(Some("Old_CV.pdf"), named));
        assert!(!resume_mismatch(Some("cv-acme.pdf"), named));
        assert!(
            !resume_mismatch(None, named),
            "nothing shown: nothing to hold"
        );
        assert!(!resume_mismatch(Some("Old_CV.pdf"), profiles));
    }

    #[test]
    fn an_unreadable_required_question_is_never_a_question_for_the_user() {
        let no_text = field(FieldKind::Text, &[], "");
        let mut blank_options = field(FieldKind::Radio, &["", ""], "");
        blank_options.label = "Which office?".into();
        let mut nameless = no_text.clone();
        nameless.label = String::new();
        let m = modal(&[], None, vec![nameless.clone(), blank_options]);
        let plan = plan_step(
            &m,
            &ApplicantProfile::default(),
            ResumeChoice {
                path: None,
                named: false,
            },
        );
        assert_eq!(plan.unreadable, 2);
        assert!(
            plan.unknown_required.is_empty(),
            "{:?}",
            plan.unknown_required
        );
        nameless.required = false;
        assert!(!nameless.readable());
        let plan = plan_step(
            &modal(&[], None, vec![nameless]),
            &ApplicantProfile::default(),
            ResumeChoice {
                path: None,
                named: false,
            },
        );
        assert_eq!(plan.unreadable, 0, "an optional one is only left empty");
    }

    #[test]
    fn the_receipt_holds_what_was_sent() {
        let mut receipt = Receipt::default();
        let mut text = field(FieldKind::Text, &[], "");
        text.label = "Years of Python?".into();
        receipt.note(&text, &Resolution::Type("5".into()));
        let mut boxes = field(FieldKind::Checkbox, &["AWS", "GCP"], "");
        boxes.label = "Clouds".into();
        receipt.note(&boxes, &Resolution::Check(vec!["GCP".into()]));
        let mut prefilled = field(FieldKind::Radio, &["Yes", "No"], "Yes");
        prefilled.label = "Authorized?".into();
        receipt.note(&prefilled, &Resolution::Keep);
        let skipped = field(FieldKind::Textarea, &[], "");
        receipt.note(&skipped, &Resolution::Unknown);
        receipt.note(
            &field(FieldKind::File, &[], ""),
            &Resolution::Upload("/r/cv.pdf".into()),
        );
        receipt.note(
            &field(FieldKind::FollowCompany, &[], "true"),
            &Resolution::Follow(false),
        );
        assert_eq!(
            serde_json::to_value(&receipt).unwrap(),
            serde_json::json!({
                "questions": [
                    {"question": "Years of Python?", "kind": "text", "answer": "5"},
                    {"question": "Clouds", "kind": "checkbox", "answer": ["GCP"]},
                    {"question": "Authorized?", "kind": "radio", "answer": "Yes"},
                ],
                "resume": "cv.pdf",
                "follow_company": false
            })
        );
        assert_eq!(
            format!("{receipt:?}"),
            "Receipt { questions: 3, resume: true, follow_company: Some(false) }",
            "no answer in Debug"
        );
        let lines = receipt_lines(&serde_json::to_value(&receipt).unwrap());
        assert_eq!(
            lines[0],
            "receipt: 3 answer(s), résumé cv.pdf, follow company: no"
        );
        assert_eq!(lines[2], "  sent: Clouds -> GCP");
    }

    #[test]
    fn the_gate_and_the_confirmation() {
        assert_eq!(at_gate(BeginSubmit::Ok), AtGate::Click);
        assert_eq!(
            at_gate(BeginSubmit::LeaseLost),
            AtGate::Stop(Stop::LeaseLost)
        );
        assert_eq!(
            at_gate(BeginSubmit::UserLimit),
            AtGate::DiscardAndStop(Stop::UserLimit)
        );
        assert_eq!(confirmation(None), Stop::SubmitUnconfirmed);
        assert_eq!(step_button(StepAction::Review), Some(Target::Review));
        assert_eq!(step_button(StepAction::Submit), None);
    }
}
