#!/usr/bin/env bash
# Side-by-side A/B of the edge at ingest: two edges, each with its own Redis (AOF everysec), all
# four on core 1, and one wrk per edge on core 0, started together — so both binaries run under
# the same contention, which consecutive runs on a shared machine do not give. Prints, per side,
# req/s and the CPU per event of the edge and of its Redis. Swap the sides and run again: a
# change is real when it shows in both orders.
#
#   bench/ab-ingest.sh DIR_A DIR_B     (directories holding a `sluice` binary each)
#   SECONDS_EACH=12 REQUESTS=300000 CONNECTIONS=32; RESULTS as in bench/lib.sh
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -eq 2 ] && [ -x "$1/sluice" ] && [ -x "$2/sluice" ] || { echo "usage: bench/ab-ingest.sh DIR_A DIR_B (each with a sluice binary)"; exit 2; }
for tool in wrk redis-server redis-cli taskset; do
    command -v $tool >/dev/null || { echo "bench/ab-ingest.sh needs $tool"; exit 2; }
done
SECONDS_EACH=${SECONDS_EACH:-12}
REQUESTS=${REQUESTS:-300000}
CONNECTIONS=${CONNECTIONS:-32}
SECRET=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw

bench=ab-ingest
. bench/lib.sh
ingest_routes "$work/routes.yaml" "$SECRET"

declare -A dir redis_port redis edge url
dir[A]=$1
dir[B]=$2
for side in A B; do
    # A directory each: their append-only files must not meet.
    mkdir -p "$work/$side"
    REDIS_CPU=1 start_redis --appendonly yes --appendfsync everysec --auto-aof-rewrite-percentage 0 --dir "$work/$side"
    redis_port[$side]=$rport
    redis[$side]=$redis_pid
    eport=$(free_port)
    SLUICE_LOG_LEVEL=error taskset -c 1 "${dir[$side]}/sluice" edge --config "$work/routes.yaml" \
        --redis "redis://127.0.0.1:$rport" --listen "127.0.0.1:$eport" &
    edge[$side]=$!
    pids+=("${edge[$side]}")
    url[$side]="http://127.0.0.1:$eport"
done
for side in A B; do
    wait_http "${url[$side]}/readyz"
    python3 bench/gen_requests.py "$work/$side.tsv" "$REQUESTS" "$SECRET" "ab$side"
done

declare -A e0 r0
for side in A B; do e0[$side]=$(cpu_ticks "${edge[$side]}"); r0[$side]=$(cpu_ticks "${redis[$side]}"); done
wrks=()
for side in A B; do
    taskset -c 0 wrk -t1 -c"$CONNECTIONS" -d"${SECONDS_EACH}s" -s bench/wrk-ingest.lua \
        "${url[$side]}/webhooks/gemini" -- "$work/$side.tsv" 1 >"$work/wrk-$side.txt" 2>&1 &
    wrks+=($!)
done
wait "${wrks[@]}"
hz=$(getconf CLK_TCK)
for side in A B; do
    events=$(redis-cli -p "${redis_port[$side]}" xlen '{bench}:v1:ingress')
    rps=$(awk '/^Requests\/sec:/ {printf "%d", $2}' "$work/wrk-$side.txt")
    repeated=$(sed -n 's/^wrk-lua statuses:.*; repeated \([0-9]*\);.*/\1/p' "$work/wrk-$side.txt")
    awk -v side="$side" -v d="${dir[$side]}" -v e=$(($(cpu_ticks "${edge[$side]}") - e0[$side])) -v r=$(($(cpu_ticks "${redis[$side]}") - r0[$side])) \
        -v n="$events" -v rps="$rps" -v hz="$hz" -v rep="${repeated:-0}" 'BEGIN {
        printf "%s (%s): %6d req/s, edge %.1f µs, Redis %.1f µs per event (%d events%s)\n", side, d, rps,
            e / hz * 1e6 / n, r / hz * 1e6 / n, n, (rep > 0 ? "; REQUESTS ran out, raise it" : "") }'
done
