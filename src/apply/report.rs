//! What one attempt did ([`AttemptReport`]), built once from what its parts
//! returned ([`Seen`], [`Settled`]), and what of the browser's findings goes on the
//! recorded outcome: the screenshot, the snapshot's place, the receipt, the
//! session's check.

use std::{path::PathBuf, time::Duration};

use time::OffsetDateTime;

use super::{
    decide,
    driver::{DriveReport, StepRecord},
    outcome::Disposition,
};
use crate::domain::{Outcome, OutcomeStatus};

/// What one attempt did.
#[derive(Debug)]
pub struct AttemptReport {
    /// how it ended, in words
    pub ended: String,
    /// what was done with the row
    pub disposition: Disposition,
    /// the store accepted the outcome (false: the lease was lost)
    pub recorded: bool,
    /// the screenshot of this attempt
    pub screenshot: Option<PathBuf>,
    /// the steps as they happened
    pub steps: Vec<StepRecord>,
    /// a LinkedIn action was reserved for this attempt
    pub touched_linkedin: bool,
    /// the browser's process id and profile directory, once launched
    pub browser: Option<(Option<u32>, PathBuf)>,
    /// the global kill switch refused the attempt: claim nothing more today
    pub kill_switch_closed: bool,
    /// one screenshot per step, when asked for
    pub step_screenshots: Vec<PathBuf>,
    /// the drift breaker after this attempt counted (claimed runs whose ending says
    /// something about the markup)
    pub drift: Option<crate::store::DriftStatus>,
    /// the sanitized page snapshot of a structural failure (drift evidence)
    pub snapshot: Option<PathBuf>,
    /// how long each phase took (browser launch, cookies + session check, job page,
    /// form steps, submit + confirmation, teardown): the benchmark's figures
    pub phases: Vec<(&'static str, std::time::Duration)>,
    /// when LinkedIn showed the user logged in during this attempt
    pub session_validated_at: Option<OffsetDateTime>,
    /// what was sent, once Submit was clicked
    pub receipt: Option<decide::Receipt>,
    /// the page's display language, once read
    pub language: Option<String>,
    /// the time on a person's input (moving, typing, the pauses between)
    pub input: crate::pacing::InputTime,
}

/// What an attempt's browser showed: its process, how long it took to launch, and
/// what the driver found.
#[derive(Debug)]
pub(super) struct Seen {
    /// the browser's process id and profile directory
    pub(super) process: (Option<u32>, PathBuf),
    /// the `browser_launch` phase
    pub(super) launch: Duration,
    /// the driver's findings
    pub(super) drive: DriveReport,
}

/// What became of an attempt's ending.
#[derive(Debug)]
pub(super) struct Settled {
    /// how it ended, in words
    pub(super) ended: String,
    /// the kill switch refused it
    pub(super) kill_switch_closed: bool,
    /// a LinkedIn action was reserved for it
    pub(super) touched_linkedin: bool,
    /// what was done with the row
    pub(super) disposition: Disposition,
    /// the store accepted it
    pub(super) recorded: bool,
    /// the drift breaker after it counted
    pub(super) drift: Option<crate::store::DriftStatus>,
}

impl AttemptReport {
    /// The report of an attempt that ended as `settled`, after what its browser
    /// showed (`seen`, when one was launched) and a teardown of `teardown`.
    pub(super) fn new(settled: Settled, seen: Option<Seen>, teardown: Option<Duration>) -> Self {
        let (browser, launch, drive) = match seen {
            Some(seen) => (Some(seen.process), Some(seen.launch), seen.drive),
            None => (None, None, DriveReport::default()),
        };
        let phases = launch
            .map(|took| ("browser_launch", took))
            .into_iter()
            .chain(drive.phases)
            .chain(teardown.map(|took| ("teardown", took)))
            .collect();
        Self {
            ended: settled.ended,
            disposition: settled.disposition,
            recorded: settled.recorded,
            screenshot: drive.screenshot,
            steps: drive.steps,
            touched_linkedin: settled.touched_linkedin,
            browser,
            kill_switch_closed: settled.kill_switch_closed,
            step_screenshots: drive.step_screenshots,
            drift: settled.drift,
            snapshot: drive.snapshot,
            phases,
            session_validated_at: drive.session_validated_at,
            receipt: drive.receipt,
            language: drive.language,
            input: drive.input,
        }
    }
}

/// Puts on `outcome` what the driver found for the row (`drive`: none when no
/// browser was launched).
pub(super) fn annotate(drive: Option<&DriveReport>, outcome: &mut Outcome) {
    let none = DriveReport::default();
    let drive = drive.unwrap_or(&none);
    if let Some(path) = &drive.screenshot {
        outcome.details.screenshot_path = Some(path.display().to_string());
    }
    if let Some(path) = &drive.snapshot {
        let error = outcome.error.take().unwrap_or_default();
        outcome.error = Some(crate::domain::truncate_error(&format!(
            "{error} [page snapshot: {}; `autoapply selectors check --html` reads it]",
            path.display()
        )));
    }
    // what was sent: recorded once Submit was clicked (a submission not yet
    // confirmed keeps it for when the verification finds it)
    if matches!(
        outcome.status,
        OutcomeStatus::Submitted | OutcomeStatus::NeedsVerification
    ) {
        outcome.details.receipt = drive
            .receipt
            .as_ref()
            .and_then(|r| serde_json::to_value(r).ok());
    }
    outcome.details.display_language = drive.language.clone();
    // a session LinkedIn accepted: recorded unless this attempt marks it dead
    if outcome.details.session_status.is_none() {
        outcome.details.session_validated_at = drive.session_validated_at;
    }
}
