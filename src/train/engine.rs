//! What an engine (the built-in trainer, an external command) gets from its run's
//! process: the run, a metrics writer, stop requests (a `stop` file or SIGTERM,
//! honoured after the current step), and the errors and outcomes it reports.

use std::time::Instant;

use super::dataset::DatasetError;
use super::metrics::{MetricRecord, MetricsWriter};
use super::os;
use super::registry::{RegistryError, Run, RunState, RunStatus};

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
    /// A checkpoint's metadata could not be set.
    #[error(transparent)]
    Metadata(#[from] crate::train::gguf_metadata::MetadataError),
    /// A checkpoint's Q8_0 copy could not be written.
    #[error(transparent)]
    Quantize(#[from] crate::train::gguf_q8_0::QuantizeError),
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
    /// The job of `run`, its metrics going to `metrics`, timed from now.
    pub fn new(run: Run, metrics: MetricsWriter) -> Self {
        Self {
            run,
            started: Instant::now(),
            metrics,
            stopping: false,
        }
    }

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
