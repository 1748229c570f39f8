//! Evaluations for the training screen: reading a run's `eval.json`, and running
//! `taxon eval`'s engine on a run in the background (a thread of its own, one
//! evaluation at a time, its progress reported as it goes), as a run trains while
//! the screen does other things. Replies name their run; the screen decides what
//! to show.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};
use std::thread;

use crate::eval::{EVAL_FILE, EvalProgress, EvalReport, EvalRequest, evaluate};
use crate::train::registry::Run;

/// Evaluation work the training screen asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EvalJob {
    /// Read the run's last evaluation.
    Load(Run),
    /// Evaluate the run's newest checkpoint in the background.
    Start {
        /// The run.
        run: Run,
        /// The leaves, judge and limits, as `taxon eval` takes them.
        request: Box<EvalRequest>,
    },
    /// Stop the running evaluation.
    Cancel,
}

/// What evaluation work reports.
#[derive(Debug, Clone, PartialEq)]
pub enum EvalReply {
    /// A run's last evaluation (`None`: it has none yet), or why it is unreadable.
    Loaded {
        /// The run's id.
        run: String,
        /// Its report.
        report: Result<Option<Box<EvalReport>>, String>,
    },
    /// An evaluation could not start: another one runs.
    Busy {
        /// The run being evaluated.
        running: String,
    },
    /// How far the evaluation of a run is.
    Progress {
        /// The run's id.
        run: String,
        /// Its progress.
        progress: EvalProgress,
    },
    /// An evaluation ended: its report (also in the run's `eval.json`), or why not.
    Finished {
        /// The run's id.
        run: String,
        /// Its report.
        result: Result<Box<EvalReport>, String>,
    },
}

/// The run's last evaluation, read from its folder.
pub fn load(run: &Run) -> EvalReply {
    let path = run.dir.join(EVAL_FILE);
    let report = match std::fs::read_to_string(&path) {
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(format!("{}: {error}", path.display())),
        Ok(text) => serde_json::from_str(&text)
            .map(|report| Some(Box::new(report)))
            .map_err(|error| format!("{}: {error}", path.display())),
    };
    EvalReply::Loaded {
        run: run.id.clone(),
        report,
    }
}

/// The running evaluation's run and cancel flag.
type Running = Option<(String, Arc<AtomicBool>)>;

/// Runs evaluations on their own thread, one at a time; replies go to `send`.
pub struct EvalWorker {
    running: Arc<Mutex<Running>>,
    send: Arc<dyn Fn(EvalReply) + Send + Sync>,
}

impl EvalWorker {
    /// A worker whose replies go to `send`.
    pub fn new(send: impl Fn(EvalReply) + Send + Sync + 'static) -> Self {
        Self {
            running: Arc::default(),
            send: Arc::new(send),
        }
    }

    /// Does `job`: a read is answered at once; an evaluation starts on its own
    /// thread unless one runs.
    pub fn perform(&self, job: EvalJob) -> Option<EvalReply> {
        match job {
            EvalJob::Load(run) => Some(load(&run)),
            EvalJob::Cancel => {
                let running = self.running.lock().unwrap_or_else(PoisonError::into_inner);
                if let Some((_, cancel)) = running.as_ref() {
                    cancel.store(true, Ordering::SeqCst);
                }
                None
            }
            EvalJob::Start { run, request } => self.start(run, *request),
        }
    }

    fn start(&self, run: Run, request: EvalRequest) -> Option<EvalReply> {
        let cancel = Arc::new(AtomicBool::new(false));
        {
            let mut running = self.running.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some((id, _)) = running.as_ref() {
                return Some(EvalReply::Busy {
                    running: id.clone(),
                });
            }
            *running = Some((run.id.clone(), Arc::clone(&cancel)));
        }
        let (running, send) = (Arc::clone(&self.running), Arc::clone(&self.send));
        thread::spawn(move || {
            let mut on_progress = |progress: &EvalProgress| {
                send(EvalReply::Progress {
                    run: run.id.clone(),
                    progress: progress.clone(),
                });
            };
            let result = evaluate(&run, &request, &mut on_progress, &cancel)
                .map(Box::new)
                .map_err(|error| error.to_string());
            *running.lock().unwrap_or_else(PoisonError::into_inner) = None;
            send(EvalReply::Finished {
                run: run.id.clone(),
                result,
            });
        });
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::{JudgeChoice, LeafChoice};

    fn request() -> EvalRequest {
        EvalRequest {
            leaves: LeafChoice::All,
            judge: JudgeChoice::Model("/nonexistent/judge.gguf".into()),
            threads: 1,
            max_tokens: 8,
            seed: 1,
        }
    }

    #[test]
    fn a_run_without_an_evaluation_has_none_and_a_broken_one_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let run = Run::at(&dir.path().join("20261201-080000-aaaa"));
        std::fs::create_dir_all(&run.dir).unwrap();
        assert_eq!(
            load(&run),
            EvalReply::Loaded {
                run: run.id.clone(),
                report: Ok(None)
            }
        );
        std::fs::write(run.dir.join(EVAL_FILE), "{").unwrap();
        let EvalReply::Loaded { report, .. } = load(&run) else {
            panic!("a load reply")
        };
        assert!(report.unwrap_err().contains("eval.json: EOF"));
    }

    #[test]
    fn an_evaluation_that_cannot_start_says_why_and_frees_the_worker() {
        let dir = tempfile::tempdir().unwrap();
        let run = Run::at(&dir.path().join("20261201-080000-aaaa"));
        let (tx, rx) = std::sync::mpsc::channel();
        let worker = EvalWorker::new(move |reply| {
            let _ = tx.send(reply);
        });
        let start = || EvalJob::Start {
            run: run.clone(),
            request: Box::new(request()),
        };
        assert_eq!(worker.perform(start()), None, "started in the background");
        let finished = rx.recv_timeout(std::time::Duration::from_secs(30)).unwrap();
        let EvalReply::Finished { run: id, result } = finished else {
            panic!("{finished:?}")
        };
        assert_eq!(id, run.id);
        assert!(result.is_err(), "the run has no spec");
        assert_eq!(worker.perform(start()), None, "free again");
        let _ = rx.recv_timeout(std::time::Duration::from_secs(30)).unwrap();
    }
}
