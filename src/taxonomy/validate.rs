//! The validation ladder of upstream's `TaxonomyParser.parse` plus CI's attribution
//! check, with taxon's soft-limit warnings on top.

use std::path::{Path, PathBuf};

use bumpalo::Bump;

use super::diagnostic::{Diagnostic, Severity};
use super::fastpath;
use super::leaf::{ATTRIBUTION_FILE, LEAF_FILE, LeafKind, leaf_relative, schema_for};
use super::lint::{self, SyntaxError};
use super::qna::Qna;
use super::schema;
use super::soft_limits;
use super::yaml::parser::first_syntax_problem;
use super::yaml::{self, LoadErrorKind, Value};

/// Files larger than this are refused before parsing.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// How to validate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Options {
    /// Force this schema version on every file (upstream CI forces 3); `None` uses
    /// each file's own `version`.
    pub schema_version: Option<i128>,
    /// Turn yamllint warnings into errors, as `ilab taxonomy diff` does.
    pub strict: bool,
    /// Leave out taxon's soft-limit warnings (used to compare with upstream).
    pub upstream_only: bool,
}

/// What is known of the `attribution.txt` beside a leaf.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attribution {
    /// There is no such file.
    Missing,
    /// The file exists but is empty.
    Empty,
    /// The file exists and has content.
    Present,
}

impl Attribution {
    /// Looks for the attribution file beside `leaf_file`.
    pub fn beside(leaf_file: &Path) -> Self {
        let path = leaf_file.with_file_name(ATTRIBUTION_FILE);
        match std::fs::metadata(&path) {
            Ok(meta) if meta.is_file() && meta.len() > 0 => Self::Present,
            Ok(meta) if meta.is_file() => Self::Empty,
            _ => Self::Missing,
        }
    }
}

/// The outcome of validating one file.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// The file, as it was named.
    pub path: PathBuf,
    /// The leaf's kind, once its content could be read.
    pub kind: Option<LeafKind>,
    /// The leaf's content, once it could be read.
    pub qna: Option<Qna>,
    /// The findings, in upstream's order.
    pub diagnostics: Vec<Diagnostic>,
}

impl Report {
    fn new(path: &Path) -> Self {
        Self {
            path: path.to_owned(),
            kind: None,
            qna: None,
            diagnostics: Vec::new(),
        }
    }

    /// The report of a file not validated yet: its kind guessed from its path.
    pub fn unchecked(path: &Path) -> Self {
        let leaf_path = leaf_relative(path);
        Self {
            kind: Some(LeafKind::classify(
                leaf_path.as_deref().unwrap_or(path),
                &Qna::default(),
            )),
            ..Self::new(path)
        }
    }

    fn with(mut self, diagnostic: Diagnostic) -> Self {
        self.diagnostics.push(diagnostic);
        self
    }

