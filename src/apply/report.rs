//! What one attempt did ([`AttemptReport`]), and what of it goes on the recorded
//! outcome: the screenshot, the snapshot's place, the receipt, the session's check.

use std::path::PathBuf;

use time::OffsetDateTime;

use super::{
    decide,
    driver::{DriveError, DriveReport, StepRecord},
    outcome::Disposition,
    teardown::Teardown,
};
use crate::domain::{Outcome, OutcomeStatus};

/// What one attempt did.
#[derive(Debug, Default)]
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
    /// the browser's clean-up (it is closed already), running while the outcome is recorded
    pub(super) teardown: Option<Teardown>,
}

impl AttemptReport {
    /// The teardown's phase, when it ran to its end.
    pub(super) fn note_teardown(&mut self, took: Option<std::time::Duration>) {
        if let Some(took) = took {
            self.phases.push(("teardown", took));
        }
    }

    /// Takes what the driver's run left; returns how it ended.
    pub(super) fn take_drive(&mut self, drive: DriveReport) -> Result<decide::Stop, DriveError> {
        self.steps = drive.steps;
        self.phases.extend(drive.phases);
        self.screenshot = drive.screenshot;
        self.step_screenshots = drive.step_screenshots;
        self.snapshot = drive.snapshot;
        self.session_validated_at = drive.session_validated_at;
        self.receipt = drive.receipt;
        self.language = drive.language;
        drive.result
    }

    /// Puts on `outcome` what this attempt left for the row.
    pub(super) fn annotate(&self, outcome: &mut Outcome) {
        if let Some(path) = &self.screenshot {
            outcome.details.screenshot_path = Some(path.display().to_string());
        }
        if let Some(path) = &self.snapshot {
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
            outcome.details.receipt = self
                .receipt
                .as_ref()
                .and_then(|r| serde_json::to_value(r).ok());
        }
        outcome.details.display_language = self.language.clone();
        // a session LinkedIn accepted: recorded unless this attempt marks it dead
        if outcome.details.session_status.is_none() {
            outcome.details.session_validated_at = self.session_validated_at;
        }
    }
}
