//! `autoapply demo`: the whole pipeline on one machine, with nothing to set up.
//!
//! It generates a throwaway session key, starts the bundled LinkedIn replica on
//! 127.0.0.1, creates an embedded SQLite store in the demo directory, seeds two demo
//! users (encrypted sessions, a profile with answers, a résumé) and four
//! applications, runs the real worker loop over them in a visible Chromium (on a
//! private Xvfb when there is no display), prints a summary table and checks that
//! every application ended where it should and that no browser is left. Exit 0 when
//! all is as expected, 1 otherwise.

use std::{
    collections::{HashMap, HashSet},
    os::unix::process::CommandExt as _,
    path::{Path, PathBuf},
    process::{Child, ExitCode, Stdio},
    sync::Arc,
    time::{Duration, Instant},
};

use tokio_util::sync::CancellationToken;
use tracing::Instrument as _;

use crate::{
    config::Config,
    domain::{ApplicationId, ApplicationStatus, Platform, UserId},
    exit::{self, Failure},
    replica::{Replica, jobs},
    session::{self, SessionKey},
    store::{Enqueued, NewApplication, NewSession, Store, StoreAdmin, sqlite::SqliteStore},
};

/// Set in the environment of the re-executed demo that runs on our own Xvfb.
const CHILD_MARKER: &str = "AUTOAPPLY_DEMO_ON_XVFB";
/// A file that marks a directory as the demo's own (so a rerun may empty it).
const DIR_MARKER: &str = ".autoapply-demo";
/// Demo users' LinkedIn sessions on the replica.
const ADA_LI_AT: &str = "demo-ada-session";
const GRACE_LI_AT: &str = "revoked-demo-grace-session";
/// How long the demo waits for the worker before giving up.
const DEADLINE: Duration = Duration::from_secs(300);
/// `selectors/linkedin.toml` as shipped, for a demo run outside the repository.
const SHIPPED_SELECTORS: &str = include_str!("../selectors/linkedin.toml");

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

