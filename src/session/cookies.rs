//! The cookie export inside a decrypted session (a browser extension's JSON: a list
//! of cookies, or `{"cookies": [...], "user_agent": "..."}`): parsed into cookies
//! whose values are wiped on drop, checked, and summarised without values.

use std::fmt;

use serde::Deserialize;
use time::OffsetDateTime;
use zeroize::Zeroizing;

use super::SessionError;

/// The `SameSite` attribute of a cookie.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SameSite {
    /// `no_restriction` in extension exports, `None` in CDP
    None,
    /// `lax`
    Lax,
    /// `strict`
    Strict,
    /// `unspecified` or absent: the browser's default
    Unspecified,
}

/// One cookie of the export. The value is wiped on drop and never printed.
pub struct Cookie {
    /// cookie name, e.g. `li_at`
    pub name: String,
    /// cookie value: secret
    pub value: Zeroizing<String>,
    /// domain, e.g. `.www.linkedin.com`
    pub domain: String,
    /// path, default `/`
    pub path: String,
    /// expiry as seconds since the Unix epoch; `None` for a session cookie
    pub expires: Option<f64>,
    /// `Secure`
    pub secure: bool,
    /// `HttpOnly`
    pub http_only: bool,
    /// `SameSite`
    pub same_site: SameSite,
}

impl fmt::Debug for Cookie {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cookie")
            .field("name", &self.name)
            .field("value", &"<redacted>")
            .field("domain", &self.domain)
            .field("expires", &self.expires)
            .finish()
    }
}

/// The decrypted session: cookies and the user agent of the browser that made them.
#[derive(Debug)]
pub struct Session {
    /// every cookie of the export that has not expired
    pub cookies: Vec<Cookie>,
    /// the user agent stored with the session; LinkedIn may drop a session used
    /// from a different one
    pub user_agent: Option<String>,
    /// names and expiry (Unix seconds) of the cookies dropped as expired
    pub expired: Vec<(String, f64)>,
}

/// A cookie as extensions (`expirationDate`, `sameSite: no_restriction`) or CDP
/// (`expires`, `sameSite: None`) export it.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawCookie {
    name: String,
    value: Zeroizing<String>,
    #[serde(default)]
    domain: String,
    #[serde(default)]
    path: Option<String>,
    #[serde(default, alias = "expires")]
    expiration_date: Option<f64>,
    #[serde(default)]
    secure: bool,
    #[serde(default)]
    http_only: bool,
    #[serde(default)]
    same_site: Option<String>,
    #[serde(default)]
    session: bool,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawSession {
    List(Vec<RawCookie>),
    Object {
        cookies: Vec<RawCookie>,
        #[serde(default, alias = "userAgent")]
        user_agent: Option<String>,
    },
}

fn not_json(err: &serde_json::Error) -> SessionError {
    use serde_json::error::Category;
    let problem = match err.classify() {
        Category::Io => "unreadable",
        Category::Syntax => "invalid JSON",
        Category::Eof => "truncated JSON",
        // serde's message for Data errors may quote a value: never show it
        Category::Data => "expected an array of cookies or {cookies, user_agent}",
    };
    SessionError::NotJson {
        problem,
        line: err.line(),
        column: err.column(),
    }
}

fn rfc3339(unix_secs: f64) -> String {
    OffsetDateTime::from_unix_timestamp(unix_secs as i64)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| format!("{unix_secs} (unix seconds)"))
}

impl Session {
    /// The display language LinkedIn's `lang` cookie carries (`v=2&lang=fr-fr` →
    /// `fr-fr`), where the export has one: a setting, not a secret.
    pub fn display_language(&self) -> Option<String> {
        let cookie = self.cookies.iter().find(|c| c.name == "lang")?;
        cookie
            .value
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .find(|(k, _)| *k == "lang")
            .map(|(_, v)| v.trim().to_owned())
            .filter(|v| {
                !v.is_empty()
                    && v.len() <= 16
                    && v.chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            })
    }

    /// A session of one cookie the program made up itself (never decrypted): what
    /// `autoapply browser check` presents to the bundled replica.
    pub fn made_up(name: &str, value: &str, domain: &str) -> Self {
        Self {
            cookies: vec![Cookie {
                name: name.to_owned(),
                value: Zeroizing::new(value.to_owned()),
                domain: domain.to_owned(),
                path: "/".to_owned(),
                expires: None,
                secure: true,
                http_only: true,
                same_site: SameSite::None,
            }],
            user_agent: None,
            expired: Vec::new(),
        }
    }

