//! The generation preview pane's state: the selected leaf's candidates through
//! the pipeline (`full` or `simple`, switched by a key), streamed token by token
//! with each stage's mark (see [`Funnel`]), and the engine's figures. The pane
//! follows the selection: moving to another leaf cancels the running preview and
//! starts one for the new leaf, and replies of any older job are dropped.

use std::path::PathBuf;
use std::time::Duration;

use crate::generate::pipeline::DEFAULT_PIPELINE;
use crate::generate::{ModelInfo, Stats};
use crate::review::example::ContentHash;
use crate::review::queue::leaf_hashes_of_text;
use crate::review::record::PreviewRun;
use crate::taxonomy::leaf::{LEAF_FILE, LeafKind};
use crate::tui::action::Action;
use crate::tui::msg::Effect;
use crate::tui::preview_jobs::{PreviewJob, PreviewReply};
use crate::tui::review_jobs::ReviewJob;
use crate::tui::shared::Shared;

use super::preview_funnel::Funnel;

/// The pipelines the preview switches between.
const PIPELINES: [&str; 2] = ["full", "simple"];

/// How much a preview generates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PreviewSettings {
    /// Samples per preview.
    pub samples: usize,
    /// Token limit of the generating stages.
    pub max_tokens: u32,
    /// The first preview's seed (`preview-reseed` moves on from it).
    pub seed: u32,
    /// The built-in pipeline (`preview-pipeline` switches it).
    pub pipeline: &'static str,
}

impl Default for PreviewSettings {
    /// Three samples of at most 256 tokens, seed 42, the default pipeline (as
    /// `taxon generate`).
    fn default() -> Self {
        Self {
            samples: 3,
            max_tokens: 256,
            seed: 42,
            pipeline: DEFAULT_PIPELINE,
        }
    }
}

/// The pipeline `preview-pipeline` switches to from `pipeline`.
pub fn other_pipeline(pipeline: &str) -> &'static str {
    match PIPELINES.iter().position(|p| *p == pipeline) {
        Some(at) => PIPELINES[(at + 1) % PIPELINES.len()],
        None => PIPELINES[0],
    }
}

/// Where a preview is.
#[derive(Debug, Clone, PartialEq)]
pub enum Phase {
    /// The selection is not a leaf.
    NoLeaf,
    /// Asked for; nothing heard yet.
    Waiting,
    /// The model is being loaded.
    LoadingModel,
    /// Candidates are going through the pipeline.
    Generating,
    /// The pipeline is done.
    Done,
    /// There is no model file at this path.
    NoModel(PathBuf),
    /// The preview failed.
    Failed(String),
}

/// A preview of one leaf (or of nothing, while the selection is a folder).
#[derive(Debug, Clone, PartialEq)]
pub struct Preview {
    /// The job whose replies are taken.
    pub job: u64,
    /// The leaf previewed.
    pub folder: Option<PathBuf>,
    /// The base seed.
    pub seed: u32,
    /// The pipeline it runs.
    pub pipeline: &'static str,
    /// Where it is.
    pub phase: Phase,
    /// The candidates so far, their marks and the funnel's counts.
    pub funnel: Funnel,
    /// The model, once loaded by this preview.
    pub model: Option<ModelInfo>,
    /// Samples wanted.
    pub wanted: usize,
    /// The hash of the leaf's examples when the preview is of its file as saved
    /// (not of unsaved edits): a successful one is then recorded for its review.
    pub shown: Option<ContentHash>,
}

/// The figures shown: from the engine's measurements of the candidates that ended.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct PreviewFigures {
    /// Time to the first token of the first candidate's request.
    pub first_token: Option<Duration>,
    /// Tokens per second as the interface received them (mean over requests).
    pub tokens_per_second: Option<f64>,
    /// llama.cpp's own evaluation rate (mean over requests).
    pub llama_tokens_per_second: Option<f64>,
}

