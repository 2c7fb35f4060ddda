//! The replica's job catalog and its HTML, written with LinkedIn's real markup
//! (class names, aria-labels and data-test attributes from
//! shared/reference/linkedin-dom.md), so the shipped `selectors/linkedin.toml` is
//! what the tests exercise.

use std::fmt::Write as _;

pub use super::model::*;

const COUNTRIES: &[&str] = &[
    "United Kingdom (+44)",
    "Germany (+49)",
    "United States (+1)",
];
/// Cities the typeahead knows.
pub const CITIES: &[&str] = &[
    "London, England, United Kingdom",
    "Lisbon, Lisbon, Portugal",
    "Berlin, Berlin, Germany",
    "Bern, Bern, Switzerland",
];

fn contact_step(footer: Footer) -> Step {
    Step {
        title: "Contact info",
        questions: vec![
            Question::Text {
                label: "First name",
                id: "firstName",
                required: true,
                max: None,
            },
            Question::Text {
                label: "Last name",
                id: "lastName",
                required: true,
                max: None,
            },
            Question::Select {
                label: "Phone country code",
                options: COUNTRIES,
                required: true,
            },
            Question::Text {
                label: "Mobile phone number",
                id: "phoneNumber-nationalNumber",
                required: true,
                max: None,
            },
            Question::Select {
                label: "Email address",
                options: &["ada@example.org", "ada.lovelace@example.com"],
                required: true,
            },
        ],
        footer,
    }
}

/// LinkedIn's daily limit, as 2024-25 pages word it (with a typographic apostrophe).
pub const DAILY_LIMIT: &str = "You\u{2019}ve reached the Easy Apply application limit for today. We limit daily submissions to help ensure each applicant gets the right level of attention. Save this job and apply tomorrow.";
/// The 2026 wording of the daily limit: only a typographic apostrophe tells it.
pub const DAILY_LIMIT_2026: &str = "You\u{2019}ve reached the Easy Apply application limit for today. Save this job and come back tomorrow to continue applying.";
/// LinkedIn's temporary throttle.
pub const THROTTLE: &str = "We noticed you\u{2019}re applying at a fast pace\u{a0}\u{2026} We\u{2019}ve briefly paused LinkedIn Apply as a safeguard against automated inauthentic activities. Continuing may put your account at risk of restriction.";

fn easy(steps: Vec<Step>) -> JobKind {
    easy_in(Generation::Artdeco, steps)
}

fn easy_in(generation: Generation, steps: Vec<Step>) -> JobKind {
    JobKind::EasyApply {
        steps,
        slow_ms: 0,
        interstitials: &[],
        signal: None,
        generation,
    }
}

/// The multi-step form (contact, résumé, questions of every kind, review with the
/// follow box).
fn multi_step() -> Vec<Step> {
    vec![
        contact_step(Footer::Next),
        Step {
            title: "Resume",
            questions: vec![Question::Resume],
            footer: Footer::Next,
        },
        Step {
            title: "Additional questions",
            questions: vec![
                Question::Text {
                    label: "How many years of experience do you have with Python?",
                    id: "numeric-python",
                    required: true,
                    max: Some(99),
                },
                Question::Select {
                    label: "What is your notice period?",
                    options: &["0 days", "15 days", "30 days", "60 days", "90 days"],
                    required: true,
                },
                Question::Radio {
                    label: "Are you legally authorized to work in Germany?",
                    options: &["Yes", "No"],
                    required: true,
                },
                Question::Radio {
                    label: "Will you now or in the future require sponsorship for employment visa status?",
                    options: &["Yes", "No"],
                    required: true,
                },
                Question::Checkbox {
                    label: "I consent to the processing of my personal data for this application",
                    option: "I agree",
                    required: true,
                },
                Question::Typeahead {
                    label: "City",
                    required: true,
                },
            ],
            footer: Footer::Review,
        },
        Step {
            title: "Review your application",
            questions: vec![Question::FollowCompany],
            footer: Footer::Submit,
        },
    ]
}

/// The multi-step form as 2026 pages write it: the review step's follow box in the
/// footer (outside the `<form>` on the 2026 generations), checked by default.
fn multi_step_follow_in_footer() -> Vec<Step> {
    let mut steps = multi_step();
    steps[3] = Step {
        title: "Review your application",
        questions: vec![],
        footer: Footer::SubmitWithFollow,
    };
    steps
}

/// A step with questions no profile answers (two required unknowns).
fn unknown_questions() -> Vec<Step> {
    vec![Step {
        title: "Additional questions",
        questions: vec![
            Question::Text {
                label: "How many years of experience do you have with COBOL?",
                id: "numeric-cobol",
                required: true,
                max: Some(99),
            },
            Question::Select {
                label: "Which shift do you prefer?",
                options: &["Day", "Night"],
                required: true,
            },
            Question::Textarea {
                label: "Anything else you would like us to know?",
                required: false,
            },
            Question::Text {
                label: "How many years of experience do you have with Python?",
                id: "numeric-python",
                required: true,
                max: Some(99),
            },
        ],
        footer: Footer::Submit,
    }]
}

