//! Typed configuration from the environment only. The platform injects secrets
//! with `doppler run --`; there are no `.env` files. Everything is validated at
//! start, and every problem is reported at once, naming the variable and never
//! echoing a secret.

use std::{fmt, net::SocketAddr, path::PathBuf, time::Duration};

use secrecy::SecretString;
use url::Url;

use crate::session::{CipherEncoding, SessionKey};

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

/// The worker's configuration.
pub struct Config {
    /// the Supabase project URL (`SUPABASE_URL`); `None`: the embedded SQLite store
    pub supabase_url: Option<Url>,
    /// path of PostgREST under the project URL (`/rest/v1` on Supabase)
    pub supabase_rest_path: String,
    /// the service role key: every DB write uses it (set whenever `supabase_url` is)
    pub service_role_key: Option<SecretString>,
    /// the embedded store's file, used when `supabase_url` is `None`
    pub sqlite_path: PathBuf,
    /// the AES-256 key of stored sessions
    pub session_key: SessionKey,
    /// how `session_encrypted`/`session_iv` are written
    pub session_encoding: CipherEncoding,
    /// the shared secret of the gateway's webhook calls
    pub agent_secret: SecretString,
    /// root of persistent data; screenshots go to `<root>/screenshots`
    pub storage_root: PathBuf,
    /// per-application browser profiles live here, deleted after each run
    pub runtime_dir: PathBuf,
    /// the Chromium binary
    pub browser_path: PathBuf,
    /// where the site selector files are
    pub selectors_dir: PathBuf,
    /// applications run at the same time (each its own browser)
    pub concurrency: usize,
    /// how often the queue is polled when idle
    pub poll_interval: Duration,
    /// lease length; heartbeats renew it
    pub lease: Duration,
    /// timeout of one HTTP request to PostgREST
    pub http_timeout: Duration,
    /// the webhook's listen address
    pub webhook_addr: SocketAddr,
    /// this worker's name in `lease_owner`
    pub worker_id: String,
    /// log format
    pub log_format: LogFormat,
    /// drive this origin instead of the selector file's (a local replica)
    pub site_origin: Option<Url>,
    /// scale of the human waits (below 1 only against a replica)
    pub pacing_scale: f64,
    /// run the browser headless (refused against LinkedIn)
    pub headless: bool,
    /// LinkedIn page navigations per minute, per process
    pub navigations_per_minute: u32,
    /// also keep a screenshot of each confirmed submission
    pub success_screenshots: bool,
    /// how often the sweeper rescues expired leases
    pub sweep_interval: Duration,
    /// least time between two applications of the same user (0: none)
    pub user_spacing: Duration,
    /// when set, webhook calls must carry an HMAC-SHA256 signature made with it
    pub webhook_hmac_secret: Option<SecretString>,
    /// how long a synchronous webhook call may run before it is answered 202
    pub webhook_deadline: Duration,
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

/// Reads variables, recording what `config check` shows and every problem.
struct Reader<'a> {
    env: &'a dyn Fn(&str) -> Option<String>,
    shown: Vec<Shown>,
}

