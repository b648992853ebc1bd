# Shared set-up for the benchmark scripts: sourced, not run.
# Every process a script starts goes into `pids`, and everything is stopped and the scratch
# directory removed when the script exits, however it exits.
#
# A script's name (`bench`: ingest, e2e, backlog, soak; its file name unless set): its measures go to
# $RESULTS/$bench.tsv (one `key<TAB>value` a line, read by bench/report.py), its per-phase RSS
# samples to $RESULTS/rss-PHASE.tsv and, with PROFILE=1, its perf summaries to
# $RESULTS/profile-PROCESS-PHASE.txt (and for the edge at ingest, its time by what it was doing,
# to profile-edge-ingest-work.txt).
#
# Environment every script honours:
#   BIN=dir        the sluice and sluice-bench binaries (default .build/release)
#   SKIP_BUILD=1   do not run `swift build` first
#   RESULTS=dir    where the measures, samples and profile summaries go (default bench/results)
#   PROFILE=1      perf record -a -e cpu-clock -g in each phase; summaries for the edge, worker and redis-server
#   KEEP_PERF=1    also keep each phase's perf.data and the pids it profiled in RESULTS
#   PROFILE_HZ=N   perf sampling frequency (default 999)

BIN=${BIN:-.build/release}
RESULTS=${RESULTS:-bench/results}
PROFILE=${PROFILE:-0}
PROFILE_HZ=${PROFILE_HZ:-999}
mkdir -p "$RESULTS"
bench=${bench:-$(basename "$0" .sh)}
measures="$RESULTS/$bench.tsv"
: >"$measures"
rm -f "$RESULTS"/rss-"$bench"*.tsv "$RESULTS"/profile-*-"$bench"*.txt

work=$(mktemp -d)
pids=()
cleanup() {
    # Newest first: the worker and edge stop before the Redis and sink they depend on.
    local i
    # Each is waited for before the next is stopped, so a draining worker still finds its Redis.
    for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
        kill "${pids[$i]}" 2>/dev/null || true
        wait "${pids[$i]}" 2>/dev/null || true
    done
    rm -rf "$work"
}
trap cleanup EXIT

# stop PID: stops one process the script started (and waits for it) before the script ends.
stop() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

