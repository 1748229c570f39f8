//! Byte scans by blocks of 64 bytes: a test written without branches is vectorised
//! over a block, and only the block that holds a flagged byte is looked at closely.

/// The bytes of one block.
const BLOCK: usize = 64;

/// The offset, from `from` on, where the first block holding a byte that `flagged`
/// picks out starts, or where the tail shorter than a block starts: no byte between
/// `from` and it is flagged. `flagged` must have no branches to be vectorised.
pub(crate) fn skip_unflagged_blocks(
    bytes: &[u8],
    from: usize,
    flagged: impl Fn(u8) -> bool,
) -> usize {
    let mut at = from;
    while let Some(block) = bytes.get(at..at + BLOCK) {
        if block.iter().fold(false, |any, &b| any | flagged(b)) {
            break;
        }
        at += BLOCK;
    }
    at
}

/// The offset of the first byte from `from` on that `flagged` picks out, or the
/// length of `bytes` when there is none.
pub(crate) fn find_flagged(bytes: &[u8], from: usize, flagged: impl Fn(u8) -> bool) -> usize {
    let at = skip_unflagged_blocks(bytes, from, &flagged);
    bytes[at..]
        .iter()
        .position(|&b| flagged(b))
        .map_or(bytes.len(), |offset| at + offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_flagged_byte_at_every_place_in_and_across_blocks() {
        let is_x = |b: u8| b == b'x';
        for len in [0, 1, 63, 64, 65, 127, 128, 200] {
            let clean = vec![b'.'; len];
            assert_eq!(find_flagged(&clean, 0, is_x), len);
            for place in 0..len {
                let mut bytes = clean.clone();
                bytes[place] = b'x';
                assert_eq!(find_flagged(&bytes, 0, is_x), place, "{len} {place}");
                let skipped = skip_unflagged_blocks(&bytes, 0, is_x);
                assert!(skipped <= place && bytes[..skipped].iter().all(|&b| b != b'x'));
                for from in [place / 2, place, place + 1] {
                    let expected = if from <= place { place } else { len };
                    assert_eq!(
                        find_flagged(&bytes, from, is_x),
                        expected,
                        "{len} {place} {from}"
                    );
                }
            }
        }
    }
}
