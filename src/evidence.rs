//! Evidence: screenshots of what the browser showed when something went wrong,
//! bounded in size, re-encoded with `image`, with a red rectangle around the
//! element the failing step acted on, written atomically to
//! `<storage>/screenshots/<application-id>.png` (not world-readable); after a
//! structural failure also a sanitized page snapshot, `<application-id>.html`.

use std::{
    io::Write as _,
    os::unix::fs::{DirBuilderExt as _, OpenOptionsExt as _},
    path::{Path, PathBuf},
};

use image::{ImageFormat, Rgba, RgbaImage};

use crate::{domain::ApplicationId, page::Rect};

/// The widest screenshot kept; wider ones are scaled down.
pub const MAX_WIDTH: u32 = 1600;

/// Why a screenshot could not be written.
#[derive(Debug, thiserror::Error)]
pub enum EvidenceError {
    /// The browser's PNG did not decode.
    #[error("the browser's screenshot is not a PNG: {0}")]
    Decode(String),
    /// Writing the file failed.
    #[error("cannot write {path}: {source}")]
    Write {
        /// the file
        path: PathBuf,
        /// the I/O error
        source: std::io::Error,
    },
}

/// The path of an application's error screenshot. The id is a parsed UUID, so
/// the file name cannot leave the directory.
pub fn screenshot_path(dir: &Path, id: ApplicationId, suffix: &str) -> PathBuf {
    dir.join(format!("{id}{suffix}.png"))
}

fn draw_rect(img: &mut RgbaImage, rect: Rect, scale: f64) {
    let red = Rgba([220, 20, 60, 255]);
    let (w, h) = (img.width() as i64, img.height() as i64);
    let x0 = (rect.x * scale).round() as i64 - 3;
    let y0 = (rect.y * scale).round() as i64 - 3;
    let x1 = ((rect.x + rect.width) * scale).round() as i64 + 3;
    let y1 = ((rect.y + rect.height) * scale).round() as i64 + 3;
    for t in 0..4 {
        for x in (x0 - t)..=(x1 + t) {
            for y in [y0 - t, y1 + t] {
                if (0..w).contains(&x) && (0..h).contains(&y) {
                    img.put_pixel(x as u32, y as u32, red);
                }
            }
        }
        for y in (y0 - t)..=(y1 + t) {
            for x in [x0 - t, x1 + t] {
                if (0..w).contains(&x) && (0..h).contains(&y) {
                    img.put_pixel(x as u32, y as u32, red);
                }
            }
        }
    }
}

/// Re-encodes `png` (scaled to at most [`MAX_WIDTH`], `highlight` outlined) and
/// writes it atomically as `<dir>/<id><suffix>.png`, mode 0640.
pub fn write_screenshot(
    dir: &Path,
    id: ApplicationId,
    suffix: &str,
    png: &[u8],
    highlight: Option<Rect>,
) -> Result<PathBuf, EvidenceError> {
    let decoded = image::load_from_memory_with_format(png, ImageFormat::Png)
        .map_err(|e| EvidenceError::Decode(e.to_string()))?;
    let mut img = decoded.to_rgba8();
    let mut scale = 1.0;
    if img.width() > MAX_WIDTH {
        scale = f64::from(MAX_WIDTH) / f64::from(img.width());
        let height = ((f64::from(img.height()) * scale).round() as u32).max(1);
        img = image::imageops::resize(
            &img,
            MAX_WIDTH,
            height,
            image::imageops::FilterType::Triangle,
        );
    }
    if let Some(rect) = highlight {
        draw_rect(&mut img, rect, scale);
    }
    let mut encoded = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut encoded), ImageFormat::Png)
        .map_err(|e| EvidenceError::Decode(e.to_string()))?;
    drop(img);
    drop(decoded);
    crate::heap::trim();

    write_atomically(dir, &screenshot_path(dir, id, suffix), &encoded)
}

/// Writes the sanitized page snapshot of a structural failure (drift evidence)
/// beside the screenshot, as `<dir>/<id>.html`, mode 0640, atomically.
pub fn write_snapshot(dir: &Path, id: ApplicationId, html: &str) -> Result<PathBuf, EvidenceError> {
    write_atomically(dir, &dir.join(format!("{id}.html")), html.as_bytes())
}

fn write_atomically(dir: &Path, path: &Path, bytes: &[u8]) -> Result<PathBuf, EvidenceError> {
    let write_err = |source| EvidenceError::Write {
        path: path.to_owned(),
        source,
    };
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o750)
        .create(dir)
        .map_err(write_err)?;
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let tmp = dir.join(format!(".{name}.tmp"));
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o640)
        .open(&tmp)
        .map_err(write_err)?;
    file.write_all(bytes).map_err(write_err)?;
    file.sync_all().map_err(write_err)?;
    drop(file);
    std::fs::rename(&tmp, path).map_err(write_err)?;
    Ok(path.to_owned())
}

/// Retention: deletes screenshots and page snapshots in `dir` last written more
/// than `max_age` ago.
/// Returns how many were deleted.
pub fn purge_older_than(dir: &Path, max_age: std::time::Duration) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let now = std::time::SystemTime::now();
    entries
        .flatten()
        .filter(|e| {
            e.path()
                .extension()
                .is_some_and(|x| x == "png" || x == "html")
        })
        .filter(|e| {
            e.metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| now.duration_since(t).ok())
                .is_some_and(|age| age > max_age)
        })
        .filter(|e| std::fs::remove_file(e.path()).is_ok())
        .count()
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt as _;

    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let img = RgbaImage::from_pixel(width, height, Rgba([255, 255, 255, 255]));
        let mut out = Vec::new();
        img.write_to(&mut std::io::Cursor::new(&mut out), ImageFormat::Png)
            .unwrap();
        out
    }

    #[test]
    fn screenshots_are_bounded_outlined_private_and_named_by_id() {
        let dir = std::env::temp_dir().join(format!("autoapply-evidence-{}", std::process::id()));
        let id = ApplicationId::new_random();
        let rect = Rect {
            x: 100.0,
            y: 100.0,
            width: 200.0,
            height: 50.0,
        };
        let path = write_screenshot(&dir, id, "", &png(3200, 1000), Some(rect)).unwrap();
        assert_eq!(path, dir.join(format!("{id}.png")));
        let back = image::open(&path).unwrap().to_rgba8();
        assert_eq!((back.width(), back.height()), (1600, 500));
        // the outline's left edge, scaled by one half (x 100 -> 50, 3 px outside)
        assert_eq!(back.get_pixel(47, 60), &Rgba([220, 20, 60, 255]));
        assert_eq!(
            back.get_pixel(60, 60),
            &Rgba([255, 255, 255, 255]),
            "the element itself stays visible"
        );
        assert_eq!(back.get_pixel(10, 10), &Rgba([255, 255, 255, 255]));
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode & 0o007, 0, "not world-readable: {mode:o}");
        assert!(
            std::fs::read_dir(&dir).unwrap().all(|e| !e
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".tmp"))
        );
        assert!(matches!(
            write_screenshot(&dir, id, "", b"not a png", None),
            Err(EvidenceError::Decode(_))
        ));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
