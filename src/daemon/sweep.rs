//! The sweeper: expired leases rescued (an expired `submitting` becomes
//! `needs_verification`), and retention of agent logs and screenshots.

use std::{sync::Arc, time::Duration};

use tokio_util::sync::CancellationToken;

use super::worker::{RETENTION, WorkerSettings, jittered};
use crate::{evidence, metrics::Metrics, store::Store};

/// Runs until `cancel`: rescues expired leases every `sweep_interval` (jittered), and
/// once an hour purges expired agent logs and screenshots older than [`RETENTION`].
pub(super) async fn sweep_loop<S: Store>(
    store: S,
    settings: WorkerSettings,
    metrics: Arc<Metrics>,
    cancel: CancellationToken,
) {
    let mut last_retention: Option<tokio::time::Instant> = None;
    loop {
        tokio::select! {
            () = tokio::time::sleep(jittered(settings.sweep_interval)) => {}
            () = cancel.cancelled() => return,
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
            let removed = evidence::purge_older_than(&settings.screenshots_dir, RETENTION);
            if removed > 0 {
                tracing::info!(deleted = removed, "screenshots older than 30 days purged");
            }
        }
    }
}
