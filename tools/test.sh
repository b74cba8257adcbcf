#!/usr/bin/env bash
# test.sh [dotnet test arguments] — runs `dotnet test` (default: the whole U7s.sln) and ends with one
# line over every test project: "tests: N passed, N failed, N skipped", after one line per skip reason
# (with the tests it skipped, read from TRX results: the console logger prints no reasons). Exits with dotnet test's status.
# Under `tools/s3-server.sh run tools/test.sh` the S3 tests run against the throw-away radosgw too.
set -uo pipefail
cd "$(dirname "$0")/.."

[ $# -gt 0 ] || set -- U7s.sln
log=$(mktemp)
results=$(mktemp -d)
trap 'rm -rf "$log" "$results"' EXIT

dotnet test "$@" --logger trx --results-directory "$results" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# Each skipped test's reason (TRX: outcome="NotExecuted", then <Message>reason</Message>), grouped by reason.
find "$results" -name '*.trx' -print0 | xargs -0 -r cat | awk '
  function unxml(s) { gsub(/&lt;/, "<", s); gsub(/&gt;/, ">", s); gsub(/&quot;/, "\"", s); gsub(/&apos;/, "\047", s); gsub(/&amp;/, "\\&", s); return s }
  /<UnitTestResult / {
    skipped = ($0 ~ /outcome="NotExecuted"/)
    name = $0; sub(/.*testName="/, "", name); sub(/".*/, "", name)
    n = split(name, parts, "."); name = parts[n - 1] "." parts[n]
  }
  skipped && /<Message>/ {
    reason = $0; sub(/.*<Message>/, "", reason); sub(/<\/Message>.*/, "", reason); reason = unxml(reason)
    if (!(reason in count)) order[++reasons] = reason
    count[reason]++
    if (count[reason] <= 5) tests[reason] = tests[reason] (count[reason] > 1 ? ", " : "") unxml(name)
    skipped = 0
  }
  END {
    for (i = 1; i <= reasons; i++) {
      r = order[i]
      more = count[r] > 5 ? sprintf(" and %d more", count[r] - 5) : ""
      printf "skipped %d: %s (%s%s)\n", count[r], r, tests[r], more
    }
  }'

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
