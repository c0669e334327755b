#include "https_server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <openssl/ssl.h>

#include <thread>

namespace dkg::vote {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr std::size_t header_limit = 16 * 1024;

std::size_t worker_count(std::size_t requested)
{
    if (requested != 0) return requested;
    return std::max<std::size_t>(1, std::thread::hardware_concurrency());
}

asio::ssl::context make_tls_context(const https_server_options& o)
{
    asio::ssl::context tls(asio::ssl::context::tls_server);
    // TLS 1.3 only (RFC 8446): no older protocol is negotiated.
    if (SSL_CTX_set_min_proto_version(tls.native_handle(), TLS1_3_VERSION) != 1)
        throw std::runtime_error("TLS: cannot require TLS 1.3");
    tls.set_options(asio::ssl::context::no_compression | asio::ssl::context::single_dh_use);
    boost::system::error_code ec;
    tls.use_certificate_chain_file(o.certificate.string(), ec);
    if (ec) throw std::runtime_error("TLS: cannot load the certificate " + o.certificate.string() + ": " + ec.message());
    tls.use_private_key_file(o.private_key.string(), asio::ssl::context::pem, ec);
    if (ec) throw std::runtime_error("TLS: cannot load the private key " + o.private_key.string() + ": " + ec.message());
    if (SSL_CTX_check_private_key(tls.native_handle()) != 1)
        throw std::runtime_error("TLS: the private key " + o.private_key.string() + " does not match the certificate");
    return tls;
}

http::response<http::string_body> to_beast(const http_response& r, unsigned version, bool keep_alive)
{
    http::response<http::string_body> out{static_cast<http::status>(r.status), version};
    out.set(http::field::server, "dkg-vote");
    out.set(http::field::content_type, r.content_type);
    out.set(http::field::cache_control, "no-store");
    out.set("X-Content-Type-Options", "nosniff");
    out.set(http::field::strict_transport_security, "max-age=31536000");
    for (const auto& [name, value] : r.headers) out.set(name, value);
    out.keep_alive(keep_alive);
    out.body() = r.body;
    out.prepare_payload();
    return out;
}

/// Whether `ec` is Beast's report of malformed HTTP (rather than a network error).
bool is_http_error(const boost::system::error_code& ec)
{
    return ec.category() == make_error_code(http::error::bad_method).category();
}

} // namespace

