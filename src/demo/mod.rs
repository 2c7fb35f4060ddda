//! `autoapply demo`: the whole pipeline on one machine, with nothing to set up.
//!
//! It generates a throwaway session key, starts the bundled LinkedIn replica on
//! 127.0.0.1, creates an embedded SQLite store in the demo directory, seeds three demo
//! users (encrypted sessions, a profile with answers, a résumé) and nine
//! applications, runs the real worker loop over them in a visible Chromium (on a
//! private Xvfb when there is no display), answers the question two of them stopped
//! on (as `autoapply answer --file` does) and watches them go, prints a summary table
//! and checks that every application ended where it should and that no browser is
//! left. Exit 0 when all is as expected, 1 otherwise.

mod answer;
mod seed;
mod summary;
mod xvfb;

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
    process::ExitCode,
    time::{Duration, Instant},
};

use tracing::Instrument as _;

use crate::{
    config::Config,
    domain::ApplicationId,
    exit::{self, Failure},
    replica::{Replica, sensor::SensorReport},
    session::SessionKey,
    store::sqlite::SqliteStore,
};

use self::{
    seed::seed,
    summary::{run_durations, summary, watch},
    xvfb::run_on_private_xvfb,
};

/// Set in the environment of the re-executed demo that runs on our own Xvfb.
const CHILD_MARKER: &str = "AUTOAPPLY_DEMO_ON_XVFB";
/// A file that marks a directory as the demo's own (so a rerun may empty it).
const DIR_MARKER: &str = ".autoapply-demo";
/// How long the demo waits for the worker before giving up (each of its two rounds:
/// the applications, then those the answer queued again).
const DEADLINE: Duration = Duration::from_secs(600);

/// Arguments of `demo`.
#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// where the demo keeps its database, screenshots and browser profiles (emptied
    /// first when it is a previous demo's directory)
    #[arg(long, value_name = "DIR", default_value = "autoapply-demo")]
    pub dir: PathBuf,
    /// scale of the human waits: 1 is the production pace (about a minute for the
    /// demo), 0 as fast as the browser goes
    #[arg(long, default_value_t = 1.0)]
    pub pacing: f64,
}

fn fail(message: impl Into<String>) -> Failure {
    Failure {
        code: exit::CONFIG,
        message: message.into(),
    }
}

/// Runs the demo.
pub async fn run(args: DemoArgs) -> Result<ExitCode, Failure> {
    if crate::browser::check_display().is_err() && std::env::var_os(CHILD_MARKER).is_none() {
        return run_on_private_xvfb().await;
    }
    let dir = prepare_dir(&args.dir)?;
    let started = Instant::now();
    let log = log_to_file(&dir)?;

    // a throwaway key: the demo's sessions are encrypted like real ones
    let key_bytes: [u8; 32] = rand::random();
    let key_hex = zeroize::Zeroizing::new(hex::encode(key_bytes));
    let agent_secret = zeroize::Zeroizing::new(hex::encode(rand::random::<[u8; 16]>()));
    let replica = Replica::start("127.0.0.1:0".parse().expect("a socket address"))
        .await
        .map_err(|e| fail(format!("cannot start the LinkedIn replica: {e}")))?;
    let config = demo_config(&args, &dir, &key_hex, &agent_secret, &replica)?;
    if !config.browser_path.is_file() {
        return Err(fail(format!(
            "{} not found: install Chromium (scripts/demo.sh does) or set AUTOAPPLY_BROWSER_PATH",
            config.browser_path.display()
        )));
    }
    let engine = crate::apply::Engine::from_config(&config).map_err(|e| fail(e.to_string()))?;
    // as the daemon: what Chromium orphans is collected here
    let _ = crate::browser::reap::become_subreaper();
    let store = SqliteStore::open(&config.sqlite_path).map_err(|e| fail(e.to_string()))?;

    print_header(&replica, &store, &log);
    let key = SessionKey::from_bytes(key_bytes);
    let seeded = seed(&store, &key, &config).await?;
    drop(key);
    println!("  queued    {} applications\n", seeded.len());

    let cancel =
        crate::shutdown::on_signals().map_err(|e| fail(format!("cannot handle signals: {e}")))?;
    // the daemon's worker, one application at a time, every step kept
    let worker =
        crate::run::start_worker(&config, store.clone(), engine, cancel.clone(), true).worker;
    let loop_task = tokio::spawn(worker.run(cancel.clone()).in_current_span());
    let mut finished = watch(&store, &seeded, &cancel, false).await;
    // the user answers the question two applications wait on; they go again
    if !cancel.is_cancelled() && finished.len() == seeded.len() {
        let again = answer::answer_from_file(&store, &dir, &seeded).await?;
        let later = watch(&store, &again, &cancel, true).await;
        finished.retain(|(id, _)| !again.iter().any(|(a, _)| a == id));
        finished.extend(later);
    }
    // Ctrl-C or SIGTERM before every application ended (the worker stops at a safe
    // point and gives unfinished claims back)
    let interrupted = cancel.is_cancelled();
    cancel.cancel();
    if loop_task.await.is_err() {
        return Err(fail("the worker loop panicked"));
    }
    // what a site's anti-automation script saw on every page (the replica's sensor)
    let seen = SensorReport::merged(&replica.sensor_reports());
    drop(replica);

    let durations = run_durations(&store).await;
    let left = crate::browser::leftovers::processes_under(&config.runtime_dir);
    let ok = summary(&store, &seeded, &durations, &config, &left).await?;
    println!("{}; BotD: {}", seen.summary(), seen.botd_verdict());
    Ok(verdict(
        &finished,
        seeded.len(),
        ok,
        &left,
        interrupted,
        started,
    ))
}

