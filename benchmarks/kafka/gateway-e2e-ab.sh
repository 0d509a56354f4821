#!/usr/bin/env bash
# A/B of end-to-end latency through a gateway (MiniKafka over Kafka) between builds, alternating so
# that each sees the same noise: per round and tree, a fresh Kafka node and a fresh gateway (256 MiB
# heap), then RUNS runs of mkfk-perf e2e at RATE messages/s (by default 10,000/s, 100,000
# messages after 50,000 of warm-up, as side-by-side.sh runs it), each printed with its p50 and p99
# and the gateway's and the broker's CPU per message. Each VARIANT is a source tree built with
# mvn -q -DskipTests package, optionally followed by :OPTIONS, JVM options the gateway gets after
# -Xmx256m. Loopback only; needs the Kafka jars side-by-side.sh fetches.
#
# Usage: benchmarks/kafka/gateway-e2e-ab.sh VARIANT...
#   (ROUNDS=3 RUNS=2 RATE=10000 MESSAGES=100000 WARMUP=50000)
# e.g.   benchmarks/kafka/gateway-e2e-ab.sh /tmp/old-tree . .:-Xmn128m
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
lib=$here/target/lib
rounds=${ROUNDS:-3}
runs=${RUNS:-2}
rate=${RATE:-10000}
messages=${MESSAGES:-100000}
warmup=${WARMUP:-50000}
kafka_port=19192
gateway_port=19194
[ $# -gt 0 ] || { echo "usage: $0 TREE[:JVM_OPTIONS]..." >&2; exit 2; }
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
per_message() {
  echo "scale=1; ($2 - $1) * 1000000 / $(getconf CLK_TCK) / ($messages + $warmup)" | bc
}
field() { echo "$1" | grep -oE "[0-9.]+ $2" | head -1 | cut -d' ' -f1; }

for round in $(seq "$rounds"); do
  for variant in "$@"; do
    tree=${variant%%:*}
    options=
    [ "$tree" != "$variant" ] && options=${variant#*:}
    start_kafka_node $kafka_port "$work"
    env MINIKAFKA_HEAP_OPTS="-Xmx256m $options" MINIKAFKA_KAFKA_BOOTSTRAP=127.0.0.1:$kafka_port \
      MINIKAFKA_HOST=127.0.0.1:$gateway_port "$tree/bin/mkfk-server" > "$work/gateway.log" 2>&1 &
    gateway=$!
    pids+=("$gateway")
    wait_for_port $gateway_port
    for run in $(seq "$runs"); do
      before=$(cpu_ticks "$gateway")
      before_kafka=$(cpu_ticks "$kafka_pid")
      out=$(timeout 300 "$tree/bin/mkfk-perf" e2e --host 127.0.0.1:$gateway_port \
        --topic "e2e-$run" --messages "$messages" --warmup-messages "$warmup" --rate "$rate" 2>&1 \
        | tail -1)
      echo "$variant round $round run $run: p50 $(field "$out" "ms p50") ms," \
        "p99 $(field "$out" "ms p99") ms, gateway $(per_message "$before" "$(cpu_ticks "$gateway")")" \
        "us, broker $(per_message "$before_kafka" "$(cpu_ticks "$kafka_pid")") us per message"
    done
    kill "$gateway" "$kafka_pid"
    wait "$gateway" "$kafka_pid" 2>/dev/null || true
  done
done
