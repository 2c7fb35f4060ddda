//! The October 2026 server-driven (SDUI) generation of the replica
//! (shared/reference/linkedin-dom.md, "October 2026"): a job page without `<h1>` (title,
//! company and status in `<p>`/`<div>` blocks with hashed classes), the apply control
//! named "Easy Apply to this job", and a native `<dialog data-testid="dialog">` whose
//! steps are all in the DOM at once (the ones not shown `hidden`, each with its own
//! buttons), one `componentkey="easyApplyFieldFocus…"` block per question with its text
//! in a `<p>`, options whose `<label for>` is empty and whose text is a sibling `<p>`
//! (each input's `aria-label` repeating the question, its `value` an opaque id), résumé
//! cards with a "Select this resume" radio, and a determinate progress bar.

use std::fmt::Write as _;

use super::model::{Footer, Job, Question, Step, esc};

/// The résumés LinkedIn already has for the replica's user, as cards; the first is
/// preselected.
pub const RESUME_CARDS: &[&str] = &["Ada_Lovelace_CV_2024.pdf", "Ada_Lovelace_CV_2026.pdf"];

/// An opaque option id, as SDUI writes `value`s.
fn opaque(step: usize, q: usize, option: usize) -> String {
    format!(
        "urn:li:fsd_formElementOption:{:08x}",
        (step * 977 + q * 131 + option * 17 + 0x5eed) * 2_654_435_761 % 0xffff_ffff
    )
}

fn id(step: usize, q: usize, option: usize) -> String {
    format!("sdui-{step}-{q}-{option}")
}

fn star(required: bool) -> &'static str {
    if required { " *" } else { "" }
}

fn req(required: bool) -> &'static str {
    if required { " required" } else { "" }
}

/// Options beside empty labels, their text in a sibling `<p>`.
fn options(
    step: usize,
    q: usize,
    kind: &str,
    question: &str,
    options: &[&str],
    checked: &[usize],
) -> String {
    let mut h = String::new();
    for (i, o) in options.iter().enumerate() {
        let _ = write!(
            h,
            r#"<div class="_op3e1"><input type="{kind}" id="{id}" name="sdui-{step}-{q}" value="{value}" aria-label="{question}" data-replica-text="{o}"{checked}><label for="{id}" class="_lb7c2"></label><p class="_ot9a4">{o}</p></div>"#,
            id = id(step, q, i),
            value = opaque(step, q, i),
            question = esc(question),
            o = esc(o),
            checked = if checked.contains(&i) { " checked" } else { "" },
        );
    }
    h
}

