// A TLS transport: dkg's TCP transport (dkg/transport/tcp.hpp) over TLS 1.3 with mutual
// authentication, each certificate bound to a party id; the same stream engine
// (dkg/transport/detail/) with a TLS security policy. Needs OpenSSL: link dkg::tls.
#pragma once

#include <dkg/error.hpp>
#include <dkg/transport.hpp>
#include <dkg/transport/detail/stream_transport.hpp>
#include <dkg/transport/tcp.hpp>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/system/error_code.hpp>

#include <openssl/crypto.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dkg {

/// The name that binds a certificate to party `id`: "dkg-party-<id>", or
/// "dkg-party-<id>.<network_id>" when `network_id` is not empty. A tls_transport accepts a peer as
/// party j only if its certificate carries such a name for j (see tls_options).
inline std::string tls_party_name(party_id id, std::string_view network_id = {})
{
    std::string name = "dkg-party-" + std::to_string(id);
    if (!network_id.empty()) name.append(".").append(network_id);
    return name;
}

/// Options of a tls_transport: the TCP options (the connect window, backoff, limits, network id
/// and on_fault mean the same; `handshake_timeout` bounds the TCP connection, the TLS handshake
/// and the hello together) plus this party's credentials and what it trusts.
///
/// Give each of the three credentials either as a file or as PEM text, not both. Keys must be PEM
/// (PKCS#8 or traditional), encrypted only if `private_key_password` is set. The transport keeps
/// no copy of the key or the password: `private_key_pem` and `private_key_password` are wiped from
/// its copy of the options once loaded (the caller's copy is the caller's to wipe).
struct tls_options : tcp_options {
    /// PEM file of the certificate authorities that issue the parties' certificates (only these
    /// are trusted: not the system's store).
    std::string ca_file;
    /// The same as PEM text.
    std::string ca_pem;
    /// PEM file of this party's certificate, followed by any intermediate CA certificates.
    std::string certificate_chain_file;
    /// The same as PEM text.
    std::string certificate_chain_pem;
    /// PEM file of this party's private key.
    std::string private_key_file;
    /// The same as PEM text.
    std::string private_key_pem;
    /// Password of an encrypted private key (empty: the key is not encrypted).
    std::string private_key_password;
    /// Most intermediate CA certificates allowed between a peer's certificate and a trusted CA.
    int verify_depth = 4;
    /// Accept only certificates naming "dkg-party-<id>.<network_id>" (requires a network id);
    /// otherwise "dkg-party-<id>" is accepted too.
    bool require_network_name = false;
};

namespace detail {

/// Every name of a certificate that may bind it to a party: subject common names, and DNS and URI
/// subject alternative names.
inline std::vector<std::string> certificate_names(X509* cert)
{
    std::vector<std::string> names;
    const auto add = [&names](const ASN1_STRING* s) {
        if (s) names.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)), static_cast<std::size_t>(ASN1_STRING_length(s)));
    };
    X509_NAME* subject = X509_get_subject_name(cert);
    for (int i = -1; subject && (i = X509_NAME_get_index_by_NID(subject, NID_commonName, i)) >= 0;)
        add(X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, i)));
    auto* alt = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
    for (int i = 0; alt && i < sk_GENERAL_NAME_num(alt); ++i) {
        const GENERAL_NAME* n = sk_GENERAL_NAME_value(alt, i);
        if (n->type == GEN_DNS) add(n->d.dNSName);
        if (n->type == GEN_URI) add(n->d.uniformResourceIdentifier);
    }
    if (alt) GENERAL_NAMES_free(alt);
    return names;
}

/// The certificate's subject in one line (public information, for messages).
inline std::string certificate_subject(X509* cert)
{
    std::string out;
    if (BIO* bio = BIO_new(BIO_s_mem())) {
        if (X509_NAME_print_ex(bio, X509_get_subject_name(cert), 0, XN_FLAG_RFC2253) >= 0) {
            char* data = nullptr;
            const long size = BIO_get_mem_data(bio, &data);
            if (size > 0) out.assign(data, static_cast<std::size_t>(size));
        }
        BIO_free(bio);
    }
    return out.empty() ? std::string("no subject") : out;
}

/// The party a certificate name binds to: "dkg-party-<id>" (unless the network name is required)
/// or "dkg-party-<id>.<network_id>"; no_party for any other name.
inline party_id party_of_name(std::string_view name, std::string_view network_id, bool require_network_name)
{
    constexpr std::string_view prefix = "dkg-party-";
    if (!name.starts_with(prefix)) return no_party;
    name.remove_prefix(prefix.size());
    std::uint64_t id = 0;
    std::size_t digits = 0;
    for (; digits < name.size() && name[digits] >= '0' && name[digits] <= '9'; ++digits) {
        id = id * 10 + static_cast<unsigned>(name[digits] - '0');
        if (id > 0xffffffffu) return no_party;
    }
    if (digits == 0 || name[0] == '0') return no_party;
    const auto rest = name.substr(digits);
    const bool plain = rest.empty() && !require_network_name;
    const bool scoped = !network_id.empty() && rest.size() == network_id.size() + 1 && rest[0] == '.' && rest.substr(1) == network_id;
    return plain || scoped ? static_cast<party_id>(id) : no_party;
}

