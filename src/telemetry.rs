//! Tracing set-up: JSON lines for journald, pretty output on a terminal.
//! Never log cookies, keys, ciphertext, IVs, form values or answers.
//!
//! chromiumoxide logs raw DevTools messages (at trace and debug, and in some
//! warnings), and those carry cookie values: whatever `RUST_LOG` says, its events
//! pass only at ERROR, and its connection module never ([`secret_guard`]).

use std::io::IsTerminal;

use tracing::{Level, Metadata, Subscriber};
use tracing_subscriber::{
    EnvFilter, Layer as _,
    filter::{FilterFn, filter_fn},
    fmt::{self, MakeWriter},
    layer::SubscriberExt as _,
};

use crate::config::LogFormat;

/// The filter that keeps DevTools traffic (and with it cookie values) out of logs.
pub fn secret_guard() -> FilterFn<impl Fn(&Metadata<'_>) -> bool + Clone> {
    filter_fn(|meta| {
        let target = meta.target();
        if target.starts_with(crate::browser::DEVTOOLS_RAW_LOG_TARGET) {
            false
        } else if target.starts_with(crate::browser::DEVTOOLS_LOG_TARGET) {
            *meta.level() <= Level::ERROR
        } else {
            true
        }
    })
}

/// A subscriber writing to `writer` with `filter` and the secret guard.
pub fn subscriber<W>(json: bool, filter: EnvFilter, writer: W) -> Box<dyn Subscriber + Send + Sync>
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let registry = tracing_subscriber::registry();
    if json {
        let layer = fmt::layer()
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_writer(writer)
            .with_filter(secret_guard())
            .with_filter(filter);
        Box::new(registry.with(layer))
    } else {
        let layer = fmt::layer()
            .with_writer(writer)
            .with_filter(secret_guard())
            .with_filter(filter);
        Box::new(registry.with(layer))
    }
}

/// Installs the global subscriber. The filter comes from `RUST_LOG` (default
/// `info`). Logs go to stderr, so command output on stdout stays clean.
pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let json = match format {
        LogFormat::Json => true,
        LogFormat::Pretty => false,
        LogFormat::Auto => !std::io::stderr().is_terminal(),
    };
    // a second init (tests) is not an error worth failing for
    let _ = tracing::subscriber::set_global_default(subscriber(json, filter, std::io::stderr));
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
