//! Every command behaves the same inside and outside the repository: one rule finds
//! the selector files (`AUTOAPPLY_SELECTORS_DIR`, else `./selectors`, else the file
//! built into the binary) and each says which on stderr; each command asks only for
//! the settings it uses; bad input is named in plain words.

use std::{
    path::{Path, PathBuf},
    process::Command,
};

use crate::support::manifest_dir;

const LI_AT: &str = "li-at-value-that-must-never-be-printed";

struct Place {
    dir: PathBuf,
}

impl Place {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("autoapply-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Self { dir }
    }

    fn write(&self, name: &str, text: &str) -> String {
        let path = self.dir.join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    }
}

impl Drop for Place {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Runs `autoapply <args>` in `cwd` with only `env` (and PATH): exit code, stdout,
/// stderr.
fn run(cwd: &Path, env: &[(&str, &str)], args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_autoapply"))
        .current_dir(cwd)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(env.iter().copied())
        .args(args)
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    assert!(
        !stdout.contains(LI_AT) && !stderr.contains(LI_AT),
        "a cookie value was printed"
    );
    (out.status.code().unwrap_or(-1), stdout, stderr)
}

fn cookies() -> String {
    serde_json::json!([
        {"domain": ".www.linkedin.com", "expirationDate": 4102444800.0, "name": "li_at",
         "path": "/", "secure": true, "session": false, "value": LI_AT}
    ])
    .to_string()
}

const BUILT_IN: &str = "selectors: linkedin.toml (built into autoapply) (AUTOAPPLY_SELECTORS_DIR is unset and there is no ./selectors/linkedin.toml)\n";
const IN_REPO: &str = "selectors: ./selectors/linkedin.toml (AUTOAPPLY_SELECTORS_DIR is unset; found in the current directory)\n";

#[test]
fn enqueue_inspect_and_check_work_outside_the_repository_with_only_their_settings() {
    let place = Place::new("everywhere");
    let storage = place.dir.join("storage");
    let storage = storage.to_str().unwrap();
    let key = hex::encode([7u8; 32]);
    let user = "3f0c2a4e-8d5b-4d8e-9a57-2b1c0f6e7d21";
    let only_store = [("AUTOAPPLY_STORAGE_ROOT", storage)];

    // jobs alone: the store's settings only (no AES_SESSION_KEY, no AGENT_SECRET)
    let (code, out, err) = run(
        &place.dir,
        &only_store,
        &["enqueue", "--user-id", user, "--job", "4012345678"],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("queued:  job 4012345678"), "{out}");
    assert_eq!(err.matches("selectors: ").count(), 1, "said once: {err}");
    assert!(err.starts_with(BUILT_IN), "{err}");

    // a session needs the key, and says so when it is missing
    let good = place.write("cookies.json", &cookies());
    let (code, out, err) = run(
        &place.dir,
        &only_store,
        &["enqueue", "--user-id", user, "--cookies", &good],
    );
    assert_eq!(code, 3, "{out}{err}");
    assert!(err.contains("AES_SESSION_KEY: missing"), "{err}");
    assert!(
        !err.contains("AGENT_SECRET"),
        "enqueue does not use it: {err}"
    );

    // a malformed export: the file and the problem in plain words, no parser position
    // that means nothing
    let with_key = [
        ("AUTOAPPLY_STORAGE_ROOT", storage),
        ("AES_SESSION_KEY", key.as_str()),
    ];
    for (name, text, problem) in [
        ("empty.json", "", "not a cookie export (empty)"),
        (
            "syntax.json",
            "[{\"name\": \"li_at\",\n  \"value\": }]",
            "not a cookie export (invalid JSON at line 2, column 12)",
        ),
        (
            "shape.json",
            "{\"li_at\": \"x\"}",
            "not a cookie export (expected an array of cookies or {cookies, user_agent}",
        ),
    ] {
        let file = place.write(name, text);
        let (code, _, err) = run(
            &place.dir,
            &with_key,
            &["enqueue", "--user-id", user, "--cookies", &file],
        );
        assert_eq!(code, 2, "{name}: {err}");
        assert!(err.contains(&format!("{file}: {problem}")), "{name}: {err}");
        assert!(
            err.contains("export the LinkedIn cookies from the browser"),
            "{name}: {err}"
        );
        assert!(
            !err.contains("line 0") && !err.contains("decrypted session"),
            "{name}: {err}"
        );
    }
    let (code, out, err) = run(
        &place.dir,
        &with_key,
        &["enqueue", "--user-id", user, "--cookies", &good],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("session: stored for user"), "{out}");

    // session inspect: the key, not the webhook's secret; the same rule for selectors
    let (code, out, err) = run(
        &place.dir,
        &with_key,
        &["session", "inspect", "--user-id", user],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("session usable: yes"), "{out}");
    assert!(err.starts_with(BUILT_IN), "{err}");

    // selectors check: the built-in file outside, ./selectors inside
    let (code, out, err) = run(&place.dir, &[], &["selectors", "check"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.starts_with("built-in linkedin.toml: ok"), "{out}");
    assert!(err.starts_with(BUILT_IN), "{err}");
    let (code, out, err) = run(&manifest_dir(), &[], &["selectors", "check"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.starts_with("selectors/linkedin.toml: ok"), "{out}");
    assert!(err.starts_with(IN_REPO), "{err}");

    // inside the repository, enqueue says it uses ./selectors
    let (code, out, err) = run(
        &manifest_dir(),
        &only_store,
        &["enqueue", "--user-id", user, "--job", "4012345679"],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(err.starts_with(IN_REPO), "{err}");

    // a configured directory that is not there: named, with the setting
    let missing = [
        ("AUTOAPPLY_STORAGE_ROOT", storage),
        ("AUTOAPPLY_SELECTORS_DIR", "/nonexistent"),
    ];
    let (code, _, err) = run(
        &place.dir,
        &missing,
        &["enqueue", "--user-id", user, "--job", "4012345670"],
    );
    assert_eq!(code, 3, "{err}");
    assert!(
        err.contains("selectors: /nonexistent/linkedin.toml (from AUTOAPPLY_SELECTORS_DIR)"),
        "{err}"
    );
    assert!(
        err.contains("/nonexistent/linkedin.toml: cannot read"),
        "{err}"
    );
}
