//! What can go wrong with the browser, and how a DevTools failure is classified
//! (by kind, never by its text, which can quote a cookie).

use std::{path::PathBuf, time::Duration};

/// Why the browser could not do what was asked. No variant carries a cookie value
/// or a form value.
#[derive(Debug, thiserror::Error)]
pub enum BrowserError {
    /// No display to draw on.
    #[error(
        "no display: DISPLAY is {0}; the browser runs headful: run under Xvfb (see systemd/autoapply-xvfb.service) or `xvfb-run -a`"
    )]
    NoDisplay(String),
    /// Headless was asked for against LinkedIn.
    #[error(
        "refusing to run headless against LinkedIn: the worker is headful only (run under Xvfb)"
    )]
    HeadlessRefused,
    /// The sensor's positive control was asked for against LinkedIn.
    #[error("refusing to launch the sensor's positive control against LinkedIn")]
    ControlRefused,
    /// The Chromium binary is missing.
    #[error("browser binary {0} not found or not executable (AUTOAPPLY_BROWSER_PATH)")]
    BinaryMissing(PathBuf),
    /// The profile directory could not be prepared.
    #[error("cannot prepare the browser profile directory: {0}")]
    Profile(std::io::Error),
    /// Chromium did not start.
    #[error("browser failed to start: {0}")]
    Launch(String),
    /// Chromium went away mid-application.
    #[error("the browser crashed or was killed during {action}")]
    Crashed {
        /// what was being done
        action: &'static str,
    },
    /// A command or wait ran out of time.
    #[error("{action} timed out after {after_ms} ms")]
    Timeout {
        /// what was being waited for
        action: String,
        /// how long
        after_ms: u64,
    },
    /// An element the flow wanted to act on is gone.
    #[error("element {target} is not on the page")]
    ElementMissing {
        /// the tag
        target: String,
    },
    /// A DevTools command failed.
    #[error("{action} failed: {detail}")]
    Cdp {
        /// what was being done
        action: &'static str,
        /// Chrome's message (it names the problem, never a parameter)
        detail: String,
    },
    /// Shutdown interrupted the action.
    #[error("cancelled by shutdown")]
    Cancelled,
    /// The lease ran out on this worker (frozen, or cut off from the store): the page
    /// is not touched again and nothing is recorded under it.
    #[error("the lease ran out on this worker: it let go without another action")]
    LeaseExpired,
}

/// How a guarded DevTools wait ended without an answer.
pub(super) enum Unanswered {
    /// The browser went away.
    Crashed(BrowserError),
    /// The command timeout passed with the browser still running.
    TimedOut,
}

impl Unanswered {
    pub(super) fn into_error(self, action: String, timeout: Duration) -> BrowserError {
        match self {
            Self::Crashed(e) => e,
            Self::TimedOut => BrowserError::Timeout {
                action,
                after_ms: timeout.as_millis() as u64,
            },
        }
    }
}

pub(super) fn cdp_error(action: &'static str, e: &super::cdp::CdpError) -> BrowserError {
    use super::cdp::CdpError;
    match e {
        // the pipe ended: the browser is gone
        CdpError::Closed => BrowserError::Crashed { action },
        // a worker past its lease sends nothing: it lets go
        CdpError::PastLease => BrowserError::LeaseExpired,
        other => BrowserError::Cdp {
            action,
            detail: other.to_string().chars().take(200).collect(),
        },
    }
}
