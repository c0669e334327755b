// A TCP transport on Boost.Asio: one connection per pair of parties, length-prefixed frames
// (dkg/transport/framing.hpp), a hello handshake, and a clean goodbye on shutdown.
#pragma once

#include <dkg/error.hpp>
#include <dkg/transport.hpp>
#include <dkg/transport/framing.hpp>
#include <dkg/transport/mailbox.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/append.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/cancellation_type.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/execution_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <list>
#include <exception>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace dkg {

/// Where a party listens: a host name or address literal and a port.
struct tcp_endpoint {
    std::string host;       ///< "localhost", "10.0.0.5", "::1" (no brackets), "node3.example.org"
    std::uint16_t port = 0; ///< 1..65535

    /// "host:port", with IPv6 literals in brackets ("[::1]:7000").
    std::string to_string() const
    {
        const bool v6 = host.find(':') != std::string::npos;
        return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
    }

    friend bool operator==(const tcp_endpoint&, const tcp_endpoint&) = default;
};

/// Parses "host:port"; IPv6 literals are written in brackets: "[::1]:7000".
/// @throws std::invalid_argument if the text is not of that form or the port is not in 1..65535.
inline tcp_endpoint parse_endpoint(std::string_view text)
{
    const auto fail = [&](const char* why) { return std::invalid_argument("tcp endpoint \"" + std::string(text) + "\": " + why); };
    while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
    while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
    std::string_view host, port;
    if (!text.empty() && text.front() == '[') {
        const auto close = text.find(']');
        if (close == std::string_view::npos) throw fail("missing ']'");
        host = text.substr(1, close - 1);
        if (close + 1 >= text.size() || text[close + 1] != ':') throw fail("expected ':' after ']'");
        port = text.substr(close + 2);
    } else {
        const auto colon = text.rfind(':');
        if (colon == std::string_view::npos) throw fail("expected host:port");
        host = text.substr(0, colon);
        if (host.find(':') != std::string_view::npos) throw fail("write IPv6 addresses in brackets, e.g. [::1]:7000");
        port = text.substr(colon + 1);
    }
    if (host.empty()) throw fail("empty host");
    if (port.empty() || port.size() > 5) throw fail("bad port");
    unsigned value = 0;
    for (char c : port) {
        if (c < '0' || c > '9') throw fail("bad port");
        value = value * 10 + static_cast<unsigned>(c - '0');
    }
    if (value == 0 || value > 65535) throw fail("port must be in 1..65535");
    return tcp_endpoint{std::string(host), static_cast<std::uint16_t>(value)};
}

/// Parses a party list "host:port,host:port,...": entry i is party i+1.
/// @throws std::invalid_argument naming the bad entry.
inline std::vector<tcp_endpoint> parse_party_list(std::string_view text)
{
    std::vector<tcp_endpoint> out;
    std::size_t start = 0;
    while (true) {
        const auto comma = text.find(',', start);
        const auto item = text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
        try {
            out.push_back(parse_endpoint(item));
        } catch (const std::invalid_argument& e) {
            throw std::invalid_argument("party list entry " + std::to_string(out.size() + 1) + ": " + e.what());
        }
        if (comma == std::string_view::npos) break;
        start = comma + 1;
    }
    return out;
}

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

using tcp_strand = boost::asio::strand<boost::asio::any_io_executor>;

/// The security policy of the plain TCP transport: a bare socket, no handshake below the hello.
///
/// A policy of detail::stream_impl provides `options_type` (tcp_options or a type derived from
/// it), `stream_type` (an Asio stream whose `lowest_layer()` is the TCP socket), `identity` (what
/// the stream-level handshake proved about the peer), the names used in messages, and:
///  - a constructor `Security(options_type&, party_id self)`, which may check and consume options;
///  - `make_stream(socket)`: wraps a TCP socket;
///  - `handshake(stream, server, handler)`: the stream-level handshake after the TCP connection is
///    up; completes with `(error_code, std::string why, identity)` (the error errc::peer_disconnected
///    for a failure of the connection itself, another one for a peer that was refused);
///  - `allows(identity, party, why)`: whether the peer may act as `party`;
///  - `read_error(ec)`: the error of a failed read during the hello (errc::peer_disconnected unless
///    the peer was refused), and `normalize(ec)`: a read error with eof for every kind of end of stream.
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

struct tcp_frame {
    std::uint64_t id = 0;
    bool is_message = false;
    bool is_goodbye = false;
    std::vector<std::uint8_t> head;
    std::vector<std::uint8_t> payload;
    boost::asio::any_completion_handler<send_signature> handler;
    boost::asio::cancellation_slot slot;
};

/// The connection machinery of the TCP and TLS transports, generic over the security policy
/// (plain_security here, tls_security in dkg/transport/tls.hpp).
template <class Security>
class stream_impl : public std::enable_shared_from_this<stream_impl<Security>> {
public:
    using tcp = boost::asio::ip::tcp;
    using clock = std::chrono::steady_clock;
    using options_type = typename Security::options_type;
    using connection = stream_connection<Security>;
    enum class phase { idle, starting, running, closing, closed };

    // The options are copied once, into options_ (no moved-from copy keeps a short secret's bytes).
    stream_impl(const boost::asio::any_io_executor& ex, party_id self, std::vector<tcp_endpoint> parties, const options_type& options)
        : ex_(boost::asio::make_strand(ex)), self_(self), options_(checked(options, self, parties.size())), security_(options_, self),
          mailbox_(ex_, parties.size(), options_.max_buffered_bytes), start_timer_(ex_), close_timer_(ex_)
    {
        peers_.resize(parties.size());
        for (std::size_t i = 0; i < parties.size(); ++i) {
            peers_[i].endpoint = std::move(parties[i]);
            peers_[i].retry_timer = std::make_unique<boost::asio::steady_timer>(ex_);
        }
    }

    // ---- called on the strand -------------------------------------------------------------------

    template <class Handler>
    void start(Handler&& handler)
    {
        if (phase_ != phase::idle) {
            post_exception(std::forward<Handler>(handler),
                           std::make_exception_ptr(std::logic_error(std::string(Security::transport_name) + ": async_start may be called once")));
            return;
        }
        phase_ = phase::starting;
        assign_handler(start_handler_, std::forward<Handler>(handler));
        deadline_ = clock::now() + options_.connect_window;
        start_timer_.expires_at(deadline_);
        start_timer_.async_wait([self = this->shared_from_this()](boost::system::error_code ec) {
            if (!ec) self->on_start_deadline();
        });
        if (acceptors_.empty())
            open_listeners();
        else
            listen_and_accept();
        for (party_id j = self_ + 1; j <= party_count(); ++j) connect(j);
        check_started();
    }

