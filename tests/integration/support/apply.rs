//! Support for the apply-engine tests: the LinkedIn replica on 127.0.0.1:0, an
//! engine pointed at it with pacing scaled to zero, users with encrypted sessions,
//! profiles and résumés, and a log capture.

use std::{
    io::Write,
    path::PathBuf,
    sync::{Arc, Mutex, atomic::AtomicU32},
    time::Duration,
};

use autoapply::{
    apply::{AttemptReport, Engine, EngineParts, driver::Waits},
    browser::LaunchOptions,
    domain::{ApplicationId, UserId},
    replica::Replica,
    session::{self, CipherEncoding, SessionKey},
    site::SiteSpec,
    store::{Application, Store},
};
use tokio_util::sync::CancellationToken;

use super::{TestApp, manifest_dir, spawn_app};

/// One browser at a time: the machine has two cores.
pub static BROWSER: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
static N: AtomicU32 = AtomicU32::new(0);

pub fn require_display() {
    assert!(
        std::env::var("DISPLAY").is_ok_and(|d| !d.is_empty()),
        "these tests drive a headful Chromium: run them under `xvfb-run -a` (scripts/test.sh does)"
    );
}

/// Launch options of a headful browser of one test, its profiles under
/// `target/test-apply/<name>/<pid>/profiles`.
pub fn local_launch(name: &str, command_timeout: Duration) -> LaunchOptions {
    LaunchOptions {
        executable: "/usr/bin/chromium".into(),
        profile_root: test_dir(name).join("profiles"),
        label: name.into(),
        user_agent: None,
        language: None,
        headless: false,
        targets_linkedin: false,
        command_timeout,
        mode: autoapply::browser::Mode::Person,
    }
}

/// A directory of one test: `target/test-apply/<name>/<pid>`.
pub fn test_dir(name: &str) -> PathBuf {
    manifest_dir()
        .join("target/test-apply")
        .join(name)
        .join(std::process::id().to_string())
}

/// The pages the replica served, in order: its own scripts and styles and the
/// browser's favicon request left out.
pub fn page_loads(replica: &Replica) -> Vec<String> {
    replica
        .requests()
        .into_iter()
        .filter(|r| {
            r.method == "GET" && !r.path.starts_with("/replica/") && r.path != "/favicon.ico"
        })
        .map(|r| r.path)
        .collect()
}

/// The shipped LinkedIn selector file, pointed at the replica, as the page observer
/// takes it.
pub fn replica_spec(replica: &Replica) -> String {
    autoapply::browser::spec_json(
        &SiteSpec::load(&manifest_dir().join("selectors"), "linkedin")
            .unwrap()
            .with_origin(replica.origin()),
    )
}

/// Ada's profile: everything the replica's multi-step job asks, and explicit answers.
/// The shared example profile (`src/domain/profile.example.json`, the demo's), with
/// a salary above job 1008's limit (its validation error) and the answer job 1011 asks.
pub fn ada_profile() -> serde_json::Value {
    let mut profile = autoapply::domain::profile::example();
    profile["salary_expectation"]["amount"] = 250_000.into();
    profile["answers"]
        .as_array_mut()
        .expect("answers is a list")
        .push(serde_json::json!({"question": "Which shift do you prefer?", "answer": "Night"}));
    profile
}

pub struct ApplyEnv {
    pub app: TestApp,
    pub replica: Replica,
    pub engine: Engine,
    pub key: SessionKey,
    pub key_hex: String,
    pub storage: PathBuf,
    pub runtime: PathBuf,
    pub logs: Logs,
    _log_guard: tracing::subscriber::DefaultGuard,
}

/// Captured log output of this test's thread.
#[derive(Clone, Default)]
pub struct Logs(Arc<Mutex<Vec<u8>>>);

