//! End to end: the real binary in a pseudo-terminal, as a contributor uses it.

#[path = "support/git_sandbox.rs"]
mod git_sandbox;
#[path = "support/pty.rs"]
mod pty;

use std::fs;
use std::path::Path;
use std::time::Duration;

use pty::{Pty, copy_sample, git, sample_repository};

const WAIT: Duration = Duration::from_secs(15);

#[test]
fn first_start_creates_the_default_taxonomy_and_quits_cleanly() {
    let home = tempfile::tempdir().unwrap();
    let mut taxon = Pty::spawn(&[], home.path(), &[], 100, 30);
    taxon.wait_for("Created your taxonomy", WAIT);
    taxon.wait_for("compositional_skills", WAIT);
    assert!(taxon.on_alternate_screen());
    taxon.send("q");
    assert_eq!(taxon.wait_exit(WAIT), 0);
    assert!(!taxon.on_alternate_screen(), "the terminal is restored");
    let default = home.path().join("data/taxonomy");
    assert!(default.join("knowledge").is_dir());
    let repo = git2::Repository::open(&default).unwrap();
    let head = repo.head().unwrap().peel_to_commit().unwrap();
    assert!(head.message().unwrap().contains("Signed-off-by: "));
    assert_eq!(repo.head().unwrap().shorthand().unwrap(), "main");
}

/// taxon at 80x24 on a copy of the sample taxonomy in `taxonomy`, the tides leaf
/// found and edited by `$EDITOR` (`created_by` becomes pty-tester), not yet saved.
fn tides_edited_by_the_editor(home: &Path, taxonomy: &Path) -> Pty {
    copy_sample(taxonomy);
    let editor = "sed -i 's/created_by: tidewatcher-m/created_by: pty-tester/'";
    let mut taxon = Pty::spawn(
        &[taxonomy.to_str().unwrap()],
        home,
        &[("EDITOR", editor)],
        80,
        24,
    );
    taxon.wait_for("Taxonomy", WAIT);
    taxon.send("/");
    taxon.send("tides");
    taxon.wait_for("oceanography/tides", WAIT);
    taxon.send("\r");
    taxon.wait_for("tidewatcher-m", WAIT);
    taxon.send("E");
    taxon.wait_for("pty-tester", WAIT);
    taxon.wait_for("unsaved", WAIT);
    taxon
}

#[test]
fn find_edit_and_save_a_leaf_at_80x24() {
    let home = tempfile::tempdir().unwrap();
    let taxonomy = home.path().join("taxonomy");
    let mut taxon = tides_edited_by_the_editor(home.path(), &taxonomy);
    taxon.send("\x13"); // ctrl-s
    taxon.wait_for("saved knowledge/science", WAIT);
    taxon.send("q");
    assert_eq!(taxon.wait_exit(WAIT), 0);
    let file = taxonomy.join("knowledge/science/earth_sciences/oceanography/tides/qna.yaml");
    let text = fs::read_to_string(file).unwrap();
    assert!(text.contains("created_by: pty-tester"));
    assert!(!taxon.on_alternate_screen());
}

#[test]
fn find_edit_save_and_commit_a_leaf_signed_off() {
    git_sandbox::isolate();
    let home = tempfile::tempdir().unwrap();
    let taxonomy = home.path().join("taxonomy");
    let initial = sample_repository(&taxonomy);

    // An answer line of the tides leaf, changed in place by the "editor".
    let editor = "sed -i 's/solar day because the Moon moves/solar day, since the Moon moves/'";
    let mut taxon = Pty::spawn(
        &[taxonomy.to_str().unwrap()],
        home.path(),
        &[("EDITOR", editor)],
        80,
        24,
    );
    taxon.wait_for("Taxonomy", WAIT);
    taxon.wait_for("main", WAIT);
    taxon.send("/");
    taxon.send("tides");
    taxon.wait_for("oceanography/tides", WAIT);
    taxon.send("\r");
    taxon.wait_for("tidewatcher-m", WAIT);
    taxon.send("E");
    taxon.wait_for("unsaved", WAIT);
    taxon.send("\x13"); // ctrl-s
    taxon.wait_for("saved knowledge/science", WAIT);
    taxon.send("c");
    taxon.wait_for(
        "[x] knowledge/science/earth_sciences/oceanography/tides",
        WAIT,
    );
    taxon.send("Tides: clarify why a lunar day is longer");
    taxon.send("\r");
    taxon.wait_for("committed", WAIT);
    taxon.wait_for("0 changed vs main", WAIT);
    taxon.send("q");
    assert_eq!(taxon.wait_exit(WAIT), 0);
    assert!(!taxon.on_alternate_screen());

    let git = |args: &[&str]| git(&taxonomy, args);
    let log = git(&["log", "-1", "--format=%an <%ae>%n%B"]);
    assert_eq!(
        log,
        "Pty Tester <pty@example.com>\nTides: clarify why a lunar day is longer\n\nSigned-off-by: Pty Tester <pty@example.com>\n\n"
    );
    assert_eq!(git(&["rev-parse", "HEAD~1"]).trim(), initial.to_string());
    let leaf = "knowledge/science/earth_sciences/oceanography/tides/qna.yaml";
    assert_eq!(
        git(&["show", "--format=", "--numstat", "HEAD"]),
        format!("1\t1\t{leaf}\n")
    );
    let changed: Vec<String> = git(&["show", "--format=", "--unified=0", "HEAD"])
        .lines()
        .filter(|l| {
            (l.starts_with('+') || l.starts_with('-'))
                && !l.starts_with("+++")
                && !l.starts_with("---")
        })
        .map(str::to_owned)
        .collect();
    assert_eq!(changed.len(), 2, "{changed:?}");
    assert!(changed[0].starts_with('-') && changed[0].contains("solar day because the Moon moves"));
    assert!(changed[1].starts_with('+') && changed[1].contains("solar day, since the Moon moves"));
    assert_eq!(git(&["status", "--porcelain"]), "");

    let validate = std::process::Command::new(env!("CARGO_BIN_EXE_taxon"))
        .args(["validate", taxonomy.join(leaf).to_str().unwrap()])
        .env("HOME", home.path())
        .output()
        .unwrap();
    assert!(
        validate.status.success(),
        "taxon validate: {}{}",
        String::from_utf8_lossy(&validate.stdout),
        String::from_utf8_lossy(&validate.stderr)
    );
}

