#!/usr/bin/env bash
# The main job on the embedded default: install, build, generate and load the demo data into
# ./vigil-data (detection, correlation into incidents, automated investigation), then show the
# incident, its investigation and pending actions, and run first hunts in KQL.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
VIGIL=./build/apps/vigil/vigil
echo "==> vigil demo"
"$VIGIL" --data ./vigil-data demo
echo "==> vigil tables"
"$VIGIL" --data ./vigil-data tables
echo "==> vigil hunt: processes by device over the last 7 days"
"$VIGIL" --data ./vigil-data hunt --stats \
  'DeviceProcessEvents | where Timestamp > ago(7d) | summarize Processes = count(), Binaries = dcount(FileName) by DeviceName | top 5 by Processes'
echo "==> vigil hunt: encoded PowerShell and credential theft"
"$VIGIL" --data ./vigil-data hunt \
  'DeviceProcessEvents | where ProcessCommandLine has_any ("-enc", "-EncodedCommand", "sekurlsa", "mimikatz") | project Timestamp, DeviceName, AccountName, FileName, ProcessCommandLine | take 10'
echo "==> vigil alerts: what detection found while loading"
"$VIGIL" --data ./vigil-data alerts list
echo "==> vigil hunt: the alerts are huntable too"
"$VIGIL" --data ./vigil-data hunt \
  'AlertInfo | join kind=inner (AlertEvidence | where EntityType == "Machine") on AlertId | summarize Alerts = dcount(AlertId), Titles = make_set(Title) by DeviceName'
echo "==> vigil incidents: the attack is one incident across endpoint, identity, email and cloud apps"
"$VIGIL" --data ./vigil-data incidents list
INCIDENT="$("$VIGIL" --data ./vigil-data incidents list --format json |
  sed -n 's/^\[{"incidentId": *\([0-9][0-9]*\).*/\1/p')"
"$VIGIL" --data ./vigil-data incidents show "$INCIDENT"
echo "==> vigil investigations: verdicts and proposed remediation"
"$VIGIL" --data ./vigil-data investigations list
echo "==> vigil actions: the action center (pending approval)"
"$VIGIL" --data ./vigil-data actions list --pending
if [[ "${VIGIL_DEMO_SERVE:-1}" == "0" ]]; then
  exit 0
fi
echo "==> vigil serve: the web console on the demo data"
# A console user for the demo, with a fresh password each run (printed below, once).
if ! "$VIGIL" --data ./vigil-data users create demo --role admin >/tmp/vigil-demo-user.$$ 2>&1; then
  "$VIGIL" --data ./vigil-data users passwd demo >/tmp/vigil-demo-user.$$ 2>&1
fi
echo "Console sign-in: user 'demo', $(grep -i 'password' /tmp/vigil-demo-user.$$ | head -1 | sed 's/^ *//')"
rm -f /tmp/vigil-demo-user.$$
echo "Open the console URL printed below (the certificate is self-signed: accept it once)."
echo "Ctrl-C stops the server; VIGIL_DEMO_SERVE=0 skips this step."
exec "$VIGIL" --data ./vigil-data serve --listen "${VIGIL_LISTEN:-127.0.0.1:8443}"
