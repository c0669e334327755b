#include "cli.hpp"

#include "args.hpp"
#include "commands.hpp"
#include "common.hpp"

#include <dkg/diagnostics.hpp>
#include <dkg/error.hpp>

#include <boost/system/system_error.hpp>

#include <algorithm>
#include <iostream>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#ifndef DKG_VERSION
#define DKG_VERSION "unknown"
#endif

namespace dkg::cli {

namespace {

// ---- the commands' options --------------------------------------------------------------------

const option_spec help_option{"--help", "", "Show this help and exit (also -h)."};
const option_spec json_option{"--json", "", "Print the result as JSON on standard output (see docs/cli.md)."};
const option_spec quiet_option{"--quiet", "", "No progress line, notes or warnings on standard error (also -q); errors are still printed."};
const option_spec backend_option{"--backend", "gmp|cpp_int", "Big-integer arithmetic: GMP (default) or Boost.Multiprecision cpp_int."};

option_spec input_option(const char* what)
{
    return {"--input", "FILE", what, value_completion::file};
}

/// The options of the commands that talk to other parties over TLS, and --network.
void add_tls_options(std::vector<option_spec>& o)
{
    o.push_back({"--ca", "FILE", "Talk over TLS 1.3: PEM file of the CA certificates that issue the parties' certificates (with --cert and --key).",
                 value_completion::file});
    o.push_back({"--cert", "FILE", "This party's certificate (PEM, followed by any intermediates); it must name dkg-party-I (or dkg-party-I.ID with --network ID).",
                 value_completion::file});
    o.push_back({"--key", "FILE", "This party's private key (PEM).", value_completion::file});
    o.push_back({"--key-password-file", "FILE", "File whose first line is the password of an encrypted --key.", value_completion::file});
    o.push_back({"--network", "ID", "Network id, 1 to 64 letters, digits, '.', '_' or '-': parties with another id are refused (TCP and TLS)."});
}

/// --passphrase-file and --passphrase-env, for the commands that write or read share files.
void add_passphrase_options(std::vector<option_spec>& o, bool writes)
{
    o.push_back({"--passphrase-file", "FILE",
                 writes ? "Encrypt the share files with the passphrase on the first line of FILE (Argon2id, XChaCha20-Poly1305; docs/formats.md)."
                        : "Passphrase of encrypted share files: the first line of FILE.",
                 value_completion::file});
    o.push_back({"--passphrase-env", "VAR",
                 writes ? "Encrypt the share files with the passphrase in the environment variable VAR (instead of --passphrase-file)."
                        : "Passphrase of encrypted share files: the environment variable VAR (instead of --passphrase-file)."});
}

std::vector<option_spec> keygen_option_specs(bool party)
{
    std::vector<option_spec> o;
    if (party) o.push_back({"--id", "I", "This party's id, 1..N (required)."});
    o.push_back({"--parties", "N", "Number of parties, 1..64 (default 3)."});
    o.push_back({"--threshold", "T", "Corruption threshold t: any t+1 shares decrypt, t learn nothing; N >= 2t+1 (default 1)."});
    o.push_back({"--bits", "B", "Bit length of the modulus N: even, 64..16384; below 1024 is insecure (default 2048)."});
    o.push_back({"--out", "DIR", "Directory for public_key.json and the share files (created if missing; required).", value_completion::dir});
    if (party) {
        o.push_back({"--base-port", "P", "Party i listens on HOST:(P+i) (HOST from --host)."});
        o.push_back({"--host", "HOST", "Host of every party with --base-port (default localhost)."});
        o.push_back({"--peers", "LIST", "host:port of every party in id order, comma-separated (instead of --base-port); IPv6 as [::1]:7000."});
        o.push_back({"--connect-window", "S", "Seconds to wait for all parties to connect; start them within it (default 30)."});
        add_tls_options(o);
    }
    o.push_back({"--method", "sieve|trial", "Candidate primes: distributed sieve (default) or trial division of N only, as the reference."});
    o.push_back({"--threads", "K", "Worker threads per party; 0 for one per hardware thread (default 1)."});
    o.push_back({"--batch-size", "S", "Candidate pairs per batch; 0 chooses from the key length (default 0)."});
    o.push_back({"--prime-threshold", "B", "Trial-division bound on N; 0 chooses from the key length (default 0)."});
    o.push_back({"--sieve-bound", "B", "Largest prime of the distributed sieve; 0 chooses (default 0)."});
    o.push_back({"--kappa", "K", "Rounds of the biprimality test: error below 2^-K (default 40)."});
    o.push_back({"--sigma", "S", "Statistical hiding of the secret-key sharing, in bits (default 40)."});
    o.push_back({"--max-batches", "M", "Give up after M batches; 0 never (default 0)."});
    o.push_back({"--timeout", "S", "Seconds to wait for any one message from a party (default 60)."});
    if (!party) o.push_back({"--transport", "memory|tcp", "How the in-process parties talk: in memory (default) or loopback TCP."});
    o.push_back({"--format", "binary|json", "Form of the share files (default binary; both are read back)."});
    add_passphrase_options(o, true);
    o.push_back({"--force", "", "Overwrite existing output files."});
    o.push_back({"--progress", "", "Draw the live progress line even when standard error is not a terminal."});
    o.insert(o.end(), {backend_option, json_option, quiet_option, help_option});
    return o;
}

const command_spec keygen_spec{
    "keygen",
    "--out DIR [--parties N] [--threshold T] [--bits B] [options]",
    "Generate a key with all parties in this process; write DIR/public_key.json and DIR/party-I.share.",
    "Runs the distributed key generation with all N parties in this process (each with its own session, random "
    "generator and threads, talking only through a transport), then writes the public key to DIR/public_key.json "
    "and party i's key share to DIR/party-i.share (owner-only permissions, written atomically). Existing files are "
    "not overwritten unless --force is given. With --passphrase-file FILE or --passphrase-env VAR the share files are "
    "encrypted with that passphrase (Argon2id, XChaCha20-Poly1305; docs/formats.md), and the commands that read them "
    "take the same options; a passphrase is never given on the command line.\n"
    "\n"
    "On a terminal a live line on standard error shows candidates tried, biprimality tests, batches and the elapsed "
    "time. Standard output gets the file names and a summary, or with --json one object: public_key, shares, "
    "parties, threshold, bits, method, seconds, timings (per step), candidates, moduli, biprimality_tests, batches, "
    "communication_rounds, bytes_sent.\n"
    "\n"
    "Example:\n"
    "  dkg keygen --parties 3 --threshold 1 --bits 2048 --out keys",
    keygen_option_specs(false)};

const command_spec party_spec{
    "party",
    "--id I --parties N --out DIR (--base-port P | --peers LIST) [--threshold T] [--bits B] [--ca FILE --cert FILE --key FILE] "
    "[options]",
    "Run one party of a distributed key generation over TCP or TLS.",
    "Runs party I of a key generation among N processes (on one machine or several) over TCP. Every party must be "
    "started with the same parameters, within the connect window, in any order; all N parties are needed. Party i "
    "listens on HOST:(P+i) with --base-port, or on entry i of --peers. At the end the party writes "
    "DIR/public_key.json and DIR/party-I.share (atomically; the public key file is the same for every party, so the "
    "parties may share DIR). A failure names the party at fault. --passphrase-file or --passphrase-env encrypts the "
    "share file as for keygen.\n"
    "\n"
    "With --ca, --cert and --key the parties talk over TLS 1.3 with mutual authentication: party i's certificate "
    "must name dkg-party-i (or dkg-party-i.ID with --network ID) and be issued by a CA of --ca; a party presenting "
    "another certificate is refused. --key-password-file gives the password of an encrypted key. With --network ID "
    "(TCP or TLS) only parties started with the same ID are let in.\n"
    "\n"
    "With --json one object as for keygen, with party and share instead of shares.\n"
    "\n"
    "Example (three terminals, or see scripts/run_protocol.sh):\n"
    "  dkg party --id 1 --parties 3 --threshold 1 --bits 2048 --base-port 7000 --out keys\n"
    "  dkg party --id 2 --parties 3 --threshold 1 --bits 2048 --base-port 7000 --out keys\n"
    "  dkg party --id 3 --parties 3 --threshold 1 --bits 2048 --base-port 7000 --out keys",
    keygen_option_specs(true)};

const command_spec encrypt_spec{
    "encrypt",
    "--public-key FILE [--precision D] [--round] [--input FILE] VALUE...",
    "Encrypt values under a public key; print one ciphertext per line.",
    "Encrypts each VALUE (a decimal number such as 42, -7, 3.25 or 1e-3) under the key in FILE and prints one "
    "ciphertext per line, in decimal, in the order of the values. With --precision D the values are fixed-point "
    "numbers scaled by 10^D; a value with more decimals than D keeps is an error unless --round is given (then it is "
    "rounded half away from zero). A value outside the range of the key, +-((N-1)/2)/10^D, is an error, never wrapped. "
    "Use -- before the values if one of them could be taken for an option. With --json: a JSON array of decimal strings.\n"
    "\n"
    "Example:\n"
    "  dkg encrypt --public-key keys/public_key.json 42 -7\n"
    "  dkg encrypt --public-key keys/public_key.json --precision 2 3.25 -0.5",
    {{"--public-key", "FILE", "Public key file (public_key.json; required).", value_completion::file},
     {"--precision", "D", "Decimal digits after the point of fixed-point values, 0..1000 (default 0: integers)."},
     {"--round", "", "Round values with more decimals than --precision keeps instead of failing."},
     input_option("Also encrypt the values in FILE ('-': standard input), separated by whitespace."),
     backend_option, json_option, quiet_option, help_option}};

const command_spec add_spec{
    "add",
    "--public-key FILE [--input FILE] CIPHERTEXT...",
    "Add ciphertexts homomorphically; print the ciphertext of the sum.",
    "Prints the ciphertext of the sum of the plaintexts of the CIPHERTEXTs (decimal, as printed by encrypt; or the "
    "JSON form of docs/formats.md, which names its key and is checked). Fixed-point values must have the same "
    "precision. A value that is not a ciphertext of this key (not in (0, N^2), not coprime to N) is an error; a "
    "decimal ciphertext of another key of the same size cannot be recognised. With --json: {\"ciphertext\": \"...\"}.\n"
    "\n"
    "Example:\n"
    "  dkg add --public-key keys/public_key.json \"$c1\" \"$c2\" \"$c3\"",
    {{"--public-key", "FILE", "Public key file (required).", value_completion::file},
     input_option("Also add the ciphertexts in FILE ('-': standard input), separated by whitespace."),
     backend_option, json_option, quiet_option, help_option}};

const command_spec multiply_spec{
    "multiply",
    "--public-key FILE CIPHERTEXT INTEGER",
    "Multiply a ciphertext by a plain integer; print the ciphertext of the product.",
    "Prints the ciphertext of INTEGER times the plaintext of CIPHERTEXT. INTEGER is a signed decimal integer in "
    "[-(N-1)/2, (N-1)/2] (write -- before a negative one or place it after the ciphertext). A fixed-point plaintext "
    "keeps its precision. The result is a fresh ciphertext: by 0, a fresh encryption of 0. With --json: "
    "{\"ciphertext\": \"...\"}.\n"
    "\n"
    "Example:\n"
    "  dkg multiply --public-key keys/public_key.json \"$c\" -3",
    {{"--public-key", "FILE", "Public key file (required).", value_completion::file}, backend_option, json_option, quiet_option, help_option}};

std::vector<option_spec> decrypt_option_specs()
{
    std::vector<option_spec> o{
        {"--shares", "LIST", "Comma-separated key-share files, at least t+1 (required).", value_completion::files},
        {"--public-key", "FILE", "Also check that the shares belong to this public key.", value_completion::file},
        {"--precision", "D", "Print fixed-point values with D digits after the point (default 0)."},
        input_option("Also decrypt the ciphertexts in FILE ('-': standard input), separated by whitespace.")};
    add_passphrase_options(o, false);
    o.insert(o.end(), {backend_option, json_option, quiet_option, help_option});
    return o;
}

const command_spec decrypt_spec{
    "decrypt",
    "--shares FILE,FILE,... [--precision D] [--input FILE] CIPHERTEXT...",
    "Decrypt with any t+1 share files in this process; print one plaintext per line.",
    "Loads the key-share files (checking each file's checksum and that all are shares of one key from distinct "
    "parties), computes the partial decryptions of every CIPHERTEXT with t+1 of them and combines them. Fewer than "
    "t+1 shares is an error naming how many were given and needed. Prints one plaintext per line, a signed integer, "
    "or with --precision D a decimal with D digits after the point. With --json: a JSON array of strings.\n"
    "\n"
    "For parties that keep their shares on their own machines, use decrypt-party instead.\n"
    "\n"
    "Example:\n"
    "  dkg decrypt --shares keys/party-1.share,keys/party-3.share \"$c\"",
    decrypt_option_specs()};

std::vector<option_spec> decrypt_party_option_specs()
{
    std::vector<option_spec> o{
        {"--share", "FILE", "This party's key-share file (required).", value_completion::file},
        {"--id", "I", "This party's id; checked against the share file (default: the file's)."},
        {"--parties", "N", "Number of parties; checked against the share file (default: the file's)."},
        {"--base-port", "P", "Party i listens on HOST:(P+i)."},
        {"--host", "HOST", "Host of every party with --base-port (default localhost)."},
        {"--peers", "LIST", "host:port of every party in id order, comma-separated (instead of --base-port)."},
        {"--receivers", "LIST", "Comma-separated ids of the parties that learn the plaintexts (default: all)."},
        {"--contributors", "LIST", "Comma-separated ids of the parties that send partial decryptions, at least t+1 (default: all)."},
        {"--no-proofs", "", "Send partial decryptions without proofs (faster; a wrong one is then only noticed if it does not combine)."},
        {"--precision", "D", "Print fixed-point values with D digits after the point (default 0)."},
        {"--connect-window", "S", "Seconds to wait for all parties to connect; when it ends, go on if --quorum parties are running (default 30)."},
        {"--quorum", "K", "Parties, this one included, that must be running when the connect window ends, t+1..N (default t+1)."},
        {"--decryption-id", "ID", "Number (at most 19 digits) distinguishing decryption runs on the same key; every party gives the same (default 0)."},
        {"--timeout", "S", "Seconds to wait for any one message from a party (default 60)."},
        {"--threads", "K", "Worker threads for this party's partial decryptions and proof checks; 0 for one per hardware thread (default 1)."},
        {"--partials-out", "FILE", "After the decryption, also write this party's partial decryptions of the ciphertexts, with proofs, to FILE (JSON), for publication."},
        {"--force", "", "Overwrite the --partials-out file if it exists."},
        input_option("Also decrypt the ciphertexts in FILE ('-': standard input), separated by whitespace.")};
    add_passphrase_options(o, false);
    add_tls_options(o);
    o.insert(o.end(), {backend_option, json_option, quiet_option, help_option});
    return o;
}

const command_spec decrypt_party_spec{
    "decrypt-party",
    "--share FILE (--base-port P | --peers LIST) [--receivers LIST] [--quorum K] [--ca FILE --cert FILE --key FILE] [options] "
    "CIPHERTEXT...",
    "Run one party of a distributed decryption over TCP or TLS; receivers print the plaintexts.",
    "Every party holding a share runs this command with the same ciphertexts and options, in any order within the "
    "connect window. Each contributor sends its partial decryptions (with proofs of correctness unless --no-proofs) "
    "to the receivers; each receiver checks them and combines the first t+1 valid ones, so up to N-(t+1) "
    "contributors may be offline or give wrong answers. Receivers (default: every party) print one plaintext per "
    "line; the other parties print nothing and learn nothing. A failure names the party at fault.\n"
    "\n"
    "Not every party needs to run: when every party is connected the decryption starts at once; otherwise it starts "
    "when the connect window ends if at least --quorum parties (default t+1) are running, and the parties that are "
    "not are reported as unavailable (a warning, and in the JSON output). A party that is done stays until every "
    "party connected to it has started too (at most the rest of their connect window). The parties agree on the "
    "session id without exchanging messages first: it is derived from the public key and --decryption-id, so every "
    "party must give the same --decryption-id; give each decryption on the same key its own, so that messages of a "
    "party still running an earlier one are never taken for this one's.\n"
    "\n"
    "With --ca, --cert and --key the parties talk over TLS 1.3 (as for dkg party; party i's certificate must name "
    "dkg-party-i).\n"
    "\n"
    "With --json every party prints one object: party, receiver, plaintexts (null at non-receivers), used, faulty, "
    "unavailable.\n"
    "\n"
    "With --partials-out FILE a party also writes its own partial decryptions of the ciphertexts with proofs of "
    "correct decryption (a dkg.partial_decryptions document, docs/cli.md), so that anyone holding the public "
    "threshold key can check them and combine any t+1 parties' files.\n"
    "\n"
    "Example (party 1; parties 2 and 3 run the same with their own shares):\n"
    "  dkg decrypt-party --share keys/party-1.share --base-port 7100 --receivers 1 \"$c\"",
    decrypt_party_option_specs()};

std::vector<option_spec> info_option_specs()
{
    std::vector<option_spec> o;
    add_passphrase_options(o, false);
    o.insert(o.end(), {backend_option, json_option, quiet_option, help_option});
    return o;
}

const command_spec info_spec{
    "info",
    "FILE",
    "Describe a public key or key-share file (no secret is printed).",
    "Prints the type of FILE (public_key or key_share), the bit length of N and N itself, and for a key share its "
    "party, the number of parties and the threshold, after checking the file. The secret share is never printed. "
    "An encrypted share file is decrypted and checked with --passphrase-file or --passphrase-env (and then reported "
    "with encrypted: true); without them its clear header is printed (type encrypted_key_share, party, parties, "
    "threshold, key_fingerprint, kdf_iterations, kdf_memory_kib), which only the passphrase authenticates. "
    "With --json: one object with these members.",
    info_option_specs(),
    value_completion::file};

const std::vector<const command_spec*>& all_commands()
{
    static const std::vector<const command_spec*> list{&keygen_spec,   &party_spec,         &encrypt_spec, &add_spec,
                                                       &multiply_spec, &decrypt_spec, &decrypt_party_spec, &info_spec};
    return list;
}

const command_spec* find_command(std::string_view name)
{
    for (const auto* c : all_commands())
        if (c->name == name) return c;
    return nullptr;
}

std::string general_help()
{
    std::string out = "dkg " DKG_VERSION " - dealer-free distributed Paillier key generation and threshold decryption\n\n"
                      "Usage: dkg COMMAND [OPTIONS] [ARGUMENTS]\n"
                      "       dkg help [COMMAND] | dkg COMMAND --help | dkg --version\n\nCommands:\n";
    for (const auto* c : all_commands()) {
        std::string name(2, ' ');
        name += c->name;
        name.resize(18, ' ');
        out += name + wrap(c->summary, 18, 100) + "\n";
    }
    out += '\n';
    out += wrap("Every command takes --help, --json and --quiet. Exit status: 0 success, 1 the operation failed "
                "(network, peer, files), 2 bad command line, 3 bad input (values, ciphertexts, key or share files). "
                "Files: public_key.json (JSON, \"n\" and \"g\" in decimal) and party-I.share (docs/formats.md).",
                0, 100);
    out += '\n';
    return out;
}

// ---- from parsed arguments to options ---------------------------------------------------------

backend_commands backend(const parsed_args& a, bool keygen)
{
    const std::string name = a.choice("--backend", "gmp", {"gmp", "cpp_int"});
    if (name == "cpp_int") return keygen ? cpp_int_keygen_commands() : cpp_int_threshold_commands();
    return keygen ? gmp_keygen_commands() : gmp_threshold_commands();
}

network_options network_of(const parsed_args& a)
{
    network_options n;
    if (a.has("--base-port")) n.base_port = static_cast<std::uint16_t>(a.number("--base-port", 0, 0, 65534));
    if (auto host = a.value("--host")) {
        if (host->empty()) throw usage_error("--host: empty host");
        if (!a.has("--base-port")) throw usage_error("--host is used with --base-port only");
        n.host = *host;
    }
    n.peers = a.value("--peers");
    n.connect_window = a.seconds("--connect-window", n.connect_window, 86400);
    if (auto id = a.value("--network")) {
        // The id becomes part of certificate names (dkg-party-I.ID): the characters of a DNS name.
        const bool allowed = std::all_of(id->begin(), id->end(), [](char c) {
            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
        });
        if (id->empty() || id->size() > 64 || !allowed)
            throw usage_error("--network: the network id must have 1 to 64 letters, digits, '.', '_' or '-', got '" + *id + "'");
        n.network_id = *id;
    }
    const int credentials = int(a.has("--ca")) + int(a.has("--cert")) + int(a.has("--key"));
    if (credentials != 0 && credentials != 3) throw usage_error("--ca, --cert and --key go together: give all three for TLS, or none");
    if (a.has("--key-password-file") && credentials == 0) throw usage_error("--key-password-file needs --ca, --cert and --key");
    if (credentials == 0) return n;
#if DKG_HAS_TLS
    for (const char* name : {"--ca", "--cert", "--key", "--key-password-file"})
        if (a.has(name) && a.value(name)->empty()) throw usage_error(std::string(name) + ": empty file name");
    n.ca = *a.value("--ca");
    n.cert = *a.value("--cert");
    n.key = *a.value("--key");
    if (auto f = a.value("--key-password-file")) n.key_password_file = *f;
#else
    throw usage_error("--ca, --cert, --key: this dkg was built without TLS (OpenSSL was not found)");
#endif
    return n;
}

passphrase_source passphrase_of(const parsed_args& a)
{
    passphrase_source p;
    if (a.has("--passphrase-file") && a.has("--passphrase-env")) throw usage_error("give either --passphrase-file or --passphrase-env, not both");
    if (auto f = a.value("--passphrase-file")) {
        if (f->empty()) throw usage_error("--passphrase-file: empty file name");
        p.file = *f;
    }
    if (auto v = a.value("--passphrase-env")) {
        if (v->empty() || v->find('=') != std::string::npos) throw usage_error("--passphrase-env: expected the name of an environment variable");
        p.variable = *v;
    }
#if !DKG_HAS_SODIUM
    if (p.given()) throw usage_error("--passphrase-file, --passphrase-env: this dkg was built without encrypted share files (libsodium was not found)");
#endif
    return p;
}

keygen_command_options keygen_of(const parsed_args& a, bool party)
{
    keygen_command_options o;
    o.parties = a.number("--parties", 3, 1, 64);
    if (party && !a.has("--parties")) {
        // With --peers the list tells the number of parties.
        const auto peers = a.value("--peers");
        if (!peers) throw usage_error("missing required option --parties");
        o.parties = split_list(*peers, "--peers").size();
    }
    if (party) {
        o.id = static_cast<std::uint32_t>(a.required_number("--id", 1, 64));
        o.network = network_of(a);
    }
    if (a.positionals().size() > 0) throw usage_error("unexpected argument '" + a.positionals().front() + "'");
    auto& p = o.params;
    p.corruption_threshold = a.number("--threshold", 1, 0, 31);
    p.key_length = a.number("--bits", 2048, 64, 16384);
    p.candidates = a.choice("--method", "sieve", {"sieve", "trial"}) == "trial" ? candidate_method::trial_division
                                                                                 : candidate_method::distributed_sieve;
    o.threads = a.number("--threads", 1, 0, 1024);
    p.batch_size = a.number("--batch-size", 0, 0, 1u << 20);
    p.prime_threshold = static_cast<std::uint32_t>(a.number("--prime-threshold", 0, 0, 1u << 26));
    p.sieve_bound = static_cast<std::uint32_t>(a.number("--sieve-bound", 0, 0, 0xffffffffu));
    p.correct_param_biprime = a.number("--kappa", 40, 1, 1024);
    p.stat_sec_shamir = a.number("--sigma", 40, 1, 1024);
    p.max_batches = a.number("--max-batches", 0, 0, 1u << 30);
    o.out = a.required("--out");
    if (o.out.empty()) throw usage_error("--out: empty directory name");
    o.force = a.has("--force");
    o.json_shares = a.choice("--format", "binary", {"binary", "json"}) == "json";
    o.passphrase = passphrase_of(a);
    if (o.passphrase.given() && o.json_shares) throw usage_error("--format json: encrypted share files are binary (drop --format json)");
    o.timeout = a.seconds("--timeout", o.timeout, 86400);
    if (!party) o.tcp_in_process = a.choice("--transport", "memory", {"memory", "tcp"}) == "tcp";
    return o;
}

unsigned precision_of(const parsed_args& a)
{
    return static_cast<unsigned>(a.number("--precision", 0, 0, 1000));
}

// The positional values, then those of --input FILE ('-': standard input), separated by whitespace.
std::vector<std::string> values_of(const parsed_args& a, const char* what)
{
    std::vector<std::string> values = a.positionals();
    if (const auto input = a.value("--input")) {
        std::string text;
        if (*input == "-") {
            std::ostringstream buffer;
            buffer << std::cin.rdbuf();
            text = buffer.str();
        } else {
            text = read_file(*input, std::size_t{1} << 30, "input file");
        }
        std::istringstream words(text);
        for (std::string word; words >> word;) values.push_back(std::move(word));
    }
    if (values.empty()) throw usage_error(std::string("no ") + what + " given");
    return values;
}

int dispatch(const command_spec& spec, const parsed_args& a, const io& streams)
{
    const std::string_view name = spec.name;
    if (name == "keygen") return backend(a, true).keygen(keygen_of(a, false), streams);
    if (name == "party") return backend(a, true).party(keygen_of(a, true), streams);
    const backend_commands commands = backend(a, false);
    if (name == "encrypt") {
        encrypt_options o;
        o.public_key = a.required("--public-key");
        o.precision = precision_of(a);
        o.round = a.has("--round");
        o.values = values_of(a, "values");
        return commands.encrypt(o, streams);
    }
    if (name == "add" || name == "multiply") {
        arithmetic_options o;
        o.public_key = a.required("--public-key");
        o.ciphertexts = values_of(a, "ciphertexts");
        if (name == "multiply") {
            if (o.ciphertexts.size() != 2)
                throw usage_error("expected a ciphertext and an integer, got " + std::to_string(o.ciphertexts.size()) + " arguments");
            o.factor = o.ciphertexts.back();
            o.ciphertexts.pop_back();
            return commands.multiply(o, streams);
        }
        return commands.add(o, streams);
    }
    if (name == "decrypt") {
        decrypt_options o;
        for (const auto& f : split_list(a.required("--shares"), "--shares")) o.shares.emplace_back(f);
        o.passphrase = passphrase_of(a);
        if (auto k = a.value("--public-key")) o.public_key = *k;
        o.precision = precision_of(a);
        o.ciphertexts = values_of(a, "ciphertexts");
        return commands.decrypt(o, streams);
    }
    if (name == "decrypt-party") {
        decrypt_party_options o;
        o.share = a.required("--share");
        o.passphrase = passphrase_of(a);
        if (a.has("--id")) o.id = static_cast<std::uint32_t>(a.number("--id", 0, 1, 1024));
        if (a.has("--parties")) o.parties = a.number("--parties", 0, 1, 1024);
        o.network = network_of(a);
        o.receivers = a.value("--receivers");
        o.contributors = a.value("--contributors");
        if (a.has("--quorum")) o.quorum = a.number("--quorum", 0, 0, 1024); // checked against t+1..N with the share
        o.decryption_id = a.number("--decryption-id", 0, 0, ~std::uint64_t{0});
        o.proofs = !a.has("--no-proofs");
        o.timeout = a.seconds("--timeout", o.timeout, 86400);
        o.threads = a.number("--threads", 1, 0, 1024);
        o.precision = precision_of(a);
        o.ciphertexts = values_of(a, "ciphertexts");
        if (auto f = a.value("--partials-out")) o.partials_out = *f;
        o.force = a.has("--force");
        if (o.force && !o.partials_out) throw usage_error("--force goes with --partials-out");
        return commands.decrypt_party(o, streams);
    }
    // info
    if (a.positionals().size() != 1) throw usage_error("expected one file, got " + std::to_string(a.positionals().size()) + " arguments");
    return commands.info(info_options{a.positionals().front(), passphrase_of(a)}, streams);
}

std::string one_line(std::string text)
{
    std::replace(text.begin(), text.end(), '\n', ' ');
    std::replace(text.begin(), text.end(), '\r', ' ');
    return text;
}

} // namespace

std::string option_message(const std::string& library_message)
{
    static const std::pair<std::string_view, std::string_view> names[] = {
        {"corruption_threshold", "--threshold"}, {"key_length", "--bits"},         {"parties", "--parties"},
        {"correct_param_biprime", "--kappa"},    {"stat_sec_shamir", "--sigma"},   {"prime_threshold", "--prime-threshold"},
        {"batch_size", "--batch-size"},          {"threads", "--threads"},         {"sieve_bound", "--sieve-bound"},
        {"max_batches", "--max-batches"}};
    // "key_length: must be even" -> "--bits: must be even"; other mentions read as in the docs.
    std::string text = library_message;
    for (const auto& [from, to] : names) {
        if (text.rfind(std::string(from) + ":", 0) == 0) {
            text.replace(0, from.size(), to);
            break;
        }
    }
    for (const auto& [from, to] : {std::pair<std::string_view, std::string_view>{"2*corruption_threshold+1", "2t+1"},
                                   {"; set allow_insecure_threshold_zero to allow it", ""}}) {
        if (const auto pos = text.find(from); pos != std::string::npos) text.replace(pos, from.size(), to);
    }
    return text;
}

int run(int argc, const char* const* argv, std::ostream& out, std::ostream& err)
{
    std::vector<std::string> args(argv + std::min(argc, 1), argv + argc);
    std::mutex err_mutex;
    io streams{out, err, "", false, false, false, &err_mutex};
    const auto fail = [&](int code, const std::string& message) {
        std::lock_guard<std::mutex> lock(err_mutex);
        err << "dkg" << (streams.command.empty() ? "" : " " + streams.command) << ": error: " << one_line(message);
        if (code == exit_usage) err << " (see 'dkg " << (streams.command.empty() ? "" : streams.command + " ") << "--help')";
        err << std::endl;
        return code;
    };

    if (args.empty()) {
        err << general_help();
        return exit_usage;
    }
    const std::string& first = args.front();
    if (first == "--help" || first == "-h" || first == "help") {
        if (args.size() > 1 && first == "help") {
            const command_spec* spec = find_command(args[1]);
            if (!spec) return fail(exit_usage, "unknown command '" + args[1] + "'");
            out << command_help(*spec);
        } else {
            out << general_help();
        }
        return exit_ok;
    }
    if (first == "completion") {
        // Not listed in the help: for packagers (docs/cli.md, "Bash completion").
        if (args.size() != 2 || args[1] != "bash") return fail(exit_usage, "expected 'dkg completion bash'");
        out << bash_completion(all_commands(), {"help", "version", "--help", "--version"});
        return exit_ok;
    }
    if (first == "--version" || first == "version") {
        if (args.size() > 1 && args[1] == "--json")
            out << json_text(boost::json::object{{"version", DKG_VERSION}}) << '\n';
        else
            out << "dkg " DKG_VERSION "\n";
        return exit_ok;
    }
    const command_spec* spec = find_command(first);
    if (!spec) return fail(exit_usage, first.rfind('-', 0) == 0 ? "unknown option '" + first + "' (give a command first)"
                                                                 : "unknown command '" + first + "'");
    streams.command = first;
    const std::vector<std::string> rest(args.begin() + 1, args.end());
    for (const auto& a : rest) {
        if (a == "--") break;
        if (a == "--help" || a == "-h") {
            out << command_help(*spec);
            return exit_ok;
        }
    }

    // Library warnings (e.g. an insecure key length) go through the same channel as notes.
    struct restore_warnings {
        warning_handler previous;
        ~restore_warnings() { set_warning_handler(std::move(previous)); }
    } restore{set_warning_handler([&streams, seen = std::make_shared<std::set<std::string>>()](std::string_view text) {
        // Every in-process party warns alike: say it once.
        if (!seen->insert(std::string(text)).second) return;
        std::string line(text);
        if (line.rfind("key_length ", 0) == 0) line.replace(0, 10, "a key length of");
        streams.warning(line);
    })};

    try {
        const parsed_args parsed = parse_args(*spec, rest);
        streams.json = parsed.has("--json");
        streams.quiet = parsed.has("--quiet");
        streams.progress = !streams.quiet && (parsed.has("--progress") || (&err == &std::cerr && ::isatty(STDERR_FILENO)));
        const int code = dispatch(*spec, parsed, streams);
        out.flush();
        return code;
    } catch (const usage_error& e) {
        return fail(exit_usage, e.what());
    } catch (const input_error& e) {
        return fail(exit_input, e.what());
    } catch (const operation_error& e) {
        return fail(exit_failure, e.what());
    } catch (const protocol_error& e) {
        return fail(exit_failure, e.what());
    } catch (const std::invalid_argument& e) {
        return fail(exit_input, e.what());
    } catch (const std::system_error& e) {
        return fail(exit_failure, e.what());
    } catch (const boost::system::system_error& e) {
        return fail(exit_failure, e.what());
    } catch (const std::bad_alloc&) {
        return fail(exit_failure, "out of memory");
    } catch (const std::exception& e) {
        return fail(exit_failure, e.what());
    }
}

} // namespace dkg::cli
