//! The training screen: the runs on top (state, progress, last loss, a sparkline,
//! the ETA), below a large braille chart of train and eval loss against step for the
//! selected or the marked runs, and the selected run's details.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Axis, Block, Borders, Chart, Dataset, GraphType, LegendPosition, List, ListItem, ListState,
    Paragraph, Wrap,
};

use crate::train::phases::Phase;
use crate::train::registry::{RunState, RunStatus};
use crate::tui::action::Action;
use crate::tui::keymap::Mode;
use crate::tui::shared::Shared;
use crate::tui::view::theme;
use crate::tui::view::widgets::hints;

use super::TrainScreen;
use super::run_entry::RunEntry;

/// Each plotted run's colours: train loss, eval loss.
const RUN_COLOURS: [(Color, Color); 6] = [
    (Color::Cyan, Color::LightCyan),
    (Color::Yellow, Color::LightYellow),
    (Color::Magenta, Color::LightMagenta),
    (Color::Green, Color::LightGreen),
    (Color::Red, Color::LightRed),
    (Color::Blue, Color::LightBlue),
];
/// Characters of the list's sparklines.
const SPARK: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
/// Losses in a sparkline.
const SPARK_WIDTH: usize = 14;
/// The details pane's width.
const DETAILS_WIDTH: u16 = 34;

fn state_style(state: RunState) -> Style {
    match state {
        RunState::Running | RunState::Generating => theme::OK,
        RunState::Stopping => theme::WARNING,
        RunState::Done => theme::KEY,
        RunState::Failed => theme::ERROR,
        RunState::Queued | RunState::Stopped => theme::DIM,
    }
}

/// `seconds` as `1h02m`, `3m05s` or `42s`.
pub(crate) fn duration(seconds: f64) -> String {
    let s = seconds.round().max(0.0) as u64;
    match (s / 3600, s % 3600 / 60, s % 60) {
        (0, 0, s) => format!("{s}s"),
        (0, m, s) => format!("{m}m{s:02}s"),
        (h, m, _) => format!("{h}h{m:02}m"),
    }
}

/// The last `width` values as a sparkline scaled to their own range.
pub(crate) fn sparkline(values: &[f64], width: usize) -> String {
    let recent = &values[values.len().saturating_sub(width)..];
    let (low, high) = recent
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &v| {
            (l.min(v), h.max(v))
        });
    recent
        .iter()
        .map(|&v| {
            let share = if high > low {
                (v - low) / (high - low)
            } else {
                0.5
            };
            SPARK[((share * 7.0).round() as usize).min(7)]
        })
        .collect()
}

/// At most about `target` points of `points` for drawing: each of `target / 2`
/// buckets keeps its lowest and highest point, in step order, so spikes survive.
pub(crate) fn decimate(points: &[(f64, f64)], target: usize) -> Vec<(f64, f64)> {
    let buckets = (target / 2).max(1);
    if points.len() <= target.max(2) {
        return points.to_vec();
    }
    let size = points.len().div_ceil(buckets);
    let mut kept = Vec::with_capacity(buckets * 2);
    for chunk in points.chunks(size) {
        let by_loss = |a: &&(f64, f64), b: &&(f64, f64)| a.1.total_cmp(&b.1);
        let (Some(low), Some(high)) = (chunk.iter().min_by(by_loss), chunk.iter().max_by(by_loss))
        else {
            continue;
        };
        let (first, second) = if low.0 <= high.0 {
            (low, high)
        } else {
            (high, low)
        };
        kept.push(*first);
        if second != first {
            kept.push(*second);
        }
    }
    kept
}

fn run_item(screen: &TrainScreen, entry: &RunEntry, colour: Option<Color>) -> ListItem<'static> {
    let status = &entry.status;
    let last = entry.series.last.as_ref();
    let step = last.map_or(0, |r| r.step);
    let progress = match status.total_steps {
        Some(total) => format!("{step}/{total}"),
        None => step.to_string(),
    };
    // In a run of phases, the phase names the epoch and has its own count.
    let phase = last
        .and_then(|r| r.phase)
        .filter(|p| *p != Phase::Single)
        .and_then(|p| status.phases.iter().find(|s| s.phase == p));
    let (name, of) = match phase {
        Some(phase) => (phase.phase.name(), Some(phase.epochs)),
        None => ("ep", status.epochs),
    };
    let epoch = match (last.map(|r| r.epoch), of) {
        (Some(e), Some(of)) => format!("{name} {e}/{of}"),
        (Some(e), None) => format!("{name} {e}"),
        (None, _) => String::new(),
    };
    let loss = last
        .and_then(|r| r.train_loss)
        .map_or_else(|| "-".to_owned(), |l| format!("{l:.4}"));
    let losses: Vec<f64> = entry.series.train.iter().map(|&(_, l)| l).collect();
    let mark = if screen.marked.contains(&entry.run.id) {
        Span::styled("◆ ", Style::new().fg(colour.unwrap_or(Color::White)))
    } else {
        Span::raw("  ")
    };
    let mut spans = vec![
        mark,
        Span::raw(format!("{:<22}", entry.run.id)),
        Span::styled(
            format!("{:<10}", status.state.name()),
            state_style(status.state),
        ),
        Span::raw(format!("{progress:>11} {epoch:<13}")),
        Span::raw(format!("{loss:>8} ")),
        Span::styled(
            format!("{:<15}", sparkline(&losses, SPARK_WIDTH)),
            theme::KEY,
        ),
    ];
    if let Some(eta) = entry.eta_seconds() {
        spans.push(Span::styled(format!("ETA {}", duration(eta)), theme::DIM));
    }
    ListItem::new(Line::from(spans))
}

