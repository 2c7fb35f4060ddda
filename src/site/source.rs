//! Where the selector files come from, by one rule for every command:
//! `AUTOAPPLY_SELECTORS_DIR` when set, else `./selectors` when it holds
//! `linkedin.toml`, else the file built into the binary (the shipped one). Every
//! command says which, once, on standard error.

use std::{
    path::{Path, PathBuf},
    sync::Once,
};

use super::{SiteError, SiteSpec};

/// `selectors/linkedin.toml` as shipped, built into the binary.
pub const BUILT_IN: &str = include_str!("../../selectors/linkedin.toml");
/// The name of the built-in file in messages.
const BUILT_IN_NAME: &str = "linkedin.toml (built into autoapply)";

/// Where the selector files come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SelectorSource {
    /// `AUTOAPPLY_SELECTORS_DIR`, as set
    Configured(PathBuf),
    /// `./selectors`, which holds `linkedin.toml`
    WorkingDir(PathBuf),
    /// the file built into the binary
    BuiltIn,
}

impl SelectorSource {
    /// The rule: the setting when given, else `./selectors` when it holds
    /// `linkedin.toml`, else the built-in file.
    pub fn resolve(setting: Option<&Path>) -> Self {
        match setting {
            Some(dir) => Self::Configured(dir.to_owned()),
            None if Path::new("selectors/linkedin.toml").is_file() => {
                Self::WorkingDir(PathBuf::from("selectors"))
            }
            None => Self::BuiltIn,
        }
    }

    /// The rule on `AUTOAPPLY_SELECTORS_DIR` read from the process environment, for
    /// the commands that read no other setting (`selectors check`, `session inspect
    /// --stdin`); an empty value counts as unset, as in the configuration.
    pub fn from_env() -> Self {
        let dir = std::env::var_os("AUTOAPPLY_SELECTORS_DIR")
            .filter(|v| !v.to_string_lossy().trim().is_empty())
            .map(PathBuf::from);
        Self::resolve(dir.as_deref())
    }

    /// The directory, when the files come from one.
    pub fn dir(&self) -> Option<&Path> {
        match self {
            Self::Configured(d) | Self::WorkingDir(d) => Some(d),
            Self::BuiltIn => None,
        }
    }

    /// One line saying where the selectors come from, and why.
    pub fn describe(&self) -> String {
        match self {
            Self::Configured(d) => format!(
                "{} (from AUTOAPPLY_SELECTORS_DIR)",
                d.join("linkedin.toml").display()
            ),
            Self::WorkingDir(d) => format!(
                "./{} (AUTOAPPLY_SELECTORS_DIR is unset; found in the current directory)",
                d.join("linkedin.toml").display()
            ),
            Self::BuiltIn => format!(
                "{BUILT_IN_NAME} (AUTOAPPLY_SELECTORS_DIR is unset and there is no ./selectors/linkedin.toml)"
            ),
        }
    }

    /// Says where the selectors come from on standard error, once per process.
    pub fn announce(&self) {
        static SAID: Once = Once::new();
        SAID.call_once(|| eprintln!("selectors: {}", self.describe()));
    }

    /// Loads `<name>.toml`.
    pub fn load(&self, name: &str) -> Result<SiteSpec, SiteError> {
        match self.dir() {
            Some(dir) => SiteSpec::load(dir, name),
            None => built_in(name),
        }
    }

    /// Loads and validates every selector file (start-up check).
    pub fn load_all(&self) -> Result<Vec<SiteSpec>, SiteError> {
        match self.dir() {
            Some(dir) => SiteSpec::load_all(dir),
            None => built_in("linkedin").map(|s| vec![s]),
        }
    }
}

/// The built-in file, for `linkedin` only.
fn built_in(name: &str) -> Result<SiteSpec, SiteError> {
    let file = PathBuf::from(BUILT_IN_NAME);
    if name != "linkedin" {
        return Err(SiteError::Read {
            file: PathBuf::from(format!("{name}.toml")),
            source: std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "only linkedin.toml is built in: set AUTOAPPLY_SELECTORS_DIR",
            ),
        });
    }
    SiteSpec::parse(&file, BUILT_IN)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_file_loads_and_is_the_shipped_one() {
        let built_in = SelectorSource::BuiltIn.load("linkedin").unwrap();
        let shipped = SiteSpec::load(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("selectors"),
            "linkedin",
        )
        .unwrap();
        assert_eq!(built_in.origin, shipped.origin);
        assert_eq!(SelectorSource::BuiltIn.load_all().unwrap().len(), 1);
        let err = SelectorSource::BuiltIn.load("indeed").unwrap_err();
        assert!(err.to_string().contains("AUTOAPPLY_SELECTORS_DIR"), "{err}");
    }

    #[test]
    fn a_configured_directory_wins_and_names_itself() {
        let s = SelectorSource::resolve(Some(Path::new("/nowhere")));
        assert_eq!(s, SelectorSource::Configured(PathBuf::from("/nowhere")));
        assert!(s.describe().contains("AUTOAPPLY_SELECTORS_DIR"));
        let err = s.load("linkedin").unwrap_err().to_string();
        assert!(
            err.starts_with("/nowhere/linkedin.toml: cannot read"),
            "{err}"
        );
    }
}
