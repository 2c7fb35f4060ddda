//! Signalling and collecting processes without ever hitting a stranger: a process is
//! signalled through a pidfd opened while it was known to be ours (a reaped and
//! reused pid can no longer be reached through it); Chromium runs in a process group
//! of its own (the launcher `setsid`s), killed whole once a member is seen carrying
//! the launch's marker; and the worker is a child subreaper, so helpers Chromium
//! leaves behind become its children and are collected here, not left as zombies
//! where PID 1 does not reap (containers).

use std::os::fd::{AsRawFd as _, FromRawFd as _, OwnedFd};

/// One process as `/proc/<pid>/stat` says: (pid, state, ppid, pgrp).
pub(super) struct Proc {
    pub pid: u32,
    pub state: char,
    pub ppid: u32,
    pub pgrp: u32,
}

/// `/proc/<pid>/stat`, parsed; `None` when it is gone.
pub(super) fn stat(pid: u32) -> Option<Proc> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // the command name may contain spaces: fields start after the last ')'
    let mut fields = text[text.rfind(')')? + 2..].split(' ');
    let state = fields.next()?.chars().next()?;
    let ppid = fields.next()?.parse().ok()?;
    let pgrp = fields.next()?.parse().ok()?;
    Some(Proc {
        pid,
        state,
        ppid,
        pgrp,
    })
}

/// Every process in the table.
pub(super) fn table() -> Vec<Proc> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(stat)
        .collect()
}

/// A pidfd of `pid`, if it is still there.
pub fn pidfd(pid: u32) -> Option<OwnedFd> {
    let pid = libc::pid_t::try_from(pid).ok()?;
    // SAFETY: pidfd_open(2) returns a new descriptor we own, or -1
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    let fd = i32::try_from(fd).ok().filter(|fd| *fd >= 0)?;
    // SAFETY: a fresh descriptor nobody else owns
    Some(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// SIGKILL through a pidfd: reaches the process it was opened for, or nothing.
pub fn kill_pidfd(fd: &OwnedFd) -> bool {
    // SAFETY: pidfd_send_signal(2) on a descriptor we own; no siginfo
    unsafe {
        libc::syscall(
            libc::SYS_pidfd_send_signal,
            fd.as_raw_fd(),
            libc::SIGKILL,
            std::ptr::null::<libc::siginfo_t>(),
            0,
        ) == 0
    }
}

/// SIGKILL to `pid` if it still is a process that `is_ours` accepts: the pid is
/// pinned by a pidfd first, then checked, then signalled, so a pid reused between the
/// table's reading and the kill is never hit.
pub(super) fn kill_if(pid: u32, is_ours: impl Fn(u32) -> bool) -> bool {
    let Some(fd) = pidfd(pid) else {
        return false;
    };
    is_ours(pid) && kill_pidfd(&fd)
}

/// SIGKILL to the process group `pgid`, once a live member of it is seen that
/// `is_ours` accepts (so the group still is the launch's, not a reused id). Returns
/// how many live members it had.
pub(super) fn kill_group_if(pgid: u32, is_ours: impl Fn(u32) -> bool) -> usize {
    // never our own group (a launcher without setsid leaves Chromium in it)
    if stat(std::process::id()).is_none_or(|me| me.pgrp == pgid) {
        return 0;
    }
    let members: Vec<u32> = table()
        .into_iter()
        .filter(|p| p.pgrp == pgid && !matches!(p.state, 'Z' | 'X'))
        .map(|p| p.pid)
        .collect();
    let Ok(group) = libc::pid_t::try_from(pgid) else {
        return 0;
    };
    // SAFETY: kill(2) on a group one of whose live members is ours
    if group > 1
        && members.iter().any(|p| is_ours(*p))
        && unsafe { libc::kill(-group, libc::SIGKILL) } == 0
    {
        members.len()
    } else {
        0
    }
}

/// Makes this process a child subreaper (`PR_SET_CHILD_SUBREAPER`): what its
/// descendants orphan becomes its child, for [`reap_adopted`] to collect.
pub fn become_subreaper() -> std::io::Result<()> {
    // SAFETY: prctl(2) with integer arguments
    if unsafe { libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) } == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// Collects zombies this process adopted: its children that ended, in a process
/// group other than its own, and not the leader of that group (a browser's root is
/// collected by the code that started it). Returns how many.
pub fn reap_adopted() -> usize {
    let me = std::process::id();
    let Some(own_group) = stat(me).map(|p| p.pgrp) else {
        return 0;
    };
    let mut reaped = 0;
    for p in table() {
        if p.ppid != me || p.state != 'Z' || p.pgrp == own_group || p.pid == p.pgrp {
            continue;
        }
        let Ok(pid) = libc::pid_t::try_from(p.pid) else {
            continue;
        };
        let mut status = 0;
        // SAFETY: waitpid(2) on one of our own children, without blocking
        if unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) } == pid {
            reaped += 1;
        }
    }
    reaped
}

/// Collects adopted zombies as they end (on every SIGCHLD) until `cancel`: a
/// browser's helper left behind is gone within moments, not at the next sweep.
pub async fn collect_as_they_end(cancel: tokio_util::sync::CancellationToken) {
    let Ok(mut ended) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::child())
    else {
        tracing::warn!("cannot watch SIGCHLD: adopted helpers are collected by the sweeper only");
        return;
    };
    loop {
        tokio::select! {
            got = ended.recv() => {
                if got.is_none() {
                    return;
                }
                reap_adopted();
            }
            () = cancel.cancelled() => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pidfd_kill_reaches_its_process_only_and_a_group_only_when_ours() {
        let mut sleeper = std::process::Command::new("sleep")
            .arg("30")
            .spawn()
            .unwrap();
        let pid = sleeper.id();
        let fd = pidfd(pid).expect("a live child");
        // not ours by the caller's test: untouched
        assert!(!kill_if(pid, |_| false));
        assert_eq!(kill_group_if(stat(pid).unwrap().pgrp, |_| false), 0);
        assert!(stat(pid).is_some_and(|p| p.state != 'Z'));
        assert!(kill_pidfd(&fd));
        sleeper.wait().unwrap();
        // reaped: the pidfd reaches nothing now, whatever took the number
        assert!(!kill_pidfd(&fd));
    }
}
