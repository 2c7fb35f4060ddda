//! The browser's teardown in a task of its own, so that recording the outcome does
//! not wait for it (the run still does, before it ends). Should the run stop early
//! (a store error), the task goes on alone; its guard is the backstop.

use std::time::{Duration, Instant};

use tracing::Instrument as _;

use super::AttemptReport;
use crate::browser::LaunchedBrowser;

/// A browser being torn down.
#[derive(Debug)]
pub(super) struct Teardown {
    task: tokio::task::JoinHandle<(usize, Duration)>,
}

impl Teardown {
    pub(super) fn start(browser: LaunchedBrowser) -> Self {
        let task = tokio::spawn(
            async move {
                let started = Instant::now();
                let killed = browser.teardown().await;
                (killed, started.elapsed())
            }
            .instrument(tracing::Span::current()),
        );
        Self { task }
    }

    /// Waits for the teardown and notes its phase.
    pub(super) async fn finish(self, report: &mut AttemptReport) {
        match self.task.await {
            Ok((killed, took)) => {
                report.phases.push(("teardown", took));
                if killed > 0 {
                    tracing::debug!(killed, "leftover browser processes killed at teardown");
                }
            }
            // the browser's guard killed it and deleted its profile as the task ended
            Err(e) => tracing::error!(error = %e, "the browser's teardown task failed"),
        }
    }
}
