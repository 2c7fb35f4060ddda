//! Decisions inside the Easy Apply form: what to fill on a step, which button ends
//! it, what followed a click, what the submit gate's answer means, and the choices
//! of one field (an option, the boxes to toggle, a typeahead suggestion).

use std::path::Path;

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

/// The files the user gave for this application, each confined to the résumé folder.
#[derive(Debug, Clone, Copy, Default)]
pub struct Files<'a> {
    /// the résumé: the application's own, else the profile's. Sent over any card
    /// LinkedIn preselected; LinkedIn's card is kept only when there is none
    pub resume: Option<&'a Path>,
    /// the profile's cover letter file, when it has one
    pub cover_letter: Option<&'a Path>,
}

impl Files<'_> {
    /// The file name LinkedIn shows for the résumé.
    pub fn resume_name(&self) -> Option<String> {
        self.resume
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

/// What to do at a résumé upload: the user's résumé is selected from LinkedIn's
/// cards when LinkedIn has it, else uploaded, whatever LinkedIn preselected; without
/// one, LinkedIn's selected card is kept.
pub fn resume_action(modal: &Modal, files: Files<'_>) -> Resolution {
    let Some(path) = files.resume else {
        return if modal.document_selected {
            Resolution::Keep
        } else {
            Resolution::Unknown
        };
    };
    let name = files.resume_name().unwrap_or_default();
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

/// What to do at a file upload, told apart by its own label (never by its place):
/// a résumé input gets the résumé ([`resume_action`]); a cover-letter input the
/// profile's cover letter file, else nothing (a required one is asked); any other
/// file input nothing (a required one is asked). Nothing is ever written for the user.
pub fn file_action(field: &Field, modal: &Modal, files: Files<'_>) -> Resolution {
    let holds = |path: &Path| {
        path.file_name()
            .is_some_and(|n| same_document(&field.value, &n.to_string_lossy()))
    };
    match answers::file_kind(&field.label) {
        // the input already holds the file (a step read again): nothing to do
        answers::FileKind::Resume if files.resume.is_some_and(holds) => Resolution::Keep,
        answers::FileKind::CoverLetter if files.cover_letter.is_some_and(holds) => Resolution::Keep,
        answers::FileKind::Resume => resume_action(modal, files),
        answers::FileKind::CoverLetter => files
            .cover_letter
            .map_or(Resolution::Unknown, |p| Resolution::Upload(p.to_owned())),
        answers::FileKind::Other => Resolution::Unknown,
    }
}

/// Before Submit: the résumé LinkedIn shows selected must be the user's, when they
/// gave one (`None`: nothing was shown, nothing to hold against).
pub fn resume_mismatch(selected: Option<&str>, files: Files<'_>) -> bool {
    match (files.resume_name(), selected) {
        (Some(name), Some(selected)) => !same_document(selected, &name),
        _ => false,
    }
}

/// Plans one step from the profile.
pub fn plan_step(modal: &Modal, profile: &ApplicantProfile, files: Files<'_>) -> StepPlan {
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
            file_action(field, modal, files)
        } else {
            answers::resolve(field, profile, files.resume, modal.document_selected)
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

/// What to do when LinkedIn rejects a step's answers (inline errors after Next or
/// Review).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rejection {
    /// fill the step again: every rejected field takes whole numbers only and gets
    /// the whole part of its decimal answer (the one correction a field asks for;
    /// a value is never sent again as it was)
    FillAgain,
    /// the rejected questions go to the user, each with LinkedIn's message
    Ask(Vec<PendingQuestion>),
    /// errors on no question the worker can name: LinkedIn's words
    Failed(Vec<String>),
}

/// Decides on a rejected step from the modal as LinkedIn shows it now.
pub fn rejection(modal: &Modal, profile: &ApplicantProfile, files: Files<'_>) -> Rejection {
    let plan = plan_step(modal, profile, files);
    let rejected: Vec<&(Field, Resolution)> = plan
        .fills
        .iter()
        .filter(|(f, _)| !f.error.is_empty())
        .collect();
    if rejected.is_empty() {
        return Rejection::Failed(modal.errors.clone());
    }
    if rejected
        .iter()
        .all(|(_, r)| matches!(r, Resolution::Whole { .. }))
    {
        return Rejection::FillAgain;
    }
    Rejection::Ask(
        rejected
            .iter()
            .filter(|(_, r)| !matches!(r, Resolution::Whole { .. }))
            .map(|(f, _)| PendingQuestion::rejected(f))
            .collect(),
    )
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

/// The radio options of `plan` that `modal` (the step as the page now shows it) does
/// not show chosen, and the boxes whose state still differs from the plan's: a click
/// that did not take, to be clicked once more.
pub fn unchecked_choices(plan: &StepPlan, modal: &Modal) -> Vec<Target> {
    plan.fills
        .iter()
        .flat_map(|(field, resolution)| {
            let now = modal
                .fields
                .iter()
                .find(|f| f.handle == field.handle && f.label == field.label);
            match (resolution, now) {
                (Resolution::Choose(option), Some(now)) if field.kind == FieldKind::Radio => {
                    let k = radio_option(field, option);
                    (!now.checked.contains(&k))
                        .then_some(Target::FieldOption(field.handle, k))
                        .into_iter()
                        .collect()
                }
                // a box whose click did not take still differs from what was wanted:
                // only those are clicked again (a box that took is never flipped back)
                (Resolution::Check(wanted), Some(now)) if field.kind == FieldKind::Checkbox => {
                    checkbox_toggles(now, wanted)
                        .into_iter()
                        .map(|k| Target::FieldOption(field.handle, k))
                        .collect()
                }
                _ => Vec::new(),
            }
        })
        .collect()
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
    use crate::page::{FieldKind, test_field as field};

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

    #[test]
    fn a_box_whose_click_did_not_take_is_clicked_again_and_only_that_one() {
        // a prechecked opt-in to untick and an option to tick
        let mut planned = field(FieldKind::Checkbox, &["Keep me informed", "B"], "");
        planned.checked = vec![0];
        let plan = StepPlan {
            fills: vec![(planned.clone(), Resolution::Check(vec!["B".into()]))],
            unknown_required: vec![],
            unreadable: 0,
        };
        let shown = |checked: Vec<u32>| {
            let mut now = planned.clone();
            now.checked = checked;
            modal(&[], None, vec![now])
        };
        // the opt-in's click was lost, B's took: the opt-in alone again
        assert_eq!(
            unchecked_choices(&plan, &shown(vec![0, 1])),
            [Target::FieldOption(3, 0)]
        );
        // both took: nothing is flipped back
        assert!(unchecked_choices(&plan, &shown(vec![1])).is_empty());
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
    fn the_users_resume_is_the_one_sent() {
        let path = Path::new("/r/cv-acme.pdf");
        let given = Files {
            resume: Some(path),
            cover_letter: None,
        };
        let cards = ["Old_CV.pdf", "CV-Acme.PDF"];
        assert_eq!(
            resume_action(&modal(&cards, Some("Old_CV.pdf"), vec![]), given),
            Resolution::SelectDocument(1),
            "LinkedIn has it: its card, whatever is preselected"
        );
        assert_eq!(
            resume_action(&modal(&cards, Some("cv-acme"), vec![]), given),
            Resolution::Keep,
            "already selected (the extension aside)"
        );
        assert_eq!(
            resume_action(&modal(&["Old_CV.pdf"], Some("Old_CV.pdf"), vec![]), given),
            Resolution::Upload(path.to_owned()),
            "LinkedIn does not have it: uploaded over its preselected card"
        );
        assert_eq!(
            resume_action(
                &modal(&["Old_CV.pdf"], Some("Old_CV.pdf"), vec![]),
                Files::default()
            ),
            Resolution::Keep,
            "none given: LinkedIn's selected card is kept"
        );
        assert_eq!(
            resume_action(&modal(&[], None, vec![]), Files::default()),
            Resolution::Unknown
        );
        assert!(resume_mismatch(Some("Old_CV.pdf"), given));
        assert!(!resume_mismatch(Some("cv-acme.pdf"), given));
        assert!(
            !resume_mismatch(None, given),
            "nothing shown: nothing to hold"
        );
        assert!(!resume_mismatch(Some("Old_CV.pdf"), Files::default()));
    }

    #[test]
    fn each_file_input_gets_its_own_file_by_its_label() {
        let (resume, letter) = (Path::new("/r/cv.pdf"), Path::new("/r/letter.pdf"));
        let both = Files {
            resume: Some(resume),
            cover_letter: Some(letter),
        };
        let only_resume = Files {
            resume: Some(resume),
            cover_letter: None,
        };
        let upload = |label: &str, files| {
            let mut f = field(FieldKind::File, &[], "");
            f.label = label.into();
            file_action(&f, &modal(&[], None, vec![]), files)
        };
        for label in [
            "Upload resume",
            "Lebenslauf hochladen",
            "Subir CV",
            "jobs document upload file input upload resume",
        ] {
            assert_eq!(
                upload(label, both),
                Resolution::Upload(resume.to_owned()),
                "{label}"
            );
        }
        for label in [
            "Upload cover letter",
            "Lettre de motivation",
            "Anschreiben hochladen",
            "Carta de apresentação",
        ] {
            assert_eq!(
                upload(label, both),
                Resolution::Upload(letter.to_owned()),
                "{label}"
            );
            assert_eq!(
                upload(label, only_resume),
                Resolution::Unknown,
                "never the résumé: {label}"
            );
        }
        assert_eq!(
            upload("Upload a portfolio", both),
            Resolution::Unknown,
            "no file of the user's"
        );
    }

    #[test]
    fn an_unreadable_required_question_is_never_a_question_for_the_user() {
        let no_text = field(FieldKind::Text, &[], "");
        let mut blank_options = field(FieldKind::Radio, &["", ""], "");
        blank_options.label = "Which office?".into();
        let mut nameless = no_text.clone();
        nameless.label = String::new();
        let m = modal(&[], None, vec![nameless.clone(), blank_options]);
        let plan = plan_step(&m, &ApplicantProfile::default(), Files::default());
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
            Files::default(),
        );
        assert_eq!(plan.unreadable, 0, "an optional one is only left empty");
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
