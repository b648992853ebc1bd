#!/usr/bin/env bash
# Ingest benchmark: `sluice edge` (verify + durable XADD) against nginx answering 202
# on the same machine in the same run. Prints, for each target:
#   - closed loop: each connection sends its next request when the previous answer arrived, so
#     req/s is the maximum throughput and mean latency = CONNECTIONS / req/s;
#   - for the edge also open loop: requests due at a fixed rate (RATE_PERCENT of nginx's closed-loop
#     req/s, default 30), latency measured from each request's due time (wrk2-style, free of
#     coordinated omission) — the latency a sender sees at that load;
# and the edge's CPU time per request (user+sys, including warm-up) and peak RSS.
#
#   bench/ingest.sh [CONNECTIONS] [REQUESTS]      (defaults: 64 connections, 200000 requests)
#   RATE=N bench/ingest.sh …                      open-loop rate for the edge (default: RATE_PERCENT of nginx)
set -euo pipefail
cd "$(dirname "$0")/.."
CONNECTIONS=${1:-64}
REQUESTS=${2:-200000}
SECRET=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw

[ -n "${SKIP_BUILD:-}" ] || swift build -c release --product sluice >/dev/null
[ -n "${SKIP_BUILD:-}" ] || swift build -c release --product sluice-bench >/dev/null
BIN=.build/release

. bench/lib.sh


machine
echo "load: $CONNECTIONS keep-alive connections, $REQUESTS uniquely signed requests (+5000 warm-up)"

if command -v nginx >/dev/null; then
    start_nginx auto "access_log off;" "location / { default_type application/json; return 202 '{\"id\":\"x\"}'; }"
    line=$($BIN/sluice-bench ingest --url "http://127.0.0.1:$nport/webhooks/gemini" --secret "$SECRET" \
        --connections "$CONNECTIONS" --requests "$REQUESTS" --label "nginx 202 (ceiling)")
    echo "$line"
    nginx_rps=$(sed -n 's/.* = \([0-9]*\) req\/s.*/\1/p' <<<"$line" | head -1)
else
    echo "nginx not installed: no ceiling figure (apt-get install nginx)"
fi

# No automatic AOF rewrite: nothing consumes the stream here, so Redis grows by ~1 KB per request
# and keeps forking rewrites of a few hundred MB, which on 2 shared cores stall the edge and the
# load generator alike. In a deployment the worker trims the stream and Redis has its own host.
start_redis --appendonly yes --appendfsync everysec --auto-aof-rewrite-percentage 0

eport=$(free_port)
cat >"$work/routes.yaml" <<YAML
version: 1
redis: {prefix: bench}
sources:
  gemini:
    kind: standard-webhooks
    verify: {hmac: {secrets: ["$SECRET"]}}
tenants:
  acme:
    signing: {secrets: ["whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"]}
    endpoints: {main: {url: "http://127.0.0.1:9/hook"}}
routes:
  - {name: all, to: [acme/main]}
YAML
SLUICE_LOG_LEVEL=warning $BIN/sluice edge --config "$work/routes.yaml" --redis "redis://127.0.0.1:$rport" --listen "127.0.0.1:$eport" &
epid=$!
pids+=($epid)
wait_http "http://127.0.0.1:$eport/readyz"
before=$(cpu_ticks "$epid")
line=$($BIN/sluice-bench ingest --url "http://127.0.0.1:$eport/webhooks/gemini" --secret "$SECRET" \
    --connections "$CONNECTIONS" --requests "$REQUESTS" --label "sluice edge (verify + AOF XADD)")
echo "$line"
edge_rps=$(sed -n 's/.* = \([0-9]*\) req\/s.*/\1/p' <<<"$line" | head -1)
echo "sluice edge CPU: $(cpu_micros_per "$epid" "$before" $((REQUESTS + 5000))) µs/request (user+sys, incl. warm-up)"
[ -n "${nginx_rps:-}" ] && echo "sluice edge / nginx (closed loop): $((edge_rps * 100 / nginx_rps))%"

rate=${RATE:-}
[ -n "$rate" ] || { [ -n "${nginx_rps:-}" ] && rate=$((nginx_rps * ${RATE_PERCENT:-30} / 100)); }
if [ -n "$rate" ]; then
    $BIN/sluice-bench ingest --url "http://127.0.0.1:$eport/webhooks/gemini" --secret "$SECRET" \
        --connections "$CONNECTIONS" --requests "$REQUESTS" --warmup 0 --rate "$rate" --label "sluice edge (verify + AOF XADD)"
fi
# Latency at loads the edge sustains: a quarter and half of its closed-loop maximum, open loop, 20 s each.
if [ -n "${edge_rps:-}" ] && [ "$edge_rps" -gt 3 ]; then
    for part in quarter:4 half:2; do
        rate=$((edge_rps / ${part#*:}))
        $BIN/sluice-bench ingest --url "http://127.0.0.1:$eport/webhooks/gemini" --secret "$SECRET" \
            --connections "$CONNECTIONS" --requests $((rate * 20)) --warmup 0 --rate "$rate" --label "sluice edge at ${part%:*} its maximum"
    done
fi
echo "sluice edge peak RSS: $(awk '/VmHWM/ {printf "%.1f MB", $2/1024}' /proc/$epid/status)"
echo "ingress stream length: $(redis-cli -p "$rport" xlen '{bench}:v1:ingress')"
