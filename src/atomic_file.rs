//! Crash-safe file replacement: write a temporary file beside the target, fsync it,
//! rename it over the target, fsync the folder. A symbolic link is written through:
//! its target is replaced, the link stays a link.
//!
//! [`replace_if_unchanged`] also never loses a save another process makes meanwhile:
//! it swaps the new file in with `renameat2(RENAME_EXCHANGE)`, checks that what it
//! swapped out is exactly the content it was given, and swaps back otherwise.

use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use rustix::fs::{CWD, RenameFlags, renameat_with};
use rustix::io::Errno;

/// How many saves by others in a row a swap-back follows before it gives up.
const MAX_SWAPS_BACK: usize = 1000;

/// Why [`replace_if_unchanged`] did not replace a file.
#[derive(Debug, thiserror::Error)]
pub enum ReplaceError {
    /// Someone else changed the file since it was read: it was left as they left it.
    #[error("{} changed on disk since it was read; not overwriting it", path.display())]
    Changed {
        /// The file.
        path: PathBuf,
    },
    /// Someone else removed the file since it was read.
    #[error("{} was removed since it was read; not writing it again", path.display())]
    Removed {
        /// The file.
        path: PathBuf,
    },
    /// Others kept saving the file while taxon put their saves back: the save taxon
    /// swapped out last is kept beside it.
    #[error(
        "{} kept changing while taxon put another save back; that save is kept in {}",
        path.display(),
        kept.display()
    )]
    KeptBeside {
        /// The file.
        path: PathBuf,
        /// Where the swapped-out save is.
        kept: PathBuf,
    },
    /// Reading or writing failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
}

/// `path` with symbolic links resolved, so that replacing it replaces the link's
/// target; `path` itself when it is not a link.
fn through_links(path: &Path) -> io::Result<PathBuf> {
    if fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        fs::canonicalize(path)
    } else {
        Ok(path.to_owned())
    }
}

/// The folder holding `path`.
fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

/// A new file beside `path`, filled by `write`, with `path`'s permissions, synced;
/// removed again when any of that fails.
fn temporary_beside<E: From<io::Error>>(
    path: &Path,
    write: impl FnOnce(&mut File) -> Result<(), E>,
) -> Result<(File, PathBuf), E> {
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "path has no file name"))?;
    let (mut file, temp) = tempfile::Builder::new()
        .prefix(&format!(".{}.", name.to_string_lossy()))
        .suffix(".taxon.tmp")
        .tempfile_in(folder_of(path))?
        .keep()
        .map_err(|e| e.error)?;
    let written = (|| {
        write(&mut file)?;
        if let Ok(meta) = fs::metadata(path) {
            file.set_permissions(meta.permissions())?;
        }
        Ok(file.sync_all()?)
    })();
    match written {
        Ok(()) => Ok((file, temp)),
        Err(error) => {
            let _ = fs::remove_file(&temp);
            Err(error)
        }
    }
}

fn sync_folder(path: &Path) -> io::Result<()> {
    File::open(folder_of(path))?.sync_all()
}

/// Replaces `path` with `contents` atomically: readers see the old or the new file,
/// never a mix, and a crash leaves one of the two. Keeps the old file's permissions.
pub fn write_atomic(path: &Path, contents: &[u8]) -> io::Result<()> {
    write_atomic_with(path, |file| file.write_all(contents))
}

/// Replaces `path` atomically, as [`write_atomic`] does, with what `write` writes
/// into the new file: for contents made as they are written (a file of gigabytes).
/// When `write` fails, with its own error, `path` is left as it was.
pub fn write_atomic_with<E: From<io::Error>>(
    path: &Path,
    write: impl FnOnce(&mut File) -> Result<(), E>,
) -> Result<(), E> {
    let path = through_links(path)?;
    let (_file, temp) = temporary_beside(&path, write)?;
    let renamed = fs::rename(&temp, &path).and_then(|()| sync_folder(&path));
    if renamed.is_err() {
        let _ = fs::remove_file(&temp);
    }
    Ok(renamed?)
}

/// Swaps the two paths' files atomically.
fn exchange(a: &Path, b: &Path) -> Result<(), Errno> {
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE)
}

/// The device and inode of the file at `path`, not following a link.
fn identity(path: &Path) -> io::Result<(u64, u64)> {
    let meta = fs::symlink_metadata(path)?;
    Ok((meta.dev(), meta.ino()))
}

