#!/usr/bin/env bash
# make_test_certificates.sh OUT_DIR N [--expired K] [--network ID] [--server NAME]
#
# FOR TESTS AND LOCAL EXPERIMENTS ONLY. Makes a throw-away certificate authority and certificates
# for parties 1..N of dkg's TLS transport (dkg/transport/tls.hpp), with the openssl command line.
# The keys are written unencrypted next to the certificates, and the CA key stays in OUT_DIR: do
# not use these files to protect real keys. docs/transport.md says how to issue certificates for a
# real deployment.
#
# Writes to OUT_DIR (created if missing):
#   ca.pem, ca.key                      the test CA (EC P-256, valid 30 days)
#   party-I.pem, party-I.key            party I's certificate and key, for I = 1..N (valid 30 days)
#   expired-party-K.pem, .key           party K's certificate, expired since 2020
#   other-ca.pem, other-ca.key          a second CA, unknown to the parties
#   other-ca-party-K.pem, .key          party K's certificate issued by that second CA
#   server.pem, server.key              with --server NAME: a TLS server certificate issued by the
#                                       test CA for NAME, localhost and 127.0.0.1 (e.g. for the
#                                       ballot box of dkg-vote)
# Party K is 1 unless --expired K says otherwise.
#
# A party's certificate names it "dkg-party-I" (subject common name and DNS subject alternative
# name), or "dkg-party-I.ID" with --network ID, which binds it to that network id as well. Its
# extended key usage allows both TLS server and client authentication, since every party is both.
#
# Exit status: 0 on success, 2 for bad arguments, 1 if openssl fails.
set -euo pipefail

usage() {
    echo "usage: $0 OUT_DIR N [--expired K] [--network ID] [--server NAME]" >&2
    exit 2
}

(($# >= 2)) || usage
out=$1
count=$2
shift 2
expired=1
network=
server=
while (($# > 0)); do
    case $1 in
    --expired)
        (($# >= 2)) || usage
        expired=$2
        shift 2
        ;;
    --network)
        (($# >= 2)) || usage
        network=$2
        shift 2
        ;;
    --server)
        (($# >= 2)) || usage
        server=$2
        shift 2
        ;;
    *) usage ;;
    esac
done
[[ $count =~ ^[1-9][0-9]*$ ]] || { echo "$0: N must be a positive number" >&2; exit 2; }
[[ $expired =~ ^[1-9][0-9]*$ ]] || { echo "$0: K must be a positive number" >&2; exit 2; }
[[ $network =~ ^[A-Za-z0-9._-]*$ ]] && ((${#network} <= 64)) ||
    { echo "$0: the network id may have at most 64 letters, digits, '.', '_' or '-'" >&2; exit 2; }
[[ -z $server || $server =~ ^[A-Za-z0-9][A-Za-z0-9.-]{0,252}$ ]] ||
    { echo "$0: the server name may have letters, digits, '.' and '-'" >&2; exit 2; }
command -v openssl >/dev/null || { echo "$0: openssl not found (install the openssl package)" >&2; exit 1; }

mkdir -p -- "$out"
cd -- "$out"
umask 077
work=$(mktemp -d "${TMPDIR:-/tmp}/dkg-certificates.XXXXXX")
trap 'rm -rf -- "$work"' EXIT

party_name() {
    if [[ -n $network ]]; then echo "dkg-party-$1.$network"; else echo "dkg-party-$1"; fi
}

# new_ca NAME: NAME.pem and NAME.key, a self-signed CA.
new_ca() {
    openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -sha256 -days 30 \
        -keyout "$1.key" -out "$1.pem" -subj "/O=dkg test/CN=$2" \
        -addext "basicConstraints=critical,CA:TRUE,pathlen:0" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" 2>"$work/log" || { cat "$work/log" >&2; exit 1; }
}

# new_party CA FILE ID [START END]: FILE.pem and FILE.key for party ID, issued by CA (CA.pem,
# CA.key); valid 30 days from now, or from START to END (YYYYMMDDHHMMSSZ).
new_party() {
    local ca=$1 file=$2 name
    name=$(party_name "$3")
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -sha256 \
        -keyout "$file.key" -out "$work/$file.csr" -subj "/O=dkg test/CN=$name" 2>"$work/log" || { cat "$work/log" >&2; exit 1; }
    cat >"$work/$file.ext" <<EOF
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth,clientAuth
subjectAltName = DNS:$name
EOF
    if (($# == 3)); then
        openssl x509 -req -in "$work/$file.csr" -CA "$ca.pem" -CAkey "$ca.key" -CAcreateserial -CAserial "$work/$ca.srl" \
            -sha256 -days 30 -extfile "$work/$file.ext" -out "$file.pem" 2>"$work/log" || { cat "$work/log" >&2; exit 1; }
    else
        # openssl x509 cannot set a start date in the past: issue through a minimal `openssl ca`.
        mkdir -p "$work/ca-db"
        : >"$work/ca-db/index.txt"
        openssl rand -hex 16 >"$work/ca-db/serial"
        cat >"$work/ca.cnf" <<EOF
[ca]
default_ca = test_ca
[test_ca]
database = $work/ca-db/index.txt
serial = $work/ca-db/serial
new_certs_dir = $work/ca-db
default_md = sha256
policy = any
unique_subject = no
[any]
commonName = supplied
organizationName = optional
EOF
        openssl ca -batch -notext -config "$work/ca.cnf" -cert "$ca.pem" -keyfile "$ca.key" -in "$work/$file.csr" \
            -startdate "$4" -enddate "$5" -extfile "$work/$file.ext" -out "$file.pem" 2>"$work/log" || { cat "$work/log" >&2; exit 1; }
    fi
}

# new_server NAME: server.pem and server.key, a TLS server certificate issued by the test CA for
# NAME, localhost and 127.0.0.1.
new_server() {
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -sha256 \
        -keyout server.key -out "$work/server.csr" -subj "/O=dkg test/CN=$1" 2>"$work/log" || { cat "$work/log" >&2; exit 1; }
    cat >"$work/server.ext" <<EOF
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:$1,DNS:localhost,IP:127.0.0.1
EOF
    openssl x509 -req -in "$work/server.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -CAserial "$work/ca.srl" \
        -sha256 -days 30 -extfile "$work/server.ext" -out server.pem 2>"$work/log" || { cat "$work/log" >&2; exit 1; }
}

new_ca ca "dkg test CA"
for ((i = 1; i <= count; ++i)); do new_party ca "party-$i" "$i"; done
new_party ca "expired-party-$expired" "$expired" 20200101000000Z 20200102000000Z
new_ca other-ca "unknown CA"
new_party other-ca "other-ca-party-$expired" "$expired"
[[ -z $server ]] || new_server "$server"
chmod 644 ./*.pem
echo "made a test CA and certificates for parties 1..$count${network:+ of network $network}${server:+ and the server $server} in $(pwd)"
