//! The launch form of the training screen: base model, dataset, epochs, learning
//! rate, context and threads as text fields. Submitting builds the run's spec with
//! the same code as `taxon train` (defaults, checks and messages included).

use std::path::PathBuf;

use crate::cli::args::{DecayArg, TrainArgs};
use crate::cli::train::spec;
use crate::dirs::AppDirs;
use crate::generate::fetch::default_model_path;
use crate::train::spec::{CONTEXT_ALIGNMENT, RunSpec};

use super::picker::InputLine;

/// The form's fields, in order.
pub const FIELDS: [&str; 6] = [
    "base model",
    "dataset (JSONL)",
    "epochs",
    "learning rate",
    "context",
    "threads",
];

/// The launch form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LaunchForm {
    /// One input per field of [`FIELDS`].
    pub inputs: Vec<InputLine>,
    /// The field being typed in.
    pub focus: usize,
    /// Why the last submission was refused.
    pub problem: Option<String>,
}

fn parse<T: std::str::FromStr>(field: usize, text: &str) -> Result<T, String> {
    text.trim()
        .parse()
        .map_err(|_| format!("{}: `{}` is not a number", FIELDS[field], text.trim()))
}

impl LaunchForm {
    /// The form with `taxon train`'s defaults and the default model.
    pub fn new(dirs: &AppDirs) -> Self {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let values = [
            default_model_path(dirs).display().to_string(),
            String::new(),
            "2".to_owned(),
            "2e-4".to_owned(),
            CONTEXT_ALIGNMENT.to_string(),
            threads.to_string(),
        ];
        Self {
            inputs: values.iter().map(|v| InputLine::from_text(v)).collect(),
            focus: 1,
            problem: None,
        }
    }

    /// The input being typed in.
    pub fn input(&mut self) -> &mut InputLine {
        &mut self.inputs[self.focus]
    }

    /// Moves to the next or previous field, round the end.
    pub fn move_focus(&mut self, delta: isize) {
        let count = self.inputs.len() as isize;
        self.focus = (self.focus as isize + delta).rem_euclid(count) as usize;
    }

    fn text(&self, field: usize) -> &str {
        self.inputs[field].text().trim()
    }

    /// The arguments `taxon train --detach` would be given.
    fn args(&self) -> Result<TrainArgs, String> {
        let epochs: u32 = parse(2, self.text(2))?;
        let threads: u32 = parse(5, self.text(5))?;
        if epochs == 0 || threads == 0 {
            return Err("epochs and threads must be at least 1".to_owned());
        }
        if self.text(1).is_empty() {
            return Err("name the dataset: a messages-format JSONL file".to_owned());
        }
        Ok(TrainArgs {
            dataset: Some(PathBuf::from(self.text(1))),
            seeds: None,
            model: Some(PathBuf::from(self.text(0))),
            epochs,
            lr: parse(3, self.text(3))?,
            warmup: None,
            decay: DecayArg::default(),
            ctx: parse(4, self.text(4))?,
            threads: Some(threads),
            eval_fraction: 0.1,
            detach: true,
            metrics_file: None,
            workdir: None,
            command: Vec::new(),
        })
    }

    /// The run's spec, or why the form cannot launch one.
    pub fn spec(&self, dirs: &AppDirs) -> Result<RunSpec, String> {
        spec(&self.args()?, dirs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::train::spec::{DatasetSource, EngineSpec};

    fn dirs(root: &std::path::Path) -> AppDirs {
        AppDirs {
            config: root.join("config"),
            data: root.join("data"),
            state: root.join("state"),
            cache: root.join("cache"),
        }
    }

    #[test]
    fn a_filled_form_gives_the_spec_the_cli_would_build() {
        let dir = tempfile::tempdir().unwrap();
        let dirs = dirs(dir.path());
        let model = default_model_path(&dirs);
        std::fs::create_dir_all(model.parent().unwrap()).unwrap();
        std::fs::write(&model, b"gguf").unwrap();
        let dataset = dir.path().join("d.jsonl");
        std::fs::write(&dataset, "{}\n").unwrap();
        let mut form = LaunchForm::new(&dirs);
        assert_eq!(
            form.spec(&dirs).unwrap_err(),
            "name the dataset: a messages-format JSONL file"
        );
        for c in dataset.display().to_string().chars() {
            form.input().insert(c);
        }
        form.move_focus(1);
        form.input().backspace();
        form.input().insert('3');
        let spec = form.spec(&dirs).unwrap();
        assert_eq!(
            spec.dataset,
            Some(DatasetSource::Messages { path: dataset })
        );
        let EngineSpec::Local(local) = spec.engine else {
            panic!("the built-in trainer")
        };
        assert_eq!((local.epochs, local.context), (3, 256));
        assert_eq!(local.model, model);
        assert!((local.learning_rate - 2e-4).abs() < 1e-9);
    }

    #[test]
    fn bad_fields_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let dirs = dirs(dir.path());
        let mut form = LaunchForm::new(&dirs);
        form.inputs[1] = InputLine::from_text("/nonexistent/d.jsonl");
        assert_eq!(
            form.spec(&dirs).unwrap_err(),
            "/nonexistent/d.jsonl: no such file"
        );
        form.inputs[4] = InputLine::from_text("abc");
        assert_eq!(
            form.spec(&dirs).unwrap_err(),
            "context: `abc` is not a number"
        );
        form.move_focus(-2);
        assert_eq!(form.focus, 5, "round the start");
    }
}
