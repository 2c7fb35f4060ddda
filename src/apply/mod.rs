//! The apply engine: one claimed application, from the stored session to a
//! recorded outcome. Decisions are pure (`decide`), the driver performs them in the
//! browser (`driver`), every ending is classified (`outcome`). The browser is torn
//! down in every path; a screenshot is kept whenever the application did not go in.

pub mod decide;
pub mod driver;
mod ending;
mod engine;
mod lease_calls;
pub mod outcome;
mod report;
pub mod shots;
mod teardown;

pub use self::{
    engine::{EngineError, EngineParts},
    report::AttemptReport,
};

use std::{
    path::{Path, PathBuf},
    time::Instant,
};

use time::OffsetDateTime;
use tokio_util::sync::CancellationToken;

use self::{
    decide::Stop,
    driver::{DriveError, Driver, Job, RunOptions, Waits},
    lease_calls::Gate,
    outcome::Ended,
    report::Seen,
    shots::Shots,
    teardown::Teardown,
};
use crate::{
    browser::{LaunchOptions, LaunchedBrowser},
    domain::{Lease, OutcomeStatus},
    pacing::{NavigationLimiter, Pacing},
    session::{self, CipherEncoding, EncryptedSession, Session, SessionKey},
    site::SiteSpec,
    store::{Application, ProfileRow, Store, StoreError},
};

/// Everything that stays the same from one application to the next.
pub struct Engine {
    /// the site, origin overridden when configured
    pub site: SiteSpec,
    spec_json: String,
    spec_by_language: std::collections::BTreeMap<String, String>,
    pacing: Pacing,
    limiter: NavigationLimiter,
    /// launch settings; `label` and `user_agent` are set per application
    pub launch: LaunchOptions,
    /// where error screenshots go
    pub screenshots_dir: PathBuf,
    /// the only folder résumés are uploaded from
    pub resume_dir: PathBuf,
    /// explicit wait timeouts
    pub waits: Waits,
    session_key: SessionKey,
    session_encoding: CipherEncoding,
    /// keep a screenshot of each confirmed submission too
    pub success_screenshots: bool,
    /// how long LinkedIn's throttle pauses the user
    pub throttle_pause: std::time::Duration,
    /// when the drift breaker opens
    pub drift: crate::store::DriftRule,
}

/// How to run one application.
#[derive(Clone, Default)]
pub struct ApplyOptions {
    /// walk everything, stop before Submit, record nothing (the kill switch still counts)
    pub dry_run: bool,
    /// keep a screenshot of the job page and every form step (`<id>-job-page.png`, `<id>-step-<n>.png`)
    pub step_screenshots: bool,
    /// called with every step as it happens (the replay CLI prints them)
    pub on_step: Option<driver::StepObserver>,
    /// the claim's local deadline: no browser action, no gate, once it runs out
    pub lease: Option<crate::lease::LeaseClock>,
}

impl std::fmt::Debug for ApplyOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApplyOptions")
            .field("dry_run", &self.dry_run)
            .field("step_screenshots", &self.step_screenshots)
            .finish_non_exhaustive()
    }
}

impl Engine {
    /// Runs one claimed application and records its outcome with the store.
    /// Store errors are returned (the lease then expires and the sweeper acts);
    /// everything else ends in a recorded outcome. A dry run needs no claim: it
    /// never reaches the submit gate and records nothing.
    pub async fn apply<S: Store>(
        &self,
        store: &S,
        application: &Application,
        cancel: &CancellationToken,
        options: &ApplyOptions,
    ) -> Result<AttemptReport, StoreError> {
        // a dry run records nothing, whatever lease the row may still carry
        let lease = match (options.dry_run, application.lease()) {
            (true, _) => None,
            (false, Some(lease)) => Some(lease),
            (false, None) => {
                return Err(StoreError::NotClaimed {
                    application: application.id,
                });
            }
        };
        let attempt = self
            .attempt(store, application, lease, cancel, options)
            .await?;
        let settled = self
            .record_ending(store, application, lease, options, &attempt)
            .await?;
        let Attempted { browsed, .. } = attempt;
        let (seen, teardown) = match browsed {
            Some(Browsed { seen, teardown }) => (Some(seen), Some(teardown)),
            None => (None, None),
        };
        // the browser's clean-up, under way while the ending was recorded, ends it
        let teardown = match teardown {
            Some(teardown) => teardown.finish().await,
            None => None,
        };
        Ok(AttemptReport::new(settled, seen, teardown))
    }

    /// The résumé to upload: only a file of the résumé folder ever is; the
    /// application's own (the platform chose it for this job) before the profile's.
    fn resume_for(
        &self,
        application: &Application,
        profile: &ProfileRow,
    ) -> Result<Option<PathBuf>, crate::resume::ResumeError> {
        application
            .resume_path
            .as_deref()
            .or(profile.resume_path.as_deref())
            .map(|path| crate::resume::confine(&self.resume_dir, Path::new(path)))
            .transpose()
    }

