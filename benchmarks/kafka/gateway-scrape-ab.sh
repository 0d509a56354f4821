#!/usr/bin/env bash
# A/B of a metrics scrape of a gateway (MiniKafka over Kafka) between builds: TOPICS topics of
# 20,000 messages are made once through the first tree's gateway, then, per round and tree, a fresh
# gateway is scraped once (connections, JIT) and then five times, each scrape's time printed with
# the gateway's and the broker's CPU per scrape. Loopback only; needs the Kafka jars
# side-by-side.sh fetches.
#
# Usage: benchmarks/kafka/gateway-scrape-ab.sh TREE...   (ROUNDS=3 TOPICS=40)
# e.g.   benchmarks/kafka/gateway-scrape-ab.sh /tmp/old-tree .
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
lib=$here/target/lib
rounds=${ROUNDS:-3}
topics=${TOPICS:-40}
kafka_port=19192
gateway_port=19194
metrics_port=19198
[ $# -gt 0 ] || { echo "usage: $0 TREE..." >&2; exit 2; }
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
per_scrape_ms() { echo "($2 - $1) * 1000 / $(getconf CLK_TCK) / 5" | bc; }

start_kafka_node $kafka_port "$work"

start_gateway() { # tree
  env MINIKAFKA_HEAP_OPTS=-Xmx256m MINIKAFKA_KAFKA_BOOTSTRAP=127.0.0.1:$kafka_port \
    MINIKAFKA_METRICS=127.0.0.1:$metrics_port MINIKAFKA_HOST=127.0.0.1:$gateway_port \
    "$1/bin/mkfk-server" > "$work/gateway.log" 2>&1 &
  gateway=$!
  pids+=("$gateway")
  wait_for_port $gateway_port
  wait_for_port $metrics_port
}
stop_gateway() { kill "$gateway" && wait "$gateway" 2>/dev/null || true; }
scrape() { curl -sf -o /dev/null -w '%{time_total}' "127.0.0.1:$metrics_port/metrics"; }

start_gateway "$1"
for t in $(seq "$topics"); do
  "$1/bin/mkfk-perf" produce --host 127.0.0.1:$gateway_port --topic "t$t" --messages 20000 \
    --size 100 > /dev/null
done
stop_gateway
for round in $(seq "$rounds"); do
  for tree in "$@"; do
    start_gateway "$tree"
    scrape > /dev/null
    before=$(cpu_ticks "$gateway")
    before_kafka=$(cpu_ticks "$kafka_pid")
    times=()
    for _ in 1 2 3 4 5; do
      times+=("$(scrape)")
    done
    gateway_ms=$(per_scrape_ms "$before" "$(cpu_ticks "$gateway")")
    broker_ms=$(per_scrape_ms "$before_kafka" "$(cpu_ticks "$kafka_pid")")
    listed=$(curl -sf "127.0.0.1:$metrics_port/metrics" | { grep -c '^minikafka_topic_messages{' || true; })
    echo "$tree round $round: scrape ${times[*]} s, gateway $gateway_ms ms," \
      "broker $broker_ms ms of CPU per scrape, $listed topics listed"
    stop_gateway
  done
done
