#!/usr/bin/env bash
# Runs the console's component tests (Vitest). Skips (77) without node/npm.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
command -v node >/dev/null && command -v npm >/dev/null || { echo "node/npm not installed"; exit 77; }
bash "$root/tools/build_web.sh" --install-only
cd "$root/web"
exec npx --no-install vitest run --reporter=default
