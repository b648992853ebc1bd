#!/usr/bin/env bash
# Soak: a steady open-loop load through edge → Redis → worker for SECONDS, with a mix of
# endpoints: `ok` (nginx, every event), and for 1% of events `slow` (answers after 0.5 s)
# and `failing` (always 500: three attempts, then a dead letter). Every 10 s it samples the
# RSS of the edge, the worker and Redis, the Redis backlog (pending entries, retry set, DLQ)
# and the ingest→delivery latency of the `ok` deliveries in that window; at the end it
# compares the first minute with the last. Healthy means: RSS flat, backlog flat, latency stable.
# The dedupe window and the attempt-log retention are 2 minutes here (72 h and 7 d by default),
# so that Redis reaches its steady state inside the run: what it holds per event is printed.
#
#   bench/soak.sh [SECONDS] [RATE]          (defaults: 600 s at 1000 events/s)
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_TOTAL=${1:-600}
RATE=${2:-1000}
SECRET=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw
command -v nginx >/dev/null || { echo "bench/soak.sh needs nginx as the sink (apt-get install nginx)"; exit 2; }
if [ -z "${SKIP_BUILD:-}" ]; then
    swift build -c release --product sluice >/dev/null
    swift build -c release --product sluice-bench >/dev/null
fi
BIN=${BIN:-.build/release}

. bench/lib.sh

machine
echo "soak: $RATE events/s for $SECONDS_TOTAL s; endpoints ok (all events), slow 0.5 s and failing 500 (1% of events each)"

start_nginx 1 "log_format soak '\$msec \$http_webhook_id'; access_log off;" \
    "location /ok { access_log $work/nginx/ok.log soak buffer=64k flush=1s; return 200; } location /failing { return 500; } location / { return 200; }"

sport=$(free_port)
python3 bench/slow_sink.py "$sport" 0.5 &
pids+=($!)
for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$sport") 2>/dev/null && break; sleep 0.05; done

start_redis --appendonly yes --appendfsync everysec

cat >"$work/routes.yaml" <<YAML
version: 1
redis: {prefix: soak}
network: {allow_cidrs: [127.0.0.1/32]}
sources:
  gemini:
    kind: standard-webhooks
    verify: {hmac: {secrets: ["$SECRET"]}}
    dedupe_window: 2m
tenants:
  acme:
    signing: {secrets: ["whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"]}
    endpoints:
      ok: {url: "http://127.0.0.1:$nport/ok", max_in_flight: 64, timeout: 5s}
      slow: {url: "http://127.0.0.1:$sport/slow", max_in_flight: 32, timeout: 2s}
      failing:
        url: "http://127.0.0.1:$nport/failing"
        retry: {schedule: [0s, 1s, 2s], jitter: 0%}
routes:
  - {name: everything, to: [acme/ok]}
  - name: one-in-a-hundred
    match: {where: {data.batch: {glob: "batches/*00"}}}
    to: [acme/slow, acme/failing]
worker:
  attempt_log_retention: 2m
YAML

eport=$(free_port); mport=$(free_port)
SLUICE_LOG_LEVEL=warning $BIN/sluice edge --config "$work/routes.yaml" --redis "redis://127.0.0.1:$rport" --listen "127.0.0.1:$eport" 2>"$work/edge.log" &
edge=$!; pids+=($edge)
SLUICE_LOG_LEVEL=warning $BIN/sluice worker --config "$work/routes.yaml" --redis "redis://127.0.0.1:$rport" --metrics-listen "127.0.0.1:$mport" 2>"$work/worker.log" &
worker=$!; pids+=($worker)
wait_http "http://127.0.0.1:$eport/readyz"
wait_http "http://127.0.0.1:$mport/readyz"
redis_pid=$(redis-cli -p "$rport" info server | awk -F: '/process_id/ {print $2}' | tr -d '\r')

$BIN/sluice-bench ingest --url "http://127.0.0.1:$eport/webhooks/gemini" --secret "$SECRET" \
    --connections 16 --rate "$RATE" --requests $((RATE * SECONDS_TOTAL)) --warmup 0 --stamp \
    --label "soak sender" >"$work/sender.log" 2>&1 &
