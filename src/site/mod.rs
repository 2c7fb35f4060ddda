//! Site knowledge as data: `selectors/<site>.toml` loaded into a [`SiteSpec`] and
//! validated at start-up. A broken file fails with the file, the key and the reason.
//! [`check`] reports which keys match a saved page.

mod aria;
pub mod check;
mod job;
pub mod language;
pub mod locator;
pub mod source;
mod spec;
pub mod text;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use self::{source::SelectorSource, spec::*};

/// Why a selector file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SiteError {
    /// The file could not be read.
    #[error("{file}: cannot read: {source}")]
    Read {
        /// the file
        file: PathBuf,
        /// the I/O error
        source: std::io::Error,
    },
    /// The file is not valid TOML, misses a key or has an unknown one.
    #[error("{file}: {message}")]
    Parse {
        /// the file
        file: PathBuf,
        /// toml's message, which names the key and the line
        message: String,
    },
    /// A key has a value that cannot work.
    #[error("{file}: key `{key}`: {reason}")]
    Invalid {
        /// the file
        file: PathBuf,
        /// the dotted key
        key: String,
        /// what is wrong
        reason: String,
    },
}

/// One site's knowledge.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteSpec {
    /// version of the file
    pub version: u32,
    /// site name, e.g. `linkedin`
    pub name: String,
    /// the site's origin, e.g. `https://www.linkedin.com`
    pub origin: url::Url,
    /// the page that shows the logged-in marker
    pub session_check_path: String,
    /// a job's page, `{id}` standing for the job id (e.g. `/jobs/view/{id}/`)
    pub job_path: String,
    /// session requirements
    pub session: SessionSpec,
    /// logged in or not
    pub session_markers: SessionMarkers,
    /// the job page
    pub job: JobSpec,
    /// the Easy Apply modal
    pub modal: ModalSpec,
    /// the form's fields
    pub fields: FieldsSpec,
    /// after Submit
    pub outcome: OutcomeSpec,
    /// the phrases of each display language (`language`)
    #[serde(default)]
    pub languages: std::collections::BTreeMap<String, language::Phrases>,
    /// the display language this spec's entries were expanded for
    #[serde(skip)]
    pub language: String,
    /// the file as written (placeholders kept), for the other languages
    #[serde(skip)]
    raw: Option<(PathBuf, toml::Value)>,
}

impl SiteSpec {
    /// Every selector key with its dotted name, in file order.
    pub fn selector_keys(&self) -> Vec<(&'static str, &Selectors)> {
        let (m, j, d, f, o) = (
            &self.session_markers,
            &self.job,
            &self.modal,
            &self.fields,
            &self.outcome,
        );
        vec![
            ("session_markers.logged_in", &m.logged_in),
            ("session_markers.captcha", &m.captcha),
            ("job.loaded", &j.loaded),
            ("job.easy_apply", &j.easy_apply),
            ("job.external_apply", &j.external_apply),
            ("job.already_applied", &j.already_applied),
            ("job.closed", &j.closed),
            ("job.safety_reminder_continue", &j.safety_reminder_continue),
            (
                "job.qualifications_notice_continue",
                &j.qualifications_notice_continue,
            ),
            ("job.free_text", &j.free_text),
            ("modal.root", &d.root),
            ("modal.form", &d.form),
            ("modal.next", &d.next),
            ("modal.review", &d.review),
            ("modal.submit", &d.submit),
            ("modal.dismiss", &d.dismiss),
            ("modal.discard", &d.discard),
            ("modal.inline_errors", &d.inline_errors),
            ("fields.containers", &f.containers),
            ("fields.labels", &f.labels),
            ("fields.text", &f.text),
            ("fields.textarea", &f.textarea),
            ("fields.select", &f.select),
            ("fields.radio_group", &f.radio_group),
            ("fields.radio_inputs", &f.radio_inputs),
            ("fields.checkbox_group", &f.checkbox_group),
            ("fields.checkbox_inputs", &f.checkbox_inputs),
            ("fields.date", &f.date),
            ("fields.typeahead", &f.typeahead),
            ("fields.typeahead_suggestions", &f.typeahead_suggestions),
            ("fields.file", &f.file),
            ("fields.uploaded_documents", &f.uploaded_documents),
            ("fields.selected_document", &f.selected_document),
            ("fields.follow_company", &f.follow_company),
            ("fields.question_blocks", &f.question_blocks),
            ("fields.document_cards", &f.document_cards),
            ("outcome.signal_areas", &o.signal_areas),
            ("outcome.confirmation", &o.confirmation),
            ("outcome.after_submit_dismiss", &o.after_submit_dismiss),
        ]
    }

