//! The training screen's state and its part of the update function: every run of
//! the registry with its metrics as columns, the selection, the runs marked for the
//! overlay chart, the log scale, the cancel question and the launch form. What the
//! tailer reports comes in as [`TrainReply`]; stops and launches go out as
//! [`Effect::Train`]. Nothing here reads files.

use std::collections::BTreeSet;
use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::dirs::AppDirs;
use crate::train::registry::{Registry, RunState};

use super::action::Action;
use super::app::{App, Effect};
use super::keymap::Mode;
use super::popups::help::Help;
use super::run_entry::{RunEntry, Series};
use super::train_compare::Comparison;
use super::train_form::{Changes, LaunchForm, SOURCE};
use super::train_jobs::{RunUpdate, TrainJob, TrainReply};

/// Where runs are and how they are started: the registry in the data folder (as
/// the CLI uses it) and the taxon binary that runs workers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrainSetup {
    /// The run registry.
    pub registry: Registry,
    /// The taxon binary (`train-worker`).
    pub program: PathBuf,
    /// The folders (default model, cache).
    pub dirs: AppDirs,
}

impl TrainSetup {
    /// The setup for `dirs`, launching workers with `program`.
    pub fn new(dirs: AppDirs, program: PathBuf) -> Self {
        Self {
            registry: Registry::from_dirs(&dirs),
            program,
            dirs,
        }
    }
}

/// The training screen.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TrainScreen {
    /// The runs, by id (oldest first).
    pub runs: Vec<RunEntry>,
    /// The selected run (position in `runs`).
    pub selected: usize,
    /// The ids of the runs plotted together.
    pub marked: BTreeSet<String>,
    /// Whether the loss axis is logarithmic.
    pub log_scale: bool,
    /// Whether the registry has been read once.
    pub loaded: bool,
    /// Why the registry could not be read, if it could not.
    pub problem: Option<String>,
    /// The run whose cancellation waits for a yes.
    pub confirm_cancel: Option<String>,
    /// The launch form, while open.
    pub form: Option<Box<LaunchForm>>,
    /// The before/after check, while shown.
    pub compare: Option<Box<Comparison>>,
    /// The last before/after check's generation.
    pub(super) checks: u64,
    /// A run to select once it is listed (one just launched).
    select_id: Option<String>,
}

impl TrainScreen {
    /// The mode whose keymap applies.
    pub fn mode(&self) -> Mode {
        if self.form.is_some() {
            Mode::Picker
        } else if self.confirm_cancel.is_some() {
            Mode::Confirm
        } else {
            Mode::Train
        }
    }

    /// The selected run.
    pub fn current(&self) -> Option<&RunEntry> {
        self.runs.get(self.selected)
    }

    /// The runs the chart plots: the marked ones, else the selected one.
    pub fn plotted(&self) -> Vec<&RunEntry> {
        if self.marked.is_empty() {
            return self.current().into_iter().collect();
        }
        self.runs
            .iter()
            .filter(|r| self.marked.contains(&r.run.id))
            .collect()
    }

    /// Takes what the tailer reports; the selection stays on its run.
    pub fn apply(&mut self, fresh: bool, updates: Vec<RunUpdate>) {
        let selected = self.current().map(|r| r.run.id.clone());
        if fresh {
            self.runs.clear();
        }
        for update in updates {
            let position = self.runs.binary_search_by(|r| r.run.id.cmp(&update.run.id));
            let entry = match (position, update.status.clone()) {
                (Ok(i), _) => &mut self.runs[i],
                (Err(i), Some(status)) => {
                    self.runs.insert(
                        i,
                        RunEntry {
                            run: update.run.clone(),
                            spec: None,
                            status,
                            series: Series::default(),
                            log_tail: None,
                        },
                    );
                    &mut self.runs[i]
                }
                (Err(_), None) => continue, // not known, and no status to show
            };
            if update.spec.is_some() {
                entry.spec = update.spec;
            }
            if let Some(status) = update.status {
                if !matches!(status.state, RunState::Generating | RunState::Failed) {
                    entry.log_tail = None; // the generation's progress line is over
                }
                entry.status = status;
            }
            if update.log_tail.is_some() {
                entry.log_tail = update.log_tail;
            }
            for record in &update.records {
                entry.series.push(record);
            }
        }
        let ids: BTreeSet<&String> = self.runs.iter().map(|r| &r.run.id).collect();
        self.marked.retain(|id| ids.contains(id));
        let wanted = self.select_id.clone().or(selected);
        if let Some(i) = wanted.and_then(|id| self.runs.iter().position(|r| r.run.id == id)) {
            self.selected = i;
            if self.select_id.as_ref() == Some(&self.runs[i].run.id) {
                self.select_id = None;
            }
        }
        self.selected = self.selected.min(self.runs.len().saturating_sub(1));
        self.loaded = true;
        self.problem = None;
    }

