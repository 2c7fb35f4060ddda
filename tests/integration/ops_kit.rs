//! The operator kit in `ops/`: the Prometheus alert rules pass `promtool check rules`
//! and their unit tests (`promtool test rules`: each alert fires when it must and
//! stays quiet when it must not), and every metric the rules and the Grafana
//! dashboard use is one the worker exposes.

use std::{collections::BTreeSet, path::Path, process::Command, time::Duration};

use autoapply::{
    metrics::{DatabaseFigures, Metrics},
    store::{DailyStatus, DriftStatus, StatusCount},
};

fn ops(file: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("ops").join(file)
}

/// `promtool <args>`, failing with what to install when it is missing.
fn promtool(args: &[&str]) -> String {
    let out = Command::new("promtool")
        .args(args)
        .current_dir(ops("prometheus"))
        .output()
        .unwrap_or_else(|e| {
            panic!("promtool: {e}: install Debian's `prometheus` package (scripts/setup.sh does)")
        });
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "promtool {args:?} failed:\n{text}");
    text
}

#[test]
fn the_alert_rules_pass_promtool_and_their_unit_tests() {
    let check = promtool(&["check", "rules", "autoapply-alerts.yml"]);
    assert!(check.contains("SUCCESS: 9 rules found"), "{check}");
    let tests = promtool(&["test", "rules", "autoapply-alerts.test.yml"]);
    assert!(tests.contains("SUCCESS"), "{tests}");
    // every alert of the rules file has a test group and an entry in docs/monitoring.md
    let rules = std::fs::read_to_string(ops("prometheus/autoapply-alerts.yml")).unwrap();
    let tests = std::fs::read_to_string(ops("prometheus/autoapply-alerts.test.yml")).unwrap();
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/monitoring.md"))
            .unwrap();
    let alerts: Vec<&str> = rules
        .lines()
        .filter_map(|l| l.trim().strip_prefix("- alert: "))
        .collect();
    assert_eq!(alerts.len(), 9, "{alerts:?}");
    for alert in alerts {
        assert!(
            tests.contains(&format!("alertname: {alert}")),
            "{alert} has no promtool test"
        );
        assert!(
            readme.contains(&format!("**{alert}**")),
            "{alert} has no entry in the Alerts section of docs/monitoring.md"
        );
    }
}

/// Every `autoapply_*` metric family the worker can expose.
fn exposed() -> BTreeSet<String> {
    let m = Metrics::default();
    m.tick();
    m.application_done(Duration::from_secs(1), "submitted");
    m.webhook_answered(200);
    let _browser = m.browser_started();
    let text = m.render(&DatabaseFigures {
        counts: Some(vec![StatusCount {
            status: "queued".into(),
            reason: String::new(),
            applications: 1,
        }]),
        daily: Some(DailyStatus {
            day: time::macros::date!(2026 - 11 - 29),
            used: 1,
            daily_limit: 1500,
            remaining: 1499,
        }),
        drift: Some(DriftStatus::default()),
        oldest_claimable_seconds: Some(0.0),
    });
    text.lines()
        .filter_map(|l| l.strip_prefix("# TYPE "))
        .filter_map(|l| l.split(' ').next())
        .map(str::to_owned)
        .collect()
}

/// The `autoapply_*` names in `text`, histogram suffixes folded into their family.
fn used(text: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut rest = text;
    while let Some(at) = rest.find("autoapply_") {
        let tail = &rest[at..];
        let end = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(tail.len());
        let name = &tail[..end];
        let family = ["_bucket", "_sum", "_count"]
            .iter()
            .find_map(|s| name.strip_suffix(s))
            .unwrap_or(name);
        // file names and the dashboard's uid are not metrics
        if !family.ends_with("_alerts") && !family.ends_with("_dashboard") {
            names.insert(family.to_owned());
        }
        rest = &tail[end..];
    }
    names
}

#[test]
fn the_rules_and_the_dashboard_use_only_metrics_the_worker_exposes() {
    let exposed = exposed();
    let rules = std::fs::read_to_string(ops("prometheus/autoapply-alerts.yml")).unwrap();
    let dashboard = std::fs::read_to_string(ops("grafana/autoapply-dashboard.json")).unwrap();
    let parsed: serde_json::Value =
        serde_json::from_str(&dashboard).expect("the dashboard is JSON");
    let panels = parsed["panels"].as_array().expect("panels");
    assert!(panels.len() >= 8, "{} panels", panels.len());
    let exprs: Vec<&str> = panels
        .iter()
        .flat_map(|p| p["targets"].as_array().into_iter().flatten())
        .filter_map(|t| t["expr"].as_str())
        .collect();
    for (file, names) in [
        ("alert rules", used(&rules)),
        ("dashboard", used(&exprs.join("\n"))),
    ] {
        assert!(!names.is_empty(), "{file}: no metric found");
        let unknown: Vec<_> = names.difference(&exposed).collect();
        assert!(
            unknown.is_empty(),
            "{file} uses metrics the worker does not expose: {unknown:?} (exposed: {exposed:?})"
        );
    }
    // and every family is on the dashboard
    let on_dashboard = used(&exprs.join("\n"));
    let missing: Vec<_> = exposed.difference(&on_dashboard).collect();
    assert!(
        missing.is_empty(),
        "metrics with no dashboard panel: {missing:?}"
    );
}
