#!/usr/bin/env bash
# A/B of consume through a gateway (MiniKafka over Kafka) between builds or Kafka client settings,
# run alternately on one Kafka node so that each sees the same noise. Each VARIANT is a source tree
# built with mvn -q -DskipTests package, optionally followed by :FILE, a Kafka client properties
# file the gateway is given (MINIKAFKA_KAFKA_PROPERTIES). MESSAGES × 100 B are produced once through
# the first variant's gateway; then, per round and variant, a fresh gateway (256 MiB heap) is read
# RUNS times in a row, each read printed with the gateway's and the broker's CPU per record. The
# first reads of a fresh gateway show its JIT warming up: compare the medians of each run number.
# Loopback only; needs the Kafka jars side-by-side.sh fetches.
#
# Usage: benchmarks/kafka/gateway-consume-ab.sh VARIANT...   (ROUNDS=3 RUNS=4 MESSAGES=2000000)
# e.g.   benchmarks/kafka/gateway-consume-ab.sh /tmp/old-tree . ./:/tmp/small-fetches.properties
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
lib=$here/target/lib
rounds=${ROUNDS:-3}
runs=${RUNS:-4}
messages=${MESSAGES:-2000000}
kafka_port=19192
gateway_port=19194
[ $# -gt 0 ] || { echo "usage: $0 TREE[:PROPERTIES]..." >&2; exit 2; }
[ -d "$lib" ] || mvn -B -q -f "$here/pom.xml" dependency:copy-dependencies -DoutputDirectory="$lib"
work=$(mktemp -d)
pids=()
cleanup() {
  kill "${pids[@]}" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
# shellcheck source=kafka-node.sh
. "$here/kafka-node.sh"
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
per_record() { echo "scale=3; ($2 - $1) * 1000000 / $(getconf CLK_TCK) / $messages" | bc; }

start_kafka_node $kafka_port "$work"

start_gateway() { # tree [properties]
  local props=()
  [ -n "${2:-}" ] && props=(MINIKAFKA_KAFKA_PROPERTIES="$2")
  env MINIKAFKA_HEAP_OPTS=-Xmx256m MINIKAFKA_KAFKA_BOOTSTRAP=127.0.0.1:$kafka_port "${props[@]}" \
    MINIKAFKA_HOST=127.0.0.1:$gateway_port "$1/bin/mkfk-server" > "$work/gateway.log" 2>&1 &
  gateway=$!
  pids+=("$gateway")
  wait_for_port $gateway_port
}
stop_gateway() { kill "$gateway" && wait "$gateway" 2>/dev/null || true; }

first=${1%%:*}
start_gateway "$first"
"$first/bin/mkfk-perf" produce --host 127.0.0.1:$gateway_port --topic perf --messages "$messages" \
  --size 100 | tail -1
stop_gateway
for round in $(seq "$rounds"); do
  for variant in "$@"; do
    tree=${variant%%:*}
    props=
    [ "$tree" != "$variant" ] && props=${variant#*:}
    start_gateway "$tree" "$props"
    for run in $(seq "$runs"); do
      before=$(cpu_ticks "$gateway")
      before_kafka=$(cpu_ticks "$kafka_pid")
      out=$("$tree/bin/mkfk-perf" consume --host 127.0.0.1:$gateway_port --topic perf \
        --messages "$messages" 2>&1 | tail -1)
      echo "$variant round $round run $run: $(echo "$out" | grep -oE '[0-9.]+ records/sec')" \
        "gateway $(per_record "$before" "$(cpu_ticks "$gateway")") us" \
        "broker $(per_record "$before_kafka" "$(cpu_ticks "$kafka_pid")") us"
    done
    stop_gateway
  done
done
