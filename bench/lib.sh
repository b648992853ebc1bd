# Shared set-up for the benchmark scripts: sourced, not run.
# Every process a script starts goes into `pids`, and everything is stopped and the scratch
# directory removed when the script exits, however it exits.

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
machine() { echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"; }

# start_redis ARGS…: a private redis-server on a free port; sets $rport.
start_redis() {
    rport=$(free_port)
    redis-server --port "$rport" --bind 127.0.0.1 --dir "$work" --save "" --daemonize no "$@" >"$work/redis.log" 2>&1 &
    pids+=($!)
    for _ in $(seq 1 100); do redis-cli -p "$rport" ping >/dev/null 2>&1 && break; sleep 0.05; done
}

# cpu_ticks PID: user+sys CPU time of a process so far, in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# cpu_micros_per PID TICKS_BEFORE N: CPU µs the process spent per item since TICKS_BEFORE.
cpu_micros_per() { echo "$(( ($(cpu_ticks "$1") - $2) * 1000000 / $(getconf CLK_TCK) / $3 ))"; }
