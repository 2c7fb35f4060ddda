//! One admission gate for every application this process starts: the loop's claims
//! and the webhook's runs take a slot of the same `AUTOAPPLY_CONCURRENCY` and pass the
//! same per-user spacing. A webhook call that finds no slot is answered 429 at once,
//! so a burst of calls never starts more browsers than the unit is sized for.
//!
//! That one user is never in two browsers at once holds fleet-wide in the store (a
//! user's second live row cannot exist); this gate adds the per-process limits.

use std::{num::NonZeroU32, sync::Arc, time::Duration};

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter, clock::Clock as _};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::domain::UserId;

/// The gate. Cheap to share (`Arc`).
pub struct Admission {
    slots: Arc<Semaphore>,
    concurrency: usize,
    spacing: Option<DefaultKeyedRateLimiter<UserId>>,
}

/// A running application's place: given back when dropped.
#[derive(Debug)]
pub struct Slot {
    _permit: OwnedSemaphorePermit,
}

impl Admission {
    /// `concurrency` applications at a time (at least one); `user_spacing` between two
    /// of one user (zero: none).
    pub fn new(concurrency: usize, user_spacing: Duration) -> Self {
        let concurrency = concurrency.max(1);
        Self {
            slots: Arc::new(Semaphore::new(concurrency)),
            concurrency,
            spacing: (!user_spacing.is_zero())
                .then(|| Quota::with_period(user_spacing))
                .flatten()
                .map(|q| RateLimiter::keyed(q.allow_burst(NonZeroU32::MIN))),
        }
    }

    /// A slot, if one is free now.
    pub fn try_slot(&self) -> Option<Slot> {
        self.slots
            .clone()
            .try_acquire_owned()
            .ok()
            .map(|permit| Slot { _permit: permit })
    }

    /// How many applications may run at once.
    pub fn concurrency(&self) -> usize {
        self.concurrency
    }

    /// Slots in use now.
    pub fn running(&self) -> usize {
        self.concurrency - self.slots.available_permits()
    }

    /// `None` when `user` may start an application now (and counts it as started);
    /// else how long until they may.
    pub fn spacing_wait(&self, user: &UserId) -> Option<Duration> {
        let limiter = self.spacing.as_ref()?;
        limiter.check_key(user).err().map(|not_until| {
            not_until.wait_time_from(governor::clock::DefaultClock::default().now())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_run_out_and_come_back_when_dropped() {
        let gate = Admission::new(2, Duration::ZERO);
        let a = gate.try_slot().expect("first");
        let _b = gate.try_slot().expect("second");
        assert!(gate.try_slot().is_none(), "full");
        assert_eq!(gate.running(), 2);
        drop(a);
        assert!(gate.try_slot().is_some(), "a slot came back");
    }

    #[test]
    fn spacing_is_per_user() {
        let gate = Admission::new(1, Duration::from_secs(60));
        let (ada, bob) = (UserId::new_random(), UserId::new_random());
        assert_eq!(gate.spacing_wait(&ada), None);
        let wait = gate.spacing_wait(&ada).expect("too soon");
        assert!(wait > Duration::from_secs(50) && wait <= Duration::from_secs(60));
        assert_eq!(gate.spacing_wait(&bob), None, "another user is not held");
        assert_eq!(Admission::new(1, Duration::ZERO).spacing_wait(&ada), None);
    }
}
