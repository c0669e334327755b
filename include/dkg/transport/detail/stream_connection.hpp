// One connection of the TCP and TLS transports (dkg/transport/tcp.hpp, dkg/transport/tls.hpp), a
// frame waiting to be written on it, and the security policy that makes its stream.
#pragma once

#include <dkg/transport.hpp>
#include <dkg/transport/framing.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/system/error_code.hpp>

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace dkg::detail {

/// The strand every part of a stream transport runs on.
using tcp_strand = boost::asio::strand<boost::asio::any_io_executor>;

// The security policy of a stream transport (plain_security in dkg/transport/tcp.hpp,
// tls_security in dkg/transport/tls.hpp) provides `options_type` (tcp_options or a type derived
// from it), `stream_type` (an Asio stream whose `lowest_layer()` is the TCP socket), `identity`
// (what the stream-level handshake proved about the peer), the names used in messages
// (`transport_name`, `start_context`), and:
//  - a constructor `Security(options_type&, party_id self)`, which may check and consume options;
//  - `make_stream(socket)`: wraps a TCP socket;
//  - `handshake(stream, server, handler)`: the stream-level handshake after the TCP connection is
//    up; completes with `(error_code, std::string why, identity)` (the error errc::peer_disconnected
//    for a failure of the connection itself, another one for a peer that was refused);
//  - `allows(identity, party, why)`: whether the peer may act as `party`;
//  - `read_error(ec)`: the error of a failed read during the hello (errc::peer_disconnected unless
//    the peer was refused), and `normalize(ec)`: a read error with eof for every kind of end of stream.

/// One connection to a peer (or a candidate one, during the handshake).
template <class Security>
struct stream_connection {
    using stream_type = typename Security::stream_type;

    stream_connection(stream_type s, const tcp_strand& ex) : stream(std::move(s)), timer(ex), write_timer(ex) {}

    /// The TCP socket below the stream.
    auto& socket() { return stream.lowest_layer(); }

    stream_type stream;
    boost::asio::steady_timer timer;       // connect and handshake
    boost::asio::steady_timer write_timer; // one frame write
    party_id peer = no_party;
    std::string remote;
    typename Security::identity identity; // what the stream-level handshake proved
    std::array<std::uint8_t, framing::header_size> header{};
    std::array<std::uint8_t, framing::message_prefix_size> prefix{};
    std::vector<std::uint8_t> body; // hello and goodbye bodies, hello being written
    std::vector<std::uint8_t> payload;
    std::uint64_t next_receive_sequence = 1;
    bool closed = false;
};

/// Marks the connection closed, stops its timers and closes its socket (errors ignored).
template <class Security>
void close_socket(stream_connection<Security>& c)
{
    c.closed = true;
    boost::system::error_code ignored;
    c.timer.cancel();
    c.write_timer.cancel();
    c.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
    c.socket().close(ignored);
}

/// The peer's address as "host:port" (IPv6 in brackets), for messages.
inline std::string describe_endpoint(const boost::asio::basic_socket<boost::asio::ip::tcp, boost::asio::any_io_executor>& s)
{
    boost::system::error_code ec;
    const auto ep = s.remote_endpoint(ec);
    if (ec) return "unknown address";
    const auto a = ep.address();
    return (a.is_v6() ? "[" + a.to_string() + "]" : a.to_string()) + ":" + std::to_string(ep.port());
}

/// A frame queued for one peer: a message (with the handler of its send), a hello or a goodbye.
struct stream_frame {
    std::uint64_t id = 0;
    bool is_message = false;
    bool is_goodbye = false;
    std::vector<std::uint8_t> head;
    std::vector<std::uint8_t> payload;
    boost::asio::any_completion_handler<send_signature> handler;
    boost::asio::cancellation_slot slot;
};

} // namespace dkg::detail
