//! The pages before the form: the session check, the job page, and the verification
//! look of an interrupted submit (which never clicks anything).

use time::OffsetDateTime;

use super::{DriveError, Driver};
use crate::{
    apply::decide::{self, JobPage, LoginState, Stop},
    browser::BrowserError,
    pacing::Wait,
};

impl Driver<'_> {
    /// Opens the site's session page (`session_check_path`), which shows the
    /// logged-in marker; a login wall or a checkpoint ends the run. Then a human
    /// pause, as after any page. Only where the job page cannot tell.
    pub(super) async fn check_session(&mut self) -> Result<Option<Stop>, DriveError> {
        let site = self.setup.site;
        let check = site
            .origin
            .join(&site.session_check_path)
            .map_or_else(|_| site.origin.to_string(), |u| u.to_string());
        self.navigate(&check).await?;
        let obs = self
            .wait_for("the logged-in marker", self.setup.waits.element, |o| {
                decide::session_state(o) != LoginState::Pending
            })
            .await?;
        match decide::session_state(&obs) {
            LoginState::Expired => return Ok(Some(Stop::SessionExpired)),
            LoginState::Checkpoint => return Ok(Some(Stop::SessionCheckpoint)),
            LoginState::LoggedIn => {
                self.session_validated_at = Some(OffsetDateTime::now_utc());
                self.record("session", "logged in");
            }
            LoginState::Pending => self.record("session", "logged in"),
        }
        self.phase("session_check");
        self.pause(Wait::PageLoad).await?;
        Ok(None)
    }

    pub(super) async fn verification(&mut self, job_url: &str) -> Result<Stop, DriveError> {
        if let Some(stop) = self.check_session().await? {
            return Ok(stop);
        }
        self.navigate(job_url).await?;
        let stop = match self
            .wait_for("the job's applied state", self.setup.waits.element, |o| {
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

    /// The job page: a stop, Easy Apply found (then a human pause), or — when the
    /// session was not checked yet and the page shows neither the logged-in marker
    /// nor a wall — `SessionUnknown`: a guest view of a job can look like a decision
    /// ("closed", an external Apply) without a session, so the caller checks the
    /// session on its own page and comes back.
    pub(super) async fn job_page(&mut self, url: &str) -> Result<Landing, DriveError> {
        self.navigate(url).await?;
        let element = self.setup.waits.element;
        let mut obs = match self
            .wait_for("the job page's apply button", element, |o| {
                decide::job_page(o) != JobPage::Pending
            })
            .await
        {
            Ok(o) => o,
            Err(BrowserError::Timeout { after_ms, .. }) => {
                let seen = self.observe().await?;
                self.unrecognised_page = true;
                let action = decide::job_page_wait(seen.job_loaded);
                return Err(BrowserError::Timeout { action, after_ms }.into());
            }
            Err(e) => return Err(e.into()),
        };
        if self.session_validated_at.is_none() {
            if decide::session_state(&obs) == LoginState::Pending {
                // the navigation bar can come a moment after the top card
                obs = match self
                    .wait_for("the logged-in marker", MARKER_GRACE, |o| {
                        decide::session_state(o) != LoginState::Pending
                    })
                    .await
                {
                    Ok(o) => o,
                    Err(BrowserError::Timeout { .. }) => return Ok(Landing::SessionUnknown),
                    Err(e) => return Err(e.into()),
                };
            }
            if decide::session_state(&obs) == LoginState::LoggedIn {
                self.session_validated_at = Some(OffsetDateTime::now_utc());
                self.record("session", "logged in (read on the job page)");
            }
        }
        match decide::job_page(&obs) {
            JobPage::Stop(stop) => return Ok(Landing::Stop(stop)),
            JobPage::Pending => {
                return Err(BrowserError::Timeout {
                    action: "the job page".into(),
                    after_ms: element.as_millis() as u64,
                }
                .into());
            }
            JobPage::OpenEasyApply => {
                self.record("job page", "Easy Apply found");
                self.phase("job_page");
                self.shots.job_page(self.browser).await;
            }
        }
        self.pause(Wait::PageLoad).await?;
        Ok(Landing::EasyApply)
    }
}

/// How long the job page is given to show the logged-in marker once it decided.
const MARKER_GRACE: std::time::Duration = std::time::Duration::from_millis(1_500);

/// What the job page told.
#[derive(Debug)]
pub(super) enum Landing {
    /// stop here
    Stop(Stop),
    /// Easy Apply is there, the session holds
    EasyApply,
    /// the page cannot tell whether the session holds
    SessionUnknown,
}
