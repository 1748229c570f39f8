//! `--fix`: repairs whitespace-only problems (CRLF line ends, trailing spaces, blank
//! lines at the start or end, a missing final newline) without changing any value.

use super::yaml::{self, Document, NodeId, Value};

/// Why a file was not fixed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FixError {
    /// The repaired text would load to different values.
    #[error("not fixed: the whitespace repair would change the values in the file")]
    WouldChangeValues,
}

/// The whitespace-repaired text, or `None` when there is nothing to repair.
///
/// The repair is refused when the original parses and the result would hold
/// different values (ignoring whitespace at line ends and the end of strings).
pub fn fix_whitespace(text: &str) -> Result<Option<String>, FixError> {
    let unix = text.replace("\r\n", "\n");
    let mut lines: Vec<&str> = unix
        .split('\n')
        .map(|line| line.trim_end_matches([' ', '\t']))
        .collect();
    while lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    let leading_blank = lines.iter().take_while(|l| l.is_empty()).count();
    let body = &lines[leading_blank..];
    let fixed = if body.is_empty() {
        String::new()
    } else {
        body.join("\n") + "\n"
    };
    if fixed == text {
        return Ok(None);
    }
    if let (Ok(before), Ok(after)) = (yaml::load(text), yaml::load(&fixed))
        && !same_values(&before, before.root_id(), &after, after.root_id())
    {
        return Err(FixError::WouldChangeValues);
    }
    Ok(Some(fixed))
}

fn loose(text: &str) -> String {
    text.lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n")
        .trim_end()
        .to_owned()
}

fn same_values(a: &Document, x: Option<NodeId>, b: &Document, y: Option<NodeId>) -> bool {
    let (Some(x), Some(y)) = (x, y) else {
        return x.is_none() && y.is_none();
    };
    match (&a.node(x).value, &b.node(y).value) {
        (Value::Str(s), Value::Str(t)) => loose(s) == loose(t),
        (Value::Seq(s), Value::Seq(t)) => {
            s.len() == t.len()
                && s.iter()
                    .zip(t)
                    .all(|(&i, &j)| same_values(a, Some(i), b, Some(j)))
        }
        (Value::Map(s), Value::Map(t)) => {
            s.len() == t.len()
                && s.iter().zip(t).all(|(e, f)| {
                    same_values(a, Some(e.key), b, Some(f.key))
                        && same_values(a, Some(e.value), b, Some(f.value))
                })
        }
        (v, w) => v == w,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repairs_whitespace_only() {
        let text = "\r\n\r\nversion: 3  \r\ntask_description: >\r\n  Say hi.\t\r\n\r\n\r\n";
        assert_eq!(
            fix_whitespace(text).unwrap().as_deref(),
            Some("version: 3\ntask_description: >\n  Say hi.\n")
        );
        assert_eq!(fix_whitespace("a: 1").unwrap().as_deref(), Some("a: 1\n"));
        assert_eq!(fix_whitespace("a: 1\n").unwrap(), None);
    }

    #[test]
    fn leaves_broken_yaml_fixable() {
        assert_eq!(
            fix_whitespace("a: [1 \n").unwrap().as_deref(),
            Some("a: [1\n")
        );
    }
}