fn mean(values: impl Iterator<Item = f64>) -> Option<f64> {
    let values: Vec<f64> = values.filter(|v| *v > 0.0).collect();
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

impl Preview {
    /// A preview waiting for job `job` on `folder`, through `pipeline`.
    pub fn new(
        job: u64,
        folder: Option<PathBuf>,
        seed: u32,
        pipeline: &'static str,
        wanted: usize,
    ) -> Self {
        Self {
            job,
            phase: if folder.is_some() {
                Phase::Waiting
            } else {
                Phase::NoLeaf
            },
            folder,
            seed,
            pipeline,
            funnel: Funnel::default(),
            model: None,
            wanted,
            shown: None,
        }
    }

    /// The review record of this preview, once it is done: if it was of the
    /// leaf's file as saved and kept at least one sample (as `taxon review
    /// preview` records).
    fn record(&self, run: &PreviewRun) -> Option<ReviewJob> {
        let (folder, shown) = (self.folder.as_ref()?, self.shown.clone()?);
        (self.phase == Phase::Done && run.accepted > 0).then(|| ReviewJob::RecordPreview {
            file: folder.join(LEAF_FILE),
            shown,
            run: run.clone(),
        })
    }

    /// Takes a reply; returns false when it was dropped (an older job's, or an
    /// event of a candidate the funnel does not know).
    pub fn apply(&mut self, reply: PreviewReply) -> bool {
        if reply.job() != self.job {
            return false;
        }
        match reply {
            PreviewReply::LoadingModel { .. } => self.phase = Phase::LoadingModel,
            PreviewReply::ModelReady { info, .. } => {
                self.model = Some(info);
                self.phase = Phase::Waiting;
            }
            PreviewReply::NoModel { path, .. } => self.phase = Phase::NoModel(path),
            PreviewReply::Pipeline { event, .. } => {
                self.phase = Phase::Generating;
                return self.funnel.apply(event);
            }
            PreviewReply::Done { .. } => self.phase = Phase::Done,
            PreviewReply::Failed { error, .. } => self.phase = Phase::Failed(error),
        }
        true
    }

    /// The engine's figures over the candidates that ended.
    pub fn figures(&self) -> PreviewFigures {
        let stats: Vec<&Stats> = self.funnel.stats().collect();
        PreviewFigures {
            first_token: stats
                .first()
                .map(|s| s.time_to_first_token)
                .filter(|d| !d.is_zero()),
            tokens_per_second: mean(stats.iter().map(|s| s.tokens_per_second())),
            llama_tokens_per_second: mean(stats.iter().map(|s| s.llama_eval_tokens_per_second())),
        }
    }
}

/// The preview state kept by the app.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PreviewPane {
    /// How much to generate.
    pub settings: PreviewSettings,
    /// The pane, while open.
    pub open: Option<Preview>,
    /// The last job's number.
    last_job: u64,
}

impl PreviewPane {
    /// Runs `preview` (open or close the pane on the selected leaf),
    /// `preview-reseed` (generate again with the next seed) or
    /// `preview-pipeline` (switch pipeline and preview the same leaf again with
    /// the same seed, cancelling the running preview).
    pub fn action(&mut self, ctx: &Shared, action: Action) -> Vec<Effect> {
        let previewing_selected = self
            .open
            .as_ref()
            .is_some_and(|p| p.folder.is_some() && p.folder == ctx.selected_folder());
        match action {
            Action::Preview if previewing_selected => {
                self.open = None;
                vec![Effect::CancelPreview]
            }
            Action::Preview => self.start(ctx, self.settings.seed),
            Action::PreviewReseed => {
                let seed = match &self.open {
                    Some(open) if previewing_selected => {
                        open.seed.wrapping_add(open.wanted.max(1) as u32)
                    }
                    _ => self.settings.seed,
                };
                self.start(ctx, seed)
            }
            Action::PreviewPipeline => {
                self.settings.pipeline = other_pipeline(self.settings.pipeline);
                let Some(open) = &self.open else {
                    return self.start(ctx, self.settings.seed);
                };
                let seed = if previewing_selected {
                    open.seed
                } else {
                    self.settings.seed
                };
                let mut effects = vec![Effect::CancelPreview];
                effects.extend(self.start(ctx, seed));
                effects
            }
            _ => Vec::new(),
        }
    }

    /// Closes the pane (back out of it): the cancel to run, if it was open.
    pub fn close(&mut self) -> Option<Effect> {
        self.open.take().map(|_| Effect::CancelPreview)
    }

