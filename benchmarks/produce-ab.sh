#!/usr/bin/env bash
# A/B of produce throughput (mkfk-perf produce: sendAsync over ProduceStream) between two builds,
# run alternately on the same machine so that both see the same noise: OLD and NEW are source
# trees built with mvn -q -DskipTests package. Memory store and file store (fsync always), one
# producer and eight, RUNS rounds; LOAD=N busy loops beside it all. Prints msg/s per run; compare
# medians. Loopback only.
#
# Usage: OLD=/tmp/old-tree NEW=. benchmarks/produce-ab.sh   (RUNS=3 LOAD=0 by default)
set -euo pipefail
old=$(cd "${OLD:?OLD tree}" && pwd)
new=$(cd "${NEW:-.}" && pwd)
runs=${RUNS:-3}
load=${LOAD:-0}
port=19096
work=$(mktemp -d)
busy=()
cleanup() {
  for pid in "${busy[@]}"; do kill "$pid" 2>/dev/null || true; done
  [ -n "${server:-}" ] && kill "$server" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
for _ in $(seq "$load"); do
  timeout 1800 sh -c 'while :; do :; done' &
  busy+=($!)
done

run() { # tree store producers messages
  local tree=$1 store=$2 producers=$3 messages=$4
  rm -rf "$work/store" "$work/server.log"
  if [ "$store" = file ]; then
    env MINIKAFKA_HOST=127.0.0.1:$port MINIKAFKA_ROOT_DIR="$work/store" MINIKAFKA_FSYNC=always \
      "$tree/bin/mkfk-server" > "$work/server.log" 2>&1 &
  else
    env MINIKAFKA_HOST=127.0.0.1:$port "$tree/bin/mkfk-server" > "$work/server.log" 2>&1 &
  fi
  server=$!
  for _ in $(seq 150); do grep -q "listening on" "$work/server.log" && break; sleep 0.2; done
  local line
  line=$(timeout 300 "$tree/bin/mkfk-perf" produce --host 127.0.0.1:$port --topic ab --messages "$messages" \
    --size 100 --producers "$producers" 2>&1 | grep -E "records/sec" | tail -1 || echo "FAILED")
  kill "$server"; wait "$server" 2>/dev/null || true
  server=
  echo "$(basename "$tree") $store producers=$producers: $line"
}

for round in $(seq "$runs"); do
  for store in memory file; do
    for producers in 1 8; do
      for tree in "$old" "$new"; do
        run "$tree" "$store" "$producers" 1000000
      done
    done
  done
done
