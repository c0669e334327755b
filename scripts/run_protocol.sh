#!/usr/bin/env bash
# Runs a distributed key generation with N `dkg party` processes on this machine (localhost),
# waits for all of them and says where the key files are.
#
#   scripts/run_protocol.sh N [T] [BITS] [BASE_PORT] [OUT_DIR] [-- PARTY_OPTION...]
#
#   N          number of parties (at least 2T+1)
#   T          corruption threshold: any T+1 parties decrypt (default 1)
#   BITS       bit length of the modulus N (default 2048)
#   BASE_PORT  party i listens on localhost:(BASE_PORT+i) (default 7000)
#   OUT_DIR    where public_key.json and party-<i>.share are written (default ./keys)
#   PARTY_OPTION...  more options of `dkg party`, given to every party with {i} replaced by its
#              id, e.g. for TLS: -- --ca certs/ca.pem --cert 'certs/party-{i}.pem' --key 'certs/party-{i}.key'
#
# The dkg executable is $DKG if set, else `dkg` on the PATH, else build/tools/dkg of this source
# tree. Each party's output is printed with a "[party i]" prefix. If any party fails, the others are
# stopped and the script exits with that party's status.
set -euo pipefail

usage() {
    sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

# The positional arguments, then the options after `--`.
positional=()
while (($# > 0)) && [[ $1 != -- ]]; do
    positional+=("$1")
    shift
done
(($# > 0)) && shift
extra=("$@")
set -- "${positional[@]}"

[[ $# -ge 1 && $# -le 5 ]] || usage
[[ $1 == -h || $1 == --help ]] && usage
parties=$1
threshold=${2:-1}
bits=${3:-2048}
base_port=${4:-7000}
out_dir=${5:-keys}
for value in "$parties" "$threshold" "$bits" "$base_port"; do
    [[ $value =~ ^[0-9]+$ ]] || { echo "run_protocol.sh: '$value' is not a non-negative integer" >&2; exit 2; }
done

dkg=${DKG:-}
if [[ -z $dkg ]]; then
    if command -v dkg >/dev/null 2>&1; then
        dkg=dkg
    else
        dkg="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)/build/tools/dkg"
        [[ -x $dkg ]] || { echo "run_protocol.sh: dkg not found: set DKG, put dkg on the PATH or build it in build/" >&2; exit 2; }
    fi
fi

pids=()
stop_all() {
    local pid
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
}
trap 'stop_all; exit 130' INT TERM

for ((party = 1; party <= parties; party++)); do
    echo "Starting party $party of $parties on localhost:$((base_port + party))"
    options=()
    for option in "${extra[@]}"; do options+=("${option//\{i\}/$party}"); done
    "$dkg" party --id "$party" --parties "$parties" --threshold "$threshold" --bits "$bits" \
        --base-port "$base_port" --out "$out_dir" "${options[@]}" > >(sed -u "s/^/[party $party] /") 2>&1 &
    pids+=("$!")
done

# Wait for every party; on the first failure stop the others.
remaining=${#pids[@]}
declare -A done_pids=()
while ((remaining > 0)); do
    for i in "${!pids[@]}"; do
        pid=${pids[$i]}
        [[ -n ${done_pids[$pid]:-} ]] && continue
        kill -0 "$pid" 2>/dev/null && continue
        status=0
        wait "$pid" || status=$?
        done_pids[$pid]=1
        remaining=$((remaining - 1))
        if ((status != 0)); then
            echo "run_protocol.sh: party $((i + 1)) failed (exit status $status); stopping the others" >&2
            stop_all
            wait 2>/dev/null || true
            exit "$status"
        fi
    done
    ((remaining > 0)) && sleep 0.2
done
wait 2>/dev/null || true

echo "The protocol has finished."
echo "Public key: $out_dir/public_key.json"
for ((party = 1; party <= parties; party++)); do
    echo "Share of party $party: $out_dir/party-$party.share"
done
