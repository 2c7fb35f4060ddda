//! `autoapply answer` and `autoapply status`: what a user's applications wait on, and
//! their answers given back (`store::answering`), from a terminal or a file — for
//! people who run the embedded store without the platform.

use std::{collections::BTreeMap, io::BufRead as _, path::PathBuf, process::ExitCode};

use clap::Args;

use crate::{
    config::{Config, Uses},
    domain::UserId,
    exit::{self, Failure},
    store::{
        AnyStore, Application, Store as _, StoreAdmin as _,
        answering::{self, AnswerResult, GivenAnswer},
    },
};

/// Arguments of `answer`.
#[derive(Debug, Args)]
pub struct AnswerArgs {
    /// the job seeker (a UUID)
    #[arg(long, value_name = "UUID")]
    pub user_id: String,
    /// the answers, without a terminal: JSON, a list of {"question": <as pending>,
    /// "answer": <text>} (a choice: one of its options; boxes: options joined by
    /// commas); `-` reads standard input. Without it each pending question is asked
    /// on standard input, one by one
    #[arg(long, value_name = "FILE")]
    pub file: Option<PathBuf>,
}

/// Arguments of `status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// the job seeker (a UUID)
    #[arg(long, value_name = "UUID")]
    pub user_id: String,
}

async fn open(user_id: &str) -> Result<(UserId, AnyStore), Failure> {
    let user = UserId::parse(user_id).map_err(|e| Failure::new(exit::USAGE, e.to_string()))?;
    let (config, _) = Config::from_process_env_for(Uses::STORE);
    let config = config.map_err(|e| Failure::new(exit::CONFIG, e.to_string()))?;
    let store =
        AnyStore::from_config(&config).map_err(|e| Failure::new(exit::STORE, e.to_string()))?;
    Ok((user, store))
}

fn store_failure(e: &crate::store::StoreError) -> Failure {
    let code = if matches!(e, crate::store::StoreError::Refused { .. }) {
        exit::USAGE
    } else {
        exit::STORE
    };
    Failure::new(code, e.to_string())
}

/// One pending question across the user's applications: its kind, options and the
/// applications (jobs) that wait on it.
struct Asked {
    kind: String,
    options: Vec<String>,
    jobs: Vec<String>,
}

/// The user's distinct pending questions, each once, in the order they were asked.
fn pending(applications: &[Application]) -> Vec<(String, Asked)> {
    let mut out: Vec<(String, Asked)> = Vec::new();
    for a in applications.iter().rev().filter(|a| waits_on_user(a)) {
        for q in a
            .pending_questions
            .iter()
            .filter_map(|p| p.as_array())
            .flatten()
        {
            let Some(label) = q["label"].as_str() else {
                continue;
            };
            let job = format!("{} ({})", a.external_job_id, a.id);
            match out.iter_mut().find(|(l, _)| l == label) {
                Some((_, asked)) => asked.jobs.push(job),
                None => out.push((
                    label.to_owned(),
                    Asked {
                        kind: q["kind"].as_str().unwrap_or("text").to_owned(),
                        options: q["options"]
                            .as_array()
                            .map(|o| {
                                o.iter()
                                    .filter_map(|v| v.as_str().map(str::to_owned))
                                    .collect()
                            })
                            .unwrap_or_default(),
                        jobs: vec![job],
                    },
                )),
            }
        }
    }
    out
}

fn waits_on_user(a: &Application) -> bool {
    a.status.as_str() == "needs_user" && a.reason.as_deref() == Some("unknown_questions")
}

pub(super) async fn answer(args: AnswerArgs) -> Result<ExitCode, Failure> {
    let (user, store) = open(&args.user_id).await?;
    let given = match &args.file {
        Some(path) => read_answers(path)?,
        None => {
            let applications = store
                .user_applications(user)
                .await
                .map_err(|e| store_failure(&e))?;
            // a question the profile already answers (an earlier reply) is not asked
            let profile = store.profile(user).await.map_err(|e| store_failure(&e))?;
            let mut questions = pending(&applications);
            questions.retain(|(label, _)| !answering::answered(profile.as_ref(), label));
            if questions.is_empty() {
                println!("user {user}: no application waits on an answer");
                return Ok(ExitCode::from(exit::OK));
            }
            ask(&questions)?
        }
    };
    if given.is_empty() {
        println!("no answer given: nothing changed");
        return Ok(ExitCode::from(exit::OK));
    }
    let result = store
        .answer_questions(user, &given)
        .await
        .map_err(|e| store_failure(&e))?;
    print_result(&result);
    if result.refused.is_empty() {
        Ok(ExitCode::from(exit::OK))
    } else {
        Err(Failure::new(
            exit::USAGE,
            format!(
                "{} answer(s) refused: nothing was saved and no application was queued",
                result.refused.len()
            ),
        ))
    }
}