/// Closes an X509 handle.
struct x509_deleter {
    void operator()(X509* x) const { X509_free(x); }
};

/// The security policy of tls_transport (the requirements are listed in
/// dkg/transport/detail/stream_connection.hpp).
class tls_security {
public:
    using options_type = tls_options;
    using stream_type = boost::asio::ssl::stream<boost::asio::ip::tcp::socket>;

    /// What the TLS handshake proved: the names of the peer's verified certificate.
    struct identity {
        std::vector<std::string> names;
        std::string subject;
    };

    static constexpr const char* transport_name = "tls_transport";
    static constexpr const char* start_context = "tls start";

    /// Loads the credentials and checks that this party's certificate names it.
    /// @throws std::invalid_argument naming the option at fault (never a key's contents).
    tls_security(options_type& options, party_id self)
        : context_(boost::asio::ssl::context::tls), network_id_(options.network_id), require_network_name_(options.require_network_name)
    {
        const auto fail = [](const std::string& why) { return std::invalid_argument(std::string(transport_name) + ": " + why); };
        // The key and its password leave the options whatever happens (OpenSSL keeps the key);
        // OpenSSL reads the password from the options through a callback that copies it straight
        // into its buffer (no temporary string); afterwards the callback has no password to give.
        auto* ctx = context_.native_handle();
        SSL_CTX_set_default_passwd_cb(ctx, &copy_password);
        SSL_CTX_set_default_passwd_cb_userdata(ctx, &options.private_key_password);
        struct wipe_secrets {
            options_type& options;
            SSL_CTX* ctx;
            ~wipe_secrets()
            {
                SSL_CTX_set_default_passwd_cb_userdata(ctx, nullptr);
                wipe(options.private_key_pem);
                wipe(options.private_key_password);
            }
        } guard{options, ctx};
        if (require_network_name_ && network_id_.empty()) throw fail("require_network_name needs a network id");
        if (options.verify_depth < 0) throw fail("verify_depth must not be negative");
        SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
        SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
        SSL_CTX_set_num_tickets(ctx, 0);

        boost::system::error_code ec;
        const auto load = [&](const std::string& file, std::string& pem, const char* what, auto from_file, auto from_pem) {
            if (file.empty() == pem.empty())
                throw fail(std::string("set exactly one of ") + what + "_file and " + what + "_pem");
            if (!file.empty()) {
                from_file(file);
                if (ec) throw fail(std::string("cannot load ") + what + " file " + file + ": " + ec.message());
            } else {
                from_pem(boost::asio::buffer(pem));
                if (ec) throw fail(std::string("cannot load ") + what + " (PEM text): " + ec.message());
            }
        };
        load(
            options.ca_file, options.ca_pem, "ca", [&](const std::string& f) { context_.load_verify_file(f, ec); },
            [&](boost::asio::const_buffer b) { context_.add_certificate_authority(b, ec); });
        load(
            options.certificate_chain_file, options.certificate_chain_pem, "certificate_chain",
            [&](const std::string& f) { context_.use_certificate_chain_file(f, ec); },
            [&](boost::asio::const_buffer b) { context_.use_certificate_chain(b, ec); });
        load(
            options.private_key_file, options.private_key_pem, "private_key",
            [&](const std::string& f) { context_.use_private_key_file(f, boost::asio::ssl::context::pem, ec); },
            [&](boost::asio::const_buffer b) { context_.use_private_key(b, boost::asio::ssl::context::pem, ec); });
        if (SSL_CTX_check_private_key(ctx) != 1) throw fail("the private key does not match the certificate");
        context_.set_verify_mode(boost::asio::ssl::verify_peer | boost::asio::ssl::verify_fail_if_no_peer_cert);
        context_.set_verify_depth(options.verify_depth);

        X509* own = SSL_CTX_get0_certificate(ctx);
        std::string why;
        if (!own || !allows(identity{certificate_names(own), certificate_subject(own)}, self, why))
            throw fail("this party's certificate does not name it: " + why);
    }

    /// OpenSSL's password callback: copies the password at `userdata` (none once loading is over,
    /// so OpenSSL never prompts on a terminal).
    static int copy_password(char* buffer, int size, int, void* userdata)
    {
        const auto* password = static_cast<const std::string*>(userdata);
        if (!password || size <= 0 || password->size() > static_cast<std::size_t>(size)) return 0;
        std::memcpy(buffer, password->data(), password->size());
        return static_cast<int>(password->size());
    }

    stream_type make_stream(boost::asio::ip::tcp::socket s) { return stream_type(std::move(s), context_); }

