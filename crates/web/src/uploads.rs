//! Uploaded files in transit: each lives in `<data_dir>/uploads/` as a private temporary
//! file owned by one request, locked while the request holds it and removed when the request
//! ends — however it ends, a dropped connection included. A file whose lock nobody holds was
//! left by a server that was killed: [`sweep_stale`] removes those, at start and every hour.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// The extension of upload files (nothing else in the directory is touched).
const EXTENSION: &str = "upload";

/// The directory of uploads in transit under the configured data directory.
pub fn dir(settings: &castellan_app::Settings) -> PathBuf {
    Path::new(&settings.data_dir).join("uploads")
}

fn ensure_dir(dir: &Path) -> io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

/// One request's upload file: readable and writable by the server's user only, locked
/// (an advisory `flock`) for as long as this value lives, removed when it is dropped.
#[derive(Debug)]
pub struct TempUpload {
    path: PathBuf,
    file: File,
}

impl TempUpload {
    /// Creates a new, empty, locked file with a random name in `dir` (created if missing).
    pub fn create(dir: &Path) -> io::Result<TempUpload> {
        use std::os::unix::fs::OpenOptionsExt;
        ensure_dir(dir)?;
        let path = dir.join(format!(
            "{}.{EXTENSION}",
            castellan_app::secret::random_b64(18)
        ));
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)?;
        let upload = TempUpload { path, file };
        // A fresh file nobody else knows of: the lock cannot be held elsewhere.
        upload.file.try_lock().map_err(io::Error::other)?;
        Ok(upload)
    }

    /// Where the file is, for readers that open it by path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends bytes.
    pub fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.file.write_all(bytes)
    }
}

impl Drop for TempUpload {
    fn drop(&mut self) {
        // Removed while still locked, so a sweep never sees it unlocked.
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Removes the upload files in `dir` that no living request holds (left by a server that
/// was killed or crashed); returns how many. Files of running requests, in this process or
/// another one sharing the directory, are locked and stay.
pub fn sweep_stale(dir: &Path) -> io::Result<usize> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e),
    };
    let mut removed = 0;
    for entry in entries {
        let path = entry?.path();
        if path.extension().and_then(|e| e.to_str()) != Some(EXTENSION) {
            continue;
        }
        let Ok(file) = File::open(&path) else {
            continue;
        };
        // Held by a running request: leave it.
        if file.try_lock().is_err() {
            continue;
        }
        if std::fs::remove_file(&path).is_ok() {
            removed += 1;
        }
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn files_are_private_removed_when_dropped_and_swept_only_when_abandoned() {
        use std::os::unix::fs::PermissionsExt;
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("uploads");
        let mut live = TempUpload::create(&dir).unwrap();
        live.write_all(b"code,name\n").unwrap();
        let mode = std::fs::metadata(live.path()).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let dir_mode = std::fs::metadata(&dir).unwrap().permissions().mode();
        assert_eq!(dir_mode & 0o777, 0o700);
        // A file left by a killed server: present, unlocked.
        let left = dir.join("abandoned.upload");
        std::fs::write(&left, b"x").unwrap();
        let other = dir.join("notes.txt");
        std::fs::write(&other, b"x").unwrap();
        assert_eq!(sweep_stale(&dir).unwrap(), 1);
        assert!(!left.exists(), "the abandoned upload is removed");
        assert!(live.path().exists(), "a running request's upload stays");
        assert!(other.exists(), "other files are not touched");
        let path = live.path().to_owned();
        drop(live);
        assert!(!path.exists());
        assert_eq!(sweep_stale(&root.path().join("missing")).unwrap(), 0);
    }
}
