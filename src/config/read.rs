//! Reading variables: each read records what `config check` shows (secrets as
//! `<set>`/`<missing>`) and its problem, so that every problem is reported at once.

use std::{path::PathBuf, time::Duration};

use secrecy::SecretString;

use super::Shown;

/// Reads variables, recording what `config check` shows and every problem.
pub(super) struct Reader<'a> {
    pub(super) env: &'a dyn Fn(&str) -> Option<String>,
    pub(super) shown: Vec<Shown>,
    /// the secrets the command uses
    pub(super) uses: super::Uses,
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
    pub(super) fn secret<T>(
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
            Some(value) if padded(&value) => {
                self.record(name, "<set>".into(), true, Some(PADDED.into()));
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

    /// A secret the command uses when `used` says so (then required), else optional: checked
    /// when given, `Some(None)` when unset.
    pub(super) fn secret_if<T>(
        &mut self,
        name: &'static str,
        used: impl Fn(super::Uses) -> bool,
        check: impl Fn(&SecretString) -> Result<T, String>,
    ) -> Option<Option<T>> {
        if !used(self.uses) && self.raw(name).is_none() {
            self.record(
                name,
                "<unset> (not used by this command)".into(),
                false,
                None,
            );
            return Some(None);
        }
        self.secret(name, check).map(Some)
    }

    /// A secret that is required when `required`, else optional (`Some(None)` when
    /// unset).
    pub(super) fn secret_when(
        &mut self,
        name: &'static str,
        required: bool,
    ) -> Option<Option<SecretString>> {
        if required {
            self.secret(name, |s| Ok(Some(s.clone())))
        } else {
            self.optional_secret(name, 1)
        }
    }

    /// An optional secret of at least `min_chars` characters: `Some(None)` when unset.
    pub(super) fn optional_secret(
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
            Some(value) if padded(&value) => {
                self.record(name, "<set>".into(), true, Some(PADDED.into()));
                None
            }
            Some(value) => {
                let secret = SecretString::from(value);
                if secret.expose_secret().chars().count() >= min_chars {
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
    pub(super) fn value<T>(
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

pub(super) fn int_in<T: TryFrom<u64>>(min: u64, max: u64) -> impl Fn(&str) -> Result<T, String> {
    move |s| match s.parse::<u64>() {
        Ok(n) if (min..=max).contains(&n) => {
            T::try_from(n).map_err(|_| format!("must be a whole number from {min} to {max}"))
        }
        _ => Err(format!("must be a whole number from {min} to {max}")),
    }
}

/// Whole seconds from `min` to `max`, as a duration.
pub(super) fn secs_in(min: u64, max: u64) -> impl Fn(&str) -> Result<Duration, String> {
    let int = int_in::<u64>(min, max);
    move |s| int(s).map(Duration::from_secs)
}

/// `true`/`false` (also `1`/`0`, `yes`/`no`).
pub(super) fn boolean(s: &str) -> Result<bool, String> {
    match s {
        "true" | "1" | "yes" => Ok(true),
        "false" | "0" | "no" => Ok(false),
        _ => Err("must be true or false".into()),
    }
}

pub(super) fn path(s: &str) -> Result<PathBuf, String> {
    let p = PathBuf::from(s);
    if p.as_os_str().is_empty() {
        Err("must be a path".into())
    } else {
        Ok(p)
    }
}

/// `AUTOAPPLY_SELECTORS_DIR`: `-` (unset) resolves by the rule of [`SelectorSource`].
pub(super) fn selectors(s: &str) -> Result<crate::site::SelectorSource, String> {
    use crate::site::SelectorSource;
    if s == "-" {
        Ok(SelectorSource::resolve(None))
    } else {
        path(s).map(|p| SelectorSource::resolve(Some(&p)))
    }
}

pub(super) fn absolute_path(s: &str) -> Result<PathBuf, String> {
    let p = path(s)?;
    if p.is_absolute() {
        Ok(p)
    } else {
        Err("must be an absolute path".into())
    }
}

pub(super) fn default_worker_id() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_owned())
        .unwrap_or_else(|_| "worker".into());
    format!("{host}-{}", std::process::id())
}

/// `SUPABASE_URL`: an https URL without credentials or query (plain http only to
/// this machine: the service-role key travels with every request); `-` (unset) for
/// the embedded store.
pub(super) fn supabase_url(s: &str) -> Result<Option<url::Url>, String> {
    match url::Url::parse(s) {
        _ if s == "-" => Ok(None),
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => {
            let loopback = match u.host() {
                Some(url::Host::Domain(d)) => d == "localhost",
                Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
                Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
                None => false,
            };
            if u.password().is_some() || u.query().is_some() {
                Err("must not carry credentials or a query".into())
            } else if u.scheme() == "http" && !loopback {
                Err("must be https (plain http only to 127.0.0.1 or localhost): the service-role key goes with every request".into())
            } else {
                Ok(Some(u))
            }
        }
        _ => Err("must be an http(s) URL like https://<project>.supabase.co".into()),
    }
}

/// A path under the server's root, without its trailing slash.
pub(super) fn rest_path(s: &str) -> Result<String, String> {
    if s.starts_with('/') {
        Ok(s.trim_end_matches('/').to_owned())
    } else {
        Err("must start with /".into())
    }
}

/// Every secret is refused, not trimmed, when white space pads it: a value that is
/// used as it is written must be the value that was meant.
const PADDED: &str =
    "has white space at its start or end (a trailing newline from a file?): remove it";

fn padded(value: &str) -> bool {
    value.trim() != value
}

/// The shared secret of the webhook: at least 16 characters.
pub(super) fn agent_secret(s: &SecretString) -> Result<SecretString, String> {
    use secrecy::ExposeSecret;
    if s.expose_secret().chars().count() >= 16 {
        Ok(s.clone())
    } else {
        Err("must be at least 16 characters".into())
    }
}

/// A listen address.
pub(super) fn socket_addr(s: &str) -> Result<std::net::SocketAddr, String> {
    s.parse()
        .map_err(|_| "must be an address like 127.0.0.1:8787".into())
}

/// A worker name for `lease_owner`.
pub(super) fn worker_id(s: &str) -> Result<String, String> {
    if s.len() <= 200 {
        Ok(s.to_owned())
    } else {
        Err("must be at most 200 characters".into())
    }
}

/// `auto`, `json` or `pretty`.
pub(super) fn log_format(s: &str) -> Result<super::LogFormat, String> {
    use super::LogFormat;
    match s {
        "auto" => Ok(LogFormat::Auto),
        "json" => Ok(LogFormat::Json),
        "pretty" => Ok(LogFormat::Pretty),
        _ => Err("must be auto, json or pretty".into()),
    }
}

/// An origin to drive instead of the selector file's; `-` for none.
pub(super) fn site_origin(s: &str) -> Result<Option<url::Url>, String> {
    if s == "-" {
        return Ok(None);
    }
    match url::Url::parse(s) {
        Ok(u)
            if matches!(u.scheme(), "http" | "https") && u.host().is_some() && u.path() == "/" =>
        {
            Ok(Some(u))
        }
        _ => Err("must be an origin like http://127.0.0.1:8080 (no path)".into()),
    }
}

/// Whether the configured origin is LinkedIn's (unset or unreadable: assume it is).
pub(super) fn targets_linkedin(site_origin: &Option<Option<url::Url>>) -> bool {
    match site_origin {
        Some(Some(u)) => crate::site::is_linkedin_host(u.host_str().unwrap_or_default()),
        _ => true,
    }
}

/// The pacing scale, refused below 1 against LinkedIn.
pub(super) fn pacing_scale(targets_linkedin: bool) -> impl Fn(&str) -> Result<f64, String> {
    move |s| {
        let scale: f64 = s.parse().map_err(|_| "must be a number".to_owned())?;
        crate::pacing::Pacing::new(scale, targets_linkedin)
            .map(|p| p.scale())
            .map_err(|e| e.to_string())
    }
}

/// Headless, refused against LinkedIn.
pub(super) fn headless(targets_linkedin: bool) -> impl Fn(&str) -> Result<bool, String> {
    move |s| match boolean(s) {
        Ok(true) if targets_linkedin => {
            Err("headless is refused against LinkedIn: run headful under Xvfb".into())
        }
        other => other,
    }
}

/// `AUTOAPPLY_RUNTIME_DIR`'s default: systemd's `RUNTIME_DIRECTORY`, else
/// `/run/autoapply`.
pub(super) fn default_runtime_dir() -> String {
    std::env::var("RUNTIME_DIRECTORY")
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "/run/autoapply".into())
}

/// `AUTOAPPLY_SQLITE_PATH`'s default: under the storage root.
pub(super) fn default_resume_dir(storage_root: &Option<PathBuf>) -> String {
    storage_root
        .as_ref()
        .unwrap_or(&PathBuf::from("/storage"))
        .join("resumes")
        .display()
        .to_string()
}

pub(super) fn default_sqlite_path(storage_root: &Option<PathBuf>) -> String {
    storage_root
        .as_ref()
        .unwrap_or(&PathBuf::from("/storage"))
        .join("autoapply.sqlite3")
        .display()
        .to_string()
}
