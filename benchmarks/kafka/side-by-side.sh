#!/usr/bin/env bash
# Apache Kafka and MiniKafka on this machine, loopback only, the same work on each:
#   - Kafka itself through its own Java producer and consumer (ProducerPerformance,
#     ConsumerPerformance, KafkaEndToEnd.java at the same fixed rate as mkfk-perf e2e, and
#     KafkaSyncProducers.java for the 16 synchronous producers of mkfk-perf produce --sync);
#   - MiniKafka over that Kafka (a gateway: MINIKAFKA_KAFKA_BOOTSTRAP), the hop's cost;
#   - MiniKafka's file store (fsync never, then always) and its memory store. Each server runs with
#     a 256 MiB heap; the memory store keeps every run's messages, and their index, outside it, in
#     up to 7 GiB of direct memory.
# Kafka's producer runs with acks=all, idempotence, linger 5 ms (what a gateway uses) and the 4 MiB
# buffer of MiniKafka's producer (buffer.memory; its default of 32 MiB queues a third of a second of
# 100 B records behind a saturated broker, and costs the producing JVM as much in collections); every
# MiniKafka row is mkfk-perf. Consume is read twice: 2,000,000 records, and RUNS x 2,000,000 (all
# that MiniKafka's produce runs left), where the reading JVM's start-up weighs less. CPU time per record comes from /proc (a
# gateway row counts the gateway and the Kafka broker). Prints each run as it goes, then one table
# of medians with ratios to Kafka.
#
# Usage: benchmarks/kafka/side-by-side.sh   (after mvn -q -DskipTests package; RUNS=3 by default)
#   SYSTEMS="memory file-always" measures Kafka and only those MiniKafka columns (default: all of
#   over-kafka file-never file-always memory).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=$here/target
lib=$work/lib
runs=${RUNS:-3}
systems_wanted=" ${SYSTEMS:-over-kafka file-never file-always memory} "
wanted() { [[ $systems_wanted == *" $1 "* ]]; }
for system in $systems_wanted; do
  case $system in
    over-kafka | file-never | file-always | memory) ;;
    *) echo "SYSTEMS: unknown system '$system' (over-kafka, file-never, file-always, memory)" >&2; exit 2 ;;
  esac
done
kafka_port=19092
minikafka_port=19094
rate=10000
unary=160000
# What the 100 B produce runs leave in MiniKafka's topic (Kafka's holds its warm-up run's too): the
# long read takes all of it.
long_read=$((runs * 2000000))
results=$work/results.txt

[ -d "$lib" ] || mvn -B -q -f "$here/pom.xml" dependency:copy-dependencies -DoutputDirectory="$lib"
mkdir -p "$work" && : > "$results"

# shellcheck source=kafka-node.sh
. "$here/kafka-node.sh"
cpu_ticks() { local t=0; for p in "$@"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done; echo $t; }
per_record() { # ticks_before ticks_after records -> microseconds of CPU per record
  echo "scale=3; ($2 - $1) * 1000000 / $(getconf CLK_TCK) / $3" | bc
}
record() { echo "$1|$2|$3" >> "$results"; } # metric system value
field() { # text, the word before the given label ("records/sec", "ms p99")
  echo "$1" | grep -oE "[0-9.]+ $2" | head -1 | cut -d' ' -f1
}
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT

# --- Apache Kafka ---
start_kafka_node $kafka_port "$work"
for topic in perf perf1k; do
  kjava org.apache.kafka.tools.TopicCommand --bootstrap-server 127.0.0.1:$kafka_port --create \
    --topic $topic --partitions 1 --replication-factor 1 > /dev/null
