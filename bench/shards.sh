#!/usr/bin/env bash
# Partitions benchmark (redis.partitions): the same end-to-end load (fan-out ×1 to an nginx
# sink) with 1, 3 and 6 partitions, on one Redis and on a Redis Cluster of 3 masters (no
# replicas: their CPU would blur the masters'). For each: events/s, CPU per event of the edge
# and the worker, and per Redis master its CPU and commands per event — what each shard
# carries. On 2 cores the total cannot grow with masters; what the table shows is that each
# master's share falls as 1/masters once partitions spread over them, and that the clients'
# cost per event does not grow with partitions.
#
#   bench/shards.sh [EVENTS] [CONNECTIONS]     (defaults: 20000 events, 32 connections)
#   CONFIGS="1:1 3:6"   which MASTERS:PARTITIONS to run (default: all six)
#   BIN, SKIP_BUILD, RESULTS: see bench/lib.sh
set -euo pipefail
cd "$(dirname "$0")/.."
EVENTS=${1:-20000}
CONNECTIONS=${2:-32}
SECRET=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw
command -v nginx >/dev/null || { echo "bench/shards.sh needs nginx as the sink (apt-get install nginx)"; exit 2; }

bench=shards
. bench/lib.sh
build sluice sluice-bench
machine
measure machine "$(machine | sed 's/^machine: //')"

# Where a partition lives is its hash tag's slot: {P} for partition 0, {P:pK} for K. With 3
# masters in redis-cli's standard layout (3 equal slot ranges), some prefixes put 6 partitions
# 4/1/1 on the masters, others 2/2/2 (an operator evens them out by moving slots; `sluice
# partitions show` names each partition's slot and master). The benchmark measures the spread
# itself, not the luck of a name: it takes the first prefix bench, bench1, … whose 3 and 6
# partitions fall evenly on the 3 ranges.
PREFIX=$(python3 - <<'PY'
def crc16(data):
    crc = 0
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) & 0xFFFF if crc & 0x8000 else (crc << 1) & 0xFFFF
    return crc
def spread(prefix, n):
    counts = [0, 0, 0]
    for k in range(n):
        slot = crc16((prefix if k == 0 else f"{prefix}:p{k}").encode()) % 16384
        counts[0 if slot <= 5460 else 1 if slot <= 10922 else 2] += 1
    return counts
for i in range(1000):
    prefix = "bench" if i == 0 else f"bench{i}"
    if spread(prefix, 3) == [1, 1, 1] and spread(prefix, 6) == [2, 2, 2]:
        print(prefix)
        break
PY
)
echo "prefix: $PREFIX (its 3 and its 6 partitions fall evenly on 3 masters' standard slot ranges)"
measure prefix "$PREFIX"

start_nginx 1 "log_format bench '\$msec \$http_webhook_id'; access_log $work/nginx/access.log bench buffer=64k flush=1s;" \
    "location / { return 200; }"

# redis_node DIR ARGS…: a redis-server (AOF on, as in production) in DIR; sets $node_port and $node_pid.
redis_node() {
    local dir=$1
    shift
    node_port=$(free_port)
    mkdir -p "$dir"
    redis-server --port "$node_port" --bind 127.0.0.1 --dir "$dir" --save "" --appendonly yes --appendfsync everysec \
        --daemonize no "$@" >"$dir/redis.log" 2>&1 &
    node_pid=$!
    pids+=($node_pid)
    for _ in $(seq 1 100); do redis-cli -p "$node_port" ping >/dev/null 2>&1 && return 0; sleep 0.05; done
    echo "redis-server in $dir did not answer:"; cat "$dir/redis.log"; exit 1
}

# calls PORT: every command Redis counted so far (INFO commandstats), harness commands included.
calls() { redis-cli -p "$1" info commandstats | awk -F'calls=' '/calls=/ {split($2, a, ","); n += a[1]} END {print n + 0}'; }

