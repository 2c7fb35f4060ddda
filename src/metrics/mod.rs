//! The worker's own figures for `/healthz` and `/metrics` (Prometheus text format),
//! kept in atomics; figures that live in the database (applications by status,
//! today's LinkedIn actions) are read when scraped.

use std::{
    collections::BTreeMap,
    fmt::Write as _,
    sync::{
        Mutex,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

mod database;

use self::database::{render_database, render_drift};
use crate::store::{DailyStatus, DriftStatus, StatusCount};

/// Upper bounds (seconds) of the application-duration histogram.
pub const DURATION_BUCKETS: [f64; 10] =
    [5.0, 10.0, 20.0, 30.0, 45.0, 60.0, 90.0, 120.0, 180.0, 300.0];

/// The worker's figures.
#[derive(Debug, Default)]
pub struct Metrics {
    last_tick_ms: AtomicU64,
    browsers: Mutex<BTreeMap<u64, Instant>>, // running ones by ticket, with their start
    next_browser: AtomicU64,
    /// answers to the gateway's calls, by HTTP status code
    webhook_responses: Mutex<BTreeMap<u16, u64>>,
    duration_buckets: [AtomicU64; 10],
    duration_count: AtomicU64,
    duration_sum_ms: AtomicU64,
    sweeper_requeued: AtomicU64,
    sweeper_failed: AtomicU64,
    sweeper_to_verify: AtomicU64,
    outcomes: Mutex<BTreeMap<String, u64>>,
    /// per phase of an application: how many, and their total milliseconds
    phases: Mutex<BTreeMap<&'static str, (u64, u64)>>,
    /// runs by the display language their first page was in
    languages: Mutex<BTreeMap<String, u64>>,
}

/// What the database said at one scrape; each `None` when it could not be read.
#[derive(Debug, Default)]
pub struct DatabaseFigures {
    /// applications by status and reason
    pub counts: Option<Vec<StatusCount>>,
    /// today's kill-switch figures
    pub daily: Option<DailyStatus>,
    /// the drift breaker
    pub drift: Option<DriftStatus>,
    /// how long the oldest claimable application has waited
    pub oldest_claimable_seconds: Option<f64>,
}

/// A running browser's entry in [`Metrics`], for [`Metrics::browser_ended`].
#[derive(Debug)]
pub struct BrowserTicket(u64);

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// Escapes a Prometheus label value.
pub(super) fn label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

impl Metrics {
    /// The loop went round once.
    pub fn tick(&self) {
        self.last_tick_ms.store(now_ms(), Ordering::Relaxed);
    }

    /// How long ago the loop last went round (`None`: never).
    pub fn since_last_tick(&self) -> Option<Duration> {
        match self.last_tick_ms.load(Ordering::Relaxed) {
            0 => None,
            t => Some(Duration::from_millis(now_ms().saturating_sub(t))),
        }
    }

    /// A browser (an application) started.
    pub fn browser_started(&self) -> BrowserTicket {
        let n = self.next_browser.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut b) = self.browsers.lock() {
            b.insert(n, Instant::now());
        }
        BrowserTicket(n)
    }

    /// That browser ended.
    pub fn browser_ended(&self, ticket: BrowserTicket) {
        if let Ok(mut b) = self.browsers.lock() {
            b.remove(&ticket.0);
        }
    }

    /// The phases of one application (see [`crate::apply::AttemptReport::phases`]).
    pub fn phases_done(&self, phases: &[(&'static str, Duration)]) {
        if let Ok(mut p) = self.phases.lock() {
            for (name, took) in phases {
                let entry = p.entry(*name).or_default();
                entry.0 += 1;
                entry.1 += took.as_millis() as u64;
            }
        }
    }

    /// A run read its pages in display language `code` (`fr`; `unsupported:<code>`
    /// ones are counted under their own code too).
    pub fn language_seen(&self, code: &str) {
        if let Ok(mut l) = self.languages.lock() {
            *l.entry(code.to_owned()).or_default() += 1;
        }
    }

    /// The gateway's call was answered with `code`.
    pub fn webhook_answered(&self, code: u16) {
        if let Ok(mut r) = self.webhook_responses.lock() {
            *r.entry(code).or_default() += 1;
        }
    }

    /// An application ended after `took`, with `outcome` (status or `released`).
    pub fn application_done(&self, took: Duration, outcome: &str) {
        let secs = took.as_secs_f64();
        for (i, bound) in DURATION_BUCKETS.iter().enumerate() {
            if secs <= *bound {
                self.duration_buckets[i].fetch_add(1, Ordering::Relaxed);
            }
        }
        self.duration_count.fetch_add(1, Ordering::Relaxed);
        self.duration_sum_ms
            .fetch_add(took.as_millis() as u64, Ordering::Relaxed);
        if let Ok(mut outcomes) = self.outcomes.lock() {
            *outcomes.entry(outcome.to_owned()).or_default() += 1;
        }
    }

    /// The sweeper's counts of one round.
    pub fn swept(&self, requeued: i32, failed: i32, to_verify: i32) {
        let n = |v: i32| u64::try_from(v).unwrap_or(0);
        self.sweeper_requeued
            .fetch_add(n(requeued), Ordering::Relaxed);
        self.sweeper_failed.fetch_add(n(failed), Ordering::Relaxed);
        self.sweeper_to_verify
            .fetch_add(n(to_verify), Ordering::Relaxed);
    }

    /// The Prometheus text, with the database's figures when they could be read.
    pub fn render(&self, db: &DatabaseFigures) -> String {
        let mut out = String::new();
        render_database(&mut out, db);
        if let Some(d) = &db.drift {
            render_drift(&mut out, d);
        }
        self.render_browsers(&mut out);
        self.render_worker(&mut out);
        out
    }

    /// The running browsers and the age of the oldest; the webhook's answers.
    fn render_browsers(&self, w: &mut String) {
        let (running, oldest) = self.browsers.lock().map_or((0, 0.0), |b| {
            let oldest = b.values().min().map_or(0.0, |t| t.elapsed().as_secs_f64());
            (b.len(), oldest)
        });
        family(
            w,
            "autoapply_browsers_running",
            "gauge",
            "Browsers (applications) running in this worker.",
        );
        let _ = writeln!(w, "autoapply_browsers_running {running}");
        family(
            w,
            "autoapply_browser_oldest_age_seconds",
            "gauge",
            "How long the oldest running browser of this worker has run (0 when none).",
        );
        let _ = writeln!(w, "autoapply_browser_oldest_age_seconds {oldest:.1}");
        family(
            w,
            "autoapply_webhook_responses_total",
            "counter",
            "Answers to the gateway's calls (POST /api/agents/auto_apply), by HTTP status code.",
        );
        if let Ok(r) = self.webhook_responses.lock() {
            counts(w, "autoapply_webhook_responses_total", "code", r.iter());
        }
    }

    /// How long applications took, whole and phase by phase.
    fn render_durations(&self, w: &mut String) {
        family(
            w,
            "autoapply_application_duration_seconds",
            "histogram",
            "Time from claim to recorded outcome.",
        );
        for (i, bound) in DURATION_BUCKETS.iter().enumerate() {
            let _ = writeln!(
                w,
                "autoapply_application_duration_seconds_bucket{{le=\"{bound}\"}} {}",
                self.duration_buckets[i].load(Ordering::Relaxed)
            );
        }
        let count = self.duration_count.load(Ordering::Relaxed);
        let _ = writeln!(
            w,
            "autoapply_application_duration_seconds_bucket{{le=\"+Inf\"}} {count}"
        );
        let _ = writeln!(
            w,
            "autoapply_application_duration_seconds_sum {}",
            self.duration_sum_ms.load(Ordering::Relaxed) as f64 / 1000.0
        );
        let _ = writeln!(w, "autoapply_application_duration_seconds_count {count}");
        family(
            w,
            "autoapply_phase_duration_seconds",
            "summary",
            "Time spent in each phase of an application (browser_launch, cookies, session_check when the job page cannot tell, job_page, form_steps and each form_step left by Next or Review, submit_and_confirmation, teardown).",
        );
        if let Ok(phases) = self.phases.lock() {
            for (phase, (n, ms)) in phases.iter() {
                let _ = writeln!(
                    w,
                    "autoapply_phase_duration_seconds_sum{{phase=\"{phase}\"}} {}",
                    *ms as f64 / 1000.0
                );
                let _ = writeln!(
                    w,
                    "autoapply_phase_duration_seconds_count{{phase=\"{phase}\"}} {n}"
                );
            }
        }
    }

    /// This worker's own figures.
    fn render_worker(&self, w: &mut String) {
        self.render_durations(w);
        family(
            w,
            "autoapply_outcomes_total",
            "counter",
            "Applications this worker finished, by outcome.",
        );
        if let Ok(outcomes) = self.outcomes.lock() {
            counts(w, "autoapply_outcomes_total", "outcome", outcomes.iter());
        }
        family(
            w,
            "autoapply_runs_by_language_total",
            "counter",
            "Runs by the display language of the account's LinkedIn pages.",
        );
        if let Ok(languages) = self.languages.lock() {
            counts(
                w,
                "autoapply_runs_by_language_total",
                "language",
                languages.iter(),
            );
        }
        family(
            w,
            "autoapply_sweeper_rescued_total",
            "counter",
            "Expired leases the sweeper of this worker handled.",
        );
        for (kind, v) in [
            ("requeued", &self.sweeper_requeued),
            ("failed", &self.sweeper_failed),
            ("to_verify", &self.sweeper_to_verify),
        ] {
            let _ = writeln!(
                w,
                "autoapply_sweeper_rescued_total{{kind=\"{kind}\"}} {}",
                v.load(Ordering::Relaxed)
            );
        }
        family(
            w,
            "autoapply_loop_last_tick_age_seconds",
            "gauge",
            "Seconds since the worker loop last went round.",
        );
        let age = self.since_last_tick().map_or(-1.0, |d| d.as_secs_f64());
        let _ = writeln!(w, "autoapply_loop_last_tick_age_seconds {age}");
    }
}

/// The `# HELP` and `# TYPE` lines of a metric family.
pub(super) fn family(w: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(w, "# HELP {name} {help}");
    let _ = writeln!(w, "# TYPE {name} {kind}");
}

/// One line per key of a counter family: `name{key="…"} n`.
fn counts<K: std::fmt::Display, V: std::fmt::Display>(
    w: &mut String,
    name: &str,
    key: &str,
    values: impl Iterator<Item = (K, V)>,
) {
    for (k, n) in values {
        let _ = writeln!(w, "{name}{{{key}=\"{}\"}} {n}", label(&k.to_string()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_is_prometheus_exposition_format() {
        let m = Metrics::default();
        m.tick();
        m.application_done(Duration::from_secs(12), "submitted");
        m.swept(1, 0, 2);
        m.phases_done(&[("job_page", Duration::from_millis(250))]);
        m.phases_done(&[("job_page", Duration::from_millis(150))]);
        m.language_seen("fr");
        let counts = [StatusCount {
            status: "submitted".into(),
            reason: "".into(),
            applications: 3,
        }];
        let day = DailyStatus {
            day: time::macros::date!(2026 - 11 - 22),
            used: 7,
            daily_limit: 1500,
            remaining: 1493,
        };
        let drift = DriftStatus {
            open_until: Some(time::OffsetDateTime::now_utc() + Duration::from_secs(600)),
            streak: 0,
            users: 0,
            ..DriftStatus::default()
        };
        let browser = m.browser_started();
        m.webhook_answered(503);
        m.webhook_answered(503);
        let text = m.render(&DatabaseFigures {
            counts: Some(counts.to_vec()),
            daily: Some(day),
            drift: Some(drift),
            oldest_claimable_seconds: Some(4000.4),
        });
        assert!(text.contains("autoapply_browsers_running 1"));
        assert!(text.contains("autoapply_phase_duration_seconds_sum{phase=\"job_page\"} 0.4"));
        assert!(text.contains("autoapply_phase_duration_seconds_count{phase=\"job_page\"} 2"));
        assert!(text.contains("autoapply_browser_oldest_age_seconds 0.0"));
        assert!(text.contains("autoapply_webhook_responses_total{code=\"503\"} 2"));
        assert!(text.contains("autoapply_queue_oldest_claimable_seconds 4000"));
        m.browser_ended(browser);
        assert!(
            m.render(&DatabaseFigures::default())
                .contains("autoapply_browsers_running 0")
        );
        assert!(text.contains("autoapply_drift_breaker_open 1"));
        assert!(text.contains("autoapply_drift_structural_streak{of=\"users\"} 0"));
        assert!(text.contains("autoapply_applications{status=\"submitted\",reason=\"\"} 3"));
        assert!(text.contains("autoapply_linkedin_actions_used 7"));
        assert!(text.contains("autoapply_linkedin_actions_remaining 1493"));
        assert!(text.contains("autoapply_application_duration_seconds_bucket{le=\"10\"} 0"));
        assert!(text.contains("autoapply_application_duration_seconds_bucket{le=\"20\"} 1"));
        assert!(text.contains("autoapply_application_duration_seconds_count 1"));
        assert!(text.contains("autoapply_sweeper_rescued_total{kind=\"to_verify\"} 2"));
        assert!(text.contains("autoapply_outcomes_total{outcome=\"submitted\"} 1"));
        assert!(text.contains("autoapply_runs_by_language_total{language=\"fr\"} 1"));
        assert!(text.contains("autoapply_database_up 1"));
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            let value = line.rsplit(' ').next().unwrap();
            assert!(value.parse::<f64>().is_ok(), "not a sample: {line}");
        }
        assert!(
            m.render(&DatabaseFigures::default())
                .contains("autoapply_database_up 0")
        );
    }
}