/// Whether the file at `path` is a regular file holding exactly `expected` (a FIFO or a
/// folder is not opened for reading, let alone waited on).
fn holds(path: &Path, expected: &[u8]) -> io::Result<bool> {
    let mut file = fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOFOLLOW)
        .open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() || meta.len() != expected.len() as u64 {
        return Ok(false);
    }
    let mut bytes = Vec::with_capacity(expected.len() + 1);
    file.read_to_end(&mut bytes)?;
    Ok(bytes == expected)
}

/// Replaces `path` (through a symbolic link) atomically, but only on top of exactly
/// `expected`: a file changed or saved by someone else since it was read is never
/// overwritten, whenever their save lands.
///
/// The new file is swapped in with `renameat2(RENAME_EXCHANGE)`; what was swapped out
/// is then compared with `expected`. If it differs, the two are swapped back, and a
/// save that landed between the swaps is put back in its place too. Only a writer that
/// rewrites the old file in place (not by renaming a new one over it) after the check
/// can still lose its write. On a file system without the exchange, the file is
/// compared, then replaced by a rename: a save landing between the two is lost.
pub fn replace_if_unchanged(
    path: &Path,
    expected: &[u8],
    contents: &[u8],
) -> Result<(), ReplaceError> {
    let io_error = |path: &Path| {
        let path = path.to_owned();
        move |source| ReplaceError::Io { path, source }
    };
    let path = &through_links(path).map_err(io_error(path))?;
    let (file, temp) =
        temporary_beside(path, |file| file.write_all(contents)).map_err(io_error(path))?;
    let ours = file.metadata().map(|m| (m.dev(), m.ino()));
    let result = match exchange(&temp, path) {
        Ok(()) => match holds(&temp, expected) {
            Ok(true) => sync_folder(path).map_err(io_error(path)),
            Ok(false) | Err(_) => ours
                .map_err(io_error(path))
                .and_then(|ours| swap_back(path, &temp, ours)),
        },
        Err(Errno::NOENT) => Err(ReplaceError::Removed {
            path: path.to_owned(),
        }),
        Err(Errno::INVAL | Errno::NOSYS | Errno::OPNOTSUPP) => {
            replace_by_rename(path, &temp, expected)
        }
        Err(errno) => Err(io_error(path)(errno.into())),
    };
    if !matches!(result, Err(ReplaceError::KeptBeside { .. })) {
        let _ = fs::remove_file(&temp);
    }
    result
}

/// After `temp` was swapped with `path` and what came out is not what was read: puts
/// back, at `path`, the newest file others saved there, leaving at `temp` only a file
/// that is ours (`ours`) or one a later save replaced. Returns why nothing was
/// replaced.
fn swap_back(path: &Path, temp: &Path, ours: (u64, u64)) -> Result<(), ReplaceError> {
    let io_error = |source| ReplaceError::Io {
        path: path.to_owned(),
        source,
    };
    // What `temp` must get back from `path` if nobody saved meanwhile.
    let mut expected_back = ours;
    for _ in 0..MAX_SWAPS_BACK {
        let going_back = identity(temp).map_err(io_error)?;
        match exchange(temp, path) {
            Ok(()) => {}
            Err(Errno::NOENT) => {
                // Someone removed the file meanwhile: theirs goes back with a rename.
                fs::rename(temp, path).map_err(io_error)?;
                return Err(ReplaceError::Changed {
                    path: path.to_owned(),
                });
            }
            Err(errno) => return Err(io_error(errno.into())),
        }
        if identity(temp).map_err(io_error)? == expected_back {
            sync_folder(path).map_err(io_error)?;
            return Err(ReplaceError::Changed {
                path: path.to_owned(),
            });
        }
        // A save landed between the two swaps: it is now at `temp`, newer than what
        // went back. Swap once more to put it back, and expect the older one in return.
        expected_back = going_back;
    }
    Err(ReplaceError::KeptBeside {
        path: path.to_owned(),
        kept: temp.to_owned(),
    })
}

/// [`replace_if_unchanged`] where the file system cannot exchange two files.
fn replace_by_rename(path: &Path, temp: &Path, expected: &[u8]) -> Result<(), ReplaceError> {
    let io_error = |source| ReplaceError::Io {
        path: path.to_owned(),
        source,
    };
    if !holds(path, expected).map_err(io_error)? {
        return Err(ReplaceError::Changed {
            path: path.to_owned(),
        });
    }
    fs::rename(temp, path).map_err(io_error)?;
    sync_folder(path).map_err(io_error)
}

