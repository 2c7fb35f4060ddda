//! The systemd units: verified by `systemd-analyze verify` when it is installed, and
//! checked for the directives the worker relies on.

use std::process::Command;

use crate::support::manifest_dir;

fn unit(name: &str) -> String {
    std::fs::read_to_string(manifest_dir().join("systemd").join(name)).unwrap()
}

#[test]
fn the_units_say_what_the_worker_relies_on() {
    let service = unit("autoapply.service");
    for directive in [
        "Type=notify",
        "NotifyAccess=all",
        "WatchdogSec=",
        "Restart=on-failure",
        "KillMode=mixed",
        "TimeoutStopSec=90",
        "User=autoapply",
        "RuntimeDirectory=autoapply",
        "StateDirectory=autoapply",
        "ReadWritePaths=/storage",
        "ExecStart=/usr/bin/doppler run ",
        "-- /usr/local/bin/autoapply run",
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
    // doppler is the platform's secret wrapper, not on a test machine: a stand-in
    // executable at the same place in a copy of the unit
    let dir = manifest_dir().join("target/test-systemd");
    std::fs::create_dir_all(&dir).unwrap();
    let stub = dir.join("doppler");
    std::fs::write(&stub, "#!/bin/sh\nexec \"$@\"\n").unwrap();
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(&stub, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::write(
        dir.join("autoapply.service"),
        unit("autoapply.service").replace("/usr/bin/doppler", &stub.display().to_string()),
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
