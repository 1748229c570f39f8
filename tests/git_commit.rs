//! The git engine's authoring operations on temporary repositories: committing leaves
//! with a sign-off, a leaf's diff, branches, and discarding a leaf's changes.

#[path = "support/git_sandbox.rs"]
mod git_sandbox;

use std::fs;
use std::path::{Path, PathBuf};

use git_sandbox::TestRepo;
use taxon::git::{Base, DiffLineKind, GitError, TaxonomyRepo};

const TIDES: &str = "knowledge/science/tides";
const BIRDS: &str = "knowledge/science/birds";

fn leaf(folder: &str, file: &str) -> String {
    format!("{folder}/{file}")
}

/// A repository on `main` with two leaves committed and an identity configured.
fn repo_with_two_leaves() -> TestRepo {
    let test = TestRepo::init();
    for folder in [TIDES, BIRDS] {
        test.write(
            &leaf(folder, "qna.yaml"),
            "version: 3\nline one\nline two\n",
        );
        test.write(&leaf(folder, "attribution.txt"), "Title of work: x\n");
    }
    test.commit_all("Initial taxonomy");
    configure_identity(&test);
    test
}

fn configure_identity(test: &TestRepo) {
    let mut config = test.repo().config().unwrap();
    config.set_str("user.name", "Grace Hopper").unwrap();
    config.set_str("user.email", "grace@example.com").unwrap();
}

fn open(test: &TestRepo) -> TaxonomyRepo {
    TaxonomyRepo::open(test.path()).unwrap()
}

fn head_file(test: &TestRepo, path: &str) -> Option<String> {
    let tree = test.commit_of("HEAD").tree().unwrap();
    let entry = tree.get_path(Path::new(path)).ok()?;
    let blob = test.repo().find_blob(entry.id()).unwrap();
    Some(String::from_utf8(blob.content().to_vec()).unwrap())
}

#[test]
fn commits_only_the_chosen_leaves_signed_off_by_the_author() {
    let test = repo_with_two_leaves();
    test.write(&leaf(TIDES, "qna.yaml"), "version: 3\nline one\nline 2\n");
    test.write(&leaf(TIDES, "attribution.txt"), "Title of work: y\n");
    test.write(&leaf(BIRDS, "qna.yaml"), "version: 3\nbirds changed\n");
    let repo = open(&test);
    assert_eq!(
        repo.leaves_changed_since_head().unwrap(),
        vec![PathBuf::from(BIRDS), PathBuf::from(TIDES)]
    );

    let committed = repo
        .commit_leaves(&[PathBuf::from(TIDES)], "Tides: fix an answer")
        .unwrap();
    assert_eq!(committed.branch.as_deref(), Some("main"));
    assert_eq!(committed.files.len(), 2);
    let commit = test.commit_of("HEAD");
    assert_eq!(committed.id, commit.id());
    let author = commit.author();
    let trailer = format!(
        "Signed-off-by: {} <{}>",
        author.name().unwrap(),
        author.email().unwrap()
    );
    assert_eq!(trailer, "Signed-off-by: Grace Hopper <grace@example.com>");
    assert_eq!(
        commit.message().unwrap(),
        format!("Tides: fix an answer\n\n{trailer}\n")
    );
    assert_eq!(commit.committer().name(), author.name());
    assert_eq!(
        head_file(&test, &leaf(TIDES, "qna.yaml")).unwrap(),
        "version: 3\nline one\nline 2\n"
    );
    assert_eq!(
        head_file(&test, &leaf(BIRDS, "qna.yaml")).unwrap(),
        "version: 3\nline one\nline two\n",
        "the other leaf is not committed"
    );
    assert_eq!(
        repo.leaves_changed_since_head().unwrap(),
        vec![PathBuf::from(BIRDS)]
    );
    let status = test.git(&["status", "--porcelain"]);
    assert_eq!(
        status,
        format!(" M {BIRDS}/qna.yaml\n"),
        "the index matches HEAD"
    );
}

#[test]
fn other_staged_changes_stay_out_of_the_commit() {
    let test = repo_with_two_leaves();
    test.write(&leaf(BIRDS, "qna.yaml"), "staged elsewhere\n");
    test.stage(&leaf(BIRDS, "qna.yaml"));
    test.write(&leaf(TIDES, "qna.yaml"), "tides changed\n");
    open(&test)
        .commit_leaves(&[PathBuf::from(TIDES)], "Tides")
        .unwrap();
    assert_eq!(
        head_file(&test, &leaf(BIRDS, "qna.yaml")).unwrap(),
        "version: 3\nline one\nline two\n"
    );
    assert_eq!(
        test.git(&["status", "--porcelain"]),
        format!("M  {BIRDS}/qna.yaml\n"),
        "still staged"
    );
}