    /// Parses the plaintext: an array of cookie objects, or
    /// `{cookies: [...], user_agent: "..."}`. Cookies expired at `now` are dropped
    /// (and listed in `expired`).
    pub fn parse(plaintext: &[u8], now: OffsetDateTime) -> Result<Self, SessionError> {
        if plaintext.iter().all(u8::is_ascii_whitespace) {
            return Err(SessionError::NotJson {
                problem: "empty",
                line: 0,
                column: 0,
            });
        }
        // untagged enums hide serde's position: try the two shapes explicitly
        let raw: RawSession = match plaintext.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'[') => {
                RawSession::List(serde_json::from_slice(plaintext).map_err(|e| not_json(&e))?)
            }
            _ => serde_json::from_slice(plaintext).map_err(|e| not_json(&e))?,
        };
        let (raw_cookies, user_agent) = match raw {
            RawSession::List(cookies) => (cookies, None),
            RawSession::Object {
                cookies,
                user_agent,
            } => (cookies, user_agent.filter(|ua| !ua.trim().is_empty())),
        };
        let now_secs = now.unix_timestamp() as f64;
        let mut session = Self {
            cookies: Vec::with_capacity(raw_cookies.len()),
            user_agent,
            expired: Vec::new(),
        };
        for raw in raw_cookies {
            let expires = if raw.session {
                None
            } else {
                raw.expiration_date.filter(|e| *e > 0.0)
            };
            let same_site = match raw
                .same_site
                .as_deref()
                .map(str::to_ascii_lowercase)
                .as_deref()
            {
                Some("no_restriction" | "none") => SameSite::None,
                Some("lax") => SameSite::Lax,
                Some("strict") => SameSite::Strict,
                _ => SameSite::Unspecified,
            };
            match expires {
                Some(at) if at <= now_secs => session.expired.push((raw.name, at)),
                _ => session.cookies.push(Cookie {
                    name: raw.name,
                    value: raw.value,
                    domain: raw.domain,
                    path: raw
                        .path
                        .filter(|p| !p.is_empty())
                        .unwrap_or_else(|| "/".into()),
                    expires,
                    secure: raw.secure,
                    http_only: raw.http_only,
                    same_site,
                }),
            }
        }
        Ok(session)
    }

    /// Checks that every cookie the site needs is present and unexpired.
    pub fn require(&self, names: &[String]) -> Result<(), SessionError> {
        for name in names {
            if self
                .cookies
                .iter()
                .any(|c| &c.name == name && !c.value.is_empty())
            {
                continue;
            }
            if let Some((_, at)) = self.expired.iter().find(|(n, _)| n == name) {
                return Err(SessionError::CookieExpired {
                    name: name.clone(),
                    expired_at: rfc3339(*at),
                });
            }
            return Err(SessionError::RequiredCookieMissing { name: name.clone() });
        }
        Ok(())
    }

    /// What an operator may see of the session: names, domains, expiry, never a value.
    pub fn summary(&self) -> SessionSummary {
        SessionSummary {
            cookies: self
                .cookies
                .iter()
                .map(|c| CookieSummary {
                    name: c.name.clone(),
                    domain: c.domain.clone(),
                    expires: c.expires.map(rfc3339),
                })
                .collect(),
            expired: self
                .expired
                .iter()
                .map(|(name, at)| CookieSummary {
                    name: name.clone(),
                    domain: String::new(),
                    expires: Some(rfc3339(*at)),
                })
                .collect(),
            has_user_agent: self.user_agent.is_some(),
            chrome_major: self.user_agent.as_deref().and_then(chrome_major),
        }
    }
}

/// The major Chrome version a user agent string names (`Chrome/131.0…` → 131).
pub fn chrome_major(user_agent: &str) -> Option<u32> {
    user_agent
        .split("Chrome/")
        .nth(1)?
        .split('.')
        .next()?
        .parse()
        .ok()
}

/// One cookie as an operator may see it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CookieSummary {
    /// name
    pub name: String,
    /// domain
    pub domain: String,
    /// RFC 3339 expiry; `None` for a session cookie
    pub expires: Option<String>,
}

/// A session as an operator may see it (`autoapply session inspect`).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SessionSummary {
    /// the usable cookies
    pub cookies: Vec<CookieSummary>,
    /// the cookies that had expired
    pub expired: Vec<CookieSummary>,
    /// whether a user agent is stored with the session
    pub has_user_agent: bool,
    /// the Chrome version its user agent names, when it names one
    pub chrome_major: Option<u32>,
}
