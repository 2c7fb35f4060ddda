//! Filling one field as a person would: a pause, then typing, choosing, ticking,
//! uploading; the choices themselves come from `decide`.

use std::time::Duration;

use super::Driver;
use crate::{
    answers::Resolution,
    apply::decide::{self, PendingQuestion},
    browser::BrowserError,
    pacing::Wait,
    page::{Field, FieldKind, Observation, Target},
};

impl Driver<'_> {
    /// Fills one field. Returns the question when a typeahead has no matching
    /// suggestion (the answer cannot be given).
    pub(super) async fn fill(
        &mut self,
        field: &Field,
        resolution: &Resolution,
        files: decide::Files<'_>,
    ) -> Result<Option<PendingQuestion>, BrowserError> {
        let target = Target::Field(field.handle);
        if matches!(
            resolution,
            Resolution::Keep | Resolution::KeepPrefilled | Resolution::Unknown
        ) {
            return Ok(None);
        }
        self.pause(Wait::BetweenFields).await?;
        self.last_target = Some(target);
        match resolution {
            Resolution::Type(text) if field.kind == FieldKind::Typeahead => {
                return self.typeahead(field, text).await;
            }
            Resolution::Type(text) | Resolution::Whole { typed: text, .. } => {
                self.browser
                    .type_text(target, text, self.setup.pacing, self.cancel)
                    .await?
            }
            Resolution::Choose(option) if field.kind == FieldKind::Radio => {
                let k = decide::radio_option(field, option);
                self.click(Target::FieldOption(field.handle, k)).await?;
            }
            Resolution::Choose(option) => {
                if !self.browser.select_option(target, option).await? {
                    return Err(BrowserError::ElementMissing {
                        target: format!("an option of {}", target.key()),
                    });
                }
            }
            Resolution::Check(wanted) => {
                for k in decide::checkbox_toggles(field, wanted) {
                    self.click(Target::FieldOption(field.handle, k)).await?;
                }
            }
            Resolution::Follow(follow) => {
                if decide::follow_needs_click(field, *follow) {
                    self.click(target).await?;
                }
            }
            Resolution::Upload(path) => self.upload(target, path).await?,
            Resolution::SelectDocument(k) => {
                let name = files.resume_name().unwrap_or_default();
                self.click(Target::Document(*k)).await?;
                self.wait_for("the résumé selected", self.setup.waits.element, |o| {
                    o.modal.as_ref().is_some_and(|m| {
                        m.selected_document
                            .as_deref()
                            .is_some_and(|s| decide::same_document(s, &name))
                    })
                })
                .await?;
            }
            Resolution::Keep | Resolution::KeepPrefilled | Resolution::Unknown => {}
        }
        Ok(None)
    }

    /// Uploads `path` into the file input `target` and waits for the page's sign that
    /// it took: the file's name shown (LinkedIn's new card), or held by the input
    /// itself (a page that shows no card).
    async fn upload(&mut self, target: Target, path: &std::path::Path) -> Result<(), BrowserError> {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        self.browser.upload(target, path).await?;
        self.wait_for("the uploaded file", self.setup.waits.element, |o| {
            o.modal.as_ref().is_some_and(|m| {
                m.documents
                    .iter()
                    .chain(&m.uploaded)
                    .chain(
                        m.fields
                            .iter()
                            .filter(|f| f.kind == FieldKind::File)
                            .map(|f| &f.value),
                    )
                    .any(|d| decide::same_document(d, &name))
            })
        })
        .await
        .map(drop)
    }

    /// The step as the page shows it after filling (`seen`): a radio option whose click
    /// did not take is clicked once more (a second click on it changes nothing else),
    /// and so is a box still not as planned (only such a box: one that took is never
    /// flipped back), and the step read again.
    pub(super) async fn recheck(
        &mut self,
        plan: &decide::StepPlan,
        seen: Observation,
    ) -> Result<Observation, BrowserError> {
        let again = seen
            .modal
            .as_ref()
            .map(|m| decide::unchecked_choices(plan, m))
            .unwrap_or_default();
        if again.is_empty() {
            return Ok(seen);
        }
        for target in again {
            self.record(
                "fill",
                format!("{} did not take: clicked again", target.key()),
            );
            self.pause(Wait::BetweenFields).await?;
            self.click(target).await?;
        }
        self.observe().await
    }

    /// Notes on the receipt what was done with `field`, marking an answer that came
    /// from one of the user's replies.
    pub(super) fn note(
        &mut self,
        field: &Field,
        resolution: &Resolution,
        profile: &crate::domain::ApplicantProfile,
    ) {
        self.receipt.note(field, resolution);
        let answered = matches!(
            resolution,
            Resolution::Type(_)
                | Resolution::Choose(_)
                | Resolution::Check(_)
                | Resolution::Whole { .. }
        );
        if answered && let Some(at) = crate::answers::replied_at(profile, &field.label) {
            self.receipt.mark_reply(&field.label, at);
        }
    }

    /// Types into a typeahead and picks the matching suggestion; the question when
    /// none matches (or none appears).
    async fn typeahead(
        &mut self,
        field: &Field,
        text: &str,
    ) -> Result<Option<PendingQuestion>, BrowserError> {
        let target = Target::Field(field.handle);
        self.browser
            .type_text(target, text, self.setup.pacing, self.cancel)
            .await?;
        let obs = match self
            .wait_for(
                "typeahead suggestions",
                self.setup.waits.element.min(Duration::from_secs(8)),
                |o| !o.suggestions.is_empty(),
            )
            .await
        {
            Ok(o) => o,
            Err(BrowserError::Timeout { .. }) => return Ok(Some(PendingQuestion::of(field))),
            Err(e) => return Err(e),
        };
        match decide::pick_suggestion(&obs.suggestions, text) {
            Some(k) => {
                let k = u32::try_from(k).unwrap_or_default();
                self.click(Target::Suggestion(k)).await?;
                Ok(None)
            }
            None => Ok(Some(PendingQuestion::of(field))),
        }
    }
}
