//! Crash-safe file replacement: write a temporary file beside the target, fsync it,
//! rename it over the target, fsync the folder.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::Path;

/// Replaces `path` with `contents` atomically: readers see the old or the new file,
/// never a mix, and a crash leaves one of the two. Keeps the old file's permissions.
pub fn write_atomic(path: &Path, contents: &[u8]) -> io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "path has no file name"))?;
    let temp = dir.join(format!(
        ".{}.taxon-{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let result = (|| {
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)?;
        file.write_all(contents)?;
        if let Ok(meta) = fs::metadata(path) {
            file.set_permissions(meta.permissions())?;
        }
        file.sync_all()?;
        fs::rename(&temp, path)?;
        File::open(dir)?.sync_all()
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
}

/// Replaces `path` atomically, but only if it still holds `expected`: a file changed
/// by someone else since it was read is never overwritten.
pub fn replace_if_unchanged(path: &Path, expected: &[u8], contents: &[u8]) -> io::Result<()> {
    let current = fs::read(path)?;
    if current != expected {
        return Err(io::Error::other(format!(
            "{} changed on disk since it was read; not overwriting it",
            path.display()
        )));
    }
    write_atomic(path, contents)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_and_refuses_changed_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("qna.yaml");
        fs::write(&path, "old\n").unwrap();
        write_atomic(&path, b"new\n").unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "new\n");
        let err = replace_if_unchanged(&path, b"old\n", b"newer\n").unwrap_err();
        assert!(err.to_string().contains("changed on disk"));
        replace_if_unchanged(&path, b"new\n", b"newer\n").unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "newer\n");
        let leftovers = fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(leftovers, 1, "no temporary file is left behind");
    }
}
