//! What the fuzz target asserts of one input, shared by `tests/fuzz` (libFuzzer)
//! and `tests/fuzz_corpus.rs` (a fixed corpus in the ordinary test suite):
//! validation never panics whatever the bytes, bytes that are not UTF-8 are
//! refused as an `encoding` error (never dropped), and the whitespace repair of
//! `--fix` is idempotent. Include with `#[path = "…/support/fuzz_check.rs"]`.

use std::path::Path;

use taxon::taxonomy::fix::fix_whitespace;
use taxon::taxonomy::validate::{Attribution, Options, validate_bytes, yamllint_findings};

/// Checks `data` as a leaf of each kind; panics on what must not happen.
pub fn check(data: &[u8]) {
    let strict = Options {
        strict: true,
        ..Options::default()
    };
    // The bytes as a file holds them: what is not UTF-8 is the validator's to refuse.
    for path in [
        "compositional_skills/a/qna.yaml",
        "knowledge/a/qna.yaml",
        "elsewhere/qna.yaml",
    ] {
        let report = validate_bytes(
            Path::new(path),
            data.to_vec(),
            Attribution::Missing,
            &strict,
        );
        if std::str::from_utf8(data).is_err() {
            assert!(
                report.diagnostics.iter().any(|d| d.rule == "encoding"),
                "bytes that are not UTF-8 were not refused as `encoding`"
            );
        }
    }
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = yamllint_findings(text);
    if let Some(fixed) = fix_whitespace(text).fixed {
        // A repair is idempotent: what it left, it leaves again.
        assert_eq!(
            fix_whitespace(&fixed).fixed,
            None,
            "--fix is not idempotent"
        );
    }
}
