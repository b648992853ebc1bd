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

work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_http() { for _ in $(seq 1 200); do curl -s -o /dev/null "$1" && return 0; sleep 0.05; done; echo "no answer from $1" >&2; exit 1; }

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
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

rport=$(free_port)
redis-server --port "$rport" --bind 127.0.0.1 --dir "$work" --save "" --appendonly yes --appendfsync everysec --daemonize no >"$work/redis.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do redis-cli -p "$rport" ping >/dev/null 2>&1 && break; sleep 0.05; done

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