/// The catalog. Ids are stable: tests and the demo name them.
pub fn catalog() -> Vec<Job> {
    let mut jobs = vec![
        Job {
            id: 1001,
            title: "Rust Engineer",
            company: "Acme Robotics",
            kind: easy(vec![contact_step(Footer::Submit)]),
        },
        Job {
            id: 1002,
            title: "Senior Backend Engineer",
            company: "Initech",
            kind: easy(multi_step()),
        },
        Job {
            id: 1003,
            title: "Platform Engineer",
            company: "Globex",
            kind: JobKind::AlreadyApplied,
        },
        Job {
            id: 1004,
            title: "Site Reliability Engineer",
            company: "Hooli",
            kind: JobKind::External,
        },
        Job {
            id: 1005,
            title: "Data Engineer",
            company: "Umbrella",
            kind: JobKind::Closed,
        },
        Job {
            id: 1006,
            title: "Security Engineer",
            company: "Cyberdyne",
            kind: JobKind::Checkpoint,
        },
        Job {
            id: 1007,
            title: "Embedded Engineer",
            company: "Soylent",
            kind: JobKind::EasyApply {
                steps: vec![contact_step(Footer::Submit)],
                slow_ms: 0,
                interstitials: &[],
                generation: Generation::Artdeco,
                signal: Some(DAILY_LIMIT),
            },
        },
        Job {
            id: 1008,
            title: "Staff Engineer",
            company: "Vandelay",
            kind: easy(vec![
                Step {
                    title: "Additional questions",
                    questions: vec![Question::Text {
                        label: "What is your expected annual salary (EUR)?",
                        id: "numeric-salary",
                        required: true,
                        max: Some(200_000),
                    }],
                    footer: Footer::Next,
                },
                contact_step(Footer::Submit),
            ]),
        },
        Job {
            id: 1009,
            title: "Rust Engineer (slow page)",
            company: "Wonka",
            kind: JobKind::EasyApply {
                steps: vec![contact_step(Footer::Submit)],
                slow_ms: 3000,
                interstitials: &[],
                generation: Generation::Artdeco,
                signal: None,
            },
        },
        Job {
            id: 1010,
            title: "Engineer (broken form)",
            company: "Stark",
            kind: easy(vec![Step {
                title: "Contact info",
                questions: vec![Question::Text {
                    label: "First name",
                    id: "firstName",
                    required: true,
                    max: None,
                }],
                footer: Footer::Nothing,
            }]),
        },
        Job {
            id: 1011,
            title: "Mainframe Engineer",
            company: "Dunder",
            kind: easy(unknown_questions()),
        },
        Job {
            id: 1012,
            title: "Rust Engineer (safety reminder)",
            company: "Tyrell",
            kind: JobKind::EasyApply {
                steps: vec![contact_step(Footer::Submit)],
                slow_ms: 0,
                interstitials: &[Reminder::Labelled],
                generation: Generation::Artdeco,
                signal: None,
            },
        },
        Job {
            id: 1013,
            title: "Firmware Engineer",
            company: "Tyrell",
            kind: JobKind::EasyApply {
                steps: vec![contact_step(Footer::Submit)],
                slow_ms: 0,
                interstitials: &[],
                generation: Generation::Artdeco,
                signal: Some(DAILY_LIMIT_2026),
            },
        },
        Job {
            id: 1014,
            title: "Data Engineer",
            company: "Wallace",
            kind: JobKind::EasyApply {
                steps: vec![contact_step(Footer::Submit)],
                slow_ms: 0,
                interstitials: &[],
                generation: Generation::Artdeco,
                signal: Some(THROTTLE),
            },
        },
        Job {
            id: 1015,
            title: "Platform Engineer (follow box in the footer)",
            company: "Weyland",
            kind: easy(vec![
                contact_step(Footer::Next),
                Step {
                    title: "Review your application",
                    questions: vec![],
                    footer: Footer::SubmitWithFollow,
                },
            ]),
        },
        Job {
            id: 1016,
            title: "Reliability Engineer (text-only safety reminder)",
            company: "Tyrell",
            kind: JobKind::EasyApply {
                steps: vec![contact_step(Footer::Submit)],
                slow_ms: 0,
                interstitials: &[Reminder::TextOnly],
                generation: Generation::Artdeco,
                signal: None,
            },
        },
        Job {
            id: 1017,
            title: "Backend Engineer",
            company: "Massive Dynamic",
            kind: easy_in(Generation::Interop, multi_step_follow_in_footer()),
        },
        Job {
            id: 1018,
            title: "Applied Scientist",
            company: "Oscorp",
            kind: easy_in(Generation::NativeDialog, multi_step_follow_in_footer()),
        },
        Job {
            id: 1019,
            title: "Rust Engineer",
            company: "Oscorp",
            kind: JobKind::EasyApply {
                steps: vec![contact_step(Footer::Submit)],
                slow_ms: 0,
                interstitials: &[Reminder::Qualifications, Reminder::TextOnly],
                signal: None,
                generation: Generation::NativeDialog,
            },
        },
        Job {
            id: 1020,
            title: "Mainframe Engineer",
            company: "Massive Dynamic",
            kind: easy_in(Generation::Interop, unknown_questions()),
        },
        Job {
            id: 1021,
            title: "Mainframe Engineer",
            company: "Oscorp",
            kind: easy_in(Generation::NativeDialog, unknown_questions()),
        },
        Job {
            id: 1022,
            title: "Broken Form Engineer",
            company: "Massive Dynamic",
            kind: easy_in(
                Generation::Interop,
                vec![Step {
                    title: "Contact info",
                    questions: vec![Question::Text {
                        label: "First name",
                        id: "firstName",
                        required: true,
                        max: None,
                    }],
                    footer: Footer::Nothing,
                }],
            ),
        },
    ];
    jobs.extend(sdui_catalog());
    jobs
}