impl Reader<'_> {
    fn raw(&self, name: &str) -> Option<String> {
        (self.env)(name).filter(|v| !v.trim().is_empty())
    }

    fn record(
        &mut self,
        name: &'static str,
        value: String,
        from_env: bool,
        problem: Option<String>,
    ) {
        self.shown.push(Shown {
            name,
            value,
            from_env,
            problem,
        });
    }

    /// A required secret, checked by `check` (whose error must not quote the value).
    fn secret<T>(
        &mut self,
        name: &'static str,
        check: impl Fn(&SecretString) -> Result<T, String>,
    ) -> Option<T> {
        match self.raw(name) {
            None => {
                self.record(
                    name,
                    "<missing>".into(),
                    false,
                    Some("missing (a secret)".into()),
                );
                None
            }
            Some(value) => {
                let secret = SecretString::from(value);
                match check(&secret) {
                    Ok(v) => {
                        self.record(name, "<set>".into(), true, None);
                        Some(v)
                    }
                    Err(problem) => {
                        self.record(name, "<set>".into(), true, Some(problem));
                        None
                    }
                }
            }
        }
    }

    /// An optional secret of at least `min_chars` characters: `Some(None)` when unset.
    fn optional_secret(
        &mut self,
        name: &'static str,
        min_chars: usize,
    ) -> Option<Option<SecretString>> {
        use secrecy::ExposeSecret;
        match self.raw(name) {
            None => {
                self.record(name, "<unset>".into(), false, None);
                Some(None)
            }
            Some(value) => {
                let secret = SecretString::from(value);
                if secret.expose_secret().trim().chars().count() >= min_chars {
                    self.record(name, "<set>".into(), true, None);
                    Some(Some(secret))
                } else {
                    self.record(
                        name,
                        "<set>".into(),
                        true,
                        Some(format!("must be at least {min_chars} characters")),
                    );
                    None
                }
            }
        }
    }

    /// A plain setting with a default (`None`: required).
    fn value<T>(
        &mut self,
        name: &'static str,
        default: Option<&str>,
        parse: impl Fn(&str) -> Result<T, String>,
    ) -> Option<T> {
        let (text, from_env) = match (self.raw(name), default) {
            (Some(v), _) => (v, true),
            (None, Some(d)) => (d.to_owned(), false),
            (None, None) => {
                self.record(name, "<missing>".into(), false, Some("missing".into()));
                return None;
            }
        };
        match parse(text.trim()) {
            Ok(v) => {
                self.record(name, text, from_env, None);
                Some(v)
            }
            Err(problem) => {
                self.record(name, text, from_env, Some(problem));
                None
            }
        }
    }
}

fn int_in(min: u64, max: u64) -> impl Fn(&str) -> Result<u64, String> {
    move |s| match s.parse::<u64>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(format!("must be a whole number from {min} to {max}")),
    }
}

fn path(s: &str) -> Result<PathBuf, String> {
    let p = PathBuf::from(s);
    if p.as_os_str().is_empty() {
        Err("must be a path".into())
    } else {
        Ok(p)
    }
}

fn absolute_path(s: &str) -> Result<PathBuf, String> {
    let p = path(s)?;
    if p.is_absolute() {
        Ok(p)
    } else {
        Err("must be an absolute path".into())
    }
}

fn default_worker_id() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_owned())
        .unwrap_or_else(|_| "worker".into());
    format!("{host}-{}", std::process::id())
}

impl Config {
    /// Reads the process environment.
    pub fn from_process_env() -> (Result<Self, ConfigError>, Vec<Shown>) {
        Self::from_env(&|name| std::env::var(name).ok())
    }

