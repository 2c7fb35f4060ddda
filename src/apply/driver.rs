//! The driver: performs the flow's decisions in the browser, one step at a time,
//! with human pacing and explicit waits. It returns how the flow ended and the
//! element it was acting on (for the screenshot's outline).

use std::{path::Path, time::Duration};

use tokio_util::sync::CancellationToken;

use super::decide::{
    self, Advance, AfterEntry, JobPage, PendingQuestion, SessionState, StepAction, Stop,
};
use crate::{
    answers::{Resolution, normalize},
    browser::{BrowserError, BrowserSession},
    domain::ApplicantProfile,
    pacing::{NavigationLimiter, Pacing, Wait},
    page::{Field, FieldKind, Observation, Rect, Target},
    store::BeginSubmit,
};

/// The most steps a form may have.
pub const MAX_STEPS: u32 = 12;

/// How long the driver waits for things.
#[derive(Debug, Clone, Copy)]
pub struct Waits {
    /// a page or element to appear
    pub element: Duration,
    /// the confirmation after Submit
    pub confirmation: Duration,
}

impl Default for Waits {
    fn default() -> Self {
        Self {
            element: Duration::from_secs(15),
            confirmation: Duration::from_secs(30),
        }
    }
}

/// Told of every step as it happens (the replay CLI prints them).
pub type StepObserver = std::sync::Arc<dyn Fn(&StepRecord) + Send + Sync>;

/// A step as it happened, for the replay CLI and the logs (labels and kinds,
/// never values).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepRecord {
    /// step name
    pub step: String,
    /// what was found or done
    pub detail: String,
}

/// Everything the driver needs besides the browser.
pub struct Driver<'a> {
    /// the browser of this application
    pub browser: &'a BrowserSession,
    /// the site spec as JSON for observe.js
    pub spec_json: &'a str,
    /// the site's origin (maybe a replica)
    pub origin: &'a url::Url,
    /// the page that shows the logged-in marker
    pub session_check_path: &'a str,
    /// human waits
    pub pacing: &'a Pacing,
    /// LinkedIn navigations per minute
    pub limiter: &'a NavigationLimiter,
    /// explicit wait timeouts
    pub waits: Waits,
    /// shutdown
    pub cancel: &'a CancellationToken,
    /// stop before Submit
    pub dry_run: bool,
    /// the element being acted on, for the screenshot
    pub last_target: Option<Target>,
    /// what happened, step by step
    pub steps: Vec<StepRecord>,
    /// a screenshot taken before the modal was discarded (it shows the question)
    pub evidence: Option<(Vec<u8>, Option<Rect>)>,
    /// when LinkedIn showed the user logged in (`platform_sessions.validated_at`)
    pub session_validated_at: Option<time::OffsetDateTime>,
    /// told of every step as it happens
    pub observer: Option<StepObserver>,
    /// keep one screenshot per step in this directory, named by this application
    pub step_shots: Option<(std::path::PathBuf, crate::domain::ApplicationId)>,
    /// the step screenshots written
    pub step_shot_paths: Vec<std::path::PathBuf>,
    /// when each phase ended (`session`, `job_page`, `form`, `confirmed`): the benchmark's figures
    pub marks: Vec<(&'static str, std::time::Instant)>,
}

/// The fenced submit gate, called right before the Submit click.
pub trait SubmitGate {
    /// `begin_submit` of the store
    fn begin_submit(
        &self,
    ) -> impl std::future::Future<Output = Result<BeginSubmit, crate::store::StoreError>> + Send;
}

/// A driver failure: the browser's, or the store's at the submit gate.
#[derive(Debug)]
pub enum DriveError {
    /// the browser failed
    Browser(BrowserError),
    /// the submit gate could not be asked: nothing was clicked
    Gate(crate::store::StoreError),
}

impl From<BrowserError> for DriveError {
    fn from(e: BrowserError) -> Self {
        Self::Browser(e)
    }
}

