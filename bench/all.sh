#!/usr/bin/env bash
# Every benchmark in one run, then the README's performance table built from what they printed.
#
#   bench/all.sh            (or `make bench`)  — about 10 minutes on 2 cores
#
# Sizes can be changed with INGEST_REQUESTS, E2E_EVENTS, BACKLOG and BACKLOG_SECONDS. The raw
# output of each benchmark is kept in bench/results/ next to the table (results.md).
set -euo pipefail
cd "$(dirname "$0")/.."
INGEST_REQUESTS=${INGEST_REQUESTS:-200000}
E2E_EVENTS=${E2E_EVENTS:-20000}
BACKLOG=${BACKLOG:-1000000}
BACKLOG_SECONDS=${BACKLOG_SECONDS:-60}

if [ -z "${SKIP_BUILD:-}" ]; then
    swift build -c release --product sluice >/dev/null
    swift build -c release --product sluice-bench >/dev/null
fi
export SKIP_BUILD=1
out=bench/results
mkdir -p "$out"

echo "== ingest (bench/ingest.sh 64 $INGEST_REQUESTS)"
bench/ingest.sh 64 "$INGEST_REQUESTS" | tee "$out/ingest.txt"
echo "== end to end (bench/e2e.sh $E2E_EVENTS 64)"
bench/e2e.sh "$E2E_EVENTS" 64 | tee "$out/e2e.txt"
echo "== backlog (bench/backlog.sh $BACKLOG $BACKLOG_SECONDS)"
bench/backlog.sh "$BACKLOG" "$BACKLOG_SECONDS" | tee "$out/backlog.txt"

python3 bench/report.py "$out" "$INGEST_REQUESTS" "$E2E_EVENTS" "$BACKLOG" "$BACKLOG_SECONDS" | tee "$out/results.md"
