//! The run's store calls under its lease: the submit gate, asked only while the
//! lease's local deadline holds, and the outcome's record, which for a confirmed
//! submission outlasts a store outage.

use std::time::{Duration, Instant};

use super::driver::SubmitGate;
use crate::{
    domain::{Lease, Outcome, OutcomeStatus},
    lease::LeaseClock,
    store::{BeginSubmit, Store, StoreError},
};

/// The store's `begin_submit` for this claim (a dry run holds none and never asks),
/// asked only while the lease's local deadline holds, and answered before it.
pub(super) struct Gate<'a, S: Store> {
    pub(super) store: &'a S,
    pub(super) lease: Option<Lease>,
    pub(super) clock: Option<&'a LeaseClock>,
}

impl<S: Store> SubmitGate for Gate<'_, S> {
    async fn begin_submit(&self) -> Result<BeginSubmit, StoreError> {
        let Some(lease) = self.lease else {
            return Ok(BeginSubmit::LeaseLost);
        };
        let Some(clock) = self.clock else {
            return self.store.begin_submit(lease).await;
        };
        if !clock.holds() {
            return Ok(BeginSubmit::LeaseLost);
        }
        // the store did not answer while the lease held: no click on a maybe
        clock
            .within(self.store.begin_submit(lease))
            .await
            .unwrap_or(Ok(BeginSubmit::LeaseLost))
    }
}

/// How long a confirmed submission's record is retried while the store is away: the
/// worker holds it in memory and writes it as soon as the store answers.
const SUBMITTED_RECORD_PATIENCE: Duration = Duration::from_secs(600);

/// Records an outcome. A confirmed submission is retried beyond the store call's own
/// patience (LinkedIn has it; the row must say so), so it is not left to the
/// verification settle: the store takes it from the same token even after the sweep.
pub(super) async fn record<S: Store>(
    store: &S,
    lease: Lease,
    outcome: &Outcome,
) -> Result<bool, StoreError> {
    let started = Instant::now();
    loop {
        match store.finish(lease, outcome).await {
            Err(e)
                if outcome.status == OutcomeStatus::Submitted
                    && e.is_transient()
                    && started.elapsed() < SUBMITTED_RECORD_PATIENCE =>
            {
                tracing::warn!(error = %e, "the confirmed submission is not recorded yet (the store is away); retrying");
                tokio::time::sleep(Duration::from_secs(5)).await;
            }
            answer => return answer,
        }
    }
}
