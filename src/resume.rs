//! Which files may be uploaded to an employer as a résumé: only a regular file inside
//! the configured folder (`AUTOAPPLY_RESUME_DIR`, compared after resolving symlinks
//! and `..`), of a type LinkedIn takes (PDF, DOC, DOCX), not empty, at most
//! [`MAX_BYTES`]. Whoever can write `applicant_profiles.resume_path` can so never make
//! the worker send another file the service can read (screenshots, the SQLite file,
//! `/proc/self/environ`) to an employer.

use std::path::{Path, PathBuf};

/// LinkedIn's own limit for a résumé.
pub const MAX_BYTES: u64 = 2 * 1024 * 1024;
/// The types LinkedIn takes.
pub const TYPES: [&str; 3] = ["pdf", "doc", "docx"];

/// Why a résumé path is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResumeError {
    /// the folder itself cannot be resolved
    #[error("the résumé folder {0} does not exist (AUTOAPPLY_RESUME_DIR)")]
    NoFolder(PathBuf),
    /// no such file
    #[error("résumé {0}: no such file")]
    Missing(PathBuf),
    /// outside the folder
    #[error(
        "résumé {path}: outside the résumé folder {folder} (AUTOAPPLY_RESUME_DIR): copy it there"
    )]
    Outside {
        /// as given
        path: PathBuf,
        /// the folder
        folder: PathBuf,
    },
    /// a directory, a device, a FIFO
    #[error("résumé {0}: not a regular file")]
    NotAFile(PathBuf),
    /// not PDF/DOC/DOCX
    #[error("résumé {0}: must be a .pdf, .doc or .docx file")]
    Type(PathBuf),
    /// empty or too large
    #[error("résumé {path}: {bytes} bytes; it must hold 1 byte to 2 MiB")]
    Size {
        /// as given
        path: PathBuf,
        /// its size
        bytes: u64,
    },
}

/// The résumé's resolved path, if `path` may be uploaded from `folder`.
pub fn confine(folder: &Path, path: &Path) -> Result<PathBuf, ResumeError> {
    let root = folder
        .canonicalize()
        .map_err(|_| ResumeError::NoFolder(folder.to_owned()))?;
    let resolved = path
        .canonicalize()
        .map_err(|_| ResumeError::Missing(path.to_owned()))?;
    if !resolved.starts_with(&root) {
        return Err(ResumeError::Outside {
            path: path.to_owned(),
            folder: folder.to_owned(),
        });
    }
    let meta = std::fs::metadata(&resolved).map_err(|_| ResumeError::Missing(path.to_owned()))?;
    if !meta.is_file() {
        return Err(ResumeError::NotAFile(path.to_owned()));
    }
    let typed = resolved
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| TYPES.iter().any(|t| t.eq_ignore_ascii_case(e)));
    if !typed {
        return Err(ResumeError::Type(path.to_owned()));
    }
    if meta.len() == 0 || meta.len() > MAX_BYTES {
        return Err(ResumeError::Size {
            path: path.to_owned(),
            bytes: meta.len(),
        });
    }
    Ok(resolved)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_typed_regular_file_inside_the_folder_of_a_sane_size() {
        let base = std::env::temp_dir().join(format!("resume-{}", std::process::id()));
        let folder = base.join("resumes");
        std::fs::create_dir_all(folder.join("sub")).unwrap();
        let ok = folder.join("ada.PDF");
        std::fs::write(&ok, b"%PDF-1.4\n").unwrap();
        let outside = base.join("secret.pdf");
        std::fs::write(&outside, b"%PDF-1.4\n").unwrap();
        std::os::unix::fs::symlink(&outside, folder.join("link.pdf")).unwrap();
        std::fs::write(folder.join("notes.txt"), b"x").unwrap();
        std::fs::write(folder.join("empty.pdf"), b"").unwrap();
        let big = std::fs::File::create(folder.join("big.pdf")).unwrap();
        big.set_len(MAX_BYTES + 1).unwrap();

        assert_eq!(confine(&folder, &ok), Ok(ok.canonicalize().unwrap()));
        for (path, want) in [
            (outside.clone(), "outside"),
            (folder.join("link.pdf"), "outside"),
            (folder.join("sub/../../secret.pdf"), "outside"),
            (PathBuf::from("/proc/self/environ"), "outside"),
            (folder.join("sub"), "not a regular file"),
            (folder.join("notes.txt"), ".pdf, .doc or .docx"),
            (folder.join("empty.pdf"), "0 bytes"),
            (folder.join("big.pdf"), "2097153 bytes"),
            (folder.join("nope.pdf"), "no such file"),
        ] {
            let refused = confine(&folder, &path).unwrap_err().to_string();
            assert!(refused.contains(want), "{}: {refused}", path.display());
        }
        assert!(matches!(
            confine(&base.join("missing"), &ok),
            Err(ResumeError::NoFolder(_))
        ));
        std::fs::remove_dir_all(&base).unwrap();
    }
}
