//! No display: the demo re-runs itself on a private Xvfb, passing Ctrl-C and
//! SIGTERM on, and stops the Xvfb after.

use std::{
    os::unix::process::CommandExt as _,
    path::{Path, PathBuf},
    process::{Child, ExitCode, Stdio},
    time::{Duration, Instant},
};

use crate::exit::Failure;

use super::{CHILD_MARKER, fail};

/// No display: start a private Xvfb, run the demo again on it, stop Xvfb. Ctrl-C or
/// SIGTERM is passed on to the demo, which stops cleanly; then Xvfb is stopped.
pub(super) async fn run_on_private_xvfb() -> Result<ExitCode, Failure> {
    use tokio::signal::unix::{SignalKind, signal};
    let (mut xvfb, display) = start_xvfb().await?;
    let exe = std::env::current_exe()
        .map_err(|e| fail(format!("cannot find the autoapply binary: {e}")))?;
    let child = tokio::process::Command::new(exe)
        .args(std::env::args_os().skip(1))
        .env("DISPLAY", &display)
        .env(CHILD_MARKER, "1")
        .spawn();
    let status = match child {
        Ok(mut child) => {
            let (mut int, mut term) = match (
                signal(SignalKind::interrupt()),
                signal(SignalKind::terminate()),
            ) {
                (Ok(i), Ok(t)) => (i, t),
                _ => return Err(fail("cannot handle signals")),
            };
            loop {
                tokio::select! {
                    status = child.wait() => break status,
                    _ = int.recv() => forward_term(&child),
                    _ = term.recv() => forward_term(&child),
                }
            }
        }
        Err(e) => Err(e),
    };
    let _ = xvfb.kill();
    let _ = xvfb.wait();
    let status = status.map_err(|e| fail(format!("cannot run the demo on Xvfb: {e}")))?;
    Ok(ExitCode::from(
        status
            .code()
            .and_then(|c| u8::try_from(c).ok())
            .unwrap_or(1),
    ))
}

pub(super) fn forward_term(child: &tokio::process::Child) {
    if let Some(pid) = child.id().and_then(|p| i32::try_from(p).ok()) {
        // SAFETY: a signal to our own child
        unsafe {
            libc::kill(pid, libc::SIGTERM);
        }
    }
}

pub(super) async fn start_xvfb() -> Result<(Child, String), Failure> {
    let n = (90..190)
        .find(|n| {
            !Path::new(&format!("/tmp/.X11-unix/X{n}")).exists()
                && !Path::new(&format!("/tmp/.X{n}-lock")).exists()
        })
        .ok_or_else(|| fail("no free X display number between :90 and :189"))?;
    let display = format!(":{n}");
    let mut cmd = std::process::Command::new("Xvfb");
    cmd.args([
        display.as_str(),
        "-screen",
        "0",
        "1366x900x24",
        "-nolisten",
        "tcp",
    ])
    .stdin(Stdio::null())
    .stdout(Stdio::null())
    .stderr(Stdio::null());
    // SAFETY: prctl is async-signal-safe; Xvfb ends with the demo whatever happens
    unsafe {
        cmd.pre_exec(|| {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
            Ok(())
        });
    }
    let mut child = cmd.spawn().map_err(|e| {
        fail(format!(
            "there is no display and Xvfb cannot start ({e}): install xvfb (scripts/demo.sh does) or run under a desktop session"
        ))
    })?;
    let socket = PathBuf::from(format!("/tmp/.X11-unix/X{n}"));
    let deadline = Instant::now() + Duration::from_secs(15);
    while !socket.exists() {
        if let Ok(Some(status)) = child.try_wait() {
            return Err(fail(format!("Xvfb {display} exited at start: {status}")));
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err(fail(format!("Xvfb {display} did not start within 15 s")));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    eprintln!("no display: started Xvfb on {display} for the demo");
    Ok((child, display))
}
