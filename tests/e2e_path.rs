//! End to end, issue 15's whole path of a new user, in the real binary at 100x30: a
//! new branch from the branch picker, a new leaf through the wizard with a typed full
//! path, a field edited with readline keys, a preview with the real default model, a
//! commit whose message has spaces, a review decision, and the training screen's
//! launch form (opened, walked through and cancelled). Then the branch, the commit,
//! the leaf, the review note and the terminal are checked after taxon exits.

#[path = "support/generate_cli.rs"]
mod generate_cli;
#[path = "support/git_sandbox.rs"]
mod git_sandbox;
#[path = "support/pty.rs"]
mod pty;

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use pty::{Pty, git, sample_repository, stdout_of};
use taxon::dirs::AppDirs;

const WAIT: Duration = Duration::from_secs(20);
/// Loading the model and streaming the first sample on two busy cores.
const MODEL_WAIT: Duration = Duration::from_secs(600);
const LEAF: &str = "compositional_skills/writing/poetry/haiku";

/// Runs `taxon` with `args`, taxon's folders under `home`; its output.
fn taxon(home: &Path, args: &[&str]) -> String {
    let mut command = Command::new(env!("CARGO_BIN_EXE_taxon"));
    command
        .args(args)
        .env("HOME", home)
        .env("TAXON_STATE_DIR", home.join("state"))
        .env("TAXON_DATA_DIR", home.join("data"));
    stdout_of(command)
}

/// The line of `screen` holding `text`.
fn row<'a>(screen: &'a str, text: &str) -> &'a str {
    screen
        .lines()
        .find(|line| line.contains(text))
        .unwrap_or_else(|| panic!("{text:?} on the screen:\n{screen}"))
}

