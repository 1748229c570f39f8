//! Resuming a stopped or failed run of the built-in trainer: the metrics written
//! after its newest checkpoint are moved aside (appended to
//! `metrics.discarded.jsonl`, so nothing is lost, then left out of
//! `metrics.jsonl`), its status goes back to queued naming the checkpoint, and its
//! process is started again; the trainer goes on after that checkpoint, on the
//! same records (kept in the run folder).

use std::io::Write;
use std::path::Path;

use crate::atomic_file::write_atomic;

use super::metrics::MetricRecord;
use super::registry::{Registry, RegistryError, Run, RunState};
use super::spec::EngineSpec;

/// The file the metrics of abandoned steps are appended to, in the run folder.
pub const DISCARDED_METRICS_FILE: &str = "metrics.discarded.jsonl";

/// Why a run cannot be resumed.
#[derive(Debug, thiserror::Error)]
pub enum ResumeError {
    /// The registry failed.
    #[error(transparent)]
    Registry(#[from] RegistryError),
    /// Only stopped and failed runs resume.
    #[error("run {id} is {state}; only a stopped or failed run can be resumed")]
    NotEnded {
        /// The run.
        id: String,
        /// Its state's name.
        state: &'static str,
    },
    /// External commands keep their own checkpoints.
    #[error("run {0} trains with an external command, which taxon cannot resume")]
    External(String),
    /// The newest checkpoint's weights are gone.
    #[error("run {id}: checkpoint {label} has no F32 file left to resume from")]
    NoWeights {
        /// The run.
        id: String,
        /// The checkpoint.
        label: String,
    },
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ResumeError + '_ {
    move |source| ResumeError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Moves the metrics lines after step `keep` (all of them when `keep` is `None`)
/// to the discarded file; lines that are not records stay.
fn set_metrics_aside(run: &Run, keep: Option<u64>) -> Result<(), ResumeError> {
    let path = run.metrics_file();
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io(&path)(e)),
    };
    let (mut kept, mut discarded) = (String::new(), String::new());
    for line in text.split_inclusive('\n') {
        let record = serde_json::from_str::<MetricRecord>(line.trim()).ok();
        let after = record.is_some_and(|r| keep.is_none_or(|k| r.step > k));
        let line = if line.ends_with('\n') {
            line.to_owned()
        } else {
            format!("{line}\n")
        };
        if after {
            discarded.push_str(&line);
        } else {
            kept.push_str(&line);
        }
    }
    if discarded.is_empty() {
        return Ok(());
    }
    let aside = run.dir.join(DISCARDED_METRICS_FILE);
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&aside)
        .map_err(io(&aside))?;
    file.write_all(discarded.as_bytes()).map_err(io(&aside))?;
    file.sync_all().map_err(io(&aside))?;
    write_atomic(&path, kept.as_bytes()).map_err(io(&path))
}

/// Prepares run `id` to go on after its newest checkpoint and starts its process
/// (`program train-worker`); returns the run, its pid and the checkpoint.
pub fn resume(
    registry: &Registry,
    id: &str,
    program: &Path,
) -> Result<(Run, u32, Option<String>), ResumeError> {
    let run = registry.open(id)?;
    let status = registry.refresh(&run)?;
    if !matches!(status.state, RunState::Stopped | RunState::Failed) {
        return Err(ResumeError::NotEnded {
            id: id.to_owned(),
            state: status.state.name(),
        });
    }
    if matches!(run.spec()?.engine, EngineSpec::External(_)) {
        return Err(ResumeError::External(id.to_owned()));
    }
    let newest = status.checkpoints.last();
    if let Some(checkpoint) = newest
        && !checkpoint.f32.as_ref().is_some_and(|p| p.is_file())
    {
        return Err(ResumeError::NoWeights {
            id: id.to_owned(),
            label: checkpoint.label.clone(),
        });
    }
    set_metrics_aside(&run, newest.map(|c| c.step))?;
    let stop = run.stop_file();
    if stop.exists() {
        std::fs::remove_file(&stop).map_err(io(&stop))?;
    }
    let from = newest.map(|c| c.label.clone());
    run.update_status(|s| {
        s.state = RunState::Queued;
        s.pid = None;
        s.pid_start = None;
        s.ended = None;
        s.message = None;
        s.dataset = None;
        s.peak_rss_kib = None;
        s.cpu_seconds = None;
        s.resumed_from.push(from.clone());
    })?;
    let pid = registry.launch(&run, program)?;
    Ok((run, pid, from))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::train::metrics::MetricsWriter;
    use crate::train::registry::tests::spec;

    #[test]
    fn metrics_after_the_checkpoint_are_moved_aside_not_lost() {
        let dir = tempfile::tempdir().unwrap();
        let registry = Registry::new(dir.path().to_owned());
        let run = registry.create(&spec()).unwrap();
        let mut writer = MetricsWriter::open(&run.metrics_file()).unwrap();
        for step in 0..5 {
            writer
                .write(&MetricRecord {
                    step,
                    ..MetricRecord::default()
                })
                .unwrap();
        }
        set_metrics_aside(&run, Some(2)).unwrap();
        let steps = |records: Vec<MetricRecord>| records.iter().map(|r| r.step).collect::<Vec<_>>();
        assert_eq!(steps(run.metrics().unwrap()), [0, 1, 2]);
        let aside =
            crate::train::metrics::read_metrics(&run.dir.join(DISCARDED_METRICS_FILE)).unwrap();
        assert_eq!(steps(aside), [3, 4]);
        set_metrics_aside(&run, None).unwrap();
        assert!(run.metrics().unwrap().is_empty());
    }

    #[test]
    fn only_ended_runs_of_the_built_in_trainer_resume() {
        let dir = tempfile::tempdir().unwrap();
        let registry = Registry::new(dir.path().to_owned());
        let run = registry.create(&spec()).unwrap();
        let error = resume(&registry, &run.id, Path::new("/bin/false")).unwrap_err();
        assert!(
            error
                .to_string()
                .ends_with("is queued; only a stopped or failed run can be resumed"),
            "{error}"
        );
        run.update_status(|s| s.state = RunState::Stopped).unwrap();
        let error = resume(&registry, &run.id, Path::new("/bin/false")).unwrap_err();
        assert!(matches!(error, ResumeError::External(_)), "{error}");
    }
}
