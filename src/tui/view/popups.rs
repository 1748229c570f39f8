//! Popups: help, fuzzy finder, command palette.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, List, ListItem, ListState, Paragraph, Wrap};

use crate::find::{Field, Hit};
use crate::tui::app::{App, Popup};
use crate::tui::picker::{Finder, InputLine, Palette};

use super::theme;

pub(super) fn centered(frame: &Frame<'_>, width_percent: u16, height_percent: u16) -> Rect {
    let area = frame.area();
    let width = (area.width * width_percent / 100).max(40).min(area.width);
    let height = (area.height * height_percent / 100).max(8).min(area.height);
    Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    }
}

pub(super) fn popup_block(title: String) -> Block<'static> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(theme::BORDER_FOCUSED)
        .title(title)
}

/// Draws the key help, generated from the keymap.
pub fn help(frame: &mut Frame<'_>, app: &App, scroll: u16) {
    let area = centered(frame, 80, 80);
    let mut lines = Vec::new();
    for (mode, name) in app.keymap.modes() {
        lines.push(Line::from(Span::styled(name.to_owned(), theme::HEADING)));
        for (action, keys) in app.keymap.help(mode) {
            lines.push(Line::from(vec![
                Span::styled(format!("  {:<18}", keys.join(" ")), theme::KEY),
                Span::raw(action.doc()),
            ]));
        }
        lines.push(Line::default());
    }
    lines.push(Line::from(Span::styled(
        "Keys can be changed in keymap.toml in taxon's config folder.",
        theme::DIM,
    )));
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines)
            .block(popup_block(" Keys ".into()))
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0)),
        area,
    );
}

pub(super) fn input_line(input: &InputLine) -> Line<'static> {
    Line::from(vec![
        Span::styled("> ", theme::KEY),
        Span::raw(input.text().to_owned()),
    ])
}

fn highlighted(text: &str, positions: &[u32]) -> Vec<Span<'static>> {
    text.chars()
        .enumerate()
        .map(|(i, c)| {
            let style = if positions.binary_search(&(i as u32)).is_ok() {
                theme::MATCH
            } else {
                ratatui::style::Style::default()
            };
            Span::styled(c.to_string(), style)
        })
        .collect()
}

fn hit_item(app: &App, hit: &Hit) -> ListItem<'static> {
    let folder = app
        .taxonomy
        .leaves
        .get(hit.leaf)
        .map(|leaf| leaf.folder.display().to_string())
        .unwrap_or_default();
    let mut spans = match hit.field {
        Field::Path => Vec::new(),
        Field::Description => vec![Span::styled("description  ", theme::DIM)],
        Field::Question(example) => vec![Span::styled(format!("Q{}  ", example + 1), theme::DIM)],
    };
    spans.extend(highlighted(&hit.text, &hit.positions));
    let mut lines = vec![Line::from(spans)];
    if hit.field != Field::Path {
        lines.push(Line::from(Span::styled(format!("  {folder}"), theme::DIM)));
    }
    ListItem::new(lines)
}

fn picker_layout(area: Rect) -> [Rect; 2] {
    let inner = Block::default().borders(Borders::ALL).inner(area);
    Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(inner)
}

/// Draws the fuzzy finder.
pub fn finder(frame: &mut Frame<'_>, app: &App, finder: &Finder) {
    let area = centered(frame, 85, 80);
    frame.render_widget(Clear, area);
    let count = if finder.input.text().is_empty() {
        "type to search paths, descriptions and questions".to_owned()
    } else {
        format!("{} leaves match", finder.hits.len())
    };
    frame.render_widget(popup_block(format!(" Find · {count} ")), area);
    let [input_area, list_area] = picker_layout(area);
    frame.render_widget(Paragraph::new(input_line(&finder.input)), input_area);
    frame.set_cursor_position((
        input_area.x + 2 + finder.input.cursor() as u16,
        input_area.y,
    ));
    let items: Vec<ListItem<'_>> = finder.hits.iter().map(|hit| hit_item(app, hit)).collect();
    let mut state =
        ListState::default().with_selected((!items.is_empty()).then_some(finder.selected));
    frame.render_stateful_widget(
        List::new(items).highlight_style(theme::SELECTED),
        list_area,
        &mut state,
    );
}

