//! Finding the leaf files to check below the paths a user names.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use super::diagnostic::{Diagnostic, Severity};
use super::leaf::{
    CONTRIBUTABLE_FOLDERS, FOUNDATIONAL_FOLDER, LEAF_FILE, is_checked_leaf_file,
    is_misnamed_leaf_file,
};

/// A file found while walking, and whether it is checked.
#[derive(Debug, Clone, PartialEq)]
pub enum Found {
    /// A leaf file to validate.
    Leaf(PathBuf),
    /// A file that cannot be checked, with the reason (a misnamed leaf file, a
    /// symlink leaving the taxonomy root).
    Refused(PathBuf, Diagnostic),
}

/// What a walk found.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Discovery {
    /// Leaf files and refused files, in path order.
    pub found: Vec<Found>,
    /// Leaf files that upstream does not check (under `foundational_skills/` or
    /// outside the taxonomy folders), left out.
    pub not_checked: Vec<PathBuf>,
}

/// The taxonomy root for `path`: the nearest folder (itself or above) that holds a
/// `compositional_skills` or `knowledge` folder, else `path` itself.
pub fn find_root(path: &Path) -> PathBuf {
    let start = if path.is_file() {
        path.parent().unwrap_or(path)
    } else {
        path
    };
    // A relative path's last ancestor is the empty path: the current folder.
    start
        .ancestors()
        .map(|dir| {
            if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            }
        })
        .find(|dir| {
            CONTRIBUTABLE_FOLDERS
                .iter()
                .chain([&FOUNDATIONAL_FOLDER])
                .any(|folder| dir.join(folder).is_dir())
        })
        .unwrap_or(start)
        .to_owned()
}

/// One finding of a walk, as [`walk_paths`] yields them.
#[derive(Debug, Clone, PartialEq)]
pub enum Walked {
    /// A file to check, or refused.
    Found(Found),
    /// A leaf file that upstream does not check.
    NotChecked(PathBuf),
}

/// Walks the given paths: a file is checked as named; a folder is searched for
/// `qna.yaml` files under the taxonomy folders, as upstream selects them.
pub fn discover(paths: &[PathBuf]) -> Discovery {
    let mut discovery = Discovery::default();
    for walked in walk_paths(paths) {
        match walked {
            Walked::Found(found) => discovery.found.push(found),
            Walked::NotChecked(path) => discovery.not_checked.push(path),
        }
    }
    discovery
}

/// What [`discover`] finds, one finding at a time and in the same order, for a
/// caller that starts on each as soon as it is found.
pub fn walk_paths(paths: &[PathBuf]) -> impl Iterator<Item = Walked> + Send + '_ {
    paths.iter().flat_map(|path| {
        let (walk, named) = if path.is_dir() {
            (Some(walk(path)), None)
        } else {
            (None, Some(Walked::Found(named_file(path))))
        };
        walk.into_iter().flatten().chain(named)
    })
}

/// A file named on the command line: checked whatever its folder, but a symbolic
/// link only as a walk would follow it.
fn named_file(path: &Path) -> Found {
    let is_link = std::fs::symlink_metadata(path).is_ok_and(|meta| meta.file_type().is_symlink());
    if is_link {
        let folder = path.parent().unwrap_or(Path::new(""));
        let root = find_root(folder);
        let root = std::fs::canonicalize(&root).unwrap_or(root);
        if let Some(message) = symlink_refusal(path, &root) {
            return refused(path.to_owned(), Severity::Error, "symlink", message);
        }
    }
    Found::Leaf(path.to_owned())
}

/// Why the symbolic link at `path` is not followed: it leads outside the taxonomy
/// root `root` (canonical), nowhere, or back to itself.
fn symlink_refusal(path: &Path, root: &Path) -> Option<String> {
    match std::fs::canonicalize(path) {
        Ok(target) if target.starts_with(root) => None,
        Ok(target) => Some(format!(
            "this file is a symbolic link to {}, outside the taxonomy root {}; taxon does not follow it",
            target.display(),
            root.display()
        )),
        Err(error) if error.raw_os_error() == Some(libc::ELOOP) => Some(
            "this file is a symbolic link that never reaches a file: it loops back on itself \
             (or goes through too many links)"
                .to_owned(),
        ),
        Err(error) => Some(format!(
            "this file is a broken symbolic link (its target cannot be read: {error})"
        )),
    }
}

