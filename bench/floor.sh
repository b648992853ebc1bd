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
