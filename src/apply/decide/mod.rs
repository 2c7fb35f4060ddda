//! The flow's decisions: pure functions from what the page shows to what to do
//! next. The driver performs them; these are unit-tested without a browser.
//! This file decides around the form (session, job page, entry, verification,
//! evidence); `form.rs` decides inside it (fields, buttons, the submit gate).

mod form;
mod receipt;

use serde::Serialize;

pub use self::{form::*, receipt::*};
use crate::page::{Field, Observation};

/// The state of the session, from one look at a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginState {
    /// the logged-in marker is there
    LoggedIn,
    /// LinkedIn shows a login wall: the session is no longer valid
    Expired,
    /// a checkpoint or captcha
    Checkpoint,
    /// not decided yet (page still loading)
    Pending,
}

/// Reads the session state; a checkpoint wins over everything.
pub fn session_state(obs: &Observation) -> LoginState {
    if obs.checkpoint || obs.captcha {
        LoginState::Checkpoint
    } else if obs.login_wall {
        LoginState::Expired
    } else if obs.logged_in {
        LoginState::LoggedIn
    } else {
        LoginState::Pending
    }
}

/// Why the flow ended without (or before) a submission. Maps to a status and a
/// reason in `apply::outcome`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stop {
    /// login wall
    SessionExpired,
    /// checkpoint or captcha
    SessionCheckpoint,
    /// LinkedIn shows the job as applied
    AlreadyApplied,
    /// the job has no Easy Apply
    NotEasyApply,
    /// no longer accepting applications
    JobClosed,
    /// LinkedIn's own daily-limit message
    LinkedinDailyLimit,
    /// LinkedIn's "applying at a fast pace … briefly paused" throttle
    LinkedinThrottled,
    /// required questions the profile cannot answer
    UnknownQuestions(Vec<PendingQuestion>),
    /// LinkedIn's inline errors after Next/Submit, on no question the worker can
    /// name
    ValidationError(Vec<String>),
    /// LinkedIn rejected the answers to these questions (each with its message) and
    /// no correction the field itself asks for is left: the user's answer is needed
    AnswerRejected(Vec<PendingQuestion>),
    /// a step with no Next, Review or Submit button
    StepStuck {
        /// 1-based step
        step: u32,
    },
    /// the Easy Apply modal never opened after the entry was clicked
    ModalMissing,
    /// after the entry was clicked a dialog opened that is neither the form nor a
    /// message the site file knows (a limit in words it does not have, a new
    /// notice): its visible text, clipped
    UnknownDialog(String),
    /// the job page showed nothing the site file recognises in time (`rendered`: its
    /// top card did render, without an apply control or a status)
    JobPageUnreadable {
        /// the top card rendered
        rendered: bool,
    },
    /// a question on the shown step whose text or options cannot be read: nothing
    /// is guessed, the form is discarded
    UnreadableQuestion {
        /// 1-based step
        step: u32,
        /// how many such questions
        count: usize,
    },
    /// the user gave a résumé and another one is selected before Submit
    ResumeMismatch,
    /// the page is in a display language the site file has no texts for (its
    /// primary subtag): nothing was clicked
    UnsupportedLanguage(String),
    /// more steps than any real form has
    TooManySteps,
    /// the user's daily submission cap (begin_submit said so)
    UserLimit,
    /// the lease was lost before the click (begin_submit said so)
    LeaseLost,
    /// a verification run must settle the row first (begin_submit said so)
    VerificationRequired,
    /// dry run: everything walked, stopped before Submit
    DryRunComplete,
    /// confirmed by LinkedIn
    Submitted,
    /// Submit clicked, no confirmation seen in time
    SubmitUnconfirmed,
    /// verification run: LinkedIn shows the job as applied
    VerifiedApplied,
    /// verification run: LinkedIn clearly shows no application (Easy Apply offered)
    VerifiedNotApplied,
    /// verification run: the page does not tell
    VerificationInconclusive,
}

