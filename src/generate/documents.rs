//! Knowledge documents: the files a leaf's `document` block names (`repo`,
//! `commit`, `patterns`), read from a local clone cache, and the bundled sample
//! documents, which are built into a local repository with a deterministic commit
//! so that the sample taxonomy's leaves resolve offline.

use std::path::{Path, PathBuf};

use git2::{Oid, Repository, Signature, Time};
use include_dir::{Dir, include_dir};

static SAMPLE_DOCS: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/assets/knowledge-docs");

/// The repository URL the sample taxonomy's knowledge leaves name.
pub const SAMPLE_DOCS_URL: &str = "https://github.com/taxon-project/sample-knowledge-docs.git";
/// The commit of the sample documents (see `assets/knowledge-docs/README.md`).
pub const SAMPLE_DOCS_COMMIT: &str = "ea9f855da02aebc85b28b9d7b1224c1d9cd65828";
/// The fixed commit time of the sample documents: 2026-01-01T00:00:00Z.
const SAMPLE_DOCS_TIME: i64 = 1_767_225_600;

/// Why documents could not be read.
#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    /// The leaf has no `document` block or it lacks a part.
    #[error("the leaf's document block has no {0}")]
    Missing(&'static str),
    /// Git failed (clone, fetch or read).
    #[error("{repo}: {source}")]
    Git {
        /// The repository URL or path.
        repo: String,
        /// The cause.
        source: git2::Error,
    },
    /// The commit is not in the repository.
    #[error("{repo}: no commit {commit}")]
    NoCommit {
        /// The repository URL or path.
        repo: String,
        /// The commit asked for.
        commit: String,
    },
    /// A pattern matched nothing, or is not a valid glob.
    #[error("{repo} at {commit}: pattern {pattern:?} {problem}")]
    Pattern {
        /// The repository.
        repo: String,
        /// The commit.
        commit: String,
        /// The pattern.
        pattern: String,
        /// What is wrong with it.
        problem: String,
    },
    /// The cache folder could not be written.
    #[error("{path}: {source}")]
    Io {
        /// The folder.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

/// One document file read from a repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceDocument {
    /// Its path inside the repository.
    pub path: String,
    /// Its text.
    pub text: String,
}

/// Which documents to read: a leaf's `document` block as plain strings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentSource {
    /// The repository URL (`https://`, `file://` or a local path).
    pub repo: String,
    /// The commit.
    pub commit: String,
    /// Glob patterns of files in the repository.
    pub patterns: Vec<String>,
}

impl DocumentSource {
    /// The source a leaf names, if its block is complete.
    pub fn from_leaf(document: &crate::taxonomy::qna::DocumentRef) -> Result<Self, DocumentError> {
        let repo = document
            .repo
            .as_ref()
            .ok_or(DocumentError::Missing("repo"))?;
        let commit = document
            .commit
            .as_ref()
            .ok_or(DocumentError::Missing("commit"))?;
        if document.patterns.is_empty() {
            return Err(DocumentError::Missing("patterns"));
        }
        Ok(Self {
            repo: repo.value.trim().to_owned(),
            commit: commit.value.trim().to_owned(),
            patterns: document.patterns.iter().map(|p| p.value.clone()).collect(),
        })
    }
}

/// Reads the documents of `source`, using (and filling) the clone cache in
/// `cache` (e.g. `AppDirs::cache/docs`).
pub fn read_documents(
    cache: &Path,
    source: &DocumentSource,
) -> Result<Vec<SourceDocument>, DocumentError> {
    let repo = open_cached(cache, source)?;
    let git = |e: git2::Error| DocumentError::Git {
        repo: source.repo.clone(),
        source: e,
    };
    let no_commit = || DocumentError::NoCommit {
        repo: source.repo.clone(),
        commit: source.commit.clone(),
    };
    let commit = repo
        .revparse_single(&source.commit)
        .and_then(|o| o.peel_to_commit())
        .map_err(|_| no_commit())?;
    let tree = commit.tree().map_err(git)?;
    let mut files = Vec::new();
    tree.walk(git2::TreeWalkMode::PreOrder, |dir, entry| {
        if entry.kind() == Some(git2::ObjectType::Blob) {
            files.push((
                format!("{dir}{}", entry.name().unwrap_or_default()),
                entry.id(),
            ));
        }
        git2::TreeWalkResult::Ok
    })
    .map_err(git)?;
    let mut documents = Vec::new();
    for pattern in &source.patterns {
        let pattern_error = |problem: String| DocumentError::Pattern {
            repo: source.repo.clone(),
            commit: source.commit.clone(),
            pattern: pattern.clone(),
            problem,
        };
        let glob = glob::Pattern::new(pattern).map_err(|e| pattern_error(e.to_string()))?;
        let before = documents.len();
        for (path, id) in files.iter().filter(|(p, _)| glob.matches(p)) {
            let blob = repo.find_blob(*id).map_err(git)?;
            documents.push(SourceDocument {
                path: path.clone(),
                text: String::from_utf8_lossy(blob.content()).into_owned(),
            });
        }
        if documents.len() == before {
            return Err(pattern_error("matches no file".to_owned()));
        }
    }
    Ok(documents)
}

