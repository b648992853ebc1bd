#!/usr/bin/env bash
# Every benchmark in one run, then one table of every measure against its target
# (bench/results/results.md), built by bench/report.py from what the benchmarks recorded.
#
#   bench/all.sh            (or `make bench`)  — 4 to 6 minutes on 2 cores
#
# Sizes: INGEST_REQUESTS (pre-signed requests for wrk, default 300000), INGEST_SECONDS (15),
# E2E_EVENTS (20000), BACKLOG (1000000), BACKLOG_SECONDS (0: until drained). PROFILE=1 (the
# default here) records perf in every phase; PROFILE=0 does not. BIN=dir and SKIP_BUILD=1 as in
# every script. The raw output of each benchmark stays in bench/results/ beside the table; the
# table, the measures it was built from and the profile summaries are also copied to
# bench/profiles/ (PUBLISH=0 to skip), which is committed with each published round.
set -euo pipefail
cd "$(dirname "$0")/.."
INGEST_REQUESTS=${INGEST_REQUESTS:-300000}
export INGEST_SECONDS=${INGEST_SECONDS:-15}
E2E_EVENTS=${E2E_EVENTS:-20000}
BACKLOG=${BACKLOG:-1000000}
BACKLOG_SECONDS=${BACKLOG_SECONDS:-0}
export PROFILE=${PROFILE:-1}
export BIN=${BIN:-.build/release}
export RESULTS=${RESULTS:-bench/results}

if [ -z "${SKIP_BUILD:-}" ]; then
    swift build -c release --product sluice >/dev/null
    swift build -c release --product sluice-bench >/dev/null
fi
export SKIP_BUILD=1
out=$RESULTS
mkdir -p "$out"
# Only this run's own files: the console and shards benchmarks keep theirs beside them.
own="run.tsv ingest.tsv e2e.tsv backlog.tsv backlog-progress.tsv floor.tsv rss-*.tsv open-*-timeline.txt profile-edge-*.txt profile-worker-*.txt profile-redis-*.txt"
clear_own() { (cd "$1" && rm -f $own results.md); }
clear_own "$out"

# What the table says about the run: the command that reproduces it, where and when it ran.
command="SKIP_BUILD=1 BIN=$BIN PROFILE=$PROFILE INGEST_REQUESTS=$INGEST_REQUESTS INGEST_SECONDS=$INGEST_SECONDS E2E_EVENTS=$E2E_EVENTS BACKLOG=$BACKLOG BACKLOG_SECONDS=$BACKLOG_SECONDS make bench"
{
    printf 'command\t%s\n' "$command"
    printf 'date\t%s\n' "$(date -u '+%Y-%m-%d %H:%M UTC')"
    printf 'commit\t%s\n' "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD -- Sources Package.swift 2>/dev/null || echo ' (with uncommitted changes to Sources)')"
    printf 'binary\t%s\n' "$BIN/sluice, build id $(file -L "$BIN/sluice" 2>/dev/null | sed -n 's/.*BuildID\[sha1\]=\([0-9a-f]\{12\}\).*/\1/p')"
    printf 'tools\t%s\n' "$(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2), $(nginx -v 2>&1 | sed 's/.*: //'), redis $(redis-server --version | sed 's/.* v=\([^ ]*\).*/\1/'), perf $(perf --version 2>/dev/null | cut -d' ' -f3)"
    printf 'loadavg_before\t%s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
} >"$out/run.tsv"
started=$(date +%s)

echo "== ingest (bench/ingest.sh 64 $INGEST_REQUESTS)"
bench/ingest.sh 64 "$INGEST_REQUESTS" | tee "$out/ingest.txt"
echo "== end to end (bench/e2e.sh $E2E_EVENTS 64)"
bench/e2e.sh "$E2E_EVENTS" 64 | tee "$out/e2e.txt"
echo "== backlog (bench/backlog.sh $BACKLOG $BACKLOG_SECONDS)"
bench/backlog.sh "$BACKLOG" "$BACKLOG_SECONDS" | tee "$out/backlog.txt"
echo "== floors (bench/floor.sh)"
bench/floor.sh | tee "$out/floor.txt"
printf 'minutes\t%.1f\n' "$(awk -v s="$started" -v e="$(date +%s)" 'BEGIN {print (e - s) / 60}')" >>"$out/run.tsv"

python3 bench/report.py "$out" | tee "$out/results.md"

if [ "${PUBLISH:-1}" = 1 ]; then
    clear_own bench/profiles
    (cd "$out" && cp results.md $own "$OLDPWD/bench/profiles/" 2>/dev/null) || true
    echo "copied the table, its measures and the profile summaries to bench/profiles/ (commit them with the round's results)"
fi
