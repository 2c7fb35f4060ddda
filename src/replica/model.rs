//! The replica's job model — a job, its kind and markup generation, its steps,
//! questions and footers — and the HTML escape every page uses. A leaf of
//! `replica/`: the catalog (`jobs.rs`), the October 2026 dialog (`sdui.rs`) and the
//! translations (`i18n.rs`) all build on it.

/// One question of an Easy Apply step.
#[derive(Debug, Clone)]
pub enum Question {
    /// single-line text; `max` makes it numeric with an inline error above it
    Text {
        /// the label
        label: &'static str,
        /// LinkedIn-like id suffix
        id: &'static str,
        /// required
        required: bool,
        /// numeric, 0..=max
        max: Option<u64>,
    },
    /// multi-line text
    Textarea {
        /// the label
        label: &'static str,
        /// required
        required: bool,
    },
    /// drop-down with "Select an option" first
    Select {
        /// the label
        label: &'static str,
        /// the options (the placeholder is added)
        options: &'static [&'static str],
        /// required
        required: bool,
    },
    /// radio fieldset
    Radio {
        /// the title
        label: &'static str,
        /// the options
        options: &'static [&'static str],
        /// required
        required: bool,
    },
    /// one checkbox in a fieldset
    Checkbox {
        /// the title
        label: &'static str,
        /// the option's text
        option: &'static str,
        /// required
        required: bool,
    },
    /// a cover-letter upload beside the résumé's (its own label and id)
    CoverLetter {
        /// required
        required: bool,
    },
    /// a date typed in the layout its placeholder shows (`mm/dd/yyyy`, translated
    /// with the page): LinkedIn's date picker input
    Date {
        /// the label
        label: &'static str,
        /// required
        required: bool,
    },
    /// city typeahead
    Typeahead {
        /// the label
        label: &'static str,
        /// required
        required: bool,
    },
    /// a "select all that apply" checkbox group (October 2026)
    CheckboxGroup {
        /// the question
        label: &'static str,
        /// the options
        options: &'static [&'static str],
        /// required
        required: bool,
    },
    /// a drop-down without a placeholder: its first option shows selected
    /// (October 2026's country lists start at "Afghanistan")
    List {
        /// the question
        label: &'static str,
        /// the options
        options: &'static [&'static str],
        /// required
        required: bool,
    },
    /// an optional marketing opt-in, prechecked
    OptIn {
        /// the question
        label: &'static str,
        /// the box's text
        option: &'static str,
    },
    /// a required radio group whose options' text is drawn by CSS only: nobody
    /// reading the page's text can tell the options apart
    Unreadable {
        /// the question
        label: &'static str,
        /// the options as drawn
        options: &'static [&'static str],
    },
    /// résumé upload (required)
    Resume,
    /// the follow-company box (checked by default)
    FollowCompany,
}

/// What the footer of a step shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Footer {
    /// Next
    Next,
    /// Review
    Review,
    /// Submit application
    Submit,
    /// nothing at all (a step whose Next never appears)
    Nothing,
    /// Submit, with the follow-company box in the footer (a generated id, outside the
    /// question containers), as 2025-26 review steps have it
    SubmitWithFollow,
}

/// One step of the modal.
#[derive(Debug, Clone)]
pub struct Step {
    /// heading
    pub title: &'static str,
    /// questions
    pub questions: Vec<Question>,
    /// buttons
    pub footer: Footer,
}

/// A dialog that comes before the form and needs one click to go on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reminder {
    /// the "Job search safety reminder", 2024-25: an artdeco dialog whose button
    /// carries `aria-label="Continue applying"`
    Labelled,
    /// the safety reminder, 2026: hashed classes, a button named only by its text
    TextOnly,
    /// "Your profile is missing some required qualifications", a "Continue" button
    Qualifications,
}

impl Reminder {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            Self::Labelled => "labelled",
            Self::TextOnly => "text",
            Self::Qualifications => "qualifications",
        }
    }
}

/// Which of LinkedIn's markup generations a job page is written in
/// (shared/reference/linkedin-dom.md, "2026").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Generation {
    /// 2024-25: artdeco classes, a `<button>` apply control, the modal in the page
    Artdeco,
    /// April 2026: hashed classes, an `<a>` apply control (`openSDUIApplyFlow=true`)
    /// beside a filter pill whose role is radio, the legacy form inside an open
    /// shadow root on `#interop-outlet`, the 2025-26 "Save this application?"
    Interop,
    /// September 2026: hashed classes, a native `<dialog>` titled "Apply to …",
    /// React-generated ids (`:r4:`) tied by `label[for]`, text-only buttons
    NativeDialog,
    /// October 2026: server-driven (SDUI) — no `<h1>`, every step in the DOM at once
    /// (the others `hidden`), question blocks with the text in a `<p>`, options beside
    /// empty labels, résumé cards, a progress bar, a post-apply URL (`replica::sdui`)
    Sdui,
}

impl Generation {
    /// In words, for the demo's table.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Artdeco => "2024-25 artdeco markup",
            Self::Interop => "April 2026 markup: <a> control, form in a shadow root",
            Self::NativeDialog => {
                "September 2026 markup: native <dialog>, generated ids, text-only buttons"
            }
            Self::Sdui => {
                "October 2026 markup: server-driven dialog, all steps in the DOM, options beside empty labels"
            }
        }
    }

    /// The name the page's script uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Artdeco => "artdeco-2025",
            Self::Interop => "interop-2026-04",
            Self::NativeDialog => "dialog-2026-09",
            Self::Sdui => "sdui-2026-10",
        }
    }
}

/// What a job page is.
#[derive(Debug, Clone)]
pub enum JobKind {
    /// an Easy Apply job
    EasyApply {
        /// the modal's steps
        steps: Vec<Step>,
        /// the top card appears only after this many milliseconds
        slow_ms: u64,
        /// dialogs that come before the form, in order
        interstitials: &'static [Reminder],
        /// clicking Easy Apply shows this LinkedIn message (a limit, a throttle)
        /// instead of the form
        signal: Option<&'static str>,
        /// the markup generation
        generation: Generation,
    },
    /// the user already applied
    AlreadyApplied,
    /// the user already applied, as the October 2026 page shows it (a bare status in
    /// separate elements, no apply control)
    SduiApplied,
    /// only an external "Apply" link
    External,
    /// no longer accepting applications
    Closed,
    /// redirects to a security checkpoint
    Checkpoint,
}

impl Job {
    /// The markup generation its page is written in.
    pub fn generation(&self) -> Generation {
        match &self.kind {
            JobKind::EasyApply { generation, .. } => *generation,
            JobKind::SduiApplied => Generation::Sdui,
            _ => Generation::Artdeco,
        }
    }
}

/// One job of the replica.
#[derive(Debug, Clone)]
pub struct Job {
    /// LinkedIn's job id (the URL is /jobs/view/<id>/)
    pub id: u64,
    /// title
    pub title: &'static str,
    /// company
    pub company: &'static str,
    /// kind
    pub kind: JobKind,
}

/// Text as HTML writes it (in text and in a quoted attribute).
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}
