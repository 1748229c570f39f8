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
/// A grounded skill leaf of the sample taxonomy.
pub const GROUNDED: &str =
    "compositional_skills/grounded/linguistics/information_extraction/dates_and_deadlines";
/// A knowledge leaf of the sample taxonomy.
pub const KNOWLEDGE: &str = "knowledge/science/earth_sciences/oceanography/tides";

/// The stages of the full pipeline for freeform skills.
pub const FULL_FREEFORM: [&str; 6] = [
    "questions",
    "new_questions",
    "question_judge",
    "answers",
    "answer_judge",
    "final_check",
];
/// The stages of the full pipeline for grounded skills.
pub const FULL_GROUNDED: [&str; 8] = [
    "contexts",
    "questions",
    "new_questions",
    "question_judge",
    "answers",
    "answer_judge",
    "grounding_judge",
    "final_check",
];
/// The stages of the full pipeline for knowledge.
pub const FULL_KNOWLEDGE: [&str; 5] = [
    "pairs",
    "new_pairs",
    "faithfulness",
    "relevancy",
    "question_check",
];

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

/// A leaf's file in a generation's output folder.
pub fn leaf_file(out: &Path, leaf: &str, suffix: &str) -> PathBuf {
    out.join("generated")
        .join(format!("{}{suffix}", leaf.replace('/', "_")))
}

/// A leaf's summary.
pub fn summary(out: &Path, leaf: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(leaf_file(out, leaf, ".summary.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Checks a leaf's files: each stage's input is the one before's output, judges
/// and filters keep or reject every candidate, the rejections file holds each
/// rejection with its stage and reason, and every sample carries its trail.
pub fn check_leaf(
    out: &Path,
    leaf: &str,
    pipeline: &str,
    stages: &[&str],
) -> (Vec<serde_json::Value>, usize) {
    let summary = summary(out, leaf);
    assert_eq!(summary["pipeline"], pipeline, "{summary}");
    let funnel = summary["funnel"].as_array().unwrap();
    let names: Vec<&str> = funnel
        .iter()
        .map(|s| s["stage"].as_str().unwrap())
        .collect();
    assert_eq!(names, stages, "{summary}");
    let count = |s: &serde_json::Value, key: &str| s[key].as_u64().unwrap() as usize;
    assert_eq!(count(&funnel[0], "input"), count(&summary, "rounds"));
    for pair in funnel.windows(2) {
        assert_eq!(
            count(&pair[0], "output"),
            count(&pair[1], "input"),
            "{summary}"
        );
    }
    for stage in funnel {
        if stage["kind"] != "generate" {
            assert_eq!(
                count(stage, "input"),
                count(stage, "output") + count(stage, "rejected"),
                "{stage}"
            );
        }
    }
    let accepted = jsonl(&leaf_file(out, leaf, ".jsonl"));
    assert_eq!(accepted.len(), count(&summary, "accepted"));
    assert_eq!(
        accepted.len() + count(&summary, "surplus"),
        count(funnel.last().unwrap(), "output")
    );
    let rejected = jsonl(&leaf_file(out, leaf, ".rejected.jsonl"));
    let rejected_in_funnel: usize = funnel.iter().map(|s| count(s, "rejected")).sum();
    assert_eq!(rejected.len(), rejected_in_funnel);
    for line in &rejected {
        let stage = line["stage"].as_str().unwrap();
        assert!(stages.contains(&stage), "{line}");
        assert!(!line["reason"].as_str().unwrap().is_empty(), "{line}");
        assert!(!line["seeds"].as_array().unwrap().is_empty(), "{line}");
    }
    for sample in &accepted {
        let trail = sample["trail"].as_array().unwrap();
        let marked: Vec<&str> = trail.iter().map(|m| m["stage"].as_str().unwrap()).collect();
        assert_eq!(marked, stages, "every stage marks a sample: {sample}");
        for mark in trail {
            match mark["verdict"].as_str().unwrap() {
                "written" | "kept" => {}
                other => panic!("a sample marked {other}: {sample}"),
            }
        }
        assert!(!sample["seeds"].as_array().unwrap().is_empty(), "{sample}");
    }
    (accepted, rejected.len())
}
