//! Every subcommand that prints ends quietly when its reader has gone, as git and
//! ripgrep do: `taxon … | head -1` exits 0 (or dies of SIGPIPE) without a panic or a
//! "Broken pipe" message, and a closed stderr stops nothing.

#[path = "support/generate_cli.rs"]
mod generate_cli;
#[path = "support/git_sandbox.rs"]
mod git_sandbox;

use std::io::{BufRead, BufReader};
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};

use generate_cli::{FREEFORM, sample_taxonomy};
use git_sandbox::TestRepo;
use taxon::dirs::AppDirs;

/// A git repository with the sample taxonomy committed on `main`, and taxon's own
/// folders (the cache is the user's, where the model is).
struct World {
    repo: TestRepo,
    state: tempfile::TempDir,
}

impl World {
    fn new() -> Self {
        let repo = sample_taxonomy();
        repo.git(&["config", "user.name", "Ana"]);
        repo.git(&["config", "user.email", "ana@example.com"]);
        Self {
            repo,
            state: tempfile::tempdir().unwrap(),
        }
    }

    /// The world with every leaf edited (a trailing space, so each has findings) and
    /// copied `copies` times, a run of an external trainer and a review decision:
    /// every listing has something to print (with 10 copies, the long ones more than a
    /// pipe holds). Returns the run's id.
    fn busy(copies: usize) -> (Self, String) {
        let world = Self::new();
        for leaf in leaf_files(world.repo.path()) {
            let text = std::fs::read_to_string(&leaf).unwrap();
            let edited = text.replacen('\n', " \n", 1);
            std::fs::write(&leaf, &edited).unwrap();
            let folder = leaf.parent().unwrap();
            for copy in 1..=copies {
                let twin = folder.with_file_name(format!(
                    "{}_{copy}",
                    folder.file_name().unwrap().to_string_lossy()
                ));
                std::fs::create_dir_all(&twin).unwrap();
                std::fs::write(twin.join("qna.yaml"), &edited).unwrap();
            }
        }
        let started = world
            .taxon(&["train", "--detach", "--", "true"])
            .output()
            .unwrap();
        assert!(started.status.success(), "{started:?}");
        let run = String::from_utf8(started.stdout).unwrap().trim().to_owned();
        let decided = world
            .taxon(&["review", "decide", FREEFORM, "--example", "1", "--approve"])
            .output()
            .unwrap();
        assert!(decided.status.success(), "{decided:?}");
        (world, run)
    }

    /// `taxon ARGS` in the repository.
    fn taxon(&self, args: &[&str]) -> Command {
        let state = self.state.path();
        let mut command = Command::new(env!("CARGO_BIN_EXE_taxon"));
        command
            .args(args)
            .current_dir(self.repo.path())
            .env("TAXON_CACHE_DIR", AppDirs::from_env().cache)
            .env("TAXON_STATE_DIR", state.join("state"))
            .env("TAXON_DATA_DIR", state.join("data"))
            .env("TAXON_CONFIG_DIR", state.join("config"))
            .env("HOME", state)
            .env("NO_COLOR", "1");
        command
    }
}

/// Every `qna.yaml` below `root`.
fn leaf_files(root: &Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    let mut folders = vec![root.to_owned()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.file_name().is_some_and(|n| n == ".git") {
                continue;
            }
            if path.is_dir() {
                folders.push(path);
            } else if path.file_name().is_some_and(|n| n == "qna.yaml") {
                found.push(path);
            }
        }
    }
    found
}

/// Exit 0, or death by SIGPIPE: both are how a command ends quietly on a closed pipe.
fn quiet(status: ExitStatus) -> bool {
    status.code() == Some(0) || status.signal() == Some(libc::SIGPIPE)
}

fn assert_no_complaint(what: &str, stderr: &str) {
    assert!(
        !stderr.contains("panicked") && !stderr.contains("Broken pipe"),
        "{what}: {stderr}"
    );
}

/// Runs the command with its stdout read for one line and then closed, as `| head -1`.
fn head_one(what: &str, mut command: Command) {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    // The reader is dropped: the pipe is closed on whatever comes next.
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!first.is_empty(), "{what}: printed nothing\n{stderr}");
    assert!(
        quiet(output.status),
        "{what}: {:?}\n{stderr}",
        output.status
    );
    assert_no_complaint(what, &stderr);
}

/// Runs the command with stdout, then stderr, then both, on a pipe whose reader has
/// already gone, as `taxon … | true`.
fn closed_from_the_start(what: &str, command: impl Fn() -> Command) {
    for (stdout_closed, stderr_closed) in [(true, false), (false, true), (true, true)] {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let mut command = command();
        let mut stderr_file = None;
        if stdout_closed {
            command.stdout(writer.try_clone().unwrap());
        } else {
            command.stdout(Stdio::null());
        }
        if stderr_closed {
            command.stderr(writer);
        } else {
            let file = tempfile::NamedTempFile::new().unwrap();
            command.stderr(file.reopen().unwrap());
            stderr_file = Some(file);
        }
        let status = command.status().unwrap();
        let stderr = stderr_file
            .map(|f| std::fs::read_to_string(f.path()).unwrap())
            .unwrap_or_default();
        let how =
            format!("{what} (stdout closed: {stdout_closed}, stderr closed: {stderr_closed})");
        // A closed stderr changes nothing but what is said; the exit code stays the
        // command's own (validate and diff find errors here: 1).
        assert!(
            quiet(status) || (!stdout_closed && status.code() == Some(1)),
            "{how}: {status:?}\n{stderr}"
        );
        assert_no_complaint(&how, &stderr);
    }
}

