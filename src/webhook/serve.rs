//! The webhook's HTTP server: hyper's HTTP/1 connection under our own accept loop,
//! because `axum::serve` has no timer and no connection cap. A client gets
//! [`HEADER_TIMEOUT`] to send its request line and headers (also between requests of
//! a kept-alive connection); the handler gives it [`BODY_TIMEOUT`] for the body (after
//! the secret was checked); at most [`MAX_CONNECTIONS`] connections are open at once,
//! the next waits in the kernel's backlog. On stop: no new connection, the open ones
//! finish their request (bounded by the caller).

use std::{sync::Arc, time::Duration};

use hyper_util::{
    rt::{TokioIo, TokioTimer},
    server::graceful::GracefulShutdown,
    service::TowerToHyperService,
};
use tokio::{net::TcpListener, sync::Semaphore};
use tokio_util::sync::CancellationToken;
use tracing::Instrument as _;

/// Connections open at once.
pub const MAX_CONNECTIONS: usize = 64;
/// Time to send the request line and headers.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// Time to send the body, once the headers were accepted.
pub const BODY_TIMEOUT: Duration = Duration::from_secs(10);
/// How long open requests may finish after the worker drained.
pub const DRAIN: Duration = Duration::from_secs(10);

/// Serves `app` on `listener` until `stop`; then lets open requests finish for up
/// to `drain`.
pub async fn serve(
    listener: TcpListener,
    app: axum::Router,
    stop: CancellationToken,
    drain: Duration,
) {
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let graceful = GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(HEADER_TIMEOUT);
    let mut warned_full = false;
    loop {
        let permit = match slots.clone().try_acquire_owned() {
            Ok(permit) => permit,
            Err(_) => {
                if !warned_full {
                    tracing::warn!(
                        max = MAX_CONNECTIONS,
                        "the webhook has its maximum of open connections: new ones wait"
                    );
                    warned_full = true;
                }
                tokio::select! {
                    permit = slots.clone().acquire_owned() => permit.expect("never closed"),
                    () = stop.cancelled() => break,
                }
            }
        };
        let (stream, _peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // out of descriptors and the like: do not spin
                    tracing::warn!(error = %e, "webhook: accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = stop.cancelled() => break,
        };
        if slots.available_permits() > MAX_CONNECTIONS / 2 {
            warned_full = false;
        }
        let connection =
            http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(app.clone()));
        let connection = graceful.watch(connection);
        tokio::spawn(
            async move {
                // a client that stalls or resets is its own business: nothing to log
                let _ = connection.await;
                drop(permit);
            }
            .in_current_span(),
        );
    }
    drop(listener);
    let _ = tokio::time::timeout(drain, graceful.shutdown()).await;
}
