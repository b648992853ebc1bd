# Shared set-up for the benchmark scripts: sourced, not run.
# Every process a script starts goes into `pids`, and everything is stopped and the scratch
# directory removed when the script exits, however it exits.

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
# cpu_micros_per PID TICKS_BEFORE N: CPU µs the process spent per item since TICKS_BEFORE.
cpu_micros_per() { echo "$(( ($(cpu_ticks "$1") - $2) * 1000000 / $(getconf CLK_TCK) / $3 ))"; }

# start_nginx WORKERS LOGGING LOCATIONS: nginx on a free port as the ceiling or the sink; sets
# $nport and $nginx_pid. LOGGING goes in the http block (access_log, log_format), LOCATIONS in
# the server block.
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
    nginx -c "$work/nginx/nginx.conf" -g 'daemon off;' &
    nginx_pid=$!
    pids+=($nginx_pid)
    wait_http "http://127.0.0.1:$nport/"
}
