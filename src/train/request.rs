//! A run as a front end asks for it (`taxon train`'s flags, the TUI's launch form)
//! and the [`RunSpec`] built from it: defaults filled in, paths made absolute (the
//! worker runs elsewhere), files checked and settings validated, so both front ends
//! start the same run with the same messages.

use std::path::{Path, PathBuf};

use crate::dirs::AppDirs;
use crate::generate::fetch::default_model_path;

use super::phases::{PhaseMode, PhaseSettings};
use super::schedule::Decay;
use super::spec::{ChangedLeaves, DatasetSource, EngineSpec, ExternalSpec, LocalSpec, RunSpec};

/// Where the training data is to come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataRequest {
    /// A messages-format JSONL file.
    File(PathBuf),
    /// The seed examples of every leaf of this taxonomy.
    Seeds(PathBuf),
    /// Samples generated when the run starts for the leaves of `taxonomy` changed
    /// against `base`, with the default model.
    Changed {
        /// The taxonomy root.
        taxonomy: PathBuf,
        /// The base (`None`: `origin/main`, else `main`).
        base: Option<String>,
        /// Samples wanted per leaf.
        samples: u32,
    },
}

/// An external training command, run instead of the built-in trainer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandRequest {
    /// The program and its arguments.
    pub command: Vec<String>,
    /// Its working folder (default: the run folder).
    pub workdir: Option<PathBuf>,
    /// The metrics JSONL it writes.
    pub metrics_file: Option<PathBuf>,
}

/// What a front end asks a run to do.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainRequest {
    /// The training data (an external command may read its own).
    pub data: Option<DataRequest>,
    /// The base GGUF (default: the fetched default model).
    pub model: Option<PathBuf>,
    /// Passes over the data, in each phase unless a phase's own is given
    /// (`None`: the defaults).
    pub epochs: Option<u32>,
    /// The peak learning rate, in each phase unless a phase's own is given
    /// (`None`: the defaults).
    pub learning_rate: Option<f32>,
    /// The phases (`None`: knowledge then skills when the data holds both kinds).
    pub phases: Option<PhaseMode>,
    /// Phase 1's epochs.
    pub phase1_epochs: Option<u32>,
    /// Phase 1's peak learning rate.
    pub phase1_learning_rate: Option<f32>,
    /// Phase 2's epochs (`None`: `epochs`, else upstream's ratio to phase 1's).
    pub phase2_epochs: Option<u32>,
    /// Phase 2's peak learning rate (`None`: `learning_rate`, else upstream's
    /// ratio to phase 1's).
    pub phase2_learning_rate: Option<f32>,
    /// The share of phase-1 records replayed in phase 2 (`None`: the default).
    pub replay: Option<f32>,
    /// Steps of warm-up (default: a tenth of all steps).
    pub warmup_steps: Option<u64>,
    /// How the learning rate decays.
    pub decay: Decay,
    /// Tokens per training window.
    pub context: u32,
    /// CPU threads (default: all cores).
    pub threads: Option<u32>,
    /// The share of the data held out.
    pub eval_fraction: f32,
    /// An external command to train with instead of the built-in trainer.
    pub command: Option<CommandRequest>,
}

impl TrainRequest {
    /// The built-in trainer on `data` with [`LocalSpec::new`]'s settings and the
    /// default model.
    pub fn new(data: Option<DataRequest>) -> Self {
        let defaults = LocalSpec::new(PathBuf::new(), PathBuf::new());
        Self {
            data,
            model: None,
            epochs: None,
            learning_rate: None,
            phases: None,
            phase1_epochs: None,
            phase1_learning_rate: None,
            phase2_epochs: None,
            phase2_learning_rate: None,
            replay: None,
            warmup_steps: defaults.warmup_steps,
            decay: defaults.decay,
            context: defaults.context,
            threads: None,
            eval_fraction: defaults.eval_fraction,
            command: None,
        }
    }
}