/// The one definition of a structural failure (LinkedIn's markup moved away from
/// the site file): an unreadable job page, a form that never opened, a stuck step,
/// an unreadable question. Used by the snapshot, the drift breaker, the reason and
/// the alert (with `element_missing` from the browser, `apply::outcome`).
pub fn structural(stop: &Stop) -> Option<&'static str> {
    match stop {
        Stop::JobPageUnreadable { .. } => Some("job_page_unreadable"),
        Stop::ModalMissing => Some("modal_missing"),
        Stop::StepStuck { .. } => Some("step_stuck"),
        Stop::UnreadableQuestion { .. } => Some("question_unreadable"),
        _ => None,
    }
}

/// Which display language the run reads the site in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LanguageChoice {
    /// the site file's texts of `code`, told by `from`
    Use {
        /// primary subtag (`fr`)
        code: String,
        /// where it was read
        from: &'static str,
    },
    /// a language the file has no texts for: stop before any click
    Unsupported(String),
}

/// The page's `<html lang>` first (what the page is written in), else the session's
/// `lang` cookie, else English; then whether the site file has texts for it.
pub fn language(
    page: &str,
    cookie: Option<&str>,
    covered: impl Fn(&str) -> bool,
) -> LanguageChoice {
    use crate::site::language::{BASE, primary};
    let (code, from) = match (primary(page), cookie.and_then(primary)) {
        (Some(code), _) => (code, "the page's <html lang>"),
        (None, Some(code)) => (code, "the session's lang cookie"),
        (None, None) => (BASE.to_owned(), "not told: English assumed"),
    };
    if covered(&code) {
        LanguageChoice::Use { code, from }
    } else {
        LanguageChoice::Unsupported(code)
    }
}

/// LinkedIn telling this user to stop: the throttle (checked first: it asks for the
/// longer pause) or the daily limit. Either stops the run wherever it appears.
pub fn linkedin_stop(obs: &Observation) -> Option<Stop> {
    if obs.throttled {
        Some(Stop::LinkedinThrottled)
    } else if obs.daily_limit {
        Some(Stop::LinkedinDailyLimit)
    } else {
        None
    }
}

/// What a verification run concludes from the job page.
pub fn verification(obs: &Observation) -> Option<Stop> {
    match job_page(obs) {
        JobPage::Stop(Stop::AlreadyApplied) => Some(Stop::VerifiedApplied),
        JobPage::OpenEasyApply => Some(Stop::VerifiedNotApplied),
        JobPage::Stop(stop @ (Stop::SessionExpired | Stop::SessionCheckpoint)) => Some(stop),
        JobPage::Stop(_) => Some(Stop::VerificationInconclusive),
        JobPage::Pending => None,
    }
}

/// What the job page calls for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobPage {
    /// stop here
    Stop(Stop),
    /// click Easy Apply
    OpenEasyApply,
    /// not decided yet
    Pending,
}

/// Decides on the job page. "No Easy Apply" needs positive proof (the external
/// Apply button): a page that is merely slow must never skip an application.
pub fn job_page(obs: &Observation) -> JobPage {
    match session_state(obs) {
        LoginState::Checkpoint => return JobPage::Stop(Stop::SessionCheckpoint),
        LoginState::Expired => return JobPage::Stop(Stop::SessionExpired),
        LoginState::LoggedIn | LoginState::Pending => {}
    }
    if obs.already_applied {
        JobPage::Stop(Stop::AlreadyApplied)
    } else if obs.closed {
        JobPage::Stop(Stop::JobClosed)
    } else if let Some(stop) = linkedin_stop(obs) {
        JobPage::Stop(stop)
    } else if obs.easy_apply {
        JobPage::OpenEasyApply
    } else if obs.external_apply {
        JobPage::Stop(Stop::NotEasyApply)
    } else {
        JobPage::Pending
    }
}

/// What follows a click on Easy Apply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AfterEntry {
    /// the modal is open
    Modal,
    /// the safety reminder: click "Continue applying"
    ContinueApplying,
    /// stop (daily limit, session trouble)
    Stop(Stop),
    /// not yet
    Pending,
}

