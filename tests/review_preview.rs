//! `taxon review preview` runs a generation preview of a leaf's current examples
//! with the real model and records it only when a sample was accepted, with what
//! was run.

#[path = "support/generate_cli.rs"]
mod generate_cli;
#[path = "support/git_sandbox.rs"]
mod git_sandbox;

use std::path::Path;
use std::process::{Command, Output};

use generate_cli::{FREEFORM, sample_taxonomy};
use git_sandbox::TestRepo;
use taxon::generate::dataset::LeafFiles;
use taxon::review::record::PreviewRecord;
use taxon::review::{PreviewRun, Record, Review};

/// `taxon ARGS --model MODEL --threads 2` in `repo`, with its own cache (the model
/// is named with --model).
fn taxon(repo: &Path, state: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_taxon"));
    command
        .args(args)
        .arg("--model")
        .arg(generate_cli::model())
        .args(["--threads", "2"])
        .current_dir(repo)
        .env("HOME", state)
        .env("XDG_CONFIG_HOME", state.join("config"))
        .env("TAXON_CACHE_DIR", state.join("cache"))
        .env("TAXON_STATE_DIR", state.join("state"))
        .env("TAXON_DATA_DIR", state.join("data"))
        .env("TAXON_CONFIG_DIR", state.join("config"))
        .env("OMP_WAIT_POLICY", "passive");
    command
}

/// `taxon review preview FREEFORM ARGS` in `repo`.
fn preview(repo: &Path, state: &Path, args: &[&str]) -> Output {
    taxon(repo, state, &["review", "preview", FREEFORM])
        .args(args)
        .output()
        .unwrap()
}

/// The sample taxonomy in git, with Ana as the reviewer.
fn sample_with_reviewer() -> TestRepo {
    let repo = sample_taxonomy();
    repo.git(&["config", "user.name", "Ana"]);
    repo.git(&["config", "user.email", "ana@example.com"]);
    repo
}

/// The one preview record of the leaf, which says what it ran.
fn only_preview(repo: &Path) -> (PreviewRecord, PreviewRun) {
    let records = previews(repo);
    let [Record::Preview(record)] = records.as_slice() else {
        panic!("one preview record: {records:?}");
    };
    let run = record.run.clone().expect("what was run");
    (record.clone(), run)
}

fn previews(repo: &Path) -> Vec<Record> {
    previews_of(repo, FREEFORM)
}

/// The preview records of `leaf`.
fn previews_of(repo: &Path, leaf: &str) -> Vec<Record> {
    let review = Review::open(repo).unwrap();
    review
        .store()
        .records(leaf)
        .unwrap()
        .0
        .into_iter()
        .filter(|r| matches!(r, Record::Preview(_)))
        .collect()
}