# build PRODUCT…: swift build -c release of each, unless SKIP_BUILD is set.
build() {
    [ -n "${SKIP_BUILD:-}" ] && return 0
    local product
    for product in "$@"; do swift build -c release --product "$product" >/dev/null; done
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_http() { for _ in $(seq 1 200); do curl -s -o /dev/null "$1" && return 0; sleep 0.05; done; echo "no answer from $1" >&2; exit 1; }
machine() { echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"; }

# measure KEY VALUE: one figure for bench/report.py.
measure() { printf '%s\t%s\n' "$1" "$2" >>"$measures"; }

# ingest_routes FILE SECRET: the routes.yaml of the ingest benchmarks — one source, `gemini`,
# verifying HMAC with SECRET, and a tenant whose endpoint is never called (the edge only ingests).
ingest_routes() {
    cat >"$1" <<YAML
version: 1
redis: {prefix: bench}
sources:
  gemini:
    kind: standard-webhooks
    verify: {hmac: {secrets: ["$2"]}}
tenants:
  acme:
    signing: {secrets: ["whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"]}
    endpoints: {main: {url: "http://127.0.0.1:9/hook"}}
routes:
  - {name: all, to: [acme/main]}
YAML
}

# start_redis ARGS…: a private redis-server on a free port; sets $rport and $redis_pid.
# REDIS_CPU=N pins it to core N.
start_redis() {
    rport=$(free_port)
    local pin=()
    [ -n "${REDIS_CPU:-}" ] && pin=(taskset -c "$REDIS_CPU")
    "${pin[@]}" redis-server --port "$rport" --bind 127.0.0.1 --dir "$work" --save "" --daemonize no "$@" >"$work/redis.log" 2>&1 &
    redis_pid=$!
    pids+=($redis_pid)
    for _ in $(seq 1 100); do redis-cli -p "$rport" ping >/dev/null 2>&1 && break; sleep 0.05; done
}

# rcli ARGS…: redis-cli against the benchmark's Redis for the script's own queries (queue depths).
# Each is logged, so that the Redis commands per event leave them out.
rcli() {
    echo "$1" | tr '[:upper:]' '[:lower:]' >>"$work/harness-commands"
    redis-cli -p "$rport" "$@"
}

# cpu_ticks PID…: user+system CPU ticks (1/CLK_TCK s) of the processes and their children
# (nginx's worker is a child of its master), summed. Judge changes by CPU per delivery: wall-clock
# rates swing with whatever else runs on the machine.
cpu_ticks() {
    local total=0 pid child
    for pid in "$@"; do
        [ -r "/proc/$pid/stat" ] || continue
        # Fields 14 and 15 (utime, stime) counted after the ") " that ends the command name.
        total=$((total + $(sed 's/.*) //' "/proc/$pid/stat" | awk '{print $12 + $13}')))
        for child in $(pgrep -P "$pid" 2>/dev/null); do total=$((total + $(cpu_ticks "$child"))); done
    done
    echo "$total"
}
# cpu_per NAME TICKS COUNT UNIT: prints "NAME: S s CPU = µs per UNIT".
cpu_per() {
    awk -v name="$1" -v ticks="$2" -v n="$3" -v unit="$4" -v hz="$(getconf CLK_TCK)" \
        'BEGIN { s = ticks / hz; printf "  %-8s %7.2f s CPU = %6.1f µs per %s\n", name, s, (n > 0 ? s * 1e6 / n : 0), unit }'
}
# machine_ticks: "BUSY TOTAL" CPU ticks of the whole machine so far (all cores, from /proc/stat).
machine_ticks() { awk '/^cpu / { busy = $2 + $3 + $4 + $7 + $8 + $9; print busy, busy + $5 + $6 }' /proc/stat; }
rss_mb() { awk '/VmRSS/ {printf "%.1f", $2/1024}' "/proc/$1/status" 2>/dev/null || echo "-"; }
peak_rss_mb() { awk '/VmHWM/ {printf "%.1f", $2/1024}' "/proc/$1/status" 2>/dev/null || echo "-"; }

# timed NAME COMMAND…: runs COMMAND (a load generator) and adds its CPU time to the current
# phase's accounts under NAME; its output goes to stdout as usual.
timed() {
    local name=$1 rc=0
    shift
    /usr/bin/time -f "%U %S" -o "$work/timed.cpu" "$@" || rc=$?
    awk -v name="$name" -v hz="$(getconf CLK_TCK)" '{printf "%s %d\n", name, ($1 + $2) * hz + 0.5}' "$work/timed.cpu" >>"$work/phase-extra"
    return $rc
}

# perf_start NAME: perf record of the whole machine into $work/perf-NAME.data, started in the
# background (its pid in $perf_pid); stop it with kill -INT and wait. System-wide (-a), each
# process picked out by its pid in perf report: perf 6.1 attached with -p PID opens events per
# thread and, when one of those threads exits (Swift's and NIO's pools come and go), can wake up
# in a busy loop that took 40-50% of this machine. Its standard input is a FIFO held open: perf
# polls stdin, and /dev/null (what a background command gets in a script) is always readable.
# A fixed period (-c, in ns for cpu-clock) rather than -F: every sample then stands for the same
# CPU time, so shares by sample count are shares of CPU time.
perf_start() {
    [ -p "$work/perf-stdin" ] || mkfifo "$work/perf-stdin"
    exec {perf_stdin}<>"$work/perf-stdin"
    perf record -a -e cpu-clock -c $((1000000000 / PROFILE_HZ)) -g --no-buildid-cache \
        -o "$work/perf-$1.data" <&$perf_stdin >"$work/perf-$1.log" 2>&1 &
    perf_pid=$!
    sleep 0.3   # perf has read /proc and started sampling before the load starts
}

# phase_begin PHASE NAME:PID …: the start of a measured phase (ingest, e2e-x1, e2e-x10, backlog).
# Notes each process's CPU ticks, the machine's CPU counters and Redis's INFO commandstats, and
# starts sampling each process's RSS every second (into $RESULTS/rss-PHASE.tsv) and, with
# PROFILE=1, perf on the edge, worker and redis processes among them.
phase_begin() {
    phase=$1
    shift
    phase_procs=("$@")
    local spec
    : >"$work/phase-extra"
    : >"$work/phase-cpu0"
    for spec in "${phase_procs[@]}"; do echo "${spec%%:*} $(cpu_ticks "${spec#*:}")" >>"$work/phase-cpu0"; done
    machine_ticks >"$work/phase-machine0"
    redis_snapshot "$work/cmdstats0"
    (
        start=$(date +%s.%N)
        while :; do
            t=$(awk -v s="$start" -v n="$(date +%s.%N)" 'BEGIN {printf "%.1f", n - s}')
            for spec in "${phase_procs[@]}"; do
                # A process started stopped (backlog.sh's worker) is not sampled until it runs.
                [ "$(awk '{print $3}' "/proc/${spec#*:}/stat" 2>/dev/null)" = T ] && continue
                echo "$t ${spec%%:*} $(rss_mb "${spec#*:}")"
            done
            sleep 1
        done
    ) >"$RESULTS/rss-$phase.tsv" &
    rss_sampler=$!
    pids+=($rss_sampler)
    perf_pid=""
    if [ "$PROFILE" = 1 ]; then
        perf_start "$phase"
        pids+=($perf_pid)
    fi
    phase_t0=$(date +%s.%N)
}

# phase_end EVENTS [DELIVERIES]: the end of the phase begun last (EVENTS empty: deliveries
# only). Prints and records, per process, CPU µs per event (and per delivery), peak and sampled
# RSS; Redis commands per event (and per delivery) from INFO commandstats, the script's own
# queries left out; how busy the machine was and how much of that was not this benchmark; with
# PROFILE=1, writes the perf summaries.
phase_end() {
    local events=$1 deliveries=${2:-} spec name before after ticks
    local seconds
    seconds=$(awk -v s="$phase_t0" -v n="$(date +%s.%N)" 'BEGIN {printf "%.3f", n - s}')
    if [ -n "$perf_pid" ]; then
        echo "perf $(cpu_ticks "$perf_pid")" >>"$work/phase-extra"
        kill -INT "$perf_pid" 2>/dev/null || true
    fi
    local ours=0
    echo "  per process over this phase ($seconds s; CPU = user+sys from /proc):"
    for spec in "${phase_procs[@]}"; do
        name=${spec%%:*}
        before=$(awk -v n="$name" '$1 == n {print $2}' "$work/phase-cpu0")
        ticks=$(( $(cpu_ticks "${spec#*:}") - before ))
        ours=$((ours + ticks))
        phase_cpu_line "$name" "$ticks" "$events" "$deliveries"
        measure "$phase.rss_peak.$name" "$(peak_rss_mb "${spec#*:}")"
    done
    while read -r name ticks; do
        ours=$((ours + ticks))
        [ "$name" = perf ] && continue   # perf's own cost is shown below, not as a process of the benchmark
        phase_cpu_line "$name" "$ticks" "$events" "$deliveries"
    done <"$work/phase-extra"
    stop "$rss_sampler"
    redis_snapshot "$work/cmdstats1"
    python3 bench/phase.py redis "$work/cmdstats0" "$work/cmdstats1" "$phase" "$events" "$deliveries" >>"$work/phase-out"
    python3 bench/phase.py rss "$RESULTS/rss-$phase.tsv" "$phase" >>"$work/phase-out"
    read -r busy0 total0 <"$work/phase-machine0"
    read -r busy1 total1 < <(machine_ticks)
    local perf_ticks
    perf_ticks=$(awk '$1 == "perf" {print $2}' "$work/phase-extra")
    awk -v b=$((busy1 - busy0)) -v t=$((total1 - total0)) -v o="$ours" -v p="${perf_ticks:-0}" -v ph="$phase" -v hz="$(getconf CLK_TCK)" \
        -v cores="$(nproc)" -v f="$work/phase-out" 'BEGIN {
            if (t <= 0) exit
            printf "  machine: %.0f%% of %d cores busy; this benchmark %.0f%% (perf %.0f%%), everything else %.0f%%\n",
                100 * b / t, cores, 100 * (o - p) / t, 100 * p / t, 100 * (b > o ? b - o : 0) / t
            printf("%s.machine_busy_pct\t%.1f\n%s.others_pct\t%.1f\n%s.perf_pct\t%.1f\n", ph, 100 * b / t, ph, 100 * (b > o ? b - o : 0) / t, ph, 100 * p / t) >>f
        }'
    grep -v $'\t' "$work/phase-out" || true
    grep $'\t' "$work/phase-out" >>"$measures" || true
    : >"$work/phase-out"
    measure "$phase.seconds" "$seconds"
    if [ -n "$events" ]; then measure "$phase.events" "$events"; fi
    if [ -n "$deliveries" ]; then measure "$phase.deliveries" "$deliveries"; fi
    if [ -n "$perf_pid" ]; then
        wait "$perf_pid" 2>/dev/null || true
        for spec in "${phase_procs[@]}"; do
            name=${spec%%:*}
            case $name in edge | worker | redis) ;; *) continue ;; esac
            perf report -i "$work/perf-$phase.data" --pid "${spec#*:}" --no-children --sort dso,symbol \
                --stdio -g none -n --no-inline 2>/dev/null |
                python3 bench/phase.py profile "$name" "$phase" "$PROFILE_HZ" >"$RESULTS/profile-$name-$phase.txt"
            echo "  profile: $RESULTS/profile-$name-$phase.txt ($(sed -n 's/^# [^:]*: \([0-9]* samples\).*/\1/p' "$RESULTS/profile-$name-$phase.txt" | head -1))"
            if [ "$name" = edge ] && [ "$phase" = ingest ]; then
                # The edge's own time by what it was doing, from the call graphs (bench/edge_work.py).
                perf script -i "$work/perf-$phase.data" --pid "${spec#*:}" -F ip,sym 2>/dev/null |
                    python3 bench/edge_work.py "$(awk -F'\t' -v k="$phase.cpu_us_per_event.edge" '$1 == k {v = $2} END {print v}' "$measures")" \
                    >"$RESULTS/profile-edge-$phase-work.txt"
                echo "  profile: $RESULTS/profile-edge-$phase-work.txt (the edge's time by what it was doing)"
            fi
        done
        if [ "${KEEP_PERF:-0}" = 1 ]; then
            # For digging further by hand (callers: perf report -i … --pid PID --no-children -G).
            mv "$work/perf-$phase.data" "$RESULTS/perf-$phase.data"
            printf '%s\n' "${phase_procs[@]}" >"$RESULTS/perf-$phase.pids"
        else
            rm -f "$work/perf-$phase.data"
        fi
        exec {perf_stdin}<&-
    fi
}

# phase_cpu_line NAME TICKS EVENTS [DELIVERIES]
phase_cpu_line() {
    awk -v name="$1" -v ticks="$2" -v ev="$3" -v dl="$4" -v hz="$(getconf CLK_TCK)" -v ph="$phase" -v f="$measures" 'BEGIN {
        s = ticks / hz
        line = sprintf("    %-8s %7.2f s CPU", name, s)
        printf("%s.cpu_s.%s\t%.2f\n", ph, name, s) >>f
        if (ev != "") {
            line = line sprintf(" = %7.1f µs per event", ev > 0 ? s * 1e6 / ev : 0)
            printf("%s.cpu_us_per_event.%s\t%.1f\n", ph, name, (ev > 0 ? s * 1e6 / ev : 0)) >>f
        }
        if (dl != "") {
            line = line sprintf("%s %6.1f µs per delivery", ev != "" ? "," : " =", dl > 0 ? s * 1e6 / dl : 0)
            printf("%s.cpu_us_per_delivery.%s\t%.1f\n", ph, name, (dl > 0 ? s * 1e6 / dl : 0)) >>f
        }
        print line
    }'
}

# redis_snapshot FILE: INFO commandstats of the benchmark's Redis, and how many queries the script
# itself had sent by then (rcli), so phase.py can leave those out.
redis_snapshot() {
    [ -n "${rport:-}" ] || { : >"$1"; return 0; }
    redis-cli -p "$rport" info commandstats >"$1"
    if [ -f "$work/harness-commands" ]; then sort "$work/harness-commands" | uniq -c | awk '{print "harness_" $2 ":calls=" $1}' >>"$1"; fi
}

# start_nginx WORKERS LOGGING LOCATIONS: nginx on a free port as the ceiling or the sink; sets
# $nport and $nginx_pid. LOGGING goes in the http block (access_log, log_format), LOCATIONS in
# the server block. NGINX_CPU=N pins it to core N.
start_nginx() {
    nport=$(free_port)
    mkdir -p "$work/nginx"
    cat >"$work/nginx/nginx.conf" <<NGINX
worker_processes $1;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 4096; }
http {
    $2
    client_body_temp_path $work/nginx;
    proxy_temp_path $work/nginx; fastcgi_temp_path $work/nginx; uwsgi_temp_path $work/nginx; scgi_temp_path $work/nginx;
    keepalive_requests 1000000;
    server {
        listen 127.0.0.1:$nport;
        $3
    }
}
NGINX
    local pin=()
    [ -n "${NGINX_CPU:-}" ] && pin=(taskset -c "$NGINX_CPU")
    "${pin[@]}" nginx -c "$work/nginx/nginx.conf" -g 'daemon off;' &
    nginx_pid=$!
    pids+=($nginx_pid)
    wait_http "http://127.0.0.1:$nport/"
}
