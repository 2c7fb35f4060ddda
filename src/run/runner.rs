//! The one way an application is started: the process's admission gate (a slot of
//! `AUTOAPPLY_CONCURRENCY`, the user's spacing), a span naming it, the run in a task
//! the process's shutdown waits for. The loop, the webhook and replay all start
//! theirs through [`Runner::start`].

use std::{sync::Arc, time::Duration};

use tokio::task::JoinHandle;
use tokio_util::{sync::CancellationToken, task::TaskTracker};
use tracing::Instrument as _;

use super::{
    admission::{Admission, Slot},
    one::{RunOutcome, run_application},
};
use crate::{
    apply::{ApplyOptions, Engine},
    metrics::Metrics,
    store::{Application, Store},
};

/// Starts applications. One per process, shared (`Arc`) by whatever starts them.
pub struct Runner<S> {
    store: S,
    engine: Arc<Engine>,
    metrics: Arc<Metrics>,
    admission: Admission,
    lease: Duration,
    shutdown: CancellationToken,
    tasks: TaskTracker,
}

/// Who asked for a run (named on its span).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// the worker's loop claimed it
    Loop,
    /// the gateway's webhook named it
    Webhook,
    /// an operator replays it
    Replay,
}

impl Via {
    /// The span's `via`: none for the loop's runs (the daemon's own).
    fn name(self) -> Option<&'static str> {
        match self {
            Self::Loop => None,
            Self::Webhook => Some("webhook"),
            Self::Replay => Some("replay"),
        }
    }
}

/// The user's previous application started less than the spacing ago: the claimed
/// application, not started, and how long until it may be.
#[derive(Debug)]
pub struct TooSoon {
    /// the claim, still held: the caller gives it back or defers it
    pub application: Box<Application>,
    /// until the user may start one again
    pub wait: Duration,
}

impl<S: Store + Clone + 'static> Runner<S> {
    /// Runs applications of `store` with `engine` under leases of `lease`, counting
    /// into `metrics`, as `admission` lets them in, until `shutdown`.
    pub fn new(
        store: S,
        engine: Arc<Engine>,
        metrics: Arc<Metrics>,
        admission: Admission,
        lease: Duration,
        shutdown: CancellationToken,
    ) -> Self {
        Self {
            store,
            engine,
            metrics,
            admission,
            lease,
            shutdown,
            tasks: TaskTracker::new(),
        }
    }

    /// A runner for one application at a time and no spacing (replay's).
    pub fn for_one(
        store: S,
        engine: Arc<Engine>,
        lease: Duration,
        shutdown: CancellationToken,
    ) -> Self {
        let admission = Admission::new(1, Duration::ZERO);
        Self::new(store, engine, Arc::default(), admission, lease, shutdown)
    }

    /// Starts the claimed `application` in `slot` (given back when the run ends),
    /// unless its user's previous application started less than the spacing ago.
    pub fn start(
        &self,
        slot: Slot,
        application: Application,
        options: ApplyOptions,
        via: Via,
    ) -> Result<JoinHandle<RunOutcome>, TooSoon> {
        if let Some(wait) = self.admission.spacing_wait(&application.user_id) {
            return Err(TooSoon {
                application: Box::new(application),
                wait,
            });
        }
        let span = tracing::info_span!(
            "application",
            application.id = %application.id,
            user.id = %application.user_id,
            via = tracing::field::Empty,
        );
        if let Some(name) = via.name() {
            span.record("via", name);
        }
        let run = run_application(
            self.store.clone(),
            self.engine.clone(),
            self.lease,
            self.metrics.clone(),
            application,
            self.shutdown.clone(),
            options,
        );
        Ok(self.tasks.spawn(
            async move {
                let _slot = slot;
                run.await
            }
            .instrument(span),
        ))
    }
}

impl<S> Runner<S> {
    /// A slot, if one is free now.
    pub fn slot(&self) -> Option<Slot> {
        self.admission.try_slot()
    }

    /// How many applications may run at once.
    pub fn concurrency(&self) -> usize {
        self.admission.concurrency()
    }

    /// The lease a run holds its claim under.
    pub fn lease(&self) -> Duration {
        self.lease
    }

    /// The store runs record into.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// The process's figures.
    pub fn metrics(&self) -> &Arc<Metrics> {
        &self.metrics
    }

    /// Waits for every run started here to end; none starts after.
    pub async fn drain(&self) {
        self.tasks.close();
        self.tasks.wait().await;
    }
}
