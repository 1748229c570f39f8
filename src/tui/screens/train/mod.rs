//! The training screen: every run of the registry with its metrics as columns, the
//! selection, the runs marked for the overlay chart, the log scale, the cancel
//! question, the launch form, the before/after check and the evaluation pane. What
//! the tailer reports comes in as [`TrainReply`], evaluations as
//! [`EvalReply`](crate::tui::eval_jobs::EvalReply);
//! stops and launches go out as [`Effect::Train`], evaluations as
//! [`Effect::Eval`].
//! Nothing here reads files.

mod compare;
mod compare_view;
pub mod eval;
mod eval_view;
pub mod form;
pub mod run_entry;
mod view;

use std::collections::BTreeSet;
use std::path::PathBuf;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use crate::dirs::AppDirs;
use crate::train::registry::{Registry, Run, RunState};
use crate::tui::action::Action;
use crate::tui::component::{Component, Press, Reaction, Taken};
use crate::tui::keymap::Mode;
use crate::tui::msg::{Effect, Msg};
use crate::tui::popups::help::Help;
use crate::tui::popups::question::Ask;
use crate::tui::shared::Shared;
use crate::tui::train_jobs::{RunUpdate, TrainJob, TrainReply};
use crate::tui::view::theme;

use self::compare::Comparison;
use self::eval::{EvalPane, Evaluating};
use self::form::{Changes, LaunchForm};
use self::run_entry::{RunEntry, Series};
use super::Screen;

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
    /// The before/after check, while shown.
    pub compare: Option<Box<Comparison>>,
    /// The last before/after check's generation.
    pub(super) checks: u64,
    /// The evaluation pane, while shown.
    pub eval: Option<Box<EvalPane>>,
    /// The evaluation running in the background, if any.
    pub evaluating: Option<Evaluating>,
    /// A run to select once it is listed (one just launched).
    select_id: Option<String>,
}

impl TrainScreen {
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

impl TrainScreen {
    /// Opens the training screen and starts following the registry.
    pub fn open(ctx: &mut Shared) -> Reaction {
        let Some(setup) = &ctx.train_setup else {
            ctx.notify_error("training is not set up in this session");
            return Reaction::none();
        };
        let watch = Effect::Train(TrainJob::Watch(setup.registry.clone()));
        Reaction::open(Screen::Train(Box::default())).and([watch])
    }

    /// The launch form, on the leaves the tree marks changed.
    fn launch_form(ctx: &Shared) -> Option<LaunchForm> {
        let setup = ctx.train_setup.as_ref()?;
        let changes = Changes {
            taxonomy: ctx.taxonomy.root.clone(),
            base: ctx.marks.base.clone(),
            count: ctx.marks.changed_count(),
        };
        Some(LaunchForm::new(&setup.dirs, changes))
    }

    /// The question before stopping the selected run, or why there is none.
    fn ask_cancel(&self, ctx: &mut Shared) -> Reaction {
        match self.current() {
            None => ctx.notify("no run to cancel"),
            Some(entry) if entry.status.state.is_final() => {
                let text = format!(
                    "run {} has already ended ({})",
                    entry.run.id,
                    entry.status.state.name()
                );
                ctx.notify(text);
            }
            Some(entry) => {
                return Reaction::push(CancelRun {
                    run: entry.run.clone(),
                });
            }
        }
        Reaction::none()
    }
}

impl Component for TrainScreen {
    fn mode(&self, _ctx: &Shared) -> Mode {
        Mode::Train
    }

    fn handle(&mut self, ctx: &mut Shared, press: Press) -> Reaction {
        if self.compare.is_some() {
            return self.compare_key(ctx, press.action);
        }
        if self.eval.is_some() {
            return self.eval_key(ctx, press.action);
        }
        let Some(action) = press.action else {
            return Reaction::none();
        };
        ctx.notice = None;
        let page = ctx.height.saturating_sub(8).max(1) as isize;
        match action {
            Action::Back => return Reaction::close().and([Effect::Train(TrainJob::Unwatch)]),
            Action::Quit => return ctx.quit(),
            Action::Help => return Reaction::push(Help::open(ctx)),
            Action::Up => self.move_by(-1),
            Action::Down => self.move_by(1),
            Action::PageUp => self.move_by(-page),
            Action::PageDown => self.move_by(page),
            Action::Top => self.move_by(isize::MIN / 2),
            Action::Bottom => self.move_by(isize::MAX / 2),
            Action::MarkRun => self.toggle_mark(),
            Action::LogScale => self.log_scale = !self.log_scale,
            Action::CancelRun => return self.ask_cancel(ctx),
            Action::NewRun => {
                if let Some(form) = Self::launch_form(ctx) {
                    return Reaction::push(form);
                }
            }
            Action::Compare => return self.start_compare(ctx),
            Action::ShowEval => return self.show_eval(ctx),
            Action::RunEval => return self.run_eval(ctx),
            Action::Reload => {
                if let Some(setup) = &ctx.train_setup {
                    return Effect::Train(TrainJob::Watch(setup.registry.clone())).into();
                }
            }
            _ => {}
        }
        Reaction::none()
    }

