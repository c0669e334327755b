// An in-process transport: n parties in one process exchange messages through their executors.
//
// Used by the tests and the local simulation example, and as the reference model of
// `dkg::transport`. A crash of a party can be simulated with `memory_network::disconnect`.
#pragma once

#include <dkg/error.hpp>
#include <dkg/transport.hpp>
#include <dkg/transport/mailbox.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/append.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/execution_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace dkg {

/// Options of a memory_network.
struct memory_options {
    /// Bound on the bytes each party buffers for messages from one sender that no receive has asked
    /// for yet (each message counts its size plus a small overhead). Beyond it that sender is failed
    /// with errc::buffer_limit at the receiving party.
    std::size_t max_buffered_bytes = std::size_t{1} << 30;

    /// Optional diagnostics: called on the receiving party's executor when a message is refused
    /// (buffer limit, closed session). See dkg::fault_handler.
    fault_handler on_fault;
};

class memory_network;

namespace detail {
struct memory_hub;
}

/// One party's endpoint in a memory_network. Models `dkg::transport`.
///
/// Obtained from `memory_network::party(id)`; owned by the network. Each party has its own strand
/// on the network's executor: `get_executor()`.
///
/// - `async_send` moves the payload to the destination's strand (delivery is posted, never
///   re-entrant) and completes with success, or with errc::peer_disconnected if the destination was
///   disconnected, or errc::closed if this party was.
/// - `async_receive` completes with the next message from `from` with exactly that tag; it supports
///   per-operation cancellation (any type) and completes with operation_aborted without consuming
///   a message. Receives from a disconnected party complete with errc::peer_disconnected once the
///   messages it sent before are consumed.
///
/// @par Thread Safety
/// Call a party's members, and emit cancellation of its operations, from its executor
/// (`get_executor()`, a strand): spawn each party's coroutine there. In a single-threaded
/// io_context any executor of that context will do. Different parties may run on different threads.
class memory_transport {
public:
    /// The party's strand.
    using executor_type = boost::asio::strand<boost::asio::any_io_executor>;

    memory_transport(const memory_transport&) = delete;
    memory_transport& operator=(const memory_transport&) = delete;

    /// The party's strand: run the party's code there.
    executor_type get_executor() const noexcept { return strand_; }

    /// This party's id, 1..n.
    party_id self() const noexcept { return self_; }

    /// n.
    std::size_t party_count() const noexcept { return mailbox_.party_count(); }

    /// Sends `payload` to party `to` with `tag`.
    ///
    /// Completion signature: `void(boost::system::error_code)`.
    /// @throws std::invalid_argument if `to` is not in 1..n or is this party.
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(send_signature) CompletionToken>
    auto async_send(party_id to, const message_tag& tag, std::vector<std::uint8_t> payload, CompletionToken&& token);

    /// Receives the next message from party `from` with exactly `tag`.
    ///
    /// Completion signature: `void(boost::system::error_code, std::vector<std::uint8_t>)`.
    /// @throws std::invalid_argument if `from` is not in 1..n or is this party.
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(receive_signature) CompletionToken>
    auto async_receive(party_id from, const message_tag& tag, CompletionToken&& token)
    {
        check_peer(from);
        return mailbox_.async_receive(from, tag, std::forward<CompletionToken>(token));
    }

    /// Drops buffered messages of session `id` and refuses its later ones (reported to on_fault
    /// with errc::wrong_session); pending receives of it complete with errc::closed.
    void close_session(const session_id& id) { mailbox_.close_session(id); }

    /// Drops the next unclaimed message from `from` with `tag` (buffered or still to come).
    void discard_next(party_id from, const message_tag& tag)
    {
        check_peer(from);
        mailbox_.discard_next(from, tag);
    }

    /// Messages received but not yet consumed by a receive (for tests and diagnostics).
    std::size_t buffered_messages() const noexcept { return mailbox_.buffered_messages(); }

    /// Bytes buffered for messages from `from`.
    std::size_t buffered_bytes(party_id from) const { return mailbox_.buffered_bytes(from); }

    /// Receives waiting for a message.
    std::size_t pending_receives() const noexcept { return mailbox_.pending_receives(); }

private:
    friend class memory_network;
    friend struct detail::memory_hub;

    memory_transport(detail::memory_hub& hub, party_id self, executor_type strand, std::size_t n, std::size_t max_buffered)
        : hub_(&hub), self_(self), strand_(std::move(strand)), mailbox_(strand_, n, max_buffered)
    {
    }

    void check_peer(party_id p) const
    {
        if (p == 0 || p > party_count() || p == self_)
            throw std::invalid_argument("memory_transport: party id " + std::to_string(p) + " is not a peer of party " +
                                        std::to_string(self_));
    }

    void deliver(party_id from, const message_tag& tag, std::vector<std::uint8_t>&& payload);

    detail::memory_hub* hub_;
    party_id self_;
    executor_type strand_;
    mailbox<executor_type> mailbox_;
};

namespace detail {

// Shared by the network and by deliveries in flight, so that it outlives queued handlers.
struct memory_hub : std::enable_shared_from_this<memory_hub> {
    memory_options options;
    std::vector<std::unique_ptr<memory_transport>> parties;
    std::unique_ptr<std::atomic<bool>[]> down;

    bool is_down(party_id p) const noexcept { return down[p - 1].load(std::memory_order_acquire); }
};

} // namespace detail

