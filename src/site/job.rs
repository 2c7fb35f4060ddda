//! Job URLs from the site file's `job_path`: built, read, and moved onto a
//! replica's origin.

use super::{JOB_ID, SiteSpec, is_linkedin_host};

impl SiteSpec {
    /// The page of job `id` on this spec's origin.
    pub fn job_url(&self, id: &str) -> Option<url::Url> {
        self.origin.join(&self.job_path.replace(JOB_ID, id)).ok()
    }

    /// The job id in `input`: a bare id, or a URL on a LinkedIn host whose path is
    /// the job path (`/jobs/view/<id>/`, the trailing slash optional).
    pub fn job_id(&self, input: &str) -> Option<String> {
        let input = input.trim();
        let id = if input.chars().all(|c| c.is_ascii_digit()) {
            input.to_owned()
        } else {
            let url = url::Url::parse(input).ok()?;
            if !is_linkedin_host(url.host_str()?) {
                return None;
            }
            self.id_in_path(url.path())?
        };
        (!id.is_empty() && id.len() <= 30 && id.chars().all(|c| c.is_ascii_digit())).then_some(id)
    }

    fn id_in_path(&self, path: &str) -> Option<String> {
        let (before, after) = self.job_path.split_once(JOB_ID)?;
        let rest = path.strip_prefix(before)?;
        let after = after.trim_end_matches('/');
        let rest = rest.trim_end_matches('/');
        let id = rest.strip_suffix(after)?;
        Some(id.to_owned())
    }

    /// A stored job URL on this spec's origin: unchanged when it is on the origin
    /// already; a LinkedIn job page moved to the origin (a replica); anything else
    /// refused.
    pub fn job_url_on_origin(&self, job_url: &str) -> Option<url::Url> {
        let mut url = url::Url::parse(job_url).ok()?;
        let host = url.host_str()?.to_owned();
        let origin = &self.origin;
        if host == origin.host_str()?
            && url.port_or_known_default() == origin.port_or_known_default()
        {
            return Some(url);
        }
        let (jobs_prefix, _) = self.job_path.split_once(JOB_ID)?;
        let jobs_root = jobs_prefix.trim_end_matches('/');
        let jobs_root = &jobs_root[..jobs_root.rfind('/').unwrap_or(0) + 1];
        if !is_linkedin_host(&host) || !url.path().starts_with(jobs_root) {
            return None;
        }
        url.set_scheme(origin.scheme()).ok()?;
        url.set_host(origin.host_str()).ok()?;
        url.set_port(origin.port()).ok()?;
        Some(url)
    }
}
