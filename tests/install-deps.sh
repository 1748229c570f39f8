#!/usr/bin/env bash
# Installs the system packages the build needs (llama.cpp via llama-cpp-2: cmake
# and libclang for bindgen). Idempotent: calls apt-get only when one is missing.
set -euo pipefail

have_libclang() {
    compgen -G '/usr/lib/llvm-*/lib/libclang.so*' >/dev/null ||
        compgen -G '/usr/lib/x86_64-linux-gnu/libclang*.so*' >/dev/null
}

if command -v cmake >/dev/null && have_libclang; then
    exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
$sudo apt-get update
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends cmake libclang-dev