fn colour_of(screen: &TrainScreen, id: &str) -> Option<(Color, Color)> {
    let position = screen.plotted().iter().position(|r| r.run.id == id)?;
    Some(RUN_COLOURS[position % RUN_COLOURS.len()])
}

/// A pane with the keyboard: its title on top, the training keys it offers below.
pub(super) fn focused_pane(
    title: String,
    ctx: &Shared,
    offered: &[(Action, &str)],
) -> Block<'static> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(theme::BORDER_FOCUSED)
        .title(title)
        .title_bottom(hints(&ctx.keymap, Mode::Train, offered))
}

fn run_list(frame: &mut Frame<'_>, area: Rect, ctx: &Shared, screen: &TrainScreen) {
    let title = match screen.runs.len() {
        1 => " Training · 1 run ".to_owned(),
        n => format!(" Training · {n} runs "),
    };
    let block = focused_pane(
        title,
        ctx,
        &[
            (Action::MarkRun, "overlay"),
            (Action::LogScale, "log scale"),
            (Action::NewRun, "new run"),
            (Action::CancelRun, "cancel run"),
            (Action::Compare, "compare"),
            (Action::ShowEval, "eval"),
            (Action::Back, "back"),
        ],
    );
    let empty = match (&screen.problem, screen.loaded, screen.runs.is_empty()) {
        (Some(problem), _, _) => Some(problem.clone()),
        (None, false, _) => Some("reading the runs…".to_owned()),
        (None, true, true) => Some("no runs yet: new-run launches one".to_owned()),
        (None, true, false) => None,
    };
    if let Some(text) = empty {
        let text = Paragraph::new(Span::styled(text, theme::DIM)).block(block);
        frame.render_widget(text, area);
        return;
    }
    let items: Vec<ListItem<'_>> = screen
        .runs
        .iter()
        .map(|entry| run_item(screen, entry, colour_of(screen, &entry.run.id).map(|c| c.0)))
        .collect();
    let mut state = ListState::default().with_selected(Some(screen.selected));
    let list = List::new(items)
        .block(block)
        .highlight_style(theme::SELECTED);
    frame.render_stateful_widget(list, area, &mut state);
}

/// A run's short name in the legend: the end of its id.
fn short_id(id: &str) -> &str {
    id.rsplit('-').next().unwrap_or(id)
}

fn scaled(points: &[(f64, f64)], log: bool, target: usize) -> Vec<(f64, f64)> {
    let points = decimate(points, target);
    if !log {
        return points;
    }
    points
        .into_iter()
        .filter(|&(_, y)| y > 0.0)
        .map(|(x, y)| (x, y.log10()))
        .collect()
}

/// Where phase 2 of a run of phases starts (between its first step and the one
/// before) and what the legend says of it: the phase-1 checkpoint it started from.
fn phase_two_start(status: &RunStatus) -> Option<(f64, String)> {
    let phase = status.phases.get(1).filter(|p| p.first_step > 0)?;
    let from = phase.started_from.as_deref().unwrap_or("the base model");
    Some((
        phase.first_step as f64 + 0.5,
        format!("phase 2 from {from}"),
    ))
}

/// A vertical rule on the chart: its legend, colour and two ends.
type Rule = (String, Color, [(f64, f64); 2]);

/// One run's lines, ready to draw.
struct Plot {
    /// Its name in the legend (empty when it is plotted alone).
    name: String,
    /// Its train and eval colours.
    colours: (Color, Color),
    /// (step, train loss), decimated and scaled.
    train: Vec<(f64, f64)>,
    /// (step, eval loss), decimated and scaled.
    eval: Vec<(f64, f64)>,
    /// Where phase 2 starts, and its legend.
    phase_two: Option<(f64, String)>,
}

