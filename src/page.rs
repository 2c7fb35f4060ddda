//! Page facts: what the page shows, as `browser/observe.js` reports it, and what can be
//! acted on there. `browser/` produces them; `apply/`, `answers` and `evidence`
//! consume them. Free of the DevTools library, so the pure side never depends on it.
//! Field values are read only to know whether a field is already filled;
//! they are never logged.

use serde::{Deserialize, Serialize};

/// A field's kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    /// single-line text (also LinkedIn's numeric inputs)
    Text,
    /// multi-line text
    Textarea,
    /// drop-down
    Select,
    /// radio fieldset
    Radio,
    /// checkbox fieldset
    Checkbox,
    /// date picker input
    Date,
    /// text with a suggestion list (city)
    Typeahead,
    /// file upload (résumé)
    File,
    /// the follow-company box
    FollowCompany,
    /// a container whose control the selector file does not describe
    Unknown,
}

impl FieldKind {
    /// The name stored in `pending_questions`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Textarea => "textarea",
            Self::Select => "select",
            Self::Radio => "radio",
            Self::Checkbox => "checkbox",
            Self::Date => "date",
            Self::Typeahead => "typeahead",
            Self::File => "file",
            Self::FollowCompany => "follow_company",
            Self::Unknown => "unknown",
        }
    }
}

/// One question of the current step.
#[derive(Clone, PartialEq, Deserialize)]
pub struct Field {
    /// the control's number on this step (its target is `field-N`)
    pub handle: u32,
    /// the question as shown
    pub label: String,
    /// the kind
    pub kind: FieldKind,
    /// required
    pub required: bool,
    /// the options (select, radio, checkbox), placeholder excluded
    #[serde(default)]
    pub options: Vec<String>,
    /// the current value (checked options joined for radio/checkbox; `true`/`false`
    /// for the follow box); never logged
    #[serde(default)]
    pub value: String,
    /// the checked options' indexes (radio, checkbox)
    #[serde(default)]
    pub checked: Vec<u32>,
    /// a text field that takes whole numbers only (its type, input mode or pattern,
    /// or LinkedIn's inline error on it, says so)
    #[serde(default)]
    pub whole: bool,
    /// LinkedIn's inline error on this field (text fields), when one shows
    #[serde(default)]
    pub error: String,
    /// a date field's layout, as its placeholder shows it (`mm/dd/yyyy`); empty for
    /// the browser's own date input and a field without one
    #[serde(default)]
    pub format: String,
}

impl Field {
    /// Whether a person could read this question: its text, and (for a choice) the
    /// text of every option. A résumé upload and the follow box need no reading.
    pub fn readable(&self) -> bool {
        match self.kind {
            FieldKind::File | FieldKind::FollowCompany => true,
            FieldKind::Radio | FieldKind::Checkbox | FieldKind::Select => {
                !self.label.trim().is_empty()
                    && !self.options.is_empty()
                    && self.options.iter().all(|o| !o.trim().is_empty())
            }
            _ => !self.label.trim().is_empty(),
        }
    }
}

impl std::fmt::Debug for Field {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Field")
            .field("handle", &self.handle)
            .field("label", &self.label)
            .field("kind", &self.kind)
            .field("required", &self.required)
            .field("options", &self.options.len())
            .field("filled", &!self.value.is_empty())
            .finish()
    }
}

/// A required field of the unit tests: handle 3, question `Q`.
#[cfg(test)]
pub(crate) fn test_field(kind: FieldKind, options: &[&str], value: &str) -> Field {
    serde_json::from_value(serde_json::json!({
        "handle": 3, "label": "Q", "kind": kind, "required": true,
        "options": options, "value": value
    }))
    .expect("a field")
}

