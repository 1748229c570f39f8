//! The run registry on disk: one folder per run under the data folder, holding
//! `spec.json`, `status.json`, `metrics.jsonl`, `log` and `checkpoints/`. Runs are
//! worker processes of their own (in their own process group, so they outlive the
//! command that started them); a run whose process died without writing a final
//! status is marked failed with the end of its log.

use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::atomic_file::write_atomic;
use crate::dirs::AppDirs;

use super::metrics::{MetricRecord, read_metrics};
use super::os;
use super::phases::PhaseStatus;
use super::spec::RunSpec;

/// The hidden subcommand that runs a worker: `taxon train-worker RUN_DIR`.
pub const WORKER_SUBCOMMAND: &str = "train-worker";
/// Lines of the log quoted when a run is found dead.
const LOG_TAIL_LINES: usize = 12;
/// How long launching waits for the worker to report.
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// Where a run is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunState {
    /// Created, the worker not yet started.
    Queued,
    /// Making its dataset: generating samples before training.
    Generating,
    /// Training.
    Running,
    /// A stop was requested; the current step finishes and a checkpoint is saved.
    Stopping,
    /// Finished every epoch.
    Done,
    /// Ended by an error or a dead worker.
    Failed,
    /// Ended early on request.
    Stopped,
}

impl RunState {
    /// Whether the run has ended.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Done | Self::Failed | Self::Stopped)
    }

    /// The lowercase name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Generating => "generating",
            Self::Running => "running",
            Self::Stopping => "stopping",
            Self::Done => "done",
            Self::Failed => "failed",
            Self::Stopped => "stopped",
        }
    }
}

/// A saved model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// `epoch-N` or `step-N`.
    pub label: String,
    /// The optimizer step it was saved after.
    pub step: u64,
    /// The full-precision GGUF (only the newest is kept).
    pub f32: Option<PathBuf>,
    /// The Q8_0 GGUF for the preview engine.
    pub q8_0: PathBuf,
}

/// The contents of `status.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunStatus {
    /// The state.
    pub state: RunState,
    /// The worker's process id.
    #[serde(default)]
    pub pid: Option<u32>,
    /// The worker's start time in clock ticks after boot (tells it from a reused pid).
    #[serde(default)]
    pub pid_start: Option<u64>,
    /// When the worker started (RFC 3339, UTC).
    #[serde(default)]
    pub started: Option<String>,
    /// When the run ended (RFC 3339, UTC).
    #[serde(default)]
    pub ended: Option<String>,
    /// Optimizer steps the whole run will take, once known.
    #[serde(default)]
    pub total_steps: Option<u64>,
    /// Epochs asked for, once known.
    #[serde(default)]
    pub epochs: Option<u32>,
    /// Saved checkpoints, oldest first.
    #[serde(default)]
    pub checkpoints: Vec<Checkpoint>,
    /// The built-in trainer's phases, once its data is known: where each starts,
    /// what it started from, its finished epochs.
    #[serde(default)]
    pub phases: Vec<PhaseStatus>,
    /// The checkpoints the run was resumed from, in order (`None`: from the start).
    #[serde(default)]
    pub resumed_from: Vec<Option<String>>,
    /// Mean training throughput, once measured.
    #[serde(default)]
    pub tokens_per_second: Option<f64>,
    /// The worker's peak resident memory in KiB, at its end.
    #[serde(default)]
    pub peak_rss_kib: Option<u64>,
    /// The CPU time (user and system, all threads) its worker used, in seconds, at
    /// its end: with the trained steps, the CPU cost of a trained token, which
    /// other processes on the machine change far less than its wall time.
    #[serde(default)]
    pub cpu_seconds: Option<f64>,
    /// How its dataset is made, once the worker generates it ("generating 5
    /// samples for each leaf changed against main"); kept after the generation
    /// ends, so that a follower that did not see it happen can still say it, and
    /// cleared when the run is resumed.
    #[serde(default)]
    pub dataset: Option<String>,
    /// Why it failed, or other news.
    #[serde(default)]
    pub message: Option<String>,
}

impl RunStatus {
    fn queued() -> Self {
        Self {
            state: RunState::Queued,
            pid: None,
            pid_start: None,
            started: None,
            ended: None,
            total_steps: None,
            epochs: None,
            checkpoints: Vec::new(),
            phases: Vec::new(),
            resumed_from: Vec::new(),
            tokens_per_second: None,
            peak_rss_kib: None,
            cpu_seconds: None,
            dataset: None,
            message: None,
        }
    }
}

