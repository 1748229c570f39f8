//! The evaluation pane of the training screen: the selected run's `eval.json` as
//! read by a job, the leaf whose answers are shown, and the evaluation running in
//! the background (started here, one at a time, going on when the pane or the
//! screen closes, as a run does).

use crate::eval::{EvalProgress, EvalReport, EvalRequest, JudgeChoice, LeafChoice};
use crate::generate::fetch::default_model_path;
use crate::train::spec::EngineSpec;
use crate::tui::action::Action;
use crate::tui::component::Reaction;
use crate::tui::eval_jobs::{EvalJob, EvalReply};
use crate::tui::msg::Effect;
use crate::tui::popups::help::Help;
use crate::tui::shared::Shared;

use super::TrainScreen;
use super::eval_view::answer_rows;

/// Token limit of an answer, as `taxon eval`'s default.
const MAX_TOKENS: u32 = 160;
/// Draws which answer the judge sees first, as `taxon eval`'s default.
const SEED: u64 = 42;

/// The evaluation pane: one run's last evaluation.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EvalPane {
    /// The run's id.
    pub run: String,
    /// Whether its `eval.json` has been read.
    pub loaded: bool,
    /// Its last evaluation, once read (`None`: it has none).
    pub report: Option<Box<EvalReport>>,
    /// Why it could not be read.
    pub problem: Option<String>,
    /// The leaf whose answers are shown (position in the report).
    pub leaf: usize,
    /// How far the answers are scrolled.
    pub scroll: u16,
}

/// The evaluation running in the background.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evaluating {
    /// The run's id.
    pub run: String,
    /// How far it is, once it has said.
    pub progress: Option<EvalProgress>,
}

impl Evaluating {
    /// Its progress in words.
    pub fn describe(&self) -> String {
        match &self.progress {
            None => format!("evaluating run {}: loading the models…", self.run),
            Some(EvalProgress::Answering { model, done, total }) => {
                format!(
                    "evaluating run {}: {model} model answered {done}/{total}",
                    self.run
                )
            }
            Some(EvalProgress::Judging { done, total }) => {
                format!("evaluating run {}: judged {done}/{total}", self.run)
            }
        }
    }
}

impl TrainScreen {
    /// Opens the pane on the selected run and asks for its evaluation.
    pub(super) fn show_eval(&mut self, ctx: &mut Shared) -> Reaction {
        let Some(entry) = self.current() else {
            ctx.notify("no run to show");
            return Reaction::none();
        };
        let run = entry.run.clone();
        self.eval = Some(Box::new(EvalPane {
            run: run.id.clone(),
            ..EvalPane::default()
        }));
        Effect::Eval(EvalJob::Load(run)).into()
    }

    /// Evaluates the selected run in the background, as `taxon eval RUN` does, and
    /// shows the pane; or says why it cannot.
    pub(super) fn run_eval(&mut self, ctx: &mut Shared) -> Reaction {
        if let Some(running) = &self.evaluating {
            ctx.notify_error(format!("run {} is being evaluated already", running.run));
            return Reaction::none();
        }
        let (Some(entry), Some(setup)) = (self.current(), &ctx.train_setup) else {
            ctx.notify("no run to evaluate");
            return Reaction::none();
        };
        let why = match (&entry.spec, entry.status.checkpoints.is_empty()) {
            (Some(spec), _) if !matches!(spec.engine, EngineSpec::Local(_)) => {
                Some("only runs of the built-in trainer can be evaluated".to_owned())
            }
            (_, true) => Some(format!("run {} has saved no checkpoint yet", entry.run.id)),
            _ => None,
        };
        let judge = default_model_path(&setup.dirs);
        let why = why.or_else(|| {
            (!judge.is_file()).then(|| format!("{}: no such judge model", judge.display()))
        });
        if let Some(why) = why {
            ctx.notify_error(why);
            return Reaction::none();
        }
        let request = EvalRequest {
            leaves: LeafChoice::All,
            judge: JudgeChoice::Model(judge),
            threads: std::thread::available_parallelism().map_or(1, |n| n.get() as u32),
            max_tokens: MAX_TOKENS,
            seed: SEED,
        };
        let run = entry.run.clone();
        self.evaluating = Some(Evaluating {
            run: run.id.clone(),
            progress: None,
        });
        ctx.notify(format!("evaluating run {} in the background…", run.id));
        let load = self.show_eval(ctx);
        load.and([Effect::Eval(EvalJob::Start {
            run,
            request: Box::new(request),
        })])
    }

