//! Parse-and-validate must never panic, whatever the bytes: run with
//! `RUSTC_BOOTSTRAP=1 cargo fuzz run --fuzz-dir tests/fuzz validate`. What it
//! asserts is `tests/support/fuzz_check.rs`, which `tests/fuzz_corpus.rs` also
//! runs over a fixed corpus in the ordinary test suite.
#![no_main]

#[path = "../../support/fuzz_check.rs"]
mod fuzz_check;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| fuzz_check::check(data));