    /// Moves the selection by `delta` rows (clamped).
    pub fn move_by(&mut self, delta: isize) {
        let last = self.runs.len().saturating_sub(1);
        self.selected = self.selected.saturating_add_signed(delta).min(last);
    }

    /// Marks or unmarks the selected run for the overlay.
    pub fn toggle_mark(&mut self) {
        if let Some(id) = self.current().map(|r| r.run.id.clone())
            && !self.marked.remove(&id)
        {
            self.marked.insert(id);
        }
    }
}

impl App {
    /// Opens the training screen and starts following the registry.
    pub(super) fn open_train(&mut self) -> Vec<Effect> {
        let Some(setup) = &self.shared.train_setup else {
            self.shared
                .notify_error("training is not set up in this session");
            return Vec::new();
        };
        let registry = setup.registry.clone();
        self.train = Some(Box::default());
        vec![Effect::Train(TrainJob::Watch(registry))]
    }

    fn close_train(&mut self) -> Vec<Effect> {
        self.train = None;
        vec![Effect::Train(TrainJob::Unwatch)]
    }

    /// Keys on the training screen, its cancel question and its launch form.
    pub(super) fn train_key(&mut self, action: Option<Action>, key: KeyEvent) -> Vec<Effect> {
        let Some(screen) = self.train.as_deref_mut() else {
            return Vec::new();
        };
        if screen.form.is_some() {
            return self.form_key(action, key);
        }
        if let Some(id) = screen.confirm_cancel.take() {
            let yes =
                key.code == KeyCode::Char('y') && !key.modifiers.contains(KeyModifiers::CONTROL);
            let run = screen
                .runs
                .iter()
                .find(|r| r.run.id == id)
                .map(|r| r.run.clone());
            return match run {
                Some(run) if yes => {
                    self.shared.notify(format!("asking run {id} to stop…"));
                    vec![Effect::Train(TrainJob::Stop(run))]
                }
                _ => {
                    self.shared.notify(format!("run {id} goes on"));
                    Vec::new()
                }
            };
        }
        if screen.compare.is_some() {
            return self.compare_key(action);
        }
        let Some(action) = action else {
            return Vec::new();
        };
        self.shared.notice = None;
        let page = self.shared.height.saturating_sub(8).max(1) as isize;
        match action {
            Action::Back => return self.close_train(),
            Action::Quit => return self.quit(),
            Action::Help => self.popups.push(Box::new(Help::default())),
            Action::Up => screen.move_by(-1),
            Action::Down => screen.move_by(1),
            Action::PageUp => screen.move_by(-page),
            Action::PageDown => screen.move_by(page),
            Action::Top => screen.move_by(isize::MIN / 2),
            Action::Bottom => screen.move_by(isize::MAX / 2),
            Action::MarkRun => screen.toggle_mark(),
            Action::LogScale => screen.log_scale = !screen.log_scale,
            Action::CancelRun => match screen.current() {
                None => self.shared.notify("no run to cancel"),
                Some(entry) if entry.status.state.is_final() => {
                    let text = format!(
                        "run {} has already ended ({})",
                        entry.run.id,
                        entry.status.state.name()
                    );
                    self.shared.notify(text);
                }
                Some(entry) => screen.confirm_cancel = Some(entry.run.id.clone()),
            },
            Action::NewRun => {
                if let Some(setup) = &self.shared.train_setup {
                    let changes = Changes {
                        taxonomy: self.shared.taxonomy.root.clone(),
                        base: self.shared.marks.base.clone(),
                        count: self.shared.marks.changed_count(),
                    };
                    screen.form = Some(Box::new(LaunchForm::new(&setup.dirs, changes)));
                }
            }
            Action::Compare => return self.start_compare(),
            Action::Reload => {
                if let Some(setup) = &self.shared.train_setup {
                    return vec![Effect::Train(TrainJob::Watch(setup.registry.clone()))];
                }
            }
            _ => {}
        }
        Vec::new()
    }

