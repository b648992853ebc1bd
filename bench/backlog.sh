#!/usr/bin/env bash
# Backlog benchmark: BACKLOG deliveries already waiting in Redis (written straight into the
# deliveries stream, as the router would), one `sluice worker` draining them into an nginx
# sink. Samples the worker's RSS every 2 s: it must stay flat however large the backlog.
#
#   bench/backlog.sh [BACKLOG] [SECONDS]   (defaults: 1000000, and run until drained; SECONDS stops
#                                          sampling earlier, with the rest of the backlog still waiting)
set -euo pipefail
cd "$(dirname "$0")/.."
BACKLOG=${1:-1000000}
SECONDS_LIMIT=${2:-0}
command -v nginx >/dev/null || { echo "bench/backlog.sh needs nginx as the sink (apt-get install nginx)"; exit 2; }
[ -n "${SKIP_BUILD:-}" ] || swift build -c release --product sluice >/dev/null
BIN=${BIN:-.build/release}   # BIN=dir runs the binaries there (e.g. an older build, to compare)

. bench/lib.sh

start_nginx 1 "access_log off;" "location / { return 200; }"

start_redis --appendonly no

cat >"$work/routes.yaml" <<YAML
version: 1
redis: {prefix: bench}
network: {allow_cidrs: [127.0.0.1/32]}
sources:
  gemini:
    kind: standard-webhooks
    verify: {hmac: {secrets: ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"]}}
tenants:
  acme:
    signing: {secrets: ["whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"]}
    endpoints:
      main: {url: "http://127.0.0.1:$nport/hook", max_in_flight: 128, timeout: 5s}
routes:
  - {name: all, to: [acme/main]}
YAML

echo "writing $BACKLOG deliveries into {bench}:v1:deliveries …"
now=$(date +%s)
python3 - "$BACKLOG" "$now" <<'PY' | redis-cli -p "$rport" --pipe >/dev/null
import sys
n, now = int(sys.argv[1]), sys.argv[2]
out = sys.stdout.buffer
body = b'{"type":"batch.succeeded","data":{"batch":"batches/1"}}'
def cmd(*args):
    parts = [b"*%d\r\n" % len(args)]
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        parts.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(parts)
out.write(cmd("XGROUP", "CREATE", "{bench}:v1:deliveries", "delivery", "0", "MKSTREAM"))
for i in range(n):
    out.write(cmd("XADD", "{bench}:v1:deliveries", "*", "ingress_id", f"0-{i+1}", "tenant", "acme", "endpoint", "main",
                  "attempt", "1", "first_attempt_at", "", "last_status", "", "last_error", "",
                  "webhook_id", f"msg_backlog_{i}", "source", "gemini", "channel", "", "type", "batch.succeeded",
                  "ts", now, "received_at", now + "000", "body", body))
PY
echo "stream length: $(redis-cli -p "$rport" xlen '{bench}:v1:deliveries'), redis memory: $(redis-cli -p "$rport" info memory | awk -F: '/used_memory_human/ {print $2}' | tr -d '\r')"

mport=$(free_port)
start=$(date +%s.%N)
SLUICE_LOG_LEVEL=warning $BIN/sluice worker --config "$work/routes.yaml" --redis "redis://127.0.0.1:$rport" --metrics-listen "127.0.0.1:$mport" &
worker=$!; pids+=($worker)
redis_pid=${pids[1]}
cpu0=$(cpu_ticks "$worker"); rcpu0=$(cpu_ticks "$redis_pid"); ncpu0=$(cpu_ticks "$nginx_pid")
report_cpu() {  # report_cpu DELIVERED
    echo "CPU over the run (user+sys; the worker's includes its start-up):"
    cpu_per worker $(( $(cpu_ticks "$worker") - cpu0 )) "$1" delivery
    cpu_per redis $(( $(cpu_ticks "$redis_pid") - rcpu0 )) "$1" delivery
    cpu_per nginx $(( $(cpu_ticks "$nginx_pid") - ncpu0 )) "$1" delivery
}
printf '%8s %12s %12s %10s\n' "t (s)" "waiting" "retry set" "RSS (MB)"
while :; do
    left=$(redis-cli -p "$rport" xlen '{bench}:v1:deliveries')
    parked=$(redis-cli -p "$rport" zcard '{bench}:v1:retry')
    rss=$(awk '/VmRSS/ {printf "%.1f", $2/1024}' /proc/$worker/status 2>/dev/null || echo "-")
    printf '%8.0f %12s %12s %10s\n' "$(awk "BEGIN {print $(date +%s.%N) - $start}")" "$left" "$parked" "$rss"
    [ "$left" -eq 0 ] && [ "$parked" -eq 0 ] && break
    if [ "$SECONDS_LIMIT" -gt 0 ] && awk "BEGIN {exit !($(date +%s.%N) - $start >= $SECONDS_LIMIT)}"; then
        done_count=$((BACKLOG - left - parked))
        echo "stopped after ${SECONDS_LIMIT} s: $done_count delivered ($(awk "BEGIN {printf \"%.0f\", $done_count / $SECONDS_LIMIT}") deliveries/s), $((left + parked)) still waiting; worker peak RSS $(awk '/VmHWM/ {printf "%.1f MB", $2/1024}' /proc/$worker/status)"
        report_cpu "$done_count"
        exit 0
    fi
    sleep 2
done
end=$(date +%s.%N)
echo "drained $BACKLOG deliveries in $(awk "BEGIN {printf \"%.1f\", $end - $start}") s = $(awk "BEGIN {printf \"%.0f\", $BACKLOG / ($end - $start)}") deliveries/s; worker peak RSS $(awk '/VmHWM/ {printf "%.1f MB", $2/1024}' /proc/$worker/status)"
report_cpu "$BACKLOG"
