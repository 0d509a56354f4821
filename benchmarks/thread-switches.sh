#!/usr/bin/env bash
# What each group of a JVM's threads spent while a command ran: voluntary and involuntary context
# switches and CPU time, from /proc/PID/task/*/status and stat, threads grouped by name without
# their trailing number (minikafka-append-1..4 -> minikafka-append). Divided by CALLS when given.
#
# Usage: CALLS=160000 benchmarks/thread-switches.sh SERVER_PID -- bin/mkfk-perf produce ... --sync
set -euo pipefail
pid=${1:?the JVM\'s process id}
[ "${2:-}" = "--" ] || { echo "usage: $0 PID -- command [args...]" >&2; exit 2; }
shift 2
calls=${CALLS:-1}
snapshot() {
  for task in /proc/"$pid"/task/*; do
    name=$(tr ' ' '_' < "$task/comm" 2>/dev/null | sed 's/-*[0-9]*$//') || continue
    voluntary=$(awk '/^voluntary_ctxt_switches/ {print $2}' "$task/status" 2>/dev/null) || continue
    involuntary=$(awk '/^nonvoluntary_ctxt_switches/ {print $2}' "$task/status" 2>/dev/null) || continue
    ticks=$(awk '{print $14 + $15}' "$task/stat" 2>/dev/null) || continue
    echo "$name ${voluntary:-0} ${involuntary:-0} ${ticks:-0}"
  done | awk '{v[$1] += $2; i[$1] += $3; c[$1] += $4} END {for (k in v) print k, v[k], i[k], c[k]}' | sort
}
before=$(mktemp) after=$(mktemp)
trap 'rm -f "$before" "$after"' EXIT
snapshot > "$before"
"$@"
snapshot > "$after"
# Threads that started or ended during the command count from zero or are left out.
join -a 2 -e 0 -o 0,1.2,1.3,1.4,2.2,2.3,2.4 "$before" "$after" |
  awk -v n="$calls" -v hz="$(getconf CLK_TCK)" '{
    dv = $5 - $2; di = $6 - $3; dc = ($7 - $4) * 1e6 / hz
    if (dv + di + dc > 0)
      printf "%-28s voluntary %8d (%.2f per call)  involuntary %7d  cpu %8.2f us per call\n", $1, dv, dv / n, di, dc / n
  }'
