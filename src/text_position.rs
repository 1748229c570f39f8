//! Places in a text: the 1-based line and column of a byte offset, for errors
//! that point into a file the user wrote.

/// The 1-based line and column (in characters) of byte `offset` in `text`; an
/// offset past the end is the end.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns_count_from_one_in_characters() {
        let text = "ab\nçd\n";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 3), (2, 1));
        assert_eq!(line_column(text, 5), (2, 2), "ç is one column");
        assert_eq!(line_column(text, 99), (3, 1));
    }
}
