#!/usr/bin/env bash
# Installs, builds and runs every test: unit and golden tests (ctest), the reference-data suite
# (skips itself when ../shared is absent), then the libFuzzer targets for a short bounded time.
# Usage: bash tools/test.sh            (VIGIL_FUZZ_SECONDS=30 per target by default; 0 skips)
set -euo pipefail
cd "$(dirname "$0")/.."
export TZ=UTC
bash tools/setup.sh
# Debian's Chromium drives the console's end-to-end test (tests/web, playwright-core).
if [[ "${1:-}" != "--no-apt" ]] && ! command -v chromium >/dev/null 2>&1; then
  if [[ $(id -u) -eq 0 ]]; then SUDO=""; else SUDO="sudo"; fi
  echo "==> installing chromium for the console's end-to-end test"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi

echo "==> unit, golden and end-to-end tests"
ctest --test-dir build --output-on-failure -j2 --timeout 600

FUZZ_SECONDS="${VIGIL_FUZZ_SECONDS:-30}"
if [[ "$FUZZ_SECONDS" != "0" ]]; then
  echo "==> fuzz targets (clang, ASan+UBSan), ${FUZZ_SECONDS}s each"
  export CCACHE_DIR="${CCACHE_DIR:-$PWD/.cache/ccache}"
  CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DVIGIL_BUILD_FUZZ=ON -DVIGIL_BUILD_TESTS=OFF -DVIGIL_BUILD_BENCH=OFF >/dev/null
  ninja -C build-fuzz -j2
  bash tools/run_fuzzers.sh build-fuzz "$FUZZ_SECONDS"
fi
echo "==> all tests passed"
