//! Training work for the interface, off the event loop: a tailer that follows the
//! run registry while the training screen is open (new runs, their status with dead
//! workers marked failed by the registry, and the metrics lines appended since the
//! last poll), stop requests and launches. One thread does it all, in order (a
//! before/after check gets a thread of its own); it reports by message and holds
//! no state the screen reads.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc as std_mpsc;
use std::thread;
use std::time::Duration;

use crate::train::metrics::{MetricRecord, Tail};
use crate::train::registry::{Registry, RegistryError, Run, RunState, RunStatus};
use crate::train::spec::RunSpec;

use super::compare_jobs::{CompareJob, CompareSlot};

/// How often the registry is read while the screen is open.
pub const POLL: Duration = Duration::from_millis(250);
/// Lines of a failed run's log shown with it.
pub const LOG_LINES: usize = 8;

/// Training work the interface asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum TrainJob {
    /// Follow `registry` from scratch (the screen opened or asked to reload).
    Watch(Registry),
    /// Stop following (the screen closed).
    Unwatch,
    /// Ask a run to stop after its current step.
    Stop(Run),
    /// Create a run and launch its worker, as `taxon train --detach` does.
    Launch {
        /// Where the run goes.
        registry: Registry,
        /// The taxon binary that runs the worker.
        program: PathBuf,
        /// What the run does.
        spec: Box<RunSpec>,
    },
    /// Ask a leaf's seed questions to a base and a tuned model (cancels the last).
    Compare(Box<CompareJob>),
    /// Cancel the running before/after check.
    CancelCompare,
}

/// What changed in one run since the last report.
#[derive(Debug, Clone, PartialEq)]
pub struct RunUpdate {
    /// The run.
    pub run: Run,
    /// Its spec, the first time it is reported (`None` after, or if unreadable).
    pub spec: Option<RunSpec>,
    /// Its checked status, when it changed.
    pub status: Option<RunStatus>,
    /// The metrics records completed since the last report.
    pub records: Vec<MetricRecord>,
    /// The end of its log once it has failed; its last line, when it changed,
    /// while it generates its dataset.
    pub log_tail: Option<String>,
}

/// The outcome of training work.
#[derive(Debug, Clone, PartialEq)]
pub enum TrainReply {
    /// What changed; `fresh` replaces everything known (the first report of a watch).
    Runs {
        /// Whether this is a full first report.
        fresh: bool,
        /// The runs that changed.
        updates: Vec<RunUpdate>,
    },
    /// The registry could not be read.
    Problem(String),
    /// A stop was requested (the run's id), or why not.
    StopRequested(Result<String, String>),
    /// A run was launched (its id), or why not.
    Launched(Result<String, String>),
    /// One answer of a before/after check: the text so far while it is written,
    /// then the whole answer.
    Answer {
        /// The check.
        generation: u64,
        /// The question (0-based).
        index: usize,
        /// Whether the tuned model gave it (else the base).
        tuned: bool,
        /// The answer so far.
        text: String,
        /// Whether it is still being written, whole, or cut at the token limit.
        progress: AnswerProgress,
    },
    /// A before/after check failed.
    CompareFailed {
        /// The check.
        generation: u64,
        /// Why.
        why: String,
    },
}

/// How far an answer of a before/after check has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnswerProgress {
    /// It is being written: the text so far.
    Writing,
    /// The model ended it.
    Whole,
    /// It stopped at the token limit, unfinished.
    Cut,
}

/// One followed run.
#[derive(Debug)]
struct Followed {
    run: Run,
    metrics: Tail,
    status: Option<RunStatus>,
    ended: bool,
    /// The last log line reported while it generates its dataset.
    progress: Option<String>,
}

/// Follows a registry: each poll reads the runs' folders, the status of runs not yet
/// ended, and only the bytes appended to their metrics since the last poll.
#[derive(Debug)]
pub struct Tailer {
    registry: Registry,
    runs: BTreeMap<String, Followed>,
}

impl Tailer {
    /// Follows `registry` from the start of every run.
    pub fn new(registry: Registry) -> Self {
        Self {
            registry,
            runs: BTreeMap::new(),
        }
    }

