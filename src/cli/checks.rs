//! Checks of the paths the command line names, made before any work starts, each
//! saying what is wrong and what to give instead.

use std::path::Path;

use anyhow::bail;

/// Checks that `path`, given to `option`, is a file; `takes` says what the option
/// takes ("a GGUF model file").
pub fn given_file(path: &Path, option: &str, takes: &str) -> anyhow::Result<()> {
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_file() => Ok(()),
        Ok(meta) if meta.is_dir() => {
            bail!("{} is a folder; {option} takes {takes}", path.display())
        }
        Ok(_) => bail!(
            "{} is not a regular file; {option} takes {takes}",
            path.display()
        ),
        Err(error) => bail!("{}: {error}; {option} takes {takes}", path.display()),
    }
}

/// Checks that files can be written in `folder`, given to `option`, or in the folder
/// that would hold it, without making anything.
pub fn writable_folder(folder: &Path, option: &str) -> anyhow::Result<()> {
    let mut existing = folder;
    while !existing.exists() {
        existing = match existing.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
    }
    if !existing.is_dir() {
        bail!(
            "{option} {}: {} is not a folder; give a folder to write in",
            folder.display(),
            existing.display()
        );
    }
    if let Err(error) = tempfile::tempfile_in(existing) {
        bail!(
            "{option} {}: cannot write in {}: {error}; give a folder you can write in",
            folder.display(),
            existing.display()
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_and_missing_files_are_named_as_such() {
        let dir = tempfile::tempdir().unwrap();
        let error = given_file(dir.path(), "--model", "a GGUF model file").unwrap_err();
        assert_eq!(
            error.to_string(),
            format!(
                "{} is a folder; --model takes a GGUF model file",
                dir.path().display()
            )
        );
        let missing = dir.path().join("m.gguf");
        let error = given_file(&missing, "--model", "a GGUF model file").unwrap_err();
        assert!(error.to_string().contains("No such file"), "{error}");
        std::fs::write(&missing, "x").unwrap();
        given_file(&missing, "--model", "a GGUF model file").unwrap();
    }

    #[test]
    fn an_unwritable_output_is_found_before_anything_is_made() {
        let dir = tempfile::tempdir().unwrap();
        writable_folder(&dir.path().join("new/deeper"), "--output").unwrap();
        assert!(!dir.path().join("new").exists());
        let file = dir.path().join("file");
        std::fs::write(&file, "").unwrap();
        let error = writable_folder(&file.join("out"), "--output").unwrap_err();
        assert!(error.to_string().contains("is not a folder"), "{error}");
        // Even root cannot make files in /sys.
        let error = writable_folder(Path::new("/sys/taxon-out"), "--output").unwrap_err();
        assert!(
            error.to_string().contains("cannot write in /sys"),
            "{error}"
        );
    }
}
