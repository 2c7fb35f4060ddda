//! `autoapply session inspect`: is this user's stored session usable? Names,
//! domains and expiry of its cookies, never a value.

use std::{io::Read as _, process::ExitCode};

use clap::{Args, Subcommand};
use secrecy::SecretString;
use serde::Deserialize;
use time::OffsetDateTime;

use crate::{
    config::Config,
    domain::{Platform, UserId},
    exit::{self, Failure},
    session::{self, CipherEncoding, EncryptedSession, SessionKey},
    site::SelectorSource,
    store::{AnyStore, Store as _},
};

/// `autoapply session ...`
#[derive(Debug, Subcommand)]
pub enum SessionCommand {
    /// Decrypt a stored session and show its cookie names, domains and expiry (never
    /// a value): is this user's session usable?
    Inspect(InspectArgs),
}

/// Where the session to inspect comes from.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct InspectArgs {
    /// read the user's LinkedIn session from the store
    #[arg(long, value_name = "UUID")]
    pub user_id: Option<String>,
    /// read JSON {"session_encrypted": "...", "session_iv": "..."} from standard input
    /// (needs only AES_SESSION_KEY)
    #[arg(long)]
    pub stdin: bool,
}

#[derive(Deserialize)]
struct StdinSession {
    session_encrypted: SecretString,
    session_iv: SecretString,
}

/// The three settings `session inspect --stdin` needs, without the rest.
fn session_settings() -> Result<(SessionKey, CipherEncoding, SelectorSource), Failure> {
    let key = std::env::var("AES_SESSION_KEY")
        .ok()
        .filter(|k| !k.trim().is_empty())
        .ok_or_else(|| Failure::new(exit::CONFIG, "AES_SESSION_KEY: missing (a secret)"))?;
    let key = SessionKey::parse(&SecretString::from(key))
        .map_err(|e| Failure::new(exit::CONFIG, format!("AES_SESSION_KEY: {e}")))?;
    let encoding = match std::env::var("AUTOAPPLY_SESSION_ENCODING") {
        Ok(v) if !v.trim().is_empty() => CipherEncoding::parse(&v).ok_or_else(|| {
            Failure::new(
                exit::CONFIG,
                "AUTOAPPLY_SESSION_ENCODING: must be hex or base64",
            )
        })?,
        _ => CipherEncoding::Hex,
    };
    Ok((key, encoding, SelectorSource::from_env()))
}

/// What `session inspect` looks at: the key and encoding to open it with, the
/// selector source, the sealed session, and the stored user agent column.
type Target = (
    SessionKey,
    CipherEncoding,
    SelectorSource,
    EncryptedSession,
    Option<Option<String>>,
);

pub(super) async fn inspect(args: InspectArgs) -> Result<ExitCode, Failure> {
    let (key, encoding, selectors, sealed, user_agent_column) = if args.stdin {
        from_stdin()?
    } else {
        from_store(args.user_id.unwrap_or_default()).await?
    };
    selectors.announce();
    let site = selectors
        .load(Platform::Linkedin.as_str())
        .map_err(|e| Failure::new(exit::CONFIG, e.to_string()))?;
    let inspection = session::inspect(
        &key,
        encoding,
        &sealed,
        &site.session.required_cookies,
        OffsetDateTime::now_utc(),
    )
    .map_err(|e| {
        tracing::error!(error = %e, "session inspection failed");
        Failure::new(exit::SESSION_UNUSABLE, e.to_string())
    })?;
    let (summary, verdict) = (inspection.summary, inspection.usable);
    for c in &summary.cookies {
        println!(
            "cookie {:<24} domain {:<24} expires {}",
            c.name,
            c.domain,
            c.expires.as_deref().unwrap_or("at end of session")
        );
    }
    for c in &summary.expired {
        println!(
            "cookie {:<24} EXPIRED {}",
            c.name,
            c.expires.as_deref().unwrap_or("?")
        );
    }
    let has_ua = summary.has_user_agent || matches!(user_agent_column, Some(Some(_)));
    println!(
        "user agent: {}",
        if has_ua {
            "present"
        } else {
            "absent (the browser default will be used)"
        }
    );
    // a stored user agent far from the installed Chromium: its features contradict it
    let stored_major = match &user_agent_column {
        Some(Some(ua)) => crate::session::chrome_major(ua),
        _ => summary.chrome_major,
    };
    if let Some(stored) = stored_major {
        let browser = std::env::var_os("AUTOAPPLY_BROWSER_PATH")
            .map_or_else(|| "/usr/bin/chromium".into(), std::path::PathBuf::from);
        if let Some(installed) = crate::browser::installed_major(&browser).await
            && stored.abs_diff(installed) > 2
        {
            println!(
                "warning: the stored user agent says Chrome {stored}, the installed Chromium is {installed}: \
                 what the page can test of the browser contradicts its user agent; ask the user to \
                 reconnect from an up-to-date Chrome"
            );
        }
    }
    match verdict {
        Ok(()) => {
            println!("session usable: yes");
            Ok(ExitCode::from(exit::OK))
        }
        Err(e) => Err(Failure::new(
            exit::SESSION_UNUSABLE,
            format!("session usable: no: {e}"),
        )),
    }
}

/// `--stdin`: JSON `{"session_encrypted", "session_iv"}`, opened with the key alone.
fn from_stdin() -> Result<Target, Failure> {
    let (key, encoding, dir) = session_settings()?;
    let mut input = zeroize::Zeroizing::new(String::new());
    std::io::stdin()
        .read_to_string(&mut input)
        .map_err(|e| Failure::new(exit::USAGE, format!("cannot read standard input: {e}")))?;
    let parsed: StdinSession = serde_json::from_str(&input).map_err(|e| {
        Failure::new(
            exit::USAGE,
            format!(
                "standard input must be JSON {{\"session_encrypted\": \"...\", \"session_iv\": \"...\"}} \
                 (problem at line {}, column {})",
                e.line(),
                e.column()
            ),
        )
    })?;
    let sealed = EncryptedSession {
        ciphertext: parsed.session_encrypted,
        iv: parsed.session_iv,
    };
    Ok((key, encoding, dir, sealed, None))
}

/// `--user-id`: the user's stored LinkedIn session.
async fn from_store(raw_id: String) -> Result<Target, Failure> {
    let user = UserId::parse(&raw_id).map_err(|e| Failure::new(exit::USAGE, e.to_string()))?;
    let (config, _) = Config::from_process_env_for(crate::config::Uses::SESSIONS);
    let config = config.map_err(|e| Failure::new(exit::CONFIG, e.to_string()))?;
    let store =
        AnyStore::from_config(&config).map_err(|e| Failure::new(exit::STORE, e.to_string()))?;
    let stored = store
        .session(user, Platform::Linkedin)
        .await
        .map_err(|e| Failure::new(exit::STORE, e.to_string()))?
        .ok_or_else(|| {
            Failure::new(
                exit::NOT_FOUND,
                format!("no linkedin session stored for user {user}"),
            )
        })?;
    println!("stored status: {}", stored.status.as_str());
    let sealed = EncryptedSession {
        ciphertext: stored.session_encrypted,
        iv: stored.session_iv,
    };
    Ok((
        config
            .session_key()
            .map_err(|e| Failure::new(exit::CONFIG, e.to_string()))?
            .clone(),
        config.session_encoding,
        config.selectors,
        sealed,
        Some(stored.user_agent),
    ))
}
