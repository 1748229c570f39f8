//! Which repository paths are taxonomy files, by upstream's rule.

use std::ffi::OsStr;
use std::path::{Component, Path};

/// Top-level folders whose `qna.yaml` files upstream checks (`foundational_skills` is not one).
pub const TAXONOMY_FOLDERS: [&str; 2] = ["compositional_skills", "knowledge"];

/// The exact file name of a taxonomy file.
pub const TAXONOMY_FILE_NAME: &str = "qna.yaml";

/// Whether `path`, relative to the taxonomy root, is a taxonomy file: named exactly
/// `qna.yaml` and under one of [`TAXONOMY_FOLDERS`] (upstream's `_is_taxonomy_file`).
pub fn is_taxonomy_file(path: &Path) -> bool {
    let in_taxonomy_folder = match path.components().next() {
        Some(Component::Normal(first)) => TAXONOMY_FOLDERS.iter().any(|f| first == OsStr::new(f)),
        _ => false,
    };
    in_taxonomy_folder && path.file_name() == Some(OsStr::new(TAXONOMY_FILE_NAME))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_qna_yaml_under_taxonomy_folders() {
        for path in [
            "knowledge/science/birds/qna.yaml",
            "compositional_skills/grounded/linguistics/inclusion/qna.yaml",
            "knowledge/qna.yaml",
        ] {
            assert!(is_taxonomy_file(Path::new(path)), "{path}");
        }
    }

    #[test]
    fn rejects_other_names_and_folders() {
        for path in [
            "qna.yaml",
            "foundational_skills/reasoning/qna.yaml",
            "docs/template_qna.yaml",
            "knowledge/science/birds/qna.yml",
            "knowledge/science/birds/QNA.yaml",
            "knowledge/science/birds/attribution.txt",
            "Knowledge/science/qna.yaml",
            "README.md",
            "knowledge",
            "/knowledge/science/qna.yaml",
        ] {
            assert!(!is_taxonomy_file(Path::new(path)), "{path}");
        }
    }
}
