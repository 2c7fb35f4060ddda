//! Spawning Chromium: our own full flag list (each flag says why it is there), the
//! DevTools pipe on its fds 3 and 4 (no debugging port), a cleared environment
//! (never the daemon's, which holds the session key, the agent secret and the
//! service-role key), and a session and process group of its own, killed whole at
//! teardown.

use std::{
    os::fd::{AsRawFd as _, OwnedFd},
    path::{Path, PathBuf},
};

use super::{
    BrowserError,
    cdp::{
        Mode,
        transport::{Pipes, Reader, Writer, ends},
    },
};

/// What [`spawn`] started.
pub struct Spawned {
    /// the browser process (its pid is Chromium's: the wrapper `exec`s)
    pub child: tokio::process::Child,
    /// our end of the pipe Chromium reads
    pub writer: Writer,
    /// our end of the pipe Chromium writes
    pub reader: Reader,
}

/// The variables Chromium may see besides its own HOME and PATH.
const PASSED_TO_CHROMIUM: [&str; 5] = ["DISPLAY", "XAUTHORITY", "LANG", "LC_ALL", "TZ"];

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions
    unsafe { libc::geteuid() == 0 }
}

/// Every flag the browser gets. Nothing is added behind our back: no
/// `--enable-automation` (it sets `navigator.webdriver`), no forced `--lang` (the
/// user's language is the session's, not en_US for everyone).
pub fn flags(
    profile: &Path,
    user_agent: Option<&str>,
    accept_languages: &str,
    headless: bool,
    mode: Mode,
) -> Vec<String> {
    let mut flags: Vec<String> = [
        // DevTools over fds 3 and 4: no TCP port a page could find by probing
        // localhost, and the pipe's end is the browser's end, seen at once
        "--remote-debugging-pipe",
        // a person's first start shows welcome pages and a default-browser question
        "--no-first-run",
        "--no-default-browser-check",
        // no first tab: the one page is opened over DevTools
        "--no-startup-window",
        // a desktop window, not the 800x600 of a bare X display
        "--window-size=1280,900",
        // a server has no keyring: without it Chromium waits on a keyring prompt
        "--password-store=basic",
        // systemd's and containers' /dev/shm is small; the renderer would crash
        "--disable-dev-shm-usage",
        // no traffic of the browser's own (updates, sync, field trials, crash
        // uploads): nothing leaves the server but the pages' requests, and a closed
        // network refuses it anyway
        "--disable-background-networking",
        "--disable-sync",
        "--disable-component-update",
        "--disable-breakpad",
        "--disable-quic",
        // no translate bubble over a page in the user's own language; no cast
        // discovery; no optimisation-guide downloads
        "--disable-features=Translate,MediaRouter,OptimizationHints",
        // under Xvfb with no window manager the window can count as occluded: an
        // occluded page gets no frames and its timers slow down, and the waits
        // look again on a frame
        "--disable-backgrounding-occluded-windows",
        "--disable-renderer-backgrounding",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    flags.push(format!("--user-data-dir={}", profile.display()));
    if mode == Mode::Control {
        // the sensor's positive control: the automation flag on purpose
        flags.push("--enable-automation".into());
    } else {
        // belt and braces: navigator.webdriver stays false whatever a wrapper adds
        flags.push("--disable-blink-features=AutomationControlled".into());
        // the user's languages as the browser's own, not only the page's override:
        // a beacon sent as a page closes goes out with the browser's list
        flags.push(format!("--accept-lang={accept_languages}"));
    }
    if let Some(ua) = user_agent {
        // the stored user agent (the session was made under it)
        flags.push(format!("--user-agent={ua}"));
    }
    if headless {
        // tests against the replica only: refused against LinkedIn before this
        flags.push("--headless=new".into());
    }
    if is_root() {
        // Chromium refuses to start as root with its sandbox (tests, the demo)
        flags.push("--no-sandbox".into());
    }
    flags
}

/// Starts `executable` with `flags`, the DevTools pipe and a minimal environment:
/// the display, a HOME inside the profile (caches and any crash report go into the
/// directory deleted at teardown), PATH and the locale.
pub fn spawn(executable: &Path, profile: &Path, flags: &[String]) -> Result<Spawned, BrowserError> {
    let pipes = Pipes::open().map_err(BrowserError::Profile)?;
    let home: PathBuf = profile.join("home");
    create_private_dir(&home).map_err(BrowserError::Profile)?;
    let mut command = tokio::process::Command::new(executable);
    command
        .args(flags)
        .env_clear()
        .env("HOME", &home)
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    for name in PASSED_TO_CHROMIUM {
        if let Some(value) = std::env::var_os(name) {
            command.env(name, value);
        }
    }
    let (reads, writes) = (
        pipes.browser_reads.as_raw_fd(),
        pipes.browser_writes.as_raw_fd(),
    );
    // SAFETY: between fork and exec only async-signal-safe calls: setsid and dup2
    // (dup2 clears close-on-exec on 3 and 4; both sources are above 10)
    unsafe {
        command.pre_exec(move || {
            if libc::setsid() < 0 || libc::dup2(reads, 3) < 0 || libc::dup2(writes, 4) < 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let child = command
        .spawn()
        .map_err(|e| BrowserError::Launch(format!("cannot start {}: {e}", executable.display())))?;
    // the browser's ends live in the browser now
    drop::<(OwnedFd, OwnedFd)>((pipes.browser_reads, pipes.browser_writes));
    let (writer, reader) =
        ends(pipes.ours_write, pipes.ours_read).map_err(BrowserError::Profile)?;
    Ok(Spawned {
        child,
        writer,
        reader,
    })
}

/// A directory only this user can enter (profiles hold cookies).
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt as _;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

/// The major version of the Chromium at `executable` (`Chromium 156.0.8078.73` →
/// 156), asked with `--version` (10 s at most); `None` when it does not say.
pub async fn installed_major(executable: &Path) -> Option<u32> {
    let out = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        tokio::process::Command::new(executable)
            .arg("--version")
            .env_clear()
            .env("PATH", "/usr/local/bin:/usr/bin:/bin")
            .stdin(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true)
            .output(),
    )
    .await
    .ok()?
    .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.split_whitespace().find_map(|word| {
        word.split('.')
            .next()?
            .parse()
            .ok()
            .filter(|_| word.contains('.'))
    })
}
