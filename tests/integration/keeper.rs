//! A browser never outlives its worker (issue 37): each Chromium's keeper kills it
//! when the worker is killed (at once) or frozen (before its lease can be rescued),
//! and no command leaves a process behind (`replay` ten times under a subreaper
//! that records what outlives it).

use std::time::{Duration, Instant};

use crate::support::{
    apply::{BROWSER, ada_profile, apply_env},
    daemon::{Daemon, browsers_under, wait_for_submission},
    manifest_dir,
};

const COOKIE: &str = "AQEDAKeeperSessionCookie-5e1";

/// The process's state letter, its parent and its name; `None` once it is gone.
fn stat(pid: u32) -> Option<(char, u32, String)> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let name = text[text.find('(')? + 1..text.rfind(')')?].to_owned();
    let mut fields = text[text.rfind(')')? + 2..].split(' ');
    let state = fields.next()?.chars().next()?;
    Some((state, fields.next()?.parse().ok()?, name))
}

fn running(pid: u32) -> bool {
    stat(pid).is_some_and(|(s, _, _)| !matches!(s, 'Z' | 'X'))
}

/// The keepers a worker started: its children named `autoapply-keep`.
fn keepers_of(worker: u32) -> Vec<u32> {
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|p| {
            stat(*p).is_some_and(|(s, parent, name)| {
                parent == worker && name == "autoapply-keep" && !matches!(s, 'Z' | 'X')
            })
        })
        .collect()
}

/// A daemon with its browser open on the replica, waiting for LinkedIn's
/// confirmation of a submitted application (20 s), its keeper beside it.
async fn daemon_with_a_browser_open(
    env: &crate::support::apply::ApplyEnv,
    job: u64,
    extra: &[(&str, &str)],
) -> (Daemon, Vec<u32>, Vec<u32>) {
    let user = env.seed_user(&ada_profile(), COOKIE);
    env.seed_job(user, job);
    env.replica.set_confirm_delay(Duration::from_secs(20));
    let daemon = env.spawn_daemon("kept", extra);
    wait_for_submission(&env.replica, Duration::from_secs(60)).await;
    let browsers = browsers_under(&env.runtime);
    assert!(!browsers.is_empty(), "the browser is open");
    let keepers = keepers_of(daemon.pid());
    assert_eq!(keepers.len(), 1, "one keeper beside the one browser");
    (daemon, browsers, keepers)
}

