#!/usr/bin/env bash
# A/B of end-to-end latency and server CPU between two builds, alternating so that both see the same
# noise: OLD and NEW are source trees built with mvn -q -DskipTests package, each measured with its
# own server and its own mkfk-perf. Per round, store (memory; file with fsync always) and build,
# one server is started afresh (the file store with a 256 MiB heap, the memory store with the JVM's
# default, as e2e-runs.sh) and runs one `mkfk-perf e2e --rate RATE` (100,000 messages after WARMUP
# of warm-up), printed with the server's CPU per message; OLD runs first in each pair. LOAD=N runs
# N busy loops beside it all. Compare medians. Loopback only.
#
# Usage: OLD=/tmp/old-tree NEW=. benchmarks/e2e-ab.sh   (RUNS=3 LOAD=0 RATE=10000 WARMUP=50000)
set -euo pipefail
old=$(cd "${OLD:?OLD tree}" && pwd)
new=$(cd "${NEW:-.}" && pwd)
runs=${RUNS:-3}
load=${LOAD:-0}
rate=${RATE:-10000}
warmup=${WARMUP:-50000}
port=19098
work=$(mktemp -d)
busy=()
server=
cleanup() {
  for pid in "${busy[@]}"; do kill "$pid" 2>/dev/null || true; done
  [ -n "$server" ] && kill "$server" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
for _ in $(seq "$load"); do
  # Bounded: a busy loop stops by itself after 30 minutes if this script is killed.
  timeout 1800 sh -c 'while :; do :; done' &
  busy+=($!)
done

run() { # tree store round
  local tree=$1 store=$2 round=$3
  rm -rf "$work/store" "$work/server.log"
  if [ "$store" = file ]; then
    env MINIKAFKA_HEAP_OPTS=-Xmx256m MINIKAFKA_HOST=127.0.0.1:$port MINIKAFKA_ROOT_DIR="$work/store" \
      MINIKAFKA_FSYNC=always "$tree/bin/mkfk-server" > "$work/server.log" 2>&1 &
  else
    env MINIKAFKA_HOST=127.0.0.1:$port "$tree/bin/mkfk-server" > "$work/server.log" 2>&1 &
  fi
  server=$!
  for _ in $(seq 150); do
    grep -q "listening on" "$work/server.log" && break
    kill -0 "$server" 2>/dev/null || break
    sleep 0.2
  done
  local line
  line=$(timeout 300 "$tree/bin/mkfk-perf" e2e --host 127.0.0.1:$port --topic ab \
    --messages 100000 --warmup-messages "$warmup" --rate "$rate" --server-pid "$server" 2>&1 \
    | grep -v "records/sec, [0-9.]* ms avg latency, [0-9.]* ms max" | tail -1 || true)
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  server=
  echo "$(basename "$tree") $store round $round: ${line:-FAILED}"
}

for round in $(seq "$runs"); do
  for store in memory file; do
    for tree in "$old" "$new"; do
      run "$tree" "$store" "$round"
    done
  done
done
