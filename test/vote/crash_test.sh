#!/usr/bin/env bash
# The ballot box killed with SIGKILL while 20 clients submit ballots, then restarted on the same
# database: every acknowledged ballot is on the board, none is there twice, and every voter's
# ballot is counted once (the clients send the same ballot again until it is acknowledged).
#
#   crash_test.sh DKG DKG_VOTE SOURCE_DIR
set -euo pipefail
dkg=$1 vote=$2 source_dir=$3
clients=20 per_client=4
voters=$((clients * per_client))

dir=$(mktemp -d "${TMPDIR:-/tmp}/dkg-vote-crash.XXXXXX")
server_pid=
cleanup() {
    [[ -n $server_pid ]] && kill -9 "$server_pid" 2>/dev/null
    jobs -p | xargs -r kill 2>/dev/null
    rm -rf -- "$dir"
}
trap cleanup EXIT
cd "$dir"
test_name=crash_test
source "$source_dir/test/vote/common.sh"

setup_election_keys 3 1024
for ((i = 1; i <= voters; i++)); do echo "v$i"; done >voters.txt
"$vote" credentials --key authority.key --election crash --voters voters.txt --out tokens --quiet >/dev/null
start_server 0
client=(--server "https://localhost:$port" --ca certs/ca.pem --timeout 10)
"$vote" create "${client[@]}" --admin-key admin.key --election crash --question "Crash?" --option yes --option no \
    --voters voters.txt --credential-key authority.pub --threshold-key threshold-key.json --closes +3600 --quiet >/dev/null

# Each client votes for its voters in turn; a ballot that was not acknowledged is sent again
# (the same ballot) until it is, for up to 120 s. Acknowledgements are logged as JSON lines.
for ((c = 0; c < clients; c++)); do
    (
        for ((k = 1; k <= per_client; k++)); do
            v=$((c * per_client + k))
            "$vote" vote "${client[@]}" --election crash --token "tokens/voter-v$v.token" --choice $((v % 2 + 1)) \
                --retry 120 --json --quiet >>"acks-$c.jsonl" 2>>"client-$c.log" || echo "voter v$v failed" >>"client-$c.log"
        done
    ) &
done

# Kill the ballot box once some ballots are acknowledged and others are in flight.
for ((i = 0; i < 600; i++)); do
    acked=$(cat acks-*.jsonl 2>/dev/null | wc -l)
    ((acked >= voters / 4)) && break
    sleep 0.05
done
kill -9 "$server_pid"
wait "$server_pid" 2>/dev/null || true
server_pid=
cat acks-*.jsonl >acked-before-crash.jsonl
before=$(wc -l <acked-before-crash.jsonl)
echo "crash_test: killed the ballot box (SIGKILL) after $before acknowledged ballots"
((before > 0 && before < voters)) || fail "expected the crash in the middle of the voting, after $before of $voters"

sleep 1
start_server "$port"
echo "crash_test: restarted the ballot box on the same database"
for pid in $(jobs -p); do [[ $pid == "$server_pid" ]] || wait "$pid"; done
if grep -h "failed\|error" client-*.log; then fail "a client gave up"; fi

"$vote" fetch "${client[@]}" --election crash --board board.json --quiet >/dev/null
# Every acknowledged ballot (before and after the crash) is on the board.
grep -ho '"receipt":"[0-9a-f]*"' acks-*.jsonl | cut -d'"' -f4 | sort >acked-receipts.txt
grep -o '"receipt":"[0-9a-f]*"' board.json | cut -d'"' -f4 | sort >board-receipts.txt
[[ $(wc -l <acked-receipts.txt) -eq $voters ]] || fail "$(wc -l <acked-receipts.txt) of $voters voters have an acknowledgement"
comm -23 acked-receipts.txt board-receipts.txt >missing.txt
[[ ! -s missing.txt ]] || fail "acknowledged ballots are missing from the board: $(cat missing.txt)"
# Each voter once: the board has exactly one ballot per voter, and it verifies.
[[ $(wc -l <board-receipts.txt) -eq $voters ]] || fail "the board has $(wc -l <board-receipts.txt) ballots for $voters voters"
"$vote" verify --board board.json --quiet >verify.out || { cat verify.out >&2; fail "the board does not verify"; }
resent=$(cat acks-*.jsonl | grep -c '"resubmitted":true' || true)
echo "crash_test: all $voters ballots on the board once, every acknowledgement kept; $resent ballots were stored before the crash but acknowledged only after it"
kill "$server_pid"
wait "$server_pid" 2>/dev/null || true
server_pid=
echo "crash_test: passed"
