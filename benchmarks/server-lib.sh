# shellcheck shell=bash
# Sourced by the benchmark scripts beside it, not run: a work directory, busy loops, and one
# MiniKafka server at a time on 127.0.0.1:$port (the sourcing script sets $port), all gone when the
# script exits. $work is the directory and $server the running server's pid (empty when none).
set -euo pipefail
: "${port:?the sourcing script sets port}"
work=$(mktemp -d)
busy=()
server=
cleanup() {
  for pid in "${busy[@]}"; do kill "$pid" 2>/dev/null || true; done
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
trap "exit 1" INT TERM

# Starts N busy loops beside the benchmark; each stops by itself after an hour, should this script
# be killed before it can stop them.
busy_loops() { # N
  for _ in $(seq "$1"); do
    timeout 3600 sh -c 'while :; do :; done' &
    busy+=($!)
  done
}

# Starts TREE's mkfk-server with the settings given (environment assignments such as
# MINIKAFKA_FSYNC=always; without MINIKAFKA_ROOT_DIR it is the memory store) and a fresh
# $work/store, and waits up to 60 s for it to listen; if it does not, exits with its last log lines.
# $! of env is the JVM's pid: env and the launch scripts exec.
start_server() { # TREE [VAR=VALUE...]
  local tree=$1
  shift
  rm -rf "$work/store" "$work/server.log"
  env MINIKAFKA_HOST="127.0.0.1:$port" "$@" "$tree/bin/mkfk-server" > "$work/server.log" 2>&1 &
  server=$!
  for _ in $(seq 300); do
    grep -q "listening on" "$work/server.log" && return 0
    kill -0 "$server" 2>/dev/null || break
    sleep 0.2
  done
  echo "the server of $tree did not start:" >&2
  tail -20 "$work/server.log" >&2
  exit 1
}

stop_server() {
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  server=
}

# Runs TREE's mkfk-perf COMMAND against the server, with its CPU, and prints the result line, or
# FAILED.
perf_result() { # TREE COMMAND [ARGS...]
  local tree=$1
  shift
  timeout 600 "$tree/bin/mkfk-perf" "$1" --host "127.0.0.1:$port" --server-pid "$server" "${@:2}" 2>&1 \
    | grep -E "records/sec" | tail -1 || echo "FAILED"
}