/// What the registry could not do.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
    /// A file holds invalid JSON.
    #[error("{path}: {source}")]
    Json {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: serde_json::Error,
    },
    /// No run has that id.
    #[error("no run `{0}`")]
    NoSuchRun(String),
    /// The worker did not start.
    #[error("the worker of run {id} did not start: {message}")]
    Launch {
        /// The run.
        id: String,
        /// What happened.
        message: String,
    },
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> RegistryError + '_ {
    move |source| RegistryError::Io {
        path: path.to_owned(),
        source,
    }
}

/// The current time as RFC 3339.
pub(crate) fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// One run's folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    /// Its id (the folder name).
    pub id: String,
    /// Its folder.
    pub dir: PathBuf,
}

impl Run {
    /// The run in `dir` (its id is the folder name).
    pub fn at(dir: &Path) -> Self {
        let id = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        Self {
            id,
            dir: dir.to_owned(),
        }
    }

    /// `spec.json`.
    pub fn spec_file(&self) -> PathBuf {
        self.dir.join("spec.json")
    }
    /// `status.json`.
    pub fn status_file(&self) -> PathBuf {
        self.dir.join("status.json")
    }
    /// `metrics.jsonl`.
    pub fn metrics_file(&self) -> PathBuf {
        self.dir.join("metrics.jsonl")
    }
    /// The worker's output.
    pub fn log_file(&self) -> PathBuf {
        self.dir.join("log")
    }
    /// The checkpoint folder.
    pub fn checkpoints_dir(&self) -> PathBuf {
        self.dir.join("checkpoints")
    }
    /// The file whose presence asks the worker to stop.
    pub fn stop_file(&self) -> PathBuf {
        self.dir.join("stop")
    }

    fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, RegistryError> {
        let text = std::fs::read_to_string(path).map_err(io_error(path))?;
        serde_json::from_str(&text).map_err(|source| RegistryError::Json {
            path: path.to_owned(),
            source,
        })
    }

    fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<(), RegistryError> {
        let text = serde_json::to_string_pretty(value).map_err(|source| RegistryError::Json {
            path: path.to_owned(),
            source,
        })?;
        write_atomic(path, format!("{text}\n").as_bytes()).map_err(io_error(path))
    }

    /// The spec.
    pub fn spec(&self) -> Result<RunSpec, RegistryError> {
        Self::read_json(&self.spec_file())
    }

    /// The status as written (see [`Registry::refresh`] for a checked one).
    pub fn status(&self) -> Result<RunStatus, RegistryError> {
        Self::read_json(&self.status_file())
    }

    /// Replaces the status.
    pub fn write_status(&self, status: &RunStatus) -> Result<(), RegistryError> {
        Self::write_json(&self.status_file(), status)
    }

    /// Reads, changes and writes back the status.
    pub fn update_status(
        &self,
        change: impl FnOnce(&mut RunStatus),
    ) -> Result<RunStatus, RegistryError> {
        let mut status = self.status()?;
        change(&mut status);
        self.write_status(&status)?;
        Ok(status)
    }

    /// The metrics written so far.
    pub fn metrics(&self) -> Result<Vec<MetricRecord>, RegistryError> {
        let path = self.metrics_file();
        read_metrics(&path).map_err(io_error(&path))
    }

    /// The last `n` lines of the log.
    pub fn log_tail(&self, n: usize) -> String {
        let text = std::fs::read(self.log_file()).unwrap_or_default();
        let text = String::from_utf8_lossy(&text);
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(n)..].join("\n")
    }

    /// Asks the worker to stop after its current step (it saves a checkpoint first).
    pub fn request_stop(&self) -> Result<(), RegistryError> {
        let path = self.stop_file();
        std::fs::write(&path, b"").map_err(io_error(&path))
    }
}

/// A run with its checked status and latest metrics.
#[derive(Debug, Clone, PartialEq)]
pub struct RunView {
    /// The run.
    pub run: Run,
    /// Its spec.
    pub spec: RunSpec,
    /// Its status, with dead workers marked failed.
    pub status: RunStatus,
    /// Its metrics.
    pub metrics: Vec<MetricRecord>,
}

