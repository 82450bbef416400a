#!/usr/bin/env bash
# Benchmark of `vigil serve` with wrk (Debian package `wrk`): cached reads (GET /api/incidents),
# a cheap hunting query, and ingestion over HTTP (POST /api/ingest with JSON-line batches).
# Usage: bash bench/api/api_bench.sh [VIGIL_BINARY] [SECONDS]
# Plain HTTP on loopback (--insecure-http) so the figures are the server's, not TLS's.
set -euo pipefail
VIGIL="${1:-./build/apps/vigil/vigil}"
SECS="${2:-10}"
HERE="$(cd "$(dirname "$0")" && pwd)"
WORK="$(mktemp -d)"
trap 'kill "$SERVER" 2>/dev/null || true; rm -rf "$WORK"' EXIT
command -v wrk >/dev/null || { echo "install wrk (apt-get install wrk)"; exit 1; }

"$VIGIL" --data "$WORK/data" demo --days 3 --devices 6 >/dev/null
CREDS="$("$VIGIL" --data "$WORK/data" apps create bench --role admin)"
ID="$(sed -n 's/^client id: *//p' <<<"$CREDS")"
SECRET="$(sed -n 's/^client secret: *//p' <<<"$CREDS")"
"$VIGIL" --data "$WORK/data" serve --listen 127.0.0.1:18443 --insecure-http --threads 2 \
  --hunting-calls-per-minute 0 \
  >"$WORK/serve.log" 2>&1 &
SERVER=$!
for _ in $(seq 50); do grep -q "listening on" "$WORK/serve.log" && break; sleep 0.2; done
BASE=http://127.0.0.1:18443
TOKEN="$(curl -s -X POST "$BASE/oauth2/v2.0/token" \
  -d "grant_type=client_credentials&client_id=$ID&client_secret=$SECRET" |
  sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')"

echo "== GET /api/incidents (2 threads, 64 connections, ${SECS}s)"
wrk -t2 -c64 -d"${SECS}s" -H "Authorization: Bearer $TOKEN" "$BASE/api/incidents?\$top=10"

echo "== POST /api/advancedhunting/run: AlertInfo | count"
TOKEN="$TOKEN" QUERY='AlertInfo | count' wrk -t2 -c16 -d"${SECS}s" -s "$HERE/post_hunt.lua" \
  "$BASE/api/advancedhunting/run"

echo "== POST /api/ingest: 5,000 DeviceNetworkEvents lines per request"
python3 - "$WORK/batch.jsonl" <<'PY'
import json, sys
with open(sys.argv[1], "w") as out:
    for i in range(5000):
        out.write(json.dumps({"Timestamp": "2026-11-24T00:00:%02d.%06dZ" % (i % 60, i),
                              "DeviceId": "bench-%d" % (i % 50), "DeviceName": "ws-%d" % (i % 50),
                              "ActionType": "ConnectionSuccess", "RemoteIP": "198.51.100.%d" % (i % 250),
                              "RemotePort": 443, "LocalIP": "10.0.0.%d" % (i % 250),
                              "InitiatingProcessFileName": "chrome.exe"}) + "\n")
PY
TOKEN="$TOKEN" BODY_FILE="$WORK/batch.jsonl" wrk -t2 -c8 -d"${SECS}s" -s "$HERE/post_ingest.lua" \
  "$BASE/api/ingest?table=DeviceNetworkEvents&format=jsonl"
echo "(events/s = requests/s x 5,000)"

echo "== GET /api/incidents while ingesting (1 ingest connection alongside, ${SECS}s)"
TOKEN="$TOKEN" BODY_FILE="$WORK/batch.jsonl" wrk -t1 -c1 -d"${SECS}s" -s "$HERE/post_ingest.lua" \
  "$BASE/api/ingest?table=DeviceNetworkEvents&format=jsonl" >"$WORK/ingest_during.txt" &
INGEST=$!
wrk -t1 -c32 -d"${SECS}s" -H "Authorization: Bearer $TOKEN" "$BASE/api/incidents?\$top=10"
wait "$INGEST"
echo "-- the ingestion alongside:"
grep -E "requests in|Requests/sec|Non-2xx" "$WORK/ingest_during.txt"
curl -s -H "Authorization: Bearer $TOKEN" -X POST "$BASE/api/advancedhunting/run" \
  -d '{"Query":"DeviceNetworkEvents | where DeviceId startswith \"bench-\" | count"}'
echo
kill -TERM "$SERVER"; wait "$SERVER" || true
