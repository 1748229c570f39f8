//! Parse-and-validate must never panic, whatever the bytes: run with
//! `RUSTC_BOOTSTRAP=1 cargo fuzz run --fuzz-dir tests/fuzz validate`.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use taxon::taxonomy::fix::fix_whitespace;
use taxon::taxonomy::validate::{Attribution, Options, validate_text, yamllint_findings};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let strict = Options {
        strict: true,
        ..Options::default()
    };
    for path in ["compositional_skills/a/qna.yaml", "knowledge/a/qna.yaml", "elsewhere/qna.yaml"] {
        let _ = validate_text(Path::new(path), text, Attribution::Missing, &strict);
    }
    let _ = yamllint_findings(text);
    if let Some(fixed) = fix_whitespace(text).fixed {
        // A repair is idempotent: what it left, it leaves again.
        assert_eq!(fix_whitespace(&fixed).fixed, None);
    }
});
