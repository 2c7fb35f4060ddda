//! Decisions inside the Easy Apply form: what to fill on a step, which button ends
//! it, what followed a click, what the submit gate's answer means, and the choices
//! of one field (an option, the boxes to toggle, a typeahead suggestion).

use std::path::Path;

use super::{PendingQuestion, Stop};
use crate::{
    answers::{self, Resolution, normalize},
    domain::ApplicantProfile,
    page::{Field, Modal, Observation, Target},
    store::BeginSubmit,
};

/// What to fill on one step.
#[derive(Debug, Clone, PartialEq)]
pub struct StepPlan {
    /// every field with what to do with it (optional unknowns included, left empty)
    pub fills: Vec<(Field, Resolution)>,
    /// required questions without an answer: the step must not be submitted
    pub unknown_required: Vec<PendingQuestion>,
}

/// Plans one step from the profile.
pub fn plan_step(modal: &Modal, profile: &ApplicantProfile, resume: Option<&Path>) -> StepPlan {
    let mut plan = StepPlan {
        fills: Vec::new(),
        unknown_required: Vec::new(),
    };
    for field in &modal.fields {
        let resolution = answers::resolve(field, profile, resume, modal.document_selected);
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
        "{}|{}{}{}",
        labels.join("\u{1f}"),
        modal.next,
        modal.review,
        modal.submit
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
    let checked: Vec<&str> = field.value.split(", ").collect();
    field
        .options
        .iter()
        .enumerate()
        .filter(|(_, option)| wanted.contains(option) != checked.contains(&option.as_str()))
        .filter_map(|(k, _)| u32::try_from(k).ok())
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
        let boxes = field(FieldKind::Checkbox, &["A", "B", "C"], "A, C");
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
