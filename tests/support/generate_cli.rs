//! What the generation tests share: the default model, the sample taxonomy in a
//! git repository, `taxon generate` in a sandbox, and checks of its files. Include
//! with `#[path = "support/generate_cli.rs"] mod generate_cli;` beside
//! `git_sandbox`.
#![allow(dead_code)] // Each test binary uses its own subset.

use std::path::{Path, PathBuf};
use std::process::Command;

use taxon::dirs::AppDirs;
use taxon::generate::fetch::{fetch_default_model, python_interpreter};

use crate::git_sandbox;

/// A freeform skill leaf of the sample taxonomy.
pub const FREEFORM: &str = "compositional_skills/linguistics/word_choice/commonly_confused_words";
/// A knowledge leaf of the sample taxonomy.
pub const KNOWLEDGE: &str = "knowledge/science/earth_sciences/oceanography/tides";

/// The model tests run one at a time: two models on two cores only thrash.
pub fn serial() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The default model, fetched into the cache when missing.
pub fn model() -> PathBuf {
    let dirs = AppDirs::from_env();
    match fetch_default_model(&dirs, &python_interpreter()) {
        Ok(fetched) => fetched.path().to_owned(),
        Err(error) => panic!(
            "these tests need the default model (`taxon model fetch`, or TAXON_CACHE_DIR \
             pointing at a cache that holds it): {error}"
        ),
    }
}

/// A git repository holding the sample taxonomy.
pub fn sample_taxonomy() -> git_sandbox::TestRepo {
    let repo = git_sandbox::TestRepo::init();
    let root = repo.path().join("t");
    taxon::sample::write_sample_taxonomy(&root).unwrap();
    for entry in std::fs::read_dir(&root).unwrap() {
        let entry = entry.unwrap();
        std::fs::rename(entry.path(), repo.path().join(entry.file_name())).unwrap();
    }
    std::fs::remove_dir(&root).unwrap();
    repo.commit_all("sample");
    repo
}

/// `taxon generate --taxonomy repo`, its own folders under `state` (the cache is
/// the user's, where the model is).
pub fn generate_command(repo: &Path, state: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_taxon"));
    command
        .args(["generate", "--taxonomy"])
        .arg(repo)
        .env("TAXON_CACHE_DIR", AppDirs::from_env().cache)
        .env("TAXON_STATE_DIR", state.join("state"))
        .env("TAXON_DATA_DIR", state.join("data"))
        .env("TAXON_CONFIG_DIR", state.join("config"));
    command
}

/// The records of a JSONL file.
pub fn jsonl(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The one file in `dir` whose name starts with `prefix`.
pub fn only_file(dir: &Path, prefix: &str) -> PathBuf {
    let found: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with(prefix))
        .collect();
    assert_eq!(found.len(), 1, "{prefix}* in {}: {found:?}", dir.display());
    found[0].clone()
}

/// Checks a mixed training file: messages-format records of `leaf`.
pub fn check_training_file(path: &Path, unmask: bool, leaf: &str) {
    let records = jsonl(path);
    assert!(!records.is_empty(), "{}", path.display());
    for record in &records {
        let mut keys: Vec<&str> = record
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(keys, ["id", "messages", "metadata", "unmask"]);
        let messages = record["messages"].as_array().unwrap();
        let roles: Vec<&str> = messages
            .iter()
            .map(|m| m["role"].as_str().unwrap())
            .collect();
        assert_eq!(roles, ["system", "user", "assistant"]);
        assert!(
            messages
                .iter()
                .all(|m| !m["content"].as_str().unwrap().trim().is_empty())
        );
        let metadata: serde_json::Value =
            serde_json::from_str(record["metadata"].as_str().expect("metadata is a string"))
                .unwrap();
        assert_eq!(metadata["leaf"], leaf);
        assert_eq!(record["unmask"], unmask);
    }
}
