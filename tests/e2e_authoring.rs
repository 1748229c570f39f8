//! End to end: a new leaf made with the wizard in the real binary, a field of it
//! edited in the text area and saved; `created_by` comes from git config.

#[path = "support/pty.rs"]
mod pty;

use std::fs;
use std::process::Command;
use std::time::Duration;

use pty::{Pty, copy_sample};

const WAIT: Duration = Duration::from_secs(15);

#[test]
fn create_a_leaf_with_the_wizard_edit_it_and_save() {
    let home = tempfile::tempdir().unwrap();
    let taxonomy = home.path().join("taxonomy");
    copy_sample(&taxonomy);
    let repo = git2::Repository::init(&taxonomy).unwrap();
    let mut config = repo
        .config()
        .unwrap()
        .open_level(git2::ConfigLevel::Local)
        .unwrap();
    config
        .set_str("user.email", "pty.author@example.org")
        .unwrap();

    let mut taxon = Pty::spawn(&[taxonomy.to_str().unwrap()], home.path(), &[], 100, 30);
    taxon.wait_for("Taxonomy", WAIT);
    taxon.send("a");
    taxon.wait_for("New leaf · step 1 of 4", WAIT);
    taxon.send("\r");
    taxon.send("science/Sound Waves");
    taxon.wait_for("compositional_skills/science/sound_waves", WAIT);
    taxon.send("\r");
    taxon.wait_for("pty.author", WAIT);
    taxon.send("\r");
    taxon.wait_for("Create this leaf?", WAIT);
    taxon.send("\r");
    taxon.wait_for("created compositional_skills/science/sound_waves", WAIT);

    taxon.send("e");
    taxon.wait_for("task_description ·", WAIT);
    taxon.send("\x0b"); // ctrl-k: delete the placeholder line
    taxon.send("Explain how sound travels.");
    // Valid, with the other placeholders' warnings.
    taxon.wait_for("valid with this edit, 10 warnings", WAIT);
    taxon.send("\x13"); // ctrl-s: apply
    taxon.wait_for("unsaved", WAIT);
    taxon.send("\x13"); // ctrl-s: save
    taxon.wait_for("saved compositional_skills/science/sound_waves", WAIT);
    taxon.send("q");
    assert_eq!(taxon.wait_exit(WAIT), 0);
    assert!(!taxon.on_alternate_screen(), "the terminal is restored");

    let leaf = taxonomy.join("compositional_skills/science/sound_waves");
    let text = fs::read_to_string(leaf.join("qna.yaml")).unwrap();
    assert!(
        text.contains("\ntask_description: Explain how sound travels.\n"),
        "{text}"
    );
    assert!(text.contains("\ncreated_by: pty.author\n"), "{text}");
    assert!(leaf.join("attribution.txt").is_file());
    let validate = Command::new(env!("CARGO_BIN_EXE_taxon"))
        .arg("validate")
        .arg(&leaf)
        .output()
        .unwrap();
    assert!(
        validate.status.success(),
        "{}",
        String::from_utf8_lossy(&validate.stdout)
    );
}
