#!/usr/bin/env bash
# A/B of end-to-end latency and server CPU between two builds, alternating so that both see the same
# noise: OLD and NEW are source trees built with mvn -q -DskipTests package, each measured with its
# own server and its own mkfk-perf. Per round, store (memory; file with fsync always) and build,
# one server is started afresh (the file store with a 256 MiB heap, the memory store with the JVM's
# default, as e2e-runs.sh) and runs one `mkfk-perf e2e --rate RATE` (100,000 messages after WARMUP
# of warm-up), printed with the server's CPU per message; OLD runs first in each pair. LOAD=N runs
# N busy loops beside it all. Compare medians. Loopback only.
#
# Usage: OLD=/tmp/old-tree NEW=. benchmarks/e2e-ab.sh   (RUNS=3 LOAD=0 RATE=10000 WARMUP=50000)
set -euo pipefail
old=$(cd "${OLD:?OLD tree}" && pwd)
new=$(cd "${NEW:-.}" && pwd)
runs=${RUNS:-3}
rate=${RATE:-10000}
warmup=${WARMUP:-50000}
port=19098
# shellcheck source-path=SCRIPTDIR source=server-lib.sh
. "$(dirname "$0")/server-lib.sh"
busy_loops "${LOAD:-0}"

run() { # tree store round
  local tree=$1 store=$2 round=$3
  if [ "$store" = file ]; then
    start_server "$tree" MINIKAFKA_HEAP_OPTS=-Xmx256m MINIKAFKA_ROOT_DIR="$work/store" MINIKAFKA_FSYNC=always
  else
    start_server "$tree"
  fi
  local line
  line=$(timeout 300 "$tree/bin/mkfk-perf" e2e --host 127.0.0.1:$port --topic ab \
    --messages 100000 --warmup-messages "$warmup" --rate "$rate" --server-pid "$server" 2>&1 \
    | grep -v "records/sec, [0-9.]* ms avg latency, [0-9.]* ms max" | tail -1 || true)
  stop_server
  echo "$(basename "$tree") $store round $round: ${line:-FAILED}"
}

for round in $(seq "$runs"); do
  for store in memory file; do
    for tree in "$old" "$new"; do
      run "$tree" "$store" "$round"
    done
  done
done
