//! The git screens headlessly: key sequences that commit with a sign-off, create and
//! switch branches and discard a leaf's changes, on a copy of the sample taxonomy made
//! a git repository; snapshots of the diff view and the commit dialog.

#[path = "support/git_sandbox.rs"]
mod git_sandbox;
#[path = "support/tui_harness.rs"]
mod tui_harness;

use std::fs;
use std::path::{Path, PathBuf};

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Color;
use taxon::git::{Base, TaxonomyRepo};
use taxon::tui::load::GitState;
use taxon::tui::marks::LeafMarks;
use taxon::tui::msg::Msg;
use taxon::tui::popups::branches::BranchPicker;
use taxon::tui::popups::commit::CommitDialog;
use taxon::tui::popups::diff::DiffView;
use taxon::tui::popups::git_questions::{ConfirmDiscard, ConfirmSwitch};
use tui_harness::Harness;

const TIDES: &str = "oceanography/tides";
const OWNERSHIP: &str = "rust/ownership";
const ANSWER: &str = "solar day because the Moon moves";
const EDITED: &str = "solar day, because the Moon moves";

/// A copy of the sample taxonomy committed on `main`, with an identity configured.
fn repo_copy() -> (tempfile::TempDir, Harness) {
    git_sandbox::isolate();
    let (dir, harness) = Harness::open_copy();
    taxon::git::init_repository_with_files(dir.path(), "Initial taxonomy", Some(1_700_000_000))
        .unwrap();
    let repo = git2::Repository::open(dir.path()).unwrap();
    let mut config = repo.config().unwrap();
    config.set_str("user.name", "Test Author").unwrap();
    config.set_str("user.email", "author@example.com").unwrap();
    (dir, harness)
}

/// Sends the git marks as the runtime would after a save.
fn refresh_marks(harness: &mut Harness, root: &Path) {
    let repo = TaxonomyRepo::open(root).unwrap();
    let marks = LeafMarks::from_changes(&repo.changes(&Base::Default).unwrap());
    harness.send(Msg::GitState(GitState {
        marks: Ok(marks),
        branch: repo.current_branch(),
    }));
}

/// Selects the leaf, edits its answer through the "editor" and saves it.
fn edit_and_save(
    harness: &mut Harness,
    suffix: &str,
    from: &'static str,
    to: &'static str,
) -> PathBuf {
    let folder = harness.select(suffix);
    harness.editor = Box::new(move |text| Ok(text.replace(from, to)));
    harness.press("E ctrl-s");
    assert!(!harness.app.shared.open.is_dirty(&folder), "saved");
    folder
}

fn notice(harness: &Harness) -> String {
    harness
        .app
        .shared
        .notice
        .as_ref()
        .map(|n| n.text.clone())
        .unwrap_or_default()
}

fn head(dir: &Path) -> (String, String, Vec<String>) {
    let repo = git2::Repository::open(dir).unwrap();
    let commit = repo.head().unwrap().peel_to_commit().unwrap();
    let parent = commit.parent(0).unwrap();
    let diff = repo
        .diff_tree_to_tree(
            Some(&parent.tree().unwrap()),
            Some(&commit.tree().unwrap()),
            None,
        )
        .unwrap();
    let files = diff
        .deltas()
        .map(|d| d.new_file().path().unwrap().display().to_string())
        .collect();
    let author = commit.author();
    (
        commit.message().unwrap().to_owned(),
        format!("{} <{}>", author.name().unwrap(), author.email().unwrap()),
        files,
    )
}

fn screen(harness: &mut Harness, dir: &Path) -> String {
    let text = harness.render(80, 24);
    text.replace(dir.to_str().unwrap(), "[TAXONOMY]")
}

#[test]
fn commit_from_the_dialog_is_signed_off_by_the_author() {
    let (dir, mut harness) = repo_copy();
    let folder = edit_and_save(&mut harness, TIDES, ANSWER, EDITED);
    refresh_marks(&mut harness, dir.path());
    assert_eq!(harness.app.shared.marks.changed_count(), 1);

    harness.press("c");
    let Some(dialog) = harness.app.popup::<CommitDialog>() else {
        panic!("the commit dialog is open");
    };
    assert_eq!(dialog.chosen(), vec![folder.clone()]);
    harness.press("text:Tides: space text:add space text:a space text:comma enter");
    assert!(!harness.app.has_popup(), "{}", notice(&harness));
    let said = notice(&harness);
    assert!(said.starts_with("committed "), "{said}");
    assert!(
        said.contains("Signed-off-by: Test Author <author@example.com>"),
        "{said}"
    );

    let (message, author, files) = head(dir.path());
    assert_eq!(
        message,
        format!("Tides: add a comma\n\nSigned-off-by: {author}\n")
    );
    assert_eq!(files, vec![folder.join("qna.yaml").display().to_string()]);
    assert_eq!(
        harness.app.shared.marks.changed_count(),
        0,
        "the tree's marks are refreshed after the commit"
    );
}

