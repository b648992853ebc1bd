#!/usr/bin/env bash
# Floor benchmark: what the pieces the worker must use cost alone, as the floor under its CPU
# per delivery. Against nginx (`return 200`, one worker) on this machine, REQUESTS POSTs of a
# webhook-sized body with a delivery's headers, at 64 and at 640 requests in flight (the e2e
# benchmark's ×1 and ×10 loads), through:
#   1. libcurl alone, from C (bench/curl_floor.c, built here with cc): no Redis, no signing, no
#      Swift — the least any libcurl-based sender spends per request;
#   2. Sluice's own HTTP client (`sluice-bench http`): the worker's libcurl engine and the Swift
#      tasks that wait on it, without Redis or signing.
# Records CPU (user+sys) per request of the sending process, and req/s.
#   3. The edge's transport alone: wrk (core 0) with bench/wrk-ingest.lua — the ingest
#      benchmark's signed POSTs — against servers on core 1 that answer every request with a
#      fixed 202 of the edge's size: nginx; `sluice-bench serve --parser nio` (SwiftNIO with NIO's
#      HTTP/1.1 decoder, as in the edge); `sluice-bench serve --parser none` (SwiftNIO, only the
#      request framing: what a hand-written parser could at best cost). CPU per request of the
#      server, and req/s, TRANSPORT_SECONDS (8) each.
#   4. Redis alone, for the edge's ingest write: redis-benchmark (C, 16 commands per round trip)
#      sends the ingest script as shipped (its text read from
#      Sources/SluiceRedis/Scripts/IngestScript.swift) with an ingest call's arguments, a new
#      webhook-id each time, to a Redis on core 1 with the benchmark's AOF settings; then a script
#      that does nothing with the same arguments (what running Lua costs before any command),
#      and the script's two commands sent bare: SET … NX PX and XADD. Redis CPU per call.
#
#   bench/floor.sh [REQUESTS]        (default 200000)
#   BIN, SKIP_BUILD, RESULTS: see bench/lib.sh
set -euo pipefail
cd "$(dirname "$0")/.."
REQUESTS=${1:-200000}
command -v nginx >/dev/null || { echo "bench/floor.sh needs nginx as the sink (apt-get install nginx)"; exit 2; }
CC=${CC:-$(command -v cc || command -v clang || true)}
[ -n "$CC" ] || { echo "bench/floor.sh needs a C compiler (cc or clang) for bench/curl_floor.c"; exit 2; }

bench=floor
. bench/lib.sh
build sluice-bench

"$CC" -O2 -o "$work/curl_floor" bench/curl_floor.c -lcurl
start_nginx 1 "access_log off;" "location / { return 200; }"
url="http://127.0.0.1:$nport/hook"

for inflight in 64 640; do
    for sender in curl_c engine; do
        case $sender in
            curl_c) out=$("$work/curl_floor" "$url" "$REQUESTS" "$inflight") ;;
            engine) out=$("$BIN/sluice-bench" http --url "$url" --requests "$REQUESTS" --concurrency "$inflight") ;;
        esac
        cpu=$(awk -F'\t' '$1 == "cpu_us" {print $2}' <<<"$out")
        rps=$(awk -F'\t' '$1 == "req_per_s" {print $2}' <<<"$out")
        printf '  %-7s %4d in flight: %7s req/s, %6s µs CPU per request\n' "$sender" "$inflight" "$rps" "$cpu"
        measure "$sender.$inflight.cpu_us" "$cpu"
        measure "$sender.$inflight.rps" "$rps"
    done
done
stop "$nginx_pid"

