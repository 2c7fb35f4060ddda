//! The soak: 200 applications back to back through the real `autoapply run`, a mix
//! of successes (one-step and multi-step), unknown questions, already-applied jobs,
//! answers LinkedIn rejects (asked of the user) and browsers killed mid-application,
//! after a warm-up of ten of every kind. Afterwards: every row in its expected status, each success received by
//! the replica exactly once, no Chromium and no profile left, the daemon's open file
//! descriptors back to where they were before any work (sockets of the HTTP pool
//! aside), and its idle RSS within 5 MiB of its idle RSS after the warm-up.
//!
//! Ignored by `cargo test` (about ten minutes, and it wants the release build the
//! worker ships as): `scripts/soak.sh` runs it, and `scripts/test.sh` (hence CI) runs
//! that after the suite. It prints the figures and writes target/soak/soak.json.

use std::{
    collections::BTreeMap,
    time::{Duration, Instant},
};

use crate::support::{
    apply::{ApplyEnv, BROWSER, ada_profile, apply_env},
    daemon::{browsers_under, kill_browsers},
};

fn status_kib(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// Open file descriptors of `pid`: (sockets, everything else).
fn open_fds(pid: u32) -> (usize, usize) {
    let mut sockets = 0;
    let mut other = 0;
    for entry in std::fs::read_dir(format!("/proc/{pid}/fd"))
        .into_iter()
        .flatten()
        .flatten()
    {
        let target = std::fs::read_link(entry.path()).unwrap_or_default();
        if target.to_string_lossy().starts_with("socket:") {
            sockets += 1;
        } else {
            other += 1;
        }
    }
    (sockets, other)
}

/// Kills the browser of each request for the slow job 1009, 0.8 s after it came.
#[derive(Default)]
struct Killer {
    seen: usize,
    due: Option<Instant>,
    kills: usize,
}

impl Killer {
    /// One round of the waiting loop (about 100 ms).
    async fn tick(&mut self, env: &ApplyEnv) {
        let asked = env
            .replica
            .requests()
            .iter()
            .filter(|r| r.path.starts_with("/jobs/view/1009"))
            .count();
        if asked > self.seen {
            self.seen = asked;
            self.due = Some(Instant::now() + Duration::from_millis(800));
        }
        if self.due.is_some_and(|t| Instant::now() >= t) {
            self.due = None;
            kill_browsers(&env.runtime);
            self.kills += 1;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "about ten minutes on the release build: run by scripts/soak.sh (and scripts/test.sh)"]
async fn soak_two_hundred_applications() {
    let _one = BROWSER.lock().await;
    let env = apply_env().await;
    let users: Vec<_> = (0..50)
        .map(|i| env.seed_user(&ada_profile(), &format!("AQEDASoakCookie{i:02}")))
        .collect();
    let mut expected: BTreeMap<String, usize> = BTreeMap::new();
    let mut add = |user: usize, job: u64, want: &str| {
        let id = env.seed_job(users[user], job);
        *expected.entry(want.to_owned()).or_default() += 1;
        id
    };
    let mut successes = Vec::new();
    for k in 0..120u64 {
        add(k as usize % 50, 2100 + k, "submitted|");
        successes.push(2100 + k);
    }
    for k in 0..30u64 {
        add(k as usize % 50, 3100 + k, "submitted|");
        successes.push(3100 + k);
    }
    for u in 0..15 {
        add(u, 1011, "needs_user|unknown_questions");
    }
    for u in 15..30 {
        add(u, 1003, "skipped|already_applied");
    }
    for u in 30..40 {
        add(u, 1008, "needs_user|unknown_questions"); // LinkedIn rejects the answer: asked
    }
    for u in 40..50 {
        add(u, 1009, "failed|browser_crashed");
    }
    // a killed browser is not retried here, so its row settles at once
    env.app
        .sql("update job_applications set max_attempts = 1 where external_job_id = '1009'");
    assert_eq!(expected.values().sum::<usize>(), 200);
    // a warm-up of ten applications of every kind, by users of their own, run first: the
    // memory and descriptor baselines are taken idle after it
    let warm_users: Vec<_> = (0..10)
        .map(|i| env.seed_user(&ada_profile(), &format!("AQEDASoakWarm{i:02}")))
        .collect();
    for (i, (job, want)) in [
        (2900, "submitted|"),
        (3900, "submitted|"),
        (1011, "needs_user|unknown_questions"),
        (1003, "skipped|already_applied"),
        (1008, "needs_user|unknown_questions"),
        (1009, "failed|browser_crashed"),
        (2901, "submitted|"),
        (3901, "submitted|"),
        (2902, "submitted|"),
        (3902, "submitted|"),
    ]
    .into_iter()
    .enumerate()
    {
        env.seed_job(warm_users[i], job);
        *expected.entry(want.to_owned()).or_default() += 1;
        if want == "submitted|" {
            successes.push(job);
        }
    }
    successes.sort_unstable();
    env.app
        .sql("update job_applications set max_attempts = 1 where external_job_id = '1009'");
    // interleave the kinds: order the queue by a hash of the id
    env.app
        .sql("update job_applications set run_at = now() - (hashtext(id::text) % 100000) * interval '1 ms'");

    // the baseline of descriptors is taken idle: every user paused until it is taken
    env.app
        .sql("update platform_sessions set paused_until = now() + interval '1 hour'");
    let mut daemon = env.spawn_daemon("soak", &[]);
    daemon.ready().await;
    let pid = daemon.pid();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let fds_at_start = open_fds(pid);
    let unpause = |users: &[autoapply::domain::UserId]| {
        let list: Vec<String> = users.iter().map(|u| format!("'{u}'")).collect();
        env.app.sql(&format!(
            "update platform_sessions set paused_until = null where user_id in ({})",
            list.join(", ")
        ));
    };
    unpause(&warm_users);
    daemon.signal(libc::SIGUSR1);

    // the browser killer: each time the slow job's page is asked for, that browser is
    // killed 0.8 s later (concurrency is 1: it is the only one)
    let mut kill = Killer::default();
    let started = Instant::now();
    let settled = || {
        env.app
            .sql("select count(*) from job_applications where status in ('submitted', 'needs_user', 'skipped', 'failed')")
            .parse::<usize>()
            .unwrap()
    };
    while settled() < 10 {
        assert!(
            started.elapsed() < Duration::from_secs(300),
            "{}",
            daemon.logs()
        );
        kill.tick(&env).await;
    }
    // idle after the warm-up (the worker trims its heap when the queue runs dry)
    tokio::time::sleep(Duration::from_secs(3)).await;
    let rss_warm = status_kib(pid, "VmRSS:");
    let fds_warm = open_fds(pid);
    unpause(&users);
    daemon.signal(libc::SIGUSR1);
    let started = Instant::now();
    let mut rss_peak = rss_warm;
    // RSS every 20 settled applications: a leak grows with the count, a warm-up levels off
    let mut rss_series = vec![(10usize, rss_warm)];
    loop {
        let n = settled();
        if n >= rss_series.last().unwrap().0 + 20 || n == 210 {
            rss_series.push((n, status_kib(pid, "VmRSS:")));
        }
        if n >= 210 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(40 * 60),
            "{}",
            env.app
                .sql("select status, reason, count(*) from job_applications group by 1, 2")
        );
        rss_peak = rss_peak.max(status_kib(pid, "VmRSS:"));
        kill.tick(&env).await;
    }
    let took = started.elapsed();
    // idle again: the last teardown's descriptors are closed, the heap trimmed
    tokio::time::sleep(Duration::from_secs(3)).await;
    let rss_end = status_kib(pid, "VmRSS:");
    let fds_end = open_fds(pid);
    let hwm = status_kib(pid, "VmHWM:");

    let got: BTreeMap<String, usize> = env
        .app
        .sql("select status || '|' || coalesce(reason, '') || '=' || count(*) from job_applications group by status, reason")
        .lines()
        .map(|l| {
            let (k, v) = l.split_once('=').unwrap();
            (k.to_owned(), v.parse().unwrap())
        })
        .collect();
    let mut per_job: BTreeMap<u64, usize> = BTreeMap::new();
    for s in env.replica.submissions() {
        *per_job.entry(s.job_id).or_default() += 1;
    }
    let figures = serde_json::json!({
        "applications": 200,
        "warm_up_applications": 10,
        "open_fds_after_warm_up": {"sockets": fds_warm.0, "other": fds_warm.1},
        "minutes": took.as_secs_f64() / 60.0,
        "seconds_per_application": took.as_secs_f64() / 200.0,
        "browsers_killed": kill.kills,
        "daemon_rss_after_warmup_kib": rss_warm,
        "daemon_rss_peak_kib": rss_peak.max(hwm),
        "daemon_rss_end_kib": rss_end,
        "daemon_rss_growth_kib": rss_end as i64 - rss_warm as i64,
        "daemon_rss_kib_by_settled_applications": rss_series,
        "open_fds_start": {"sockets": fds_at_start.0, "other": fds_at_start.1},
        "open_fds_end": {"sockets": fds_end.0, "other": fds_end.1},
        "statuses": got,
    });
    let out = crate::support::manifest_dir().join("target/soak");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(
        out.join("soak.json"),
        serde_json::to_string_pretty(&figures).unwrap(),
    )
    .unwrap();
    eprintln!(
        "soak figures: {}",
        serde_json::to_string_pretty(&figures).unwrap()
    );

    assert_eq!(got, expected, "every application in its expected status");
    assert_eq!(
        per_job.keys().copied().collect::<Vec<_>>(),
        successes,
        "the replica received every success"
    );
    assert!(
        per_job.values().all(|n| *n == 1),
        "each exactly once: {per_job:?}"
    );
    assert!(browsers_under(&env.runtime).is_empty(), "no Chromium left");
    assert_eq!(
        std::fs::read_dir(env.runtime.join("profiles"))
            .map(|d| d.count())
            .unwrap_or(0),
        0,
        "no profile directory left"
    );
    // files, pipes and event descriptors exactly as at the start; sockets are the HTTP
    // pool's idle connections to PostgREST, which come and go (at most the start's + 2)
    assert_eq!(
        fds_end.1, fds_at_start.1,
        "open non-socket descriptors back to the start"
    );
    assert!(
        fds_end.0 <= fds_at_start.0 + 2,
        "sockets: {} at the start, {} at the end",
        fds_at_start.0,
        fds_end.0
    );
    assert!(
        (rss_end as i64 - rss_warm as i64) < 5 * 1024,
        "RSS grew by {} KiB",
        rss_end as i64 - rss_warm as i64
    );
    daemon.stop().await;
}
