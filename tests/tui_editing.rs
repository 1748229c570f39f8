//! Editing headlessly: an edit through the external editor is validated live,
//! saved atomically, never written over a file changed underneath, kept as a draft
//! until saved, and never lost on quit without a question.

#[path = "support/tui_harness.rs"]
mod tui_harness;

use std::fs;
use std::path::PathBuf;

use taxon::tui::msg::Effect;
use taxon::tui::popups::conflict::Conflict;
use taxon::tui::popups::question::{ConfirmQuit, ConfirmRevert, ConfirmSaveBroken, Recover};
use taxon::tui::tree::Row;
use tui_harness::Harness;

const LEAF: &str = "oceanography/tides";

#[test]
fn an_edit_is_validated_kept_as_a_draft_and_saved() {
    let (dir, mut harness) = Harness::open_copy();
    let folder = harness.select(LEAF);
    harness.editor =
        Box::new(|text| Ok(text.replace("created_by: tidewatcher-m", "created_by: ''")));
    harness.press("E");
    assert!(harness.app.shared.open.is_dirty(&folder));
    let report = harness
        .app
        .shared
        .report_of(harness.app.shared.tree.selected_leaf().unwrap());
    assert!(
        report.diagnostics.iter().any(|d| d.rule == "minLength"),
        "the edited text is validated at once: {:?}",
        report.diagnostics
    );
    assert_eq!(
        harness.drafts.for_root(dir.path()).len(),
        1,
        "a draft is kept"
    );
    let file = dir.path().join(&folder).join("qna.yaml");
    assert!(
        fs::read_to_string(&file).unwrap().contains("tidewatcher-m"),
        "not saved yet"
    );

    harness.press("ctrl-s");
    assert!(
        fs::read_to_string(&file)
            .unwrap()
            .contains("created_by: ''")
    );
    assert!(!harness.app.shared.open.is_dirty(&folder));
    assert!(
        harness.drafts.for_root(dir.path()).is_empty(),
        "the draft is gone once saved"
    );
    let index = harness.app.shared.tree.selected_leaf().unwrap();
    assert!(
        !harness.app.shared.taxonomy.leaves[index].report.is_valid(),
        "the saved file is re-read"
    );
}

/// Edits the tides leaf's `created_by` to `mine` (unsaved), then changes its file
/// on disk, `from` replaced by `to`: the leaf's folder, its file and the text on disk.
fn mine_unsaved_theirs_on_disk(
    dir: &tempfile::TempDir,
    harness: &mut Harness,
    from: &str,
    to: &str,
) -> (PathBuf, PathBuf, String) {
    let folder = harness.select(LEAF);
    let file = dir.path().join(&folder).join("qna.yaml");
    harness.editor = Box::new(|text| Ok(text.replace("tidewatcher-m", "mine")));
    harness.press("E");
    let theirs = fs::read_to_string(&file).unwrap().replace(from, to);
    fs::write(&file, &theirs).unwrap();
    (folder, file, theirs)
}

#[test]
fn a_file_changed_underneath_is_never_overwritten_blindly() {
    let (dir, mut harness) = Harness::open_copy();
    let (folder, file, theirs) =
        mine_unsaved_theirs_on_disk(&dir, &mut harness, "tidewatcher-m", "theirs");

    harness.press("ctrl-s");
    assert!(harness.app.popup::<Conflict>().is_some());
    assert_eq!(
        fs::read_to_string(&file).unwrap(),
        theirs,
        "nothing was written"
    );
    harness.press("x");
    assert!(
        harness.app.popup::<Conflict>().is_some(),
        "only the offered keys answer"
    );

    harness.press("k");
    assert!(
        fs::read_to_string(&file)
            .unwrap()
            .contains("created_by: mine")
    );

    harness.editor = Box::new(|text| Ok(text.replace("created_by: mine", "created_by: again")));
    harness.press("E");
    fs::write(&file, &theirs).unwrap();
    harness.press("ctrl-s r");
    assert_eq!(fs::read_to_string(&file).unwrap(), theirs);
    assert!(
        !harness.app.shared.open.is_dirty(&folder),
        "reload took the disk's version"
    );
}

