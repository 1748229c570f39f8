//! The ASCII whitespace of Python's `string.whitespace`, which is also the ASCII
//! part of Rust's `char::is_whitespace`: for the rules that trim or count it byte
//! by byte.

/// Whether `b` is a space, tab, line feed, vertical tab, form feed or carriage
/// return. Written without branches, so that loops over bytes are vectorised.
pub(crate) fn is_space(b: u8) -> bool {
    b == b' ' || b.wrapping_sub(b'\t') < 5
}

#[cfg(test)]
mod tests {
    #[test]
    fn is_pythons_string_whitespace_and_rusts_for_ascii() {
        for b in 0..=u8::MAX {
            let python = matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c);
            assert_eq!(super::is_space(b), python, "{b:#04x}");
            if b.is_ascii() {
                assert_eq!(
                    super::is_space(b),
                    char::from(b).is_whitespace(),
                    "{b:#04x}"
                );
            }
        }
    }
}
