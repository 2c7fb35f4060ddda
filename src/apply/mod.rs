//! The apply engine: one claimed application, from the stored session to a
//! recorded outcome. Decisions are pure (`decide`), the driver performs them in the
//! browser (`driver`), every ending is classified (`outcome`). The browser is torn
//! down in every path; a screenshot is kept whenever the application did not go in.

mod before;
mod browse;
pub mod decide;
pub mod driver;
mod ending;
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

use std::path::PathBuf;

use tokio_util::sync::CancellationToken;

use self::{driver::Waits, outcome::Ended, report::Seen, teardown::Teardown};
use crate::{
    browser::LaunchOptions,
    pacing::{NavigationLimiter, Pacing},
    session::{CipherEncoding, SessionKey},
    site::SiteSpec,
    store::{Application, Store, StoreError},
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
        let attempt = match self
            .before_browser(store, application, lease, cancel)
            .await?
        {
            Err(ended) => Attempted::from(ended),
            // a LinkedIn action is reserved for it from here on
            Ok((visit, session)) => {
                let (ended, browsed) = self
                    .in_browser(store, visit, session, cancel, options)
                    .await?;
                Attempted {
                    ended,
                    touched_linkedin: true,
                    browsed,
                }
            }
        };
        let settled = self
            .record_ending(store, application, lease, options, &attempt)
            .await?;
        // the browser's clean-up, under way while the ending was recorded, ends it
        let (seen, teardown) = match attempt.browsed {
            Some(Browsed { seen, teardown }) => (Some(seen), teardown.finish().await),
            None => (None, None),
        };
        Ok(AttemptReport::new(settled, seen, teardown))
    }
}

/// What an attempt did, before its ending is recorded.
struct Attempted {
    ended: Ended,
    /// a LinkedIn action was reserved for it
    touched_linkedin: bool,
    /// its browser, when one was launched
    browsed: Option<Browsed>,
}

impl From<Ended> for Attempted {
    /// An attempt that ended before it reserved a LinkedIn action.
    fn from(ended: Ended) -> Self {
        Self {
            ended,
            touched_linkedin: false,
            browsed: None,
        }
    }
}

/// An attempt's browser, closed: what it showed, and its clean-up under way (the
/// run's last step, [`Teardown::finish`]).
struct Browsed {
    seen: Seen,
    teardown: Teardown,
}
