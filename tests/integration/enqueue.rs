//! `autoapply enqueue` with the real binary, on the embedded store and through
//! PostgREST: a cookie export encrypted with the configured key, a profile, jobs;
//! bad input refused before anything is written; no cookie value printed.

use std::{os::unix::fs::PermissionsExt as _, path::Path, process::Command};

use autoapply::{
    domain::{Platform, UserId},
    session::{self, CipherEncoding, EncryptedSession, SessionKey},
    store::{Store as _, sqlite::SqliteStore},
};

use crate::support::{manifest_dir, spawn_app};

const LI_AT: &str = "li-at-value-that-must-never-be-printed";

fn cookies_json() -> String {
    serde_json::json!({
        "cookies": [
            {"domain": ".www.linkedin.com", "expirationDate": 4102444800.0, "httpOnly": true, "name": "li_at",
             "path": "/", "sameSite": "no_restriction", "secure": true, "session": false, "value": LI_AT},
            {"domain": ".www.linkedin.com", "expirationDate": 4102444800.0, "name": "JSESSIONID",
             "path": "/", "secure": true, "session": false, "value": "\"ajax:42\""}
        ],
        "user_agent": "Mozilla/5.0 (X11; Linux x86_64) enqueue-test"
    })
    .to_string()
}

fn enqueue(env: &[(String, String)], args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_autoapply"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("RUST_LOG", "trace")
        .envs(env.iter().map(|(k, v)| (k, v)))
        .arg("enqueue")
        .args(args)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!text.contains(LI_AT), "a cookie value was printed:\n{text}");
    (out.status.code().unwrap_or(-1), text)
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