    /// A new preview of the selected leaf with `seed`, superseding any other.
    fn start(&mut self, ctx: &Shared, seed: u32) -> Vec<Effect> {
        let (wanted, pipeline) = (self.settings.samples, self.settings.pipeline);
        self.last_job += 1;
        let id = self.last_job;
        let Some(index) = ctx.tree.selected_leaf() else {
            self.open = Some(Preview::new(id, None, seed, pipeline, wanted));
            return Vec::new();
        };
        let leaf = &ctx.taxonomy.leaves[index];
        let folder = leaf.folder.clone();
        let text = match ctx.open.get(&folder) {
            Some(open) => Some(open.buffer.text.clone()),
            None => leaf.text.clone(),
        };
        let kind = ctx.report_of(index).kind.unwrap_or(LeafKind::FreeformSkill);
        let mut preview = Preview::new(id, Some(folder.clone()), seed, pipeline, wanted);
        // Reviews live in git notes: without git, nothing is recorded.
        if !ctx.open.is_dirty(&folder) && ctx.git_problem.is_none() {
            preview.shown = text
                .as_deref()
                .and_then(leaf_hashes_of_text)
                .map(|hashes| hashes.leaf());
        }
        let Some(text) = text else {
            preview.phase = Phase::Failed(format!("{} cannot be read", folder.display()));
            self.open = Some(preview);
            return Vec::new();
        };
        self.open = Some(preview);
        vec![Effect::Preview(PreviewJob {
            id,
            folder,
            kind,
            text,
            seed,
            samples: wanted,
            max_tokens: self.settings.max_tokens,
            pipeline,
        })]
    }

    /// Keeps the open pane on the selected leaf: when the selection moved, the
    /// running preview is cancelled and one for the new selection starts.
    pub fn follow(&mut self, ctx: &Shared) -> Vec<Effect> {
        let Some(open) = &self.open else {
            return Vec::new();
        };
        let selected = ctx.selected_folder();
        if selected == open.folder {
            return Vec::new();
        }
        let mut effects = vec![Effect::CancelPreview];
        effects.extend(self.start(ctx, self.settings.seed));
        effects
    }

