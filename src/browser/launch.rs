//! Launching Chromium for one application: headful (a display is checked first),
//! a fresh private profile, our own flags and a minimal environment
//! (`process.rs`), then the one page opened and attached over the pipe.

use std::{
    path::{Path, PathBuf},
    time::Duration,
};

use chromiumoxide_cdp::cdp::{
    browser_protocol::{
        browser::GetVersionParams,
        page::EnableParams as PageEnable,
        target::{AttachToTargetParams, CreateTargetParams},
    },
    js_protocol::runtime::EnableParams as RuntimeEnable,
};
use rand::RngExt as _;

use super::{
    BrowserError, LaunchedBrowser,
    cdp::{CdpError, Connection, Mode, Session},
    error::cdp_error,
    identity,
    keeper::Keeper,
    leftovers::LaunchGuard,
    process,
    world::World,
};

/// How to launch.
#[derive(Debug, Clone)]
pub struct LaunchOptions {
    /// the Chromium binary
    pub executable: PathBuf,
    /// parent of the per-application profile directories
    pub profile_root: PathBuf,
    /// names the profile directory (the application id)
    pub label: String,
    /// the user agent stored with the session
    pub user_agent: Option<String>,
    /// the user's display language (LinkedIn's `lang` cookie, `fr-fr`), when known
    pub language: Option<String>,
    /// headless (refused against LinkedIn)
    pub headless: bool,
    /// the target is LinkedIn (headful only, HTTPS errors respected)
    pub targets_linkedin: bool,
    /// timeout of one DevTools command
    pub command_timeout: Duration,
    /// the worker ([`Mode::Person`]), or the sensor's positive control (refused
    /// against LinkedIn)
    pub mode: Mode,
}

/// Checks that headful Chromium has somewhere to draw (`DISPLAY`, and for a local
/// display its X socket).
pub fn check_display() -> Result<(), BrowserError> {
    check_display_value(
        std::env::var("DISPLAY").ok().as_deref(),
        Path::new("/tmp/.X11-unix"),
    )
}

pub(super) fn check_display_value(
    display: Option<&str>,
    x11_dir: &Path,
) -> Result<(), BrowserError> {
    let display = display.unwrap_or_default().trim();
    if display.is_empty() {
        return Err(BrowserError::NoDisplay("not set".into()));
    }
    // ":99" or ":99.0" is a local X server: its socket must exist
    if let Some(num) = display.strip_prefix(':') {
        let num = num.split('.').next().unwrap_or_default();
        if !x11_dir.join(format!("X{num}")).exists() {
            return Err(BrowserError::NoDisplay(format!(
                "{display} but no X server listens there"
            )));
        }
    }
    Ok(())
}

impl LaunchedBrowser {
    /// Launches Chromium for one application. On any error the processes and the
    /// profile directory of this launch are gone before this returns.
    pub async fn launch(options: &LaunchOptions) -> Result<Self, BrowserError> {
        if options.headless && options.targets_linkedin {
            return Err(BrowserError::HeadlessRefused);
        }
        if options.mode == Mode::Control && options.targets_linkedin {
            return Err(BrowserError::ControlRefused);
        }
        if !options.headless {
            check_display()?;
        }
        if !options.executable.is_file() {
            return Err(BrowserError::BinaryMissing(options.executable.clone()));
        }
        let suffix: u32 = rand::rng().random();
        // the owner's pid in the name lets a later daemon sweep what a crash left
        let profile = options.profile_root.join(format!(
            "{}-w{}-{suffix:08x}",
            options.label,
            std::process::id()
        ));
        process::create_private_dir(&options.profile_root).map_err(BrowserError::Profile)?;
        process::create_private_dir(&profile).map_err(BrowserError::Profile)?;
        let mut guard = LaunchGuard::new(profile.clone());

        let flags = process::flags(
            &profile,
            options.user_agent.as_deref(),
            &super::identity::accept_languages(options.language.as_deref()),
            options.headless,
            options.mode,
        );
        let lease = crate::lease::SharedLease::default();
        let (spawned, keeper) = spawn_kept(options, &profile, &flags, &mut guard, &lease)?;
        let conn = Connection::open(spawned.writer, spawned.reader, options.mode, lease.clone());
        // a browser killed meanwhile fails the launch at once, not after the timeout
        let opened = tokio::select! {
            opened = tokio::time::timeout(options.command_timeout, open_page(&conn, options)) => opened,
            () = super::process_ended(guard.pid) => {
                return Err(BrowserError::Crashed { action: "open a page" });
            }
        };
        let (page, frame) = match opened {
            Ok(Ok(opened)) => opened,
            Ok(Err(CdpError::Closed)) => {
                return Err(BrowserError::Launch(format!(
                    "{} ended before it answered on the DevTools pipe",
                    options.executable.display()
                )));
            }
            Ok(Err(e)) => return Err(cdp_error("open a page", &e)),
            Err(_) => {
                return Err(BrowserError::Timeout {
                    action: "open a page".into(),
                    after_ms: options.command_timeout.as_millis() as u64,
                });
            }
        };
        Ok(Self {
            world: World::new(page.clone(), frame),
            conn,
            tab: page,
            child: spawned.child,
            guard,
            timeout: options.command_timeout,
            lease,
            keeper: Some(keeper),
            pacing: crate::pacing::Pacing::new(0.0, false).expect("zero is a pace"),
            // wherever the user left it: somewhere over the window
            pointer: std::sync::Mutex::new(super::mouse::Point {
                x: rand::rng().random_range(200.0..1000.0),
                y: rand::rng().random_range(150.0..650.0),
            }),
            spent: super::Spent::default(),
        })
    }

