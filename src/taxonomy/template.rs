//! New leaves: folder names normalised to lowercase snake_case, a `qna.yaml`
//! template with five seed examples whose placeholders are real strings (so a
//! fresh leaf validates), and an `attribution.txt` template.

use std::io;
use std::path::{Path, PathBuf};

use thiserror::Error;

use super::edit::{Field, scalar_after_key};
use super::leaf::{ATTRIBUTION_FILE, LEAF_FILE, LeafKind};
use crate::atomic_file::write_atomic;

/// How many seed examples a template has (the schema's minimum for version 3).
pub const TEMPLATE_EXAMPLES: usize = 5;

/// How many question-answer pairs each knowledge example has (the schema's minimum).
pub const TEMPLATE_PAIRS: usize = 3;

/// The marker every placeholder carries, to be found and replaced.
pub const FILL_ME_IN: &str = "(fill me in)";

/// The `attribution.txt` of a new leaf: the fields the contribution guide asks for.
pub const ATTRIBUTION_TEMPLATE: &str = "Title of work: (fill me in)\nLink to work: (fill me in)\nRevision: (fill me in)\nLicense of the work: (fill me in, an SPDX id such as CC-BY-SA-4.0)\nCreator names: (fill me in)\n";

/// Why a leaf was not created.
#[derive(Debug, Error)]
pub enum CreateError {
    /// Nothing is left of the name once normalised.
    #[error("give the leaf a folder name (letters or digits)")]
    NoName,
    /// Foundational skills are not contributable.
    #[error("new leaves are freeform skills, grounded skills or knowledge")]
    NotContributable,
    /// A leaf is already there.
    #[error("{0} already holds a qna.yaml")]
    Exists(PathBuf),
    /// Writing failed.
    #[error("could not write {path}: {source}")]
    Write {
        /// The file or folder.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
}

/// A folder name as the taxonomy spells them: lowercase, words joined by `_`,
/// nothing but letters, digits and underscores (`"Ocean Tides!"` → `ocean_tides`).
pub fn normalise_name(name: &str) -> String {
    let mut out = String::new();
    for c in name.trim().chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    out.trim_end_matches('_').to_owned()
}

/// A typed path (`Science/Ocean tides`) as normalised folders, empty parts dropped.
pub fn normalise_path(path: &str) -> PathBuf {
    path.split(['/', '\\'])
        .map(normalise_name)
        .filter(|part| !part.is_empty())
        .collect()
}

/// The folder under which leaves of `kind` live.
pub fn top_folder(kind: LeafKind) -> Option<&'static Path> {
    match kind {
        LeafKind::FreeformSkill => Some(Path::new("compositional_skills")),
        LeafKind::GroundedSkill => Some(Path::new("compositional_skills/grounded")),
        LeafKind::Knowledge => Some(Path::new("knowledge")),
        LeafKind::Foundational => None,
    }
}

/// The placeholder text of a field in a template or a new example: a real,
/// unique string marked [`FILL_ME_IN`].
pub fn placeholder(field: Field) -> String {
    match field {
        Field::TaskDescription => {
            format!("What this skill teaches, in detail {FILL_ME_IN}")
        }
        Field::DocumentOutline => format!("A brief summary of the source document {FILL_ME_IN}"),
        Field::DocumentRepo => "https://github.com/fill-me-in/knowledge-documents.git".into(),
        Field::DocumentCommit => "fill-me-in".into(),
        Field::CreatedBy | Field::Domain => FILL_ME_IN.into(),
        Field::Context(i) => format!(
            "Example {} context, the text it is grounded in {FILL_ME_IN}",
            i + 1
        ),
        Field::Question(i) => format!("Example {} question {FILL_ME_IN}", i + 1),
        Field::Answer(i) => format!("Example {} answer {FILL_ME_IN}", i + 1),
        Field::PairQuestion(i, j) => {
            format!(
                "Example {} question {} about the context {FILL_ME_IN}",
                i + 1,
                j + 1
            )
        }
        Field::PairAnswer(i, j) => format!("Example {} answer {} {FILL_ME_IN}", i + 1, j + 1),
    }
}

fn line(out: &mut String, indent: usize, first: &str, key: &str, value: &str) {
    let pad = " ".repeat(indent);
    let key_indent = indent + first.len();
    out.push_str(&format!(
        "{pad}{first}{key}:{}\n",
        scalar_after_key(value, key_indent + 2)
    ));
}