fn read_answers(path: &std::path::Path) -> Result<Vec<GivenAnswer>, Failure> {
    let text = if path.as_os_str() == "-" {
        std::io::read_to_string(std::io::stdin())
    } else {
        std::fs::read_to_string(path)
    }
    .map_err(|e| Failure::new(exit::USAGE, format!("cannot read {}: {e}", path.display())))?;
    serde_json::from_str(&text).map_err(|e| {
        Failure::new(
            exit::USAGE,
            format!(
                "{}: expected a list of {{\"question\": text, \"answer\": text}}: {e}",
                path.display()
            ),
        )
    })
}

/// Asks each question on standard input: a choice by its number or its text, boxes
/// by numbers or texts separated by commas; an empty line leaves it for later.
fn ask(questions: &[(String, Asked)]) -> Result<Vec<GivenAnswer>, Failure> {
    let stdin = std::io::stdin();
    let mut lines = stdin.lock().lines();
    let mut given = Vec::new();
    for (n, (label, asked)) in questions.iter().enumerate() {
        println!("\n[{}/{}] {label}", n + 1, questions.len());
        println!("  waiting: {}", asked.jobs.join(", "));
        for (k, option) in asked.options.iter().enumerate() {
            println!("  {}. {option}", k + 1);
        }
        if asked.kind == "date" {
            println!("  a date, as YYYY-MM-DD");
        }
        println!("  (empty: leave it for later)");
        print!("> ");
        std::io::Write::flush(&mut std::io::stdout()).ok();
        let Some(line) = lines.next() else {
            break;
        };
        let line = line.map_err(|e| Failure::new(exit::USAGE, format!("standard input: {e}")))?;
        let answer = picked(&line, &asked.options, asked.kind == "checkbox");
        if !answer.is_empty() {
            given.push(GivenAnswer {
                question: label.clone(),
                answer,
            });
        }
    }
    Ok(given)
}

/// A typed reply as an answer: option numbers become their texts.
fn picked(line: &str, options: &[String], many: bool) -> String {
    let one = |part: &str| {
        part.trim()
            .parse::<usize>()
            .ok()
            .and_then(|k| k.checked_sub(1))
            .and_then(|k| options.get(k).cloned())
            .unwrap_or_else(|| part.trim().to_owned())
    };
    if options.is_empty() {
        return line.trim().to_owned();
    }
    if many {
        line.split(',')
            .map(one)
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join(", ")
    } else {
        one(line)
    }
}

fn print_result(result: &AnswerResult) {
    for id in &result.requeued {
        println!("queued again: {id}");
    }
    for w in &result.waiting {
        println!("still waiting: {} on {}", w.id, w.questions.join(" | "));
    }
    for r in &result.refused {
        println!("refused: {}: {}", r.question, r.reason);
    }
}

pub(super) async fn status(args: StatusArgs) -> Result<ExitCode, Failure> {
    let (user, store) = open(&args.user_id).await?;
    let applications = store
        .user_applications(user)
        .await
        .map_err(|e| store_failure(&e))?;
    if applications.is_empty() {
        return Err(Failure::new(
            exit::NOT_FOUND,
            format!("user {user} has no application"),
        ));
    }
    let mut by_status: BTreeMap<String, Vec<&Application>> = BTreeMap::new();
    for a in &applications {
        by_status
            .entry(a.status.as_str().to_owned())
            .or_default()
            .push(a);
    }
    for (status, rows) in &by_status {
        println!("{status} ({})", rows.len());
        for a in rows {
            let reason = a
                .reason
                .as_deref()
                .map(|r| format!(" {r}"))
                .unwrap_or_default();
            println!("  {} job {}{reason}", a.id, a.external_job_id);
            if let Some(error) = &a.last_error {
                println!("    {error}");
            }
        }
    }
    let questions = pending(&applications);
    if !questions.is_empty() {
        println!("\nquestions to answer (autoapply answer --user-id {user}):");
        for (label, asked) in &questions {
            let options = if asked.options.is_empty() {
                String::new()
            } else {
                format!(" [{}]", asked.options.join(" | "))
            };
            println!("  {label}{options} — {} application(s)", asked.jobs.len());
        }
    }
    Ok(ExitCode::from(exit::OK))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reply_by_number_or_text() {
        let options = vec!["Day".to_owned(), "Night".to_owned()];
        assert_eq!(picked("2", &options, false), "Night");
        assert_eq!(picked(" Day ", &options, false), "Day");
        assert_eq!(picked("1, 2", &options, true), "Day, Night");
        assert_eq!(
            picked("7", &options, false),
            "7",
            "no such option: sent as typed, refused"
        );
        assert_eq!(picked(" 3 years ", &[], false), "3 years");
    }
}
