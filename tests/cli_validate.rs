//! `taxon validate` and `taxon diff` driven as a user would: the real binary on
//! temporary taxonomies.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const SKILL: &str = "version: 3
task_description: Turn notes into action items.
created_by: ada
seed_examples:
  - question: Notes say Bo will send the deck by Friday.
    answer: Bo sends the deck by Friday.
  - question: Notes say the team agreed to move standup to 10.
    answer: Everyone moves standup to 10.
  - question: Notes say Ana will review the budget.
    answer: Ana reviews the budget.
  - question: Notes say nobody owns the release notes yet.
    answer: Find an owner for the release notes.
  - question: Notes say Li and Sam pair on the login bug.
    answer: Li and Sam fix the login bug together.
";

fn taxon(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_taxon"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("run taxon")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn write_leaf(root: &Path, folder: &str, text: &str, attribution: bool) -> PathBuf {
    let dir = root.join(folder);
    fs::create_dir_all(&dir).unwrap();
    fs::write(dir.join("qna.yaml"), text).unwrap();
    if attribution {
        fs::write(dir.join("attribution.txt"), "Title of work: notes\n").unwrap();
    }
    dir.join("qna.yaml")
}

#[test]
fn a_valid_leaf_passes_with_exit_0() {
    let dir = tempfile::tempdir().unwrap();
    write_leaf(
        dir.path(),
        "compositional_skills/notes/action_items",
        SKILL,
        true,
    );
    let out = taxon(&["validate", "."], dir.path());
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(stdout(&out), "");
    assert!(String::from_utf8_lossy(&out.stderr).contains("1 files checked: 0 errors, 0 warnings"));
}

#[test]
fn errors_exit_1_with_position_path_and_rule() {
    let dir = tempfile::tempdir().unwrap();
    let broken = SKILL.replace("created_by: ada\n", "created_by: ada  \nauthor: ada\n");
    write_leaf(
        dir.path(),
        "compositional_skills/notes/action_items",
        &broken,
        true,
    );
    let out = taxon(&["validate", "compositional_skills"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.contains("compositional_skills/notes/action_items/qna.yaml:3:16 trailing spaces (trailing-spaces)"),
        "{text}"
    );
    assert!(
        text.contains("qna.yaml:4:1 [.] Unevaluated properties are not allowed ('author' was unexpected) (unevaluatedProperties)"),
        "{text}"
    );
}

#[test]
fn json_and_github_formats() {
    let dir = tempfile::tempdir().unwrap();
    write_leaf(
        dir.path(),
        "knowledge/tides",
        "version: 2\ncreated_by: ada\n",
        false,
    );
    let out = taxon(&["validate", "--format", "json", "."], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let line: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(line["path"], "knowledge/tides/qna.yaml");
    let rules: Vec<&str> = line["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, vec!["deprecated", "attribution"]);

    let out = taxon(&["validate", "--format", "github", "."], dir.path());
    assert_eq!(
        stdout(&out),
        "::error file=knowledge/tides/qna.yaml,line=1,col=1::1:1 Version 2 is not supported for knowledge. Minimum supported version is 3.\n\
         ::error file=knowledge/tides/qna.yaml,line=1,col=1::1:1 The \"attribution.txt\" file does not exist or is not a file\n"
    );
}

#[test]
fn schema_version_forces_and_strict_promotes_warnings() {
    let dir = tempfile::tempdir().unwrap();
    // A blank line at the end is a yamllint warning (empty-lines, max-end 0).
    let v2 = SKILL.replace("version: 3", "version: 2") + "\n";
    write_leaf(
        dir.path(),
        "compositional_skills/notes/action_items",
        &v2,
        true,
    );
    let own = taxon(&["validate", "--format", "json", "."], dir.path());
    assert_eq!(own.status.code(), Some(0), "a blank line is only a warning");
    let forced = taxon(&["validate", "--schema-version", "3", "."], dir.path());
    assert_eq!(forced.status.code(), Some(1));
    assert!(stdout(&forced).contains("3 was expected (const)"));
    let strict = taxon(&["validate", "--strict", "."], dir.path());
    assert_eq!(strict.status.code(), Some(1));
}

#[test]
fn fix_repairs_whitespace_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let messy = SKILL.replace('\n', "  \r\n") + "\r\n\r\n";
    let path = write_leaf(
        dir.path(),
        "compositional_skills/notes/action_items",
        &messy,
        true,
    );
    let before = taxon(&["validate", "."], dir.path());
    assert_eq!(before.status.code(), Some(1));
    let fixed = taxon(&["validate", "--fix", "."], dir.path());
    assert_eq!(fixed.status.code(), Some(0), "{}", stdout(&fixed));
    assert_eq!(fs::read_to_string(path).unwrap(), SKILL);
}

#[test]
fn bad_input_is_a_clear_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let invalid_utf8 = root.join("compositional_skills/a/qna.yaml");
    fs::create_dir_all(invalid_utf8.parent().unwrap()).unwrap();
    fs::write(&invalid_utf8, b"version: 3\ncreated_by: \xff\xfe\n").unwrap();
    let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let p = i - 1;
        bomb.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    write_leaf(root, "compositional_skills/b", &bomb, true);
    let huge = root.join("compositional_skills/c/qna.yaml");
    fs::create_dir_all(huge.parent().unwrap()).unwrap();
    fs::write(&huge, vec![b'#'; 17 * 1024 * 1024]).unwrap();
    let out = taxon(&["validate", "--format", "json", "."], root);
    let lines: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let first_error = |i: usize| lines[i]["errors"][0].clone();
    assert_eq!(first_error(0)["rule"], "encoding");
    assert_eq!(
        (
            first_error(0)["line"].as_u64(),
            first_error(0)["col"].as_u64()
        ),
        (Some(2), Some(13))
    );
    assert!(
        first_error(1)["message"]
            .as_str()
            .unwrap()
            .contains("alias bomb")
    );
    assert_eq!(first_error(2)["rule"], "file-too-large");
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn usage_and_missing_paths_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(
        taxon(&["validate", "nowhere"], dir.path()).status.code(),
        Some(2)
    );
    assert_eq!(
        taxon(&["validate", "--format", "xml"], dir.path())
            .status
            .code(),
        Some(2)
    );
    let not_repo = taxon(&["diff"], dir.path());
    assert_eq!(not_repo.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&not_repo.stderr).contains("is not inside a git repository"));
}