    /// Every text key with its dotted name.
    pub fn text_keys(&self) -> Vec<(&'static str, &Texts)> {
        vec![
            (
                "session_markers.login_url_fragments",
                &self.session_markers.login_url_fragments,
            ),
            (
                "session_markers.checkpoint_url_fragments",
                &self.session_markers.checkpoint_url_fragments,
            ),
            ("job.already_applied_texts", &self.job.already_applied_texts),
            ("job.closed_texts", &self.job.closed_texts),
            ("job.safety_reminder_texts", &self.job.safety_reminder_texts),
            (
                "job.qualifications_notice_texts",
                &self.job.qualifications_notice_texts,
            ),
            (
                "fields.select_placeholder_texts",
                &self.fields.select_placeholder_texts,
            ),
            (
                "fields.follow_company_texts",
                &self.fields.follow_company_texts,
            ),
            ("fields.whole_number_texts", &self.fields.whole_number_texts),
            (
                "outcome.confirmation_texts",
                &self.outcome.confirmation_texts,
            ),
            ("outcome.daily_limit_texts", &self.outcome.daily_limit_texts),
            ("outcome.throttle_texts", &self.outcome.throttle_texts),
            (
                "outcome.confirmation_url_fragments",
                &self.outcome.confirmation_url_fragments,
            ),
        ]
    }

    /// Parses and validates the text of `file`: in English, and in every language
    /// it has a table for (a start-up check of them all).
    pub fn parse(file: &Path, text: &str) -> Result<Self, SiteError> {
        let parse_error = |e: toml::de::Error| SiteError::Parse {
            file: file.to_owned(),
            message: e.to_string().trim().replace('\n', " "),
        };
        let raw: toml::Value = toml::from_str(text).map_err(parse_error)?;
        let spec = Self::expanded(file, &raw, language::BASE)?;
        for code in spec.languages.keys() {
            if language::primary(code).as_deref() != Some(code.as_str()) {
                return Err(SiteError::Invalid {
                    file: file.to_owned(),
                    key: format!("languages.{code}"),
                    reason: "a language is named by its primary subtag, lower case (fr, de, pt)"
                        .into(),
                });
            }
            Self::expanded(file, &raw, code)?;
        }
        Ok(spec)
    }

    pub(super) fn validate(&self, file: &Path) -> Result<(), SiteError> {
        let invalid = |key: &str, reason: String| SiteError::Invalid {
            file: file.to_owned(),
            key: key.to_owned(),
            reason,
        };
        if self.session.required_cookies.is_empty()
            || self
                .session
                .required_cookies
                .iter()
                .any(|c| c.trim().is_empty())
        {
            return Err(invalid(
                "session.required_cookies",
                "must name at least one cookie, none empty".into(),
            ));
        }
        if !matches!(self.origin.scheme(), "http" | "https") || self.origin.host().is_none() {
            return Err(invalid("origin", "must be an http(s) origin".into()));
        }
        if !is_path_on(&self.origin, &self.session_check_path) {
            return Err(invalid(
                "session_check_path",
                "must be a path on the origin, like /feed/ (not //host/ or a URL)".into(),
            ));
        }
        if !is_path_on(&self.origin, &self.job_path.replace(JOB_ID, "1"))
            || self.job_path.matches(JOB_ID).count() != 1
        {
            return Err(invalid(
                "job_path",
                format!("must start with / and hold {JOB_ID} once"),
            ));
        }
        for (key, selectors) in self.selector_keys() {
            if selectors.0.is_empty() {
                return Err(invalid(key, "the fallback list is empty".into()));
            }
            for (i, entry) in selectors.0.iter().enumerate() {
                if let Err(reason) = locator::parse(entry) {
                    return Err(invalid(
                        key,
                        format!("entry {} `{entry}` is not valid: {reason}", i + 1),
                    ));
                }
            }
        }
        for (key, texts) in self.text_keys() {
            if texts.0.is_empty()
                || texts
                    .0
                    .iter()
                    .any(|t| t.trim().is_empty() || t.trim() == "*")
            {
                return Err(invalid(
                    key,
                    "needs at least one phrase, none empty or only `*`".into(),
                ));
            }
        }
        Ok(())
    }

