//! The lease kept alive beside a run: a heartbeat every third of it, and the engine
//! in a task of its own (a panic in it is caught by the run that waits for it).

use std::{sync::Arc, time::Duration};

use tokio_util::sync::CancellationToken;
use tracing::Instrument as _;

use crate::{
    apply::{ApplyOptions, AttemptReport, Engine},
    lease::LeaseClock,
    store::{Application, Store, StoreError},
};

/// Renews the lease every third of it; only a renewal the store confirmed moves the
/// local deadline. The lease lost, or its deadline passed, cancels the application.
async fn heartbeat_loop<S: Store>(
    store: S,
    application: Application,
    lease: Duration,
    clock: LeaseClock,
    stop: CancellationToken,
    lost: CancellationToken,
) {
    let Some(held) = application.lease() else {
        return;
    };
    let every = (lease / 3).max(Duration::from_secs(1));
    loop {
        let next = tokio::time::Instant::now() + every;
        // wake at the next heartbeat, or when the deadline passes first
        tokio::select! {
            () = tokio::time::sleep_until(next.min(clock.deadline().into())) => {}
            () = stop.cancelled() => return,
        }
        if !clock.holds() {
            tracing::warn!(
                "the lease ran out on this worker (no heartbeat confirmed in time): \
                 letting go of this application without another action"
            );
            lost.cancel();
            return;
        }
        if tokio::time::Instant::now() < next {
            continue;
        }
        let asked = std::time::Instant::now();
        // a heartbeat may wait for the store as long as the lease still holds
        match clock.within(store.heartbeat(held, lease)).await {
            Some(Ok(true)) => clock.confirmed(asked),
            Some(Ok(false)) => {
                tracing::warn!("the lease was lost: stopping this application");
                lost.cancel();
                return;
            }
            Some(Err(e)) => tracing::warn!(error = %e, "heartbeat failed; retrying"),
            None => tracing::warn!("heartbeat unanswered before the lease's deadline"),
        }
    }
}

/// The engine in a task of its own (so a panic in it is caught here), with the
/// heartbeat beside it; a lost lease cancels the application.
pub(super) async fn attempt_with_heartbeat<S: Store + Clone + 'static>(
    store: &S,
    engine: Arc<Engine>,
    (lease, clock): (Duration, LeaseClock),
    application: &Application,
    cancel: CancellationToken,
    mut options: ApplyOptions,
) -> Result<Result<AttemptReport, StoreError>, tokio::task::JoinError> {
    let app_cancel = cancel.child_token();
    let stop_heartbeat = CancellationToken::new();
    if !options.dry_run {
        options.lease = Some(clock.clone());
    }
    let heartbeat = tokio::spawn(
        heartbeat_loop(
            store.clone(),
            application.clone(),
            lease,
            clock,
            stop_heartbeat.clone(),
            app_cancel.clone(),
        )
        .in_current_span(),
    );
    let attempt = {
        let (store, application) = (store.clone(), application.clone());
        tokio::spawn(
            async move {
                engine
                    .apply(&store, &application, &app_cancel, &options)
                    .await
            }
            .in_current_span(),
        )
        .await
    };
    stop_heartbeat.cancel();
    let _ = heartbeat.await;
    attempt
}
