#!/usr/bin/env bash
# Console benchmark: how long `sluice console` takes to answer its pages with 1,000,000 events
# stored. DEAD events go through a real edge and worker and end as dead letters (no route takes
# them); then EVENTS event keys are written directly, copies of a real one plus a delivered
# attempt, as the log of events long delivered, and the newest INDEXED of them get their entry
# in the event index (as the route script writes it); then edge and worker stop and each page is
# fetched REQUESTS times in a row with curl: p50, p99 and max answer time, and the Redis
# commands a page costs.
#
#   bench/console.sh [EVENTS] [DEAD]     (defaults: 1000000 events, 20000 dead letters)
#   REQUESTS=200                        fetches per page
#   INDEXED=100000                      event-index entries (worker.event_index's default cap)
#   PROFILE_PAGE=NAME                   perf record the console while it answers that page; the
#                                       top symbols go to $RESULTS/profile-console-NAME.txt
#   BIN, SKIP_BUILD, RESULTS: see bench/lib.sh
set -euo pipefail
cd "$(dirname "$0")/.."
EVENTS=${1:-1000000}
DEAD=${2:-20000}
REQUESTS=${REQUESTS:-200}
INDEXED=${INDEXED:-100000}
SECRET=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw

bench=console
. bench/lib.sh
build sluice sluice-bench
machine
measure machine "$(machine | sed 's/^machine: //')"

start_redis --appendonly no
cat >"$work/routes.yaml" <<YAML
version: 1
redis: {prefix: bench, durability: none}
network: {allow_cidrs: [127.0.0.1/32]}
sources:
  gemini:
    kind: standard-webhooks
    verify: {hmac: {secrets: ["$SECRET"]}}
tenants:
  acme:
    signing: {secrets: ["whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"]}
    endpoints:
      main: {url: "http://127.0.0.1:9/hook"}
routes: []
YAML

eport=$(free_port); mport=$(free_port); cport=$(free_port)
SLUICE_LOG_LEVEL=error "$BIN/sluice" edge --config "$work/routes.yaml" --redis "redis://127.0.0.1:$rport" --listen "127.0.0.1:$eport" &
edge=$!; pids+=($edge)
SLUICE_LOG_LEVEL=error "$BIN/sluice" worker --config "$work/routes.yaml" --redis "redis://127.0.0.1:$rport" --metrics-listen "127.0.0.1:$mport" &
worker=$!; pids+=($worker)
wait_http "http://127.0.0.1:$eport/readyz"
wait_http "http://127.0.0.1:$mport/readyz"
echo "== $DEAD events through edge and worker, each a no_route dead letter"
"$BIN/sluice-bench" ingest --url "http://127.0.0.1:$eport/webhooks/gemini" --secret "$SECRET" \
    --connections 32 --requests "$DEAD" --warmup 0 --label "dead letters" >/dev/null
for _ in $(seq 1 600); do
    [ "$(rcli xlen '{bench}:v1:dlq')" -ge "$DEAD" ] && break
    sleep 0.1
done
stop "$worker"; stop "$edge"

echo "== $EVENTS event keys, copies of a real one delivered to acme/main; the newest $INDEXED indexed"
# (head closes the pipe early: redis-cli's SIGPIPE is expected)
template_key=$(rcli --scan --pattern '{bench}:v1:dedupe:*' | head -1 || true)
chunk=100000
for ((from = 1; from <= EVENTS; from += chunk)); do
    to=$((from + chunk - 1)); [ "$to" -gt "$EVENTS" ] && to=$EVENTS
    rcli eval "
local template = redis.call('GET', KEYS[1]) .. '{\"target\":\"acme/main\",\"at\":1764000000000,\"attempt\":1,\"status\":200,\"duration_ms\":12,\"outcome\":\"delivered\"}\n'
local indexedFrom = tonumber(ARGV[3]) - tonumber(ARGV[4]) + 1
for i = tonumber(ARGV[1]), tonumber(ARGV[2]) do
  redis.call('SET', '{bench}:v1:dedupe:gemini:msg_seed_' .. i, template, 'PX', 604800000)
  if i >= indexedFrom then
    local type = (i % 10 == 0) and 'video.generated' or 'batch.succeeded'
    redis.call('XADD', '{bench}:v1:event-index', '*', 'id', 'msg_seed_' .. i, 'source', 'gemini', 'type', type, 'targets', 'acme/main')
  end
