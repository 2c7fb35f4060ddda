//! `autoapply browser check`: runs the configured Chromium on the bundled replica,
//! where the automation sensor (`replica/sensor.js`) and the published BotD watch
//! every page, through what an application does first (the job page, Easy Apply,
//! a typed answer), and prints one line per check and BotD's verdict. Exit 0 when
//! nothing told; 1 naming what did. With `--control` it drives the browser the old
//! way (the automation flag, the Runtime domain, scripts and marks in the page,
//! text without key presses) and exits 0 only when the sensor caught every one of
//! those: the proof that a clean run means something on this Chromium.
//! What an operator runs after a Chromium upgrade.

use std::{path::PathBuf, process::ExitCode, time::Duration};

use clap::{Args, Subcommand};
use tokio_util::sync::CancellationToken;

use crate::{
    browser::{self, LaunchOptions, LaunchedBrowser, Mode, Target},
    exit::{self, Failure},
    pacing::Pacing,
    replica::{
        Replica,
        sensor::{self, CHECKS, SensorReport},
    },
    session::Session,
    site::SelectorSource,
};

/// `autoapply browser ...`
#[derive(Debug, Subcommand)]
pub enum BrowserCommand {
    /// Drive the configured Chromium on the bundled replica under the automation
    /// sensor and BotD; print each check; exit 1 on any tell.
    Check(BrowserCheckArgs),
}

/// Arguments of `browser check`.
#[derive(Debug, Args)]
pub struct BrowserCheckArgs {
    /// the Chromium binary (default: AUTOAPPLY_BROWSER_PATH, else /usr/bin/chromium)
    #[arg(long, value_name = "FILE")]
    pub browser: Option<PathBuf>,
    /// a user agent to present, as a stored session's (default: the browser's own)
    #[arg(long, value_name = "UA")]
    pub user_agent: Option<String>,
    /// drive the browser the old way and check that the sensor catches it
    #[arg(long)]
    pub control: bool,
}

/// The replica job the check applies on (a multi-step form, a text field first).
const JOB: u64 = 1002;

/// What the control must trip: every check but identity, which it trips only with a
/// user agent of another system than the server's (`--user-agent`).
fn control_must_trip(check: &str) -> bool {
    check != "identity"
}