    /// Everything before the browser: the profile, the session, the job URL and
    /// the kill switch; then the browser run.
    async fn attempt<S: Store>(
        &self,
        store: &S,
        application: &Application,
        lease: Option<Lease>,
        cancel: &CancellationToken,
        options: &ApplyOptions,
    ) -> Result<Attempted, StoreError> {
        let Some(profile) = store.profile(application.user_id).await? else {
            return Ok(Ended::ProfileMissing.into());
        };
        let resume = match self.resume_for(application, &profile) {
            Ok(resume) => resume,
            Err(e) => return Ok(Ended::ResumeRefused(e).into()),
        };
        let Some(stored) = store
            .session(application.user_id, application.platform)
            .await?
        else {
            return Ok(Ended::SessionMissing.into());
        };
        let sealed = EncryptedSession {
            ciphertext: stored.session_encrypted,
            iv: stored.session_iv,
        };
        let session = match session::open(
            &self.session_key,
            self.session_encoding,
            &sealed,
            &self.site.session.required_cookies,
            OffsetDateTime::now_utc(),
        ) {
            Ok(s) => s,
            Err(e) => return Ok(Ended::Session(e).into()),
        };
        drop(sealed);
        let Some(job_url) = self.job_url(&application.job_url) else {
            return Ok(Ended::InvalidJobUrl.into());
        };
        if cancel.is_cancelled() {
            return Ok(Ended::Cancelled.into());
        }
        // the kill switch: one action per attempt, before the first LinkedIn request
        let reserved = match lease {
            Some(lease) => store.reserve_linkedin_action_for(lease).await?,
            None => store.reserve_linkedin_action().await?,
        };
        if !reserved {
            return Ok(Ended::KillSwitch.into());
        }
        let user_agent = stored.user_agent.or_else(|| session.user_agent.clone());
        let visit = Visit {
            application,
            lease,
            job_url: job_url.as_str(),
            profile: &profile,
            resume,
            resume_named: application.resume_path.is_some(),
            user_agent,
        };
        let (ended, browsed) = self
            .in_browser(store, visit, session, cancel, options)
            .await?;
        Ok(Attempted {
            ended,
            touched_linkedin: true,
            browsed,
        })
    }

    /// Launches the browser, lets the driver run, closes the browser and starts its
    /// clean-up; how it ended, and the browser's part when one was launched.
    async fn in_browser<S: Store>(
        &self,
        store: &S,
        visit: Visit<'_>,
        session: Session,
        cancel: &CancellationToken,
        options: &ApplyOptions,
    ) -> Result<(Ended, Option<Browsed>), StoreError> {
        let application = visit.application;
        let mut launch = self.launch.clone();
        launch.label = application.id.to_string();
        launch.user_agent = visit.user_agent.clone();
        let launch_started = Instant::now();
        let mut browser = match LaunchedBrowser::launch(&launch).await {
            Ok(b) => b,
            Err(e) => return Ok((Ended::Browser(e), None)),
        };
        if let Some(clock) = &options.lease {
            browser.hold_lease(clock.clone());
        }
        let process = (browser.pid(), browser.profile_dir().to_owned());
        let launched_at = Instant::now();
        let launch_took = launched_at - launch_started;
        let (result, drive) = self
            .drive(
                store,
                &browser,
                &visit,
                session,
                (cancel, options),
                launched_at,
            )
            .await;
        let teardown = Teardown::start(browser).await;
        let ended = match result {
            Ok(stop) => Ended::Flow(stop),
            Err(DriveError::Browser(e)) => Ended::Browser(e),
            Err(DriveError::Gate(e)) => {
                teardown.finish().await;
                return Err(e);
            }
        };
        if let Ended::Flow(Stop::Submitted) = ended {
            tracing::info!(
                status = OutcomeStatus::Submitted.as_str(),
                "application submitted"
            );
        }
        let seen = Seen {
            process,
            launch: launch_took,
            drive,
        };
        // closed; cleaned up while `apply` records the outcome
        Ok((ended, Some(Browsed { seen, teardown })))
    }

    /// The driver's run in `browser`: the verification look, or the application.
    async fn drive<S: Store>(
        &self,
        store: &S,
        browser: &LaunchedBrowser,
        visit: &Visit<'_>,
        session: Session,
        (cancel, options): (&CancellationToken, &ApplyOptions),
        launched_at: Instant,
    ) -> (Result<Stop, DriveError>, driver::DriveReport) {
        let application = visit.application;
        let driver = Driver::new(
            browser,
            self.setup(),
            cancel,
            RunOptions {
                dry_run: options.dry_run,
                observer: options.on_step.clone(),
            },
            Shots::new(
                self.screenshots_dir.clone(),
                application.id,
                options.step_screenshots,
            ),
            launched_at,
        );
        if application.verification_pending {
            driver.verify(session, visit.job_url).await
        } else {
            let job = Job {
                url: visit.job_url,
                profile: &visit.profile.profile,
                resume: decide::ResumeChoice {
                    path: visit.resume.as_deref(),
                    named: visit.resume_named,
                },
            };
            let gate = Gate {
                store,
                lease: visit.lease,
                clock: options.lease.as_ref(),
            };
            driver.apply(session, job, &gate).await
        }
    }
}

/// What an attempt did, before its ending is recorded.
struct Attempted {
    ended: Ended,
    /// a LinkedIn action was reserved for it
    touched_linkedin: bool,
    /// its browser, when one was launched
    browsed: Option<Browsed>,
}

impl From<Ended> for Attempted {
    /// An attempt that ended before it reserved a LinkedIn action.
    fn from(ended: Ended) -> Self {
        Self {
            ended,
            touched_linkedin: false,
            browsed: None,
        }
    }
}

/// An attempt's browser, closed: what it showed, and its clean-up under way (the
/// run's last step, [`Teardown::finish`]).
struct Browsed {
    seen: Seen,
    teardown: Teardown,
}

/// One application's run in the browser: what it needs from before the launch.
struct Visit<'a> {
    application: &'a Application,
    /// the résumé, confined to the résumé folder
    resume: Option<PathBuf>,
    /// the application itself names it
    resume_named: bool,
    lease: Option<Lease>,
    job_url: &'a str,
    profile: &'a ProfileRow,
    user_agent: Option<String>,
}
