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

    /// A stored job URL as the page to open: a job page (the job path with a numeric
    /// id) on this spec's origin, or on a LinkedIn host over https (moved to the origin,
    /// e.g. a replica's), rebuilt from its id, so no other path, scheme, port, user or
    /// query of the stored text reaches the browser. Anything else is refused.
    pub fn job_url_on_origin(&self, job_url: &str) -> Option<url::Url> {
        let url = url::Url::parse(job_url.trim()).ok()?;
        let host = url.host_str()?;
        let origin = &self.origin;
        let on_origin = host == origin.host_str()?
            && url.scheme() == origin.scheme()
            && url.port_or_known_default() == origin.port_or_known_default();
        let on_linkedin = is_linkedin_host(host) && url.scheme() == "https" && url.port().is_none();
        if !on_origin && !on_linkedin {
            return None;
        }
        let id = self.id_in_path(url.path())?;
        if id.is_empty() || id.len() > 30 || !id.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        self.job_url(&id)
    }
}
