// The public side of the TCP and TLS transports: basic_stream_transport<Security> models
// dkg::transport on top of the stream engine (detail/stream_engine.hpp). tcp_transport
// (dkg/transport/tcp.hpp) and tls_transport (dkg/transport/tls.hpp) are its two instances.
#pragma once

#include <dkg/error.hpp>
#include <dkg/transport.hpp>
#include <dkg/transport/detail/stream_engine.hpp>
#include <dkg/transport/endpoint.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/execution_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>

#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace dkg::detail {

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

    std::shared_ptr<stream_engine<Security>> impl_;
};

// ---- definitions ------------------------------------------------------------------------------------

template <class Security>
basic_stream_transport<Security>::basic_stream_transport(const boost::asio::any_io_executor& ex, party_id self, std::vector<tcp_endpoint> parties,
                                    const options_type& options)
    : impl_(std::make_shared<stream_engine<Security>>(ex, self, std::move(parties), options))
{
}

template <class Security>
basic_stream_transport<Security>::basic_stream_transport(boost::asio::ip::tcp::acceptor listener, party_id self, std::vector<tcp_endpoint> parties,
                                    const options_type& options)
    : impl_(std::make_shared<stream_engine<Security>>(listener.get_executor(), self, std::move(parties), options))
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

} // namespace dkg::detail
