// Helpers of the command implementations, generic over the big-integer type: reading keys, shares
// and ciphertexts given on the command line, printing plaintexts, and running one party's
// operation over TCP or TLS. Included only by the backends' translation units.
#pragma once

#include "args.hpp"
#include "cli.hpp"
#include "commands.hpp"
#include "common.hpp"

#include <dkg/bigint.hpp>
#include <dkg/detail/secret_line.hpp>
#include <dkg/encoding.hpp>
#include <dkg/error.hpp>
#include <dkg/key_share.hpp>
#include <dkg/paillier.hpp>
#include <dkg/serialization.hpp>
#include <dkg/session.hpp>
#include <dkg/transport/tcp.hpp>
#if DKG_HAS_SODIUM
#include <dkg/serialization/encrypted_key_share.hpp>
#endif
#if DKG_HAS_TLS
#include <dkg/transport/tls.hpp>
#endif

#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <exception>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace dkg::cli {

/// The endpoints of `parties` parties from --base-port/--host or --peers.
/// @throws usage_error if neither or both are given, or they do not fit.
inline std::vector<tcp_endpoint> party_endpoints(const network_options& o, std::size_t parties)
{
    if (o.peers && o.base_port) throw usage_error("give either --base-port or --peers, not both");
    if (o.peers) {
        std::vector<tcp_endpoint> list;
        try {
            list = parse_party_list(*o.peers);
        } catch (const std::invalid_argument& e) {
            throw usage_error(std::string("--peers: ") + e.what());
        }
        if (list.size() != parties)
            throw usage_error("--peers lists " + std::to_string(list.size()) + " parties, but there are " + std::to_string(parties));
        return list;
    }
    if (!o.base_port) throw usage_error("missing --base-port or --peers (where the parties listen)");
    if (*o.base_port + parties > 65535)
        throw usage_error("--base-port: " + std::to_string(*o.base_port) + " + " + std::to_string(parties) + " parties exceeds port 65535");
    std::vector<tcp_endpoint> list;
    for (std::size_t j = 1; j <= parties; ++j) list.push_back({o.host, static_cast<std::uint16_t>(*o.base_port + j)});
    return list;
}

/// Whether `data` starts (after whitespace) with '{', i.e. is a JSON form.
inline bool is_json_text(std::string_view data)
{
    const auto first = data.find_first_not_of(" \t\r\n");
    return first != std::string_view::npos && data[first] == '{';
}

/// Reads a public key file (JSON, as written by keygen, or the binary form).
template <big_integer N>
public_key<N> load_public_key(const std::filesystem::path& path)
{
    const std::string data = read_file(path, max_json_bytes, "public key file");
    try {
        if (is_json_text(data)) return public_key_from_json<N>(data);
        return public_key_from_binary<N>(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(data.data()), data.size()));
    } catch (const format_error& e) {
        throw input_error("public key file " + path.string() + ": " + e.what());
    }
}

#if DKG_HAS_SODIUM
using share_passphrase = dkg::passphrase;
#else
/// Without libsodium there is no passphrase (the options are refused when parsing).
struct share_passphrase {};
#endif

/// The passphrase of --passphrase-file or --passphrase-env, if given. An environment variable is
/// removed from this process's environment once read, so that no child process inherits it.
/// @throws input_error naming the file or variable (never the passphrase).
inline std::optional<share_passphrase> read_passphrase(const passphrase_source& source)
{
    if (!source.given()) return std::nullopt;
#if DKG_HAS_SODIUM
    try {
        if (source.file) return dkg::passphrase::from_file(*source.file);
        auto p = dkg::passphrase::from_environment(*source.variable);
        ::unsetenv(source.variable->c_str());
        return p;
    } catch (const std::invalid_argument& e) {
        throw input_error(e.what());
    }
#else
    throw usage_error("--passphrase-file, --passphrase-env: this dkg was built without encrypted share files"); // checked when parsing
#endif
}