    /// The TLS handshake; completes with the verified certificate's names.
    template <class Handler>
    static void handshake(stream_type& stream, bool server, Handler&& handler)
    {
        const auto ex = boost::asio::get_associated_executor(handler, stream.get_executor());
        stream.async_handshake(server ? boost::asio::ssl::stream_base::server : boost::asio::ssl::stream_base::client,
                               boost::asio::bind_executor(ex, [&stream, h = std::forward<Handler>(handler)](boost::system::error_code ec) mutable {
                                   if (ec) return h(read_error(ec), describe_failure(stream, ec), identity{});
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
                                   std::unique_ptr<X509, x509_deleter> peer(SSL_get1_peer_certificate(stream.native_handle()));
#else
                                   std::unique_ptr<X509, x509_deleter> peer(SSL_get_peer_certificate(stream.native_handle()));
#endif
                                   if (!peer)
                                       return h(make_error_code(errc::verification_failed), std::string("the peer sent no certificate"), identity{});
                                   identity id{certificate_names(peer.get()), certificate_subject(peer.get())};
                                   h(boost::system::error_code{}, std::string(), std::move(id));
                               }));
    }

    /// Whether the verified certificate names party `j`.
    bool allows(const identity& id, party_id j, std::string& why) const
    {
        std::vector<party_id> named;
        for (const auto& n : id.names) {
            const auto p = party_of_name(n, network_id_, require_network_name_);
            if (p == j) return true;
            if (p != no_party) named.push_back(p);
        }
        std::sort(named.begin(), named.end());
        named.erase(std::unique(named.begin(), named.end()), named.end());
        std::string list;
        for (auto p : named) list += (list.empty() ? "" : ", ") + std::to_string(p);
        why = "the certificate \"" + id.subject + "\" names " + (named.empty() ? std::string("no party") : "party " + list) + ", not party " +
              std::to_string(j) + " (expected the name " + expected_names(j) + ")";
        return false;
    }

    /// TLS errors (alerts, failed verification) refuse the peer; others are a lost connection.
    static boost::system::error_code read_error(boost::system::error_code ec)
    {
        if (ec.category() == boost::asio::error::get_ssl_category()) return make_error_code(errc::verification_failed);
        return make_error_code(errc::peer_disconnected);
    }

    /// A connection closed without TLS close_notify reads as a plain end of stream (dkg's goodbye
    /// frame, inside TLS, is what tells a clean shutdown from a lost connection).
    static boost::system::error_code normalize(boost::system::error_code ec)
    {
        if (ec == boost::asio::ssl::error::stream_truncated) return boost::asio::error::eof;
        return ec;
    }

private:
    static void wipe(std::string& secret)
    {
        if (!secret.empty()) OPENSSL_cleanse(secret.data(), secret.size());
        secret.clear();
        secret.shrink_to_fit();
    }

    std::string expected_names(party_id j) const
    {
        if (network_id_.empty()) return tls_party_name(j);
        if (require_network_name_) return tls_party_name(j, network_id_);
        return tls_party_name(j) + " or " + tls_party_name(j, network_id_);
    }

    static std::string describe_failure(stream_type& stream, boost::system::error_code ec)
    {
        std::string why = "TLS handshake failed: " + ec.message();
        const long verify = SSL_get_verify_result(stream.native_handle());
        if (verify != X509_V_OK) why += std::string(" (") + X509_verify_cert_error_string(verify) + ")";
        if (ec.category() == boost::asio::error::get_ssl_category()) {
            const int reason = ERR_GET_REASON(static_cast<unsigned long>(ec.value()));
            if (reason == SSL_R_WRONG_VERSION_NUMBER || reason == SSL_R_HTTP_REQUEST || reason == SSL_R_PACKET_LENGTH_TOO_LONG ||
                reason == SSL_R_UNEXPECTED_RECORD)
                why += " (is the peer using TLS?)";
        }
        return why;
    }

    boost::asio::ssl::context context_;
    std::string network_id_;
    bool require_network_name_;
};

} // namespace detail

/// A transport over TLS 1.3 between n parties. Models `dkg::transport`.
///
/// Everything tcp_transport does (connection order, backoff, the hello handshake, framing, limits,
/// peer faults, shutdown; see there), inside mutually authenticated TLS: every party presents a
/// certificate issued by a CA of `options.ca_file` (or `ca_pem`), and a certificate only counts
/// for the party it names (tls_party_name: "dkg-party-<id>", optionally with the network id). A
/// party connecting to party j refuses a server whose certificate does not name j; a party
/// accepting a connection refuses a hello from party j unless the client's certificate names j.
/// There is no plaintext fallback: a peer that does not speak TLS, or presents no certificate, an
/// expired one, or one from another CA, is refused in the TLS handshake.
///
/// Failures are reported as for tcp_transport: through `options.on_fault` (a failed TLS handshake
/// or a certificate naming another party with errc::verification_failed, naming the party or, for
/// an accepted connection not yet identified, its address), and, if the connect window runs out,
/// in `async_start`'s error, which lists every missing party and the last reason.
///
/// @par Thread Safety
/// As tcp_transport.
class tls_transport : public detail::basic_stream_transport<detail::tls_security> {
public:
    using basic_stream_transport::basic_stream_transport;
};

} // namespace dkg