end
return 1" 1 "$template_key" "$from" "$to" "$EVENTS" "$INDEXED" >/dev/null
done
keys=$(rcli dbsize)
echo "Redis holds $keys keys ($(rcli info memory | awk -F: '/^used_memory_human/ {print $2}' | tr -d '\r'))"
measure keys "$keys"
measure dead_letters "$(rcli xlen '{bench}:v1:dlq')"
measure indexed "$(rcli xlen '{bench}:v1:event-index')"

SLUICE_LOG_LEVEL=error "$BIN/sluice" console --config "$work/routes.yaml" --redis "redis://127.0.0.1:$rport" --listen "127.0.0.1:$cport" &
console=$!; pids+=($console)
wait_http "http://127.0.0.1:$cport/readyz"
second_page=$(curl -s "http://127.0.0.1:$cport/dead-letters" | sed -n 's/.*href="\(\/dead-letters?after=[^"]*\)".*/\1/p' | head -1 | sed 's/&amp;/\&/g')
middle=$((EVENTS / 2))

calls() { redis-cli -p "$rport" info commandstats | awk -F'calls=' '/calls=/ {split($2, a, ","); n += a[1]} END {print n + 0}'; }
page() {  # page NAME PATH
    local name=$1 path=$2 before after
    curl -s -o /dev/null "http://127.0.0.1:$cport$path"   # warm
    local perf_pid=
    if [ "${PROFILE_PAGE:-}" = "$name" ]; then
        perf_start "$name"   # the whole machine; the console is picked out by its pid below
    fi
    before=$(calls)
    for _ in $(seq 1 "$REQUESTS"); do
        curl -s -o /dev/null -w '%{http_code} %{time_total}\n' "http://127.0.0.1:$cport$path"
    done >"$work/times-$name"
    after=$(calls)
    if [ -n "$perf_pid" ]; then
        kill -INT "$perf_pid" 2>/dev/null || true
        wait "$perf_pid" || true
        {
            echo "# CPU by process while answering $name (share of all samples, both cores):"
            perf report -i "$work/perf-$name.data" --no-children --sort comm --stdio 2>/dev/null | grep -E '^ +[0-9.]+%' | head -8 || true
            echo "# the console's top symbols:"
            perf report -i "$work/perf-$name.data" --pid "$console" --no-children --sort dso,symbol --stdio 2>/dev/null \
                | grep -E '^ +[0-9.]+%' | sed 's/ *- *- *$//' | head -30 || true
        } >"$RESULTS/profile-console-$name.txt"
        echo "profile: $RESULTS/profile-console-$name.txt"
    fi
    python3 - "$work/times-$name" "$name" "$path" "$measures" "$(( (after - before) ))" "$REQUESTS" <<'PY'
import sys
path, name, url, measures, calls, requests = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), int(sys.argv[6])
rows = [line.split() for line in open(path) if line.strip()]
codes = sorted({r[0] for r in rows})
times = sorted(float(r[1]) * 1000 for r in rows)
pct = lambda p: times[min(len(times) - 1, int(len(times) * p))]
# Each request's INFO call from this script is one command too; leave it out.
per = (calls - 1) / requests
print(f"{name:<18} {url:<40} status {','.join(codes)}: p50 {pct(0.5):.1f} ms, p99 {pct(0.99):.1f} ms, max {times[-1]:.1f} ms; {per:.1f} Redis commands per page")
with open(measures, "a") as m:
    for k, v in [("p50_ms", f"{pct(0.5):.1f}"), ("p99_ms", f"{pct(0.99):.1f}"), ("max_ms", f"{times[-1]:.1f}"), ("redis_commands", f"{per:.1f}"), ("status", ",".join(codes))]:
        m.write(f"console.{name}.{k}\t{v}\n")
PY
}
echo "== $REQUESTS fetches of each page, one after another"
page overview /
page overview.json /overview.json
page dead-letters /dead-letters
page dead-letters-p2 "$second_page"
page event "/events/msg_seed_$middle"
page event-missing /events/msg_not_there
page search-newest /events
page search-endpoint "/events?endpoint=acme/main"
page search-type "/events?type=video.*"
# The worst case: an outcome none of the newest events has, so the page reads its limit of
# 2,000 index entries and each one's log, and stops there.
page search-rare "/events?outcome=no_route"
# The same without reading logs: a type none of the newest events has.
page search-rare-type "/events?type=interaction.*"
