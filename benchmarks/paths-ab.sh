#!/usr/bin/env bash
# A/B of the per-message paths between two builds, run alternately on the same machine so that both
# see the same noise: OLD and NEW are source trees built with mvn -q -DskipTests package, each
# measured with its own tools. Per round and build, one file-store server (256 MiB heap) is started
# afresh for each part, then:
#   - batched produce, 100 B and 1 KiB, fsync always (a warm-up run first, not printed);
#   - consume through Subscribe of what the 100 B run stored (fsync never; mkfk-perf consume of
#     the OLD build may count its connection in, NEW prints the connect time apart);
#   - 16 synchronous producers, the original API (fsync never, then always; a warm-up run first).
# Prints each run with the server's CPU per message; compare medians. Loopback only.
#
# Usage: OLD=/tmp/old-tree NEW=. benchmarks/paths-ab.sh   (RUNS=3 LOAD=0 by default)
set -euo pipefail
old=$(cd "${OLD:?OLD tree}" && pwd)
new=$(cd "${NEW:-.}" && pwd)
runs=${RUNS:-3}
small=${SMALL:-2000000}
large=${LARGE:-500000}
sync=${SYNC:-160000}
port=19097
# shellcheck source-path=SCRIPTDIR source=server-lib.sh
. "$(dirname "$0")/server-lib.sh"
busy_loops "${LOAD:-0}"
start() { # tree fsync
  start_server "$1" MINIKAFKA_HEAP_OPTS=-Xmx256m MINIKAFKA_ROOT_DIR="$work/store" MINIKAFKA_FSYNC="$2"
}

for round in $(seq "$runs"); do
  for tree in "$old" "$new"; do
    name=$(basename "$tree")
    start "$tree" always
    perf_result "$tree" produce --topic warm --messages "$small" --size 100 > /dev/null
    echo "$name round $round produce 100 B, fsync always: $(perf_result "$tree" produce --topic p --messages "$small" --size 100)"
    perf_result "$tree" produce --topic warm1k --messages "$large" --size 1024 > /dev/null
    echo "$name round $round produce 1 KiB, fsync always: $(perf_result "$tree" produce --topic p1k --messages "$large" --size 1024)"
    stop_server
    start "$tree" never
    perf_result "$tree" produce --topic c --messages "$small" --size 100 > /dev/null
    perf_result "$tree" consume --topic c --messages "$small" > /dev/null
    echo "$name round $round consume 100 B: $(perf_result "$tree" consume --topic c --messages "$small")"
    for fsync in never always; do
      [ "$fsync" = always ] && { stop_server; start "$tree" always; }
      perf_result "$tree" produce --topic s --messages $((sync / 2)) --size 100 --sync --producers 16 > /dev/null
      echo "$name round $round 16 synchronous producers, fsync $fsync: $(perf_result "$tree" produce --topic s --messages "$sync" --size 100 --sync --producers 16)"
    done
    stop_server
  done
done
