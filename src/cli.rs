//! The command line: argument types and the handlers of the admin commands.
//! `main.rs` parses, sets up logging and calls [`run`].

use std::{io::Read as _, path::PathBuf, process::ExitCode};

use clap::{Args, Parser, Subcommand};
use secrecy::SecretString;
use serde::Deserialize;
use time::OffsetDateTime;
use tokio_util::sync::CancellationToken;
use tracing::Instrument as _;

use crate::{
    config::{Config, Shown},
    domain::{Platform, UserId},
    session::{self, CipherEncoding, EncryptedSession, SessionKey},
    site::SiteSpec,
    store::{AnyStore, Store},
};

/// Exit codes, also listed in `--help`.
pub mod exit {
    /// the command did what was asked
    pub const OK: u8 = 0;
    /// bad arguments or input
    pub const USAGE: u8 = 2;
    /// the configuration is missing or invalid
    pub const CONFIG: u8 = 3;
    /// the stored session cannot be used
    pub const SESSION_UNUSABLE: u8 = 4;
    /// the thing asked for does not exist
    pub const NOT_FOUND: u8 = 5;
    /// the database could not be reached or refused the request
    pub const STORE: u8 = 6;
    /// replay: the application is already submitted (use --dry-run)
    pub const ALREADY_SUBMITTED: u8 = 7;
    /// replay: a live worker holds the application, or its status cannot be replayed
    pub const NOT_CLAIMABLE: u8 = 8;
    /// replay: the global LinkedIn limit for today is reached
    pub const KILL_SWITCH: u8 = 9;
    /// replay: the run ended without the application going in (see status and reason)
    pub const NOT_APPLIED: u8 = 10;
}

const EXIT_CODES: &str = "Exit codes: 0 ok, 2 bad arguments or input (a malformed id), 3 configuration missing or invalid, \
4 stored session unusable, 5 not found, 6 database unreachable or refused, 7 already submitted (replay without --dry-run), \
8 not claimable (a live worker holds it, or it is cancelled), 9 global LinkedIn limit reached, \
10 the replay ended without the application going in (see its status and reason)";

/// autoapply: applies to LinkedIn Easy Apply jobs for job seekers, from a queue in
/// the platform's database. Configuration comes from the environment only.
#[derive(Debug, Parser)]
#[command(name = "autoapply", version, after_help = EXIT_CODES)]
pub struct Cli {
    /// what to do
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the worker (the systemd service): poll the queue and apply, serve the
    /// webhook, until SIGTERM/SIGINT.
    Run,
    /// Re-run one application in the foreground, step by step, through the same code
    /// path as the daemon (claim, kill switch, flow, evidence, finish).
    #[command(after_help = EXIT_CODES)]
    Replay(ReplayArgs),
    /// Configuration commands.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Stored-session commands.
    #[command(subcommand)]
    Session(SessionCommand),
    /// Selector-file commands.
    #[command(subcommand)]
    Selectors(SelectorsCommand),
    /// Add applications, a session (a cookie export, encrypted with AES_SESSION_KEY)
    /// and a profile to the configured store: the embedded SQLite file when
    /// SUPABASE_URL is unset, else Supabase. No SQL needed.
    Enqueue(EnqueueArgs),
    /// Run the whole pipeline on this machine: the bundled LinkedIn replica, an
    /// embedded store, demo users and applications, the real worker loop in a visible
    /// Chromium (on a private Xvfb when there is no display), and a summary. Needs no
    /// configuration; exit 1 when an application did not end as expected.
    Demo(crate::demo::DemoArgs),
}

