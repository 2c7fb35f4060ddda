//! The sweeper: expired leases rescued (an expired `submitting` becomes
//! `needs_verification`), and retention of agent logs and screenshots.

use std::{path::PathBuf, sync::Arc, time::Duration};

use rand::RngExt as _;
use tokio_util::sync::CancellationToken;

use crate::{evidence, metrics::Metrics, store::Store};

/// Screenshots and error logs are kept this long.
pub const RETENTION: Duration = Duration::from_secs(30 * 24 * 3600);

/// `d` ± 20 %, so that workers started together do not poll in step.
pub(super) fn jittered(d: Duration) -> Duration {
    let ms = u64::try_from(d.as_millis()).unwrap_or(u64::MAX).max(10);
    Duration::from_millis(rand::rng().random_range(ms * 8 / 10..=ms * 12 / 10))
}

/// Runs until `cancel`: collects adopted zombies and rescues expired leases every
/// `sweep_interval` (jittered), and
/// once an hour purges expired agent logs and screenshots older than [`RETENTION`].
pub(super) async fn sweep_loop<S: Store>(
    store: S,
    sweep_interval: Duration,
    screenshots_dir: PathBuf,
    metrics: Arc<Metrics>,
    cancel: CancellationToken,
) {
    let mut last_retention: Option<tokio::time::Instant> = None;
    loop {
        tokio::select! {
            () = tokio::time::sleep(jittered(sweep_interval)) => {}
            () = cancel.cancelled() => return,
        }
        // helpers a browser left behind, adopted by this subreaper
        let reaped = crate::browser::reap::reap_adopted();
        if reaped > 0 {
            tracing::debug!(reaped, "collected processes a browser left behind");
        }
        match store.rescue_expired().await {
            Ok(c) if c.requeued + c.failed + c.to_verify > 0 => {
                metrics.swept(c.requeued, c.failed, c.to_verify);
                tracing::warn!(
                    requeued = c.requeued,
                    failed = c.failed,
                    to_verify = c.to_verify,
                    "expired leases rescued"
                );
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "sweeper could not rescue expired leases"),
        }
        if last_retention.is_none_or(|t| t.elapsed() >= Duration::from_secs(3600)) {
            last_retention = Some(tokio::time::Instant::now());
            match store.purge_expired_agent_logs().await {
                Ok(n) if n > 0 => tracing::info!(deleted = n, "expired agent_logs purged"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "agent_logs retention failed"),
            }
            let removed = evidence::purge_older_than(&screenshots_dir, RETENTION);
            if removed > 0 {
                tracing::info!(deleted = removed, "screenshots older than 30 days purged");
            }
        }
    }
}
