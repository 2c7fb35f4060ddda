//! Typed configuration from the environment only. The platform injects secrets
//! with `doppler run --`; there are no `.env` files. Everything is validated at
//! start, and every problem is reported at once, naming the variable and never
//! echoing a secret.

use std::{fmt, net::SocketAddr, path::PathBuf, time::Duration};

use secrecy::SecretString;
use url::Url;

use crate::{
    session::{CipherEncoding, SessionKey},
    site::SelectorSource,
};

mod read;

/// One variable as `autoapply config check` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown {
    /// the variable's name
    pub name: &'static str,
    /// the effective value; `<set>`/`<missing>` for secrets
    pub value: String,
    /// whether it came from the environment or the default
    pub from_env: bool,
    /// what is wrong with it, if anything
    pub problem: Option<String>,
}

/// Every problem found, one per variable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid configuration: {}", .problems.iter().map(|(n, p)| format!("{n}: {p}")).collect::<Vec<_>>().join("; "))]
pub struct ConfigError {
    /// (variable, problem)
    pub problems: Vec<(&'static str, String)>,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// JSON when stdout is not a terminal (journald), pretty otherwise
    Auto,
    /// one JSON object per line
    Json,
    /// human-readable
    Pretty,
}

/// One setting as documented: the README's configuration table and `config check`
/// are produced from [`SETTINGS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Setting {
    /// the environment variable
    pub name: &'static str,
    /// the default as documented; empty: the default value itself, in backticks
    pub default: &'static str,
    /// a secret: shown only as `<set>`/`<missing>`
    pub secret: bool,
    /// what it means
    pub doc: &'static str,
}

/// The settings table. Each line is one setting: its field and type in [`Config`],
/// its variable, its documented default (empty: the default value), whether it is a
/// secret, and how it is read (a [`read::Reader`] method with its default and
/// parser, which may use settings read above it). The doc comment is the README's
/// "meaning". Adding a setting is adding a line here.
macro_rules! settings {
    ($(
        #[doc = $doc:literal]
        $field:ident: $ty:ty = $name:literal [$default:literal, $secret:literal]
            $method:ident($($arg:expr),* $(,)?);
    )*) => {
        /// The worker's configuration: one field per line of [`SETTINGS`].
        pub struct Config {
            $(
                #[doc = $doc]
                pub $field: $ty,
            )*
        }

        /// Every setting, in reading order.
        pub const SETTINGS: &[Setting] = &[$(
            Setting { name: $name, default: $default, secret: $secret, doc: $doc.trim_ascii() },
        )*];

        impl Config {
            /// Reads every setting in order; `None` when any has a problem (recorded).
            fn read(r: &mut read::Reader<'_>) -> Option<Self> {
                $(
                    let $field: Option<$ty> = r.$method($name, $($arg),*);
                )*
                Some(Self { $($field: $field?,)* })
            }
        }
    };
}

