//! The launch form of the training screen: base model, the dataset (a JSONL file,
//! or samples generated now for the leaves changed against the base), epochs,
//! learning rate, context and threads. Submitting builds the run's spec with the
//! same code as `taxon train` (defaults, checks and messages included).

use std::path::PathBuf;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use crate::dirs::AppDirs;
use crate::generate::fetch::default_model_path;
use crate::train::request::{DataRequest, TrainRequest, run_spec};
use crate::train::spec::{CONTEXT_ALIGNMENT, RunSpec};
use crate::tui::action::Action;
use crate::tui::component::{Component, Press, Reaction};
use crate::tui::input_line::InputLine;
use crate::tui::keymap::Mode;
use crate::tui::msg::Effect;
use crate::tui::shared::Shared;
use crate::tui::train_jobs::TrainJob;
use crate::tui::view::theme;
use crate::tui::view::widgets::{centered, hints, key_name, popup_block};

/// Columns before a row's value: the focus mark, the label and a space.
const LABEL_WIDTH: usize = 2 + 14 + 1;

/// The form's rows, in order.
pub const FIELDS: [&str; 8] = [
    "base model",
    "dataset",
    "dataset file",
    "samples per leaf",
    "epochs",
    "learning rate",
    "context",
    "threads",
];
const MODEL: usize = 0;
/// The row that chooses where the dataset comes from.
pub const SOURCE: usize = 1;
const FILE: usize = 2;
const SAMPLES: usize = 3;
const EPOCHS: usize = 4;
const LEARNING_RATE: usize = 5;
const CONTEXT: usize = 6;
const THREADS: usize = 7;

/// Where the form's dataset comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatasetChoice {
    /// A messages-format JSONL file.
    File,
    /// Samples generated when the run starts, for the changed leaves.
    Changed,
}

/// The leaves changed against the base, as the tree shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changes {
    /// The taxonomy root.
    pub taxonomy: PathBuf,
    /// The base's name, when there is one.
    pub base: Option<String>,
    /// How many leaves changed against it.
    pub count: usize,
}

/// The launch form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LaunchForm {
    /// One input per row of [`FIELDS`] (the [`SOURCE`] row's is not typed in: it is
    /// a choice).
    pub inputs: Vec<InputLine>,
    /// The row being typed in.
    pub focus: usize,
    /// Where the dataset comes from.
    pub source: DatasetChoice,
    /// The changed leaves, for [`DatasetChoice::Changed`].
    pub changes: Changes,
    /// Why the last submission was refused.
    pub problem: Option<String>,
}

fn parse<T: std::str::FromStr>(field: usize, text: &str) -> Result<T, String> {
    text.trim()
        .parse()
        .map_err(|_| format!("{}: `{}` is not a number", FIELDS[field], text.trim()))
}

impl LaunchForm {
    /// The form with `taxon train`'s defaults and the default model, a dataset
    /// file to be named.
    pub fn new(dirs: &AppDirs, changes: Changes) -> Self {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let values = [
            default_model_path(dirs).display().to_string(),
            String::new(),
            String::new(),
            "5".to_owned(),
            "2".to_owned(),
            "2e-4".to_owned(),
            CONTEXT_ALIGNMENT.to_string(),
            threads.to_string(),
        ];
        Self {
            inputs: values.iter().map(|v| InputLine::from_text(v)).collect(),
            focus: FILE,
            source: DatasetChoice::File,
            changes,
            problem: None,
        }
    }

    /// What a dataset choice says.
    pub fn choice_label(&self, choice: DatasetChoice) -> String {
        match (choice, &self.changes.base) {
            (DatasetChoice::File, _) => "a JSONL file".to_owned(),
            (DatasetChoice::Changed, Some(base)) => match self.changes.count {
                1 => format!("generate now from the 1 leaf changed vs {base}"),
                n => format!("generate now from the {n} leaves changed vs {base}"),
            },
            (DatasetChoice::Changed, None) => "generate now from the changed leaves".to_owned(),
        }
    }

    /// A dataset choice as the form shows it: its mark, and its label, bright
    /// when it is the chosen one.
    fn choice_spans(&self, choice: DatasetChoice) -> [Span<'static>; 2] {
        let (mark, style) = if self.source == choice {
            ("(•) ", theme::HEADING)
        } else {
            ("( ) ", theme::DIM)
        };
        [
            Span::styled(mark, theme::KEY),
            Span::styled(self.choice_label(choice), style),
        ]
    }

