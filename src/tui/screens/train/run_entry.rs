//! One run as the training screen shows it: its checked status, its metrics as
//! columns for the chart, and its ETA from the recent rate.

use crate::train::metrics::MetricRecord;
use crate::train::registry::{Run, RunStatus};
use crate::train::spec::RunSpec;

/// Training steps the ETA's rate is measured over.
const RECENT_STEPS: usize = 10;

/// One run's metrics as columns, for the chart and the ETA.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Series {
    /// (step, training loss), one per training step.
    pub train: Vec<(f64, f64)>,
    /// Seconds since the run started, one per training step.
    pub elapsed: Vec<f64>,
    /// (step, evaluation loss).
    pub eval: Vec<(f64, f64)>,
    /// The newest training record.
    pub last: Option<MetricRecord>,
}

impl Series {
    /// Adds one record (losses that are not finite are not plotted).
    pub fn push(&mut self, record: &MetricRecord) {
        let step = record.step as f64;
        if let Some(loss) = record.train_loss {
            if loss.is_finite() {
                self.train.push((step, loss));
                self.elapsed.push(record.elapsed_seconds);
            }
            self.last = Some(record.clone());
        }
        if let Some(loss) = record.eval_loss.filter(|l| l.is_finite()) {
            self.eval.push((step, loss));
        }
    }

    /// The newest evaluation loss.
    pub fn last_eval(&self) -> Option<f64> {
        self.eval.last().map(|&(_, loss)| loss)
    }

    /// Steps per second over the last [`RECENT_STEPS`] steps.
    pub fn steps_per_second(&self) -> Option<f64> {
        let n = self.train.len();
        let first = n.saturating_sub(RECENT_STEPS + 1);
        let last = n.checked_sub(1)?;
        let steps = self.train[last].0 - self.train[first].0;
        let seconds = self.elapsed[last] - self.elapsed[first];
        (steps > 0.0 && seconds > 0.0).then(|| steps / seconds)
    }

    /// Seconds until step `total`, at the recent rate.
    pub fn eta_seconds(&self, total: Option<u64>) -> Option<f64> {
        let total = total? as f64;
        let (step, _) = *self.train.last()?;
        Some((total - step).max(0.0) / self.steps_per_second()?)
    }
}

/// One run as the screen shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct RunEntry {
    /// The run.
    pub run: Run,
    /// Its spec, if readable.
    pub spec: Option<RunSpec>,
    /// Its checked status.
    pub status: RunStatus,
    /// Its metrics.
    pub series: Series,
    /// The end of its log once it failed; its last line while it generates its
    /// dataset.
    pub log_tail: Option<String>,
}

impl RunEntry {
    /// The ETA, while the run goes on.
    pub fn eta_seconds(&self) -> Option<f64> {
        if self.status.state.is_final() {
            return None;
        }
        self.series.eta_seconds(self.status.total_steps)
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::train::registry::RunState;
    use std::path::PathBuf;

    pub(in crate::tui) fn train(step: u64, loss: f64, elapsed: f64) -> MetricRecord {
        MetricRecord {
            step,
            epoch: 1,
            train_loss: Some(loss),
            elapsed_seconds: elapsed,
            ..MetricRecord::default()
        }
    }

    pub(in crate::tui) fn status(state: RunState, total: Option<u64>) -> RunStatus {
        let mut status: RunStatus = serde_json::from_str(r#"{"state":"queued"}"#).unwrap();
        status.state = state;
        status.total_steps = total;
        status
    }

    #[test]
    fn the_eta_comes_from_the_recent_rate_and_the_remaining_steps() {
        let mut series = Series::default();
        assert_eq!(series.eta_seconds(Some(10)), None);
        // Slow at first (10 s a step), then 2 steps a second for the last ten.
        series.push(&train(1, 2.0, 0.0));
        series.push(&train(2, 2.0, 10.0));
        for step in 3..=12 {
            series.push(&train(step, 1.0, 10.0 + (step - 2) as f64 * 0.5));
        }
        assert_eq!(series.steps_per_second(), Some(2.0));
        assert_eq!(series.eta_seconds(Some(52)), Some(20.0));
        assert_eq!(series.eta_seconds(Some(12)), Some(0.0));
        assert_eq!(series.eta_seconds(None), None);
        let mut one = Series::default();
        one.push(&train(1, 2.0, 3.0));
        assert_eq!(one.eta_seconds(Some(10)), None, "one step gives no rate");
    }

    #[test]
    fn eval_records_and_unplottable_losses() {
        let mut series = Series::default();
        series.push(&MetricRecord {
            step: 4,
            eval_loss: Some(1.5),
            ..MetricRecord::default()
        });
        series.push(&train(5, f64::NAN, 1.0));
        assert_eq!(series.eval, [(4.0, 1.5)]);
        assert!(series.train.is_empty(), "NaN is not plotted");
        assert_eq!(series.last.as_ref().map(|r| r.step), Some(5));
        assert_eq!(series.last_eval(), Some(1.5));
    }

    #[test]
    fn running_runs_have_an_eta_and_ended_ones_none() {
        let mut entry = RunEntry {
            run: Run::at(&PathBuf::from("/runs/a")),
            spec: None,
            status: status(RunState::Running, Some(4)),
            series: Series::default(),
            log_tail: None,
        };
        entry.series.push(&train(1, 2.0, 1.0));
        entry.series.push(&train(2, 2.0, 2.0));
        assert_eq!(entry.eta_seconds(), Some(2.0));
        entry.status.state = RunState::Stopped;
        assert_eq!(entry.eta_seconds(), None);
    }
}
