//! The sections of a selector file: selector and text lists, and what each part of
//! the flow looks for.

use serde::{Deserialize, Serialize};

/// A list of entries tried in order, each a CSS selector or a semantic locator
/// ([`super::locator`]); the first that matches wins.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Selectors(pub Vec<String>);

/// A list of phrases matched case-insensitively; `*` stands for any text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Texts(pub Vec<String>);

/// `[session]`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionSpec {
    /// cookies a stored session must carry, unexpired
    pub required_cookies: Vec<String>,
}

/// `[session_markers]`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionMarkers {
    /// present only when logged in
    pub logged_in: Selectors,
    /// URL fragments of the logged-out walls
    pub login_url_fragments: Texts,
    /// URL fragments of security checkpoints
    pub checkpoint_url_fragments: Texts,
    /// a captcha on the page
    pub captcha: Selectors,
}

/// `[job]`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobSpec {
    /// the job page has rendered
    pub loaded: Selectors,
    /// the Easy Apply entry
    pub easy_apply: Selectors,
    /// an external "Apply" button: the job has no Easy Apply
    pub external_apply: Selectors,
    /// already applied
    pub already_applied: Selectors,
    /// already applied, by text
    pub already_applied_texts: Texts,
    /// no longer accepting applications
    pub closed: Selectors,
    /// closed, by text
    pub closed_texts: Texts,
    /// "Continue applying" in the safety reminder
    pub safety_reminder_continue: Selectors,
    /// the safety reminder, by text
    pub safety_reminder_texts: Texts,
    /// the "missing some required qualifications" notice before the form, by text
    pub qualifications_notice_texts: Texts,
    /// the button that goes on past that notice
    pub qualifications_notice_continue: Selectors,
    /// the job's own text, written by the employer (description, about the company):
    /// a status phrase inside it is never LinkedIn's status
    pub free_text: Selectors,
}

/// `[modal]`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModalSpec {
    /// the Easy Apply modal
    pub root: Selectors,
    /// its form
    pub form: Selectors,
    /// Next
    pub next: Selectors,
    /// Review
    pub review: Selectors,
    /// Submit
    pub submit: Selectors,
    /// close the modal
    pub dismiss: Selectors,
    /// confirm discarding the application
    pub discard: Selectors,
    /// inline validation errors
    pub inline_errors: Selectors,
}

/// `[fields]`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldsSpec {
    /// one container per question
    pub containers: Selectors,
    /// the question's label in a container
    pub labels: Selectors,
    /// single-line text inputs
    pub text: Selectors,
    /// multi-line text
    pub textarea: Selectors,
    /// drop-downs
    pub select: Selectors,
    /// radio fieldsets
    pub radio_group: Selectors,
    /// the radio inputs of a fieldset
    pub radio_inputs: Selectors,
    /// checkbox fieldsets
    pub checkbox_group: Selectors,
    /// the checkbox inputs of a fieldset
    pub checkbox_inputs: Selectors,
    /// date inputs
    pub date: Selectors,
    /// typeahead inputs (city)
    pub typeahead: Selectors,
    /// a typeahead's suggestions
    pub typeahead_suggestions: Selectors,
    /// file inputs (résumé)
    pub file: Selectors,
    /// documents LinkedIn already has
    pub uploaded_documents: Selectors,
    /// the selected document
    pub selected_document: Selectors,
    /// the follow-company checkbox
    pub follow_company: Selectors,
    /// the placeholder option of a select
    pub select_placeholder_texts: Texts,
    /// the follow-company checkbox by its label's text, wherever it sits in the form
    /// (2025-26: the review step's footer, outside the question containers, with a
    /// generated id)
    pub follow_company_texts: Texts,
    /// LinkedIn's inline error on a field that takes whole numbers only
    pub whole_number_texts: Texts,
    /// one block per question (October 2026: `componentkey="easyApplyFieldFocus…"`):
    /// where no label carries the question, the text heading its block does
    pub question_blocks: Selectors,
    /// the résumés LinkedIn already has, one card each (its file name, a control
    /// that selects it); their controls are not questions
    pub document_cards: Selectors,
}

/// `[outcome]`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutcomeSpec {
    /// the confirmation after Submit
    pub confirmation: Selectors,
    /// the confirmation, by text
    pub confirmation_texts: Texts,
    /// LinkedIn's own daily limit
    pub daily_limit_texts: Texts,
    /// LinkedIn's temporary throttle ("applying at a fast pace … briefly paused")
    pub throttle_texts: Texts,
    /// where LinkedIn answers a click besides dialogs (toasts, alerts, live regions):
    /// the confirmation, the limit and the throttle are read there only
    pub signal_areas: Selectors,
    /// URL fragments of the page shown after a submission (its text counts as
    /// LinkedIn's answer)
    pub confirmation_url_fragments: Texts,
    /// the decline or close control of a dialog after Submit that is neither the
    /// form nor the confirmation (an upsell, a survey): never its accept
    pub after_submit_dismiss: Selectors,
}
