#!/usr/bin/env bash
# test.sh [dotnet test arguments] — runs `dotnet test` (default: the whole U7s.sln) and ends with one
# line over every test project: "tests: N passed, N failed, N skipped". Exits with dotnet test's status.
# Under `tools/s3-server.sh run tools/test.sh` the S3 tests run against the throw-away radosgw too.
set -uo pipefail
cd "$(dirname "$0")/.."

[ $# -gt 0 ] || set -- U7s.sln
log=$(mktemp)
trap 'rm -f "$log"' EXIT

dotnet test "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# One "Passed!  - Failed: 0, Passed: 69, Skipped: 0, Total: 69, …" line per test project.
awk -v status="$status" '
  /(Passed|Failed)! +- +Failed:/ {
    gsub(",", "")
    for (i = 1; i <= NF; i++) {
      if ($i == "Failed:") f += $(i + 1)
      if ($i == "Passed:") p += $(i + 1)
      if ($i == "Skipped:") s += $(i + 1)
    }
  }
  END {
    line = sprintf("tests: %d passed, %d failed, %d skipped", p, f, s)
    if (status != 0 && f == 0) line = line sprintf(" (dotnet test exited %d: a build error or a test host that stopped, see above)", status)
    print line
  }' "$log"
exit "$status"
