#!/usr/bin/env bash
# Instructions the server executes per operation, counted by callgrind: repeatable whatever else
# the machine does, where CPU time on a shared machine varies by 10-40% between runs.
#
#   bench/callgrind-ab.sh BASE_DIR [ROUNDS]
#
# For each round, for the checkout BASE_DIR and then this one: start `aerolite start` under
# valgrind --tool=callgrind, load 5,000 keys (1 KiB blob), zero the counters, run 20,000 RU,50
# operations over 8 connections (the load generator is this checkout's `aerolite bench`), stop the
# server and print the instructions counted since the zero. About a minute per run.
set -euo pipefail
BASE=${1:?usage: bench/callgrind-ab.sh BASE_DIR [ROUNDS]}
ROUNDS=${2:-2}
HEAD=$(cd "$(dirname "$0")/.." && pwd)
OPS=20000
GEN="$HEAD/packages/cli/bin/aerolite.cjs"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# The aerolite command of a checkout; one older than the CommonJS command has bin/aerolite.mjs.
cli() {
  if [ -f "$1/packages/cli/bin/aerolite.cjs" ]; then echo "$1/packages/cli/bin/aerolite.cjs"; else echo "$1/packages/cli/bin/aerolite.mjs"; fi
}

measure() {
  local dir=$1 port out
  port=$(node --input-type=module -e "const { freePort } = await import('$HEAD/bench/free-port.mjs'); console.log(await freePort())")
  out="$WORK/run"
  valgrind --tool=callgrind --smc-check=all-non-file --callgrind-out-file="$out.cg" \
    node "$(cli "$dir")" start --port "$port" --log-level warn > "$out.log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 600); do grep -q "ready on" "$out.log" && break; sleep 0.5; done
  node "$GEN" bench --port "$port" --workload I --keys 5000 --bins B1024 --connections 8 --duration 300 --timeout 60000 > /dev/null
  callgrind_control -z "$pid" > /dev/null 2>&1
  node "$GEN" bench --port "$port" --workload RU,50 --keys 5000 --bins B1024 --connections 8 --inflight 1 --ops "$OPS" --duration 600 --timeout 60000 > /dev/null
  kill -TERM "$pid"
  wait "$pid" || true
  local total
  total=$(awk '/^totals:/ { print $2 }' "$out.cg")
  echo "$total $((total / OPS))"
}

echo "round checkout instructions instructions/op"
for round in $(seq 1 "$ROUNDS"); do
  echo "$round base $(measure "$BASE") ($(git -C "$BASE" rev-parse --short HEAD))"
  echo "$round head $(measure "$HEAD") ($(git -C "$HEAD" rev-parse --short HEAD))"
done
