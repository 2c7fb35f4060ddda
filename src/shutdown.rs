//! Shutdown: SIGTERM and SIGINT cancel one root token. Loops `select!` on it; an
//! application before its submit gate stops at the next safe point and gives its
//! claim back; one past the gate finishes confirming within its bound.

use tokio_util::sync::CancellationToken;
use tracing::Instrument as _;

/// Cancels the returned token on the first SIGTERM or SIGINT.
pub fn on_signals() -> std::io::Result<CancellationToken> {
    use tokio::signal::unix::{SignalKind, signal};
    let token = CancellationToken::new();
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    let cancel = token.clone();
    // ends at the first signal, or when the token is cancelled some other way
    tokio::spawn(
        async move {
            let name = tokio::select! {
                _ = term.recv() => "SIGTERM",
                _ = int.recv() => "SIGINT",
                () = cancel.cancelled() => return,
            };
            tracing::info!(
                signal = name,
                "shutting down: no new claims; in-flight applications stop at a safe point"
            );
            cancel.cancel();
        }
        .instrument(tracing::info_span!("signals")),
    );
    Ok(token)
}