/// One question block.
pub fn question(company: &str, step: usize, q: usize, question: &Question) -> String {
    let mut h = format!(
        r#"<div componentkey="easyApplyFieldFocus_{step}_{q}" class="_fq2b8" data-replica-q>"#
    );
    let heading = |label: &str, required: bool| {
        format!(r#"<p class="_qt5d0">{}{}</p>"#, esc(label), star(required))
    };
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
                r#"{}<input class="_in4f1" type="text" data-replica-label="{}"{}{max_attr}>"#,
                heading(label, *required),
                esc(label),
                req(*required)
            );
        }
        Question::Textarea { label, required } => {
            let _ = write!(
                h,
                r#"{}<textarea class="_ta8e2" rows="3" data-replica-label="{}"{}></textarea>"#,
                heading(label, *required),
                esc(label),
                req(*required)
            );
        }
        Question::Select {
            label,
            options,
            required,
        }
        | Question::List {
            label,
            options,
            required,
        } => {
            let placeholder = matches!(question, Question::Select { .. });
            let _ = write!(
                h,
                r#"{}<select class="_sl1a9" data-replica-label="{}"{}>{}"#,
                heading(label, *required),
                esc(label),
                req(*required),
                if placeholder {
                    r#"<option value="">Select an option</option>"#
                } else {
                    ""
                }
            );
            for o in *options {
                let _ = write!(h, r#"<option value="{0}">{0}</option>"#, esc(o));
            }
            h.push_str("</select>");
        }
        Question::Radio {
            label,
            options: opts,
            required,
        } => group(&mut h, step, q, "radio", label, opts, *required, &[]),
        Question::CheckboxGroup {
            label,
            options: opts,
            required,
        } => group(&mut h, step, q, "checkbox", label, opts, *required, &[]),
        Question::Checkbox {
            label,
            option,
            required,
        } => group(
            &mut h,
            step,
            q,
            "checkbox",
            label,
            &[option],
            *required,
            &[],
        ),
        Question::OptIn { label, option } => {
            group(&mut h, step, q, "checkbox", label, &[option], false, &[0])
        }
        Question::Unreadable { label, options } => {
            // the options' text is drawn by CSS (`::after`): a person sees it, the page's
            // text does not hold it
            let _ = write!(
                h,
                r#"{}<div class="_rg0c3" data-replica-label="{}" data-replica-group data-replica-required="true">"#,
                heading(label, true),
                esc(label)
            );
            for (i, o) in options.iter().enumerate() {
                let _ = write!(
                    h,
                    r#"<div class="_op3e1"><input type="radio" id="{id}" name="sdui-{step}-{q}" value="{v}" aria-label="{l}" data-replica-text="{o}" required><label for="{id}" class="_pe6d1" data-text="{o}"></label></div>"#,
                    id = id(step, q, i),
                    v = opaque(step, q, i),
                    l = esc(label),
                    o = esc(o)
                );
            }
            h.push_str("</div>");
        }
        Question::Date { label, required } => {
            let _ = write!(
                h,
                r#"{}<input class="_dt6b3" type="text" placeholder="mm/dd/yyyy" aria-label="{l}" data-replica-label="{l}" data-replica-date="true"{r}>"#,
                heading(label, *required),
                l = esc(label),
                r = req(*required)
            );
        }
        Question::Typeahead { label, required } => {
            let tid = id(step, q, 0);
            let _ = write!(
                h,
                r#"<div class="_ty2e7" data-replica-typeahead-box>{}<input class="_in4f1" type="text" role="combobox" aria-autocomplete="list" aria-expanded="false" aria-controls="{tid}-list" aria-label="{l}" data-replica-label="{l}" data-replica-typeahead="true"{r}><div class="_ls3f0" id="{tid}-list" role="listbox"></div></div>"#,
                heading(label, *required),
                l = esc(label),
                r = req(*required)
            );
        }
        Question::Resume => {
            let fid = id(step, q, 9);
            h.push_str(
                r#"<p class="_qt5d0">Resume</p><div class="_rl8b1" data-replica-documents>"#,
            );
            for (i, name) in RESUME_CARDS.iter().enumerate() {
                let rid = id(step, q, i);
                let _ = write!(
                    h,
                    r#"<div componentkey="easyApplyUploadedResume_{i}" class="_rc4d2"><input type="radio" id="{rid}" name="sdui-resume" value="{v}" aria-label="Select this resume" data-replica-text="{name}"{c}><label for="{rid}" class="_lb7c2"></label><div class="_rt0e5"><p class="_fn1c8">{name}</p><p class="_fd6a3">Last used on 3/11/2026</p></div></div>"#,
                    v = opaque(step, q, i),
                    c = if i == 0 { " checked" } else { "" }
                );
            }
            let _ = write!(
                h,
                r#"</div><label class="_u1a5f3" for="{fid}">Upload resume</label><input class="hidden" id="{fid}" type="file" accept=".pdf,.doc,.docx" data-replica-label="Resume" data-replica-resume="true">"#
            );
        }
        Question::CoverLetter { required } => {
            let fid = id(step, q, 9);
            let _ = write!(
                h,
                r#"<p class="_qt5d0">Cover letter{}</p><div data-replica-uploaded></div><label class="_u1a5f3" for="{fid}">Upload cover letter</label><input class="hidden" id="{fid}" type="file" accept=".pdf,.doc,.docx" data-replica-label="Cover letter"{}>"#,
                if *required { " *" } else { "" },
                req(*required)
            );
        }
        Question::FollowCompany => follow(&mut h, company, step, q),
    }
    h.push_str(r#"<div class="replica-error" hidden></div></div>"#);
    h
}

#[allow(clippy::too_many_arguments)]
fn group(
    h: &mut String,
    step: usize,
    q: usize,
    kind: &str,
    label: &str,
    opts: &[&str],
    required: bool,
    checked: &[usize],
) {
    let _ = write!(
        h,
        r#"<p class="_qt5d0">{}{}</p><div class="_rg0c3" data-replica-label="{}" data-replica-group{}>{}</div>"#,
        esc(label),
        star(required),
        esc(label),
        if required {
            r#" data-replica-required="true""#
        } else {
            ""
        },
        options(step, q, kind, label, opts, checked)
    );
}

