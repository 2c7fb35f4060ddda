//! An attempt's browser: launched for the application, the driver's run in it (the
//! verification look or the application), closed, and its clean-up started.

use std::time::Instant;

use tokio_util::sync::CancellationToken;

use super::{
    ApplyOptions, Browsed, Engine,
    before::Visit,
    decide::{self, Stop},
    driver::{self, DriveError, Driver, Job, RunOptions},
    lease_calls::Gate,
    outcome::Ended,
    report::Seen,
    shots::Shots,
    teardown::Teardown,
};
use crate::{
    browser::LaunchedBrowser,
    domain::OutcomeStatus,
    session::Session,
    store::{Store, StoreError},
};

impl Engine {
    /// Launches the browser, lets the driver run, closes the browser and starts its
    /// clean-up; how it ended, and the browser's part when one was launched.
    pub(super) async fn in_browser<S: Store>(
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
        launch.language = session.display_language();
        let launch_started = Instant::now();
        let mut browser = match LaunchedBrowser::launch(&launch).await {
            Ok(b) => b,
            Err(e) => return Ok((Ended::Browser(e), None)),
        };
        if let Some(clock) = &options.lease {
            browser.hold_lease(clock.clone());
        }
        browser.hold_pacing(self.pacing.clone());
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
            driver.verify(session, visit.job_url.as_str()).await
        } else {
            let job = Job {
                url: visit.job_url.as_str(),
                profile: &visit.profile,
                files: decide::Files {
                    resume: visit.resume.as_deref(),
                    cover_letter: visit.cover_letter.as_deref(),
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
