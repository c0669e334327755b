#!/usr/bin/env bash
# Runs a whole verifiable election on this machine, every part a separate process over real TLS:
#
#   scripts/run_election.sh [--trustees N] [--threshold T] [--voters V] [--bits B]
#                           [--base-port P] [--dir DIR] [--no-unanimous]
#
# 1. N trustees generate a threshold Paillier key with `dkg party` over TLS (no dealer);
# 2. the ballot box (`dkg-vote serve`) starts on HTTPS; the administrator creates an election
#    ("tally": three options) and the credential authority signs a token per voter and trustee;
# 3. V voters vote (`dkg-vote vote`, several at a time), each checking its receipt on the board;
# 4. the administrator closes the election; every trustee verifies the board and the encrypted
#    tally (`dkg-vote tally`), the trustees decrypt only the tally with `dkg decrypt-party` over TLS
#    (with proofs), and send their partial decryptions (`dkg-vote submit-decryption`) until t+1
#    are in and the ballot box publishes the result;
# 5. anyone verifies the published record (`dkg-vote fetch`, `dkg-vote verify`), and the counts
#    are compared with the votes cast;
# 6. unless --no-unanimous: a unanimous vote of the trustees' five-party kind (the seed article's),
#    blinded by every trustee in turn, decrypted and verified the same way.
#
# Defaults: 5 trustees, threshold 2, 50 voters, 2048-bit key, ports from 7400, a temporary
# directory removed at the end (kept with --dir). The executables are $DKG and $DKG_VOTE if set,
# else on the PATH, else build/tools/dkg and build/tools/vote/dkg-vote of this source tree. The
# certificates are throw-away test certificates (scripts/make_test_certificates.sh). Exit status 0
# when every step and check passed.
set -euo pipefail

trustees=5 threshold=2 voters=50 bits=2048 base_port=7400 dir= unanimous=1
usage() {
    sed -n '2,27p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}
while (($# > 0)); do
    case $1 in
    --trustees) trustees=${2:?}; shift 2 ;;
    --threshold) threshold=${2:?}; shift 2 ;;
    --voters) voters=${2:?}; shift 2 ;;
    --bits) bits=${2:?}; shift 2 ;;
    --base-port) base_port=${2:?}; shift 2 ;;
    --dir) dir=${2:?}; shift 2 ;;
    --no-unanimous) unanimous=0; shift ;;
    -h | --help) usage ;;
    *) echo "run_election.sh: unknown option $1" >&2; usage ;;
    esac
done
for value in "$trustees" "$threshold" "$voters" "$bits" "$base_port"; do
    [[ $value =~ ^[0-9]+$ ]] || { echo "run_election.sh: '$value' is not a non-negative integer" >&2; exit 2; }
done
((trustees >= 2 * threshold + 1 && threshold >= 1)) || { echo "run_election.sh: need N >= 2T+1 and T >= 1" >&2; exit 2; }
((voters >= 1 && voters <= 9999)) || { echo "run_election.sh: 1 to 9999 voters" >&2; exit 2; }

root=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
find_tool() { # find_tool VARIABLE NAME BUILD_PATH
    local given=${!1:-}
    if [[ -n $given ]]; then echo "$given"; return; fi
    if command -v "$2" >/dev/null 2>&1; then command -v "$2"; return; fi
    [[ -x $root/$3 ]] || { echo "run_election.sh: $2 not found: set $1, put it on the PATH or build it in build/" >&2; exit 2; }
    echo "$root/$3"
}
dkg=$(find_tool DKG dkg build/tools/dkg)
vote=$(find_tool DKG_VOTE dkg-vote build/tools/vote/dkg-vote)

if [[ -z $dir ]]; then
    dir=$(mktemp -d "${TMPDIR:-/tmp}/dkg-election.XXXXXX")
    trap 'stop_server; rm -rf -- "$dir"' EXIT
else
    mkdir -p -- "$dir"
    trap 'stop_server' EXIT
