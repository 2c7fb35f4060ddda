//! The job seeker's stored browser session: AES-256-CBC decryption byte-compatible
//! with Node's `crypto.createCipheriv('aes-256-cbc', key, iv)`, and the cookie
//! export it contains.
//!
//! Invariant: nothing outside this module holds decrypted bytes. The plaintext and
//! every cookie value live in [`Zeroizing`] buffers that are wiped when dropped, and
//! no error, `Debug` output or log line carries key, IV, ciphertext, plaintext or a
//! cookie value.

use std::fmt;

use aes::cipher::{BlockModeDecrypt, BlockModeEncrypt, KeyIvInit, block_padding::Pkcs7};
use base64::Engine as _;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use time::OffsetDateTime;
use zeroize::Zeroizing;

type Aes256CbcDec = cbc::Decryptor<aes::Aes256>;
type Aes256CbcEnc = cbc::Encryptor<aes::Aes256>;

/// Why a stored session cannot be used. No variant carries secret material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SessionError {
    /// `AES_SESSION_KEY` is neither 64 hex characters nor base64 of 32 bytes.
    #[error(
        "AES_SESSION_KEY must be 64 hex characters or base64 of 32 bytes (it decodes to {got} bytes)"
    )]
    KeyLength {
        /// how many bytes it decoded to (0 when it decoded to nothing)
        got: usize,
    },
    /// The IV does not decode to 16 bytes.
    #[error("session_iv must decode to 16 bytes ({encoding}), it decodes to {got}")]
    IvLength {
        /// the configured encoding
        encoding: CipherEncoding,
        /// bytes it decoded to
        got: usize,
    },
    /// A field is not valid in the configured encoding.
    #[error("{field} is not valid {encoding}: check AUTOAPPLY_SESSION_ENCODING")]
    Encoding {
        /// `session_encrypted` or `session_iv`
        field: &'static str,
        /// the configured encoding
        encoding: CipherEncoding,
    },
    /// The ciphertext is empty or not a whole number of 16-byte blocks.
    #[error(
        "session_encrypted is {got} bytes, not a non-empty multiple of 16: it is truncated or not AES-256-CBC"
    )]
    CiphertextLength {
        /// bytes it decoded to
        got: usize,
    },
    /// PKCS7 padding did not check out: the key is wrong or the ciphertext corrupted.
    #[error(
        "session could not be decrypted: wrong AES_SESSION_KEY or corrupted ciphertext (padding check failed)"
    )]
    Padding,
    /// The plaintext is not UTF-8 JSON of a known shape.
    #[error("decrypted session is not a cookie export: {problem} (line {line}, column {column})")]
    NotJson {
        /// serde's category of the problem, never the offending text
        problem: &'static str,
        /// where in the plaintext
        line: usize,
        /// where in the plaintext
        column: usize,
    },
    /// A cookie the site needs is not in the export.
    #[error("session has no {name} cookie: the user must reconnect their account")]
    RequiredCookieMissing {
        /// the cookie's name
        name: String,
    },
    /// A cookie the site needs has expired.
    #[error("session cookie {name} expired at {expired_at}: the user must reconnect their account")]
    CookieExpired {
        /// the cookie's name
        name: String,
        /// RFC 3339 expiry
        expired_at: String,
    },
}

/// How `session_encrypted` and `session_iv` are written as text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CipherEncoding {
    /// lower- or upper-case hex (Node's `'hex'`), the platform's default
    #[default]
    Hex,
    /// standard base64 with padding (Node's `'base64'`)
    Base64,
}

impl CipherEncoding {
    /// Parses `hex` or `base64`.
    pub fn parse(input: &str) -> Option<Self> {
        match input.trim().to_ascii_lowercase().as_str() {
            "hex" => Some(Self::Hex),
            "base64" => Some(Self::Base64),
            _ => None,
        }
    }

    fn decode(self, field: &'static str, text: &str) -> Result<Zeroizing<Vec<u8>>, SessionError> {
        let text = text.trim();
        let decoded = match self {
            Self::Hex => hex::decode(text).ok(),
            Self::Base64 => base64::engine::general_purpose::STANDARD.decode(text).ok(),
        };
        decoded.map(Zeroizing::new).ok_or(SessionError::Encoding {
            field,
            encoding: self,
        })
    }

    fn encode(self, bytes: &[u8]) -> String {
        match self {
            Self::Hex => hex::encode(bytes),
            Self::Base64 => base64::engine::general_purpose::STANDARD.encode(bytes),
        }
    }
}

