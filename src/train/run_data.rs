//! A run's dataset, built once when the run starts and kept in its folder: the
//! records it trains on (`data/train.jsonl`) and those it holds out
//! (`data/heldout.jsonl`), a share of each leaf's records that the held-out loss
//! is measured on and `taxon eval` asks. A resumed run reads them back, so it
//! trains on the same records.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::atomic_file::write_atomic;

use super::dataset::{Conversation, DatasetError, read_messages};
use super::phases::evenly;

/// The run's subfolder holding its dataset.
pub const DATA_DIR: &str = "data";
/// The records trained on, in the data folder.
pub const TRAIN_FILE: &str = "train.jsonl";
/// The records held out, in the data folder.
pub const HELDOUT_FILE: &str = "heldout.jsonl";

/// The records of a run.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RunData {
    /// Trained on.
    pub train: Vec<Conversation>,
    /// Held out: never trained on.
    pub heldout: Vec<Conversation>,
}

/// Holds out `fraction` of each leaf's records (rounded, at least one and never
/// all of a leaf with two or more when `fraction` is above zero, none of a leaf
/// with one), spread evenly over them; records without a leaf count as one leaf.
pub fn split(records: Vec<Conversation>, fraction: f32) -> RunData {
    let mut by_leaf: BTreeMap<Option<String>, Vec<usize>> = BTreeMap::new();
    for (i, record) in records.iter().enumerate() {
        by_leaf.entry(record.leaf.clone()).or_default().push(i);
    }
    let mut held = vec![false; records.len()];
    for indices in by_leaf.values() {
        let n = indices.len();
        let share = (n as f64 * f64::from(fraction)).round() as usize;
        let k = if fraction > 0.0 && n >= 2 {
            share.clamp(1, n - 1)
        } else {
            0
        };
        for pick in evenly(n, k) {
            held[indices[pick]] = true;
        }
    }
    let mut data = RunData::default();
    for (record, held) in records.into_iter().zip(held) {
        if held {
            data.heldout.push(record);
        } else {
            data.train.push(record);
        }
    }
    data
}

fn data_dir(run_dir: &Path) -> PathBuf {
    run_dir.join(DATA_DIR)
}

/// The held-out records file of the run in `run_dir`.
pub fn heldout_file(run_dir: &Path) -> PathBuf {
    data_dir(run_dir).join(HELDOUT_FILE)
}

fn write_records(path: &Path, records: &[Conversation]) -> Result<(), DatasetError> {
    let text: String = records.iter().map(|r| r.to_line() + "\n").collect();
    write_atomic(path, text.as_bytes()).map_err(|source| DatasetError::Io {
        path: path.to_owned(),
        source,
    })
}

/// Writes the run's dataset into `run_dir` (the held-out file first: the training
/// file's presence marks the dataset complete).
pub fn write(run_dir: &Path, data: &RunData) -> Result<(), DatasetError> {
    let dir = data_dir(run_dir);
    std::fs::create_dir_all(&dir).map_err(|source| DatasetError::Io {
        path: dir.clone(),
        source,
    })?;
    write_records(&dir.join(HELDOUT_FILE), &data.heldout)?;
    write_records(&dir.join(TRAIN_FILE), &data.train)
}

fn read_records(path: &Path) -> Result<Vec<Conversation>, DatasetError> {
    match read_messages(path) {
        Err(DatasetError::Empty(_)) => Ok(Vec::new()),
        other => other,
    }
}

/// The dataset an earlier start of the run in `run_dir` wrote, if it did.
pub fn read(run_dir: &Path) -> Result<Option<RunData>, DatasetError> {
    let dir = data_dir(run_dir);
    if !dir.join(TRAIN_FILE).is_file() {
        return Ok(None);
    }
    Ok(Some(RunData {
        train: read_records(&dir.join(TRAIN_FILE))?,
        heldout: read_records(&dir.join(HELDOUT_FILE))?,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(leaf: Option<&str>, n: usize) -> Conversation {
        Conversation {
            leaf: leaf.map(str::to_owned),
            ..Conversation::question_answer("S", &n.to_string(), "A")
        }
    }

    #[test]
    fn each_leaf_gives_its_share_and_keeps_at_least_one_to_train() {
        let mut records: Vec<Conversation> = (0..10).map(|n| record(Some("a"), n)).collect();
        records.extend((10..13).map(|n| record(Some("b"), n)));
        records.push(record(Some("c"), 13));
        records.extend((14..16).map(|n| record(None, n)));
        let data = split(records, 0.2);
        let held: Vec<&str> = data
            .heldout
            .iter()
            .map(|r| r.messages[1].content.as_str())
            .collect();
        assert_eq!(held, ["2", "7", "11", "15"]);
        assert_eq!(data.train.len(), 12);
        assert!(split(vec![record(Some("a"), 0)], 0.5).heldout.is_empty());
        assert!(
            split((0..5).map(|n| record(None, n)).collect(), 0.0)
                .heldout
                .is_empty()
        );
        assert_eq!(
            split((0..2).map(|n| record(None, n)).collect(), 0.9)
                .train
                .len(),
            1
        );
    }

    #[test]
    fn the_dataset_reads_back_as_written() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(read(dir.path()).unwrap(), None);
        let data = split((0..6).map(|n| record(Some("a"), n)).collect(), 0.34);
        write(dir.path(), &data).unwrap();
        assert_eq!(read(dir.path()).unwrap(), Some(data));
        let empty = RunData {
            train: vec![record(None, 1)],
            heldout: Vec::new(),
        };
        write(dir.path(), &empty).unwrap();
        assert_eq!(read(dir.path()).unwrap(), Some(empty));
        assert!(heldout_file(dir.path()).is_file());
    }
}