run_config() {  # run_config MASTERS PARTITIONS
    local masters=$1 partitions=$2 dir="$work/run-$1-$2" url ports=() rpids=() i
    mkdir -p "$dir"
    for i in $(seq 1 "$masters"); do
        if [ "$masters" -gt 1 ]; then
            redis_node "$dir/node-$i" --cluster-enabled yes --cluster-config-file nodes.conf --cluster-node-timeout 2000
        else
            redis_node "$dir/node-$i"
        fi
        ports+=("$node_port"); rpids+=("$node_pid")
    done
    if [ "$masters" -gt 1 ]; then
        redis-cli --cluster create $(printf '127.0.0.1:%s ' "${ports[@]}") --cluster-replicas 0 --cluster-yes >"$dir/create.log" 2>&1 \
            || { echo "redis-cli --cluster create failed:"; cat "$dir/create.log" "$dir"/node-*/redis.log; exit 1; }
        for _ in $(seq 1 100); do
            [ "$(for p in "${ports[@]}"; do redis-cli -p "$p" cluster info | grep -c 'cluster_state:ok'; done | awk '{n += $1} END {print n}')" = "$masters" ] && break
            sleep 0.1
        done
        url="redis+cluster://$(printf '127.0.0.1:%s,' "${ports[@]}" | sed 's/,$//')"
    else
        url="redis://127.0.0.1:${ports[0]}"
    fi
    cat >"$dir/routes.yaml" <<YAML
version: 1
redis: {prefix: $PREFIX, partitions: $partitions}
network: {allow_cidrs: [127.0.0.1/32]}
sources:
  gemini:
    kind: standard-webhooks
    verify: {hmac: {secrets: ["$SECRET"]}}
tenants:
  acme:
    signing: {secrets: ["whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"]}
    endpoints:
      e0: {url: "http://127.0.0.1:$nport/hook", max_in_flight: 64, timeout: 5s}
routes:
  - {name: one, match: {source: gemini}, to: [acme/e0]}
YAML
    local eport mport edge worker
    eport=$(free_port); mport=$(free_port)
    SLUICE_LOG_LEVEL=error "$BIN/sluice" edge --config "$dir/routes.yaml" --redis "$url" --listen "127.0.0.1:$eport" &
    edge=$!; pids+=($edge)
    SLUICE_LOG_LEVEL=error "$BIN/sluice" worker --config "$dir/routes.yaml" --redis "$url" --metrics-listen "127.0.0.1:$mport" &
    worker=$!; pids+=($worker)
    wait_http "http://127.0.0.1:$eport/readyz"
    wait_http "http://127.0.0.1:$mport/readyz"
    # The edge spreads over every partition only once the record says so (a second at most).
    for _ in $(seq 1 100); do
        curl -s "http://127.0.0.1:$eport/metrics" | grep -q "^sluice_ingress_partitions $partitions" && break
        sleep 0.1
    done
    : >"$work/nginx/access.log"
    kill -USR1 "$(cat "$work/nginx/nginx.pid")"
    local c0=() k0=() e0 w0 start
    for i in "${!ports[@]}"; do
        c0+=("$(calls "${ports[$i]}")"); k0+=("$(cpu_ticks "${rpids[$i]}")")
        redis-cli -p "${ports[$i]}" info commandstats >"$dir/cmdstats0-$i"
    done
    e0=$(cpu_ticks "$edge"); w0=$(cpu_ticks "$worker")
    start=$(date +%s.%N)
    "$BIN/sluice-bench" ingest --url "http://127.0.0.1:$eport/webhooks/gemini" --secret "$SECRET" \
        --connections "$CONNECTIONS" --requests "$EVENTS" --warmup 0 --label "masters=$masters partitions=$partitions" >"$dir/ingest.txt"
    local got=0 deadline=$(( $(date +%s) + 300 ))
    while :; do
        got=$(grep -c "msg_bench" "$work/nginx/access.log" || true)
        [ "$got" -ge "$EVENTS" ] && break
        [ "$(date +%s)" -ge "$deadline" ] && { echo "masters=$masters partitions=$partitions: only $got of $EVENTS delivered"; break; }
        sleep 0.1
    done
    local seconds hz
    seconds=$(awk -v s="$start" -v n="$(date +%s.%N)" 'BEGIN {printf "%.3f", n - s}')
    hz=$(getconf CLK_TCK)
    local edge_us worker_us shares="" cmds="" total=0 top=0 ticks n
    edge_us=$(awk -v t=$(( $(cpu_ticks "$edge") - e0 )) -v hz="$hz" -v n="$EVENTS" 'BEGIN {printf "%.1f", t / hz * 1e6 / n}')
    worker_us=$(awk -v t=$(( $(cpu_ticks "$worker") - w0 )) -v hz="$hz" -v n="$EVENTS" 'BEGIN {printf "%.1f", t / hz * 1e6 / n}')
    for i in "${!ports[@]}"; do
        ticks=$(( $(cpu_ticks "${rpids[$i]}") - k0[i] ))
        n=$(( $(calls "${ports[$i]}") - c0[i] ))
        total=$((total + ticks)); [ "$ticks" -gt "$top" ] && top=$ticks
        shares="$shares $(awk -v t="$ticks" -v hz="$hz" -v n="$EVENTS" 'BEGIN {printf "%.1f", t / hz * 1e6 / n}')"
        cmds="$cmds $(awk -v c="$n" -v n="$EVENTS" 'BEGIN {printf "%.2f", c / n}')"
    done
    for i in "${!ports[@]}"; do redis-cli -p "${ports[$i]}" info commandstats >"$dir/cmdstats1-$i"; done
    local top_commands
    top_commands=$(python3 - "$dir" "${#ports[@]}" "$EVENTS" <<'PY'
import sys, re
d, n, events = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def read(path):
    out = {}
    for line in open(path):
        m = re.match(r"cmdstat_([^:]+):calls=(\d+)", line)
        if m: out[m.group(1)] = int(m.group(2))
    return out
total = {}
for i in range(n):
    a, b = read(f"{d}/cmdstats0-{i}"), read(f"{d}/cmdstats1-{i}")
    for k, v in b.items(): total[k] = total.get(k, 0) + v - a.get(k, 0)
top = sorted(total.items(), key=lambda kv: -kv[1])[:6]
print(" ".join(f"{k}={v / events:.2f}" for k, v in top if v))
PY
)
    local redis_us top_us
    redis_us=$(awk -v t="$total" -v hz="$hz" -v n="$EVENTS" 'BEGIN {printf "%.1f", t / hz * 1e6 / n}')
    top_us=$(awk -v t="$top" -v hz="$hz" -v n="$EVENTS" 'BEGIN {printf "%.1f", t / hz * 1e6 / n}')
    local rate
    rate=$(awk -v n="$got" -v s="$seconds" 'BEGIN {printf "%.0f", n / s}')
    printf 'masters=%s partitions=%s: %s of %s delivered in %s s = %s events/s; edge %s µs, worker %s µs, Redis %s µs per event (per master:%s; busiest %s), commands per event per master:%s (all masters: %s)\n' \
        "$masters" "$partitions" "$got" "$EVENTS" "$seconds" "$rate" "$edge_us" "$worker_us" "$redis_us" "$shares" "$top_us" "$cmds" "$top_commands"
    local key="m$masters.p$partitions"
    measure "$key.events_per_s" "$rate"
    measure "$key.delivered" "$got"
    measure "$key.cpu_us_per_event.edge" "$edge_us"
    measure "$key.cpu_us_per_event.worker" "$worker_us"
    measure "$key.cpu_us_per_event.redis_total" "$redis_us"
    measure "$key.cpu_us_per_event.redis_busiest" "$top_us"
    measure "$key.cpu_us_per_event.redis_per_master" "$(echo $shares | tr ' ' '/')"
    measure "$key.commands_per_event_per_master" "$(echo $cmds | tr ' ' '/')"
    measure "$key.redis_top" "$top_commands"
    stop "$worker"; stop "$edge"
    for pid in "${rpids[@]}"; do stop "$pid"; done
}

measure events "$EVENTS"
for config in ${CONFIGS:-1:1 1:3 1:6 3:1 3:3 3:6}; do run_config "${config%%:*}" "${config##*:}"; done
