//! The three output formats of findings: human, GitHub annotations, JSON lines.

use std::io::{self, Write};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use anstyle::{AnsiColor, Style};
use serde::Serialize;

use crate::taxonomy::diagnostic::{Diagnostic, RuleOrigin, Severity, rule_origin};

use super::args::Format;

const PATH_STYLE: Style = Style::new().bold();
const ERROR_STYLE: Style = AnsiColor::Red.on_default();
const WARNING_STYLE: Style = AnsiColor::Yellow.on_default();
const RULE_STYLE: Style = Style::new().dimmed();

/// `path` relative to the working directory when it is below it, as upstream prints it.
pub fn display_path(path: &Path) -> PathBuf {
    display_path_from(path, std::env::current_dir().ok().as_deref())
}

/// [`display_path`] with the working directory (`cwd`) already known, for a
/// caller that shows many paths.
pub fn display_path_from(path: &Path, cwd: Option<&Path>) -> PathBuf {
    shown_as_is(path, cwd).map_or_else(|| normalised_from(path, cwd), Path::to_owned)
}

/// The part of `path` that is shown, when no normalising can change it: a relative
/// path, or an absolute one below `cwd`, whose every component is a name.
fn shown_as_is<'p>(path: &'p Path, cwd: Option<&Path>) -> Option<&'p Path> {
    let bytes = path.as_os_str().as_encoded_bytes();
    let relative = if path.is_relative() {
        bytes
    } else {
        let below = bytes.strip_prefix(cwd?.as_os_str().as_encoded_bytes())?;
        below.strip_prefix(b"/")?
    };
    let names_only = relative
        .split(|&b| b == b'/')
        .all(|name| !matches!(name, b"" | b"." | b".."));
    // The bytes stripped are a prefix ending at a separator: a whole path.
    let start = bytes.len() - relative.len();
    names_only.then(|| Path::new(std::ffi::OsStr::from_bytes(&bytes[start..])))
}

/// [`display_path_from`] by making `path` absolute and taking the working
/// directory off.
fn normalised_from(path: &Path, cwd: Option<&Path>) -> PathBuf {
    let absolute = match cwd {
        Some(cwd) if path.is_relative() => std::path::absolute(cwd.join(path)),
        _ => std::path::absolute(path),
    }
    .unwrap_or_else(|_| path.to_owned());
    let relative = cwd
        .and_then(|cwd| absolute.strip_prefix(cwd).ok().map(Path::to_owned))
        .unwrap_or_else(|| path.to_owned());
    if relative.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        relative
    }
}

/// The message as upstream prints it: yamllint findings end in `(rule)`.
fn upstream_message(d: &Diagnostic) -> String {
    match rule_origin(d.rule) {
        RuleOrigin::Yamllint | RuleOrigin::Taxon => format!("{} ({})", d.message, d.rule),
        RuleOrigin::Schema | RuleOrigin::Upstream => d.message.clone(),
    }
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    line: usize,
    col: usize,
    yaml_path: Option<&'a str>,
    rule: &'a str,
    message: &'a str,
}

#[derive(Serialize)]
struct JsonFile<'a> {
    path: std::borrow::Cow<'a, str>,
    errors: Vec<JsonFinding<'a>>,
    warnings: Vec<JsonFinding<'a>>,
}

fn json_findings(diagnostics: &[Diagnostic], severity: Severity) -> Vec<JsonFinding<'_>> {
    diagnostics
        .iter()
        .filter(|d| d.severity == severity)
        .map(|d| JsonFinding {
            line: d.line,
            col: d.col,
            yaml_path: d.yaml_path.as_deref(),
            rule: d.rule,
            message: &d.message,
        })
        .collect()
}

