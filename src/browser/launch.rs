//! Launching Chromium for one application: headful (a display is checked first),
//! a fresh private profile, the stored user agent, bare flags (chromiumoxide adds
//! the leading `--`), and a minimal environment: never the daemon's, which holds
//! the session key, the agent secret and the service-role key.

use std::{
    path::{Path, PathBuf},
    time::Duration,
};

use chromiumoxide::{Browser, BrowserConfig};
use futures_util::StreamExt as _;
use rand::RngExt as _;
use tracing::Instrument as _;

use super::{
    BrowserError, LaunchedBrowser,
    error::{cdp_error, error_kind},
    teardown::LaunchGuard,
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
    /// headless (refused against LinkedIn)
    pub headless: bool,
    /// the target is LinkedIn (headful only, HTTPS errors respected)
    pub targets_linkedin: bool,
    /// timeout of one DevTools command
    pub command_timeout: Duration,
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

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions
    unsafe { libc::geteuid() == 0 }
}

impl LaunchedBrowser {
    /// Launches Chromium for one application. On any error the processes and the
    /// profile directory of this launch are gone before this returns.
    pub async fn launch(options: &LaunchOptions) -> Result<Self, BrowserError> {
        if options.headless && options.targets_linkedin {
            return Err(BrowserError::HeadlessRefused);
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
        create_private_dir(&options.profile_root).map_err(BrowserError::Profile)?;
        create_private_dir(&profile).map_err(BrowserError::Profile)?;
        let mut guard = LaunchGuard::new(profile.clone());

        let launcher =
            write_launcher(&profile, &options.executable).map_err(BrowserError::Profile)?;
        let config = browser_config(options, &profile, &launcher)?;
        let (mut browser, handler) = Browser::launch(config)
            .await
            .map_err(|e| BrowserError::Launch(e.to_string().chars().take(300).collect()))?;
        guard.pid = browser.get_mut_child().and_then(|c| c.as_mut_inner().id());
        // pinned now, while it is certainly ours (not yet collected by anyone)
        guard.pidfd = guard.pid.and_then(super::reap::pidfd);
        guard.group = guard
            .pid
            .filter(|pid| super::reap::stat(*pid).is_some_and(|p| p.pgrp == *pid));
        let handler = spawn_handler(handler, options.label.clone());
        // a browser killed meanwhile fails the launch at once, not after the timeout
        let opened = tokio::select! {
            opened = tokio::time::timeout(options.command_timeout, browser.new_page("about:blank")) => opened,
            () = super::process_ended(guard.pid) => {
                return Err(BrowserError::Crashed { action: "open a page" });
            }
        };
        let page = match opened {
            Ok(Ok(page)) => page,
            Ok(Err(e)) => return Err(cdp_error("open a page", &e)),
            Err(_) => {
                return Err(BrowserError::Timeout {
                    action: "open a page".into(),
                    after_ms: options.command_timeout.as_millis() as u64,
                });
            }
        };
        Ok(Self {
            browser,
            page,
            handler: Some(handler),
            guard,
            timeout: options.command_timeout,
            lease: None,
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

/// Polls the browser's DevTools event loop in a task of its own until the
/// connection ends, its end said once at INFO with the application's id.
fn spawn_handler(
    mut handler: chromiumoxide::Handler,
    application: String,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(
        async move {
            // keep polling until the connection ends: one bad message must not
            // stop the browser's event loop
            let mut told = false;
            while let Some(event) = handler.next().await {
                match event {
                    // the connection ended (the browser closed, or was killed):
                    // said once, as the expected event it is
                    Err(chromiumoxide::error::CdpError::Ws(_)) if !told => {
                        told = true;
                        tracing::info!(%application, "the browser's DevTools connection ended");
                    }
                    // the error's text can quote a raw DevTools message (cookies): kind only
                    Err(e) => {
                        tracing::debug!(kind = error_kind(&e), "devtools handler event error");
                    }
                    Ok(()) => {}
                }
            }
        }
        .instrument(tracing::debug_span!("browser_handler")),
    )
}

/// The launch flags: headful, this profile, the stored user agent, no background
/// traffic; HTTPS errors respected against LinkedIn.
fn browser_config(
    options: &LaunchOptions,
    profile: &Path,
    launcher: &Path,
) -> Result<BrowserConfig, BrowserError> {
    // chromiumoxide adds the leading "--" itself: bare names only
    let mut builder = BrowserConfig::builder()
        .chrome_executable(launcher)
        .user_data_dir(profile)
        .window_size(1280, 900)
        .viewport(None)
        .launch_timeout(Duration::from_secs(30))
        .request_timeout(options.command_timeout)
        .args([
            "no-first-run",
            // no first tab (with its renderer): the page is opened over DevTools
            "no-startup-window",
            "no-default-browser-check",
            "disable-sync",
            "disable-component-update",
            "disable-quic",
            "disable-dev-shm-usage",
            "password-store=basic",
            "disable-features=Translate,MediaRouter,OptimizationHints",
        ]);
    if let Some(ua) = options.user_agent.as_deref() {
        builder = builder.arg(("user-agent", ua));
    }
    if !options.headless {
        builder = builder.with_head();
    }
    if is_root() {
        builder = builder.no_sandbox();
    }
    if options.targets_linkedin {
        builder = builder.respect_https_errors();
    }
    builder.build().map_err(BrowserError::Launch)
}

/// The variables Chromium may see besides its own HOME and PATH.
const PASSED_TO_CHROMIUM: [&str; 5] = ["DISPLAY", "XAUTHORITY", "LANG", "LC_ALL", "TZ"];

/// chromiumoxide cannot clear the environment of the process it spawns, so Chromium
/// is started through a launcher in the profile directory that `exec`s it under
/// `env -i` (the process id stays Chromium's): the display, a HOME inside the profile
/// (caches and any crash report go into the directory deleted at teardown), PATH and
/// the locale; no secret, no `NOTIFY_SOCKET`.
fn write_launcher(profile: &Path, chromium: &Path) -> std::io::Result<PathBuf> {
    use std::{io::Write as _, os::unix::fs::OpenOptionsExt as _};
    let home = profile.join("home");
    create_private_dir(&home)?;
    let mut vars = vec![
        ("HOME".to_owned(), home.display().to_string()),
        ("PATH".to_owned(), "/usr/local/bin:/usr/bin:/bin".to_owned()),
    ];
    for name in PASSED_TO_CHROMIUM {
        if let Ok(value) = std::env::var(name) {
            vars.push((name.to_owned(), value));
        }
    }
    // a session and process group of its own (the pid stays Chromium's: the shell
    // is no group leader, so setsid execs without forking), killed whole at teardown
    let setsid = if Path::new("/usr/bin/setsid").is_file() {
        "/usr/bin/setsid "
    } else {
        ""
    };
    let mut script = format!(
        "#!/bin/sh\n# autoapply: Chromium gets this environment only\nexec {setsid}/usr/bin/env -i"
    );
    for (name, value) in &vars {
        script.push_str(&format!(" {name}={}", sh_quote(value)));
    }
    script.push_str(&format!(
        " {} \"$@\"\n",
        sh_quote(&chromium.display().to_string())
    ));
    let path = profile.join("launch-chromium.sh");
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o700)
        .open(&path)?;
    file.write_all(script.as_bytes())?;
    Ok(path)
}

/// `value` as one single-quoted shell word.
fn sh_quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', "'\\''"))
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt as _;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}