    /// The browser's process id.
    pub fn pid(&self) -> Option<u32> {
        self.guard.pid
    }

    /// The profile directory of this launch.
    pub fn profile_dir(&self) -> &Path {
        &self.guard.profile
    }
}

/// Starts Chromium and, before any DevTools message, its keeper: from then on the
/// browser dies with this worker, whatever ends or freezes it. The browser is pinned
/// in `guard` (its pid, a pidfd, its process group) as soon as it runs.
fn spawn_kept(
    options: &LaunchOptions,
    profile: &Path,
    flags: &[String],
    guard: &mut LaunchGuard,
    lease: &crate::lease::SharedLease,
) -> Result<(process::Spawned, Keeper), BrowserError> {
    let spawned = process::spawn(&options.executable, profile, flags)?;
    guard.pid = spawned.child.id();
    // pinned now, while it is certainly ours (not yet collected by anyone)
    guard.pidfd = guard.pid.and_then(super::reap::pidfd);
    guard.group = guard
        .pid
        .filter(|pid| super::reap::stat(*pid).is_some_and(|p| p.pgrp == *pid));
    match (&guard.pidfd, guard.group) {
        (Some(pidfd), Some(group)) => {
            let keeper = Keeper::start(pidfd, group, lease.clone()).map_err(|e| {
                BrowserError::Launch(format!("cannot start the browser's keeper: {e}"))
            })?;
            Ok((spawned, keeper))
        }
        _ => Err(BrowserError::Launch(format!(
            "{} ended or left its process group at once",
            options.executable.display()
        ))),
    }
}

/// Opens the one page and attaches to it (a flat session); its page events on (the
/// load, navigations); the user's identity presented before any page runs. Returns
/// the session and the page's main frame id. The positive control instead turns the
/// Runtime domain on, as automation tools do, and keeps `--user-agent` alone.
async fn open_page(
    conn: &Connection,
    options: &LaunchOptions,
) -> Result<(Session, String), CdpError> {
    let target = conn
        .call(CreateTargetParams::new("about:blank"))
        .await?
        .target_id;
    let attached = conn
        .call(
            AttachToTargetParams::builder()
                .target_id(target.clone())
                .flatten(true)
                .build()
                .map_err(CdpError::Decode)?,
        )
        .await?;
    let page = conn.session(attached.session_id.into());
    page.call(PageEnable::default()).await?;
    if conn.mode() == Mode::Control {
        page.call(RuntimeEnable::default()).await?;
    } else {
        let identity = present_identity(conn, &page, options).await?;
        super::children::present_in_children(conn, &page, identity).await?;
    }
    // a page target's main frame has the target's id
    Ok((page, target.into()))
}

/// The stored user agent (else the browser's own) and the user's language, on
/// every surface a page reads (`identity.rs`); the identity presented.
async fn present_identity(
    conn: &Connection,
    page: &Session,
    options: &LaunchOptions,
) -> Result<identity::Identity, CdpError> {
    let user_agent = match options.user_agent.clone() {
        Some(ua) => ua,
        None => conn.call(GetVersionParams::default()).await?.user_agent,
    };
    let id = identity::identity(&user_agent, options.language.as_deref());
    super::children::override_user_agent(page, &id).await?;
    super::children::override_locale(page, &id).await?;
    Ok(id)
}