/// Reads and checks a key-share file, encrypted (then `secret` is needed) or not.
template <big_integer N>
key_share<N> load_share(const std::filesystem::path& path, std::optional<party_id> expected_party = std::nullopt,
                        const share_passphrase* secret = nullptr)
{
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) throw input_error("cannot read share file " + path.string() + ": no such file");
    if (std::filesystem::is_directory(path, ec)) throw input_error("cannot read share file " + path.string() + ": it is a directory");
    // A named "no expected key" (g++ 12 warns about the default argument's temporary as possibly
    // uninitialized here).
    const std::optional<public_key<N>> any_key;
    try {
        bytes data = detail::read_key_share_file(path);
        const detail::wipe_on_exit<bytes> wiper{data};
        if (!detail::has_encrypted_share_header(data)) return detail::decode_key_share<N>(data, errc::corrupt_file, expected_party, any_key);
#if DKG_HAS_SODIUM
        if (secret) return detail::decode_encrypted_key_share<N>(data, *secret, errc::corrupt_file, expected_party, any_key);
#else
        (void)secret;
        throw input_error("share file " + path.string() + " is encrypted, and this dkg was built without encrypted share files (libsodium)");
#endif
        throw input_error("share file " + path.string() + " is encrypted: give its passphrase with --passphrase-file or --passphrase-env");
    } catch (const format_error& e) {
        throw input_error("share file " + path.string() + ": " + e.what());
    } catch (const std::system_error& e) {
        throw input_error("cannot read share file " + path.string() + ": " + e.code().message());
    }
}

/// Reads ciphertext number `index` (1-based) given as decimal text, or as the JSON form
/// {"type": "dkg.ciphertext", ...}, which names its key's N and so is checked against `key`.
template <big_integer N>
ciphertext<N> parse_ciphertext(const public_key<N>& key, std::string_view text, std::size_t index)
{
    const std::string where = "ciphertext " + std::to_string(index);
    if (is_json_text(text)) {
        try {
            return ciphertext_from_json(key, text);
        } catch (const format_error& e) {
            throw input_error(where + ": " + e.what());
        }
    }
    const bool digits = !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!digits) throw input_error(where + ": expected a decimal integer, got '" + std::string(text.substr(0, 40)) + (text.size() > 40 ? "...'" : "'"));
    if (text.size() > 1 && text[0] == '0') throw input_error(where + ": leading zero in a decimal integer");
    // N^2 has at most 2·bits·log10(2) + 1 digits.
    if (text.size() > key.bits() * 2 * 30103 / 100000 + 2) throw input_error(where + ": not a ciphertext of this public key (too large)");
    try {
        return key.make_ciphertext(from_decimal<N>(text));
    } catch (const std::invalid_argument&) {
        throw input_error(where + ": not a ciphertext of this public key (the value must be in (0, N^2) and coprime to N)");
    }
}

template <big_integer N>
std::vector<ciphertext<N>> parse_ciphertexts(const public_key<N>& key, const std::vector<std::string>& texts)
{
    std::vector<ciphertext<N>> out;
    for (std::size_t i = 0; i < texts.size(); ++i) out.push_back(parse_ciphertext(key, texts[i], i + 1));
    return out;
}

/// Checks a precision against the key. @throws usage_error if 10^precision does not fit.
template <big_integer N>
fixed_point_encoder<N> make_encoder(const public_key<N>& key, unsigned precision)
{
    try {
        return fixed_point_encoder<N>(key, precision);
    } catch (const std::invalid_argument& e) {
        throw usage_error(std::string("--") + e.what());
    }
}

/// The decimal text of a plaintext residue: a signed integer, or a fixed-point value with exactly
/// `precision` digits after the point.
template <big_integer N>
std::string plaintext_text(const fixed_point_encoder<N>& encoder, const N& residue)
{
    return encoder.decode(residue).to_string();
}

/// Prints plaintexts or ciphertexts: one per line, or a JSON array of strings.
inline void print_values(const io& streams, const std::vector<std::string>& values)
{
    if (streams.json) {
        streams.out << json_text(json_strings(values)) << '\n';
    } else {
        for (const auto& v : values) streams.out << v << '\n';
    }
}