fn refused(path: PathBuf, severity: Severity, rule: &'static str, message: String) -> Found {
    Found::Refused(path, Diagnostic::new(severity, 1, 1, rule, message))
}

/// The findings below folder `dir`, in path order.
fn walk(dir: &Path) -> impl Iterator<Item = Walked> + Send + '_ {
    let root = std::fs::canonicalize(find_root(dir)).unwrap_or_else(|_| dir.to_owned());
    let dir_from_root = std::fs::canonicalize(dir)
        .ok()
        .and_then(|canonical| canonical.strip_prefix(&root).ok().map(Path::to_owned));
    let place = Place {
        root,
        dir_from_root,
    };
    WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().as_encoded_bytes().starts_with(b"."))
        .filter_map(move |entry| match entry {
            Ok(entry) => walked(&entry, dir, &place),
            Err(error) => {
                let path = error
                    .path()
                    .map(Path::to_owned)
                    .unwrap_or_else(|| dir.to_owned());
                Some(Walked::Found(refused(
                    path,
                    Severity::Error,
                    "read",
                    format!("cannot read: {error}"),
                )))
            }
        })
}

/// Where a walked folder is: the taxonomy root's canonical path, and the folder's
/// canonical path from the root when it is below it.
struct Place {
    root: PathBuf,
    dir_from_root: Option<PathBuf>,
}

/// What an entry of the walk of `dir` is, if anything.
fn walked(entry: &walkdir::DirEntry, dir: &Path, place: &Place) -> Option<Walked> {
    let root = place.root.as_path();
    let name = entry.file_name().to_string_lossy();
    if name != LEAF_FILE {
        if !entry.file_type().is_dir() && is_misnamed_leaf_file(&name) {
            return Some(Walked::Found(refused(
                entry.path().to_owned(),
                Severity::Warning,
                "file-name",
                format!(
                    "Found a '{name}' file: taxonomy files must be named '{LEAF_FILE}'. File will not be checked."
                ),
            )));
        }
        return None;
    }
    let path = entry.path().to_owned();
    if entry.path_is_symlink()
        && let Some(message) = symlink_refusal(&path, root)
    {
        return Some(Walked::Found(refused(
            path,
            Severity::Error,
            "symlink",
            message,
        )));
    }
    let checked = match (&place.dir_from_root, entry.path_is_symlink()) {
        // The walk follows no symbolic link below `dir`: the first folder below the
        // root of a leaf that is not one itself is `dir`'s, or its own below `dir`.
        (Some(dir_from_root), false) => {
            let first = match dir_from_root.components().next() {
                Some(component) => Some(component.as_os_str()),
                None => first_name_below(&path, dir),
            };
            first.is_some_and(|first| CONTRIBUTABLE_FOLDERS.iter().any(|f| first == *f))
        }
        _ => {
            let canonical = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
            is_checked_leaf_file(canonical.strip_prefix(root).unwrap_or(&canonical))
        }
    };
    Some(if checked {
        Walked::Found(Found::Leaf(path))
    } else {
        Walked::NotChecked(path)
    })
}