    fn form_key(&mut self, action: Option<Action>, key: KeyEvent) -> Vec<Effect> {
        let (Some(screen), Some(setup)) = (self.train.as_deref_mut(), &self.shared.train_setup)
        else {
            return Vec::new();
        };
        let Some(form) = screen.form.as_deref_mut() else {
            return Vec::new();
        };
        match action {
            Some(Action::Back) => screen.form = None,
            Some(Action::Up) => form.move_focus(-1),
            Some(Action::Down | Action::FocusNext) => form.move_focus(1),
            Some(Action::Confirm) => match form.spec(&setup.dirs) {
                Ok(spec) => {
                    screen.form = None;
                    let job = TrainJob::Launch {
                        registry: setup.registry.clone(),
                        program: setup.program.clone(),
                        spec: Box::new(spec),
                    };
                    self.shared.notify("launching the run…");
                    return vec![Effect::Train(job)];
                }
                Err(why) => form.problem = Some(why),
            },
            _ if form.focus == SOURCE => {
                if matches!(
                    key.code,
                    KeyCode::Left | KeyCode::Right | KeyCode::Char(' ')
                ) {
                    form.toggle_source();
                }
            }
            _ => {
                form.input().edit(&key);
            }
        }
        Vec::new()
    }

    /// Applies the outcome of training work.
    pub(super) fn train_reply(&mut self, reply: TrainReply) -> Vec<Effect> {
        match reply {
            TrainReply::Runs { fresh, updates } => {
                if let Some(screen) = self.train.as_deref_mut() {
                    screen.apply(fresh, updates);
                }
            }
            TrainReply::Problem(why) => {
                if let Some(screen) = self.train.as_deref_mut() {
                    screen.problem = Some(why.clone());
                }
                self.shared.notify_error(why);
            }
            TrainReply::StopRequested(Ok(id)) => {
                self.shared
                    .notify(format!("asked run {id} to stop after its current step"));
            }
            TrainReply::Launched(Ok(id)) => {
                if let Some(screen) = self.train.as_deref_mut() {
                    screen.select_id = Some(id.clone());
                }
                self.shared.notify(format!("run {id} started"));
            }
            TrainReply::StopRequested(Err(why)) | TrainReply::Launched(Err(why)) => {
                self.shared.notify_error(why);
            }
            reply @ (TrainReply::Answer { .. } | TrainReply::CompareFailed { .. }) => {
                self.compare_reply(reply)
            }
        }
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::train::metrics::MetricRecord;
    use crate::train::registry::Run;
    use crate::tui::run_entry::tests::{status, train};

    fn update(id: &str, state: Option<RunState>, records: Vec<MetricRecord>) -> RunUpdate {
        RunUpdate {
            run: Run::at(&PathBuf::from("/runs").join(id)),
            spec: None,
            status: state.map(|s| status(s, Some(100))),
            records,
            log_tail: None,
        }
    }

    #[test]
    fn updates_add_runs_in_order_and_the_selection_follows_its_run() {
        let mut screen = TrainScreen::default();
        screen.apply(true, vec![update("b", Some(RunState::Running), Vec::new())]);
        assert!(screen.loaded);
        screen.apply(
            false,
            vec![
                update("a", Some(RunState::Done), vec![train(1, 2.0, 1.0)]),
                update("b", None, vec![train(1, 3.0, 1.0), train(2, 2.5, 2.0)]),
                update("z", None, Vec::new()),
            ],
        );
        let ids: Vec<&str> = screen.runs.iter().map(|r| r.run.id.as_str()).collect();
        assert_eq!(ids, ["a", "b"], "a run without a status is not added");
        assert_eq!(screen.current().unwrap().run.id, "b", "still on b");
        assert_eq!(screen.current().unwrap().series.train.len(), 2);
        screen.move_by(-5);
        assert_eq!(screen.selected, 0);
        screen.move_by(5);
        assert_eq!(screen.selected, 1);
        screen.select_id = Some("c".into());
        screen.apply(false, vec![update("c", Some(RunState::Queued), Vec::new())]);
        assert_eq!(
            screen.current().unwrap().run.id,
            "c",
            "a launched run is selected"
        );
        screen.apply(true, vec![update("a", Some(RunState::Done), Vec::new())]);
        assert_eq!(screen.runs.len(), 1, "a fresh report replaces all");
        assert_eq!(screen.selected, 0);
    }

    #[test]
    fn marking_runs_for_the_overlay() {
        let mut screen = TrainScreen::default();
        let runs = ["a", "b", "c"].map(|id| update(id, Some(RunState::Running), Vec::new()));
        screen.apply(true, runs.to_vec());
        let plotted = |s: &TrainScreen| -> Vec<String> {
            s.plotted().iter().map(|r| r.run.id.clone()).collect()
        };
        assert_eq!(plotted(&screen), ["a"], "the selected run without marks");
        screen.move_by(2);
        screen.toggle_mark();
        screen.move_by(-2);
        screen.toggle_mark();
        assert_eq!(plotted(&screen), ["a", "c"]);
        screen.toggle_mark();
        assert_eq!(plotted(&screen), ["c"]);
        screen.apply(true, vec![update("a", Some(RunState::Done), Vec::new())]);
        assert!(screen.marked.is_empty(), "marks of runs gone are dropped");
    }

    fn press(app: &mut App, keys: &str) -> Vec<Effect> {
        keys.chars()
            .flat_map(|c| {
                let key = KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE);
                app.update(super::super::app::Msg::Key(key))
            })
            .collect()
    }