    template <class Handler>
    void send(Handler&& handler, party_id to, const message_tag& tag, std::vector<std::uint8_t>&& payload)
    {
        auto& p = peer(to);
        boost::system::error_code ec;
        if (phase_ == phase::closing || phase_ == phase::closed)
            ec = errc::closed;
        else if (p.failure)
            ec = errc::peer_disconnected;
        else if (payload.size() > options_.max_frame_size - framing::message_prefix_size)
            ec = errc::message_too_large;
        if (ec) {
            boost::asio::post(ex_, boost::asio::append(std::forward<Handler>(handler), ec));
            return;
        }
        tcp_frame f;
        f.id = ++next_frame_id_;
        f.is_message = true;
        f.head = framing::encode_message_head({self_, 0, tag}, payload.size());
        f.payload = std::move(payload);
        assign_handler(f.handler, std::forward<Handler>(handler));
        f.slot = boost::asio::get_associated_cancellation_slot(f.handler);
        if (f.slot.is_connected()) f.slot.template emplace<send_canceller>(send_canceller{this->weak_from_this(), to, f.id});
        enqueue(to, std::move(f));
    }

    template <class Handler>
    void shutdown(Handler&& handler)
    {
        shutdown_handlers_.emplace_back(std::forward<Handler>(handler));
        if (phase_ == phase::closed)
            finish_close();
        else
            begin_close();
    }

    void begin_close()
    {
        if (phase_ == phase::closing || phase_ == phase::closed) return;
        const bool was_starting = phase_ == phase::starting;
        phase_ = phase::closing;
        start_timer_.cancel();
        if (was_starting && start_handler_)
            post_exception(std::move(start_handler_),
                           std::make_exception_ptr(protocol_error(make_error_code(errc::closed), no_party,
                                                                  std::string(Security::start_context) + ": shut down before all parties connected")));
        for (auto& a : acceptors_) {
            boost::system::error_code ignored;
            a->close(ignored);
        }
        for (auto& c : handshaking_) close_socket(*c);
        handshaking_.clear();
        for (auto& p : peers_) {
            p.retry_timer->cancel();
            if (p.connecting) close_socket(*p.connecting);
            p.connecting.reset();
        }
        mailbox_.close(make_error_code(errc::closed));
        for (party_id j = 1; j <= party_count(); ++j) {
            auto& p = peer(j);
            if (!p.conn || p.conn->closed) continue;
            if (p.failure) {
                close_socket(*p.conn);
                continue;
            }
            tcp_frame bye;
            bye.is_goodbye = true;
            bye.head = framing::encode_goodbye();
            // Queued sends are written first; nothing can be queued after the goodbye.
            enqueue(j, std::move(bye));
        }
        close_timer_.expires_after(options_.linger);
        close_timer_.async_wait([self = this->shared_from_this()](boost::system::error_code ec) {
            if (ec) return;
            for (auto& p : self->peers_)
                if (p.conn && !p.conn->closed) self->close_peer_socket(p);
            self->check_closed();
        });
        check_closed();
    }

    void cancel_send(party_id to, std::uint64_t id)
    {
        auto& p = peer(to);
        for (auto it = p.queue.begin(); it != p.queue.end(); ++it) {
            if (it->id != id) continue;
            if (it == p.queue.begin() && p.writing) return; // being written: cannot be taken back
            auto handler = std::move(it->handler);
            p.queue.erase(it);
            boost::asio::post(ex_, boost::asio::append(std::move(handler), boost::system::error_code(boost::asio::error::operation_aborted)));
            return;
        }
    }

    std::size_t party_count() const noexcept { return peers_.size(); }

    tcp_strand ex_;
    party_id self_;
    options_type options_;
    Security security_;
    mailbox<tcp_strand> mailbox_;
    std::vector<std::unique_ptr<tcp::acceptor>> acceptors_;

    bool connected(party_id j) const
    {
        const auto& p = peers_[j - 1];
        return p.conn && !p.conn->closed && !p.failure;
    }

private:
    struct peer_state {
        tcp_endpoint endpoint;
        std::shared_ptr<connection> conn;
        std::shared_ptr<connection> connecting;
        std::list<tcp_frame> queue; // node-based: frames hold handlers, which must not be move-assigned
        bool writing = false;
        std::uint64_t next_send_sequence = 1;
        boost::system::error_code failure;
        bool ever_connected = false;
        bool missed_start = false; // not connected when a quorum start completed: failed for good
        std::string last_error;
        std::chrono::milliseconds backoff{0};
        std::unique_ptr<boost::asio::steady_timer> retry_timer;
    };

    struct send_canceller {
        std::weak_ptr<stream_impl> impl;
        party_id to;
        std::uint64_t id;
        void operator()(boost::asio::cancellation_type type) const
        {
            if ((type & (boost::asio::cancellation_type::terminal | boost::asio::cancellation_type::partial |
                         boost::asio::cancellation_type::total)) == boost::asio::cancellation_type::none)
                return;
            if (auto self = impl.lock()) self->cancel_send(to, id);
        }
    };

    peer_state& peer(party_id j) { return peers_[j - 1]; }

    static const options_type& checked(const options_type& options, party_id self, std::size_t n)
    {
        const auto fail = [](const std::string& why) { return std::invalid_argument(std::string(Security::transport_name) + ": " + why); };
        if (n == 0) throw fail("empty party list");
        if (self == 0 || self > n) throw fail("own id " + std::to_string(self) + " is not in 1.." + std::to_string(n));
        if (options.network_id.size() > framing::max_network_id_size) throw fail("network id longer than 64 bytes");
        if (options.max_frame_size < framing::message_prefix_size || options.max_frame_size > 0xffffffffu) throw fail("max_frame_size out of range");
        if (options.initial_backoff.count() <= 0 || options.max_backoff < options.initial_backoff) throw fail("bad backoff");
        if (options.start_quorum > n)
            throw fail("start_quorum " + std::to_string(options.start_quorum) + " exceeds the " + std::to_string(n) + " parties");
        return options;
    }

    template <class F>
    auto on_strand(F&& f)
    {
        return boost::asio::bind_executor(ex_, std::forward<F>(f));
    }

    template <class Handler>
    void post_exception(Handler&& handler, std::exception_ptr e)
    {
        boost::asio::post(ex_, boost::asio::append(std::forward<Handler>(handler), e));
    }

    void fault(party_id p, boost::system::error_code ec, const std::string& context)
    {
        if (!options_.on_fault) return;
        try {
            options_.on_fault(p, ec, context);
        } catch (...) {
        }
    }

