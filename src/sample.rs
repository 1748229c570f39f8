//! The sample taxonomy bundled into the binary, written out as a user's first
//! taxonomy.

use std::io;
use std::path::Path;

use include_dir::{Dir, include_dir};

static SAMPLE_TAXONOMY: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/sample-taxonomy");

/// Writes the bundled sample taxonomy into `target`, which must not exist yet or
/// be empty (nothing is ever overwritten).
pub fn write_sample_taxonomy(target: &Path) -> io::Result<()> {
    if target.exists() && std::fs::read_dir(target)?.next().is_some() {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!("{} exists and is not empty", target.display()),
        ));
    }
    std::fs::create_dir_all(target)?;
    SAMPLE_TAXONOMY.extract(target)
}

/// How many leaf files the bundled sample holds.
pub fn sample_leaf_count() -> usize {
    fn count(dir: &Dir<'_>) -> usize {
        let here = dir
            .files()
            .filter(|f| f.path().file_name().is_some_and(|n| n == "qna.yaml"))
            .count();
        here + dir.dirs().map(count).sum::<usize>()
    }
    count(&SAMPLE_TAXONOMY)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_the_sample_and_never_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("taxonomy");
        write_sample_taxonomy(&target).unwrap();
        let written = walkdir::WalkDir::new(&target)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_name() == "qna.yaml")
            .count();
        assert_eq!(written, sample_leaf_count());
        assert!(written >= 24);
        let err = write_sample_taxonomy(&target).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::AlreadyExists);
    }
}
