//! The browser's keeper: a small process forked beside every Chromium that kills
//! the browser's whole process group as soon as its worker can no longer be
//! trusted with it, whatever became of the worker:
//! - the worker ended (exit, panic, `kill -9`): the pipe it writes to closes, and
//!   the keeper kills at once;
//! - the lease's local deadline the worker last told it passed (a worker frozen by
//!   SIGSTOP or a stalled VM): the keeper is not frozen with it and kills then,
//!   at least the lease's margin before another worker can rescue the claim;
//! - [`SILENCE`] went by without a word (a hung runtime; a frozen run without a
//!   lease: replay, the demo, `browser check`).
//!
//! It also ends when the browser ends (its helpers killed with the group).
//!
//! The worker says, every [`BEAT`], how long the browser may live: 8 bytes, the
//! milliseconds left of the lease (`u64::MAX`: no lease; 0: kill now). The keeper is
//! a `fork` without `exec`: in the child only async-signal-safe system calls run
//! (no allocation, no lock, no panic path), so it needs no binary of its own and
//! works wherever the engine runs (the daemon, replay, the tests). Its memory is a
//! copy of the worker's at the fork: it reads none of it, and is made non-dumpable
//! (no core file, no other process of the user may read it).

use std::{
    os::fd::{AsRawFd as _, FromRawFd as _, OwnedFd},
    sync::Arc,
    time::Duration,
};

use tracing::Instrument as _;

use crate::lease::{LeaseClock, SharedLease};

/// How often the worker speaks to the keeper.
pub const BEAT: Duration = Duration::from_secs(1);

/// How long the keeper waits without a word before it kills: ten missed beats.
/// Shorter than every lease's margin past 60 s leases; below that the lease's own
/// deadline, which the worker tells, comes first.
pub const SILENCE: Duration = Duration::from_secs(10);

/// One keeper, seen from the worker.
#[derive(Debug)]
pub struct Keeper {
    pid: libc::pid_t,
    /// our end of the pipe the keeper reads (non-blocking); the beat borrows it
    beats: Option<Arc<OwnedFd>>,
    beat_task: Option<tokio::task::JoinHandle<()>>,
    reaped: bool,
}

/// Milliseconds of the machine's monotonic clock (async-signal-safe).
fn now_ms() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime(2) writes the struct we own
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    (ts.tv_sec as u64)
        .saturating_mul(1000)
        .saturating_add(ts.tv_nsec as u64 / 1_000_000)
}

/// Writes one message: how long the browser may live (`None`: no lease).
fn tell(beats: &OwnedFd, left: Option<Duration>) {
    let ms = left.map_or(u64::MAX, |d| {
        u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
    });
    let bytes = ms.to_le_bytes();
    // SAFETY: write(2) of 8 bytes we own to a descriptor we own; 8 bytes are below
    // PIPE_BUF, so the keeper reads whole messages. A full pipe (a keeper that
    // stopped reading) refuses without blocking: nothing to do about it here.
    unsafe { libc::write(beats.as_raw_fd(), bytes.as_ptr().cast(), bytes.len()) };
}

/// What the keeper may still allow: the lease's time left, `None` without a lease.
fn left_of(lease: &SharedLease) -> Option<Duration> {
    lease
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .as_ref()
        .map(LeaseClock::remaining)
}

