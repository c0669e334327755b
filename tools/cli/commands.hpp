// The commands of the dkg tool, as functions of their parsed options. Each backend (GMP, cpp_int)
// instantiates them in translation units of its own (gmp_*.cpp, cpp_int_*.cpp), so that the
// library's templates are compiled once per backend and in parallel.
#pragma once

#include "common.hpp"

#include <dkg/keygen/params.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace dkg::cli {

/// Where the parties of a distributed run listen.
struct network_options {
    std::optional<std::uint16_t> base_port; ///< party i at host:(base_port + i)
    std::string host = "localhost";
    std::optional<std::string> peers; ///< or the list "host:port,..." (party i is entry i)
    std::chrono::milliseconds connect_window{std::chrono::seconds(30)};
    std::string network_id; ///< --network: the cluster name (and the certificates' name suffix)
    /// --ca, --cert, --key (all or none): TLS with these PEM files; --key-password-file.
    std::optional<std::filesystem::path> ca, cert, key, key_password_file;

    /// Whether the parties talk over TLS.
    bool tls() const noexcept { return ca.has_value(); }
};

/// Where the passphrase of encrypted share files comes from (--passphrase-file or
/// --passphrase-env, never the command line); neither: share files are not encrypted.
struct passphrase_source {
    std::optional<std::filesystem::path> file; ///< its first line
    std::optional<std::string> variable;       ///< the name of an environment variable

    bool given() const noexcept { return file || variable; }
};

/// `dkg keygen` and `dkg party`.
struct keygen_command_options {
    std::size_t parties = 3;
    keygen_params params;  ///< what every party must agree on
    std::size_t threads = 1; ///< --threads: worker threads per party (dkg::keygen_options::threads)
    std::filesystem::path out;
    bool force = false;
    bool json_shares = false;          ///< share files in the JSON form instead of binary
    passphrase_source passphrase;      ///< encrypt the share files with this passphrase
    std::chrono::milliseconds timeout{std::chrono::seconds(60)}; ///< per message
    bool tcp_in_process = false;       ///< keygen: loopback TCP between the in-process parties
    std::uint32_t id = 0;              ///< party: this party's id
    network_options network;           ///< party
};

/// `dkg encrypt`.
struct encrypt_options {
    std::filesystem::path public_key;
    unsigned precision = 0;
    bool round = false;
    std::vector<std::string> values;
};

/// `dkg add` and `dkg multiply`.
struct arithmetic_options {
    std::filesystem::path public_key;
    std::vector<std::string> ciphertexts; ///< add: the terms; multiply: the one ciphertext
    std::string factor;                   ///< multiply: the integer
};

/// `dkg decrypt`.
struct decrypt_options {
    std::vector<std::filesystem::path> shares;
    passphrase_source passphrase; ///< of encrypted share files (one for all)
    std::optional<std::filesystem::path> public_key;
    unsigned precision = 0;
    std::vector<std::string> ciphertexts;
};

/// `dkg decrypt-party`.
struct decrypt_party_options {
    std::filesystem::path share;
    passphrase_source passphrase; ///< of an encrypted share file
    std::optional<std::uint32_t> id;
    std::optional<std::size_t> parties;
    network_options network;
    std::optional<std::string> receivers, contributors; ///< comma-separated ids, checked against n
    std::optional<std::size_t> quorum;                  ///< parties that must be running (default t+1)
    std::uint64_t decryption_id = 0;                    ///< part of the session id (docs/cli.md)
    std::size_t threads = 1;                            ///< worker threads (decrypt_options::threads)
    bool proofs = true;
    std::chrono::milliseconds timeout{std::chrono::seconds(60)};
    unsigned precision = 0;
    std::vector<std::string> ciphertexts;
    std::optional<std::filesystem::path> partials_out; ///< also write this party's partial decryptions with proofs
    bool force = false;                                ///< overwrite partials_out
};

/// `dkg info`.
struct info_options {
    std::filesystem::path file;
    passphrase_source passphrase; ///< to decrypt and check an encrypted share file
};

/// The commands of one backend.
struct backend_commands {
    int (*keygen)(const keygen_command_options&, const io&);
    int (*party)(const keygen_command_options&, const io&);
    int (*encrypt)(const encrypt_options&, const io&);
    int (*add)(const arithmetic_options&, const io&);
    int (*multiply)(const arithmetic_options&, const io&);
    int (*decrypt)(const decrypt_options&, const io&);
    int (*decrypt_party)(const decrypt_party_options&, const io&);
    int (*info)(const info_options&, const io&);
};

/// Each backend's key generation commands (keygen, party) and the others, from separate translation
/// units; only the fields of its half are set.
backend_commands gmp_keygen_commands();
backend_commands gmp_threshold_commands();
backend_commands cpp_int_keygen_commands();
backend_commands cpp_int_threshold_commands();

/// Turns a keygen_params::validate message into one that names the command-line option.
std::string option_message(const std::string& library_message);

} // namespace dkg::cli
