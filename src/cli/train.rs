//! `taxon train`: start a tuning run (the built-in trainer, or an external command
//! after `--`) in the background and follow it; and the hidden `taxon
//! train-worker RUN_DIR` that the run's process executes.

use crate::dirs::AppDirs;
use crate::train::phases::PhaseMode;
use crate::train::registry::{Registry, RunState, RunStatus};
use crate::train::request::{CommandRequest, DataRequest, TrainRequest, run_spec};
use crate::train::resume::resume;
use crate::train::run_process::run_worker;
use crate::train::schedule::Decay;

use super::args::{DecayArg, PhasesArg, TrainArgs, TrainWorkerArgs};
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

/// The request the arguments make (a `--dataset` file before `--seeds` before
/// `--changed`).
fn request(args: &TrainArgs) -> TrainRequest {
    let data = if let Some(path) = &args.dataset {
        Some(DataRequest::File(path.clone()))
    } else if let Some(root) = &args.seeds {
        Some(DataRequest::Seeds(root.clone()))
    } else {
        args.changed.as_ref().map(|root| DataRequest::Changed {
            taxonomy: root.clone(),
            base: args.base.clone(),
            samples: args.samples,
        })
    };
    let command = (!args.command.is_empty()).then(|| CommandRequest {
        command: args.command.clone(),
        workdir: args.workdir.clone(),
        metrics_file: args.metrics_file.clone(),
    });
    TrainRequest {
        model: args.model.clone(),
        epochs: args.epochs,
        learning_rate: args.lr,
        phases: args.phases.map(|p| match p {
            PhasesArg::KnowledgeSkills => PhaseMode::KnowledgeSkills,
            PhasesArg::Single => PhaseMode::Single,
        }),
        phase1_epochs: args.phase1_epochs,
        phase1_learning_rate: args.phase1_lr,
        phase2_epochs: args.phase2_epochs,
        phase2_learning_rate: args.phase2_lr,
        replay: args.replay,
        warmup_steps: args.warmup,
        decay: match args.decay {
            DecayArg::Cosine => Decay::Cosine,
            DecayArg::Linear => Decay::Linear,
            DecayArg::Constant => Decay::Constant,
        },
        context: args.ctx,
        threads: args.threads,
        eval_fraction: args.eval_fraction,
        command,
        ..TrainRequest::new(data)
    }
}

fn train(args: &TrainArgs, dirs: &AppDirs) -> Result<u8, String> {
    let registry = Registry::from_dirs(dirs);
    let program = std::env::current_exe().map_err(|e| format!("cannot find taxon itself: {e}"))?;
    let (run, pid, how) = match &args.resume {
        Some(id) => {
            let (run, pid, from) = resume(&registry, id, &program).map_err(|e| e.to_string())?;
            let how = match from {
                Some(label) => format!("resumed from checkpoint {label}"),
                None => "restarted (it had no checkpoint)".to_owned(),
            };
            (run, pid, how)
        }
        None => {
            let spec = run_spec(&request(args), dirs).map_err(|e| e.to_string())?;
            let (run, pid) = registry.start(&spec, &program).map_err(|e| e.to_string())?;
            (run, pid, "started".to_owned())
        }
    };
    println!("{}", run.id);
    eprintln!(
        "taxon: run {} {how} (pid {pid}) in {}; stop it with `taxon runs stop {}`",
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