#[test]
fn the_change_on_disk_is_shown_and_merged_with_edits_of_other_lines() {
    let (dir, mut harness) = Harness::open_copy();
    let (folder, file, _) = mine_unsaved_theirs_on_disk(
        &dir,
        &mut harness,
        "How long is a lunar day",
        "How long is a moon day",
    );

    harness.press("ctrl-s");
    let screen = harness.render(120, 50);
    assert!(
        screen.contains("-      - question: How long is a lunar day")
            && screen.contains("+      - question: How long is a moon day"),
        "the change on disk is shown:\n{screen}"
    );
    assert!(screen.contains("merge"), "a merge is offered:\n{screen}");
    harness.press("m");
    let merged = fs::read_to_string(&file).unwrap();
    assert!(
        merged.contains("created_by: mine") && merged.contains("How long is a moon day"),
        "both edits are kept:\n{merged}"
    );
    assert!(!harness.app.has_popup());
    assert!(!harness.app.shared.open.is_dirty(&folder));

    // Edits of the same line cannot be merged, and keep mine replaces only the
    // version shown: a newer change on disk asks again.
    harness.editor = Box::new(|text| Ok(text.replace("created_by: mine", "created_by: again")));
    harness.press("E");
    fs::write(
        &file,
        merged.replace("created_by: mine", "created_by: theirs"),
    )
    .unwrap();
    harness.press("ctrl-s");
    let screen = harness.render(120, 50);
    assert!(screen.contains("+created_by: theirs"), "{screen}");
    assert!(screen.contains("cannot be"), "{screen}");
    harness.press("m");
    assert!(
        harness.app.popup::<Conflict>().is_some(),
        "no merge offered"
    );
    let newer = merged.replace("created_by: mine", "created_by: newer");
    fs::write(&file, &newer).unwrap();
    harness.press("k");
    assert_eq!(
        fs::read_to_string(&file).unwrap(),
        newer,
        "not seen, not lost"
    );
    assert!(harness.app.popup::<Conflict>().is_some(), "asked again");
    assert!(harness.render(120, 50).contains("+created_by: newer"));
    harness.press("k");
    assert!(
        fs::read_to_string(&file)
            .unwrap()
            .contains("created_by: again")
    );
}

#[test]
fn a_file_deleted_on_disk_is_said_deleted_and_written_again_only_when_asked() {
    let (dir, mut harness) = Harness::open_copy();
    let (folder, file, _) = mine_unsaved_theirs_on_disk(&dir, &mut harness, "", "");
    fs::remove_file(&file).unwrap();

    harness.press("ctrl-s");
    let screen = harness.render(120, 40);
    assert!(screen.contains("Deleted on disk"), "{screen}");
    assert!(screen.contains("was deleted on disk"), "{screen}");
    assert!(!file.exists(), "nothing was written");
    harness.press("k");
    assert!(
        fs::read_to_string(&file)
            .unwrap()
            .contains("created_by: mine")
    );
    assert!(!harness.app.shared.open.is_dirty(&folder));
}

#[test]
fn saving_a_text_that_does_not_parse_says_where_and_asks_first() {
    let (dir, mut harness) = Harness::open_copy();
    let folder = harness.select(LEAF);
    let file = dir.path().join(&folder).join("qna.yaml");
    let before = fs::read_to_string(&file).unwrap();
    harness.editor =
        Box::new(
            |text| Ok(text.replace("created_by: tidewatcher-m", "created_by: [tidewatcher-m")),
        );
    harness.press("E w");
    assert!(harness.app.popup::<ConfirmSaveBroken>().is_some());
    let screen = harness.render(120, 40);
    assert!(
        screen.contains("does not parse: line") && screen.contains("4, column 14: expected"),
        "says where:\n{screen}"
    );
    assert_eq!(fs::read_to_string(&file).unwrap(), before, "not saved yet");
    harness.press("esc");
    assert!(harness.render(120, 40).contains("not saved"));
    assert!(harness.app.shared.open.is_dirty(&folder));
    assert_eq!(fs::read_to_string(&file).unwrap(), before);

    harness.press("q");
    let screen = harness.render(120, 40);
    assert!(
        screen.contains("does not parse: line 4, column 14"),
        "quitting says so too:\n{screen}"
    );
    harness.press("esc w y");
    assert!(
        fs::read_to_string(&file)
            .unwrap()
            .contains("created_by: [tidewatcher-m"),
        "saved when asked to"
    );
    assert!(!harness.app.shared.open.is_dirty(&folder));
}

