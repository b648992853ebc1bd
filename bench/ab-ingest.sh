#!/usr/bin/env bash
# Side-by-side A/B of the edge at ingest: two edges, each with its own Redis (AOF everysec), all
# four on core 1, and one wrk per edge on core 0, started together — so both binaries run under
# the same contention, which consecutive runs on a shared machine do not give. Prints, per side,
# req/s and the CPU per event of the edge and of its Redis. Swap the sides and run again: a
# change is real when it shows in both orders.
#
#   bench/ab-ingest.sh DIR_A DIR_B     (directories holding a `sluice` binary each)
#   SECONDS_EACH=12 REQUESTS=300000 CONNECTIONS=32
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
work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; }

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

declare -A dir rport eport redis edge
dir[A]=$1
dir[B]=$2
for side in A B; do
    mkdir -p "$work/$side"
    rport[$side]=$(free_port)
    taskset -c 1 redis-server --port "${rport[$side]}" --bind 127.0.0.1 --save "" --appendonly yes --appendfsync everysec \
        --auto-aof-rewrite-percentage 0 --dir "$work/$side" >"$work/$side/redis.log" 2>&1 &
    redis[$side]=$!
    pids+=("${redis[$side]}")
done
for side in A B; do
    for _ in $(seq 1 100); do redis-cli -p "${rport[$side]}" ping >/dev/null 2>&1 && break; sleep 0.05; done
    eport[$side]=$(free_port)
    SLUICE_LOG_LEVEL=error taskset -c 1 "${dir[$side]}/sluice" edge --config "$work/routes.yaml" \
        --redis "redis://127.0.0.1:${rport[$side]}" --listen "127.0.0.1:${eport[$side]}" &
    edge[$side]=$!
    pids+=("${edge[$side]}")
done
for side in A B; do
    for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:${eport[$side]}/readyz" >/dev/null && break; sleep 0.1; done
    python3 bench/gen_requests.py "$work/$side.tsv" "$REQUESTS" "$SECRET" "ab$side"
done

declare -A e0 r0
for side in A B; do e0[$side]=$(ticks "${edge[$side]}"); r0[$side]=$(ticks "${redis[$side]}"); done
wrks=()
for side in A B; do
    taskset -c 0 wrk -t1 -c"$CONNECTIONS" -d"${SECONDS_EACH}s" -s bench/wrk-ingest.lua \
        "http://127.0.0.1:${eport[$side]}/webhooks/gemini" -- "$work/$side.tsv" 1 >"$work/wrk-$side.txt" 2>&1 &
    wrks+=($!)
done
wait "${wrks[@]}"
hz=$(getconf CLK_TCK)
for side in A B; do
    events=$(redis-cli -p "${rport[$side]}" xlen '{bench}:v1:ingress')
    rps=$(awk '/^Requests\/sec:/ {printf "%d", $2}' "$work/wrk-$side.txt")
    repeated=$(sed -n 's/^wrk-lua statuses:.*; repeated \([0-9]*\);.*/\1/p' "$work/wrk-$side.txt")
    awk -v side="$side" -v d="${dir[$side]}" -v e=$(($(ticks "${edge[$side]}") - e0[$side])) -v r=$(($(ticks "${redis[$side]}") - r0[$side])) \
        -v n="$events" -v rps="$rps" -v hz="$hz" -v rep="${repeated:-0}" 'BEGIN {
        printf "%s (%s): %6d req/s, edge %.1f µs, Redis %.1f µs per event (%d events%s)\n", side, d, rps,
            e / hz * 1e6 / n, r / hz * 1e6 / n, n, (rep > 0 ? "; REQUESTS ran out, raise it" : "") }'
done
