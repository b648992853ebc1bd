#!/usr/bin/env bash
# Backlog benchmark: BACKLOG deliveries already waiting in Redis (written straight into the
# deliveries stream, as the router would), one `sluice worker` draining them into an nginx
# sink. Samples the worker's RSS every second with the queue depth beside it
# ($RESULTS/backlog-progress.tsv): it must stay flat however large the backlog. Counts what the
# sink received (every delivery made?) and, per process (bench/lib.sh's phase), CPU and Redis
# commands per delivery, and with PROFILE=1 where the time goes.
#
#   bench/backlog.sh [BACKLOG] [SECONDS]   (defaults: 1000000, and run until drained; SECONDS stops
#                                          sampling earlier, with the rest of the backlog still waiting)
#   BACKLOG_TIMEOUT=600                    give up (and say so) if not drained by then
#   BIN, SKIP_BUILD, RESULTS, PROFILE: see bench/lib.sh
set -euo pipefail
cd "$(dirname "$0")/.."
BACKLOG=${1:-1000000}
SECONDS_LIMIT=${2:-0}
TIMEOUT=${BACKLOG_TIMEOUT:-600}
command -v nginx >/dev/null || { echo "bench/backlog.sh needs nginx as the sink (apt-get install nginx)"; exit 2; }

bench=backlog
. bench/lib.sh
build sluice

machine
measure machine "$(machine | sed 's/^machine: //')"

# One short line per request the sink answered: the deliveries (POSTs) it received are counted at the end.
start_nginx 1 "log_format count '\$request_method \$status'; access_log $work/nginx/access.log count buffer=256k flush=1s;" "location / { return 200; }"

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
    # The event's key, as the edge's ingest script leaves it (acceptance time, kept for the log
    # retention): the attempts are appended to it, as they would be to a real backlog's events.
    out.write(cmd("SET", f"{{bench}}:v1:dedupe:gemini:msg_backlog_{i}", now + "000", "PX", 7 * 86400 * 1000))
    # A first attempt's fields as the router writes them (Delivery.writeFields): optional fields
    # without a value (first attempt, last status, last error, an empty channel) are left out.
    out.write(cmd("XADD", "{bench}:v1:deliveries", "*", "ingress_id", f"0-{i+1}", "tenant", "acme", "endpoint", "main",
                  "attempt", "1", "webhook_id", f"msg_backlog_{i}", "source", "gemini", "type", "batch.succeeded",
                  "ts", now, "received_at", now + "000", "body", body))
PY
echo "stream length: $(rcli xlen '{bench}:v1:deliveries'), redis memory: $(rcli info memory | awk -F: '/used_memory_human/ {print $2}' | tr -d '\r')"

# The worker starts stopped (a shell that stops itself, then execs it with the same pid), so the
# phase — CPU, Redis commands, perf — covers it from its first instruction, start-up included.
mport=$(free_port)
SLUICE_LOG_LEVEL=warning bash -c 'kill -STOP $$; exec "$@"' worker "$BIN/sluice" worker --config "$work/routes.yaml" \
    --redis "redis://127.0.0.1:$rport" --metrics-listen "127.0.0.1:$mport" &
worker=$!; pids+=($worker)
while [ "$(awk '{print $3}' "/proc/$worker/stat")" != T ]; do sleep 0.01; done
phase_begin backlog worker:$worker redis:$redis_pid nginx:$nginx_pid
start=$(date +%s.%N)
kill -CONT "$worker"

progress="$RESULTS/backlog-progress.tsv"
printf 't_s\twaiting\tretry\tworker_rss_mb\n' >"$progress"
printf '%8s %12s %12s %10s\n' "t (s)" "waiting" "retry set" "RSS (MB)"
left=$BACKLOG; parked=0; outcome=drained
next=0
while :; do
    t=$(awk -v s="$start" -v n="$(date +%s.%N)" 'BEGIN {printf "%.1f", n - s}')
    left=$(rcli xlen '{bench}:v1:deliveries')
    parked=$(rcli zcard '{bench}:v1:retry')
    rss=$(rss_mb "$worker")
    printf '%s\t%s\t%s\t%s\n' "$t" "$left" "$parked" "$rss" >>"$progress"
    # The table shows a line every 5 s; the file has one a second.
    if awk -v t="$t" -v n="$next" 'BEGIN {exit !(t >= n)}'; then
        printf '%8.0f %12s %12s %10s\n' "$t" "$left" "$parked" "$rss"
        next=$((next + 5))
    fi
    [ "$left" -eq 0 ] && [ "$parked" -eq 0 ] && break
    if [ "$SECONDS_LIMIT" -gt 0 ] && awk -v t="$t" -v l="$SECONDS_LIMIT" 'BEGIN {exit !(t >= l)}'; then outcome=stopped; break; fi
    if awk -v t="$t" -v l="$TIMEOUT" 'BEGIN {exit !(t >= l)}'; then outcome=timeout; break; fi
    sleep 1
done
end=$(date +%s.%N)
done_count=$((BACKLOG - left - parked))
phase_end "" "$done_count"
elapsed=$(awk -v s="$start" -v e="$end" 'BEGIN {printf "%.1f", e - s}')
rate=$(awk -v n="$done_count" -v s="$start" -v e="$end" 'BEGIN {printf "%.0f", n / (e - s)}')
sleep 1.2   # nginx flushes its access log every second
received=$(grep -c '^POST ' "$work/nginx/access.log" || true)
case $outcome in
    drained) echo "drained $BACKLOG deliveries in $elapsed s = $rate deliveries/s; worker peak RSS $(peak_rss_mb "$worker") MB" ;;
    stopped) echo "stopped after ${SECONDS_LIMIT} s: $done_count delivered ($rate deliveries/s), $((left + parked)) still waiting; worker peak RSS $(peak_rss_mb "$worker") MB" ;;
    timeout) echo "NOT DRAINED after $TIMEOUT s: $done_count delivered ($rate deliveries/s), $((left + parked)) still waiting; worker peak RSS $(peak_rss_mb "$worker") MB" ;;
esac
echo "the sink received $received deliveries ($(grep '^POST ' "$work/nginx/access.log" | grep -vc ' 200$' || true) not answered 200); dead letters: $(rcli xlen '{bench}:v1:dlq')"
measure backlog.outcome "$outcome"
measure backlog.backlog "$BACKLOG"
measure backlog.delivered "$done_count"
measure backlog.received "$received"
measure backlog.deliveries_per_s "$rate"
measure backlog.elapsed_s "$elapsed"
measure backlog.worker_rss_peak "$(peak_rss_mb "$worker")"