    /// Switches between a dataset file and generating from the changed leaves.
    pub fn toggle_source(&mut self) {
        self.source = match self.source {
            DatasetChoice::File => DatasetChoice::Changed,
            DatasetChoice::Changed => DatasetChoice::File,
        };
        self.problem = None;
    }

    /// Whether `row` is used with the current dataset choice.
    pub fn applies(&self, row: usize) -> bool {
        match row {
            FILE => self.source == DatasetChoice::File,
            SAMPLES => self.source == DatasetChoice::Changed,
            _ => true,
        }
    }

    /// The input being typed in.
    pub fn input(&mut self) -> &mut InputLine {
        &mut self.inputs[self.focus]
    }

    /// Moves `delta` rows in use down (or up), round the end.
    pub fn move_focus(&mut self, delta: isize) {
        let count = self.inputs.len() as isize;
        for _ in 0..delta.unsigned_abs() {
            loop {
                self.focus = (self.focus as isize + delta.signum()).rem_euclid(count) as usize;
                if self.applies(self.focus) {
                    break;
                }
            }
        }
    }

    fn text(&self, field: usize) -> &str {
        self.inputs[field].text().trim()
    }

    /// The request `taxon train --detach` would make.
    fn request(&self) -> Result<TrainRequest, String> {
        let epochs: u32 = parse(EPOCHS, self.text(EPOCHS))?;
        let threads: u32 = parse(THREADS, self.text(THREADS))?;
        if epochs == 0 || threads == 0 {
            return Err("epochs and threads must be at least 1".to_owned());
        }
        let data = match self.source {
            DatasetChoice::File if self.text(FILE).is_empty() => {
                return Err("name the dataset: a messages-format JSONL file".to_owned());
            }
            DatasetChoice::File => DataRequest::File(PathBuf::from(self.text(FILE))),
            DatasetChoice::Changed => {
                let samples: u32 = parse(SAMPLES, self.text(SAMPLES))?;
                match &self.changes.base {
                    None => return Err("there is no git base to find changed leaves".to_owned()),
                    Some(base) if self.changes.count == 0 => {
                        return Err(format!("no leaf changed against {base}"));
                    }
                    Some(_) if samples == 0 => {
                        return Err("samples per leaf must be at least 1".to_owned());
                    }
                    Some(base) => DataRequest::Changed {
                        taxonomy: self.changes.taxonomy.clone(),
                        base: Some(base.clone()),
                        samples,
                    },
                }
            }
        };
        let mut request = TrainRequest::new(Some(data));
        request.model = Some(PathBuf::from(self.text(MODEL)));
        request.epochs = Some(epochs);
        request.learning_rate = Some(parse(LEARNING_RATE, self.text(LEARNING_RATE))?);
        request.context = parse(CONTEXT, self.text(CONTEXT))?;
        request.threads = Some(threads);
        Ok(request)
    }

    /// Launches the run the form describes, or says why it cannot.
    fn launch(&mut self, ctx: &mut Shared) -> Reaction {
        let Some(setup) = &ctx.train_setup else {
            return Reaction::close();
        };
        match self.spec(&setup.dirs) {
            Ok(spec) => {
                let job = TrainJob::Launch {
                    registry: setup.registry.clone(),
                    program: setup.program.clone(),
                    spec: Box::new(spec),
                };
                ctx.notify("launching the run…");
                Reaction::close().and([Effect::Train(job)])
            }
            Err(why) => {
                self.problem = Some(why);
                Reaction::none()
            }
        }
    }

    /// The run's spec, or why the form cannot launch one.
    pub fn spec(&self, dirs: &AppDirs) -> Result<RunSpec, String> {
        run_spec(&self.request()?, dirs).map_err(|e| e.to_string())
    }
}

impl Component for LaunchForm {
    fn mode(&self, _ctx: &Shared) -> Mode {
        if self.focus == SOURCE {
            Mode::List
        } else {
            Mode::Picker
        }
    }

