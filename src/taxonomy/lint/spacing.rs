//! yamllint's spacing rules around indicators: `hyphens` (max 1 space after),
//! `colons` (none before, max 1 after), `commas` (none before, exactly 1 after),
//! `braces` and `brackets` (max 1 space inside, as relaxed sets them).

use super::Problem;
use super::tokens::{Kind, Source, Token};

/// The tokens around the one being checked.
pub(super) struct Around<'t> {
    pub prev: Option<&'t Token<'t>>,
    pub token: &'t Token<'t>,
    pub next: Option<&'t Token<'t>>,
}

/// yamllint's `spaces_after`: the spaces between `token` and the next token on its
/// line, against `max` and `min` (`None` for no limit).
fn spaces_after(
    at: &Around<'_>,
    min: Option<usize>,
    max: Option<usize>,
    min_desc: &str,
    max_desc: &str,
) -> Option<Problem> {
    let next = at.next?;
    if at.token.end.line() != next.start.line() {
        return None;
    }
    let spaces = next.start.pointer().saturating_sub(at.token.end.pointer());
    let line = at.token.start.line() + 1;
    if max.is_some_and(|max| spaces > max) {
        Some(Problem::new(line, next.start.column(), max_desc))
    } else if min.is_some_and(|min| spaces < min) {
        Some(Problem::new(line, next.start.column() + 1, min_desc))
    } else {
        None
    }
}

/// yamllint's `spaces_before`: the spaces between the previous token on the line and
/// `token`.
fn spaces_before(
    source: &Source<'_>,
    at: &Around<'_>,
    max: usize,
    max_desc: &str,
) -> Option<Problem> {
    let prev = at.prev?;
    let token = at.token;
    let prev_ends_line =
        prev.end.pointer() > 0 && source.text.as_bytes()[prev.end.pointer() - 1] == b'\n';
    if prev.end.line() != token.start.line() || prev_ends_line {
        return None;
    }
    let spaces = token.start.pointer().saturating_sub(prev.end.pointer());
    (spaces > max).then(|| Problem::new(token.start.line() + 1, token.start.column(), max_desc))
}

/// `hyphens`.
pub(super) fn hyphens(at: &Around<'_>, out: &mut Vec<Problem>) {
    if at.token.kind == Kind::BlockEntry {
        out.extend(spaces_after(
            at,
            None,
            Some(1),
            "",
            "too many spaces after hyphen",
        ));
    }
}

/// `colons`.
pub(super) fn colons(source: &Source<'_>, at: &Around<'_>, out: &mut Vec<Problem>) {
    let token = at.token;
    let after_alias = at
        .prev
        .is_some_and(|p| p.kind == Kind::Alias && token.start.pointer() - p.end.pointer() == 1);
    if token.kind == Kind::Value && !after_alias {
        out.extend(spaces_before(source, at, 0, "too many spaces before colon"));
        out.extend(spaces_after(
            at,
            None,
            Some(1),
            "",
            "too many spaces after colon",
        ));
    }
    if token.kind == Kind::Key && is_explicit_key(source, token) {
        out.extend(spaces_after(
            at,
            None,
            Some(1),
            "",
            "too many spaces after question mark",
        ));
    }
}

/// `commas`.
pub(super) fn commas(source: &Source<'_>, at: &Around<'_>, out: &mut Vec<Problem>) {
    let token = at.token;
    if token.kind != Kind::FlowEntry {
        return;
    }
    match at.prev {
        Some(prev) if prev.end.line() < token.start.line() => out.push(Problem::new(
            token.start.line() + 1,
            token.start.column().max(1),
            "too many spaces before comma",
        )),
        _ => out.extend(spaces_before(source, at, 0, "too many spaces before comma")),
    }
    out.extend(spaces_after(
        at,
        Some(1),
        Some(1),
        "too few spaces after comma",
        "too many spaces after comma",
    ));
}

/// `braces` (`what` = "braces") and `brackets` (`what` = "brackets"): at most one
/// space inside, empty or not.
pub(super) fn inside(
    source: &Source<'_>,
    at: &Around<'_>,
    (open, close, what): (Kind, Kind, &str),
    out: &mut Vec<Problem>,
) {
    let token = at.token;
    if token.kind == open {
        let empty = at.next.is_some_and(|n| n.kind == close);
        let desc = if empty {
            format!("too many spaces inside empty {what}")
        } else {
            format!("too many spaces inside {what}")
        };
        out.extend(spaces_after(at, Some(0), Some(1), "", &desc));
    } else if token.kind == close && at.prev.is_none_or(|p| p.kind != open) {
        out.extend(spaces_before(
            source,
            at,
            1,
            &format!("too many spaces inside {what}"),
        ));
    }
}

/// yamllint's `is_explicit_key`: a `? key` rather than a simple key.
pub(super) fn is_explicit_key(source: &Source<'_>, token: &Token) -> bool {
    token.start.pointer() < token.end.pointer()
        && source.text.as_bytes()[token.start.pointer()] == b'?'
}
