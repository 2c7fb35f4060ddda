//! The command line: argument types and one module per command. `main.rs` parses,
//! sets up logging and calls [`run`]. `run` starts the daemon (`crate::daemon`),
//! `demo` the demo (`crate::demo`); the others are handled here.

mod answer;
mod browser;
mod config;
mod enqueue;
mod replay;
mod selectors;
mod session;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub use self::{
    answer::{AnswerArgs, StatusArgs},
    browser::{BrowserCheckArgs, BrowserCommand, begin_application},
    config::ConfigCommand,
    enqueue::EnqueueArgs,
    replay::ReplayArgs,
    selectors::{SelectorsCheckArgs, SelectorsCommand},
    session::{InspectArgs, SessionCommand},
};
pub use crate::exit::{self, Failure};

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
    /// The browser's automation tells, checked on the bundled replica.
    #[command(subcommand)]
    Browser(BrowserCommand),
    /// Selector-file commands.
    #[command(subcommand)]
    Selectors(SelectorsCommand),
    /// Add applications, a session (a cookie export, encrypted with AES_SESSION_KEY)
    /// and a profile to the configured store: the embedded SQLite file when
    /// SUPABASE_URL is unset, else Supabase. No SQL needed.
    Enqueue(EnqueueArgs),
    /// Answer the questions a user's applications wait on
    /// (`needs_user/unknown_questions`): each distinct question once, asked on
    /// standard input (or all from --file); the answers are remembered in the profile
    /// and every application they unblock is queued again, no attempt spent.
    Answer(AnswerArgs),
    /// A user's applications by status, with reasons, errors and the questions they
    /// wait on.
    Status(StatusArgs),
    /// Run the whole pipeline on this machine: the bundled LinkedIn replica, an
    /// embedded store, demo users and applications, the real worker loop in a visible
    /// Chromium (on a private Xvfb when there is no display), and a summary. Needs no
    /// configuration; exit 1 when an application did not end as expected.
    Demo(crate::demo::DemoArgs),
}

impl Command {
    /// `demo` and `replay`: their terminal output is for a person, one line per
    /// application or step; their log records go to a file they name.
    pub fn is_watched_by_a_person(&self) -> bool {
        matches!(self, Self::Demo(_) | Self::Replay(_))
    }
}

/// Runs a parsed command.
pub async fn run(cli: Cli) -> Result<ExitCode, Failure> {
    match cli.command {
        Command::Run => crate::daemon::run().await,
        Command::Replay(args) => replay::replay(args).await,
        Command::Config(ConfigCommand::Check) => Ok(config::check()),
        Command::Config(ConfigCommand::Table) => Ok(config::table()),
        Command::Session(SessionCommand::Inspect(args)) => session::inspect(args).await,
        Command::Selectors(SelectorsCommand::Check(args)) => selectors::check(&args),
        Command::Browser(BrowserCommand::Check(args)) => browser::check(&args).await,
        Command::Enqueue(args) => enqueue::enqueue(args).await,
        Command::Answer(args) => answer::answer(args).await,
        Command::Status(args) => answer::status(args).await,
        Command::Demo(args) => crate::demo::run(args).await,
    }
}
