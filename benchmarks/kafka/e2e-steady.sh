#!/usr/bin/env bash
# End-to-end latency at a fixed rate once every JVM is warm: Kafka through its own Java producer
# and consumer (KafkaEndToEnd.java) against MiniKafka over that Kafka (a gateway), and optionally
# MiniKafka's memory store and file store (fsync always), the same work on each, after a warm-up
# long enough for the JIT compilers to finish (side-by-side.sh warms up for 50,000 messages, 5 s at
# 10,000/s; on two cores a fresh gateway's C2 compiler thread still takes half of its CPU 30 s in).
# Per round a fresh Kafka node, shared by the round's runs, then each system in turn, the order
# rotating from round to round, each with a fresh client JVM and a fresh MiniKafka server: WARMUP
# messages at RATE/s, then MESSAGES measured. Prints each run's p50, p99 and p99.9, and the CPU per
# message of the servers (the broker; the gateway plus the broker; the MiniKafka server) over the
# whole run, warm-up included. MiniKafka's servers run with 256 MiB heaps, Kafka as kafka-node.sh
# starts it. Loopback only; needs the Kafka jars side-by-side.sh fetches.
#
# Usage: benchmarks/kafka/e2e-steady.sh   (after mvn -q -DskipTests package)
#   (ROUNDS=3 RATE=10000 MESSAGES=100000 WARMUP=600000 TREE=the checkout this script is in
#    SYSTEMS="kafka over-kafka", or any of kafka over-kafka memory file-always)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tree=$(cd "${TREE:-$here/../..}" && pwd)
lib=$here/target/lib
rounds=${ROUNDS:-3}
rate=${RATE:-10000}
messages=${MESSAGES:-100000}
warmup=${WARMUP:-600000}
read -r -a systems <<< "${SYSTEMS:-kafka over-kafka}"
for system in "${systems[@]}"; do
  case $system in
    kafka | over-kafka | memory | file-always) ;;
    *) echo "SYSTEMS: unknown system '$system' (kafka, over-kafka, memory, file-always)" >&2; exit 2 ;;
  esac
done
kafka_port=19192
gateway_port=19194
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
# CPU ticks of the processes, or nothing once one of them has gone.
ticks() {
  local t=0
  for p in "$@"; do
    [ -r "/proc/$p/stat" ] || return 0
    t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat")))
  done
  echo $t
}
per_message() {
  [ -n "$1" ] && [ -n "$2" ] || { echo "n/a"; return; }
  echo "scale=1; ($2 - $1) * 1000000 / $(getconf CLK_TCK) / ($messages + $warmup)" | bc
}
field() { echo "$1" | grep -oE "[0-9.]+ $2" | head -1 | cut -d' ' -f1; }
report() { # system round output cpu; a failed run prints its last line
  [ -n "$(field "$3" "ms p99")" ] || { echo "$1 round $2: FAILED: $3"; return; }
  echo "$1 round $2: p50 $(field "$3" "ms p50") ms, p99 $(field "$3" "ms p99") ms," \
    "p99.9 $(field "$3" "ms p99.9") ms, servers $4 us per message"
}
limit=$(((warmup + messages) / rate + 120))

kafka_run() { # round
  kjava org.apache.kafka.tools.TopicCommand --bootstrap-server 127.0.0.1:$kafka_port --create \
    --topic "kafka-$1" --partitions 1 --replication-factor 1 > /dev/null
  local before out
  before=$(ticks "$kafka_pid")
  out=$(timeout $limit java -Dlog4j2.configurationFile="$here/log4j2.properties" -cp "$lib/*" \
    "$here/KafkaEndToEnd.java" 127.0.0.1:$kafka_port \
    "kafka-$1" "$messages" "$warmup" "$rate" 100 2>&1 | tail -1 || true)
  report kafka "$1" "$out" "$(per_message "$before" "$(ticks "$kafka_pid")")"
}

minikafka_run() { # system round
  local counted=()
  rm -rf "$work/minikafka-data"
  case $1 in
    over-kafka) set -- "$1" "$2" MINIKAFKA_KAFKA_BOOTSTRAP=127.0.0.1:$kafka_port ;;
    # Every message of the run kept, outside the heap (the default bound is a third of the heap).
    memory)
      set -- "$1" "$2" MINIKAFKA_MAX_MEMORY_BYTES=$((1024 * 1024 * 1024)) \
        MINIKAFKA_HEAP_OPTS="-Xmx256m -XX:MaxDirectMemorySize=2g"
      ;;
    file-always) set -- "$1" "$2" MINIKAFKA_ROOT_DIR="$work/minikafka-data" MINIKAFKA_FSYNC=always ;;
  esac
  env MINIKAFKA_HEAP_OPTS=-Xmx256m MINIKAFKA_HOST=127.0.0.1:$gateway_port "${@:3}" \
    "$tree/bin/mkfk-server" > "$work/minikafka.log" 2>&1 &
  local server=$! before out
  pids+=("$server")
  counted=("$server")
  [ "$1" = over-kafka ] && counted+=("$kafka_pid")
  wait_for_port $gateway_port
  before=$(ticks "${counted[@]}")
  out=$(timeout $limit "$tree/bin/mkfk-perf" e2e --host 127.0.0.1:$gateway_port \
    --topic "$1-$2" --messages "$messages" --warmup-messages "$warmup" --rate "$rate" 2>&1 \
    | tail -1 || true)
  report "$1" "$2" "$out" "$(per_message "$before" "$(ticks "${counted[@]}")")"
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
}

for round in $(seq "$rounds"); do
  start_kafka_node $kafka_port "$work"
  count=${#systems[@]}
  for i in $(seq 0 $((count - 1))); do
    system=${systems[$(((i + round - 1) % count))]}
    if [ "$system" = kafka ]; then
      kafka_run "$round"
    else
      minikafka_run "$system" "$round"
    fi
  done
  kill "$kafka_pid" 2>/dev/null || true
  wait "$kafka_pid" 2>/dev/null || true
done