    // A connection that failed or was refused before it named a party (or naming one that cannot be
    // it): the start error of a lower-id party that never connected mentions the latest one.
    void note_unidentified_failure(const std::string& remote, const std::string& why)
    {
        if (phase_ == phase::starting) last_unidentified_failure_ = "a connection from " + remote + " failed before it was identified: " + why;
    }

    // Why party j, which never connected, is missing: the last error connecting to it, or a refusal
    // of a connection claiming to be it, or (if a lower id, which connects to us) no connection.
    std::string why_not_connected(party_id j) const
    {
        const auto& p = peers_[j - 1];
        if (!p.last_error.empty()) return p.last_error;
        if (j > self_) return "no answer";
        if (last_unidentified_failure_.empty()) return "no connection from it";
        return "no connection from it (" + last_unidentified_failure_ + ")";
    }

    static void close_socket(connection& c)
    {
        c.closed = true;
        boost::system::error_code ignored;
        c.timer.cancel();
        c.write_timer.cancel();
        c.socket().shutdown(tcp::socket::shutdown_both, ignored);
        c.socket().close(ignored);
    }

    static std::string describe_endpoint(const boost::asio::basic_socket<tcp, boost::asio::any_io_executor>& s)
    {
        boost::system::error_code ec;
        const auto ep = s.remote_endpoint(ec);
        if (ec) return "unknown address";
        const auto a = ep.address();
        return (a.is_v6() ? "[" + a.to_string() + "]" : a.to_string()) + ":" + std::to_string(ep.port());
    }

    framing::hello own_hello() const
    {
        return framing::hello{framing::version, self_, static_cast<std::uint32_t>(party_count()), options_.network_id};
    }

    // Checks a peer's hello; returns the error and a description, or success.
    boost::system::error_code check_hello(const framing::hello& h, std::string& why) const
    {
        if (h.party_count != party_count()) {
            why = "configured for " + std::to_string(h.party_count) + " parties, this network has " + std::to_string(party_count());
            return errc::inconsistent_result;
        }
        if (h.network_id != options_.network_id) {
            why = "network id differs";
            return errc::wrong_session;
        }
        if (h.sender == 0 || h.sender > party_count()) {
            why = "hello from unknown party id " + std::to_string(h.sender);
            return errc::unknown_party;
        }
        return {};
    }

    // ---- listening ------------------------------------------------------------------------------

    void open_listeners()
    {
        const auto& me = peer(self_).endpoint;
        auto resolver = std::make_shared<tcp::resolver>(ex_);
        resolver->async_resolve(me.host, std::to_string(me.port), tcp::resolver::passive,
                                [self = this->shared_from_this(), resolver](boost::system::error_code ec, tcp::resolver::results_type results) {
                                    if (self->phase_ != phase::starting) return;
                                    if (ec) return self->fail_start(ec, "cannot resolve own address " + self->peer(self->self_).endpoint.to_string());
                                    boost::system::error_code last;
                                    std::set<tcp::endpoint> seen;
                                    for (const auto& entry : results) {
                                        const auto ep = entry.endpoint();
                                        if (!seen.insert(ep).second) continue;
                                        auto a = std::make_unique<tcp::acceptor>(self->ex_);
                                        boost::system::error_code e;
                                        a->open(ep.protocol(), e);
                                        if (!e && ep.address().is_v6()) a->set_option(boost::asio::ip::v6_only(true), e);
                                        if (!e) a->set_option(tcp::acceptor::reuse_address(true), e);
                                        if (!e) a->bind(ep, e);
                                        if (e) {
                                            last = e;
                                            continue;
                                        }
                                        self->acceptors_.push_back(std::move(a));
                                    }
                                    if (self->acceptors_.empty())
                                        return self->fail_start(last ? last : make_error_code(boost::system::errc::address_not_available),
                                                                "cannot listen on " + self->peer(self->self_).endpoint.to_string());
                                    self->listen_and_accept();
                                });
    }

    void listen_and_accept()
    {
        for (auto& a : acceptors_) {
            boost::system::error_code ec;
            a->listen(tcp::socket::max_listen_connections, ec);
            if (ec) return fail_start(ec, "cannot listen on " + peer(self_).endpoint.to_string());
        }
        for (auto& a : acceptors_) accept_next(*a);
    }

    void accept_next(tcp::acceptor& a)
    {
        a.async_accept(ex_, on_strand([self = this->shared_from_this(), &a](boost::system::error_code ec, tcp::socket s) {
            if (self->phase_ == phase::closing || self->phase_ == phase::closed) return;
            if (ec == boost::asio::error::operation_aborted) return;
            if (ec) {
                // E.g. out of file descriptors: report, pause briefly, go on accepting.
                self->fault(no_party, ec, "accept failed");
                auto t = std::make_shared<boost::asio::steady_timer>(self->ex_, std::chrono::milliseconds(50));
                t->async_wait([self, t, &a](boost::system::error_code) {
                    if (self->phase_ != phase::closing && self->phase_ != phase::closed) self->accept_next(a);
                });
                return;
            }
            self->on_accepted(std::move(s));
            self->accept_next(a);
        }));
    }

    void on_accepted(tcp::socket s)
    {
        auto conn = std::make_shared<connection>(security_.make_stream(std::move(s)), ex_);
        conn->remote = describe_endpoint(conn->socket());
        if (handshaking_.size() >= options_.max_pending_handshakes) {
            fault(no_party, errc::buffer_limit, "too many pending handshakes; dropped connection from " + conn->remote);
            close_socket(*conn);
            return;
        }
        boost::system::error_code ignored;
        conn->socket().set_option(tcp::no_delay(true), ignored);
        handshaking_.insert(conn);
        conn->timer.expires_after(options_.handshake_timeout);
        conn->timer.async_wait(on_strand([self = this->shared_from_this(), conn](boost::system::error_code ec) {
            if (ec || !self->handshaking_.contains(conn)) return;
            self->fault(no_party, errc::timeout, "no hello from " + conn->remote + " within the handshake timeout");
            self->handshaking_.erase(conn);
            close_socket(*conn);
        }));
        security_.handshake(conn->stream, true,
                            on_strand([self = this->shared_from_this(), conn](boost::system::error_code ec, std::string why,
                                                                              typename Security::identity identity) {
                                if (!self->handshaking_.contains(conn)) return;
                                if (ec) {
                                    self->fault(no_party, ec, "handshake with " + conn->remote + ": " + why);
                                    self->note_unidentified_failure(conn->remote, why);
                                    self->handshaking_.erase(conn);
                                    return close_socket(*conn);
                                }
                                conn->identity = std::move(identity);
                                self->read_hello(conn, [self, conn](boost::system::error_code e, framing::hello h, std::string reason) {
                                    if (!self->handshaking_.contains(conn)) return;
                                    if (e) {
                                        self->fault(no_party, e, "handshake with " + conn->remote + ": " + reason);
                                        self->note_unidentified_failure(conn->remote, reason);
                                        return self->refuse(conn, e);
                                    }
                                    self->on_server_hello(conn, h);
                                });
                            }));
    }

