#!/usr/bin/env bash
# Ingest benchmark: `sluice edge` (verify + durable XADD) against nginx answering 202
# on the same machine in the same run. Prints req/s, p50/p99 and the edge's peak RSS.
#
#   bench/ingest.sh [CONNECTIONS] [REQUESTS]      (defaults: 64 connections, 200000 requests)
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
    nport=$(free_port)
    mkdir -p "$work/nginx"
    cat >"$work/nginx/nginx.conf" <<NGINX
worker_processes auto;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $work/nginx;
    proxy_temp_path $work/nginx;
    fastcgi_temp_path $work/nginx;
    uwsgi_temp_path $work/nginx;
    scgi_temp_path $work/nginx;
    keepalive_requests 1000000;
    server {
        listen 127.0.0.1:$nport;
        location / { default_type application/json; return 202 '{"id":"x"}'; }
    }
}
NGINX
    nginx -c "$work/nginx/nginx.conf" -g 'daemon off;' &
    pids+=($!)
    wait_http "http://127.0.0.1:$nport/"
    $BIN/sluice-bench ingest --url "http://127.0.0.1:$nport/webhooks/gemini" --secret "$SECRET" \
        --connections "$CONNECTIONS" --requests "$REQUESTS" --label "nginx 202 (ceiling)"
else
    echo "nginx not installed: no ceiling figure (apt-get install nginx)"
fi

start_redis --appendonly yes --appendfsync everysec

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
$BIN/sluice-bench ingest --url "http://127.0.0.1:$eport/webhooks/gemini" --secret "$SECRET" \
    --connections "$CONNECTIONS" --requests "$REQUESTS" --label "sluice edge (verify + AOF XADD)"
echo "sluice edge peak RSS: $(awk '/VmHWM/ {printf "%.1f MB", $2/1024}' /proc/$epid/status)"
echo "ingress stream length: $(redis-cli -p "$rport" xlen '{bench}:v1:ingress')"