/// Why a request cannot become a run.
#[derive(Debug, thiserror::Error)]
pub enum RequestError {
    /// A named file is missing.
    #[error("{}: no such file", .0.display())]
    NoFile(PathBuf),
    /// A folder was named where a file is needed.
    #[error("{} is a folder; {wanted}", .path.display())]
    FolderForFile {
        /// The folder.
        path: PathBuf,
        /// What is needed instead.
        wanted: &'static str,
    },
    /// A named folder is missing.
    #[error("{}: no such folder", .0.display())]
    NoFolder(PathBuf),
    /// The default model, needed to generate the data, is not fetched.
    #[error("{}: no such model to generate with; run `taxon model fetch` first", .0.display())]
    NoTeacher(PathBuf),
    /// The base model is missing.
    #[error("{}: no such model{}", .path.display(), if *.default { "; run `taxon model fetch` first" } else { "" })]
    NoModel {
        /// Where it was looked for.
        path: PathBuf,
        /// Whether it is the default model (which `taxon model fetch` provides).
        default: bool,
    },
    /// A path cannot be made absolute.
    #[error("{}: {source}", .path.display())]
    Path {
        /// The path.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The settings cannot train (see [`LocalSpec::problem`]).
    #[error("{0}")]
    Settings(String),
}

fn absolute(path: &Path) -> Result<PathBuf, RequestError> {
    std::path::absolute(path).map_err(|source| RequestError::Path {
        path: path.to_owned(),
        source,
    })
}

/// The dataset the request names, checked to exist.
fn dataset(data: &DataRequest, dirs: &AppDirs) -> Result<DatasetSource, RequestError> {
    match data {
        DataRequest::File(path) if path.is_dir() => Err(RequestError::FolderForFile {
            path: path.clone(),
            wanted: "the dataset is a messages-format JSONL file (as `taxon generate` writes)",
        }),
        DataRequest::File(path) if !path.is_file() => Err(RequestError::NoFile(path.clone())),
        DataRequest::File(path) => Ok(DatasetSource::Messages {
            path: absolute(path)?,
        }),
        DataRequest::Seeds(root) | DataRequest::Changed { taxonomy: root, .. }
            if !root.is_dir() =>
        {
            Err(RequestError::NoFolder(root.clone()))
        }
        DataRequest::Seeds(root) => Ok(DatasetSource::Seeds {
            taxonomy: absolute(root)?,
        }),
        DataRequest::Changed {
            taxonomy,
            base,
            samples,
        } => {
            let teacher = default_model_path(dirs);
            if !teacher.is_file() {
                return Err(RequestError::NoTeacher(teacher));
            }
            Ok(DatasetSource::Changed(ChangedLeaves {
                taxonomy: absolute(taxonomy)?,
                base: base.clone(),
                samples: *samples,
                teacher,
            }))
        }
    }
}

/// The spec of the run `request` asks for, with the app's folders for the default
/// model and the cache.
pub fn run_spec(request: &TrainRequest, dirs: &AppDirs) -> Result<RunSpec, RequestError> {
    let dataset = request
        .data
        .as_ref()
        .map(|data| dataset(data, dirs))
        .transpose()?;
    if let Some(command) = &request.command {
        let external = ExternalSpec {
            command: command.command.clone(),
            workdir: command.workdir.as_deref().map(absolute).transpose()?,
            metrics_file: command.metrics_file.clone(),
        };
        return Ok(RunSpec {
            dataset,
            engine: EngineSpec::External(external),
        });
    }
    let model = match &request.model {
        Some(model) => absolute(model)?,
        None => default_model_path(dirs),
    };
    if model.is_dir() {
        return Err(RequestError::FolderForFile {
            path: model,
            wanted: "the model is a GGUF file",
        });
    }
    if !model.is_file() {
        return Err(RequestError::NoModel {
            path: model,
            default: request.model.is_none(),
        });
    }
    let mut local = LocalSpec::new(model, dirs.cache.clone());
    local.epochs = request.epochs.unwrap_or(local.epochs);
    local.learning_rate = request.learning_rate.unwrap_or(local.learning_rate);
    local.phases = request.phases;
    local.phase1 = PhaseSettings {
        epochs: request
            .phase1_epochs
            .or(request.epochs)
            .unwrap_or(local.phase1.epochs),
        learning_rate: (request.phase1_learning_rate.or(request.learning_rate))
            .unwrap_or(local.phase1.learning_rate),
    };
    let ratios = PhaseSettings::phase2_for(local.phase1);
    local.phase2 = PhaseSettings {
        epochs: request
            .phase2_epochs
            .or(request.epochs)
            .unwrap_or(ratios.epochs),
        learning_rate: (request.phase2_learning_rate.or(request.learning_rate))
            .unwrap_or(ratios.learning_rate),
    };
    local.replay = request.replay.unwrap_or(local.replay);
    local.warmup_steps = request.warmup_steps;
    local.decay = request.decay;
    local.context = request.context;
    local.threads = request
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get() as u32));
    local.eval_fraction = request.eval_fraction;
    if let Some(problem) = local.problem() {
        return Err(RequestError::Settings(problem));
    }
    Ok(RunSpec {
        dataset,
        engine: EngineSpec::Local(local),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dirs(root: &Path) -> AppDirs {
        AppDirs {
            config: root.join("config"),
            data: root.join("data"),
            state: root.join("state"),
            cache: root.join("cache"),
        }
    }

    #[test]
    fn missing_files_and_models_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let dirs = dirs(dir.path());
        let missing = TrainRequest::new(Some(DataRequest::File("/nonexistent/d.jsonl".into())));
        assert_eq!(
            run_spec(&missing, &dirs).unwrap_err().to_string(),
            "/nonexistent/d.jsonl: no such file"
        );
        let seeds = TrainRequest::new(Some(DataRequest::Seeds(dir.path().to_owned())));
        let error = run_spec(&seeds, &dirs).unwrap_err().to_string();
        assert!(
            error.ends_with("no such model; run `taxon model fetch` first"),
            "{error}"
        );
        let named = TrainRequest {
            model: Some(dir.path().join("m.gguf")),
            ..seeds.clone()
        };
        let error = run_spec(&named, &dirs).unwrap_err().to_string();
        assert!(error.ends_with("m.gguf: no such model"), "{error}");
        // Folders where files belong are named as folders.
        let folder = TrainRequest {
            model: Some(dir.path().to_owned()),
            ..seeds.clone()
        };
        let error = run_spec(&folder, &dirs).unwrap_err().to_string();
        assert!(
            error.ends_with(" is a folder; the model is a GGUF file"),
            "{error}"
        );
        let folder = TrainRequest::new(Some(DataRequest::File(dir.path().to_owned())));
        let error = run_spec(&folder, &dirs).unwrap_err().to_string();
        assert!(
            error.ends_with(" is a folder; the dataset is a messages-format JSONL file (as `taxon generate` writes)"),
            "{error}"
        );
    }

    #[test]
    fn a_request_becomes_a_local_spec_with_its_settings() {
        let dir = tempfile::tempdir().unwrap();
        let dirs = dirs(dir.path());
        let model = dir.path().join("m.gguf");
        std::fs::write(&model, b"gguf").unwrap();
        let mut request = TrainRequest::new(Some(DataRequest::Seeds(dir.path().to_owned())));
        request.model = Some(model.clone());
        request.epochs = Some(3);
        request.threads = Some(1);
        let spec = run_spec(&request, &dirs).unwrap();
        let EngineSpec::Local(local) = spec.engine else {
            panic!("the built-in trainer")
        };
        assert_eq!((local.epochs, local.threads), (3, 1));
        assert_eq!((local.model, local.cache), (model, dirs.cache.clone()));
        assert_eq!(local.phase1.epochs, 3, "--epochs sets both phases");
        assert_eq!(local.phase2.epochs, 3);
        request.epochs = None;
        request.phase1_epochs = Some(7);
        request.phase1_learning_rate = Some(1e-4);
        let EngineSpec::Local(local) = run_spec(&request, &dirs).unwrap().engine else {
            panic!("the built-in trainer")
        };
        assert_eq!(
            (local.epochs, local.phase1.epochs, local.phase2.epochs),
            (2, 7, 10)
        );
        assert!(
            (local.phase2.learning_rate - 3e-5).abs() < 1e-9,
            "upstream's ratio"
        );
        request.context = 300;
        assert!(matches!(
            run_spec(&request, &dirs),
            Err(RequestError::Settings(problem)) if problem.contains("multiple of 256")
        ));
    }
}