/// Decides after the Easy Apply click.
pub fn after_entry(obs: &Observation) -> AfterEntry {
    match (session_state(obs), linkedin_stop(obs)) {
        (LoginState::Checkpoint, _) => AfterEntry::Stop(Stop::SessionCheckpoint),
        (LoginState::Expired, _) => AfterEntry::Stop(Stop::SessionExpired),
        (_, Some(stop)) => AfterEntry::Stop(stop),
        _ if obs
            .modal
            .as_ref()
            .is_some_and(|m| !m.fields.is_empty() || m.next || m.review || m.submit) =>
        {
            AfterEntry::Modal
        }
        _ if obs.safety_reminder => AfterEntry::ContinueApplying,
        _ => AfterEntry::Pending,
    }
}

/// A question the user must answer, as stored in `pending_questions`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PendingQuestion {
    /// the question as LinkedIn shows it
    pub label: String,
    /// text, select, radio, ...
    pub kind: &'static str,
    /// required
    pub required: bool,
    /// the choices, for select/radio/checkbox
    pub options: Vec<String>,
    /// LinkedIn's message when it rejected the answer given (the answer itself is
    /// never stored here)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rejected: Option<String>,
    /// the field takes whole numbers only: an answer given back must be one
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub whole_number: bool,
}

impl PendingQuestion {
    /// The question of `field`.
    pub fn of(field: &Field) -> Self {
        Self {
            label: field.label.clone(),
            kind: field.kind.as_str(),
            required: field.required,
            options: field.options.clone(),
            rejected: None,
            whole_number: field.whole,
        }
    }

    /// The question of `field`, whose answer LinkedIn rejected with its inline error.
    pub fn rejected(field: &Field) -> Self {
        Self {
            rejected: Some(field.error.clone()),
            ..Self::of(field)
        }
    }
}

/// What the operator is told when the job page never showed a decision: a page that
/// rendered without an apply control points at the site file; otherwise the page is
/// slow.
pub fn job_page_wait(job_loaded: bool) -> String {
    if job_loaded {
        "the job page rendered but shows no apply button: if this repeats, check the apply-button key of the site file (`autoapply selectors check --html`); waiting for the apply button".to_owned()
    } else {
        "waiting for the job page".to_owned()
    }
}

