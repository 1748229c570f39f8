//! The generation preview pane: where the preview is and through which pipeline,
//! the funnel's counts (candidates into each stage and out of it), the prompt's
//! share of the context window and the engine's figures, then each candidate:
//! the text of the stage writing it as it streams, its fields, each judge's and
//! filter's mark (`✓`/`✗` with the score) and, once it ended, accepted or the
//! stage that rejected it and why. When the candidates do not fit, the one being
//! worked on is kept in view.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use crate::generate::pipeline::Field;
use crate::generate::runner::MarkKind;
use crate::tui::action::Action;
use crate::tui::keymap::Mode;
use crate::tui::shared::Shared;
use crate::tui::view::theme;

use super::preview::{Phase, Preview, other_pipeline};
use super::preview_funnel::{FunnelCandidate, Outcome};

/// `text` wrapped to `width`, every line in `style`.
fn wrapped(text: &str, width: usize, style: Style, out: &mut Vec<Line<'static>>) {
    for piece in textwrap::wrap(text, width.max(8)) {
        out.push(Line::from(Span::styled(piece.into_owned(), style)));
    }
}

/// `parts` joined by `separator`, a line broken only between parts.
fn joined(
    parts: &[String],
    separator: &str,
    width: usize,
    style: Style,
    out: &mut Vec<Line<'static>>,
) {
    let mut line = String::new();
    for part in parts {
        let room = line.chars().count() + separator.chars().count() + part.chars().count();
        if !line.is_empty() && room > width {
            wrapped(&std::mem::take(&mut line), width, style, out);
        }
        if !line.is_empty() {
            line.push_str(separator);
        }
        line.push_str(part);
    }
    if !line.is_empty() {
        wrapped(&line, width, style, out);
    }
}

