// The stream engine of the TCP and TLS transports: brings the connections up and takes them down.
// It listens and accepts, connects to every party with a higher id with exponential backoff, runs
// the stream-level handshake of the security policy and the hello handshake
// (detail/handshake.hpp), starts when every party (or the start quorum) is connected within the
// connect window, and closes with a goodbye. The established connections are detail/stream_io.hpp.
#pragma once

#include <dkg/detail/handler.hpp>
#include <dkg/error.hpp>
#include <dkg/transport.hpp>
#include <dkg/transport/detail/handshake.hpp>
#include <dkg/transport/detail/stream_connection.hpp>
#include <dkg/transport/detail/stream_io.hpp>
#include <dkg/transport/endpoint.hpp>
#include <dkg/transport/framing.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <exception>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace dkg::detail {

/// The connection machinery of the TCP and TLS transports, generic over the security policy
/// (plain_security in dkg/transport/tcp.hpp, tls_security in dkg/transport/tls.hpp): the start
/// and the close on top of the established connections of stream_io. Everything runs on the
/// strand `ex_`; the transport (detail/stream_transport.hpp) holds it by shared_ptr, and every
/// pending operation holds it alive.
template <class Security>
class stream_engine final : public stream_io<Security> {
    using base = stream_io<Security>;

public:
    using clock = std::chrono::steady_clock;
    using typename base::connection;
    using typename base::options_type;
    using typename base::phase;
    using tcp = boost::asio::ip::tcp;
    using base::connected;
    using base::ex_;
    using base::mailbox_;
    using base::options_;
    using base::party_count;
    using base::security_;
    using base::self_;

    stream_engine(const boost::asio::any_io_executor& ex, party_id self, std::vector<tcp_endpoint> parties, const options_type& options)
        : base(ex, self, std::move(parties), options), start_timer_(ex_)
    {
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
        start_timer_.async_wait([self = shared_self()](boost::system::error_code ec) {
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
    void shutdown(Handler&& handler)
    {
        this->shutdown_handlers_.emplace_back(std::forward<Handler>(handler));
        if (phase_ == phase::closed)
            this->finish_close();
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
        this->say_goodbye();
    }

    std::vector<std::unique_ptr<tcp::acceptor>> acceptors_;

private:
    using base::check_closed;
    using base::connected_;
    using base::fail_peer;
    using base::fault;
    using base::on_strand;
    using base::peer;
    using base::peers_;
    using base::phase_;
    using base::post_exception;
    using base::register_peer;

    std::shared_ptr<stream_engine> shared_self() { return std::static_pointer_cast<stream_engine>(this->shared_from_this()); }

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

    // ---- listening ------------------------------------------------------------------------------

    void open_listeners()
    {
        const auto& me = peer(self_).endpoint;
        auto resolver = std::make_shared<tcp::resolver>(ex_);
        resolver->async_resolve(me.host, std::to_string(me.port), tcp::resolver::passive,
                                [self = shared_self(), resolver](boost::system::error_code ec, tcp::resolver::results_type results) {
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
        a.async_accept(ex_, on_strand([self = shared_self(), &a](boost::system::error_code ec, tcp::socket s) {
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
        conn->timer.async_wait(on_strand([self = shared_self(), conn](boost::system::error_code ec) {
            if (ec || !self->handshaking_.contains(conn)) return;
            self->fault(no_party, errc::timeout, "no hello from " + conn->remote + " within the handshake timeout");
            self->handshaking_.erase(conn);
            close_socket(*conn);
        }));
        security_.handshake(conn->stream, true,
                            on_strand([self = shared_self(), conn](boost::system::error_code ec, std::string why,
                                                                              typename Security::identity identity) {
                                if (!self->handshaking_.contains(conn)) return;
                                if (ec) {
                                    self->fault(no_party, ec, "handshake with " + conn->remote + ": " + why);
                                    self->note_unidentified_failure(conn->remote, why);
                                    self->handshaking_.erase(conn);
                                    return close_socket(*conn);
                                }
                                conn->identity = std::move(identity);
                                async_read_hello<Security>(conn, self->ex_, self->options_.max_frame_size, [self, conn](boost::system::error_code e, framing::hello h, std::string reason) {
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
        auto ec = check_hello(h, party_count(), options_.network_id, why);
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
        stream_frame reply;
        reply.head = framing::encode_hello(own_hello(self_, party_count(), options_.network_id));
        auto& p = peer(h.sender);
        p.queue.push_front(std::move(reply)); // first frame on the connection
        register_peer(h.sender, conn);
        check_started();
    }

    // Tells the peer why it is refused (best effort), then closes.
    void refuse(const std::shared_ptr<connection>& conn, boost::system::error_code ec)
    {
        handshaking_.erase(conn);
        conn->timer.cancel();
        async_refuse(conn, ec, ex_);
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
                                on_strand([self = shared_self(), resolver, conn, j](boost::system::error_code ec,
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
                            on_strand([self = shared_self(), conn, j](boost::system::error_code ec, std::string why,
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
        conn->body = framing::encode_hello(own_hello(self_, party_count(), options_.network_id));
        boost::asio::async_write(conn->stream, boost::asio::buffer(conn->body),
                                 on_strand([self = shared_self(), conn, j](boost::system::error_code ec, std::size_t) {
                                     if (!self->still_connecting(j, conn)) return;
                                     if (ec) return self->retry(j, "sending hello: " + ec.message());
                                     async_read_hello<Security>(conn, self->ex_, self->options_.max_frame_size, [self, conn, j](boost::system::error_code e, framing::hello h, std::string why) {
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
        auto ec = check_hello(h, party_count(), options_.network_id, why);
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
        check_started();
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
        p.retry_timer->async_wait(on_strand([self = shared_self(), j](boost::system::error_code ec) {
            if (!ec) self->connect(j);
        }));
    }

    // Reads one hello (or a refusing goodbye) during the handshake.
    // ---- the start ------------------------------------------------------------------------------

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

    std::string last_unidentified_failure_; // see note_unidentified_failure
    std::set<std::shared_ptr<connection>> handshaking_;
    boost::asio::steady_timer start_timer_;
    boost::asio::any_completion_handler<void(std::exception_ptr)> start_handler_;
    typename clock::time_point deadline_{};
};

} // namespace dkg::detail