/// Writes the findings of one file in `format`; `shown` is the file's path as it
/// is shown (see [`display_path`]).
pub fn write_file_findings(
    out: &mut impl Write,
    format: Format,
    shown: &Path,
    diagnostics: &[Diagnostic],
) -> io::Result<()> {
    match format {
        Format::Json => {
            let file = JsonFile {
                path: shown.to_string_lossy(),
                errors: json_findings(diagnostics, Severity::Error),
                warnings: json_findings(diagnostics, Severity::Warning),
            };
            serde_json::to_writer(&mut *out, &file)?;
            writeln!(out)
        }
        Format::Github => {
            for d in diagnostics {
                let level = match d.severity {
                    Severity::Error => "error",
                    Severity::Warning => "warning",
                };
                let location = match &d.yaml_path {
                    Some(yaml_path) => format!("{}:{} [{yaml_path}]", d.line, d.col),
                    None => format!("{}:{}", d.line, d.col),
                };
                writeln!(
                    out,
                    "::{level} file={},line={},col={}::{location} {}",
                    shown.display(),
                    d.line,
                    d.col,
                    upstream_message(d)
                )?;
            }
            Ok(())
        }
        Format::Human => {
            for d in diagnostics {
                let style = match d.severity {
                    Severity::Error => ERROR_STYLE,
                    Severity::Warning => WARNING_STYLE,
                };
                let yaml_path = d
                    .yaml_path
                    .as_deref()
                    .map(|p| format!(" [{p}]"))
                    .unwrap_or_default();
                writeln!(
                    out,
                    "{PATH_STYLE}{}:{}:{}{PATH_STYLE:#}{yaml_path} {style}{}{style:#} {RULE_STYLE}({}){RULE_STYLE:#}",
                    shown.display(),
                    d.line,
                    d.col,
                    d.message,
                    d.rule
                )?;
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_shown_the_same_with_the_working_directory_known() {
        let cwd = std::env::current_dir().unwrap();
        let cwd_text = cwd.display().to_string();
        for path in [
            PathBuf::from("knowledge/a/qna.yaml"),
            PathBuf::from("./knowledge//a/./qna.yaml"),
            PathBuf::from("knowledge/a/"),
            PathBuf::from("knowledge/../a/qna.yaml"),
            PathBuf::from("knowledge/a/.."),
            PathBuf::from("../elsewhere/qna.yaml"),
            PathBuf::from("."),
            PathBuf::from(""),
            cwd.clone(),
            cwd.join("knowledge/a/qna.yaml"),
            cwd.join("knowledge/./a//qna.yaml"),
            PathBuf::from(format!("{cwd_text}/")),
            PathBuf::from(format!("{cwd_text}x/qna.yaml")),
            PathBuf::from(format!("{cwd_text}//knowledge/qna.yaml")),
            PathBuf::from("/somewhere/else/qna.yaml"),
        ] {
            let shown = display_path_from(&path, Some(&cwd));
            assert_eq!(shown, display_path(&path), "{path:?}");
            assert_eq!(shown, normalised_from(&path, Some(&cwd)), "{path:?}");
            assert!(!shown.starts_with(&cwd), "{path:?} is shown as {shown:?}");
        }
        assert_eq!(
            display_path_from(&cwd.join("a/qna.yaml"), Some(&cwd)),
            PathBuf::from("a/qna.yaml")
        );
    }

    fn findings() -> Vec<Diagnostic> {
        vec![
            Diagnostic::new(Severity::Error, 3, 1, "trailing-spaces", "trailing spaces"),
            Diagnostic::new(
                Severity::Error,
                1,
                1,
                "required",
                "'domain' is a required property",
            )
            .at_path("."),
            Diagnostic::new(
                Severity::Warning,
                9,
                5,
                "empty-lines",
                "too many blank lines (1 > 0)",
            ),
        ]
    }

    fn render(format: Format) -> String {
        let mut out = Vec::new();
        write_file_findings(
            &mut out,
            format,
            Path::new("knowledge/a/qna.yaml"),
            &findings(),
        )
        .unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn github_matches_upstream_ci() {
        assert_eq!(
            render(Format::Github),
            "::error file=knowledge/a/qna.yaml,line=3,col=1::3:1 trailing spaces (trailing-spaces)\n\
             ::error file=knowledge/a/qna.yaml,line=1,col=1::1:1 [.] 'domain' is a required property\n\
             ::warning file=knowledge/a/qna.yaml,line=9,col=5::9:5 too many blank lines (1 > 0) (empty-lines)\n"
        );
    }

    #[test]
    fn json_is_one_object_per_file() {
        let line = render(Format::Json);
        let value: serde_json::Value = serde_json::from_str(line.trim_end()).unwrap();
        assert_eq!(value["path"], "knowledge/a/qna.yaml");
        assert_eq!(value["errors"].as_array().unwrap().len(), 2);
        assert_eq!(value["errors"][1]["yaml_path"], ".");
        assert_eq!(value["warnings"][0]["rule"], "empty-lines");
        assert_eq!(value["warnings"][0]["col"], 5);
    }

    #[test]
    fn human_is_path_line_col_path_message_rule() {
        let plain = anstream::adapter::strip_str(&render(Format::Human)).to_string();
        assert!(plain.starts_with("knowledge/a/qna.yaml:3:1 trailing spaces (trailing-spaces)\n"));
        assert!(
            plain.contains(
                "knowledge/a/qna.yaml:1:1 [.] 'domain' is a required property (required)\n"
            )
        );
    }
}
