//! `taxon train`: start a tuning run (the built-in trainer, or an external command
//! after `--`) in the background and follow it; and the hidden `taxon
//! train-worker RUN_DIR` that the run's process executes.

use anyhow::Context;

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
use super::{EXIT_ERRORS, EXIT_OK};

/// Runs `taxon train`; returns the exit code.
pub fn run(args: &TrainArgs) -> anyhow::Result<u8> {
    train(args, &AppDirs::from_env())
}

/// Runs `taxon train-worker RUN_DIR`; returns the exit code.
pub fn worker(args: &TrainWorkerArgs) -> anyhow::Result<u8> {
    crate::logging::init_stderr();
    match run_worker(&args.run_dir).context("train-worker")? {
        RunState::Failed => Ok(EXIT_ERRORS),
        _ => Ok(EXIT_OK),
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

fn train(args: &TrainArgs, dirs: &AppDirs) -> anyhow::Result<u8> {
    let registry = Registry::from_dirs(dirs);
    let program = std::env::current_exe().context("cannot find taxon itself")?;
    let (run, pid, how) = match &args.resume {
        Some(id) => {
            let (run, pid, from) = resume(&registry, id, &program)?;
            let how = match from {
                Some(label) => format!("resumed from checkpoint {label}"),
                None => "restarted (it had no checkpoint)".to_owned(),
            };
            (run, pid, how)
        }
        None => {
            let spec = run_spec(&request(args), dirs)?;
            let (run, pid) = registry.start(&spec, &program)?;
            (run, pid, "started".to_owned())
        }
    };
    out!("{}", run.id)?;
    note!(
        "taxon: run {} {how} (pid {pid}) in {}; stop it with `taxon runs stop {}`",
        run.id,
        display_path(&run.dir).display(),
        run.id
    );
    if args.detach {
        note!("taxon: follow it with `taxon runs watch {}`", run.id);
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
            note!(
                "taxon: run {id} failed: {}",
                status.message.as_deref().unwrap_or("no message")
            );
            return EXIT_ERRORS;
        }
        state => note!("taxon: run {id} {}", state.name()),
    }
    if let Some(rate) = status.tokens_per_second {
        note!("taxon: {rate:.1} training tokens/s");
    }
    if let Some(checkpoint) = newest {
        note!(
            "taxon: checkpoint {} (Q8_0): {}",
            checkpoint.label,
            display_path(&checkpoint.q8_0).display()
        );
    }
    EXIT_OK
}
