//! How an attempt ended, and what that means for the row: every ending is
//! classified (done, retry later, needs the user, skip, or give back the claim) and
//! carries a message that tells an operator what to do, without secrets or answers.

use time::OffsetDateTime;

mod messages;

use self::messages::*;
use super::decide::{PendingQuestion, Stop};
use crate::{
    browser::BrowserError,
    domain::{GiveBack, Look, Outcome, OutcomeDetails, OutcomeStatus, SessionStatus},
    session::SessionError,
};

/// How an attempt ended.
#[derive(Debug)]
pub enum Ended {
    /// the flow reached a decision
    Flow(Stop),
    /// the browser failed
    Browser(BrowserError),
    /// the stored session cannot be used
    Session(SessionError),
    /// the user has no stored session
    SessionMissing,
    /// the user has no applicant profile
    ProfileMissing,
    /// the user's profile does not match the schema
    ProfileInvalid(crate::domain::ProfileError),
    /// the profile's résumé may not be uploaded
    ResumeRefused(crate::resume::ResumeError),
    /// the job URL is not a page of the site
    InvalidJobUrl,
    /// the kill switch is closed for today: nothing touched LinkedIn
    KillSwitch,
    /// shutdown before the submit gate
    Cancelled,
}

/// What to do with the row.
#[derive(Debug, Clone, PartialEq, Default)]
#[allow(
    clippy::large_enum_variant,
    reason = "one per application, moved a few times: boxing buys nothing"
)]
pub enum Disposition {
    /// record this outcome
    Finish(Outcome),
    /// give the claim back without spending the attempt, saying why
    Release(GiveBack),
    /// nothing (dry run, or the lease is already lost)
    #[default]
    Nothing,
}

/// What an ending says about the site file, for the drift breaker: `Some(Some(r))`
/// a structural failure with reason `r` (the markup moved away from the selectors),
/// `Some(None)` an ending that shows the markup works, `None` neither (a session,
/// a limit, a crash, a shutdown say nothing about the markup).
pub fn drift_signal(ended: &Ended) -> Option<Option<&'static str>> {
    let structural = match ended {
        Ended::Flow(stop) => structural_reason(Ok(stop)),
        Ended::Browser(e) => structural_reason(Err(e)),
        _ => None,
    };
    if structural.is_some() {
        return Some(structural);
    }
    match ended {
        Ended::Flow(
            Stop::Submitted
            | Stop::SubmitUnconfirmed
            | Stop::UnknownQuestions(_)
            | Stop::ValidationError(_)
            | Stop::AnswerRejected(_)
            | Stop::AlreadyApplied
            | Stop::NotEasyApply
            | Stop::JobClosed
            | Stop::DryRunComplete
            | Stop::VerifiedApplied
            | Stop::VerifiedNotApplied,
        ) => Some(None),
        _ => None,
    }
}

/// The one definition of a structural failure, for the snapshot, the drift breaker,
/// the reason and the alert: an unreadable job page, a missing form, a stuck step, an
/// unreadable question (`decide::structural`), or an element the page showed that was
/// gone. Sessions, limits, throttles and crashes are none.
pub fn structural_reason(flow: Result<&Stop, &BrowserError>) -> Option<&'static str> {
    match flow {
        Ok(stop) => super::decide::structural(stop),
        Err(BrowserError::ElementMissing { .. }) => Some("element_missing"),
        Err(_) => None,
    }
}

/// The next UTC midnight after `now`.
pub fn next_utc_midnight(now: OffsetDateTime) -> OffsetDateTime {
    let today = now.to_offset(time::UtcOffset::UTC).date();
    today.next_day().unwrap_or(today).midnight().assume_utc()
}

/// A verification run's outcome, with what its look saw (the row's timeline).
fn looked(mut outcome: Outcome, look: Look) -> Disposition {
    outcome.details.verification_look = Some(look);
    Disposition::Finish(outcome)
}