/// The leaves with errors the folder `path` counts, as its tree row shows.
fn invalid_below(harness: &Harness, path: &str) -> usize {
    harness
        .app
        .shared
        .tree
        .rows
        .iter()
        .find_map(|row| match row {
            Row::Folder { path: p, stats, .. } if p.as_path() == std::path::Path::new(path) => {
                Some(stats.invalid)
            }
            _ => None,
        })
        .expect("the folder's row")
}

#[test]
fn errors_in_unsaved_edits_count_in_the_folders_and_for_n() {
    let (_dir, mut harness) = Harness::open_copy();
    assert_eq!(invalid_below(&harness, "knowledge"), 0);
    harness.press("n");
    assert!(
        harness.render(120, 40).contains("no leaf has errors"),
        "the sample is clean"
    );
    let folder = harness.select(LEAF);
    harness.editor =
        Box::new(|text| Ok(text.replace("created_by: tidewatcher-m", "created_by: ''")));
    harness.press("E");
    assert_eq!(
        invalid_below(&harness, "knowledge"),
        1,
        "the folder counts the edited leaf's errors"
    );

    harness.select("grammar/run_on_sentences");
    harness.press("n");
    let selected = harness.app.shared.tree.selected_leaf().unwrap();
    assert_eq!(
        harness.app.shared.taxonomy.leaves[selected].folder, folder,
        "n finds the edited leaf's errors"
    );

    harness.press("u y");
    assert_eq!(
        invalid_below(&harness, "knowledge"),
        0,
        "discarded edits no longer count"
    );
}

#[test]
fn quitting_with_unsaved_edits_asks_first() {
    let (dir, mut harness) = Harness::open_copy();
    let folder = harness.select(LEAF);
    harness.editor = Box::new(|text| Ok(text.replace("tidewatcher-m", "someone")));
    harness.press("E q");
    assert!(!harness.effects.contains(&Effect::Quit));
    let Some(ConfirmQuit { dirty }) = harness.app.popup::<ConfirmQuit>() else {
        panic!("quit asks first");
    };
    assert_eq!(dirty, &vec![folder.clone()]);
    harness.press("esc");
    assert!(!harness.app.has_popup());
    assert!(
        harness.app.shared.open.is_dirty(&folder),
        "esc keeps the edits"
    );

    harness.press("q s");
    assert!(harness.effects.contains(&Effect::Quit), "quits once saved");
    let text = fs::read_to_string(dir.path().join(&folder).join("qna.yaml")).unwrap();
    assert!(text.contains("created_by: someone"));
}

#[test]
fn drafts_are_offered_again_and_restored() {
    let (dir, mut harness) = Harness::open_copy();
    let folder = harness.select(LEAF);
    harness.editor = Box::new(|text| Ok(text.replace("tidewatcher-m", "survivor")));
    harness.press("E");
    let drafts = harness.drafts.for_root(dir.path());
    assert_eq!(drafts.len(), 1);

    // A new session on the same taxonomy, as after a crash.
    let mut next = Harness::open(dir.path());
    next.send(taxon::tui::msg::Msg::DraftsFound(drafts));
    assert!(next.app.popup::<Recover>().is_some());
    next.press("y");
    assert!(next.app.shared.open.is_dirty(&folder));
    let open = next.app.shared.open.get(&folder).unwrap();
    assert!(open.buffer.text.contains("created_by: survivor"));
}

#[test]
fn revert_asks_and_lists_the_lines_lost() {
    let (_dir, mut harness) = Harness::open_copy();
    let folder = harness.select(LEAF);
    harness.editor = Box::new(|text| Ok(text.replace("tidewatcher-m", "gone")));
    harness.press("E u");
    assert!(
        matches!(harness.app.popup::<ConfirmRevert>(), Some(ConfirmRevert { folder: f, .. }) if *f == folder)
    );
    let screen = harness.render(120, 40);
    assert!(
        screen.contains("Lines edited since the last save, LOST: 1; saved lines that come back: 1")
            && screen.contains("-created_by: tidewatcher-m")
            && screen.contains("+created_by: gone"),
        "u lists the lines lost:\n{screen}"
    );
    harness.press("y");
    assert!(!harness.app.shared.open.is_dirty(&folder));
}

