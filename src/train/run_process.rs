//! The process of one run (`taxon train-worker RUN_DIR`): it marks the run
//! running, hands it to its engine (the built-in trainer or an external command)
//! and writes the final status with the peak memory and the CPU time.

use std::path::Path;

use super::engine::{Job, JobError, Outcome};
use super::metrics::MetricsWriter;
use super::registry::{RegistryError, Run, RunState, now_rfc3339};
use super::spec::EngineSpec;
use super::{external, os, trainer};

/// Runs the worker for the run in `dir`; returns the final state (also written to
/// its status). Errors are written to the status as a failure.
pub fn run_worker(dir: &Path) -> Result<RunState, RegistryError> {
    let run = Run::at(dir);
    os::catch_term();
    run.update_status(|s| {
        s.state = RunState::Running;
        s.pid = Some(std::process::id());
        s.pid_start = os::own_start_time();
        s.started = Some(now_rfc3339());
    })?;
    let result = (|| {
        let spec = run.spec()?;
        let metrics = MetricsWriter::open(&run.metrics_file()).map_err(|source| JobError::Io {
            path: run.metrics_file().display().to_string(),
            source,
        })?;
        let mut job = Job::new(run.clone(), metrics);
        match &spec.engine {
            EngineSpec::Local(local) => {
                let source = spec.dataset.as_ref().ok_or_else(|| {
                    JobError::Spec("the built-in trainer needs a dataset".to_owned())
                })?;
                trainer::train(local, source, &mut job)
            }
            EngineSpec::External(command) => external::follow(command, &mut job),
        }
    })();
    let (state, message) = match result {
        Ok(Outcome::Finished) => (RunState::Done, None),
        Ok(Outcome::Stopped) => (RunState::Stopped, None),
        Err(error) => {
            eprintln!("taxon train-worker: {error}");
            (RunState::Failed, Some(error.to_string()))
        }
    };
    run.update_status(|s| {
        s.state = state;
        s.ended = Some(now_rfc3339());
        s.peak_rss_kib = os::peak_rss_kib();
        s.cpu_seconds = os::cpu_seconds();
        if message.is_some() {
            s.message = message;
        }
    })?;
    Ok(state)
}