#[test]
fn the_commit_dialog_shows_placeholders_left_and_asks_before_committing_them() {
    let (dir, mut harness) = repo_copy();
    harness.app.shared.author.created_by = Some("ada-l".into());
    harness.press("a down enter text:tech tab text:release space text:notes enter enter enter");
    let folder = Path::new("compositional_skills/grounded/technology/release_notes");
    assert!(dir.path().join(folder).join("qna.yaml").is_file());
    refresh_marks(&mut harness, dir.path());

    harness.press("c");
    let screen = screen(&mut harness, dir.path());
    assert!(
        screen.contains("! still (fill me in) (placeholder): task_description,")
            && screen.contains("example 1 context, example 1 question, example 1 answer")
            && screen.contains("and 12 more"),
        "the leaf's placeholders are shown:\n{screen}"
    );
    harness.press("text:Release space text:notes enter");
    assert!(
        harness.app.popup::<CommitDialog>().is_some(),
        "not committed at once: {}",
        notice(&harness)
    );
    assert!(
        notice(&harness).contains("still hold (fill me in) placeholders"),
        "{}",
        notice(&harness)
    );
    harness.press("enter");
    assert!(!harness.app.has_popup(), "{}", notice(&harness));
    assert!(
        notice(&harness).starts_with("committed "),
        "{}",
        notice(&harness)
    );
    let (message, _, files) = head(dir.path());
    assert!(message.starts_with("Release notes"));
    assert!(files.contains(&folder.join("qna.yaml").display().to_string()));
}

#[test]
fn a_save_refreshes_the_git_marks_as_the_runtime_does() {
    let (_dir, mut harness) = repo_copy();
    assert_eq!(harness.app.shared.marks.changed_count(), 0);
    edit_and_save(&mut harness, TIDES, ANSWER, EDITED);
    assert_eq!(
        harness.app.shared.marks.changed_count(),
        1,
        "the saved leaf is read again with the git state, through the runtime's executor"
    );
}

#[test]
fn the_commit_dialog_types_only_where_the_keyboard_is() {
    let (dir, mut harness) = repo_copy();
    let tides = edit_and_save(&mut harness, TIDES, ANSWER, EDITED);
    let ownership = edit_and_save(&mut harness, OWNERSHIP, "ownership", "Ownership");
    harness.press("c text:Add space text:haiku");
    let dialog = |h: &Harness| h.app.popup::<CommitDialog>().unwrap().clone();
    assert_eq!(dialog(&harness).message.text(), "Add haiku");
    // In the list of leaves, letters are not typed into the message and space ticks.
    harness.press("tab text:xyz");
    assert_eq!(dialog(&harness).message.text(), "Add haiku");
    let listed: Vec<PathBuf> = dialog(&harness)
        .leaves
        .unwrap()
        .into_iter()
        .map(|(f, _)| f)
        .collect();
    let position = listed.iter().position(|f| *f == ownership).unwrap();
    for _ in 0..position {
        harness.press("down");
    }
    harness.press("space");
    assert_eq!(dialog(&harness).chosen(), vec![tides.clone()]);
    assert_eq!(dialog(&harness).message.text(), "Add haiku", "space ticked");
    // Back in the message, space is a space.
    harness.press("tab space text:skill enter");
    assert!(!harness.app.has_popup(), "{}", notice(&harness));
    let (message, author, files) = head(dir.path());
    assert_eq!(
        message,
        format!("Add haiku skill\n\nSigned-off-by: {author}\n")
    );
    assert_eq!(files, vec![tides.join("qna.yaml").display().to_string()]);
}

