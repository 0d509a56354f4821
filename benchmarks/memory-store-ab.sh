#!/usr/bin/env bash
# A/B of the memory store between two builds, run alternately so both see the same noise: the
# memory column of benchmarks/kafka/side-by-side.sh but its synchronous producers (8 GiB heap, every
# run's messages kept), that is 100 B and 1 KiB batched produce and Subscribe reads of 2,000,000
# messages, each after a warm-up run, then mkfk-perf e2e at 10,000/s (with its own warm-up
# messages). Each run prints its rate, p99 (empty for consume), the server's CPU per record and the
# longest GC pause the server logged while the run went (empty when it logged none); each server,
# at the end, its resident memory and what its heap held after its last collection. OLD and NEW
# are source trees built with mvn -q -DskipTests -DskipITs package. Loopback only.
#
# Usage: OLD=/tmp/old-tree NEW=. benchmarks/memory-store-ab.sh   (ROUNDS=2, RUNS=3 by default;
# HEAP_OPTS=-Xmx8g by default, the server's heap options)
set -euo pipefail
old=$(cd "${OLD:?OLD tree}" && pwd)
new=$(cd "${NEW:-.}" && pwd)
rounds=${ROUNDS:-2}
heap_opts=${HEAP_OPTS:--Xmx8g}
runs=${RUNS:-3}
port=19098
# shellcheck source-path=SCRIPTDIR source=server-lib.sh
. "$(dirname "$0")/server-lib.sh"

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
per_record() { echo "scale=3; ($2 - $1) * 1000000 / $(getconf CLK_TCK) / $3" | bc; }
field() { echo "$1" | grep -oE "[0-9.]+ $2" | head -1 | cut -d' ' -f1; }
# The longest pause in the GC log's lines from line $1 on, in ms.
longest_pause() {
  tail -n +"$1" "$work/gc.log" | grep -oE "Pause .* ([0-9.]+)ms$" | grep -oE "[0-9.]+ms$" \
    | tr -d 'ms' | sort -n | tail -1
}

row() { # tree label messages mkfk-perf-arguments...
  local tree=$1 label=$2 messages=$3 before out lines
  shift 3
  lines=$(($(wc -l < "$work/gc.log") + 1))
  before=$(cpu_ticks "$server")
  out=$(timeout 600 "$tree/bin/mkfk-perf" "$@" --host 127.0.0.1:$port 2>&1 | tail -1)
  echo "$tree $label: $(field "$out" "records/sec") records/s," \
    "p99 $(field "$out" "ms p99") ms, server CPU $(per_record "$before" "$(cpu_ticks "$server")" \
    "$messages") us/record, longest GC pause $(longest_pause "$lines") ms"
}

run() { # tree
  local tree=$1
  : > "$work/gc.log"
  start_server "$tree" MINIKAFKA_MAX_MEMORY_BYTES=$((6 * 1024 * 1024 * 1024)) \
    MINIKAFKA_HEAP_OPTS="$heap_opts -Xlog:gc:file=$work/gc.log"
  row "$tree" warm-up 2000000 produce --topic warm --messages 2000000 --size 100 > /dev/null
  for _ in $(seq "$runs"); do
    row "$tree" "produce 100 B" 2000000 produce --topic perf --messages 2000000 --size 100
  done
  row "$tree" warm-up 500000 produce --topic warm1k --messages 500000 --size 1024 > /dev/null
  for _ in $(seq "$runs"); do
    row "$tree" "produce 1024 B" 500000 produce --topic perf1k --messages 500000 --size 1024
  done
  row "$tree" warm-up 2000000 consume --topic perf --messages 2000000 > /dev/null
  for _ in $(seq "$runs"); do
    row "$tree" consume 2000000 consume --topic perf --messages 2000000
  done
  for run in $(seq "$runs"); do
    row "$tree" e2e 150000 e2e --topic "e2e-$run" --messages 100000 --warmup-messages 50000 \
      --rate 10000
  done
  echo "$tree resident memory: $(awk '/VmRSS/ {print $2 / 1024 " MiB"}' /proc/$server/status)," \
    "heap after the last collection: $(grep -oE -- '->[0-9]+M' "$work/gc.log" | tail -1 | tr -d '>-')"
  stop_server
}

for _ in $(seq "$rounds"); do
  run "$old"
  run "$new"
done
