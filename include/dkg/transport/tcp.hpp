// A TCP transport on Boost.Asio: one connection per pair of parties, length-prefixed frames
// (dkg/transport/framing.hpp), a hello handshake, and a clean goodbye on shutdown. The machinery
// is shared with the TLS transport and lives in dkg/transport/detail/ (stream_connection.hpp,
// handshake.hpp, stream_io.hpp, stream_engine.hpp, stream_transport.hpp).
#pragma once

#include <dkg/error.hpp>
#include <dkg/transport.hpp>
#include <dkg/transport/detail/stream_transport.hpp>
#include <dkg/transport/endpoint.hpp>
#include <dkg/transport/framing.hpp>

#include <boost/asio/ip/tcp.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <cstddef>
#include <string>
#include <utility>

namespace dkg {

/// Options of a tcp_transport.
struct tcp_options {
    /// How long `async_start` waits for all connections. Parties may start in any order within it.
    std::chrono::milliseconds connect_window{std::chrono::seconds(30)};
    /// Parties, this one included, that must be connected for `async_start` to succeed; 0 (the
    /// default) means all n. With fewer than n, `async_start` still completes as soon as every
    /// party is connected; otherwise, when `connect_window` ends with at least this many connected,
    /// it succeeds and the parties still missing are failed for the transport's lifetime: receives
    /// from them complete at once with errc::peer_disconnected, sends to them fail likewise, each
    /// is reported through `on_fault`, and a connection it attempts later is refused.
    /// At most n; `async_start` throws std::invalid_argument otherwise (checked at construction).
    std::size_t start_quorum = 0;
    /// First delay between connection attempts; doubled after each failure up to `max_backoff`.
    std::chrono::milliseconds initial_backoff{std::chrono::milliseconds(50)};
    /// Longest delay between connection attempts.
    std::chrono::milliseconds max_backoff{std::chrono::seconds(1)};
    /// Bound on one connection attempt and on waiting for the peer's hello.
    std::chrono::milliseconds handshake_timeout{std::chrono::seconds(10)};
    /// Bound on writing one frame; a peer that does not read for this long is failed with errc::timeout.
    std::chrono::milliseconds write_timeout{std::chrono::seconds(60)};
    /// How long `async_shutdown` waits for peers to acknowledge the goodbye before closing anyway.
    std::chrono::milliseconds linger{std::chrono::seconds(2)};
    /// Largest message body accepted or sent (framing::message_prefix_size plus the payload).
    /// Larger incoming frames fail the peer with errc::message_too_large.
    std::size_t max_frame_size = (std::size_t{256} << 20) + framing::message_prefix_size;
    /// Bound on the bytes buffered per peer for messages no receive has asked for yet. Beyond it the
    /// peer is failed with errc::buffer_limit and its connection closed.
    std::size_t max_buffered_bytes = std::size_t{512} << 20;
    /// Optional cluster name (at most 64 bytes); peers with another name are refused.
    std::string network_id;
    /// Accepted connections still waiting for their hello, at most.
    std::size_t max_pending_handshakes = 64;
    /// Diagnostics: peer faults, refused connections, lost connections (see dkg::fault_handler).
    fault_handler on_fault;
};

namespace detail {

/// The security policy of the plain TCP transport: a bare socket, no handshake below the hello.
/// (The requirements of a security policy are listed in dkg/transport/detail/stream_connection.hpp.)
struct plain_security {
    using options_type = tcp_options;
    using stream_type = boost::asio::ip::tcp::socket;
    struct identity {};

    static constexpr const char* transport_name = "tcp_transport";
    static constexpr const char* start_context = "tcp start";

    plain_security(options_type&, party_id) {}

    static stream_type make_stream(boost::asio::ip::tcp::socket s) { return s; }

    template <class Handler>
    static void handshake(stream_type&, bool, Handler&& handler)
    {
        std::forward<Handler>(handler)(boost::system::error_code{}, std::string(), identity{});
    }

    static bool allows(const identity&, party_id, std::string&) { return true; }

    static boost::system::error_code read_error(boost::system::error_code) { return make_error_code(errc::peer_disconnected); }

    static boost::system::error_code normalize(boost::system::error_code ec) { return ec; }
};

} // namespace detail

/// A transport over TCP between n parties. Models `dkg::transport`.
///
/// Party i listens on `parties[i-1]` and connects to every party with a higher id (so each pair
/// shares exactly one connection); connections are retried with exponential backoff until
/// `options.connect_window` runs out, so parties may be started in any order. Each connection
/// starts with a hello handshake (frame version, party ids, n and network id must agree), then
/// carries length-prefixed message frames (docs/transport.md, dkg/transport/framing.hpp).
///
/// - `async_start` completes once every connection is up, or, with `options.start_quorum` = k < n,
///   when the connect window ends with at least k parties connected (the missing ones are failed:
///   receives from them complete with errc::peer_disconnected, and they are not let in later).
/// - `async_send` completes once the frame has been written to the socket (sends to one party are
///   written in order; a send cancelled before its frame is written completes with operation_aborted).
/// - `async_receive` completes with the next message from a party with exactly that tag; messages
///   that arrive early are buffered up to `options.max_buffered_bytes` per peer.
/// - A peer fault (malformed, oversized or truncated frame, wrong version, unknown party id,
///   duplicate hello, replayed frame, full buffer) closes that connection and is reported through
///   `options.on_fault`; receives from that party then complete with the fault's error, and sends
///   to it with errc::peer_disconnected. A lost connection or a goodbye fails receives with
///   errc::peer_disconnected. Other parties are unaffected. Connections are not re-established.
/// - `async_shutdown` sends a goodbye to every peer and closes the sockets.
///
/// @par Thread Safety
/// Call `async_send`, `async_receive`, `close_session`, `discard_next` and the accessors from the
/// transport's executor (`get_executor()`, a strand): spawn the party's coroutine there. In a
/// single-threaded io_context any executor of it will do. `async_start`, `async_shutdown`, `close`
/// and the destructor may be called from any thread.
/// @par Lifetime
/// The io_context must outlive the transport. Destroying the transport closes it (as `close`).
class tcp_transport : public detail::basic_stream_transport<detail::plain_security> {
public:
    using basic_stream_transport::basic_stream_transport;
};

} // namespace dkg
