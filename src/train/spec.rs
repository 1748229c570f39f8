//! What a tuning run is asked to do, as stored in its `spec.json`: the data, the
//! engine (the built-in llama.cpp trainer or an external command) and the
//! hyper-parameters.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::phases::{DEFAULT_REPLAY, PhaseMode, PhaseRequest, PhaseSettings};
use super::schedule::Decay;

/// Where the training conversations come from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum DatasetSource {
    /// A messages-format JSONL file (as `taxon generate` writes): one object a line
    /// with `messages` (system, user, assistant).
    Messages {
        /// The file.
        path: PathBuf,
    },
    /// The seed examples of every leaf of a taxonomy.
    Seeds {
        /// The taxonomy root.
        taxonomy: PathBuf,
    },
    /// Samples generated when the run starts (by `taxon generate --changed`, into
    /// the run folder) for the leaves of a taxonomy changed against a base.
    Changed(ChangedLeaves),
}

/// What a run generates its data from: the changed leaves of a taxonomy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangedLeaves {
    /// The taxonomy root.
    pub taxonomy: PathBuf,
    /// The base the changes are taken against (`taxon generate --base`); `None`
    /// for its default (`origin/main`, else `main`).
    pub base: Option<String>,
    /// Samples wanted per leaf.
    pub samples: u32,
    /// The model that writes them.
    pub teacher: PathBuf,
}

impl ChangedLeaves {
    /// The base, as messages name it.
    pub fn base_name(&self) -> &str {
        self.base.as_deref().unwrap_or("the default base")
    }
}

/// The hyper-parameters of the built-in trainer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocalSpec {
    /// The base model (any GGUF; it is converted to F32 once and cached).
    pub model: PathBuf,
    /// Where converted base models are cached.
    pub cache: PathBuf,
    /// Passes over the training windows in a single pass.
    pub epochs: u32,
    /// The peak learning rate (AdamW) of a single pass.
    pub learning_rate: f32,
    /// The phases (`None`: knowledge then skills when the data holds both kinds,
    /// else a single pass).
    #[serde(default)]
    pub phases: Option<PhaseMode>,
    /// Phase 1's (knowledge) epochs and peak learning rate.
    #[serde(default = "default_phase1")]
    pub phase1: PhaseSettings,
    /// Phase 2's (skills) epochs and peak learning rate.
    #[serde(default = "default_phase2")]
    pub phase2: PhaseSettings,
    /// The share of phase-1 records replayed in phase 2.
    #[serde(default = "default_replay")]
    pub replay: f32,
    /// The learning rate at the end of the decay, as a fraction of the peak.
    pub final_lr_fraction: f32,
    /// Steps of linear warm-up; `None` means a tenth of all steps.
    pub warmup_steps: Option<u64>,
    /// How the learning rate decays after warm-up.
    pub decay: Decay,
    /// AdamW weight decay.
    pub weight_decay: f32,
    /// Tokens per window (a multiple of 256).
    pub context: u32,
    /// CPU threads.
    pub threads: u32,
    /// The share of each leaf's records held out: never trained on, they give the
    /// held-out loss and `taxon eval`'s questions.
    pub eval_fraction: f32,
}

/// The alignment llama.cpp's trainer needs for the context size.
pub const CONTEXT_ALIGNMENT: u32 = 256;

/// Epochs of a single pass and of phase 1, by default.
pub const DEFAULT_EPOCHS: u32 = 2;
/// The peak learning rate of a single pass and of phase 1, by default.
pub const DEFAULT_LEARNING_RATE: f32 = 2e-4;

fn default_phase1() -> PhaseSettings {
    PhaseSettings {
        epochs: DEFAULT_EPOCHS,
        learning_rate: DEFAULT_LEARNING_RATE,
    }
}

fn default_phase2() -> PhaseSettings {
    PhaseSettings::phase2_for(default_phase1())
}

fn default_replay() -> f32 {
    DEFAULT_REPLAY
}

impl LocalSpec {
    /// The defaults for `model`: 2 epochs, lr 2e-4 with cosine decay to a tenth
    /// (phase 1 the same, phase 2 at upstream's ratios: 3 epochs, lr 6e-5, all
    /// of phase 1 replayed), 256-token windows, 2 threads, a tenth held out.
    pub fn new(model: PathBuf, cache: PathBuf) -> Self {
        Self {
            model,
            cache,
            epochs: DEFAULT_EPOCHS,
            learning_rate: DEFAULT_LEARNING_RATE,
            phases: None,
            phase1: default_phase1(),
            phase2: default_phase2(),
            replay: DEFAULT_REPLAY,
            final_lr_fraction: 0.1,
            warmup_steps: None,
            decay: Decay::Cosine,
            weight_decay: 0.0,
            context: CONTEXT_ALIGNMENT,
            threads: 2,
            eval_fraction: 0.1,
        }
    }

    /// What the phases are asked to do.
    pub fn phase_request(&self) -> PhaseRequest {
        PhaseRequest {
            mode: self.phases,
            single: PhaseSettings {
                epochs: self.epochs,
                learning_rate: self.learning_rate,
            },
            phase1: self.phase1,
            phase2: self.phase2,
            replay: self.replay,
        }
    }