# --- The edge's transport alone -------------------------------------------------------------
TRANSPORT_SECONDS=${TRANSPORT_SECONDS:-8}
command -v wrk >/dev/null || { echo "bench/floor.sh needs wrk (apt-get install wrk)"; exit 2; }
python3 bench/gen_requests.py "$work/transport.tsv" 200000 whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw transport
transport_floor() {  # transport_floor NAME PID PORT: wrk against the server, its CPU per request
    local name=$1 pid=$2 port=$3 t0 t1 out rps answers us
    wait_http "http://127.0.0.1:$port/"
    t0=$(cpu_ticks "$pid")
    out=$(taskset -c 0 wrk -t1 -c64 -d"${TRANSPORT_SECONDS}s" -s bench/wrk-ingest.lua "http://127.0.0.1:$port/webhooks/gemini" -- "$work/transport.tsv" 1)
    t1=$(cpu_ticks "$pid")
    rps=$(awk '/^Requests\/sec:/ {printf "%d", $2}' <<<"$out")
    answers=$(sed -n 's/^wrk-lua statuses: 202=\([0-9]*\).*/\1/p' <<<"$out")
    us=$(awk -v t=$((t1 - t0)) -v n="${answers:-0}" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.1f", (n > 0 ? t / hz * 1e6 / n : 0)}')
    printf '  %-22s %7s req/s, %5s µs CPU per request (%s answers 202)\n' "$name" "$rps" "$us" "${answers:-0}"
    measure "transport.$name.cpu_us" "$us"
    measure "transport.$name.rps" "$rps"
}
NGINX_CPU=1 start_nginx 1 "access_log off;" "location / { default_type application/json; return 202 '{\"id\":\"msg_wrk_000000000000_0\"}'; }"
transport_floor nginx "$nginx_pid" "$nport"
stop "$nginx_pid"
for parser in nio none; do
    sport=$(free_port)
    taskset -c 1 "$BIN/sluice-bench" serve --parser "$parser" --listen "127.0.0.1:$sport" >/dev/null &
    spid=$!
    pids+=($spid)
    transport_floor "swiftnio_$parser" "$spid" "$sport"
    stop "$spid"
done

# --- Redis alone: the ingest write and what Lua adds to it ----------------------------------
command -v redis-benchmark >/dev/null || { echo "bench/floor.sh needs redis-benchmark (apt-get install redis-tools)"; exit 2; }
REDIS_CPU=1 start_redis --appendonly yes --appendfsync everysec --auto-aof-rewrite-percentage 0
# The text between the script's opening and closing triple quotes, without the Swift indentation.
awk '/static let script = RedisScript\(/ {state = 1; next} state == 1 && /"""/ {state = 2; next}
     state == 2 && /^ *"""/ {exit} state == 2 {sub(/^        /, ""); print}' Sources/SluiceRedis/Scripts/IngestScript.swift >"$work/ingest.lua"
[ -s "$work/ingest.lua" ] || { echo "bench/floor.sh: could not read the ingest script from IngestScript.swift"; exit 1; }
ingest_sha=$(redis-cli -p "$rport" script load "$(cat "$work/ingest.lua")")
noop_sha=$(redis-cli -p "$rport" script load "return 1")
body=$(python3 -c 'import json; print(json.dumps({"name": "batches/" + "x" * 40, "state": "JOB_STATE_SUCCEEDED", "pad": "y" * 900}))')
# A one-event ingest call's ARGV: replicated, then window, webhook-id, source, channel, type,
# webhook-timestamp, received-at, body, keep.
argv=(0 86400000 "msg___rand_int__" gemini "" batch.succeeded 1765000000 1765000000123 "$body" 86400000)
redis_cpu() { redis-cli -p "$rport" info cpu | awk -F: '/^used_cpu_(sys|user):/ {s += $2} END {printf "%.6f", s}'; }
redis_floor() {  # redis_floor NAME COMMAND…: Redis CPU per call over REDIS_CALLS calls
    local name=$1 c0 c1 us
    shift
    c0=$(redis_cpu)
    taskset -c 0 redis-benchmark -p "$rport" -q -n "$REDIS_CALLS" -P 16 -r 1000000000 "$@" >/dev/null
    c1=$(redis_cpu)
    us=$(awk -v a="$c0" -v b="$c1" -v n="$REDIS_CALLS" 'BEGIN {printf "%.2f", (b - a) * 1e6 / n}')
    printf '  redis %-22s %6s µs CPU per call\n' "$name" "$us"
    measure "redis.$name.cpu_us" "$us"
}
REDIS_CALLS=${REDIS_CALLS:-200000}
redis_floor ingest_script EVALSHA "$ingest_sha" 2 "{bench}:v1:ingress" "{bench}:v1:dedupe:gemini:msg___rand_int__" "${argv[@]}"
redis_floor noop_script EVALSHA "$noop_sha" 2 "{bench}:v1:ingress" "{bench}:v1:dedupe:gemini:msg___rand_int__" "${argv[@]}"
redis_floor set_nx SET "{bench}:v1:dedupe:gemini:bare___rand_int__" 1765000000123 NX PX 86400000
redis_floor xadd XADD "{bench}:v1:bare" '*' id "msg___rand_int__" source gemini channel "" type batch.succeeded \
    ts 1765000000 received_at 1765000000123 body "$body"
