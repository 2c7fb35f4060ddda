//! The browser: the only module that speaks DevTools. It spawns the system
//! Chromium headful with a fresh profile per application and our own flag list
//! (`process.rs`), talks to it over a pipe it owns end to end (`cdp/`: every
//! message on an allowlist, no domain a page could detect), injects cookies before
//! the first navigation, reads pages from an isolated world (`world.rs`,
//! `observe.js`: nothing written into the page, elements held as that world's
//! handles), acts like a person (mouse clicks at the element, typed keys with
//! human delays, select/radio/checkbox/typeahead/file upload), takes screenshots,
//! and tears everything down in every path.
//!
//! `apply/` decides; this module acts. Every DevTools command has a timeout.

pub mod cdp;
mod children;
mod control;
mod error;
mod handles;
mod identity;
mod input;
mod keeper;
mod keys;
mod launch;
pub mod leftovers;
mod mouse;
mod navigate;
mod pointer;
mod process;
pub mod reap;
mod typing;
mod world;

use std::{future::Future, time::Duration};

pub use self::{
    cdp::Mode,
    error::BrowserError,
    launch::{LaunchOptions, check_display},
    process::installed_major,
};
use self::{
    error::{Unanswered, cdp_error},
    leftovers::LaunchGuard,
};
pub use crate::page::{Field, FieldKind, Modal, Observation, Rect, Target};

use crate::site::SiteSpec;

const OBSERVE_JS: &str = include_str!("observe.js");
/// A promise that resolves once the page changed (the waits' trigger).
const SETTLE_JS: &str = include_str!("settle.js");
/// Serializes a sanitized copy of the page (drift evidence).
const SNAPSHOT_JS: &str = include_str!("snapshot.js");

/// The log target of the DevTools wire: it never logs a message (they carry
/// cookie values), and `telemetry::secret_guard` drops its TRACE events.
pub const DEVTOOLS_WIRE_LOG_TARGET: &str = "autoapply::browser::cdp";

/// The longest [`LaunchedBrowser::teardown`] takes: the tab closed (2 s), the browser
/// closed (5 s), its exit awaited (5 s), a kill (5 s), the pipe's end (2 s), the
/// process table empty (5 s), the keeper ended (2 s), its group gone (2 s). The
/// unit's `TimeoutStopSec` counts it.
pub const TEARDOWN_MAX: Duration = Duration::from_secs(28);

/// One launched browser with one page: everything of one application.
pub struct LaunchedBrowser {
    conn: cdp::Connection,
    /// the one page's DevTools session
    tab: cdp::Session,
    world: world::World,
    child: tokio::process::Child,
    guard: LaunchGuard,
    timeout: Duration,
    /// the lease the page is acted on under (shared with the connection and the
    /// keeper): no action, no DevTools message at all, once it runs out
    lease: crate::lease::SharedLease,
    /// the process that kills the browser when this worker ends or freezes
    keeper: Option<keeper::Keeper>,
    /// the human waits of the mouse (none until [`hold_pacing`](Self::hold_pacing))
    pacing: crate::pacing::Pacing,
    /// where the mouse pointer is: each move starts from there
    pointer: std::sync::Mutex<mouse::Point>,
    /// time spent pointing and pressing, and typing (keys for text and lists)
    spent: Spent,
}

/// Time spent on a person's input.
#[derive(Debug, Default)]
struct Spent {
    moving: crate::pacing::Tally,
    typing: crate::pacing::Tally,
}

impl std::fmt::Debug for LaunchedBrowser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LaunchedBrowser")
            .field("pid", &self.guard.pid)
            .finish_non_exhaustive()
    }
}