/// Issue 14 item 8: SIGTERM or SIGHUP left the terminal on the alternate screen, the
/// cursor hidden and echo off; now they end the program as `q` does, the unsaved
/// edit kept as a recovery draft.
#[test]
fn sigterm_and_sighup_restore_the_terminal_and_keep_unsaved_edits() {
    for signal in [libc::SIGTERM, libc::SIGHUP] {
        let home = tempfile::tempdir().unwrap();
        let taxonomy = home.path().join("taxonomy");
        let mut taxon = tides_edited_by_the_editor(home.path(), &taxonomy);
        assert!(taxon.on_alternate_screen() && taxon.cursor_hidden() && !taxon.echoes());
        taxon.signal(signal);
        taxon.wait_exit(WAIT);
        assert!(!taxon.on_alternate_screen(), "signal {signal}: main screen");
        assert!(!taxon.cursor_hidden(), "signal {signal}: cursor shown");
        assert!(taxon.echoes(), "signal {signal}: echo on");
        let drafts: Vec<String> = fs::read_dir(home.path().join("state/drafts"))
            .unwrap()
            .map(|entry| fs::read_to_string(entry.unwrap().path()).unwrap())
            .collect();
        assert!(
            drafts.len() == 1 && drafts[0].contains("created_by: pty-tester"),
            "signal {signal}: the edit is a draft: {drafts:?}"
        );
    }
}

/// Issue 14 item 8: a FIFO named qna.yaml was missing from the tree (and reading it
/// would wait for a writer); it is a leaf with the error validate reports.
#[test]
fn a_fifo_named_qna_yaml_is_a_leaf_with_its_error() {
    let home = tempfile::tempdir().unwrap();
    let taxonomy = home.path().join("taxonomy");
    copy_sample(&taxonomy);
    let folder = taxonomy.join("compositional_skills/fifo_leaf");
    fs::create_dir_all(&folder).unwrap();
    let fifo = std::ffi::CString::new(folder.join("qna.yaml").to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o644) }, 0);
    let mut taxon = Pty::spawn(&[taxonomy.to_str().unwrap()], home.path(), &[], 100, 30);
    taxon.wait_for("Taxonomy", WAIT);
    taxon.send("/");
    taxon.send("fifo_leaf");
    taxon.wait_for("compositional_skills/fifo_leaf", WAIT);
    taxon.send("\r");
    taxon.wait_for("is not a file", WAIT);
    taxon.send("q");
    assert_eq!(taxon.wait_exit(WAIT), 0);
}

/// One bad entry of the keymap file is shown with its place, and the good ones
/// still apply.
#[test]
fn a_bad_keymap_entry_is_placed_and_the_other_overrides_kept() {
    let home = tempfile::tempdir().unwrap();
    let taxonomy = home.path().join("taxonomy");
    copy_sample(&taxonomy);
    fs::create_dir_all(home.path().join("config")).unwrap();
    fs::write(
        home.path().join("config/keymap.toml"),
        "[browse]\n\"z\" = \"zoom\"\n\"Q\" = \"quit\"\n",
    )
    .unwrap();
    let mut taxon = Pty::spawn(&[taxonomy.to_str().unwrap()], home.path(), &[], 200, 30);
    taxon.wait_for("keymap.toml:2:7: no action \"zoom\"", WAIT);
    taxon.send("Q");
    assert_eq!(taxon.wait_exit(WAIT), 0, "Q quits, as the file says");
}