impl fmt::Display for CipherEncoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Hex => "hex",
            Self::Base64 => "base64",
        })
    }
}

/// The 32-byte AES key, wiped on drop (every clone too). `Debug` prints nothing of it.
#[derive(Clone)]
pub struct SessionKey(Zeroizing<[u8; 32]>);

impl fmt::Debug for SessionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionKey(<redacted>)")
    }
}

impl SessionKey {
    /// Parses `AES_SESSION_KEY`: 64 hex characters, or base64 of 32 bytes.
    pub fn parse(secret: &SecretString) -> Result<Self, SessionError> {
        let text = secret.expose_secret().trim();
        let decoded: Zeroizing<Vec<u8>> =
            if text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
                Zeroizing::new(hex::decode(text).map_err(|_| SessionError::KeyLength { got: 0 })?)
            } else {
                Zeroizing::new(
                    base64::engine::general_purpose::STANDARD
                        .decode(text)
                        .map_err(|_| SessionError::KeyLength { got: 0 })?,
                )
            };
        if decoded.len() != 32 {
            return Err(SessionError::KeyLength { got: decoded.len() });
        }
        let mut key = Zeroizing::new([0u8; 32]);
        key.copy_from_slice(&decoded);
        Ok(Self(key))
    }

    /// A key from raw bytes (tests, the demo's generated key).
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(Zeroizing::new(bytes))
    }
}

/// The stored, still encrypted form: what `platform_sessions` holds.
pub struct EncryptedSession {
    /// `session_encrypted`
    pub ciphertext: SecretString,
    /// `session_iv`
    pub iv: SecretString,
}

impl fmt::Debug for EncryptedSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EncryptedSession(<redacted>)")
    }
}

/// Decrypts to the plaintext bytes, in a buffer wiped on drop.
pub fn decrypt(
    key: &SessionKey,
    encoding: CipherEncoding,
    sealed: &EncryptedSession,
) -> Result<Zeroizing<Vec<u8>>, SessionError> {
    let iv = encoding.decode("session_iv", sealed.iv.expose_secret())?;
    if iv.len() != 16 {
        return Err(SessionError::IvLength {
            encoding,
            got: iv.len(),
        });
    }
    let mut buf = encoding.decode("session_encrypted", sealed.ciphertext.expose_secret())?;
    if buf.is_empty() || buf.len() % 16 != 0 {
        return Err(SessionError::CiphertextLength { got: buf.len() });
    }
    let cipher = Aes256CbcDec::new_from_slices(key.0.as_slice(), &iv)
        .map_err(|_| SessionError::KeyLength { got: key.0.len() })?;
    let plain_len = cipher
        .decrypt_padded::<Pkcs7>(&mut buf)
        .map_err(|_| SessionError::Padding)?
        .len();
    // in-place decryption: the plaintext is the buffer's head; the tail (padding)
    // is wiped by truncate + Zeroizing on drop of the spare capacity below
    buf[plain_len..].iter_mut().for_each(|b| *b = 0);
    buf.truncate(plain_len);
    Ok(buf)
}

/// Encrypts `plaintext` exactly as Node's `createCipheriv('aes-256-cbc')` with a
/// random IV, returning the stored form. Used by tests and the demo's enqueue.
pub fn encrypt(key: &SessionKey, encoding: CipherEncoding, plaintext: &[u8]) -> EncryptedSession {
    let iv: [u8; 16] = rand::random();
    encrypt_with_iv(key, encoding, &iv, plaintext)
}

/// [`encrypt`] with a given IV (test vectors).
pub fn encrypt_with_iv(
    key: &SessionKey,
    encoding: CipherEncoding,
    iv: &[u8; 16],
    plaintext: &[u8],
) -> EncryptedSession {
    let cipher = Aes256CbcEnc::new_from_slices(key.0.as_slice(), iv)
        .expect("a 32-byte key and a 16-byte IV are the right sizes");
    let mut buf = Zeroizing::new(vec![0u8; plaintext.len() + 16]);
    buf[..plaintext.len()].copy_from_slice(plaintext);
    let ciphertext = cipher
        .encrypt_padded::<Pkcs7>(&mut buf, plaintext.len())
        .expect("buffer has room for one block of padding");
    EncryptedSession {
        ciphertext: SecretString::from(encoding.encode(ciphertext)),
        iv: SecretString::from(encoding.encode(iv)),
    }
}

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
    /// Parses the plaintext: an array of cookie objects, or
    /// `{cookies: [...], user_agent: "..."}`. Cookies expired at `now` are dropped
    /// (and listed in `expired`).
    pub fn parse(plaintext: &[u8], now: OffsetDateTime) -> Result<Self, SessionError> {
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
        }
    }
}

