//! Tracing set-up: JSON lines for journald, pretty output on a terminal.
//! Never log cookies, keys, ciphertext, IVs, form values or answers.

use std::io::IsTerminal;

use tracing_subscriber::{EnvFilter, fmt};

use crate::config::LogFormat;

/// Installs the global subscriber. The filter comes from `RUST_LOG` (default
/// `info`). Logs go to stderr, so command output on stdout stays clean.
pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let json = match format {
        LogFormat::Json => true,
        LogFormat::Pretty => false,
        LogFormat::Auto => !std::io::stderr().is_terminal(),
    };
    let builder = fmt().with_env_filter(filter).with_writer(std::io::stderr);
    // a second init (tests) is not an error worth failing for
    let _ = if json {
        builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .try_init()
    } else {
        builder.try_init()
    };
}

/// Reads `AUTOAPPLY_LOG_FORMAT` on its own, so logging works before (and when)
/// the rest of the configuration fails to load.
pub fn format_from_env() -> LogFormat {
    match std::env::var("AUTOAPPLY_LOG_FORMAT").as_deref() {
        Ok("json") => LogFormat::Json,
        Ok("pretty") => LogFormat::Pretty,
        _ => LogFormat::Auto,
    }
}