struct https_server::state {
    /// One connection: TLS handshake, then requests until the client or an error ends it.
    static asio::awaitable<void> serve(https_server& server, tcp::socket socket)
    {
        struct counted {
            std::shared_ptr<std::atomic<std::size_t>> count;
            ~counted() { --*count; }
        } guard{server.connections_};
        beast::ssl_stream<beast::tcp_stream> stream(std::move(socket), server.tls_);
        const auto timeout = server.options_.io_timeout;
        try {
            stream.next_layer().expires_after(timeout);
            co_await stream.async_handshake(asio::ssl::stream_base::server, asio::use_awaitable);
            beast::flat_buffer buffer;
            for (;;) {
                http::request_parser<http::string_body> parser;
                parser.header_limit(header_limit);
                // Beast checks Content-Length against the body limit when the header ends, before
                // the application can choose the request's limit: no limit there, the request's
                // limit below.
                parser.body_limit(boost::none);
                stream.next_layer().expires_after(timeout);
                boost::system::error_code ec;
                co_await http::async_read_header(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
                if (ec == http::error::end_of_stream || ec == asio::ssl::error::stream_truncated) break;
                if (ec) {
                    if (ec == http::error::header_limit) {
                        co_await respond(stream, server.application_.error(431, "header_too_large", "the request header is larger than 16 KiB"),
                                         11, false);
                    } else if (is_http_error(ec)) {
                        co_await respond(stream, server.application_.error(400, "malformed_http", "malformed HTTP request: " + ec.message()),
                                         11, false);
                    }
                    break;
                }
                const auto& header = parser.get();
                const std::string target(header.target());
                const std::size_t limit = server.application_.body_limit(header.method(), target);
                parser.body_limit(limit); // checked while a chunked body is read
                const bool too_large = parser.content_length() && *parser.content_length() > limit;
                if (!too_large) co_await http::async_read(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
                if (too_large || ec == http::error::body_limit) {
                    co_await respond(stream,
                                     server.application_.error(413, "body_too_large",
                                                               "the request body is larger than the limit of " + std::to_string(limit) +
                                                                   " bytes for " + target),
                                     parser.get().version(), false);
                    // The client may still be sending: read and drop what it sends (for a while)
                    // so that closing does not reset the connection before it read the answer.
                    co_await drain(stream);
                    break;
                }
                if (ec) {
                    if (is_http_error(ec))
                        co_await respond(stream, server.application_.error(400, "malformed_http", "malformed HTTP request: " + ec.message()),
                                         11, false);
                    break;
                }
                auto request = parser.release();
                http_request in;
                in.method = request.method();
                in.target = std::string(request.target());
                in.authorization = std::string(request[http::field::authorization]);
                in.body = std::move(request.body());
                const bool keep_alive = request.keep_alive();
                // The handler (parsing, proof verification, storage) runs on a worker thread.
                http_response out = co_await asio::co_spawn(
                    server.workers_, [&]() -> asio::awaitable<http_response> { co_return server.application_.handle(in); },
                    asio::use_awaitable);
                co_await respond(stream, out, request.version(), keep_alive);
                if (!keep_alive) break;
            }
            stream.next_layer().expires_after(std::chrono::seconds(5));
            boost::system::error_code ignored;
            co_await stream.async_shutdown(asio::redirect_error(asio::use_awaitable, ignored));
        } catch (const std::exception&) {
            // A failed handshake, a timeout or a reset: the connection ends, the server goes on.
        }
    }

    /// Reads and drops what the peer still sends, up to 64 MiB or 2 seconds.
    static asio::awaitable<void> drain(beast::ssl_stream<beast::tcp_stream>& stream)
    {
        std::vector<char> scratch(64 * 1024);
        std::size_t total = 0;
        stream.next_layer().expires_after(std::chrono::seconds(2));
        boost::system::error_code ec;
        while (!ec && total < (std::size_t{64} << 20))
            total += co_await stream.async_read_some(asio::buffer(scratch), asio::redirect_error(asio::use_awaitable, ec));
    }

    static asio::awaitable<void> respond(beast::ssl_stream<beast::tcp_stream>& stream, const http_response& r, unsigned version, bool keep_alive)
    {
        auto message = to_beast(r, version, keep_alive);
        co_await http::async_write(stream, message, asio::use_awaitable);
    }

    static asio::awaitable<void> accept(https_server& server)
    {
        for (;;) {
            boost::system::error_code ec;
            tcp::socket socket = co_await server.acceptor_.async_accept(asio::redirect_error(asio::use_awaitable, ec));
            if (ec == asio::error::operation_aborted || !server.acceptor_.is_open()) co_return;
            if (ec) continue; // e.g. too many open files: try the next one
            if (++*server.connections_ > server.options_.max_connections) {
                --*server.connections_;
                socket.close(ec);
                continue;
            }
            asio::co_spawn(server.io_, serve(server, std::move(socket)), asio::detached);
        }
    }
};

https_server::https_server(https_server_options options, http_application application)
    : options_(std::move(options)), application_(std::move(application)), tls_(make_tls_context(options_)), acceptor_(io_),
      workers_(worker_count(options_.worker_threads)), connections_(std::make_shared<std::atomic<std::size_t>>(0))
{
    tcp::resolver resolver(io_);
    boost::system::error_code ec;
    const auto results = resolver.resolve(options_.host, std::to_string(options_.port), tcp::resolver::passive, ec);
    if (ec || results.empty()) throw std::runtime_error("cannot resolve the address " + options_.host + ": " + ec.message());
    const tcp::endpoint endpoint = results.begin()->endpoint();
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec)
        throw std::runtime_error("cannot listen on " + options_.host + ":" + std::to_string(options_.port) + ": " + ec.message());
}

https_server::~https_server()
{
    workers_.join();
}

std::uint16_t https_server::local_port() const
{
    return acceptor_.local_endpoint().port();
}

void https_server::run(bool handle_signals)
{
    std::unique_ptr<asio::signal_set> signals;
    if (handle_signals) {
        signals = std::make_unique<asio::signal_set>(io_, SIGINT, SIGTERM);
        signals->async_wait([this](const boost::system::error_code& ec, int) {
            if (!ec) stop();
        });
    }
    asio::co_spawn(io_, state::accept(*this), asio::detached);
    io_.run();
}

void https_server::stop()
{
    asio::post(io_, [this] {
        boost::system::error_code ignored;
        acceptor_.close(ignored);
        io_.stop();
    });
}

} // namespace dkg::vote
