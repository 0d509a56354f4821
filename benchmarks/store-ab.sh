#!/usr/bin/env bash
# A/B of the file store (fsync always) between two builds, run alternately so both see the same
# noise: 8 producers (mkfk-perf produce) then one Subscribe reader (mkfk-perf consume), with 100-byte
# messages (1,000,000) and 1 MiB ones (2,000). OLD and NEW are source trees built with
# mvn -q -DskipTests -DskipITs package. Prints msg/s per run; compare medians. Loopback only.
#
# Usage: OLD=/tmp/old-tree NEW=. benchmarks/store-ab.sh   (RUNS=3 by default)
set -euo pipefail
old=$(cd "${OLD:?OLD tree}" && pwd)
new=$(cd "${NEW:-.}" && pwd)
runs=${RUNS:-3}
port=19097
# shellcheck source-path=SCRIPTDIR source=server-lib.sh
. "$(dirname "$0")/server-lib.sh"

rate() { grep -E "records/sec" | tail -1 | grep -oE "[0-9.]+ records/sec" || echo FAILED; }

run() { # tree size messages
  local tree=$1 size=$2 messages=$3 produced consumed
  start_server "$tree" MINIKAFKA_ROOT_DIR="$work/store" MINIKAFKA_FSYNC=always
  produced=$(timeout 300 "$tree/bin/mkfk-perf" produce --host 127.0.0.1:$port --topic ab \
    --messages "$messages" --size "$size" --producers 8 2>&1 | rate)
  consumed=$(timeout 300 "$tree/bin/mkfk-perf" consume --host 127.0.0.1:$port --topic ab \
    --messages "$messages" 2>&1 | rate)
  stop_server
  echo "$tree size=$size produce: $produced consume: $consumed"
}

for _ in $(seq "$runs"); do
  for size in 100 1048576; do
    messages=1000000
    [ "$size" -gt 1000 ] && messages=2000
    run "$old" "$size" "$messages"
    run "$new" "$size" "$messages"
  done
done
