//! Run metrics: the JSONL records every run writes (one per optimizer step, plus
//! evaluation records), a follower that reads lines as a file grows, and the
//! parsers for upstream's formats (instructlab-training's
//! `training_params_and_metrics_global0.jsonl` and its console loss lines).

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

use super::phases::Phase;

/// One metrics line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct MetricRecord {
    /// The optimizer step (from 1; counted across the phases of a run).
    pub step: u64,
    /// The epoch (from 1 within its phase for the built-in trainer, 0 for the
    /// held-out loss before a phase trains; as reported for external ones).
    pub epoch: u32,
    /// The built-in trainer's phase.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<Phase>,
    /// The training loss of this step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub train_loss: Option<f64>,
    /// The held-out loss, when it was measured at this step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eval_loss: Option<f64>,
    /// The tokens the loss was taken over (the trained tokens of the step's window,
    /// or of every held-out window).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loss_tokens: Option<u64>,
    /// The learning rate of this step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lr: Option<f64>,
    /// Training tokens per second over this step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tokens_per_second: Option<f64>,
    /// Seconds since the run started.
    pub elapsed_seconds: f64,
}

/// Appends metrics lines to a file, flushing each so followers see it at once.
#[derive(Debug)]
pub struct MetricsWriter {
    file: File,
    path: PathBuf,
}

impl MetricsWriter {
    /// Opens (or creates) `path` for appending.
    pub fn open(path: &Path) -> io::Result<Self> {
        let file = OpenOptions::new().create(true).append(true).open(path)?;
        Ok(Self {
            file,
            path: path.to_owned(),
        })
    }

    /// Appends one record as one line.
    pub fn write(&mut self, record: &MetricRecord) -> io::Result<()> {
        let mut line = serde_json::to_string(record).map_err(io::Error::other)?;
        line.push('\n');
        self.file.write_all(line.as_bytes())?;
        self.file.flush()
    }

    /// The file written to.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Reads every complete record of a metrics file (a missing file has none; a
/// partly written last line is left for later).
pub fn read_metrics(path: &Path) -> io::Result<Vec<MetricRecord>> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    Ok(text
        .split_inclusive('\n')
        .filter(|l| l.ends_with('\n'))
        .filter_map(|l| serde_json::from_str(l.trim()).ok())
        .collect())
}

/// Follows a growing text file: each poll returns the lines completed since the
/// last one. The file need not exist yet.
#[derive(Debug)]
pub struct Tail {
    path: PathBuf,
    offset: u64,
    partial: Vec<u8>,
}

impl Tail {
    /// Follows `path` from its start.
    pub fn new(path: &Path) -> Self {
        Self {
            path: path.to_owned(),
            offset: 0,
            partial: Vec::new(),
        }
    }

    /// Follows `path` from its current end: lines already there (an earlier run's)
    /// are skipped.
    pub fn at_end(path: &Path) -> Self {
        let offset = std::fs::metadata(path).map_or(0, |m| m.len());
        Self {
            path: path.to_owned(),
            offset,
            partial: Vec::new(),
        }
    }

    /// The complete lines added since the last poll (without their newlines).
    pub fn poll(&mut self) -> io::Result<Vec<String>> {
        let mut file = match File::open(&self.path) {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        if file.metadata()?.len() < self.offset {
            self.offset = 0;
            self.partial.clear();
        }
        file.seek(SeekFrom::Start(self.offset))?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)?;
        self.offset += bytes.len() as u64;
        self.partial.extend_from_slice(&bytes);
        let mut lines = Vec::new();
        while let Some(end) = self.partial.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = self.partial.drain(..=end).collect();
            let text = String::from_utf8_lossy(&line[..end]);
            lines.push(text.trim_end_matches('\r').to_owned());
        }
        Ok(lines)
    }
}