/// Creates `path` holding `contents` atomically, its folder too, but only where no
/// file is: a file someone else created meanwhile is never overwritten
/// (`renameat2(RENAME_NOREPLACE)`; where the file system lacks it, a hard link, which
/// also fails on an existing name).
pub fn create_new(path: &Path, contents: &[u8]) -> Result<(), ReplaceError> {
    let io_error = |source| ReplaceError::Io {
        path: path.to_owned(),
        source,
    };
    fs::create_dir_all(folder_of(path)).map_err(io_error)?;
    let (_file, temp) =
        temporary_beside(path, |file| file.write_all(contents)).map_err(io_error)?;
    let created = match renameat_with(CWD, &temp, CWD, path, RenameFlags::NOREPLACE) {
        Err(Errno::INVAL | Errno::NOSYS | Errno::OPNOTSUPP) => fs::hard_link(&temp, path),
        other => other.map_err(io::Error::from),
    };
    let _ = fs::remove_file(&temp);
    match created {
        Ok(()) => sync_folder(path).map_err(io_error),
        Err(error) if error.kind() == io::ErrorKind::AlreadyExists => Err(ReplaceError::Changed {
            path: path.to_owned(),
        }),
        Err(error) => Err(io_error(error)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leftovers(dir: &Path) -> usize {
        fs::read_dir(dir).unwrap().count()
    }

    #[test]
    fn replaces_and_refuses_changed_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("qna.yaml");
        fs::write(&path, "old\n").unwrap();
        write_atomic(&path, b"new\n").unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "new\n");
        let err = replace_if_unchanged(&path, b"old\n", b"newer\n").unwrap_err();
        assert!(err.to_string().contains("changed on disk"), "{err}");
        assert_eq!(fs::read_to_string(&path).unwrap(), "new\n");
        replace_if_unchanged(&path, b"new\n", b"newer\n").unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "newer\n");
        assert_eq!(leftovers(dir.path()), 1, "no temporary file is left behind");
    }

    #[test]
    fn a_removed_file_is_not_written_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("qna.yaml");
        let err = replace_if_unchanged(&path, b"old\n", b"new\n").unwrap_err();
        assert!(matches!(err, ReplaceError::Removed { .. }), "{err}");
        assert!(!path.exists());
        assert_eq!(leftovers(dir.path()), 0);
    }

    #[test]
    fn creates_a_file_only_where_none_is() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gone/qna.yaml");
        create_new(&path, b"mine\n").unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "mine\n");
        let err = create_new(&path, b"again\n").unwrap_err();
        assert!(matches!(err, ReplaceError::Changed { .. }), "{err}");
        assert_eq!(fs::read_to_string(&path).unwrap(), "mine\n");
        assert_eq!(leftovers(&dir.path().join("gone")), 1);
    }

    #[test]
    fn links_are_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.yaml");
        let link = dir.path().join("qna.yaml");
        fs::write(&real, "old\n").unwrap();
        std::os::unix::fs::symlink(&real, &link).unwrap();
        replace_if_unchanged(&link, b"old\n", b"new\n").unwrap();
        write_atomic(&link, b"newer\n").unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read_to_string(&real).unwrap(), "newer\n");
        assert_eq!(leftovers(dir.path()), 2);
    }

    #[test]
    fn a_save_landing_between_the_swaps_is_put_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("qna.yaml");
        let temp = dir.path().join("taxon.tmp");
        fs::write(&path, "theirs, first\n").unwrap();
        fs::write(&temp, "ours\n").unwrap();
        let ours = identity(&temp).unwrap();
        // taxon swaps its file in, sees a save it did not read ...
        exchange(&temp, &path).unwrap();
        // ... and another save is renamed over the file before taxon swaps back.
        let newer = dir.path().join("editor.tmp");
        fs::write(&newer, "theirs, second\n").unwrap();
        fs::rename(&newer, &path).unwrap();
        let err = swap_back(&path, &temp, ours).unwrap_err();
        assert!(matches!(err, ReplaceError::Changed { .. }), "{err}");
        assert_eq!(fs::read_to_string(&path).unwrap(), "theirs, second\n");
        // What is left beside it is the first save, which the second replaced.
        assert_eq!(fs::read_to_string(&temp).unwrap(), "theirs, first\n");
    }
}