/// One demo application: who, which replica job, and where it must end.
struct Case {
    user: &'static str,
    job: u64,
    expect: (ApplicationStatus, Option<&'static str>),
    what: &'static str,
}

const CASES: [Case; 4] = [
    Case {
        user: "ada",
        job: 1002,
        expect: (ApplicationStatus::Submitted, None),
        what: "multi-step Easy Apply, every answer from the profile",
    },
    Case {
        user: "ada",
        job: 1011,
        expect: (ApplicationStatus::NeedsUser, Some("unknown_questions")),
        what: "a required question the profile cannot answer",
    },
    Case {
        user: "ada",
        job: 1003,
        expect: (ApplicationStatus::Skipped, Some("already_applied")),
        what: "LinkedIn shows the job as already applied",
    },
    Case {
        user: "grace",
        job: 1001,
        expect: (ApplicationStatus::NeedsUser, Some("session_expired")),
        what: "LinkedIn logged the user's session out",
    },
];

/// A cookie export as a browser extension writes it, for the site's real host (the
/// worker moves the cookies to the replica's origin, as it does for real exports).
fn cookie_export(li_at: &str) -> serde_json::Value {
    let site = crate::site::SiteSpec::parse(Path::new("linkedin.toml"), SHIPPED_SELECTORS)
        .expect("the shipped selector file is valid");
    let domain = format!(".{}", site.origin.host_str().unwrap_or_default());
    serde_json::json!({
        "cookies": [
            {"domain": domain, "expirationDate": 4102444800.0, "httpOnly": true, "name": "li_at",
             "path": "/", "sameSite": "no_restriction", "secure": true, "session": false, "value": li_at},
            {"domain": domain, "expirationDate": 4102444800.0, "httpOnly": false, "name": "JSESSIONID",
             "path": "/", "sameSite": "no_restriction", "secure": true, "session": false, "value": "\"ajax:0000000000\""}
        ],
        "user_agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
    })
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

    // a throwaway key: the demo's sessions are encrypted like real ones
    let key_bytes: [u8; 32] = rand::random();
    let key_hex = zeroize::Zeroizing::new(hex::encode(key_bytes));
    let agent_secret = zeroize::Zeroizing::new(hex::encode(rand::random::<[u8; 16]>()));
    let replica = Replica::start("127.0.0.1:0".parse().expect("a socket address"))
        .await
        .map_err(|e| fail(format!("cannot start the LinkedIn replica: {e}")))?;
    let mut vars: HashMap<&str, String> = HashMap::from([
        ("AES_SESSION_KEY", key_hex.to_string()),
        ("AGENT_SECRET", agent_secret.to_string()),
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
    if !vars.contains_key("AUTOAPPLY_SELECTORS_DIR")
        && !Path::new("selectors/linkedin.toml").is_file()
    {
        // run outside the repository: the demo uses the selector file built into the
        // binary (the shipped one), written into its own directory
        let selectors = dir.join("selectors");
        std::fs::create_dir_all(&selectors)
            .and_then(|()| std::fs::write(selectors.join("linkedin.toml"), SHIPPED_SELECTORS))
            .map_err(|e| fail(format!("{}: {e}", selectors.display())))?;
        vars.insert("AUTOAPPLY_SELECTORS_DIR", selectors.display().to_string());
    }
    let (config, _) = Config::from_env(&|name| vars.get(name).cloned());
    let config = config.map_err(|e| fail(e.to_string()))?;
    drop(vars);
    if !config.browser_path.is_file() {
        return Err(fail(format!(
            "{} not found: install Chromium (scripts/demo.sh does) or set AUTOAPPLY_BROWSER_PATH",
            config.browser_path.display()
        )));
    }
    let engine = crate::apply::Engine::from_config(&config).map_err(|e| fail(e.to_string()))?;
    let store = SqliteStore::open(&config.sqlite_path).map_err(|e| fail(e.to_string()))?;

    println!("autoapply demo");
    println!(
        "  replica   {} (LinkedIn's markup, on this machine)",
        replica.origin()
    );
    println!("  store     {} (embedded SQLite)", store.path().display());
    println!(
        "  display   {} (a visible Chromium)",
        std::env::var("DISPLAY").unwrap_or_default()
    );
    let key = SessionKey::from_bytes(key_bytes);
    let seeded = seed(&store, &key, &config, &dir).await?;
    drop(key);
    println!("  queued    {} applications\n", seeded.len());

    let settings = crate::daemon::worker::WorkerSettings {
        worker_id: config.worker_id.clone(),
        concurrency: 1,
        poll_interval: config.poll_interval,
        lease: config.lease,
        sweep_interval: config.sweep_interval,
        user_spacing: config.user_spacing,
        screenshots_dir: config.screenshots_dir(),
        step_screenshots: true,
    };
    let metrics = Arc::new(crate::metrics::Metrics::default());
    let worker =
        crate::daemon::worker::Worker::new(store.clone(), Arc::new(engine), settings, metrics);
    let cancel =
        crate::shutdown::on_signals().map_err(|e| fail(format!("cannot handle signals: {e}")))?;
    let stop = cancel.clone();
    let loop_task = tokio::spawn(
        worker
            .run(stop)
            .instrument(tracing::info_span!("worker", worker.id = "demo")),
    );
    let finished = watch(&store, &seeded, &cancel).await;
    // Ctrl-C or SIGTERM before every application ended (the worker stops at a safe
    // point and gives unfinished claims back)
    let interrupted = cancel.is_cancelled();
    cancel.cancel();
    if loop_task.await.is_err() {
        return Err(fail("the worker loop panicked"));
    }
    drop(replica);

    let durations = run_durations(&store).await;
    let left = crate::browser::teardown::processes_under(&config.runtime_dir);
    let ok = summary(&store, &seeded, &durations, &config, &left).await?;
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
            seeded.len(),
        );
        return Ok(ExitCode::from(130));
    }
    if finished.len() < seeded.len() {
        println!(
            "\nonly {} of {} applications ended within {} s ({good} as expected); {browsers}",
            finished.len(),
            seeded.len(),
            DEADLINE.as_secs(),
        );
        return Ok(ExitCode::from(1));
    }
    println!(
        "\n{good} of {} applications ended as expected in {seconds:.0} s; {browsers}",
        seeded.len(),
    );
    Ok(ExitCode::from(if ok && left.is_empty() { 0 } else { 1 }))
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

/// Two users, their sessions and profile, and the four applications.
async fn seed(
    store: &SqliteStore,
    key: &SessionKey,
    config: &Config,
    dir: &Path,
) -> Result<Vec<(ApplicationId, &'static Case)>, Failure> {
    let store_err = |e: crate::store::StoreError| Failure {
        code: exit::STORE,
        message: e.to_string(),
    };
    let resume = dir.join("resume-ada-lovelace.pdf");
    std::fs::write(
        &resume,
        b"%PDF-1.4\n% Ada Lovelace, curriculum vitae (demo)\n",
    )
    .map_err(|e| fail(format!("cannot write {}: {e}", resume.display())))?;
    let mut users = HashMap::new();
    for (name, li_at) in [("ada", ADA_LI_AT), ("grace", GRACE_LI_AT)] {
        let user = UserId::new_random();
        let export = zeroize::Zeroizing::new(cookie_export(li_at).to_string());
        let sealed = session::encrypt(key, config.session_encoding, export.as_bytes());
        store
            .put_session(&NewSession {
                user_id: user,
                platform: Platform::Linkedin,
                sealed,
                user_agent: None,
            })
            .await
            .map_err(store_err)?;
        let mut profile = crate::domain::profile::example();
        if name == "grace" {
            profile["contact"]["first_name"] = "Grace".into();
            profile["contact"]["last_name"] = "Hopper".into();
        }
        store
            .put_profile(user, &profile, Some(&resume.display().to_string()))
            .await
            .map_err(store_err)?;
        users.insert(name, user);
    }
    let mut seeded = Vec::new();
    for case in &CASES {
        let new = NewApplication {
            user_id: users[case.user],
            job_url: Replica::linkedin_job_url(case.job),
            external_job_id: case.job.to_string(),
            max_attempts: 3,
        };
        let (Enqueued::Added(row) | Enqueued::Exists(row)) =
            store.enqueue(&new).await.map_err(store_err)?;
        seeded.push((row.id, case));
    }
    Ok(seeded)
}

fn settled(status: ApplicationStatus) -> bool {
    !matches!(
        status,
        ApplicationStatus::Queued | ApplicationStatus::Claimed | ApplicationStatus::Submitting
    )
}

/// Waits until every demo application has settled, printing each as it does.
async fn watch(
    store: &SqliteStore,
    seeded: &[(ApplicationId, &'static Case)],
    cancel: &CancellationToken,
) -> Vec<(ApplicationId, bool)> {
    let catalog = jobs::catalog();
    let deadline = Instant::now() + DEADLINE;
    let mut done: Vec<(ApplicationId, bool)> = Vec::new();
    let mut seen: HashSet<ApplicationId> = HashSet::new();
    while done.len() < seeded.len() && Instant::now() < deadline && !cancel.is_cancelled() {
        for (id, case) in seeded {
            if seen.contains(id) {
                continue;
            }
            let Ok(Some(row)) = store.application(*id).await else {
                continue;
            };
            if !settled(row.status) {
                continue;
            }
            seen.insert(*id);
            let good = (row.status, row.reason.as_deref()) == case.expect;
            let title = catalog
                .iter()
                .find(|j| j.id == case.job)
                .map_or("?", |j| j.title);
            println!(
                "  {} {:<32} {} {}",
                if good { "ok " } else { "!! " },
                format!("{} {title}", case.job),
                row.status,
                row.reason.as_deref().unwrap_or("")
            );
            done.push((*id, good));
        }
        tokio::select! {
            () = tokio::time::sleep(Duration::from_millis(300)) => {}
            () = cancel.cancelled() => {}
        }
    }
    done
}

/// How long each run took, from the `agent_logs` end rows.
async fn run_durations(store: &SqliteStore) -> HashMap<ApplicationId, i64> {
    store.run_durations().await.unwrap_or_default()
}

/// Prints the table; true when every application ended as expected.
async fn summary(
    store: &SqliteStore,
    seeded: &[(ApplicationId, &'static Case)],
    durations: &HashMap<ApplicationId, i64>,
    config: &Config,
    left: &[u32],
) -> Result<bool, Failure> {
    let catalog = jobs::catalog();
    let mut all_good = true;
    println!(
        "\n{:<36}  {:<34}  {:<10}  {:<18}  {:<17}  {:>6}  screenshot",
        "application", "job", "status", "reason", "expected", "time"
    );
    for (id, case) in seeded {
        let row = store
            .application(*id)
            .await
            .map_err(|e| Failure {
                code: exit::STORE,
                message: e.to_string(),
            })?
            .ok_or_else(|| fail(format!("application {id} vanished")))?;
        let good = (row.status, row.reason.as_deref()) == case.expect;
        all_good &= good;
        let title = catalog
            .iter()
            .find(|j| j.id == case.job)
            .map_or("?", |j| j.title);
        let time = durations
            .get(id)
            .map_or("-".to_owned(), |ms| format!("{:.1} s", *ms as f64 / 1000.0));
        let shot = row.screenshot_path.as_deref().unwrap_or("-");
        let shot_ok = row
            .screenshot_path
            .as_deref()
            .is_none_or(|p| Path::new(p).is_file());
        all_good &= shot_ok;
        println!(
            "{id}  {:<34}  {:<10}  {:<18}  {:<17}  {:>6}  {shot}{}",
            format!("{} {title}", case.job),
            row.status.as_str(),
            row.reason.as_deref().unwrap_or("-"),
            if good { "yes" } else { "NO" },
            time,
            if shot_ok { "" } else { " (MISSING)" }
        );
        if let Some(questions) = &row.pending_questions {
            for q in questions.as_array().into_iter().flatten() {
                if let Some(label) = q.get("label").and_then(|l| l.as_str()) {
                    println!("{:<38}question for the user: {label}", "");
                }
            }
        }
        println!("{:<38}({})", "", case.what);
    }
    println!(
        "\nscreenshots: {} (error and success screenshots, and one per form step)",
        config.screenshots_dir().display()
    );
    println!("database:    {}", config.sqlite_path.display());
    if left.is_empty() {
        println!("browsers:    none running");
    }
    Ok(all_good)
}

/// No display: start a private Xvfb, run the demo again on it, stop Xvfb. Ctrl-C or
/// SIGTERM is passed on to the demo, which stops cleanly; then Xvfb is stopped.
async fn run_on_private_xvfb() -> Result<ExitCode, Failure> {
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

fn forward_term(child: &tokio::process::Child) {
    if let Some(pid) = child.id().and_then(|p| i32::try_from(p).ok()) {
        // SAFETY: a signal to our own child
        unsafe {
            libc::kill(pid, libc::SIGTERM);
        }
    }
}

async fn start_xvfb() -> Result<(Child, String), Failure> {
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