    /// Reads variables through `env`, returning the configuration (or every
    /// problem) and what `config check` shows.
    pub fn from_env(
        env: &dyn Fn(&str) -> Option<String>,
    ) -> (Result<Self, ConfigError>, Vec<Shown>) {
        let mut r = Reader {
            env,
            shown: Vec::new(),
        };
        // unset ("-"): the embedded SQLite store under the storage root
        let supabase_url = r.value("SUPABASE_URL", Some("-"), |s| match Url::parse(s) {
            _ if s == "-" => Ok(None),
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => {
                if u.password().is_some() || u.query().is_some() {
                    Err("must not carry credentials or a query".into())
                } else {
                    Ok(Some(u))
                }
            }
            _ => Err("must be an http(s) URL like https://<project>.supabase.co".into()),
        });
        let service_role_key = if matches!(supabase_url, Some(Some(_)) | None) {
            r.secret("SUPABASE_SERVICE_ROLE_KEY", |s| Ok(Some(s.clone())))
        } else {
            r.optional_secret("SUPABASE_SERVICE_ROLE_KEY", 1)
        };
        let session_key = r.secret("AES_SESSION_KEY", |s| {
            SessionKey::parse(s).map_err(|e| e.to_string())
        });
        let agent_secret = r.secret("AGENT_SECRET", |s| {
            use secrecy::ExposeSecret;
            if s.expose_secret().trim().chars().count() >= 16 {
                Ok(s.clone())
            } else {
                Err("must be at least 16 characters".into())
            }
        });
        let supabase_rest_path = r.value("AUTOAPPLY_SUPABASE_REST_PATH", Some("/rest/v1"), |s| {
            if s.starts_with('/') {
                Ok(s.trim_end_matches('/').to_owned())
            } else {
                Err("must start with /".into())
            }
        });
        let session_encoding = r.value("AUTOAPPLY_SESSION_ENCODING", Some("hex"), |s| {
            CipherEncoding::parse(s).ok_or_else(|| "must be hex or base64".into())
        });
        let storage_root = r.value("AUTOAPPLY_STORAGE_ROOT", Some("/storage"), absolute_path);
        let sqlite_default = storage_root
            .as_ref()
            .unwrap_or(&PathBuf::from("/storage"))
            .join("autoapply.sqlite3");
        let sqlite_path = r.value(
            "AUTOAPPLY_SQLITE_PATH",
            Some(&sqlite_default.display().to_string()),
            absolute_path,
        );
        let runtime_default = std::env::var("RUNTIME_DIRECTORY")
            .ok()
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "/run/autoapply".into());
        let runtime_dir = r.value(
            "AUTOAPPLY_RUNTIME_DIR",
            Some(&runtime_default),
            absolute_path,
        );
        let browser_path = r.value("AUTOAPPLY_BROWSER_PATH", Some("/usr/bin/chromium"), path);
        let selectors_dir = r.value("AUTOAPPLY_SELECTORS_DIR", Some("selectors"), path);
        let concurrency = r.value("AUTOAPPLY_CONCURRENCY", Some("1"), int_in(1, 8));
        let poll = r.value("AUTOAPPLY_POLL_INTERVAL_SECS", Some("5"), int_in(1, 3600));
        let lease = r.value("AUTOAPPLY_LEASE_SECS", Some("120"), int_in(5, 3600));
        let sweep = r.value("AUTOAPPLY_SWEEP_INTERVAL_SECS", Some("60"), int_in(1, 3600));
        let webhook_hmac_secret = r.optional_secret("AUTOAPPLY_WEBHOOK_HMAC_SECRET", 16);
        let webhook_deadline = r.value(
            "AUTOAPPLY_WEBHOOK_DEADLINE_SECS",
            Some("300"),
            int_in(10, 3600),
        );
        let spacing = r.value("AUTOAPPLY_USER_SPACING_SECS", Some("60"), int_in(0, 86_400));
        let http_timeout = r.value("AUTOAPPLY_HTTP_TIMEOUT_SECS", Some("10"), int_in(1, 120));
        let webhook_addr = r.value("AUTOAPPLY_WEBHOOK_ADDR", Some("127.0.0.1:8787"), |s| {
            s.parse::<SocketAddr>()
                .map_err(|_| "must be an address like 127.0.0.1:8787".into())
        });
        let worker_id = r.value("AUTOAPPLY_WORKER_ID", Some(&default_worker_id()), |s| {
            if s.len() <= 200 {
                Ok(s.to_owned())
            } else {
                Err("must be at most 200 characters".into())
            }
        });
        let log_format = r.value("AUTOAPPLY_LOG_FORMAT", Some("auto"), |s| match s {
            "auto" => Ok(LogFormat::Auto),
            "json" => Ok(LogFormat::Json),
            "pretty" => Ok(LogFormat::Pretty),
            _ => Err("must be auto, json or pretty".into()),
        });

