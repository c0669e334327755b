# Shared by the voting service's shell tests (sourced): $dkg, $vote and $source_dir must be set
# and the current directory be the test's own temporary directory.

fail() {
    echo "${test_name:-test}: FAILED: $*" >&2
    exit 1
}

# setup_election_keys PARTIES BITS: test certificates (the ballot box's for localhost), the
# administrator's and the credential authority's P-256 keys (admin.key/.pub, authority.key/.pub),
# a threshold key of PARTIES parties made by `dkg keygen` (keys/) and its public part
# (threshold-key.json).
setup_election_keys() {
    bash "$source_dir/scripts/make_test_certificates.sh" certs "$1" --server localhost >/dev/null
    local who
    for who in admin authority; do
        openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$who.key" 2>/dev/null
        "$vote" public-key --key "$who.key" >"$who.pub"
    done
    "$dkg" keygen --parties "$1" --threshold 1 --bits "$2" --out keys --quiet >/dev/null
    "$vote" threshold-key --share keys/party-1.share --out threshold-key.json --quiet
}

# start_server PORT: `dkg-vote serve` on box.db at 127.0.0.1:PORT (0: any); sets server_pid and,
# once it listens, port.
start_server() {
    rm -f port
    "$vote" serve --db box.db --cert certs/server.pem --key certs/server.key --admin-key admin.pub \
        --listen "127.0.0.1:$1" --port-file port --quiet >>server.log 2>&1 &
    server_pid=$!
    local i
    for ((i = 0; i < 100; i++)); do
        if [[ -s port ]]; then
            port=$(cat port)
            return 0
        fi
        sleep 0.1
    done
    cat server.log >&2
    fail "the ballot box did not start"
}

# free_base_port COUNT: prints a port P such that nothing listens on 127.0.0.1:P+1..P+COUNT.
free_base_port() {
    local base i busy
    for ((attempt = 0; attempt < 50; attempt++)); do
        base=$((20000 + RANDOM % 30000))
        busy=0
        for ((i = 1; i <= $1; i++)); do
            if (exec 3<>"/dev/tcp/127.0.0.1/$((base + i))") 2>/dev/null; then
                busy=1
                break
            fi
        done
        if ((busy == 0)); then
            echo "$base"
            return 0
        fi
    done
    fail "no free ports"
}