fn finish(status: OutcomeStatus, reason: &str, error: &str) -> Disposition {
    Disposition::Finish(Outcome::new(status, Some(reason)).with_error(error))
}

fn wait_for_tomorrow(reason: &str, error: &str, now: OffsetDateTime) -> Disposition {
    wait_until(reason, error, next_utc_midnight(now))
}

/// The user's applications wait until `until`, none of them spending an attempt.
fn wait_until(reason: &str, error: &str, until: OffsetDateTime) -> Disposition {
    Disposition::Finish(Outcome {
        status: OutcomeStatus::RetryLater,
        reason: Some(reason.into()),
        error: Some(error.into()),
        details: OutcomeDetails {
            run_at: Some(until),
            keep_attempt: true,
            pause_user_until: Some(until),
            ..OutcomeDetails::default()
        },
    })
}

fn mark_session(status: SessionStatus, reason: &str, error: &str) -> Disposition {
    let mut outcome = Outcome::new(OutcomeStatus::NeedsUser, Some(reason)).with_error(error);
    outcome.details.session_status = Some(status);
    Disposition::Finish(outcome)
}

/// Classifies an ending.
/// `throttle_pause` is how long LinkedIn's throttle pauses the user.
pub fn disposition(
    ended: &Ended,
    now: OffsetDateTime,
    throttle_pause: std::time::Duration,
) -> Disposition {
    use OutcomeStatus::{Failed, NeedsUser};
    match ended {
        Ended::Flow(stop) => flow_disposition(stop, now, throttle_pause),
        Ended::Cancelled => Disposition::Release(GiveBack::shutdown()),
        Ended::Browser(e) => browser_failure(e),
        Ended::Session(
            e @ (SessionError::RequiredCookieMissing { .. } | SessionError::CookieExpired { .. }),
        ) => mark_session(SessionStatus::Expired, "session_expired", &e.to_string()),
        // one message whatever failed (padding, key, JSON): the row is readable by
        // more people than the key, and must not tell them which
        Ended::Session(_) => finish(NeedsUser, "session_unreadable", SESSION_UNREADABLE),
        Ended::SessionMissing => finish(NeedsUser, "session_missing", SESSION_MISSING),
        Ended::ProfileMissing => finish(NeedsUser, "profile_missing", PROFILE_MISSING),
        Ended::ProfileInvalid(e) => {
            let mut outcome = Outcome::new(NeedsUser, Some("profile_invalid")).with_error(
                &format!("{e}: the user must correct their profile; nothing was sent to LinkedIn"),
            );
            outcome.details.keep_attempt = true;
            Disposition::Finish(outcome)
        }
        Ended::InvalidJobUrl => finish(Failed, "invalid_job_url", INVALID_JOB_URL),
        Ended::ResumeRefused(e) => finish(
            NeedsUser,
            "resume_refused",
            &format!("{e}; nothing was sent to LinkedIn"),
        ),
        Ended::KillSwitch => Disposition::Release(GiveBack::new(
            "kill_switch",
            KILL_SWITCH,
            std::time::Duration::ZERO,
        )),
    }
}