    /// Loads `<dir>/<name>.toml`.
    pub fn load(dir: &Path, name: &str) -> Result<Self, SiteError> {
        let file = dir.join(format!("{name}.toml"));
        let text = std::fs::read_to_string(&file).map_err(|source| SiteError::Read {
            file: file.clone(),
            source,
        })?;
        Self::parse(&file, &text)
    }

    /// Loads and validates every `*.toml` in `dir` (start-up check).
    pub fn load_all(dir: &Path) -> Result<Vec<Self>, SiteError> {
        let entries = std::fs::read_dir(dir).map_err(|source| SiteError::Read {
            file: dir.to_owned(),
            source,
        })?;
        let mut files: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        files.sort();
        files
            .iter()
            .map(|file| {
                let text = std::fs::read_to_string(file).map_err(|source| SiteError::Read {
                    file: file.clone(),
                    source,
                })?;
                Self::parse(file, &text)
            })
            .collect()
    }

    /// This spec with its origin replaced (drives a local replica).
    pub fn with_origin(mut self, origin: url::Url) -> Self {
        self.origin = origin;
        self
    }

    /// Whether the spec points at the real LinkedIn.
    pub fn targets_linkedin(&self) -> bool {
        is_linkedin_host(self.origin.host_str().unwrap_or_default())
    }
}

/// Whether `path` is a plain path that stays on `origin` (not `//host/`, not a URL,
/// no backslash browsers read as a slash).
fn is_path_on(origin: &url::Url, path: &str) -> bool {
    path.starts_with('/')
        && !path.starts_with("//")
        && !path.contains('\\')
        && !path.chars().any(char::is_whitespace)
        && origin
            .join(path)
            .is_ok_and(|u| u.host_str() == origin.host_str() && u.scheme() == origin.scheme())
}

/// What stands for the job id in `job_path`.
const JOB_ID: &str = "{id}";

