//! The command line: argument types and the handlers of the admin commands.
//! `main.rs` parses, sets up logging and calls [`run`].

use std::{io::Read as _, process::ExitCode};

use clap::{Args, Parser, Subcommand};
use secrecy::SecretString;
use serde::Deserialize;
use time::OffsetDateTime;

use crate::{
    config::{Config, Shown},
    domain::{Platform, UserId},
    session::{self, CipherEncoding, EncryptedSession, SessionKey},
    site::SiteSpec,
    store::{Store, supabase::SupabaseStore},
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
}

const EXIT_CODES: &str = "Exit codes: 0 ok, 2 bad arguments or input, 3 configuration missing or invalid, \
4 stored session unusable, 5 not found, 6 database unreachable or refused";

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
    /// Run the worker (the systemd service): poll the queue and apply, until
    /// SIGTERM/SIGINT.
    Run,
    /// Configuration commands.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Stored-session commands.
    #[command(subcommand)]
    Session(SessionCommand),
    /// Selector-file commands.
    #[command(subcommand)]
    Selectors(SelectorsCommand),
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
    fn new(code: u8, message: impl Into<String>) -> Self {
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
        Command::Config(ConfigCommand::Check) => Ok(config_check()),
        Command::Session(SessionCommand::Inspect(args)) => session_inspect(args).await,
        Command::Selectors(SelectorsCommand::Check(args)) => selectors_check(&args),
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
        Ok(_) => {
            println!("\nconfiguration ok");
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
        let store = SupabaseStore::from_config(&config)
            .map_err(|e| Failure::new(exit::STORE, e.to_string()))?;
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
    let store = SupabaseStore::from_config(&config)
        .map_err(|e| Failure::new(exit::STORE, e.to_string()))?;
    let cancel = crate::shutdown::on_signals()
        .map_err(|e| Failure::new(exit::CONFIG, format!("cannot handle signals: {e}")))?;

    // the database must answer before the worker says it is ready; until then, back off
    let mut failures = 0u32;
    loop {
        match store.linkedin_daily_status().await {
            Ok(status) => {
                tracing::info!(
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
    };
    let worker = crate::worker::Worker::new(store, std::sync::Arc::new(engine), settings);
    crate::systemd::ready();
    tracing::info!(worker = %config.worker_id, concurrency = config.concurrency, "worker ready");
    worker.run(cancel).await;
    tracing::info!("worker stopped");
    Ok(ExitCode::from(exit::OK))
}
