//! The messages of commands given something unusable say what is wrong and what to do
//! (issue 14, item 9), and a stop request acts soon whatever the run is doing.

#[path = "support/generate_cli.rs"]
mod generate_cli;
#[path = "support/git_sandbox.rs"]
mod git_sandbox;
#[path = "support/review_leaf.rs"]
mod review_leaf;

use std::path::Path;
use std::process::{Command, Output};

use generate_cli::{FREEFORM, generate_command, model, sample_taxonomy};

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Exit 2 and a message holding every one of `parts`.
fn refused(output: &Output, parts: &[&str]) -> String {
    let said = stderr(output);
    assert_eq!(output.status.code(), Some(2), "{said}");
    for part in parts {
        assert!(said.contains(part), "{part:?} not in: {said}");
    }
    assert!(!said.contains("panicked"), "{said}");
    said
}

/// `taxon generate` of the freeform leaf of a fresh sample taxonomy, with `args`.
fn generate(work: &Path, args: &[&str]) -> Output {
    let repo = sample_taxonomy();
    generate_command(repo.path(), work)
        .args(["--leaf", FREEFORM, "--num", "1", "--max-tokens", "8"])
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn a_corrupt_or_truncated_model_gets_llama_cpps_own_reason() {
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("out");
    let out = out.to_str().unwrap();
    let not_a_model = work.path().join("notes.gguf");
    std::fs::write(&not_a_model, "these are my notes, not a model\n").unwrap();
    let output = generate(
        work.path(),
        &["--model", not_a_model.to_str().unwrap(), "--output", out],
    );
    let said = refused(
        &output,
        &[
            "llama.cpp says:",
            "invalid magic",
            "give a complete GGUF model file",
        ],
    );
    assert!(!said.contains("null result"), "{said}");

    // The first megabyte of the real model: its header reads, its tensors do not.
    let truncated = work.path().join("truncated.gguf");
    let bytes = std::fs::read(model()).unwrap();
    std::fs::write(&truncated, &bytes[..1 << 20]).unwrap();
    let output = generate(
        work.path(),
        &["--model", truncated.to_str().unwrap(), "--output", out],
    );
    let said = refused(
        &output,
        &["llama.cpp says:", "give a complete GGUF model file"],
    );
    assert!(!said.contains("null result"), "{said}");
}

#[test]
fn folders_and_missing_files_are_named_for_what_they_are() {
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("out");
    let out = out.to_str().unwrap();
    let folder = work.path().to_str().unwrap();
    refused(
        &generate(work.path(), &["--model", folder, "--output", out]),
        &[&format!(
            "{folder} is a folder; --model takes a GGUF model file"
        )],
    );
    let missing = work.path().join("missing.jinja");
    refused(
        &generate(
            work.path(),
            &[
                "--endpoint",
                "http://127.0.0.1:9",
                "--chat-template",
                missing.to_str().unwrap(),
                "--output",
                out,
            ],
        ),
        &[
            &format!("{}: No such file", missing.display()),
            "--chat-template takes a Jinja file or a llama.cpp template name",
        ],
    );
    refused(
        &generate(
            work.path(),
            &[
                "--judge-endpoint",
                "http://127.0.0.1:9",
                "--judge-chat-template",
                missing.to_str().unwrap(),
                "--output",
                out,
            ],
        ),
        &[
            &format!("{}: No such file", missing.display()),
            "--judge-chat-template takes a Jinja file or a llama.cpp template name",
        ],
    );
}

#[test]
fn an_output_that_cannot_be_written_is_refused_before_generating() {
    let work = tempfile::tempdir().unwrap();
    let file = work.path().join("a-file");
    std::fs::write(&file, "").unwrap();
    let inside_a_file = file.join("out");
    let output = generate(work.path(), &["--output", inside_a_file.to_str().unwrap()]);
    let said = refused(
        &output,
        &["--output", "is not a folder; give a folder to write in"],
    );
    // Refused at once: the model was never loaded.
    assert!(!said.contains("samples each"), "{said}");
    // Root may write anywhere but in /sys.
    let output = generate(work.path(), &["--output", "/sys/taxon-out"]);
    refused(
        &output,
        &["cannot write in /sys", "give a folder you can write in"],
    );
}

#[test]
fn the_learning_rate_must_be_a_positive_finite_number() {
    let work = tempfile::tempdir().unwrap();
    for lr in ["-1", "0", "1e300"] {
        let output = Command::new(env!("CARGO_BIN_EXE_taxon"))
            .args(["train", "--seeds"])
            .arg(work.path())
            .args(["--lr", lr])
            .env("TAXON_DATA_DIR", work.path())
            .output()
            .unwrap();
        let said = refused(
            &output,
            &[
                "the learning rate must be a positive finite number",
                &format!("(got {lr})"),
            ],
        );
        assert!(
            !said.contains("-- -1") && !said.contains("got inf"),
            "{said}"
        );
    }
}

#[test]
fn review_push_says_what_the_path_lacks() {
    let repo = git_sandbox::TestRepo::init();
    repo.write(review_leaf::FILE, &review_leaf::leaf_text(&["Hello!"]));
    repo.commit_all("a leaf");
    repo.git(&["config", "user.name", "Ana"]);
    repo.git(&["config", "user.email", "ana@example.com"]);
    let taxon = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_taxon"))
            .args(args)
            .current_dir(repo.path())
            .env("HOME", repo.path())
            .output()
            .unwrap()
    };
    let decided = taxon(&[
        "review",
        "decide",
        review_leaf::LEAF,
        "--example",
        "1",
        "--approve",
    ]);
    assert!(decided.status.success(), "{}", stderr(&decided));
    let elsewhere = tempfile::tempdir().unwrap();
    let missing = elsewhere.path().join("shared.git");
    let said = refused(
        &taxon(&["review", "push", "--remote", missing.to_str().unwrap()]),
        &["there is no repository at", "git init --bare"],
    );
    assert!(!said.contains("unsupported URL protocol"), "{said}");
    let checked_out = git_sandbox::TestRepo::init();
    let said = refused(
        &taxon(&[
            "review",
            "push",
            "--remote",
            checked_out.path().to_str().unwrap(),
        ]),
        &[
            "is a repository with a working tree",
            "taxon review fetch --remote",
        ],
    );
    assert!(!said.contains("doesn't (yet) support"), "{said}");
}

