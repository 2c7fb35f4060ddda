//! What a launch leaves behind, and the last line of its teardown: every process
//! of one launch found in the process table and killed, the launch's profile
//! directory deleted; and what a crashed daemon's launches left (`sweep_orphans`).
//! Runs from the async teardown and, as a backstop, from `Drop` (panic,
//! cancellation).

use std::{
    os::fd::OwnedFd,
    path::{Path, PathBuf},
};

use super::reap;

/// Processes started by one launch, found by the profile directory on their
/// command line (the browser and the helpers that inherit it) and by parentage.
pub fn processes_of(profile: &Path) -> Vec<u32> {
    let marker = marker_of(profile);
    matching(|arg| arg == marker.as_bytes())
}

/// Processes of every launch whose profile lies under `root` (the demo's check that
/// nothing of its runtime directory is left running).
pub fn processes_under(root: &Path) -> Vec<u32> {
    let marker = format!("--user-data-dir={}/", root.display());
    matching(|arg| arg.starts_with(marker.as_bytes()))
}

fn marker_of(profile: &Path) -> String {
    format!("--user-data-dir={}", profile.display())
}

/// Whether `pid` carries the launch's marker on its command line now.
fn carries(pid: u32, marker: &str) -> bool {
    std::fs::read(format!("/proc/{pid}/cmdline"))
        .unwrap_or_default()
        .split(|b| *b == 0)
        .any(|arg| arg == marker.as_bytes())
}

/// Running processes with a command-line argument that `is_marker` accepts, plus
/// every descendant of those; zombies left out (they only wait to be collected).
fn matching(is_marker: impl Fn(&[u8]) -> bool) -> Vec<u32> {
    let table: Vec<(u32, u32, bool)> = reap::table()
        .into_iter()
        .filter(|p| !matches!(p.state, 'Z' | 'X'))
        .map(|p| {
            let cmdline = std::fs::read(format!("/proc/{}/cmdline", p.pid)).unwrap_or_default();
            (p.pid, p.ppid, cmdline.split(|b| *b == 0).any(&is_marker))
        })
        .collect();
    let mut found: Vec<u32> = table
        .iter()
        .filter(|(_, _, m)| *m)
        .map(|(p, _, _)| *p)
        .collect();
    // descendants of anything found
    loop {
        let before = found.len();
        for (pid, ppid, _) in &table {
            if found.contains(ppid) && !found.contains(pid) {
                found.push(*pid);
            }
        }
        if found.len() == before {
            break;
        }
    }
    let me = std::process::id();
    found.retain(|p| *p != me);
    found
}

/// Whether `pid` is a running process (not gone, not a zombie).
pub fn running(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        stat.rfind(')')
            .and_then(|i| stat[i + 2..].chars().next())
            .is_some_and(|state| !matches!(state, 'Z' | 'X'))
    })
}

/// SIGKILLs every process of the launch — the browser through its pidfd, its process
/// group once a member is seen carrying the marker, every process carrying the marker
/// or descending from one, each pinned by a pidfd and checked again before the
/// signal — and collects what this process adopted. Returns how many were signalled.
pub fn kill_all(profile: &Path, root: Option<&OwnedFd>, group: Option<u32>) -> usize {
    let marker = marker_of(profile);
    let mut killed = usize::from(root.is_some_and(reap::kill_pidfd));
    if let Some(pgid) = group {
        killed = killed.max(reap::kill_group_if(pgid, |pid| carries(pid, &marker)));
    }
    let found = processes_of(profile);
    for pid in &found {
        let ours = |pid: u32| {
            carries(pid, &marker)
                || reap::stat(pid).is_some_and(|p| found.contains(&p.ppid) || Some(p.pgrp) == group)
        };
        if reap::kill_if(*pid, ours) {
            killed += 1;
        }
    }
    killed
}