fn follow(h: &mut String, company: &str, step: usize, q: usize) {
    let fid = id(step, q, 7);
    let _ = write!(
        h,
        r#"<div class="_fw9e4"><input type="checkbox" id="{fid}" checked data-replica-label="Follow company" data-replica-follow="true"><label for="{fid}" class="_lb7c2"></label><p class="_ot9a4">Follow {} to stay up to date with their page.</p></div>"#,
        esc(company)
    );
}

/// A step's own buttons (every step carries them; the hidden steps' are hidden too).
pub fn footer(company: &str, step: usize, footer: Footer) -> String {
    let button = |action: &str, text: &str| {
        format!(
            r#"<button type="button" class="_bt2c7" data-replica-action="{action}">{text}</button>"#
        )
    };
    let mut h = String::from(r#"<div class="_ft6b0">"#);
    match footer {
        Footer::Next => h.push_str(&button("next", "Next")),
        Footer::Review => h.push_str(&button("next", "Review")),
        Footer::Submit => h.push_str(&button("submit", "Submit application")),
        Footer::Nothing => {}
        Footer::SubmitWithFollow => {
            follow(&mut h, company, step, 99);
            h.push_str(&button("submit", "Submit application"));
        }
    }
    h.push_str("</div>");
    h
}

/// The steps, each a template the page's script puts into the dialog at once.
pub fn steps(job: &Job, steps: &[Step]) -> String {
    let mut body = String::new();
    for (i, step) in steps.iter().enumerate() {
        let _ = write!(
            body,
            r#"<template data-replica-step="{i}"><p class="_st4a1">{}</p>"#,
            esc(step.title)
        );
        for (q, question) in step.questions.iter().enumerate() {
            body.push_str(&self::question(job.company, i, q, question));
        }
        let _ = write!(body, "{}</template>", footer(job.company, i, step.footer));
    }
    body
}

/// The employer's description. Job 1031's holds status-like phrases, as employers'
/// texts do: none of them is LinkedIn's status.
pub fn description(job: &Job) -> &'static str {
    if job.id == 1031 {
        r#"<p class="_dp2e9">We build applied machine learning for logistics. Candidates who applied to an earlier opening two years ago are welcome to apply again; last year we received 400 applications and answered every one of them within ten days.</p><ul class="_dl5a0"><li>Applied Scientist experience is a plus</li><li>You applied on our careers site? Apply here on LinkedIn too, it is the same process.</li><li>Application sent by e-mail cannot be read by our hiring system.</li><li>No longer accepting applications by post since 2025.</li></ul>"#
    } else {
        r#"<p class="_dp2e9">Join a small team that ships reliable software to thousands of users. You will own services end to end, from design to on-call.</p>"#
    }
}

/// The top card and the description of an SDUI job page (no `<h1>`); `apply` is the
/// apply control or the status.
pub fn job_body(job: &Job, apply: &str) -> String {
    format!(
        r#"<main class="_mn0a7"><div class="_tc8d3"><div class="_ti4b6"><p class="_tt1f2">{}</p></div><div class="_co7e0"><p>{}</p></div><p class="_me5c9">Lisbon, Portugal · 3 days ago · 40 applicants</p><div class="_ap2b4">{apply}</div></div><div class="_ab9f1"><p class="_ah6d3">About the job</p>{}</div></main>"#,
        esc(job.title),
        esc(job.company),
        description(job)
    )
}

/// The apply control of an SDUI job page.
pub fn apply_button(job: &Job) -> String {
    format!(
        r#"<button type="button" class="_eb3c1" aria-label="Easy Apply to this job" data-job-id="{}"><span class="_es8a2">Easy Apply</span></button>"#,
        job.id
    )
}

/// The bare status of an SDUI job already applied to: three separate elements and
/// no apply control.
pub const APPLIED_STATUS: &str = r#"<div class="_as1d7"><span class="_sa2f0">Applied</span><span class="_sb3a1" aria-hidden="true">·</span><span class="_sc4b2">2 days ago</span></div><a class="_sl5c3" href="/jobs/tracker/applied/">See application</a>"#;
