#!/usr/bin/env bash
# Installs everything nbaprops needs on Debian 12, idempotently: system libraries with apt-get,
# Python packages with pip. Safe to run again; skips apt when every package is already present.
set -euo pipefail
APT_PACKAGES=(
  build-essential cmake ninja-build pkg-config
  # Compiler cache: the core library is compiled once for the C++ tests and reused by the Python build.
  ccache
  libtbb-dev libboost-log-dev nlohmann-json3-dev libcurl4-openssl-dev libsqlite3-dev libssl-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  # The sanitizer build and the libFuzzer targets (make test-sanitize): clang and its runtimes.
  clang libclang-rt-14-dev
  # make tidy: the checks of .clang-tidy.
  clang-tidy
  # The crash suite kills a backfill at an exact write (tests/python/test_crash.py).
  strace
)
# The rows' legacy data_hash: many short SHA-256 messages hashed side by side (core/sha256_batch.hpp). Intel's
# library is built for x86-64 only; elsewhere the build hashes them with OpenSSL.
if [ "$(dpkg --print-architecture 2>/dev/null)" = amd64 ]; then APT_PACKAGES+=(libipsec-mb-dev); fi
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "install-deps: apt-get install ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
PY=${PYTHON:-python3}
$PY -m pip install -q --disable-pip-version-check -r "$(dirname "$0")/../requirements-dev.txt"
