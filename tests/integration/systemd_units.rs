//! The systemd units: verified by `systemd-analyze verify` when it is installed, and
//! checked for the directives the worker relies on.

use std::{process::Command, time::Duration};

use crate::support::manifest_dir;

fn unit(name: &str) -> String {
    std::fs::read_to_string(manifest_dir().join("systemd").join(name)).unwrap()
}

#[test]
fn the_units_say_what_the_worker_relies_on() {
    let service = unit("autoapply.service");
    for directive in [
        "Type=notify",
        "NotifyAccess=main\n",
        "WatchdogSec=",
        "Restart=on-failure",
        "KillMode=mixed",
        "LimitCORE=0\n",
        "User=autoapply",
        "RuntimeDirectory=autoapply",
        "StateDirectory=autoapply",
        "ReadWritePaths=/storage",
        // the worker is the main process (NotifyAccess=main); doppler only fetches
        "ExecStart=/usr/local/bin/autoapply run\n",
        "EnvironmentFile=/run/autoapply/secrets.env",
        "ExecStartPost=/bin/rm -f /run/autoapply/secrets.env",
        "Requires=autoapply-xvfb.service",
        "Environment=DISPLAY=:99",
    ] {
        assert!(
            service.contains(directive),
            "autoapply.service lacks {directive}"
        );
    }
    // the directives that break Chromium stay out (they appear only in comments)
    for broken in ["MemoryDenyWriteExecute=yes", "RestrictNamespaces=yes"] {
        assert!(
            service
                .lines()
                .filter(|l| !l.trim_start().starts_with('#'))
                .all(|l| !l.contains(broken)),
            "{broken} breaks Chromium"
        );
        assert!(
            service.contains(broken),
            "{broken} is explained in a comment"
        );
    }
    let xvfb = unit("autoapply-xvfb.service");
    assert!(xvfb.contains("ExecStart=/usr/bin/Xvfb :99"));
}

/// The value of `key=` in the unit (the last one wins, as in systemd).
fn directive(unit: &str, key: &str) -> Option<String> {
    unit.lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .filter_map(|l| l.strip_prefix(&format!("{key}=")))
        .next_back()
        .map(str::to_owned)
}

fn mib(value: &str) -> u64 {
    let (n, unit) = value.split_at(value.len() - 1);
    match unit {
        "G" => n.parse::<u64>().unwrap() * 1024,
        "M" => n.parse::<u64>().unwrap(),
        _ => panic!("memory {value}: give it in M or G"),
    }
}

/// The configuration's defaults, with what the unit sets (`Environment=`).
fn config_of(service: &str) -> autoapply::config::Config {
    let key = "00".repeat(32);
    let (config, _) = autoapply::config::Config::from_env(&|name| match name {
        "AES_SESSION_KEY" => Some(key.clone()),
        "AGENT_SECRET" => Some("an-agent-secret-long-enough-0123".into()),
        _ => service
            .lines()
            .filter_map(|l| l.strip_prefix(&format!("Environment={name}=")))
            .next_back()
            .map(str::to_owned),
    });
    config.unwrap()
}

#[test]
fn the_units_limits_fit_its_concurrency_and_its_stop_timeout_the_worst_drain() {
    use autoapply::systemd::{MIB_PER_BROWSER, TASKS_PER_BROWSER, WORKER_MIB, WORKER_TASKS};
    let service = unit("autoapply.service");
    let config = config_of(&service);
    let concurrency = config.concurrency as u64;
    assert!(concurrency >= 1);
    let tasks: u64 = directive(&service, "TasksMax").unwrap().parse().unwrap();
    let need_tasks = concurrency * TASKS_PER_BROWSER + WORKER_TASKS;
    assert!(
        tasks >= need_tasks,
        "TasksMax={tasks} < {concurrency} x {TASKS_PER_BROWSER} + {WORKER_TASKS}"
    );
    let memory = mib(&directive(&service, "MemoryMax").unwrap());
    let need_memory = concurrency * MIB_PER_BROWSER + WORKER_MIB;
    assert!(
        memory >= need_memory,
        "MemoryMax={memory} MiB < {concurrency} x {MIB_PER_BROWSER} + {WORKER_MIB} MiB"
    );
    let high = mib(&directive(&service, "MemoryHigh").unwrap());
    assert!(
        need_memory <= high && high < memory,
        "MemoryHigh between need and max"
    );

    // after SIGTERM: a clicked Submit's confirmation, the outcome recorded (two
    // requests), the browser torn down, the webhook's last answers
    let confirmation = autoapply::apply::driver::Waits::default().confirmation;
    let drain = confirmation
        + config.http_timeout * 2
        + autoapply::browser::TEARDOWN_MAX
        + autoapply::webhook::serve::DRAIN;
    let stop: u64 = directive(&service, "TimeoutStopSec")
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        stop > drain.as_secs() + 30,
        "TimeoutStopSec={stop} must exceed the worst drain ({} s) with a margin",
        drain.as_secs()
    );
    assert_eq!(directive(&service, "NotifyAccess").as_deref(), Some("main"));
    assert_eq!(directive(&service, "LimitCORE").as_deref(), Some("0"));
}

#[test]
fn the_units_watchdog_is_derived_from_the_lease_and_ends_a_frozen_worker_first() {
    let service = unit("autoapply.service");
    let lease = config_of(&service).lease;
    let watchdog: u64 = directive(&service, "WatchdogSec").unwrap().parse().unwrap();
    assert_eq!(
        watchdog,
        autoapply::systemd::watchdog_for(lease).as_secs(),
        "WatchdogSec is a third of the {lease:?} lease"
    );
    // frozen right after a ping and right before a renewal: systemd's kill comes
    // first, before the run's own deadline (the lease less its margin) and well
    // before the database's
    let margin = autoapply::lease::LeaseClock::margin_for(lease);
    let renewal = lease / 3;
    assert!(
        Duration::from_secs(watchdog) < lease - renewal - margin,
        "WatchdogSec={watchdog} must end a frozen worker before its lease's deadline"
    );
    // and for every lease the configuration accepts
    for secs in [5, 30, 120, 600, 3600] {
        let lease = Duration::from_secs(secs);
        let margin = autoapply::lease::LeaseClock::margin_for(lease);
        assert!(
            autoapply::systemd::watchdog_for(lease) <= lease - lease / 3 - margin,
            "lease {secs} s"
        );
    }
}

#[test]
fn systemd_analyze_verifies_the_units() {
    if Command::new("systemd-analyze")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("systemd-analyze is not installed: unit verification skipped");
        return;
    }
    // the binary is installed at /usr/local/bin on the worker server: the built one
    // stands in for it in a copy of the unit (doppler runs inside `sh -c`)
    let dir = manifest_dir().join("target/test-systemd");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("autoapply.service"),
        unit("autoapply.service")
            .replace("/usr/local/bin/autoapply", env!("CARGO_BIN_EXE_autoapply")),
    )
    .unwrap();
    std::fs::write(
        dir.join("autoapply-xvfb.service"),
        unit("autoapply-xvfb.service"),
    )
    .unwrap();
    let out = Command::new("systemd-analyze")
        .arg("verify")
        .arg(dir.join("autoapply.service"))
        .arg(dir.join("autoapply-xvfb.service"))
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "systemd-analyze verify failed:\n{text}"
    );
    assert!(
        !text.contains("Unknown key") && !text.contains("Unknown section"),
        "{text}"
    );
}
