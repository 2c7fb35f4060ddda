//! The real `autoapply run` as a child process, pointed at the test's PostgREST and
//! the replica, with pacing scaled to zero.

use std::{
    path::PathBuf,
    process::{Child, Command, ExitStatus, Stdio},
    time::{Duration, Instant},
};

use super::apply::ApplyEnv;

pub struct Daemon {
    child: Child,
    pub log: PathBuf,
    runtime: PathBuf,
    /// `http://127.0.0.1:<port>` of its webhook
    pub webhook: String,
}

impl ApplyEnv {
    /// `autoapply enqueue` onto the embedded store (`lite` names it): a new user with a
    /// cookie export (`li_at`), Ada's profile, a résumé in the résumé folder, and
    /// `jobs`. Returns the user's id.
    pub async fn enqueue_on_sqlite(
        &self,
        li_at: &str,
        jobs: impl IntoIterator<Item = u64>,
        lite: &[(&str, &str)],
    ) -> String {
        let user = autoapply::domain::UserId::new_random().to_string();
        let cookies = self.storage.join("cookies.json");
        std::fs::write(
            &cookies,
            serde_json::json!([
                {"domain": ".www.linkedin.com", "expirationDate": 4102444800.0, "name": "li_at",
                 "path": "/", "secure": true, "httpOnly": true, "value": li_at}
            ])
            .to_string(),
        )
        .unwrap();
        let profile = self.storage.join("profile.json");
        std::fs::write(&profile, super::apply::ada_profile().to_string()).unwrap();
        std::fs::create_dir_all(self.storage.join("resumes")).unwrap();
        let resume = self.storage.join("resumes/resume.pdf");
        std::fs::write(&resume, b"%PDF-1.4\n").unwrap();
        let mut enqueue = tokio::process::Command::from(self.autoapply("cli", lite));
        enqueue.args(["enqueue", "--user-id", &user]);
        enqueue.arg("--cookies").arg(&cookies);
        enqueue.arg("--profile").arg(&profile);
        enqueue.arg("--resume").arg(&resume);
        for job in jobs {
            enqueue.args(["--job", &job.to_string()]);
        }
        let out = enqueue.output().await.unwrap();
        assert!(out.status.success(), "{out:?}");
        user
    }

    /// Starts `autoapply run` named `worker`, with `extra` environment on top.
    pub fn spawn_daemon(&self, worker: &str, extra: &[(&str, &str)]) -> Daemon {
        let log = self.storage.join(format!("daemon-{worker}.log"));
        let file = std::fs::File::create(&log).unwrap();
        let addr = format!("127.0.0.1:{}", super::free_port());
        let mut with_addr: Vec<(&str, &str)> = vec![("AUTOAPPLY_WEBHOOK_ADDR", addr.as_str())];
        with_addr.extend_from_slice(extra);
        let mut cmd = self.autoapply(worker, &with_addr);
        cmd.arg("run");
        cmd.stdin(Stdio::null())
            .stdout(file.try_clone().unwrap())
            .stderr(file);
        let child = cmd.spawn().expect("start autoapply run");
        Daemon {
            child,
            log,
            runtime: self.runtime.clone(),
            webhook: format!("http://{addr}"),
        }
    }

    /// The `autoapply` binary with this test's environment (PostgREST, key,
    /// replica, storage), named `worker`, `extra` on top.
    pub fn autoapply(&self, worker: &str, extra: &[(&str, &str)]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_autoapply"));
        cmd.env_clear();
        for var in ["PATH", "DISPLAY", "HOME", "XAUTHORITY"] {
            if let Ok(v) = std::env::var(var) {
                cmd.env(var, v);
            }
        }
        for (k, v) in self.app.env() {
            cmd.env(k, v);
        }
        let storage = self.storage.display().to_string();
        let runtime = self.runtime.display().to_string();
        let origin = self.replica.origin().to_string();
        let defaults = [
            ("AES_SESSION_KEY", self.key_hex.as_str()),
            ("AUTOAPPLY_SITE_ORIGIN", origin.trim_end_matches('/')),
            ("AUTOAPPLY_PACING_SCALE", "0"),
            ("AUTOAPPLY_STORAGE_ROOT", storage.as_str()),
            ("AUTOAPPLY_RUNTIME_DIR", runtime.as_str()),
            ("AUTOAPPLY_LEASE_SECS", "30"),
            ("AUTOAPPLY_POLL_INTERVAL_SECS", "1"),
            ("AUTOAPPLY_SWEEP_INTERVAL_SECS", "1"),
            ("AUTOAPPLY_USER_SPACING_SECS", "0"),
            ("AUTOAPPLY_WORKER_ID", worker),
            ("AUTOAPPLY_LOG_FORMAT", "json"),
            ("RUST_LOG", "info"),
        ];
        for (k, v) in defaults.iter().chain(extra.iter()) {
            cmd.env(k, v);
        }
        cmd
    }