#[test]
fn commits_additions_and_deletions_and_on_an_unborn_branch() {
    let test = TestRepo::init();
    configure_identity(&test);
    test.write(&leaf(TIDES, "qna.yaml"), "first\n");
    test.write(&leaf(TIDES, "attribution.txt"), "source\n");
    let repo = open(&test);
    assert_eq!(
        repo.leaves_changed_since_head().unwrap(),
        vec![PathBuf::from(TIDES)]
    );
    repo.commit_leaves(&[PathBuf::from(TIDES)], "Add tides")
        .unwrap();
    assert_eq!(
        head_file(&test, &leaf(TIDES, "qna.yaml")).unwrap(),
        "first\n"
    );
    assert_eq!(test.commit_of("HEAD").parent_count(), 0);

    test.remove(&leaf(TIDES, "qna.yaml"));
    test.remove(&leaf(TIDES, "attribution.txt"));
    repo.commit_leaves(&[PathBuf::from(TIDES)], "Remove tides")
        .unwrap();
    assert!(head_file(&test, &leaf(TIDES, "qna.yaml")).is_none());
    assert!(head_file(&test, &leaf(TIDES, "attribution.txt")).is_none());
    assert_eq!(test.git(&["status", "--porcelain"]), "");
}

#[test]
fn refuses_without_changes_message_or_identity() {
    let test = repo_with_two_leaves();
    let repo = open(&test);
    let error = repo
        .commit_leaves(&[PathBuf::from(TIDES)], "Nothing")
        .unwrap_err();
    assert!(matches!(error, GitError::NothingToCommit { .. }), "{error}");
    assert!(error.to_string().contains(TIDES));
    test.write(&leaf(TIDES, "qna.yaml"), "changed\n");
    assert!(matches!(
        repo.commit_leaves(&[PathBuf::from(TIDES)], "  \n"),
        Err(GitError::EmptyMessage)
    ));

    let anonymous = TestRepo::init();
    anonymous.write(&leaf(TIDES, "qna.yaml"), "x\n");
    let error = open(&anonymous)
        .commit_leaves(&[PathBuf::from(TIDES)], "Add")
        .unwrap_err();
    assert!(
        matches!(error, GitError::NoIdentity { key: "user.name" }),
        "{error}"
    );
    assert!(error.to_string().contains("git config user.name"));
    assert!(anonymous.repo().head().is_err(), "nothing was committed");
}

#[test]
fn leaf_diff_against_the_base_shows_the_changed_lines() {
    let test = repo_with_two_leaves();
    test.write(&leaf(TIDES, "qna.yaml"), "version: 3\nline one\nline 2\n");
    test.write("knowledge/science/new/qna.yaml", "brand new\n");
    let repo = open(&test);
    let diff = repo.leaf_diff(Path::new(TIDES), &Base::Default).unwrap();
    assert_eq!(diff.against, "main");
    assert_eq!(diff.files, vec![leaf(TIDES, "qna.yaml")]);
    let changed: Vec<(DiffLineKind, &str)> = diff
        .lines
        .iter()
        .filter(|l| matches!(l.kind, DiffLineKind::Added | DiffLineKind::Removed))
        .map(|l| (l.kind, l.text.as_str()))
        .collect();
    assert_eq!(
        changed,
        vec![
            (DiffLineKind::Removed, "-line two"),
            (DiffLineKind::Added, "+line 2")
        ]
    );
    assert!(diff.lines.iter().any(|l| l.kind == DiffLineKind::Hunk));
    assert!(diff.lines[0].text.starts_with("diff --git"));

    let new = repo
        .leaf_diff(Path::new("knowledge/science/new"), &Base::Default)
        .unwrap();
    assert_eq!(new.counts(), (1, 0), "{:?}", new.lines);
    let clean = repo.leaf_diff(Path::new(BIRDS), &Base::Default).unwrap();
    assert!(clean.lines.is_empty());
}

#[test]
fn branches_are_created_listed_and_switched() {
    let test = repo_with_two_leaves();
    let repo = open(&test);
    repo.create_branch("add-tides").unwrap();
    assert_eq!(repo.current_branch().as_deref(), Some("add-tides"));
    let names: Vec<(String, bool)> = repo
        .branches()
        .unwrap()
        .into_iter()
        .map(|b| (b.name, b.is_head))
        .collect();
    assert_eq!(
        names,
        vec![("add-tides".into(), true), ("main".into(), false)]
    );
    assert!(matches!(
        repo.create_branch("main"),
        Err(GitError::BranchExists { .. })
    ));
    assert!(matches!(
        repo.create_branch("bad..name"),
        Err(GitError::InvalidBranchName { .. })
    ));

    test.write(&leaf(TIDES, "qna.yaml"), "on the branch\n");
    repo.commit_leaves(&[PathBuf::from(TIDES)], "Tides on a branch")
        .unwrap();
    repo.switch_branch("main").unwrap();
    assert_eq!(repo.current_branch().as_deref(), Some("main"));
    assert_eq!(
        fs::read_to_string(test.path().join(leaf(TIDES, "qna.yaml"))).unwrap(),
        "version: 3\nline one\nline two\n"
    );
    assert!(matches!(
        repo.switch_branch("nowhere"),
        Err(GitError::BranchNotFound { .. })
    ));
}