    void on_server_hello(const std::shared_ptr<connection>& conn, const framing::hello& h)
    {
        std::string why;
        auto ec = check_hello(h, why);
        if (!ec && !security_.allows(conn->identity, h.sender, why)) {
            ec = errc::verification_failed;
        } else if (!ec && h.sender == self_) {
            why = "hello claims this party's own id " + std::to_string(self_);
            ec = errc::unknown_party;
        } else if (!ec && h.sender > self_) {
            why = "party " + std::to_string(h.sender) + " must wait for party " + std::to_string(self_) + " to connect";
            ec = errc::protocol_violation;
        } else if (!ec && peer(h.sender).missed_start) {
            why = "party " + std::to_string(h.sender) + " connected after the start completed without it (refused: it stays failed)";
            ec = errc::timeout;
        } else if (!ec && (peer(h.sender).conn || peer(h.sender).failure)) {
            why = "duplicate hello: party " + std::to_string(h.sender) + " is already connected";
            ec = errc::duplicate_message;
        }
        if (ec) {
            fault(h.sender, ec, why + " (from " + conn->remote + ")");
            if (h.sender < 1 || h.sender > party_count() || h.sender == self_)
                note_unidentified_failure(conn->remote, why);
            else if (!peer(h.sender).ever_connected)
                peer(h.sender).last_error = "refused its connection from " + conn->remote + ": " + why;
            return refuse(conn, ec);
        }
        handshaking_.erase(conn);
        conn->timer.cancel();
        tcp_frame reply;
        reply.head = framing::encode_hello(own_hello());
        auto& p = peer(h.sender);
        p.queue.push_front(std::move(reply)); // first frame on the connection
        register_peer(h.sender, conn);
    }

    // Tells the peer why it is refused (best effort), then closes.
    void refuse(const std::shared_ptr<connection>& conn, boost::system::error_code ec)
    {
        handshaking_.erase(conn);
        conn->timer.cancel();
        errc reason = errc::protocol_violation;
        if (ec.category() == dkg_category()) reason = static_cast<errc>(ec.value());
        conn->body = framing::encode_goodbye(reason);
        boost::asio::async_write(conn->stream, boost::asio::buffer(conn->body),
                                 on_strand([conn](boost::system::error_code, std::size_t) { close_socket(*conn); }));
    }

    // ---- connecting -----------------------------------------------------------------------------

