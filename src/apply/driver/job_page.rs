//! The pages before the form: the session check, the job page, and the verification
//! look of an interrupted submit (which never clicks anything).

use time::OffsetDateTime;

use super::{DriveError, Driver};
use crate::{
    apply::decide::{self, JobPage, LoginState, Stop},
    browser::BrowserError,
    pacing::Wait,
    page::Observation,
};

impl Driver<'_> {
    /// Opens the site's session page (`session_check_path`), which shows the
    /// logged-in marker; a login wall or a checkpoint ends the run. Then a human
    /// pause, as after any page. Only where the job page cannot tell.
    pub(super) async fn check_session(&mut self) -> Result<Option<Stop>, DriveError> {
        self.record(
            "session",
            "the job page shows no logged-in marker: checking on the session page",
        );
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

    /// The verification look: the job page's applied state, trusted only on a page
    /// that shows the user logged in (a guest view reads "not applied", which would
    /// submit twice); without that proof, the session page first and the job again.
    pub(super) async fn verification(&mut self, job_url: &str) -> Result<Stop, DriveError> {
        let mut stop = self.verification_look(job_url).await?;
        if self.session_validated_at.is_none()
            && !matches!(stop, Stop::SessionExpired | Stop::SessionCheckpoint)
        {
            if let Some(stop) = self.check_session().await? {
                return Ok(stop);
            }
            stop = self.verification_look(job_url).await?;
        }
        self.record("verification", format!("{stop:?}"));
        Ok(stop)
    }

    /// One look at the job's applied state; notes a logged-in page.
    async fn verification_look(&mut self, job_url: &str) -> Result<Stop, DriveError> {
        self.navigate(job_url).await?;
        if let Some(stop) = self.read_language().await? {
            return Ok(stop);
        }
        let obs = match self
            .wait_for("the job's applied state", self.setup.waits.element, |o| {
                decide::verification(o).is_some()
            })
            .await
        {
            Ok(o) => o,
            Err(BrowserError::Timeout { .. }) => return Ok(Stop::VerificationInconclusive),
            Err(e) => return Err(e.into()),
        };
        let (obs, _) = self
            .session_read(obs, |o| decide::verification(o).is_some())
            .await?;
        self.note_logged_in(&obs);
        Ok(decide::verification(&obs).unwrap_or(Stop::VerificationInconclusive))
    }

    /// The job page: a stop, Easy Apply found (then a human pause), or — when the
    /// session was not checked yet and the page shows neither the logged-in marker
    /// nor a wall — `SessionUnknown`: a guest view of a job can look like a decision
    /// ("closed", an external Apply) without a session, so the caller checks the
    /// session on its own page and comes back.
    pub(super) async fn job_page(&mut self, url: &str) -> Result<Landing, DriveError> {
        self.navigate(url).await?;
        if let Some(stop) = self.read_language().await? {
            return Ok(Landing::Stop(stop));
        }
        let element = self.setup.waits.element;
        let mut obs = match self
            .wait_for("the job page's apply button", element, |o| {
                decide::job_page(o) != JobPage::Pending
            })
            .await
        {
            Ok(o) => o,
            Err(BrowserError::Timeout { .. }) => {
                // nothing the site file knows showed in time: structural, like a form
                // that never opens (the drift breaker counts it)
                let seen = self.observe().await?;
                self.record("job page", decide::job_page_wait(seen.job_loaded));
                return Ok(Landing::Stop(Stop::JobPageUnreadable {
                    rendered: seen.job_loaded,
                }));
            }
            Err(e) => return Err(e.into()),
        };
        if self.session_validated_at.is_none() {
            let (read, known) = self
                .session_read(obs, |o| decide::job_page(o) != JobPage::Pending)
                .await?;
            if !known {
                return Ok(Landing::SessionUnknown);
            }
            obs = read;
            self.note_logged_in(&obs);
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

    /// The page's display language, read once on the first page: the site file's
    /// texts of that language are used from here on; a language the file has no texts
    /// for stops the run here, before any click.
    async fn read_language(&mut self) -> Result<Option<Stop>, BrowserError> {
        if self.language.is_some() {
            return Ok(None);
        }
        let obs = self.observe().await?;
        let specs = self.setup.spec_by_language;
        match decide::language(&obs.lang, self.cookie_language.as_deref(), |c| {
            specs.contains_key(c)
        }) {
            decide::LanguageChoice::Use { code, from } => {
                self.record("language", format!("{code} ({from})"));
                if let Some(spec) = specs.get(&code) {
                    self.spec_json = spec;
                }
                self.language = Some(code);
                Ok(None)
            }
            decide::LanguageChoice::Unsupported(code) => {
                self.record(
                    "language",
                    format!("{code}: the site file has no texts for it; nothing is clicked"),
                );
                self.language = Some(code.clone());
                Ok(Some(Stop::UnsupportedLanguage(code)))
            }
        }
    }

    /// Notes the first job page that shows the user logged in (the session's
    /// `validated_at`).
    fn note_logged_in(&mut self, obs: &Observation) {
        if decide::session_state(obs) == LoginState::LoggedIn && self.session_validated_at.is_none()
        {
            self.session_validated_at = Some(OffsetDateTime::now_utc());
            self.record("session", "logged in (read on the job page)");
        }
    }

    /// `obs`, or a later look that also shows the logged-in marker or a wall (and
    /// still `decided`): the navigation bar can come a moment after the top card.
    /// The flag says whether the session's state shows.
    async fn session_read(
        &self,
        obs: Observation,
        decided: impl Fn(&Observation) -> bool,
    ) -> Result<(Observation, bool), BrowserError> {
        if decide::session_state(&obs) != LoginState::Pending {
            return Ok((obs, true));
        }
        match self
            .wait_for("the logged-in marker", MARKER_GRACE, |o| {
                decide::session_state(o) != LoginState::Pending && decided(o)
            })
            .await
        {
            Ok(o) => Ok((o, true)),
            Err(BrowserError::Timeout { .. }) => Ok((obs, false)),
            Err(e) => Err(e),
        }
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
