//! Session crypto against vectors written by Node's `createCipheriv`, the way the
//! platform stores sessions.

use autoapply::session::{self, CipherEncoding, EncryptedSession, SessionError, SessionKey};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use time::OffsetDateTime;

use crate::support::manifest_dir;

#[derive(Deserialize)]
pub struct Vector {
    pub name: String,
    pub key_hex: String,
    pub key_base64: String,
    pub encoding: String,
    pub session_iv: String,
    pub session_encrypted: String,
    pub plaintext: String,
}

pub fn vectors() -> Vec<Vector> {
    let text = std::fs::read_to_string(manifest_dir().join("tests/fixtures/session/vectors.json"))
        .unwrap();
    serde_json::from_str(&text).unwrap()
}

fn sealed(v: &Vector) -> EncryptedSession {
    EncryptedSession {
        ciphertext: SecretString::from(v.session_encrypted.clone()),
        iv: SecretString::from(v.session_iv.clone()),
    }
}

#[test]
fn node_vectors_decrypt_with_hex_and_base64_keys() {
    let vectors = vectors();
    assert_eq!(vectors.len(), 5);
    for v in &vectors {
        let encoding = CipherEncoding::parse(&v.encoding).unwrap();
        for key_text in [&v.key_hex, &v.key_base64] {
            let key = SessionKey::parse(&SecretString::from(key_text.clone())).unwrap();
            let plain = session::decrypt(&key, encoding, &sealed(v)).unwrap();
            assert_eq!(
                std::str::from_utf8(&plain).unwrap(),
                v.plaintext,
                "{}",
                v.name
            );
        }
    }
}

#[test]
fn our_encryption_is_byte_identical_to_node() {
    for v in vectors() {
        let encoding = CipherEncoding::parse(&v.encoding).unwrap();
        let key = SessionKey::parse(&SecretString::from(v.key_hex.clone())).unwrap();
        let iv: [u8; 16] = match encoding {
            CipherEncoding::Hex => hex::decode(&v.session_iv).unwrap().try_into().unwrap(),
            CipherEncoding::Base64 => {
                use base64::Engine as _;
                base64::engine::general_purpose::STANDARD
                    .decode(&v.session_iv)
                    .unwrap()
                    .try_into()
                    .unwrap()
            }
        };
        let ours = session::encrypt_with_iv(&key, encoding, &iv, v.plaintext.as_bytes());
        assert_eq!(
            ours.ciphertext.expose_secret(),
            v.session_encrypted,
            "{}",
            v.name
        );
    }
}

#[test]
fn vectors_open_into_sessions_with_the_right_verdict() {
    let vectors = vectors();
    let required = vec!["li_at".to_owned()];
    let now = OffsetDateTime::now_utc();
    let open = |name: &str| {
        let v = vectors.iter().find(|v| v.name == name).unwrap();
        let key = SessionKey::parse(&SecretString::from(v.key_hex.clone())).unwrap();
        session::open(
            &key,
            CipherEncoding::parse(&v.encoding).unwrap(),
            &sealed(v),
            &required,
            now,
        )
    };
    let s = open("cookie-export-array-hex").unwrap();
    let names: Vec<_> = s.cookies.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["li_at", "JSESSIONID", "lang"]);
    assert_eq!(
        s.cookies[0].value.as_str(),
        "AQEDARnodeVectorCookieValue0001"
    );
    assert!(s.user_agent.is_none());
    let s = open("cookies-with-user-agent-hex").unwrap();
    assert!(s.user_agent.unwrap().starts_with("Mozilla/5.0"));
    assert!(open("cookie-export-array-base64").is_ok());
    assert!(
        matches!(open("expired-li-at-hex").unwrap_err(), SessionError::CookieExpired { name, .. } if name == "li_at")
    );
    assert!(matches!(
        open("exactly-one-block-hex").unwrap_err(),
        SessionError::RequiredCookieMissing { .. }
    ));
}

#[test]
fn the_committed_vectors_are_what_node_writes() {
    let script = manifest_dir().join("tests/fixtures/session/make_vectors.js");
    let out = std::process::Command::new("node")
        .arg(&script)
        .output()
        .expect("node is installed by the README's test command");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let committed =
        std::fs::read_to_string(manifest_dir().join("tests/fixtures/session/vectors.json"))
            .unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), committed);
}