/// What an upstream trainer reported.
#[derive(Debug, Clone, PartialEq)]
pub enum Upstream {
    /// A training step.
    Train {
        /// The epoch as reported.
        epoch: u32,
        /// The step as reported.
        step: u64,
        /// The loss (`total_loss` up to instructlab-training 0.11, `avg_loss` after,
        /// or the console's `loss =`).
        loss: f64,
        /// The learning rate, when reported.
        lr: Option<f64>,
    },
    /// A validation measurement.
    Eval {
        /// The step, when reported.
        step: Option<u64>,
        /// The validation loss.
        loss: f64,
    },
}

/// Parses one line of `training_params_and_metrics_global<rank>.jsonl`: step
/// records (with `total_loss` or `avg_loss`) and validation records (`val_loss`);
/// hyper-parameter and data-summary records give `None`.
pub fn parse_upstream_json(line: &str) -> Option<Upstream> {
    let value: serde_json::Value = serde_json::from_str(line).ok()?;
    let object = value.as_object()?;
    let number = |key: &str| object.get(key).and_then(serde_json::Value::as_f64);
    let step = object.get("step").and_then(serde_json::Value::as_u64);
    if let Some(loss) = number("val_loss") {
        return Some(Upstream::Eval { step, loss });
    }
    let loss = number("total_loss").or_else(|| number("avg_loss"))?;
    Some(Upstream::Train {
        epoch: object
            .get("epoch")
            .and_then(serde_json::Value::as_u64)
            .map_or(0, |e| e as u32),
        step: step?,
        loss,
        lr: number("lr"),
    })
}

fn console_patterns() -> &'static (Regex, Regex) {
    static PATTERNS: OnceLock<(Regex, Regex)> = OnceLock::new();
    PATTERNS.get_or_init(|| {
        let number = r"([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|nan|inf)";
        let train = format!(r"Epoch: (\d+), Step: (\d+), Rank: \d+, loss = {number}");
        let eval = format!(r"Validation loss: {number}");
        (
            Regex::new(&train).unwrap_or_else(|_| unreachable!("the pattern is fixed")),
            Regex::new(&eval).unwrap_or_else(|_| unreachable!("the pattern is fixed")),
        )
    })
}

/// Parses one console line of instructlab-training:
/// `Epoch: <e>, Step: <s>, Rank: <r>, loss = <x>` or `Validation loss: <x>`.
pub fn parse_console(line: &str) -> Option<Upstream> {
    let (train, eval) = console_patterns();
    if let Some(c) = train.captures(line) {
        return Some(Upstream::Train {
            epoch: c[1].parse().ok()?,
            step: c[2].parse().ok()?,
            loss: c[3].parse().ok()?,
            lr: None,
        });
    }
    let c = eval.captures(line)?;
    Some(Upstream::Eval {
        step: None,
        loss: c[1].parse().ok()?,
    })
}

/// Turns upstream reports into metrics records, remembering the last step and
/// epoch for validation records that lack them.
#[derive(Debug, Default)]
pub struct UpstreamConverter {
    step: u64,
    epoch: u32,
}