/// `taxon ARGS` with its data and state in `data` (the cache is the user's, where the
/// model is).
fn taxon_in(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_taxon"))
        .args(args)
        .env("TAXON_DATA_DIR", data)
        .env("TAXON_STATE_DIR", data.join("state"))
        .env("TAXON_CACHE_DIR", taxon::dirs::AppDirs::from_env().cache)
        .env("OMP_WAIT_POLICY", "passive")
        .output()
        .unwrap()
}

fn sample() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("sample-taxonomy")
        .display()
        .to_string()
}

#[test]
fn train_names_folders_for_what_they_are() {
    let work = tempfile::tempdir().unwrap();
    let data = work.path().join("data");
    let folder = work.path().to_str().unwrap();
    refused(
        &taxon_in(&data, &["train", "--dataset", folder]),
        &[&format!(
            "{folder} is a folder; the dataset is a messages-format JSONL file"
        )],
    );
    refused(
        &taxon_in(&data, &["train", "--seeds", &sample(), "--model", folder]),
        &[&format!("{folder} is a folder; the model is a GGUF file")],
    );
}

#[test]
fn a_training_run_on_a_file_that_is_no_model_fails_with_llama_cpps_reason() {
    let _serial = generate_cli::serial();
    let work = tempfile::tempdir().unwrap();
    let data = work.path().join("data");
    let not_a_model = work.path().join("notes.gguf");
    std::fs::write(&not_a_model, "these are my notes, not a model\n").unwrap();
    let model = not_a_model.to_str().unwrap();
    let output = taxon_in(&data, &["train", "--seeds", &sample(), "--model", model]);
    let said = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{said}");
    assert!(
        said.contains("failed") && said.contains("llama.cpp says: invalid magic"),
        "{said}"
    );
    assert!(!said.contains("null result"), "{said}");
}

#[test]
fn a_run_stopped_during_its_first_evaluation_stops_between_batches() {
    let _serial = generate_cli::serial();
    model();
    let work = tempfile::tempdir().unwrap();
    let data = work.path().join("data");
    let args = [
        "train",
        "--seeds",
        &sample(),
        "--eval-fraction",
        "0.5",
        "--threads",
        "2",
        "--detach",
    ];
    let started = taxon_in(&data, &args);
    assert!(started.status.success(), "{}", stderr(&started));
    let id = String::from_utf8(started.stdout).unwrap().trim().to_owned();
    let log = data.join("runs").join(&id).join("log");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(900);
    while !std::fs::read_to_string(&log)
        .unwrap_or_default()
        .contains("evaluating")
    {
        assert!(std::time::Instant::now() < deadline, "no evaluation began");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.contains("evaluating"), "{text}");
    let stop = taxon_in(&data, &["runs", "stop", &id]);
    assert!(stop.status.success(), "{}", stderr(&stop));
    let watched = taxon_in(&data, &["runs", "watch", &id]);
    assert!(stderr(&watched).contains("stopped"), "{}", stderr(&watched));
    let listed = taxon_in(&data, &["runs", "--format", "json"]);
    let run: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(run["state"], "stopped", "{run}");
    // The held-out windows were many (see the log), and the evaluation never ended:
    // the stop acted between its batches, not after all of them.
    let held_out: usize = text
        .split(" held-out windows")
        .next()
        .and_then(|head| head.rsplit(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    assert!(held_out >= 20, "{text}");
    assert!(run["eval_loss"].is_null(), "{run}");
    // Nothing was trained, so nothing is kept: a resume starts the run again.
    assert!(run["step"].is_null(), "{run}");
    assert_eq!(run["checkpoints"], serde_json::json!([]), "{run}");
}
