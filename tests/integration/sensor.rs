//! Issue 33, the page never sees us: the replica's sensor and the published BotD
//! on every page. `autoapply browser check` shows the positive control (the old
//! way: the automation flag, the Runtime domain, scripts and marks in the page, text
//! without key presses) caught on every one of those checks, and the worker on
//! none; a detector of another shape, on a job page written by hand, sees the
//! control and not the worker, who applies there correctly from its isolated world.
//! Every application of the other suites is checked too (`assert_unseen`, from
//! `claim_and_apply`).

use std::collections::BTreeSet;

use autoapply::{
    browser::{LaunchOptions, LaunchedBrowser, Mode},
    replica::Replica,
};

use crate::support::apply::{BROWSER, apply_env, local_launch, require_botd, require_display};

const COOKIE: &str = "AQEDASensorSessionCookie-7c1d";

/// `autoapply browser check` with `args`: its exit code and what it printed. Run
/// under `scripts/outlives.py`: it fails if the command left a process behind.
fn browser_check(args: &[&str]) -> (Option<i32>, String) {
    let report = std::env::temp_dir().join(format!(
        "autoapply-browser-check-{}-outlives.json",
        std::process::id()
    ));
    let out = std::process::Command::new("python3")
        .arg(crate::support::manifest_dir().join("scripts/outlives.py"))
        .arg(&report)
        .arg("--")
        .arg(env!("CARGO_BIN_EXE_autoapply"))
        .args(["browser", "check"])
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let found: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap_or_default())
            .unwrap_or_else(|e| panic!("no report from scripts/outlives.py: {e}\n{text}"));
    assert_eq!(
        found["left"],
        serde_json::json!([]),
        "`browser check {args:?}` left processes behind:\n{text}"
    );
    (out.status.code(), text)
}

/// The line of `check` in the check's output.
fn line<'a>(out: &'a str, check: &str) -> &'a str {
    out.lines()
        .find(|l| l.trim_start().starts_with(check) && l.starts_with("  "))
        .unwrap_or_else(|| panic!("no line for {check}:\n{out}"))
}

/// A Windows user's stored user agent, on this Linux server.
const WINDOWS_UA: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36";

#[tokio::test]
async fn browser_check_catches_every_tell_of_the_control_and_none_of_the_worker() {
    let _one = BROWSER.lock().await;
    require_display();
    require_botd();
    let (code, out) = browser_check(&["--control", "--user-agent", WINDOWS_UA]);
    assert_eq!(code, Some(0), "the sensor must catch the control:\n{out}");
    for check in autoapply::replica::sensor::CHECKS {
        assert!(
            line(&out, check).contains("TELL"),
            "{check} not caught:\n{out}"
        );
    }
    assert!(
        line(&out, "dom marks").contains("data-control-mark"),
        "{out}"
    );
    for seen in [
        // the page's worker and its cross-site frame are watched too
        "userAgentData.platform in a worker is Linux",
        "navigator.platform is Linux x86_64 in a cross-site frame",
    ] {
        assert!(line(&out, "identity").contains(seen), "{seen}:\n{out}");
    }
    // the requests' headers are read too (the control's show on its last beacon,
    // which is listed apart: docs/security.md)
    assert!(out.contains("Sec-CH-UA-Platform is Linux"), "{out}");
    assert!(
        line(&out, "BotD").contains("bot ("),
        "BotD on the control:\n{out}"
    );

    // the worker, with the browser's own user agent and with a Windows user's
    for args in [&[][..], &["--user-agent", WINDOWS_UA][..]] {
        let (code, out) = browser_check(args);
        for check in autoapply::replica::sensor::CHECKS {
            assert!(
                line(&out, check).ends_with(" ok"),
                "the worker tripped {check} ({args:?}):\n{out}"
            );
        }
        assert!(line(&out, "BotD").ends_with("human"), "{out}");
        assert!(out.contains("automation tells: none"), "{out}");
        // what no DevTools message reaches, shown apart (docs/security.md): a
        // worker's navigator.platform, and the service worker (the browser's own
        // target, as LinkedIn registers one); nothing of the page or its frames
        let known: Vec<&str> = out
            .lines()
            .filter_map(|l| {
                l.trim()
                    .strip_prefix("known, not a check (docs/security.md): ")
            })
            .collect();
        let worker_platform = "navigator.platform in a worker is Linux x86_64";
        assert!(
            known.iter().all(|k| *k == worker_platform
                || k.contains(" in a service worker")
                || k.ends_with("(a service worker's request)")
                || k.ends_with("(a beacon sent as the page closed)")
                || k.ends_with("(sent as the page closed)")),
            "{out}"
        );
        assert_eq!(
            known.contains(&worker_platform),
            !args.is_empty(),
            "a Windows user's worker shows the host's platform: {out}"
        );
        assert_eq!(code, Some(0), "{out}");
    }
}

