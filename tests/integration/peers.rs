//! The peer benchmark (ignored by `cargo test`; run by `scripts/bench.sh --peers`):
//! `autoapply replay` as a whole process against a Playwright script doing the same
//! application the way a competent Playwright user writes it (`scripts/peer/apply.mjs`,
//! playwright-core driving the same system Chromium, headful), alternated round by
//! round in one display on the replica's multi-step job. Whole processes from spawn
//! to exit: wall time, CPU seconds of the process tree and its peak RSS, both
//! sampled from /proc every 20 ms (each process's CPU as last seen, summed over every
//! process that was ever in the tree: the reaped children's rusage would miss the
//! helpers a browser leaves to others to collect, the peer's more than ours). Prints medians and ratios; writes `target/bench/peers.json`.

use std::{
    collections::HashMap,
    path::Path,
    process::{Command, Stdio},
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use crate::{
    bench::{cpu_ticks, status_kib},
    support::{
        apply::{BROWSER, ada_profile, apply_env},
        manifest_dir,
    },
};

/// One whole process's figures.
#[derive(Debug, Clone, Copy)]
struct Run {
    wall_ms: f64,
    cpu_s: f64,
    /// of which the root process itself (`autoapply` or `node`), not its browser
    own_cpu_s: f64,
    peak_rss_mib: f64,
}

/// The phases `autoapply replay` printed (`phases: launch 812 ms, …`), in its order.
fn phases_of(stdout: &str) -> Vec<(String, f64)> {
    let Some(line) = stdout.lines().find_map(|l| l.strip_prefix("phases:")) else {
        return Vec::new();
    };
    line.split(',')
        .filter_map(|part| {
            let (name, ms) = part.trim().strip_suffix(" ms")?.rsplit_once(' ')?;
            Some((name.to_owned(), ms.parse().ok()?))
        })
        .collect()
}

/// The pids of `root` and all its descendants, from /proc.
fn tree(root: u32) -> Vec<u32> {
    let parents: Vec<(u32, u32)> = std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            let after = &stat[stat.rfind(')')? + 2..];
            Some((pid, after.split(' ').nth(1)?.parse().ok()?))
        })
        .collect();
    let mut out = vec![root];
    let mut i = 0;
    while i < out.len() {
        let p = out[i];
        out.extend(parents.iter().filter(|(_, pp)| *pp == p).map(|(c, _)| *c));
        i += 1;
    }
    out
}

