//! The driver: performs the flow's decisions in the browser, one step at a time,
//! with human pacing and explicit waits. It is built with everything one run needs
//! ([`Driver::new`]) and returns how the flow ended with one [`DriveReport`]: the
//! steps, the phases' timings, the screenshots (written by [`Shots`]) and when
//! LinkedIn showed the user logged in. Every decision it performs comes from `decide`.
//!
//! `form.rs` walks the Easy Apply form; `fill.rs` fills one field.

mod fill;
mod form;
mod job_page;
mod submit;

use self::job_page::Landing;

use std::{
    path::PathBuf,
    time::{Duration, Instant},
};

use time::OffsetDateTime;
use tokio_util::sync::CancellationToken;

use super::{
    decide::{self, Stop},
    shots::Shots,
};
use crate::{
    browser::{BrowserError, LaunchedBrowser},
    domain::ApplicantProfile,
    pacing::{NavigationLimiter, Pacing, Wait},
    page::{Observation, Target},
    session::Session,
    site::SiteSpec,
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

/// What stays the same from one application to the next (the engine's).
#[derive(Clone, Copy)]
pub struct Setup<'a> {
    /// the site (its origin may be a replica's)
    pub site: &'a SiteSpec,
    /// the site spec as JSON for observe.js
    pub spec_json: &'a str,
    /// the site spec per display language (`en`, `fr`, …), as JSON for observe.js
    pub spec_by_language: &'a std::collections::BTreeMap<String, String>,
    /// human waits
    pub pacing: &'a Pacing,
    /// LinkedIn navigations per minute
    pub limiter: &'a NavigationLimiter,
    /// explicit wait timeouts
    pub waits: Waits,
    /// keep a screenshot of a confirmed submission too
    pub success_screenshots: bool,
}

/// How this run goes.
#[derive(Clone, Default)]
pub struct RunOptions {
    /// stop before Submit
    pub dry_run: bool,
    /// told of every step as it happens
    pub observer: Option<StepObserver>,
}

/// The job to apply to.
#[derive(Clone, Copy)]
pub struct Job<'a> {
    /// its page on the site's origin
    pub url: &'a str,
    /// the applicant's answers
    pub profile: &'a ApplicantProfile,
    /// the files the user gave (résumé, cover letter)
    pub files: decide::Files<'a>,
}

/// Everything one run of the driver did, beside how it ended.
#[derive(Debug, Default)]
pub struct DriveReport {
    /// the steps as they happened
    pub steps: Vec<StepRecord>,
    /// how long each phase took (`cookies`, `session_check` when needed, `job_page`,
    /// `form_steps`, `submit_and_confirmation`): the benchmark's figures
    pub phases: Vec<(&'static str, Duration)>,
    /// the time on a person's input, across the phases
    pub input: crate::pacing::InputTime,
    /// the run's screenshot, when its ending keeps one
    pub screenshot: Option<PathBuf>,
    /// one screenshot per step, when asked for
    pub step_screenshots: Vec<PathBuf>,
    /// the sanitized page snapshot of a structural failure (drift evidence)
    pub snapshot: Option<PathBuf>,
    /// when LinkedIn showed the user logged in (`platform_sessions.validated_at`)
    pub session_validated_at: Option<OffsetDateTime>,
    /// what was sent, once Submit was clicked
    pub receipt: Option<decide::Receipt>,
    /// the page's display language, once read
    pub language: Option<String>,
}

/// One run in one browser.
pub struct Driver<'a> {
    browser: &'a LaunchedBrowser,
    setup: Setup<'a>,
    cancel: &'a CancellationToken,
    options: RunOptions,
    shots: Shots,
    /// the element being acted on, for the screenshot's outline
    last_target: Option<Target>,
    steps: Vec<StepRecord>,
    phases: Vec<(&'static str, Duration)>,
    phase_started: Instant,
    session_validated_at: Option<OffsetDateTime>,
    /// what is being sent (kept once Submit is clicked)
    receipt: decide::Receipt,
    /// the résumé card LinkedIn last showed selected
    selected_document: Option<String>,
    submit_clicked: bool,
    /// the spec of the page's display language (English until the first page told)
    spec_json: &'a str,
    /// the page's display language, once read
    language: Option<String>,
    /// the session's `lang` cookie (where the page does not say)
    cookie_language: Option<String>,
    /// time spent in a person's pauses between actions
    waited: crate::pacing::Tally,
}

/// Whether an ending says LinkedIn's markup moved away from the site file (the one
/// definition, `outcome::structural_reason`).
fn is_drift(result: &Result<Stop, DriveError>) -> bool {
    match result {
        Ok(stop) => super::outcome::structural_reason(Ok(stop)),
        Err(DriveError::Browser(e)) => super::outcome::structural_reason(Err(e)),
        Err(DriveError::Gate(_)) => None,
    }
    .is_some()
}

impl<'a> Driver<'a> {
    /// A driver for one run; `launched_at` starts the first phase's clock.
    pub fn new(
        browser: &'a LaunchedBrowser,
        setup: Setup<'a>,
        cancel: &'a CancellationToken,
        options: RunOptions,
        shots: Shots,
        launched_at: Instant,
    ) -> Self {
        Self {
            browser,
            setup,
            cancel,
            options,
            shots,
            last_target: None,
            steps: Vec::new(),
            phases: Vec::new(),
            phase_started: launched_at,
            session_validated_at: None,
            receipt: decide::Receipt::default(),
            selected_document: None,
            submit_clicked: false,
            spec_json: setup.spec_json,
            language: None,
            cookie_language: None,
            waited: crate::pacing::Tally::default(),
        }
    }

