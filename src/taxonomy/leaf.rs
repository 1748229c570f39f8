//! Where a leaf sits in the tree and what kind of leaf it is.

use std::path::{Component, Path, PathBuf};

use super::qna::Qna;
use super::schema::SchemaName;

/// The folders upstream checks (`DEFAULT_TAXONOMY_FOLDERS`); also the schema names.
pub const CONTRIBUTABLE_FOLDERS: [&str; 2] = ["compositional_skills", "knowledge"];

/// The folder of core skills that upstream does not check.
pub const FOUNDATIONAL_FOLDER: &str = "foundational_skills";

/// The one valid name of a leaf file.
pub const LEAF_FILE: &str = "qna.yaml";

/// The attribution file CI requires beside every leaf of version 2 and up.
pub const ATTRIBUTION_FILE: &str = "attribution.txt";

/// The kind of a leaf, which decides how data is generated from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeafKind {
    /// A skill taught from questions and answers alone.
    FreeformSkill,
    /// A skill whose examples carry a context.
    GroundedSkill,
    /// Knowledge backed by source documents.
    Knowledge,
    /// A core skill under `foundational_skills/` (not contributable).
    Foundational,
}

impl LeafKind {
    /// Decides the kind from the leaf's taxonomy path and content: knowledge by
    /// folder, and skills by whether the first example has a context, as upstream's
    /// generator routes a leaf.
    pub fn classify(taxonomy_path: &Path, qna: &Qna) -> Self {
        match first_component(taxonomy_path).as_deref() {
            Some("knowledge") => Self::Knowledge,
            Some(FOUNDATIONAL_FOLDER) => Self::Foundational,
            _ => {
                let grounded = match qna.seed_examples.first() {
                    Some(example) => example
                        .context
                        .as_ref()
                        .is_some_and(|c| !c.value.is_empty()),
                    None => taxonomy_path
                        .components()
                        .any(|c| c.as_os_str() == "grounded"),
                };
                if grounded {
                    Self::GroundedSkill
                } else {
                    Self::FreeformSkill
                }
            }
        }
    }

    /// A short label for listings.
    pub fn label(self) -> &'static str {
        match self {
            Self::FreeformSkill => "freeform skill",
            Self::GroundedSkill => "grounded skill",
            Self::Knowledge => "knowledge",
            Self::Foundational => "foundational skill",
        }
    }
}

fn first_component(path: &Path) -> Option<String> {
    path.components().find_map(|c| match c {
        Component::Normal(part) => Some(part.to_string_lossy().into_owned()),
        _ => None,
    })
}

/// The path from the last taxonomy folder (`compositional_skills` or `knowledge`)
/// down to the file, as upstream's parser locates it; `None` when no part of the
/// path is a taxonomy folder.
pub fn taxonomy_relative(path: &Path) -> Option<PathBuf> {
    from_last_folder(path, &CONTRIBUTABLE_FOLDERS)
}

/// The path from the last top-level taxonomy folder (`compositional_skills`,
/// `knowledge` or `foundational_skills`) down to the file, for classifying and
/// naming a leaf; `None` outside any of them.
pub fn leaf_relative(path: &Path) -> Option<PathBuf> {
    let [skills, knowledge] = CONTRIBUTABLE_FOLDERS;
    from_last_folder(path, &[skills, knowledge, FOUNDATIONAL_FOLDER])
}

/// The components of `path` from the last one named like one of `folders` on.
fn from_last_folder(path: &Path, folders: &[&str]) -> Option<PathBuf> {
    let mut components = path.components();
    let mut from_last = None;
    loop {
        let rest = components.clone();
        match components.next() {
            Some(part) if folders.iter().any(|f| part.as_os_str() == *f) => from_last = Some(rest),
            Some(_) => {}
            None => return from_last.map(Iterator::collect),
        }
    }
}

