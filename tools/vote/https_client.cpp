#include "https_client.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <stdexcept>

namespace dkg::vote {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

/// The largest response accepted (a bulletin board of many ballots).
constexpr std::size_t max_response_bytes = std::size_t{1} << 30;

std::string describe(const std::exception_ptr& e)
{
    try {
        std::rethrow_exception(e);
    } catch (const boost::system::system_error& ex) {
        if (ex.code() == beast::error::timeout) return "timed out";
        return ex.code().message();
    } catch (const std::exception& ex) {
        return ex.what();
    }
}

} // namespace

server_address server_address::parse(const std::string& url)
{
    constexpr std::string_view scheme = "https://";
    if (url.compare(0, scheme.size(), scheme) != 0) throw std::invalid_argument("server: expected https://HOST[:PORT], got '" + url + "'");
    std::string rest = url.substr(scheme.size());
    if (!rest.empty() && rest.back() == '/') rest.pop_back();
    server_address a;
    std::string port;
    if (!rest.empty() && rest[0] == '[') {
        const auto end = rest.find(']');
        if (end == std::string::npos) throw std::invalid_argument("server: unterminated IPv6 address in '" + url + "'");
        a.host = rest.substr(1, end - 1);
        const std::string after = rest.substr(end + 1);
        if (!after.empty()) {
            if (after[0] != ':') throw std::invalid_argument("server: expected ':' after the IPv6 address in '" + url + "'");
            port = after.substr(1);
        }
    } else {
        const auto colon = rest.find(':');
        a.host = rest.substr(0, colon);
        if (colon != std::string::npos) port = rest.substr(colon + 1);
    }
    if (a.host.empty() || a.host.find_first_of("/?#@ ") != std::string::npos)
        throw std::invalid_argument("server: no valid host in '" + url + "'");
    if (port.empty()) port = "443";
    if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos || std::stoul(port) == 0 || std::stoul(port) > 65535)
        throw std::invalid_argument("server: the port must be 1..65535 in '" + url + "'");
    a.port = port;
    return a;
}

std::string server_address::to_string() const
{
    const bool ipv6 = host.find(':') != std::string::npos;
    return "https://" + (ipv6 ? "[" + host + "]" : host) + ":" + port;
}

struct https_client::connection {
    beast::ssl_stream<beast::tcp_stream> stream;
    beast::flat_buffer buffer;
    connection(asio::io_context& io, asio::ssl::context& tls) : stream(io, tls) {}
};

https_client::https_client(server_address server, const std::optional<std::filesystem::path>& ca, std::chrono::seconds timeout)
    : server_(std::move(server)), timeout_(timeout), tls_(asio::ssl::context::tls_client)
{
    if (SSL_CTX_set_min_proto_version(tls_.native_handle(), TLS1_3_VERSION) != 1) throw std::runtime_error("TLS: cannot require TLS 1.3");
    boost::system::error_code ec;
    if (ca)
        tls_.load_verify_file(ca->string(), ec);
    else
        tls_.set_default_verify_paths(ec);
    if (ec) throw std::runtime_error("TLS: cannot load the CA certificates " + (ca ? ca->string() : std::string("of the system")) + ": " + ec.message());
    tls_.set_verify_mode(asio::ssl::verify_peer);
}

https_client::~https_client() = default;

http_reply https_client::request(http::verb method, const std::string& target, const std::string& body, const std::string& bearer)
{
    const bool reused = connection_ != nullptr;
    try {
        return exchange(method, target, body, bearer);
    } catch (const std::runtime_error&) {
        connection_.reset();
        if (!reused) throw;
    }
    // The server may have closed the kept-alive connection: once more on a new one.
    return exchange(method, target, body, bearer);
}

http_reply https_client::exchange(http::verb method, const std::string& target, const std::string& body, const std::string& bearer)
{
    http_reply reply;
    std::exception_ptr failure;
    std::string step = "connect";
    auto run = [&]() -> asio::awaitable<void> {
        if (!connection_) {
            auto c = std::make_unique<connection>(io_, tls_);
            tcp::resolver resolver(io_);
            step = "resolve " + server_.host;
            const auto endpoints = co_await resolver.async_resolve(server_.host, server_.port, asio::use_awaitable);
            step = "connect to " + server_.to_string();
            c->stream.next_layer().expires_after(timeout_);
            co_await c->stream.next_layer().async_connect(endpoints, asio::use_awaitable);
            // SNI, and the certificate must name this host (RFC 6125).
            SSL_set_tlsext_host_name(c->stream.native_handle(), server_.host.c_str());
            c->stream.set_verify_callback(asio::ssl::host_name_verification(server_.host));
            step = "TLS handshake with " + server_.to_string();
            c->stream.next_layer().expires_after(timeout_);
            co_await c->stream.async_handshake(asio::ssl::stream_base::client, asio::use_awaitable);
            connection_ = std::move(c);
        }
        http::request<http::string_body> request{method, target, 11};
        request.set(http::field::host, server_.host);
        request.set(http::field::user_agent, "dkg-vote");
        request.set(http::field::accept, "application/json");
        if (!bearer.empty()) request.set(http::field::authorization, "Bearer " + bearer);
        if (method != http::verb::get) {
            request.set(http::field::content_type, "application/json");
            request.body() = body;
        }
        request.keep_alive(true);
        request.prepare_payload();
        step = "send " + std::string(http::to_string(method)) + " " + target;
        connection_->stream.next_layer().expires_after(timeout_);
        boost::system::error_code write_error;
        co_await http::async_write(connection_->stream, request, asio::redirect_error(asio::use_awaitable, write_error));
        // A server may answer before it read the whole request (e.g. 413) and stop reading: the
        // answer is read all the same, and the write error reported only if there is none.
        http::response_parser<http::string_body> parser;
        parser.body_limit(max_response_bytes);
        step = "read the response to " + std::string(http::to_string(method)) + " " + target;
        if (write_error) {
            boost::system::error_code read_error;
            co_await http::async_read(connection_->stream, connection_->buffer, parser, asio::redirect_error(asio::use_awaitable, read_error));
            if (read_error) {
                step = "send " + std::string(http::to_string(method)) + " " + target;
                throw boost::system::system_error(write_error);
            }
        } else {
            co_await http::async_read(connection_->stream, connection_->buffer, parser, asio::use_awaitable);
        }
        auto response = parser.release();
        if (write_error) connection_.reset();
        reply.status = response.result_int();
        reply.body = std::move(response.body());
        if (connection_ && !response.keep_alive()) connection_.reset();
    };
    io_.restart();
    asio::co_spawn(io_, run(), [&](std::exception_ptr e) { failure = e; });
    io_.run();
    if (failure) {
        connection_.reset();
        throw std::runtime_error("cannot " + step + ": " + describe(failure));
    }
    return reply;
}

} // namespace dkg::vote
