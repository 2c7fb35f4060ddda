//! Building the engine: the site (a replica's origin when configured), pacing and
//! the navigation limiter (fast pacing and headless refused against LinkedIn), the
//! launch settings, the session key.

use std::{num::NonZeroU32, path::PathBuf, time::Duration};

use super::{
    Engine,
    driver::{Setup, Waits},
};
use crate::{
    browser::{self, LaunchOptions},
    config::Config,
    domain::Platform,
    pacing::{NavigationLimiter, Pacing, PacingError},
    session::{CipherEncoding, SessionKey},
    site::{SiteError, SiteSpec},
    store::DriftRule,
};

/// Why the engine cannot be built.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The selector file is broken.
    #[error(transparent)]
    Site(#[from] SiteError),
    /// The pacing is not allowed for the site.
    #[error(transparent)]
    Pacing(#[from] PacingError),
    /// A setting the engine needs is missing.
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    /// Headless against LinkedIn.
    #[error(
        "refusing to run headless against LinkedIn: the worker is headful only (run under Xvfb)"
    )]
    HeadlessRefused,
}

/// The parts of an [`Engine`].
pub struct EngineParts {
    /// the site spec as loaded
    pub site: SiteSpec,
    /// drive this origin instead (a replica)
    pub site_origin: Option<url::Url>,
    /// pacing scale
    pub pacing_scale: f64,
    /// LinkedIn navigations per minute
    pub navigations_per_minute: u32,
    /// the Chromium binary
    pub browser_path: PathBuf,
    /// where per-application profiles go
    pub runtime_dir: PathBuf,
    /// headless (refused against LinkedIn)
    pub headless: bool,
    /// error screenshots
    pub screenshots_dir: PathBuf,
    /// the only folder résumés are uploaded from
    pub resume_dir: PathBuf,
    /// the session key
    pub session_key: SessionKey,
    /// how sessions are encoded
    pub session_encoding: CipherEncoding,
    /// success screenshots
    pub success_screenshots: bool,
    /// how long LinkedIn's throttle pauses the user
    pub throttle_pause: Duration,
    /// when the drift breaker opens
    pub drift: DriftRule,
}

impl Engine {
    /// Builds the engine; refuses fast pacing or headless against LinkedIn.
    pub fn new(parts: EngineParts) -> Result<Self, EngineError> {
        let site = match parts.site_origin {
            Some(origin) => parts.site.with_origin(origin),
            None => parts.site,
        };
        let linkedin = site.targets_linkedin();
        if parts.headless && linkedin {
            return Err(EngineError::HeadlessRefused);
        }
        let pacing = Pacing::new(parts.pacing_scale, linkedin)?;
        let per_minute = NonZeroU32::new(parts.navigations_per_minute).unwrap_or(NonZeroU32::MIN);
        Ok(Self {
            spec_json: browser::spec_json(&site),
            // the file's texts in every display language it has, as observe.js takes them
            spec_by_language: site
                .languages()
                .into_iter()
                .filter_map(|code| {
                    let localized = site.in_language(&code)?;
                    Some((code, browser::spec_json(&localized)))
                })
                .collect(),
            limiter: NavigationLimiter::new(per_minute, linkedin),
            launch: LaunchOptions {
                executable: parts.browser_path,
                profile_root: parts.runtime_dir.join("profiles"),
                label: String::new(),
                user_agent: None,
                language: None,
                headless: parts.headless,
                targets_linkedin: linkedin,
                command_timeout: Duration::from_secs(20),
                mode: browser::Mode::Person,
            },
            site,
            pacing,
            screenshots_dir: parts.screenshots_dir,
            resume_dir: parts.resume_dir,
            waits: Waits::default(),
            session_key: parts.session_key,
            session_encoding: parts.session_encoding,
            success_screenshots: parts.success_screenshots,
            throttle_pause: parts.throttle_pause,
            drift: parts.drift,
        })
    }

    /// The engine the configuration describes.
    pub fn from_config(config: &Config) -> Result<Self, EngineError> {
        let site = config.selectors.load(Platform::Linkedin.as_str())?;
        Self::new(EngineParts {
            site,
            site_origin: config.site_origin.clone(),
            pacing_scale: config.pacing_scale,
            navigations_per_minute: config.navigations_per_minute,
            browser_path: config.browser_path.clone(),
            runtime_dir: config.runtime_dir.clone(),
            headless: config.headless,
            screenshots_dir: config.screenshots_dir(),
            resume_dir: config.resume_dir.clone(),
            session_key: config.session_key()?.clone(),
            session_encoding: config.session_encoding,
            success_screenshots: config.success_screenshots,
            throttle_pause: config.throttle_pause,
            drift: DriftRule {
                failures: config.drift_failures,
                users: config.drift_users,
                pause: config.drift_pause,
            },
        })
    }

    /// The job page on the site's origin: a LinkedIn URL is moved to a replica's
    /// origin when one is configured; any other host is refused.
    pub fn job_url(&self, job_url: &str) -> Option<url::Url> {
        self.site.job_url_on_origin(job_url)
    }

    pub(super) fn setup(&self) -> Setup<'_> {
        Setup {
            site: &self.site,
            spec_json: &self.spec_json,
            spec_by_language: &self.spec_by_language,
            pacing: &self.pacing,
            limiter: &self.limiter,
            waits: self.waits,
            success_screenshots: self.success_screenshots,
        }
    }
}
