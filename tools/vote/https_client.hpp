// An HTTPS/1.1 client on Boost.Beast over Asio SSL (TLS 1.3): the ballot box's certificate is
// checked against a CA file (or the system's CAs) and the host name; one connection is kept alive
// across requests and opened again when the server closed it.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/http/verb.hpp>

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

namespace dkg::vote {

/// A server address parsed from "https://HOST:PORT" (IPv6 as "https://[::1]:8443"; the port
/// defaults to 443).
struct server_address {
    std::string host;
    std::string port;
    /// @throws std::invalid_argument naming `server` if `url` is not of that form.
    static server_address parse(const std::string& url);
    std::string to_string() const;
};

/// A response.
struct http_reply {
    unsigned status = 0;
    std::string body;
};

/// The client. Not thread-safe: one per thread.
class https_client {
public:
    /// @param ca PEM file of the CA certificates to trust; the system's default CAs without it.
    /// @throws std::runtime_error naming the CA file if it cannot be loaded.
    https_client(server_address server, const std::optional<std::filesystem::path>& ca, std::chrono::seconds timeout);
    ~https_client();
    https_client(const https_client&) = delete;
    https_client& operator=(const https_client&) = delete;

    /// Sends one request and returns the response, whatever its status. A request that fails on a
    /// kept-alive connection the server had closed is sent once more on a new connection.
    /// @param bearer a token for "Authorization: Bearer ...", or empty.
    /// @throws std::runtime_error saying what failed (resolution, connection, TLS handshake and
    ///         certificate check, timeout, a response that is not HTTP).
    http_reply request(boost::beast::http::verb method, const std::string& target, const std::string& body = {},
                       const std::string& bearer = {});

    const server_address& server() const noexcept { return server_; }

private:
    struct connection;

    http_reply exchange(boost::beast::http::verb method, const std::string& target, const std::string& body, const std::string& bearer);

    server_address server_;
    std::chrono::seconds timeout_;
    boost::asio::io_context io_;
    boost::asio::ssl::context tls_;
    std::unique_ptr<connection> connection_;
};

} // namespace dkg::vote
