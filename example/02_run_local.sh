#!/usr/bin/env bash
# Runs example 2 on this machine: starts one 02_distributed_party process per party on free
# localhost ports, waits for all of them, shows what each party printed, and fails if any failed.
#
#   02_run_local.sh [--parties N] [--threshold T] [--bits B] [--program PATH]
#
# Party j's private value is 10*j; every party checks the jointly decrypted sum. The program is
# looked for next to this script unless --program names it.
set -euo pipefail

parties=3
threshold=1
bits=2048
program="$(dirname -- "$0")/02_distributed_party"
usage="usage: $0 [--parties N] [--threshold T] [--bits B] [--program PATH]"
while [ $# -gt 0 ]; do
  [ $# -ge 2 ] || { echo "$usage" >&2; exit 2; }
  case "$1" in
    --parties) parties=$2 ;;
    --threshold) threshold=$2 ;;
    --bits) bits=$2 ;;
    --program) program=$2 ;;
    *) echo "$usage" >&2; exit 2 ;;
  esac
  shift 2
done
[ -x "$program" ] || { echo "$0: no program at $program (build the examples, or pass --program)" >&2; exit 2; }

# Nothing may listen on a port yet: probe each with a connection attempt.
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
base=""
for attempt in $(seq 1 50); do
  candidate=$((20000 + RANDOM % 12000)) # below the usual ephemeral range
  free=yes
  for ((j = 0; j < parties; j++)); do port_free $((candidate + j)) || { free=no; break; }; done
  if [ "$free" = yes ]; then base=$candidate; break; fi
done
[ -n "$base" ] || { echo "$0: found no $parties free consecutive ports" >&2; exit 1; }

logs=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; rm -rf "$logs"' EXIT

expected=$((10 * parties * (parties + 1) / 2))
echo "Starting $parties parties (threshold $threshold, $bits-bit key) on 127.0.0.1 ports $base..$((base + parties - 1))"
for ((j = 1; j <= parties; j++)); do
  timeout 300 "$program" --id "$j" --parties "$parties" --threshold "$threshold" --bits "$bits" \
    --base-port "$base" --value $((10 * j)) --expect "$expected" >"$logs/party-$j.log" 2>&1 &
  pids+=($!)
done

failed=()
for ((j = 1; j <= parties; j++)); do
  wait "${pids[j - 1]}" || failed+=("$j")
done
pids=()

for ((j = 1; j <= parties; j++)); do
  echo "---- party $j"
  cat "$logs/party-$j.log"
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED: parties ${failed[*]}" >&2
  exit 1
fi
echo "All $parties parties decrypted the expected sum $expected."