/// Decrypts, parses and checks a stored session in one step: what a worker calls.
pub fn open(
    key: &SessionKey,
    encoding: CipherEncoding,
    sealed: &EncryptedSession,
    required_cookies: &[String],
    now: OffsetDateTime,
) -> Result<Session, SessionError> {
    let plaintext = decrypt(key, encoding, sealed)?;
    let session = Session::parse(&plaintext, now)?;
    drop(plaintext);
    session.require(required_cookies)?;
    Ok(session)
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
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000;

    fn now() -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(NOW).unwrap()
    }

    fn key() -> SessionKey {
        SessionKey::from_bytes([7u8; 32])
    }

    fn li_at_export(expiry: f64) -> String {
        format!(
            r#"[{{"domain":".www.linkedin.com","expirationDate":{expiry},"hostOnly":false,"httpOnly":true,
                "name":"li_at","path":"/","sameSite":"no_restriction","secure":true,"session":false,
                "storeId":"0","value":"AQEDASecretCookieValue"}},
               {{"domain":".linkedin.com","name":"lang","value":"v=2&lang=en-us","session":true}}]"#
        )
    }

    #[test]
    fn round_trip_in_both_encodings() {
        for encoding in [CipherEncoding::Hex, CipherEncoding::Base64] {
            let sealed = encrypt(&key(), encoding, b"[]");
            assert_eq!(&decrypt(&key(), encoding, &sealed).unwrap()[..], b"[]");
        }
    }

    #[test]
    fn keys_parse_from_hex_or_base64_and_nothing_else() {
        let hex_key = SecretString::from("00".repeat(32));
        assert!(SessionKey::parse(&hex_key).is_ok());
        let b64 = SecretString::from(base64::engine::general_purpose::STANDARD.encode([1u8; 32]));
        assert!(SessionKey::parse(&b64).is_ok());
        let short = SecretString::from("00".repeat(16));
        assert_eq!(
            SessionKey::parse(&short).unwrap_err(),
            SessionError::KeyLength { got: 24 }
        );
        let junk = SecretString::from("not a key!");
        assert_eq!(
            SessionKey::parse(&junk).unwrap_err(),
            SessionError::KeyLength { got: 0 }
        );
        assert_eq!(format!("{:?}", key()), "SessionKey(<redacted>)");
    }

    #[test]
    fn each_failure_has_its_own_error() {
        let sealed = encrypt(&key(), CipherEncoding::Hex, li_at_export(2e9).as_bytes());
        let wrong_key = SessionKey::from_bytes([8u8; 32]);
        // a wrong key fails the padding check (or, rarely, yields garbage that is not JSON)
        let err = open(&wrong_key, CipherEncoding::Hex, &sealed, &[], now()).unwrap_err();
        assert!(
            matches!(err, SessionError::Padding | SessionError::NotJson { .. }),
            "{err:?}"
        );
        let bad_iv = EncryptedSession {
            ciphertext: sealed.ciphertext.clone(),
            iv: SecretString::from("00ff"),
        };
        assert_eq!(
            decrypt(&key(), CipherEncoding::Hex, &bad_iv).unwrap_err(),
            SessionError::IvLength {
                encoding: CipherEncoding::Hex,
                got: 2
            }
        );
        let not_hex = EncryptedSession {
            ciphertext: SecretString::from("zz"),
            iv: sealed.iv.clone(),
        };
        assert_eq!(
            decrypt(&key(), CipherEncoding::Hex, &not_hex).unwrap_err(),
            SessionError::Encoding {
                field: "session_encrypted",
                encoding: CipherEncoding::Hex
            }
        );
        let truncated = EncryptedSession {
            ciphertext: SecretString::from(sealed.ciphertext.expose_secret()[..30].to_owned()),
            iv: sealed.iv.clone(),
        };
        assert_eq!(
            decrypt(&key(), CipherEncoding::Hex, &truncated).unwrap_err(),
            SessionError::CiphertextLength { got: 15 }
        );
    }

    #[test]
    fn plaintext_shapes_and_cookie_checks() {
        let required = vec!["li_at".to_owned()];
        let session = Session::parse(li_at_export(2e9).as_bytes(), now()).unwrap();
        session.require(&required).unwrap();
        assert_eq!(session.cookies[0].same_site, SameSite::None);
        assert_eq!(session.cookies[1].expires, None);
        assert!(session.user_agent.is_none());

        let with_ua = format!(
            r#"{{"cookies": {}, "user_agent": "Mozilla/5.0 X"}}"#,
            li_at_export(2e9)
        );
        let session = Session::parse(with_ua.as_bytes(), now()).unwrap();
        assert_eq!(session.user_agent.as_deref(), Some("Mozilla/5.0 X"));

        let expired = Session::parse(li_at_export(1_700_000_000.0).as_bytes(), now()).unwrap();
        let err = expired.require(&required).unwrap_err();
        assert_eq!(
            err,
            SessionError::CookieExpired {
                name: "li_at".into(),
                expired_at: "2023-11-14T22:13:20Z".into()
            }
        );
        let none = Session::parse(b"[]", now()).unwrap();
        assert_eq!(
            none.require(&required).unwrap_err(),
            SessionError::RequiredCookieMissing {
                name: "li_at".into()
            }
        );
    }

    #[test]
    fn json_errors_never_quote_the_plaintext() {
        for bad in [
            &b"{\"cookies\": \"AQEDASecretCookieValue\"}"[..],
            b"[{\"name\": \"li_at\", \"value\": 12345678}]",
            b"AQEDASecretCookieValue",
            b"[{\"name\": \"li_at\", \"value\": \"AQEDASecret",
            b"\xff\xfe",
        ] {
            let err = Session::parse(bad, now()).unwrap_err();
            let text = err.to_string();
            assert!(
                text.starts_with("decrypted session is not a cookie export"),
                "{text}"
            );
            assert!(
                !text.contains("AQEDA") && !text.contains("12345678"),
                "{text}"
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn any_plaintext_is_parsed_or_refused_never_a_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..1024)) {
            if let Err(e) = Session::parse(&bytes, now()) {
                proptest::prop_assert!(e.to_string().starts_with("decrypted session is not a cookie export"));
            }
        }

        /// Export-shaped plaintexts reach past the JSON syntax: any cookie fields, any
        /// expiry (huge, negative, fractional), either shape. Parsing, the required
        /// cookie check and the summary never panic and never show a value.
        #[test]
        fn any_cookie_export_is_parsed_and_summarized_without_a_value(
            cookies in proptest::collection::vec(
                (".{0,12}", "[A-Za-z0-9]{0,16}", ".{0,20}", proptest::option::of(proptest::num::f64::ANY), ".{0,16}", proptest::bool::ANY, proptest::option::of(".{0,8}")),
                0..6,
            ),
            object in proptest::bool::ANY,
            user_agent in proptest::option::of(".{0,30}"),
        ) {
            let list: Vec<_> = cookies.iter().map(|(name, value, domain, expires, same_site, session, path)| {
                let mut cookie = serde_json::json!({"name": name, "value": format!("VALUE{value}"), "domain": domain, "sameSite": same_site, "session": session, "path": path});
                if let Some(e) = expires.filter(|e| e.is_finite()) {
                    cookie["expirationDate"] = serde_json::json!(e);
                }
                cookie
            }).collect();
            let text = if object {
                serde_json::json!({"cookies": list, "user_agent": user_agent}).to_string()
            } else {
                serde_json::Value::Array(list).to_string()
            };
            let session = Session::parse(text.as_bytes(), now()).unwrap();
            proptest::prop_assert_eq!(session.cookies.len() + session.expired.len(), cookies.len());
            let shown = format!("{session:?} {:?} {:?}", session.summary(), session.require(&["li_at".to_owned()]).map_err(|e| e.to_string()));
            proptest::prop_assert!(!shown.contains("VALUE"), "{}", shown);
        }

        #[test]
        fn any_ciphertext_and_iv_decrypt_or_fail_cleanly(ct in "[0-9a-f]{0,96}", iv in "[0-9a-f]{0,40}") {
            let sealed = EncryptedSession { ciphertext: SecretString::from(ct), iv: SecretString::from(iv) };
            let _ = decrypt(&key(), CipherEncoding::Hex, &sealed);
        }
    }

    #[test]
    fn debug_output_redacts_cookie_values() {
        let session = Session::parse(li_at_export(2e9).as_bytes(), now()).unwrap();
        let debug = format!("{session:?} {:?}", session.summary());
        assert!(!debug.contains("AQEDASecretCookieValue"), "{debug}");
        assert!(debug.contains("li_at"));
    }
}