    /// What changed since the last poll (everything, the first time).
    pub fn poll(&mut self) -> Result<Vec<RunUpdate>, RegistryError> {
        let mut updates = Vec::new();
        for run in self.registry.runs()? {
            let mut spec = None;
            let followed = self.runs.entry(run.id.clone()).or_insert_with(|| {
                spec = Some(run.spec());
                Followed {
                    metrics: Tail::new(&run.metrics_file()),
                    run,
                    status: None,
                    ended: false,
                    progress: None,
                }
            });
            if followed.ended {
                continue;
            }
            // The status first: a worker writes its last metrics before its final state.
            let status = match self.registry.refresh(&followed.run) {
                Ok(status) => status,
                Err(error) => {
                    tracing::warn!("{error}");
                    continue;
                }
            };
            let records = match followed.metrics.poll() {
                Ok(lines) => lines
                    .iter()
                    .filter_map(|l| serde_json::from_str::<MetricRecord>(l).ok())
                    .collect(),
                Err(error) => {
                    tracing::warn!("{}: {error}", followed.run.metrics_file().display());
                    Vec::new()
                }
            };
            followed.ended = status.state.is_final();
            let log_tail = match status.state {
                RunState::Failed => Some(followed.run.log_tail(LOG_LINES)),
                RunState::Generating => {
                    let line = followed.run.log_tail(1);
                    let new = followed.progress.as_ref() != Some(&line);
                    followed.progress = Some(line.clone());
                    new.then_some(line)
                }
                _ => None,
            };
            let changed = followed.status.as_ref() != Some(&status);
            if changed {
                followed.status = Some(status.clone());
            }
            if spec.is_some() || changed || !records.is_empty() || log_tail.is_some() {
                updates.push(RunUpdate {
                    run: followed.run.clone(),
                    spec: spec.and_then(|s| s.map_err(|e| tracing::warn!("{e}")).ok()),
                    status: changed.then_some(status),
                    records,
                    log_tail,
                });
            }
        }
        Ok(updates)
    }
}

/// Runs a job that is not about following; returns its reply.
fn run_once(job: TrainJob) -> Option<TrainReply> {
    match job {
        TrainJob::Stop(run) => Some(TrainReply::StopRequested(
            run.request_stop()
                .map(|()| run.id.clone())
                .map_err(|e| e.to_string()),
        )),
        TrainJob::Launch {
            registry,
            program,
            spec,
        } => Some(TrainReply::Launched(
            registry
                .start(&spec, &program)
                .map(|(run, _)| run.id)
                .map_err(|e| e.to_string()),
        )),
        TrainJob::Watch(_) | TrainJob::Unwatch | TrainJob::Compare(_) | TrainJob::CancelCompare => {
            None
        }
    }
}

/// The thread that runs training jobs and, while watching, polls the registry.
pub struct TrainWorker {
    jobs: std_mpsc::Sender<TrainJob>,
}

impl TrainWorker {
    /// Starts the thread; replies go to `send`, which says false once nobody listens.
    pub fn spawn(send: impl Fn(TrainReply) -> bool + Send + Sync + 'static) -> Self {
        let send = Arc::new(send);
        let (jobs, rx) = std_mpsc::channel::<TrainJob>();
        thread::spawn(move || {
            let mut tailer: Option<(Tailer, bool)> = None;
            let mut compare = CompareSlot::default();
            loop {
                let job = if tailer.is_some() {
                    match rx.recv_timeout(POLL) {
                        Ok(job) => Some(job),
                        Err(std_mpsc::RecvTimeoutError::Timeout) => None,
                        Err(std_mpsc::RecvTimeoutError::Disconnected) => return,
                    }
                } else {
                    match rx.recv() {
                        Ok(job) => Some(job),
                        Err(_) => return,
                    }
                };
                let reply = match job {
                    Some(TrainJob::Watch(registry)) => {
                        tailer = Some((Tailer::new(registry), true));
                        None
                    }
                    Some(TrainJob::Unwatch) => {
                        tailer = None;
                        compare.cancel();
                        None
                    }
                    Some(TrainJob::Compare(job)) => {
                        let send = Arc::clone(&send);
                        compare.start(*job, move |reply| send(reply));
                        None
                    }
                    Some(TrainJob::CancelCompare) => {
                        compare.cancel();
                        None
                    }
                    Some(job) => run_once(job),
                    None => None,
                };
                if let Some(reply) = reply
                    && !send(reply)
                {
                    return;
                }
                let Some((tail, fresh)) = &mut tailer else {
                    continue;
                };
                let reply = match tail.poll() {
                    Ok(updates) if updates.is_empty() && !*fresh => continue,
                    Ok(updates) => TrainReply::Runs {
                        fresh: std::mem::take(fresh),
                        updates,
                    },
                    Err(error) => TrainReply::Problem(error.to_string()),
                };
                if !send(reply) {
                    return;
                }
            }
        });
        Self { jobs }
    }