impl Driver<'_> {
    fn record(&mut self, step: &str, detail: impl Into<String>) {
        let detail = detail.into();
        tracing::info!(step, detail = %detail, "step");
        let record = StepRecord {
            step: step.into(),
            detail,
        };
        if let Some(observer) = &self.observer {
            observer(&record);
        }
        self.steps.push(record);
    }

    async fn pause(&self, wait: Wait) -> Result<(), BrowserError> {
        self.pacing
            .pause(wait, self.cancel)
            .await
            .map_err(|_| BrowserError::Cancelled)
    }

    async fn navigate(&mut self, url: &str) -> Result<(), BrowserError> {
        self.limiter
            .until_ready(self.cancel)
            .await
            .map_err(|_| BrowserError::Cancelled)?;
        self.browser.goto(url, self.cancel).await
    }

    async fn wait_for(
        &self,
        what: &str,
        timeout: Duration,
        ready: impl Fn(&Observation) -> bool,
    ) -> Result<Observation, BrowserError> {
        self.browser
            .wait_for(self.spec_json, what, timeout, self.cancel, ready)
            .await
    }

    async fn click(&mut self, target: Target) -> Result<(), BrowserError> {
        self.last_target = Some(target);
        self.browser.click(target).await
    }

    /// Opens the page that shows the logged-in marker; a login wall or a checkpoint
    /// ends the run. Then a human pause, as after any page.
    async fn check_session(&mut self) -> Result<Option<Stop>, DriveError> {
        let check = self
            .origin
            .join(self.session_check_path)
            .map_or_else(|_| self.origin.to_string(), |u| u.to_string());
        self.navigate(&check).await?;
        let obs = self
            .wait_for("the logged-in marker", self.waits.element, |o| {
                decide::session_state(o) != SessionState::Pending
            })
            .await?;
        match decide::session_state(&obs) {
            SessionState::Expired => return Ok(Some(Stop::SessionExpired)),
            SessionState::Checkpoint => return Ok(Some(Stop::SessionCheckpoint)),
            SessionState::LoggedIn => {
                self.session_validated_at = Some(time::OffsetDateTime::now_utc());
                self.record("session", "logged in");
            }
            SessionState::Pending => self.record("session", "logged in"),
        }
        self.marks.push(("session", std::time::Instant::now()));
        self.pause(Wait::PageLoad).await?;
        Ok(None)
    }

    /// A verification run: is the application of an interrupted submit on LinkedIn?
    /// Opens the job page with the user's session and reads its applied state;
    /// never clicks anything.
    pub async fn verify(&mut self, job_url: &str) -> Result<Stop, DriveError> {
        if let Some(stop) = self.check_session().await? {
            return Ok(stop);
        }
        self.navigate(job_url).await?;
        let stop = match self
            .wait_for("the job's applied state", self.waits.element, |o| {
                decide::verification(o).is_some()
            })
            .await
        {
            Ok(o) => decide::verification(&o).unwrap_or(Stop::VerificationInconclusive),
            Err(BrowserError::Timeout { .. }) => Stop::VerificationInconclusive,
            Err(e) => return Err(e.into()),
        };
        self.record("verification", format!("{stop:?}"));
        Ok(stop)
    }

    /// Runs the whole flow for one job page.
    pub async fn run(
        &mut self,
        job_url: &str,
        profile: &ApplicantProfile,
        resume: Option<&Path>,
        gate: &impl SubmitGate,
    ) -> Result<Stop, DriveError> {
        // 1. the session
        if let Some(stop) = self.check_session().await? {
            return Ok(stop);
        }

        // 2. the job page
        self.navigate(job_url).await?;
        let decision = match self
            .wait_for("the job page's apply button", self.waits.element, |o| {
                decide::job_page(o) != JobPage::Pending
            })
            .await
        {
            Ok(o) => decide::job_page(&o),
            Err(BrowserError::Timeout { after_ms, .. }) => {
                let seen = self.browser.observe(self.spec_json).await?;
                let action = if seen.job_loaded {
                    "the job page rendered but shows no apply button: if this repeats, check the apply-button key of the site file (`autoapply selectors check --html`); waiting for the apply button".to_owned()
                } else {
                    "waiting for the job page".to_owned()
                };
                return Err(BrowserError::Timeout { action, after_ms }.into());
            }
            Err(e) => return Err(e.into()),
        };
        match decision {
            JobPage::Stop(stop) => return Ok(stop),
            JobPage::Pending => {
                return Err(BrowserError::Timeout {
                    action: "the job page".into(),
                    after_ms: self.waits.element.as_millis() as u64,
                }
                .into());
            }
            JobPage::OpenEasyApply => {
                self.record("job page", "Easy Apply found");
                self.marks.push(("job_page", std::time::Instant::now()));
                self.step_shot().await;
            }
        }
        self.pause(Wait::PageLoad).await?;

        // 3. the modal
        self.click(Target::EasyApply).await?;
        let mut obs = match self
            .wait_for("the Easy Apply form", self.waits.element, |o| {
                decide::after_entry(o) != AfterEntry::Pending
            })
            .await
        {
            Ok(o) => o,
            Err(BrowserError::Timeout { .. }) => return Ok(Stop::ModalMissing),
            Err(e) => return Err(e.into()),
        };
        if decide::after_entry(&obs) == AfterEntry::ContinueApplying {
            self.record("safety reminder", "Continue applying");
            self.pause(Wait::BeforeClick).await?;
            self.click(Target::ContinueApplying).await?;
            obs = match self
                .wait_for("the Easy Apply form", self.waits.element, |o| {
                    !matches!(
                        decide::after_entry(o),
                        AfterEntry::Pending | AfterEntry::ContinueApplying
                    )
                })
                .await
            {
                Ok(o) => o,
                Err(BrowserError::Timeout { .. }) => return Ok(Stop::ModalMissing),
                Err(e) => return Err(e.into()),
            };
        }
        if let AfterEntry::Stop(stop) = decide::after_entry(&obs) {
            return Ok(stop);
        }

        // 4. the steps
        for step in 1..=MAX_STEPS {
            let Some(modal) = obs.modal.clone() else {
                return Err(BrowserError::ElementMissing {
                    target: "the Easy Apply modal".into(),
                }
                .into());
            };
            let plan = decide::plan_step(&modal, profile, resume);
            let kinds: Vec<String> = plan
                .fills
                .iter()
                .map(|(f, r)| {
                    format!(
                        "{} [{}{}] {:?}",
                        f.label,
                        f.kind.as_str(),
                        if f.required { ", required" } else { "" },
                        r
                    )
                })
                .collect();
            self.record(
                &format!("step {step}"),
                format!("{} field(s): {}", modal.fields.len(), kinds.join("; ")),
            );
            if !plan.unknown_required.is_empty() {
                let first = plan
                    .fills
                    .iter()
                    .find(|(f, r)| f.required && *r == Resolution::Unknown)
                    .map(|(f, _)| f.handle);
                self.last_target = first.map(Target::Field);
                self.keep_evidence().await;
                self.discard().await?;
                return Ok(Stop::UnknownQuestions(plan.unknown_required));
            }
            for (field, resolution) in &plan.fills {
                if let Some(question) = self.fill(field, resolution).await? {
                    self.keep_evidence().await;
                    self.discard().await?;
                    return Ok(Stop::UnknownQuestions(vec![question]));
                }
            }
            // after filling: the step as it is about to be sent
            self.step_shot().await;
            let current = self.browser.observe(self.spec_json).await?;
            let modal = current.modal.clone().unwrap_or(modal);
            match decide::step_action(&modal) {
                StepAction::Stuck => {
                    match self
                        .wait_for("a Next, Review or Submit button", self.waits.element, |o| {
                            o.modal
                                .as_ref()
                                .is_some_and(|m| decide::step_action(m) != StepAction::Stuck)
                        })
                        .await
                    {
                        Ok(o) => obs = o,
                        Err(BrowserError::Timeout { .. }) => return Ok(Stop::StepStuck { step }),
                        Err(e) => return Err(e.into()),
                    }
                    continue;
                }
                StepAction::Next | StepAction::Review => {
                    let target = if decide::step_action(&modal) == StepAction::Next {
                        Target::Next
                    } else {
                        Target::Review
                    };
                    let before = decide::step_signature(&modal);
                    self.pause(Wait::BeforeClick).await?;
                    self.click(target).await?;
                    let after = self
                        .wait_for("the next step", self.waits.element, |o| {
                            decide::advance(&before, o) != Advance::Pending
                        })
                        .await?;
                    match decide::advance(&before, &after) {
                        Advance::Errors(errors) => return Ok(Stop::ValidationError(errors)),
                        Advance::Stop(stop) => return Ok(stop),
                        Advance::NewStep | Advance::Pending => obs = after,
                    }
                }
                StepAction::Submit => {
                    if self.dry_run {
                        self.record("submit", "dry run: stopped before Submit");
                        self.last_target = Some(Target::Submit);
                        self.discard().await?;
                        return Ok(Stop::DryRunComplete);
                    }
                    self.pause(Wait::BeforeClick).await?;
                    match gate.begin_submit().await.map_err(DriveError::Gate)? {
                        BeginSubmit::Ok => {}
                        BeginSubmit::LeaseLost => return Ok(Stop::LeaseLost),
                        BeginSubmit::UserLimit => {
                            self.keep_evidence().await;
                            self.discard().await?;
                            return Ok(Stop::UserLimit);
                        }
                        BeginSubmit::VerificationRequired => return Ok(Stop::VerificationRequired),
                    }
                    self.record("submit", "gate open: clicking Submit application");
                    self.marks.push(("form", std::time::Instant::now()));
                    // from here on a failure is never retried blindly (needs_verification)
                    if let Err(e) = self.click(Target::Submit).await {
                        tracing::warn!(error = %e, "the Submit click failed");
                        return Ok(Stop::SubmitUnconfirmed);
                    }
                    // past the click, shutdown does not cut the confirmation short: it is bounded
                    let uncancelled = CancellationToken::new();
                    let confirmed = self
                        .browser
                        .wait_for(
                            self.spec_json,
                            "the confirmation",
                            self.waits.confirmation,
                            &uncancelled,
                            |o| decide::after_submit(o).is_some(),
                        )
                        .await;
                    self.marks.push(("confirmed", std::time::Instant::now()));
                    return Ok(match confirmed {
                        Ok(o) => decide::after_submit(&o).unwrap_or(Stop::SubmitUnconfirmed),
                        Err(BrowserError::Cancelled) => {
                            // shutdown while confirming: the click happened; let verification settle it
                            Stop::SubmitUnconfirmed
                        }
                        Err(e) => {
                            tracing::warn!(error = %e, "no confirmation after Submit");
                            Stop::SubmitUnconfirmed
                        }
                    });
                }
            }
        }
        Ok(Stop::TooManySteps)
    }

    /// Fills one field. Returns the question when a typeahead has no matching
    /// suggestion (the answer cannot be given).
    async fn fill(
        &mut self,
        field: &Field,
        resolution: &Resolution,
    ) -> Result<Option<PendingQuestion>, BrowserError> {
        let target = Target::Field(field.handle);
        match resolution {
            Resolution::Keep | Resolution::Unknown => return Ok(None),
            _ => {}
        }
        self.pause(Wait::BetweenFields).await?;
        self.last_target = Some(target);
        match resolution {
            Resolution::Type(text) if field.kind == FieldKind::Typeahead => {
                self.browser
                    .type_text(target, text, self.pacing, self.cancel)
                    .await?;
                let want = normalize(text);
                let obs = match self
                    .wait_for(
                        "typeahead suggestions",
                        self.waits.element.min(Duration::from_secs(8)),
                        |o| !o.suggestions.is_empty(),
                    )
                    .await
                {
                    Ok(o) => o,
                    Err(BrowserError::Timeout { .. }) => {
                        return Ok(Some(PendingQuestion::of(field)));
                    }
                    Err(e) => return Err(e),
                };
                let pick = obs
                    .suggestions
                    .iter()
                    .position(|s| normalize(s) == want)
                    .or_else(|| {
                        obs.suggestions
                            .iter()
                            .position(|s| normalize(s).starts_with(&want))
                    });
                match pick {
                    Some(k) => self.click(Target::Suggestion(k as u32)).await?,
                    None => return Ok(Some(PendingQuestion::of(field))),
                }
            }
            Resolution::Type(text) => {
                self.browser
                    .type_text(target, text, self.pacing, self.cancel)
                    .await?
            }
            Resolution::Choose(option) if field.kind == FieldKind::Radio => {
                let k = field
                    .options
                    .iter()
                    .position(|o| o == option)
                    .unwrap_or_default();
                self.click(Target::FieldOption(field.handle, k as u32))
                    .await?;
            }
            Resolution::Choose(option) => {
                if !self.browser.select_option(target, option).await? {
                    return Err(BrowserError::ElementMissing {
                        target: format!("an option of {}", target.css()),
                    });
                }
            }
            Resolution::Check(wanted) => {
                let checked: Vec<String> = field.value.split(", ").map(str::to_owned).collect();
                for (k, option) in field.options.iter().enumerate() {
                    if wanted.contains(option) != checked.contains(option) {
                        self.click(Target::FieldOption(field.handle, k as u32))
                            .await?;
                    }
                }
            }
            Resolution::Follow(follow) => {
                if (field.value == "true") != *follow {
                    self.click(target).await?;
                }
            }
            Resolution::Upload(path) => {
                self.browser.upload(target, path).await?;
                self.wait_for("the uploaded résumé", self.waits.element, |o| {
                    o.modal.as_ref().is_some_and(|m| !m.documents.is_empty())
                })
                .await?;
            }
            Resolution::Keep | Resolution::Unknown => {}
        }
        Ok(None)
    }

    /// One screenshot of the current step, when asked for.
    async fn step_shot(&mut self) {
        let Some((dir, id)) = self.step_shots.clone() else {
            return;
        };
        let n = self.step_shot_paths.len() + 1;
        match self.browser.screenshot().await {
            Ok(png) => {
                match crate::evidence::write_screenshot(&dir, id, &format!("-step-{n}"), &png, None)
                {
                    Ok(path) => self.step_shot_paths.push(path),
                    Err(e) => tracing::warn!(error = %e, "step screenshot not written"),
                }
            }
            Err(e) => tracing::warn!(error = %e, "no step screenshot could be taken"),
        }
    }

    /// Takes the screenshot now, while the modal still shows why the flow stops.
    async fn keep_evidence(&mut self) {
        match self.browser.screenshot().await {
            Ok(png) => {
                let rect = match self.last_target {
                    Some(t) => self.browser.rect(t).await,
                    None => None,
                };
                self.evidence = Some((png, rect));
            }
            Err(e) => tracing::warn!(error = %e, "no screenshot could be taken"),
        }
    }

    /// Closes the modal and discards the application, so nothing half-filled stays.
    /// The outline of the screenshot stays on the element that caused the stop.
    async fn discard(&mut self) -> Result<(), BrowserError> {
        let culprit = self.last_target;
        let result = self.discard_inner().await;
        self.last_target = culprit;
        result
    }

    async fn discard_inner(&mut self) -> Result<(), BrowserError> {
        let obs = self.browser.observe(self.spec_json).await?;
        if obs.modal.as_ref().is_some_and(|m| m.dismiss) {
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
        }
        Ok(())
    }
}
