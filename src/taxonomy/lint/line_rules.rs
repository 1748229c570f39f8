//! yamllint's line rules: `empty-lines` (max 2, max-start 0, max-end 0),
//! `new-line-at-end-of-file`, `new-lines` (unix) and `trailing-spaces`.

use super::Problem;
use crate::taxonomy::whitespace::is_space;

/// One line as yamllint's line generator cuts them: split on `\n`, with a `\r`
/// before the `\n` left out; `start` and `end` are byte offsets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Line {
    /// 1-based.
    pub line_no: usize,
    pub start: usize,
    pub end: usize,
}

/// The lines of `text`, the last one possibly empty.
pub(super) fn lines(text: &str) -> Vec<Line> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    for (at, _) in text.match_indices('\n') {
        let end = if at > 0 && bytes[at - 1] == b'\r' {
            at - 1
        } else {
            at
        };
        out.push(Line {
            line_no: out.len() + 1,
            start,
            end,
        });
        start = at + 1;
    }
    out.push(Line {
        line_no: out.len() + 1,
        start,
        end: text.len(),
    });
    out
}

/// The lines of a text whose only line breaks are `\n`, from the offsets where its
/// lines start (as [`Source`](super::tokens::Source) finds them): what [`lines`]
/// gives, without searching the text again.
pub(super) fn lines_from_starts(text: &str, starts: &[usize]) -> Vec<Line> {
    let ends = starts.iter().skip(1).map(|&next| next - 1);
    starts
        .iter()
        .zip(ends.chain([text.len()]))
        .enumerate()
        .map(|(index, (&start, end))| Line {
            line_no: index + 1,
            start,
            end,
        })
        .collect()
}

/// The column (1-based, in characters) of byte offset `at` on `line`.
fn column(text: &str, line: &Line, at: usize) -> usize {
    text[line.start..at].chars().count() + 1
}

/// `empty-lines` with relaxed's limits.
pub(super) fn empty_lines(text: &str, line: &Line) -> Option<Problem> {
    const MAX: usize = 2;
    const MAX_START: usize = 0;
    const MAX_END: usize = 0;
    let buffer = text.as_bytes();
    if line.start != line.end || line.end >= buffer.len() {
        return None;
    }
    // Only the last blank line of a series is reported.
    let rest = &buffer[line.end..];
    if rest.starts_with(b"\n\n") || rest.starts_with(b"\r\n\r\n") {
        return None;
    }
    let mut blank_lines = 0;
    let mut start = line.start;
    while start >= 2 && &buffer[start - 2..start] == b"\r\n" {
        blank_lines += 1;
        start -= 2;
    }
    while start >= 1 && buffer[start - 1] == b'\n' {
        blank_lines += 1;
        start -= 1;
    }
    let mut max = MAX;
    if start == 0 {
        blank_lines += 1; // the first line has no line break before it
        max = MAX_START;
    }
    let at_end = (line.end == buffer.len() - 1 && buffer[line.end] == b'\n')
        || (line.end + 2 == buffer.len() && &buffer[line.end..] == b"\r\n");
    if at_end {
        if line.end == 0 {
            return None; // a file of one line break is fine
        }
        max = MAX_END;
    }
    (blank_lines > max).then(|| Problem {
        line: line.line_no,
        column: 1,
        message: format!("too many blank lines ({blank_lines} > {max})"),
    })
}

/// `new-line-at-end-of-file`.
pub(super) fn new_line_at_end_of_file(text: &str, line: &Line) -> Option<Problem> {
    (line.end == text.len() && line.end > line.start).then(|| Problem {
        line: line.line_no,
        column: column(text, line, line.end),
        message: "no new line character at the end of file".into(),
    })
}

/// `new-lines` with type unix: judged on the first line break only.
pub(super) fn new_lines(text: &str, line: &Line) -> Option<Problem> {
    (line.start == 0 && text.len() > line.end && text.as_bytes()[line.end] != b'\n').then(|| {
        Problem {
            line: 1,
            column: column(text, line, line.end),
            message: "wrong new line character: expected \\n".into(),
        }
    })
}

/// `trailing-spaces`.
pub(super) fn trailing_spaces(text: &str, line: &Line) -> Option<Problem> {
    if line.end == 0 {
        return None;
    }
    let buffer = text.as_bytes();
    let mut pos = line.end;
    while pos > line.start && is_space(buffer[pos - 1]) {
        pos -= 1;
    }
    (pos != line.end && matches!(buffer[pos], b' ' | b'\t')).then(|| Problem {
        line: line.line_no,
        column: column(text, line, pos),
        message: "trailing spaces".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str, rule: fn(&str, &Line) -> Option<Problem>) -> Vec<(usize, usize, String)> {
        lines(text)
            .iter()
            .filter_map(|line| rule(text, line))
            .map(|p| (p.line, p.column, p.message))
            .collect()
    }

    #[test]
    fn blank_lines_at_start_middle_and_end() {
        assert_eq!(
            run("\na: 1\n\n\n\nb: 2\n\n", empty_lines),
            [
                (1, 1, "too many blank lines (1 > 0)".to_string()),
                (5, 1, "too many blank lines (3 > 2)".to_string()),
                (7, 1, "too many blank lines (1 > 0)".to_string()),
            ]
        );
        assert!(run("\n", empty_lines).is_empty());
    }

    #[test]
    fn trailing_spaces_and_missing_final_newline() {
        assert_eq!(
            run("a: é  \nb: 1", trailing_spaces),
            [(1, 5, "trailing spaces".to_string())]
        );
        assert_eq!(
            run("a: 1\nb: 1", new_line_at_end_of_file),
            [(2, 5, "no new line character at the end of file".to_string())]
        );
    }

    #[test]
    fn crlf_is_reported_once_on_the_first_line() {
        assert_eq!(
            run("a: 1\r\nb: 2\r\n", new_lines),
            [(1, 5, "wrong new line character: expected \\n".to_string())]
        );
    }
}