/// Draws the command palette.
pub fn palette(frame: &mut Frame<'_>, app: &App, palette: &Palette) {
    let area = centered(frame, 70, 60);
    frame.render_widget(Clear, area);
    frame.render_widget(popup_block(" Commands ".into()), area);
    let [input_area, list_area] = picker_layout(area);
    frame.render_widget(Paragraph::new(input_line(&palette.input)), input_area);
    frame.set_cursor_position((
        input_area.x + 2 + palette.input.cursor() as u16,
        input_area.y,
    ));
    let items: Vec<ListItem<'_>> = palette
        .matches()
        .into_iter()
        .map(|action| {
            let keys = app
                .keymap
                .keys_for(crate::tui::keymap::Mode::Browse, action)
                .join(" ");
            ListItem::new(Line::from(vec![
                Span::styled(format!("{:<14}", action.name()), theme::HEADING),
                Span::raw(action.doc()),
                Span::styled(format!("  {keys}"), theme::KEY),
            ]))
        })
        .collect();
    let mut state =
        ListState::default().with_selected((!items.is_empty()).then_some(palette.selected));
    frame.render_stateful_widget(
        List::new(items).highlight_style(theme::SELECTED),
        list_area,
        &mut state,
    );
}

fn folder_list(folders: impl Iterator<Item = String>) -> Vec<Line<'static>> {
    folders.map(|f| Line::from(format!("  • {f}"))).collect()
}

/// Draws a question asked before anything is lost: it names what would be lost and
/// the key for each choice.
pub fn question(frame: &mut Frame<'_>, popup: &Popup) {
    let (title, lines, choices): (&str, Vec<Line<'static>>, &[(&str, &str)]) = match popup {
        Popup::Conflict { folder } => (
            " Changed on disk ",
            vec![Line::from(format!(
                "{} changed on disk since you opened it.",
                folder.display()
            ))],
            &[
                (
                    "r",
                    "reload: take the version on disk and LOSE your unsaved edits",
                ),
                ("k", "keep mine: write your version over the one on disk"),
                (
                    "esc",
                    "decide later (your edits stay unsaved, kept as a draft)",
                ),
            ],
        ),
        Popup::ConfirmQuit { dirty } => {
            let mut lines = vec![Line::from("These leaves have unsaved edits:")];
            lines.extend(folder_list(dirty.iter().map(|f| f.display().to_string())));
            (
                " Quit? ",
                lines,
                &[
                    ("s", "save them all, then quit"),
                    ("d", "DISCARD the edits listed above and quit"),
                    ("esc", "stay"),
                ],
            )
        }
        Popup::ConfirmRevert { folder } => (
            " Discard edits? ",
            vec![Line::from(format!(
                "Discard every unsaved edit of {}?",
                folder.display()
            ))],
            &[("y", "yes, DISCARD them"), ("esc", "no, keep them")],
        ),
        Popup::Recover { drafts } => {
            let mut lines = vec![Line::from(
                "Unsaved edits from an earlier session were kept:",
            )];
            lines.extend(folder_list(
                drafts.iter().map(|d| d.folder.display().to_string()),
            ));
            (
                " Recover edits ",
                lines,
                &[
                    ("r", "restore them (unsaved, to review and save)"),
                    ("d", "DISCARD the drafts listed above"),
                    ("esc", "decide later (the drafts are kept)"),
                ],
            )
        }
        Popup::ConfirmDeleteExample {
            folder,
            index,
            named,
        } => (
            " Delete example? ",
            vec![Line::from(format!(
                "Delete seed example {} of {}: “{named}”?",
                index + 1,
                folder.display()
            ))],
            &[
                ("y", "yes, delete it (unsaved until save; u reverts)"),
                ("esc", "no, keep it"),
            ],
        ),
        Popup::Help { .. }
        | Popup::Finder(_)
        | Popup::Palette(_)
        | Popup::NewLeaf(_)
        | Popup::EditField(_)
        | Popup::Diff(_)
        | Popup::Commit(_)
        | Popup::Branches(_)
        | Popup::ConfirmDiscard { .. }
        | Popup::ConfirmSwitch { .. } => return,
    };
    ask(frame, (70, 40), title, lines, choices);
}

/// Draws a question: its text, then each answer's key and meaning, in a centred box
/// of `size` percent of the screen.
pub(super) fn ask(
    frame: &mut Frame<'_>,
    (width, height): (u16, u16),
    title: &str,
    mut lines: Vec<Line<'static>>,
    choices: &[(&str, &str)],
) {
    lines.push(Line::default());
    for (key, what) in choices {
        lines.push(Line::from(vec![
            Span::styled(format!("  {key:<5}"), theme::KEY),
            Span::raw(what.to_string()),
        ]));
    }
    let area = centered(frame, width, height);
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines)
            .block(popup_block(title.to_owned()))
            .wrap(Wrap { trim: false }),
        area,
    );
}