#[test]
fn a_branch_inside_or_around_an_existing_one_is_refused_by_name() {
    let test = repo_with_two_leaves();
    let repo = open(&test);
    repo.create_branch("feature-x").unwrap();
    for (name, existing) in [("feature-x/sub", "feature-x"), ("main/sub", "main")] {
        let error = repo.create_branch(name).unwrap_err();
        let GitError::BranchPrefixClash {
            name: asked,
            existing: found,
        } = &error
        else {
            panic!("refused with libgit2's text: {error}");
        };
        assert_eq!((asked.as_str(), found.as_str()), (name, existing));
        assert!(
            error
                .to_string()
                .contains(&format!("branch \"{existing}\" exists")),
            "{error}"
        );
    }
    repo.create_branch("topic/one").unwrap();
    assert!(matches!(
        repo.create_branch("topic"),
        Err(GitError::BranchPrefixClash { existing, .. }) if existing == "topic/one"
    ));
    repo.create_branch("feature-xy").unwrap();
    assert_eq!(repo.current_branch().as_deref(), Some("feature-xy"));
}

#[test]
fn switching_is_refused_when_local_changes_would_be_overwritten() {
    let test = repo_with_two_leaves();
    let repo = open(&test);
    repo.create_branch("add-tides").unwrap();
    test.write(&leaf(TIDES, "qna.yaml"), "committed on the branch\n");
    repo.commit_leaves(&[PathBuf::from(TIDES)], "Tides")
        .unwrap();
    test.write(&leaf(TIDES, "qna.yaml"), "my unsaved work\n");

    let error = repo.switch_branch("main").unwrap_err();
    let GitError::WouldOverwrite { files, .. } = &error else {
        panic!("refused: {error}");
    };
    assert_eq!(files, &vec![leaf(TIDES, "qna.yaml")]);
    assert!(error.to_string().contains("tides/qna.yaml"));
    assert_eq!(repo.current_branch().as_deref(), Some("add-tides"));
    assert_eq!(
        fs::read_to_string(test.path().join(leaf(TIDES, "qna.yaml"))).unwrap(),
        "my unsaved work\n",
        "nothing was overwritten"
    );

    // A change to a file both branches have alike is carried over, as git does.
    test.write(&leaf(TIDES, "qna.yaml"), "committed on the branch\n");
    test.write(&leaf(BIRDS, "qna.yaml"), "carried over\n");
    repo.switch_branch("main").unwrap();
    assert_eq!(
        fs::read_to_string(test.path().join(leaf(BIRDS, "qna.yaml"))).unwrap(),
        "carried over\n"
    );
}

#[test]
fn discard_restores_head_and_removes_new_files() {
    let test = repo_with_two_leaves();
    test.write(&leaf(TIDES, "qna.yaml"), "lost edit\n");
    test.stage(&leaf(TIDES, "qna.yaml"));
    test.remove(&leaf(TIDES, "attribution.txt"));
    test.write("knowledge/science/new/deeper/qna.yaml", "new leaf\n");
    test.write("knowledge/science/kept/notes.md", "not a leaf file\n");
    test.write("knowledge/science/kept/leaf/qna.yaml", "new leaf\n");
    let repo = open(&test);

    let preview = repo.leaf_diff_from_head(Path::new(TIDES)).unwrap();
    assert_eq!(preview.against, "HEAD");
    assert_eq!(preview.files.len(), 2);
    let files = repo.discard_leaf(Path::new(TIDES)).unwrap();
    assert_eq!(files.len(), 2);
    assert_eq!(
        fs::read_to_string(test.path().join(leaf(TIDES, "qna.yaml"))).unwrap(),
        "version: 3\nline one\nline two\n"
    );
    assert_eq!(
        fs::read_to_string(test.path().join(leaf(TIDES, "attribution.txt"))).unwrap(),
        "Title of work: x\n"
    );
    repo.discard_leaf(Path::new("knowledge/science/new/deeper"))
        .unwrap();
    assert!(
        !test.path().join("knowledge/science/new").exists(),
        "the folders the new leaf left empty are removed"
    );
    assert!(
        test.path().join("knowledge/science").is_dir(),
        "a folder HEAD has is kept"
    );
    repo.discard_leaf(Path::new("knowledge/science/kept/leaf"))
        .unwrap();
    assert!(!test.path().join("knowledge/science/kept/leaf").exists());
    assert!(
        test.path().join("knowledge/science/kept/notes.md").exists(),
        "a folder holding anything else is kept"
    );
    test.remove("knowledge/science/kept/notes.md");
    assert_eq!(test.git(&["status", "--porcelain"]), "");
}
