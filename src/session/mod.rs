//! The job seeker's stored browser session: AES-256-CBC decryption byte-compatible
//! with Node's `crypto.createCipheriv('aes-256-cbc', key, iv)`, and the cookie
//! export it contains.
//!
//! Invariant: nothing outside this module holds decrypted bytes. The plaintext and
//! every cookie value live in [`Zeroizing`] buffers that are wiped when dropped, and
//! no error, `Debug` output or log line carries key, IV, ciphertext, plaintext or a
//! cookie value.

mod cipher;
mod cookies;

use time::OffsetDateTime;

pub use self::{
    cipher::{CipherEncoding, EncryptedSession, SessionKey, decrypt, encrypt, encrypt_with_iv},
    cookies::{Cookie, CookieSummary, SameSite, Session, SessionSummary, chrome_major},
};

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
    #[error("decrypted session is not a cookie export: {problem}{}", at_line(*.line, *.column))]
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

/// What an operator may see of a stored session (`autoapply session inspect`).
#[derive(Debug)]
pub struct Inspection {
    /// its cookies, without values
    pub summary: SessionSummary,
    /// whether a worker could use it, and if not why
    pub usable: Result<(), SessionError>,
}

/// Decrypts and parses a stored session and tells what it holds, without a value;
/// the plaintext never leaves this function.
pub fn inspect(
    key: &SessionKey,
    encoding: CipherEncoding,
    sealed: &EncryptedSession,
    required_cookies: &[String],
    now: OffsetDateTime,
) -> Result<Inspection, SessionError> {
    let plaintext = decrypt(key, encoding, sealed)?;
    let session = Session::parse(&plaintext, now)?;
    drop(plaintext);
    Ok(Inspection {
        summary: session.summary(),
        usable: session.require(required_cookies),
    })
}

/// Why a cookie export cannot be stored.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The file (or standard input) cannot be read.
    #[error("cannot read {file}: {source}")]
    Read {
        /// the file
        file: String,
        /// the cause
        source: std::io::Error,
    },
    /// Not a cookie export.
    #[error("{file}: {}", plain(.source))]
    Malformed {
        /// the file
        file: String,
        /// what is wrong (never a value)
        source: SessionError,
    },
    /// A cookie export a worker could not use (a required cookie missing or expired).
    #[error("{file}: {source}")]
    Unusable {
        /// the file
        file: String,
        /// what is wrong (never a value)
        source: SessionError,
    },
}

/// ` at line L, column C`, or nothing when the parser gave no position.
fn at_line(line: usize, column: usize) -> String {
    if line == 0 {
        String::new()
    } else {
        format!(" at line {line}, column {column}")
    }
}

/// What is wrong with an export file, in a person's words.
fn plain(source: &SessionError) -> String {
    const SHAPE: &str = "export the LinkedIn cookies from the browser as JSON: \
                         an array of cookies, or {\"cookies\": [...], \"user_agent\": \"...\"}";
    match source {
        SessionError::NotJson {
            problem,
            line,
            column,
        } => format!(
            "not a cookie export ({problem}{}); {SHAPE}",
            at_line(*line, *column)
        ),
        other => other.to_string(),
    }
}

/// A cookie export, checked and encrypted for the store.
#[derive(Debug)]
pub struct SealedExport {
    /// what the store keeps
    pub sealed: EncryptedSession,
    /// how many usable cookies it holds
    pub cookies: usize,
    /// whether the export names the browser's user agent
    pub has_user_agent: bool,
}

/// Reads a cookie export (`path`, or standard input for `-`), checks that a worker
/// could use it and encrypts it with `key`. The plaintext is wiped before this
/// returns; no error carries a value.
pub fn seal_export(
    path: &std::path::Path,
    key: &SessionKey,
    encoding: CipherEncoding,
    required_cookies: &[String],
    now: OffsetDateTime,
) -> Result<SealedExport, ExportError> {
    use std::io::Read as _;

    let file = path.display().to_string();
    let mut plaintext = zeroize::Zeroizing::new(Vec::new());
    let read = if path.as_os_str() == "-" {
        std::io::stdin().read_to_end(&mut plaintext).map(drop)
    } else {
        std::fs::File::open(path).and_then(|mut f| f.read_to_end(&mut plaintext).map(drop))
    };
    read.map_err(|source| ExportError::Read {
        file: file.clone(),
        source,
    })?;
    let parsed = Session::parse(&plaintext, now).map_err(|source| ExportError::Malformed {
        file: file.clone(),
        source,
    })?;
    parsed
        .require(required_cookies)
        .map_err(|source| ExportError::Unusable { file, source })?;
    let export = SealedExport {
        sealed: encrypt(key, encoding, &plaintext),
        cookies: parsed.cookies.len(),
        has_user_agent: parsed.user_agent.is_some(),
    };
    drop(parsed);
    Ok(export)
}

#[cfg(test)]
mod tests {
    use base64::Engine as _;
    use secrecy::{ExposeSecret as _, SecretString};

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