#[test]
fn a_new_user_branches_authors_previews_commits_reviews_and_opens_the_launch_form() {
    generate_cli::model();
    let _serial = generate_cli::serial();
    git_sandbox::isolate();
    let home = tempfile::tempdir().unwrap();
    let taxonomy = home.path().join("taxonomy");
    let initial = sample_repository(&taxonomy);

    let cache = AppDirs::from_env().cache;
    let mut tui = Pty::spawn(
        &[taxonomy.to_str().unwrap()],
        home.path(),
        &[
            ("TAXON_CACHE_DIR", cache.to_str().unwrap()),
            ("OMP_WAIT_POLICY", "passive"),
        ],
        100,
        30,
    );
    tui.wait_for("Taxonomy", WAIT);
    tui.wait_for("? help", WAIT);

    // A new branch from the branch picker.
    tui.send("b");
    tui.wait_for("Branches", WAIT);
    tui.send("add-haiku");
    tui.wait_for("create new branch add-haiku", WAIT);
    tui.send("\r");
    tui.wait_for("created branch add-haiku at HEAD and switched to it", WAIT);

    // The wizard, the full path typed with its root folder.
    tui.send("a");
    tui.wait_for("New leaf · step 1 of 4", WAIT);
    tui.send("\r");
    tui.send(LEAF);
    tui.wait_for(&format!("→ {LEAF}"), WAIT);
    assert!(
        !tui.screen()
            .contains("compositional_skills/compositional_skills"),
        "the target is the real one:\n{}",
        tui.screen()
    );
    tui.send("\r");
    tui.wait_for("Pty Tester", WAIT);
    tui.send("\r");
    tui.wait_for("Create this leaf?", WAIT);
    assert!(
        !tui.screen()
            .contains("compositional_skills/compositional_skills"),
        "the summary names the real target:\n{}",
        tui.screen()
    );
    tui.send("\r");
    tui.wait_for(&format!("created {LEAF}"), WAIT);

    // The task description, edited with readline keys.
    tui.send("e");
    tui.wait_for("task_description ·", WAIT);
    tui.send("\x05\x15"); // ctrl-e, ctrl-u: the placeholder goes
    tui.send("Write poems about sea");
    tui.send("\x1bb"); // alt-b: before "sea"
    tui.send("the ");
    tui.send("\x01\x1bf"); // ctrl-a, alt-f: after "Write"
    tui.send(" short");
    tui.send("\x05 cliffs junk\x17"); // ctrl-e, typing, ctrl-w: "junk" goes
    tui.send("and waves.");
    tui.wait_for("Write short poems about the sea cliffs and waves.", WAIT);
    tui.send("\x13"); // ctrl-s: apply
    tui.wait_for("unsaved", WAIT);
    tui.send("\x13"); // ctrl-s: save
    tui.wait_for(&format!("saved {LEAF}"), WAIT);

    // A preview with the real default model: the first sample gets its verdict.
    tui.send("g");
    let start = std::time::Instant::now();
    // "✓ #N accepted" or "✗ #N stage: why" in the preview pane (the tree marks
    // valid leaves with a bare ✓).
    while !(tui.screen().contains("✓ #") || tui.screen().contains("✗ #")) {
        assert!(
            start.elapsed() < MODEL_WAIT,
            "no sample got a verdict; the screen shows:\n{}",
            tui.screen()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    tui.send("\x1b");
    std::thread::sleep(Duration::from_millis(200)); // esc alone, not alt-c

    // A commit whose message has spaces.
    tui.send("c");
    tui.wait_for(&format!("[x] {LEAF}"), WAIT);
    tui.wait_for("(placeholder):", WAIT);
    let listed = tui.screen();
    assert!(
        !row(&listed, "(placeholder):").contains("task_description"),
        "the edited field is no placeholder any more:\n{listed}"
    );
    tui.send("Add a haiku skill");
    tui.wait_for("Add a haiku skill", WAIT);
    tui.send("\r"); // refused once: the examples still hold placeholders
    tui.wait_for("again commits them anyway", WAIT);
    tui.send("\r");
    tui.wait_for("committed", WAIT);

    // A review of the new leaf: its fields (the edit shown), then its first example
    // approved.
    tui.send("R");
    tui.wait_for("Leaf fields · changed against main", WAIT);
    tui.wait_for(
        "+ task_description: Write short poems about the sea cliffs",
        WAIT,
    );
    tui.send("j");
    tui.wait_for("Example 1/5 · new", WAIT);
    tui.send("a");
    tui.wait_for("example 1 approved by Pty Tester", WAIT);
    tui.wait_for("Example 2/5", WAIT);
    tui.send("q");
    tui.wait_for("Taxonomy", WAIT);

    // The launch form: opened, walked through, refused without a dataset, cancelled.
    tui.send("T");
    tui.wait_for("Training", WAIT);
    tui.send("n");
    tui.wait_for("New run", WAIT);
    assert!(row(&tui.screen(), "dataset file").contains('▸'));
    tui.send("\t");
    assert!(
        row(&tui.screen(), "epochs").contains('▸'),
        "tab goes to the next field:\n{}",
        tui.screen()
    );
    tui.send("\x1b[A\x1b[A"); // up, up: to the dataset choice
    std::thread::sleep(Duration::from_millis(200));
    assert!(
        row(&tui.screen(), "a JSONL file").contains('▸'),
        "{}",
        tui.screen()
    );
    tui.send("\r");
    tui.wait_for("name the dataset", WAIT);
    tui.send(" "); // the other choice: the leaf just committed
    tui.wait_for("(•) generate now from the 1 leaf changed vs main", WAIT);
    tui.send("\x1b");
    std::thread::sleep(Duration::from_millis(200));
    tui.wait_for("Training", WAIT);
    assert!(!tui.screen().contains("New run"), "{}", tui.screen());
    tui.send("q");
    tui.wait_for("Taxonomy", WAIT);
    tui.send("q");
    assert_eq!(tui.wait_exit(WAIT), 0);
    assert!(!tui.on_alternate_screen(), "the terminal is restored");
    assert!(!tui.cursor_hidden(), "the cursor is shown");
    assert!(tui.echoes(), "echo is back on");

    // On disk and in git.
    assert_eq!(git(&taxonomy, &["branch", "--show-current"]), "add-haiku\n");
    assert_eq!(
        git(&taxonomy, &["log", "-1", "--format=%an <%ae>%n%B"]),
        "Pty Tester <pty@example.com>\nAdd a haiku skill\n\nSigned-off-by: Pty Tester <pty@example.com>\n\n"
    );
    assert_eq!(
        git(&taxonomy, &["rev-parse", "HEAD~1"]).trim(),
        initial.to_string()
    );
    assert_eq!(
        git(&taxonomy, &["show", "--format=", "--name-only", "HEAD"]),
        format!("{LEAF}/attribution.txt\n{LEAF}/qna.yaml\n")
    );
    assert_eq!(git(&taxonomy, &["status", "--porcelain"]), "");
    let text = fs::read_to_string(taxonomy.join(LEAF).join("qna.yaml")).unwrap();
    assert!(
        text.contains("\ntask_description: Write short poems about the sea cliffs and waves.\n"),
        "{text}"
    );
    assert!(text.contains("\ncreated_by: Pty Tester\n"), "{text}");
    assert!(
        runs_in(home.path()).is_empty(),
        "the cancelled form started nothing"
    );

    let status = taxon(
        home.path(),
        &[
            "review",
            "status",
            "--taxonomy",
            taxonomy.to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    let leaf: serde_json::Value = status
        .lines()
        .map(|line| serde_json::from_str::<serde_json::Value>(line).unwrap())
        .find(|record| record["leaf"] == LEAF)
        .unwrap_or_else(|| panic!("{LEAF} in the review queue:\n{status}"));
    let first = &leaf["examples"][0]["reviews"];
    assert_eq!(first.as_array().map(Vec::len), Some(1), "{leaf}");
    assert_eq!(first[0]["decision"], "approve", "{leaf}");
    assert_eq!(first[0]["reviewer"]["email"], "pty@example.com", "{leaf}");
}

/// The runs of taxon's registry under `home`.
fn runs_in(home: &Path) -> Vec<fs::DirEntry> {
    match fs::read_dir(home.join("data/runs")) {
        Ok(entries) => entries.map(Result::unwrap).collect(),
        Err(_) => Vec::new(),
    }
}
