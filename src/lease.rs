//! The lease as this worker may still trust it: valid until an instant of the
//! machine's monotonic clock, moved only by a heartbeat the store confirmed. A worker
//! frozen (SIGSTOP, a stalled VM) or cut off from the store past that instant wakes to
//! a clock that says no: it touches neither the page nor the row again, whatever its
//! tasks were doing when it froze. The monotonic clock keeps counting while the
//! process is stopped, so the frozen time is counted too.
//!
//! The lease starts when the claim was *asked for* (the row's lease began at the
//! database at some point after that), and a heartbeat extends it from when it was
//! sent. A run stops a margin before the end: a sixth of the lease (1 to 30 s), which
//! covers one store call or one browser action in flight; heartbeats come every third
//! of the lease, so two can fail before a run lets go.

use std::{
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

/// The lease a browser lives under, once the run gives it one: shared by the run's
/// actions, the DevTools connection (no message past it) and the browser's keeper.
pub type SharedLease = Arc<Mutex<Option<LeaseClock>>>;

/// Whether `shared` still allows anything: no lease yet, or one that holds.
pub fn allows(shared: &SharedLease) -> bool {
    shared
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .as_ref()
        .is_none_or(LeaseClock::holds)
}

/// A lease's local deadline, shared by the run, its heartbeat and its browser.
#[derive(Debug, Clone)]
pub struct LeaseClock {
    until: Arc<Mutex<Instant>>,
    lease: Duration,
    margin: Duration,
}

impl LeaseClock {
    /// A lease of `lease` claimed by a request sent at `asked_at`.
    pub fn starting(asked_at: Instant, lease: Duration) -> Self {
        Self {
            until: Arc::new(Mutex::new(asked_at + lease)),
            lease,
            margin: Self::margin_for(lease),
        }
    }

    /// How long before the lease's end a run lets go.
    pub fn margin_for(lease: Duration) -> Duration {
        (lease / 6).clamp(Duration::from_secs(1), Duration::from_secs(30))
    }

    /// A heartbeat sent at `asked_at` was confirmed by the store.
    pub fn confirmed(&self, asked_at: Instant) {
        let mut until = self.until.lock().unwrap_or_else(|p| p.into_inner());
        *until = (*until).max(asked_at + self.lease);
    }

    /// The instant after which nothing may be done under this lease.
    pub fn deadline(&self) -> Instant {
        let until = *self.until.lock().unwrap_or_else(|p| p.into_inner());
        until.checked_sub(self.margin).unwrap_or(until)
    }

    /// Whether the lease may still be acted under.
    pub fn holds(&self) -> bool {
        Instant::now() < self.deadline()
    }

    /// Waits for `call` while the lease may be acted under; `None` when the deadline
    /// passed first (the call is dropped: only calls safe to repeat go through here).
    pub async fn within<F: std::future::Future>(&self, call: F) -> Option<F::Output> {
        tokio::time::timeout_at(self.deadline().into(), call)
            .await
            .ok()
    }

    /// How long the lease may still be acted under.
    pub fn remaining(&self) -> Duration {
        self.deadline().saturating_duration_since(Instant::now())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lease_holds_until_its_margin_and_only_a_confirmation_extends_it() {
        let lease = Duration::from_secs(12);
        let long_ago = Instant::now() - Duration::from_secs(11);
        let clock = LeaseClock::starting(long_ago, lease);
        // 11 s of a 12 s lease gone: within the 2 s margin, so it no longer holds
        assert_eq!(LeaseClock::margin_for(lease), Duration::from_secs(2));
        assert!(!clock.holds());
        assert_eq!(clock.remaining(), Duration::ZERO);
        // a heartbeat confirmed now moves it 12 s on; an older confirmation never back
        clock.confirmed(Instant::now());
        assert!(clock.holds());
        let deadline = clock.deadline();
        clock.confirmed(long_ago);
        assert_eq!(clock.deadline(), deadline);
        assert!(clock.remaining() > Duration::from_secs(9));
        // the margin stays within 1 to 30 s
        assert_eq!(
            LeaseClock::margin_for(Duration::from_secs(3)),
            Duration::from_secs(1)
        );
        assert_eq!(
            LeaseClock::margin_for(Duration::from_secs(3600)),
            Duration::from_secs(30)
        );
    }
}