    void connect(party_id j)
    {
        if (phase_ != phase::starting) return;
        auto& p = peer(j);
        auto conn = std::make_shared<connection>(security_.make_stream(tcp::socket(ex_)), ex_);
        conn->peer = j;
        p.connecting = conn;
        const auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - clock::now());
        conn->timer.expires_after(std::max(std::chrono::milliseconds(1), std::min(options_.handshake_timeout, remaining)));
        conn->timer.async_wait(on_strand([conn](boost::system::error_code ec) {
            if (!ec) {
                boost::system::error_code ignored;
                conn->socket().close(ignored); // the pending step completes with an error and retries
            }
        }));
        auto resolver = std::make_shared<tcp::resolver>(ex_);
        resolver->async_resolve(p.endpoint.host, std::to_string(p.endpoint.port),
                                on_strand([self = this->shared_from_this(), resolver, conn, j](boost::system::error_code ec,
                                                                                         tcp::resolver::results_type results) {
                                    if (!self->still_connecting(j, conn)) return;
                                    if (ec) return self->retry(j, "cannot resolve " + self->peer(j).endpoint.host + ": " + ec.message());
                                    boost::asio::async_connect(conn->socket(), results,
                                                               self->on_strand([self, conn, j](boost::system::error_code e, const tcp::endpoint&) {
                                                                   if (!self->still_connecting(j, conn)) return;
                                                                   if (e) return self->retry(j, e.message());
                                                                   self->on_connected(j, conn);
                                                               }));
                                }));
    }

    bool still_connecting(party_id j, const std::shared_ptr<connection>& conn)
    {
        return phase_ == phase::starting && peer(j).connecting == conn;
    }

    void on_connected(party_id j, const std::shared_ptr<connection>& conn)
    {
        boost::system::error_code ignored;
        conn->socket().set_option(tcp::no_delay(true), ignored);
        conn->remote = describe_endpoint(conn->socket());
        security_.handshake(conn->stream, false,
                            on_strand([self = this->shared_from_this(), conn, j](boost::system::error_code ec, std::string why,
                                                                                 typename Security::identity identity) {
                                if (!self->still_connecting(j, conn)) return;
                                if (!ec && !self->security_.allows(identity, j, why)) ec = errc::verification_failed;
                                if (ec) {
                                    if (ec != errc::peer_disconnected) self->fault(j, ec, "handshake with " + conn->remote + ": " + why);
                                    return self->retry(j, why);
                                }
                                conn->identity = std::move(identity);
                                self->send_hello(j, conn);
                            }));
    }

    void send_hello(party_id j, const std::shared_ptr<connection>& conn)
    {
        conn->body = framing::encode_hello(own_hello());
        boost::asio::async_write(conn->stream, boost::asio::buffer(conn->body),
                                 on_strand([self = this->shared_from_this(), conn, j](boost::system::error_code ec, std::size_t) {
                                     if (!self->still_connecting(j, conn)) return;
                                     if (ec) return self->retry(j, "sending hello: " + ec.message());
                                     self->read_hello(conn, [self, conn, j](boost::system::error_code e, framing::hello h, std::string why) {
                                         if (!self->still_connecting(j, conn)) return;
                                         if (e) {
                                             if (e != errc::peer_disconnected) self->fault(j, e, "handshake: " + why);
                                             return self->retry(j, why);
                                         }
                                         self->on_client_hello(j, conn, h);
                                     });
                                 }));
    }

    void on_client_hello(party_id j, const std::shared_ptr<connection>& conn, const framing::hello& h)
    {
        std::string why;
        auto ec = check_hello(h, why);
        if (!ec && h.sender != j) {
            why = "answered as party " + std::to_string(h.sender);
            ec = errc::unknown_party;
        }
        if (ec) {
            fault(j, ec, why + " (" + conn->remote + ")");
            return retry(j, why);
        }
        conn->timer.cancel();
        peer(j).connecting.reset();
        register_peer(j, conn);
    }

    void retry(party_id j, const std::string& why)
    {
        auto& p = peer(j);
        if (p.connecting) close_socket(*p.connecting);
        p.connecting.reset();
        p.last_error = why;
        if (phase_ != phase::starting) return;
        p.backoff = p.backoff.count() == 0 ? options_.initial_backoff : std::min(2 * p.backoff, options_.max_backoff);
        p.retry_timer->expires_after(p.backoff);
        p.retry_timer->async_wait(on_strand([self = this->shared_from_this(), j](boost::system::error_code ec) {
            if (!ec) self->connect(j);
        }));
    }

    // Reads one hello (or a refusing goodbye) during the handshake.
    template <class F>
    void read_hello(const std::shared_ptr<connection>& conn, F&& done)
    {
        boost::asio::async_read(
            conn->stream, boost::asio::buffer(conn->header),
            on_strand([self = this->shared_from_this(), conn, done = std::forward<F>(done)](boost::system::error_code ec, std::size_t) mutable {
                if (ec) return done(Security::read_error(ec), framing::hello{}, "connection closed during handshake: " + ec.message());
                framing::frame_header h;
                try {
                    h = framing::decode_header(conn->header, self->options_.max_frame_size);
                } catch (const framing::frame_error& e) {
                    return done(e.code(), framing::hello{}, e.what());
                }
                if (h.type == framing::frame_type::message)
                    return done(make_error_code(errc::malformed_message), framing::hello{}, "expected a hello frame");
                conn->body.resize(h.body_size);
                boost::asio::async_read(conn->stream, boost::asio::buffer(conn->body),
                                        self->on_strand([conn, type = h.type, done = std::move(done)](boost::system::error_code e, std::size_t) mutable {
                                            if (e) return done(make_error_code(errc::peer_disconnected), framing::hello{}, "connection closed during handshake");
                                            try {
                                                if (type == framing::frame_type::goodbye) {
                                                    const auto reason = framing::decode_goodbye(conn->body);
                                                    return done(make_error_code(errc::peer_disconnected), framing::hello{},
                                                                "refused by the peer: " + make_error_code(static_cast<errc>(reason)).message());
                                                }
                                                return done(boost::system::error_code{}, framing::decode_hello(conn->body), std::string());
                                            } catch (const framing::frame_error& err) {
                                                return done(err.code(), framing::hello{}, err.what());
                                            }
                                        }));
            }));
    }

    // ---- established connections ----------------------------------------------------------------

    void register_peer(party_id j, const std::shared_ptr<connection>& conn)
    {
        auto& p = peer(j);
        conn->peer = j;
        p.conn = conn;
        p.ever_connected = true;
        ++connected_;
        read_frame(conn);
        if (!p.writing) write_next(j);
        check_started();
    }

    void check_started()
    {
        if (phase_ != phase::starting || connected_ + 1 < party_count()) return;
        phase_ = phase::running;
        start_timer_.cancel();
        post_exception(std::move(start_handler_), nullptr);
    }

    // The number of parties that must be connected, this one included.
    std::size_t quorum() const noexcept { return options_.start_quorum == 0 ? party_count() : options_.start_quorum; }

    void on_start_deadline()
    {
        if (phase_ != phase::starting) return;
        std::size_t live = 1;
        for (party_id j = 1; j <= party_count(); ++j)
            if (j != self_ && connected(j)) ++live;
        if (live >= quorum()) return start_with_quorum(live);
        std::string list, reasons;
        party_id first = no_party;
        for (party_id j = 1; j <= party_count(); ++j) {
            if (j == self_ || peer(j).ever_connected) continue;
            if (first == no_party) first = j;
            list += (list.empty() ? "" : ", ") + std::to_string(j);
            reasons += "; party " + std::to_string(j) + ": " + why_not_connected(j);
        }
        const std::string needed = quorum() < party_count() ? " (" + std::to_string(live) + " of " + std::to_string(party_count()) +
                                                                  " parties connected, " + std::to_string(quorum()) + " needed)"
                                                            : std::string();
        fail_start(make_error_code(errc::timeout), std::string(Security::start_context) + ": parties " + list + " did not connect within " +
                                                       std::to_string(options_.connect_window.count()) + " ms" + needed + reasons,
                   first);
    }

    // The connect window ended with `live` parties (at least the quorum) connected: start without
    // the others, failing them for good.
    void start_with_quorum(std::size_t live)
    {
        phase_ = phase::running;
        const auto ec = make_error_code(errc::peer_disconnected);
        for (party_id j = 1; j <= party_count(); ++j) {
            if (j == self_ || connected(j)) continue;
            auto& p = peer(j);
            p.retry_timer->cancel();
            if (p.connecting) close_socket(*p.connecting);
            p.connecting.reset();
            if (!p.ever_connected) p.missed_start = true;
            if (!p.failure) {
                fault(j, ec,
                      std::string(Security::start_context) + ": party " + std::to_string(j) + " did not connect within " +
                          std::to_string(options_.connect_window.count()) + " ms; started without it (" + std::to_string(live) + " of " +
                          std::to_string(party_count()) + " parties connected, " + std::to_string(quorum()) + " needed); " +
                          why_not_connected(j));
            }
            fail_peer(j, ec);
        }
        post_exception(std::move(start_handler_), nullptr);
    }

    void fail_start(boost::system::error_code ec, const std::string& context, party_id party = no_party)
    {
        if (phase_ != phase::starting) return;
        auto handler = std::move(start_handler_);
        begin_close();
        post_exception(std::move(handler), std::make_exception_ptr(protocol_error(ec, party, context)));
    }

    void read_frame(const std::shared_ptr<connection>& conn)
    {
        boost::asio::async_read(conn->stream, boost::asio::buffer(conn->header),
                                on_strand([self = this->shared_from_this(), conn](boost::system::error_code ec, std::size_t n) {
                                    if (conn->closed) return;
                                    if (ec) return self->on_read_error(conn, ec, n, framing::header_size);
                                    framing::frame_header h;
                                    try {
                                        h = framing::decode_header(conn->header, self->options_.max_frame_size);
                                    } catch (const framing::frame_error& e) {
                                        return self->peer_fault(conn, e.code(), e.what());
                                    }
                                    switch (h.type) {
                                    case framing::frame_type::hello:
                                        return self->peer_fault(conn, make_error_code(errc::duplicate_message), "duplicate hello on an established connection");
                                    case framing::frame_type::goodbye: return self->read_goodbye(conn);
                                    case framing::frame_type::message: return self->read_message(conn, h.body_size);
                                    }
                                }));
    }

    void read_goodbye(const std::shared_ptr<connection>& conn)
    {
        conn->body.resize(framing::goodbye_size);
        boost::asio::async_read(conn->stream, boost::asio::buffer(conn->body),
                                on_strand([self = this->shared_from_this(), conn](boost::system::error_code ec, std::size_t n) {
                                    if (conn->closed) return;
                                    if (ec) return self->on_read_error(conn, ec, n, framing::goodbye_size);
                                    self->peer_closed(conn);
                                }));
    }

    void read_message(const std::shared_ptr<connection>& conn, std::uint32_t body_size)
    {
        boost::asio::async_read(conn->stream, boost::asio::buffer(conn->prefix),
                                on_strand([self = this->shared_from_this(), conn, body_size](boost::system::error_code ec, std::size_t n) {
                                    if (conn->closed) return;
                                    if (ec) return self->on_read_error(conn, ec, n, body_size);
                                    const auto prefix = framing::decode_message_prefix(conn->prefix);
                                    if (prefix.sender != conn->peer)
                                        return self->peer_fault(conn, make_error_code(errc::unknown_party),
                                                                "message frame names party " + std::to_string(prefix.sender));
                                    if (prefix.sequence != conn->next_receive_sequence)
                                        return self->peer_fault(conn,
                                                                make_error_code(prefix.sequence < conn->next_receive_sequence ? errc::duplicate_message
                                                                                                                              : errc::malformed_message),
                                                                "frame sequence number " + std::to_string(prefix.sequence) + ", expected " +
                                                                    std::to_string(conn->next_receive_sequence));
                                    ++conn->next_receive_sequence;
                                    conn->payload = {};
                                    self->read_payload(conn, prefix, body_size - framing::message_prefix_size);
                                }));
    }

    // Reads the payload in chunks, so memory grows with the bytes actually received.
    void read_payload(const std::shared_ptr<connection>& conn, const framing::message_prefix& prefix, std::size_t total)
    {
        const std::size_t got = conn->payload.size();
        if (got == total) return deliver(conn, prefix);
        constexpr std::size_t chunk = std::size_t{1} << 20;
        const std::size_t next = std::min(total - got, std::max(chunk, got));
        conn->payload.resize(got + next);
        boost::asio::async_read(conn->stream, boost::asio::buffer(conn->payload.data() + got, next),
                                on_strand([self = this->shared_from_this(), conn, prefix, total, got](boost::system::error_code ec, std::size_t n) {
                                    if (conn->closed) return;
                                    if (ec) return self->on_read_error(conn, ec, framing::message_prefix_size + got + n,
                                                                       framing::message_prefix_size + total);
                                    self->read_payload(conn, prefix, total);
                                }));
    }

    void deliver(const std::shared_ptr<connection>& conn, const framing::message_prefix& prefix)
    {
        const auto ec = mailbox_.deliver(conn->peer, prefix.tag, std::move(conn->payload));
        conn->payload = {};
        if (ec == errc::buffer_limit)
            return peer_fault(conn, ec, "receive buffer limit of " + std::to_string(options_.max_buffered_bytes) + " bytes exceeded");
        if (ec == errc::wrong_session) fault(conn->peer, ec, "message for a closed session (" + describe(prefix.tag) + ")");
        read_frame(conn);
    }

    void on_read_error(const std::shared_ptr<connection>& conn, boost::system::error_code ec, std::size_t got, std::size_t expected)
    {
        if (conn->closed) return;
        ec = Security::normalize(ec);
        auto& p = peer(conn->peer);
        if (phase_ == phase::closing || phase_ == phase::closed) {
            close_peer_socket(p);
            return check_closed();
        }
        const bool mid_frame = got > 0 || expected != framing::header_size;
        if (mid_frame && (ec == boost::asio::error::eof || ec == boost::asio::error::connection_reset))
            fault(conn->peer, make_error_code(errc::malformed_message),
                  "truncated frame: connection closed after " + std::to_string(got) + " of " + std::to_string(expected) + " bytes");
        else if (ec == boost::asio::error::eof)
            fault(conn->peer, make_error_code(errc::peer_disconnected), "connection closed without goodbye");
        else
            fault(conn->peer, make_error_code(errc::peer_disconnected), "connection lost: " + ec.message());
        fail_peer(conn->peer, make_error_code(errc::peer_disconnected));
    }

    // The peer said goodbye: it sends nothing more.
    void peer_closed(const std::shared_ptr<connection>& conn)
    {
        auto& p = peer(conn->peer);
        if (phase_ == phase::closing || phase_ == phase::closed) {
            close_peer_socket(p);
            return check_closed();
        }
        fail_peer(conn->peer, make_error_code(errc::peer_disconnected));
    }

    void peer_fault(const std::shared_ptr<connection>& conn, boost::system::error_code ec, const std::string& context)
    {
        fault(conn->peer, ec, context);
        fail_peer(conn->peer, ec);
    }

    void fail_peer(party_id j, boost::system::error_code ec)
    {
        auto& p = peer(j);
        if (!p.failure) p.failure = ec;
        close_peer_socket(p);
        mailbox_.fail_party(j, ec);
        check_closed();
    }

    // Closes the socket and fails the frames not being written.
    void close_peer_socket(peer_state& p)
    {
        if (p.conn) close_socket(*p.conn);
        const auto keep = p.writing ? std::size_t{1} : std::size_t{0};
        const auto error = make_error_code(phase_ == phase::closing || phase_ == phase::closed ? errc::closed : errc::peer_disconnected);
        while (p.queue.size() > keep) {
            auto f = std::move(p.queue.back());
            p.queue.pop_back();
            complete(f, error);
        }
    }

    void complete(tcp_frame& f, boost::system::error_code ec)
    {
        f.slot.clear();
        if (f.handler) boost::asio::post(ex_, boost::asio::append(std::move(f.handler), ec));
    }

    void enqueue(party_id j, tcp_frame&& f)
    {
        auto& p = peer(j);
        p.queue.push_back(std::move(f));
        if (!p.writing) write_next(j);
    }

    void write_next(party_id j)
    {
        auto& p = peer(j);
        if (p.queue.empty() || !p.conn || p.conn->closed) return;
        p.writing = true;
        auto& f = p.queue.front();
        f.slot.clear(); // from now on the frame is written whole or the connection fails
        if (f.is_message) framing::set_sequence(f.head, p.next_send_sequence++);
        auto conn = p.conn;
        conn->write_timer.expires_after(options_.write_timeout);
        conn->write_timer.async_wait(on_strand([self = this->shared_from_this(), conn, j](boost::system::error_code ec) {
            if (ec || conn->closed) return;
            self->fault(j, make_error_code(errc::timeout),
                        "write not finished within " + std::to_string(self->options_.write_timeout.count()) + " ms");
            self->fail_peer(j, make_error_code(errc::timeout));
        }));
        const std::array<boost::asio::const_buffer, 2> buffers{boost::asio::buffer(f.head), boost::asio::buffer(f.payload)};
        boost::asio::async_write(conn->stream, buffers, on_strand([self = this->shared_from_this(), conn, j](boost::system::error_code ec, std::size_t) {
                                     self->on_written(j, conn, ec);
                                 }));
    }

    void on_written(party_id j, const std::shared_ptr<connection>& conn, boost::system::error_code ec)
    {
        conn->write_timer.cancel();
        auto& p = peer(j);
        p.writing = false;
        tcp_frame f = std::move(p.queue.front());
        p.queue.pop_front();
        if (ec) {
            if (!p.failure && phase_ != phase::closing && phase_ != phase::closed) {
                fault(j, make_error_code(errc::peer_disconnected), "write failed: " + ec.message());
                fail_peer(j, make_error_code(errc::peer_disconnected));
            } else {
                close_peer_socket(p);
            }
            complete(f, p.failure ? make_error_code(errc::peer_disconnected) : make_error_code(errc::closed));
            return check_closed();
        }
        complete(f, {});
        if (f.is_goodbye) {
            // Our goodbye is out: stop sending and wait for the peer to close its side.
            boost::system::error_code ignored;
            conn->socket().shutdown(tcp::socket::shutdown_send, ignored);
            return;
        }
        write_next(j);
    }

    void check_closed()
    {
        if (phase_ != phase::closing) return;
        for (auto& p : peers_)
            if (p.conn && !p.conn->closed) return;
        phase_ = phase::closed;
        close_timer_.cancel();
        finish_close();
    }

    void finish_close()
    {
        for (auto& h : shutdown_handlers_) boost::asio::post(ex_, boost::asio::append(std::move(h), boost::system::error_code{}));
        shutdown_handlers_.clear();
    }

    std::vector<peer_state> peers_;
    std::string last_unidentified_failure_; // see note_unidentified_failure
    std::set<std::shared_ptr<connection>> handshaking_;
    boost::asio::steady_timer start_timer_;
    boost::asio::steady_timer close_timer_;
    boost::asio::any_completion_handler<void(std::exception_ptr)> start_handler_;
    std::vector<boost::asio::any_completion_handler<void(boost::system::error_code)>> shutdown_handlers_;
    phase phase_ = phase::idle;
    clock::time_point deadline_{};
    std::size_t connected_ = 0;
    std::uint64_t next_frame_id_ = 0;
};

