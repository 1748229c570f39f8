//! The main screens, rendered headlessly with `TestBackend` and compared with
//! snapshots; key sequences for finding, folding and the palette.

#[path = "support/tui_harness.rs"]
mod tui_harness;

use std::path::Path;

use taxon::tui::popups::finder::Finder;
use taxon::tui::popups::help::Help;
use taxon::tui::shared::Focus;
use tui_harness::Harness;

fn sample() -> Harness {
    Harness::open(Path::new("sample-taxonomy"))
}

#[test]
fn browse_screen_at_80x24() {
    let mut harness = sample();
    insta::assert_snapshot!(harness.render(80, 24));
}

#[test]
fn leaf_detail_at_120x40() {
    let mut harness = sample();
    harness.press("/ text:tides enter");
    insta::assert_snapshot!(harness.render(120, 40));
}

#[test]
fn finder_shows_ranked_hits_with_matches() {
    let mut harness = sample();
    harness.press("/ text:passive");
    let screen = harness.render(100, 30);
    insta::assert_snapshot!(screen);
    let Some(finder) = harness.app.popup::<Finder>() else {
        panic!("the finder is open");
    };
    let first = &harness.app.shared.taxonomy.leaves[finder.hits[0].leaf];
    assert!(
        first.folder.ends_with("passive_to_active_voice"),
        "{:?}",
        first.folder
    );
}

#[test]
fn finder_enter_jumps_to_the_leaf_and_esc_closes() {
    let mut harness = sample();
    harness.press("/ text:ownership enter");
    let leaf = harness
        .app
        .shared
        .tree
        .selected_leaf()
        .expect("a leaf is selected");
    assert!(
        harness.app.shared.taxonomy.leaves[leaf]
            .folder
            .ends_with("rust/ownership")
    );
    assert!(!harness.app.has_popup());
    harness.press("/ text:zzzzqqq esc");
    assert!(!harness.app.has_popup());
    assert_eq!(
        harness.app.shared.tree.selected_leaf(),
        Some(leaf),
        "esc keeps the selection"
    );
}

#[test]
fn finder_searches_questions() {
    let mut harness = sample();
    harness.press("/ text:spring tide");
    let Some(finder) = harness.app.popup::<Finder>() else {
        panic!("the finder is open");
    };
    assert!(!finder.hits.is_empty());
    let leaf = &harness.app.shared.taxonomy.leaves[finder.hits[0].leaf];
    assert!(leaf.folder.ends_with("tides"), "{:?}", leaf.folder);
}

#[test]
fn one_line_inputs_take_the_readline_keys() {
    let mut harness = sample();
    let query = |h: &Harness| {
        h.app
            .popup::<Finder>()
            .unwrap()
            .picker
            .input
            .text()
            .to_owned()
    };
    harness.press("/ text:spring space text:tides space text:now ctrl-w");
    assert_eq!(
        query(&harness),
        "spring tides ",
        "ctrl-w deletes the word before"
    );
    harness.press("alt-b ctrl-u");
    assert_eq!(
        query(&harness),
        "tides ",
        "alt-b goes back a word, ctrl-u deletes to the start"
    );
    harness.press("ctrl-e text:x ctrl-a text:y");
    assert_eq!(
        query(&harness),
        "ytides x",
        "ctrl-e and ctrl-a go to the end and the start"
    );
    harness.press("alt-f text:z");
    assert_eq!(
        query(&harness),
        "ytidesz x",
        "alt-f goes to the end of the word"
    );
    harness.press("ctrl-e ctrl-u");
    assert_eq!(query(&harness), "");
    let hits = |h: &Harness| h.app.popup::<Finder>().unwrap().hits.len();
    harness.press("text:tides space text:qqqq");
    assert_eq!(hits(&harness), 0);
    harness.press("ctrl-w");
    assert!(hits(&harness) > 0, "an edit searches again");
}

#[test]
fn folders_fold_and_the_detail_pane_takes_focus() {
    let mut harness = sample();
    let rows = harness.app.shared.tree.rows.len();
    harness.press("+");
    assert!(
        harness.app.shared.tree.rows.len() > rows,
        "expand-all shows more rows"
    );
    harness.press("-");
    assert_eq!(harness.app.shared.tree.rows.len(), rows);
    harness.press("/ text:tides enter tab");
    assert_eq!(harness.app.shared.focus, Focus::Detail);
    harness.press("j j");
    assert_eq!(harness.app.shared.detail_scroll, 2);
    harness.press("esc");
    assert_eq!(harness.app.shared.focus, Focus::Tree);
}

#[test]
fn help_lists_every_bound_action() {
    let mut harness = sample();
    harness.press("?");
    let screen = harness.render(100, 60);
    insta::assert_snapshot!(screen);
    assert!(screen.contains("Fuzzy-find leaves"));
    harness.press("esc");
    assert!(!harness.app.has_popup());
}

/// The rows inside the box titled `title`, between its side borders.
fn popup_rows(screen: &str, title: &str) -> Vec<String> {
    let lines: Vec<&str> = screen.lines().collect();
    let top = lines
        .iter()
        .position(|line| line.contains(title))
        .unwrap_or_else(|| panic!("{title} is shown: {screen}"));
    let title_at = lines[top].find(title).expect("the title");
    let left = lines[top][..title_at].rfind('┌').expect("the box's corner");
    let left = lines[top][..left].chars().count();
    let width = lines[top]
        .chars()
        .skip(left)
        .take_while(|&c| c != '┐')
        .count()
        + 1;
    lines[top + 1..]
        .iter()
        .map(|line| line.chars().skip(left).take(width).collect::<String>())
        .take_while(|row| !row.starts_with('└'))
        .map(|row| {
            let row = row.strip_prefix('│').unwrap_or(&row);
            row.strip_suffix('│').unwrap_or(row).to_owned()
        })
        .collect()
}