#[test]
fn every_printing_subcommand_ends_quietly_on_a_closed_pipe() {
    let (world, run) = World::busy(0);
    let remote = world.state.path().join("shared.git");
    git2::Repository::init_bare(&remote).unwrap();
    let remote = remote.to_str().unwrap();
    let commands: Vec<(&str, Vec<&str>)> = vec![
        ("validate", vec!["validate"]),
        (
            "validate --format json",
            vec!["validate", "--format", "json"],
        ),
        ("diff", vec!["diff", "--base", "empty"]),
        ("review status", vec!["review", "status", "--base", "main"]),
        (
            "review status --format json",
            vec!["review", "status", "--base", "main", "--format", "json"],
        ),
        (
            "review summary",
            vec!["review", "summary", "--base", "main"],
        ),
        (
            "review decide",
            vec!["review", "decide", FREEFORM, "--example", "2", "--reject"],
        ),
        (
            "review verdict",
            vec!["review", "verdict", FREEFORM, "--uncertain"],
        ),
        ("review push", vec!["review", "push", "--remote", remote]),
        ("review fetch", vec!["review", "fetch", "--remote", remote]),
        ("runs", vec!["runs"]),
        ("runs --format json", vec!["runs", "--format", "json"]),
        ("runs watch", vec!["runs", "watch", &run]),
        ("runs stop", vec!["runs", "stop", &run]),
        ("train", vec!["train", "--detach", "--", "true"]),
        ("model path", vec!["model", "path"]),
        ("model fetch", vec!["model", "fetch"]),
        ("--help", vec!["--help"]),
        ("--version", vec!["--version"]),
    ];
    for (what, args) in &commands {
        closed_from_the_start(what, || world.taxon(args));
    }
    // The long listings, read for one line as `| head -1` does: they write more than
    // a pipe holds, so the reader is gone before they are done.
    let (big, _) = World::busy(10);
    for (what, args) in &commands[..6] {
        head_one(what, big.taxon(args));
    }
}

#[test]
fn generate_ends_quietly_on_a_closed_pipe() {
    let _serial = generate_cli::serial();
    let world = World::new();
    let out = world.state.path().join("out");
    let out = out.to_str().unwrap();
    closed_from_the_start("generate", || {
        let repo = world.repo.path().to_str().unwrap();
        let mut command = world.taxon(&["generate", "--taxonomy", repo, "--leaf", FREEFORM]);
        command.args(["--output", out]);
        command.args(["--num", "1", "--max-tokens", "24", "--threads", "1"]);
        command
    });
}

#[test]
fn review_preview_ends_quietly_on_a_closed_pipe() {
    let _serial = generate_cli::serial();
    let world = World::new();
    closed_from_the_start("review preview", || {
        let mut command = world.taxon(&["review", "preview", FREEFORM]);
        command.args(["--num", "1", "--max-tokens", "24", "--threads", "1"]);
        command
    });
}

#[test]
fn eval_ends_quietly_on_a_closed_pipe() {
    let _serial = generate_cli::serial();
    let world = World::new();
    // A real run to evaluate: three records of one leaf, one epoch; one record is
    // held out as the question `taxon eval` asks.
    let dataset = world.state.path().join("dataset.jsonl");
    let records: Vec<String> = [
        (
            "affect",
            "Affect is mostly a verb: the rain affects the harvest.",
        ),
        ("effect", "Effect is mostly a noun: the rain had an effect."),
        ("accept", "Accept means to receive: she accepts the prize."),
    ]
    .iter()
    .map(|(word, answer)| {
        serde_json::json!({
            "messages": [
                {"role": "system", "content": "You are a careful writing tutor."},
                {"role": "user", "content": format!("How is \"{word}\" used?")},
                {"role": "assistant", "content": answer},
            ],
            "metadata": serde_json::json!({"leaf": FREEFORM}).to_string(),
            "unmask": false,
        })
        .to_string()
    })
    .collect();
    std::fs::write(&dataset, records.join("\n") + "\n").unwrap();
    let trained = world
        .taxon(&["train", "--dataset", dataset.to_str().unwrap()])
        .args(["--phases", "single", "--epochs", "1", "--threads", "2"])
        .env("OMP_WAIT_POLICY", "passive")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&trained.stderr);
    assert!(trained.status.success(), "{stderr}");
    let run = String::from_utf8(trained.stdout).unwrap().trim().to_owned();
    closed_from_the_start("eval", || {
        let mut command = world.taxon(&["eval", &run, "--max-tokens", "16", "--threads", "2"]);
        command.env("OMP_WAIT_POLICY", "passive");
        command
    });
}
