//! Authoring headlessly: the new-leaf wizard, a field edited in a text area with
//! live validation, seed examples added, deleted and reordered; snapshots of the
//! wizard and the field editor at 80x24.

#[path = "support/tui_harness.rs"]
mod tui_harness;

use std::fs;
use std::path::Path;
use std::process::Command;

use taxon::taxonomy::edit::Field;
use taxon::taxonomy::validate::Report;
use taxon::tui::msg::Effect;
use taxon::tui::popups::field_editor::{FieldEditor, Preview};
use taxon::tui::popups::question::{ConfirmCancelEdit, ConfirmDeleteExample};
use taxon::tui::popups::wizard::{Step, Wizard};
use taxon::tui::shared::Focus;
use tui_harness::Harness;

const SKILL: &str = "rewriting/concise_sentences";

fn selected_text(harness: &Harness) -> String {
    let index = harness
        .app
        .shared
        .tree
        .selected_leaf()
        .expect("a leaf is selected");
    let folder = &harness.app.shared.taxonomy.leaves[index].folder;
    match harness.app.shared.open.get(folder) {
        Some(open) => open.buffer.text.clone(),
        None => harness.app.shared.taxonomy.leaves[index]
            .text
            .clone()
            .expect("text"),
    }
}

/// A fresh leaf is valid, its only findings the warnings of its placeholders.
fn valid_with_placeholders(report: &Report) {
    assert!(
        report.is_valid()
            && !report.diagnostics.is_empty()
            && report.diagnostics.iter().all(|d| d.rule == "placeholder"),
        "valid, with a warning for each placeholder left: {:?}",
        report.diagnostics
    );
}

#[test]
fn the_wizard_creates_a_valid_leaf_and_shows_it() {
    let (dir, mut harness) = Harness::open_copy();
    harness.app.shared.author.created_by = Some("ada-l".into());
    harness.press("a down");
    let Some(wizard) = harness.app.popup::<Wizard>() else {
        panic!("the wizard is open");
    };
    assert_eq!(wizard.step, Step::Kind);
    harness.press("enter text:tech tab");
    let Some(wizard) = harness.app.popup::<Wizard>() else {
        panic!("the wizard is still open");
    };
    assert_eq!(
        wizard.place.text(),
        "technology/",
        "tab took the completion"
    );
    harness.press("text:Release space text:Notes enter enter");
    let Some(wizard) = harness.app.popup::<Wizard>() else {
        panic!("the wizard is still open");
    };
    assert_eq!(wizard.step, Step::Confirm);
    assert_eq!(wizard.author.text(), "ada-l", "created_by from git config");
    harness.press("enter");
    assert!(!harness.app.has_popup());

    let folder = Path::new("compositional_skills/grounded/technology/release_notes");
    assert!(
        harness
            .effects
            .iter()
            .any(|e| matches!(e, Effect::CreateLeaf(_)))
    );
    let index = harness
        .app
        .shared
        .tree
        .selected_leaf()
        .expect("the new leaf is selected");
    let leaf = &harness.app.shared.taxonomy.leaves[index];
    assert_eq!(leaf.folder, folder);
    assert_eq!(
        harness.app.shared.focus,
        Focus::Detail,
        "the detail pane shows it"
    );
    assert_eq!(
        harness.app.shared.cursor_field(),
        Some(Field::TaskDescription),
        "the cursor is on the first placeholder"
    );
    valid_with_placeholders(&leaf.report);
    assert_eq!(leaf.report.qna.as_ref().unwrap().seed_examples.len(), 5);
    let text = fs::read_to_string(dir.path().join(folder).join("qna.yaml")).unwrap();
    assert!(text.contains("created_by: ada-l\n"));
    assert!(text.contains("  - context: "), "a grounded template");
    let attribution = fs::read_to_string(dir.path().join(folder).join("attribution.txt")).unwrap();
    assert!(attribution.contains("License of the work: "));

    let validate = Command::new(env!("CARGO_BIN_EXE_taxon"))
        .arg("validate")
        .arg(dir.path().join(folder))
        .output()
        .unwrap();
    assert!(
        validate.status.success(),
        "taxon validate passes on a fresh leaf: {}",
        String::from_utf8_lossy(&validate.stdout)
    );
}

#[test]
fn the_wizard_takes_a_place_typed_from_the_root_and_shows_the_real_target() {
    let (dir, mut harness) = Harness::open_copy();
    harness.app.shared.author.created_by = Some("ada-l".into());
    harness.press("a enter text:compositional_skills/writing/poetry/haiku");
    let target = Path::new("compositional_skills/writing/poetry/haiku");
    assert_eq!(harness.app.popup::<Wizard>().unwrap().target(), target);
    let screen = harness.render(100, 30);
    assert!(
        screen.contains("→ compositional_skills/writing/poetry/haiku"),
        "{screen}"
    );
    assert!(
        !screen.contains("compositional_skills/compositional_skills"),
        "{screen}"
    );
    harness.press("enter enter");
    let summary = harness.render(100, 30);
    assert!(
        summary.contains("folder      compositional_skills/writing/poetry/haiku"),
        "{summary}"
    );
    assert!(
        !summary.contains("compositional_skills/compositional_skills"),
        "{summary}"
    );
    harness.press("enter");
    assert!(dir.path().join(target).join("qna.yaml").is_file());
}