    /// Runs `autoapply <args>` to the end without blocking the test's runtime.
    pub async fn run_cli(&self, args: &[&str]) -> std::process::Output {
        let mut cmd = tokio::process::Command::from(self.autoapply("cli", &[]));
        cmd.args(args).output().await.unwrap()
    }

    /// Waits until `sql` (a count) returns `want`, or panics after `timeout`.
    pub async fn wait_for_count(&self, sql: &str, want: &str, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        loop {
            let got = self.app.sql(sql);
            if got == want {
                return;
            }
            assert!(Instant::now() < deadline, "after {timeout:?}: `{sql}` is {got}, not {want}\n{}", self.app.sql("select status || ' ' || coalesce(reason, '') || ' ' || coalesce(last_error, '') from job_applications order by created_at"));
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    /// Queued applications of `user` to replica jobs `ids`.
    pub fn seed_jobs(&self, user: autoapply::domain::UserId, ids: impl IntoIterator<Item = u64>) {
        for id in ids {
            self.seed_job(user, id);
        }
    }
}

impl Daemon {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn signal(&self, sig: i32) {
        // SAFETY: a signal to our own child
        unsafe {
            libc::kill(self.child.id() as i32, sig);
        }
    }

    /// SIGKILL, as a crash: the browser it started is orphaned and killed here too.
    pub fn crash(&mut self) {
        self.signal(libc::SIGKILL);
        let _ = self.child.wait();
        kill_browsers(&self.runtime);
    }

    /// SIGTERM, then asserts a clean exit (status 0) within 30 s.
    pub async fn stop(&mut self) {
        self.signal(libc::SIGTERM);
        let status = self.wait_exit(Duration::from_secs(30)).await;
        assert!(
            status.is_some_and(|s| s.success()),
            "no clean exit after SIGTERM: {status:?}\n{}",
            self.logs()
        );
    }

    /// Waits for the exit without blocking the test's runtime (the replica runs on it).
    pub async fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub fn running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    pub fn logs(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Waits for "worker ready" in its log.
    pub async fn ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while !self.logs().contains("worker ready") {
            assert!(Instant::now() < deadline, "not ready:\n{}", self.logs());
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if self.running() {
            self.crash();
        }
    }
}

/// Every browser started under `runtime` (a crashed daemon's are orphans).
pub fn browsers_under(runtime: &std::path::Path) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir(runtime.join("profiles")) else {
        return Vec::new();
    };
    entries
        .flatten()
        .flat_map(|e| autoapply::browser::leftovers::processes_of(&e.path()))
        .collect()
}

pub fn kill_browsers(runtime: &std::path::Path) {
    if let Ok(entries) = std::fs::read_dir(runtime.join("profiles")) {
        for e in entries.flatten() {
            autoapply::browser::leftovers::kill_all(&e.path(), None, None);
        }
    }
}

/// Waits until a submission reached the replica.
pub async fn wait_for_submission(replica: &autoapply::replica::Replica, timeout: Duration) {
    let deadline = Instant::now() + timeout;
    while replica.submissions().is_empty() {
        assert!(
            Instant::now() < deadline,
            "no submission reached the replica within {timeout:?}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// Waits until the replica has seen a request whose path starts with `prefix`.
pub async fn wait_for_request(
    replica: &autoapply::replica::Replica,
    prefix: &str,
    timeout: Duration,
) {
    let deadline = Instant::now() + timeout;
    while !replica
        .requests()
        .iter()
        .any(|r| r.path.starts_with(prefix))
    {
        assert!(
            Instant::now() < deadline,
            "no request to {prefix} within {timeout:?}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}
