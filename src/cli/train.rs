//! `taxon train`: start a tuning run (the built-in trainer, or an external command
//! after `--`) in the background and follow it; and the hidden `taxon
//! train-worker RUN_DIR` that the run's process executes.

use crate::dirs::AppDirs;
use crate::generate::fetch::default_model_path;
use crate::train::job::run_worker;
use crate::train::registry::{Registry, RunState, RunStatus};
use crate::train::schedule::Decay;
use crate::train::spec::{
    ChangedLeaves, DatasetSource, EngineSpec, ExternalSpec, LocalSpec, RunSpec,
};

use super::args::{DecayArg, TrainArgs, TrainWorkerArgs};
use super::output::display_path;
use super::train_progress::follow;
use super::{EXIT_ERRORS, EXIT_OK, EXIT_TROUBLE};

/// Runs `taxon train`; returns the exit code.
pub fn run(args: &TrainArgs) -> u8 {
    let dirs = AppDirs::from_env();
    match train(args, &dirs) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("taxon: {message}");
            EXIT_TROUBLE
        }
    }
}

/// Runs `taxon train-worker RUN_DIR`; returns the exit code.
pub fn worker(args: &TrainWorkerArgs) -> u8 {
    crate::logging::init_stderr();
    match run_worker(&args.run_dir) {
        Ok(RunState::Failed) => EXIT_ERRORS,
        Ok(_) => EXIT_OK,
        Err(error) => {
            eprintln!("taxon train-worker: {error}");
            EXIT_TROUBLE
        }
    }
}

fn absolute(path: &std::path::Path) -> Result<std::path::PathBuf, String> {
    std::path::absolute(path).map_err(|e| format!("{}: {e}", path.display()))
}

/// The training data the arguments name, checked to exist.
fn dataset(args: &TrainArgs, dirs: &AppDirs) -> Result<Option<DatasetSource>, String> {
    if let Some(path) = &args.dataset {
        if !path.is_file() {
            return Err(format!("{}: no such file", path.display()));
        }
        return Ok(Some(DatasetSource::Messages {
            path: absolute(path)?,
        }));
    }
    let folder = args.seeds.as_ref().or(args.changed.as_ref());
    if let Some(root) = folder.filter(|root| !root.is_dir()) {
        return Err(format!("{}: no such folder", root.display()));
    }
    if let Some(root) = &args.seeds {
        return Ok(Some(DatasetSource::Seeds {
            taxonomy: absolute(root)?,
        }));
    }
    let Some(root) = &args.changed else {
        return Ok(None);
    };
    let teacher = default_model_path(dirs);
    if !teacher.is_file() {
        return Err(format!(
            "{}: no such model to generate with; run `taxon model fetch` first",
            teacher.display()
        ));
    }
    Ok(Some(DatasetSource::Changed(ChangedLeaves {
        taxonomy: absolute(root)?,
        base: args.base.clone(),
        samples: args.samples,
        teacher,
    })))
}

/// The spec the arguments ask for, with paths made absolute (the worker runs
/// elsewhere).
pub(crate) fn spec(args: &TrainArgs, dirs: &AppDirs) -> Result<RunSpec, String> {
    let dataset = dataset(args, dirs)?;
    if !args.command.is_empty() {
        let external = ExternalSpec {
            command: args.command.clone(),
            workdir: args.workdir.as_deref().map(absolute).transpose()?,
            metrics_file: args.metrics_file.clone(),
        };
        return Ok(RunSpec {
            dataset,
            engine: EngineSpec::External(external),
        });
    }
    let model = match &args.model {
        Some(model) => absolute(model)?,
        None => default_model_path(dirs),
    };
    if !model.is_file() {
        let hint = if args.model.is_none() {
            "; run `taxon model fetch` first"
        } else {
            ""
        };
        return Err(format!("{}: no such model{hint}", model.display()));
    }
    let mut local = LocalSpec::new(model, dirs.cache.clone());
    local.epochs = args.epochs;
    local.learning_rate = args.lr;
    local.warmup_steps = args.warmup;
    local.decay = match args.decay {
        DecayArg::Cosine => Decay::Cosine,
        DecayArg::Linear => Decay::Linear,
        DecayArg::Constant => Decay::Constant,
    };
    local.context = args.ctx;
    local.threads = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get() as u32));
    local.eval_fraction = args.eval_fraction;
    if let Some(problem) = local.problem() {
        return Err(problem);
    }
    Ok(RunSpec {
        dataset,
        engine: EngineSpec::Local(local),
    })
}

fn train(args: &TrainArgs, dirs: &AppDirs) -> Result<u8, String> {
    let spec = spec(args, dirs)?;
    let registry = Registry::from_dirs(dirs);
    let program = std::env::current_exe().map_err(|e| format!("cannot find taxon itself: {e}"))?;
    let (run, pid) = registry.start(&spec, &program).map_err(|e| e.to_string())?;
    println!("{}", run.id);
    eprintln!(
        "taxon: run {} started (pid {pid}) in {}; stop it with `taxon runs stop {}`",
        run.id,
        display_path(&run.dir).display(),
        run.id
    );
    if args.detach {
        eprintln!("taxon: follow it with `taxon runs watch {}`", run.id);
        return Ok(EXIT_OK);
    }
    let status = follow(&registry, &run)?;
    Ok(report_end(&run.id, &status))
}

/// Prints how a run ended; returns the exit code for it.
pub(super) fn report_end(id: &str, status: &RunStatus) -> u8 {
    let newest = status.checkpoints.last();
    match status.state {
        RunState::Failed => {
            eprintln!(
                "taxon: run {id} failed: {}",
                status.message.as_deref().unwrap_or("no message")
            );
            return EXIT_ERRORS;
        }
        state => eprintln!("taxon: run {id} {}", state.name()),
    }
    if let Some(rate) = status.tokens_per_second {
        eprintln!("taxon: {rate:.1} training tokens/s");
    }
    if let Some(checkpoint) = newest {
        eprintln!(
            "taxon: checkpoint {} (Q8_0): {}",
            checkpoint.label,
            display_path(&checkpoint.q8_0).display()
        );
    }
    EXIT_OK
}
