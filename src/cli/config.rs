//! `autoapply config check`: the effective configuration, every problem at once.

use std::process::ExitCode;

use clap::Subcommand;

use crate::{
    config::{Config, Shown},
    exit,
};

/// `autoapply config ...`
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print the effective configuration (secrets as <set>/<missing>); exit 3 naming
    /// every missing or invalid variable.
    Check,
    /// Print every setting with its default and meaning, as the README's Markdown
    /// table (produced from the same table the configuration is read with).
    Table,
}

pub(super) fn table() -> ExitCode {
    print!("{}", crate::config::markdown_table());
    ExitCode::from(exit::OK)
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

pub(super) fn check() -> ExitCode {
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
