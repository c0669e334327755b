#!/usr/bin/env bash
# The ballot box's read-only page in headless Chromium: during the vote it shows the status and the
# number of ballots; after the tally the result with a bar chart of the right numbers. Keeps a
# screenshot of the tallied page.
#
#   page_test.sh DKG DKG_VOTE SOURCE_DIR SCREENSHOT.png [CHROMIUM]
set -euo pipefail
dkg=$1 vote=$2 source_dir=$3 screenshot=$4 chromium=${5:-chromium}
command -v "$chromium" >/dev/null || { echo "page_test: $chromium not found (install the chromium package)" >&2; exit 1; }

dir=$(mktemp -d "${TMPDIR:-/tmp}/dkg-vote-page.XXXXXX")
server_pid=
trap '[[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null; rm -rf -- "$dir"' EXIT
cd "$dir"
test_name=page_test
source "$source_dir/test/vote/common.sh"

setup_election_keys 3 1024
printf 'ada\nbob\ncyd\ndee\neve\nfay\n' >voters.txt
"$vote" credentials --key authority.key --election page-test --voters voters.txt --trustees 3 --out tokens --quiet >/dev/null
start_server 0
url="https://localhost:$port"
client=(--server "$url" --ca certs/ca.pem)
"$vote" create "${client[@]}" --admin-key admin.key --election page-test --question "Which colour for the logo?" \
    --option Red --option Green --option Blue --voters voters.txt --credential-key authority.pub \
    --threshold-key threshold-key.json --closes +3600 --quiet >/dev/null

# dump [--screenshot FILE] PATH: the page's DOM after its scripts ran.
browse() {
    local extra=()
    if [[ $1 == --screenshot ]]; then
        extra=(--screenshot="$2" --window-size=1000,760 --hide-scrollbars)
        shift 2
    else
        extra=(--dump-dom)
    fi
    rm -rf profile
    "$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
        --disable-component-update --disable-sync --user-data-dir="$dir/profile" --ignore-certificate-errors \
        --virtual-time-budget=10000 "${extra[@]}" "$url$1" 2>chromium.log
}

# Red, Green, Green, Blue, Green: 1, 3, 1.
choice=(1 2 2 3 2)
voter=(ada bob cyd dee eve)
for i in 0 1 2 3 4; do
    "$vote" vote "${client[@]}" --election page-test --token "tokens/voter-${voter[$i]}.token" --choice "${choice[$i]}" --quiet >/dev/null
done

dom=$(browse /elections/page-test)
grep -q 'id="ballot-count">5<' <<<"$dom" || { echo "$dom" >&2; fail "the open election does not show 5 ballots"; }
grep -q 'data-status="open"' <<<"$dom" || fail "the open election does not show its status"
grep -q 'Which colour for the logo?' <<<"$dom" || fail "the question is missing"
grep -q 'id="chart"' <<<"$dom" && fail "a chart is shown before the tally"
dom=$(browse /)
grep -q 'href="/elections/page-test"' <<<"$dom" || { echo "$dom" >&2; fail "the list of elections does not link the election"; }

# Close; the trustees decrypt the tally with dkg decrypt-party and send their partial decryptions.
"$vote" close "${client[@]}" --admin-key admin.key --election page-test --quiet >/dev/null
"$vote" tally "${client[@]}" --election page-test --out tally.txt --quiet >/dev/null
base=$(free_base_port 3)
pids=()
for j in 1 2 3; do
    "$dkg" decrypt-party --share "keys/party-$j.share" --base-port "$base" --host 127.0.0.1 --receivers 1 --input tally.txt \
        --partials-out "partials-$j.json" --quiet >"decrypt-$j.out" 2>&1 &
    pids+=("$!")
done
for pid in "${pids[@]}"; do wait "$pid" || { cat decrypt-*.out >&2; fail "dkg decrypt-party failed"; }; done
[[ $(cat decrypt-1.out) == $'1\n3\n1' ]] || fail "trustee 1 decrypted $(cat decrypt-1.out | tr '\n' ' ')"
for j in 1 2; do
    "$vote" submit-decryption "${client[@]}" --election page-test --token "tokens/trustee-$j.token" --partials "partials-$j.json" --quiet >/dev/null
done

dom=$(browse /elections/page-test)
grep -q 'data-status="tallied"' <<<"$dom" || { echo "$dom" >&2; fail "the page does not show the tallied status"; }
for row in '0" data-count="1"' '1" data-count="3"' '2" data-count="1"'; do
    grep -q "data-option=\"$row" <<<"$dom" || { echo "$dom" >&2; fail "the chart has no row data-option=\"$row"; }
done
grep -q '>3 (60%)<' <<<"$dom" || fail "the chart does not label Green with 3 (60%)"
browse --screenshot "$screenshot" /elections/page-test
[[ -s $screenshot ]] || fail "no screenshot"
echo "page_test: passed; screenshot $screenshot"
