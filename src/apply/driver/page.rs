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
    /// Opens the page that shows the logged-in marker; a login wall or a checkpoint
    /// ends the run. Then a human pause, as after any page.
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
        self.phase("cookies_and_session_check");
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

    /// The job page: a stop, or Easy Apply found (then a human pause).
    pub(super) async fn job_page(&mut self, url: &str) -> Result<Option<Stop>, DriveError> {
        self.navigate(url).await?;
        let element = self.setup.waits.element;
        let decision = match self
            .wait_for("the job page's apply button", element, |o| {
                decide::job_page(o) != JobPage::Pending
            })
            .await
        {
            Ok(o) => decide::job_page(&o),
            Err(BrowserError::Timeout { after_ms, .. }) => {
                let seen = self.observe().await?;
                self.unrecognised_page = true;
                let action = decide::job_page_wait(seen.job_loaded);
                return Err(BrowserError::Timeout { action, after_ms }.into());
            }
            Err(e) => return Err(e.into()),
        };
        match decision {
            JobPage::Stop(stop) => return Ok(Some(stop)),
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
        Ok(None)
    }
}
