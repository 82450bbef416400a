#!/usr/bin/env bash
# End-to-end test of the console: builds it when needed, then web/e2e/console.e2e.mjs starts a
# real `vigil serve` on fresh demo data and drives Debian's Chromium. Skips (77) without
# node/npm or /usr/bin/chromium.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
vigil="$1"
artifacts="${2:-$root/build/test-artifacts/web-e2e}"
command -v node >/dev/null && command -v npm >/dev/null || { echo "node/npm not installed"; exit 77; }
chromium="${VIGIL_CHROMIUM:-/usr/bin/chromium}"
[[ -x "$chromium" ]] || { echo "$chromium not installed (apt-get install chromium)"; exit 77; }
bash "$root/tools/build_web.sh"
export VIGIL_CHROMIUM="$chromium"
exec node "$root/web/e2e/console.e2e.mjs" "$vigil" "$artifacts"