/// Waits (up to `timeout`) until no process of the launch is left, then collects
/// the helpers this process adopted.
pub async fn wait_gone(profile: &Path, timeout: std::time::Duration) -> bool {
    let deadline = std::time::Instant::now() + timeout;
    let gone = loop {
        if let Some(gone) = gone_yet(profile, deadline) {
            break gone;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    reap::reap_adopted();
    gone
}

/// Waits (up to `timeout`) until no process of process group `group` is left,
/// running or dead and uncollected, collecting what this process adopted meanwhile:
/// a helper that never carried the launch's marker (Chromium's crash handler) ends
/// with its group, and is collected before the command that started it returns.
pub async fn wait_group_gone(group: u32, timeout: std::time::Duration) -> bool {
    let deadline = std::time::Instant::now() + timeout;
    loop {
        reap::reap_adopted();
        if !reap::table().iter().any(|p| p.pgrp == group) {
            return true;
        }
        if std::time::Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
}

/// [`wait_gone`] for the guard's `Drop`, which cannot await: a blocking wait, as
/// short as the kill allows (milliseconds as a rule), bounded by `timeout`.
fn wait_gone_blocking(profile: &Path, timeout: std::time::Duration) -> bool {
    let deadline = std::time::Instant::now() + timeout;
    let gone = loop {
        if let Some(gone) = gone_yet(profile, deadline) {
            break gone;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    };
    reap::reap_adopted();
    gone
}

/// One look of those waits: `Some(true)` once no process of the launch is left,
/// `Some(false)` past `deadline`, `None` to look again.
fn gone_yet(profile: &Path, deadline: std::time::Instant) -> Option<bool> {
    if processes_of(profile).is_empty() {
        Some(true)
    } else if std::time::Instant::now() >= deadline {
        Some(false)
    } else {
        None
    }
}

/// Deletes the profile directory (Chromium writes cookies into it).
pub fn remove_profile(profile: &Path) -> std::io::Result<()> {
    match std::fs::remove_dir_all(profile) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        // a helper may still be flushing: once more after the kill
        Err(_) => std::fs::remove_dir_all(profile).or_else(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                Ok(())
            } else {
                Err(e)
            }
        }),
    }
}

/// The daemon whose launch made `profile` (`<label>-w<pid>-<suffix>`).
fn owner_of(profile: &Path) -> Option<u32> {
    let name = profile.file_name()?.to_str()?;
    let mut parts = name.rsplitn(3, '-');
    let _suffix = parts.next()?;
    parts.next()?.strip_prefix('w')?.parse().ok()
}

/// What a crashed daemon left under `profile_root`: profiles whose owning process
/// is gone (and the browsers still using them). Kills those browsers and deletes
/// the profiles — they hold a user's LinkedIn cookies. Returns (profiles removed,
/// processes killed). Profiles of a live daemon are never touched.
pub async fn sweep_orphans(profile_root: &Path) -> (usize, usize) {
    let me = std::process::id();
    let Ok(entries) = std::fs::read_dir(profile_root) else {
        return (0, 0);
    };
    let (mut removed, mut killed) = (0, 0);
    for entry in entries.flatten() {
        let profile = entry.path();
        let Some(owner) = owner_of(&profile) else {
            continue;
        };
        if owner == me || running(owner) {
            continue;
        }
        killed += kill_all(&profile, None, None);
        // SIGKILL is asynchronous; the profile is deleted either way
        wait_gone(&profile, std::time::Duration::from_secs(2)).await;
        match remove_profile(&profile) {
            Ok(()) => removed += 1,
            Err(e) => {
                tracing::warn!(profile = %profile.display(), error = %e, "cannot delete an orphaned browser profile")
            }
        }
    }
    (removed, killed)
}

/// Kills the launch and deletes its profile when dropped, unless the async
/// teardown already did (then it is disarmed).
#[derive(Debug)]
pub struct LaunchGuard {
    /// the profile directory
    pub profile: PathBuf,
    /// the browser's pid (for reports; never signalled by number)
    pub pid: Option<u32>,
    /// the browser, pinned at launch: signalled through this, never by a pid
    pub pidfd: Option<OwnedFd>,
    /// the browser's own process group (the launcher `setsid`s), when it has one
    pub group: Option<u32>,
    armed: bool,
}

impl LaunchGuard {
    /// A guard for a launch using `profile`.
    pub fn new(profile: PathBuf) -> Self {
        Self {
            profile,
            pid: None,
            pidfd: None,
            group: None,
            armed: true,
        }
    }

    /// The async teardown finished: nothing left to do on drop.
    pub fn disarm(&mut self) {
        self.armed = false;
    }
}

impl Drop for LaunchGuard {
    fn drop(&mut self) {
        if !self.armed {
            return;
        }
        let killed = kill_all(&self.profile, self.pidfd.as_ref(), self.group);
        // SIGKILL lands asynchronously: a helper still writing would leave files
        // (cookies) behind a removal made at once
        let gone = wait_gone_blocking(&self.profile, std::time::Duration::from_secs(2));
        let removed = remove_profile(&self.profile);
        tracing::warn!(
            killed,
            all_gone = gone,
            profile_removed = removed.is_ok(),
            "browser torn down by its guard (panic, cancellation or a failed teardown)"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_profile_of_a_dead_owner_is_swept_and_a_live_ones_kept() {
        let root = std::env::temp_dir().join(format!("autoapply-sweep-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        // a pid that is not running: past the kernel's default pid_max
        let dead = root.join("1b4e28ba-2fa1-11d2-883f-0016d3cca427-w4194305-0000abcd");
        let mine = root.join(format!(
            "1b4e28ba-2fa1-11d2-883f-0016d3cca427-w{}-0000abce",
            std::process::id()
        ));
        let other = root.join("not-a-profile");
        for d in [&dead, &mine, &other] {
            std::fs::create_dir_all(d.join("Default")).unwrap();
        }
        assert_eq!(owner_of(&dead), Some(4_194_305));
        assert_eq!(owner_of(&other), None);
        assert_eq!(sweep_orphans(&root).await, (1, 0));
        assert!(!dead.exists() && mine.exists() && other.exists());
        std::fs::remove_dir_all(&root).unwrap();
    }
}
