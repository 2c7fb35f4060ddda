//! The Easy Apply form: the entry click (and the safety reminder), each step filled
//! and left by Next or Review (the last by Submit: `submit.rs`), and discarding a
//! form the flow abandons.

use std::time::Duration;

use super::{DriveError, Driver, Job, MAX_STEPS, SubmitGate};
use crate::{
    apply::decide::{self, Advance, AfterEntry, Rejection, StepAction, Stop},
    browser::BrowserError,
    pacing::Wait,
    page::{Modal, Observation, Target},
};

/// Interstitials passed at most before the form (a reminder, a notice, and one more).
const MAX_INTERSTITIALS: usize = 3;

/// What one step ended in: the next step's observation, or the flow's end.
pub(super) enum StepEnd {
    Next(Box<Observation>),
    Stop(Stop),
}

impl Driver<'_> {
    /// Clicks Easy Apply and waits for the form, passing the interstitials (the safety
    /// reminder, the qualifications notice) by their button; the inner `Err` is a
    /// stop (the form never opened, a limit, session trouble).
    pub(super) async fn open_form(&mut self) -> Result<Result<Observation, Stop>, DriveError> {
        self.click(Target::EasyApply).await?;
        let mut obs = match self.wait_for_entry(None).await? {
            Some(o) => o,
            None => return Ok(Err(self.no_form().await?)),
        };
        for _ in 0..MAX_INTERSTITIALS {
            if decide::after_entry(&obs) != AfterEntry::ContinueApplying {
                break;
            }
            let passed = obs
                .interstitial
                .clone()
                .unwrap_or_else(|| "interstitial".into());
            self.record(&passed, "continue");
            self.pause(Wait::BeforeClick).await?;
            self.click(Target::ContinueApplying).await?;
            obs = match self.wait_for_entry(Some(&passed)).await? {
                Some(o) => o,
                None => return Ok(Err(self.no_form().await?)),
            };
        }
        match decide::after_entry(&obs) {
            AfterEntry::Stop(stop) => Ok(Err(stop)),
            AfterEntry::ContinueApplying => Ok(Err(Stop::ModalMissing)),
            _ => Ok(Ok(obs)),
        }
    }

    /// Why no form came after an entry click: a dialog the site file does not know
    /// (read as a person would: something LinkedIn said instead of the form), else
    /// none at all.
    async fn no_form(&mut self) -> Result<Stop, BrowserError> {
        let seen = self.observe().await?;
        Ok(match seen.dialog {
            Some(text) if !text.is_empty() => {
                self.record(
                    "after the apply click",
                    "a dialog the site file does not know",
                );
                Stop::UnknownDialog(text)
            }
            _ => Stop::ModalMissing,
        })
    }

    /// Waits for what follows an entry click (`passed`: the interstitial just passed,
    /// which no longer counts); `None` when nothing came in time.
    async fn wait_for_entry(
        &self,
        passed: Option<&str>,
    ) -> Result<Option<Observation>, BrowserError> {
        let result =
            self.wait_for("the Easy Apply form", self.setup.waits.element, |o| {
                match decide::after_entry(o) {
                    AfterEntry::Pending => false,
                    AfterEntry::ContinueApplying => {
                        passed.is_none_or(|p| o.interstitial.as_deref() != Some(p))
                    }
                    AfterEntry::Modal | AfterEntry::Stop(_) => true,
                }
            })
            .await;
        match result {
            Ok(o) => Ok(Some(o)),
            Err(BrowserError::Timeout { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Walks the form's steps from `obs` to Submit (or a stop).
    pub(super) async fn form(
        &mut self,
        mut obs: Observation,
        job: Job<'_>,
        gate: &impl SubmitGate,
    ) -> Result<Stop, DriveError> {
        for step in 1..=MAX_STEPS {
            let started = std::time::Instant::now();
            match self.step(step, &obs, job, gate).await? {
                StepEnd::Next(next) => {
                    // each step left by Next or Review: its share of `form_steps`
                    self.phases.push(("form_step", started.elapsed()));
                    obs = *next;
                }
                StepEnd::Stop(stop) => return Ok(stop),
            }
        }
        Ok(Stop::TooManySteps)
    }

    /// Fills step `step` and leaves it.
    async fn step(
        &mut self,
        step: u32,
        obs: &Observation,
        job: Job<'_>,
        gate: &impl SubmitGate,
    ) -> Result<StepEnd, DriveError> {
        let Some(modal) = obs.modal.clone() else {
            return Err(BrowserError::ElementMissing {
                target: "the Easy Apply modal".into(),
            }
            .into());
        };
        let plan = decide::plan_step(&modal, job.profile, job.files);
        self.record(
            &format!("step {step}"),
            decide::describe_step(&modal, &plan),
        );
        if plan.unreadable > 0 {
            self.abandon().await?;
            return Ok(StepEnd::Stop(Stop::UnreadableQuestion {
                step,
                count: plan.unreadable,
            }));
        }
        if !plan.unknown_required.is_empty() {
            self.last_target = decide::first_unknown_required(&plan);
            self.abandon().await?;
            return Ok(StepEnd::Stop(Stop::UnknownQuestions(plan.unknown_required)));
        }
        for (field, resolution) in &plan.fills {
            if let Some(question) = self.fill(field, resolution, job.files).await? {
                self.abandon().await?;
                return Ok(StepEnd::Stop(Stop::UnknownQuestions(vec![question])));
            }
            self.note(field, resolution, job.profile);
        }
        // after filling: the step as it is about to be sent
        self.shots.form_step(self.browser, step).await;
        let current = self.observe().await?;
        let current = self.recheck(&plan, current).await?;
        let modal = current.modal.unwrap_or(modal);
        if let Some(selected) = &modal.selected_document {
            self.selected_document = Some(selected.clone());
            self.receipt.resume = Some(selected.clone());
        }
        if decide::step_action(&modal) == StepAction::Submit
            && decide::resume_mismatch(self.selected_document.as_deref(), job.files)
        {
            self.record(
                "resume",
                "another résumé than the user's is selected: not submitted",
            );
            self.abandon().await?;
            return Ok(StepEnd::Stop(Stop::ResumeMismatch));
        }
        self.leave_step(step, &modal, job, gate).await
    }

    /// Clicks the button that ends the step (Next, Review, or Submit past the gate).
    async fn leave_step(
        &mut self,
        step: u32,
        modal: &Modal,
        job: Job<'_>,
        gate: &impl SubmitGate,
    ) -> Result<StepEnd, DriveError> {
        let action = decide::step_action(modal);
        if action == StepAction::Stuck {
            return match self
                .wait_for(
                    "a Next, Review or Submit button",
                    self.setup.waits.element,
                    |o| {
                        o.modal
                            .as_ref()
                            .is_some_and(|m| decide::step_action(m) != StepAction::Stuck)
                    },
                )
                .await
            {
                // the same step again, now with its button
                Ok(o) => Ok(StepEnd::Next(Box::new(o))),
                Err(BrowserError::Timeout { .. }) => Ok(StepEnd::Stop(Stop::StepStuck { step })),
                Err(e) => Err(e.into()),
            };
        }
        let Some(button) = decide::step_button(action) else {
            return self.submit(gate, step, job).await;
        };
        let before = decide::step_signature(modal);
        self.pause(Wait::BeforeClick).await?;
        self.click(button).await?;
        let after = self
            .wait_for("the next step", self.setup.waits.element, |o| {
                decide::advance(&before, o) != Advance::Pending
            })
            .await?;
        Ok(match decide::advance(&before, &after) {
            Advance::Errors(errors) => self.rejected(step, errors, after, job).await?,
            Advance::Stop(stop) => StepEnd::Stop(stop),
            Advance::NewStep | Advance::Pending => StepEnd::Next(Box::new(after)),
        })
    }

    /// LinkedIn rejected the step's answers: the step again when each rejected field
    /// only wants the whole part of a decimal, else its questions go to the user.
    pub(super) async fn rejected(
        &mut self,
        step: u32,
        errors: Vec<String>,
        after: Observation,
        job: Job<'_>,
    ) -> Result<StepEnd, DriveError> {
        let Some(modal) = after.modal.as_ref() else {
            return Ok(StepEnd::Stop(Stop::ValidationError(errors)));
        };
        Ok(match decide::rejection(modal, job.profile, job.files) {
            Rejection::FillAgain => {
                self.record(
                    &format!("step {step}"),
                    "LinkedIn takes whole numbers only here: filled again with the whole parts",
                );
                StepEnd::Next(Box::new(after))
            }
            Rejection::Ask(questions) => {
                self.record(
                    &format!("step {step}"),
                    format!(
                        "LinkedIn rejected {} answer(s): asked of the user",
                        questions.len()
                    ),
                );
                self.abandon().await?;
                StepEnd::Stop(Stop::AnswerRejected(questions))
            }
            Rejection::Failed(errors) => StepEnd::Stop(Stop::ValidationError(errors)),
        })
    }

    /// Keeps the evidence of why the flow stops, then discards the form.
    pub(super) async fn abandon(&mut self) -> Result<(), BrowserError> {
        self.shots.keep(self.browser, self.last_target).await;
        self.discard().await
    }

    /// Closes the modal and discards the application, so nothing half-filled stays.
    /// The outline of the screenshot stays on the element that caused the stop.
    pub(super) async fn discard(&mut self) -> Result<(), BrowserError> {
        let culprit = self.last_target;
        let result = self.discard_inner().await;
        self.last_target = culprit;
        result
    }

    async fn discard_inner(&mut self) -> Result<(), BrowserError> {
        let obs = self.observe().await?;
        if !obs.modal.as_ref().is_some_and(|m| m.dismiss) {
            return Ok(());
        }
        self.pause(Wait::BeforeClick).await?;
        self.click(Target::Dismiss).await?;
        match self
            .wait_for("the discard confirmation", Duration::from_secs(5), |o| {
                o.modal.as_ref().is_none_or(|m| m.discard)
            })
            .await
        {
            Ok(o) if o.modal.as_ref().is_some_and(|m| m.discard) => {
                self.click(Target::Discard).await?;
                self.record("discard", "application discarded");
            }
            Ok(_) => self.record("discard", "modal closed"),
            Err(BrowserError::Timeout { .. }) => {
                self.record("discard", "no discard confirmation appeared")
            }
            Err(e) => return Err(e),
        }
        Ok(())
    }
}
