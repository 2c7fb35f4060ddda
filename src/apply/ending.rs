//! What becomes of an attempt's ending: its outcome recorded under the claim (or
//! the claim given back, or nothing once the lease ran out here), and the drift
//! breaker told of it.

use time::OffsetDateTime;

use super::{
    ApplyOptions, Attempted, Engine,
    decide::Stop,
    lease_calls::record,
    outcome::{self, Disposition, Ended},
    report::{self, Settled},
};
use crate::{
    domain::Lease,
    store::{Application, Store, StoreError},
};

impl Engine {
    /// What becomes of an attempt's ending: its outcome recorded (or the claim given
    /// back, or nothing past the lease), the drift breaker told.
    pub(super) async fn record_ending<S: Store>(
        &self,
        store: &S,
        application: &Application,
        lease: Option<Lease>,
        options: &ApplyOptions,
        attempt: &Attempted,
    ) -> Result<Settled, StoreError> {
        let ended = &attempt.ended;
        let words = match ended {
            Ended::Flow(stop) => format!("{stop:?}"),
            other => format!("{other:?}"),
        };
        let mut disposition =
            outcome::disposition(ended, OffsetDateTime::now_utc(), self.throttle_pause);
        // past the lease's local deadline nothing is recorded under it — but a
        // confirmed submission always is (the store takes it from the same token)
        let expired = options.lease.as_ref().is_some_and(|c| !c.holds());
        if expired && !matches!(ended, Ended::Flow(Stop::Submitted)) {
            tracing::warn!(ended = %words, "the lease ran out on this worker: nothing recorded");
            disposition = Disposition::Nothing;
        }
        if let Disposition::Finish(outcome) = &mut disposition {
            report::annotate(attempt.browsed.as_ref().map(|b| &b.seen.drive), outcome);
        }
        let recorded = match (&disposition, lease) {
            (_, None) => false,
            (Disposition::Finish(outcome), Some(lease)) => record(store, lease, outcome).await?,
            (Disposition::Release(why), Some(lease)) => store.release(lease, why).await?,
            (Disposition::Nothing, Some(_)) => false,
        };
        if !recorded && lease.is_some() && !matches!(disposition, Disposition::Nothing) {
            tracing::warn!("the lease was lost before the outcome could be recorded");
        }
        let drift = match (outcome::drift_signal(ended), lease) {
            (Some(signal), Some(_)) => self.record_drift(store, application.user_id, signal).await,
            _ => None,
        };
        Ok(Settled {
            ended: words,
            kill_switch_closed: matches!(ended, Ended::KillSwitch),
            touched_linkedin: attempt.touched_linkedin,
            disposition,
            recorded,
            drift,
        })
    }

    /// Counts an ending for the drift breaker; says so loudly when this ending
    /// opened it. A store error is logged: the breaker is a safety net, not a gate.
    async fn record_drift<S: Store>(
        &self,
        store: &S,
        user: crate::domain::UserId,
        structural: Option<&str>,
    ) -> Option<crate::store::DriftStatus> {
        match store.record_drift(user, structural, self.drift).await {
            Ok(status) => {
                // a structural ending that leaves the streak at 0 opened the breaker
                if structural.is_some()
                    && status.streak == 0
                    && status.is_open(OffsetDateTime::now_utc())
                {
                    tracing::error!(
                        reason = structural,
                        open_until = ?status.open_until,
                        "drift breaker opened: structural failures across several users in a row \
                         say LinkedIn's markup changed; every worker stops claiming until then. \
                         Check selectors/linkedin.toml against the page snapshots beside the \
                         screenshots (`autoapply selectors check --html <id>.html`)"
                    );
                }
                Some(status)
            }
            Err(e) => {
                tracing::warn!(error = %e, "the drift breaker could not count this ending");
                None
            }
        }
    }
}
