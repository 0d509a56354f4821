#!/usr/bin/env bash
# A/B of the file store with fsync always between two builds, run alternately on the same machine
# so that both see the same noise: OLD and NEW are source trees built with
# mvn -q -DskipTests package, each measured with its own tools. Per round and build, one server
# (256 MiB heap, fsync always) is started afresh, then, each after a warm-up run that is not
# printed:
#   - 16 synchronous producers, the original API (one message per call);
#   - end-to-end at 10,000 msg/s (100 B, one message per request);
#   - batched produce, 100 B and 1 KiB.
# Each line carries the server's CPU per message and its fsyncs in that run: how many per message
# and their mean time, from the server's own metrics. Loopback only; LOAD=N adds N busy loops.
#
# Usage: OLD=/tmp/old-tree NEW=. benchmarks/fsync-always-ab.sh   (RUNS=3 LOAD=0 by default)
set -euo pipefail
old=$(cd "${OLD:?OLD tree}" && pwd)
new=$(cd "${NEW:-.}" && pwd)
runs=${RUNS:-3}
port=19093
metrics=19094
# shellcheck source-path=SCRIPTDIR source=server-lib.sh
. "$(dirname "$0")/server-lib.sh"
busy_loops "${LOAD:-0}"

start() { # tree
  start_server "$1" MINIKAFKA_HEAP_OPTS=-Xmx256m MINIKAFKA_ROOT_DIR="$work/store" \
    MINIKAFKA_FSYNC=always MINIKAFKA_METRICS=127.0.0.1:$metrics
}
fsyncs() { # -> "count sum_seconds" of the server's log fsyncs so far
  { curl -s --max-time 10 "127.0.0.1:$metrics/metrics" || true; } | awk '
    /^minikafka_fsync_duration_seconds_count/ {c = $2}
    /^minikafka_fsync_duration_seconds_sum/ {s = $2}
    END {print c + 0, s + 0}'
}
perf() { # tree messages command args... -> the result line with the fsyncs it took, or FAILED
  local tree=$1 messages=$2
  shift 2
  local before after line
  before=$(fsyncs)
  line=$(timeout 600 "$tree/bin/mkfk-perf" "$1" --host 127.0.0.1:$port --server-pid "$server" \
    --messages "$messages" "${@:2}" 2>&1 | grep -E "records/sec" | tail -1 || true)
  [ -n "$line" ] || line=FAILED
  after=$(fsyncs)
  echo "$line, $(echo "$before $after $messages" | awk '{
    n = $3 - $1; each = n > 0 ? ($4 - $2) * 1000 / n : 0
    printf "fsyncs %.3f per message, %.3f ms each", n / $5, each}')"
}

for round in $(seq "$runs"); do
  for tree in "$old" "$new"; do
    name=$(basename "$tree")
    start "$tree"
    perf "$tree" 80000 produce --topic s --size 100 --sync --producers 16 > /dev/null
    echo "$name round $round 16 synchronous producers: $(perf "$tree" 160000 produce --topic s --size 100 --sync --producers 16)"
    perf "$tree" 50000 e2e --topic e --rate 10000 > /dev/null
    echo "$name round $round e2e at 10000/s: $(perf "$tree" 100000 e2e --topic e --rate 10000)"
    perf "$tree" 2000000 produce --topic warm --size 100 > /dev/null
    echo "$name round $round produce 100 B: $(perf "$tree" 2000000 produce --topic p --size 100)"
    perf "$tree" 500000 produce --topic warm1k --size 1024 > /dev/null
    echo "$name round $round produce 1 KiB: $(perf "$tree" 500000 produce --topic p1k --size 1024)"
    stop_server
  done
done