done
kafka_produce() { # topic size records [warm-up: not recorded]
  local before out
  before=$(cpu_ticks $kafka_pid)
  out=$(kjava org.apache.kafka.tools.ProducerPerformance --topic "$1" --num-records "$3" \
    --record-size "$2" --throughput -1 --command-property bootstrap.servers=127.0.0.1:$kafka_port \
    acks=all enable.idempotence=true linger.ms=5 batch.size=65536 buffer.memory=4194304 2>&1 | tail -1)
  local cpu; cpu=$(per_record "$before" "$(cpu_ticks $kafka_pid)" "$3")
  echo "kafka produce $2 B: $out broker CPU $cpu us/record"
  [ $# -gt 3 ] && return 0
  record "produce $2 B, records/s" kafka "$(field "$out" "records/sec")"
  record "server CPU per $2 B record produced, us" kafka "$cpu"
}
kafka_produce perf 100 2000000 warm-up > /dev/null
for _ in $(seq "$runs"); do kafka_produce perf 100 2000000; done
kafka_produce perf1k 1024 500000 warm-up > /dev/null
for _ in $(seq "$runs"); do kafka_produce perf1k 1024 500000; done
# Each consume after a warm-up read, as each produce after a warm-up run.
kjava org.apache.kafka.tools.ConsumerPerformance --bootstrap-server 127.0.0.1:$kafka_port \
  --topic perf --num-records 2000000 --timeout 60000 --group perf-warm-up > /dev/null 2>&1
for run in $(seq "$runs"); do
  before=$(cpu_ticks $kafka_pid)
  out=$(kjava org.apache.kafka.tools.ConsumerPerformance --bootstrap-server 127.0.0.1:$kafka_port \
    --topic perf --num-records 2000000 --timeout 60000 --group "perf-$run" 2>&1 | tail -1)
  cpu=$(per_record "$before" "$(cpu_ticks $kafka_pid)" 2000000)
  echo "kafka consume (start, end, MB, MB/s, records, records/s, rebalance ms, fetch ms, fetch MB/s, fetch records/s): $out broker CPU $cpu us/record"
  # Its fetch rate: the group join (a Kafka consumer group's, which MiniKafka has no need of) left out.
  record "consume 100 B, records/s" kafka "$(echo "$out" | awk -F', *' '{print $10}')"
  record "server CPU per record consumed, us" kafka "$cpu"
done
# A longer read (RUNS times as long): what the reading JVM's start-up costs (its JIT compiling, its
# first touch of each heap page) weighs less, on each side alike.
for run in $(seq "$runs"); do
  out=$(kjava org.apache.kafka.tools.ConsumerPerformance --bootstrap-server 127.0.0.1:$kafka_port \
    --topic perf --num-records $long_read --timeout 60000 --group "perf-long-$run" 2>&1 | tail -1)
  echo "kafka consume $long_read: $out"
  record "consume 100 B, $long_read records, records/s" kafka "$(echo "$out" | awk -F', *' '{print $10}')"
done
for run in $(seq "$runs"); do
  kjava org.apache.kafka.tools.TopicCommand --bootstrap-server 127.0.0.1:$kafka_port --create \
    --topic "e2e-$run" --partitions 1 --replication-factor 1 > /dev/null
  before=$(cpu_ticks $kafka_pid)
  out=$(kjava "$here/KafkaEndToEnd.java" 127.0.0.1:$kafka_port "e2e-$run" 100000 50000 $rate 100 2>&1 | tail -1)
  cpu=$(per_record "$before" "$(cpu_ticks $kafka_pid)" 150000)
  echo "kafka e2e at $rate/s: $out broker CPU $cpu us/record"
  record "e2e p99 at $rate/s, ms" kafka "$(field "$out" "ms p99")"
  record "e2e p50 at $rate/s, ms" kafka "$(field "$out" "ms p50")"
  record "server CPU per e2e record, us" kafka "$cpu"
done
kjava org.apache.kafka.tools.TopicCommand --bootstrap-server 127.0.0.1:$kafka_port --create \
  --topic unary --partitions 1 --replication-factor 1 > /dev/null
kjava "$here/KafkaSyncProducers.java" 127.0.0.1:$kafka_port unary $((unary / 2)) 16 100 > /dev/null 2>&1
for run in $(seq "$runs"); do
  before=$(cpu_ticks $kafka_pid)
  out=$(kjava "$here/KafkaSyncProducers.java" 127.0.0.1:$kafka_port unary $unary 16 100 2>&1 | tail -1)
  cpu=$(per_record "$before" "$(cpu_ticks $kafka_pid)" $unary)
  echo "kafka 16 synchronous producers: $out broker CPU $cpu us/record"
  record "16 synchronous producers (the original API), records/s" kafka "$(field "$out" "records/sec")"
  record "server CPU per synchronous record, us" kafka "$cpu"
done
echo "kafka broker resident memory: $(awk '/VmRSS/ {print $2 / 1024 " MiB"}' /proc/$kafka_pid/status)"

# --- MiniKafka ---
mkfk_perf() { "$root/bin/mkfk-perf" "$1" --host 127.0.0.1:$minikafka_port "${@:2}" 2>&1; }
minikafka_runs() { # system-name, then the PIDs whose CPU counts
  local name=$1; shift
  local cpus=("$@")
  mkfk_perf produce --topic warm --messages 2000000 --size 100 > /dev/null
  for _ in $(seq "$runs"); do
    before=$(cpu_ticks "${cpus[@]}")
    out=$(mkfk_perf produce --topic perf --messages 2000000 --size 100 | tail -1)
    cpu=$(per_record "$before" "$(cpu_ticks "${cpus[@]}")" 2000000)
    echo "$name produce 100 B: $out server CPU $cpu us/record"
    record "produce 100 B, records/s" "$name" "$(field "$out" "records/sec")"
    record "server CPU per 100 B record produced, us" "$name" "$cpu"
  done
  mkfk_perf produce --topic warm1k --messages 500000 --size 1024 > /dev/null
  for _ in $(seq "$runs"); do
    before=$(cpu_ticks "${cpus[@]}")
    out=$(mkfk_perf produce --topic perf1k --messages 500000 --size 1024 | tail -1)
    cpu=$(per_record "$before" "$(cpu_ticks "${cpus[@]}")" 500000)
    echo "$name produce 1024 B: $out server CPU $cpu us/record"
    record "produce 1024 B, records/s" "$name" "$(field "$out" "records/sec")"
    record "server CPU per 1024 B record produced, us" "$name" "$cpu"
  done
  mkfk_perf consume --topic perf --messages 2000000 > /dev/null
  for _ in $(seq "$runs"); do
    before=$(cpu_ticks "${cpus[@]}")
    out=$(mkfk_perf consume --topic perf --messages 2000000 | tail -1)
    cpu=$(per_record "$before" "$(cpu_ticks "${cpus[@]}")" 2000000)
    echo "$name consume: $out server CPU $cpu us/record"
    record "consume 100 B, records/s" "$name" "$(field "$out" "records/sec")"
    record "server CPU per record consumed, us" "$name" "$cpu"
  done
  for _ in $(seq "$runs"); do
    out=$(mkfk_perf consume --topic perf --messages $long_read | tail -1)
    echo "$name consume $long_read: $out"
    record "consume 100 B, $long_read records, records/s" "$name" "$(field "$out" "records/sec")"
  done
  for run in $(seq "$runs"); do
    before=$(cpu_ticks "${cpus[@]}")
    out=$(mkfk_perf e2e --topic "e2e-$run" --messages 100000 --warmup-messages 50000 --rate $rate | tail -1)
    cpu=$(per_record "$before" "$(cpu_ticks "${cpus[@]}")" 150000)
    echo "$name e2e at $rate/s: $out server CPU $cpu us/record"
    record "e2e p99 at $rate/s, ms" "$name" "$(field "$out" "ms p99")"
    record "e2e p50 at $rate/s, ms" "$name" "$(field "$out" "ms p50")"
    record "server CPU per e2e record, us" "$name" "$cpu"
  done
  mkfk_perf produce --topic unary --messages $((unary / 2)) --size 100 --sync --producers 16 > /dev/null
  for _ in $(seq "$runs"); do
    before=$(cpu_ticks "${cpus[@]}")
    out=$(mkfk_perf produce --topic unary --messages $unary --size 100 --sync --producers 16 | tail -1)
    cpu=$(per_record "$before" "$(cpu_ticks "${cpus[@]}")" $unary)
    echo "$name 16 synchronous producers: $out server CPU $cpu us/record"
    record "16 synchronous producers (the original API), records/s" "$name" "$(field "$out" "records/sec")"
    record "server CPU per synchronous record, us" "$name" "$cpu"
  done
  echo "$name server resident memory: $(awk '/VmRSS/ {print $2 / 1024 " MiB"}' /proc/${cpus[0]}/status)"
}
start_minikafka() { # environment assignments for the server
  env "$@" MINIKAFKA_HOST=127.0.0.1:$minikafka_port "$root/bin/mkfk-server" > "$work/minikafka.log" 2>&1 &
  server_pid=$!
  pids+=("$server_pid")
  wait_for_port $minikafka_port
}

if wanted over-kafka; then
  start_minikafka MINIKAFKA_HEAP_OPTS=-Xmx256m MINIKAFKA_KAFKA_BOOTSTRAP=127.0.0.1:$kafka_port
  minikafka_runs over-kafka "$server_pid" "$kafka_pid"
  kill "$server_pid" && wait "$server_pid" 2>/dev/null || true
fi
kill "$kafka_pid" && wait "$kafka_pid" 2>/dev/null || true

for fsync in never always; do
  wanted "file-$fsync" || continue
  rm -rf "$work/minikafka-data"
  start_minikafka MINIKAFKA_HEAP_OPTS=-Xmx256m MINIKAFKA_ROOT_DIR="$work/minikafka-data" \
    MINIKAFKA_FSYNC=$fsync
  minikafka_runs "file-$fsync" "$server_pid"
  kill "$server_pid" && wait "$server_pid" 2>/dev/null || true
done
if wanted memory; then
  # Every run keeps its messages: room for all of them, outside the heap.
  start_minikafka MINIKAFKA_HEAP_OPTS="-Xmx256m -XX:MaxDirectMemorySize=7g" \
    MINIKAFKA_MAX_MEMORY_BYTES=$((6 * 1024 * 1024 * 1024))
  minikafka_runs memory "$server_pid"
  kill "$server_pid" && wait "$server_pid" 2>/dev/null || true
fi

# --- The table: medians (lowest-highest), and each MiniKafka median over Kafka's ---
median() { sort -n | awk '{v[NR] = $1} END {if (NR) print v[int((NR + 1) / 2)]; else print "-"}'; }
spread() { sort -n | awk '{v[NR] = $1} END {if (NR) print "(" v[1] "-" v[NR] ")"}'; }
# Only the systems measured (SYSTEMS), Kafka first.
systems=(kafka)
headers="| | Kafka |"
for system in over-kafka file-never file-always memory; do
  wanted "$system" || continue
  systems+=("$system")
  case $system in
    over-kafka) headers="$headers MiniKafka over Kafka |" ;;
    file-never) headers="$headers file, fsync never |" ;;
    file-always) headers="$headers file, fsync always |" ;;
    memory) headers="$headers memory |" ;;
  esac
done
values() { grep -F "$1|$2|" "$results" | cut -d'|' -f3 || true; } # metric system
echo
echo "Medians of $runs runs (lowest-highest), $(date -u +%Y-%m-%d); ratio = MiniKafka / Kafka"
echo
echo "$headers"
echo "|---|$(printf -- '---:|%.0s' "${systems[@]}")"
cut -d'|' -f1 "$results" | awk '!seen[$0]++' | while read -r metric; do
  row="| $metric |"
  kafka=$(values "$metric" kafka | median)
  for system in "${systems[@]}"; do
    value=$(values "$metric" "$system" | median)
    range=$(values "$metric" "$system" | spread)
    if [ "$system" != kafka ] && [ "$value" != - ] && [ "$kafka" != - ] && [ "$(echo "$kafka > 0" | bc)" = 1 ]; then
      row="$row $value **$(printf '%.2f' "$(echo "scale=4; $value / $kafka" | bc)")x** $range |"
    else
      row="$row $value $range |"
    fi
  done
  echo "$row"
done
