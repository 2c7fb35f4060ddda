//! The real `autoapply` binary: `config check` and `session inspect`, including
//! what it prints when a session cannot be decrypted (no secret, anywhere).

use std::{io::Write as _, process::Stdio};

use crate::{session_vectors::vectors, support::spawn_app};

fn autoapply(env: &[(String, String)]) -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_autoapply"));
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default());
    cmd.env("AUTOAPPLY_LOG_FORMAT", "json")
        .env("RUST_LOG", "debug");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}

/// Runs `cmd` with `stdin` written to it: its exit code and its output (standard
/// output, then standard error).
pub(crate) fn run_with_stdin(mut cmd: std::process::Command, stdin: &str) -> (i32, String) {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

#[test]
fn config_check_with_an_empty_environment_names_every_missing_variable() {
    let out = autoapply(&[]).args(["config", "check"]).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&out.stderr);
    for name in ["AES_SESSION_KEY", "AGENT_SECRET"] {
        assert!(
            stderr.contains(&format!("  {name}: missing")),
            "{name} not listed:\n{stderr}"
        );
    }
    // without SUPABASE_URL the embedded store is used: no Supabase variable is required
    assert!(!stderr.contains("SUPABASE_URL"), "{stderr}");
    assert!(!stderr.contains("SUPABASE_SERVICE_ROLE_KEY"), "{stderr}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("AUTOAPPLY_SQLITE_PATH")
            && stdout.contains("/storage/autoapply.sqlite3  (default)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("AUTOAPPLY_STORAGE_ROOT") && stdout.contains("/storage  (default)"),
        "{stdout}"
    );
}

#[test]
fn config_check_shows_secrets_only_as_set() {
    let env = [
        (
            "SUPABASE_URL".to_owned(),
            "https://abc.supabase.co".to_owned(),
        ),
        (
            "SUPABASE_SERVICE_ROLE_KEY".to_owned(),
            "service-role-key-visible-nowhere".to_owned(),
        ),
        ("AES_SESSION_KEY".to_owned(), "ab".repeat(32)),
        (
            "AGENT_SECRET".to_owned(),
            "agent-secret-visible-nowhere".to_owned(),
        ),
    ];
    let out = autoapply(&env).args(["config", "check"]).output().unwrap();
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(0), "{all}");
    assert!(all.contains("configuration ok"));
    for (_, secret) in &env[1..] {
        assert!(
            !all.contains(secret.as_str()),
            "a secret was printed:\n{all}"
        );
    }
    assert_eq!(all.matches("<set>").count(), 3);
}

#[test]
fn session_inspect_from_stdin_shows_names_never_values() {
    let v = &vectors()[1];
    let env = [("AES_SESSION_KEY".to_owned(), v.key_hex.clone())];
    let input =
        serde_json::json!({"session_encrypted": v.session_encrypted, "session_iv": v.session_iv})
            .to_string();
    let mut cmd = autoapply(&env);
    cmd.args(["session", "inspect", "--stdin"])
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    let (code, text) = run_with_stdin(cmd, &input);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("cookie li_at")
            && text.contains("user agent: present")
            && text.contains("session usable: yes"),
        "{text}"
    );
    assert!(!text.contains("AQEDARnodeVectorCookieValue0001"), "{text}");
    // the vector's user agent is Chrome 131: far from the installed Chromium
    if std::path::Path::new("/usr/bin/chromium").exists() {
        assert!(
            text.contains(
                "warning: the stored user agent says Chrome 131, the installed Chromium is "
            ),
            "{text}"
        );
    }
}

#[test]
fn a_failing_decryption_leaks_no_key_iv_ciphertext_or_cookie() {
    let v = &vectors()[0];
    let wrong_key = "11".repeat(32);
    let input =
        serde_json::json!({"session_encrypted": v.session_encrypted, "session_iv": v.session_iv})
            .to_string();
    let mut cmd = autoapply(&[("AES_SESSION_KEY".to_owned(), wrong_key.clone())]);
    cmd.args(["session", "inspect", "--stdin"])
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    let (code, text) = run_with_stdin(cmd, &input);
    assert_eq!(code, 4, "{text}");
    assert!(
        text.contains("wrong AES_SESSION_KEY or corrupted ciphertext")
            || text.contains("not a cookie export"),
        "{text}"
    );
    assert!(
        text.contains("\"level\":\"ERROR\""),
        "the failure is logged: {text}"
    );
    for secret in [
        wrong_key.as_str(),
        &v.key_hex,
        &v.session_iv,
        &v.session_encrypted,
        &v.session_encrypted[..32],
        "AQEDARnodeVectorCookieValue0001",
    ] {
        assert!(!text.contains(secret), "leaked {secret}:\n{text}");
    }

    // a truncated ciphertext and a non-JSON body each get their own message, also clean
    let truncated = serde_json::json!({"session_encrypted": &v.session_encrypted[..40], "session_iv": v.session_iv}).to_string();
    let mut cmd = autoapply(&[("AES_SESSION_KEY".to_owned(), v.key_hex.clone())]);
    cmd.args(["session", "inspect", "--stdin"])
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    let (code, text) = run_with_stdin(cmd, &truncated);
    assert_eq!(code, 4);
    assert!(
        text.contains("not a non-empty multiple of 16")
            && !text.contains(&v.session_encrypted[..40]),
        "{text}"
    );
    let mut cmd = autoapply(&[("AES_SESSION_KEY".to_owned(), v.key_hex.clone())]);
    cmd.args(["session", "inspect", "--stdin"])
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    let (code, text) = run_with_stdin(cmd, "{\"session_encrypted\": 12");
    assert_eq!(code, 2);
    assert!(text.contains("standard input must be JSON"), "{text}");
}

#[tokio::test]
async fn session_inspect_by_user_id_reads_the_store() {
    let app = spawn_app().await;
    let v = &vectors()[1];
    let user = autoapply::domain::UserId::new_random();
    app.sql(&format!(
        "insert into platform_sessions (user_id, session_encrypted, session_iv, user_agent) values ('{user}', '{}', '{}', 'Mozilla/5.0')",
        v.session_encrypted, v.session_iv
    ));
    let mut env = app.env();
    env.push(("AES_SESSION_KEY".into(), v.key_hex.clone()));
    let out = autoapply(&env)
        .args(["session", "inspect", "--user-id", &user.to_string()])
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("stored status: valid") && text.contains("session usable: yes"),
        "{text}"
    );
    assert!(
        !text.contains("AQEDARnodeVectorCookieValue0001") && !text.contains(&app.service_key),
        "{text}"
    );

    let out = autoapply(&env)
        .args(["session", "inspect", "--user-id", "not-a-uuid"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("user id must be a UUID"));
    let missing = autoapply::domain::UserId::new_random();
    let out = autoapply(&env)
        .args(["session", "inspect", "--user-id", &missing.to_string()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(5));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains(&format!("no linkedin session stored for user {missing}"))
    );
}