    /// Takes a preview's reply; a successful preview of a saved leaf is recorded
    /// for its review.
    pub fn reply(&mut self, reply: PreviewReply) -> Vec<Effect> {
        let Some(open) = &mut self.open else {
            return Vec::new();
        };
        let done = match &reply {
            PreviewReply::Done { run, .. } => Some(run.clone()),
            _ => None,
        };
        if !open.apply(reply) {
            return Vec::new();
        }
        done.and_then(|run| open.record(&run))
            .map(|job| vec![Effect::Review(job)])
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::Event;
    use crate::generate::parse::Draft;
    use crate::generate::runner::PipelineEvent;
    use crate::tui::app::App;
    use crate::tui::keymap::Keymap;
    use crate::tui::marks::LeafMarks;
    use crate::tui::msg::Msg;
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use std::path::Path;

    fn stats(first_token_ms: u64, tokens: usize, seconds: u64, llama: (f64, i32)) -> Stats {
        Stats {
            prompt_tokens: 100,
            cached_prompt_tokens: 0,
            context_size: 2048,
            generated_tokens: tokens,
            time_to_first_token: Duration::from_millis(first_token_ms),
            generation_time: Duration::from_secs(seconds),
            llama_prompt_eval: (50.0, 100),
            llama_eval: llama,
        }
    }

    /// The runner's events of one candidate written by `sample` and kept, as a
    /// reply of job `job`.
    fn events(job: u64, candidate: usize, stats: Stats) -> Vec<PreviewReply> {
        let written = candidate + 100;
        [
            PipelineEvent::Stage {
                stage: "sample".into(),
                kind: "generate",
                candidates: 1,
            },
            PipelineEvent::Request {
                stage: "sample".into(),
                candidate,
                event: Event::Started {
                    id: 1,
                    prompt_tokens: 812,
                    context_size: 2048,
                },
            },
            PipelineEvent::Written {
                stage: "sample".into(),
                candidate: written,
                parent: candidate,
                draft: Draft::default(),
            },
            PipelineEvent::Accepted {
                candidate: written,
                round: candidate,
                stats,
            },
        ]
        .into_iter()
        .map(|event| PreviewReply::Pipeline { job, event })
        .collect()
    }

    fn preview() -> Preview {
        Preview::new(7, Some("compositional_skills/x".into()), 42, "simple", 3)
    }

    #[test]
    fn replies_of_other_jobs_are_dropped() {
        let mut preview = preview();
        for reply in events(6, 0, Stats::default()) {
            assert!(!preview.apply(reply), "an older job's reply is taken");
        }
        assert!(preview.funnel.shown().is_empty());
        assert_eq!(preview.phase, Phase::Waiting);
        for reply in events(7, 0, Stats::default()) {
            assert!(preview.apply(reply));
        }
        assert_eq!(preview.phase, Phase::Generating);
        assert_eq!(preview.funnel.prompt, Some((812, 2048)));
        assert!(!preview.apply(PreviewReply::Done {
            job: 6,
            run: run(1)
        }));
        assert_eq!(preview.phase, Phase::Generating);
        assert!(preview.apply(PreviewReply::Done {
            job: 7,
            run: run(1)
        }));
        assert_eq!(preview.phase, Phase::Done);
        assert_eq!(preview.funnel.outcomes(), (1, 0));
    }

    #[test]
    fn figures_come_from_the_engine_timings() {
        let mut preview = preview();
        assert_eq!(preview.figures(), PreviewFigures::default());
        for (candidate, s) in [
            (0, stats(250, 21, 2, (400.0, 40))),
            (1, stats(90, 41, 4, (200.0, 40))),
        ] {
            for reply in events(7, candidate, s) {
                preview.apply(reply);
            }
        }
        let figures = preview.figures();
        assert_eq!(figures.first_token, Some(Duration::from_millis(250)));
        // 20 tokens in 2 s and 40 in 4 s: 10 tok/s; llama.cpp 100 and 200 tok/s.
        assert_eq!(figures.tokens_per_second, Some(10.0));
        assert_eq!(figures.llama_tokens_per_second, Some(150.0));
    }

    fn run(accepted: usize) -> PreviewRun {
        PreviewRun {
            model: "model.gguf".into(),
            pipeline: "simple".into(),
            seed: 42,
            wanted: 3,
            accepted,
        }
    }

    #[test]
    fn a_successful_preview_of_the_saved_leaf_is_recorded_for_its_review() {
        let mut app = app();
        select(&mut app, "commonly_confused_words");
        let effects = press(&mut app, 'g');
        let [Effect::Preview(job)] = effects.as_slice() else {
            panic!("{effects:?}");
        };
        let (id, folder, text) = (job.id, job.folder.clone(), job.text.clone());
        let done = |job, accepted| {
            Msg::Preview(PreviewReply::Done {
                job,
                run: run(accepted),
            })
        };
        let recorded = |effects: &[Effect]| -> Vec<ReviewJob> {
            effects
                .iter()
                .filter_map(|e| match e {
                    Effect::Review(job) => Some(job.clone()),
                    _ => None,
                })
                .collect()
        };
        assert!(recorded(&app.update(done(id, 0))).is_empty(), "none kept");
        let hashes = leaf_hashes_of_text(&text).unwrap();
        assert_eq!(
            recorded(&app.update(done(id, 2))),
            [ReviewJob::RecordPreview {
                file: folder.join(LEAF_FILE),
                shown: hashes.leaf(),
                run: run(2),
            }]
        );
        // A preview of unsaved edits is not the file's: not recorded.
        app.shared
            .edit_text(&folder, text.replace("seed_examples", "seed_examples "));
        let effects = press(&mut app, 'G');
        let [Effect::Preview(edited)] = effects.as_slice() else {
            panic!("{effects:?}");
        };
        assert!(recorded(&app.update(done(edited.id, 3))).is_empty());
    }

    fn app() -> App {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-taxonomy");
        let taxonomy = crate::taxonomy::model::Taxonomy::load(
            &root,
            &crate::taxonomy::validate::Options::default(),
        );
        App::new(taxonomy, LeafMarks::default(), None, Keymap::default())
    }

    fn select(app: &mut App, suffix: &str) {
        let index = app
            .shared
            .taxonomy
            .leaves
            .iter()
            .position(|l| l.folder.ends_with(suffix))
            .unwrap();
        app.shared.open_leaf(index);
    }

    fn press(app: &mut App, c: char) -> Vec<Effect> {
        app.update(crate::tui::msg::Msg::Key(KeyEvent::new(
            KeyCode::Char(c),
            KeyModifiers::NONE,
        )))
    }

    #[test]
    fn g_starts_a_preview_and_moving_cancels_it_for_the_new_leaf() {
        let mut app = app();
        select(&mut app, "commonly_confused_words");
        let effects = press(&mut app, 'g');
        let [Effect::Preview(job)] = effects.as_slice() else {
            panic!("{effects:?}");
        };
        assert!(job.folder.ends_with("commonly_confused_words"));
        assert_eq!((job.samples, job.seed, job.max_tokens), (3, 42, 256));
        assert!(job.text.contains("seed_examples"));
        let first = job.id;
        // Moving down the tree cancels, then previews whatever is selected.
        press(&mut app, '+');
        let mut moved = press(&mut app, 'j');
        for _ in 0..10 {
            if app.shared.tree.selected_leaf().is_some() {
                break;
            }
            moved = press(&mut app, 'j');
        }
        assert_eq!(moved[0], Effect::CancelPreview, "{moved:?}");
        let Some(Effect::Preview(next)) = moved.get(1) else {
            panic!("{moved:?}");
        };
        assert!(next.id > first);
        assert_eq!(Some(next.folder.clone()), app.shared.selected_folder());
        // A reply of the old job is dropped.
        for reply in events(first, 0, Stats::default()) {
            app.update(crate::tui::msg::Msg::Preview(reply));
        }
        let open = app.browse.preview.open.as_ref().unwrap();
        assert!(open.funnel.shown().is_empty());
        assert_eq!(open.job, next.id);
        // `G` regenerates with the next seed; `g` on the previewed leaf closes the pane.
        let reseeded = press(&mut app, 'G');
        let [Effect::Preview(reseeded)] = reseeded.as_slice() else {
            panic!("{reseeded:?}");
        };
        assert_eq!(reseeded.seed, 45);
        assert_eq!(press(&mut app, 'g'), vec![Effect::CancelPreview]);
        assert!(app.browse.preview.open.is_none());
        assert!(
            press(&mut app, 'j')
                .iter()
                .all(|e| *e != Effect::CancelPreview)
        );
    }

    #[test]
    fn p_switches_the_pipeline_and_previews_the_same_leaf_again() {
        let mut app = app();
        select(&mut app, "commonly_confused_words");
        let effects = press(&mut app, 'g');
        let [Effect::Preview(first)] = effects.as_slice() else {
            panic!("{effects:?}");
        };
        assert_eq!(first.pipeline, DEFAULT_PIPELINE, "as `taxon generate`");
        let first = first.clone();
        let mut pipelines = vec![first.pipeline];
        for _ in 0..2 {
            let effects = press(&mut app, 'P');
            // The running preview is cancelled, then the leaf previewed again.
            let [Effect::CancelPreview, Effect::Preview(job)] = effects.as_slice() else {
                panic!("{effects:?}");
            };
            assert_eq!((&job.folder, job.seed), (&first.folder, first.seed));
            let open = app.browse.preview.open.as_ref().unwrap();
            assert_eq!((open.job, open.pipeline), (job.id, job.pipeline));
            pipelines.push(job.pipeline);
        }
        assert_eq!(pipelines, ["simple", "full", "simple"]);
        // The switch stays for the next previews.
        press(&mut app, 'P');
        let effects = press(&mut app, 'G');
        let [Effect::Preview(reseeded)] = effects.as_slice() else {
            panic!("{effects:?}");
        };
        assert_eq!(reseeded.pipeline, "full");
    }

    #[test]
    fn esc_closes_the_pane_and_cancels() {
        let mut app = app();
        select(&mut app, "commonly_confused_words");
        press(&mut app, 'g');
        let effects = app.update(crate::tui::msg::Msg::Key(KeyEvent::new(
            KeyCode::Esc,
            KeyModifiers::NONE,
        )));
        assert_eq!(effects, vec![Effect::CancelPreview]);
        assert!(app.browse.preview.open.is_none());
    }
}