/// Arguments of `enqueue`.
#[derive(Debug, Args)]
pub struct EnqueueArgs {
    /// the job seeker (a UUID; the platform's user id, or any UUID you choose)
    #[arg(long, value_name = "UUID")]
    pub user_id: String,
    /// a job to apply to: its LinkedIn URL (https://www.linkedin.com/jobs/view/<id>/)
    /// or just the job id; repeat for several
    #[arg(long = "job", value_name = "URL|ID")]
    pub jobs: Vec<String>,
    /// the user's LinkedIn cookies as exported from their browser (JSON: an array of
    /// cookies, or {"cookies": [...], "user_agent": "..."}); `-` reads standard input
    #[arg(long, value_name = "FILE")]
    pub cookies: Option<PathBuf>,
    /// the user agent of the browser the cookies come from (LinkedIn may drop a
    /// session used from another one)
    #[arg(long, value_name = "UA")]
    pub user_agent: Option<String>,
    /// the applicant profile (JSON, the documented schema)
    #[arg(long, value_name = "FILE")]
    pub profile: Option<PathBuf>,
    /// the résumé to upload (with --profile)
    #[arg(long, value_name = "FILE", requires = "profile")]
    pub resume: Option<PathBuf>,
    /// attempts allowed per application
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(i32).range(1..=20))]
    pub max_attempts: i32,
}

/// Arguments of `replay`.
#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// the application's id (a UUID)
    pub application_id: String,
    /// walk every step and stop before Submit; no status changes (it still counts
    /// against the kill switch, and agent_logs records the dry run)
    #[arg(long)]
    pub dry_run: bool,
    /// keep one screenshot per step next to the error screenshot (<id>-step-<n>.png)
    #[arg(long)]
    pub screenshots: bool,
}

/// `autoapply selectors ...`
#[derive(Debug, Subcommand)]
pub enum SelectorsCommand {
    /// Validate every selector file (exit 3 naming the file, key and reason); with
    /// --html, show which selector keys match a page saved from the browser.
    Check(SelectorsCheckArgs),
}

/// Arguments of `selectors check`.
#[derive(Debug, Args)]
pub struct SelectorsCheckArgs {
    /// a saved page (File > Save page as..., or the page's outerHTML)
    #[arg(long, value_name = "FILE")]
    pub html: Option<std::path::PathBuf>,
    /// the selector directory (default: AUTOAPPLY_SELECTORS_DIR or ./selectors)
    #[arg(long, value_name = "DIR")]
    pub dir: Option<std::path::PathBuf>,
}

/// `autoapply config ...`
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print the effective configuration (secrets as <set>/<missing>); exit 3 naming
    /// every missing or invalid variable.
    Check,
}

/// `autoapply session ...`
#[derive(Debug, Subcommand)]
pub enum SessionCommand {
    /// Decrypt a stored session and show its cookie names, domains and expiry (never
    /// a value): is this user's session usable?
    Inspect(InspectArgs),
}

/// Where the session to inspect comes from.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct InspectArgs {
    /// read the user's LinkedIn session from the store
    #[arg(long, value_name = "UUID")]
    pub user_id: Option<String>,
    /// read JSON {"session_encrypted": "...", "session_iv": "..."} from standard input
    /// (needs only AES_SESSION_KEY)
    #[arg(long)]
    pub stdin: bool,
}

/// A command's failure: the message for the operator and the exit code.
#[derive(Debug)]
pub struct Failure {
    /// one of [`exit`]
    pub code: u8,
    /// what went wrong and what to do
    pub message: String,
}

