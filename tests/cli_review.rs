//! `taxon review` driven as a user would: the real binary on temporary repositories,
//! with `HOME` pointing at an empty folder so no user git config leaks in.

#[path = "support/git_sandbox.rs"]
mod git_sandbox;
#[path = "support/review_leaf.rs"]
mod review_leaf;

use std::path::Path;
use std::process::{Command, Output};

use git_sandbox::TestRepo;
use serde_json::Value;

use review_leaf::{FILE, LEAF, leaf_text};

/// `main` holds four examples; the working tree edits the second and adds a fifth.
fn repo_with_changed_leaf() -> TestRepo {
    let repo = TestRepo::init();
    repo.write(
        FILE,
        &leaf_text(&["Hello!", "Welcome!", "Good morning!", "Hi!"]),
    );
    repo.commit_all("Add the greetings leaf");
    repo.write(
        FILE,
        &leaf_text(&[
            "Hello!",
            "Welcome aboard!",
            "Good morning!",
            "Hi!",
            "Greetings!",
        ]),
    );
    repo
}

fn set_identity(repo: &TestRepo, name: &str) {
    repo.git(&["config", "user.name", name]);
    let email = format!("{}@example.com", name.to_lowercase());
    repo.git(&["config", "user.email", &email]);
}

fn taxon(args: &[&str], cwd: &Path) -> Output {
    let home = tempfile::tempdir().unwrap();
    Command::new(env!("CARGO_BIN_EXE_taxon"))
        .args(args)
        .current_dir(cwd)
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path())
        .env("NO_COLOR", "1")
        .output()
        .expect("run taxon")
}

fn ok(output: &Output) -> String {
    assert_eq!(
        output.status.code(),
        Some(0),
        "stdout: {}\nstderr: {}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn status_json(repo: &TestRepo) -> Value {
    let out = ok(&taxon(
        &["review", "status", "--base", "main", "--format", "json"],
        repo.path(),
    ));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 1, "one leaf, one line: {out}");
    serde_json::from_str(lines[0]).unwrap()
}

#[test]
fn decide_then_status_as_json() {
    let repo = repo_with_changed_leaf();
    set_identity(&repo, "Ana");
    let said = ok(&taxon(
        &[
            "review",
            "decide",
            LEAF,
            "--example",
            "2",
            "--approve",
            "--comment",
            "warmer now",
        ],
        repo.path(),
    ));
    assert!(said.starts_with(&format!(
        "{LEAF}: example 2 approved by Ana <ana@example.com>"
    )));
    ok(&taxon(
        &[
            "review",
            "decide",
            FILE,
            "--example",
            "5",
            "--request-changes",
        ],
        repo.path(),
    ));

    let leaf = status_json(&repo);
    assert_eq!(leaf["leaf"], LEAF);
    assert_eq!(leaf["change"], "modified");
    assert_eq!(leaf["verdict"], "changes_requested");
    let examples = leaf["examples"].as_array().unwrap();
    assert_eq!(examples.len(), 5);
    assert_eq!(examples[1]["change"]["change"], "modified");
    assert_eq!(examples[1]["change"]["diff"][1]["text"], "answer: Welcome!");
    assert_eq!(examples[1]["change"]["diff"][1]["sign"], "-");
    let review = &examples[1]["reviews"][0];
    assert_eq!(review["reviewer"]["name"], "Ana");
    assert_eq!(review["state"], "decided");
    assert_eq!(review["decision"], "approve");
    assert_eq!(review["comment"], "warmer now");
    assert_eq!(examples[4]["change"]["change"], "added");
    assert_eq!(examples[4]["reviews"][0]["decision"], "request_changes");
    assert_eq!(examples[0]["reviews"].as_array().unwrap().len(), 0);
    let items = leaf["checklist"]["items"].as_array().unwrap();
    let preview = items.iter().find(|i| i["kind"] == "preview").unwrap();
    assert_eq!(preview["status"], "fail");
    assert_eq!(preview["detail"], "no preview recorded");

    // Editing the approved example invalidates the approval.
    repo.write(
        FILE,
        &leaf_text(&[
            "Hello!",
            "Welcome on board!",
            "Good morning!",
            "Hi!",
            "Greetings!",
        ]),
    );
    let leaf = status_json(&repo);
    let review = &leaf["examples"][1]["reviews"][0];
    assert_eq!(review["state"], "changed_since_review");
    assert_eq!(review["decision"], "approve");
    assert_eq!(leaf["changed_since_review"], 1);
}

