//! Tracing set-up: JSON lines for journald, pretty output on a terminal, and for
//! the commands a person watches (`demo`, `replay`) a log file, so that the terminal
//! shows their own lines only ([`init_for_a_person`], [`log_to_file`]).
//! Never log cookies, keys, ciphertext, IVs, form values or answers.
//!
//! DevTools messages carry cookie values (`Network.setCookies`). No library stands
//! between us and the browser any more: our own wire (`browser::cdp`) logs the kind
//! and size of what goes wrong, never a message; and whatever `RUST_LOG` says, its
//! TRACE events never pass ([`secret_guard`]), so a line added there later cannot
//! print one by accident.

use std::{
    io::{IsTerminal, Write},
    path::Path,
    sync::{Arc, Mutex, PoisonError},
};

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
        !(target.starts_with(crate::browser::DEVTOOLS_WIRE_LOG_TARGET)
            && *meta.level() == Level::TRACE)
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

/// The log file of a command a person watches, once [`log_to_file`] opened it.
static LOG_FILE: Mutex<Option<Arc<std::fs::File>>> = Mutex::new(None);

/// Where log records go for `demo` and `replay`: the log file once it is open;
/// before that, warnings and errors to stderr and nothing else.
#[derive(Clone, Copy)]
struct PersonSink;

/// One record's destination.
enum SinkWriter {
    File(Arc<std::fs::File>),
    Stderr(std::io::Stderr),
    Nowhere,
}

impl Write for SinkWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Self::File(f) => (&**f).write(buf),
            Self::Stderr(e) => e.write(buf),
            Self::Nowhere => Ok(buf.len()),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Self::File(f) => (&**f).flush(),
            Self::Stderr(e) => e.flush(),
            Self::Nowhere => Ok(()),
        }
    }
}

impl<'w> MakeWriter<'w> for PersonSink {
    type Writer = SinkWriter;

    fn make_writer(&'w self) -> SinkWriter {
        SinkWriter::Stderr(std::io::stderr())
    }

    fn make_writer_for(&'w self, meta: &Metadata<'_>) -> SinkWriter {
        let file = LOG_FILE
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        match file {
            Some(f) => SinkWriter::File(f),
            None if *meta.level() <= Level::WARN => SinkWriter::Stderr(std::io::stderr()),
            None => SinkWriter::Nowhere,
        }
    }
}

/// Installs the global subscriber of a command a person watches (`demo`,
/// `replay`): plain text, and no record on the terminal once [`log_to_file`] has
/// opened its file (before that, warnings and errors only).
pub fn init_for_a_person() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let layer = fmt::layer()
        .with_ansi(false)
        .with_writer(PersonSink)
        .with_filter(secret_guard())
        .with_filter(filter);
    let _ = tracing::subscriber::set_global_default(tracing_subscriber::registry().with(layer));
}

/// From now on, every log record goes to `path` (created, or appended to, mode
/// 0600) and none to the terminal.
pub fn log_to_file(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt as _;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(path)?;
    *LOG_FILE.lock().unwrap_or_else(PoisonError::into_inner) = Some(Arc::new(file));
    Ok(())
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