impl Failure {
    pub(crate) fn new(code: u8, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

/// Runs a parsed command.
pub async fn run(cli: Cli) -> Result<ExitCode, Failure> {
    match cli.command {
        Command::Run => run_daemon().await,
        Command::Replay(args) => replay(args).await,
        Command::Config(ConfigCommand::Check) => Ok(config_check()),
        Command::Session(SessionCommand::Inspect(args)) => session_inspect(args).await,
        Command::Selectors(SelectorsCommand::Check(args)) => selectors_check(&args),
        Command::Enqueue(args) => enqueue(args).await,
        Command::Demo(args) => crate::demo::run(args).await,
    }
}

fn print_shown(shown: &[Shown]) {
    let width = shown.iter().map(|s| s.name.len()).max().unwrap_or(0);
    for s in shown {
        let origin = if s.from_env || s.problem.is_some() {
            ""
        } else {
            "  (default)"
        };
        let problem = s
            .problem
            .as_deref()
            .map(|p| format!("  <- {p}"))
            .unwrap_or_default();
        println!("{:width$}  {}{origin}{problem}", s.name, s.value);
    }
}

fn config_check() -> ExitCode {
    let (result, shown) = Config::from_process_env();
    print_shown(&shown);
    match result {
        Ok(config) => {
            match &config.supabase_url {
                Some(url) => println!("\nstore: Supabase at {url}"),
                None => println!(
                    "\nstore: embedded SQLite at {} (SUPABASE_URL is unset)",
                    config.sqlite_path.display()
                ),
            }
            println!("configuration ok");
            ExitCode::from(exit::OK)
        }
        Err(err) => {
            eprintln!("\nconfiguration invalid: {} problem(s)", err.problems.len());
            for (name, problem) in &err.problems {
                eprintln!("  {name}: {problem}");
            }
            ExitCode::from(exit::CONFIG)
        }
    }
}

#[derive(Deserialize)]
struct StdinSession {
    session_encrypted: SecretString,
    session_iv: SecretString,
}

/// The three settings `session inspect --stdin` needs, without the rest.
fn session_settings() -> Result<(SessionKey, CipherEncoding, std::path::PathBuf), Failure> {
    let key = std::env::var("AES_SESSION_KEY")
        .ok()
        .filter(|k| !k.trim().is_empty())
        .ok_or_else(|| Failure::new(exit::CONFIG, "AES_SESSION_KEY: missing (a secret)"))?;
    let key = SessionKey::parse(&SecretString::from(key))
        .map_err(|e| Failure::new(exit::CONFIG, format!("AES_SESSION_KEY: {e}")))?;
    let encoding = match std::env::var("AUTOAPPLY_SESSION_ENCODING") {
        Ok(v) if !v.trim().is_empty() => CipherEncoding::parse(&v).ok_or_else(|| {
            Failure::new(
                exit::CONFIG,
                "AUTOAPPLY_SESSION_ENCODING: must be hex or base64",
            )
        })?,
        _ => CipherEncoding::Hex,
    };
    let dir = std::env::var("AUTOAPPLY_SELECTORS_DIR")
        .ok()
        .filter(|v| !v.trim().is_empty())
        .unwrap_or_else(|| "selectors".into());
    Ok((key, encoding, dir.into()))
}

async fn session_inspect(args: InspectArgs) -> Result<ExitCode, Failure> {
    let (key, encoding, selectors_dir, sealed, user_agent_column) = if args.stdin {
        let (key, encoding, dir) = session_settings()?;
        let mut input = zeroize::Zeroizing::new(String::new());
        std::io::stdin()
            .read_to_string(&mut input)
            .map_err(|e| Failure::new(exit::USAGE, format!("cannot read standard input: {e}")))?;
        let parsed: StdinSession = serde_json::from_str(&input).map_err(|e| {
            Failure::new(
                exit::USAGE,
                format!(
                    "standard input must be JSON {{\"session_encrypted\": \"...\", \"session_iv\": \"...\"}} \
                     (problem at line {}, column {})",
                    e.line(),
                    e.column()
                ),
            )
        })?;
        let sealed = EncryptedSession {
            ciphertext: parsed.session_encrypted,
            iv: parsed.session_iv,
        };
        (key, encoding, dir, sealed, None)
    } else {
        let raw_id = args.user_id.unwrap_or_default();
        let user = UserId::parse(&raw_id).map_err(|e| Failure::new(exit::USAGE, e.to_string()))?;
        let (config, _) = Config::from_process_env();
        let config = config.map_err(|e| Failure::new(exit::CONFIG, e.to_string()))?;
        let store =
            AnyStore::from_config(&config).map_err(|e| Failure::new(exit::STORE, e.to_string()))?;
        let stored = store
            .session(user, Platform::Linkedin)
            .await
            .map_err(|e| Failure::new(exit::STORE, e.to_string()))?
            .ok_or_else(|| {
                Failure::new(
                    exit::NOT_FOUND,
                    format!("no linkedin session stored for user {user}"),
                )
            })?;
        println!("stored status: {}", stored.status.as_str());
        let sealed = EncryptedSession {
            ciphertext: stored.session_encrypted,
            iv: stored.session_iv,
        };
        (
            config.session_key,
            config.session_encoding,
            config.selectors_dir,
            sealed,
            Some(stored.user_agent),
        )
    };
    let site = SiteSpec::load(&selectors_dir, "linkedin")
        .map_err(|e| Failure::new(exit::CONFIG, e.to_string()))?;
    let plaintext = session::decrypt(&key, encoding, &sealed).map_err(|e| {
        tracing::error!(error = %e, "session inspection failed");
        Failure::new(exit::SESSION_UNUSABLE, e.to_string())
    })?;
    let parsed = session::Session::parse(&plaintext, OffsetDateTime::now_utc())
        .map_err(|e| Failure::new(exit::SESSION_UNUSABLE, e.to_string()))?;
    drop(plaintext);
    let summary = parsed.summary();
    let verdict = parsed.require(&site.session.required_cookies);
    drop(parsed);
    for c in &summary.cookies {
        println!(
            "cookie {:<24} domain {:<24} expires {}",
            c.name,
            c.domain,
            c.expires.as_deref().unwrap_or("at end of session")
        );
    }
    for c in &summary.expired {
        println!(
            "cookie {:<24} EXPIRED {}",
            c.name,
            c.expires.as_deref().unwrap_or("?")
        );
    }
    let has_ua = summary.has_user_agent || matches!(user_agent_column, Some(Some(_)));
    println!(
        "user agent: {}",
        if has_ua {
            "present"
        } else {
            "absent (the browser default will be used)"
        }
    );
    match verdict {
        Ok(()) => {
            println!("session usable: yes");
            Ok(ExitCode::from(exit::OK))
        }
        Err(e) => Err(Failure::new(
            exit::SESSION_UNUSABLE,
            format!("session usable: no: {e}"),
        )),
    }
}

fn selectors_check(args: &SelectorsCheckArgs) -> Result<ExitCode, Failure> {
    let dir = args.dir.clone().unwrap_or_else(|| {
        std::env::var("AUTOAPPLY_SELECTORS_DIR")
            .ok()
            .filter(|v| !v.trim().is_empty())
            .unwrap_or_else(|| "selectors".into())
            .into()
    });
    let specs = SiteSpec::load_all(&dir).map_err(|e| Failure::new(exit::CONFIG, e.to_string()))?;
    if specs.is_empty() {
        return Err(Failure::new(
            exit::CONFIG,
            format!("{}: no selector files (*.toml)", dir.display()),
        ));
    }
    for spec in &specs {
        println!(
            "{}/{}.toml: ok (version {}, {} selector keys, {} text keys)",
            dir.display(),
            spec.name,
            spec.version,
            spec.selector_keys().len(),
            spec.text_keys().len()
        );
    }
    let Some(html_path) = &args.html else {
        return Ok(ExitCode::from(exit::OK));
    };
    let html = std::fs::read_to_string(html_path).map_err(|e| {
        Failure::new(
            exit::USAGE,
            format!("cannot read {}: {e}", html_path.display()),
        )
    })?;
    for spec in &specs {
        println!("\n{} against {}:", spec.name, html_path.display());
        let reports = crate::site::check::check_html(spec, &html);
        let matched = reports.iter().filter(|r| r.matched.is_some()).count();
        for r in &reports {
            match &r.matched {
                Some((css, n)) => println!(
                    "  match     {:<32} {css}  ({n} element{})",
                    r.key,
                    if *n == 1 { "" } else { "s" }
                ),
                None => println!("  no match  {:<32}", r.key),
            }
        }
        for (key, phrase) in crate::site::check::check_texts(spec, &html) {
            match phrase {
                Some(p) => println!("  text      {key:<32} \"{p}\""),
                None => println!("  no text   {key:<32}"),
            }
        }
        println!(
            "  {matched} of {} selector keys match this page",
            reports.len()
        );
    }
    Ok(ExitCode::from(exit::OK))
}

async fn run_daemon() -> Result<ExitCode, Failure> {
    use std::os::unix::fs::DirBuilderExt as _;

    let (config, engine) = prepare()?;
    for (dir, mode) in [
        (config.screenshots_dir(), 0o750),
        (config.runtime_dir.clone(), 0o700),
    ] {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(mode)
            .create(&dir)
            .map_err(|e| {
                Failure::new(
                    exit::CONFIG,
                    format!("cannot create {}: {e}", dir.display()),
                )
            })?;
    }
    let (removed, killed) =
        crate::browser::teardown::sweep_orphans(&config.runtime_dir.join("profiles")).await;
    if removed + killed > 0 {
        tracing::warn!(
            profiles = removed,
            processes = killed,
            "deleted browser profiles (and killed browsers) left by a worker that died"
        );
    }
    let store =
        AnyStore::from_config(&config).map_err(|e| Failure::new(exit::STORE, e.to_string()))?;
    let cancel = crate::shutdown::on_signals()
        .map_err(|e| Failure::new(exit::CONFIG, format!("cannot handle signals: {e}")))?;

    // the database must answer before the worker says it is ready; until then, back off
    let mut failures = 0u32;
    loop {
        match store.linkedin_daily_status().await {
            Ok(status) => {
                tracing::info!(
                    store = %store.describe(),
                    used = status.used,
                    limit = status.daily_limit,
                    "database reachable; today's LinkedIn actions"
                );
                break;
            }
            Err(e) => {
                failures += 1;
                let delay =
                    std::time::Duration::from_millis((500u64 << failures.min(7)).min(30_000));
                tracing::warn!(error = %e, failures, retry_in_ms = delay.as_millis() as u64, "database not reachable yet");
                tokio::select! {
                    () = tokio::time::sleep(delay) => {}
                    () = cancel.cancelled() => return Ok(ExitCode::from(exit::OK)),
                }
            }
        }
    }
    let settings = crate::worker::WorkerSettings {
        worker_id: config.worker_id.clone(),
        concurrency: config.concurrency,
        poll_interval: config.poll_interval,
        lease: config.lease,
        sweep_interval: config.sweep_interval,
        user_spacing: config.user_spacing,
        screenshots_dir: config.screenshots_dir(),
        step_screenshots: false,
    };
    let metrics = std::sync::Arc::new(crate::metrics::Metrics::default());
    let engine = std::sync::Arc::new(engine);
    let worker =
        crate::worker::Worker::new(store.clone(), engine.clone(), settings, metrics.clone());
    let tasks = tokio_util::task::TaskTracker::new();
    let listener = tokio::net::TcpListener::bind(config.webhook_addr)
        .await
        .map_err(|e| {
            Failure::new(
                exit::CONFIG,
                format!(
                    "AUTOAPPLY_WEBHOOK_ADDR: cannot listen on {}: {e}",
                    config.webhook_addr
                ),
            )
        })?;
    let state = std::sync::Arc::new(crate::webhook::WebhookState {
        store,
        engine,
        metrics,
        wake: worker.wake_handle(),
        cancel: cancel.clone(),
        agent_secret: config.agent_secret.clone(),
        hmac_secret: config.webhook_hmac_secret.clone(),
        lease: config.lease,
        worker_id: format!("{}-webhook", config.worker_id),
        deadline: config.webhook_deadline,
        max_tick_age: (config.poll_interval * 3).max(std::time::Duration::from_secs(150)),
        selectors_dir: config.selectors_dir.clone(),
        browser_path: config.browser_path.clone(),
        headless: config.headless,
        tasks: tasks.clone(),
    });
    // the server outlives the worker's drain, answering 503 meanwhile
    let server_stop = CancellationToken::new();
    let server = {
        let stop = server_stop.clone();
        let app = crate::webhook::router(state);
        tokio::spawn(
            async move {
                if let Err(e) = axum::serve(listener, app)
                    .with_graceful_shutdown(stop.cancelled_owned())
                    .await
                {
                    tracing::error!(error = %e, "the webhook server stopped");
                }
            }
            .instrument(tracing::info_span!("webhook")),
        )
    };
    crate::systemd::ready();
    tracing::info!(worker = %config.worker_id, concurrency = config.concurrency, webhook = %config.webhook_addr, "worker ready");
    // SIGUSR1 (e.g. `systemctl kill -s USR1 autoapply`) says there is work: look now
    {
        let wake = worker.wake_handle();
        let mut usr1 =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::user_defined1())
                .map_err(|e| Failure::new(exit::CONFIG, format!("cannot handle SIGUSR1: {e}")))?;
        let stop = cancel.clone();
        tokio::spawn(
            async move {
                loop {
                    tokio::select! {
                        Some(()) = usr1.recv() => {
                            tracing::info!("SIGUSR1: looking for work now");
                            wake.notify_one();
                        }
                        () = stop.cancelled() => return,
                    }
                }
            }
            .instrument(tracing::info_span!("wake_signal")),
        );
    }
    worker
        .run(cancel)
        .instrument(tracing::info_span!("worker", worker.id = %config.worker_id))
        .await;
    // applications the webhook started finish (or release) too; meanwhile calls get 503
    tasks.close();
    tasks.wait().await;
    server_stop.cancel();
    let _ = tokio::time::timeout(std::time::Duration::from_secs(10), server).await;
    tracing::info!("worker stopped");
    Ok(ExitCode::from(exit::OK))
}

/// Configuration, selectors, engine, display and browser: what `run` and `replay` need.
fn prepare() -> Result<(Config, crate::apply::Engine), Failure> {
    let (config, _) = Config::from_process_env();
    let config = config.map_err(|e| Failure::new(exit::CONFIG, e.to_string()))?;
    SiteSpec::load_all(&config.selectors_dir)
        .map_err(|e| Failure::new(exit::CONFIG, e.to_string()))?;
    let engine = crate::apply::Engine::from_config(&config)
        .map_err(|e| Failure::new(exit::CONFIG, e.to_string()))?;
    if !config.headless {
        crate::browser::check_display().map_err(|e| Failure::new(exit::CONFIG, e.to_string()))?;
    }
    if !config.browser_path.is_file() {
        return Err(Failure::new(
            exit::CONFIG,
            format!(
                "AUTOAPPLY_BROWSER_PATH: {} not found (install chromium)",
                config.browser_path.display()
            ),
        ));
    }
    Ok((config, engine))
}

async fn replay(args: ReplayArgs) -> Result<ExitCode, Failure> {
    use crate::domain::{ApplicationId, ApplicationStatus};

    let id = ApplicationId::parse(&args.application_id)
        .map_err(|e| Failure::new(exit::USAGE, e.to_string()))?;
    let (config, engine) = prepare()?;
    let store =
        AnyStore::from_config(&config).map_err(|e| Failure::new(exit::STORE, e.to_string()))?;
    let application = store
        .application(id)
        .await
        .map_err(|e| Failure::new(exit::STORE, e.to_string()))?
        .ok_or_else(|| Failure::new(exit::NOT_FOUND, format!("no application {id}")))?;
    if application.status == ApplicationStatus::Submitted && !args.dry_run {
        return Err(Failure::new(
            exit::ALREADY_SUBMITTED,
            format!(
                "application {id} is already submitted: nothing to do (--dry-run walks it without submitting)"
            ),
        ));
    }
    let now = OffsetDateTime::now_utc();
    if matches!(
        application.status,
        ApplicationStatus::Claimed | ApplicationStatus::Submitting
    ) && application.lease_expires_at.is_some_and(|t| t > now)
    {
        return Err(Failure::new(
            exit::NOT_CLAIMABLE,
            format!(
                "application {id} is leased by worker {} until its lease expires: wait for it",
                application.lease_owner.as_deref().unwrap_or("?")
            ),
        ));
    }
    println!(
        "replaying application {id} (status {}, attempts {}/{}){}",
        application.status,
        application.attempts,
        application.max_attempts,
        if args.dry_run {
            ": dry run, nothing will be submitted or recorded"
        } else {
            ""
        }
    );
    let target = if args.dry_run {
        application
    } else {
        let worker = format!("replay-{}", config.worker_id);
        match store.claim_by_id(id, &worker, config.lease).await {
            Ok(Some(claimed)) => claimed,
            Ok(None) => {
                return Err(Failure::new(
                    exit::NOT_CLAIMABLE,
                    format!(
                        "application {id} cannot be replayed from status {}",
                        application.status
                    ),
                ));
            }
            Err(e) => return Err(Failure::new(exit::STORE, e.to_string())),
        }
    };
    let started = std::time::Instant::now();
    let on_step: crate::apply::driver::StepObserver = std::sync::Arc::new(move |s| {
        println!(
            "[{:>6.1} s] {:<14} {}",
            started.elapsed().as_secs_f64(),
            s.step,
            s.detail
        )
    });
    let options = crate::apply::ApplyOptions {
        dry_run: args.dry_run,
        step_screenshots: args.screenshots,
        on_step: Some(on_step),
    };
    let cancel = crate::shutdown::on_signals()
        .map_err(|e| Failure::new(exit::CONFIG, format!("cannot handle signals: {e}")))?;
    let metrics = std::sync::Arc::new(crate::metrics::Metrics::default());
    let outcome = crate::worker::run_application(
        store.clone(),
        std::sync::Arc::new(engine),
        config.lease,
        metrics,
        target,
        cancel,
        options,
    )
    .await;
    let row = store
        .application(id)
        .await
        .map_err(|e| Failure::new(exit::STORE, e.to_string()))?;
    println!();
    if let Some(report) = &outcome.report {
        println!("ended:       {}", report.ended);
        for path in &report.step_screenshots {
            println!("step shot:   {}", path.display());
        }
        if let Some(path) = &report.screenshot {
            println!("screenshot:  {}", path.display());
        }
    }
    if let Some(error) = &outcome.error {
        println!("logged:      {error}");
    }
    if let Some(row) = &row {
        println!("status:      {}", row.status);
        println!("reason:      {}", row.reason.as_deref().unwrap_or("-"));
        if let Some(e) = &row.last_error {
            println!("last error:  {e}");
        }
    }
    println!("took:        {:.1} s", outcome.duration.as_secs_f64());
    if outcome.kill_switch_closed {
        return Ok(ExitCode::from(exit::KILL_SWITCH));
    }
    let went_in = if args.dry_run {
        outcome
            .report
            .as_ref()
            .is_some_and(|r| r.ended == "DryRunComplete")
    } else {
        row.as_ref().is_some_and(|r| {
            matches!(
                r.status,
                ApplicationStatus::Submitted | ApplicationStatus::Skipped
            )
        })
    };
    Ok(ExitCode::from(if went_in {
        exit::OK
    } else {
        exit::NOT_APPLIED
    }))
}

/// The LinkedIn job id of `--job`: a bare id, or the id in a `/jobs/view/<id>` URL.
fn job_id(input: &str) -> Result<String, Failure> {
    let input = input.trim();
    let bad = || {
        Failure::new(
            exit::USAGE,
            format!(
                "--job {input:?}: expected a LinkedIn job URL like https://www.linkedin.com/jobs/view/4012345678/ or the job id"
            ),
        )
    };
    let id = if input.chars().all(|c| c.is_ascii_digit()) {
        input.to_owned()
    } else {
        let url = url::Url::parse(input).map_err(|_| bad())?;
        if !crate::site::is_linkedin_host(url.host_str().unwrap_or_default()) {
            return Err(bad());
        }
        let mut segments = url.path_segments().ok_or_else(bad)?;
        match (segments.next(), segments.next(), segments.next()) {
            (Some("jobs"), Some("view"), Some(id)) => id.to_owned(),
            _ => return Err(bad()),
        }
    };
    if id.is_empty() || id.len() > 30 || !id.chars().all(|c| c.is_ascii_digit()) {
        return Err(bad());
    }
    Ok(id)
}

fn read_input(path: &std::path::Path) -> Result<zeroize::Zeroizing<Vec<u8>>, Failure> {
    let mut bytes = zeroize::Zeroizing::new(Vec::new());
    let result = if path.as_os_str() == "-" {
        std::io::stdin().read_to_end(&mut bytes).map(drop)
    } else {
        std::fs::File::open(path).and_then(|mut f| f.read_to_end(&mut bytes).map(drop))
    };
    result
        .map_err(|e| Failure::new(exit::USAGE, format!("cannot read {}: {e}", path.display())))?;
    Ok(bytes)
}

async fn enqueue(args: EnqueueArgs) -> Result<ExitCode, Failure> {
    use crate::store::{Enqueued, NewApplication, NewSession, StoreAdmin as _};

    let user =
        UserId::parse(&args.user_id).map_err(|e| Failure::new(exit::USAGE, e.to_string()))?;
    let jobs = args
        .jobs
        .iter()
        .map(|j| job_id(j))
        .collect::<Result<Vec<_>, _>>()?;
    if jobs.is_empty() && args.cookies.is_none() && args.profile.is_none() {
        return Err(Failure::new(
            exit::USAGE,
            "nothing to do: give --job, --cookies and/or --profile",
        ));
    }
    // read and check every input before writing anything
    let (config, _) = Config::from_process_env();
    let config = config.map_err(|e| Failure::new(exit::CONFIG, e.to_string()))?;
    let sealed = match &args.cookies {
        None => None,
        Some(path) => {
            let plaintext = read_input(path)?;
            let site = SiteSpec::load(&config.selectors_dir, "linkedin")
                .map_err(|e| Failure::new(exit::CONFIG, e.to_string()))?;
            let parsed = session::Session::parse(&plaintext, OffsetDateTime::now_utc())
                .map_err(|e| Failure::new(exit::USAGE, format!("{}: {e}", path.display())))?;
            parsed
                .require(&site.session.required_cookies)
                .map_err(|e| {
                    Failure::new(exit::SESSION_UNUSABLE, format!("{}: {e}", path.display()))
                })?;
            let cookies = parsed.cookies.len();
            let has_ua = parsed.user_agent.is_some() || args.user_agent.is_some();
            drop(parsed);
            let sealed = session::encrypt(&config.session_key, config.session_encoding, &plaintext);
            Some((sealed, cookies, has_ua))
        }
    };
    let profile = match &args.profile {
        None => None,
        Some(path) => {
            let bytes = read_input(path)?;
            let value: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| {
                Failure::new(
                    exit::USAGE,
                    format!(
                        "{}: not JSON (line {}, column {})",
                        path.display(),
                        e.line(),
                        e.column()
                    ),
                )
            })?;
            serde_json::from_value::<crate::domain::ApplicantProfile>(value.clone()).map_err(
                |e| {
                    let text = e.to_string();
                    let text = text
                        .split('"')
                        .next()
                        .unwrap_or_default()
                        .trim_end()
                        .to_owned();
                    Failure::new(
                        exit::USAGE,
                        format!(
                            "{}: does not match the profile schema: {text}",
                            path.display()
                        ),
                    )
                },
            )?;
            let resume = match &args.resume {
                None => None,
                Some(r) => {
                    let r = std::path::absolute(r)
                        .map_err(|e| Failure::new(exit::USAGE, format!("{}: {e}", r.display())))?;
                    if !r.is_file() {
                        return Err(Failure::new(
                            exit::USAGE,
                            format!("--resume {}: no such file", r.display()),
                        ));
                    }
                    Some(r.display().to_string())
                }
            };
            Some((value, resume))
        }
    };