#[cfg(unix)]
#[test]
fn a_looping_symlink_is_named_as_one_not_as_missing() {
    // Issue 13: a self-looping symlink was reported as "no such file or folder".
    let dir = tempfile::tempdir().unwrap();
    let leaf = dir.path().join("knowledge/loop");
    std::fs::create_dir_all(&leaf).unwrap();
    std::os::unix::fs::symlink("qna.yaml", leaf.join("qna.yaml")).unwrap();
    let out = taxon(&["validate", "knowledge/loop/qna.yaml"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.contains("symbolic link that never reaches a file") && text.contains("(symlink)"),
        "{text}"
    );
    assert!(!String::from_utf8_lossy(&out.stderr).contains("no such file"));
}

#[cfg(unix)]
#[test]
fn a_symlink_leaving_the_root_is_refused_when_named_as_when_walked() {
    // Issue 13: such a link was refused during a walk but followed when named.
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("qna.yaml"), "version: 3\n").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let leaf = dir.path().join("knowledge/evil");
    std::fs::create_dir_all(&leaf).unwrap();
    std::os::unix::fs::symlink(outside.path().join("qna.yaml"), leaf.join("qna.yaml")).unwrap();
    for arg in [".", "knowledge/evil/qna.yaml"] {
        let out = taxon(&["validate", arg], dir.path());
        assert_eq!(out.status.code(), Some(1), "{arg}");
        let text = stdout(&out);
        assert!(text.contains("outside the taxonomy root"), "{arg}: {text}");
    }
}

/// `taxon validate --upstream-only` on `text` as a skill leaf: the exit code and
/// what it printed.
fn validate_skill(text: &str) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().unwrap();
    write_leaf(dir.path(), "compositional_skills/case", text, true);
    let out = taxon(
        &[
            "validate",
            "--upstream-only",
            "compositional_skills/case/qna.yaml",
        ],
        dir.path(),
    );
    (out.status.code(), stdout(&out))
}