/// n parties in one process, connected all-to-all through their executors.
///
/// @par Example
/// @code
/// boost::asio::io_context io;
/// dkg::memory_network net(io.get_executor(), 3);
/// for (dkg::party_id p = 1; p <= 3; ++p)
///     boost::asio::co_spawn(net.party(p).get_executor(), run_party(net.party(p)), boost::asio::detached);
/// io.run();
/// @endcode
/// @par Thread Safety
/// `party` and `disconnect` may be called from any thread. The network must outlive the parties'
/// use of their transports; the executor's context must outlive the network (destroying it
/// completes pending receives with errc::closed through the executor).
class memory_network {
public:
    /// Creates n parties whose strands run on `ex`.
    /// @throws std::invalid_argument if n is 0.
    memory_network(const boost::asio::any_io_executor& ex, std::size_t n, memory_options options = {})
        : hub_(std::make_shared<detail::memory_hub>())
    {
        if (n == 0) throw std::invalid_argument("memory_network: n must be at least 1");
        hub_->options = std::move(options);
        hub_->down = std::make_unique<std::atomic<bool>[]>(n);
        hub_->parties.reserve(n);
        for (std::size_t i = 1; i <= n; ++i) {
            hub_->down[i - 1].store(false);
            hub_->parties.emplace_back(new memory_transport(*hub_, static_cast<party_id>(i), boost::asio::make_strand(ex), n,
                                                            hub_->options.max_buffered_bytes));
        }
    }

    /// Creates n parties on the executor of `context` (e.g. an io_context).
    template <class ExecutionContext>
        requires std::is_convertible_v<ExecutionContext&, boost::asio::execution_context&>
    memory_network(ExecutionContext& context, std::size_t n, memory_options options = {})
        : memory_network(boost::asio::any_io_executor(context.get_executor()), n, std::move(options))
    {
    }

    memory_network(const memory_network&) = delete;
    memory_network& operator=(const memory_network&) = delete;

    /// Closes every party (pending receives complete with errc::closed).
    ~memory_network()
    {
        for (auto& p : hub_->parties)
            boost::asio::post(p->strand_, [hub = hub_, id = p->self_] { hub->parties[id - 1]->mailbox_.close(make_error_code(errc::closed)); });
    }

    /// n.
    std::size_t party_count() const noexcept { return hub_->parties.size(); }

    /// The transport of party `id`.
    /// @throws std::invalid_argument if `id` is not in 1..n.
    memory_transport& party(party_id id) const
    {
        check(id);
        return *hub_->parties[id - 1];
    }

    /// Simulates a crash of party `id`: messages it sent before still arrive, then receives from it
    /// complete with errc::peer_disconnected at every other party; sends to it complete with
    /// errc::peer_disconnected; its own sends and receives complete with errc::closed.
    /// @throws std::invalid_argument if `id` is not in 1..n.
    void disconnect(party_id id)
    {
        check(id);
        if (hub_->down[id - 1].exchange(true, std::memory_order_acq_rel)) return;
        for (auto& p : hub_->parties) {
            boost::asio::post(p->strand_, [hub = hub_, target = p->self_, id] {
                auto& m = hub->parties[target - 1]->mailbox_;
                if (target == id)
                    m.close(make_error_code(errc::closed));
                else
                    m.fail_party(id, make_error_code(errc::peer_disconnected));
            });
        }
    }

    /// Whether `disconnect(id)` was called.
    bool disconnected(party_id id) const
    {
        check(id);
        return hub_->is_down(id);
    }

private:
    void check(party_id id) const
    {
        if (id == 0 || id > hub_->parties.size())
            throw std::invalid_argument("memory_network: party id " + std::to_string(id) + " is not in 1..n");
    }

    std::shared_ptr<detail::memory_hub> hub_;
};

template <BOOST_ASIO_COMPLETION_TOKEN_FOR(send_signature) CompletionToken>
auto memory_transport::async_send(party_id to, const message_tag& tag, std::vector<std::uint8_t> payload, CompletionToken&& token)
{
    check_peer(to);
    return boost::asio::async_initiate<CompletionToken, send_signature>(
        [this](auto handler, party_id dest, const message_tag& t, std::vector<std::uint8_t> p) {
            boost::system::error_code ec;
            if (hub_->is_down(self_)) {
                ec = make_error_code(errc::closed);
            } else if (hub_->is_down(dest)) {
                ec = make_error_code(errc::peer_disconnected);
            } else {
                memory_transport& target = *hub_->parties[dest - 1];
                // The delivery holds the hub, so that the network may be destroyed while it is queued.
                boost::asio::post(target.strand_, [hub = hub_->shared_from_this(), &target, from = self_, t, p = std::move(p)]() mutable {
                    target.deliver(from, t, std::move(p));
                });
            }
            boost::asio::post(strand_, boost::asio::append(std::move(handler), ec));
        },
        token, to, tag, std::move(payload));
}

inline void memory_transport::deliver(party_id from, const message_tag& tag, std::vector<std::uint8_t>&& payload)
{
    const auto ec = mailbox_.deliver(from, tag, std::move(payload));
    if (!ec || !hub_->options.on_fault) return;
    if (ec != errc::buffer_limit && ec != errc::wrong_session) return;
    try {
        hub_->options.on_fault(from, ec,
                               ec == errc::buffer_limit ? "receive buffer limit exceeded (" + describe(tag) + ")"
                                                        : "message for a closed session (" + describe(tag) + ")");
    } catch (...) {
    }
}

} // namespace dkg
