//! The worker process of one run (`taxon train-worker RUN_DIR`): it marks the run
//! running, hands it to its engine (the built-in trainer or an external command),
//! turns a `stop` file or SIGTERM into a clean stop after the current step, and
//! writes the final status with the peak memory.

use std::path::Path;
use std::time::Instant;

use super::dataset::DatasetError;
use super::metrics::{MetricRecord, MetricsWriter};
use super::registry::{RegistryError, Run, RunState, RunStatus, now_rfc3339};
use super::spec::EngineSpec;
use super::{external, os, worker};

/// Why a run failed.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// The run folder could not be read or written.
    #[error(transparent)]
    Registry(#[from] RegistryError),
    /// The metrics file could not be written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The training data is unusable.
    #[error(transparent)]
    Dataset(#[from] DatasetError),
    /// llama.cpp failed.
    #[error("llama.cpp: {0}")]
    Llama(String),
    /// The external command failed.
    #[error("{0}")]
    External(String),
    /// Generating the run's dataset failed.
    #[error("generating the dataset: {0}")]
    Generate(String),
    /// The spec asks for something impossible.
    #[error("{0}")]
    Spec(String),
}

/// How an engine ended without error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// It did everything asked.
    Finished,
    /// It stopped early on request.
    Stopped,
}

/// A running run, as its engine sees it: metrics out, stop requests in.
#[derive(Debug)]
pub struct Job {
    run: Run,
    started: Instant,
    metrics: MetricsWriter,
    stopping: bool,
}

impl Job {
    /// The run.
    pub fn run(&self) -> &Run {
        &self.run
    }

    /// Seconds since the worker started.
    pub fn elapsed_seconds(&self) -> f64 {
        self.started.elapsed().as_secs_f64()
    }

    /// Appends a metrics record.
    pub fn record(&mut self, record: &MetricRecord) -> Result<(), JobError> {
        self.metrics.write(record).map_err(|source| JobError::Io {
            path: self.metrics.path().display().to_string(),
            source,
        })
    }

    /// Changes the status file.
    pub fn update_status(&self, change: impl FnOnce(&mut RunStatus)) -> Result<(), JobError> {
        self.run.update_status(change)?;
        Ok(())
    }

    /// Whether a stop was asked for (a `stop` file or SIGTERM); the first time, the
    /// run is marked stopping.
    pub fn stop_requested(&mut self) -> bool {
        if !self.stopping && (os::term_received() || self.run.stop_file().exists()) {
            self.stopping = true;
            let _ = self.run.update_status(|s| s.state = RunState::Stopping);
        }
        self.stopping
    }
}

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
        let mut job = Job {
            run: run.clone(),
            started: Instant::now(),
            metrics,
            stopping: false,
        };
        match &spec.engine {
            EngineSpec::Local(local) => {
                let source = spec.dataset.as_ref().ok_or_else(|| {
                    JobError::Spec("the built-in trainer needs a dataset".to_owned())
                })?;
                worker::train(local, source, &mut job)
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
        if message.is_some() {
            s.message = message;
        }
    })?;
    Ok(state)
}