    /// How many errors.
    pub fn error_count(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    /// How many warnings.
    pub fn warning_count(&self) -> usize {
        self.diagnostics.len() - self.error_count()
    }

    /// Whether the file is accepted (it may still have warnings).
    pub fn is_valid(&self) -> bool {
        self.error_count() == 0
    }
}

fn file_error(rule: &'static str, message: impl Into<String>) -> Diagnostic {
    Diagnostic::new(Severity::Error, 1, 1, rule, message)
}

/// Reads and validates one file on disk.
pub fn validate_file(path: &Path, options: &Options) -> Report {
    let report = Report::new(path);
    if path.file_name() != Some(std::ffi::OsStr::new(LEAF_FILE)) {
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        return report.with(file_error(
            "file-name",
            format!("Taxonomy file must be named \"{LEAF_FILE}\"; \"{name}\" is not a valid name"),
        ));
    }
    match read_leaf(path) {
        Ok(bytes) => validate_bytes(path, bytes, Attribution::beside(path), options),
        Err(diagnostic) => report.with(diagnostic),
    }
}

/// Validates the bytes of a leaf file that is at `path`: text that is not UTF-8 is
/// an error placed at the first invalid byte.
pub fn validate_bytes(
    path: &Path,
    bytes: Vec<u8>,
    attribution: Attribution,
    options: &Options,
) -> Report {
    match String::from_utf8(bytes) {
        Ok(text) => validate_text(path, &text, attribution, options),
        Err(e) => {
            let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
            let (line, col) = end_position(valid);
            Report::new(path).with(Diagnostic::new(
                Severity::Error,
                line,
                col,
                "encoding",
                format!(
                    "the file is not valid UTF-8 (invalid byte 0x{:02x} at byte offset {})",
                    e.as_bytes()[valid.len()],
                    valid.len()
                ),
            ))
        }
    }
}

/// The bytes of the leaf file at `path`: opened once (without waiting on a FIFO),
/// then checked to be a regular file of at most [`MAX_FILE_BYTES`].
pub(crate) fn read_leaf(path: &Path) -> Result<Vec<u8>, Diagnostic> {
    use std::io::Read;
    use std::os::unix::fs::OpenOptionsExt;
    let cannot_read = |e: std::io::Error| file_error("read", format!("cannot read the file: {e}"));
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
        .map_err(cannot_read)?;
    let meta = file.metadata().map_err(cannot_read)?;
    if !meta.is_file() {
        let message = format!("\"{}\" is not a file", path.display());
        return Err(file_error("read", message));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(file_error(
            "file-too-large",
            format!(
                "the file is {} bytes; taxon reads leaf files of at most {MAX_FILE_BYTES} bytes",
                meta.len()
            ),
        ));
    }
    // One read, of one byte more than its size: getting exactly its size, the file
    // is read whole. A file read short, or grown since, goes on to its end.
    let size = meta.len() as usize;
    let mut bytes = Vec::with_capacity(size + 1);
    // Into the vector's spare capacity, which is not zeroed first.
    let read = loop {
        match rustix::io::read(&file, rustix::buffer::spare_capacity(&mut bytes)) {
            Err(rustix::io::Errno::INTR) => {}
            read => break read.map_err(|errno| cannot_read(errno.into()))?,
        }
    };
    if read != size {
        file.read_to_end(&mut bytes).map_err(cannot_read)?;
    }
    Ok(bytes)
}

/// The 1-based line and column just after `bytes`, which are valid UTF-8.
fn end_position(bytes: &[u8]) -> (usize, usize) {
    let text = String::from_utf8_lossy(bytes);
    let line = text.matches('\n').count() + 1;
    let col = text
        .rsplit('\n')
        .next()
        .map_or(0, |tail| tail.chars().count())
        + 1;
    (line, col)
}

/// The text yamllint lints: it decodes a file with `utf_8_sig`, which drops one
/// byte-order mark (its PyYAML scanner skips one more).
fn lint_text(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

/// What yamllint (with upstream's configuration) reports on `text`, syntax errors
/// included, whatever the file's version.
pub fn yamllint_findings(text: &str) -> Vec<Diagnostic> {
    let text = lint_text(text);
    let syntax = first_syntax_problem(text).map(|problem| SyntaxError {
        line: problem.mark.line() + 1,
        col: problem.mark.column() + 1,
        message: format!("syntax error: {}", problem.problem),
    });
    lint::lint(text, syntax.as_ref())
}

/// Validates the text of a leaf file named `path` (the name decides the schema, as
/// upstream); `attribution` is the state of the file beside it.
pub fn validate_text(
    path: &Path,
    text: &str,
    attribution: Attribution,
    options: &Options,
) -> Report {
    let text = &*universal_newlines(text);
    let mut report = Report::new(path);
    // A file in the block YAML leaves are written in is read once, by the fast
    // path; anything else goes through the loader and the scanner. PyYAML skips a
    // byte-order mark at the start, as yamllint does: the fast path reads the text
    // without it (and leaves a second one to the loader).
    let arena = Bump::new();
    let (doc, findings) = match fastpath::scan(lint_text(text), &arena) {
        Ok(scanned) => (scanned.document, scanned.findings),
        Err(_) => match full_read(text) {
            Ok(read) => read,
            Err(diagnostics) => {
                report.diagnostics = diagnostics;
                return report;
            }
        },
    };
    if doc.is_falsy() {
        return report.with(Diagnostic::new(
            Severity::Warning,
            1,
            1,
            "empty-file",
            "The file is empty",
        ));
    }
    let Some(root) = doc.root_id() else {
        return report;
    };
    if !matches!(doc.node(root).value, Value::Map(_)) {
        return report.with(file_error(
            "top-level-mapping",
            "The file is not valid. The top-level element is not an object with key-value pairs.",
        ));
    }
    let own_version = doc.get(root, "version").map(|id| &doc.node(id).value);
    let version = match options.schema_version {
        Some(forced) => Some(forced),
        None => file_version(own_version),
    };
    if version.is_some_and(|v| v > 1) {
        report.diagnostics.extend(findings.into_iter().map(|mut d| {
            if options.strict {
                d.severity = Severity::Error;
            }
            d
        }));
    }
    let schema_name = schema_for(path, doc.get(root, "document").is_some());
    report
        .diagnostics
        .extend(schema::validate(&doc, schema_name, version));
    if version.is_some_and(|v| v > 1) {
        match attribution {
            Attribution::Present => {}
            Attribution::Missing => report.diagnostics.push(file_error(
                "attribution",
                format!("The \"{ATTRIBUTION_FILE}\" file does not exist or is not a file"),
            )),
            Attribution::Empty => report.diagnostics.push(file_error(
                "attribution",
                format!("The \"{ATTRIBUTION_FILE}\" file must be non-empty"),
            )),
        }
    }
    let qna = Qna::from_document(&doc);
    let leaf_path = leaf_relative(path);
    let kind = LeafKind::classify(leaf_path.as_deref().unwrap_or(path), &qna);
    if !options.upstream_only {
        let folders = leaf_path.as_deref().unwrap_or(Path::new(LEAF_FILE));
        report
            .diagnostics
            .extend(soft_limits::check(kind, &qna, folders));
    }
    report.kind = Some(kind);
    report.qna = Some(qna);
    report
}

/// The loader's document and yamllint's findings, or, on a text the loader cannot
/// read, the error that stopped it (upstream's parser raises it alone).
fn full_read(text: &str) -> Result<(yaml::Document, Vec<Diagnostic>), Vec<Diagnostic>> {
    let error = match yaml::load(text) {
        Ok(doc) => return Ok((doc, lint::lint_loaded(lint_text(text)))),
        Err(error) => error,
    };
    let (rule, message) = match error.kind {
        LoadErrorKind::Syntax => ("syntax", format!("syntax error: {}", error.message)),
        LoadErrorKind::Construct => ("yaml", error.message),
    };
    Err(vec![Diagnostic::new(
        Severity::Error,
        error.line,
        error.col,
        rule,
        message,
    )])
}

/// The text as upstream reads it: Python's universal newlines turn `\r\n` and a
/// lone `\r` into `\n`.
pub fn universal_newlines(text: &str) -> std::borrow::Cow<'_, str> {
    if memchr::memchr(b'\r', text.as_bytes()).is_some() {
        text.replace("\r\n", "\n").replace('\r', "\n").into()
    } else {
        text.into()
    }
}

/// The version upstream uses for a file's own `version` value: the integer, else
/// `int(value)` when Python can convert it, else 1; `None` for a boolean, which
/// upstream keeps as is and for which no schema exists.
fn file_version(value: Option<&Value>) -> Option<i128> {
    match value {
        None => Some(1),
        Some(Value::Int(i)) => Some(*i),
        // Beyond any schema version either way; the schema check names it.
        Some(Value::BigInt(digits)) if digits.starts_with('-') => Some(i128::MIN),
        Some(Value::BigInt(_)) => Some(i128::MAX),
        Some(Value::Bool(_)) => None,
        Some(Value::Float(f)) if f.is_finite() => Some(f.trunc() as i128),
        Some(Value::Float(f)) if f.is_nan() => Some(1),
        // int(inf) raises OverflowError, which upstream does not catch: the file fails.
        Some(Value::Float(_)) => None,
        Some(Value::Str(s)) => Some(python_int(s).unwrap_or(1)),
        Some(_) => Some(1),
    }
}

/// Python's `int(str)`: surrounding whitespace, a sign, digits and single underscores.
fn python_int(text: &str) -> Option<i128> {
    let trimmed = text.trim();
    let digits = trimmed.strip_prefix(['+', '-']).unwrap_or(trimmed);
    let well_formed = !digits.is_empty()
        && !digits.starts_with('_')
        && !digits.ends_with('_')
        && !digits.contains("__")
        && digits.chars().all(|c| c.is_ascii_digit() || c == '_');
    if !well_formed {
        return None;
    }
    trimmed.replace('_', "").parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_that_are_not_utf8_are_refused_at_the_first_bad_byte() {
        let path = Path::new("compositional_skills/a/qna.yaml");
        let bytes = b"version: 3\nta\xc3sk: x\n".to_vec();
        let report = validate_bytes(path, bytes, Attribution::Missing, &Options::default());
        let [only] = report.diagnostics.as_slice() else {
            panic!("{:?}", report.diagnostics);
        };
        assert_eq!((only.rule, only.line, only.col), ("encoding", 2, 3));
        assert!(
            only.message.contains("0xc3 at byte offset 13"),
            "{}",
            only.message
        );
        let text = b"version: 3\n".to_vec();
        let report = validate_bytes(path, text, Attribution::Missing, &Options::default());
        assert!(report.diagnostics.iter().all(|d| d.rule != "encoding"));
    }

    #[test]
    fn versions_follow_python() {
        assert_eq!(file_version(None), Some(1));
        assert_eq!(file_version(Some(&Value::Int(3))), Some(3));
        assert_eq!(file_version(Some(&Value::Float(3.9))), Some(3));
        assert_eq!(file_version(Some(&Value::Str(" 2 ".into()))), Some(2));
        assert_eq!(file_version(Some(&Value::Str("three".into()))), Some(1));
        assert_eq!(file_version(Some(&Value::Bool(true))), None);
        assert_eq!(file_version(Some(&Value::Float(f64::INFINITY))), None);
    }

    #[test]
    fn leaf_files_are_read_whole_whatever_their_size() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("qna.yaml");
        for size in [0, 1, 4095, 4096, 4097, 300_000] {
            let content: Vec<u8> = (0..size).map(|i| b'a' + (i % 26) as u8).collect();
            std::fs::write(&path, &content).unwrap();
            assert_eq!(read_leaf(&path).unwrap(), content, "{size} bytes");
        }
    }