        let site_origin = r.value("AUTOAPPLY_SITE_ORIGIN", Some("-"), |s| {
            if s == "-" {
                return Ok(None);
            }
            match Url::parse(s) {
                Ok(u)
                    if matches!(u.scheme(), "http" | "https")
                        && u.host().is_some()
                        && u.path() == "/" =>
                {
                    Ok(Some(u))
                }
                _ => Err("must be an origin like http://127.0.0.1:8080 (no path)".into()),
            }
        });
        let targets_linkedin = match &site_origin {
            Some(Some(u)) => crate::site::is_linkedin_host(u.host_str().unwrap_or_default()),
            _ => true,
        };
        let pacing_scale = r.value("AUTOAPPLY_PACING_SCALE", Some("1"), |s| {
            let scale: f64 = s.parse().map_err(|_| "must be a number".to_owned())?;
            crate::pacing::Pacing::new(scale, targets_linkedin)
                .map(|p| p.scale())
                .map_err(|e| e.to_string())
        });
        let headless = r.value("AUTOAPPLY_BROWSER_HEADLESS", Some("false"), |s| match s {
            "false" | "0" | "no" => Ok(false),
            "true" | "1" | "yes" if targets_linkedin => {
                Err("headless is refused against LinkedIn: run headful under Xvfb".into())
            }
            "true" | "1" | "yes" => Ok(true),
            _ => Err("must be true or false".into()),
        });
        let navigations = r.value("AUTOAPPLY_NAVIGATIONS_PER_MINUTE", Some("6"), int_in(1, 60));
        let success_screenshots =
            r.value(
                "AUTOAPPLY_SUCCESS_SCREENSHOTS",
                Some("false"),
                |s| match s {
                    "true" | "1" | "yes" => Ok(true),
                    "false" | "0" | "no" => Ok(false),
                    _ => Err("must be true or false".into()),
                },
            );

        let problems: Vec<(&'static str, String)> = r
            .shown
            .iter()
            .filter_map(|s| s.problem.clone().map(|p| (s.name, p)))
            .collect();
        let shown = r.shown;
        if !problems.is_empty() {
            return (Err(ConfigError { problems }), shown);
        }
        let (
            Some(supabase_url),
            Some(supabase_rest_path),
            Some(service_role_key),
            Some(session_key),
            Some(session_encoding),
            Some(agent_secret),
            Some(storage_root),
            Some(sqlite_path),
            Some(runtime_dir),
            Some(browser_path),
            Some(selectors_dir),
            Some(concurrency),
            Some(poll),
            Some(lease),
            Some(http_timeout),
            Some(webhook_addr),
            Some(worker_id),
            Some(log_format),
            Some(site_origin),
            Some(pacing_scale),
            Some(headless),
            Some(navigations),
            Some(success_screenshots),
            Some(sweep),
            Some(spacing),
            Some(webhook_hmac_secret),
            Some(webhook_deadline),
        ) = (
            supabase_url,
            supabase_rest_path,
            service_role_key,
            session_key,
            session_encoding,
            agent_secret,
            storage_root,
            sqlite_path,
            runtime_dir,
            browser_path,
            selectors_dir,
            concurrency,
            poll,
            lease,
            http_timeout,
            webhook_addr,
            worker_id,
            log_format,
            site_origin,
            pacing_scale,
            headless,
            navigations,
            success_screenshots,
            sweep,
            spacing,
            webhook_hmac_secret,
            webhook_deadline,
        )
        else {
            unreachable!("every None was recorded as a problem");
        };
        let config = Self {
            supabase_url,
            supabase_rest_path,
            service_role_key,
            session_key,
            session_encoding,
            agent_secret,
            storage_root,
            sqlite_path,
            runtime_dir,
            browser_path,
            selectors_dir,
            concurrency: concurrency as usize,
            poll_interval: Duration::from_secs(poll),
            lease: Duration::from_secs(lease),
            http_timeout: Duration::from_secs(http_timeout),
            webhook_addr,
            worker_id,
            log_format,
            site_origin,
            pacing_scale,
            headless,
            navigations_per_minute: navigations as u32,
            success_screenshots,
            sweep_interval: Duration::from_secs(sweep),
            user_spacing: Duration::from_secs(spacing),
            webhook_hmac_secret,
            webhook_deadline: Duration::from_secs(webhook_deadline),
        };
        (Ok(config), shown)
    }

    /// Where error screenshots go.
    pub fn screenshots_dir(&self) -> PathBuf {
        self.storage_root.join("screenshots")
    }
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
}
