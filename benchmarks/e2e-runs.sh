#!/usr/bin/env bash
# End-to-end runs of mkfk-perf at 10,000 msg/s against the memory store and the file store (fsync
# always), RUNS times each, one server at a time, loopback only. LOAD=N runs N busy loops beside it
# all, as a second load on the machine would. Prints every run's final line (or its failure), and
# counts failed runs: the tool now stops at the first failed send and checks that every message
# arrives exactly once. Results: docs/PERFORMANCE.md.
#
# Usage: benchmarks/e2e-runs.sh   (after mvn -q -DskipTests package; RUNS=3 LOAD=0 by default)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
runs=${RUNS:-3}
load=${LOAD:-0}
port=19095
# shellcheck source-path=SCRIPTDIR source=server-lib.sh
. "$(dirname "$0")/server-lib.sh"
busy_loops "$load"

failures=0
for store in memory file; do
  if [ "$store" = file ]; then
    start_server "$root" MINIKAFKA_ROOT_DIR="$work/store" MINIKAFKA_FSYNC=always
  else
    start_server "$root"
  fi
  for run in $(seq "$runs"); do
    if out=$("$root/bin/mkfk-perf" e2e --host 127.0.0.1:$port --topic "e2e-$store-$run" --messages 100000 \
        --warmup-messages 50000 --rate 10000 --server-pid "$server" 2>&1 | grep -v "records/sec, [0-9.]* ms avg latency, [0-9.]* ms max"); then
      echo "$store store (load $load), run $run: $out"
    fi
    case "$out" in e2e:*) failures=$((failures + 1)) ;; esac
  done
  stop_server
done
echo "failed runs: $failures of $((2 * runs))"