/// Runs `cmd` to its end, measuring the whole process tree; its figures and stdout.
fn measure(mut cmd: Command) -> (Run, String) {
    let started = Instant::now();
    let child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let child_id = child.id();
    let (peak, done) = (
        Arc::new(AtomicU64::new(0)),
        Arc::new(AtomicBool::new(false)),
    );
    let sampler = {
        let (peak, done, root) = (peak.clone(), done.clone(), child.id());
        std::thread::spawn(move || {
            // each process's CPU ticks as last seen, kept once it left the tree
            let mut ticks: HashMap<u32, u64> = HashMap::new();
            while !done.load(Ordering::Relaxed) {
                let pids = tree(root);
                let kib: u64 = pids.iter().map(|p| status_kib(*p, "VmRSS:")).sum();
                peak.fetch_max(kib, Ordering::Relaxed);
                for pid in pids {
                    let t = cpu_ticks(pid);
                    let seen = ticks.entry(pid).or_default();
                    *seen = (*seen).max(t);
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            ticks
        })
    };
    let out = child.wait_with_output().unwrap();
    let wall_ms = started.elapsed().as_secs_f64() * 1000.0;
    done.store(true, Ordering::Relaxed);
    let ticks = sampler.join().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let run = Run {
        wall_ms,
        // the last samples, up to 20 ms before each process ended
        cpu_s: ticks.values().sum::<u64>() as f64 / 100.0,
        own_cpu_s: ticks.get(&child_id).copied().unwrap_or(0) as f64 / 100.0,
        peak_rss_mib: peak.load(Ordering::Relaxed) as f64 / 1024.0,
    };
    (run, String::from_utf8_lossy(&out.stdout).into_owned())
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark: run it with scripts/bench.sh --peers"]
async fn replay_against_playwright() {
    let rounds: u64 = std::env::var("AUTOAPPLY_BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(8);
    let peer = manifest_dir().join("target/tools/peer/apply.mjs");
    assert!(
        peer.is_file(),
        "{} missing: run scripts/bench.sh --peers",
        peer.display()
    );
    let _one = BROWSER.lock().await;
    let env = apply_env().await;
    let li_at = "AQEDApeerBench";
    let user = env.seed_user(&ada_profile(), li_at);
    let resume = env.storage.join(format!("resumes/resume-{user}.pdf"));
    let origin = env.replica.origin().to_string();
    let (mut ours, mut theirs, mut phases) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..rounds {
        let (job_ours, job_theirs) = (3600 + round, 3800 + round);
        let id = env.seed_job(user, job_ours);
        let mut replay = env.autoapply("peers", &[]);
        replay.args(["replay", &id.to_string()]);
        let mut node = Command::new("node");
        node.arg(&peer).arg(
            serde_json::json!({
                "chromium": std::env::var("AUTOAPPLY_BROWSER_PATH").unwrap_or_else(|_| "/usr/bin/chromium".into()),
                "origin": origin.trim_end_matches('/'),
                "jobUrl": format!("{}jobs/view/{job_theirs}/", origin),
                "liAt": li_at,
                "resume": resume,
            })
            .to_string(),
        );
        // alternate who goes first, so neither always meets a warm cache
        let ((a, printed), (b, _)) = tokio::task::spawn_blocking(move || {
            if round % 2 == 0 {
                let a = measure(replay);
                (a, measure(node))
            } else {
                let b = measure(node);
                (measure(replay), b)
            }
        })
        .await
        .unwrap();
        ours.push(a);
        theirs.push(b);
        phases.push(phases_of(&printed));
        let jobs: Vec<u64> = env.replica.submissions().iter().map(|s| s.job_id).collect();
        assert!(
            jobs.contains(&job_ours) && jobs.contains(&job_theirs),
            "both applied: {jobs:?}"
        );
    }
    report(&ours, &theirs);
    report_phases(&phases);
}

/// The median of each phase of `autoapply replay` over the rounds (a phase that
/// repeats, `form_step`, by its place: the first step with the first).
fn report_phases(rounds: &[Vec<(String, f64)>]) {
    let Some(first) = rounds.first() else { return };
    let medians: Vec<String> = first
        .iter()
        .enumerate()
        .map(|(i, (name, _))| {
            let nth = first[..i].iter().filter(|(n, _)| n == name).count();
            let took = rounds
                .iter()
                .filter_map(|r| {
                    r.iter()
                        .filter(|(n, _)| n == name)
                        .nth(nth)
                        .map(|(_, ms)| *ms)
                })
                .collect();
            format!("{name} {:.0} ms", median(took))
        })
        .collect();
    println!("autoapply replay's phases, medians: {}", medians.join(", "));
}

/// One figure of a run.
type Figure = fn(&Run) -> f64;

fn report(ours: &[Run], theirs: &[Run]) {
    let col = |runs: &[Run], f: Figure| median(runs.iter().map(f).collect());
    let rows: [(&str, Figure); 4] = [
        ("wall time (ms)", |r| r.wall_ms),
        ("CPU seconds (process tree)", |r| r.cpu_s),
        ("CPU seconds (the process itself)", |r| r.own_cpu_s),
        ("peak RSS (MiB, process tree)", |r| r.peak_rss_mib),
    ];
    println!(
        "\n{} rounds, medians | autoapply replay | Playwright peer | ratio",
        ours.len()
    );
    let mut json = serde_json::Map::new();
    for (name, f) in rows {
        let (a, b) = (col(ours, f), col(theirs, f));
        println!("{name:<32} | {a:>10.2} | {b:>10.2} | {:.2}", a / b);
        json.insert(
            name.into(),
            serde_json::json!({"autoapply": a, "playwright": b, "ratio": a / b}),
        );
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("peers.json"),
        serde_json::Value::Object(json).to_string(),
    )
    .unwrap();
}
