//! The last line of teardown: find every process of one launch in the process
//! table, kill it, and delete the launch's profile directory. Runs from the async
//! teardown and, as a backstop, from `Drop` (panic, cancellation).

use std::path::{Path, PathBuf};

/// Processes started by one launch, found by the profile directory on their
/// command line (the browser and the helpers that inherit it) and by parentage.
pub fn processes_of(profile: &Path, root_pid: Option<u32>) -> Vec<u32> {
    let marker = format!("--user-data-dir={}", profile.display());
    matching(|arg| arg == marker.as_bytes(), root_pid)
}

/// Processes of every launch whose profile lies under `root` (the demo's check that
/// nothing of its runtime directory is left running).
pub fn processes_under(root: &Path) -> Vec<u32> {
    let marker = format!("--user-data-dir={}/", root.display());
    matching(|arg| arg.starts_with(marker.as_bytes()), None)
}

/// Running processes with a command-line argument that `is_marker` accepts, plus
/// `root_pid`, plus every descendant of those.
fn matching(is_marker: impl Fn(&[u8]) -> bool, root_pid: Option<u32>) -> Vec<u32> {
    let mut table: Vec<(u32, u32, bool)> = Vec::new(); // (pid, ppid, has marker); zombies left out
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    for entry in entries.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
        let has_marker = cmdline.split(|b| *b == 0).any(&is_marker);
        let Some((state, ppid)) = std::fs::read_to_string(entry.path().join("stat"))
            .ok()
            .and_then(|stat| {
                // the command name may contain spaces: fields start after the last ')'
                let mut fields = stat[stat.rfind(')')? + 2..].split(' ');
                let state = fields.next()?.chars().next()?;
                Some((state, fields.next()?.parse::<u32>().ok()?))
            })
        else {
            continue;
        };
        // a zombie has ended; it only waits for its parent to collect it
        if matches!(state, 'Z' | 'X') {
            continue;
        }
        table.push((pid, ppid, has_marker));
    }
    let mut found: Vec<u32> = table
        .iter()
        .filter(|(_, _, m)| *m)
        .map(|(p, _, _)| *p)
        .collect();
    if let Some(root) = root_pid
        && table.iter().any(|(p, _, _)| *p == root)
        && !found.contains(&root)
    {
        found.push(root);
    }
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

/// SIGKILLs every process of the launch; returns how many were signalled.
pub fn kill_all(profile: &Path, root_pid: Option<u32>) -> usize {
    let pids = processes_of(profile, root_pid);
    for pid in &pids {
        if let Ok(pid) = i32::try_from(*pid) {
            // SAFETY: kill(2) with a pid read from /proc; a stale pid is ESRCH
            unsafe {
                libc::kill(pid, libc::SIGKILL);
            }
        }
    }
    pids.len()
}

/// Waits (up to `timeout`) until no process of the launch is left.
pub async fn wait_gone(
    profile: &Path,
    root_pid: Option<u32>,
    timeout: std::time::Duration,
) -> bool {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if processes_of(profile, root_pid).is_empty() {
            return true;
        }
        if tokio::time::Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
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
        killed += kill_all(&profile, None);
        // SIGKILL is asynchronous; the profile is deleted either way
        wait_gone(&profile, None, std::time::Duration::from_secs(2)).await;
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
    /// the browser's pid
    pub pid: Option<u32>,
    armed: bool,
}

impl LaunchGuard {
    /// A guard for a launch using `profile`.
    pub fn new(profile: PathBuf) -> Self {
        Self {
            profile,
            pid: None,
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
        let killed = kill_all(&self.profile, self.pid);
        let removed = remove_profile(&self.profile);
        tracing::warn!(
            killed,
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