impl RunView {
    /// The newest record with a training loss.
    pub fn last_train(&self) -> Option<&MetricRecord> {
        self.metrics.iter().rev().find(|m| m.train_loss.is_some())
    }

    /// The newest record with an evaluation loss.
    pub fn last_eval(&self) -> Option<&MetricRecord> {
        self.metrics.iter().rev().find(|m| m.eval_loss.is_some())
    }
}

/// All runs, one folder each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registry {
    root: PathBuf,
}

impl Registry {
    /// The registry in `root`.
    pub fn new(root: PathBuf) -> Self {
        Self { root }
    }

    /// The user's registry: `runs/` in the data folder.
    pub fn from_dirs(dirs: &AppDirs) -> Self {
        Self::new(dirs.data.join("runs"))
    }

    /// The folder holding the runs.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Creates a queued run for `spec` with a fresh id (UTC time plus a suffix).
    pub fn create(&self, spec: &RunSpec) -> Result<Run, RegistryError> {
        std::fs::create_dir_all(&self.root).map_err(io_error(&self.root))?;
        let format = time::macros::format_description!("[year][month][day]-[hour][minute][second]");
        let stamp = time::OffsetDateTime::now_utc()
            .format(&format)
            .unwrap_or_default();
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos())
            ^ std::process::id();
        for attempt in 0..64u32 {
            let suffix = (seed.wrapping_add(attempt.wrapping_mul(40_503))) & 0xffff;
            let dir = self.root.join(format!("{stamp}-{suffix:04x}"));
            match std::fs::create_dir(&dir) {
                Ok(()) => {
                    let run = Run::at(&dir);
                    std::fs::create_dir(run.checkpoints_dir())
                        .map_err(io_error(&run.checkpoints_dir()))?;
                    Run::write_json(&run.spec_file(), spec)?;
                    run.write_status(&RunStatus::queued())?;
                    return Ok(run);
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(io_error(&dir)(e)),
            }
        }
        Err(io_error(&self.root)(io::Error::other(
            "no free run id in this second",
        )))
    }