fi
cd -- "$dir"
server_pid=
stop_server() {
    [[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
    server_pid=
    return 0
}
step() { echo "== $*"; }
started=$SECONDS

step "certificates (test CA), administrator and credential-authority keys"
bash "$root/scripts/make_test_certificates.sh" certs "$trustees" --server localhost >/dev/null
for who in admin authority; do
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$who.key" 2>/dev/null
    chmod 600 "$who.key"
    "$vote" public-key --key "$who.key" >"$who.pub"
done
tls() { echo --ca certs/ca.pem --cert "certs/party-$1.pem" --key "certs/party-$1.key"; }

step "$trustees trustees generate a $bits-bit key with dkg party over TLS (threshold $threshold)"
DKG=$dkg bash "$root/scripts/run_protocol.sh" "$trustees" "$threshold" "$bits" "$base_port" keys -- \
    --ca certs/ca.pem --cert 'certs/party-{i}.pem' --key 'certs/party-{i}.key' --quiet >keygen.log 2>&1 ||
    { cat keygen.log >&2; exit 1; }
for ((j = 1; j <= trustees; j++)); do
    "$vote" threshold-key --share "keys/party-$j.share" --out "threshold-key-$j.json" --quiet
    cmp -s threshold-key-1.json "threshold-key-$j.json" || { echo "trustee $j has another threshold key" >&2; exit 1; }
done

step "the ballot box starts (HTTPS, TLS 1.3, SQLite)"
"$vote" serve --db ballot-box.db --cert certs/server.pem --key certs/server.key --admin-key admin.pub \
    --listen 127.0.0.1:0 --port-file port >server.log 2>&1 &
server_pid=$!
for ((i = 0; i < 100; i++)); do [[ -s port ]] && break; sleep 0.1; done
[[ -s port ]] || { cat server.log >&2; exit 1; }
server="https://localhost:$(cat port)"
client=(--server "$server" --ca certs/ca.pem)

# run_election_round ID KIND VOTER_COUNT CHOICE_FUNCTION: votes, closes, decrypts, verifies.
decryption_round=0
decrypt_and_publish() { # ID
    local id=$1 j pids=() status=0
    decryption_round=$((decryption_round + 1))
    for ((j = 1; j <= trustees; j++)); do
        "$vote" tally "${client[@]}" --election "$id" --out "$id-tally-$j.txt" --quiet >/dev/null
    done
    local port=$((base_port + 100 * decryption_round))
    for ((j = 1; j <= trustees; j++)); do
        "$dkg" decrypt-party --share "keys/party-$j.share" --base-port "$port" --decryption-id "$decryption_round" $(tls "$j") \
            --receivers 1 --input "$id-tally-$j.txt" --partials-out "$id-partials-$j.json" --quiet >"$id-decrypt-$j.out" 2>&1 &
        pids+=("$!")
    done
    for j in "${!pids[@]}"; do wait "${pids[$j]}" || { status=1; cat "$id-decrypt-$((j + 1)).out" >&2; }; done
    ((status == 0)) || exit 1
    for ((j = 1; j <= trustees; j++)); do
        "$vote" submit-decryption "${client[@]}" --election "$id" --token "tokens-$id/trustee-$j.token" --partials "$id-partials-$j.json" \
            --json >"$id-submit-$j.json"
        grep -q '"result_published":true' "$id-submit-$j.json" && break
    done
    "$vote" fetch "${client[@]}" --election "$id" --board "$id-board.json" --result "$id-result.json" --quiet >/dev/null
    "$vote" verify --board "$id-board.json" --result "$id-result.json" --json >"$id-verified.json"
}

vote_all() { # ID COUNT CHOICE_OF(i)
    local id=$1 count=$2 choice_of=$3 i running=0 failed=0
    for ((i = 1; i <= count; i++)); do
        "$vote" vote "${client[@]}" --election "$id" --token "tokens-$id/voter-$(printf 'v%04d' "$i").token" \
            --choice "$($choice_of "$i")" --quiet >"votes-$id/$i.out" 2>&1 &
        running=$((running + 1))
        if ((running == 8)); then
            wait -n || failed=1
            running=$((running - 1))
        fi
    done
    while ((running > 0)); do
        wait -n || failed=1
        running=$((running - 1))
    done
    ((failed == 0)) || { cat votes-"$id"/*.out >&2; exit 1; }
}

# ---- the tally election ----------------------------------------------------------------------
step "the administrator creates election 'board' ($voters voters); the authority issues tokens"
for ((i = 1; i <= voters; i++)); do printf 'v%04d\n' "$i"; done >voters.txt
"$vote" credentials --key authority.key --election board --voters voters.txt --trustees "$trustees" --out tokens-board --quiet >/dev/null
"$vote" create "${client[@]}" --admin-key admin.key --election board --question "Who should chair the board?" \
    --option Alice --option Bob --option Carol --voters voters.txt --credential-key authority.pub \
    --threshold-key threshold-key-1.json --closes +3600 --quiet >/dev/null

# Voter i chooses Alice if i mod 5 is 0 or 1, Bob if 2 or 3, Carol if 4.
board_choice() { local r=$(($1 % 5)); if ((r <= 1)); then echo 1; elif ((r <= 3)); then echo 2; else echo 3; fi; }
expected=(0 0 0)
for ((i = 1; i <= voters; i++)); do c=$(board_choice "$i"); expected[$((c - 1))]=$((expected[c - 1] + 1)); done
step "$voters voters vote over HTTPS and check their receipts"
mkdir -p votes-board
vote_all board "$voters" board_choice
"$vote" status "${client[@]}" --election board

step "the administrator closes; the trustees verify the board and decrypt the tally with dkg decrypt-party over TLS"
"$vote" close "${client[@]}" --admin-key admin.key --election board --quiet >/dev/null
decrypt_and_publish board
counts=$(sed -n 's/.*"counts":\[\([0-9,]*\)\].*/\1/p' board-verified.json)
want=$(IFS=,; echo "${expected[*]}")
[[ $counts == "$want" ]] || { echo "run_election.sh: the verified counts [$counts] are not the votes cast [$want]" >&2; exit 1; }
step "verified: Alice, Bob, Carol = [$counts] from $voters ballots (dkg-vote verify: every proof, the tally, the decryption)"

# ---- the unanimous vote ----------------------------------------------------------------------
if ((unanimous)); then
    step "a unanimous vote of 5 voters: every trustee blinds Enc(yes - voters) in turn, with a proof"
    for ((i = 1; i <= 5; i++)); do printf 'v%04d\n' "$i"; done >unanimous-voters.txt
    "$vote" credentials --key authority.key --election unanimous --voters unanimous-voters.txt --trustees "$trustees" --out tokens-unanimous --quiet >/dev/null
    "$vote" create "${client[@]}" --admin-key admin.key --election unanimous --kind unanimous --question "Do we merge?" \
        --option yes --option no --voters unanimous-voters.txt --credential-key authority.pub \
        --threshold-key threshold-key-1.json --closes +3600 --quiet >/dev/null
    all_yes() { echo 1; }
    mkdir -p votes-unanimous
    vote_all unanimous 5 all_yes
    "$vote" close "${client[@]}" --admin-key admin.key --election unanimous --quiet >/dev/null
    # All at once: each blinds the latest ciphertext; one that finds another was first does it again.
    pids=()
    for ((j = 1; j <= trustees; j++)); do
        "$vote" blind "${client[@]}" --election unanimous --token "tokens-unanimous/trustee-$j.token" --quiet >"blind-$j.out" 2>&1 &
        pids+=("$!")
    done
    for j in "${!pids[@]}"; do wait "${pids[$j]}" || { cat "blind-$((j + 1)).out" >&2; exit 1; }; done
    decrypt_and_publish unanimous
    grep -q '"unanimous":true' unanimous-verified.json || { echo "run_election.sh: the unanimous vote did not verify as unanimous" >&2; exit 1; }
    step "verified: unanimous (only that was learnt: the decrypted value is blinded by every trustee)"
fi

stop_server
echo "The election ran and verified in $((SECONDS - started)) s. Files: $dir"