fn loss_label(value: f64, log: bool) -> String {
    let value = if log { 10f64.powf(value) } else { value };
    format!("{value:.3}")
}

fn chart(frame: &mut Frame<'_>, area: Rect, screen: &TrainScreen) {
    let plotted = screen.plotted();
    let scale = if screen.log_scale { " · log" } else { "" };
    let title = match plotted.as_slice() {
        [] => " Loss ".to_owned(),
        [one] => format!(" Loss · {}{scale} ", one.run.id),
        many => format!(" Loss · {} runs{scale} ", many.len()),
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme::BORDER)
        .title(title);
    // About two points per column (braille has two dots across a cell).
    let target = usize::from(area.width.saturating_sub(10)) * 2;
    let log = screen.log_scale;
    let series: Vec<Plot> = plotted
        .iter()
        .enumerate()
        .map(|(i, entry)| {
            let (train, eval) = RUN_COLOURS[i % RUN_COLOURS.len()];
            Plot {
                name: if plotted.len() == 1 {
                    String::new()
                } else {
                    format!("{} ", short_id(&entry.run.id))
                },
                colours: (train, eval),
                train: scaled(&entry.series.train, log, target),
                eval: scaled(&entry.series.eval, log, target),
                phase_two: phase_two_start(&entry.status),
            }
        })
        .collect();
    let all = series.iter().flat_map(|s| s.train.iter().chain(&s.eval));
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for &(x, y) in all {
        (x0, x1, y0, y1) = (x0.min(x), x1.max(x), y0.min(y), y1.max(y));
    }
    if x0 > x1 {
        let text = Paragraph::new(Span::styled("no losses yet", theme::DIM)).block(block);
        frame.render_widget(text, area);
        return;
    }
    if x1 <= x0 {
        x1 = x0 + 1.0;
    }
    let pad = ((y1 - y0) * 0.05).max(if log { 0.01 } else { 1e-3 });
    (y0, y1) = (y0 - pad, y1 + pad);
    // A vertical rule where a plotted run's phase 2 starts, once the chart gets there.
    let rules: Vec<Rule> = series
        .iter()
        .filter_map(|plot| {
            let (x, legend) = plot.phase_two.as_ref()?;
            (*x <= x1).then(|| {
                let name = format!("{}{legend}", plot.name);
                (name, plot.colours.1, [(*x, y0), (*x, y1)])
            })
        })
        .collect();
    let mut datasets = Vec::new();
    for (name, colour, points) in &rules {
        datasets.push(
            Dataset::default()
                .name(name.clone())
                .marker(Marker::Braille)
                .graph_type(GraphType::Line)
                .style(Style::new().fg(*colour))
                .data(points),
        );
    }
    for plot in &series {
        let (train, eval) = plot.colours;
        datasets.push(
            Dataset::default()
                .name(format!("{}train", plot.name))
                .marker(Marker::Braille)
                .graph_type(GraphType::Line)
                .style(Style::new().fg(train))
                .data(&plot.train),
        );
        if !plot.eval.is_empty() {
            datasets.push(
                Dataset::default()
                    .name(format!("{}eval", plot.name))
                    .marker(Marker::Braille)
                    .graph_type(GraphType::Line)
                    .style(Style::new().fg(eval))
                    .data(&plot.eval),
            );
        }
    }
    let x_labels = [x0, (x0 + x1) / 2.0, x1].map(|x| format!("{x:.0}"));
    let y_labels = [y0, (y0 + y1) / 2.0, y1].map(|y| loss_label(y, log));
    let chart = Chart::new(datasets)
        .block(block)
        .x_axis(
            Axis::default()
                .title(Span::styled("step", theme::DIM))
                .style(theme::DIM)
                .bounds([x0, x1])
                .labels(x_labels),
        )
        .y_axis(
            Axis::default()
                .style(theme::DIM)
                .bounds([y0, y1])
                .labels(y_labels),
        )
        .legend_position(Some(LegendPosition::TopRight))
        .hidden_legend_constraints((Constraint::Ratio(2, 3), Constraint::Ratio(1, 2)));
    frame.render_widget(chart, area);
}