/// The `qna.yaml` of a new leaf of `kind`; `domain` is used by knowledge leaves.
pub fn qna_template(kind: LeafKind, created_by: &str, domain: &str) -> String {
    let mut out = String::from("version: 3\n");
    if kind != LeafKind::Knowledge {
        line(
            &mut out,
            0,
            "",
            "task_description",
            &placeholder(Field::TaskDescription),
        );
    }
    line(&mut out, 0, "", "created_by", created_by);
    if kind == LeafKind::Knowledge {
        line(&mut out, 0, "", "domain", domain);
    }
    out.push_str("seed_examples:\n");
    for i in 0..TEMPLATE_EXAMPLES {
        match kind {
            LeafKind::Knowledge => {
                line(
                    &mut out,
                    2,
                    "- ",
                    "context",
                    &placeholder(Field::Context(i)),
                );
                out.push_str("    questions_and_answers:\n");
                for j in 0..TEMPLATE_PAIRS {
                    let q = placeholder(Field::PairQuestion(i, j));
                    line(&mut out, 6, "- ", "question", &q);
                    line(
                        &mut out,
                        8,
                        "",
                        "answer",
                        &placeholder(Field::PairAnswer(i, j)),
                    );
                }
            }
            _ => {
                let mut first = "- ";
                if kind == LeafKind::GroundedSkill {
                    line(
                        &mut out,
                        2,
                        first,
                        "context",
                        &placeholder(Field::Context(i)),
                    );
                    first = "";
                }
                let indent = if first.is_empty() { 4 } else { 2 };
                line(
                    &mut out,
                    indent,
                    first,
                    "question",
                    &placeholder(Field::Question(i)),
                );
                line(&mut out, 4, "", "answer", &placeholder(Field::Answer(i)));
            }
        }
    }
    if kind == LeafKind::Knowledge {
        line(
            &mut out,
            0,
            "",
            "document_outline",
            &placeholder(Field::DocumentOutline),
        );
        out.push_str("document:\n");
        line(&mut out, 2, "", "repo", &placeholder(Field::DocumentRepo));
        line(
            &mut out,
            2,
            "",
            "commit",
            &placeholder(Field::DocumentCommit),
        );
        out.push_str("  patterns:\n    - '*.md'\n");
    }
    out
}

/// A leaf to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLeaf {
    /// Its kind (not foundational).
    pub kind: LeafKind,
    /// Its place below the kind's top folder, as typed (normalised on use).
    pub place: String,
    /// Who contributes it.
    pub created_by: String,
}

impl NewLeaf {
    /// The leaf's folder relative to the taxonomy root.
    pub fn folder(&self) -> Result<PathBuf, CreateError> {
        let top = top_folder(self.kind).ok_or(CreateError::NotContributable)?;
        let place = normalise_path(&self.place);
        // A place typed from the root already names the top folder.
        let place = place.strip_prefix(top).unwrap_or(&place);
        if place.as_os_str().is_empty() {
            return Err(CreateError::NoName);
        }
        Ok(top.join(place))
    }

    /// The knowledge domain: the folder the leaf is in (or the leaf's own name),
    /// in words.
    pub fn domain(&self) -> String {
        let place = normalise_path(&self.place);
        let parts: Vec<String> = place
            .iter()
            .map(|p| p.to_string_lossy().replace('_', " "))
            .collect();
        let domain = match parts.len() {
            0 => String::new(),
            1 => parts[0].clone(),
            n => parts[n - 2].clone(),
        };
        if domain.is_empty() {
            FILL_ME_IN.into()
        } else {
            domain
        }
    }

