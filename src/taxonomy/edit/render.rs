//! Writing a string as a YAML scalar that upstream reads back unchanged and
//! yamllint accepts: plain when safe, quoted when a plain scalar would be read as
//! something else, a `|` block scalar for multi-line text.

use crate::taxonomy::yaml::{self, Value};

/// Characters that cannot start a plain scalar (or change its meaning there).
const INDICATORS: &[char] = &[
    '-', '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`',
];

/// Whether PyYAML reads `c` raw (its reader refuses other characters).
fn printable(c: char) -> bool {
    matches!(c,
        '\t' | '\n' | '\u{20}'..='\u{7e}' | '\u{85}' | '\u{a0}'..='\u{d7ff}'
        | '\u{e000}'..='\u{fffd}' | '\u{10000}'..='\u{10ffff}')
}

/// Whether a YAML 1.2 reader might type the text as a number though PyYAML does not
/// (`0o17`, `1e3`, `.5`): such text is quoted for every reader's sake.
fn looks_numeric(text: &str) -> bool {
    let unsigned = text.strip_prefix(['+', '-']).unwrap_or(text);
    let lower = unsigned.to_ascii_lowercase();
    if matches!(lower.as_str(), ".inf" | ".nan") {
        return true;
    }
    let digits = lower.strip_prefix('.').unwrap_or(&lower);
    digits.starts_with(|c: char| c.is_ascii_digit())
        && lower
            .chars()
            .all(|c| c.is_ascii_hexdigit() || "xo_:.+-".contains(c))
}

/// Whether `text` can be written as a plain scalar on one line and read back as
/// the same string by PyYAML (YAML 1.1: `yes`, `on`, `1:30`, `2024-01-31` are not
/// strings there).
pub fn plain_safe(text: &str) -> bool {
    let Some(first) = text.chars().next() else {
        return false;
    };
    if INDICATORS.contains(&first)
        || text.trim() != text
        || text.contains(": ")
        || text.contains(" #")
        || text.ends_with(':')
        || text
            .chars()
            .any(|c| c == '\t' || c == '\n' || !printable(c))
        || looks_numeric(text)
    {
        return false;
    }
    let Ok(doc) = yaml::load(&format!("k: {text}\n")) else {
        return false;
    };
    doc.root_id()
        .and_then(|root| doc.get(root, "k"))
        .is_some_and(|id| doc.node(id).value == Value::Str(text.to_owned()))
}

/// `text` single-quoted (quotes doubled).
fn single_quoted(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// `text` double-quoted with escapes, for text no other style can hold.
pub fn double_quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if printable(c) => out.push(c),
            c if (c as u32) < 0x100 => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
    out.push('"');
    out
}

/// The lines of a block scalar for `text`, with its chomping indicator, when a
/// block scalar can hold it exactly and pass yamllint (no trailing spaces, no
/// leading space on the first line, no blank lines kept at the end).
fn block_lines(text: &str) -> Option<(&'static str, Vec<&str>)> {
    let (indicator, body) = match text.strip_suffix('\n') {
        Some(body) if body.ends_with('\n') || body.is_empty() => return None,
        Some(body) => ("|", body),
        None => ("|-", text),
    };
    let lines: Vec<&str> = body.split('\n').collect();
    let first = lines.iter().find(|l| !l.is_empty())?;
    let clean = !first.starts_with([' ', '\t'])
        && lines
            .iter()
            .all(|l| !l.ends_with([' ', '\t']) && l.chars().all(|c| c == '\t' || printable(c)));
    clean.then_some((indicator, lines))
}

/// What follows `key:` for the value `text`: ` plain`, ` 'quoted'`, or ` |` and
/// the block's lines indented by `indent` spaces (no final line break).
pub fn scalar_after_key(text: &str, indent: usize) -> String {
    if !text.contains('\n') {
        if plain_safe(text) {
            return format!(" {text}");
        }
        if text.chars().all(|c| printable(c) && c != '\t') {
            return format!(" {}", single_quoted(text));
        }
        return format!(" {}", double_quoted(text));
    }
    match block_lines(text) {
        Some((indicator, lines)) => {
            let pad = " ".repeat(indent);
            let mut out = format!(" {indicator}");
            for line in lines {
                out.push('\n');
                if !line.is_empty() {
                    out.push_str(&pad);
                    out.push_str(line);
                }
            }
            out
        }
        None => format!(" {}", double_quoted(text)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_back(after_key: &str) -> Value {
        let doc = yaml::load(&format!("k:{after_key}\n")).unwrap();
        let id = doc.get(doc.root_id().unwrap(), "k").unwrap();
        doc.node(id).value.clone()
    }

    #[test]
    fn plain_only_when_it_reads_back_as_the_same_string() {
        for safe in ["Paris", "The capital of France", "a-b", "e.g. this", "C++"] {
            assert!(plain_safe(safe), "{safe}");
        }
        for unsafe_text in [
            "yes",
            "No",
            "on",
            "OFF",
            "true",
            "~",
            "null",
            "12",
            "1:30",
            "0o17",
            "1e3",
            ".5",
            "2024-01-31",
            "- item",
            "key: value",
            "a #comment",
            "ends:",
            " lead",
            "trail ",
            "'quoted'",
            "*alias",
            "&anchor",
            "!tag",
            "%x",
            "@x",
            "",
            "[a]",
            "{a}",
        ] {
            assert!(!plain_safe(unsafe_text), "{unsafe_text:?}");
        }
    }

    #[test]
    fn every_style_reads_back_exactly() {
        for text in [
            "Paris",
            "yes",
            "it's: here",
            "",
            "two\nlines",
            "two\nlines\n",
            "para one\n\npara two\n",
            "trailing space \nline",
            "  indented first\nline",
            "kept blank lines\n\n\n",
            "bell \u{7} and del \u{7f}",
            "tab\there",
            "\u{1F600} emoji",
        ] {
            let written = scalar_after_key(text, 2);
            assert_eq!(
                read_back(&written),
                Value::Str(text.to_owned()),
                "{text:?} as {written:?}"
            );
        }
    }

    #[test]
    fn multi_line_text_becomes_a_literal_block() {
        assert_eq!(scalar_after_key("a\n\nb\n", 4), " |\n    a\n\n    b");
        assert_eq!(scalar_after_key("a\nb", 2), " |-\n  a\n  b");
        assert_eq!(scalar_after_key("no", 2), " 'no'");
    }
}
