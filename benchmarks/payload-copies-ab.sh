#!/usr/bin/env bash
# A/B of batched produce to the file store (fsync always, 256 MiB heap) between two builds, run
# alternately on the same machine so that both see the same noise: OLD and NEW are source trees
# built with mvn -q -DskipTests package, each measured with its own mkfk-perf. Per round and build,
# one server is started afresh, warmed with 1 KiB records, then measured with 1 KiB records and
# with 16 KiB ones. Prints each run with the server's CPU per record, and its young collections
# (count and seconds, from jstat) and page faults during the run; compare medians. Written for
# payloads lent from gRPC's buffers, one copy from the network to the log (built in 6aff09a,
# measured, reverted: docs/PERFORMANCE.md). Loopback only.
#
# Usage: OLD=/tmp/old-tree NEW=. benchmarks/payload-copies-ab.sh   (RUNS=3 LOAD=0 by default)
set -euo pipefail
old=$(cd "${OLD:?OLD tree}" && pwd)
new=$(cd "${NEW:-.}" && pwd)
runs=${RUNS:-3}
small=${SMALL:-500000}
large=${LARGE:-40000}
port=19098
# shellcheck source-path=SCRIPTDIR source=server-lib.sh
. "$(dirname "$0")/server-lib.sh"
busy_loops "${LOAD:-0}"

# Young collections so far and their seconds, and page faults (minor, major), of the server.
young() {
  echo "$(jstat -gc "$server" | awk 'NR == 2 { for (i = 1; i <= NF; i++) if (h[i] == "YGC") c = $i; else if (h[i] == "YGCT") t = $i; print c, t } NR == 1 { for (i = 1; i <= NF; i++) h[i] = $i }')" \
    "$(awk '{ print $10, $12 }' "/proc/$server/stat")"
}

measured() { # tree label args...
  local tree=$1 label=$2 before after
  shift 2
  before=$(young)
  local line
  line=$(perf_result "$tree" "$@")
  after=$(young)
  echo "$(basename "$tree") round $round $label: $line; young collections, page faults: $(echo "$before $after" | awk '{ printf "%d (%.3f s), %d", $5 - $1, $6 - $2, $7 - $3 + $8 - $4 }')"
}

for round in $(seq "$runs"); do
  for tree in "$old" "$new"; do
    start_server "$tree" MINIKAFKA_HEAP_OPTS=-Xmx256m MINIKAFKA_ROOT_DIR="$work/store" MINIKAFKA_FSYNC=always
    perf_result "$tree" produce --topic warm --messages "$small" --size 1024 > /dev/null
    measured "$tree" "produce 1 KiB" produce --topic k1 --messages "$small" --size 1024
    measured "$tree" "produce 16 KiB" produce --topic k16 --messages "$large" --size 16384
    stop_server
  done
done
