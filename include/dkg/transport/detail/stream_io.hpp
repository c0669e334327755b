// The established connections of the TCP and TLS transports: one write queue per peer, the reading
// of message and goodbye frames into the mailbox, peer failures, and the goodbye on shutdown. How
// the connections come up (listening, connecting, the hello) is detail/stream_engine.hpp, which
// builds on this.
#pragma once

#include <dkg/detail/handler.hpp>
#include <dkg/error.hpp>
#include <dkg/transport.hpp>
#include <dkg/transport/detail/stream_connection.hpp>
#include <dkg/transport/endpoint.hpp>
#include <dkg/transport/framing.hpp>
#include <dkg/transport/mailbox.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/append.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/cancellation_type.hpp>
#include <boost/asio/ip/tcp.hpp>
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
#include <exception>
#include <list>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace dkg::detail {

/// The established connections of a stream transport, generic over the security policy (see
/// detail/stream_connection.hpp): sends are queued per peer and written one frame at a time;
/// frames read are checked and handed to the mailbox; a peer fault or a lost connection fails
/// that peer only. Everything runs on the strand `ex_`.
template <class Security>
class stream_io : public std::enable_shared_from_this<stream_io<Security>> {
public:
    using tcp = boost::asio::ip::tcp;
    using clock = std::chrono::steady_clock;
    using options_type = typename Security::options_type;
    using connection = stream_connection<Security>;
    enum class phase { idle, starting, running, closing, closed };

    // The options are copied once, into options_ (no moved-from copy keeps a short secret's bytes).
    stream_io(const boost::asio::any_io_executor& ex, party_id self, std::vector<tcp_endpoint> parties, const options_type& options)
        : ex_(boost::asio::make_strand(ex)), self_(self), options_(checked(options, self, parties.size())), security_(options_, self),
          mailbox_(ex_, parties.size(), options_.max_buffered_bytes), close_timer_(ex_)
    {
        peers_.resize(parties.size());
        for (std::size_t i = 0; i < parties.size(); ++i) {
            peers_[i].endpoint = std::move(parties[i]);
            peers_[i].retry_timer = std::make_unique<boost::asio::steady_timer>(ex_);
        }
    }

    // ---- called on the strand -------------------------------------------------------------------

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
        stream_frame f;
        f.id = ++next_frame_id_;
        f.is_message = true;
        f.head = framing::encode_message_head({self_, 0, tag}, payload.size());
        f.payload = std::move(payload);
        assign_handler(f.handler, std::forward<Handler>(handler));
        f.slot = boost::asio::get_associated_cancellation_slot(f.handler);
        if (f.slot.is_connected()) f.slot.template emplace<send_canceller>(send_canceller{this->weak_from_this(), to, f.id});
        enqueue(to, std::move(f));
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

    bool connected(party_id j) const
    {
        const auto& p = peers_[j - 1];
        return p.conn && !p.conn->closed && !p.failure;
    }

protected:
    struct peer_state {
        tcp_endpoint endpoint;
        std::shared_ptr<connection> conn;
        std::shared_ptr<connection> connecting;
        std::list<stream_frame> queue; // node-based: frames hold handlers, which must not be move-assigned
        bool writing = false;
        std::uint64_t next_send_sequence = 1;
        boost::system::error_code failure;
        bool ever_connected = false;
        bool missed_start = false; // not connected when a quorum start completed: failed for good
        std::string last_error;
        std::chrono::milliseconds backoff{0};
        std::unique_ptr<boost::asio::steady_timer> retry_timer;
    };

    peer_state& peer(party_id j) { return peers_[j - 1]; }

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

    // ---- established connections ----------------------------------------------------------------

    // Takes `conn` as the connection to party j and starts reading from it and writing to it.
    void register_peer(party_id j, const std::shared_ptr<connection>& conn)
    {
        auto& p = peer(j);
        conn->peer = j;
        p.conn = conn;
        p.ever_connected = true;
        ++connected_;
        read_frame(conn);
        if (!p.writing) write_next(j);
    }

    // Fails every pending and later receive, then says goodbye to every connected peer (after the
    // frames already queued) and closes the sockets when they answer or `linger` runs out.
    void say_goodbye()
    {
        mailbox_.close(make_error_code(errc::closed));
        for (party_id j = 1; j <= party_count(); ++j) {
            auto& p = peer(j);
            if (!p.conn || p.conn->closed) continue;
            if (p.failure) {
                close_socket(*p.conn);
                continue;
            }
            stream_frame bye;
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

    void complete(stream_frame& f, boost::system::error_code ec)
    {
        f.slot.clear();
        if (f.handler) boost::asio::post(ex_, boost::asio::append(std::move(f.handler), ec));
    }

    void enqueue(party_id j, stream_frame&& f)
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
        stream_frame f = std::move(p.queue.front());
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
    boost::asio::steady_timer close_timer_;
    std::vector<boost::asio::any_completion_handler<void(boost::system::error_code)>> shutdown_handlers_;
    phase phase_ = phase::idle;
    std::size_t connected_ = 0;
    std::uint64_t next_frame_id_ = 0;

private:
    struct send_canceller {
        std::weak_ptr<stream_io> impl;
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
};

} // namespace dkg::detail