/// The first name in `path` below `dir`, for a path the walk made by joining names
/// to `dir`.
fn first_name_below<'p>(path: &'p Path, dir: &Path) -> Option<&'p OsStr> {
    let below = path
        .as_os_str()
        .as_encoded_bytes()
        .strip_prefix(dir.as_os_str().as_encoded_bytes())?;
    let below = below.strip_prefix(b"/").unwrap_or(below);
    let name = below.split(|&b| b == b'/').next()?;
    Some(OsStr::from_bytes(name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn touch(path: &Path) {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, "a: 1\n").unwrap();
    }

    #[test]
    fn selects_leaf_files_like_upstream() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        touch(&root.join("compositional_skills/writing/qna.yaml"));
        touch(&root.join("knowledge/science/tides/qna.yaml"));
        touch(&root.join("foundational_skills/reasoning/qna.yaml"));
        touch(&root.join("knowledge/science/moon/qna.yml"));
        touch(&root.join(".git/knowledge/qna.yaml"));
        let discovery = discover(&[root.to_owned()]);
        let leaves: Vec<_> = discovery
            .found
            .iter()
            .filter_map(|f| match f {
                Found::Leaf(p) => Some(p.strip_prefix(root).unwrap().to_owned()),
                Found::Refused(..) => None,
            })
            .collect();
        assert_eq!(
            leaves,
            vec![
                PathBuf::from("compositional_skills/writing/qna.yaml"),
                PathBuf::from("knowledge/science/tides/qna.yaml"),
            ]
        );
        assert_eq!(discovery.not_checked.len(), 1);
        assert!(discovery.found.iter().any(
            |f| matches!(f, Found::Refused(p, d) if p.ends_with("qna.yml") && d.rule == "file-name")
        ));
        // A folder inside the taxonomy works too, and finds its root.
        let inside = discover(&[root.join("knowledge")]);
        assert_eq!(inside.found.len(), 2);
        assert_eq!(find_root(&root.join("knowledge/science")), root);
    }

    #[test]
    fn the_first_name_below_the_walked_folder_is_read_off_the_path() {
        for (dir, path, first) in [
            ("t", "t/knowledge/a/qna.yaml", Some("knowledge")),
            ("t/", "t/knowledge/qna.yaml", Some("knowledge")),
            (
                ".",
                "./compositional_skills/qna.yaml",
                Some("compositional_skills"),
            ),
            ("/abs/t", "/abs/t/qna.yaml", Some("qna.yaml")),
            ("t", "elsewhere/qna.yaml", None),
        ] {
            let found = first_name_below(Path::new(path), Path::new(dir));
            assert_eq!(found, first.map(OsStr::new), "{dir} {path}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_taxonomy_named_through_a_symlink_is_walked_as_its_target() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real");
        touch(&real.join("knowledge/science/tides/qna.yaml"));
        touch(&real.join("foundational_skills/reasoning/qna.yaml"));
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        for path in [real, link.clone(), link.join("knowledge")] {
            let discovery = discover(std::slice::from_ref(&path));
            assert!(
                matches!(&discovery.found[..], [Found::Leaf(p)] if p.ends_with("tides/qna.yaml")),
                "{path:?}: {:?}",
                discovery.found
            );
            assert_eq!(
                discovery.not_checked.len(),
                usize::from(path != link.join("knowledge"))
            );
        }
    }

    #[cfg(unix)]
    #[test]
    fn one_rule_for_symlinks_walked_and_named() {
        use std::os::unix::fs::symlink;
        let outside = tempfile::tempdir().unwrap();
        touch(&outside.path().join("qna.yaml"));
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        touch(&root.join("knowledge/real/qna.yaml"));
        let links = [
            ("out", outside.path().join("qna.yaml")),
            ("in", root.join("knowledge/real/qna.yaml")),
            ("broken", root.join("knowledge/nothing/qna.yaml")),
            ("loop", root.join("knowledge/loop/qna.yaml")),
        ];
        for (name, target) in &links {
            let leaf = root.join("knowledge").join(name);
            fs::create_dir_all(&leaf).unwrap();
            symlink(target, leaf.join("qna.yaml")).unwrap();
        }
        let verdict = |found: &Found| match found {
            Found::Leaf(_) => "followed".to_owned(),
            Found::Refused(_, d) => format!("{}: {}", d.rule, d.message),
        };
        let walked: Vec<String> = discover(&[root.to_owned()])
            .found
            .iter()
            .map(verdict)
            .collect();
        for (name, _) in &links {
            let path = root.join("knowledge").join(name).join("qna.yaml");
            let named = discover(std::slice::from_ref(&path));
            let [found] = &named.found[..] else {
                panic!("{name}: {:?}", named.found);
            };
            assert!(
                walked.contains(&verdict(found)),
                "{name}: {}",
                verdict(found)
            );
            let expected = match *name {
                "out" => "outside the taxonomy root",
                "in" => "followed",
                "broken" => "broken symbolic link",
                _ => "loops back on itself",
            };
            assert!(
                verdict(found).contains(expected),
                "{name}: {}",
                verdict(found)
            );
        }
    }

    #[cfg(unix)]
    #[test]
    fn refuses_symlinks_that_leave_the_root() {
        let outside = tempfile::tempdir().unwrap();
        touch(&outside.path().join("qna.yaml"));
        let dir = tempfile::tempdir().unwrap();
        let leaf = dir.path().join("knowledge/evil");
        fs::create_dir_all(&leaf).unwrap();
        std::os::unix::fs::symlink(outside.path().join("qna.yaml"), leaf.join("qna.yaml")).unwrap();
        let discovery = discover(&[dir.path().to_owned()]);
        assert!(matches!(
            &discovery.found[..],
            [Found::Refused(_, d)] if d.rule == "symlink" && d.message.contains("outside the taxonomy root")
        ));
    }
}