/// The Easy Apply modal.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Modal {
    /// the current step's questions
    #[serde(default)]
    pub fields: Vec<Field>,
    /// Next is there
    pub next: bool,
    /// Review is there
    pub review: bool,
    /// Submit is there
    pub submit: bool,
    /// Dismiss is there
    pub dismiss: bool,
    /// the discard confirmation is there
    pub discard: bool,
    /// inline validation errors
    #[serde(default)]
    pub errors: Vec<String>,
    /// documents LinkedIn already has (file names)
    #[serde(default)]
    pub documents: Vec<String>,
    /// every uploaded file's name LinkedIn shows on the step (a cover letter's too)
    #[serde(default)]
    pub uploaded: Vec<String>,
    /// a document is selected
    pub document_selected: bool,
    /// the selected document's file name, where LinkedIn shows which
    #[serde(default)]
    pub selected_document: Option<String>,
    /// the form's progress as shown (`aria-valuenow` of its progress bar, or its text)
    #[serde(default)]
    pub progress: String,
}

/// One look at the page.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Observation {
    /// the page's URL
    pub url: String,
    /// the page's `<html lang>` (its display language), empty when it has none
    #[serde(default)]
    pub lang: String,
    /// the logged-in marker is there
    pub logged_in: bool,
    /// a captcha is there
    pub captcha: bool,
    /// the URL is a login wall
    pub login_wall: bool,
    /// the URL is a checkpoint
    pub checkpoint: bool,
    /// the job's top card rendered
    pub job_loaded: bool,
    /// the Easy Apply entry is there
    pub easy_apply: bool,
    /// only an external "Apply" is there
    pub external_apply: bool,
    /// already applied
    pub already_applied: bool,
    /// no longer accepting applications
    pub closed: bool,
    /// an interstitial before the form (the safety reminder, the qualifications
    /// notice) and its continue button are there
    pub safety_reminder: bool,
    /// which interstitial (`safety reminder`, `qualifications notice`)
    #[serde(default)]
    pub interstitial: Option<String>,
    /// LinkedIn's daily-limit message is there
    pub daily_limit: bool,
    /// LinkedIn's "applying at a fast pace" throttle is there
    #[serde(default)]
    pub throttled: bool,
    /// the confirmation after Submit is there
    pub confirmation: bool,
    /// a dialog with no step button that is not the confirmation (an upsell, a
    /// survey), when one is there with a decline or close control: its text, clipped
    #[serde(default)]
    pub after_submit: Option<String>,
    /// the Easy Apply modal, when open
    pub modal: Option<Modal>,
    /// the visible text (clipped) of an open dialog that is not the form, when one is
    #[serde(default)]
    pub dialog: Option<String>,
    /// visible typeahead suggestions, in order
    #[serde(default)]
    pub suggestions: Vec<String>,
}

/// Something `observe.js` found on its last look that the driver can act on: the
/// browser holds it as a handle of its isolated world, by [`key`](Target::key).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// the Easy Apply entry
    EasyApply,
    /// "Continue applying"
    ContinueApplying,
    /// Next
    Next,
    /// Review
    Review,
    /// Submit application
    Submit,
    /// Dismiss
    Dismiss,
    /// Discard
    Discard,
    /// the decline or close control of a dialog after Submit
    AfterSubmitDismiss,
    /// a field's control
    Field(u32),
    /// option `k` of field `n` (radio, checkbox)
    FieldOption(u32, u32),
    /// suggestion `k` of the open typeahead
    Suggestion(u32),
    /// the control that selects résumé card `k`
    Document(u32),
}

impl Target {
    /// Its key among the last look's targets (`observe.js` names them alike).
    pub fn key(self) -> String {
        match self {
            Self::EasyApply => "easy_apply".to_owned(),
            Self::ContinueApplying => "continue".to_owned(),
            Self::Next => "next".to_owned(),
            Self::Review => "review".to_owned(),
            Self::Submit => "submit".to_owned(),
            Self::Dismiss => "dismiss".to_owned(),
            Self::Discard => "discard".to_owned(),
            Self::AfterSubmitDismiss => "after_submit_dismiss".to_owned(),
            Self::Field(n) => format!("field-{n}"),
            Self::FieldOption(n, k) => format!("field-{n}-opt-{k}"),
            Self::Suggestion(k) => format!("suggestion-{k}"),
            Self::Document(k) => format!("doc-{k}"),
        }
    }
}

/// A rectangle in screenshot pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    /// left
    pub x: f64,
    /// top
    pub y: f64,
    /// width
    pub width: f64,
    /// height
    pub height: f64,
}
