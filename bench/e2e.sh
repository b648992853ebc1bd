#!/usr/bin/env bash
# End-to-end benchmark: load generator → sluice edge → Redis → sluice worker → nginx sink,
# all on this machine. Reports events/s (fan-out ×1) and deliveries/s (fan-out ×10) from the
# first send to the last delivery, ingest-to-delivery latency percentiles, whether every
# delivery was made, and per process (bench/lib.sh's phases): CPU per event and per delivery,
# RSS, Redis commands per event and per delivery, and with PROFILE=1 where the time goes.
#
#   bench/e2e.sh [EVENTS] [CONNECTIONS]        (defaults: 50000 events, 64 connections)
#   EVENT_INDEX=N                              worker.event_index (default: routes.yaml's default,
#                                              100000; 0 measures without the search index)
#   MAX_IN_FLIGHT=N                            each endpoint's max_in_flight (default 64)
#   BIN, SKIP_BUILD, RESULTS, PROFILE: see bench/lib.sh
set -euo pipefail
cd "$(dirname "$0")/.."
EVENTS=${1:-50000}
CONNECTIONS=${2:-64}
SECRET=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw
command -v nginx >/dev/null || { echo "bench/e2e.sh needs nginx as the sink (apt-get install nginx)"; exit 2; }

bench=e2e
. bench/lib.sh
build sluice sluice-bench

machine

start_nginx 1 "log_format bench '\$msec \$http_webhook_id'; access_log $work/nginx/access.log bench buffer=64k flush=1s;" \
    "location / { return 200; }"

start_redis --appendonly yes --appendfsync everysec

endpoints=""
for i in $(seq 0 9); do
    endpoints="$endpoints      e$i: {url: \"http://127.0.0.1:$nport/hook/$i\", max_in_flight: ${MAX_IN_FLIGHT:-64}, timeout: 5s}
"
done
worker_block=""
[ -n "${EVENT_INDEX:-}" ] && worker_block="worker: {event_index: $EVENT_INDEX}"
cat >"$work/routes.yaml" <<YAML
version: 1
redis: {prefix: bench}
$worker_block
network: {allow_cidrs: [127.0.0.1/32]}
sources:
  gemini:
    kind: standard-webhooks
    verify: {hmac: {secrets: ["$SECRET"]}}
tenants:
  acme:
    signing: {secrets: ["whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"]}
    endpoints:
$endpoints
routes:
  - {name: one, match: {channel: one}, to: [acme/e0]}
  - {name: ten, match: {channel: ten}, to: ["acme/*"]}
YAML

eport=$(free_port); mport=$(free_port)
SLUICE_LOG_LEVEL=error "$BIN/sluice" edge --config "$work/routes.yaml" --redis "redis://127.0.0.1:$rport" --listen "127.0.0.1:$eport" &
edge=$!; pids+=($edge)
SLUICE_LOG_LEVEL=warning "$BIN/sluice" worker --config "$work/routes.yaml" --redis "redis://127.0.0.1:$rport" --metrics-listen "127.0.0.1:$mport" &
worker=$!; pids+=($worker)
wait_http "http://127.0.0.1:$eport/readyz"
wait_http "http://127.0.0.1:$mport/readyz"

run() {  # run PHASE NAME CHANNEL FANOUT
    local phase=$1 name=$2 channel=$3 fanout=$4
    : >"$work/nginx/access.log"
    kill -USR1 "$(cat "$work/nginx/nginx.pid")"
    local expected=$((EVENTS * fanout)) got=0 start
    echo "== $name: $EVENTS events, $expected deliveries"
    phase_begin "$phase" edge:$edge worker:$worker redis:$redis_pid nginx:$nginx_pid
    start=$(date +%s.%N)
    timed loadgen "$BIN/sluice-bench" ingest --url "http://127.0.0.1:$eport/webhooks/gemini/$channel" --secret "$SECRET" \
        --connections "$CONNECTIONS" --requests "$EVENTS" --warmup 0 --stamp --label "$name ingest"
    local deadline=$(( $(date +%s) + ${E2E_TIMEOUT:-600} ))
    while :; do
        got=$(grep -c "msg_bench" "$work/nginx/access.log" || true)
        [ "$got" -ge "$expected" ] && break
        [ "$(date +%s)" -ge "$deadline" ] && { echo "$name: only $got of $expected deliveries after ${E2E_TIMEOUT:-600} s"; break; }
        sleep 0.2
    done
    # The phase ends at the last delivery, before the wait for nginx's log flush.
    phase_end "$EVENTS" "$expected"
    sleep 1.2   # nginx flushes its access log buffer every second
    python3 - "$work/nginx/access.log" "$start" "$EVENTS" "$fanout" "$name" "$phase" "$measures" <<'PY'
import sys
path, start, events, fanout, name, phase, measures = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6], sys.argv[7]
lat, last, ids = [], 0.0, set()
for line in open(path):
    parts = line.split()
    if len(parts) != 2 or "_t" not in parts[1]:
        continue
    at = float(parts[0]); sent = int(parts[1].rsplit("_t", 1)[1]) / 1e6
    lat.append((at - sent) * 1000); last = max(last, at); ids.add(parts[1])
lat.sort()
pct = lambda p: lat[min(len(lat) - 1, int(len(lat) * p))] if lat else float("nan")
span = last - start
print(f"{name}: {events} events ×{fanout} = {len(lat)} deliveries ({len(ids)} distinct events) in {span:.2f} s "
      f"= {events/span:.0f} events/s, {len(lat)/span:.0f} deliveries/s; ingest→delivery p50 {pct(0.5):.1f} ms, p99 {pct(0.99):.1f} ms")
with open(measures, "a") as m:
    for k, v in [("events_per_s", f"{events/span:.0f}"), ("deliveries_per_s", f"{len(lat)/span:.0f}"),
                 ("delivered", len(lat)), ("expected", events * fanout), ("distinct_events", len(ids)),
                 ("latency_p50_ms", f"{pct(0.5):.1f}"), ("latency_p99_ms", f"{pct(0.99):.1f}"), ("span_s", f"{span:.2f}")]:
        m.write(f"{phase}.{k}\t{v}\n")
PY
}

measure machine "$(machine | sed 's/^machine: //')"
run e2e-x1 "fan-out ×1" one 1
run e2e-x10 "fan-out ×10" ten 10
echo "edge peak RSS: $(peak_rss_mb "$edge") MB, worker peak RSS: $(peak_rss_mb "$worker") MB"
measure e2e.rss_peak.edge "$(peak_rss_mb "$edge")"
measure e2e.rss_peak.worker "$(peak_rss_mb "$worker")"
