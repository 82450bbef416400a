#!/usr/bin/env bash
# Installs the test's npm dependencies (once) and runs the Node contract test against the
# given vigil binary. Skips (exit 77) when node or npm is missing.
set -euo pipefail
cd "$(dirname "$0")"
command -v node >/dev/null && command -v npm >/dev/null || { echo "node/npm not installed"; exit 77; }
if [[ ! -d node_modules/@microsoft/microsoft-graph-client ]]; then
  npm install --no-audit --no-fund --silent >/dev/null
fi
# The server's certificate is the self-signed one it generates on loopback.
export NODE_TLS_REJECT_UNAUTHORIZED=0 NODE_NO_WARNINGS=1
exec node graph_client.test.mjs "$1"
