//! The systemd notification protocol (`Type=notify`): `READY=1` once the worker
//! is ready, `WATCHDOG=1` from a healthy loop, `STOPPING=1` on shutdown. A few lines
//! over `NOTIFY_SOCKET` rather than a dependency; without the variable (not under
//! systemd) every call does nothing.

use std::{os::unix::net::UnixDatagram, time::Duration};

/// Tasks budgeted per browser (measured ~123 with Debian's Chromium).
pub const TASKS_PER_BROWSER: u64 = 160;
/// Memory budgeted per browser, MiB (measured ~1.2 GiB on LinkedIn-sized pages).
pub const MIB_PER_BROWSER: u64 = 1536;
/// Tasks of the worker itself (tokio's threads, its blocking pool, the X wrapper).
pub const WORKER_TASKS: u64 = 64;
/// Memory of the worker itself, MiB.
pub const WORKER_MIB: u64 = 256;

/// The unit's `WatchdogSec` for a lease of `lease`: a third of it. The worker pings
/// every half of that from its loop; a worker frozen or hung is killed by systemd at
/// most a third of the lease after its last ping, while its lease, renewed every
/// third, still has at least half of itself left at the database (the run's own
/// margin is a sixth): killed well before the claim can be rescued. The browser's
/// keeper acts sooner still (`browser/keeper.rs`); this is the belt to its braces.
pub fn watchdog_for(lease: Duration) -> Duration {
    lease / 3
}

fn notify(state: &str) {
    let Some(path) = std::env::var_os("NOTIFY_SOCKET") else {
        return;
    };
    let Ok(socket) = UnixDatagram::unbound() else {
        return;
    };
    let bytes = path.as_encoded_bytes();
    let sent = if let Some(name) = bytes.strip_prefix(b"@") {
        // an abstract socket
        use std::os::linux::net::SocketAddrExt as _;
        std::os::unix::net::SocketAddr::from_abstract_name(name)
            .and_then(|addr| socket.send_to_addr(state.as_bytes(), &addr))
    } else {
        socket.send_to(state.as_bytes(), &path)
    };
    if let Err(e) = sent {
        tracing::warn!(error = %e, state, "systemd notification failed");
    }
}

/// Tells systemd the service is ready.
pub fn ready() {
    notify("READY=1");
}

/// Tells systemd the service is stopping.
pub fn stopping() {
    notify("STOPPING=1");
}

/// Keeps systemd's watchdog fed.
pub fn watchdog() {
    notify("WATCHDOG=1");
}

/// Shows a status line in `systemctl status`.
pub fn status(text: &str) {
    notify(&format!("STATUS={text}"));
}

/// How often to feed the watchdog (half its timeout), if one is configured.
///
/// `WATCHDOG_PID` is not compared with our pid: under `doppler run --` the service's
/// main process is the wrapper, and the unit's `NotifyAccess=all` accepts our pings.
pub fn watchdog_interval() -> Option<Duration> {
    let usec: u64 = std::env::var("WATCHDOG_USEC").ok()?.parse().ok()?;
    (usec > 0).then(|| Duration::from_micros(usec / 2))
}