/// Classifies a decision of the flow.
fn flow_disposition(
    stop: &Stop,
    now: OffsetDateTime,
    throttle_pause: std::time::Duration,
) -> Disposition {
    use OutcomeStatus::{Failed, NeedsVerification, RetryLater, Skipped, Submitted};
    match stop {
        Stop::Submitted => Disposition::Finish(Outcome::new(Submitted, None)),
        Stop::AlreadyApplied => finish(Skipped, "already_applied", ALREADY_APPLIED),
        Stop::NotEasyApply => finish(Skipped, "not_easy_apply", NOT_EASY_APPLY),
        Stop::JobClosed => finish(Skipped, "job_closed", JOB_CLOSED),
        Stop::SessionExpired => {
            mark_session(SessionStatus::Expired, "session_expired", SESSION_EXPIRED)
        }
        Stop::SessionCheckpoint => mark_session(
            SessionStatus::Checkpoint,
            "session_checkpoint",
            SESSION_CHECKPOINT,
        ),
        Stop::LinkedinDailyLimit => {
            wait_for_tomorrow("linkedin_daily_limit", LINKEDIN_DAILY_LIMIT, now)
        }
        Stop::LinkedinThrottled => wait_until(
            "linkedin_throttled",
            LINKEDIN_THROTTLED,
            now + throttle_pause,
        ),
        Stop::UserLimit => wait_for_tomorrow("user_daily_limit", USER_DAILY_LIMIT, now),
        Stop::UnknownQuestions(questions) => unknown_questions(questions),
        Stop::AnswerRejected(questions) => answer_rejected(questions),
        Stop::ValidationError(errors) => finish(
            Failed,
            "validation_error",
            &format!("LinkedIn rejected an answer: {}", errors.join(" | ")),
        ),
        Stop::StepStuck { step } => finish(RetryLater, "step_stuck", &step_stuck(*step)),
        Stop::ModalMissing | Stop::UnknownDialog(_) => no_form(stop, now),
        Stop::JobPageUnreadable { rendered } => finish(
            RetryLater,
            "job_page_unreadable",
            if *rendered {
                JOB_PAGE_NO_CONTROL
            } else {
                JOB_PAGE_UNREAD
            },
        ),
        Stop::UnreadableQuestion { step, count } => finish(
            RetryLater,
            "question_unreadable",
            &question_unreadable(*step, *count),
        ),
        Stop::ResumeMismatch => finish(RetryLater, "resume_mismatch", RESUME_MISMATCH),
        Stop::UnsupportedLanguage(code) => {
            let mut outcome = Outcome::new(OutcomeStatus::NeedsUser, Some("unsupported_language"))
                .with_error(&unsupported_language(code));
            outcome.details.keep_attempt = true;
            Disposition::Finish(outcome)
        }
        Stop::TooManySteps => finish(Failed, "too_many_steps", TOO_MANY_STEPS),
        Stop::SubmitUnconfirmed => {
            finish(NeedsVerification, "submit_unconfirmed", SUBMIT_UNCONFIRMED)
        }
        Stop::VerifiedApplied => looked(
            Outcome::new(Submitted, Some("verified_applied")),
            Look::Applied,
        ),
        // the store decides: a first such look asks for a second, a settle time later
        Stop::VerifiedNotApplied => looked(
            Outcome::new(RetryLater, Some("verified_not_applied")).with_error(VERIFIED_NOT_APPLIED),
            Look::NotApplied,
        ),
        Stop::VerificationInconclusive => looked(
            Outcome::new(NeedsVerification, Some("verification_inconclusive"))
                .with_error(VERIFICATION_INCONCLUSIVE),
            Look::Unclear,
        ),
        Stop::LeaseLost | Stop::VerificationRequired | Stop::DryRunComplete => Disposition::Nothing,
    }
}

/// The questions nobody answered, kept for the user.
fn unknown_questions(questions: &[PendingQuestion]) -> Disposition {
    let labels: Vec<&str> = questions.iter().map(|q| q.label.as_str()).collect();
    let mut outcome =
        Outcome::new(OutcomeStatus::NeedsUser, Some("unknown_questions")).with_error(&format!(
            "{} required question(s) the profile cannot answer; nothing was submitted: {}",
            questions.len(),
            labels.join(" | ")
        ));
    outcome.details.pending_questions = serde_json::to_value(questions).ok();
    Disposition::Finish(outcome)
}