#[test]
fn help_pages_stops_at_its_end_and_keeps_wrapped_lines_indented() {
    let mut harness = sample();
    harness.press("?");
    let first = popup_rows(&harness.render(80, 24), " Keys ");
    assert_eq!(first[0].trim_end(), "[browse]");
    assert!(
        first.iter().any(|row| row.contains(" quit ")
            && row.contains("Quit taxon")
            && row.trim_start().starts_with("q ctrl-c")),
        "keys, the action's name (for keymap.toml), then its help: {first:#?}"
    );
    let scroll = |h: &Harness| h.app.popup::<Help>().expect("the help is open").scroll;
    harness.press("pagedown");
    assert_eq!(
        usize::from(scroll(&harness)),
        first.len(),
        "a page down shows the next page"
    );
    let second = popup_rows(&harness.render(80, 24), " Keys ");
    insta::assert_snapshot!(second.join("\n"));
    harness.press("pageup");
    assert_eq!(scroll(&harness), 0);

    let mut all: Vec<String> = Vec::new();
    for _ in 0..400 {
        let rows = popup_rows(&harness.render(80, 24), " Keys ");
        all.push(rows[0].clone());
        harness.press("j");
    }
    let end = popup_rows(&harness.render(80, 24), " Keys ");
    let bottom = scroll(&harness);
    assert!(
        end.last().unwrap().contains("action-name"),
        "j stops with the help's last line at the bottom: {end:#?}"
    );
    harness.press("k");
    assert_eq!(scroll(&harness), bottom - 1, "one k goes back up at once");
    all.extend(end);
    let footer = all
        .iter()
        .position(|row| row.starts_with("Keys can"))
        .unwrap();
    for row in &all[..footer] {
        assert!(
            row.trim().is_empty() || row.starts_with('[') || row.starts_with("  "),
            "every row is a section, a binding or a wrapped help under its help: {row:?}"
        );
    }
    assert!(
        all.iter()
            .any(|row| row.starts_with("          ") && !row.trim().is_empty()),
        "some help wraps at 80x24"
    );
}

#[test]
fn the_detail_pane_shows_block_blank_lines_once_and_attribution_lines_apart() {
    let mut harness = sample();
    harness.press("/ text:tides enter");
    let detail = popup_rows(&harness.render(120, 400), " Detail ");
    let rows: Vec<&str> = detail.iter().map(|row| row.trim_end()).collect();
    let paragraph = rows
        .iter()
        .position(|row| row.starts_with("│ As the Earth turns"))
        .unwrap_or_else(|| panic!("the context's second paragraph: {rows:#?}"));
    assert_eq!(
        rows[paragraph - 1],
        "│",
        "one blank line between paragraphs"
    );
    assert!(
        rows[paragraph - 2].ends_with("square."),
        "not two: {:#?}",
        &rows[paragraph - 3..=paragraph]
    );
    let attribution = rows
        .iter()
        .position(|row| *row == "attribution.txt")
        .expect("the attribution heading");
    let lines: Vec<&str> = rows[attribution + 1..]
        .iter()
        .map(|row| row.trim_start())
        .collect();
    for field in [
        "Title of work:",
        "Link to work:",
        "Revision:",
        "License of the work:",
        "Creator names:",
    ] {
        assert!(
            lines.iter().any(|line| line.starts_with(field)),
            "{field} starts its own line: {lines:#?}"
        );
    }
}

#[test]
fn the_status_line_offers_help_until_it_was_opened_once() {
    let mut harness = sample();
    harness
        .app
        .shared
        .notify("Created your taxonomy from the bundled sample.");
    let status = |h: &mut Harness| -> String {
        let screen = h.render(100, 24);
        screen.lines().rev().nth(1).unwrap().to_owned()
    };
    assert!(
        status(&mut harness).ends_with("? help \""),
        "the first screen says where the keys are, next to a notice: {}",
        status(&mut harness)
    );
    harness.press("? esc");
    harness.app.shared.notify("saved");
    assert!(
        !status(&mut harness).contains("? help"),
        "{}",
        status(&mut harness)
    );
}

#[test]
fn palette_runs_commands_by_name() {
    let mut harness = sample();
    harness.press(": text:help enter");
    assert!(harness.app.popup::<Help>().is_some());
}

#[test]
fn palette_matches_fuzzily_and_keeps_names_apart_from_their_help() {
    let mut harness = sample();
    harness.press(": text:nxt");
    let screen = harness.render(100, 30);
    insta::assert_snapshot!(screen);
    assert!(screen.contains("next-problem"), "{screen}");
    harness.press("ctrl-u text:edit-in");
    let screen = harness.render(100, 30);
    let after_name = screen
        .split("edit-in-editor")
        .nth(1)
        .expect("edit-in-editor is listed");
    assert!(
        after_name.starts_with("  ") && after_name.trim_start().starts_with("Edit the selected"),
        "a gap between the name and its help: {screen}"
    );
    harness.press("esc");
    assert!(!harness.app.has_popup());
}

#[test]
fn quit_asks_the_runtime_to_stop() {
    let mut harness = sample();
    harness.press("q");
    assert_eq!(harness.effects, vec![taxon::tui::msg::Effect::Quit]);
}