    #[test]
    fn keys_open_mark_scale_cancel_and_close() {
        use crate::taxonomy::model::Taxonomy;
        use crate::tui::keymap::Keymap;
        use crate::tui::marks::LeafMarks;
        let mut app = App::new(
            Taxonomy::default(),
            LeafMarks::default(),
            None,
            Keymap::default(),
        );
        assert!(press(&mut app, "T").is_empty(), "not set up: no screen");
        assert!(app.train.is_none());
        let dirs = AppDirs {
            config: "/c".into(),
            data: "/d".into(),
            state: "/s".into(),
            cache: "/k".into(),
        };
        let setup = TrainSetup::new(dirs, "/bin/taxon".into());
        let registry = setup.registry.clone();
        app.shared.train_setup = Some(setup);
        assert_eq!(
            press(&mut app, "T"),
            [Effect::Train(TrainJob::Watch(registry))]
        );
        let updates = vec![
            update("a", Some(RunState::Running), Vec::new()),
            update("b", Some(RunState::Done), Vec::new()),
        ];
        app.update(super::super::app::Msg::Train(TrainReply::Runs {
            fresh: true,
            updates,
        }));
        assert!(press(&mut app, "l j").is_empty());
        let screen = app.train.as_ref().unwrap();
        assert!(screen.log_scale);
        assert_eq!(
            screen.marked.iter().collect::<Vec<_>>(),
            ["a"],
            "space marks"
        );
        assert!(press(&mut app, "x").is_empty());
        assert_eq!(
            app.shared.notice.as_ref().unwrap().text,
            "run b has already ended (done)"
        );
        assert!(press(&mut app, "kx").is_empty());
        assert_eq!(app.mode(), Mode::Confirm);
        let run = app.train.as_ref().unwrap().runs[0].run.clone();
        assert_eq!(press(&mut app, "y"), [Effect::Train(TrainJob::Stop(run))]);
        assert_eq!(app.mode(), Mode::Train);
        assert_eq!(press(&mut app, "q"), [Effect::Train(TrainJob::Unwatch)]);
        assert!(app.train.is_none());
    }
}