/// The cached clone for `source`, cloned or fetched when the commit is missing.
/// The sample documents' URL is served from a repository built from the bundled
/// files, never from the network.
fn open_cached(cache: &Path, source: &DocumentSource) -> Result<Repository, DocumentError> {
    if source.repo == SAMPLE_DOCS_URL {
        let path = ensure_sample_repository(cache)?;
        return Repository::open_bare(&path).map_err(|e| DocumentError::Git {
            repo: path.display().to_string(),
            source: e,
        });
    }
    let git = |e: git2::Error| DocumentError::Git {
        repo: source.repo.clone(),
        source: e,
    };
    let path = cache.join(cache_name(&source.repo));
    let repo = if path.exists() {
        Repository::open_bare(&path).map_err(git)?
    } else {
        std::fs::create_dir_all(cache).map_err(|e| DocumentError::Io {
            path: cache.to_owned(),
            source: e,
        })?;
        let building = tempfile::Builder::new()
            .prefix(".clone-")
            .tempdir_in(cache)
            .map_err(|e| DocumentError::Io {
                path: cache.to_owned(),
                source: e,
            })?;
        git2::build::RepoBuilder::new()
            .bare(true)
            .clone(&clone_url(&source.repo), building.path())
            .map_err(git)?;
        let built = building.keep();
        std::fs::rename(&built, &path).map_err(|e| DocumentError::Io {
            path: path.clone(),
            source: e,
        })?;
        Repository::open_bare(&path).map_err(git)?
    };
    if repo.revparse_single(&source.commit).is_err() {
        let mut remote = repo.find_remote("origin").map_err(git)?;
        remote
            .fetch(
                &["+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"],
                None,
                None,
            )
            .map_err(git)?;
    }
    Ok(repo)
}

/// A URL git2 can clone: local paths as they are (made absolute), others unchanged.
fn clone_url(repo: &str) -> String {
    if repo.contains("://") {
        return repo.to_owned();
    }
    std::path::absolute(repo).map_or_else(|_| repo.to_owned(), |p| p.display().to_string())
}

/// The cache folder name of a repository URL: readable, and unique by a hash.
fn cache_name(repo: &str) -> String {
    let readable: String = repo
        .trim_end_matches('/')
        .trim_end_matches(".git")
        .rsplit(['/', '\\', ':'])
        .next()
        .unwrap_or("repo")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .collect();
    let hash = super::fetch::sha256_hex(repo.as_bytes()).unwrap_or_default();
    format!("{readable}-{}.git", &hash[..12.min(hash.len())])
}