/// The hand-written job page with the other detector first in its head.
fn detector_page() -> String {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let page = std::fs::read_to_string(dir.join("foreign-job.html")).unwrap();
    let detector = std::fs::read_to_string(dir.join("detector.js")).unwrap();
    let head = page.find("<head>").expect("a head") + "<head>".len();
    format!(
        "{}<script>{detector}</script>{}",
        &page[..head],
        &page[head..]
    )
}

/// What the detector reported from the `from`-th request on.
fn detector_tells(replica: &Replica, from: usize) -> BTreeSet<String> {
    replica.requests()[from..]
        .iter()
        .filter_map(|r| r.path.strip_prefix("/detector?tells="))
        .flat_map(|t| t.split(',').map(str::to_owned).collect::<Vec<_>>())
        .collect()
}

#[tokio::test]
async fn a_detector_of_another_shape_sees_the_control_and_not_the_worker_who_applies() {
    let _one = BROWSER.lock().await;
    require_botd();
    let env = apply_env().await;
    let page = detector_page();
    env.replica.serve_page(4242, page.clone());
    let (row, report) = env.run_job(4242, COOKIE).await;
    assert_eq!(row.status.as_str(), "submitted", "{report:?}");
    let submissions = env.replica.submissions();
    assert_eq!(submissions.len(), 1, "submitted exactly once");
    for (label, value) in [
        ("Mobile phone number", "5550100"),
        ("Email address", "ada@example.org"),
        ("How many years of experience do you have with Python?", "5"),
        ("Are you legally authorized to work in Germany?", "Yes"),
        ("City", "London, England, United Kingdom"),
    ] {
        assert_eq!(
            submissions[0].fields.get(label).map(String::as_str),
            Some(value),
            "{label}"
        );
    }
    let worker = detector_tells(&env.replica, 0);
    assert!(worker.contains("loaded"), "the detector ran: {worker:?}");
    let worker: Vec<_> = worker.into_iter().filter(|t| t != "loaded").collect();
    assert!(worker.is_empty(), "the detector saw the worker: {worker:?}");
    let botd: Vec<_> = env
        .replica
        .sensor_reports()
        .into_iter()
        .filter_map(|r| r.botd)
        .collect();
    assert!(!botd.is_empty() && botd.iter().all(|v| !v.bot), "{botd:?}");

    // the positive control, the old way, on the same page
    env.replica.serve_page(4243, page);
    let from = env.replica.requests().len();
    let options = LaunchOptions {
        mode: Mode::Control,
        ..local_launch("detector-control", std::time::Duration::from_secs(20))
    };
    let browser = LaunchedBrowser::launch(&options).await.unwrap();
    autoapply::cli::begin_application(&browser, &env.replica, 4243, "5550100")
        .await
        .unwrap();
    let want = [
        "webdriver",
        "runtime",
        "mark",
        "keys",
        "foreign:querySelectorAll",
    ];
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let control = loop {
        let tells = detector_tells(&env.replica, from);
        if want.iter().all(|w| tells.contains(*w)) || std::time::Instant::now() > deadline {
            break tells;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    browser.teardown().await;
    for tell in want {
        assert!(
            control.contains(tell),
            "the detector missed {tell}: {control:?}"
        );
    }
}

/// How often a closing tab sends a request without the user's identity (docs/
/// security.md, `src/replica/reports.rs`): `AUTOAPPLY_CLOSES` applications (64 by
/// default) by Windows users on the four markup generations, each checked as every
/// suite checks them (no check fires: a late request is placed as known), then
/// counted: closes whose beacon, or whose report sent in the close, left with the
/// browser's own client hints. A measurement, not a test: run it by hand under
/// `xvfb-run -a` after `source scripts/setup.sh`.
#[tokio::test]
#[ignore = "a measurement: minutes of applications; run it by hand"]
async fn how_often_a_closing_tab_sends_a_request_without_the_identity() {
    let _one = BROWSER.lock().await;
    require_botd();
    let env = apply_env().await;
    let closes: usize = std::env::var("AUTOAPPLY_CLOSES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64);
    let (mut beacons, mut late) = (0, 0);
    for n in 0..closes {
        let user = env.seed_user_in(
            &crate::support::apply::ada_profile(),
            &format!("AQEDAClosingTab-{n}"),
            None,
        );
        env.app.sql(&format!(
            "update platform_sessions set user_agent = '{WINDOWS_UA}' where user_id = '{user}'"
        ));
        env.seed_job(user, [1002, 1017, 1018, 1030][n % 4]);
        let before = env.replica.sensor_reports().len();
        // asserts that no check fired on any of its pages
        env.claim_and_apply(false).await;
        let seen = &env.replica.sensor_reports()[before..];
        let any = |end: &str| {
            seen.iter()
                .filter(|r| !r.url.starts_with("/replica/frame"))
                .any(|r| r.residual.iter().any(|k| k.ends_with(end)))
        };
        beacons += usize::from(any("(a beacon sent as the page closed)"));
        late += usize::from(any(" (sent as the page closed)"));
    }
    println!(
        "closing tabs: {closes} closes; without the identity: {beacons} beacons, {late} late reports (sent in the close, not as its beacon)"
    );
}
