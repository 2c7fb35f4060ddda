//! The benchmark (ignored by `cargo test`; run by `scripts/bench.sh`): N applications of
//! the multi-step replica job with pacing scaled to zero, timed phase by phase through
//! the engine, then the real daemon's and Chromium's memory while applying, and the
//! idle daemon's memory, CPU and database traffic over 60 s. Prints a table and writes
//! `target/bench/bench.json`.

use std::{
    collections::BTreeMap,
    time::{Duration, Instant},
};

use crate::support::{
    apply::{BROWSER, ada_profile, apply_env, apply_env_paced},
    daemon::browsers_under,
};

/// A `/proc/<pid>/status` figure in KiB (`VmRSS:`, `VmHWM:`), 0 when unreadable.
pub(crate) fn status_kib(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// utime + stime of `pid` in clock ticks (USER_HZ, 100 on Linux).
pub(crate) fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let Some(i) = stat.rfind(')') else { return 0 };
    let fields: Vec<&str> = stat[i + 2..].split(' ').collect();
    // utime and stime are fields 14 and 15 of stat, 12 and 13 after the name
    fields
        .get(11)
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(0)
        + fields
            .get(12)
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

#[tokio::test]
#[ignore = "a benchmark: run it with scripts/bench.sh"]
async fn bench() {
    let n: u64 = std::env::var("AUTOAPPLY_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    let _one = BROWSER.lock().await;
    let env = apply_env().await;

    // 1. the engine, phase by phase
    let user = env.seed_user(&ada_profile(), "AQEDAbenchEngine");
    env.seed_jobs(user, 3100..3100 + n);
    let mut phases: BTreeMap<&'static str, Vec<f64>> = BTreeMap::new();
    for _ in 0..n {
        let started = Instant::now();
        let (row, report) = env.claim_and_apply(false).await;
        let total = started.elapsed();
        assert_eq!(row.status.as_str(), "submitted", "{report:?}");
        // `form_step` is a share of `form_steps`, not a phase of its own
        let in_phases: Duration = report
            .phases
            .iter()
            .filter(|(name, _)| *name != "form_step")
            .map(|(_, d)| *d)
            .sum();
        for (name, d) in &report.phases {
            phases
                .entry(name)
                .or_default()
                .push(d.as_secs_f64() * 1000.0);
        }
        phases
            .entry("outside_browser_phases")
            .or_default()
            .push(total.saturating_sub(in_phases).as_secs_f64() * 1000.0);
        phases
            .entry("total_per_application")
            .or_default()
            .push(total.as_secs_f64() * 1000.0);
    }

    // 2. the daemon applying: its own peak RSS, Chromium's
    let other = env.seed_user(&ada_profile(), "AQEDAbenchDaemon");
    env.seed_jobs(other, 3300..3300 + n);
    let mut daemon = env.spawn_daemon(
        "bench",
        &[
            ("AUTOAPPLY_POLL_INTERVAL_SECS", "5"),
            ("AUTOAPPLY_SWEEP_INTERVAL_SECS", "60"),
        ],
    );
    daemon.ready().await;
    let pid = daemon.pid();
    let mut chromium_peak_kib = 0u64;
    let deadline = Instant::now() + Duration::from_secs(60 + 15 * n);
    loop {
        let rss: u64 = browsers_under(&env.runtime)
            .iter()
            .map(|p| status_kib(*p, "VmRSS:"))
            .sum();
        chromium_peak_kib = chromium_peak_kib.max(rss);
        if env.app.sql(&format!("select count(*) from job_applications where user_id = '{other}' and status = 'submitted'")) == n.to_string() {
            break;
        }
        assert!(Instant::now() < deadline, "the daemon did not finish");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let daemon_peak_kib = status_kib(pid, "VmHWM:");

    // 3. the daemon idle for 60 s
    let xact = || {
        env.app
            .sql(&format!(
                "select xact_commit from pg_stat_database where datname = '{}'",
                env.app.db
            ))
            .parse::<u64>()
            .unwrap_or(0)
    };
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (ticks_before, xact_before, idle_started) = (cpu_ticks(pid), xact(), Instant::now());
    tokio::time::sleep(Duration::from_secs(60)).await;
    tokio::time::sleep(Duration::from_millis(1500)).await; // let the statistics flush
    let idle_secs = idle_started.elapsed().as_secs_f64() - 1.5;
    let idle_rss_kib = status_kib(pid, "VmRSS:");
    let clk_tck = 100.0; // Linux USER_HZ
    let idle_cpu_percent = (cpu_ticks(pid) - ticks_before) as f64 / clk_tck / idle_secs * 100.0;
    let idle_transactions = xact() - xact_before;
    let polls = idle_secs / 5.0;
    daemon.stop().await;

    let mut table = String::new();
    let mut json_phases = serde_json::Map::new();
    table.push_str(&format!(
        "\nautoapply benchmark: {n} applications of the multi-step replica job, pacing 0\n"
    ));
    table.push_str(&format!(
        "{:<28} {:>10} {:>10}\n",
        "phase (ms)", "median", "p95"
    ));
    for (name, mut values) in phases {
        values.sort_by(|a, b| a.partial_cmp(b).unwrap());
        let (median, p95) = (percentile(&values, 50.0), percentile(&values, 95.0));
        table.push_str(&format!("{name:<28} {median:>10.1} {p95:>10.1}\n"));
        json_phases.insert(
            name.into(),
            serde_json::json!({"median_ms": median, "p95_ms": p95}),
        );
    }
    table.push_str(&format!(
        "daemon peak RSS (no Chromium)   {:>8.1} MiB\n",
        daemon_peak_kib as f64 / 1024.0
    ));
    table.push_str(&format!(
        "Chromium peak RSS (all procs)   {:>8.1} MiB\n",
        chromium_peak_kib as f64 / 1024.0
    ));
    table.push_str(&format!(
        "idle daemon RSS                 {:>8.1} MiB\n",
        idle_rss_kib as f64 / 1024.0
    ));
    table.push_str(&format!(
        "idle daemon CPU over {idle_secs:.0} s       {idle_cpu_percent:>8.2} %\n"
    ));
    table.push_str(&format!(
        "idle database transactions      {idle_transactions:>8} ({:.2} per 5 s poll)\n",
        idle_transactions as f64 / polls
    ));
    println!("{table}");
    let json = serde_json::json!({
        "applications": n,
        "phases": json_phases,
        "daemon_peak_rss_mib": daemon_peak_kib as f64 / 1024.0,
        "chromium_peak_rss_mib": chromium_peak_kib as f64 / 1024.0,
        "idle_daemon_rss_mib": idle_rss_kib as f64 / 1024.0,
        "idle_daemon_cpu_percent": idle_cpu_percent,
        "idle_seconds": idle_secs,
        "idle_database_transactions": idle_transactions,
        "idle_transactions_per_poll": idle_transactions as f64 / polls,
    });
    let dir = crate::support::manifest_dir().join("target/bench");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("bench.json"),
        serde_json::to_string_pretty(&json).unwrap(),
    )
    .unwrap();
    std::fs::write(dir.join("bench.txt"), table).unwrap();
}

/// One application of the multi-step job at a person's pace (pacing 1, as against
/// LinkedIn), `AUTOAPPLY_PACED_ROUNDS` times (3): where its time goes — moving the
/// mouse and pressing, typing (text and lists by keyboard), the pauses between
/// actions, and the rest (pages loading, reading them). Prints a table and writes
/// `target/bench/paced.json`; its figures are in docs/benchmarks.md. Minutes long:
/// `xvfb-run -a cargo test --test integration -- --ignored bench::a_human_paced --nocapture`
#[tokio::test]
#[ignore = "a benchmark: minutes at a person's pace; run it by hand"]
async fn a_human_paced_application_spends_its_time_on_input_and_pauses() {
    let rounds: u64 = std::env::var("AUTOAPPLY_PACED_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let _one = BROWSER.lock().await;
    let env = apply_env_paced(1.0).await;
    let mut rows: Vec<[f64; 5]> = Vec::new();
    for n in 0..rounds {
        // a user each: no spacing between one user's applications to wait out
        let user = env.seed_user(&ada_profile(), &format!("AQEDAbenchPaced{n}"));
        env.seed_jobs(user, 3500 + n..3501 + n);
        let started = Instant::now();
        let (row, report) = env.claim_and_apply(false).await;
        let total = started.elapsed().as_secs_f64();
        assert_eq!(row.status.as_str(), "submitted", "{report:?}");
        let i = report.input;
        let (moving, typing, waiting) = (
            i.moving.as_secs_f64(),
            i.typing.as_secs_f64(),
            i.waiting.as_secs_f64(),
        );
        assert!(
            moving > 0.0 && typing > 0.0 && waiting > 0.0,
            "a paced application moves, types and waits: {i:?}"
        );
        rows.push([
            total,
            moving,
            typing,
            waiting,
            total - moving - typing - waiting,
        ]);
    }
    let median = |k: usize| {
        let mut v: Vec<f64> = rows.iter().map(|r| r[k]).collect();
        v.sort_by(f64::total_cmp);
        percentile(&v, 50.0)
    };
    let names = ["total", "moving", "typing", "waiting", "the rest"];
    println!("\none application at pacing 1, median of {rounds} (seconds, share of total)");
    let mut json = serde_json::Map::new();
    for (k, name) in names.iter().enumerate() {
        let m = median(k);
        println!("  {name:<10} {m:>7.1} s  {:>5.1} %", 100.0 * m / median(0));
        json.insert((*name).to_owned(), serde_json::json!(m));
    }
    let dir = crate::support::manifest_dir().join("target/bench");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("paced.json"),
        serde_json::to_string_pretty(&json).unwrap(),
    )
    .unwrap();
}
