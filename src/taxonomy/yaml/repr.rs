//! Python's `repr()` of loaded values, for messages shaped like upstream's.

use std::fmt::Write;

use super::node::{Document, NodeId, Value};

/// The longest repr built; longer values end in `...`.
const MAX_REPR_CHARS: usize = 400;

/// Formats the node as Python's `repr()` would show the value `safe_load` built.
pub fn python_repr(doc: &Document, id: NodeId) -> String {
    let mut out = String::new();
    write_repr(doc, id, &mut out);
    if out.chars().count() > MAX_REPR_CHARS {
        let cut: String = out.chars().take(MAX_REPR_CHARS).collect();
        return cut + "...";
    }
    out
}

fn write_repr(doc: &Document, id: NodeId, out: &mut String) {
    if out.len() > MAX_REPR_CHARS * 4 {
        return;
    }
    match &doc.node(id).value {
        Value::Null => out.push_str("None"),
        Value::Bool(true) => out.push_str("True"),
        Value::Bool(false) => out.push_str("False"),
        Value::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Value::BigInt(digits) => out.push_str(digits),
        Value::Float(f) => out.push_str(&float_repr(*f)),
        Value::Str(s) => out.push_str(&str_repr(s)),
        Value::Timestamp(t) => {
            let _ = write!(out, "datetime({})", str_repr(t));
        }
        Value::Binary(b) => {
            let _ = write!(out, "b{}", str_repr(b.trim()));
        }
        Value::Seq(items) => write_items(doc, items, ('[', ']'), out),
        Value::Tuple(items) => write_items(doc, items, ('(', ')'), out),
        Value::Set(members) if members.is_empty() => out.push_str("set()"),
        Value::Set(members) => write_items(doc, members, ('{', '}'), out),
        Value::Map(entries) => {
            out.push('{');
            for (i, entry) in entries.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_repr(doc, entry.key, out);
                out.push_str(": ");
                write_repr(doc, entry.value, out);
            }
            out.push('}');
        }
    }
}

fn write_items(doc: &Document, items: &[NodeId], (open, close): (char, char), out: &mut String) {
    out.push(open);
    for (i, &item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        write_repr(doc, item, out);
    }
    out.push(close);
}

fn float_repr(f: f64) -> String {
    if f.is_nan() {
        "nan".into()
    } else if f.is_infinite() {
        if f > 0.0 { "inf".into() } else { "-inf".into() }
    } else if f == f.trunc() && f.abs() < 1e16 {
        format!("{f:.1}")
    } else {
        format!("{f}")
    }
}

/// Python's `repr()` of a `str`: single quotes unless the text holds a single
/// quote and no double quote; backslash escapes for control characters.
pub(crate) fn str_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if !is_printable(c) => {
                // A lone surrogate's stand-in (see `yaml::scanner`) shows as the surrogate.
                let code = match u32::from(c) {
                    stand_in @ 0x10_F800.. => stand_in - 0x10_F800 + 0xD800,
                    code => code,
                };
                let _ = if code < 0x100 {
                    write!(out, "\\x{code:02x}")
                } else if code < 0x1_0000 {
                    write!(out, "\\u{code:04x}")
                } else {
                    write!(out, "\\U{code:08x}")
                };
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// Python's `str.isprintable` for one character, but for unassigned code points
/// (which it also escapes): not a control, format, separator (the space aside),
/// surrogate or private-use character.
fn is_printable(c: char) -> bool {
    !matches!(
        c,
        '\u{0}'..='\u{1f}'
            | '\u{7f}'..='\u{a0}'
            | '\u{ad}'
            | '\u{600}'..='\u{605}'
            | '\u{61c}'
            | '\u{6dd}'
            | '\u{70f}'
            | '\u{890}'..='\u{891}'
            | '\u{8e2}'
            | '\u{1680}'
            | '\u{180e}'
            | '\u{2000}'..='\u{200f}'
            | '\u{2028}'..='\u{202f}'
            | '\u{205f}'..='\u{2064}'
            | '\u{2066}'..='\u{206f}'
            | '\u{3000}'
            | '\u{e000}'..='\u{f8ff}'
            | '\u{feff}'
            | '\u{fff9}'..='\u{fffb}'
            | '\u{110bd}'
            | '\u{110cd}'
            | '\u{1d173}'..='\u{1d17a}'
            | '\u{e0001}'
            | '\u{e0020}'..='\u{e007f}'
            | '\u{f0000}'..
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_quote_like_python() {
        assert_eq!(str_repr("plain"), "'plain'");
        assert_eq!(str_repr("it's"), "\"it's\"");
        assert_eq!(str_repr("both ' and \""), "'both \\' and \"'");
        assert_eq!(str_repr("a\nb\t"), "'a\\nb\\t'");
        // Checked against Python 3.11's repr().
        assert_eq!(
            str_repr("\u{feff}x\u{2028}\u{a0}é\u{85}"),
            "'\\ufeffx\\u2028\\xa0é\\x85'"
        );
        assert_eq!(str_repr("\u{10f800}\u{f0000}"), "'\\ud800\\U000f0000'");
    }

    #[test]
    fn floats_print_like_python() {
        assert_eq!(float_repr(3.0), "3.0");
        assert_eq!(float_repr(2.5), "2.5");
        assert_eq!(float_repr(f64::INFINITY), "inf");
    }
}
