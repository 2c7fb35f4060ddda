//! A worker process's start-up: [`prepare`] (configuration, selectors, engine,
//! display, browser) for `run` and `replay`, and [`start_worker`], the one assembly
//! of the admission gate, the runner and the loop that `autoapply run` and the demo
//! share.

use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use super::{
    admission::Admission,
    runner::Runner,
    worker::{Worker, WorkerSettings},
};
use crate::{
    apply::Engine,
    config::Config,
    exit::{self, Failure},
    metrics::Metrics,
    store::Store,
};

/// What a worker process runs: the runner (the webhook starts its runs there too)
/// and the loop.
pub struct Started<S> {
    /// starts every application of the process
    pub runner: Arc<Runner<S>>,
    /// the loop: claims and starts through `runner`
    pub worker: Worker<S>,
}

/// The worker of `config` over `store` with `engine`, until `shutdown`: one admission
/// gate (`AUTOAPPLY_CONCURRENCY`, `AUTOAPPLY_USER_SPACING_SECS`), one runner, the
/// loop; `step_screenshots` keeps the job page and each form step (the demo does).
pub fn start_worker<S: Store + Clone + 'static>(
    config: &Config,
    store: S,
    engine: Engine,
    shutdown: CancellationToken,
    step_screenshots: bool,
) -> Started<S> {
    let admission = Admission::new(config.concurrency, config.user_spacing);
    let runner = Arc::new(Runner::new(
        store,
        Arc::new(engine),
        Arc::new(Metrics::default()),
        admission,
        config.lease,
        shutdown,
    ));
    let settings = WorkerSettings {
        worker_id: config.worker_id.clone(),
        poll_interval: config.poll_interval,
        sweep_interval: config.sweep_interval,
        screenshots_dir: config.screenshots_dir(),
        step_screenshots,
    };
    Started {
        worker: Worker::new(runner.clone(), settings),
        runner,
    }
}

/// Configuration (the settings `uses` names), selectors, engine, display and
/// browser: what `run` and `replay` need.
pub fn prepare(uses: crate::config::Uses) -> Result<(Config, Engine), Failure> {
    // what Chromium orphans becomes ours to collect, not a zombie under a PID 1 that
    // does not reap
    if let Err(e) = crate::browser::reap::become_subreaper() {
        tracing::warn!(error = %e, "cannot become a child subreaper; orphaned browser helpers go to PID 1");
    }
    let (config, _) = Config::from_process_env_for(uses);
    let config = config.map_err(|e| Failure::new(exit::CONFIG, e.to_string()))?;
    config.selectors.announce();
    config
        .selectors
        .load_all()
        .map_err(|e| Failure::new(exit::CONFIG, e.to_string()))?;
    let engine = crate::apply::Engine::from_config(&config)
        .map_err(|e| Failure::new(exit::CONFIG, e.to_string()))?;
    if !config.headless {
        crate::browser::check_display().map_err(|e| Failure::new(exit::CONFIG, e.to_string()))?;
    }
    if !config.browser_path.is_file() {
        return Err(Failure::new(
            exit::CONFIG,
            format!(
                "AUTOAPPLY_BROWSER_PATH: {} not found (install chromium)",
                config.browser_path.display()
            ),
        ));
    }
    Ok((config, engine))
}
