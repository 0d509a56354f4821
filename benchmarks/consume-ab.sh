#!/usr/bin/env bash
# A/B of consume (mkfk-perf consume: Subscribe) between two builds, run alternately on the same
# machine so that both see the same noise: OLD and NEW are source trees built with
# mvn -q -DskipTests package, each measured with its own tools. Per round and build, a file-store
# server (256 MiB heap, fsync never) is started afresh, MESSAGES × 100 B are produced, read once to
# warm the server, then read again and printed with the server's CPU per record. Compare medians.
# Loopback only.
#
# Usage: OLD=/tmp/old-tree NEW=. benchmarks/consume-ab.sh   (RUNS=3 MESSAGES=6000000 LOAD=0)
set -euo pipefail
old=$(cd "${OLD:?OLD tree}" && pwd)
new=$(cd "${NEW:-.}" && pwd)
runs=${RUNS:-3}
messages=${MESSAGES:-6000000}
load=${LOAD:-0}
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
  timeout 3600 sh -c 'while :; do :; done' &
  busy+=($!)
done

start() { # tree
  rm -rf "$work/store" "$work/server.log"
  env MINIKAFKA_HEAP_OPTS=-Xmx256m MINIKAFKA_HOST=127.0.0.1:$port MINIKAFKA_ROOT_DIR="$work/store" \
    MINIKAFKA_FSYNC=never "$1/bin/mkfk-server" > "$work/server.log" 2>&1 &
  server=$!
  for _ in $(seq 150); do grep -q "listening on" "$work/server.log" && break; sleep 0.2; done
}
stop() {
  kill "$server"
  wait "$server" 2>/dev/null || true
  server=
}
perf() { # tree command args... -> the result line, or FAILED
  local tree=$1
  shift
  timeout 600 "$tree/bin/mkfk-perf" "$1" --host 127.0.0.1:$port --server-pid "$server" "${@:2}" 2>&1 \
    | grep -E "records/sec" | tail -1 || echo "FAILED"
}

for round in $(seq "$runs"); do
  for tree in "$old" "$new"; do
    start "$tree"
    perf "$tree" produce --topic c --messages "$messages" --size 100 > /dev/null
    perf "$tree" consume --topic c --messages "$messages" > /dev/null
    echo "$(basename "$tree") round $round consume 100 B: $(perf "$tree" consume --topic c --messages "$messages")"
    stop
  done
done