    fn handle(&mut self, ctx: &mut Shared, press: Press) -> Reaction {
        if self.focus != SOURCE && InputLine::takes(&press) {
            self.input().edit(&press);
            return Reaction::none();
        }
        match press.action {
            Some(Action::Back) => return Reaction::close(),
            Some(Action::Up | Action::FocusPrev) => self.move_focus(-1),
            Some(Action::Down | Action::FocusNext) => self.move_focus(1),
            Some(Action::Confirm) => return self.launch(ctx),
            Some(Action::Toggle) if self.focus == SOURCE => self.toggle_source(),
            _ => {}
        }
        Reaction::none()
    }

    fn draw(&self, frame: &mut Frame<'_>, _area: Rect, ctx: &Shared, _focused: bool) {
        let form = self;
        let mode = self.mode(ctx);
        let area = centered(frame, 80, 60);
        let area = Rect {
            height: area.height.min(FIELDS.len() as u16 + 8),
            ..area
        };
        let block = popup_block(" New run · the built-in trainer ".into()).title_bottom(hints(
            &ctx.keymap,
            mode,
            &[
                (Action::Confirm, "launch"),
                (Action::Down, "next field"),
                (Action::Up, "previous field"),
                (Action::Back, "cancel"),
            ],
        ));
        let mut lines: Vec<Line<'_>> = Vec::new();
        for (i, (label, input)) in FIELDS.iter().zip(&form.inputs).enumerate() {
            if !form.applies(i) {
                continue;
            }
            let focused = i == form.focus;
            // The focused row: marked, its label in the key colour.
            let label = if focused {
                Span::styled(format!("▸ {label:>14} "), theme::KEY)
            } else {
                Span::styled(format!("  {label:>14} "), theme::DIM)
            };
            if i == SOURCE {
                // One choice a line, so neither is cut by the popup's width.
                let mut first = vec![label];
                first.extend(form.choice_spans(DatasetChoice::File));
                let mut second = vec![Span::raw(" ".repeat(LABEL_WIDTH))];
                second.extend(form.choice_spans(DatasetChoice::Changed));
                if focused {
                    let toggle = key_name(&ctx.keymap, Mode::List, Action::Toggle);
                    second.push(Span::styled(format!("  {toggle} changes"), theme::DIM));
                }
                lines.push(Line::from(first));
                lines.push(Line::from(second));
            } else {
                let value = Span::raw(input.text().to_owned());
                let value = if focused {
                    value.style(theme::SELECTED)
                } else {
                    value
                };
                lines.push(Line::from(vec![label, value]));
            }
        }
        lines.push(Line::default());
        let about = match form.source {
            DatasetChoice::File => {
                "The dataset is a messages-format JSONL file, as taxon generate writes.".to_owned()
            }
            DatasetChoice::Changed => format!(
                "When the run starts, taxon generate writes samples for the {} changed leaves with \
                 the default model into the run folder; the run trains on them.",
                form.changes.count
            ),
        };
        lines.push(match &form.problem {
            Some(problem) => Line::from(Span::styled(problem.clone(), theme::ERROR)),
            None => Line::from(Span::styled(about, theme::DIM)),
        });
        frame.render_widget(Clear, area);
        frame.render_widget(
            Paragraph::new(lines)
                .block(block)
                .wrap(Wrap { trim: false }),
            area,
        );
        if form.focus != SOURCE {
            // The dataset row takes two lines (one a choice).
            let row = (0..form.focus).filter(|i| form.applies(*i)).count()
                + usize::from(form.focus > SOURCE);
            let column = LABEL_WIDTH + form.inputs[form.focus].cursor();
            frame.set_cursor_position((
                area.x + 1 + u16::try_from(column).unwrap_or(u16::MAX),
                area.y + 1 + u16::try_from(row).unwrap_or(u16::MAX),
            ));
        }
    }

    fn hints(&self, _ctx: &Shared) -> &'static [Action] {
        &[Action::Confirm, Action::Down, Action::Up, Action::Back]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::train::spec::{ChangedLeaves, DatasetSource, EngineSpec};

    fn dirs(root: &std::path::Path) -> AppDirs {
        AppDirs {
            config: root.join("config"),
            data: root.join("data"),
            state: root.join("state"),
            cache: root.join("cache"),
        }
    }