    let store =
        AnyStore::from_config(&config).map_err(|e| Failure::new(exit::STORE, e.to_string()))?;
    let store_err = |e: crate::store::StoreError| Failure::new(exit::STORE, e.to_string());
    println!("store: {}", store.describe());
    if let Some((sealed, cookies, has_ua)) = sealed {
        store
            .put_session(&NewSession {
                user_id: user,
                platform: Platform::Linkedin,
                sealed,
                user_agent: args.user_agent.clone(),
            })
            .await
            .map_err(store_err)?;
        println!(
            "session: stored for user {user} ({cookies} cookies, encrypted; user agent {})",
            if has_ua { "present" } else { "absent" }
        );
    }
    if let Some((value, resume)) = profile {
        store
            .put_profile(user, &value, resume.as_deref())
            .await
            .map_err(store_err)?;
        println!(
            "profile: stored for user {user}{}",
            resume.map(|r| format!(" (résumé {r})")).unwrap_or_default()
        );
    }
    for id in jobs {
        let new = NewApplication {
            user_id: user,
            job_url: format!("https://www.linkedin.com/jobs/view/{id}/"),
            external_job_id: id.clone(),
            max_attempts: args.max_attempts,
        };
        match store.enqueue(&new).await.map_err(store_err)? {
            Enqueued::Added(row) => println!("queued:  job {id} as application {}", row.id),
            Enqueued::Exists(row) => println!(
                "exists:  job {id} is application {} ({}): not queued again",
                row.id, row.status
            ),
        }
    }
    if store
        .session(user, Platform::Linkedin)
        .await
        .map_err(store_err)?
        .is_none()
    {
        println!("note:    user {user} has no stored session yet: add one with --cookies");
    }
    Ok(ExitCode::from(exit::OK))
}