/// The public side of the TCP and TLS transports (see tcp_transport).
template <class Security>
class basic_stream_transport {
public:
    /// The transport's strand.
    using executor_type = boost::asio::strand<boost::asio::any_io_executor>;

    /// The options: dkg::tcp_options, or dkg::tls_options for the TLS transport.
    using options_type = typename Security::options_type;

    /// Creates the transport of party `self`; it listens on `parties[self-1]` once started
    /// (all addresses the host resolves to, e.g. both 127.0.0.1 and ::1 for "localhost").
    /// @param ex the executor to run on (a strand is made on it).
    /// @param self this party's id, 1..n.
    /// @param parties endpoint of party i at index i-1 (see parse_party_list).
    /// @throws std::invalid_argument if `self` is not in 1..n, the list is empty, or an option is out of range.
    basic_stream_transport(const boost::asio::any_io_executor& ex, party_id self, std::vector<tcp_endpoint> parties, const options_type& options = {});

    /// As above, on the executor of `context` (e.g. an io_context).
    template <class ExecutionContext>
        requires std::is_convertible_v<ExecutionContext&, boost::asio::execution_context&>
    basic_stream_transport(ExecutionContext& context, party_id self, std::vector<tcp_endpoint> parties, const options_type& options = {})
        : basic_stream_transport(boost::asio::any_io_executor(context.get_executor()), self, std::move(parties), options)
    {
    }

