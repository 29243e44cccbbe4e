#!/usr/bin/env bash
# Runs the whole test suite (the README's test command). Tests that need Docker/k3s, or a tool
# that cannot be installed, report a skip with the reason; they never count as passed.
set -euo pipefail
cd "$(dirname "$0")"
export PATH="$PWD/.tools/bin:$PATH"
# helm and kubectl for the chart, kubectl and plugin tests: fetched once into .tools/bin when missing (.ci/install-tools).
if ! command -v helm >/dev/null 2>&1 || ! command -v kubectl >/dev/null 2>&1; then
  bash .ci/install-tools || echo "warning: helm/kubectl could not be installed; the tests that need them report a skip with the reason" >&2
fi
dotnet build Handoff.sln -c Release -warnaserror
results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
status=0
dotnet test Handoff.sln -c Release --no-build --logger "trx" --results-directory "$results" "$@" || status=$?
# One plain summary line across all test projects.
python3 - "$results" <<'PY' || true
import sys, glob, xml.etree.ElementTree as ET
p = f = s = 0
for path in glob.glob(sys.argv[1] + "/*.trx"):
    c = ET.parse(path).getroot().find(".//{*}Counters")
    if c is None: continue
    p += int(c.get("passed", 0)); f += int(c.get("failed", 0)) + int(c.get("error", 0)) + int(c.get("timeout", 0))
    # Skipped tests are counted in total but not in executed.
    s += int(c.get("total", 0)) - int(c.get("executed", 0))
print(f"{p} passed, {f} failed, {s} skipped")
PY
exit $status