    /// Queues `job`.
    pub fn send(&self, job: TrainJob) {
        if self.jobs.send(job).is_err() {
            tracing::error!("the training worker has stopped");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::train::metrics::MetricsWriter;
    use crate::train::registry::RunState;
    use crate::train::registry::tests::{dead_run, spec};
    use std::io::Write;

    fn record(step: u64, loss: f64) -> MetricRecord {
        MetricRecord {
            step,
            epoch: 1,
            train_loss: Some(loss),
            elapsed_seconds: step as f64,
            ..MetricRecord::default()
        }
    }

    #[test]
    fn appended_lines_are_reported_once_and_partial_lines_wait() {
        let dir = tempfile::tempdir().unwrap();
        let registry = Registry::new(dir.path().join("runs"));
        let run = registry.create(&spec()).unwrap();
        let mut tailer = Tailer::new(registry.clone());
        let first = tailer.poll().unwrap();
        assert_eq!(first.len(), 1);
        assert_eq!(first[0].spec, Some(spec()));
        assert_eq!(first[0].status.as_ref().unwrap().state, RunState::Queued);
        assert!(first[0].records.is_empty());
        assert!(tailer.poll().unwrap().is_empty(), "nothing new");

        let mut writer = MetricsWriter::open(&run.metrics_file()).unwrap();
        writer.write(&record(1, 2.0)).unwrap();
        let line = serde_json::to_string(&record(2, 1.5)).unwrap();
        let (head, rest) = line.split_at(10);
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(run.metrics_file())
            .unwrap();
        file.write_all(head.as_bytes()).unwrap();
        let second = tailer.poll().unwrap();
        assert_eq!(second.len(), 1);
        assert_eq!(
            second[0].records,
            [record(1, 2.0)],
            "the partial line waits"
        );
        assert_eq!(second[0].spec, None, "the spec comes once");
        assert_eq!(second[0].status, None, "the status did not change");
        file.write_all(format!("{rest}\n").as_bytes()).unwrap();
        let third = tailer.poll().unwrap();
        assert_eq!(third[0].records, [record(2, 1.5)]);
    }

    #[test]
    fn a_dead_worker_is_reported_failed_with_its_log_and_then_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let registry = Registry::new(dir.path().join("runs"));
        let run = dead_run(&registry);
        let mut tailer = Tailer::new(registry);
        let updates = tailer.poll().unwrap();
        let status = updates[0].status.as_ref().unwrap();
        assert_eq!(status.state, RunState::Failed);
        assert!(
            updates[0]
                .log_tail
                .as_ref()
                .unwrap()
                .ends_with("GGML_ASSERT(x) failed")
        );
        std::fs::write(
            run.metrics_file(),
            "{\"step\":1,\"epoch\":1,\"elapsed_seconds\":1}\n",
        )
        .unwrap();
        assert!(
            tailer.poll().unwrap().is_empty(),
            "an ended run is not read again"
        );
    }

    #[test]
    fn the_worker_reports_a_fresh_list_then_changes() {
        let dir = tempfile::tempdir().unwrap();
        let registry = Registry::new(dir.path().join("runs"));
        let run = registry.create(&spec()).unwrap();
        let (tx, rx) = std_mpsc::channel();
        let worker = TrainWorker::spawn(move |reply| tx.send(reply).is_ok());
        worker.send(TrainJob::Watch(registry.clone()));
        let first = rx.recv().unwrap();
        let TrainReply::Runs { fresh, updates } = first else {
            panic!("{first:?}")
        };
        assert!(fresh);
        assert_eq!(updates[0].run, run);
        worker.send(TrainJob::Stop(run.clone()));
        let stopped = rx.recv().unwrap();
        assert_eq!(stopped, TrainReply::StopRequested(Ok(run.id.clone())));
        assert!(run.stop_file().exists());
        MetricsWriter::open(&run.metrics_file())
            .unwrap()
            .write(&record(1, 2.0))
            .unwrap();
        let next = rx.recv().unwrap();
        let TrainReply::Runs { fresh, updates } = next else {
            panic!("{next:?}")
        };
        assert!(!fresh);
        assert_eq!(updates[0].records, [record(1, 2.0)]);
    }
}