    /// Creates the transport on an acceptor the caller has opened and bound (listening or not),
    /// e.g. on port 0 so that the system picks a free port; `parties[self-1]` is then not used for
    /// listening. The transport runs on the acceptor's executor and calls `listen()` in `async_start`.
    basic_stream_transport(boost::asio::ip::tcp::acceptor listener, party_id self, std::vector<tcp_endpoint> parties, const options_type& options = {});

    basic_stream_transport(const basic_stream_transport&) = delete;
    basic_stream_transport& operator=(const basic_stream_transport&) = delete;

    /// Closes the transport (as `close`).
    ~basic_stream_transport();

    /// The transport's strand: run the party's code there.
    executor_type get_executor() const noexcept;

    /// This party's id.
    party_id self() const noexcept;

    /// n.
    std::size_t party_count() const noexcept;

    /// The endpoints the transport listens on (empty until it has started listening).
    /// Call from the executor, or before `async_start`.
    std::vector<boost::asio::ip::tcp::endpoint> local_endpoints() const;

    /// Starts listening and connecting.
    ///
    /// Completion signature: `void(std::exception_ptr)`. Completes with a null pointer once every
    /// connection is up, or, with `start_quorum` below n, when `connect_window` ends with at least
    /// that many parties (this one included) connected: the others are then failed (see
    /// tcp_options::start_quorum; `connected(j)` tells which). Otherwise completes with a
    /// dkg::protocol_error: errc::timeout naming the first party that did not connect within
    /// `connect_window` (its `context()` lists all of them and why), errc::closed if the transport
    /// was shut down first, or the error of binding the listening socket. After a failure the
    /// transport is closed. May be called once.
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(std::exception_ptr)) CompletionToken>
    auto async_start(CompletionToken&& token);

    /// Sends `payload` to party `to` with `tag`.
    ///
    /// Completion signature: `void(boost::system::error_code)`: success once the frame is written;
    /// errc::peer_disconnected if the connection to `to` failed or closed; errc::closed after
    /// shutdown; errc::message_too_large if the frame would exceed `max_frame_size`; errc::timeout
    /// (via the peer's failure) if the write did not finish within `write_timeout`;
    /// operation_aborted if cancelled before the frame was written. Sends issued before the
    /// connection is up are queued until it is.
    /// @throws std::invalid_argument if `to` is not in 1..n or is this party.
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(send_signature) CompletionToken>
    auto async_send(party_id to, const message_tag& tag, std::vector<std::uint8_t> payload, CompletionToken&& token);

    /// Receives the next message from party `from` with exactly `tag`.
    ///
    /// Completion signature: `void(boost::system::error_code, std::vector<std::uint8_t>)`. Errors:
    /// errc::peer_disconnected (connection lost or goodbye), the error of a peer fault
    /// (errc::malformed_message, errc::message_too_large, errc::unsupported_version,
    /// errc::duplicate_message, errc::unknown_party, errc::buffer_limit, errc::timeout), errc::closed
    /// after shutdown or for a closed session, operation_aborted on cancellation (any type; no
    /// message is consumed).
    /// @throws std::invalid_argument if `from` is not in 1..n or is this party.
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(receive_signature) CompletionToken>
    auto async_receive(party_id from, const message_tag& tag, CompletionToken&& token);

    /// Sends a goodbye to every connected peer, waits (up to `linger`) for them to close, closes
    /// all sockets and the listener. Pending receives complete with errc::closed; a pending start
    /// fails with errc::closed.
    ///
    /// Completion signature: `void(boost::system::error_code)` (always success).
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code)) CompletionToken>
    auto async_shutdown(CompletionToken&& token);

    /// Starts the shutdown of `async_shutdown` without waiting for it.
    void close();

    /// Drops buffered messages of session `id`; later frames of it are dropped and reported to
    /// on_fault with errc::wrong_session (the connection stays up); pending receives of it
    /// complete with errc::closed.
    void close_session(const session_id& id);

    /// Drops the next unclaimed message from `from` with `tag` (buffered or still to come).
    void discard_next(party_id from, const message_tag& tag);

    /// Whether the connection to `peer` is up.
    bool connected(party_id peer) const;

    /// Messages received but not yet consumed by a receive.
    std::size_t buffered_messages() const noexcept;

    /// Bytes buffered for messages from `from`.
    std::size_t buffered_bytes(party_id from) const;

