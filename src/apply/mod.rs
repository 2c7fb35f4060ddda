//! The apply engine: one claimed application, from the stored session to a
//! recorded outcome. Decisions are pure (`decide`), the driver performs them in the
//! browser (`driver`), every ending is classified (`outcome`). The browser is torn
//! down in every path; a screenshot is kept whenever the application did not go in.

pub mod decide;
pub mod driver;
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
    lease_calls::{Gate, record},
    outcome::{Disposition, Ended},
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
        let mut report = AttemptReport::default();
        let ended = self
            .attempt(store, application, lease, cancel, options, &mut report)
            .await?;
        report.kill_switch_closed = matches!(ended, Ended::KillSwitch);
        report.ended = match &ended {
            Ended::Flow(stop) => format!("{stop:?}"),
            other => format!("{other:?}"),
        };
        let mut disposition =
            outcome::disposition(&ended, OffsetDateTime::now_utc(), self.throttle_pause);
        // past the lease's local deadline nothing is recorded under it — but a
        // confirmed submission always is (the store takes it from the same token)
        let expired = options.lease.as_ref().is_some_and(|c| !c.holds());
        if expired && !matches!(ended, Ended::Flow(Stop::Submitted)) {
            tracing::warn!(ended = %report.ended, "the lease ran out on this worker: nothing recorded");
            disposition = Disposition::Nothing;
        }
        if let Disposition::Finish(outcome) = &mut disposition {
            report.annotate(outcome);
        }
        report.recorded = match (&disposition, lease) {
            (_, None) => false,
            (Disposition::Finish(outcome), Some(lease)) => record(store, lease, outcome).await?,
            (Disposition::Release, Some(lease)) => store.release(lease).await?,
            (Disposition::Nothing, Some(_)) => false,
        };
        if !report.recorded && lease.is_some() && !matches!(disposition, Disposition::Nothing) {
            tracing::warn!("the lease was lost before the outcome could be recorded");
        }
        report.disposition = disposition;
        if let (Some(signal), Some(_)) = (outcome::drift_signal(&ended), lease) {
            report.drift = self.record_drift(store, application.user_id, signal).await;
        }
        if let Some(teardown) = report.teardown.take() {
            report.note_teardown(teardown.finish().await);
        }
        Ok(report)
    }

    /// Everything before the browser: the profile, the session, the job URL and
    /// the kill switch; then the browser run.
    /// Counts an ending for the drift breaker; says so loudly when this ending
    /// opened it. A store error is logged: the breaker is a safety net, not a gate.
    async fn record_drift<S: Store>(
        &self,
        store: &S,
        user: crate::domain::UserId,
        structural: Option<&str>,
    ) -> Option<crate::store::DriftStatus> {
        match store.record_drift(user, structural, self.drift).await {
            Ok(status) => {
                // a structural ending that leaves the streak at 0 opened the breaker
                if structural.is_some()
                    && status.streak == 0
                    && status.is_open(OffsetDateTime::now_utc())
                {
                    tracing::error!(
                        reason = structural,
                        open_until = ?status.open_until,
                        "drift breaker opened: structural failures across several users in a row \
                         say LinkedIn's markup changed; every worker stops claiming until then. \
                         Check selectors/linkedin.toml against the page snapshots beside the \
                         screenshots (`autoapply selectors check --html <id>.html`)"
                    );
                }
                Some(status)
            }
            Err(e) => {
                tracing::warn!(error = %e, "the drift breaker could not count this ending");
                None
            }
        }
    }

    async fn attempt<S: Store>(
        &self,
        store: &S,
        application: &Application,
        lease: Option<Lease>,
        cancel: &CancellationToken,
        options: &ApplyOptions,
        report: &mut AttemptReport,
    ) -> Result<Ended, StoreError> {
        let Some(profile) = store.profile(application.user_id).await? else {
            return Ok(Ended::ProfileMissing);
        };
        // only a file of the résumé folder is ever uploaded; the application's own
        // résumé (the platform chose it for this job) before the profile's
        let named = application.resume_path.is_some();
        let resume = match application
            .resume_path
            .as_deref()
            .or(profile.resume_path.as_deref())
        {
            Some(path) => match crate::resume::confine(&self.resume_dir, Path::new(path)) {
                Ok(resolved) => Some(resolved),
                Err(e) => return Ok(Ended::ResumeRefused(e)),
            },
            None => None,
        };
        let Some(stored) = store
            .session(application.user_id, application.platform)
            .await?
        else {
            return Ok(Ended::SessionMissing);
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
            Err(e) => return Ok(Ended::Session(e)),
        };
        drop(sealed);
        let Some(job_url) = self.job_url(&application.job_url) else {
            return Ok(Ended::InvalidJobUrl);
        };
        if cancel.is_cancelled() {
            return Ok(Ended::Cancelled);
        }
        // the kill switch: one action per attempt, before the first LinkedIn request
        let reserved = match lease {
            Some(lease) => store.reserve_linkedin_action_for(lease).await?,
            None => store.reserve_linkedin_action().await?,
        };
        if !reserved {
            return Ok(Ended::KillSwitch);
        }
        report.touched_linkedin = true;
        let user_agent = stored.user_agent.or_else(|| session.user_agent.clone());
        let visit = Visit {
            application,
            lease,
            job_url: job_url.as_str(),
            profile: &profile,
            resume,
            resume_named: named,
            user_agent,
        };
        self.in_browser(store, visit, session, cancel, options, report)
            .await
    }

    /// Launches the browser, lets the driver run, tears the browser down.
    async fn in_browser<S: Store>(
        &self,
        store: &S,
        visit: Visit<'_>,
        session: Session,
        cancel: &CancellationToken,
        options: &ApplyOptions,
        report: &mut AttemptReport,
    ) -> Result<Ended, StoreError> {
        let application = visit.application;
        let mut launch = self.launch.clone();
        launch.label = application.id.to_string();
        launch.user_agent = visit.user_agent;
        let launch_started = Instant::now();
        let mut browser = match LaunchedBrowser::launch(&launch).await {
            Ok(b) => b,
            Err(e) => return Ok(Ended::Browser(e)),
        };
        if let Some(clock) = &options.lease {
            browser.hold_lease(clock.clone());
        }
        report.browser = Some((browser.pid(), browser.profile_dir().to_owned()));
        let launched_at = Instant::now();
        report
            .phases
            .push(("browser_launch", launched_at - launch_started));
        let driver = Driver::new(
            &browser,
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
        let drive = if application.verification_pending {
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
        };
        let result = report.take_drive(drive);
        let teardown = Teardown::start(browser).await;
        let ended = match result {
            Ok(stop) => Ended::Flow(stop),
            Err(DriveError::Browser(e)) => Ended::Browser(e),
            Err(DriveError::Gate(e)) => {
                report.note_teardown(teardown.finish().await);
                return Err(e);
            }
        };
        // closed; cleaned up while `apply` records the outcome
        report.teardown = Some(teardown);
        if let Ended::Flow(Stop::Submitted) = ended {
            tracing::info!(
                status = OutcomeStatus::Submitted.as_str(),
                "application submitted"
            );
        }
        Ok(ended)
    }
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