#[test]
fn commit_refuses_unsaved_edits_and_commits_only_ticked_leaves() {
    let (dir, mut harness) = repo_copy();
    let tides = edit_and_save(&mut harness, TIDES, ANSWER, EDITED);
    let ownership = harness.select(OWNERSHIP);
    harness.editor = Box::new(|text| Ok(format!("{text}# unsaved\n")));
    harness.press("E c");
    assert!(!harness.app.has_popup());
    assert!(
        notice(&harness).contains("save (w) or revert (u)"),
        "{}",
        notice(&harness)
    );
    harness.press("ctrl-s");
    let before = git2::Repository::open(dir.path())
        .unwrap()
        .head()
        .unwrap()
        .target();
    harness.press("c text:Never esc");
    assert!(!harness.app.has_popup(), "esc cancels");
    let after = git2::Repository::open(dir.path())
        .unwrap()
        .head()
        .unwrap()
        .target();
    assert_eq!(before, after, "nothing was committed");

    harness.press("c");
    let Some(dialog) = harness.app.popup::<CommitDialog>() else {
        panic!("the commit dialog is open");
    };
    let listed: Vec<PathBuf> = dialog
        .leaves
        .iter()
        .flatten()
        .map(|(f, _)| f.clone())
        .collect();
    let position = listed.iter().position(|f| *f == ownership).unwrap();
    assert_eq!(listed.len(), 2);
    harness.press("enter");
    assert!(
        notice(&harness).contains("message"),
        "an empty message is refused"
    );
    harness.press("tab");
    for _ in 0..position {
        harness.press("down");
    }
    harness.press("space tab text:Tides enter");
    assert!(!harness.app.has_popup(), "{}", notice(&harness));
    let (_, _, files) = head(dir.path());
    assert_eq!(files, vec![tides.join("qna.yaml").display().to_string()]);
    let repo = TaxonomyRepo::open(dir.path()).unwrap();
    assert_eq!(repo.leaves_changed_since_head().unwrap(), vec![ownership]);
}

#[test]
fn branches_are_created_and_switched_from_the_picker() {
    let (dir, mut harness) = repo_copy();
    harness.press("b");
    let Some(picker) = harness.app.popup::<BranchPicker>() else {
        panic!("the branch picker is open");
    };
    assert_eq!(picker.choices().len(), 1, "main only");
    harness.press("text:add-tides enter");
    assert_eq!(
        harness.app.shared.branch.as_deref(),
        Some("add-tides"),
        "{}",
        notice(&harness)
    );

    let folder = edit_and_save(&mut harness, TIDES, ANSWER, EDITED);
    harness.press("c text:Tides enter");
    let file = dir.path().join(&folder).join("qna.yaml");
    assert!(fs::read_to_string(&file).unwrap().contains(EDITED));

    harness.press("b text:main enter");
    assert_eq!(
        harness.app.shared.branch.as_deref(),
        Some("main"),
        "{}",
        notice(&harness)
    );
    assert!(fs::read_to_string(&file).unwrap().contains(ANSWER));
    let index = harness.app.shared.taxonomy.find(&folder).unwrap();
    assert!(
        harness.app.shared.taxonomy.leaves[index]
            .text
            .as_deref()
            .unwrap()
            .contains(ANSWER),
        "the taxonomy is reloaded after the switch"
    );

    // Saved, uncommitted changes in the way: refused, naming the file.
    edit_and_save(&mut harness, TIDES, ANSWER, "solar day; the Moon moves");
    harness.press("b text:add enter");
    assert_eq!(harness.app.shared.branch.as_deref(), Some("main"));
    assert!(
        notice(&harness).contains("tides/qna.yaml"),
        "{}",
        notice(&harness)
    );
    assert!(
        fs::read_to_string(&file)
            .unwrap()
            .contains("solar day; the Moon moves")
    );
}

#[test]
fn switching_with_unsaved_edits_asks_first() {
    let (_dir, mut harness) = repo_copy();
    harness.press("b text:other enter b text:main enter");
    assert_eq!(harness.app.shared.branch.as_deref(), Some("main"));
    let folder = harness.select(OWNERSHIP);
    harness.editor = Box::new(|text| Ok(format!("{text}# unsaved\n")));
    harness.press("E b text:other enter");
    assert!(harness.app.popup::<ConfirmSwitch>().is_some());
    harness.press("esc");
    assert_eq!(
        harness.app.shared.branch.as_deref(),
        Some("main"),
        "esc stays"
    );
    harness.press("b text:other enter y");
    assert_eq!(harness.app.shared.branch.as_deref(), Some("other"));
    assert!(
        harness.app.shared.open.is_dirty(&folder),
        "the edits stay open"
    );
}