/// The October 2026 form: contact (a country list without a placeholder), the
/// résumé cards, questions of every SDUI kind (a number, a select, radios with opaque
/// values, a checkbox group, a prechecked opt-in, a consent), review with the follow
/// box in the footer.
fn sdui_steps() -> Vec<Step> {
    let mut contact = contact_step(Footer::Next);
    contact.questions.push(Question::List {
        label: "Country of residence",
        options: &["Afghanistan", "Germany", "Portugal", "United Kingdom"],
        required: true,
    });
    vec![
        contact,
        Step {
            title: "Resume",
            questions: vec![Question::Resume],
            footer: Footer::Next,
        },
        Step {
            title: "Additional questions",
            questions: vec![
                Question::Text {
                    label: "How many years of experience do you have with Python?",
                    id: "numeric-python",
                    required: true,
                    max: Some(99),
                },
                Question::Select {
                    label: "What is your notice period?",
                    options: &["0 days", "15 days", "30 days", "60 days", "90 days"],
                    required: true,
                },
                Question::Radio {
                    label: "Are you legally authorized to work in Germany?",
                    options: &["Yes", "No"],
                    required: true,
                },
                Question::Radio {
                    label: "Will you now or in the future require sponsorship for employment visa status?",
                    options: &["Yes", "No"],
                    required: true,
                },
                Question::Radio {
                    label: "What is your level of proficiency in English?",
                    options: &[
                        "None",
                        "Conversational",
                        "Professional",
                        "Native or bilingual",
                    ],
                    required: true,
                },
                Question::CheckboxGroup {
                    label: "Which of these cloud platforms have you used? Select all that apply.",
                    options: &["AWS", "GCP", "Azure"],
                    required: true,
                },
                Question::OptIn {
                    label: "Stay in touch",
                    option: "Keep me informed about new jobs and events at this company by e-mail",
                },
                Question::Checkbox {
                    label: "I consent to the processing of my personal data for this application",
                    option: "I agree",
                    required: true,
                },
            ],
            footer: Footer::Review,
        },
        Step {
            title: "Review your application",
            questions: vec![],
            footer: Footer::SubmitWithFollow,
        },
    ]
}

/// The October 2026 jobs (1030–1033).
/// A résumé upload with a cover-letter upload beside it (issue 34): optional or
/// required, in `generation`.
/// The contact step, then one step of `questions` titled `title`, ended by Submit.
fn contact_then(generation: Generation, title: &'static str, questions: Vec<Question>) -> JobKind {
    easy_in(
        generation,
        vec![
            contact_step(Footer::Next),
            Step {
                title,
                questions,
                footer: Footer::Submit,
            },
        ],
    )
}

fn with_cover_letter(generation: Generation, required: bool) -> JobKind {
    contact_then(
        generation,
        "Resume",
        vec![Question::Resume, Question::CoverLetter { required }],
    )
}

/// LinkedIn's voluntary self-identification step (US equal-opportunity questions):
/// three optional lists and a required veteran question, each with a way to decline.
fn self_identification(generation: Generation) -> JobKind {
    contact_then(
        generation,
        "Voluntary self identification",
        vec![
            Question::Select {
                label: "Gender",
                options: &["Male", "Female", "Decline to self-identify"],
                required: false,
            },
            Question::Select {
                label: "Race/Ethnicity",
                options: &[
                    "Hispanic or Latino",
                    "White",
                    "Black or African American",
                    "Asian",
                    "Two or more races",
                    "I don't wish to answer",
                ],
                required: false,
            },
            Question::Radio {
                label: "Are you a protected veteran?",
                options: &[
                    "I am a protected veteran",
                    "I am not a protected veteran",
                    "I don't wish to answer",
                ],
                required: true,
            },
            Question::Select {
                label: "Disability status",
                options: &[
                    "Yes, I have a disability (or previously had a disability)",
                    "No, I do not have a disability",
                    "I don't wish to answer",
                ],
                required: false,
            },
        ],
    )
}

/// LinkedIn's standard screening questions, each answered from a profile fact of
/// its own.
fn screening(generation: Generation) -> JobKind {
    const YES_NO: &[&str] = &["Yes", "No"];
    let radio = |label| Question::Radio {
        label,
        options: YES_NO,
        required: true,
    };
    contact_then(
        generation,
        "Screening questions",
        vec![
            radio("Do you have a valid driver's license?"),
            radio("We must fill this position urgently. Can you start immediately?"),
            radio("Are you comfortable working in a hybrid setting?"),
            radio("Have you completed the following level of education: Bachelor's Degree?"),
            radio(
                "Do you have the following license or certification: AWS Certified Solutions Architect?",
            ),
            Question::Select {
                label: "What is your level of proficiency in German?",
                options: &[
                    "None",
                    "Conversational",
                    "Professional",
                    "Native or bilingual",
                ],
                required: true,
            },
            radio("Are you legally authorized to work in the United Kingdom?"),
            Question::Date {
                label: "What is your earliest start date?",
                required: true,
            },
        ],
    )
}

/// A form whose one question no profile answers until the user does.
fn shift_question(generation: Generation) -> JobKind {
    contact_then(
        generation,
        "Additional questions",
        vec![Question::Select {
            label: "Which shift do you prefer?",
            options: &["Day", "Night"],
            required: true,
        }],
    )
}

