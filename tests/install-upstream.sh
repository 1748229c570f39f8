#!/usr/bin/env bash
# Installs upstream's validator (instructlab-schema with the yamllint and PyYAML it is
# judged with) into a venv for the differential tests, and prints the venv's python on
# stdout (progress goes to stderr):
# `export TAXON_UPSTREAM_PYTHON="$(bash tests/install-upstream.sh)"`.
#
# The venv lives in a per-user cache outside target/ (`${XDG_CACHE_HOME:-$HOME/.cache}/
# taxon-ci`), in a folder keyed by the Python version and the packages, so a second run
# (or a clean checkout) finds it and returns at once. Idempotent.
set -euo pipefail

packages=(instructlab-schema==0.4.2 yamllint==1.38.0 PyYAML==6.0.3)

cache="${XDG_CACHE_HOME:-$HOME/.cache}/taxon-ci"
key=$( (python3 --version; printf '%s\n' "${packages[@]}") | sha256sum | cut -c1-12)
venv="$cache/upstream-venv/$key"
python="$venv/bin/python"

# An interrupted install fails the import check and is made again.
if ! "$python" -c 'import instructlab.schema, yamllint' 2>/dev/null; then
    echo "== installing upstream's validator (${packages[*]}) into $venv" >&2
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "${packages[@]}" >&2
fi
echo "$python"