settings! {
    /// the Supabase project URL, e.g. `https://<project>.supabase.co`
    supabase_url: Option<Url> = "SUPABASE_URL" ["unset: the embedded SQLite store", false]
        value(Some("-"), read::supabase_url);
    /// every database call uses the service role
    service_role_key: Option<SecretString> = "SUPABASE_SERVICE_ROLE_KEY" ["— (required with `SUPABASE_URL`)", true]
        secret_when(matches!(supabase_url, Some(Some(_)) | None));
    /// 64 hex characters or base64 of 32 bytes (not needed by `enqueue` without `--cookies`)
    session_key: Option<SessionKey> = "AES_SESSION_KEY" ["— (required)", true]
        secret_if(|u| u.session_key, |s| SessionKey::parse(s).map_err(|e| e.to_string()));
    /// shared secret of the gateway's webhook calls (≥ 16 characters; only `run` needs it)
    agent_secret: Option<SecretString> = "AGENT_SECRET" ["— (required by `run`)", true]
        secret_if(|u| u.agent_secret, read::agent_secret);
    /// PostgREST's path under `SUPABASE_URL` (`/` for a bare PostgREST)
    supabase_rest_path: String = "AUTOAPPLY_SUPABASE_REST_PATH" ["", false]
        value(Some("/rest/v1"), read::rest_path);
    /// how `session_encrypted`/`session_iv` are written: `hex` or `base64`
    session_encoding: CipherEncoding = "AUTOAPPLY_SESSION_ENCODING" ["", false]
        value(Some("hex"), |s| CipherEncoding::parse(s).ok_or_else(|| "must be hex or base64".into()));
    /// persistent data; screenshots in `<root>/screenshots/`
    storage_root: PathBuf = "AUTOAPPLY_STORAGE_ROOT" ["", false]
        value(Some("/storage"), read::absolute_path);
    /// the embedded store's file (used when `SUPABASE_URL` is unset)
    sqlite_path: PathBuf = "AUTOAPPLY_SQLITE_PATH" ["`<AUTOAPPLY_STORAGE_ROOT>/autoapply.sqlite3`", false]
        value(Some(&read::default_sqlite_path(&storage_root)), read::absolute_path);
    /// the only folder résumés are uploaded from (PDF/DOC/DOCX, at most 2 MiB)
    resume_dir: PathBuf = "AUTOAPPLY_RESUME_DIR" ["`<AUTOAPPLY_STORAGE_ROOT>/resumes`", false]
        value(Some(&read::default_resume_dir(&storage_root)), read::absolute_path);
    /// per-application browser profiles, deleted after each run
    runtime_dir: PathBuf = "AUTOAPPLY_RUNTIME_DIR" ["`$RUNTIME_DIRECTORY` or `/run/autoapply`", false]
        value(Some(&read::default_runtime_dir()), read::absolute_path);
    /// the Chromium binary
    browser_path: PathBuf = "AUTOAPPLY_BROWSER_PATH" ["", false]
        value(Some("/usr/bin/chromium"), read::path);
    /// where `linkedin.toml` is; every command says on stderr which file it uses
    selectors: SelectorSource = "AUTOAPPLY_SELECTORS_DIR" ["unset: `./selectors` when it holds `linkedin.toml`, else the file built into the binary", false]
        value(Some("-"), read::selectors);
    /// applications at a time, 1–8 (each its own browser)
    concurrency: usize = "AUTOAPPLY_CONCURRENCY" ["", false]
        value(Some("1"), read::int_in(1, 8));
    /// queue polling when idle
    poll_interval: Duration = "AUTOAPPLY_POLL_INTERVAL_SECS" ["", false]
        value(Some("5"), read::secs_in(1, 3600));
    /// lease length, 5–3600 (heartbeats renew it every third)
    lease: Duration = "AUTOAPPLY_LEASE_SECS" ["", false]
        value(Some("120"), read::secs_in(5, 3600));
    /// how often expired leases are rescued (and, hourly, old logs and screenshots purged)
    sweep_interval: Duration = "AUTOAPPLY_SWEEP_INTERVAL_SECS" ["", false]
        value(Some("60"), read::secs_in(1, 3600));
    /// when set, webhook calls must be signed (see "The gateway webhook")
    webhook_hmac_secret: Option<SecretString> = "AUTOAPPLY_WEBHOOK_HMAC_SECRET" ["unset", true]
        optional_secret(16);
    /// a synchronous webhook call is answered 202 after this; the run goes on
    webhook_deadline: Duration = "AUTOAPPLY_WEBHOOK_DEADLINE_SECS" ["", false]
        value(Some("300"), read::secs_in(10, 3600));
    /// least time between two applications of the same user in one worker (0: none)
    user_spacing: Duration = "AUTOAPPLY_USER_SPACING_SECS" ["", false]
        value(Some("60"), read::secs_in(0, 86_400));
    /// timeout of one request to PostgREST
    http_timeout: Duration = "AUTOAPPLY_HTTP_TIMEOUT_SECS" ["", false]
        value(Some("10"), read::secs_in(1, 120));
    /// the webhook's listen address (keep it on loopback or a private interface)
    webhook_addr: SocketAddr = "AUTOAPPLY_WEBHOOK_ADDR" ["", false]
        value(Some("127.0.0.1:8787"), read::socket_addr);
    /// this worker's name in `lease_owner`
    worker_id: String = "AUTOAPPLY_WORKER_ID" ["`<hostname>-<pid>`", false]
        value(Some(&read::default_worker_id()), read::worker_id);
    /// `json` (journald), `pretty`, or `auto` (JSON when stderr is not a terminal)
    log_format: LogFormat = "AUTOAPPLY_LOG_FORMAT" ["", false]
        value(Some("auto"), read::log_format);
    /// drive another origin, e.g. the local replica `http://127.0.0.1:PORT`; LinkedIn job URLs are moved onto it
    site_origin: Option<Url> = "AUTOAPPLY_SITE_ORIGIN" ["the selector file's `origin`", false]
        value(Some("-"), read::site_origin);
    /// scale of the human waits, 0–10; below 1 only against a non-LinkedIn origin
    pacing_scale: f64 = "AUTOAPPLY_PACING_SCALE" ["", false]
        value(Some("1"), read::pacing_scale(read::targets_linkedin(&site_origin)));
    /// headless is refused against LinkedIn (tests and the replica only)
    headless: bool = "AUTOAPPLY_BROWSER_HEADLESS" ["", false]
        value(Some("false"), read::headless(read::targets_linkedin(&site_origin)));
    /// LinkedIn page loads per minute per process (a `governor` limiter)
    navigations_per_minute: u32 = "AUTOAPPLY_NAVIGATIONS_PER_MINUTE" ["", false]
        value(Some("6"), read::int_in(1, 60));
    /// how long LinkedIn's "applying at a fast pace" throttle pauses the user, 600–604800 (no attempt is spent)
    throttle_pause: Duration = "AUTOAPPLY_THROTTLE_PAUSE_SECS" ["", false]
        value(Some("21600"), read::secs_in(600, 604_800));
    /// the drift breaker opens after this many structural failures in a row (`job_page_unreadable`, `modal_missing`, `step_stuck`, `element_missing`, `question_unreadable`), 2–100
    drift_failures: u32 = "AUTOAPPLY_DRIFT_FAILURES" ["", false]
        value(Some("5"), read::int_in(2, 100));
    /// … and only when those failures come from at least this many distinct users, 1–100
    drift_users: u32 = "AUTOAPPLY_DRIFT_USERS" ["", false]
        value(Some("3"), read::int_in(1, 100));
    /// how long every worker stops claiming once the drift breaker opens, 60–86400
    drift_pause: Duration = "AUTOAPPLY_DRIFT_PAUSE_SECS" ["", false]
        value(Some("1800"), read::secs_in(60, 86_400));
    /// also keep `<id>-confirmation.png` (LinkedIn's confirmation) as proof of each submission
    success_screenshots: bool = "AUTOAPPLY_SUCCESS_SCREENSHOTS" ["", false]
        value(Some("false"), read::boolean);
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("supabase_url", &self.supabase_url.as_ref().map(Url::as_str))
            .field("sqlite_path", &self.sqlite_path)
            .field("storage_root", &self.storage_root)
            .field("worker_id", &self.worker_id)
            .finish_non_exhaustive()
    }
}

