#!/usr/bin/env bash
# Builds the web console (web/) into web/dist, which `vigil serve` serves. Installs the npm
# packages pinned by web/package-lock.json when they are missing or changed, and rebuilds only when a
# source is newer than the last build. Needs Node.js >= 18 and npm (tools/setup.sh installs them).
# Usage: bash tools/build_web.sh [--force | --install-only]
set -euo pipefail
cd "$(dirname "$0")/../web"

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "build_web: node and npm are needed (apt-get install nodejs npm)" >&2
  exit 1
fi
major="$(node -p 'process.versions.node.split(".")[0]')"
if (( major < 18 )); then
  echo "build_web: Node.js $(node --version) is too old; 18 or newer is needed" >&2
  exit 1
fi

stamp=node_modules/.vigil-lock-stamp
if [[ ! -f "$stamp" ]] || ! cmp -s package-lock.json "$stamp"; then
  echo "==> installing the console's npm packages (locked versions)"
  # `npm install --no-save` installs the versions package-lock.json pins and leaves it as it is.
  # Not `npm ci`: current npm leaves rollup's per-platform optional packages out of the lock and
  # `npm ci` then refuses the lock as out of sync.
  npm install --no-save --no-audit --no-fund --loglevel=error
  cp package-lock.json "$stamp"
fi

if [[ "${1:-}" == "--install-only" ]]; then
  exit 0
fi
if [[ "${1:-}" != "--force" && -f dist/index.html ]] &&
   [[ -z "$(find src public index.html vite.config.ts package-lock.json -newer dist/index.html -print -quit)" ]]; then
  echo "==> console is up to date (web/dist)"
  exit 0
fi
echo "==> building the console (web/dist)"
npm run --silent build