fn sdui_catalog() -> Vec<Job> {
    vec![
        Job {
            id: 1047,
            title: "Night Operations Engineer",
            company: "Contoso",
            kind: shift_question(Generation::Artdeco),
        },
        Job {
            id: 1048,
            title: "Network Operations Engineer",
            company: "Fabrikam",
            kind: shift_question(Generation::Artdeco),
        },
        Job {
            id: 1049,
            title: "Support Engineer",
            company: "Northwind",
            kind: shift_question(Generation::Sdui),
        },
        Job {
            id: 1045,
            title: "Field Engineer",
            company: "Contoso",
            kind: screening(Generation::Artdeco),
        },
        Job {
            id: 1046,
            title: "Solutions Engineer",
            company: "Contoso",
            kind: screening(Generation::Sdui),
        },
        Job {
            id: 1043,
            title: "Program Manager",
            company: "Contoso",
            kind: self_identification(Generation::Artdeco),
        },
        Job {
            id: 1044,
            title: "Product Manager",
            company: "Contoso",
            kind: self_identification(Generation::Sdui),
        },
        Job {
            id: 1040,
            title: "Logistics Analyst",
            company: "Contoso",
            kind: with_cover_letter(Generation::Artdeco, false),
        },
        Job {
            id: 1041,
            title: "Operations Analyst",
            company: "Contoso",
            kind: with_cover_letter(Generation::Artdeco, true),
        },
        Job {
            id: 1042,
            title: "Supply Chain Analyst",
            company: "Contoso",
            kind: with_cover_letter(Generation::Sdui, false),
        },
        Job {
            id: 1030,
            title: "Machine Learning Engineer",
            company: "Pied Piper",
            kind: easy_in(Generation::Sdui, sdui_steps()),
        },
        Job {
            id: 1031,
            title: "Applied Scientist",
            company: "Pied Piper",
            kind: easy_in(Generation::Sdui, vec![contact_step(Footer::Submit)]),
        },
        Job {
            id: 1032,
            title: "Data Scientist",
            company: "Pied Piper",
            kind: JobKind::SduiApplied,
        },
        Job {
            id: 1033,
            title: "Research Engineer",
            company: "Pied Piper",
            kind: easy_in(
                Generation::Sdui,
                vec![Step {
                    title: "Additional questions",
                    questions: vec![Question::Unreadable {
                        label: "Which office would you work from?",
                        options: &["Lisbon", "Berlin"],
                    }],
                    footer: Footer::Submit,
                }],
            ),
        },
    ]
}

/// A job by id: the catalog's, or for 2000–2999 a one-step job, for 3000–3999 a
/// multi-step job and for 5000–5099 an October 2026 form with an unreadable question
/// of their own (many distinct jobs for load and daemon tests).
pub fn job_for(catalog: &[Job], id: u64) -> Option<Job> {
    if let Some(job) = catalog.iter().find(|j| j.id == id) {
        return Some(job.clone());
    }
    let template = match id {
        2000..=2999 => 1001,
        3000..=3999 => 1002,
        5000..=5099 => 1033,
        _ => return None,
    };
    catalog
        .iter()
        .find(|j| j.id == template)
        .map(|t| Job { id, ..t.clone() })
}

fn element_id(job: u64, step: usize, q: usize, suffix: &str) -> String {
    format!("urn:li:fsu_jobsApplyFormElement:{job}-{step}-{q}-easyApplyFormElement-{suffix}")
}

fn required_mark(required: bool) -> &'static str {
    if required {
        r#"<span class="fb-dash-form-element__label-title--is-required" aria-hidden="true">*</span>"#
    } else {
        ""
    }
}

fn req_attr(required: bool) -> &'static str {
    if required {
        r#" required aria-required="true""#
    } else {
        ""
    }
}

