#!/usr/bin/env bash
# Apache Kafka and MiniKafka on this machine, one broker at a time, loopback only: Kafka's own perf
# tools against a one-node Kafka (KRaft, the settings of kafka-server-start.sh), then mkfk-perf
# against MiniKafka's file store (fsync never, then always). One line per run; the broker's CPU
# time per record is read from /proc. Results and how to read them: docs/PERFORMANCE.md.
#
# Usage: benchmarks/kafka/side-by-side.sh   (after mvn -q -DskipTests package; RUNS=3 by default)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=$here/target
lib=$work/lib
runs=${RUNS:-3}
kafka_port=19092
minikafka_port=19094

[ -d "$lib" ] || mvn -B -q -f "$here/pom.xml" dependency:copy-dependencies -DoutputDirectory="$lib"

kafka_classpath=(-Dlog4j2.configurationFile="$here/log4j2.properties" -cp "$lib/*")
kjava() { java "${kafka_classpath[@]}" "$@"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
per_record() { # ticks_before ticks_after records -> microseconds of CPU per record
  echo "scale=3; ($2 - $1) * 1000000 / $(getconf CLK_TCK) / $3" | bc
}
wait_for_port() {
  for _ in $(seq 150); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.2
  done
  echo "nothing listens on 127.0.0.1:$1" >&2
  return 1
}

# --- Apache Kafka ---
rm -rf "$work/kafka-data" && mkdir -p "$work"
{ cat "$here/server.properties"; echo "log.dirs=$work/kafka-data"; } > "$work/server.properties"
kjava kafka.tools.StorageTool format -t "$(kjava kafka.tools.StorageTool random-uuid)" \
  -c "$work/server.properties" > /dev/null
# Started directly, not through kjava, so that $! is the JVM whose CPU time is read.
java "${kafka_classpath[@]}" -Xmx1G -Xms1G -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 \
  -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true kafka.Kafka "$work/server.properties" \
  > "$work/kafka.log" 2>&1 &
kafka_pid=$!
trap 'kill $kafka_pid 2>/dev/null || true' EXIT
wait_for_port $kafka_port
for topic in perf perf1k e2e; do
  kjava org.apache.kafka.tools.TopicCommand --bootstrap-server 127.0.0.1:$kafka_port --create \
    --topic $topic --partitions 1 --replication-factor 1 > /dev/null
done
kafka_produce() { # topic size records
  local before out
  before=$(cpu_ticks $kafka_pid)
  out=$(kjava org.apache.kafka.tools.ProducerPerformance --topic "$1" --num-records "$3" \
    --record-size "$2" --throughput -1 --command-property bootstrap.servers=127.0.0.1:$kafka_port \
    acks=1 linger.ms=5 batch.size=65536 2>&1 | tail -1)
  echo "kafka produce $2 B: $out broker CPU $(per_record "$before" "$(cpu_ticks $kafka_pid)" "$3") us/record"
}
kafka_produce perf 100 2000000 > /dev/null # warm-up
for _ in $(seq "$runs"); do kafka_produce perf 100 2000000; done
kafka_produce perf1k 1024 500000 > /dev/null
for _ in $(seq "$runs"); do kafka_produce perf1k 1024 500000; done
for run in $(seq "$runs"); do
  before=$(cpu_ticks $kafka_pid)
  out=$(kjava org.apache.kafka.tools.ConsumerPerformance --bootstrap-server 127.0.0.1:$kafka_port \
    --topic perf --num-records 2000000 --timeout 60000 --group "perf-$run" 2>&1 | tail -1)
  echo "kafka consume (start, end, MB, MB/s, records, records/s, rebalance ms, fetch ms, fetch MB/s, fetch records/s): $out broker CPU $(per_record "$before" "$(cpu_ticks $kafka_pid)" 2000000) us/record"
done
for _ in $(seq "$runs"); do
  echo "kafka e2e, one record at a time: $(kjava org.apache.kafka.tools.EndToEndLatency \
    127.0.0.1:$kafka_port e2e 10000 1 100 2>&1 | tail -2 | tr '\n' ' ')"
done
kill $kafka_pid && wait $kafka_pid 2>/dev/null || true

# --- MiniKafka ---
mkfk_perf() { "$root/bin/mkfk-perf" "$1" --host 127.0.0.1:$minikafka_port "${@:2}" 2>&1; }
for fsync in never always; do
  rm -rf "$work/minikafka-data"
  MINIKAFKA_HOST=127.0.0.1:$minikafka_port MINIKAFKA_ROOT_DIR="$work/minikafka-data" \
    MINIKAFKA_FSYNC=$fsync "$root/bin/mkfk-server" > "$work/minikafka.log" 2>&1 &
  server_pid=$!
  trap 'kill $server_pid 2>/dev/null || true' EXIT
  wait_for_port $minikafka_port
  mkfk_perf produce --topic warm --messages 2000000 --size 100 > /dev/null
  for _ in $(seq "$runs"); do
    echo "minikafka $fsync produce 100 B: $(mkfk_perf produce --topic perf --messages 2000000 --size 100 --server-pid $server_pid | tail -1)"
  done
  mkfk_perf produce --topic warm1k --messages 500000 --size 1024 > /dev/null
  for _ in $(seq "$runs"); do
    echo "minikafka $fsync produce 1024 B: $(mkfk_perf produce --topic perf1k --messages 500000 --size 1024 --server-pid $server_pid | tail -1)"
  done
  for _ in $(seq "$runs"); do
    echo "minikafka $fsync consume: $(mkfk_perf consume --topic perf --messages 2000000 --server-pid $server_pid | tail -1)"
  done
  for run in $(seq "$runs"); do
    echo "minikafka $fsync e2e at 10,000/s: $(mkfk_perf e2e --topic "e2e-$run" --messages 100000 --warmup-messages 50000 --rate 10000 --server-pid $server_pid | tail -1)"
  done
  kill $server_pid && wait $server_pid 2>/dev/null || true
done