private:
    void check_peer(party_id p) const;

    std::shared_ptr<stream_impl<Security>> impl_;
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

// ---- detail::basic_stream_transport ----------------------------------------------------------------

namespace detail {

template <class Security>
basic_stream_transport<Security>::basic_stream_transport(const boost::asio::any_io_executor& ex, party_id self, std::vector<tcp_endpoint> parties,
                                    const options_type& options)
    : impl_(std::make_shared<stream_impl<Security>>(ex, self, std::move(parties), options))
{
}

template <class Security>
basic_stream_transport<Security>::basic_stream_transport(boost::asio::ip::tcp::acceptor listener, party_id self, std::vector<tcp_endpoint> parties,
                                    const options_type& options)
    : impl_(std::make_shared<stream_impl<Security>>(listener.get_executor(), self, std::move(parties), options))
{
    if (!listener.is_open()) throw std::invalid_argument(std::string(Security::transport_name) + ": the acceptor is not open");
    impl_->acceptors_.push_back(std::make_unique<boost::asio::ip::tcp::acceptor>(std::move(listener)));
}

template <class Security>
basic_stream_transport<Security>::~basic_stream_transport()
{
    if (impl_) close();
}

template <class Security>
typename basic_stream_transport<Security>::executor_type basic_stream_transport<Security>::get_executor() const noexcept { return impl_->ex_; }

template <class Security>
party_id basic_stream_transport<Security>::self() const noexcept { return impl_->self_; }

template <class Security>
std::size_t basic_stream_transport<Security>::party_count() const noexcept { return impl_->party_count(); }

template <class Security>
std::vector<boost::asio::ip::tcp::endpoint> basic_stream_transport<Security>::local_endpoints() const
{
    std::vector<boost::asio::ip::tcp::endpoint> out;
    for (const auto& a : impl_->acceptors_) {
        boost::system::error_code ec;
        const auto ep = a->local_endpoint(ec);
        if (!ec) out.push_back(ep);
    }
    return out;
}

template <class Security>
template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(std::exception_ptr)) CompletionToken>
auto basic_stream_transport<Security>::async_start(CompletionToken&& token)
{
    return boost::asio::async_initiate<CompletionToken, void(std::exception_ptr)>(
        [impl = impl_](auto handler) {
            boost::asio::any_completion_handler<void(std::exception_ptr)> erased(std::move(handler));
            boost::asio::dispatch(impl->ex_, [impl, h = std::move(erased)]() mutable { impl->start(std::move(h)); });
        },
        token);
}

template <class Security>
template <BOOST_ASIO_COMPLETION_TOKEN_FOR(send_signature) CompletionToken>
auto basic_stream_transport<Security>::async_send(party_id to, const message_tag& tag, std::vector<std::uint8_t> payload, CompletionToken&& token)
{
    check_peer(to);
    return boost::asio::async_initiate<CompletionToken, send_signature>(
        [impl = impl_.get()](auto handler, party_id dest, const message_tag& t, std::vector<std::uint8_t> p) {
            impl->send(std::move(handler), dest, t, std::move(p));
        },
        token, to, tag, std::move(payload));
}

template <class Security>
template <BOOST_ASIO_COMPLETION_TOKEN_FOR(receive_signature) CompletionToken>
auto basic_stream_transport<Security>::async_receive(party_id from, const message_tag& tag, CompletionToken&& token)
{
    check_peer(from);
    return impl_->mailbox_.async_receive(from, tag, std::forward<CompletionToken>(token));
}

template <class Security>
template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code)) CompletionToken>
auto basic_stream_transport<Security>::async_shutdown(CompletionToken&& token)
{
    return boost::asio::async_initiate<CompletionToken, void(boost::system::error_code)>(
        [impl = impl_](auto handler) {
            boost::asio::any_completion_handler<void(boost::system::error_code)> erased(std::move(handler));
            boost::asio::dispatch(impl->ex_, [impl, h = std::move(erased)]() mutable { impl->shutdown(std::move(h)); });
        },
        token);
}

template <class Security>
void basic_stream_transport<Security>::close()
{
    boost::asio::dispatch(impl_->ex_, [impl = impl_] { impl->begin_close(); });
}

template <class Security>
void basic_stream_transport<Security>::close_session(const session_id& id) { impl_->mailbox_.close_session(id); }

template <class Security>
void basic_stream_transport<Security>::discard_next(party_id from, const message_tag& tag)
{
    check_peer(from);
    impl_->mailbox_.discard_next(from, tag);
}

template <class Security>
bool basic_stream_transport<Security>::connected(party_id peer) const
{
    check_peer(peer);
    return impl_->connected(peer);
}

template <class Security>
std::size_t basic_stream_transport<Security>::buffered_messages() const noexcept { return impl_->mailbox_.buffered_messages(); }

template <class Security>
std::size_t basic_stream_transport<Security>::buffered_bytes(party_id from) const { return impl_->mailbox_.buffered_bytes(from); }

template <class Security>
void basic_stream_transport<Security>::check_peer(party_id p) const
{
    if (p == 0 || p > party_count() || p == self())
        throw std::invalid_argument(std::string(Security::transport_name) + ": party id " + std::to_string(p) + " is not a peer of party " +
                                    std::to_string(self()));
}

} // namespace detail

} // namespace dkg