    /// Injects the session's cookies (dropping the decrypted session right after),
    /// checks the session, and applies to the job.
    pub async fn apply(
        mut self,
        session: Session,
        job: Job<'_>,
        gate: &impl SubmitGate,
    ) -> (Result<Stop, DriveError>, DriveReport) {
        let result = match self.inject(session).await {
            Ok(()) => self.flow(job, gate).await,
            Err(e) => Err(e.into()),
        };
        self.report(result).await
    }

    /// A verification run: is the application of an interrupted submit on LinkedIn?
    /// Opens the job page with the user's session and reads its applied state;
    /// never clicks anything.
    pub async fn verify(
        mut self,
        session: Session,
        job_url: &str,
    ) -> (Result<Stop, DriveError>, DriveReport) {
        let result = match self.inject(session).await {
            Ok(()) => self.verification(job_url).await,
            Err(e) => Err(e.into()),
        };
        self.report(result).await
    }

    async fn inject(&mut self, session: Session) -> Result<(), BrowserError> {
        let site = self.setup.site;
        self.cookie_language = session.display_language();
        let injected = self
            .browser
            .set_cookies(&session, &site.origin, !site.targets_linkedin())
            .await;
        // the decrypted cookies are not needed any more: wiped now
        drop(session);
        injected
    }

    /// The screenshot the ending calls for, and everything else as one report.
    async fn report(
        self,
        result: Result<Stop, DriveError>,
    ) -> (Result<Stop, DriveError>, DriveReport) {
        let stop = result.as_ref().ok();
        let cancelled = matches!(result, Err(DriveError::Browser(BrowserError::Cancelled)));
        let suffix = match &result {
            Err(DriveError::Gate(_)) => None,
            _ => decide::screenshot_suffix(stop, cancelled, self.setup.success_screenshots),
        };
        let snapshot = if is_drift(&result) {
            self.shots.snapshot(self.browser).await
        } else {
            None
        };
        let (screenshot, step_screenshots) = self
            .shots
            .finish(self.browser, self.last_target, suffix)
            .await;
        let keep_receipt = self.submit_clicked || matches!(result, Ok(Stop::DryRunComplete));
        let report = DriveReport {
            steps: self.steps,
            phases: self.phases,
            screenshot,
            step_screenshots,
            snapshot,
            session_validated_at: self.session_validated_at,
            // a dry run keeps what it would have sent, for replay to show
            receipt: keep_receipt.then_some(self.receipt),
            language: self.language,
            input: {
                let (moving, typing) = self.browser.input_spent();
                let waiting = self.waited.get();
                crate::pacing::InputTime {
                    moving,
                    typing,
                    waiting,
                }
            },
        };
        (result, report)
    }

    /// The flow for one job page: the job page (which tells whether the session
    /// holds; the session page only when it cannot), entry, form.
    async fn flow(&mut self, job: Job<'_>, gate: &impl SubmitGate) -> Result<Stop, DriveError> {
        self.phase("cookies");
        match self.job_page(job.url).await? {
            Landing::Stop(stop) => return Ok(stop),
            Landing::EasyApply => {}
            Landing::SessionUnknown => {
                if let Some(stop) = self.check_session().await? {
                    return Ok(stop);
                }
                match self.job_page(job.url).await? {
                    Landing::Stop(stop) => return Ok(stop),
                    Landing::EasyApply | Landing::SessionUnknown => {}
                }
            }
        }
        let obs = match self.open_form().await? {
            Ok(obs) => obs,
            Err(stop) => return Ok(stop),
        };
        self.form(obs, job, gate).await
    }

    fn record(&mut self, step: &str, detail: impl Into<String>) {
        let detail = detail.into();
        tracing::info!(step, detail = %detail, "step");
        let record = StepRecord {
            step: step.into(),
            detail,
        };
        if let Some(observer) = &self.options.observer {
            observer(&record);
        }
        self.steps.push(record);
    }

    /// Ends the current phase under `name`.
    fn phase(&mut self, name: &'static str) {
        let now = Instant::now();
        self.phases.push((name, now - self.phase_started));
        self.phase_started = now;
    }

    /// A person's pause; cut short by a cancellation, or by the browser ending
    /// meanwhile (read as its crash, so it is collected at once).
    async fn pause(&self, wait: Wait) -> Result<(), BrowserError> {
        let _waiting = self.waited.timing();
        tokio::select! {
            paused = self.setup.pacing.pause(wait, self.cancel) => {
                paused.map_err(|_| BrowserError::Cancelled)
            }
            () = self.browser.ended() => Err(BrowserError::Crashed { action: "pause" }),
        }
    }

    async fn navigate(&mut self, url: &str) -> Result<(), BrowserError> {
        self.setup
            .limiter
            .until_ready(self.cancel)
            .await
            .map_err(|_| BrowserError::Cancelled)?;
        self.browser.goto(url, self.cancel).await
    }

    async fn observe(&self) -> Result<Observation, BrowserError> {
        self.browser.observe(self.spec_json).await
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
}
