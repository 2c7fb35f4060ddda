//! Human pacing: randomized waits from configured ranges, a `governor` limiter on
//! LinkedIn navigations, and every wait cancellable by the shutdown token.
//!
//! Against LinkedIn the scale is never below 1: a scale under 1 (down to zero, for
//! tests and the demo) is accepted only for a non-LinkedIn origin such as the replica.

use std::{num::NonZeroU32, time::Duration};

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use rand::RngExt as _;
use tokio_util::sync::CancellationToken;

/// The kinds of human wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wait {
    /// after a page load, reading the page (2–6 s)
    PageLoad,
    /// between two fields (0.4–1.5 s)
    BetweenFields,
    /// before pressing Next, Review or Submit (0.8–2.5 s)
    BeforeClick,
    /// between two key presses (40–180 ms)
    Keystroke,
    /// between two points of a mouse path (6–16 ms: a mouse reports 60–160 times a second)
    MouseStep,
    /// a mouse button held down (50–130 ms)
    MouseHold,
}

impl Wait {
    fn range_ms(self) -> (u64, u64) {
        match self {
            Self::PageLoad => (2_000, 6_000),
            Self::BetweenFields => (400, 1_500),
            Self::BeforeClick => (800, 2_500),
            Self::Keystroke => (40, 180),
            Self::MouseStep => (6, 16),
            Self::MouseHold => (50, 130),
        }
    }
}

/// The wait was cut short by shutdown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("cancelled by shutdown")]
pub struct Cancelled;

/// A pacing scale that is not allowed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PacingError {
    /// Below 1 against LinkedIn.
    #[error(
        "AUTOAPPLY_PACING_SCALE={0} is below 1: human pacing may only be scaled down against a non-LinkedIn origin (a replica)"
    )]
    TooFastForLinkedin(f64),
    /// Negative, NaN or absurd.
    #[error("AUTOAPPLY_PACING_SCALE must be a number from 0 to 10, got {0}")]
    OutOfRange(f64),
}

/// Randomized human waits.
#[derive(Debug, Clone)]
pub struct Pacing {
    scale: f64,
}

impl Pacing {
    /// Pacing at `scale` for a site; refuses a scale below 1 against LinkedIn.
    pub fn new(scale: f64, targets_linkedin: bool) -> Result<Self, PacingError> {
        if !(0.0..=10.0).contains(&scale) || scale.is_nan() {
            return Err(PacingError::OutOfRange(scale));
        }
        if targets_linkedin && scale < 1.0 {
            return Err(PacingError::TooFastForLinkedin(scale));
        }
        Ok(Self { scale })
    }

    /// The scale in force.
    pub fn scale(&self) -> f64 {
        self.scale
    }

    /// A random duration for `wait`, scaled.
    pub fn duration(&self, wait: Wait) -> Duration {
        let (lo, hi) = wait.range_ms();
        let ms = rand::rng().random_range(lo..=hi) as f64 * self.scale;
        Duration::from_micros((ms * 1000.0) as u64)
    }

    /// Waits a random human time, or returns early on shutdown.
    pub async fn pause(&self, wait: Wait, cancel: &CancellationToken) -> Result<(), Cancelled> {
        let d = self.duration(wait);
        if d.is_zero() {
            return if cancel.is_cancelled() {
                Err(Cancelled)
            } else {
                Ok(())
            };
        }
        tokio::select! {
            () = tokio::time::sleep(d) => Ok(()),
            () = cancel.cancelled() => Err(Cancelled),
        }
    }
}

/// Limits page navigations per minute in this process (LinkedIn only).
#[derive(Debug)]
pub struct NavigationLimiter {
    limiter: Option<DefaultDirectRateLimiter>,
}

impl NavigationLimiter {
    /// `per_minute` navigations against LinkedIn; no limit against a replica.
    pub fn new(per_minute: NonZeroU32, targets_linkedin: bool) -> Self {
        Self {
            limiter: targets_linkedin.then(|| RateLimiter::direct(Quota::per_minute(per_minute))),
        }
    }

    /// Waits for a navigation slot. governor's `until_ready` ignores cancellation,
    /// so it races the shutdown token.
    pub async fn until_ready(&self, cancel: &CancellationToken) -> Result<(), Cancelled> {
        let Some(limiter) = &self.limiter else {
            return Ok(());
        };
        tokio::select! {
            () = limiter.until_ready() => Ok(()),
            () = cancel.cancelled() => Err(Cancelled),
        }
    }
}

