//! AES-256-CBC with PKCS7, byte-compatible with Node's
//! `crypto.createCipheriv('aes-256-cbc', key, iv)`: the key, the sealed session and
//! its text encodings. Decrypted bytes leave only as [`Zeroizing`] buffers, to the
//! parent module.

use std::fmt;

use aes::cipher::{BlockModeDecrypt, BlockModeEncrypt, KeyIvInit, block_padding::Pkcs7};
use base64::Engine as _;
use secrecy::{ExposeSecret, SecretString};
use zeroize::Zeroizing;

use super::SessionError;

type Aes256CbcDec = cbc::Decryptor<aes::Aes256>;
type Aes256CbcEnc = cbc::Encryptor<aes::Aes256>;

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