impl Keeper {
    /// Forks the keeper of the browser pinned by `browser` (a pidfd), leader of
    /// process group `group`, and starts telling it `lease`'s time left every [`BEAT`].
    pub fn start(browser: &OwnedFd, group: u32, lease: SharedLease) -> std::io::Result<Self> {
        let group = libc::pid_t::try_from(group)
            .ok()
            .filter(|g| *g > 1)
            .ok_or_else(|| std::io::Error::other("no process group to keep"))?;
        let mut ends = [0; 2];
        // SAFETY: pipe2(2) fills the array with two new descriptors we then own
        if unsafe { libc::pipe2(ends.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
            return Err(std::io::Error::last_os_error());
        }
        // SAFETY: fresh descriptors nobody else owns
        let (read_end, write_end) =
            unsafe { (OwnedFd::from_raw_fd(ends[0]), OwnedFd::from_raw_fd(ends[1])) };
        // SAFETY: fcntl(2) on our own descriptor
        unsafe { libc::fcntl(write_end.as_raw_fd(), libc::F_SETFL, libc::O_NONBLOCK) };
        let (reads, browser_fd) = (read_end.as_raw_fd(), browser.as_raw_fd());
        // SAFETY: the child runs only `keep`, which makes async-signal-safe system
        // calls and never returns (it `_exit`s)
        let pid = unsafe { libc::fork() };
        if pid == 0 {
            // SAFETY: in the forked child, as `keep` requires
            unsafe { keep(reads, browser_fd, group) }
        }
        if pid < 0 {
            return Err(std::io::Error::last_os_error());
        }
        drop(read_end);
        let beats = Arc::new(write_end);
        tell(&beats, left_of(&lease));
        let beat_task = {
            // the beat only borrows the pipe's end: dropping ours closes it at once
            let beats = Arc::downgrade(&beats);
            tokio::spawn(
                async move {
                    loop {
                        tokio::time::sleep(BEAT).await;
                        let Some(beats) = beats.upgrade() else {
                            return;
                        };
                        tell(&beats, left_of(&lease));
                    }
                }
                .in_current_span(),
            )
        };
        Ok(Self {
            pid,
            beats: Some(beats),
            beat_task: Some(beat_task),
            reaped: false,
        })
    }

    /// The keeper's pid.
    #[cfg(test)]
    pub fn pid(&self) -> u32 {
        self.pid.unsigned_abs()
    }

    /// Asks the keeper to kill the browser now.
    pub fn kill_now(&self) {
        if let Some(beats) = &self.beats {
            tell(beats, Some(Duration::ZERO));
        }
    }

    /// Lets the keeper go: it kills what is left of the browser's group and ends;
    /// collected here (2 s at most; it takes milliseconds).
    pub async fn finish(mut self) {
        if let Some(task) = self.stop_beating() {
            let _ = task.await;
        }
        for _ in 0..200 {
            if self.try_reap() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        tracing::warn!(
            pid = self.pid,
            "the browser's keeper did not end within 2 s"
        );
    }

    /// Closes our end of the pipe (the keeper sees it close) and ends the beat.
    fn stop_beating(&mut self) -> Option<tokio::task::JoinHandle<()>> {
        self.beats = None;
        let task = self.beat_task.take()?;
        task.abort();
        Some(task)
    }

    /// Collects the keeper if it has ended.
    fn try_reap(&mut self) -> bool {
        if self.reaped {
            return true;
        }
        let mut status = 0;
        // SAFETY: waitpid(2) on our own child, without blocking
        let got = unsafe { libc::waitpid(self.pid, &mut status, libc::WNOHANG) };
        self.reaped = got == self.pid || got < 0;
        self.reaped
    }
}

impl Drop for Keeper {
    fn drop(&mut self) {
        self.stop_beating();
        if !self.try_reap() {
            // the keeper ends within milliseconds of the pipe's close: collected by
            // a thread, never left a zombie, never waited for here
            let pid = self.pid;
            std::thread::spawn(move || {
                let mut status = 0;
                // SAFETY: waitpid(2) on our own child
                unsafe { libc::waitpid(pid, &mut status, 0) };
            });
        }
    }
}

/// The keeper's whole life, in the forked child: only async-signal-safe system
/// calls, no allocation, no panic path.
///
/// # Safety
/// Only in a child just forked; `reads` and `browser` are open descriptors there.
unsafe fn keep(reads: libc::c_int, browser: libc::c_int, group: libc::pid_t) -> ! {
    // SAFETY (the whole body): system calls on descriptors and memory of this child
    unsafe {
        // our two descriptors above both, every other one closed: the worker's
        // sockets, its DevTools pipes and any other keeper's pipe end are not ours
        // to hold open (a held pipe end would hide the worker's death)
        let low = reads.max(browser) + 1;
        if libc::dup2(reads, low) < 0 || libc::dup2(browser, low + 1) < 0 {
            libc::kill(-group, libc::SIGKILL);
            libc::_exit(2);
        }
        libc::close_range(3, (low - 1) as libc::c_uint, 0);
        libc::close_range((low + 2) as libc::c_uint, libc::c_uint::MAX, 0);
        let (reads, browser) = (low, low + 1);
        // a terminal's Ctrl-C or systemd's SIGTERM is for the worker, which tears
        // the browser down and then closes the pipe; SIGKILL still ends the keeper
        for sig in [
            libc::SIGINT,
            libc::SIGTERM,
            libc::SIGHUP,
            libc::SIGQUIT,
            libc::SIGPIPE,
        ] {
            libc::signal(sig, libc::SIG_IGN);
        }
        let mut none: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut none);
        libc::pthread_sigmask(libc::SIG_SETMASK, &none, std::ptr::null_mut());
        libc::prctl(libc::PR_SET_NAME, c"autoapply-keep".as_ptr(), 0, 0, 0);
        // its memory is a copy of the worker's (keys, perhaps a session being
        // used): never dumped, never readable by another process of the user
        libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0);
        let silence = SILENCE.as_millis() as u64;
        let (mut until, mut heard) = (u64::MAX, now_ms());
        let mut buf = [0u8; 64];
        loop {
            let now = now_ms();
            let limit = until.min(heard.saturating_add(silence));
            if now >= limit {
                break;
            }
            let mut fds = [
                libc::pollfd {
                    fd: reads,
                    events: libc::POLLIN,
                    revents: 0,
                },
                libc::pollfd {
                    fd: browser,
                    events: libc::POLLIN,
                    revents: 0,
                },
            ];
            let wait = (limit - now).min(i32::MAX as u64) as libc::c_int;
            if libc::poll(fds.as_mut_ptr(), 2, wait) < 0 {
                if *libc::__errno_location() == libc::EINTR {
                    continue;
                }
                break;
            }
            if fds[1].revents != 0 {
                // the browser ended: its helpers go with its group
                break;
            }
            if fds[0].revents == 0 {
                continue;
            }
            let n = libc::read(reads, buf.as_mut_ptr().cast(), buf.len());
            if n < 0 && *libc::__errno_location() == libc::EINTR {
                continue;
            }
            if n <= 0 {
                // the worker is gone (or closed the pipe to let go)
                break;
            }
            heard = now_ms();
            // whole messages only (writes of 8 bytes are atomic); the last counts
            let whole = (n as usize / 8) * 8;
            if let Some(last) = whole
                .checked_sub(8)
                .and_then(|at| buf.get(at..whole))
                .and_then(|b| <[u8; 8]>::try_from(b).ok())
            {
                until = heard.saturating_add(u64::from_le_bytes(last));
            }
        }
        libc::kill(-group, libc::SIGKILL);
        libc::_exit(0)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    /// A stand-in browser: `sleep` in a process group of its own.
    fn browser() -> (std::process::Child, OwnedFd, u32) {
        use std::os::unix::process::CommandExt as _;
        let mut command = std::process::Command::new("sleep");
        command.arg("60").process_group(0);
        let child = command.spawn().unwrap();
        let pid = child.id();
        let fd = super::super::reap::pidfd(pid).unwrap();
        (child, fd, pid)
    }

    fn ended_within(child: &mut std::process::Child, within: Duration) -> bool {
        let start = std::time::Instant::now();
        while start.elapsed() < within {
            if child.try_wait().unwrap().is_some() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        false
    }

    #[tokio::test]
    async fn the_keeper_kills_when_told_when_the_lease_runs_out_and_when_let_go() {
        // told to kill now
        let (mut child, fd, pid) = browser();
        let keeper = Keeper::start(&fd, pid, SharedLease::default()).unwrap();
        assert!(
            !ended_within(&mut child, Duration::from_millis(300)),
            "kept alive while told"
        );
        keeper.kill_now();
        assert!(ended_within(&mut child, Duration::from_secs(1)));
        keeper.finish().await;

        // a lease whose deadline has passed: killed at the next beat at the latest
        let (mut child, fd, pid) = browser();
        let lease = LeaseClock::starting(std::time::Instant::now(), Duration::from_secs(3));
        let keeper = Keeper::start(&fd, pid, Arc::new(Mutex::new(Some(lease)))).unwrap();
        // a 3 s lease has a 1 s margin: 2 s to act, then the keeper kills
        assert!(!ended_within(&mut child, Duration::from_millis(1500)));
        assert!(ended_within(&mut child, Duration::from_millis(1500)));
        keeper.finish().await;

        // the worker lets go (its end of the pipe closes, as at its death)
        let (mut child, fd, pid) = browser();
        let keeper = Keeper::start(&fd, pid, SharedLease::default()).unwrap();
        let keeper_pid = keeper.pid();
        drop(keeper);
        assert!(ended_within(&mut child, Duration::from_secs(1)));
        std::thread::sleep(Duration::from_millis(200));
        assert!(
            super::super::reap::stat(keeper_pid).is_none(),
            "the keeper ended and was collected"
        );
    }
}
