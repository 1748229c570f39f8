//! End to end: the real binary in a pseudo-terminal, as a contributor uses it.

#[path = "support/pty.rs"]
mod pty;

use std::fs;
use std::path::Path;
use std::time::Duration;

use pty::Pty;

const WAIT: Duration = Duration::from_secs(15);

fn copy_sample(to: &Path) {
    for entry in walkdir::WalkDir::new("sample-taxonomy") {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix("sample-taxonomy").unwrap());
        if entry.file_type().is_dir() {
            fs::create_dir_all(&target).unwrap();
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

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

#[test]
fn find_edit_and_save_a_leaf_at_80x24() {
    let home = tempfile::tempdir().unwrap();
    let taxonomy = home.path().join("taxonomy");
    copy_sample(&taxonomy);
    let editor = "sed -i 's/created_by: tidewatcher-m/created_by: pty-tester/'";
    let mut taxon = Pty::spawn(
        &[taxonomy.to_str().unwrap()],
        home.path(),
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
    taxon.send("\x13"); // ctrl-s
    taxon.wait_for("saved knowledge/science", WAIT);
    taxon.send("q");
    assert_eq!(taxon.wait_exit(WAIT), 0);
    let file = taxonomy.join("knowledge/science/earth_sciences/oceanography/tides/qna.yaml");
    let text = fs::read_to_string(file).unwrap();
    assert!(text.contains("created_by: pty-tester"));
    assert!(!taxon.on_alternate_screen());
}
