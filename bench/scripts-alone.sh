#!/usr/bin/env bash
# The worker's route and complete scripts driven alone, against the same writes as plain
# commands in one MULTI/EXEC, on a Redis with the benchmarks' AOF settings: Redis's main-thread
# CPU per event or delivery for each (bench/scripts_alone.py says what each case sends). About
# a minute; needs only redis-server and python3.
#
#   bench/scripts-alone.sh [ROUNDS]   (default 40 batches per case)
set -euo pipefail
cd "$(dirname "$0")/.."
SKIP_BUILD=1
bench=scripts-alone
. bench/lib.sh
machine
start_redis --appendonly yes --appendfsync everysec
python3 bench/scripts_alone.py "$rport" "${1:-40}"