    fn changes(root: &std::path::Path, count: usize) -> Changes {
        Changes {
            taxonomy: root.to_owned(),
            base: Some("main".to_owned()),
            count,
        }
    }

    /// Dirs with a default model file in place.
    fn with_model(root: &std::path::Path) -> AppDirs {
        let dirs = dirs(root);
        let model = default_model_path(&dirs);
        std::fs::create_dir_all(model.parent().unwrap()).unwrap();
        std::fs::write(&model, b"gguf").unwrap();
        dirs
    }

    #[test]
    fn a_filled_form_gives_the_spec_the_cli_would_build() {
        let dir = tempfile::tempdir().unwrap();
        let dirs = with_model(dir.path());
        let dataset = dir.path().join("d.jsonl");
        std::fs::write(&dataset, "{}\n").unwrap();
        let mut form = LaunchForm::new(&dirs, changes(dir.path(), 2));
        assert_eq!(
            form.spec(&dirs).unwrap_err(),
            "name the dataset: a messages-format JSONL file"
        );
        for c in dataset.display().to_string().chars() {
            form.input().insert(c);
        }
        form.move_focus(1);
        assert_eq!(FIELDS[form.focus], "epochs", "samples per leaf is skipped");
        form.input().edit(&Press::action(Action::DeleteBack));
        form.input().insert('3');
        let spec = form.spec(&dirs).unwrap();
        assert_eq!(
            spec.dataset,
            Some(DatasetSource::Messages { path: dataset })
        );
        let EngineSpec::Local(local) = spec.engine else {
            panic!("the built-in trainer")
        };
        assert_eq!((local.epochs, local.context), (3, 256));
        assert_eq!(local.model, default_model_path(&dirs));
        assert!((local.learning_rate - 2e-4).abs() < 1e-9);
    }

    #[test]
    fn the_changed_leaves_can_be_generated_from_when_the_run_starts() {
        let dir = tempfile::tempdir().unwrap();
        let dirs = with_model(dir.path());
        let mut form = LaunchForm::new(&dirs, changes(dir.path(), 3));
        form.move_focus(-1);
        assert_eq!(form.focus, SOURCE);
        form.toggle_source();
        assert_eq!(form.source, DatasetChoice::Changed);
        assert_eq!(
            form.choice_label(form.source),
            "generate now from the 3 leaves changed vs main"
        );
        form.move_focus(1);
        assert_eq!(
            FIELDS[form.focus], "samples per leaf",
            "the file is skipped"
        );
        form.input().edit(&Press::action(Action::DeleteBack));
        form.input().insert('2');
        let spec = form.spec(&dirs).unwrap();
        assert_eq!(
            spec.dataset,
            Some(DatasetSource::Changed(ChangedLeaves {
                taxonomy: dir.path().to_owned(),
                base: Some("main".to_owned()),
                samples: 2,
                teacher: default_model_path(&dirs),
            }))
        );
        let unchanged = LaunchForm {
            changes: changes(dir.path(), 0),
            ..form.clone()
        };
        assert_eq!(
            unchanged.spec(&dirs).unwrap_err(),
            "no leaf changed against main"
        );
        form.toggle_source();
        assert!(form.applies(FILE) && !form.applies(SAMPLES));
    }

    #[test]
    fn bad_fields_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let dirs = dirs(dir.path());
        let mut form = LaunchForm::new(&dirs, changes(dir.path(), 1));
        form.inputs[FILE] = InputLine::from_text("/nonexistent/d.jsonl");
        assert_eq!(
            form.spec(&dirs).unwrap_err(),
            "/nonexistent/d.jsonl: no such file"
        );
        form.inputs[CONTEXT] = InputLine::from_text("abc");
        assert_eq!(
            form.spec(&dirs).unwrap_err(),
            "context: `abc` is not a number"
        );
        form.move_focus(-3);
        assert_eq!(form.focus, THREADS, "round the start");
        form.toggle_source();
        assert_eq!(
            form.spec(&dirs).unwrap_err(),
            "context: `abc` is not a number"
        );
        form.inputs[CONTEXT] = InputLine::from_text("256");
        assert!(
            form.spec(&dirs)
                .unwrap_err()
                .contains("no such model to generate with"),
            "the teacher is the default model"
        );
    }
}
