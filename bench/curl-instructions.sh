#!/usr/bin/env bash
# libcurl's cost per request in instructions, not seconds: bench/curl_floor.c (libcurl alone,
# Sluice's eight headers, one multi handle driven as Sluice's engine drives it) under valgrind's
# callgrind at 64 and at 640 transfers in flight, against nginx answering 200. Instruction counts
# do not move with whatever else the machine is doing, so this separates what libcurl does per
# request from the noise that CPU times carry on a shared machine.
#
#   bench/curl-instructions.sh [REQUESTS]      (default 20000; about a minute)
#   LIBCURL_DIR=dir                            run against the libcurl.so in dir instead of the
#                                              system's, and list the functions whose cost grows
#                                              with the transfers in flight (Debian's libcurl is
#                                              stripped: its internal functions have no names, so
#                                              only totals are printed for it)
#
# Prints, for each number in flight: instructions per request in all, in libcurl, and in its
# printf machinery (mprintf.c's formatting and the byte-by-byte appends it makes, with a libcurl
# that has symbols).
set -euo pipefail
cd "$(dirname "$0")/.."
REQUESTS=${1:-20000}
for tool in valgrind callgrind_annotate nginx; do
    command -v $tool >/dev/null || { echo "bench/curl-instructions.sh needs $tool (apt-get install valgrind nginx)"; exit 2; }
done
CC=$(command -v cc || command -v clang || true)
[ -n "$CC" ] || { echo "bench/curl-instructions.sh needs a C compiler for bench/curl_floor.c"; exit 2; }

bench=curl-instructions
. bench/lib.sh

"$CC" -O2 -g -o "$work/curl_floor" bench/curl_floor.c -lcurl
start_nginx 1 "access_log off;" "location / { return 200; }"
url="http://127.0.0.1:$nport/hook"
env=()
[ -n "${LIBCURL_DIR:-}" ] && env=(env "LD_LIBRARY_PATH=$LIBCURL_DIR")

for inflight in 64 640; do
    out="$work/callgrind-$inflight.out"
    "${env[@]}" valgrind --tool=callgrind --callgrind-out-file="$out" "$work/curl_floor" "$url" "$REQUESTS" "$inflight" \
        >"$work/run-$inflight.log" 2>&1 || { cat "$work/run-$inflight.log"; exit 1; }
    callgrind_annotate --inclusive=no --threshold=100 "$out" >"$work/self-$inflight.txt"
    callgrind_annotate --inclusive=yes --threshold=100 "$out" >"$work/incl-$inflight.txt"
done

python3 - "$work" "$REQUESTS" "${LIBCURL_DIR:-}" <<'PY'
import re, sys
work, requests, symbols = sys.argv[1], int(sys.argv[2]), sys.argv[3]
line_re = re.compile(r"^\s*([\d,]+)\s+\([^)]*\)\s+(.*?)\s+\[([^\]]+)\]\s*$")

def rows(path):
    for line in open(path):
        m = line_re.match(line)
        if m:
            yield int(m.group(1).replace(",", "")), m.group(2), m.group(3)

def total(path):
    for line in open(path):
        if "PROGRAM TOTALS" in line:
            return int(line.split()[0].replace(",", ""))
    return 0

per = {}
for n in (64, 640):
    self_rows = list(rows(f"{work}/self-{n}.txt"))
    curl = sum(c for c, _, obj in self_rows if "libcurl" in obj)
    printf = next((c for c, fn, obj in rows(f"{work}/incl-{n}.txt") if fn.endswith(":dprintf_formatf")), None)
    per[n] = {fn: c / requests for c, fn, obj in self_rows if "libcurl" in obj}
    line = f"{n:4d} in flight: {total(f'{work}/self-{n}.txt') / requests:9,.0f} instructions per request, libcurl's own {curl / requests:9,.0f}"
    if printf is not None:
        line += f", its printf machinery (dprintf_formatf and below) {printf / requests:8,.0f}"
    print(line)
if symbols:
    print("libcurl functions whose own instructions per request grow the most from 64 to 640 in flight:")
    grown = sorted(set(per[64]) | set(per[640]), key=lambda f: per[64].get(f, 0) - per[640].get(f, 0))
    for fn in grown[:8]:
        print(f"  {per[64].get(fn, 0):8,.0f} -> {per[640].get(fn, 0):8,.0f}  {fn.split('/')[-1]}")
PY
