//! The authoring popups: the new-leaf wizard and the field editor.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use crate::taxonomy::leaf::{ATTRIBUTION_FILE, LEAF_FILE};
use crate::taxonomy::template::TEMPLATE_EXAMPLES;
use crate::tui::action::Action;
use crate::tui::app::App;
use crate::tui::field_editor::{FieldEditor, Preview};
use crate::tui::keymap::Mode;
use crate::tui::wizard::{KINDS, Step, Wizard};

use super::theme;
use super::widgets::{centered, input_line, key_name, popup_block};

fn kind_help(index: usize) -> &'static str {
    match index {
        0 => "questions and answers alone",
        1 => "every example has a context to answer from",
        _ => "facts from documents kept in a git repository",
    }
}

fn choice(selected: bool, text: String) -> Line<'static> {
    let marker = if selected { "▸ " } else { "  " };
    let style = if selected {
        theme::SELECTED
    } else {
        ratatui::style::Style::default()
    };
    Line::from(Span::styled(format!("{marker}{text}"), style))
}

/// Draws the new-leaf wizard.
pub fn wizard(frame: &mut Frame<'_>, app: &App, wizard: &Wizard) {
    let area = centered(frame, 80, 70);
    frame.render_widget(Clear, area);
    let number = match wizard.step {
        Step::Kind => 1,
        Step::Place => 2,
        Step::Author => 3,
        Step::Confirm => 4,
    };
    let block = popup_block(format!(" New leaf · step {number} of 4 "));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let mut lines = Vec::new();
    let mut cursor = None;
    match wizard.step {
        Step::Kind => {
            lines.push(Line::from(Span::styled(
                "What kind of leaf?",
                theme::HEADING,
            )));
            lines.push(Line::default());
            for (i, kind) in KINDS.iter().enumerate() {
                lines.push(choice(
                    i == wizard.kind,
                    format!("{:<16}{}", kind.label(), kind_help(i)),
                ));
            }
        }
        Step::Place => {
            lines.push(Line::from(vec![
                Span::styled("Where in the tree? ", theme::HEADING),
                Span::styled(
                    format!(
                        "below {}/ (new folders become snake_case)",
                        wizard.top().display()
                    ),
                    theme::DIM,
                ),
            ]));
            cursor = Some((lines.len(), wizard.place.cursor()));
            lines.push(input_line(&wizard.place));
            lines.push(Line::from(vec![
                Span::styled("→ ", theme::DIM),
                Span::styled(wizard.target().display().to_string(), theme::OK),
            ]));
            lines.push(Line::default());
            lines.push(Line::from(Span::styled(
                "Existing domains (tab takes the highlighted one):",
                theme::DIM,
            )));
            for (i, completion) in wizard.completions.iter().enumerate() {
                lines.push(choice(i == wizard.selected, completion.clone()));
            }
        }
        Step::Author => {
            lines.push(Line::from(vec![
                Span::styled("created_by ", theme::HEADING),
                Span::styled(
                    "(your GitHub user name; git config gave the default)",
                    theme::DIM,
                ),
            ]));
            cursor = Some((lines.len(), wizard.author.cursor()));
            lines.push(input_line(&wizard.author));
        }
        Step::Confirm => {
            let leaf = wizard.leaf();
            lines.push(Line::from(Span::styled(
                "Create this leaf?",
                theme::HEADING,
            )));
            lines.push(Line::default());
            for (label, value) in [
                ("kind", leaf.kind.label().to_owned()),
                ("folder", wizard.target().display().to_string()),
                ("created_by", leaf.created_by.clone()),
            ] {
                lines.push(Line::from(vec![
                    Span::styled(format!("  {label:<12}"), theme::KEY),
                    Span::raw(value),
                ]));
            }
            lines.push(Line::default());
            lines.push(Line::from(format!(
                "  {LEAF_FILE} with {TEMPLATE_EXAMPLES} seed examples to fill in, and {ATTRIBUTION_FILE}"
            )));
        }
    }
    if let Some(problem) = &wizard.problem {
        lines.push(Line::default());
        lines.push(Line::from(Span::styled(problem.clone(), theme::ERROR)));
    }
    let [body, hint] = Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), body);
    let key = |action| key_name(&app.shared.keymap, Mode::Picker, action);
    let (next, back) = (key(Action::Confirm), key(Action::Back));
    let choose = format!("{}/{} choose", key(Action::Up), key(Action::Down));
    let keys = match wizard.step {
        Step::Kind => format!("{choose} · {next} next · {back} cancel"),
        Step::Place => format!(
            "type a path · {} complete · {}/{} · {next} next · {back} back",
            key(Action::FocusNext),
            key(Action::Up),
            key(Action::Down)
        ),
        Step::Author => format!("{next} next · {back} back"),
        Step::Confirm => format!("{next} create · {back} back"),
    };
    frame.render_widget(Paragraph::new(Span::styled(keys, theme::DIM)), hint);
    if let Some((row, col)) = cursor {
        frame.set_cursor_position((body.x + 2 + col as u16, body.y + row as u16));
    }
}

/// Draws the field editor: the text area, the live validation, the keys.
pub fn field_editor(frame: &mut Frame<'_>, app: &App, editor: &FieldEditor) {
    let area = centered(frame, 90, 80);
    frame.render_widget(Clear, area);
    let block = popup_block(format!(
        " {} · {} ",
        editor.field.label(),
        editor.folder.display()
    ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let (verdict, here) = match &editor.preview {
        Preview::Valid {
            errors: 0,
            warnings: 0,
            here,
        } => (
            Span::styled("✓ the leaf is valid with this edit", theme::OK),
            here,
        ),
        Preview::Valid {
            errors: 0,
            warnings,
            here,
        } => (
            Span::styled(
                format!("✓ valid with this edit, {warnings} warnings"),
                theme::WARNING,
            ),
            here,
        ),
        Preview::Valid {
            errors,
            warnings,
            here,
        } => (
            Span::styled(
                format!("✗ with this edit: {errors} errors, {warnings} warnings"),
                theme::ERROR,
            ),
            here,
        ),
        Preview::Refused(why) => (Span::styled(format!("✗ {why}"), theme::ERROR), &Vec::new()),
    };
    let shown = here.len().min(3);
    let [text, status, findings, hint] = Layout::vertical([
        Constraint::Min(3),
        Constraint::Length(1),
        Constraint::Length(shown as u16),
        Constraint::Length(1),
    ])
    .areas(inner);
    let text_block = Block::default()
        .borders(Borders::BOTTOM)
        .border_style(theme::BORDER);
    let text_inner = text_block.inner(text);
    frame.render_widget(text_block, text);
    frame.render_widget(&editor.area, text_inner);
    frame.render_widget(Paragraph::new(Line::from(verdict)), status);
    let finding_lines: Vec<Line<'static>> = here
        .iter()
        .take(shown)
        .map(|f| Line::from(Span::styled(format!("  {f}"), theme::WARNING)))
        .collect();
    frame.render_widget(Paragraph::new(finding_lines), findings);
    let keys = format!(
        "{} apply (unsaved until {}) · {} cancel · enter new line",
        key_name(&app.shared.keymap, Mode::Text, Action::Confirm),
        key_name(&app.shared.keymap, Mode::Browse, Action::Save),
        key_name(&app.shared.keymap, Mode::Text, Action::Back),
    );
    frame.render_widget(Paragraph::new(Span::styled(keys, theme::DIM)), hint);
}
