//! The generation preview pane: where the preview is, the prompt's share of the
//! context window and the engine's figures, then each sample as it streams in,
//! marked accepted or rejected (with the reason) once complete. When the samples
//! do not fit, the newest lines are kept.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use crate::tui::action::Action;
use crate::tui::keymap::Mode;
use crate::tui::preview_jobs::Verdict;
use crate::tui::shared::Shared;
use crate::tui::view::theme;

use super::preview::{Phase, Preview, PreviewSample};

/// `text` wrapped to `width`, every line in `style`.
fn wrapped(text: &str, width: usize, style: Style, out: &mut Vec<Line<'static>>) {
    for piece in textwrap::wrap(text, width.max(8)) {
        out.push(Line::from(Span::styled(piece.into_owned(), style)));
    }
}

fn phase_lines(ctx: &Shared, preview: &Preview, width: usize, out: &mut Vec<Line<'static>>) {
    let (accepted, rejected) = preview.counts();
    let (text, style) = match &preview.phase {
        Phase::NoLeaf => (
            "select a leaf to preview its generation".to_owned(),
            theme::DIM,
        ),
        Phase::Waiting => ("starting…".to_owned(), theme::DIM),
        Phase::LoadingModel => ("loading model…".to_owned(), theme::DIM),
        Phase::Generating => (
            format!(
                "generating sample {} of {}",
                preview.samples.len(),
                preview.wanted
            ),
            theme::KEY,
        ),
        Phase::Done => (
            format!("done: {accepted} accepted, {rejected} rejected"),
            theme::OK,
        ),
        Phase::NoModel(path) => (
            format!(
                "no model at {}: run `taxon model fetch` to get the default model",
                path.display()
            ),
            theme::ERROR,
        ),
        Phase::Failed(error) => (format!("preview failed: {error}"), theme::ERROR),
    };
    wrapped(&text, width, style, out);
    let keys = ctx.keymap.keys_for(Mode::Browse, Action::PreviewReseed);
    if let (Some(key), Some(last)) = (keys.first(), out.last_mut()) {
        let hint = format!("  {key} new seed");
        if last.width() + hint.len() <= width {
            last.push_span(Span::styled(hint, theme::DIM));
        }
    }
}

fn figures_lines(preview: &Preview, width: usize, out: &mut Vec<Line<'static>>) {
    let figures = preview.figures();
    let mut parts = Vec::new();
    if let Some((prompt, window)) = preview.prompt {
        parts.push(format!("prompt {prompt}/{window} tok"));
    }
    if let Some(first) = figures.first_token {
        parts.push(format!("first token {} ms", first.as_millis()));
    }
    match (figures.tokens_per_second, figures.llama_tokens_per_second) {
        (Some(app), Some(llama)) => parts.push(format!("{app:.1} tok/s (llama.cpp {llama:.1})")),
        (Some(app), None) => parts.push(format!("{app:.1} tok/s")),
        _ => {}
    }
    if let Some(model) = &preview.model {
        parts.push(format!(
            "model loaded in {} ms",
            model.load_time.as_millis()
        ));
    }
    // Each figure stays whole: a line break comes only between figures.
    let mut line = String::new();
    for part in parts {
        if !line.is_empty() && line.chars().count() + 3 + part.chars().count() > width {
            wrapped(&std::mem::take(&mut line), width, theme::DIM, out);
        }
        if !line.is_empty() {
            line.push_str(" · ");
        }
        line.push_str(&part);
    }
    if !line.is_empty() {
        wrapped(&line, width, theme::DIM, out);
    }
}

fn sample_lines(index: usize, sample: &PreviewSample, width: usize, out: &mut Vec<Line<'static>>) {
    let (mark, label, style): (&str, String, Style) = match &sample.verdict {
        None => ("…", "generating".to_owned(), theme::KEY),
        Some(Verdict::Accepted) => ("✓", "accepted".to_owned(), theme::OK),
        Some(Verdict::Rejected(reason)) => ("✗", format!("rejected: {reason}"), theme::ERROR),
    };
    let header = format!("{mark} sample {} {label}", index + 1);
    wrapped(&header, width, style.add_modifier(Modifier::BOLD), out);
    let room = width.saturating_sub(2).max(8);
    for source_line in sample.text.trim_end_matches('\n').split('\n') {
        for piece in textwrap::wrap(source_line, room) {
            out.push(Line::from(format!("  {piece}")));
        }
    }
}

/// Draws the pane in `area`.
pub fn draw(frame: &mut Frame<'_>, area: Rect, ctx: &Shared, preview: &Preview) {
    let title = match &preview.folder {
        Some(folder) => {
            let parts: Vec<_> = folder.iter().map(|p| p.to_string_lossy()).collect();
            let short = parts[parts.len().saturating_sub(2)..].join("/");
            format!(" Preview · {short} · seed {} ", preview.seed)
        }
        None => " Preview ".to_owned(),
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme::BORDER)
        .title(Span::styled(title, theme::HEADING));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = inner.width as usize;
    let mut lines = Vec::new();
    phase_lines(ctx, preview, width, &mut lines);
    figures_lines(preview, width, &mut lines);
    let mut body = Vec::new();
    for (index, sample) in preview.samples.iter().enumerate() {
        sample_lines(index, sample, width, &mut body);
    }
    let room = (inner.height as usize).saturating_sub(lines.len());
    let skip = body.len().saturating_sub(room);
    lines.extend(body.into_iter().skip(skip));
    frame.render_widget(Paragraph::new(lines), inner);
}