/// The sample skill with its first answer replaced by `answer` (a value after
/// `answer:`, continuation lines included).
fn with_first_answer(answer: &str) -> String {
    SKILL.replacen(
        " Bo sends the deck by Friday.\n",
        &format!(" {answer}\n"),
        1,
    )
}

#[test]
fn accepts_what_pyyaml_accepts() {
    // Issue 13: each of these loads in PyYAML 6.0.3 and passes upstream's checks.
    let accepted = [
        // Quoted scalars whose continuation lines sit left of YAML 1.2's indentation.
        with_first_answer("'Why did the scarecrow get a prize?\n\n  He was outstanding.\n\n  '"),
        with_first_answer("\"Yes. The private ranges are\n  these three:\n        10.0.0.0/8\""),
        with_first_answer("'less\nindented than the key'"),
        // A byte-order mark inside a plain scalar.
        with_first_answer("Bo sends\u{feff} the deck."),
        // LS at the end of a literal line.
        with_first_answer("|\n      Bo sends the deck.\u{2028}\n"),
        // The escape of a lone surrogate.
        with_first_answer("\"Bo sends \\ud800 the deck.\""),
    ];
    for text in accepted {
        let (code, out) = validate_skill(&text);
        assert_eq!(code, Some(0), "{text:?}:\n{out}");
    }
}

#[test]
fn refuses_what_pyyaml_refuses_with_its_reason() {
    // Issue 13: each of these upstream refuses; taxon passed them.
    let refused = [
        // LS inside the last block scalar ends its line: `y` is then a key without `:`.
        (
            format!("{SKILL}notes: |\n  x\u{2028}y\n"),
            "could not find expected ':'",
        ),
        (
            format!("%YAML 9.9\n---\n{SKILL}"),
            "found incompatible YAML document",
        ),
        // PyYAML skips one byte-order mark: the second is part of the first key.
        (
            format!("\u{feff}\u{feff}{SKILL}"),
            r"'\ufeffversion' was unexpected",
        ),
        (
            "...\n".to_owned(),
            "expected the node content, but found '<document end>'",
        ),
    ];
    for (text, reason) in refused {
        let (code, out) = validate_skill(&text);
        assert_eq!(code, Some(1), "{text:?}:\n{out}");
        assert!(
            out.contains(reason),
            "{text:?}: wanted {reason:?} in\n{out}"
        );
    }
}

#[test]
fn messages_say_what_upstream_says() {
    // Issue 13: 200,000 seed examples without an alias are no alias bomb.
    let mut many = SKILL.to_owned();
    for i in 0..200_000 {
        many.push_str(&format!(
            "  - question: Question {i}?\n    answer: Answer {i}.\n"
        ));
    }
    let (code, out) = validate_skill(&many);
    assert_eq!(code, Some(0), "{}", &out[..out.len().min(2000)]);
    // `[a: 1]` is a mapping in a sequence to PyYAML, not a parse it fails.
    let (code, out) = validate_skill(&format!("{SKILL}extra: [a: 1]\n"));
    assert_eq!(code, Some(1));
    assert!(out.contains("Unevaluated properties"), "{out}");
    assert!(!out.contains("reads this differently"), "{out}");
    // An integer beyond 128 bits is an integer, as Python reads it.
    let big = "1234567890123456789012345678901234567890123";
    let (code, out) =
        validate_skill(&SKILL.replace("created_by: ada", &format!("created_by: {big}")));
    assert_eq!(code, Some(1));
    assert!(
        out.contains(&format!("{big} is not of type 'string'")),
        "{out}"
    );
    let (code, out) = validate_skill(&SKILL.replace("version: 3", &format!("version: {big}")));
    assert_eq!(code, Some(1));
    assert!(
        out.contains(&format!("Cannot load schema file v{big}/")),
        "{out}"
    );
    // `!!set` is a set, which the schema refuses, as upstream's jsonschema does.
    let (code, out) = validate_skill(&SKILL.replace("created_by: ada", "created_by: !!set {ada}"));
    assert_eq!(code, Some(1));
    assert!(out.contains("{'ada'} is not of type 'string'"), "{out}");
}

