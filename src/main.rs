//! The `autoapply` binary: parse the command line, set up logging, dispatch.

use std::process::ExitCode;

use clap::Parser as _;

#[tokio::main]
async fn main() -> ExitCode {
    autoapply::heap::tune();
    let cli = autoapply::cli::Cli::parse();
    if cli.command.is_watched_by_a_person() {
        autoapply::telemetry::init_for_a_person();
    } else {
        autoapply::telemetry::init(autoapply::telemetry::format_from_env());
    }
    match autoapply::cli::run(cli).await {
        Ok(code) => code,
        Err(failure) => {
            eprintln!("error: {}", failure.message);
            ExitCode::from(failure.code)
        }
    }
}