    /// Why these settings cannot train, if they cannot.
    pub fn problem(&self) -> Option<String> {
        if self.context == 0 || !self.context.is_multiple_of(CONTEXT_ALIGNMENT) {
            return Some(format!(
                "the context must be a multiple of {CONTEXT_ALIGNMENT} tokens (got {})",
                self.context
            ));
        }
        let request = self.phase_request();
        for settings in [request.single, request.phase1, request.phase2] {
            if settings.epochs == 0 {
                return Some("at least one epoch is needed".to_owned());
            }
            let rate = settings.learning_rate;
            if !(rate > 0.0 && rate.is_finite()) {
                return Some(format!("the learning rate must be positive (got {rate})"));
            }
        }
        if !(0.0..=1.0).contains(&self.replay) {
            return Some(format!(
                "the replay fraction must be in [0, 1] (got {})",
                self.replay
            ));
        }
        if !(0.0..1.0).contains(&self.eval_fraction) {
            return Some(format!(
                "the eval fraction must be in [0, 1) (got {})",
                self.eval_fraction
            ));
        }
        None
    }
}

/// A command that trains elsewhere (e.g. `torchrun … instructlab-training` or
/// `ilab model train`) whose metrics are followed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExternalSpec {
    /// The program and its arguments.
    pub command: Vec<String>,
    /// Its working folder (default: the run folder).
    pub workdir: Option<PathBuf>,
    /// The metrics JSONL it writes (`training_params_and_metrics_global0.jsonl`);
    /// without it, loss lines of its console output are followed.
    pub metrics_file: Option<PathBuf>,
}

/// Which engine trains.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "engine")]
pub enum EngineSpec {
    /// The built-in llama.cpp trainer.
    Local(LocalSpec),
    /// An external command.
    External(ExternalSpec),
}

/// Everything a run is asked to do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunSpec {
    /// The training data (the built-in trainer needs it; external commands read
    /// their own).
    pub dataset: Option<DatasetSource>,
    /// The engine and its settings.
    pub engine: EngineSpec,
}

impl RunSpec {
    /// A short description for listings.
    pub fn summary(&self) -> String {
        let data = match &self.dataset {
            Some(DatasetSource::Messages { path }) => path.display().to_string(),
            Some(DatasetSource::Seeds { taxonomy }) => format!("seeds of {}", taxonomy.display()),
            Some(DatasetSource::Changed(changed)) => format!(
                "{} samples per leaf changed in {} vs {}",
                changed.samples,
                changed.taxonomy.display(),
                changed.base_name()
            ),
            None => String::new(),
        };
        match &self.engine {
            EngineSpec::Local(local) => {
                let single = format!("{} epochs lr {:.1e}", local.epochs, local.learning_rate);
                let phased = format!(
                    "knowledge {} epochs lr {:.1e}, skills {} epochs lr {:.1e}",
                    local.phase1.epochs,
                    local.phase1.learning_rate,
                    local.phase2.epochs,
                    local.phase2.learning_rate
                );
                let settings = match local.phases {
                    Some(PhaseMode::Single) => single,
                    Some(PhaseMode::KnowledgeSkills) => phased,
                    None => format!("{phased} (or {single})"),
                };
                format!("local {settings} ctx {}: {data}", local.context)
            }
            EngineSpec::External(external) => {
                format!("external: {}", external.command.join(" "))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spec_round_trips_through_json() {
        let spec = RunSpec {
            dataset: Some(DatasetSource::Messages {
                path: "d.jsonl".into(),
            }),
            engine: EngineSpec::Local(LocalSpec::new("m.gguf".into(), "cache".into())),
        };
        let text = serde_json::to_string(&spec).unwrap();
        assert!(text.contains(r#""engine":"local""#), "{text}");
        assert_eq!(serde_json::from_str::<RunSpec>(&text).unwrap(), spec);
        // A spec written before phases existed reads with their defaults.
        let old = r#"{"dataset":null,"engine":{"engine":"local","model":"m","cache":"c",
            "epochs":2,"learning_rate":0.0002,"final_lr_fraction":0.1,"warmup_steps":null,
            "decay":"cosine","weight_decay":0.0,"context":256,"threads":2,"eval_fraction":0.1}}"#;
        let EngineSpec::Local(local) = serde_json::from_str::<RunSpec>(old).unwrap().engine else {
            panic!("the built-in trainer")
        };
        assert_eq!(
            (local.phases, local.phase2.epochs, local.replay),
            (None, 3, 1.0)
        );
    }

    #[test]
    fn bad_settings_are_named() {
        let mut local = LocalSpec::new("m".into(), "c".into());
        assert_eq!(local.problem(), None);
        local.context = 300;
        assert!(local.problem().unwrap().contains("multiple of 256"));
        local.context = 512;
        local.eval_fraction = 1.0;
        assert!(local.problem().unwrap().contains("eval fraction"));
        local.eval_fraction = 0.1;
        local.phase2.epochs = 0;
        assert!(local.problem().unwrap().contains("at least one epoch"));
        local.phase2.epochs = 1;
        local.replay = 1.5;
        assert!(local.problem().unwrap().contains("replay fraction"));
    }
}
