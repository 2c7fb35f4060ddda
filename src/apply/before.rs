//! Everything an attempt needs before its browser, in order: the profile, the
//! résumé (confined to its folder), the session (opened; the decrypted bytes stay in
//! `session`), the job URL on the site's origin and the kill switch's reservation —
//! or the ending that stops the attempt first.

use std::path::{Path, PathBuf};

use time::OffsetDateTime;
use tokio_util::sync::CancellationToken;

use super::{Engine, outcome::Ended};
use crate::{
    domain::{ApplicantProfile, Lease},
    session::{self, EncryptedSession, Session},
    store::{Application, ProfileRow, Store, StoreError},
};

impl Engine {
    /// Everything before the browser: the profile, the résumé, the session, the job
    /// URL and the kill switch's reservation; what the browser run needs, or the
    /// ending that came first.
    pub(super) async fn before_browser<'a, S: Store>(
        &self,
        store: &S,
        application: &'a Application,
        lease: Option<Lease>,
        cancel: &CancellationToken,
    ) -> Result<Result<(Visit<'a>, Session), Ended>, StoreError> {
        let Some(row) = store.profile(application.user_id).await? else {
            return Ok(Err(Ended::ProfileMissing));
        };
        let profile = match row.profile.clone() {
            Ok(profile) => profile,
            Err(e) => return Ok(Err(Ended::ProfileInvalid(e))),
        };
        let resume = match self.resume_for(application, &row) {
            Ok(resume) => resume,
            Err(e) => return Ok(Err(Ended::ResumeRefused(e))),
        };
        // the cover letter's file is confined like the résumé
        let cover_letter = match profile
            .cover_letter
            .as_ref()
            .and_then(|c| c.file.as_deref())
            .map(|path| crate::resume::confine(&self.resume_dir, Path::new(path)))
            .transpose()
        {
            Ok(file) => file,
            Err(e) => return Ok(Err(Ended::ResumeRefused(e))),
        };
        let Some(stored) = store
            .session(application.user_id, application.platform)
            .await?
        else {
            return Ok(Err(Ended::SessionMissing));
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
            Err(e) => return Ok(Err(Ended::Session(e))),
        };
        drop(sealed);
        let Some(job_url) = self.job_url(&application.job_url) else {
            return Ok(Err(Ended::InvalidJobUrl));
        };
        if cancel.is_cancelled() {
            return Ok(Err(Ended::Cancelled));
        }
        // the kill switch: one action per attempt, before the first LinkedIn request
        let reserved = match lease {
            Some(lease) => store.reserve_linkedin_action_for(lease).await?,
            None => store.reserve_linkedin_action().await?,
        };
        if !reserved {
            return Ok(Err(Ended::KillSwitch));
        }
        let user_agent = stored.user_agent.or_else(|| session.user_agent.clone());
        let visit = Visit {
            application,
            lease,
            job_url,
            profile,
            resume,
            cover_letter,
            user_agent,
        };
        Ok(Ok((visit, session)))
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
}

/// One application's run in the browser: what it needs from before the launch.
pub(super) struct Visit<'a> {
    pub(super) application: &'a Application,
    /// the résumé, confined to the résumé folder
    pub(super) resume: Option<PathBuf>,
    /// the profile's cover letter file, confined to the résumé folder
    pub(super) cover_letter: Option<PathBuf>,
    /// the claim's lease (none in a dry run)
    pub(super) lease: Option<Lease>,
    /// the job page on the site's origin
    pub(super) job_url: url::Url,
    /// the user's profile, read
    pub(super) profile: ApplicantProfile,
    /// the browser's user agent: the stored session's, else its export's
    pub(super) user_agent: Option<String>,
}
