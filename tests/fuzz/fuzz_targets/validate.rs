//! Parse-and-validate must never panic, whatever the bytes: run with
//! `RUSTC_BOOTSTRAP=1 cargo fuzz run --fuzz-dir tests/fuzz validate`.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use taxon::taxonomy::fix::fix_whitespace;
use taxon::taxonomy::validate::{Attribution, Options, validate_bytes, yamllint_findings};

fuzz_target!(|data: &[u8]| {
    let strict = Options {
        strict: true,
        ..Options::default()
    };
    // The bytes as a file holds them: what is not UTF-8 is the validator's to refuse.
    for path in ["compositional_skills/a/qna.yaml", "knowledge/a/qna.yaml", "elsewhere/qna.yaml"] {
        let report = validate_bytes(Path::new(path), data.to_vec(), Attribution::Missing, &strict);
        if std::str::from_utf8(data).is_err() {
            assert!(report.diagnostics.iter().any(|d| d.rule == "encoding"));
        }
    }
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = yamllint_findings(text);
    if let Some(fixed) = fix_whitespace(text).fixed {
        // A repair is idempotent: what it left, it leaves again.
        assert_eq!(fix_whitespace(&fixed).fixed, None);
    }
});
