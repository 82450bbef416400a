#!/usr/bin/env bash
# Installs Vigil's build dependencies from Debian 12 packages and builds it (Release-ish,
# RelWithDebInfo) into ./build with Ninja and ccache. Safe to run again: rebuilds incrementally.
# Usage: bash tools/setup.sh [--no-apt]
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config git
  clang libclang-rt-14-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libsimdjson-dev libpugixml-dev libzip-dev zlib1g-dev
  libzstd-dev liblz4-dev libxxhash-dev
  libfmt-dev libspdlog-dev libexpected-dev libcli11-dev
  libre2-dev libssl-dev libmaxminddb-dev libgeos-dev libs2-dev
  libyaml-cpp-dev libvectorscan-dev libsqlite3-dev
  libevtx-utils unzip
  libboost-dev
)
# Node.js and npm build the web console (web/) and run its tests and the API contract test
# (tests/api_node); a machine that already has them
# (e.g. from NodeSource, whose nodejs bundles npm and conflicts with Debian's npm) keeps its own.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  PACKAGES+=(nodejs npm)
fi

if [[ "${1:-}" != "--no-apt" ]]; then
  if [[ $(id -u) -eq 0 ]]; then SUDO=""; else SUDO="sudo"; fi
  echo "==> installing build dependencies (apt-get)"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >/dev/null
fi

export CCACHE_DIR="${CCACHE_DIR:-$PWD/.cache/ccache}"
BUILD_DIR="${VIGIL_BUILD_DIR:-build}"
echo "==> configuring ($BUILD_DIR)"
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo ${VIGIL_CMAKE_ARGS:-} >/dev/null
echo "==> building with $(nproc) job(s) max 2"
ninja -C "$BUILD_DIR" -j2
bash tools/build_web.sh
