//! Watching the demo's applications settle, and the summary table.

use std::{
    collections::{HashMap, HashSet},
    path::Path,
    time::{Duration, Instant},
};

use tokio_util::sync::CancellationToken;

use crate::{
    config::Config,
    domain::{ApplicationId, ApplicationStatus},
    exit::{self, Failure},
    replica::jobs,
    store::{Store, sqlite::SqliteStore},
};

use super::{DEADLINE, fail, seed::Case};

pub(super) fn settled(status: ApplicationStatus) -> bool {
    !matches!(
        status,
        ApplicationStatus::Queued | ApplicationStatus::Claimed | ApplicationStatus::Submitting
    )
}

/// Waits until every demo application has settled, printing each as it does
/// (`answered`: after the demo answered the user's questions, each held to where it
/// must end in the end).
pub(super) async fn watch(
    store: &SqliteStore,
    seeded: &[(ApplicationId, &'static Case)],
    cancel: &CancellationToken,
    answered: bool,
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
            let want = if answered { case.last() } else { case.expect };
            let good = (row.status, row.reason.as_deref()) == want;
            let title = catalog
                .iter()
                .find(|j| j.id == case.job)
                .map_or("?", |j| j.title);
            println!(
                "  {} {:<32} {:<11} {}",
                if good { "ok " } else { "!! " },
                format!("{} {title}", case.job),
                row.status.to_string(),
                row.reason.as_deref().unwrap_or("-")
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
pub(super) async fn run_durations(store: &SqliteStore) -> HashMap<ApplicationId, i64> {
    store.run_durations().await.unwrap_or_default()
}

/// Prints the table; true when every application ended as expected.
pub(super) async fn summary(
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
        let good = (row.status, row.reason.as_deref()) == case.last();
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
        print_questions(store, &row).await;
        if let Some(receipt) = &row.receipt {
            print_receipt(receipt, case.receipt);
        }
        let markup = catalog
            .iter()
            .find(|j| j.id == case.job)
            .map_or("?", |j| j.generation().describe());
        // the account's display language, as the worker read it from the page
        let language = match row.display_language.as_deref() {
            Some(lang) if lang != "en" => format!("; page language: {lang}"),
            _ => String::new(),
        };
        println!("{:<38}({}; {markup}{language})", "", case.what);
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

/// What was sent for the user: one line, and with `full` each question and its answer.
fn print_receipt(receipt: &serde_json::Value, full: bool) {
    let lines = crate::apply::decide::receipt_lines(receipt);
    for line in lines.iter().take(if full { lines.len() } else { 1 }) {
        println!("{:<38}{line}", "");
    }
}

/// The questions the application waits on, but those the user has answered since.
async fn print_questions(store: &SqliteStore, row: &crate::store::Application) {
    let Some(questions) = &row.pending_questions else {
        return;
    };
    let profile = store.profile(row.user_id).await.ok().flatten();
    for q in questions.as_array().into_iter().flatten() {
        if let Some(label) = q.get("label").and_then(|l| l.as_str())
            && !crate::store::answering::answered(profile.as_ref(), label)
        {
            println!("{:<38}question for the user: {label}", "");
        }
    }
}
