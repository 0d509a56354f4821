#!/usr/bin/env bash
# A/B of produce throughput (mkfk-perf produce: sendAsync over ProduceStream) between two builds,
# run alternately on the same machine so that both see the same noise: OLD and NEW are source
# trees built with mvn -q -DskipTests package. Memory store and file store (fsync always), one
# producer and eight, RUNS rounds; LOAD=N busy loops beside it all. Prints msg/s per run; compare
# medians. Loopback only.
#
# Usage: OLD=/tmp/old-tree NEW=. benchmarks/produce-ab.sh   (RUNS=3 LOAD=0 by default)
set -euo pipefail
old=$(cd "${OLD:?OLD tree}" && pwd)
new=$(cd "${NEW:-.}" && pwd)
runs=${RUNS:-3}
port=19096
# shellcheck source-path=SCRIPTDIR source=server-lib.sh
. "$(dirname "$0")/server-lib.sh"
busy_loops "${LOAD:-0}"

run() { # tree store producers messages
  local tree=$1 store=$2 producers=$3 messages=$4
  if [ "$store" = file ]; then
    start_server "$tree" MINIKAFKA_ROOT_DIR="$work/store" MINIKAFKA_FSYNC=always
  else
    start_server "$tree"
  fi
  local line
  line=$(timeout 300 "$tree/bin/mkfk-perf" produce --host 127.0.0.1:$port --topic ab --messages "$messages" \
    --size 100 --producers "$producers" 2>&1 | grep -E "records/sec" | tail -1 || echo "FAILED")
  stop_server
  echo "$(basename "$tree") $store producers=$producers: $line"
}

for _ in $(seq "$runs"); do
  for store in memory file; do
    for producers in 1 8; do
      for tree in "$old" "$new"; do
        run "$tree" "$store" "$producers" 1000000
      done
    done
  done
done
