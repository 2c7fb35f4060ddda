//! What a page sees, side by side (ignored by `cargo test`; run by
//! `scripts/bench.sh --peers`): one application of the replica's multi-step job by
//! `autoapply replay`, by the Playwright peer (`scripts/peer/apply.mjs` on
//! playwright-core) and by the same script on Patchright (`patchright-core`, the
//! undetected fork), each in the same system Chromium, with the replica's sensor and
//! BotD on every page. Prints one row per check and writes
//! `target/bench/sensor.json`; fails if autoapply trips a check of the DevTools layer.

use std::process::Command;

use autoapply::replica::sensor::{CHECKS, SensorReport};

use crate::support::{
    apply::{BROWSER, ada_profile, apply_env, assert_unseen, require_botd},
    manifest_dir,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark: run it with scripts/bench.sh --peers"]
async fn what_a_page_sees_of_autoapply_playwright_and_patchright() {
    let peer = manifest_dir().join("target/tools/peer/apply.mjs");
    assert!(
        peer.is_file(),
        "{} missing: run scripts/bench.sh --peers",
        peer.display()
    );
    require_botd();
    let _one = BROWSER.lock().await;
    let env = apply_env().await;
    let li_at = "AQEDApeerTells";
    let user = env.seed_user(&ada_profile(), li_at);
    let resume = env.storage.join(format!("resumes/resume-{user}.pdf"));
    let origin = env.replica.origin().to_string();
    let mut columns: Vec<(&str, SensorReport)> = Vec::new();
    for (name, lib, job) in [
        ("autoapply", None, 3900u64),
        ("Playwright", Some("playwright-core"), 3901),
        ("Patchright", Some("patchright-core"), 3902),
    ] {
        let before = env.replica.sensor_reports().len();
        let mut cmd = match lib {
            None => {
                let id = env.seed_job(user, job);
                let mut replay = env.autoapply("peer-tells", &[]);
                replay.args(["replay", &id.to_string()]);
                replay
            }
            Some(lib) => {
                let mut node = Command::new("node");
                node.arg(&peer).arg(
                    serde_json::json!({
                        "chromium": std::env::var("AUTOAPPLY_BROWSER_PATH").unwrap_or_else(|_| "/usr/bin/chromium".into()),
                        "origin": origin.trim_end_matches('/'),
                        "jobUrl": format!("{origin}jobs/view/{job}/"),
                        "liAt": li_at,
                        "resume": resume,
                        "lib": lib,
                    })
                    .to_string(),
                );
                node
            }
        };
        let out = tokio::task::spawn_blocking(move || cmd.output().unwrap())
            .await
            .unwrap();
        assert!(
            env.replica.submissions().iter().any(|s| s.job_id == job),
            "{name} did not apply: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let seen = env.replica.sensor_reports()[before..].to_vec();
        if lib.is_none() {
            assert_unseen(&seen);
        }
        columns.push((name, SensorReport::merged(&seen)));
    }
    report(&columns);
}

fn report(columns: &[(&str, SensorReport)]) {
    let names: Vec<&str> = columns.iter().map(|(n, _)| *n).collect();
    println!("\n{:<28} | {}", "check", names.join(" | "));
    let mut json = serde_json::Map::new();
    for check in CHECKS {
        let cells: Vec<String> = columns
            .iter()
            .map(|(_, r)| {
                r.fired(check)
                    .map_or("ok".into(), |w| format!("TELL ({w})"))
            })
            .collect();
        println!("{check:<28} | {}", cells.join(" | "));
        json.insert(check.into(), serde_json::json!(cells));
    }
    let botd: Vec<String> = columns.iter().map(|(_, r)| r.botd_verdict()).collect();
    println!("{:<28} | {}", "BotD", botd.join(" | "));
    let tripped: Vec<String> = columns
        .iter()
        .map(|(_, r)| r.tells().len().to_string())
        .collect();
    println!("{:<28} | {}", "checks tripped", tripped.join(" | "));
    json.insert("BotD".into(), serde_json::json!(botd));
    json.insert("stacks".into(), serde_json::json!(names));
    let dir = manifest_dir().join("target/bench");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("sensor.json"),
        serde_json::Value::Object(json).to_string(),
    )
    .unwrap();
}