#[test]
fn a_preview_runs_the_model_and_records_what_it_ran() {
    let _serial = generate_cli::serial();
    let repo = sample_with_reviewer();
    let state = tempfile::tempdir().unwrap();

    let output = preview(
        repo.path(),
        state.path(),
        &["--num", "2", "--pipeline", "simple"],
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(
        stdout.contains(&format!("{FREEFORM}: generation preview recorded by Ana")),
        "{stdout}"
    );
    let (_, run) = only_preview(repo.path());
    assert_eq!(
        (run.pipeline.as_str(), run.seed, run.wanted),
        ("simple", 42, 2)
    );
    assert_eq!(run.model, "SmolLM2-135M-Instruct.Q4_1.gguf");
    assert!((1..=2).contains(&run.accepted), "{run:?}");
    // The samples it accepted are where it says, as `taxon generate` writes them.
    let folder = state.path().join("cache/previews");
    let runs: Vec<_> = std::fs::read_dir(&folder).unwrap().collect();
    assert_eq!(runs.len(), 1);
    let samples = LeafFiles::new(&runs[0].as_ref().unwrap().path(), FREEFORM).samples;
    assert!(stdout.contains(&samples.display().to_string()), "{stdout}");
    let lines =
        std::fs::read_to_string(&samples).unwrap_or_else(|e| panic!("{}: {e}", samples.display()));
    assert_eq!(lines.lines().count(), run.accepted);
}

#[test]
fn a_preview_that_keeps_nothing_records_nothing() {
    let _serial = generate_cli::serial();
    let repo = sample_with_reviewer();
    let state = tempfile::tempdir().unwrap();

    // Eight tokens cannot hold a question and its answer: every sample is cut.
    let output = preview(
        repo.path(),
        state.path(),
        &["--num", "1", "--pipeline", "simple", "--max-tokens", "8"],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("the preview accepted no sample, so none is recorded"),
        "{stderr}"
    );
    assert!(previews(repo.path()).is_empty());
}

/// A skill whose every answer is a 40-step checklist, each longer than the 256
/// tokens a sample may have: no sample of that form fits, and the default model
/// (seed 42) copies a checklist or breaks the tagged format instead.
const CHECKLISTS: &str = "compositional_skills/maintenance/checklists";

fn checklist_leaf() -> String {
    let steps = [
        "check the {} before you start",
        "write down what the {} shows",
        "compare the {} with the last reading",
        "note any change in the {}",
        "ask a colleague to confirm the {}",
        "record the time beside the {}",
    ];
    let parts = [
        "gauge", "valve", "filter", "pump", "meter", "seal", "hose", "tank",
    ];
    let mut text = String::from(
        "version: 3\ntask_description: >\n  Give the complete maintenance checklist for a \
         piece of equipment, every step numbered.\ncreated_by: tester\nseed_examples:\n",
    );
    let machines = ["boiler", "compressor", "generator", "chiller", "turbine"];
    for (example, machine) in machines.iter().enumerate() {
        text.push_str(&format!(
            "  - question: >\n      What is the full maintenance checklist for the {machine}?\n    answer: |\n"
        ));
        for step in 0..40 {
            let part = parts[(step * 3 + example) % parts.len()];
            let action = steps[(step + example) % steps.len()].replace("{}", part);
            text.push_str(&format!(
                "      {}. For the {machine}, {action}.\n",
                step + 1
            ));
        }
    }
    text
}

/// Under the default settings (pipeline, samples, token limits), a leaf whose
/// examples the model cannot follow keeps no sample, and nothing is recorded.
#[test]
fn a_leaf_the_model_cannot_follow_gets_no_preview() {
    let _serial = generate_cli::serial();
    let repo = sample_with_reviewer();
    repo.write(&format!("{CHECKLISTS}/qna.yaml"), &checklist_leaf());
    repo.write(
        &format!("{CHECKLISTS}/attribution.txt"),
        "Title of work: Checklists\nLink to work: -\nLicense of the work: CC0-1.0\nCreator names: tester\n",
    );
    repo.commit_all("checklists");
    let state = tempfile::tempdir().unwrap();

    let output = taxon(
        repo.path(),
        state.path(),
        &["review", "preview", CHECKLISTS],
    )
    .output()
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(
        stdout.contains(&format!("{CHECKLISTS}: 0 of 5 accepted")),
        "{stdout}"
    );
    assert!(
        stderr.contains(&format!(
            "{CHECKLISTS}: the preview accepted no sample, so none is recorded"
        )),
        "{stderr}"
    );
    assert!(previews_of(repo.path(), CHECKLISTS).is_empty());
}

#[test]
fn a_preview_needs_a_reviewer_before_it_runs() {
    let repo = sample_taxonomy();
    let state = tempfile::tempdir().unwrap();
    let output = preview(repo.path(), state.path(), &["--num", "1"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.contains("user.name"), "{stderr}");
    assert!(!state.path().join("cache/previews").exists(), "nothing ran");
}

/// `taxon generate` records a preview of each leaf it generated for, of the
/// examples it generated from, as `taxon review preview` does; `--no-record` not.
#[test]
fn generate_records_a_preview_of_the_leaves_it_generated_for() {
    let _serial = generate_cli::serial();
    let repo = sample_with_reviewer();
    let state = tempfile::tempdir().unwrap();
    let generate = |output: &str, extra: &[&str]| {
        let output = state.path().join(output);
        let args = [
            "generate",
            "--taxonomy",
            ".",
            "--leaf",
            FREEFORM,
            "--num",
            "2",
        ];
        taxon(repo.path(), state.path(), &args)
            .args(["--pipeline", "simple", "--output"])
            .arg(output)
            .args(extra)
            .output()
            .unwrap()
    };

    let unrecorded = generate("quiet", &["--no-record"]);
    assert!(
        unrecorded.status.success(),
        "{}",
        String::from_utf8_lossy(&unrecorded.stderr)
    );
    assert!(previews(repo.path()).is_empty());

    let recorded = generate("out", &[]);
    let stderr = String::from_utf8_lossy(&recorded.stderr);
    assert!(recorded.status.success(), "{stderr}");
    assert!(
        stderr.contains(&format!("{FREEFORM}: generation preview recorded by Ana")),
        "{stderr}"
    );
    let (record, run) = only_preview(repo.path());
    assert_eq!((run.pipeline.as_str(), run.wanted), ("simple", 2));
    assert!((1..=2).contains(&run.accepted), "{run:?}");
    let (_, hashes) = Review::open(repo.path())
        .unwrap()
        .leaf_at(&repo.path().join(FREEFORM))
        .unwrap();
    assert_eq!(record.leaf_hash, hashes.leaf());
}

/// Outside a git repository `taxon generate` still generates and says why no
/// preview is recorded.
#[test]
fn generate_outside_git_says_why_nothing_is_recorded() {
    let _serial = generate_cli::serial();
    let repo = sample_taxonomy();
    let plain = tempfile::tempdir().unwrap();
    let leaf = plain.path().join(FREEFORM);
    std::fs::create_dir_all(&leaf).unwrap();
    std::fs::copy(
        repo.path().join(FREEFORM).join("qna.yaml"),
        leaf.join("qna.yaml"),
    )
    .unwrap();
    let state = tempfile::tempdir().unwrap();
    let args = [
        "generate",
        "--taxonomy",
        ".",
        "--leaf",
        FREEFORM,
        "--num",
        "1",
    ];
    let output = taxon(plain.path(), state.path(), &args)
        .args(["--pipeline", "simple", "--max-tokens", "8", "--output"])
        .arg(state.path().join("out"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("the generation is not recorded as a review preview"),
        "{stderr}"
    );
}
