//! `autoapply replay <id> [--dry-run]`: one application in the foreground, step by
//! step, through the same code path as the daemon.

use std::process::ExitCode;

use clap::Args;
use time::OffsetDateTime;

use crate::{
    domain::{ApplicationId, ApplicationStatus},
    exit::{self, Failure},
    run::RunOutcome,
    store::{AnyStore, Application, ClaimBy, Store as _},
};

/// Arguments of `replay`.
#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// the application's id (a UUID)
    pub application_id: String,
    /// walk every step and stop before Submit; no status changes (it still counts
    /// against the kill switch, and agent_logs records the dry run)
    #[arg(long)]
    pub dry_run: bool,
    /// keep the job page and each form step next to the error screenshot (<id>-job-page.png, <id>-step-<n>.png)
    #[arg(long)]
    pub screenshots: bool,
}

pub(super) async fn replay(args: ReplayArgs) -> Result<ExitCode, Failure> {
    let id = ApplicationId::parse(&args.application_id)
        .map_err(|e| Failure::new(exit::USAGE, e.to_string()))?;
    let (config, engine) = crate::run::prepare(crate::config::Uses::SESSIONS)?;
    log_to_file(&config.storage_root, id);
    let store =
        AnyStore::from_config(&config).map_err(|e| Failure::new(exit::STORE, e.to_string()))?;
    let application = store
        .application(id)
        .await
        .map_err(|e| Failure::new(exit::STORE, e.to_string()))?
        .ok_or_else(|| Failure::new(exit::NOT_FOUND, format!("no application {id}")))?;
    replayable(&application, args.dry_run)?;
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
        claim(&store, &config, application).await?
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
        ..Default::default()
    };
    let cancel = crate::shutdown::on_signals()
        .map_err(|e| Failure::new(exit::CONFIG, format!("cannot handle signals: {e}")))?;
    // the daemon's way to start a run, with one slot and no spacing
    let runner = crate::run::Runner::for_one(
        store.clone(),
        std::sync::Arc::new(engine),
        config.lease,
        cancel,
    );
    let slot = runner
        .slot()
        .ok_or_else(|| Failure::new(exit::CONFIG, "a replay's one slot is taken"))?;
    let outcome = runner
        .start(slot, target, options, crate::run::Via::Replay)
        .map_err(|_| Failure::new(exit::CONFIG, "a replay has no user spacing to wait for"))?
        .await
        .map_err(|e| Failure::new(exit::NOT_APPLIED, format!("internal error: {e}")))?;
    let row = store
        .application(id)
        .await
        .map_err(|e| Failure::new(exit::STORE, e.to_string()))?;
    Ok(report(&outcome, row.as_ref(), args.dry_run))
}

/// The operator's claim of the application (a dry run needs none).
async fn claim(
    store: &AnyStore,
    config: &crate::config::Config,
    application: crate::store::Application,
) -> Result<crate::store::Application, Failure> {
    let id = application.id;
    let worker = format!("replay-{}", config.worker_id);
    match store
        .claim_by_id(id, &worker, config.lease, ClaimBy::Operator)
        .await
    {
        Ok(Some(claimed)) => Ok(claimed),
        Ok(None) => Err(Failure::new(
            exit::NOT_CLAIMABLE,
            format!(
                "application {id} cannot be replayed from status {} now (the user's \
                 session must be valid and not paused, and no other application of \
                 the user may be in a browser)",
                application.status
            ),
        )),
        Err(e) => Err(Failure::new(exit::STORE, e.to_string())),
    }
}

/// Every log record from now on goes to `<storage>/logs/replay-<id>.log` (said on
/// the terminal), or, when that cannot be written, warnings and errors to stderr.
fn log_to_file(storage_root: &std::path::Path, id: ApplicationId) {
    let log = storage_root.join("logs").join(format!("replay-{id}.log"));
    match crate::telemetry::log_to_file(&log) {
        Ok(()) => println!("log:         {} (every log record)", log.display()),
        Err(e) => eprintln!(
            "note: cannot write {} ({e}): warnings and errors go to the terminal",
            log.display()
        ),
    }
}

/// Refuses what must not be replayed: a submitted application (without
/// --dry-run), one a live worker holds.
fn replayable(application: &Application, dry_run: bool) -> Result<(), Failure> {
    let id = application.id;
    if application.status == ApplicationStatus::Submitted && !dry_run {
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
    Ok(())
}

/// Prints how the replay ended; its exit code.
fn report(outcome: &RunOutcome, row: Option<&Application>, dry_run: bool) -> ExitCode {
    println!();
    if let Some(report) = &outcome.report {
        println!("ended:       {}", report.ended);
        let phases: Vec<String> = report
            .phases
            .iter()
            .map(|(name, took)| format!("{name} {} ms", took.as_millis()))
            .collect();
        println!("phases:      {}", phases.join(", "));
        for path in &report.step_screenshots {
            println!("step shot:   {}", path.display());
        }
        if let Some(path) = &report.screenshot {
            println!("screenshot:  {}", path.display());
        }
        // what was sent (or, in a dry run, what would have been)
        if let Some(receipt) = report
            .receipt
            .as_ref()
            .and_then(|r| serde_json::to_value(r).ok())
        {
            for line in crate::apply::decide::receipt_lines(&receipt) {
                println!("{line}");
            }
        }
    }
    if let Some(error) = &outcome.error {
        println!("logged:      {error}");
    }
    if let Some(row) = row {
        println!("status:      {}", row.status);
        println!("reason:      {}", row.reason.as_deref().unwrap_or("-"));
        if let Some(e) = &row.last_error {
            println!("last error:  {e}");
        }
    }
    println!("took:        {:.1} s", outcome.duration.as_secs_f64());
    if outcome.kill_switch_closed {
        return ExitCode::from(exit::KILL_SWITCH);
    }
    let went_in = if dry_run {
        outcome
            .report
            .as_ref()
            .is_some_and(|r| r.ended == "DryRunComplete")
    } else {
        row.is_some_and(|r| {
            matches!(
                r.status,
                ApplicationStatus::Submitted | ApplicationStatus::Skipped
            )
        })
    };
    ExitCode::from(if went_in { exit::OK } else { exit::NOT_APPLIED })
}