#[test]
fn summary_is_markdown_per_leaf_and_reviewer() {
    let repo = repo_with_changed_leaf();
    set_identity(&repo, "Ana");
    ok(&taxon(
        &["review", "decide", LEAF, "--example", "1", "--approve"],
        repo.path(),
    ));
    set_identity(&repo, "Bo");
    ok(&taxon(
        &[
            "review",
            "decide",
            LEAF,
            "--example",
            "1",
            "--reject",
            "--comment",
            "too short",
        ],
        repo.path(),
    ));
    ok(&taxon(
        &[
            "review",
            "verdict",
            LEAF,
            "--uncertain",
            "--comment",
            "escalate",
        ],
        repo.path(),
    ));

    let summary = ok(&taxon(
        &["review", "summary", "--base", "main"],
        repo.path(),
    ));
    assert!(
        summary.starts_with("## Taxon review: 1 changed leaves since main at "),
        "{summary}"
    );
    assert!(
        summary.contains(&format!("### ❓ `{LEAF}`: uncertain\n")),
        "{summary}"
    );
    assert!(
        summary.contains("From the example decisions: rejected."),
        "{summary}"
    );
    assert!(
        summary.contains("Verdict by Bo: uncertain: escalate."),
        "{summary}"
    );
    assert!(
        summary.contains("- ✅ 5 seed examples (at least 5 wanted)\n"),
        "{summary}"
    );
    assert!(
        summary.contains("- ❌ attribution.txt missing\n"),
        "{summary}"
    );
    assert!(summary.contains("- ❌ no preview recorded\n"), "{summary}");
    assert!(
        summary.contains("- Example 1: Greet colleague number 1.\n  - ✅ approved by Ana\n  - ❌ rejected by Bo: too short\n"),
        "{summary}"
    );
    assert!(
        summary.contains("- Example 2 (modified): Greet colleague number 2.\n  - ⬜ undecided\n"),
        "{summary}"
    );

    let human = ok(&taxon(&["review", "status", "--base", "main"], repo.path()));
    assert!(
        human.contains("      -answer: Welcome!\n      +answer: Welcome aboard!\n"),
        "{human}"
    );
    assert!(
        human.contains("    rejected by Bo (you): too short\n"),
        "{human}"
    );
}

#[test]
fn bad_decisions_are_refused_with_exit_2() {
    let repo = repo_with_changed_leaf();
    let no_identity = taxon(
        &["review", "decide", LEAF, "--example", "1", "--approve"],
        repo.path(),
    );
    assert_eq!(no_identity.status.code(), Some(2));
    assert!(
        stderr(&no_identity).contains("git has no user.name configured"),
        "{}",
        stderr(&no_identity)
    );

    set_identity(&repo, "Ana");
    for (args, message) in [
        (
            vec!["--example", "6", "--approve"],
            "has 5 examples; there is no example 6",
        ),
        (vec!["--example", "0", "--approve"], "0 is not in 1.."),
        (vec!["--example", "1"], "required"),
        (
            vec!["--example", "1", "--approve", "--reject"],
            "cannot be used with",
        ),
    ] {
        let mut all = vec!["review", "decide", LEAF];
        all.extend(args);
        let out = taxon(&all, repo.path());
        assert_eq!(out.status.code(), Some(2), "{all:?}");
        assert!(stderr(&out).contains(message), "{all:?}: {}", stderr(&out));
    }
    let out = taxon(
        &[
            "review",
            "decide",
            "compositional_skills",
            "--example",
            "1",
            "--approve",
        ],
        repo.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("is not a leaf of this taxonomy"),
        "{}",
        stderr(&out)
    );
    // Nothing was recorded by the refused commands.
    assert_eq!(repo.git(&["notes", "--ref=taxon-review", "list"]), "");
}

#[test]
fn push_and_fetch_share_decisions() {
    let origin = TestRepo::init_bare();
    let first = repo_with_changed_leaf();
    first.add_remote("origin", &origin);
    set_identity(&first, "Ana");
    ok(&taxon(
        &["review", "decide", LEAF, "--example", "1", "--approve"],
        first.path(),
    ));
    let pushed = ok(&taxon(&["review", "push"], first.path()));
    assert_eq!(pushed, "pushed refs/notes/taxon-review to origin\n");

    // A second clone of the same commit, with the same working-tree edit.
    first.git(&["push", "origin", "main"]);
    let second = TestRepo::init();
    second.add_remote("origin", &origin);
    second.git(&["checkout", "-B", "main", "origin/main"]);
    second.write(
        FILE,
        &std::fs::read_to_string(first.path().join(FILE)).unwrap(),
    );
    set_identity(&second, "Bo");
    let fetched = ok(&taxon(
        &["review", "fetch", "--remote", "origin"],
        second.path(),
    ));
    assert!(fetched.contains("yours now match them"), "{fetched}");

    let leaf = status_json(&second);
    assert_eq!(leaf["examples"][0]["reviews"][0]["reviewer"]["name"], "Ana");
}