/// Builds (once) the bare repository of the bundled sample documents in `cache`:
/// every file at its root in one commit by `taxon <taxon@localhost>` at
/// 2026-01-01T00:00:00Z, so its id is always [`SAMPLE_DOCS_COMMIT`]. Returns its path.
pub fn ensure_sample_repository(cache: &Path) -> Result<PathBuf, DocumentError> {
    let path = cache.join("sample-knowledge-docs.git");
    let name = path.display().to_string();
    let git = |e: git2::Error| DocumentError::Git {
        repo: name.clone(),
        source: e,
    };
    let repo = Repository::init_bare(&path).map_err(git)?;
    let commit = Oid::from_str(SAMPLE_DOCS_COMMIT).map_err(git)?;
    if repo.find_commit(commit).is_ok() {
        return Ok(path);
    }
    let mut tree = repo.treebuilder(None).map_err(git)?;
    for file in SAMPLE_DOCS.files() {
        let blob = repo.blob(file.contents()).map_err(git)?;
        let file_name = file.path().to_string_lossy();
        tree.insert(file_name.as_ref(), blob, 0o100_644)
            .map_err(git)?;
    }
    let tree = repo.find_tree(tree.write().map_err(git)?).map_err(git)?;
    let signature =
        Signature::new("taxon", "taxon@localhost", &Time::new(SAMPLE_DOCS_TIME, 0)).map_err(git)?;
    let made = repo
        .commit(
            Some("refs/heads/main"),
            &signature,
            &signature,
            "Sample knowledge documents\n",
            &tree,
            &[],
        )
        .map_err(git)?;
    repo.set_head("refs/heads/main").map_err(git)?;
    if made != commit {
        return Err(DocumentError::NoCommit {
            repo: name,
            commit: format!("{SAMPLE_DOCS_COMMIT} (the bundled documents give {made})"),
        });
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sample_repository_has_the_documented_commit() {
        let cache = tempfile::tempdir().unwrap();
        let path = ensure_sample_repository(cache.path()).unwrap();
        assert_eq!(ensure_sample_repository(cache.path()).unwrap(), path);
        let source = DocumentSource {
            repo: SAMPLE_DOCS_URL.to_owned(),
            commit: SAMPLE_DOCS_COMMIT.to_owned(),
            patterns: vec!["how_tides_work.md".to_owned()],
        };
        let documents = read_documents(cache.path(), &source).unwrap();
        assert_eq!(documents.len(), 1);
        assert!(documents[0].text.contains("tide"));
    }

    #[test]
    fn a_pattern_that_matches_nothing_is_an_error() {
        let cache = tempfile::tempdir().unwrap();
        let source = DocumentSource {
            repo: SAMPLE_DOCS_URL.to_owned(),
            commit: SAMPLE_DOCS_COMMIT.to_owned(),
            patterns: vec!["*.pdf".to_owned()],
        };
        let error = read_documents(cache.path(), &source).unwrap_err();
        assert!(error.to_string().contains("matches no file"), "{error}");
    }

    /// A repository with `docs/a.md` in one commit; returns its id.
    fn local_repository(dir: &Path) -> Oid {
        let repo = Repository::init(dir).unwrap();
        let mut docs = repo.treebuilder(None).unwrap();
        docs.insert("a.md", repo.blob(b"# A\n\nText.").unwrap(), 0o100_644)
            .unwrap();
        let mut root = repo.treebuilder(None).unwrap();
        root.insert("docs", docs.write().unwrap(), 0o040_000)
            .unwrap();
        let tree = repo.find_tree(root.write().unwrap()).unwrap();
        let signature = Signature::new("t", "t@localhost", &Time::new(1, 0)).unwrap();
        repo.commit(Some("HEAD"), &signature, &signature, "docs", &tree, &[])
            .unwrap()
    }

    #[test]
    fn reads_from_a_local_path_and_a_file_url_through_the_cache() {
        let origin = tempfile::tempdir().unwrap();
        let commit = local_repository(origin.path()).to_string();
        let cache = tempfile::tempdir().unwrap();
        for repo in [
            origin.path().display().to_string(),
            format!("file://{}", origin.path().display()),
        ] {
            let source = DocumentSource {
                repo,
                commit: commit.clone(),
                patterns: vec!["docs/*.md".to_owned()],
            };
            let documents = read_documents(cache.path(), &source).unwrap();
            assert_eq!(documents[0].path, "docs/a.md");
            assert_eq!(documents[0].text, "# A\n\nText.");
        }
        // Both are cached; a missing commit is reported as such.
        assert_eq!(std::fs::read_dir(cache.path()).unwrap().count(), 2);
        let missing = DocumentSource {
            repo: origin.path().display().to_string(),
            commit: "0123456789012345678901234567890123456789".to_owned(),
            patterns: vec!["*.md".to_owned()],
        };
        let error = read_documents(cache.path(), &missing).unwrap_err();
        assert!(
            error.to_string().contains("no commit 0123456789"),
            "{error}"
        );
    }

    #[test]
    fn cache_names_are_readable_and_distinct() {
        let a = cache_name("https://example.org/a/docs.git");
        let b = cache_name("https://example.org/b/docs.git");
        assert!(a.starts_with("docs-") && a.ends_with(".git"));
        assert_ne!(a, b);
    }
}
