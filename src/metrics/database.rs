//! The database's figures in the Prometheus text: counts by status and reason, the
//! kill switch, the drift breaker, the oldest claimable application's wait.

use std::fmt::Write as _;

use super::{DatabaseFigures, family, label};
use crate::store::DriftStatus;

/// What the database says: the queue by status and reason, today's LinkedIn actions,
/// whether it answered.
pub(super) fn render_database(w: &mut String, db: &DatabaseFigures) {
    let (counts, daily) = (db.counts.as_deref(), db.daily.as_ref());
    family(
        w,
        "autoapply_applications",
        "gauge",
        "Applications in the queue table by status and reason.",
    );
    for c in counts.unwrap_or_default() {
        let _ = writeln!(
            w,
            "autoapply_applications{{status=\"{}\",reason=\"{}\"}} {}",
            label(&c.status),
            label(&c.reason),
            c.applications
        );
    }
    if let Some(d) = daily {
        family(
            w,
            "autoapply_linkedin_actions_used",
            "gauge",
            "LinkedIn actions taken today (UTC) by all workers.",
        );
        let _ = writeln!(w, "autoapply_linkedin_actions_used {}", d.used);
        family(
            w,
            "autoapply_linkedin_actions_remaining",
            "gauge",
            "LinkedIn actions left today (UTC) under the global limit.",
        );
        let _ = writeln!(w, "autoapply_linkedin_actions_remaining {}", d.remaining);
        family(
            w,
            "autoapply_linkedin_actions_limit",
            "gauge",
            "The global daily limit of LinkedIn actions.",
        );
        let _ = writeln!(w, "autoapply_linkedin_actions_limit {}", d.daily_limit);
    }
    if let Some(age) = db.oldest_claimable_seconds {
        family(
            w,
            "autoapply_queue_oldest_claimable_seconds",
            "gauge",
            "How long the oldest application a worker could claim now has waited since its run_at (0 when none).",
        );
        let _ = writeln!(w, "autoapply_queue_oldest_claimable_seconds {age:.0}");
    }
    family(
        w,
        "autoapply_database_up",
        "gauge",
        "Whether the database answered this scrape.",
    );
    let _ = writeln!(
        w,
        "autoapply_database_up {}",
        u8::from(counts.is_some() && daily.is_some() && db.oldest_claimable_seconds.is_some())
    );
}

/// The drift breaker, shared by every worker through the store.
pub(super) fn render_drift(w: &mut String, d: &DriftStatus) {
    let now = time::OffsetDateTime::now_utc();
    family(
        w,
        "autoapply_drift_breaker_open",
        "gauge",
        "1 while the drift breaker stops every worker from claiming (LinkedIn's markup changed).",
    );
    let _ = writeln!(
        w,
        "autoapply_drift_breaker_open {}",
        u8::from(d.is_open(now))
    );
    family(
        w,
        "autoapply_drift_breaker_open_until_seconds",
        "gauge",
        "Unix time the drift breaker stays open until (0 when closed).",
    );
    let until = d
        .open_until
        .filter(|_| d.is_open(now))
        .map_or(0, time::OffsetDateTime::unix_timestamp);
    let _ = writeln!(w, "autoapply_drift_breaker_open_until_seconds {until}");
    family(
        w,
        "autoapply_drift_structural_streak",
        "gauge",
        "Structural failures in a row since the last healthy ending, and their distinct users.",
    );
    let _ = writeln!(
        w,
        "autoapply_drift_structural_streak{{of=\"failures\"}} {}",
        d.streak
    );
    let _ = writeln!(
        w,
        "autoapply_drift_structural_streak{{of=\"users\"}} {}",
        d.users
    );
}