pub(super) async fn check(args: &BrowserCheckArgs) -> Result<ExitCode, Failure> {
    let executable = args
        .browser
        .clone()
        .or_else(|| std::env::var_os("AUTOAPPLY_BROWSER_PATH").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    let replica = Replica::start(([127, 0, 0, 1], 0).into())
        .await
        .map_err(|e| Failure::new(exit::CONFIG, format!("cannot serve the replica: {e}")))?;
    let mode = if args.control {
        Mode::Control
    } else {
        Mode::Person
    };
    let options = LaunchOptions {
        executable: executable.clone(),
        profile_root: std::env::temp_dir().join("autoapply-browser-check"),
        label: "browser-check".into(),
        user_agent: args.user_agent.clone(),
        language: None,
        headless: false,
        targets_linkedin: false,
        command_timeout: Duration::from_secs(20),
        mode,
    };
    let who = if args.control {
        "the positive control (the old way)"
    } else {
        "the worker"
    };
    println!(
        "browser check: {} on the bundled replica, as {who}",
        executable.display()
    );
    match sensor::botd_path() {
        Some(path) => println!("BotD: {}", path.display()),
        None => println!(
            "BotD: not installed (set AUTOAPPLY_BOTD_JS to @fingerprintjs/botd's dist/botd.esm.js; scripts/setup.sh unpacks it)"
        ),
    }
    // what Chromium orphans is ours to collect before this command returns
    let _ = crate::browser::reap::become_subreaper();
    let browser = LaunchedBrowser::launch(&options)
        .await
        .map_err(|e| Failure::new(exit::CONFIG, e.to_string()))?;
    let driven = drive(&browser, &replica).await;
    browser.teardown().await;
    driven.map_err(|e| {
        Failure::new(
            exit::NOT_APPLIED,
            format!("the check could not drive the page: {e}"),
        )
    })?;
    let report = SensorReport::merged(&replica.sensor_reports());
    // a user agent of another system than this server's must show through the control
    let foreign_system = args
        .user_agent
        .as_deref()
        .is_some_and(|ua| !ua.contains("Linux") && !ua.contains("X11"));
    Ok(verdict(&report, args.control, foreign_system))
}

/// The job page, Easy Apply, a typed answer; then the sensor's last word.
async fn drive(browser: &LaunchedBrowser, replica: &Replica) -> Result<(), String> {
    begin_application(browser, replica, JOB, "Ada").await?;
    // the sensor reports a change within 150 ms, BotD once the page loaded
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let settle = tokio::time::Instant::now() + Duration::from_millis(600);
    loop {
        let now = tokio::time::Instant::now();
        let botd_known = replica
            .sensor_reports()
            .iter()
            .any(|r| r.botd.is_some() || r.botd_error.is_some());
        if (botd_known && now >= settle) || now >= deadline {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// What an application does first on replica job `job`: a made-up session, the job
/// page, Easy Apply, `text` typed into the form's first text field. The check's and
/// the sensor tests' one way to let a page watch the browser act.
pub async fn begin_application(
    browser: &LaunchedBrowser,
    replica: &Replica,
    job: u64,
    text: &str,
) -> Result<(), String> {
    let spec = SelectorSource::from_env()
        .load("linkedin")
        .map_err(|e| e.to_string())?
        .with_origin(replica.origin());
    let spec = browser::spec_json(&spec);
    let (name, domain) = Replica::SESSION_COOKIE;
    let session = Session::made_up(name, "AQEDAbrowsercheck", domain);
    let e = |e: browser::BrowserError| e.to_string();
    browser
        .set_cookies(&session, &replica.origin(), true)
        .await
        .map_err(e)?;
    let cancel = CancellationToken::new();
    browser
        .goto(replica.job_url(job).as_str(), &cancel)
        .await
        .map_err(e)?;
    let wait = Duration::from_secs(15);
    browser
        .wait_for(&spec, "Easy Apply", wait, &cancel, |o| o.easy_apply)
        .await
        .map_err(e)?;
    browser.click(Target::EasyApply).await.map_err(e)?;
    let seen = browser
        .wait_for(&spec, "the form", wait, &cancel, |o| {
            o.modal.as_ref().is_some_and(|m| !m.fields.is_empty())
        })
        .await
        .map_err(e)?;
    let first_text = seen
        .modal
        .iter()
        .flat_map(|m| &m.fields)
        .find(|f| f.kind == crate::page::FieldKind::Text)
        .map(|f| f.handle)
        .ok_or("the form has no text field")?;
    let pacing = Pacing::new(0.0, false).map_err(|e| e.to_string())?;
    browser
        .type_text(Target::Field(first_text), text, &pacing, &cancel)
        .await
        .map_err(e)
}

/// Prints one line per check and BotD's verdict; the exit code.
fn verdict(report: &SensorReport, control: bool, foreign_system: bool) -> ExitCode {
    for check in CHECKS {
        match report.fired(check) {
            Some(what) => println!("  {check:<28} TELL  {what}"),
            None => println!("  {check:<28} ok"),
        }
    }
    println!("  {:<28} {}", "BotD", report.botd_verdict());
    for known in &report.residual {
        println!("  known, not a check (docs/security.md): {known}");
    }
    let tells = report.tells();
    if control {
        let missed: Vec<&str> = CHECKS
            .into_iter()
            .filter(|c| control_must_trip(c) || foreign_system)
            .filter(|c| !tells.contains(c))
            .collect();
        let botd_missed = report.botd.as_ref().is_some_and(|v| !v.bot);
        if missed.is_empty() && !botd_missed {
            println!("the sensor caught the control: {}", tells.join(", "));
            ExitCode::SUCCESS
        } else {
            println!(
                "the sensor missed the control's tells: {}{}",
                missed.join(", "),
                if botd_missed {
                    " (and BotD said human)"
                } else {
                    ""
                }
            );
            ExitCode::FAILURE
        }
    } else {
        println!("{}", report.summary());
        if report.seen() {
            ExitCode::FAILURE
        } else {
            ExitCode::SUCCESS
        }
    }
}