#[test]
fn the_wizard_goes_back_and_refuses_a_taken_place() {
    let (_dir, mut harness) = Harness::open_copy();
    harness.press("a down down enter text:science/earth_sciences/oceanography/tides enter");
    let Some(wizard) = harness.app.popup::<Wizard>() else {
        panic!("the wizard is open");
    };
    assert_eq!(wizard.step, Step::Place);
    assert!(
        wizard
            .problem
            .as_deref()
            .unwrap()
            .contains("already a leaf")
    );
    harness.press("esc esc");
    assert!(!harness.app.has_popup(), "esc steps back, then closes");
}

#[test]
fn an_answer_is_edited_in_a_text_area_with_live_validation() {
    let (dir, mut harness) = Harness::open_copy();
    let folder = harness.select(SKILL);
    let before = selected_text(&harness);
    harness.press("] ] ]");
    assert_eq!(harness.app.shared.cursor_field(), Some(Field::Answer(0)));
    harness.press("e");
    assert!(harness.app.popup::<FieldEditor>().is_some());
    harness.press("text:Shorter: enter");
    let Some(editor) = harness.app.popup::<FieldEditor>() else {
        panic!("the editor is open");
    };
    assert!(matches!(editor.preview, Preview::Valid { errors: 0, .. }));
    harness.press("ctrl-s");
    assert!(!harness.app.has_popup());
    assert!(
        harness.app.shared.open.is_dirty(&folder),
        "unsaved until save"
    );
    let after = selected_text(&harness);
    let answer = Field::Answer(0).value_in(&after).unwrap();
    assert!(answer.starts_with("Shorter:\nRevised: "), "{answer:?}");
    let changed: Vec<_> = before
        .lines()
        .zip(after.lines())
        .enumerate()
        .filter(|(_, (a, b))| a != b)
        .map(|(i, _)| i + 1)
        .collect();
    assert_eq!(
        changed.first(),
        Some(&13),
        "the answer's first line of text"
    );
    let mut expected: Vec<&str> = before.lines().collect();
    expected.insert(12, "      Shorter:");
    assert_eq!(
        after.lines().collect::<Vec<_>>(),
        expected,
        "one line of the answer is new, nothing else changed"
    );
    assert!(
        harness
            .app
            .shared
            .report_of(harness.app.shared.tree.selected_leaf().unwrap())
            .is_valid()
    );
    assert_eq!(
        harness.drafts.for_root(dir.path()).len(),
        1,
        "a draft is kept"
    );

    harness.press("w");
    let saved = fs::read_to_string(dir.path().join(&folder).join("qna.yaml")).unwrap();
    assert_eq!(saved, after);
}

#[test]
fn emptying_a_field_shows_the_error_before_it_is_applied_and_esc_asks_before_cancelling() {
    let (_dir, mut harness) = Harness::open_copy();
    let folder = harness.select(SKILL);
    harness.press("e end");
    assert_eq!(harness.app.shared.cursor_field(), Some(Field::CreatedBy));
    for _ in 0.."tanvi-r".len() {
        harness.press("backspace");
    }
    let Some(editor) = harness.app.popup::<FieldEditor>() else {
        panic!("the editor is open");
    };
    assert!(
        matches!(editor.preview, Preview::Valid { errors: 1, .. }),
        "{:?}",
        editor.preview
    );
    harness.press("esc");
    assert!(
        harness.app.popup::<ConfirmCancelEdit>().is_some(),
        "typed text is not thrown away without asking"
    );
    let screen = harness.render(100, 30);
    assert!(screen.contains("Discard typed text?"), "{screen}");
    assert!(screen.contains("created_by"), "names the field: {screen}");
    harness.press("n");
    let Some(editor) = harness.app.popup::<FieldEditor>() else {
        panic!("no keeps the editor open");
    };
    assert_eq!(editor.area.lines(), [""], "with the text typed");
    harness.press("esc y");
    assert!(!harness.app.has_popup());
    assert!(!harness.app.shared.open.is_dirty(&folder));
    harness.press("e esc");
    assert!(
        !harness.app.has_popup(),
        "nothing typed: esc closes at once"
    );

    harness.press("] ] e ctrl-s");
    assert_eq!(harness.app.shared.cursor_field(), Some(Field::Question(0)));
    assert!(!harness.app.has_popup());
    assert!(
        !harness.app.shared.open.is_dirty(&folder),
        "applying an untouched folded question changes nothing"
    );
}