    #[test]
    fn a_fifo_or_a_folder_named_like_a_leaf_is_refused_without_waiting() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo/qna.yaml");
        std::fs::create_dir_all(fifo.parent().unwrap()).unwrap();
        let name = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: `name` is a valid, NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o600) }, 0);
        let folder = dir.path().join("folder/qna.yaml");
        std::fs::create_dir_all(&folder).unwrap();
        for path in [fifo, folder] {
            let report = validate_file(&path, &Options::default());
            let [finding] = &report.diagnostics[..] else {
                panic!("{path:?}: {:?}", report.diagnostics);
            };
            assert_eq!(finding.rule, "read");
            assert!(
                finding.message.ends_with("is not a file"),
                "{}",
                finding.message
            );
        }
        let misnamed = validate_file(&dir.path().join("qna.yml"), &Options::default());
        assert!(
            misnamed.diagnostics[0]
                .message
                .contains("\"qna.yml\" is not a valid name")
        );
    }

    #[test]
    fn a_syntax_error_is_reported_alone_where_pyyaml_raises_it() {
        // Upstream's parser raises on the syntax error alone: the trailing spaces
        // before it are not reported (yamllint never runs).
        let path = Path::new("compositional_skills/a/qna.yaml");
        let text = "version: 3  \nseed_examples: [\n";
        let report = validate_text(path, text, Attribution::Present, &Options::default());
        let found: Vec<_> = report
            .diagnostics
            .iter()
            .map(|d| (d.line, d.col, d.rule))
            .collect();
        assert_eq!(found, [(3, 1, "syntax")]);
    }

    #[test]
    fn rejects_non_mappings_and_warns_on_empty() {
        let path = Path::new("compositional_skills/a/qna.yaml");
        let list = validate_text(
            path,
            "- a\n- b\n",
            Attribution::Present,
            &Options::default(),
        );
        assert_eq!(list.diagnostics[0].rule, "top-level-mapping");
        let empty = validate_text(path, "{}\n", Attribution::Present, &Options::default());
        assert_eq!(empty.diagnostics[0].rule, "empty-file");
        assert!(empty.is_valid());
    }
}