/// Runs taxon, failing the test if it has not ended within a minute (a read that
/// blocks on a FIFO or never ends on /dev/zero would hang it).
fn taxon_within_a_minute(args: &[&str], cwd: &Path) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_taxon"))
        .args(args)
        .current_dir(cwd)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run taxon");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            panic!("taxon {args:?} hung");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}

#[test]
fn fix_goes_through_links_and_never_splits_copies_or_hangs() {
    use std::os::unix::fs::{MetadataExt, symlink};
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let messy = SKILL.replace('\n', "  \n");
    // A leaf that is a link to a file inside the taxonomy: the file is fixed, the link
    // stays a link.
    let real = write_leaf(root, "compositional_skills/shared/real", &messy, true);
    let linked = root.join("compositional_skills/linked");
    fs::create_dir_all(&linked).unwrap();
    fs::write(linked.join("attribution.txt"), "notes\n").unwrap();
    symlink(&real, linked.join("qna.yaml")).unwrap();
    // A leaf with a second name (a hard link): not fixed, both names keep one file.
    let twin = write_leaf(root, "compositional_skills/twin", &messy, true);
    fs::hard_link(&twin, root.join("twin-elsewhere.yaml")).unwrap();
    // A FIFO named qna.yaml, and a link to /dev/zero given by name.
    let fifo = root.join("compositional_skills/fifo/qna.yaml");
    fs::create_dir_all(fifo.parent().unwrap()).unwrap();
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let zero = root.join("compositional_skills/zero/qna.yaml");
    fs::create_dir_all(zero.parent().unwrap()).unwrap();
    symlink("/dev/zero", &zero).unwrap();

    let out = taxon_within_a_minute(&["validate", "--fix", "."], root);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        fs::symlink_metadata(linked.join("qna.yaml"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(fs::read_to_string(&real).unwrap(), SKILL, "{said}");
    assert_eq!(fs::read_to_string(&twin).unwrap(), messy);
    assert_eq!(fs::metadata(&twin).unwrap().nlink(), 2);
    assert!(
        said.contains("hard links, which a repaired copy would split"),
        "{said}"
    );
    assert!(stdout(&out).contains("is not a file"), "{}", stdout(&out));

    // Named or walked, the link is refused by the one symlink rule: a finding.
    let named = ["validate", "--fix", "compositional_skills/zero/qna.yaml"];
    let out = taxon_within_a_minute(&named, root);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("symbolic link to /dev/zero, outside the taxonomy root"),
        "{}",
        stdout(&out)
    );
    let named = ["validate", "--fix", "compositional_skills/fifo/qna.yaml"];
    let out = taxon_within_a_minute(&named, root);
    assert!(stdout(&out).contains("is not a file"), "{}", stdout(&out));
    assert!(
        fs::symlink_metadata(&zero)
            .unwrap()
            .file_type()
            .is_symlink()
    );
}

#[test]
fn a_fresh_leaf_warns_of_each_placeholder_left() {
    use taxon::taxonomy::leaf::LeafKind;
    use taxon::taxonomy::template::NewLeaf;
    let dir = tempfile::tempdir().unwrap();
    let leaf = NewLeaf {
        kind: LeafKind::FreeformSkill,
        place: "writing/poetry/haiku".into(),
        created_by: String::new(),
    };
    leaf.create(dir.path()).unwrap();
    let out = taxon(&["validate", "."], dir.path());
    assert_eq!(out.status.code(), Some(0), "placeholders are warnings");
    let text = stdout(&out);
    for field in [
        "created_by",
        "task_description",
        "example 1 question",
        "example 5 answer",
    ] {
        assert!(
            text.contains(&format!(
                "{field} still holds the placeholder \"(fill me in)\""
            )),
            "{field} is named:\n{text}"
        );
    }
    assert!(text.contains("(placeholder)"), "{text}");
}
