#!/usr/bin/env bash
# What each group of a JVM's threads spent while a command ran: voluntary and involuntary context
# switches and CPU time, from /proc/PID/task/*/status and stat. Threads are compared one by one
# (a thread that starts during the command counts from zero; one that ends is left out), then
# grouped by name without a trailing number; Linux keeps 15 characters of a thread's name, so
# minikafka-append-1..4 group as minikafka-appen. Divided by CALLS when given.
#
# Usage: CALLS=160000 benchmarks/thread-switches.sh SERVER_PID -- bin/mkfk-perf produce ... --sync
set -uo pipefail
export LC_ALL=C
pid=${1:?the JVM\'s process id}
[ "${2:-}" = "--" ] || { echo "usage: $0 PID -- command [args...]" >&2; exit 2; }
shift 2
calls=${CALLS:-1}
snapshot() { # one line per thread: id, name, voluntary, involuntary, CPU ticks
  local task name voluntary involuntary ticks
  for task in /proc/"$pid"/task/*; do
    name=$(tr ' ' '_' < "$task/comm" 2>/dev/null | sed 's/-*[0-9]*$//') || continue
    voluntary=$(awk '/^voluntary_ctxt_switches/ {print $2}' "$task/status" 2>/dev/null) || continue
    involuntary=$(awk '/^nonvoluntary_ctxt_switches/ {print $2}' "$task/status" 2>/dev/null) || continue
    # The name in stat is in parentheses and may hold spaces: count fields after it.
    ticks=$(sed 's/^.*) //' "$task/stat" 2>/dev/null | awk '{print $12 + $13}') || continue
    echo "${task##*/} ${name:-?} ${voluntary:-0} ${involuntary:-0} ${ticks:-0}"
  done
}
before=$(mktemp) after=$(mktemp)
trap 'rm -f "$before" "$after"' EXIT
snapshot > "$before"
"$@"
status=$?
snapshot > "$after"
awk -v n="$calls" -v hz="$(getconf CLK_TCK)" '
  NR == FNR { v[$1] = $3; i[$1] = $4; c[$1] = $5; next }
  { dv[$2] += $3 - v[$1]; di[$2] += $4 - i[$1]; dc[$2] += ($5 - c[$1]) * 1e6 / hz }
  END {
    for (k in dv)
      if (dv[k] + di[k] + dc[k] > 0)
        printf "%-28s voluntary %8d (%.2f per call)  involuntary %7d  cpu %8.2f us per call\n",
          k, dv[k], dv[k] / n, di[k], dc[k] / n
  }' "$before" "$after" | sort
exit "$status"
