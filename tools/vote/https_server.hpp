// An HTTPS/1.1 server on Boost.Beast over Asio SSL, TLS 1.3 only: reads each request's header,
// asks the application for that request's body limit, reads the body within it, and runs the
// application's handler on a pool of worker threads, so that proof verification never blocks the
// connections. Keep-alive; a time limit on every read and write.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/http/verb.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace dkg::vote {

/// A request as the application sees it.
struct http_request {
    boost::beast::http::verb method = boost::beast::http::verb::get;
    std::string target;        ///< path and query, e.g. "/api/elections/board-2025"
    std::string authorization; ///< the Authorization header, or empty
    std::string body;
};

/// A response of the application.
struct http_response {
    unsigned status = 200;
    std::string content_type = "application/json";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers; ///< extra headers
};

/// The application behind the server.
struct http_application {
    /// The largest body accepted for a request with this method and target (checked against
    /// Content-Length and while reading, before anything is parsed); the server answers 413 above it.
    std::function<std::size_t(boost::beast::http::verb, const std::string& target)> body_limit;
    /// Handles a request on a worker thread. Must not throw (errors are responses).
    std::function<http_response(const http_request&)> handle;
    /// The response for a body over the limit (413) and for malformed HTTP (400).
    std::function<http_response(unsigned status, const std::string& reason, const std::string& message)> error;
};

/// Options of the server.
struct https_server_options {
    std::string host = "localhost";       ///< address or name to listen on
    std::uint16_t port = 8443;            ///< 0: any free port (see local_port())
    std::filesystem::path certificate;    ///< PEM certificate chain
    std::filesystem::path private_key;    ///< PEM private key
    std::size_t worker_threads = 0;       ///< 0: one per hardware thread
    std::chrono::seconds io_timeout{30};  ///< for a TLS handshake, a request, a response
    std::size_t max_connections = 512;    ///< connections beyond are closed at once
};

/// The server. Construct, then run() on the calling thread until stop().
///
/// @par Thread Safety
/// stop() may be called from any thread (e.g. a signal handler's completion); nothing else.
class https_server {
public:
    /// Loads the certificate and key and binds the listening socket.
    /// @throws std::runtime_error naming the file or the address if either fails.
    https_server(https_server_options options, http_application application);
    ~https_server();
    https_server(const https_server&) = delete;
    https_server& operator=(const https_server&) = delete;

    /// The port listened on.
    std::uint16_t local_port() const;

    /// Serves until stop() (or SIGINT/SIGTERM when `handle_signals`).
    void run(bool handle_signals);

    /// Stops accepting and ends run(); connections in progress are dropped.
    void stop();

    /// The io_context of the connections (timers of the application may use it).
    boost::asio::io_context& context() noexcept { return io_; }

private:
    struct state;

    https_server_options options_;
    http_application application_;
    boost::asio::io_context io_;
    boost::asio::ssl::context tls_;
    boost::asio::ip::tcp::acceptor acceptor_;
    boost::asio::thread_pool workers_;
    std::shared_ptr<std::atomic<std::size_t>> connections_;
};

} // namespace dkg::vote