/// Every log record from now on goes to `<dir>/autoapply.log`, not the terminal.
fn log_to_file(dir: &Path) -> Result<PathBuf, Failure> {
    let log = dir.join("autoapply.log");
    crate::telemetry::log_to_file(&log)
        .map_err(|e| fail(format!("cannot write {}: {e}", log.display())))?;
    Ok(log)
}

/// What the demo runs on.
fn print_header(replica: &Replica, store: &SqliteStore, log: &Path) {
    println!("autoapply demo");
    println!(
        "  replica   {} (LinkedIn's markup, on this machine)",
        replica.origin()
    );
    println!("  store     {} (embedded SQLite)", store.path().display());
    println!("  log       {} (every log record)", log.display());
    println!(
        "  display   {} (a visible Chromium)",
        std::env::var("DISPLAY").unwrap_or_default()
    );
}

/// The configuration the demo runs with: its throwaway secrets, its directory, the
/// replica as the site, fast polling; the selectors by the rule every command
/// follows (the built-in file outside the repository).
fn demo_config(
    args: &DemoArgs,
    dir: &Path,
    key_hex: &str,
    agent_secret: &str,
    replica: &Replica,
) -> Result<Config, Failure> {
    let mut vars: HashMap<&str, String> = HashMap::from([
        ("AES_SESSION_KEY", key_hex.to_owned()),
        ("AGENT_SECRET", agent_secret.to_owned()),
        ("AUTOAPPLY_STORAGE_ROOT", dir.display().to_string()),
        (
            "AUTOAPPLY_RUNTIME_DIR",
            dir.join("run").display().to_string(),
        ),
        ("AUTOAPPLY_SITE_ORIGIN", replica.origin().to_string()),
        ("AUTOAPPLY_PACING_SCALE", args.pacing.to_string()),
        ("AUTOAPPLY_NAVIGATIONS_PER_MINUTE", "60".into()),
        ("AUTOAPPLY_USER_SPACING_SECS", "0".into()),
        ("AUTOAPPLY_POLL_INTERVAL_SECS", "1".into()),
        ("AUTOAPPLY_SUCCESS_SCREENSHOTS", "true".into()),
        ("AUTOAPPLY_WORKER_ID", "demo".into()),
    ]);
    for name in ["AUTOAPPLY_BROWSER_PATH", "AUTOAPPLY_SELECTORS_DIR"] {
        if let Ok(v) = std::env::var(name) {
            vars.insert(name, v);
        }
    }
    let (config, _) = Config::from_env(&|name| vars.get(name).cloned());
    let config = config.map_err(|e| fail(e.to_string()))?;
    config.selectors.announce();
    Ok(config)
}

/// The last line, and the exit code: 130 interrupted, 1 when an application did
/// not end as expected (or in time) or a browser is left, 0 otherwise.
fn verdict(
    finished: &[(ApplicationId, bool)],
    seeded: usize,
    ok: bool,
    left: &[u32],
    interrupted: bool,
    started: Instant,
) -> ExitCode {
    let good = finished.iter().filter(|(_, good)| *good).count();
    let browsers = if left.is_empty() {
        "no browser process is left".to_owned()
    } else {
        format!("browser processes LEFT: {left:?}")
    };
    let seconds = started.elapsed().as_secs_f64();
    if interrupted {
        println!(
            "\ninterrupted after {seconds:.0} s: {} of {} applications had ended ({good} as expected); \
             the worker stopped at a safe point and gave the others back to the queue; {browsers}",
            finished.len(),
            seeded,
        );
        return ExitCode::from(130);
    }
    if finished.len() < seeded {
        println!(
            "\nonly {} of {} applications ended within {} s ({good} as expected); {browsers}",
            finished.len(),
            seeded,
            DEADLINE.as_secs(),
        );
        return ExitCode::from(1);
    }
    println!(
        "\n{good} of {} applications ended as expected in {seconds:.0} s; {browsers}",
        seeded,
    );
    ExitCode::from(if ok && left.is_empty() { 0 } else { 1 })
}

/// Creates (or empties, when it is a previous demo's) the demo directory.
fn prepare_dir(dir: &Path) -> Result<PathBuf, Failure> {
    use std::os::unix::fs::DirBuilderExt as _;
    let dir = std::path::absolute(dir).map_err(|e| fail(format!("{}: {e}", dir.display())))?;
    if dir.exists() {
        let ours = dir.join(DIR_MARKER).exists();
        let empty = std::fs::read_dir(&dir)
            .map(|mut d| d.next().is_none())
            .unwrap_or(false);
        if !ours && !empty {
            return Err(fail(format!(
                "{} exists and is not a demo directory: pass --dir with a new or empty directory",
                dir.display()
            )));
        }
        std::fs::remove_dir_all(&dir)
            .map_err(|e| fail(format!("cannot empty {}: {e}", dir.display())))?;
    }
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(&dir)
        .map_err(|e| fail(format!("cannot create {}: {e}", dir.display())))?;
    std::fs::write(
        dir.join(DIR_MARKER),
        "autoapply demo directory; `autoapply demo` empties it\n",
    )
    .map_err(|e| fail(format!("cannot write in {}: {e}", dir.display())))?;
    Ok(dir)
}