impl UpstreamConverter {
    /// The record for `report`, seen `elapsed_seconds` into the run.
    pub fn record(&mut self, report: &Upstream, elapsed_seconds: f64) -> MetricRecord {
        match *report {
            Upstream::Train {
                epoch,
                step,
                loss,
                lr,
            } => {
                self.step = step;
                self.epoch = epoch;
                MetricRecord {
                    step,
                    epoch,
                    train_loss: Some(loss),
                    lr,
                    elapsed_seconds,
                    ..MetricRecord::default()
                }
            }
            Upstream::Eval { step, loss } => MetricRecord {
                step: step.unwrap_or(self.step),
                epoch: self.epoch,
                eval_loss: Some(loss),
                elapsed_seconds,
                ..MetricRecord::default()
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upstream_json_records_of_both_generations_parse() {
        let v010 = r#"{"epoch": 0, "step": 1, "rank": 0, "overall_throughput": 1.96, "lr": 0.0, "cuda_mem_allocated": 26.8, "cuda_malloc_retries": 1, "num_loss_counted_tokens": 26639, "batch_size": 22, "total_loss": 1.7778, "samples_seen": 22, "gradnorm": null, "total_samples": 2692, "timestamp": "2024-12-08T14:10:39.778697"}"#;
        assert_eq!(
            parse_upstream_json(v010),
            Some(Upstream::Train {
                epoch: 0,
                step: 1,
                loss: 1.7778,
                lr: Some(0.0)
            })
        );
        let v012 = r#"{"epoch": 1, "step": 7, "avg_loss": 0.5, "num_minibatches": 2, "lr": 2e-05}"#;
        assert!(matches!(
            parse_upstream_json(v012),
            Some(Upstream::Train { step: 7, loss, .. }) if loss == 0.5
        ));
        let val = r#"{"val_loss": 1.25, "val_num_tokens": 100, "step": 8, "timestamp": "x"}"#;
        assert_eq!(
            parse_upstream_json(val),
            Some(Upstream::Eval {
                step: Some(8),
                loss: 1.25
            })
        );
        assert_eq!(parse_upstream_json(r#"{"script_params": {"lr": 1}}"#), None);
        assert_eq!(parse_upstream_json("not json"), None);
    }

    #[test]
    fn console_lines_parse() {
        assert_eq!(
            parse_console("Epoch: 2, Step: 130, Rank: 0, loss = 0.8125, grad_accum_steps = 4"),
            Some(Upstream::Train {
                epoch: 2,
                step: 130,
                loss: 0.8125,
                lr: None
            })
        );
        assert_eq!(
            parse_console("Validation loss: 1.5e-1"),
            Some(Upstream::Eval {
                step: None,
                loss: 0.15
            })
        );
        assert_eq!(
            parse_console("Epoch 0:   1%| | 1/130 [00:11<23:40, 11.01s/it]"),
            None
        );
    }

    #[test]
    fn validation_records_take_the_last_step() {
        let mut converter = UpstreamConverter::default();
        let train = Upstream::Train {
            epoch: 1,
            step: 4,
            loss: 2.0,
            lr: None,
        };
        assert_eq!(converter.record(&train, 1.0).train_loss, Some(2.0));
        let eval = converter.record(
            &Upstream::Eval {
                step: None,
                loss: 1.5,
            },
            2.0,
        );
        assert_eq!((eval.step, eval.epoch, eval.eval_loss), (4, 1, Some(1.5)));
    }

    #[test]
    fn the_follower_returns_only_complete_new_lines() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.jsonl");
        let mut tail = Tail::new(&path);
        assert!(tail.poll().unwrap().is_empty(), "no file yet");
        std::fs::write(&path, "a\nb").unwrap();
        assert_eq!(tail.poll().unwrap(), ["a"]);
        let mut file = OpenOptions::new().append(true).open(&path).unwrap();
        file.write_all(b"c\nd\n").unwrap();
        assert_eq!(tail.poll().unwrap(), ["bc", "d"]);
        assert!(tail.poll().unwrap().is_empty());
    }

    #[test]
    fn written_records_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("metrics.jsonl");
        let mut writer = MetricsWriter::open(&path).unwrap();
        let record = MetricRecord {
            step: 1,
            epoch: 1,
            train_loss: Some(2.5),
            lr: Some(1e-4),
            tokens_per_second: Some(60.0),
            elapsed_seconds: 3.5,
            ..MetricRecord::default()
        };
        writer.write(&record).unwrap();
        let line = std::fs::read_to_string(&path).unwrap();
        assert!(!line.contains("eval_loss"), "{line}");
        assert_eq!(read_metrics(&path).unwrap(), [record]);
        assert!(read_metrics(&dir.path().join("none")).unwrap().is_empty());
    }
}
