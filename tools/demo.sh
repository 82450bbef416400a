#!/usr/bin/env bash
# The main job on the embedded default: install, build, generate and load the demo data into
# ./vigil-data, and show what the store holds.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
VIGIL=./build/apps/vigil/vigil
echo "==> vigil demo"
"$VIGIL" --data ./vigil-data demo
echo "==> vigil tables"
"$VIGIL" --data ./vigil-data tables