namespace party_detail {

/// Runs `operation` on a session over `transport` once it has started, then shuts it down.
template <class Transport, class Operation>
void run_on(boost::asio::io_context& context, Transport& transport, std::chrono::milliseconds timeout, const std::string& what,
            Operation& operation)
{
    session_options session_opts;
    session_opts.timeout = timeout;
    session<Transport> s(transport, session_opts);
    std::exception_ptr error;
    transport.async_start([&](std::exception_ptr e) {
        if (e) {
            error = e; // a failed start has closed the transport
            return;
        }
        operation(s, [&](std::exception_ptr e2) {
            error = e2;
            // Also after a failure: a running transport keeps io_context::run() busy until closed.
            transport.async_shutdown([](boost::system::error_code) {});
        });
    });
    context.run();
    if (!error) return;
    try {
        std::rethrow_exception(error);
    } catch (const protocol_error& e) {
        throw operation_error(what + " failed: " + e.what());
    } catch (const boost::system::system_error& e) {
        throw operation_error(what + " failed: " + e.what());
    }
}

#if DKG_HAS_TLS
/// Overwrites and clears a string that held a secret.
inline void wipe(std::string& secret)
{
    if (!secret.empty()) OPENSSL_cleanse(secret.data(), secret.size());
    secret.clear();
}

/// Reads the first line of a key password file (without its line end) into `password`, through a
/// buffer that is wiped, so no other copy stays in memory.
/// @throws input_error naming the file (never its contents).
inline void read_password(const std::filesystem::path& path, std::string& password)
{
    try {
        detail::read_secret_line<4096>(path, "key password file", [&](std::string_view line) { password.assign(line); });
    } catch (const std::invalid_argument& e) {
        throw input_error(e.what());
    }
}
#endif

} // namespace party_detail

/// Runs one party's network operation: starts the transport (TCP, or TLS with --ca/--cert/--key),
/// then `operation` on a session once the start completed (every party connected, or `quorum`
/// of them when the connect window ended; 0 means all), then shuts the transport down.
/// `operation(session, done)` gets a `session<T>&` for the transport type T, must establish it
/// (or leave that to the protocol), and must call `done(exception_ptr)` exactly once, on the
/// session's executor.
/// @throws operation_error describing the failure (the party at fault named by the library);
/// input_error if the TLS credentials cannot be used; usage_error for TLS in a build without it.
template <class Operation>
void run_party(std::uint32_t self, const std::vector<tcp_endpoint>& endpoints, const network_options& network,
               std::chrono::milliseconds timeout, const std::string& what, Operation&& operation, std::size_t quorum = 0)
{
    boost::asio::io_context context;
    tcp_options options;
    options.connect_window = network.connect_window;
    options.network_id = network.network_id;
    options.start_quorum = quorum;
    if (!network.tls()) {
        tcp_transport transport(context, self, endpoints, options);
        party_detail::run_on(context, transport, timeout, what, operation);
        return;
    }
#if DKG_HAS_TLS
    tls_options tls;
    static_cast<tcp_options&>(tls) = options;
    tls.ca_file = network.ca->string();
    tls.certificate_chain_file = network.cert->string();
    tls.private_key_file = network.key->string();
    // The password is wiped from `tls` whatever happens; the transport wipes its own copy.
    struct wipe_password {
        std::string& password;
        ~wipe_password() { party_detail::wipe(password); }
    } guard{tls.private_key_password};
    if (network.key_password_file) party_detail::read_password(*network.key_password_file, tls.private_key_password);
    std::optional<tls_transport> transport;
    try {
        transport.emplace(context, self, endpoints, tls);
    } catch (const std::invalid_argument& e) {
        throw input_error(std::string("TLS configuration: ") + e.what());
    }
    party_detail::wipe(tls.private_key_password);
    party_detail::run_on(context, *transport, timeout, what, operation);
#else
    throw usage_error("--ca, --cert, --key: this dkg was built without TLS (OpenSSL was not found)"); // checked when parsing
#endif
}

} // namespace dkg::cli