/// The schema upstream checks a file against: by its taxonomy folder, or, outside
/// the taxonomy folders, `knowledge` when it has a `document` key.
pub fn schema_for(path: &Path, has_document_key: bool) -> SchemaName {
    match taxonomy_relative(path)
        .as_deref()
        .and_then(first_component_str)
    {
        Some("knowledge") => SchemaName::Knowledge,
        Some(_) => SchemaName::CompositionalSkills,
        None if has_document_key => SchemaName::Knowledge,
        None => SchemaName::CompositionalSkills,
    }
}

fn first_component_str(path: &Path) -> Option<&str> {
    path.components().next()?.as_os_str().to_str()
}

/// Whether a path relative to the taxonomy root is a file upstream checks
/// (`ilab`'s `is_taxonomy_file`): `qna.yaml` under a contributable folder.
pub fn is_checked_leaf_file(relative: &Path) -> bool {
    let in_contributable_folder = match relative.components().next() {
        Some(Component::Normal(first)) => CONTRIBUTABLE_FOLDERS.iter().any(|f| first == *f),
        _ => false,
    };
    in_contributable_folder && relative.file_name().is_some_and(|name| name == LEAF_FILE)
}

/// Whether a file name is a misspelt leaf file (`qna.yml`, `QNA.yaml`, ...), which
/// upstream skips with a warning.
pub fn is_misnamed_leaf_file(name: &str) -> bool {
    // Only a non-ASCII name needs Unicode lowercasing (and its allocation).
    let misspelt = if name.is_ascii() {
        name.eq_ignore_ascii_case("qna.yaml") || name.eq_ignore_ascii_case("qna.yml")
    } else {
        matches!(name.to_lowercase().as_str(), "qna.yaml" | "qna.yml")
    };
    name != LEAF_FILE && misspelt
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_the_taxonomy_path_like_upstream() {
        assert_eq!(
            taxonomy_relative(Path::new(
                "/home/me/taxonomy/knowledge/science/tides/qna.yaml"
            )),
            Some(PathBuf::from("knowledge/science/tides/qna.yaml"))
        );
        assert_eq!(
            taxonomy_relative(Path::new("/knowledge/x/compositional_skills/a/qna.yaml")),
            Some(PathBuf::from("compositional_skills/a/qna.yaml"))
        );
        assert_eq!(
            taxonomy_relative(Path::new("foundational_skills/a/qna.yaml")),
            None
        );
        assert_eq!(
            leaf_relative(Path::new("t/knowledge/x/./foundational_skills//a/qna.yaml")),
            Some(PathBuf::from("foundational_skills/a/qna.yaml"))
        );
        assert_eq!(leaf_relative(Path::new("/elsewhere/qna.yaml")), None);
    }

    #[test]
    fn picks_the_schema_like_upstream() {
        let skill = Path::new("t/compositional_skills/a/qna.yaml");
        assert_eq!(schema_for(skill, true), SchemaName::CompositionalSkills);
        let elsewhere = Path::new("foundational_skills/a/qna.yaml");
        assert_eq!(schema_for(elsewhere, true), SchemaName::Knowledge);
        assert_eq!(
            schema_for(elsewhere, false),
            SchemaName::CompositionalSkills
        );
    }

    #[test]
    fn recognises_leaf_files() {
        assert!(is_checked_leaf_file(Path::new("knowledge/a/qna.yaml")));
        assert!(!is_checked_leaf_file(Path::new(
            "foundational_skills/a/qna.yaml"
        )));
        assert!(!is_checked_leaf_file(Path::new("knowledge/a/qna.yml")));
        assert!(is_misnamed_leaf_file("qna.yml"));
        assert!(is_misnamed_leaf_file("QnA.yaml"));
        assert!(!is_misnamed_leaf_file("qna.yaml"));
        assert!(!is_misnamed_leaf_file("attribution.txt"));
        assert!(!is_misnamed_leaf_file("qnä.yaml"));
    }
}