#[test]
fn discard_names_what_is_lost_and_asks() {
    let (dir, mut harness) = repo_copy();
    let folder = harness.select(TIDES);
    harness.editor = Box::new(|text| Ok(text.replace(ANSWER, EDITED)));
    harness.press("E X");
    assert!(!harness.app.has_popup(), "unsaved edits are not discarded");
    assert!(
        notice(&harness).contains("revert them (u)"),
        "{}",
        notice(&harness)
    );
    harness.press("ctrl-s");
    let file = dir.path().join(&folder).join("qna.yaml");

    harness.press("X");
    let Some(ConfirmDiscard { diff, .. }) = harness.app.popup::<ConfirmDiscard>() else {
        panic!("discard asks first: {}", notice(&harness));
    };
    assert_eq!(
        diff.files,
        vec![folder.join("qna.yaml").display().to_string()]
    );
    let screen = screen(&mut harness, dir.path());
    assert!(screen.contains("tides/qna.yaml"), "{screen}");
    assert!(
        screen.contains("1 line written since HEAD is LOST, 1 comes back"),
        "{screen}"
    );
    harness.press("esc");
    assert!(!harness.app.has_popup());
    assert!(
        fs::read_to_string(&file).unwrap().contains(EDITED),
        "esc keeps it"
    );

    harness.press("X x");
    assert!(
        harness.app.popup::<ConfirmDiscard>().is_some(),
        "only the offered keys answer"
    );
    harness.press("y");
    assert!(!harness.app.has_popup());
    assert!(fs::read_to_string(&file).unwrap().contains(ANSWER));
    let index = harness.app.shared.taxonomy.find(&folder).unwrap();
    assert!(
        harness.app.shared.taxonomy.leaves[index]
            .text
            .as_deref()
            .unwrap()
            .contains(ANSWER),
        "the leaf is read again"
    );
    harness.press("X");
    assert!(notice(&harness).starts_with("nothing to discard"));
}

#[test]
fn discarding_a_new_leaf_removes_the_folders_it_made() {
    let (dir, mut harness) = repo_copy();
    harness.app.shared.author.created_by = Some("ada-l".into());
    harness
        .press("a down enter text:tech tab text:drafts/release space text:notes enter enter enter");
    let folder = Path::new("compositional_skills/grounded/technology/drafts/release_notes");
    assert!(
        dir.path().join(folder).join("qna.yaml").is_file(),
        "the wizard made the leaf: {}",
        notice(&harness)
    );
    let index = harness.app.shared.taxonomy.find(folder).unwrap();
    harness.app.shared.open_leaf(index);
    harness.press("X");
    assert!(
        harness.app.popup::<ConfirmDiscard>().is_some(),
        "{}",
        notice(&harness)
    );
    harness.press("y");
    assert!(!dir.path().join(folder).exists());
    assert!(
        !dir.path()
            .join("compositional_skills/grounded/technology/drafts")
            .exists(),
        "no empty folder is left behind"
    );
    assert!(
        dir.path()
            .join("compositional_skills/grounded/technology")
            .is_dir()
    );
    assert!(harness.app.shared.taxonomy.find(folder).is_none());
}

#[test]
fn diff_view_at_80x24() {
    let (dir, mut harness) = repo_copy();
    edit_and_save(&mut harness, TIDES, ANSWER, EDITED);
    refresh_marks(&mut harness, dir.path());
    harness.press("d");
    insta::assert_snapshot!(screen(&mut harness, dir.path()));

    // The changed lines are coloured: removed red, added green.
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    terminal.draw(|frame| harness.app.draw(frame)).unwrap();
    let buffer = terminal.backend().buffer();
    let colour_of = |line: &str| {
        (0..24).find_map(|y| {
            let row: String = (0..80).map(|x| buffer[(x, y)].symbol()).collect();
            let x = row.find(line)?;
            let column = row[..x].chars().count() as u16;
            Some(buffer[(column, y)].fg)
        })
    };
    assert_eq!(colour_of("-          solar day because"), Some(Color::Red));
    assert_eq!(
        colour_of("+          solar day, because"),
        Some(Color::Green)
    );

    harness.press("j j");
    let Some(view) = harness.app.popup::<DiffView>() else {
        panic!("the diff view is open");
    };
    assert_eq!(view.scroll, 2);
    let lines = view.diff.as_ref().unwrap().lines.len() as u16;
    harness.press("pagedown pagedown pagedown");
    let Some(view) = harness.app.popup::<DiffView>() else {
        panic!("the diff view is open");
    };
    assert_eq!(view.scroll, lines - 1, "scrolling stops at the last line");
    harness.press("esc");
    assert!(!harness.app.has_popup());
}

#[test]
fn commit_dialog_at_80x24() {
    let (dir, mut harness) = repo_copy();
    edit_and_save(&mut harness, TIDES, ANSWER, EDITED);
    edit_and_save(&mut harness, OWNERSHIP, "ownership", "Ownership");
    refresh_marks(&mut harness, dir.path());
    harness.press("c text:Clarify space text:two space text:answers tab down space");
    insta::assert_snapshot!(screen(&mut harness, dir.path()));
}
