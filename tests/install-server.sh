#!/usr/bin/env bash
# Installs llama-cpp-python's OpenAI-compatible server into target/server-venv, for
# the remote-backend tests (tests/generate_remote.rs). Idempotent: does nothing when
# the venv holds this version built with these flags. PyPI has no binary wheel of
# llama-cpp-python for Linux, so pip compiles its bundled llama.cpp from the sdist
# (about half an hour on 2 busy cores; only the library, no tools, tests or llava).
# Not -march=native: on CPUs with AMX, llama.cpp's AMX matrix code crashed the
# server (segfault in ggml_backend_amx_mul_mat on any prompt of several tokens),
# so the build targets AVX2, like taxon's own llama.cpp. No pip cache: a cached
# wheel would ignore changed flags.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=target/server-venv
version=0.3.36
cmake_args="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON -DLLAVA_BUILD=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_TOOLS=OFF -DLLAMA_BUILD_SERVER=OFF"
stamp="llama-cpp-python[server]==$version $cmake_args $(sha256sum tests/server-requirements.txt | cut -d' ' -f1)"

if [ "$(cat "$venv/.taxon-install" 2>/dev/null)" = "$stamp" ] &&
    "$venv/bin/python" -c 'import llama_cpp.server' 2>/dev/null; then
    exit 0
fi

echo "== installing llama-cpp-python[server]==$version into $venv (compiles llama.cpp)"
rm -rf "$venv"
python3 -m venv "$venv"
export CMAKE_BUILD_PARALLEL_LEVEL=2 MAKEFLAGS=-j2 CMAKE_ARGS="$cmake_args"
"$venv/bin/pip" install --quiet --disable-pip-version-check --no-cache-dir \
    -r tests/server-requirements.txt "llama-cpp-python[server]==$version"
echo "$stamp" > "$venv/.taxon-install"