/// Which secrets a command uses. A command is refused only for a setting it uses;
/// one it does not use may be missing, but when it is given it is still checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Uses {
    /// `AGENT_SECRET`: the webhook's
    pub agent_secret: bool,
    /// `AES_SESSION_KEY`: to open or seal a session
    pub session_key: bool,
}

impl Uses {
    /// `run` and `config check`: everything
    pub const WORKER: Self = Self {
        agent_secret: true,
        session_key: true,
    };
    /// `replay`, `session inspect`: sessions, no webhook
    pub const SESSIONS: Self = Self {
        agent_secret: false,
        session_key: true,
    };
    /// `enqueue` without `--cookies`: the store only
    pub const STORE: Self = Self {
        agent_secret: false,
        session_key: false,
    };
}

impl Config {
    /// Reads the process environment for the worker (every required setting).
    pub fn from_process_env() -> (Result<Self, ConfigError>, Vec<Shown>) {
        Self::from_process_env_for(Uses::WORKER)
    }

    /// Reads the process environment for a command that uses only `uses`.
    pub fn from_process_env_for(uses: Uses) -> (Result<Self, ConfigError>, Vec<Shown>) {
        Self::from_env_for(uses, &|name| std::env::var(name).ok())
    }

    /// Reads variables through `env` for the worker, returning the configuration (or
    /// every problem) and what `config check` shows.
    pub fn from_env(
        env: &dyn Fn(&str) -> Option<String>,
    ) -> (Result<Self, ConfigError>, Vec<Shown>) {
        Self::from_env_for(Uses::WORKER, env)
    }

