#!/usr/bin/env bash
# End-to-end benchmark: load generator → sluice edge → Redis → sluice worker → nginx sink,
# all on this machine. Reports events/s (fan-out ×1) and deliveries/s (fan-out ×10) from the
# first send to the last delivery, and ingest-to-delivery latency percentiles.
#
#   bench/e2e.sh [EVENTS] [CONNECTIONS]        (defaults: 50000 events, 64 connections)
set -euo pipefail
cd "$(dirname "$0")/.."
EVENTS=${1:-50000}
CONNECTIONS=${2:-64}
SECRET=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw
command -v nginx >/dev/null || { echo "bench/e2e.sh needs nginx as the sink (apt-get install nginx)"; exit 2; }

if [ -z "${SKIP_BUILD:-}" ]; then
    swift build -c release --product sluice >/dev/null
    swift build -c release --product sluice-bench >/dev/null
fi
BIN=${BIN:-.build/release}   # BIN=dir runs the binaries there (e.g. an older build, to compare)

. bench/lib.sh

machine

start_nginx 1 "log_format bench '\$msec \$http_webhook_id'; access_log $work/nginx/access.log bench buffer=64k flush=1s;" \
    "location / { return 200; }"

start_redis --appendonly yes --appendfsync everysec
redis_pid=${pids[1]}

endpoints=""
for i in $(seq 0 9); do
    endpoints="$endpoints      e$i: {url: \"http://127.0.0.1:$nport/hook/$i\", max_in_flight: 64, timeout: 5s}
"
done
cat >"$work/routes.yaml" <<YAML
version: 1
redis: {prefix: bench}
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
SLUICE_LOG_LEVEL=warning $BIN/sluice edge --config "$work/routes.yaml" --redis "redis://127.0.0.1:$rport" --listen "127.0.0.1:$eport" &
edge=$!; pids+=($edge)
SLUICE_LOG_LEVEL=warning $BIN/sluice worker --config "$work/routes.yaml" --redis "redis://127.0.0.1:$rport" --metrics-listen "127.0.0.1:$mport" &
worker=$!; pids+=($worker)
wait_http "http://127.0.0.1:$eport/readyz"
wait_http "http://127.0.0.1:$mport/readyz"

run() {  # run NAME CHANNEL FANOUT
    local name=$1 channel=$2 fanout=$3
    : >"$work/nginx/access.log"
    kill -USR1 "$(cat "$work/nginx/nginx.pid")"
    local expected=$((EVENTS * fanout))
    local start c_edge c_worker c_redis c_nginx
    c_edge=$(cpu_ticks "$edge"); c_worker=$(cpu_ticks "$worker"); c_redis=$(cpu_ticks "$redis_pid"); c_nginx=$(cpu_ticks "$nginx_pid")
    start=$(date +%s.%N)
    /usr/bin/time -f "%U %S" -o "$work/loadgen.cpu" $BIN/sluice-bench ingest --url "http://127.0.0.1:$eport/webhooks/gemini/$channel" --secret "$SECRET" \
        --connections "$CONNECTIONS" --requests "$EVENTS" --warmup 0 --stamp --label "$name ingest"
    local deadline=$(( $(date +%s) + 600 ))
    while :; do
        local got
        got=$(grep -c "msg_bench" "$work/nginx/access.log" || true)
        [ "$got" -ge "$expected" ] && break
        [ "$(date +%s)" -ge "$deadline" ] && { echo "$name: only $got of $expected deliveries after 600 s"; break; }
        sleep 0.5
    done
    # Taken before the flush wait, so the idle second adds next to nothing.
    c_edge=$(( $(cpu_ticks "$edge") - c_edge )); c_worker=$(( $(cpu_ticks "$worker") - c_worker ))
    c_redis=$(( $(cpu_ticks "$redis_pid") - c_redis )); c_nginx=$(( $(cpu_ticks "$nginx_pid") - c_nginx ))
    sleep 1.2   # nginx flushes its access log buffer every second
    python3 - "$work/nginx/access.log" "$start" "$EVENTS" "$fanout" "$name" <<'PY'
import sys
path, start, events, fanout, name = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
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
PY
    echo "CPU for this run (user+sys), per event:"
    cpu_per loadgen "$(awk -v hz="$(getconf CLK_TCK)" '{printf "%d", ($1 + $2) * hz}' "$work/loadgen.cpu")" "$EVENTS" event
    cpu_per edge "$c_edge" "$EVENTS" event
    cpu_per worker "$c_worker" "$EVENTS" event
    cpu_per redis "$c_redis" "$EVENTS" event
    cpu_per nginx "$c_nginx" "$EVENTS" event
}

run "fan-out ×1" one 1
run "fan-out ×10" ten 10
echo "edge peak RSS: $(awk '/VmHWM/ {printf "%.1f MB", $2/1024}' /proc/$edge/status), worker peak RSS: $(awk '/VmHWM/ {printf "%.1f MB", $2/1024}' /proc/$worker/status)"