fn details(frame: &mut Frame<'_>, area: Rect, screen: &TrainScreen) {
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme::BORDER)
        .title(" Run ");
    let Some(entry) = screen.current() else {
        frame.render_widget(block, area);
        return;
    };
    let status = &entry.status;
    let series = &entry.series;
    let last = series.last.as_ref();
    let row = |label: &str, value: String| {
        Line::from(vec![
            Span::styled(format!("{label:<7}"), theme::DIM),
            Span::raw(value),
        ])
    };
    let mut lines = vec![
        Line::from(Span::styled(
            status.state.name().to_owned(),
            state_style(status.state),
        )),
        row(
            "step",
            format!(
                "{}/{}",
                last.map_or(0, |r| r.step),
                status.total_steps.map_or("?".to_owned(), |t| t.to_string())
            ),
        ),
        row(
            "train",
            last.and_then(|r| r.train_loss)
                .map_or("-".to_owned(), |l| format!("{l:.4}")),
        ),
        row(
            "eval",
            series
                .last_eval()
                .map_or("-".to_owned(), |l| format!("{l:.4}")),
        ),
        row(
            "lr",
            last.and_then(|r| r.lr)
                .map_or("-".to_owned(), |l| format!("{l:.2e}")),
        ),
    ];
    let mut speed = Vec::new();
    if let Some(rate) = last.and_then(|r| r.tokens_per_second) {
        speed.push(format!("{rate:.0} tok/s"));
    }
    if let Some(rate) = series.steps_per_second() {
        speed.push(format!("{rate:.2} step/s"));
    }
    if !speed.is_empty() {
        lines.push(row("speed", speed.join(" · ")));
    }
    if let Some(eta) = entry.eta_seconds() {
        lines.push(row("ETA", duration(eta)));
    }
    if let Some(checkpoint) = status.checkpoints.last() {
        lines.push(row("saved", checkpoint.label.clone()));
    }
    if let Some(evaluating) = screen.evaluating.as_ref().filter(|e| e.run == entry.run.id) {
        lines.push(Line::from(Span::styled(evaluating.describe(), theme::OK)));
    }
    if let Some((step, legend)) = phase_two_start(status) {
        let text = format!("{legend} at step {}", step.ceil());
        lines.push(Line::from(Span::styled(text, theme::DIM)));
    }
    if let Some(spec) = &entry.spec {
        lines.push(Line::from(Span::styled(spec.summary(), theme::DIM)));
    }
    let first = status.message.as_deref().and_then(|m| m.lines().next());
    if let Some(first) = first {
        let style = if status.state == RunState::Failed {
            theme::ERROR
        } else {
            theme::DIM
        };
        lines.push(Line::from(Span::styled(first.to_owned(), style)));
    }
    if let Some(log) = &entry.log_tail {
        // The registry's message for a dead worker already announces its log.
        if !first.is_some_and(|f| f.ends_with(':')) {
            lines.push(Line::from(Span::styled("log:", theme::HEADING)));
        }
        lines.extend(
            log.lines()
                .map(|l| Line::from(Span::styled(l.to_owned(), theme::DIM))),
        );
    }
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        area,
    );
}

/// Draws the training screen in `area`.
pub fn draw(frame: &mut Frame<'_>, area: Rect, ctx: &Shared, screen: &TrainScreen) {
    let rows = u16::try_from(screen.runs.len().clamp(1, 6)).unwrap_or(6) + 2;
    let [list_area, lower] =
        Layout::vertical([Constraint::Length(rows), Constraint::Min(6)]).areas(area);
    let [chart_area, details_area] =
        Layout::horizontal([Constraint::Min(30), Constraint::Length(DETAILS_WIDTH)]).areas(lower);
    run_list(frame, list_area, ctx, screen);
    if let Some(check) = &screen.compare {
        super::compare_view::draw(frame, lower, check);
    } else if let Some(pane) = &screen.eval {
        super::eval_view::draw(frame, lower, ctx, pane, screen.evaluating.as_ref());
    } else {
        chart(frame, chart_area, screen);
        details(frame, details_area, screen);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimation_keeps_about_the_target_and_the_extremes() {
        let points: Vec<(f64, f64)> = (0..10_000)
            .map(|i| (f64::from(i), if i == 5_003 { 9.0 } else { 1.0 }))
            .collect();
        let kept = decimate(&points, 200);
        assert!(kept.len() <= 200, "{}", kept.len());
        assert!(kept.contains(&(5_003.0, 9.0)), "the spike survives");
        assert!(kept.windows(2).all(|w| w[0].0 < w[1].0), "in step order");
        assert_eq!(
            decimate(&points[..50], 200).len(),
            50,
            "short series stay whole"
        );
    }

    #[test]
    fn sparklines_and_durations() {
        assert_eq!(sparkline(&[3.0, 2.0, 1.0], 14), "█▅▁");
        assert_eq!(sparkline(&[1.0, 1.0], 14), "▅▅");
        assert_eq!(sparkline(&[5.0, 4.0, 3.0, 2.0, 1.0], 2), "█▁");
        assert_eq!(duration(42.4), "42s");
        assert_eq!(duration(185.0), "3m05s");
        assert_eq!(duration(3_725.0), "1h02m");
    }
}