sender=$!; pids+=($sender)

rss() { awk '/VmRSS/ {printf "%.1f", $2/1024}' "/proc/$1/status" 2>/dev/null || echo "-"; }
pending() { redis-cli -p "$rport" xpending "$1" "$2" | head -1; }
k='{soak}:v1'
samples="$work/samples.tsv"
start=$(date +%s)
printf '%6s %8s %9s %9s %8s %8s %8s %8s %8s %8s %7s %7s\n' "t (s)" "ok/s" "p50 ms" "p99 ms" "edge MB" "work MB" "redis MB" "ingr pend" "deliv" "pend" "retry" "dlq"
next=$((start + 10))
while kill -0 "$sender" 2>/dev/null; do
    sleep $((next - $(date +%s) > 0 ? next - $(date +%s) : 0))
    now=$(date +%s)
    t=$((now - start))
    window=$(python3 - "$work/nginx/ok.log" "$((now - 10))" "$now" <<'PY'
import sys
path, lo, hi = sys.argv[1], float(sys.argv[2]) - 1, float(sys.argv[3]) - 1   # nginx flushes its log each second
lat = []
try:
    for line in open(path):
        parts = line.split()
        if len(parts) == 2 and "_t" in parts[1] and lo <= float(parts[0]) < hi:
            lat.append((float(parts[0]) - int(parts[1].rsplit("_t", 1)[1]) / 1e6) * 1000)
except FileNotFoundError:
    pass
lat.sort()
pct = lambda p: lat[min(len(lat) - 1, int(len(lat) * p))] if lat else float("nan")
print(f"{len(lat) / 10:.0f} {pct(0.5):.1f} {pct(0.99):.1f}")
PY
)
    read -r okps p50 p99 <<<"$window"
    row="$t $okps $p50 $p99 $(rss "$edge") $(rss "$worker") $(rss "$redis_pid") $(pending "$k:ingress" router) $(redis-cli -p "$rport" xlen "$k:deliveries") $(pending "$k:deliveries" delivery) $(redis-cli -p "$rport" zcard "$k:retry") $(redis-cli -p "$rport" xlen "$k:dlq")"
    echo "$row" >>"$samples"
    # shellcheck disable=SC2086
    printf '%6s %8s %9s %9s %8s %8s %8s %8s %8s %8s %7s %7s\n' $row
    next=$((next + 10))
done
cat "$work/sender.log"
echo "worker warnings: $(grep -c warning "$work/worker.log" || true) (dead letters of the failing endpoint are expected), errors: $(grep -c ' error ' "$work/worker.log" || true); edge warnings: $(grep -c warning "$work/edge.log" || true)"

python3 - "$samples" "$RATE" <<'PY'
import sys
rows = [list(map(float, line.split())) for line in open(sys.argv[1]) if line.strip()]
if len(rows) < 12:
    print("too short for a first-minute/last-minute comparison"); sys.exit(0)
first, last = rows[:6], rows[-6:]
cols = {"edge RSS MB": 4, "worker RSS MB": 5, "redis RSS MB": 6, "ingress pending": 7, "deliveries waiting": 8,
        "deliveries pending": 9, "retry set": 10, "ok p50 ms": 2, "ok p99 ms": 3}
print("first minute → last minute (mean of 6 samples each), and the largest sample:")
for name, c in cols.items():
    f = sum(r[c] for r in first) / 6; l = sum(r[c] for r in last) / 6; m = max(r[c] for r in rows)
    print(f"  {name:20s} {f:10.1f} → {l:10.1f}   max {m:.1f}")
print(f"  dead letters at the end: {rows[-1][11]:.0f} (the failing endpoint's 1%, expected)")
steady = [r for r in rows if r[0] >= 180]
if steady:
    per_event = (sum(r[6] for r in steady) / len(steady) - rows[0][6]) * 1024 / (120 * float(sys.argv[2]))
    print(f"  Redis holds ≈ {per_event:.2f} KB per event of the 2-minute windows (dedupe key + attempt log): size Redis for rate × retention × this")
PY
