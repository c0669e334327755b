#!/usr/bin/env bash
# CTest cli_completion: the bash completion that the build writes with `dkg completion bash`
# completes commands, options (each once), option choices, file and directory names and lists of
# files, and offers for every command exactly the options that `dkg CMD --help` lists.
#   completion_test.sh COMPLETION_FILE DKG_EXECUTABLE
set -euo pipefail
export LC_ALL=C
completion=$1
dkg=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

# shellcheck source=/dev/null
source "$completion"
complete -p dkg >/dev/null

# complete WORD... : runs _dkg as bash would for the command line "dkg WORD..." with the cursor at
# the end of the last word, and prints the candidates sorted, one per line.
complete_line() {
    COMP_WORDS=(dkg "$@")
    COMP_CWORD=$#
    COMP_LINE="dkg $*"
    COMP_POINT=${#COMP_LINE}
    COMPREPLY=()
    _dkg dkg "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
    ((${#COMPREPLY[@]} == 0)) || printf '%s\n' "${COMPREPLY[@]}" | sort
}

expect() {
    local want=$1
    shift
    local got
    got=$(complete_line "$@" | tr '\n' ' ')
    if [[ "$got" != "$want" ]]; then
        echo "FAIL: dkg $* <TAB>: expected '$want', got '$got'" >&2
        failures=$((failures + 1))
    fi
}

expect "keygen " ke
expect "decrypt decrypt-party " decr
expect "--help --version " --
expect "--help --version add decrypt decrypt-party encrypt help info keygen multiply party version " ""
expect "decrypt decrypt-party " help decr
expect "--threads --threshold --timeout --transport " keygen --t
# Each option may be given once: --bits is no longer offered, --backend and --batch-size are.
expect "--backend --batch-size " keygen --bits 256 --b
expect "sieve trial " keygen --method ""
expect "trial " keygen --method t
expect "gmp " encrypt --backend g
# --name=value: bash splits the word at '='.
expect "memory tcp " keygen --transport = ""

mkdir -p "$work/keys/sub" "$work/other"
touch "$work/keys/party-1.share" "$work/keys/party-2.share" "$work/keys/public_key.json"
cd "$work"
expect "keys/party-1.share keys/party-2.share keys/public_key.json keys/sub " info keys/
expect "keys/public_key.json " encrypt --public-key keys/pu
expect "keys/sub " keygen --out keys/
expect "keys/party-1.share,keys/party-2.share " decrypt --shares keys/party-1.share,keys/party-2
# Values of numbers and ciphertexts: nothing to offer.
expect "" keygen --bits ""
expect "" encrypt --public-key keys/public_key.json ""

# Every command's options are those of its --help, no more and no fewer.
for command in keygen party encrypt add multiply decrypt decrypt-party info; do
    want=$("$dkg" "$command" --help | sed -n 's/^  \(--[a-z-]*\).*/\1/p' | sort | tr '\n' ' ')
    got=$(complete_line "$command" -- | tr '\n' ' ')
    if [[ "$want" != "$got" ]]; then
        echo "FAIL: dkg $command --<TAB>: expected the options of --help '$want', got '$got'" >&2
        failures=$((failures + 1))
    fi
done

if ((failures > 0)); then
    echo "$failures completion checks failed" >&2
    exit 1
fi
echo "bash completion: all checks passed"
