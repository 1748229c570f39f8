//! Upstream's validator for the differential tests: a Python with instructlab-schema
//! 0.4.2, yamllint 1.38.0 and PyYAML 6.0.3. Include with
//! `#[path = "support/upstream.rs"] mod upstream;`.

use std::path::PathBuf;

/// The Python of upstream's venv: `TAXON_UPSTREAM_PYTHON`, which `tests/ci.sh` sets to
/// the venv `tests/install-upstream.sh` keeps in the per-user CI cache.
pub fn upstream_python() -> PathBuf {
    match std::env::var_os("TAXON_UPSTREAM_PYTHON") {
        Some(python) => PathBuf::from(python),
        None => panic!(
            "upstream's validator is not known: `bash tests/ci.sh` sets TAXON_UPSTREAM_PYTHON; \
             by hand, `export TAXON_UPSTREAM_PYTHON=\"$(bash tests/install-upstream.sh)\"` \
             (a python with instructlab-schema==0.4.2, yamllint==1.38.0 and PyYAML==6.0.3)"
        ),
    }
}
