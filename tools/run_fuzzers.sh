#!/usr/bin/env bash
# Runs every built libFuzzer target for a bounded time, seeded from fuzz/corpus/<target>/ when
# present. Fails if any target finds a crash, leak, sanitizer error or an input that runs longer
# than 20 s; a target that does not stop by itself is killed after SECONDS + 120 s (a failure).
# Usage: bash tools/run_fuzzers.sh BUILD_DIR SECONDS
set -euo pipefail
BUILD_DIR="$1"
SECONDS_EACH="$2"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
status=0
for target in "$BUILD_DIR"/fuzz/*_fuzz; do
  [[ -x "$target" ]] || continue
  name="$(basename "$target")"
  corpus="$WORK/$name"
  mkdir -p "$corpus"
  if [[ -d "$ROOT/fuzz/corpus/$name" ]]; then cp -r "$ROOT/fuzz/corpus/$name/." "$corpus/"; fi
  echo "--> $name (${SECONDS_EACH}s)"
  if ! timeout --signal=KILL "$((SECONDS_EACH + 120))" \
      "$target" -max_total_time="$SECONDS_EACH" -timeout=20 -max_len=262144 -rss_limit_mb=2048 \
      -artifact_prefix="$WORK/$name-" -print_final_stats=1 "$corpus" >"$WORK/$name.log" 2>&1; then
    echo "FUZZ FAILURE in $name:"; tail -50 "$WORK/$name.log"
    for artifact in "$WORK/$name"-*; do
      if [[ -f "$artifact" ]]; then
        echo "input $(basename "$artifact") (base64): $(head -c 2000 "$artifact" | base64 -w0)"
      fi
    done
    status=1
  else
    grep -E "stat::number_of_executed_units|Done" "$WORK/$name.log" | tail -2 || true
  fi
done
exit $status