/// LinkedIn rejected answers and nothing the field asks for is left to correct: the
/// questions go to the user (as unknown questions, with LinkedIn's words), never
/// retried with the same answer.
fn answer_rejected(questions: &[PendingQuestion]) -> Disposition {
    let said: Vec<String> = questions
        .iter()
        .map(|q| match &q.rejected {
            Some(message) => format!("{} (LinkedIn: {message})", q.label),
            None => q.label.clone(),
        })
        .collect();
    let mut outcome =
        Outcome::new(OutcomeStatus::NeedsUser, Some("unknown_questions")).with_error(&format!(
            "LinkedIn rejected the answer to {} question(s); nothing was submitted and the same answer is never sent again: the user's answer is needed: {}",
            questions.len(),
            said.join(" | ")
        ));
    outcome.details.pending_questions = serde_json::to_value(questions).ok();
    Disposition::Finish(outcome)
}

/// What a display language without texts tells the operator and the user.
fn unsupported_language(code: &str) -> String {
    format!(
        "the user's LinkedIn is in display language `{code}`, which selectors/linkedin.toml has no texts for: nothing was clicked and no attempt was spent; add a [languages.{code}] table (README, \"Adding a display language\"), or the user switches LinkedIn's display language to one it has, then retry"
    )
}

/// What an unreadable question tells the operator.
fn question_unreadable(step: u32, count: usize) -> String {
    format!(
        "{count} required question(s) on step {step} could not be read (no text, or options without text): nothing was guessed and the form was discarded; if this repeats, LinkedIn's markup changed: check fields.question_blocks and the labels in selectors/linkedin.toml"
    )
}

/// No form after the apply click: tried again on the next UTC day, so that the apply
/// control is clicked at most once per job per day; a dialog the site file does not
/// know also stops the user's other applications until then, no attempt spent.
fn no_form(stop: &Stop, now: OffsetDateTime) -> Disposition {
    if let Stop::UnknownDialog(text) = stop {
        return wait_until(
            "unknown_dialog",
            &unknown_dialog(text),
            next_utc_midnight(now),
        );
    }
    let mut outcome =
        Outcome::new(OutcomeStatus::RetryLater, Some("modal_missing")).with_error(MODAL_MISSING);
    outcome.details.run_at = Some(next_utc_midnight(now));
    Disposition::Finish(outcome)
}

/// What an unknown dialog after the apply click tells the operator.
fn unknown_dialog(text: &str) -> String {
    let clipped: String = text.chars().take(160).collect();
    format!(
        "after the apply click LinkedIn showed a dialog that is neither the form nor a message the site file knows (\"{clipped}\"): the user's applications wait for the next UTC day, no attempt spent, and nothing is clicked again today; look at the screenshot: a limit or a notice in words selectors/linkedin.toml lacks belongs in its texts"
    )
}

/// What a stuck step tells the operator.
fn step_stuck(step: u32) -> String {
    format!(
        "step {step} of the form has no Next, Review or Submit button: if this repeats, check modal.next/review/submit in selectors/linkedin.toml"
    )
}

