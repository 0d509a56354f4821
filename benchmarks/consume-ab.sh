#!/usr/bin/env bash
# A/B of consume (mkfk-perf consume: Subscribe) between two builds, run alternately on the same
# machine so that both see the same noise: OLD and NEW are source trees built with
# mvn -q -DskipTests package, each measured with its own tools. Per round and build, a file-store
# server (256 MiB heap, fsync never) is started afresh, MESSAGES × 100 B are produced, read once to
# warm the server, then read again and printed with the server's CPU per record. Compare medians.
# Loopback only.
#
# Usage: OLD=/tmp/old-tree NEW=. benchmarks/consume-ab.sh   (RUNS=3 MESSAGES=6000000 LOAD=0)
set -euo pipefail
old=$(cd "${OLD:?OLD tree}" && pwd)
new=$(cd "${NEW:-.}" && pwd)
runs=${RUNS:-3}
messages=${MESSAGES:-6000000}
port=19098
# shellcheck source-path=SCRIPTDIR source=server-lib.sh
. "$(dirname "$0")/server-lib.sh"
busy_loops "${LOAD:-0}"

for round in $(seq "$runs"); do
  for tree in "$old" "$new"; do
    start_server "$tree" MINIKAFKA_HEAP_OPTS=-Xmx256m MINIKAFKA_ROOT_DIR="$work/store" MINIKAFKA_FSYNC=never
    perf_result "$tree" produce --topic c --messages "$messages" --size 100 > /dev/null
    perf_result "$tree" consume --topic c --messages "$messages" > /dev/null
    echo "$(basename "$tree") round $round consume 100 B: $(perf_result "$tree" consume --topic c --messages "$messages")"
    stop_server
  done
done