/// Time spent on one kind of input, added to from wherever it happens (a run's
/// mouse, keys and pauses), every return path included.
#[derive(Debug, Default)]
pub struct Tally(std::sync::atomic::AtomicU64);

impl Tally {
    /// Counts the time until the returned guard is dropped.
    pub fn timing(&self) -> Timing<'_> {
        Timing(self, std::time::Instant::now())
    }

    /// The time counted so far.
    pub fn get(&self) -> Duration {
        Duration::from_micros(self.0.load(std::sync::atomic::Ordering::Relaxed))
    }
}

/// Adds the time from [`Tally::timing`] to its drop.
pub struct Timing<'a>(&'a Tally, std::time::Instant);

impl Drop for Timing<'_> {
    fn drop(&mut self) {
        let micros = u64::try_from(self.1.elapsed().as_micros()).unwrap_or(u64::MAX);
        (self.0)
            .0
            .fetch_add(micros, std::sync::atomic::Ordering::Relaxed);
    }
}

/// Where a run's time went on a person's input, its human waits included.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct InputTime {
    /// moving the mouse, the wheel, pressing
    pub moving: Duration,
    /// typing text, choosing lists by keyboard
    pub typing: Duration,
    /// the pauses between fields, steps and actions
    pub waiting: Duration,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linkedin_is_never_paced_below_human_speed() {
        assert_eq!(
            Pacing::new(0.0, true).unwrap_err(),
            PacingError::TooFastForLinkedin(0.0)
        );
        assert!(Pacing::new(0.5, true).is_err());
        assert!(Pacing::new(1.0, true).is_ok());
        assert!(Pacing::new(0.0, false).is_ok());
        assert!(Pacing::new(-1.0, false).is_err());
        assert!(Pacing::new(f64::NAN, false).is_err());
    }

    #[test]
    fn durations_are_random_within_the_ranges() {
        let p = Pacing::new(1.0, true).unwrap();
        let mut seen = std::collections::HashSet::new();
        for _ in 0..200 {
            let d = p.duration(Wait::PageLoad);
            assert!(
                d >= Duration::from_secs(2) && d <= Duration::from_secs(6),
                "{d:?}"
            );
            seen.insert(d.as_millis());
        }
        assert!(seen.len() > 50, "not a fixed sleep");
        assert_eq!(
            Pacing::new(0.0, false).unwrap().duration(Wait::PageLoad),
            Duration::ZERO
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_pause_lasts_its_duration_and_shutdown_cuts_it_short() {
        let p = Pacing::new(1.0, true).unwrap();
        let cancel = CancellationToken::new();
        let started = tokio::time::Instant::now();
        p.pause(Wait::PageLoad, &cancel).await.unwrap();
        let took = started.elapsed();
        assert!(
            took >= Duration::from_secs(2) && took <= Duration::from_secs(6),
            "{took:?}"
        );

        let c2 = cancel.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(100)).await;
            c2.cancel();
        });
        let started = tokio::time::Instant::now();
        assert_eq!(p.pause(Wait::PageLoad, &cancel).await, Err(Cancelled));
        assert!(started.elapsed() < Duration::from_secs(1));
    }

    #[tokio::test(start_paused = true)]
    async fn the_navigation_limiter_spaces_linkedin_navigations_and_yields_to_shutdown() {
        let limiter = NavigationLimiter::new(NonZeroU32::new(2).unwrap(), true);
        let cancel = CancellationToken::new();
        limiter.until_ready(&cancel).await.unwrap();
        limiter.until_ready(&cancel).await.unwrap();
        cancel.cancel();
        assert_eq!(
            limiter.until_ready(&cancel).await,
            Err(Cancelled),
            "a third must wait; shutdown wins"
        );
        let replica = NavigationLimiter::new(NonZeroU32::new(1).unwrap(), false);
        for _ in 0..10 {
            replica
                .until_ready(&CancellationToken::new())
                .await
                .unwrap();
        }
    }

    #[test]
    fn a_tally_counts_the_time_of_each_timing_on_every_path() {
        let tally = Tally::default();
        let run = |fail: bool| -> Result<(), ()> {
            let _t = tally.timing();
            std::thread::sleep(Duration::from_millis(20));
            if fail { Err(()) } else { Ok(()) }
        };
        run(false).unwrap();
        assert!(run(true).is_err());
        let got = tally.get();
        assert!(
            got >= Duration::from_millis(40) && got < Duration::from_secs(2),
            "{got:?}"
        );
    }
}