#[tokio::test]
async fn enqueue_on_the_embedded_store_encrypts_the_session_and_refuses_bad_input() {
    let dir = manifest_dir()
        .join("target/test-enqueue")
        .join(std::process::id().to_string());
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let storage = dir.join("storage");
    let db = storage.join("autoapply.sqlite3");
    let key_bytes: [u8; 32] = rand::random();
    let env = vec![
        ("AES_SESSION_KEY".to_owned(), hex::encode(key_bytes)),
        (
            "AGENT_SECRET".to_owned(),
            "enqueue-test-agent-secret".to_owned(),
        ),
        (
            "AUTOAPPLY_STORAGE_ROOT".to_owned(),
            storage.display().to_string(),
        ),
        (
            "AUTOAPPLY_SELECTORS_DIR".to_owned(),
            manifest_dir().join("selectors").display().to_string(),
        ),
    ];
    let cookies = write(&dir, "cookies.json", &cookies_json());
    let profile = write(
        &dir,
        "profile.json",
        &serde_json::json!({"contact": {"first_name": "Ada", "email": "ada@example.org"},
                            "experience_years": {"rust": 2}})
        .to_string(),
    );
    // the operator's résumé folder, inside a storage root kept private
    std::fs::create_dir_all(storage.join("resumes")).unwrap();
    std::fs::set_permissions(&storage, std::fs::Permissions::from_mode(0o700)).unwrap();
    let resume = write(&storage.join("resumes"), "resume.pdf", "%PDF-1.4\n");
    let notes = write(&storage.join("resumes"), "notes.txt", "notes");
    let user = UserId::new_random().to_string();

    // bad input: a specific message, exit code, and no database file created
    let not_json = write(&dir, "not-json.json", "{\"cookies\": [");
    let no_li_at = write(
        &dir,
        "no-li-at.json",
        r#"[{"name": "JSESSIONID", "value": "x", "domain": ".www.linkedin.com"}]"#,
    );
    let bad_profile = write(
        &dir,
        "bad-profile.json",
        r#"{"experience_years": {"rust": "lots"}}"#,
    );
    for (args, code, says) in [
        (vec!["--user-id", "not-a-uuid", "--job", "1"], 2, "UUID"),
        (
            vec![
                "--user-id",
                &user,
                "--job",
                "https://example.com/jobs/view/1/",
            ],
            2,
            "expected a LinkedIn job URL",
        ),
        (vec!["--user-id", &user], 2, "nothing to do"),
        (
            vec!["--user-id", &user, "--cookies", &not_json],
            2,
            "not-json.json",
        ),
        (vec!["--user-id", &user, "--cookies", &no_li_at], 4, "li_at"),
        (
            vec!["--user-id", &user, "--profile", &bad_profile],
            2,
            "does not match the documented schema at `experience_years.rust`",
        ),
        (
            vec![
                "--user-id",
                &user,
                "--profile",
                &profile,
                "--resume",
                "/nonexistent.pdf",
            ],
            2,
            "no such file",
        ),
        (
            vec![
                "--user-id",
                &user,
                "--profile",
                &profile,
                "--resume",
                "/proc/self/environ",
            ],
            2,
            "outside the résumé folder",
        ),
        (
            vec![
                "--user-id",
                &user,
                "--profile",
                &profile,
                "--resume",
                &notes,
            ],
            2,
            "must be a .pdf, .doc or .docx file",
        ),
    ] {
        let (got, text) = enqueue(&env, &args);
        assert_eq!(got, code, "{args:?}:\n{text}");
        assert!(text.contains(says), "{args:?} should say {says:?}:\n{text}");
        assert!(!db.exists(), "{args:?} wrote the database");
    }

    let (code, text) = enqueue(
        &env,
        &[
            "--user-id",
            &user,
            "--cookies",
            &cookies,
            "--profile",
            &profile,
            "--resume",
            &resume,
            "--job",
            "https://www.linkedin.com/jobs/view/4012345678/?refId=abc",
            "--job",
            "77",
        ],
    );
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("store: embedded SQLite at"), "{text}");
    assert!(
        text.contains("session: stored for user") && text.contains("2 cookies"),
        "{text}"
    );
    assert_eq!(text.matches("queued:  job ").count(), 2, "{text}");
    let (code, text) = enqueue(&env, &["--user-id", &user, "--job", "77"]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("exists:  job 77"), "{text}");

    // what was stored: the file is private, the session decrypts to the export
    assert_eq!(
        std::fs::metadata(&db).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert_eq!(
        std::fs::metadata(&storage).unwrap().permissions().mode() & 0o077,
        0
    );
    let store = SqliteStore::open(&db).unwrap();
    let user = UserId::parse(&user).unwrap();
    let stored = store
        .session(user, Platform::Linkedin)
        .await
        .unwrap()
        .unwrap();
    let plaintext = session::decrypt(
        &SessionKey::from_bytes(key_bytes),
        CipherEncoding::Hex,
        &EncryptedSession {
            ciphertext: stored.session_encrypted,
            iv: stored.session_iv,
        },
    )
    .unwrap();
    assert_eq!(String::from_utf8_lossy(&plaintext), cookies_json());
    let raw = std::fs::read(&db).unwrap();
    assert!(
        !raw.windows(LI_AT.len()).any(|w| w == LI_AT.as_bytes()),
        "the cookie is stored in clear"
    );
    let row = store.profile(user).await.unwrap().unwrap();
    assert_eq!(
        row.profile.as_ref().unwrap().contact.first_name.as_deref(),
        Some("Ada")
    );
    assert_eq!(row.resume_path.as_deref(), Some(resume.as_str()));
    let mut claimed = Vec::new();
    while let Some(a) = store
        .claim("t", std::time::Duration::from_secs(60))
        .await
        .unwrap()
    {
        // one at a time: a user is in one browser at most
        let skipped = autoapply::domain::Outcome::new(
            autoapply::domain::OutcomeStatus::Skipped,
            Some("already_applied"),
        );
        assert!(store.finish(a.lease().unwrap(), &skipped).await.unwrap());
        claimed.push((a.external_job_id, a.job_url, a.max_attempts));
    }
    claimed.sort();
    assert_eq!(
        claimed,
        [
            (
                "4012345678".to_owned(),
                "https://www.linkedin.com/jobs/view/4012345678/".to_owned(),
                3
            ),
            (
                "77".to_owned(),
                "https://www.linkedin.com/jobs/view/77/".to_owned(),
                3
            )
        ]
    );
}

#[tokio::test]
async fn enqueue_through_postgrest_writes_the_supabase_tables() {
    let app = spawn_app().await;
    let dir = manifest_dir()
        .join("target/test-enqueue")
        .join(format!("{}-pg", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cookies = write(&dir, "cookies.json", &cookies_json());
    let mut env = app.env();
    env.push(("AES_SESSION_KEY".into(), "ab".repeat(32)));
    let user = UserId::new_random();
    let (code, text) = enqueue(
        &env,
        &[
            "--user-id",
            &user.to_string(),
            "--cookies",
            &cookies,
            "--job",
            "1234",
            "--max-attempts",
            "5",
        ],
    );
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("store: supabase"), "{text}");
    assert_eq!(
        app.sql("select external_job_id, status, max_attempts, job_url from job_applications"),
        "1234|queued|5|https://www.linkedin.com/jobs/view/1234/"
    );
    assert_eq!(
        app.sql(&format!(
            "select status, length(session_iv) from platform_sessions where user_id = '{user}'"
        )),
        "valid|32"
    );
    let (code, text) = enqueue(&env, &["--user-id", &user.to_string(), "--job", "1234"]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("exists:  job 1234"), "{text}");
    assert_eq!(app.sql("select count(*) from job_applications"), "1");
}
