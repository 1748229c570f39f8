//! Progress of `taxon generate`: a bar with ETA, the stage at work and tokens/s on
//! a terminal; plain lines (each stage, each verdict) when stderr is piped.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};

use crate::generate::Stats;
use crate::generate::runner::PipelineEvent;

/// The prompt's size, against the window where it is known (not for every server).
fn prompt_size(stats: &Stats) -> String {
    match stats.context_size {
        0 => format!("prompt {} tokens", stats.prompt_tokens),
        window => format!("prompt {}/{window} tokens", stats.prompt_tokens),
    }
}

/// The measurements of the request that made a candidate, for plain lines.
fn measured(stats: &Stats) -> String {
    if stats.generated_tokens == 0 {
        return String::new();
    }
    format!(
        " [{} tokens, {:.0} tok/s, {}{}]",
        stats.generated_tokens,
        stats.tokens_per_second(),
        first_token(stats),
        prompt_size(stats)
    )
}

/// The time to the first token, where it is known (not for unstreamed requests).
fn first_token(stats: &Stats) -> String {
    if stats.time_to_first_token.is_zero() {
        String::new()
    } else {
        format!("first token {} ms, ", stats.time_to_first_token.as_millis())
    }
}

/// Reports progress over all leaves, counted in wanted samples.
pub(super) struct Progress {
    bar: Option<ProgressBar>,
    leaf_start: u64,
    accepted: usize,
}

impl Progress {
    /// Progress over `total` wanted samples.
    pub fn new(total: usize) -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(total as u64);
            let style =
                ProgressStyle::with_template("{bar:30} {pos}/{len} samples  ETA {eta}  {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar());
            bar.set_style(style);
            bar
        });
        Self {
            bar,
            leaf_start: 0,
            accepted: 0,
        }
    }

    /// Prints a line above the bar (or plainly).
    pub fn line(&self, text: &str) {
        match &self.bar {
            Some(bar) => bar.println(text),
            None => note!("{text}"),
        }
    }

    /// A leaf begins.
    pub fn start_leaf(&mut self, leaf: &str) {
        self.leaf_start = self.bar.as_ref().map_or(0, ProgressBar::position);
        self.accepted = 0;
        self.line(&format!("{leaf}: generating"));
    }

    /// A leaf was complete from an earlier run.
    pub fn skip_leaf(&mut self, leaf: &str, wanted: usize, accepted: usize) {
        self.line(&format!(
            "{leaf}: complete from an earlier run ({accepted} samples)"
        ));
        if let Some(bar) = &self.bar {
            bar.inc(wanted as u64);
        }
    }

    /// Something happened in the leaf's pipeline.
    pub fn event(&mut self, leaf: &str, event: &PipelineEvent, wanted: usize) {
        let line = match event {
            PipelineEvent::Stage {
                stage,
                kind,
                candidates,
            } => {
                if let Some(bar) = &self.bar {
                    bar.set_message(format!("{leaf}  {stage}"));
                }
                format!("{leaf}: {stage} ({kind}): {candidates} candidates")
            }
            PipelineEvent::Rejected {
                stage,
                candidate,
                round,
                reason,
                stats,
                ..
            } => format!(
                "{leaf}: round {}, candidate {candidate}: rejected by {stage}: {reason}{}",
                round + 1,
                measured(stats)
            ),
            PipelineEvent::Accepted {
                candidate,
                round,
                stats,
            } => {
                self.accepted += 1;
                if let Some(bar) = &self.bar {
                    bar.set_position(self.leaf_start + self.accepted.min(wanted) as u64);
                    bar.set_message(format!("{leaf}  {:.0} tok/s", stats.tokens_per_second()));
                }
                format!(
                    "{leaf}: round {}, candidate {candidate}: accepted ({}/{wanted}){}",
                    round + 1,
                    self.accepted,
                    measured(stats)
                )
            }
            PipelineEvent::Request { .. }
            | PipelineEvent::Written { .. }
            | PipelineEvent::Kept { .. }
            | PipelineEvent::Funnel { .. } => return,
        };
        if self.bar.is_none() {
            note!("{line}");
        }
    }

    /// A leaf is done: the bar moves past any samples it did not get.
    pub fn end_leaf(&mut self, wanted: usize) {
        if let Some(bar) = &self.bar {
            bar.set_position(self.leaf_start + wanted as u64);
        }
    }

    /// All leaves are done.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