/// Whether a run's screenshot is kept, and its file-name suffix: every ending that
/// needs a person's eyes keeps one; a success only when configured; an ending that
/// is as it should be (already applied, dry run, a verification) or a shutdown keeps
/// none. `stop` is `None` when the browser failed.
pub fn screenshot_suffix(
    stop: Option<&Stop>,
    cancelled: bool,
    success_screenshots: bool,
) -> Option<&'static str> {
    match stop {
        Some(Stop::Submitted) => success_screenshots.then_some("-confirmation"),
        Some(
            Stop::AlreadyApplied
            | Stop::NotEasyApply
            | Stop::JobClosed
            | Stop::DryRunComplete
            | Stop::LeaseLost
            | Stop::VerifiedApplied
            | Stop::VerifiedNotApplied
            | Stop::UnsupportedLanguage(_),
        ) => None,
        None if cancelled => None,
        _ => Some(""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        answers::Resolution, domain::ApplicantProfile, page::FieldKind, page::Modal, page::Target,
    };

    fn obs(json: serde_json::Value) -> Observation {
        let mut base = serde_json::json!({
            "url": "http://127.0.0.1/x", "logged_in": true, "captcha": false, "login_wall": false,
            "checkpoint": false, "job_loaded": false, "easy_apply": false, "external_apply": false, "already_applied": false,
            "closed": false, "safety_reminder": false, "daily_limit": false, "confirmation": false,
            "modal": null, "suggestions": []
        });
        for (k, v) in json.as_object().unwrap() {
            base[k] = v.clone();
        }
        serde_json::from_value(base).unwrap()
    }

    fn modal(json: serde_json::Value) -> serde_json::Value {
        let mut base = serde_json::json!({"fields": [], "next": false, "review": false, "submit": false,
            "dismiss": true, "discard": false, "errors": [], "documents": [], "document_selected": false});
        for (k, v) in json.as_object().unwrap() {
            base[k] = v.clone();
        }
        base
    }

    #[test]
    fn the_session_state_prefers_checkpoints() {
        assert_eq!(
            session_state(&obs(serde_json::json!({}))),
            LoginState::LoggedIn
        );
        assert_eq!(
            session_state(&obs(serde_json::json!({"logged_in": false}))),
            LoginState::Pending
        );
        assert_eq!(
            session_state(&obs(
                serde_json::json!({"logged_in": false, "login_wall": true})
            )),
            LoginState::Expired
        );
        assert_eq!(
            session_state(&obs(serde_json::json!({"captcha": true}))),
            LoginState::Checkpoint
        );
        assert_eq!(
            session_state(&obs(
                serde_json::json!({"checkpoint": true, "login_wall": true})
            )),
            LoginState::Checkpoint
        );
    }

    #[test]
    fn job_page_decisions() {
        let j = |v| job_page(&obs(v));
        assert_eq!(
            j(serde_json::json!({"job_loaded": true, "easy_apply": true})),
            JobPage::OpenEasyApply
        );
        assert_eq!(
            j(serde_json::json!({"job_loaded": true, "easy_apply": true, "already_applied": true})),
            JobPage::Stop(Stop::AlreadyApplied),
            "applied wins over the button"
        );
        assert_eq!(
            j(serde_json::json!({"job_loaded": true, "closed": true})),
            JobPage::Stop(Stop::JobClosed)
        );
        assert_eq!(
            j(serde_json::json!({"job_loaded": true, "external_apply": true})),
            JobPage::Stop(Stop::NotEasyApply)
        );
        assert_eq!(
            j(serde_json::json!({"job_loaded": true})),
            JobPage::Pending,
            "no button yet is not proof of none"
        );
        assert_eq!(j(serde_json::json!({})), JobPage::Pending, "still loading");
        assert_eq!(
            j(serde_json::json!({"logged_in": false, "login_wall": true})),
            JobPage::Stop(Stop::SessionExpired)
        );
        assert_eq!(
            j(serde_json::json!({"checkpoint": true})),
            JobPage::Stop(Stop::SessionCheckpoint)
        );
    }

    #[test]
    fn verification_needs_the_page_to_say_so() {
        let v = |j| verification(&obs(j));
        assert_eq!(
            v(serde_json::json!({"already_applied": true})),
            Some(Stop::VerifiedApplied)
        );
        assert_eq!(
            v(serde_json::json!({"easy_apply": true})),
            Some(Stop::VerifiedNotApplied)
        );
        assert_eq!(
            v(serde_json::json!({"closed": true})),
            Some(Stop::VerificationInconclusive)
        );
        assert_eq!(
            v(serde_json::json!({"job_loaded": true})),
            None,
            "no button yet: keep looking"
        );
    }

    #[test]
    fn linkedins_throttle_stops_the_run_wherever_it_shows() {
        let throttled =
            obs(serde_json::json!({"throttled": true, "daily_limit": true, "easy_apply": true}));
        assert_eq!(
            linkedin_stop(&throttled),
            Some(Stop::LinkedinThrottled),
            "the longer pause wins"
        );
        assert_eq!(job_page(&throttled), JobPage::Stop(Stop::LinkedinThrottled));
        assert_eq!(
            after_entry(&throttled),
            AfterEntry::Stop(Stop::LinkedinThrottled)
        );
        assert_eq!(
            advance("before", &throttled),
            Advance::Stop(Stop::LinkedinThrottled)
        );
        assert_eq!(after_submit(&throttled), Some(Stop::LinkedinThrottled));
        assert_eq!(linkedin_stop(&obs(serde_json::json!({}))), None);
    }

    #[test]
    fn after_the_entry_click() {
        assert_eq!(
            after_entry(&obs(serde_json::json!({"daily_limit": true}))),
            AfterEntry::Stop(Stop::LinkedinDailyLimit)
        );
        assert_eq!(
            after_entry(&obs(serde_json::json!({"safety_reminder": true}))),
            AfterEntry::ContinueApplying
        );
        assert_eq!(
            after_entry(&obs(
                serde_json::json!({"modal": modal(serde_json::json!({"next": true}))})
            )),
            AfterEntry::Modal
        );
        assert_eq!(
            after_entry(&obs(
                serde_json::json!({"modal": modal(serde_json::json!({}))})
            )),
            AfterEntry::Pending,
            "an empty modal is still rendering"
        );
    }

    fn field(label: &str, kind: FieldKind, required: bool) -> serde_json::Value {
        serde_json::json!({"handle": 0, "label": label, "kind": kind, "required": required, "options": [], "value": ""})
    }

    #[test]
    fn an_unknown_required_question_stops_the_step_and_an_optional_one_does_not() {
        let m: Modal = serde_json::from_value(modal(serde_json::json!({"submit": true, "fields": [
            field("How many years of experience do you have with COBOL?", FieldKind::Text, true),
            field("Anything else you would like us to know?", FieldKind::Textarea, false),
        ]})))
        .unwrap();
        let plan = plan_step(&m, &ApplicantProfile::default(), Files::default());
        assert_eq!(plan.unknown_required.len(), 1);
        assert_eq!(
            plan.unknown_required[0].label,
            "How many years of experience do you have with COBOL?"
        );
        assert_eq!(plan.unknown_required[0].kind, "text");
        assert_eq!(plan.fills.len(), 2);
        assert_eq!(plan.fills[1].1, Resolution::Unknown);
    }

    #[test]
    fn a_rejected_step_is_filled_again_only_to_take_whole_parts_else_asked() {
        let profile = ApplicantProfile::from_json(
            &serde_json::json!({"experience_years": {"go": 4.5, "python": 70}}),
        )
        .unwrap();
        let rejected = |label: &str, value: &str, error: &str| {
            let mut f = field(label, FieldKind::Text, true);
            f["value"] = value.into();
            f["error"] = error.into();
            f["whole"] = true.into();
            f
        };
        let go = "How many years of experience do you have with Go?";
        let python = "How many years of experience do you have with Python?";
        let whole = "Enter a whole number between 0 and 99";
        let shown = |fields: Vec<serde_json::Value>| -> Modal {
            serde_json::from_value(modal(
                serde_json::json!({"next": true, "errors": [whole], "fields": fields}),
            ))
            .unwrap()
        };
        // "4.5" refused where whole numbers are wanted: the step again, with "4"
        let m = shown(vec![rejected(go, "4.5", whole)]);
        assert_eq!(
            rejection(&m, &profile, Files::default()),
            Rejection::FillAgain
        );
        // "4" refused too, or a whole number out of range: never sent again as it was
        for m in [
            shown(vec![rejected(go, "4", whole)]),
            shown(vec![rejected(python, "70", whole)]),
            shown(vec![
                rejected(go, "4.5", whole),
                rejected(python, "70", whole),
            ]),
        ] {
            let Rejection::Ask(asked) = rejection(&m, &profile, Files::default()) else {
                panic!("asked")
            };
            assert_eq!(asked.len(), 1);
            assert_eq!(asked[0].rejected.as_deref(), Some(whole));
            let stored = serde_json::to_value(&asked[0]).unwrap();
            assert_eq!(
                stored["rejected"], whole,
                "LinkedIn's words, never the answer"
            );
        }
        // errors on no question the worker can name: LinkedIn's words
        let m = shown(vec![field(go, FieldKind::Text, true)]);
        assert_eq!(
            rejection(&m, &profile, Files::default()),
            Rejection::Failed(vec![whole.to_owned()])
        );
    }

    #[test]
    fn a_radio_click_that_did_not_take_is_found() {
        let mut radio = field("Authorized?", FieldKind::Radio, true);
        radio["options"] = serde_json::json!(["Yes", "No"]);
        let planned: Modal =
            serde_json::from_value(modal(serde_json::json!({"fields": [radio.clone()]}))).unwrap();
        let plan = StepPlan {
            fills: vec![(planned.fields[0].clone(), Resolution::Choose("No".into()))],
            unknown_required: Vec::new(),
            unreadable: 0,
        };
        assert_eq!(
            unchecked_choices(&plan, &planned),
            [Target::FieldOption(0, 1)],
            "shown unchosen: clicked again"
        );
        radio["checked"] = serde_json::json!([1]);
        let shown: Modal =
            serde_json::from_value(modal(serde_json::json!({"fields": [radio]}))).unwrap();
        assert!(unchecked_choices(&plan, &shown).is_empty());
    }

    #[test]
    fn step_buttons_and_advancing() {
        let m = |v| serde_json::from_value::<Modal>(modal(v)).unwrap();
        assert_eq!(
            step_action(&m(serde_json::json!({"next": true, "submit": true}))),
            StepAction::Submit
        );
        assert_eq!(
            step_action(&m(serde_json::json!({"review": true}))),
            StepAction::Review
        );
        assert_eq!(step_action(&m(serde_json::json!({}))), StepAction::Stuck);

        let first = m(
            serde_json::json!({"next": true, "fields": [field("First name", FieldKind::Text, true)]}),
        );
        let sig = step_signature(&first);
        let same = obs(
            serde_json::json!({"modal": modal(serde_json::json!({"next": true, "fields": [field("First name", FieldKind::Text, true)]}))}),
        );
        assert_eq!(advance(&sig, &same), Advance::Pending);
        let errors = obs(
            serde_json::json!({"modal": modal(serde_json::json!({"next": true, "errors": ["Enter a valid answer"],
            "fields": [field("First name", FieldKind::Text, true)]}))}),
        );
        assert_eq!(
            advance(&sig, &errors),
            Advance::Errors(vec!["Enter a valid answer".into()])
        );
        let next = obs(
            serde_json::json!({"modal": modal(serde_json::json!({"review": true, "fields": [field("Resume", FieldKind::File, true)]}))}),
        );
        assert_eq!(advance(&sig, &next), Advance::NewStep);
    }

    #[test]
    fn screenshots_are_kept_where_a_person_must_look() {
        assert_eq!(
            screenshot_suffix(Some(&Stop::ModalMissing), false, false),
            Some("")
        );
        assert_eq!(
            screenshot_suffix(None, false, false),
            Some(""),
            "a browser failure"
        );
        assert_eq!(screenshot_suffix(None, true, false), None, "shutdown");
        assert_eq!(
            screenshot_suffix(Some(&Stop::Submitted), false, false),
            None
        );
        assert_eq!(
            screenshot_suffix(Some(&Stop::Submitted), false, true),
            Some("-confirmation")
        );
        for quiet in [
            Stop::AlreadyApplied,
            Stop::DryRunComplete,
            Stop::VerifiedApplied,
        ] {
            assert_eq!(
                screenshot_suffix(Some(&quiet), false, true),
                None,
                "{quiet:?}"
            );
        }
        assert!(job_page_wait(true).contains("apply-button key"));
        assert_eq!(job_page_wait(false), "waiting for the job page");
    }

    #[test]
    fn after_submit_only_the_confirmation_means_submitted() {
        assert_eq!(
            after_submit(&obs(serde_json::json!({"confirmation": true}))),
            Some(Stop::Submitted)
        );
        assert_eq!(
            after_submit(&obs(
                serde_json::json!({"modal": modal(serde_json::json!({}))})
            )),
            None
        );
        assert_eq!(
            after_submit(&obs(
                serde_json::json!({"modal": modal(serde_json::json!({"errors": ["x"]}))})
            )),
            Some(Stop::ValidationError(vec!["x".into()]))
        );
    }
}