    /// Writes the leaf's `qna.yaml` and (unless one is there) `attribution.txt`
    /// below `root`; returns the leaf's folder. Never overwrites a `qna.yaml`.
    pub fn create(&self, root: &Path) -> Result<PathBuf, CreateError> {
        let folder = self.folder()?;
        let dir = root.join(&folder);
        let qna = dir.join(LEAF_FILE);
        if qna.exists() {
            return Err(CreateError::Exists(folder));
        }
        let write_error = |path: &Path| {
            let path = path.to_owned();
            move |source| CreateError::Write { path, source }
        };
        std::fs::create_dir_all(&dir).map_err(write_error(&dir))?;
        let created_by = match self.created_by.trim() {
            "" => FILL_ME_IN,
            name => name,
        };
        let text = qna_template(self.kind, created_by, &self.domain());
        write_atomic(&qna, text.as_bytes()).map_err(write_error(&qna))?;
        let attribution = dir.join(ATTRIBUTION_FILE);
        if !attribution.exists() {
            write_atomic(&attribution, ATTRIBUTION_TEMPLATE.as_bytes())
                .map_err(write_error(&attribution))?;
        }
        Ok(folder)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::taxonomy::validate::{
        Attribution, Options, validate_file, validate_text, yamllint_findings,
    };

    #[test]
    fn names_become_lowercase_snake_case() {
        assert_eq!(normalise_name("  Ocean Tides! "), "ocean_tides");
        assert_eq!(
            normalise_name("Black-capped chickadee"),
            "black_capped_chickadee"
        );
        assert_eq!(normalise_name("--"), "");
        assert_eq!(
            normalise_path("Science//Earth Sciences/ tides "),
            PathBuf::from("science/earth_sciences/tides")
        );
    }

    #[test]
    fn fresh_leaves_of_every_kind_validate_with_a_warning_for_each_placeholder() {
        let dir = tempfile::tempdir().unwrap();
        for kind in [
            LeafKind::FreeformSkill,
            LeafKind::GroundedSkill,
            LeafKind::Knowledge,
        ] {
            let leaf = NewLeaf {
                kind,
                place: "Science/Ocean Waves".into(),
                created_by: "Ada Lovelace".into(),
            };
            let folder = leaf.create(dir.path()).unwrap();
            let file = dir.path().join(&folder).join(LEAF_FILE);
            let report = validate_file(&file, &Options::default());
            let text = std::fs::read_to_string(&file).unwrap();
            assert!(
                report.is_valid(),
                "{kind:?}: {:?}\n{text}",
                report.diagnostics
            );
            let placeholders = text.matches(FILL_ME_IN).count();
            assert!(placeholders > TEMPLATE_EXAMPLES);
            assert_eq!(
                report.diagnostics.len(),
                placeholders,
                "{kind:?}: one warning for each placeholder: {:?}",
                report.diagnostics
            );
            assert!(
                report
                    .diagnostics
                    .iter()
                    .all(|d| d.rule == "placeholder" && d.message.contains("still holds")),
                "{:?}",
                report.diagnostics
            );
            let filled = validate_text(
                &file,
                &text.replace(FILL_ME_IN, "filled"),
                Attribution::Present,
                &Options::default(),
            );
            assert!(filled.diagnostics.is_empty(), "{:?}", filled.diagnostics);
            assert_eq!(report.kind, Some(kind));
            let text = std::fs::read_to_string(&file).unwrap();
            assert!(yamllint_findings(&text).is_empty());
            assert_eq!(report.qna.unwrap().seed_examples.len(), TEMPLATE_EXAMPLES);
            assert!(matches!(
                leaf.create(dir.path()),
                Err(CreateError::Exists(_))
            ));
        }
        let knowledge =
            std::fs::read_to_string(dir.path().join("knowledge/science/ocean_waves/qna.yaml"))
                .unwrap();
        assert!(knowledge.contains("\ndomain: science\n"));
        let attribution = std::fs::read_to_string(
            dir.path()
                .join("knowledge/science/ocean_waves")
                .join(ATTRIBUTION_FILE),
        )
        .unwrap();
        assert!(attribution.starts_with("Title of work: "));
    }

    #[test]
    fn refuses_empty_names_and_foundational_leaves() {
        let mut leaf = NewLeaf {
            kind: LeafKind::FreeformSkill,
            place: " / ".into(),
            created_by: String::new(),
        };
        assert!(matches!(leaf.folder(), Err(CreateError::NoName)));
        leaf.place = "compositional_skills/arts/Haiku".into();
        assert_eq!(
            leaf.folder().unwrap(),
            PathBuf::from("compositional_skills/arts/haiku")
        );
        leaf.kind = LeafKind::Foundational;
        assert!(matches!(leaf.folder(), Err(CreateError::NotContributable)));
    }
}