impl Logs {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl Write for Logs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

pub async fn apply_env() -> ApplyEnv {
    apply_env_paced(0.0).await
}

/// [`apply_env`] with the engine's pacing scaled by `pacing_scale` (1: a person's
/// pace, as against LinkedIn).
pub async fn apply_env_paced(pacing_scale: f64) -> ApplyEnv {
    require_display();
    let logs = Logs::default();
    let writer = logs.clone();
    // the production stack (with its secret guard), at the most verbose level
    let subscriber = autoapply::telemetry::subscriber(
        true,
        tracing_subscriber::EnvFilter::new("trace"),
        move || writer.clone(),
    );
    let log_guard = tracing::subscriber::set_default(subscriber);
    let app = spawn_app().await;
    let replica = Replica::start("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let base = manifest_dir()
        .join("target/test-apply")
        .join(format!("{}-{n}", std::process::id()));
    let storage = base.join("storage");
    let runtime = base.join("run");
    std::fs::create_dir_all(&storage).unwrap();
    let key_bytes: [u8; 32] = rand::random();
    let key = SessionKey::from_bytes(key_bytes);
    let site = SiteSpec::load(&manifest_dir().join("selectors"), "linkedin").unwrap();
    let mut engine = Engine::new(EngineParts {
        site,
        site_origin: Some(replica.origin()),
        pacing_scale,
        navigations_per_minute: 6,
        browser_path: PathBuf::from(
            std::env::var("AUTOAPPLY_BROWSER_PATH").unwrap_or_else(|_| "/usr/bin/chromium".into()),
        ),
        runtime_dir: runtime.clone(),
        headless: false,
        screenshots_dir: storage.join("screenshots"),
        resume_dir: storage.join("resumes"),
        session_key: key.clone(),
        session_encoding: CipherEncoding::Hex,
        success_screenshots: false,
        throttle_pause: std::time::Duration::from_secs(6 * 3600),
        drift: autoapply::store::DriftRule {
            failures: 5,
            users: 3,
            pause: std::time::Duration::from_secs(1800),
        },
    })
    .unwrap();
    engine.waits = Waits {
        element: Duration::from_secs(8),
        confirmation: Duration::from_secs(10),
    };
    ApplyEnv {
        app,
        replica,
        engine,
        key,
        key_hex: hex::encode(key_bytes),
        storage,
        runtime,
        logs,
        _log_guard: log_guard,
    }
}

impl ApplyEnv {
    /// A user with an encrypted cookie export (`li_at` = `li_at`), a profile and a résumé.
    pub fn seed_user(&self, profile: &serde_json::Value, li_at: &str) -> UserId {
        self.seed_user_in(profile, li_at, None)
    }

    /// A user whose account is in display language `lang` (the export's `lang`
    /// cookie, `v=2&lang=fr-fr`), when given.
    pub fn seed_user_in(
        &self,
        profile: &serde_json::Value,
        li_at: &str,
        lang: Option<&str>,
    ) -> UserId {
        let user = UserId::new_random();
        let mut export = serde_json::json!({
            "cookies": [
                {"domain": ".www.linkedin.com", "expirationDate": 4102444800.0, "httpOnly": true, "name": "li_at",
                 "path": "/", "sameSite": "no_restriction", "secure": true, "session": false, "value": li_at},
                {"domain": ".www.linkedin.com", "expirationDate": 4102444800.0, "httpOnly": false, "name": "JSESSIONID",
                 "path": "/", "sameSite": "no_restriction", "secure": true, "session": false, "value": "\"ajax:0123456789\""}
            ],
            "user_agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 autoapply-test"
        });
        if let Some(lang) = lang {
            export["cookies"].as_array_mut().unwrap().push(serde_json::json!(
                {"domain": ".linkedin.com", "expirationDate": 4102444800.0, "httpOnly": false, "name": "lang",
                 "path": "/", "sameSite": "no_restriction", "secure": true, "session": false,
                 "value": format!("v=2&lang={lang}")}
            ));
        }
        let sealed = session::encrypt(
            &self.key,
            CipherEncoding::Hex,
            export.to_string().as_bytes(),
        );
        use secrecy::ExposeSecret as _;
        let resume = self.storage.join(format!("resumes/resume-{user}.pdf"));
        std::fs::create_dir_all(self.storage.join("resumes")).unwrap();
        std::fs::write(&resume, b"%PDF-1.4\n% Ada Lovelace CV\n").unwrap();
        self.app.sql(&format!(
            "insert into platform_sessions (user_id, session_encrypted, session_iv, user_agent) values ('{user}', '{}', '{}', null); \
             insert into applicant_profiles (user_id, profile, resume_path) values ('{user}', '{}', '{}')",
            sealed.ciphertext.expose_secret(),
            sealed.iv.expose_secret(),
            profile.to_string().replace('\'', "''"),
            resume.display()
        ));
        user
    }

    /// A queued application of `user` to replica job `job`.
    pub fn seed_job(&self, user: UserId, job: u64) -> ApplicationId {
        let id = self.app.sql(&format!(
            "insert into job_applications (user_id, job_url, external_job_id) values ('{user}', '{}', '{job}') returning id",
            Replica::linkedin_job_url(job)
        ));
        ApplicationId::parse(id.lines().next().unwrap()).unwrap()
    }

    /// Claims the next application and runs it; then asserts that the pages it
    /// opened saw no automation tell of the DevTools layer ([`assert_unseen`]).
    pub async fn claim_and_apply(&self, dry_run: bool) -> (Application, AttemptReport) {
        let seen_before = self.replica.sensor_reports().len();
        let claimed = self
            .app
            .store
            .claim("test-worker", Duration::from_secs(120))
            .await
            .unwrap()
            .expect("a claimable application");
        let report = self
            .engine
            .apply(
                &self.app.store,
                &claimed,
                &CancellationToken::new(),
                &autoapply::apply::ApplyOptions {
                    dry_run,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let row = self
            .app
            .store
            .application(claimed.id)
            .await
            .unwrap()
            .unwrap();
        assert_unseen(&self.replica.sensor_reports()[seen_before..]);
        (row, report)
    }

    /// The seeded user's applications run once each, in order.
    pub async fn run_job(&self, job: u64, li_at: &str) -> (Application, AttemptReport) {
        self.run_job_in(&ada_profile(), li_at, None, job).await
    }

    /// A new user with `profile` (their account in display language `lang`, when
    /// given) and one application of `job`, claimed and applied to now.
    pub async fn run_job_in(
        &self,
        profile: &serde_json::Value,
        li_at: &str,
        lang: Option<&str>,
        job: u64,
    ) -> (Application, AttemptReport) {
        let user = self.seed_user_in(profile, li_at, lang);
        self.seed_job(user, job);
        self.claim_and_apply(false).await
    }
}

/// BotD is where the replica loads it from (`scripts/setup.sh` unpacks it).
pub fn require_botd() {
    assert!(
        autoapply::replica::sensor::botd_path().is_some(),
        "BotD is not installed: run scripts/setup.sh (it unpacks @fingerprintjs/botd into target/tools/botd)"
    );
}

/// What the replica's sensor saw on these page loads: none of its checks fired (no
/// automation flag, no Runtime domain, no mark in the DOM, no page API called from
/// foreign code, no untrusted event, no text without key presses, no click without
/// a mouse path, one identity); and BotD, wherever it ran, said a person.
pub fn assert_unseen(reports: &[autoapply::replica::sensor::SensorReport]) {
    for r in reports {
        for check in autoapply::replica::sensor::CHECKS {
            assert_eq!(r.fired(check), None, "{check} on {}", r.url);
        }
        if let Some(botd) = &r.botd {
            assert!(!botd.bot, "BotD says bot ({}) on {}", botd.kind, r.url);
        }
    }
}

/// Asserts the browser of an attempt is gone: no process of it in the table, no profile directory.
pub fn assert_torn_down(report: &AttemptReport) {
    let (_pid, profile) = report.browser.clone().expect("a browser was launched");
    let left = autoapply::browser::leftovers::processes_of(&profile);
    assert!(left.is_empty(), "browser processes left: {left:?}");
    assert!(
        !profile.exists(),
        "profile directory left: {}",
        profile.display()
    );
}

/// Asserts the screenshot exists, decodes, is named by the id and is not world-readable.
pub fn assert_screenshot(report: &AttemptReport, row: &Application) {
    use std::os::unix::fs::PermissionsExt as _;
    let path = report.screenshot.clone().expect("a screenshot");
    assert_eq!(
        path.file_name().unwrap().to_string_lossy(),
        format!("{}.png", row.id)
    );
    assert_eq!(
        row.screenshot_path.as_deref(),
        Some(path.to_string_lossy().as_ref())
    );
    let img = image::open(&path).expect("the screenshot decodes");
    assert!(
        img.width() >= 400 && img.height() >= 300,
        "{}x{}",
        img.width(),
        img.height()
    );
    assert_eq!(
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o007,
        0
    );
}

/// What the multi-step form must have sent, whichever markup carried it.
pub fn assert_multi_step_answers(env: &ApplyEnv, job: u64, user: &str) {
    let submissions = env.replica.submissions();
    assert_eq!(submissions.len(), 1, "submitted exactly once");
    let s = &submissions[0];
    assert_eq!(s.job_id, job);
    let expected = [
        ("First name", "Ada"),
        ("Last name", "Lovelace"),
        ("Phone country code", "United Kingdom (+44)"),
        ("Mobile phone number", "5550100"),
        ("Email address", "ada@example.org"),
        ("Resume", &format!("resume-{user}.pdf")),
        ("How many years of experience do you have with Python?", "5"),
        ("What is your notice period?", "30 days"),
        ("Are you legally authorized to work in Germany?", "Yes"),
        (
            "Will you now or in the future require sponsorship for employment visa status?",
            "No",
        ),
        (
            "I consent to the processing of my personal data for this application",
            "I agree",
        ),
        ("City", "London, England, United Kingdom"),
        ("Follow company", "false"),
    ];
    for (label, value) in expected {
        assert_eq!(
            s.fields.get(label).map(String::as_str),
            Some(value),
            "job {job}: field {label}"
        );
    }
    assert_eq!(s.fields.len(), expected.len(), "{:?}", s.fields.keys());
    assert_eq!(s.follow_company, Some(false), "the user does not follow");
}
