#!/usr/bin/env bash
# Consume on both sides with the reading JVM's options varied: Kafka's ConsumerPerformance against
# one Kafka node, and mkfk-perf consume against a file store server (fsync never) and a gateway on
# that Kafka, each given the same options, alternately, so that each variant sees the same noise.
# Shows how much of a consume row is the reading JVM's start-up (its heap's first touch, its JIT)
# rather than the brokers. Each VARIANT is JVM options, then ';' and the records to read (at most
# 6000000: three produce runs of 2,000,000 x 100 B fill each topic). Loopback only; needs the Kafka
# jars side-by-side.sh fetches and a built tree (mvn -q -DskipTests package).
#
# Usage: benchmarks/kafka/consume-client-jvm.sh VARIANT...   (ROUNDS=3)
# e.g.   benchmarks/kafka/consume-client-jvm.sh ' ;2000000' ' ;6000000' \
#          '-Xms1g -Xmx1g -XX:+AlwaysPreTouch;2000000'
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
lib=$here/target/lib
rounds=${ROUNDS:-3}
kafka_port=19192
file_port=19195
gateway_port=19194
[ $# -gt 0 ] || { echo "usage: $0 'JVM OPTIONS;RECORDS'..." >&2; exit 2; }
[[ $rounds =~ ^[1-9][0-9]*$ ]] || { echo "$0: ROUNDS must be a positive number: '$rounds'" >&2; exit 2; }
for variant in "$@"; do
  records=${variant##*;}
  if [[ $variant != *\;* || ! $records =~ ^[1-9][0-9]*$ ]]; then
    echo "$0: '$variant' is not 'JVM OPTIONS;RECORDS'" >&2
    exit 2
  fi
  [ "$records" -le 6000000 ] || { echo "$0: at most 6000000 records: '$variant'" >&2; exit 2; }
done
[ -d "$lib" ] || mvn -B -q -f "$here/pom.xml" dependency:copy-dependencies -DoutputDirectory="$lib"
work=$(mktemp -d)
pids=()
cleanup() {
  kill "${pids[@]}" 2>/dev/null || true
  # They write into $work as they stop.
  wait "${pids[@]}" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
# shellcheck source=kafka-node.sh
. "$here/kafka-node.sh"
rate() { grep -oE '[0-9.]+ records/sec' | head -1 | cut -d' ' -f1; }

start_kafka_node $kafka_port "$work"
kjava org.apache.kafka.tools.TopicCommand --bootstrap-server 127.0.0.1:$kafka_port --create \
  --topic perf --partitions 1 --replication-factor 1 > /dev/null
env MINIKAFKA_HEAP_OPTS=-Xmx256m MINIKAFKA_ROOT_DIR="$work/minikafka-data" \
  MINIKAFKA_HOST=127.0.0.1:$file_port "$root/bin/mkfk-server" > "$work/file.log" 2>&1 &
pids+=($!)
env MINIKAFKA_HEAP_OPTS=-Xmx256m MINIKAFKA_KAFKA_BOOTSTRAP=127.0.0.1:$kafka_port \
  MINIKAFKA_HOST=127.0.0.1:$gateway_port "$root/bin/mkfk-server" > "$work/gateway.log" 2>&1 &
pids+=($!)
wait_for_port $file_port
wait_for_port $gateway_port
for _ in 1 2 3; do
  kjava org.apache.kafka.tools.ProducerPerformance --topic perf --num-records 2000000 \
    --record-size 100 --throughput -1 --command-property bootstrap.servers=127.0.0.1:$kafka_port \
    acks=all linger.ms=5 batch.size=65536 buffer.memory=4194304 > /dev/null 2>&1
  for port in $file_port $gateway_port; do
    "$root/bin/mkfk-perf" produce --host 127.0.0.1:$port --topic perf --messages 2000000 \
      --size 100 > /dev/null 2>&1
  done
done
# A warm-up read of each, as side-by-side.sh does.
kjava org.apache.kafka.tools.ConsumerPerformance --bootstrap-server 127.0.0.1:$kafka_port \
  --topic perf --num-records 2000000 --timeout 60000 --group warm-up > /dev/null 2>&1
for port in $file_port $gateway_port; do
  "$root/bin/mkfk-perf" consume --host 127.0.0.1:$port --topic perf --messages 2000000 \
    > /dev/null 2>&1
done
group=0
for round in $(seq "$rounds"); do
  for variant in "$@"; do
    options=${variant%;*}
    records=${variant##*;}
    group=$((group + 1))
    # Unquoted on purpose: the options are several words.
    # shellcheck disable=SC2086
    kafka=$(kjava $options org.apache.kafka.tools.ConsumerPerformance \
      --bootstrap-server 127.0.0.1:$kafka_port --topic perf --num-records "$records" --timeout 60000 --group "read-$group" 2>&1 \
      | tail -1 | awk -F', *' '{print $10}')
    file=$(MINIKAFKA_HEAP_OPTS="$options" "$root/bin/mkfk-perf" consume \
      --host 127.0.0.1:$file_port --topic perf --messages "$records" 2>&1 | tail -1 | rate)
    gateway=$(MINIKAFKA_HEAP_OPTS="$options" "$root/bin/mkfk-perf" consume \
      --host 127.0.0.1:$gateway_port --topic perf --messages "$records" 2>&1 | tail -1 | rate)
    printf '[%s] %s records, round %s: Kafka %.0f, file store %.0f (%.2fx), gateway %.0f (%.2fx)\n' \
      "$options" "$records" "$round" "$kafka" "$file" "$(echo "$file / $kafka" | bc -l)" \
      "$gateway" "$(echo "$gateway / $kafka" | bc -l)"
  done
done
