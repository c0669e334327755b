#!/usr/bin/env bash
# CTest cli_run_protocol: scripts/run_protocol.sh 3 on free loopback ports with 256-bit keys, then a
# decryption with two of the shares it wrote; a run where one party cannot start fails; and, if
# MAKE_TEST_CERTIFICATES_SH is given (dkg built with TLS), a run over TLS with options passed
# through to the parties.
#   run_protocol_test.sh DKG_EXECUTABLE RUN_PROTOCOL_SH [MAKE_TEST_CERTIFICATES_SH]
set -euo pipefail
dkg=$1
script=$2
certificates=${3:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export DKG=$dkg

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

free_base() {
    local base i
    for _ in $(seq 100); do
        base=$((20000 + RANDOM % 35000))
        for ((i = 1; i <= 3; i++)); do port_free $((base + i)) || continue 2; done
        echo "$base"
        return
    done
    echo "no free ports" >&2
    exit 1
}

# 1. Three parties; retried on another port range if a port was taken meanwhile.
for attempt in 1 2 3; do
    base=$(free_base)
    rm -rf "$work/keys"
    if bash "$script" 3 1 256 "$base" "$work/keys" > "$work/log" 2>&1; then break; fi
    if ! grep -q "in use" "$work/log" || ((attempt == 3)); then
        cat "$work/log"
        echo "FAIL: run_protocol.sh 3 failed"
        exit 1
    fi
done
cat "$work/log"
grep -q "^Public key: $work/keys/public_key.json$" "$work/log" || { echo "FAIL: no public key line"; exit 1; }
for party in 1 2 3; do
    grep -q "^\[party $party\] public key: " "$work/log" || { echo "FAIL: no output of party $party"; exit 1; }
    [[ -f $work/keys/party-$party.share ]] || { echo "FAIL: no share of party $party"; exit 1; }
done
c=$("$dkg" encrypt --public-key "$work/keys/public_key.json" -- -77)
m=$("$dkg" decrypt --shares "$work/keys/party-3.share,$work/keys/party-1.share" "$c")
[[ $m == -77 ]] || { echo "FAIL: decrypted '$m'"; exit 1; }

# 2. Parties that fail (2 parties cannot have threshold 1) make the script fail with their status.
base=$(free_base)
status=0
bash "$script" 2 1 256 "$base" "$work/bad" > "$work/bad.log" 2>&1 || status=$?
cat "$work/bad.log"
((status == 2)) || { echo "FAIL: expected exit status 2 for 2 parties with threshold 1, got $status"; exit 1; }
grep -q "party 1 failed" "$work/bad.log" || grep -q "party 2 failed" "$work/bad.log" || { echo "FAIL: no failure line"; exit 1; }
passed=2

# 3. Over TLS: the options after -- go to every party, {i} replaced by its id.
if [[ -n $certificates ]]; then
    bash "$certificates" "$work/certs" 3 > "$work/certs.log" 2>&1 || { cat "$work/certs.log"; echo "FAIL: no test certificates"; exit 1; }
    for attempt in 1 2 3; do
        base=$(free_base)
        rm -rf "$work/tls-keys"
        if bash "$script" 3 1 256 "$base" "$work/tls-keys" -- --ca "$work/certs/ca.pem" --cert "$work/certs/party-{i}.pem" \
            --key "$work/certs/party-{i}.key" > "$work/tls.log" 2>&1; then break; fi
        if ! grep -q "in use" "$work/tls.log" || ((attempt == 3)); then
            cat "$work/tls.log"
            echo "FAIL: run_protocol.sh 3 over TLS failed"
            exit 1
        fi
    done
    cat "$work/tls.log"
    for party in 1 2 3; do
        grep -q "^\[party $party\] dkg party: note: party $party listens on localhost:$((base + party)) (TLS)" "$work/tls.log" ||
            { echo "FAIL: party $party did not use TLS"; exit 1; }
    done
    c=$("$dkg" encrypt --public-key "$work/tls-keys/public_key.json" 1234)
    m=$("$dkg" decrypt --shares "$work/tls-keys/party-2.share,$work/tls-keys/party-3.share" "$c")
    [[ $m == 1234 ]] || { echo "FAIL: decrypted '$m' with the TLS run's shares"; exit 1; }

    # A party whose options name another party's certificate fails, and the script with it.
    base=$(free_base)
    status=0
    bash "$script" 3 1 256 "$base" "$work/tls-bad" -- --ca "$work/certs/ca.pem" --cert "$work/certs/party-1.pem" \
        --key "$work/certs/party-1.key" --connect-window 2 > "$work/tls-bad.log" 2>&1 || status=$?
    cat "$work/tls-bad.log"
    ((status == 3)) || { echo "FAIL: expected exit status 3 for parties with party 1's certificate, got $status"; exit 1; }
    grep -q "this party's certificate does not name it" "$work/tls-bad.log" || { echo "FAIL: no certificate error"; exit 1; }
    passed=4
fi
echo "run_protocol.sh: $passed passed, 0 failed"