/// Issue 15 defect 3 in the field editor: its text area's own `ctrl-u` undid and its
/// `alt-f` went to the start of the next word; they are readline's now (delete to the
/// line's start, to the end of the word), `ctrl-z` undoes.
#[test]
fn the_field_editor_takes_readline_keys() {
    let (_dir, mut harness) = Harness::open_copy();
    harness.select(SKILL);
    let lines = |harness: &Harness| -> Vec<String> {
        let Some(editor) = harness.app.popup::<FieldEditor>() else {
            panic!("the editor is open");
        };
        editor.area.lines().to_vec()
    };
    harness.press("e ctrl-e ctrl-u");
    assert_eq!(lines(&harness), [""], "ctrl-u deletes to the line's start");
    harness.press("ctrl-z");
    assert_eq!(lines(&harness), ["tanvi-r"], "ctrl-z undoes");
    harness.press("ctrl-e ctrl-u text:ab space text:cd ctrl-a alt-f text:X");
    assert_eq!(lines(&harness), ["abX cd"], "alt-f goes to the word's end");
    harness.press("alt-f text:Y alt-b text:Z");
    assert_eq!(lines(&harness), ["abX ZcdY"], "alt-b to the word's start");
}

#[test]
fn examples_are_added_deleted_and_reordered() {
    let (_dir, mut harness) = Harness::open_copy();
    let folder = harness.select(SKILL);
    let before = selected_text(&harness);
    let count = |h: &Harness| {
        let index = h.app.shared.tree.selected_leaf().unwrap();
        h.app
            .shared
            .report_of(index)
            .qna
            .as_ref()
            .unwrap()
            .seed_examples
            .len()
    };
    let examples = count(&harness);

    harness.press("A");
    assert_eq!(count(&harness), examples + 1);
    assert_eq!(
        harness.app.shared.cursor_field(),
        Some(Field::Question(examples))
    );
    assert!(harness.app.shared.open.is_dirty(&folder));
    assert!(
        harness
            .app
            .shared
            .report_of(harness.app.shared.tree.selected_leaf().unwrap())
            .is_valid(),
        "the new example's placeholders are valid strings"
    );

    harness.press("D");
    let Some(ConfirmDeleteExample { index, named, .. }) =
        harness.app.popup::<ConfirmDeleteExample>()
    else {
        panic!("delete asks first");
    };
    assert_eq!(*index, examples);
    assert!(named.contains("fill me in"), "names the example: {named}");
    let screen = harness.render(80, 24);
    assert!(screen.contains(&format!("Delete seed example {}", examples + 1)));
    harness.press("y");
    assert_eq!(count(&harness), examples);
    assert_eq!(selected_text(&harness), before);
    assert!(!harness.app.shared.open.is_dirty(&folder), "back as it was");

    harness.press(&"[ ".repeat(40));
    harness.press("] ] ] ] ]");
    assert_eq!(harness.app.shared.cursor_field(), Some(Field::Answer(1)));
    let second = Field::Question(1).value_in(&before);
    harness.press("K");
    assert_eq!(
        harness.app.shared.cursor_field(),
        Some(Field::Answer(0)),
        "the cursor follows"
    );
    assert_eq!(
        Field::Question(0).value_in(&selected_text(&harness)),
        second
    );
    harness.press("K");
    assert!(
        harness.app.shared.notice.as_ref().unwrap().is_error,
        "the first cannot move up"
    );
    harness.press("J");
    assert_eq!(selected_text(&harness), before);
}

#[test]
fn wizard_at_80x24() {
    let mut harness = Harness::open(Path::new("sample-taxonomy"));
    harness.press("a enter text:ling");
    insta::assert_snapshot!(harness.render(80, 24));
}

#[test]
fn field_editor_at_80x24() {
    let mut harness = Harness::open(Path::new("sample-taxonomy"));
    harness.select(SKILL);
    harness.press("] ] e");
    insta::assert_snapshot!(harness.render(80, 24));
}

#[test]
fn detail_cursor_at_80x24() {
    let mut harness = Harness::open(Path::new("sample-taxonomy"));
    harness.select(SKILL);
    harness.press("] ] ] ] ] ] ]");
    insta::assert_snapshot!(harness.render(80, 24));
}

#[test]
fn a_knowledge_leaf_from_the_wizard_validates() {
    let (_dir, mut harness) = Harness::open_copy();
    harness
        .press("a down down enter text:science/Marine space text:Biology/Kelp enter enter enter");
    let index = harness
        .app
        .shared
        .tree
        .selected_leaf()
        .expect("the new leaf is selected");
    let leaf = &harness.app.shared.taxonomy.leaves[index];
    assert_eq!(
        leaf.folder,
        Path::new("knowledge/science/marine_biology/kelp")
    );
    assert_eq!(
        leaf.report.kind,
        Some(taxon::taxonomy::leaf::LeafKind::Knowledge)
    );
    valid_with_placeholders(&leaf.report);
    let qna = leaf.report.qna.as_ref().unwrap();
    assert_eq!(qna.domain.as_ref().unwrap().value, "marine biology");
    assert!(
        qna.seed_examples
            .iter()
            .all(|e| e.questions_and_answers.len() == 3)
    );
}