#[test]
fn long_changes_leave_the_answers_on_screen_at_80x24() {
    let (dir, mut harness) = Harness::open_copy();
    let (_, file, _) = mine_unsaved_theirs_on_disk(&dir, &mut harness, "      ", "       ");
    harness.press("ctrl-s");
    let screen = harness.render(80, 24);
    assert!(
        screen.contains("more lines")
            && screen.contains("keep mine")
            && screen.contains("decide later"),
        "the change is cut, the answers stay:\n{screen}"
    );
    harness.press("r");
    assert!(!harness.app.has_popup());

    let original = fs::read_to_string(&file).unwrap();
    harness.editor = Box::new(|text| Ok(text.replace("the", "THE")));
    harness.press("E u");
    let screen = harness.render(80, 24);
    assert!(
        screen.contains("more lines") && screen.contains("no, keep them"),
        "the lines lost are cut, the answers stay:\n{screen}"
    );
    harness.press("y");
    assert_eq!(fs::read_to_string(&file).unwrap(), original);
}

/// Issue 14 item 7: the TUI froze for seconds after `E` returned a hostile text (a
/// one-line flow sequence of 80,000 items) because the update validated it.
#[test]
fn validation_runs_off_the_event_loop_and_the_newest_edit_wins() {
    let (dir, mut harness) = Harness::open_copy();
    let folder = harness.select(LEAF);
    let original = fs::read_to_string(dir.path().join(&folder).join("qna.yaml")).unwrap();
    harness.hold(|effect| matches!(effect, Effect::Validate(_)));
    let hostile = format!(
        "version: 3\ncreated_by: x\ntask_description: [{}]\n",
        vec!["a"; 80_000].join(", ")
    );
    harness.editor = Box::new(move |_| Ok(hostile.clone()));
    harness.press("E");
    assert!(harness.app.shared.open.is_dirty(&folder));
    assert_eq!(
        harness.held.len(),
        1,
        "the validation is asked of a background queue"
    );
    assert!(harness.app.shared.is_validating(&folder));
    let screen = harness.render(100, 30);
    assert!(screen.contains("validating…"), "{screen}");

    // While it runs, the next keys are handled.
    harness.press("j");
    assert_ne!(harness.app.shared.selected_folder(), Some(folder.clone()));
    harness.press("k");
    assert_eq!(harness.app.shared.selected_folder(), Some(folder.clone()));

    // A newer edit: the queue skips the hostile text's validation, still waiting.
    let fixed = original.replace("created_by: tidewatcher-m", "created_by: ''");
    harness.editor = Box::new(move |_| Ok(fixed.clone()));
    harness.press("E");
    assert_eq!(harness.held.len(), 2);
    assert!(harness.held[1].supersedes(&harness.held[0]));
    harness.held.remove(0);
    for reply in harness.run_held() {
        harness.send(reply);
    }
    assert!(!harness.app.shared.is_validating(&folder));
    let index = harness.app.shared.tree.selected_leaf().unwrap();
    let report = harness.app.shared.report_of(index);
    assert!(
        report.diagnostics.iter().any(|d| d.rule == "minLength"),
        "{:?}",
        report.diagnostics
    );
    let notice = harness.app.shared.notice.clone().unwrap().text;
    assert!(notice.contains("1 errors"), "{notice}");

    // Two edits whose validations come back newest first: the older (with an
    // error the newer lacks) is dropped.
    let (a, b) = (
        original.replace("created_by: tidewatcher-m", "created_by: ''"),
        original.replace("tidewatcher-m", "second"),
    );
    harness.editor = Box::new(move |_| Ok(a.clone()));
    harness.press("E");
    harness.editor = Box::new(move |_| Ok(b.clone()));
    harness.press("E");
    let mut replies = harness.run_held();
    assert_eq!(replies.len(), 2);
    let older = replies.remove(0);
    harness.send(replies.remove(0));
    harness.send(older);
    let open = harness.app.shared.open.get(&folder).unwrap();
    assert!(open.buffer.text.contains("second"));
    assert_eq!(
        open.report,
        open.check(&open.buffer.text),
        "the report is the newest text's"
    );
    assert!(open.report.is_valid(), "{:?}", open.report.diagnostics);
    assert!(!harness.app.shared.is_validating(&folder));
}
