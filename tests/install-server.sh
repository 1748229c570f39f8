#!/usr/bin/env bash
# Builds llama.cpp's own OpenAI-compatible server, `llama-server`, for the remote-backend
# tests (tests/generate_remote.rs), and prints the binary's path on stdout (progress goes
# to stderr): `export TAXON_LLAMA_SERVER="$(bash tests/install-server.sh)"`.
#
# The source is the llama-cpp-python sdist on PyPI, which vendors the whole llama.cpp
# tree (the llama-cpp-sys-2 crate ships no tool sources); only the `llama-server` target
# is built, statically linked, in about 4 minutes on 2 cores. Everything lives in a
# per-user cache outside target/ (`${XDG_CACHE_HOME:-$HOME/.cache}/taxon-ci`), the build
# in a folder keyed by the version and the CMake flags, so a second run (or a clean
# checkout) finds it and returns at once. Idempotent.
#
# Not -march=native: on these CPUs GGML_NATIVE also turns on AMX, whose code dies with
# SIGILL or crashes; the flags are those of taxon's own llama.cpp build (AVX2).
set -euo pipefail

version=0.3.36
sdist_sha256=832db0699007f1be95a7e41ef12e88926b02ba836461e36a36372db2760c1a2e
cmake_args=(
    -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF
    -DLLAMA_BUILD_SERVER=ON -DLLAMA_BUILD_TOOLS=ON -DLLAMA_BUILD_EXAMPLES=OFF
    -DLLAMA_BUILD_TESTS=OFF -DLLAMA_CURL=OFF -DLLAMA_OPENSSL=OFF
    -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON
)

cache="${XDG_CACHE_HOME:-$HOME/.cache}/taxon-ci"
key=$(printf '%s\n' "$version" "${cmake_args[@]}" | sha256sum | cut -c1-12)
build="$cache/llama-server/$version-$key"
server="$build/bin/llama-server"

if [ -x "$server" ] && "$server" --version >/dev/null 2>&1; then
    echo "$server"
    exit 0
fi

# The sdist, fetched with pip (which needs scikit-build-core to read its metadata).
sdist="$cache/sdist/llama_cpp_python-$version.tar.gz"
if ! echo "$sdist_sha256  $sdist" | sha256sum --check --status 2>/dev/null; then
    echo "== downloading the llama-cpp-python $version sdist (llama.cpp's sources) into $cache/sdist" >&2
    python3 -m venv "$cache/sdist/venv"
    "$cache/sdist/venv/bin/pip" install --quiet --disable-pip-version-check scikit-build-core >&2
    "$cache/sdist/venv/bin/pip" download --quiet --disable-pip-version-check --no-deps \
        --no-binary :all: --no-build-isolation -d "$cache/sdist" "llama-cpp-python==$version" >&2
    echo "$sdist_sha256  $sdist" | sha256sum --check --quiet >&2
fi

echo "== building llama-server from llama.cpp (llama-cpp-python $version's copy) into $build" >&2
work="$build.partial"
rm -rf "$work"
mkdir -p "$work"
tar xzf "$sdist" -C "$work"
cmake -S "$work/llama_cpp_python-$version/vendor/llama.cpp" -B "$work/build" "${cmake_args[@]}" \
    >"$work/cmake.log" 2>&1 || { tail -20 "$work/cmake.log" >&2; exit 1; }
cmake --build "$work/build" -j "$(nproc)" --target llama-server \
    >"$work/build.log" 2>&1 || { tail -20 "$work/build.log" >&2; exit 1; }
mkdir -p "$work/bin"
cp "$work/build/bin/llama-server" "$work/bin/"
"$work/bin/llama-server" --version >&2
# Only the binary is kept; the folder appears whole or not at all.
rm -rf "$work/build" "$work/llama_cpp_python-$version"
rm -rf "$build"
mv "$work" "$build"
echo "$server"
