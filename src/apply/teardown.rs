//! The browser's teardown in two halves: the browser closed before the outcome is
//! recorded — a recorded outcome frees the user for the next claim, by any worker,
//! and a user is in one browser at most — then the clean-up (leftover helpers
//! killed, the profile deleted) in a task of its own while the outcome is recorded
//! (the run still waits for it before it ends). Should the run stop early (a store
//! error), the task goes on alone; the browser's guard is the backstop.

use std::time::{Duration, Instant};

use tracing::Instrument as _;

use crate::browser::LaunchedBrowser;

/// A browser being torn down.
#[derive(Debug)]
pub(super) struct Teardown {
    task: tokio::task::JoinHandle<(usize, Duration)>,
}

impl Teardown {
    /// Closes `browser`, then starts its clean-up.
    pub(super) async fn start(mut browser: LaunchedBrowser) -> Self {
        let started = Instant::now();
        browser.close().await;
        let task = tokio::spawn(
            async move {
                let killed = browser.clean_up().await;
                (killed, started.elapsed())
            }
            .instrument(tracing::Span::current()),
        );
        Self { task }
    }

    /// Waits for the teardown; how long it took (the `teardown` phase), when it ran
    /// to its end.
    pub(super) async fn finish(self) -> Option<Duration> {
        match self.task.await {
            Ok((killed, took)) => {
                if killed > 0 {
                    tracing::debug!(killed, "leftover browser processes killed at teardown");
                }
                Some(took)
            }
            // the browser's guard killed it and deleted its profile as the task ended
            Err(e) => {
                tracing::error!(error = %e, "the browser's teardown task failed");
                None
            }
        }
    }
}
