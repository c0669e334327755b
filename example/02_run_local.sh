#!/usr/bin/env bash
# Runs example 2 on this machine: starts one 02_distributed_party process per party on free
# localhost ports, waits for all of them, shows what each party printed, and fails if any failed.
#
#   02_run_local.sh [--parties N] [--threshold T] [--bits B] [--program PATH] [--tls]
#
# Party j's private value is 10*j; every party checks the jointly decrypted sum. The program is
# looked for next to this script unless --program names it.
#
# With --tls the parties talk over TLS 1.3: the script makes a throw-away test CA and certificates
# for parties 1..N in a temporary directory with make_test_certificates.sh (looked for next to this
# script, where CMake copies it, then in ../scripts of the source tree) and passes each party its
# --ca, --cert and --key. These certificates are for tests only.
set -euo pipefail

here=$(dirname -- "$0")
parties=3
threshold=1
bits=2048
program="$here/02_distributed_party"
tls=no
usage="usage: $0 [--parties N] [--threshold T] [--bits B] [--program PATH] [--tls]"
while [ $# -gt 0 ]; do
  if [ "$1" = --tls ]; then tls=yes; shift; continue; fi
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
make_certificates=""
if [ "$tls" = yes ]; then
  for candidate in "$here/make_test_certificates.sh" "$here/../scripts/make_test_certificates.sh"; do
    if [ -f "$candidate" ]; then make_certificates=$candidate; break; fi
  done
  [ -n "$make_certificates" ] || { echo "$0: make_test_certificates.sh not found next to this script or in ../scripts" >&2; exit 2; }
fi

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

if [ "$tls" = yes ]; then
  bash "$make_certificates" "$logs/certificates" "$parties" >"$logs/certificates.log" 2>&1 ||
    { cat "$logs/certificates.log" >&2; echo "$0: cannot make the test certificates" >&2; exit 1; }
fi

expected=$((10 * parties * (parties + 1) / 2))
transport=TCP
[ "$tls" = yes ] && transport=TLS
echo "Starting $parties parties (threshold $threshold, $bits-bit key, $transport) on 127.0.0.1 ports $base..$((base + parties - 1))"
for ((j = 1; j <= parties; j++)); do
  credentials=()
  if [ "$tls" = yes ]; then
    credentials=(--ca "$logs/certificates/ca.pem" --cert "$logs/certificates/party-$j.pem" --key "$logs/certificates/party-$j.key")
  fi
  timeout 300 "$program" --id "$j" --parties "$parties" --threshold "$threshold" --bits "$bits" \
    --base-port "$base" --value $((10 * j)) --expect "$expected" "${credentials[@]}" >"$logs/party-$j.log" 2>&1 &
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
if [ "$tls" = yes ] && [ ${#failed[@]} -eq 0 ]; then
  # Each party says whether it listens over TLS: make sure every one did.
  for ((j = 1; j <= parties; j++)); do
    grep -q "listening on .* (TLS)" "$logs/party-$j.log" || failed+=("$j (not over TLS)")
  done
fi
if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED: parties ${failed[*]}" >&2
  exit 1
fi
echo "All $parties parties decrypted the expected sum $expected over $transport."
