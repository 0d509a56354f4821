#!/usr/bin/env bash
# A/B of the per-message paths between two builds, run alternately on the same machine so that both
# see the same noise: OLD and NEW are source trees built with mvn -q -DskipTests package, each
# measured with its own tools. Per round and build, one file-store server (256 MiB heap) is started
# afresh for each part, then:
#   - batched produce, 100 B and 1 KiB, fsync always (a warm-up run first, not printed);
#   - consume through Subscribe of what the 100 B run stored (fsync never; mkfk-perf consume of
#     the OLD build may count its connection in, NEW prints the connect time apart);
#   - 16 synchronous producers, the original API (fsync never, then always; a warm-up run first).
# Prints each run with the server's CPU per message; compare medians. Loopback only.
#
# Usage: OLD=/tmp/old-tree NEW=. benchmarks/paths-ab.sh   (RUNS=3 LOAD=0 by default)
set -euo pipefail
old=$(cd "${OLD:?OLD tree}" && pwd)
new=$(cd "${NEW:-.}" && pwd)
runs=${RUNS:-3}
load=${LOAD:-0}
small=${SMALL:-2000000}
large=${LARGE:-500000}
sync=${SYNC:-160000}
port=19097
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

start() { # tree fsync
  rm -rf "$work/store" "$work/server.log"
  env MINIKAFKA_HEAP_OPTS=-Xmx256m MINIKAFKA_HOST=127.0.0.1:$port MINIKAFKA_ROOT_DIR="$work/store" \
    MINIKAFKA_FSYNC="$2" "$1/bin/mkfk-server" > "$work/server.log" 2>&1 &
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
    name=$(basename "$tree")
    start "$tree" always
    perf "$tree" produce --topic warm --messages "$small" --size 100 > /dev/null
    echo "$name round $round produce 100 B, fsync always: $(perf "$tree" produce --topic p --messages "$small" --size 100)"
    perf "$tree" produce --topic warm1k --messages "$large" --size 1024 > /dev/null
    echo "$name round $round produce 1 KiB, fsync always: $(perf "$tree" produce --topic p1k --messages "$large" --size 1024)"
    stop
    start "$tree" never
    perf "$tree" produce --topic c --messages "$small" --size 100 > /dev/null
    perf "$tree" consume --topic c --messages "$small" > /dev/null
    echo "$name round $round consume 100 B: $(perf "$tree" consume --topic c --messages "$small")"
    for fsync in never always; do
      [ "$fsync" = always ] && { stop; start "$tree" always; }
      perf "$tree" produce --topic s --messages $((sync / 2)) --size 100 --sync --producers 16 > /dev/null
      echo "$name round $round 16 synchronous producers, fsync $fsync: $(perf "$tree" produce --topic s --messages "$sync" --size 100 --sync --producers 16)"
    done
    stop
  done
done
