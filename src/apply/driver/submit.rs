//! The last step: the fenced submit gate, the Submit click, and LinkedIn's answer —
//! its confirmation, past the dialogs it may show first (declined, never accepted),
//! or answers it rejected on this very step.

use tokio_util::sync::CancellationToken;

use super::{DriveError, Driver, Job, SubmitGate, form::StepEnd};
use crate::{
    apply::decide::{self, AtGate, Stop},
    browser::BrowserError,
    pacing::Wait,
    page::{Observation, Target},
};

/// Dialogs closed at most between Submit and the confirmation.
const MAX_AFTER_SUBMIT: usize = 3;

impl Driver<'_> {
    /// The last step: the fenced gate, then the Submit click and the confirmation;
    /// answers LinkedIn rejects on this step are handled as on any other (filled again
    /// with whole parts, else asked of the user), the gate asked again before another
    /// click (a passed gate answers again without a second slot).
    pub(super) async fn submit(
        &mut self,
        gate: &impl SubmitGate,
        step: u32,
        job: Job<'_>,
    ) -> Result<StepEnd, DriveError> {
        if self.options.dry_run {
            self.record("submit", "dry run: stopped before Submit");
            self.phase("form_steps");
            self.last_target = Some(Target::Submit);
            self.discard().await?;
            return Ok(StepEnd::Stop(Stop::DryRunComplete));
        }
        self.pause(Wait::BeforeClick).await?;
        // a browser that dies while the gate is asked (the store slow to answer) is
        // collected now; a gate passed meanwhile leaves the row `submitting`, which
        // the store never retries blindly
        let answer = tokio::select! {
            answer = gate.begin_submit() => answer.map_err(DriveError::Gate)?,
            () = self.browser.ended() => {
                return Err(BrowserError::Crashed { action: "wait for the submit gate" }.into());
            }
        };
        match decide::at_gate(answer) {
            AtGate::Click => {}
            AtGate::Stop(stop) => return Ok(StepEnd::Stop(stop)),
            AtGate::DiscardAndStop(stop) => {
                self.abandon().await?;
                return Ok(StepEnd::Stop(stop));
            }
        }
        self.record("submit", "gate open: clicking Submit application");
        self.phase("form_steps");
        // from here on a failure is never retried blindly (needs_verification)
        self.submit_clicked = true;
        if let Err(e) = self.click(Target::Submit).await {
            tracing::warn!(error = %e, "the Submit click failed");
            return Ok(StepEnd::Stop(Stop::SubmitUnconfirmed));
        }
        let confirmed = self.confirmation().await;
        self.phase("submit_and_confirmation");
        if let Err(e) = &confirmed
            && !matches!(e, BrowserError::Cancelled)
        {
            tracing::warn!(error = %e, "no confirmation after Submit");
        }
        match (decide::confirmation(confirmed.as_ref().ok()), confirmed) {
            (Stop::ValidationError(errors), Ok(seen)) => {
                self.rejected(step, errors, seen, job).await
            }
            (stop, _) => Ok(StepEnd::Stop(stop)),
        }
    }

    /// Waits for LinkedIn's answer to Submit, closing the dialogs it may show first
    /// (an upsell, a survey) by their decline or close control, never accepting one.
    /// Past the click shutdown does not cut this short: it is bounded.
    async fn confirmation(&mut self) -> Result<Observation, BrowserError> {
        let uncancelled = CancellationToken::new();
        let deadline = tokio::time::Instant::now() + self.setup.waits.confirmation;
        let mut closed: Option<String> = None;
        for _ in 0..=MAX_AFTER_SUBMIT {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let seen = self
                .browser
                .wait_for(
                    self.spec_json,
                    "the confirmation",
                    left,
                    &uncancelled,
                    |o| {
                        decide::after_submit(o).is_some()
                            || o.after_submit.is_some() && o.after_submit != closed
                    },
                )
                .await?;
            let Some(text) = seen
                .after_submit
                .clone()
                .filter(|_| decide::after_submit(&seen).is_none())
            else {
                return Ok(seen);
            };
            self.record(
                "after submit",
                format!("closed a dialog without accepting it: {text}"),
            );
            // never cancelled: the pause only shapes the click
            let _ = self
                .setup
                .pacing
                .pause(Wait::BeforeClick, &uncancelled)
                .await;
            self.click(Target::AfterSubmitDismiss).await?;
            closed = Some(text);
        }
        // one dialog after another: whatever shows now is the answer (else unconfirmed)
        self.observe().await
    }
}