#[test]
fn twenty_reviewers_at_once_lose_no_decision() {
    const REVIEWERS: usize = 20;
    let repo = TestRepo::init();
    let greetings: Vec<String> = (1..=REVIEWERS).map(|i| format!("Hello {i}!")).collect();
    let greetings: Vec<&str> = greetings.iter().map(String::as_str).collect();
    repo.write(FILE, &leaf_text(&greetings));
    // Each reviewer has their own git identity, in their own global config.
    let homes: Vec<tempfile::TempDir> = (1..=REVIEWERS)
        .map(|i| {
            let home = tempfile::tempdir().unwrap();
            std::fs::write(
                home.path().join(".gitconfig"),
                format!("[user]\n\tname = Reviewer {i}\n\temail = r{i}@example.com\n"),
            )
            .unwrap();
            home
        })
        .collect();
    // All start before any is waited for: their updates of the notes ref overlap.
    let children: Vec<_> = homes
        .iter()
        .enumerate()
        .map(|(i, home)| {
            Command::new(env!("CARGO_BIN_EXE_taxon"))
                .args(["review", "decide", LEAF, "--approve", "--example"])
                .arg((i + 1).to_string())
                .current_dir(repo.path())
                .env("HOME", home.path())
                .env("XDG_CONFIG_HOME", home.path())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        ok(&child.wait_with_output().unwrap());
    }
    let leaf = status_json(&repo);
    let examples = leaf["examples"].as_array().unwrap();
    let mut decided = 0;
    for (i, example) in examples.iter().enumerate() {
        let reviews = example["reviews"].as_array().unwrap();
        assert_eq!(reviews.len(), 1, "example {}: {reviews:?}", i + 1);
        assert_eq!(
            reviews[0]["reviewer"]["name"],
            format!("Reviewer {}", i + 1)
        );
        assert_eq!(reviews[0]["decision"], "approve");
        decided += 1;
    }
    assert_eq!(
        decided, REVIEWERS,
        "every decision that reported success is kept"
    );
}

#[test]
fn a_damaged_note_line_is_skipped_with_a_warning_and_kept() {
    let repo = repo_with_changed_leaf();
    set_identity(&repo, "Ana");
    ok(&taxon(
        &["review", "decide", LEAF, "--example", "1", "--approve"],
        repo.path(),
    ));
    // Someone damages the note by hand: a line that is not a record.
    let object = taxon::git::note_key(&format!("taxon-review:{LEAF}"))
        .unwrap()
        .to_string();
    let note = repo.git(&["notes", "--ref=taxon-review", "show", &object]);
    let damaged = repo.path().join("damaged-note");
    std::fs::write(&damaged, format!("{note}{{\"kind\": \"decision\", oops\n")).unwrap();
    repo.git(&[
        "notes",
        "--ref=taxon-review",
        "add",
        "-f",
        "-F",
        damaged.to_str().unwrap(),
        &object,
    ]);

    let warning = format!("taxon: warning: the review note of {LEAF} is damaged at line 2");
    let status = taxon(
        &["review", "status", "--base", "main", "--format", "json"],
        repo.path(),
    );
    let out = ok(&status);
    assert!(stderr(&status).contains(&warning), "{}", stderr(&status));
    let leaf: Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(leaf["examples"][0]["reviews"][0]["reviewer"]["name"], "Ana");
    let items = leaf["checklist"]["items"].as_array().unwrap();
    assert!(
        items
            .iter()
            .any(|i| i["kind"] == "damaged_note" && i["status"] == "warn"),
        "{items:?}"
    );
    let summary = taxon(&["review", "summary", "--base", "main"], repo.path());
    ok(&summary);
    assert!(stderr(&summary).contains(&warning), "{}", stderr(&summary));

    // A new decision keeps the damaged line for someone to repair.
    set_identity(&repo, "Bo");
    ok(&taxon(
        &["review", "decide", LEAF, "--example", "2", "--reject"],
        repo.path(),
    ));
    let note = repo.git(&["notes", "--ref=taxon-review", "show", &object]);
    assert_eq!(note.lines().count(), 3, "{note}");
    assert!(note.lines().nth(1).unwrap().contains("oops"), "{note}");
    let leaf = status_json(&repo);
    assert_eq!(leaf["examples"][1]["reviews"][0]["reviewer"]["name"], "Bo");
}

/// Five examples on `main`; `edit` makes the working tree's version.
fn repo_with_edited_leaf(edit: impl Fn(String) -> String) -> TestRepo {
    let repo = TestRepo::init();
    let text = leaf_text(&["Hello!", "Welcome!", "Good morning!", "Hi!", "Greetings!"]);
    repo.write(FILE, &text);
    repo.commit_all("Add the greetings leaf");
    repo.write(FILE, &edit(text));
    set_identity(&repo, "Ana");
    repo
}

#[test]
fn a_changed_task_description_is_decided_before_the_leaf_is_approved() {
    let repo = repo_with_edited_leaf(|text| {
        text.replace("Greet a colleague.", "Greet a colleague rudely.")
    });
    for number in 1..=5 {
        let number = number.to_string();
        ok(&taxon(
            &["review", "decide", LEAF, "--example", &number, "--approve"],
            repo.path(),
        ));
    }
    let leaf = status_json(&repo);
    assert_eq!(leaf["derived_verdict"], "pending", "{leaf}");
    assert_eq!(leaf["fields"]["reviews"], serde_json::json!([]), "{leaf}");
    let diff = leaf["fields"]["diff"].to_string();
    assert!(
        diff.contains(r#"{"sign":"-","text":"task_description: Greet a colleague."}"#)
            && diff
                .contains(r#"{"sign":"+","text":"task_description: Greet a colleague rudely."}"#),
        "{diff}"
    );
    let human = ok(&taxon(&["review", "status", "--base", "main"], repo.path()));
    assert!(
        human.contains(
            "      -task_description: Greet a colleague.\n      +task_description: Greet a colleague rudely.\n    undecided\n"
        ) && human.contains("  leaf fields (changed):\n")
            && human.contains("(modified): pending"),
        "{human}"
    );

    let said = ok(&taxon(
        &["review", "decide", LEAF, "--fields", "--approve"],
        repo.path(),
    ));
    assert!(
        said.starts_with(&format!("{LEAF}: leaf fields approved by Ana")),
        "{said}"
    );
    assert_eq!(status_json(&repo)["derived_verdict"], "approved");
    let summary = ok(&taxon(
        &["review", "summary", "--base", "main"],
        repo.path(),
    ));
    assert!(
        summary.contains("+task_description: Greet a colleague rudely.\n```\n\n- Leaf fields:\n  - ✅ approved by Ana\n"),
        "{summary}"
    );
    assert!(
        summary.contains("From the decisions on the examples and the leaf's fields: approved."),
        "{summary}"
    );
}

#[test]
fn an_unreadable_leaf_is_shown_as_unreadable_and_its_content_checks_as_not_run() {
    let repo = repo_with_edited_leaf(|text| format!("{text}  - question: [unclosed\n"));
    let leaf = status_json(&repo);
    let (line, column) = (&leaf["unreadable"]["line"], &leaf["unreadable"]["column"]);
    assert!(line.as_u64().is_some_and(|l| l > 1), "{leaf}");
    assert_eq!(
        leaf["removed"],
        serde_json::json!([]),
        "nothing removed: {leaf}"
    );
    let statuses: Vec<(String, String)> = leaf["checklist"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["kind"].to_string(), i["status"].to_string()))
        .collect();
    for kind in ["examples", "personal_data", "topics"] {
        assert!(
            statuses.contains(&(format!("\"{kind}\""), "\"not_run\"".to_owned())),
            "{kind} not run: {statuses:?}"
        );
    }

    let human = ok(&taxon(&["review", "status", "--base", "main"], repo.path()));
    assert!(
        human.contains(&format!("  unreadable: {FILE}:{line}:{column}: ")),
        "{human}"
    );
    assert!(
        !human.contains("removed") && !human.contains("✅ no likely personal data"),
        "{human}"
    );
    assert!(
        human.contains("⏸️ personal data: not run, the leaf cannot be read"),
        "{human}"
    );
    let summary = ok(&taxon(
        &["review", "summary", "--base", "main"],
        repo.path(),
    ));
    assert!(
        summary.contains(&format!("❗ Unreadable: `{FILE}:{line}:{column}: "))
            && !summary.contains("Removed from the base"),
        "{summary}"
    );
}