    fn take(&mut self, ctx: &mut Shared, msg: Msg) -> Taken {
        let reply = match msg {
            Msg::Train(reply) => reply,
            Msg::Eval(reply) => {
                self.eval_reply(ctx, reply);
                return Taken::Yes(Reaction::none());
            }
            msg => return Taken::No(msg),
        };
        match reply {
            TrainReply::Runs { fresh, updates } => self.apply(fresh, updates),
            TrainReply::Problem(why) => {
                self.problem = Some(why.clone());
                ctx.notify_error(why);
            }
            TrainReply::StopRequested(Ok(id)) => {
                ctx.notify(format!("asked run {id} to stop after its current step"));
            }
            TrainReply::Launched(Ok(id)) => {
                ctx.notify(format!("run {id} started"));
                self.select_id = Some(id);
            }
            TrainReply::StopRequested(Err(why)) | TrainReply::Launched(Err(why)) => {
                ctx.notify_error(why);
            }
            reply @ (TrainReply::Answer { .. } | TrainReply::CompareFailed { .. }) => {
                self.compare_reply(ctx, reply)
            }
        }
        Taken::Yes(Reaction::none())
    }

    fn draw(&self, frame: &mut Frame<'_>, area: Rect, ctx: &Shared, _focused: bool) {
        view::draw(frame, area, ctx, self);
    }

    fn hints(&self, _ctx: &Shared) -> &'static [Action] {
        &[
            Action::MarkRun,
            Action::LogScale,
            Action::NewRun,
            Action::CancelRun,
            Action::Compare,
            Action::ShowEval,
            Action::Help,
            Action::Back,
        ]
    }
}

/// Stop a run after its current step?
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CancelRun {
    /// The run.
    pub run: Run,
}

impl Ask for CancelRun {
    fn title(&self) -> String {
        " Cancel run ".into()
    }

    fn lines(&self, _ctx: &Shared) -> Vec<Line<'static>> {
        vec![
            Line::from(format!("Cancel run {}?", self.run.id)),
            Line::from(Span::styled(
                "It stops after its current step and saves a checkpoint.",
                theme::DIM,
            )),
        ]
    }

    fn answers(&self, _ctx: &Shared) -> Vec<(Action, String)> {
        vec![
            (Action::Yes, "stop it".into()),
            (Action::Back, "keep it running".into()),
        ]
    }

    fn answer(&mut self, ctx: &mut Shared, action: Action) -> Option<Reaction> {
        (action == Action::Yes).then(|| {
            ctx.notify(format!("asking run {} to stop…", self.run.id));
            Effect::Train(TrainJob::Stop(self.run.clone())).into()
        })
    }

    fn dismissed(&mut self, ctx: &mut Shared) {
        ctx.notify(format!("run {} goes on", self.run.id));
    }

    fn size(&self) -> (u16, u16) {
        (60, 20)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::train::metrics::MetricRecord;
    use crate::tui::app::App;
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    use super::run_entry::tests::{status, train};

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
                app.update(Msg::Key(key))
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
        assert!(app.screen::<TrainScreen>().is_none());
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
        app.update(Msg::Train(TrainReply::Runs {
            fresh: true,
            updates,
        }));
        assert!(press(&mut app, "l j").is_empty());
        let screen = app.screen::<TrainScreen>().unwrap();
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
        let run = app.screen::<TrainScreen>().unwrap().runs[0].run.clone();
        assert_eq!(press(&mut app, "y"), [Effect::Train(TrainJob::Stop(run))]);
        assert_eq!(app.mode(), Mode::Train);
        assert_eq!(press(&mut app, "q"), [Effect::Train(TrainJob::Unwatch)]);
        assert!(app.screen::<TrainScreen>().is_none());
    }
}
