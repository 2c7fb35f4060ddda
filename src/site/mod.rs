//! Site knowledge as data: `selectors/<site>.toml` loaded into a [`SiteSpec`] and
//! validated at start-up. A broken file fails with the file, the key and the reason.

use std::path::{Path, PathBuf};

use serde::Deserialize;

/// Why a selector file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SiteError {
    /// The file could not be read.
    #[error("{file}: cannot read: {source}")]
    Read {
        /// the file
        file: PathBuf,
        /// the I/O error
        source: std::io::Error,
    },
    /// The file is not valid TOML or misses a key.
    #[error("{file}: {message}")]
    Parse {
        /// the file
        file: PathBuf,
        /// toml's message, which names the key and the line
        message: String,
    },
    /// A key has a value that cannot work.
    #[error("{file}: key `{key}`: {reason}")]
    Invalid {
        /// the file
        file: PathBuf,
        /// the dotted key
        key: String,
        /// what is wrong
        reason: String,
    },
}

/// The session part of a site file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionSpec {
    /// cookies a stored session must carry, unexpired
    pub required_cookies: Vec<String>,
}

/// One site's knowledge.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteSpec {
    /// version of the file
    pub version: u32,
    /// site name, e.g. `linkedin`
    pub name: String,
    /// the site's origin, e.g. `https://www.linkedin.com`
    pub origin: url::Url,
    /// session requirements
    pub session: SessionSpec,
}

impl SiteSpec {
    /// Parses and validates the text of `file`.
    pub fn parse(file: &Path, text: &str) -> Result<Self, SiteError> {
        let spec: Self = toml::from_str(text).map_err(|e| SiteError::Parse {
            file: file.to_owned(),
            message: e.to_string().trim().replace('\n', " "),
        })?;
        let invalid = |key: &str, reason: &str| SiteError::Invalid {
            file: file.to_owned(),
            key: key.to_owned(),
            reason: reason.to_owned(),
        };
        if spec.session.required_cookies.is_empty() {
            return Err(invalid(
                "session.required_cookies",
                "must name at least one cookie",
            ));
        }
        if spec
            .session
            .required_cookies
            .iter()
            .any(|c| c.trim().is_empty())
        {
            return Err(invalid(
                "session.required_cookies",
                "cookie names must not be empty",
            ));
        }
        if !matches!(spec.origin.scheme(), "http" | "https") || spec.origin.host().is_none() {
            return Err(invalid("origin", "must be an http(s) origin"));
        }
        Ok(spec)
    }

    /// Loads `<dir>/<name>.toml`.
    pub fn load(dir: &Path, name: &str) -> Result<Self, SiteError> {
        let file = dir.join(format!("{name}.toml"));
        let text = std::fs::read_to_string(&file).map_err(|source| SiteError::Read {
            file: file.clone(),
            source,
        })?;
        Self::parse(&file, &text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_file_loads() {
        let spec = SiteSpec::load(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("selectors")
                .as_path(),
            "linkedin",
        )
        .unwrap();
        assert_eq!(spec.session.required_cookies, ["li_at"]);
        assert_eq!(spec.origin.as_str(), "https://www.linkedin.com/");
    }

    #[test]
    fn broken_files_name_the_file_and_key() {
        let file = Path::new("selectors/x.toml");
        let missing = SiteSpec::parse(
            file,
            "version = 1\nname = \"x\"\norigin = \"https://x.test\"\n",
        )
        .unwrap_err()
        .to_string();
        assert!(
            missing.starts_with("selectors/x.toml:") && missing.contains("session"),
            "{missing}"
        );
        let empty = SiteSpec::parse(
            file,
            "version = 1\nname = \"x\"\norigin = \"https://x.test\"\n[session]\nrequired_cookies = []\n",
        )
        .unwrap_err()
        .to_string();
        assert_eq!(
            empty,
            "selectors/x.toml: key `session.required_cookies`: must name at least one cookie"
        );
    }
}