/// True for `linkedin.com` and its subdomains.
pub fn is_linkedin_host(host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    host == "linkedin.com" || host.ends_with(".linkedin.com")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shipped() -> String {
        std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("selectors/linkedin.toml"),
        )
        .unwrap()
    }

    #[test]
    fn the_shipped_file_loads() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("selectors");
        let spec = SiteSpec::load(&dir, "linkedin").unwrap();
        assert_eq!(spec.session.required_cookies, ["li_at"]);
        assert!(spec.targets_linkedin());
        assert!(
            spec.job
                .easy_apply
                .0
                .iter()
                .any(|s| s.contains("openSDUIApplyFlow"))
        );
        assert_eq!(SiteSpec::load_all(&dir).unwrap().len(), 1);
    }

    #[test]
    fn job_urls_are_built_read_and_moved_to_a_replica_by_the_site_file() {
        let spec = SiteSpec::parse(Path::new("linkedin.toml"), &shipped()).unwrap();
        assert_eq!(
            spec.job_url("4012345678").unwrap().as_str(),
            "https://www.linkedin.com/jobs/view/4012345678/"
        );
        for ok in [
            "4012345678",
            " https://www.linkedin.com/jobs/view/4012345678/ ",
            "https://linkedin.com/jobs/view/4012345678",
        ] {
            assert_eq!(spec.job_id(ok).as_deref(), Some("4012345678"), "{ok}");
        }
        for bad in [
            "",
            "https://example.com/jobs/view/1/",
            "https://www.linkedin.com/feed/",
            "https://www.linkedin.com/jobs/view/abc/",
            "12a",
        ] {
            assert_eq!(spec.job_id(bad), None, "{bad}");
        }
        let replica = spec
            .clone()
            .with_origin(url::Url::parse("http://127.0.0.1:9000").unwrap());
        assert_eq!(
            replica
                .job_url_on_origin("https://www.linkedin.com/jobs/view/7/")
                .unwrap()
                .as_str(),
            "http://127.0.0.1:9000/jobs/view/7/"
        );
        assert!(
            replica
                .job_url_on_origin("http://127.0.0.1:9000/jobs/view/7/")
                .is_some()
        );
        assert!(
            replica
                .job_url_on_origin("https://example.com/jobs/view/7/")
                .is_none()
        );
        assert!(
            replica
                .job_url_on_origin("https://www.linkedin.com/feed/")
                .is_none()
        );
        // issue 18, finding 7: only job pages, over https, rebuilt from their id
        for bad in [
            "https://www.linkedin.com/m/logout/",
            "http://www.linkedin.com:443/jobs/view/7/",
            "http://www.linkedin.com/jobs/view/7/",
            "https://www.linkedin.com:8443/jobs/view/7/",
            "https://www.linkedin.com/jobs/view/7/../../m/logout/",
            "https://www.linkedin.com/jobs/view/abc/",
            "javascript:alert(1)//www.linkedin.com/jobs/view/7/",
        ] {
            assert!(spec.job_url_on_origin(bad).is_none(), "{bad}");
        }
        assert_eq!(
            spec.job_url_on_origin("https://user:pw@www.linkedin.com/jobs/view/7/?trk=x#y")
                .unwrap()
                .as_str(),
            "https://www.linkedin.com/jobs/view/7/"
        );
        for bad in [
            "//evil.example/",
            "/\\evil.example/",
            "https://evil.example/",
            "feed/",
            "/ feed/",
        ] {
            let file = shipped().replace(
                "session_check_path = \"/feed/\"",
                &format!("session_check_path = {bad:?}"),
            );
            let err = SiteSpec::parse(Path::new("linkedin.toml"), &file).unwrap_err();
            assert!(
                err.to_string().contains("session_check_path"),
                "{bad}: {err}"
            );
        }
        let broken = shipped().replace("job_path = \"/jobs/view/{id}/\"", "job_path = \"/jobs/\"");
        let err = SiteSpec::parse(Path::new("linkedin.toml"), &broken).unwrap_err();
        assert!(err.to_string().contains("job_path"), "{err}");
    }

    #[test]
    fn broken_files_name_the_file_the_key_and_the_reason() {
        let file = Path::new("selectors/x.toml");
        let missing = SiteSpec::parse(file, &shipped().replace("[outcome]", "[outcomes]"))
            .unwrap_err()
            .to_string();
        assert!(
            missing.starts_with("selectors/x.toml:") && missing.contains("outcome"),
            "{missing}"
        );
        let empty = SiteSpec::parse(
            file,
            &shipped().replace("review = [", "review = [] \nxreview = ["),
        )
        .unwrap_err()
        .to_string();
        assert!(
            empty.contains("xreview"),
            "unknown keys are refused: {empty}"
        );
        let empty = SiteSpec::parse(
            file,
            &shipped().replace(
                "review = [\"button[aria-label='Review your application']\", \"button[data-live-test-easy-apply-review-button]\", 'role=button[name=\"{review}\"]']",
                "review = []",
            ),
        )
        .unwrap_err()
        .to_string();
        assert_eq!(
            empty,
            "selectors/x.toml: key `modal.review`: the fallback list is empty"
        );
        let bad_css = SiteSpec::parse(
            file,
            &shipped().replace("button[aria-label='Submit application']", "button]]"),
        )
        .unwrap_err()
        .to_string();
        assert!(
            bad_css.starts_with("selectors/x.toml: key `modal.submit`: entry 1"),
            "{bad_css}"
        );
    }

    proptest::proptest! {
        #[test]
        fn any_selector_file_text_loads_or_is_refused_never_a_panic(text in ".{0,400}") {
            let _ = SiteSpec::parse(Path::new("x.toml"), &text);
        }

        #[test]
        fn any_selector_in_the_shipped_file_is_checked(css in "[a-z\\[\\]='.#: >()*-]{0,30}") {
            let file = shipped().replace("button[aria-label='Submit application']", &css.replace('"', ""));
            let _ = SiteSpec::parse(Path::new("x.toml"), &file);
        }
    }

    #[test]
    fn linkedin_hosts_are_recognized() {
        assert!(is_linkedin_host("www.linkedin.com"));
        assert!(is_linkedin_host("LinkedIn.com."));
        assert!(!is_linkedin_host("127.0.0.1"));
        assert!(!is_linkedin_host("notlinkedin.com"));
    }
}