    /// Starts `program train-worker RUN_DIR` for `run` in its own process group,
    /// its output appended to the run's log, and waits until the worker has
    /// reported that it runs. Returns its pid.
    pub fn launch(&self, run: &Run, program: &Path) -> Result<u32, RegistryError> {
        use std::os::unix::process::CommandExt;
        let log_path = run.log_file();
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log_path)
            .map_err(io_error(&log_path))?;
        let err = log.try_clone().map_err(io_error(&log_path))?;
        let mut child = Command::new(program)
            .arg(WORKER_SUBCOMMAND)
            .arg(&run.dir)
            // mimalloc commits its arena eagerly, which kept 8 MiB resident in a
            // worker whose own allocations are a few hundred KiB (llama.cpp's
            // buffers come from the system allocator); committed on demand, the
            // worker's peak is that much lower.
            .env("MIMALLOC_ARENA_EAGER_COMMIT", "0")
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(err)
            .process_group(0)
            .spawn()
            .map_err(|e| RegistryError::Launch {
                id: run.id.clone(),
                message: format!("{}: {e}", program.display()),
            })?;
        let pid = child.id();
        let waited = Instant::now();
        loop {
            if run.status()?.state != RunState::Queued {
                break;
            }
            let exited = child.try_wait().ok().flatten();
            if exited.is_some() || waited.elapsed() > START_TIMEOUT {
                let message = match exited {
                    Some(code) => format!("it exited ({code}): {}", run.log_tail(LOG_TAIL_LINES)),
                    None => "it did not report within 30 s".to_owned(),
                };
                run.update_status(|s| {
                    s.state = RunState::Failed;
                    s.ended = Some(now_rfc3339());
                    s.message = Some(message.clone());
                })?;
                return Err(RegistryError::Launch {
                    id: run.id.clone(),
                    message,
                });
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        // Reap the worker when it ends while this process lives; it outlives us otherwise.
        std::thread::spawn(move || child.wait());
        Ok(pid)
    }

    /// Creates a run for `spec` and launches its worker (`program train-worker`),
    /// as `taxon train` does; returns the run and the worker's pid.
    pub fn start(&self, spec: &RunSpec, program: &Path) -> Result<(Run, u32), RegistryError> {
        let run = self.create(spec)?;
        let pid = self.launch(&run, program)?;
        Ok((run, pid))
    }

    /// The run with `id`.
    pub fn open(&self, id: &str) -> Result<Run, RegistryError> {
        let dir = self.root.join(id);
        if id.is_empty() || id.contains(['/', '\\']) || !dir.join("status.json").is_file() {
            return Err(RegistryError::NoSuchRun(id.to_owned()));
        }
        Ok(Run::at(&dir))
    }

    /// The run's status, after marking it failed if its worker is gone without
    /// having written a final state.
    pub fn refresh(&self, run: &Run) -> Result<RunStatus, RegistryError> {
        let status = run.status()?;
        let Some(pid) = status.pid else {
            return Ok(status);
        };
        if status.state.is_final() || os::is_alive(pid, status.pid_start) {
            return Ok(status);
        }
        // The worker writes its final state before it exits: read again now it is gone.
        let status = run.status()?;
        if status.state.is_final() {
            return Ok(status);
        }
        let message = format!(
            "the worker (pid {pid}) ended without a final status; the end of its log:\n{}",
            run.log_tail(LOG_TAIL_LINES)
        );
        run.update_status(|s| {
            s.state = RunState::Failed;
            s.ended = Some(now_rfc3339());
            s.message = Some(message);
        })
    }

    /// One run with its checked status and metrics.
    pub fn view(&self, run: &Run) -> Result<RunView, RegistryError> {
        Ok(RunView {
            status: self.refresh(run)?,
            spec: run.spec()?,
            metrics: run.metrics()?,
            run: run.clone(),
        })
    }

    /// Every run's folder, oldest first, without reading them; folders that are
    /// not runs are left out.
    pub fn runs(&self) -> Result<Vec<Run>, RegistryError> {
        let entries = match std::fs::read_dir(&self.root) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(io_error(&self.root)(e)),
        };
        let mut dirs: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.join("status.json").is_file())
            .collect();
        dirs.sort();
        Ok(dirs.iter().map(|d| Run::at(d)).collect())
    }

    /// Every run, oldest first; folders that are not runs are left out.
    pub fn list(&self) -> Result<Vec<RunView>, RegistryError> {
        self.runs()?.iter().map(|run| self.view(run)).collect()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::train::spec::{EngineSpec, ExternalSpec};

    /// A run recorded as running under the pid of a process that has exited,
    /// whose log ends in `GGML_ASSERT(x) failed`.
    pub(crate) fn dead_run(registry: &Registry) -> Run {
        let run = registry.create(&spec()).unwrap();
        let mut child = Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        std::fs::write(run.log_file(), "loading\nGGML_ASSERT(x) failed\n").unwrap();
        run.update_status(|s| {
            s.state = RunState::Running;
            s.pid = Some(pid);
        })
        .unwrap();
        run
    }

    /// A run spec whose engine is a command that does nothing.
    pub(crate) fn spec() -> RunSpec {
        RunSpec {
            dataset: None,
            engine: EngineSpec::External(ExternalSpec {
                command: vec!["true".into()],
                workdir: None,
                metrics_file: None,
            }),
        }
    }

    #[test]
    fn created_runs_are_queued_and_listed_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let registry = Registry::new(dir.path().join("runs"));
        assert!(registry.list().unwrap().is_empty());
        let first = registry.create(&spec()).unwrap();
        let second = registry.create(&spec()).unwrap();
        assert_ne!(first.id, second.id);
        let views = registry.list().unwrap();
        assert_eq!(views.len(), 2);
        assert!(views.iter().all(|v| v.status.state == RunState::Queued));
        assert_eq!(registry.open(&first.id).unwrap(), first);
        assert!(matches!(
            registry.open("../x"),
            Err(RegistryError::NoSuchRun(_))
        ));
    }

    #[test]
    fn a_run_whose_process_is_gone_is_failed_with_its_log() {
        let dir = tempfile::tempdir().unwrap();
        let registry = Registry::new(dir.path().to_owned());
        let run = dead_run(&registry);
        let status = registry.refresh(&run).unwrap();
        assert_eq!(status.state, RunState::Failed);
        assert!(status.message.unwrap().contains("GGML_ASSERT(x) failed"));
        assert!(status.ended.is_some());
    }
}