/// How long until none of `pids` runs (at most `within`); `None` if some still do.
async fn gone_within(pids: &[u32], within: Duration) -> Option<Duration> {
    let start = Instant::now();
    while start.elapsed() < within {
        if !pids.iter().any(|p| running(*p)) {
            return Some(start.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    None
}

#[tokio::test]
async fn a_killed_workers_browser_is_gone_within_a_second() {
    let _one = BROWSER.lock().await;
    let env = apply_env().await;
    let (mut daemon, browsers, keepers) = daemon_with_a_browser_open(&env, 2041, &[]).await;
    // kill -9 of the worker alone: nothing here kills its browser
    daemon.signal(libc::SIGKILL);
    daemon
        .wait_exit(Duration::from_secs(5))
        .await
        .expect("killed");
    let gone = gone_within(&browsers, Duration::from_secs(1)).await;
    let left: Vec<_> = browsers.iter().filter(|p| running(**p)).collect();
    assert!(
        gone.is_some(),
        "browser processes {left:?} still running 1 s after the worker's kill -9"
    );
    assert!(
        gone_within(&keepers, Duration::from_secs(1))
            .await
            .is_some(),
        "the keeper ended after its kill"
    );
    eprintln!(
        "browser gone {:?} after the worker's kill -9",
        gone.unwrap()
    );
}

#[tokio::test]
async fn a_frozen_workers_browser_is_gone_before_its_lease_can_be_rescued() {
    let _one = BROWSER.lock().await;
    let env = apply_env().await;
    // a 6 s lease: renewed every 2 s, acted under until 1 s before its end
    let (daemon, browsers, keepers) =
        daemon_with_a_browser_open(&env, 2042, &[("AUTOAPPLY_LEASE_SECS", "6")]).await;
    let lease_live = "select count(*) from job_applications where lease_expires_at > now()";
    assert_eq!(env.app.sql(lease_live), "1", "the run holds its lease");
    // SIGSTOP of the worker alone: its browser and keeper run on
    daemon.signal(libc::SIGSTOP);
    let frozen = Instant::now();
    let mut killed_while_lease_live = None;
    while frozen.elapsed() < Duration::from_secs(8) {
        if !browsers.iter().any(|p| running(*p)) {
            killed_while_lease_live = Some(env.app.sql(lease_live) == "1");
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let after = frozen.elapsed();
    daemon.signal(libc::SIGCONT);
    assert_eq!(
        killed_while_lease_live,
        Some(true),
        "the frozen worker's browser must be gone while its lease still holds at the \
         database (gone: {}, after {after:?})",
        killed_while_lease_live.is_some()
    );
    // the lease's local deadline: at most the lease less its 1 s margin after the
    // freeze (the last renewal came before it)
    assert!(
        after <= Duration::from_millis(5_500),
        "gone after {after:?}"
    );
    eprintln!("frozen worker's browser gone {after:?} after the freeze");
    assert!(
        gone_within(&keepers, Duration::from_secs(1))
            .await
            .is_some(),
        "the keeper ended with its browser"
    );
    // woken, the worker lets go without touching the page; it goes on serving
    let mut daemon = daemon;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(
        daemon.running(),
        "the woken worker runs on:\n{}",
        daemon.logs()
    );
    daemon.stop().await;
}

/// Runs `command` under `scripts/outlives.py`: a child subreaper that, once the
/// command has exited, reports every process it adopted (what the command started
/// and left behind, alive or dead and never collected by it).
fn outlives(report: &std::path::Path) -> std::process::Command {
    let mut cmd = std::process::Command::new("python3");
    cmd.arg(manifest_dir().join("scripts/outlives.py"))
        .arg(report)
        .arg("--");
    cmd
}

fn report_of(path: &std::path::Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap_or_default()).unwrap_or_else(|e| {
        panic!(
            "no report from scripts/outlives.py at {}: {e}",
            path.display()
        )
    })
}

#[tokio::test]
async fn replay_leaves_no_process_behind_in_ten_runs() {
    let _one = BROWSER.lock().await;
    let env = apply_env().await;
    let user = env.seed_user(&ada_profile(), COOKIE);
    let report = env.storage.join("outlives.json");
    // the positive control: a command that leaves a process behind is caught
    let control = outlives(&report)
        .args(["sh", "-c", "sleep 3 & exit 0"])
        .status()
        .unwrap();
    assert!(control.success());
    let control = report_of(&report);
    assert!(
        control["left"]
            .as_array()
            .is_some_and(|l| l.iter().any(|p| p["name"] == "sleep")),
        "the harness sees what outlives a command: {control}"
    );
    let mut outlived = Vec::new();
    for run in 0..10u64 {
        let id = env.seed_job(user, 2050 + run);
        let replay = env.autoapply("outlives", &[]);
        let mut wrapped = tokio::process::Command::from(outlives(&report));
        wrapped
            .arg(replay.get_program())
            .arg("replay")
            .arg(id.to_string())
            .env_clear()
            .envs(replay.get_envs().filter_map(|(k, v)| Some((k, v?))))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped());
        let out = wrapped.output().await.unwrap();
        let found = report_of(&report);
        assert_eq!(
            found["code"],
            0,
            "replay {run}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let left = found["left"].as_array().cloned().unwrap_or_default();
        if !left.is_empty() {
            outlived.push((run, left));
        }
    }
    assert!(
        outlived.is_empty(),
        "processes replay started outlived it (run, what): {outlived:?}"
    );
    assert_eq!(
        env.replica.submissions().len(),
        10,
        "ten applications went in"
    );
}

#[tokio::test]
async fn the_daemons_shutdown_leaves_no_process_behind() {
    let _one = BROWSER.lock().await;
    let env = apply_env().await;
    let user = env.seed_user(&ada_profile(), COOKIE);
    env.seed_job(user, 2061);
    // the application waits for LinkedIn's confirmation when the stop comes
    env.replica.set_confirm_delay(Duration::from_secs(5));
    let report = env.storage.join("outlives-daemon.json");
    let daemon = env.autoapply("down", &[]);
    let mut wrapped = outlives(&report);
    wrapped
        .arg(daemon.get_program())
        .arg("run")
        .env_clear()
        .envs(daemon.get_envs().filter_map(|(k, v)| Some((k, v?))))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    let mut under = wrapped.spawn().unwrap();
    wait_for_submission(&env.replica, Duration::from_secs(60)).await;
    assert!(
        !browsers_under(&env.runtime).is_empty(),
        "a browser is open"
    );
    // SIGTERM, passed on to the worker, which drains and stops
    unsafe { libc::kill(under.id() as i32, libc::SIGTERM) };
    let status = tokio::task::spawn_blocking(move || under.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(status.success(), "the worker stopped cleanly: {status:?}");
    let found = report_of(&report);
    assert_eq!(
        found["left"],
        serde_json::json!([]),
        "the daemon's shutdown left processes behind"
    );
    assert_eq!(
        env.replica.submissions().len(),
        1,
        "the application went in"
    );
}