    /// Reads variables through `env` for a command that uses only `uses`.
    pub fn from_env_for(
        uses: Uses,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> (Result<Self, ConfigError>, Vec<Shown>) {
        let mut r = read::Reader {
            env,
            shown: Vec::new(),
            uses,
        };
        let config = Self::read(&mut r);
        let problems: Vec<(&'static str, String)> = r
            .shown
            .iter()
            .filter_map(|s| s.problem.clone().map(|p| (s.name, p)))
            .collect();
        match config {
            Some(config) if problems.is_empty() => (Ok(config), r.shown),
            _ => (Err(ConfigError { problems }), r.shown),
        }
    }

    /// `AES_SESSION_KEY`, which this command was read without when it is `None`.
    pub fn session_key(&self) -> Result<&SessionKey, ConfigError> {
        self.session_key.as_ref().ok_or_else(|| ConfigError {
            problems: vec![("AES_SESSION_KEY", "missing (a secret)".into())],
        })
    }

    /// Where error screenshots go.
    pub fn screenshots_dir(&self) -> PathBuf {
        self.storage_root.join("screenshots")
    }
}

/// The README's configuration table, produced from [`SETTINGS`] (defaults that are
/// plain values are read from an empty environment, so they cannot drift).
pub fn markdown_table() -> String {
    let (_, shown) = Config::from_env(&|_| None);
    let mut out =
        String::from("| variable | default | secret | meaning |\n| --- | --- | --- | --- |\n");
    for s in SETTINGS {
        let default = if s.default.is_empty() {
            let value = shown
                .iter()
                .find(|v| v.name == s.name)
                .map_or("", |v| v.value.as_str());
            format!("`{value}`")
        } else {
            s.default.to_owned()
        };
        let secret = if s.secret { "yes" } else { "no" };
        out.push_str(&format!(
            "| `{}` | {default} | {secret} | {} |\n",
            s.name, s.doc
        ));
    }
    out.push_str("| `RUST_LOG` | `info` | no | log filter |\n");
    out
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    const AES: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn the_readme_table_is_the_settings_table() {
        let readme =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
        let table = markdown_table();
        assert!(
            readme.contains(&table),
            "README.md's configuration table differs from the settings table; paste this:\n{table}"
        );
        assert_eq!(SETTINGS.len(), 32);
    }

    #[test]
    fn an_empty_environment_names_every_missing_variable() {
        let (result, shown) = Config::from_env(&env(&[]));
        let err = result.unwrap_err();
        let names: Vec<_> = err.problems.iter().map(|(n, _)| *n).collect();
        assert_eq!(
            names,
            ["AES_SESSION_KEY", "AGENT_SECRET"],
            "without SUPABASE_URL the embedded store needs no Supabase variables"
        );
        let storage = shown
            .iter()
            .find(|s| s.name == "AUTOAPPLY_STORAGE_ROOT")
            .unwrap();
        assert_eq!(storage.value, "/storage");
        assert!(!storage.from_env);
    }

    #[test]
    fn without_supabase_the_embedded_store_lives_under_the_storage_root() {
        let vars = [
            ("AES_SESSION_KEY", AES),
            ("AGENT_SECRET", "agent-secret-0123456789"),
            ("AUTOAPPLY_STORAGE_ROOT", "/srv/autoapply"),
        ];
        let config = Config::from_env(&env(&vars)).0.unwrap();
        assert!(config.supabase_url.is_none());
        assert!(config.service_role_key.is_none());
        assert_eq!(
            config.sqlite_path,
            PathBuf::from("/srv/autoapply/autoapply.sqlite3")
        );
        // a Supabase URL without its key is named
        let vars = [
            ("SUPABASE_URL", "https://abc.supabase.co"),
            ("AES_SESSION_KEY", AES),
            ("AGENT_SECRET", "agent-secret-0123456789"),
        ];
        let err = Config::from_env(&env(&vars)).0.unwrap_err();
        let names: Vec<_> = err.problems.iter().map(|(n, _)| *n).collect();
        assert_eq!(names, ["SUPABASE_SERVICE_ROLE_KEY"]);
    }

    #[test]
    fn a_complete_environment_loads_and_secrets_are_never_shown() {
        let vars = [
            ("SUPABASE_URL", "https://abc.supabase.co"),
            ("SUPABASE_SERVICE_ROLE_KEY", "service-key-value"),
            ("AES_SESSION_KEY", AES),
            ("AGENT_SECRET", "agent-secret-0123456789"),
            ("AUTOAPPLY_CONCURRENCY", "2"),
        ];
        let (result, shown) = Config::from_env(&env(&vars));
        let config = result.unwrap();
        assert_eq!(config.concurrency, 2);
        assert_eq!(config.supabase_rest_path, "/rest/v1");
        assert_eq!(
            config.screenshots_dir(),
            PathBuf::from("/storage/screenshots")
        );
        let all = format!("{shown:?} {config:?}");
        for secret in ["service-key-value", AES, "agent-secret-0123456789"] {
            assert!(!all.contains(secret), "{secret} leaked: {all}");
        }
    }

    #[test]
    fn invalid_values_are_named_without_echoing_secrets() {
        let vars = [
            ("SUPABASE_URL", "ftp://nope"),
            ("SUPABASE_SERVICE_ROLE_KEY", "k"),
            ("AES_SESSION_KEY", "tooshortsecretkey"),
            ("AGENT_SECRET", "short"),
            ("AUTOAPPLY_CONCURRENCY", "0"),
            ("AUTOAPPLY_STORAGE_ROOT", "relative/dir"),
        ];
        let err = Config::from_env(&env(&vars)).0.unwrap_err();
        let text = err.to_string();
        for name in [
            "SUPABASE_URL",
            "AES_SESSION_KEY",
            "AGENT_SECRET",
            "AUTOAPPLY_CONCURRENCY",
            "AUTOAPPLY_STORAGE_ROOT",
        ] {
            assert!(text.contains(name), "{name} not named in {text}");
        }
        assert!(
            !text.contains("tooshortsecretkey") && !text.contains(": short"),
            "{text}"
        );
    }

    #[test]
    fn a_secret_padded_with_white_space_is_refused_not_trimmed() {
        // a trailing newline (a secret written to a file with `echo`) would pass a
        // length check and then never authenticate
        let vars = [
            ("SUPABASE_URL", "https://abc.supabase.co"),
            ("SUPABASE_SERVICE_ROLE_KEY", "service-key-value\n"),
            ("AES_SESSION_KEY", AES),
            ("AGENT_SECRET", "agent-secret-0123456789\n"),
        ];
        let text = Config::from_env(&env(&vars)).0.unwrap_err().to_string();
        for name in ["AGENT_SECRET", "SUPABASE_SERVICE_ROLE_KEY"] {
            assert!(
                text.lines()
                    .any(|l| l.contains(name) && l.contains("white space at its start or end")),
                "{name}: {text}"
            );
        }
        assert!(!text.contains("agent-secret-0123456789") && !text.contains("service-key-value"));
        let vars = [
            ("SUPABASE_URL", "https://abc.supabase.co"),
            ("SUPABASE_SERVICE_ROLE_KEY", "service-key-value"),
            ("AES_SESSION_KEY", AES),
            ("AGENT_SECRET", " agent-secret-0123456789"),
        ];
        assert!(
            Config::from_env(&env(&vars)).0.is_err(),
            "a leading space too"
        );
    }

    #[test]
    fn the_database_is_reached_over_https_unless_it_is_on_this_machine() {
        let with = |url: &str| {
            let vars = [
                ("SUPABASE_URL", url),
                ("SUPABASE_SERVICE_ROLE_KEY", "service-key-value"),
                ("AES_SESSION_KEY", AES),
                ("AGENT_SECRET", "agent-secret-0123456789"),
            ];
            Config::from_env(&env(&vars)).0.map(|c| c.supabase_url)
        };
        let err = with("http://db.example.com").unwrap_err().to_string();
        assert!(
            err.contains("SUPABASE_URL") && err.contains("https"),
            "{err}"
        );
        assert!(with("https://abc.supabase.co").is_ok());
        assert!(with("http://127.0.0.1:54321").is_ok());
        assert!(with("http://localhost:3000").is_ok());
        assert!(with("http://[::1]:3000").is_ok());
    }
}