/// The screen once it has not changed for a moment.
fn settled(taxon: &Pty) -> String {
    let start = std::time::Instant::now();
    let mut shown = taxon.screen();
    loop {
        std::thread::sleep(Duration::from_millis(300));
        let now = taxon.screen();
        if now == shown {
            return now;
        }
        assert!(start.elapsed() < WAIT, "the screen never settles:\n{now}");
        shown = now;
    }
}

/// Pages the review screen down while a pane says there is more; everything seen.
fn paged_to_the_end(taxon: &mut Pty) -> String {
    let mut shown = settled(taxon);
    let mut seen = shown.clone();
    for _ in 0..40 {
        if !shown.contains("↓ more") {
            return seen;
        }
        taxon.send("\x1b[6~"); // page down
        let start = std::time::Instant::now();
        while taxon.screen() == shown {
            assert!(start.elapsed() < WAIT, "page-down did nothing:\n{shown}");
            std::thread::sleep(Duration::from_millis(25));
        }
        shown = settled(taxon);
        seen.push('\n');
        seen.push_str(&shown);
    }
    panic!("still more after 40 pages:\n{shown}");
}

/// Issue 19: the review path at 80x24. A leaf whose task description changed and
/// whose answer holds personal data and a topic to avoid, and a broken sibling leaf:
/// every change and warning can be reached on screen.
#[test]
fn review_every_change_and_warning_at_80x24() {
    git_sandbox::isolate();
    let home = tempfile::tempdir().unwrap();
    let taxonomy = home.path().join("taxonomy");
    copy_sample(&taxonomy);
    taxon::git::init_repository_with_files(&taxonomy, "Initial taxonomy", None).unwrap();
    let repo = taxon::git::TaxonomyRepo::open(&taxonomy).unwrap();
    let mut config = repo.repository().config().unwrap();
    config.set_str("user.name", "Pty Tester").unwrap();
    config.set_str("user.email", "pty@example.com").unwrap();
    repo.create_branch("contribution").unwrap();
    let logic = taxonomy.join("compositional_skills/philosophy/logic");
    let file = logic.join("logical_fallacies/qna.yaml");
    let text = fs::read_to_string(&file).unwrap();
    let (short, laptops) = (
        "Identify the logical fallacy in a short",
        "Many mid-priced laptops",
    );
    assert!(text.contains(short) && text.contains(laptops));
    let text = text.replace(short, "Identify the logical fallacy in a long").replace(
        laptops,
        "Call 415-555-2671 or write to jane.doe@gmail.com before the shooting. Many mid-priced laptops",
    );
    fs::write(&file, text).unwrap();
    fs::create_dir_all(logic.join("broken")).unwrap();
    fs::write(
        logic.join("broken/qna.yaml"),
        "version: 3\ntask_description: [unclosed\n",
    )
    .unwrap();

    let mut taxon = Pty::spawn(&[taxonomy.to_str().unwrap()], home.path(), &[], 80, 24);
    taxon.wait_for("Taxonomy", WAIT);
    taxon.wait_for("contribution", WAIT);
    taxon.send("R");
    taxon.wait_for("Review · 2 leaves", WAIT);
    taxon.wait_for("This leaf cannot be read", WAIT);
    let broken = paged_to_the_end(&mut taxon);
    for shown in [
        "compositional_skills/philosophy/logic/broken/qna.yaml:",
        "3:1: syntax error",
        "- seed examples: not run",
        "- personal data: not run",
        "- topics to avoid: not run",
    ] {
        assert!(broken.contains(shown), "{shown:?} never shown:\n{broken}");
    }
    assert!(!broken.contains("removed"), "{broken}");

    taxon.send("J");
    taxon.wait_for("Leaf fields · changed against main", WAIT);
    let fields = paged_to_the_end(&mut taxon);
    for shown in [
        "- task_description: Identify the logical fallacy in a",
        "short everyday argument",
        "+ task_description: Identify the logical fallacy in a",
        "long everyday argument",
        "! likely personal data:",
        "jane.doe@gmail.com",
        "415-555-2671",
        "! topics to avoid, by keyword: violence",
    ] {
        assert!(fields.contains(shown), "{shown:?} never shown:\n{fields}");
    }

    // The third example holds the personal data: its diff, every line of it.
    taxon.send("jjj");
    taxon.wait_for("Example 3/7 · modified", WAIT);
    let example = paged_to_the_end(&mut taxon);
    for shown in [
        "- answer: This is a false dilemma",
        "+ answer: This is a false dilemma",
        "Call 415-555-2671 or write to jane.doe@gmail.com",
    ] {
        assert!(example.contains(shown), "{shown:?} never shown:\n{example}");
    }
    taxon.send("q");
    taxon.wait_for("Taxonomy", WAIT);
    taxon.send("q");
    assert_eq!(taxon.wait_exit(WAIT), 0);
    assert!(!taxon.on_alternate_screen());
}