/// A browser that failed: shutdown gives the claim back, anything else is retried.
fn browser_failure(e: &BrowserError) -> Disposition {
    let reason = match e {
        BrowserError::Cancelled => return Disposition::Release(GiveBack::shutdown()),
        // nothing may be recorded under a lease this worker no longer holds
        BrowserError::LeaseExpired => return Disposition::Nothing,
        BrowserError::Crashed { .. } => "browser_crashed",
        BrowserError::Timeout { .. } => "page_timeout",
        BrowserError::ElementMissing { .. } => "element_missing",
        _ => "browser_error",
    };
    finish(OutcomeStatus::RetryLater, reason, &e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAUSE: std::time::Duration = std::time::Duration::from_secs(6 * 3600);

    fn now() -> OffsetDateTime {
        time::macros::datetime!(2026-11-22 21:30 UTC)
    }

    #[test]
    fn linkedin_limits_wait_for_the_next_utc_day_without_spending_the_attempt() {
        let Disposition::Finish(o) =
            disposition(&Ended::Flow(Stop::LinkedinDailyLimit), now(), PAUSE)
        else {
            panic!()
        };
        assert_eq!(o.status, OutcomeStatus::RetryLater);
        assert_eq!(
            o.details.run_at,
            Some(time::macros::datetime!(2026-11-23 00:00 UTC))
        );
        assert_eq!(o.details.pause_user_until, o.details.run_at);
        assert!(o.details.keep_attempt);
    }

    #[test]
    fn the_apply_control_is_clicked_at_most_once_a_day() {
        let tomorrow = Some(time::macros::datetime!(2026-11-23 00:00 UTC));
        let Disposition::Finish(o) = disposition(&Ended::Flow(Stop::ModalMissing), now(), PAUSE)
        else {
            panic!()
        };
        assert_eq!(
            (o.status, o.details.run_at),
            (OutcomeStatus::RetryLater, tomorrow)
        );
        assert!(
            !o.details.keep_attempt,
            "a form that never opened spends its attempt"
        );
        let stop = Stop::UnknownDialog("Sie haben heute die maximale Anzahl erreicht".into());
        let Disposition::Finish(o) = disposition(&Ended::Flow(stop), now(), PAUSE) else {
            panic!()
        };
        assert_eq!(o.reason.as_deref(), Some("unknown_dialog"));
        assert_eq!(
            (o.details.run_at, o.details.pause_user_until),
            (tomorrow, tomorrow)
        );
        assert!(
            o.details.keep_attempt,
            "the user's LinkedIn said something: no attempt spent"
        );
        assert!(o.error.unwrap().contains("maximale Anzahl"));
    }

    #[test]
    fn unknown_questions_are_stored_for_the_user() {
        let q = PendingQuestion {
            label: "Years of COBOL?".into(),
            kind: "text",
            required: true,
            options: vec![],
            rejected: None,
            whole_number: false,
        };
        let Disposition::Finish(o) =
            disposition(&Ended::Flow(Stop::UnknownQuestions(vec![q])), now(), PAUSE)
        else {
            panic!()
        };
        assert_eq!(
            (o.status, o.reason.as_deref()),
            (OutcomeStatus::NeedsUser, Some("unknown_questions"))
        );
        assert_eq!(
            o.details.pending_questions.unwrap()[0]["label"],
            "Years of COBOL?"
        );
    }

    #[test]
    fn session_trouble_marks_the_session() {
        let Disposition::Finish(o) =
            disposition(&Ended::Flow(Stop::SessionCheckpoint), now(), PAUSE)
        else {
            panic!()
        };
        assert_eq!(o.details.session_status, Some(SessionStatus::Checkpoint));
        let Disposition::Finish(o) =
            disposition(&Ended::Session(SessionError::Padding), now(), PAUSE)
        else {
            panic!()
        };
        assert_eq!(
            o.details.session_status, None,
            "a decryption failure may be our key: the session is not marked"
        );
        assert_eq!(o.reason.as_deref(), Some("session_unreadable"));
    }

    #[test]
    fn shutdown_and_the_kill_switch_give_the_claim_back() {
        assert_eq!(
            disposition(&Ended::Cancelled, now(), PAUSE),
            Disposition::Release(GiveBack::shutdown())
        );
        let Disposition::Finish(o) =
            disposition(&Ended::Flow(Stop::LinkedinThrottled), now(), PAUSE)
        else {
            panic!("the throttle is recorded");
        };
        assert_eq!(o.status, OutcomeStatus::RetryLater);
        assert_eq!(o.reason.as_deref(), Some("linkedin_throttled"));
        assert!(o.details.keep_attempt, "the throttle spends no attempt");
        assert_eq!(o.details.run_at, Some(now() + PAUSE));
        assert_eq!(o.details.pause_user_until, Some(now() + PAUSE));
        assert!(matches!(
            disposition(&Ended::KillSwitch, now(), PAUSE),
            Disposition::Release(GiveBack {
                reason: "kill_switch",
                ..
            })
        ));
        assert_eq!(
            disposition(&Ended::Flow(Stop::DryRunComplete), now(), PAUSE),
            Disposition::Nothing
        );
    }
}