fn question_html(job: u64, step: usize, q: usize, question: &Question) -> String {
    let mut h = String::new();
    let _ = write!(
        h,
        r#"<div class="jobs-easy-apply-form-section__grouping"><div data-test-form-element class="fb-dash-form-element" data-replica-q>"#
    );
    match question {
        Question::Text {
            label,
            id,
            required,
            max,
        } => {
            let eid = element_id(job, step, q, id);
            let max_attr = max
                .map(|m| format!(r#" data-replica-max="{m}""#))
                .unwrap_or_default();
            let _ = write!(
                h,
                r#"<div class="artdeco-text-input--container"><label for="single-line-text-form-component-{eid}" class="artdeco-text-input--label">{}{}</label><input class="artdeco-text-input--input" id="single-line-text-form-component-{eid}" type="text" data-test-single-line-text-input data-replica-label="{}"{}{max_attr}></div>"#,
                esc(label),
                required_mark(*required),
                esc(label),
                req_attr(*required)
            );
        }
        Question::Textarea { label, required } => {
            let eid = element_id(job, step, q, "multiline");
            let _ = write!(
                h,
                r#"<label for="{eid}" class="fb-dash-form-element__label">{}{}</label><textarea id="{eid}" class="artdeco-text-input__textarea" data-replica-label="{}"{}></textarea>"#,
                esc(label),
                required_mark(*required),
                esc(label),
                req_attr(*required)
            );
        }
        Question::Select {
            label,
            options,
            required,
        } => {
            let eid = element_id(job, step, q, "select");
            let _ = write!(
                h,
                r#"<label for="text-entity-list-form-component-{eid}" class="fb-dash-form-element__label"><span aria-hidden="true">{0}</span><span class="visually-hidden">{0}</span>{1}</label><select id="text-entity-list-form-component-{eid}" data-test-text-entity-list-form-select data-replica-label="{0}"{2}><option value="Select an option">Select an option</option>"#,
                esc(label),
                required_mark(*required),
                req_attr(*required)
            );
            for o in *options {
                let _ = write!(h, r#"<option value="{0}">{0}</option>"#, esc(o));
            }
            h.push_str("</select>");
        }
        Question::Radio {
            label,
            options,
            required,
        } => {
            let eid = element_id(job, step, q, "radio");
            let _ = write!(
                h,
                r#"<fieldset data-test-form-builder-radio-button-form-component="true" id="radio-button-form-component-{eid}" data-replica-label="{0}"{2}><legend><span data-test-form-builder-radio-button-form-component__title class="fb-dash-form-element__label">{0}{1}</span></legend>"#,
                esc(label),
                required_mark(*required),
                if *required {
                    r#" data-replica-required="true""#
                } else {
                    ""
                }
            );
            for (i, o) in options.iter().enumerate() {
                let _ = write!(
                    h,
                    r#"<div data-test-text-selectable-option="{i}"><input type="radio" id="{eid}-{i}" name="{eid}" value="{0}"{1}><label for="{eid}-{i}" data-test-text-selectable-option__label="{0}">{0}</label></div>"#,
                    esc(o),
                    req_attr(*required)
                );
            }
            h.push_str("</fieldset>");
        }
        Question::Checkbox {
            label,
            option,
            required,
        } => {
            let eid = element_id(job, step, q, "checkbox");
            let _ = write!(
                h,
                r#"<fieldset data-test-checkbox-form-component="true" data-replica-label="{0}"{2}><legend><span data-test-checkbox-form-title="true" class="fb-dash-form-element__label">{0}{1}</span></legend><div data-test-text-selectable-option="0"><input type="checkbox" id="{eid}" value="{3}"><label for="{eid}" data-test-text-selectable-option__label="{3}">{3}</label></div></fieldset>"#,
                esc(label),
                required_mark(*required),
                if *required {
                    r#" data-replica-required="true""#
                } else {
                    ""
                },
                esc(option)
            );
        }
        Question::Date { label, required } => {
            let eid = element_id(job, step, q, "date");
            let _ = write!(
                h,
                r#"<div class="artdeco-datepicker"><label for="artdeco-date-{eid}" class="fb-dash-form-element__label">{0}{1}</label><input id="artdeco-date-{eid}" class="artdeco-datepicker__input" type="text" placeholder="mm/dd/yyyy" data-replica-label="{0}" data-replica-date="true"{2}></div>"#,
                esc(label),
                required_mark(*required),
                req_attr(*required)
            );
        }
        Question::Typeahead { label, required } => {
            let eid = element_id(job, step, q, "city-HOME-CITY");
            let _ = write!(
                h,
                r#"<div class="search-basic-typeahead search-vertical-typeahead" data-replica-typeahead-box><label for="single-typeahead-entity-form-component-{eid}" class="artdeco-text-input--label">{0}{1}</label><input id="single-typeahead-entity-form-component-{eid}" class="artdeco-text-input--input" type="text" role="combobox" aria-autocomplete="list" aria-expanded="false" data-replica-label="{0}" data-replica-typeahead="true"{2}><div class="basic-typeahead__triggered-content" role="listbox"></div></div>"#,
                esc(label),
                required_mark(*required),
                req_attr(*required)
            );
        }
        Question::Resume => {
            let _ = write!(
                h,
                r#"<div class="jobs-document-upload-redesign-card__container-list" data-replica-documents></div><label class="jobs-document-upload__upload-button artdeco-button artdeco-button--secondary" for="jobs-document-upload-file-input-upload-resume">Upload resume</label><input id="jobs-document-upload-file-input-upload-resume" name="file" type="file" accept=".pdf,.doc,.docx" class="hidden" data-replica-label="Resume" data-replica-resume="true">"#
            );
        }
        Question::CoverLetter { required } => {
            let _ = write!(
                h,
                r#"<div data-replica-uploaded></div><label class="jobs-document-upload__upload-button artdeco-button artdeco-button--secondary" for="jobs-document-upload-file-input-upload-cover-letter">Upload cover letter{}</label><input id="jobs-document-upload-file-input-upload-cover-letter" name="file" type="file" accept=".pdf,.doc,.docx" class="hidden" data-replica-label="Cover letter"{}>"#,
                required_mark(*required),
                req_attr(*required)
            );
        }
        Question::FollowCompany => {
            let _ = write!(
                h,
                r#"<input id="follow-company-checkbox" type="checkbox" checked data-replica-label="Follow company"><label for="follow-company-checkbox">Follow this company to stay up to date with their page.</label>"#
            );
        }
        // October 2026 questions: only the SDUI generation asks them (replica::sdui)
        Question::CheckboxGroup { .. }
        | Question::List { .. }
        | Question::OptIn { .. }
        | Question::Unreadable { .. } => {}
    }
    h.push_str(r#"<div class="replica-error" hidden></div></div></div>"#);
    h
}

/// A React-generated id (`:r1f:`), unique per job, step, question and option.
fn react_id(step: usize, q: usize, option: usize) -> String {
    format!(":r{:x}:", 0x100 + step * 0x40 + q * 0x8 + option)
}

/// A question in the September 2026 markup: hashed classes, generated ids tied by
/// `label[for]`, a fieldset's legend, errors as `role=alert`.
fn question_html_2026(company: &str, step: usize, q: usize, question: &Question) -> String {
    let id = react_id(step, q, 0);
    let star = |required: bool| {
        if required {
            r#" <span aria-hidden="true">*</span>"#
        } else {
            ""
        }
    };
    let mut h = String::from(r#"<div class="_q7c1e2 _m0a4f" data-replica-q>"#);
    match question {
        Question::Text {
            label,
            required,
            max,
            ..
        } => {
            let max_attr = max
                .map(|m| format!(r#" data-replica-max="{m}" inputmode="numeric""#))
                .unwrap_or_default();
            let _ = write!(
                h,
                r#"<label class="_l3b9d0" for="{id}">{}{}</label><input class="_i81fa2" id="{id}" type="text" data-replica-label="{}"{}{max_attr}>"#,
                esc(label),
                star(*required),
                esc(label),
                req_attr(*required)
            );
        }
        Question::Textarea { label, required } => {
            let _ = write!(
                h,
                r#"<label class="_l3b9d0" for="{id}">{}{}</label><textarea class="_t2e6c1" id="{id}" rows="3" data-replica-label="{}"{}></textarea>"#,
                esc(label),
                star(*required),
                esc(label),
                req_attr(*required)
            );
        }
        Question::Select {
            label,
            options,
            required,
        } => {
            let _ = write!(
                h,
                r#"<label class="_l3b9d0" for="{id}">{}{}</label><select class="_s0c2b8" id="{id}" data-replica-label="{}"{}><option value="Select an option">Select an option</option>"#,
                esc(label),
                star(*required),
                esc(label),
                req_attr(*required)
            );
            for o in *options {
                let _ = write!(h, r#"<option value="{0}">{0}</option>"#, esc(o));
            }
            h.push_str("</select>");
        }
        Question::Radio {
            label,
            options,
            required,
        } => {
            let _ = write!(
                h,
                r#"<fieldset class="_f5d1a0" data-replica-label="{0}"{2}><legend class="_g9e3b1">{0}{1}</legend>"#,
                esc(label),
                star(*required),
                if *required {
                    r#" data-replica-required="true""#
                } else {
                    ""
                }
            );
            for (i, o) in options.iter().enumerate() {
                let oid = react_id(step, q, i + 1);
                let _ = write!(
                    h,
                    r#"<div class="_o2b7c4"><input type="radio" class="_r6a1d3" id="{oid}" name="{id}" value="{0}"{1}><label class="_k4c8e5" for="{oid}">{0}</label></div>"#,
                    esc(o),
                    req_attr(*required)
                );
            }
            h.push_str("</fieldset>");
        }
        Question::Checkbox {
            label,
            option,
            required,
        } => {
            let oid = react_id(step, q, 1);
            let _ = write!(
                h,
                r#"<fieldset class="_f5d1a0" data-replica-label="{0}"{2}><legend class="_g9e3b1">{0}{1}</legend><div class="_o2b7c4"><input type="checkbox" class="_c1f9a7" id="{oid}" value="{3}"><label class="_k4c8e5" for="{oid}">{3}</label></div></fieldset>"#,
                esc(label),
                star(*required),
                if *required {
                    r#" data-replica-required="true""#
                } else {
                    ""
                },
                esc(option)
            );
        }
        Question::Date { label, required } => {
            let _ = write!(
                h,
                r#"<label class="_l3b9d0" for="{id}">{0}{1}</label><input class="_d4k7e2" id="{id}" type="text" placeholder="mm/dd/yyyy" data-replica-label="{0}" data-replica-date="true"{2}>"#,
                esc(label),
                star(*required),
                req_attr(*required)
            );
        }
        Question::Typeahead { label, required } => {
            let _ = write!(
                h,
                r#"<div class="_y5e0b2" data-replica-typeahead-box><label class="_l3b9d0" for="{id}">{0}{1}</label><input class="_i81fa2" id="{id}" type="text" role="combobox" aria-autocomplete="list" aria-expanded="false" aria-controls="{id}-listbox" data-replica-label="{0}" data-replica-typeahead="true"{2}><div class="_z8d3c6" id="{id}-listbox" role="listbox"></div></div>"#,
                esc(label),
                star(*required),
                req_attr(*required)
            );
        }
        Question::Resume => {
            let _ = write!(
                h,
                r#"<div data-replica-documents></div><label class="_u1a5f3" for="{id}">Upload resume</label><input class="hidden" id="{id}" type="file" accept=".pdf,.doc,.docx" data-replica-label="Resume" data-replica-resume="true">"#
            );
        }
        Question::CoverLetter { required } => {
            let _ = write!(
                h,
                r#"<div data-replica-uploaded></div><label class="_u1a5f3" for="{id}">Upload cover letter{}</label><input class="hidden" id="{id}" type="file" accept=".pdf,.doc,.docx" data-replica-label="Cover letter"{}>"#,
                star(*required),
                req_attr(*required)
            );
        }
        Question::FollowCompany => {
            let _ = write!(
                h,
                r#"<input type="checkbox" class="_c1f9a7" id="{id}" checked data-replica-label="Follow company" data-replica-follow="true"><label class="_k4c8e5" for="{id}">Follow {} to stay up to date with their page.</label>"#,
                esc(company)
            );
        }
        // October 2026 questions: only the SDUI generation asks them (replica::sdui)
        Question::CheckboxGroup { .. }
        | Question::List { .. }
        | Question::OptIn { .. }
        | Question::Unreadable { .. } => {}
    }
    h.push_str(r#"<div class="replica-error" hidden></div></div>"#);
    h
}

/// The footer of a step in the September 2026 markup: text-only buttons.
fn footer_html_2026(company: &str, footer: Footer) -> String {
    let button = |action: &str, text: &str| {
        format!(
            r#"<button type="button" class="_b2f8e1 _p7c0d9" data-replica-action="{action}">{text}</button>"#
        )
    };
    match footer {
        Footer::Next => button("next", "Next"),
        Footer::Review => button("next", "Review"),
        Footer::Submit => button("submit", "Submit application"),
        Footer::Nothing => String::new(),
        Footer::SubmitWithFollow => format!(
            r#"<div class="_w3e1c5"><input type="checkbox" class="_c1f9a7" id=":r7:" checked data-replica-label="Follow company" data-replica-follow="true"><label class="_k4c8e5" for=":r7:">Follow {} to stay up to date with their page.</label></div>{}"#,
            esc(company),
            button("submit", "Submit application")
        ),
    }
}

fn footer_html(footer: Footer) -> &'static str {
    match footer {
        Footer::Next => {
            r#"<button aria-label="Continue to next step" data-easy-apply-next-button class="artdeco-button artdeco-button--2 artdeco-button--primary"><span class="artdeco-button__text">Next</span></button>"#
        }
        Footer::Review => {
            r#"<button aria-label="Review your application" data-live-test-easy-apply-review-button class="artdeco-button artdeco-button--2 artdeco-button--primary"><span class="artdeco-button__text">Review</span></button>"#
        }
        Footer::Submit => {
            r#"<button aria-label="Submit application" data-live-test-easy-apply-submit-button class="artdeco-button artdeco-button--2 artdeco-button--primary"><span class="artdeco-button__text">Submit application</span></button>"#
        }
        Footer::Nothing => "",
        Footer::SubmitWithFollow => {
            r#"<div class="jobs-easy-apply-footer__follow t-14"><input id=":r7:" type="checkbox" checked data-replica-label="Follow company" data-replica-follow="true"><label for=":r7:">Follow Weyland to stay up to date with their page.</label></div><button aria-label="Submit application" data-live-test-easy-apply-submit-button class="artdeco-button artdeco-button--2 artdeco-button--primary"><span class="artdeco-button__text">Submit application</span></button>"#
        }
    }
}

/// The job page (`/jobs/view/<id>/`) of a logged-in user.
pub fn job_page(job: &Job) -> String {
    let mut body = String::new();
    let top_card = |apply: &str| {
        format!(
            r#"<div class="jobs-unified-top-card job-details-jobs-unified-top-card__container--two-pane"><h1 class="t-24 job-details-jobs-unified-top-card__job-title">{}</h1><div class="job-details-jobs-unified-top-card__company-name">{}</div>{apply}</div>"#,
            esc(job.title),
            esc(job.company)
        )
    };
    let easy_button = format!(
        r#"<div class="jobs-apply-button--top-card"><button id="jobs-apply-button-id" class="jobs-apply-button artdeco-button artdeco-button--3 artdeco-button--primary ember-view" aria-label="Easy Apply to {} at {}" data-view-name="job-apply-button" data-job-id="{}"><span class="artdeco-button__text">Easy Apply</span></button></div>"#,
        esc(job.title),
        esc(job.company),
        job.id
    );
    match &job.kind {
        JobKind::EasyApply {
            steps,
            slow_ms,
            interstitials,
            signal,
            generation,
        } => {
            let card = match generation {
                Generation::Sdui => String::new(),
                Generation::Artdeco => top_card(&easy_button),
                Generation::Interop => top_card_2026(
                    job,
                    &format!(
                        // the filter pill says "Easy Apply" too, but it is a radio
                        r#"<div class="_h2c5a8" role="radiogroup" aria-label="Search filters"><a href="/jobs/search/?f_AL=true" role="radio" aria-checked="false" class="_x0b7e3">Easy Apply</a></div><a class="_a9e2f4 _p7c0d9" href="/jobs/view/{0}/apply/?openSDUIApplyFlow=true" aria-label="Easy Apply to this job" data-job-id="{0}"><span aria-hidden="true">Easy Apply</span></a>"#,
                        job.id
                    ),
                ),
                Generation::NativeDialog => top_card_2026(
                    job,
                    &format!(
                        r#"<div class="_h2c5a8" role="radiogroup" aria-label="Search filters"><button type="button" role="radio" aria-checked="false" class="_x0b7e3" aria-label="LinkedIn Apply filter">LinkedIn Apply</button></div><button type="button" class="_a9e2f4 _p7c0d9" data-job-id="{0}"><span class="_s1d4b6">LinkedIn Apply</span></button>"#,
                        job.id
                    ),
                ),
            };
            if *generation == Generation::Sdui {
                body.push_str(&super::sdui::job_body(job, &super::sdui::apply_button(job)));
                body.push_str(&super::sdui::steps(job, steps));
            } else if *slow_ms > 0 {
                let _ = write!(
                    body,
                    r#"<div class="jobs-details__main-content" data-replica-slow="{slow_ms}"><template id="replica-top-card">{card}</template></div>"#
                );
            } else {
                let wrapper = if *generation == Generation::Artdeco {
                    "jobs-details__main-content"
                } else {
                    "_j4d9e1"
                };
                let _ = write!(body, r#"<div class="{wrapper}">{card}</div>"#);
            }
            for (i, step) in steps.iter().enumerate() {
                if *generation == Generation::Sdui {
                    break;
                }
                let _ = write!(
                    body,
                    r#"<template data-replica-step="{i}"><h3 class="t-16 t-bold">{}</h3>"#,
                    esc(step.title)
                );
                for (q, question) in step.questions.iter().enumerate() {
                    if *generation == Generation::NativeDialog {
                        body.push_str(&question_html_2026(job.company, i, q, question));
                    } else {
                        body.push_str(&question_html(job.id, i, q, question));
                    }
                }
                let footer = if *generation == Generation::NativeDialog {
                    footer_html_2026(job.company, step.footer)
                } else {
                    footer_html(step.footer).to_owned()
                };
                let _ = write!(
                    body,
                    r#"<footer data-replica-footer>{footer}</footer></template>"#
                );
            }
            let job_json = serde_json::json!({
                "id": job.id,
                "steps": steps.len(),
                "interstitials": interstitials.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
                "signal": signal,
                "company": job.company,
                "generation": generation.as_str(),
            });
            let _ = write!(
                body,
                r#"<script id="replica-job" type="application/json">{}</script>"#,
                job_json.to_string().replace('<', "\\u003c")
            );
        }
        JobKind::SduiApplied => {
            body.push_str(&super::sdui::job_body(job, super::sdui::APPLIED_STATUS));
        }
        JobKind::AlreadyApplied => {
            let card = top_card(
                r#"<div class="artdeco-inline-feedback artdeco-inline-feedback--success"><span class="artdeco-inline-feedback__message">Applied 3 days ago</span> <a class="jobs-s-apply__application-link" href="/jobs/tracker/applied/">See application</a></div>"#,
            );
            let _ = write!(
                body,
                r#"<div class="jobs-details__main-content">{card}</div>"#
            );
        }
        JobKind::External => {
            let card = top_card(&format!(
                r#"<div class="jobs-apply-button--top-card"><button class="jobs-apply-button artdeco-button artdeco-button--3 artdeco-button--primary" role="link" aria-label="Apply to {} on company website"><span class="artdeco-button__text">Apply</span></button></div>"#,
                esc(job.title)
            ));
            let _ = write!(
                body,
                r#"<div class="jobs-details__main-content">{card}</div>"#
            );
        }
        JobKind::Closed => {
            let card = top_card(
                r#"<div class="jobs-details-top-card__apply-error artdeco-inline-feedback artdeco-inline-feedback--error"><span class="artdeco-inline-feedback__message">No longer accepting applications</span></div>"#,
            );
            let _ = write!(
                body,
                r#"<div class="jobs-details__main-content">{card}</div>"#
            );
        }
        JobKind::Checkpoint => {}
    }
    layout(
        &format!("{} | {} | LinkedIn", job.title, job.company),
        true,
        &body,
    )
}

/// The top card of the 2026 generations: hashed classes only.
fn top_card_2026(job: &Job, apply: &str) -> String {
    format!(
        r#"<section class="_t0c3f8 _e5a1b9"><h1 class="_n8b2d4">{}</h1><div class="_c6e0a3">{}</div><div class="_d2f7b0">{apply}</div></section>"#,
        esc(job.title),
        esc(job.company)
    )
}

/// The feed of a logged-in user.
pub fn feed_page() -> String {
    layout(
        "Feed | LinkedIn",
        true,
        r#"<main class="scaffold-layout__main"><h2>Start a post</h2></main>"#,
    )
}

/// The login page.
pub fn login_page() -> String {
    layout(
        "LinkedIn Login, Sign in | LinkedIn",
        false,
        r#"<main class="login__form"><h1>Sign in</h1><form><input id="username" type="text"><input id="password" type="password"><button type="submit">Sign in</button></form></main>"#,
    )
}

/// A security checkpoint with a captcha.
pub fn checkpoint_page() -> String {
    layout(
        "Security Verification | LinkedIn",
        false,
        r#"<main><h1>Let's do a quick security check</h1><div id="captcha-internal"><iframe title="captcha"></iframe></div></main>"#,
    )
}

fn layout(title: &str, logged_in: bool, body: &str) -> String {
    let nav = if logged_in {
        r#"<header class="global-nav"><nav class="global-nav__nav"><ul class="global-nav__primary-items"><li class="global-nav__primary-item"><a href="/feed/">Home</a></li><li class="global-nav__primary-item"><a href="/jobs/">Jobs</a></li><li class="global-nav__me global-nav__primary-item"><button class="global-nav__primary-link global-nav__primary-link-me-menu-trigger artdeco-dropdown__trigger"><img class="global-nav__me-photo" width="24" height="24" alt="Ada Lovelace" src="data:image/gif;base64,R0lGODlhAQABAAAAACw="><span class="t-12 global-nav__primary-link-text">Me</span></button></li></ul></nav></header>"#
    } else {
        ""
    };
    format!(
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{}</title><link rel="stylesheet" href="/replica/static/replica.css"></head><body>{nav}<div class="application-outlet">{body}</div><div id="artdeco-modal-outlet"></div><div id="artdeco-toasts"></div><script src="/replica/static/replica.js"></script></body></html>"#,
        esc(title)
    )
}