fn phase_lines(preview: &Preview, width: usize, out: &mut Vec<Line<'static>>) {
    let (accepted, rejected) = preview.funnel.outcomes();
    let pipeline = preview.pipeline;
    let (text, style) = match &preview.phase {
        Phase::NoLeaf => (
            "select a leaf to preview its generation".to_owned(),
            theme::DIM,
        ),
        Phase::Waiting => (format!("{pipeline}: starting…"), theme::DIM),
        Phase::LoadingModel => (format!("{pipeline}: loading model…"), theme::DIM),
        Phase::Generating => {
            let stage = match &preview.funnel.running {
                Some(stage) => format!(" {stage},"),
                None => String::new(),
            };
            (
                format!(
                    "{pipeline}:{stage} {accepted} of {} accepted, {rejected} rejected",
                    preview.wanted
                ),
                theme::KEY,
            )
        }
        Phase::Done => (
            format!(
                "{pipeline} done: {accepted} accepted, {rejected} rejected ({} wanted)",
                preview.wanted
            ),
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
}

/// The preview's keys, as the keymap binds them: for the pane's bottom border.
fn hints(ctx: &Shared, preview: &Preview) -> String {
    let mut hints = Vec::new();
    if let Some(key) = ctx
        .keymap
        .keys_for(Mode::Browse, Action::PreviewReseed)
        .first()
    {
        hints.push(format!("{key} new seed"));
    }
    if let Some(key) = ctx
        .keymap
        .keys_for(Mode::Browse, Action::PreviewPipeline)
        .first()
    {
        hints.push(format!("{key} {}", other_pipeline(preview.pipeline)));
    }
    if hints.is_empty() {
        return String::new();
    }
    format!(" {} ", hints.join(" · "))
}

/// The funnel at a glance: the rounds started, then each stage and the
/// candidates it let out (`…` while it runs; only its name before it starts).
fn funnel_lines(preview: &Preview, width: usize, out: &mut Vec<Line<'static>>) {
    let funnel = &preview.funnel;
    let Some(first) = funnel.counts.first() else {
        return;
    };
    let mut parts = vec![format!("{} in", first.input)];
    for count in &funnel.counts {
        let running = funnel.running.as_deref() == Some(count.stage.as_str());
        parts.push(if running {
            format!("{} …", count.stage)
        } else if count.input == 0 {
            count.stage.clone()
        } else {
            format!("{} {}", count.stage, count.output)
        });
    }
    joined(&parts, " → ", width, theme::HEADING, out);
}

fn figures_lines(preview: &Preview, width: usize, out: &mut Vec<Line<'static>>) {
    let figures = preview.figures();
    let mut parts = Vec::new();
    if let Some((prompt, window)) = preview.funnel.prompt {
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
    joined(&parts, " · ", width, theme::DIM, out);
}

/// `text` indented by two, each of its lines wrapped.
fn indented(text: &str, width: usize, out: &mut Vec<Line<'static>>) {
    let room = width.saturating_sub(2).max(8);
    for source_line in text.trim_end_matches('\n').split('\n') {
        for piece in textwrap::wrap(source_line, room) {
            out.push(Line::from(format!("  {piece}")));
        }
    }
}

fn candidate_lines(
    preview: &Preview,
    candidate: &FunnelCandidate,
    width: usize,
    out: &mut Vec<Line<'static>>,
) {
    let (mark, label, style): (&str, String, Style) = match (&candidate.outcome, &candidate.stage) {
        (Some(Outcome::Accepted), _) => ("✓", "accepted".to_owned(), theme::OK),
        (Some(Outcome::Rejected { stage, reason }), _) => {
            ("✗", format!("{stage}: {reason}"), theme::ERROR)
        }
        (None, Some(stage)) => ("…", stage.clone(), theme::KEY),
        (None, None) => ("·", "waiting".to_owned(), theme::DIM),
    };
    let header = format!("{mark} #{} {label}", candidate.id);
    wrapped(&header, width, style.add_modifier(Modifier::BOLD), out);
    for field in Field::ALL {
        if let Some(text) = candidate.draft.get(field) {
            indented(&format!("{} {text}", field.tag()), width, out);
        }
    }
    let writing = candidate
        .stage
        .as_deref()
        .is_some_and(|stage| preview.funnel.kind(stage) == Some("generate"));
    if (writing || candidate.draft == Default::default()) && !candidate.text.is_empty() {
        indented(&candidate.text, width, out);
    }
    // A rejection's mark is its header.
    let marks: Vec<String> = candidate
        .marks
        .iter()
        .filter(|mark| mark.verdict != MarkKind::Rejected)
        .map(|mark| match mark.score {
            Some(score) => format!("{} ✓ {score}", mark.stage),
            None => format!("{} ✓", mark.stage),
        })
        .collect();
    let mut marks_lines = Vec::new();
    joined(
        &marks,
        " · ",
        width.saturating_sub(2),
        theme::DIM,
        &mut marks_lines,
    );
    for mut line in marks_lines {
        line.spans.insert(0, Span::raw("  "));
        out.push(line);
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
        .title(Span::styled(title, theme::HEADING))
        .title_bottom(Span::styled(hints(ctx, preview), theme::DIM));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = inner.width as usize;
    let mut lines = Vec::new();
    phase_lines(preview, width, &mut lines);
    funnel_lines(preview, width, &mut lines);
    // The engine's figures when they leave the candidates half the pane.
    let mut figures = Vec::new();
    figures_lines(preview, width, &mut figures);
    let height = inner.height as usize;
    if 2 * (lines.len() + figures.len()) <= height {
        lines.extend(figures);
    }
    // The candidate being worked on stays in view: its last line at the bottom
    // when it would be below (else the first candidates show).
    let (mut body, mut working_end) = (Vec::new(), 0);
    for candidate in preview.funnel.shown() {
        candidate_lines(preview, candidate, width, &mut body);
        if candidate.stage.is_some() {
            working_end = body.len();
        }
    }
    let room = height.saturating_sub(lines.len());
    let skip = working_end.saturating_sub(room);
    lines.extend(body.into_iter().skip(skip));
    frame.render_widget(Paragraph::new(lines), inner);
}