/// Resolves once process `pid` has ended (gone, or a zombie waiting to be
/// collected); never when there is no pid to watch.
async fn process_ended(pid: Option<u32>) {
    let Some(pid) = pid else {
        return std::future::pending().await;
    };
    while leftovers::running(pid) {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

impl LaunchedBrowser {
    /// Acts on the page only while `lease` holds: every navigation, click, keystroke,
    /// choice and upload asks it first.
    pub fn hold_lease(&mut self, lease: crate::lease::LeaseClock) {
        *self.lease.lock().unwrap_or_else(|p| p.into_inner()) = Some(lease);
    }

    /// Moves the mouse at `pacing`'s speed (its path keeps its steps at any pace).
    pub fn hold_pacing(&mut self, pacing: crate::pacing::Pacing) {
        self.pacing = pacing;
    }

    /// Refuses an action once the lease has run out.
    fn acting(&self) -> Result<(), BrowserError> {
        if crate::lease::allows(&self.lease) {
            Ok(())
        } else {
            Err(BrowserError::LeaseExpired)
        }
    }

    /// Whether the browser process is still running (not gone, not a zombie).
    fn alive(&self) -> bool {
        self.guard.pid.is_none_or(leftovers::running)
    }

    /// Time spent so far moving the mouse and pressing (clicks, the wheel) and
    /// typing (text and lists chosen by keyboard), its human waits included.
    pub fn input_spent(&self) -> (Duration, Duration) {
        (self.spent.moving.get(), self.spent.typing.get())
    }

    /// Resolves once the browser process has ended (killed, crashed): a run waiting
    /// a person's pause learns of it then, and collects it, not at its next action.
    pub async fn ended(&self) {
        tokio::select! {
            () = process_ended(self.guard.pid) => {}
            () = self.conn.closed() => {}
        }
    }

    /// Awaits `fut` for at most the command timeout, and fails fast (as a crash)
    /// when the browser process goes away meanwhile: a killed browser can leave a
    /// DevTools request unanswered, and that must read as a crash, not a timeout.
    async fn guarded<T>(
        &self,
        action: &'static str,
        fut: impl Future<Output = T>,
    ) -> Result<T, Unanswered> {
        let died = self.ended();
        tokio::select! {
            result = tokio::time::timeout(self.timeout, fut) => match result {
                Ok(v) => Ok(v),
                Err(_) if self.conn.is_closed() || !self.alive() => {
                    Err(Unanswered::Crashed(BrowserError::Crashed { action }))
                }
                Err(_) => Err(Unanswered::TimedOut),
            },
            () = died => Err(Unanswered::Crashed(BrowserError::Crashed { action })),
        }
    }

    /// Runs one DevTools command through [`guarded`](Self::guarded).
    async fn timed<T>(
        &self,
        action: &'static str,
        fut: impl Future<Output = Result<T, cdp::CdpError>>,
    ) -> Result<T, BrowserError> {
        match self.guarded(action, fut).await {
            Ok(Ok(v)) => Ok(v),
            // past the lease nothing was sent, and whatever the keeper did to the
            // browser meanwhile is not this run's crash: it lets go
            _ if !crate::lease::allows(&self.lease) => Err(BrowserError::LeaseExpired),
            // any failure of a browser that has gone away is its crash
            Ok(Err(_)) if !self.alive() => Err(BrowserError::Crashed { action }),
            Ok(Err(e)) => Err(cdp_error(action, &e)),
            Err(ended) => Err(ended.into_error(action.to_owned(), self.timeout)),
        }
    }

    /// Closes the browser: politely, then by force; then kills anything of this
    /// launch still in the process table and deletes the profile directory.
    /// Returns how many leftover processes had to be killed.
    /// At most [`TEARDOWN_MAX`].
    pub async fn teardown(mut self) -> usize {
        self.close().await;
        self.clean_up().await
    }

    /// The first half of [`teardown`](Self::teardown): the browser closed, politely
    /// (its pages unload as when a person closes the window) and by force if need
    /// be, and its DevTools connection ended. After it no page of this launch is
    /// open; helpers may still be ending.
    pub async fn close(&mut self) {
        tracing::debug!("teardown: closing the browser");
        // a browser already dead (killed, crashed) is collected at once: no polite
        // close to a process that is gone, no zombie left waiting for one; and a run
        // past its lease lets go at once: killed, not asked to close
        let past_lease = !crate::lease::allows(&self.lease);
        let exited = if past_lease {
            tracing::debug!("teardown: the lease ran out; killing the browser");
            if let Some(keeper) = &self.keeper {
                keeper.kill_now();
            }
            false
        } else if self.alive() {
            // the tab first, as a person closes it: its page unloads while the
            // browser is whole; then the browser
            let _ = tokio::time::timeout(
                Duration::from_secs(2),
                self.conn.call(
                    chromiumoxide_cdp::cdp::browser_protocol::target::CloseTargetParams::new(
                        self.world.frame().to_owned(),
                    ),
                ),
            )
            .await;
            let polite = tokio::time::timeout(
                Duration::from_secs(5),
                self.conn.call(
                    chromiumoxide_cdp::cdp::browser_protocol::browser::CloseParams::default(),
                ),
            )
            .await;
            // the pipe may close before the answer: that is the close too
            matches!(polite, Ok(Ok(_)) | Ok(Err(cdp::CdpError::Closed)))
                && matches!(
                    tokio::time::timeout(Duration::from_secs(5), self.child.wait()).await,
                    Ok(Ok(_))
                )
        } else {
            tracing::debug!("teardown: the browser had already ended; collecting it");
            matches!(
                tokio::time::timeout(Duration::from_secs(1), self.child.wait()).await,
                Ok(Ok(_))
            )
        };
        if !exited {
            let _ = self.child.start_kill();
            let _ = tokio::time::timeout(Duration::from_secs(5), self.child.wait()).await;
        }
        tracing::debug!(exited, "teardown: browser closed");
        // the connection's task ends with the pipe
        let _ = tokio::time::timeout(Duration::from_secs(2), self.conn.closed()).await;
    }

    /// The second half: every process of the launch killed and gone, the profile
    /// deleted. Returns how many leftover processes had to be killed.
    pub async fn clean_up(mut self) -> usize {
        let killed = leftovers::kill_all(
            &self.guard.profile,
            self.guard.pidfd.as_ref(),
            self.guard.group,
        );
        if !leftovers::wait_gone(&self.guard.profile, Duration::from_secs(5)).await {
            tracing::warn!("browser processes still running 5 s after SIGKILL");
        }
        if let Err(e) = leftovers::remove_profile(&self.guard.profile) {
            tracing::warn!(error = %e, "browser profile directory could not be deleted");
        } else {
            self.guard.disarm();
        }
        // the keeper kills what is left of the group as it goes; then every
        // member is gone and collected before this returns
        if let Some(keeper) = self.keeper.take() {
            keeper.finish().await;
        }
        if let Some(group) = self.guard.group
            && !leftovers::wait_group_gone(group, Duration::from_secs(2)).await
        {
            tracing::warn!(
                group,
                "processes of the browser's group still there 2 s after its keeper killed it"
            );
        }
        killed
    }
}

/// The site spec as the JSON `observe.js` takes.
pub fn spec_json(spec: &SiteSpec) -> String {
    serde_json::to_string(spec).expect("a site spec serializes")
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::{launch::check_display_value, *};

    #[test]
    fn no_display_is_a_clear_error() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target");
        let err = check_display_value(None, &dir).unwrap_err().to_string();
        assert_eq!(
            err,
            "no display: DISPLAY is not set; the browser runs headful: run under Xvfb (see systemd/autoapply-xvfb.service) or `xvfb-run -a`"
        );
        let err = check_display_value(Some(":4242"), &dir)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("no display: DISPLAY is :4242 but no X server listens there"),
            "{err}"
        );
        assert!(
            check_display_value(Some("remote-host:0"), &dir).is_ok(),
            "a remote display is not checked"
        );
    }

    #[test]
    fn targets_are_keys_observe_js_keeps_and_it_writes_nothing() {
        assert_eq!(Target::Field(3).key(), "field-3");
        assert_eq!(Target::FieldOption(3, 1).key(), "field-3-opt-1");
        assert!(OBSERVE_JS.contains("'field-' + handle + '-opt-' + k"));
        assert!(OBSERVE_JS.contains("tag(el, b[0])"));
        // nothing of ours is written into the page by any script we run
        for (name, js) in [
            ("observe", OBSERVE_JS),
            ("settle", SETTLE_JS),
            ("snapshot", SNAPSHOT_JS),
        ] {
            for write in [
                "setAttribute",
                "removeAttribute",
                "dataset",
                "appendChild",
                "insertBefore",
                ".innerHTML =",
            ] {
                assert!(
                    !js.contains(write),
                    "{name}.js writes into the page: {write}"
                );
            }
        }
    }
}