    /// Keys while the pane is shown.
    pub(super) fn eval_key(&mut self, ctx: &mut Shared, action: Option<Action>) -> Reaction {
        let page = ctx.height.saturating_sub(8).max(1);
        match action {
            Some(Action::Back) => self.eval = None,
            Some(Action::Quit) => return ctx.quit(),
            Some(Action::Help) => return Reaction::push(Help::open(ctx)),
            Some(Action::RunEval) => return self.run_eval(ctx),
            Some(Action::CancelRun) if self.evaluating.is_some() => {
                ctx.notify("stopping the evaluation…");
                return Effect::Eval(EvalJob::Cancel).into();
            }
            Some(action @ (Action::Up | Action::Down)) => {
                if let Some(pane) = self.eval.as_deref_mut() {
                    let leaves = pane.report.as_ref().map_or(0, |r| r.leaves.len());
                    pane.leaf = match action {
                        Action::Up => pane.leaf.saturating_sub(1),
                        _ => (pane.leaf + 1).min(leaves.saturating_sub(1)),
                    };
                    pane.scroll = 0;
                }
            }
            Some(action) => {
                if let Some(pane) = self.eval.as_deref_mut()
                    && let Some(scroll) = action.scrolled(pane.scroll, page)
                {
                    // Never past the leaf's last line, as wrapped on this terminal.
                    let lines = pane
                        .report
                        .as_ref()
                        .and_then(|r| r.leaves.get(pane.leaf))
                        .map_or(0, |leaf| answer_rows(leaf, ctx.width));
                    let last = u16::try_from(lines.saturating_sub(1)).unwrap_or(u16::MAX);
                    pane.scroll = scroll.min(last);
                }
            }
            None => {}
        }
        Reaction::none()
    }

    /// Takes what evaluation work reports.
    pub(super) fn eval_reply(&mut self, ctx: &mut Shared, reply: EvalReply) {
        let pane = self.eval.as_deref_mut();
        match reply {
            EvalReply::Loaded { run, report } => {
                if let Some(pane) = pane.filter(|p| p.run == run) {
                    pane.loaded = true;
                    match report {
                        Ok(report) => pane.report = report,
                        Err(why) => pane.problem = Some(why),
                    }
                }
            }
            EvalReply::Busy { running } => {
                ctx.notify_error(format!("run {running} is being evaluated already"));
                // Started before the screen was last opened: follow that one.
                self.evaluating = Some(Evaluating {
                    run: running,
                    progress: None,
                });
            }
            EvalReply::Progress { run, progress } => {
                // Also an evaluation started before the screen was last opened.
                self.evaluating = Some(Evaluating {
                    run,
                    progress: Some(progress),
                });
            }
            EvalReply::Finished { run, result } => {
                self.evaluating = None;
                match result {
                    Ok(report) => {
                        ctx.notify(format!("the evaluation of run {run} is done"));
                        if let Some(pane) = pane.filter(|p| p.run == run) {
                            *pane = EvalPane {
                                run,
                                loaded: true,
                                report: Some(report),
                                ..EvalPane::default()
                            };
                        }
                    }
                    Err(why) => ctx.notify_error(format!("evaluating run {run}: {why}")),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dirs::AppDirs;
    use crate::taxonomy::model::Taxonomy;
    use crate::tui::app::App;
    use crate::tui::keymap::Keymap;
    use crate::tui::marks::LeafMarks;
    use crate::tui::msg::Msg;
    use crate::tui::screens::train::TrainSetup;
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    fn screen(app: &App) -> &TrainScreen {
        app.screen::<TrainScreen>().unwrap()
    }

    #[test]
    fn an_evaluation_is_followed_also_when_it_started_before_the_screen_opened() {
        let mut app = App::new(
            Taxonomy::default(),
            LeafMarks::default(),
            None,
            Keymap::default(),
        );
        let dirs = AppDirs {
            config: "/c".into(),
            data: "/d".into(),
            state: "/s".into(),
            cache: "/k".into(),
        };
        app.shared.train_setup = Some(TrainSetup::new(dirs, "/bin/taxon".into()));
        app.update(Msg::Key(KeyEvent::new(
            KeyCode::Char('T'),
            KeyModifiers::NONE,
        )));
        app.update(Msg::Eval(EvalReply::Busy {
            running: "a".into(),
        }));
        assert_eq!(screen(&app).evaluating.as_ref().unwrap().run, "a");
        let progress = EvalProgress::Judging { done: 1, total: 2 };
        app.update(Msg::Eval(EvalReply::Progress {
            run: "a".into(),
            progress: progress.clone(),
        }));
        let evaluating = screen(&app).evaluating.clone().unwrap();
        assert_eq!(evaluating.progress, Some(progress));
        assert_eq!(evaluating.describe(), "evaluating run a: judged 1/2");
        app.update(Msg::Eval(EvalReply::Finished {
            run: "a".into(),
            result: Err("cancelled".into()),
        }));
        assert!(screen(&app).evaluating.is_none());
        assert_eq!(
            app.shared.notice.as_ref().unwrap().text,
            "evaluating run a: cancelled"
        );
    }
}
