// The session layer: one protocol run over a transport. Agrees on a session id (round 0), tags
// every message with it, applies timeouts, and turns peer faults into dkg::protocol_error.
#pragma once

#include <dkg/codec.hpp>
#include <dkg/detail/handler.hpp>
#include <dkg/detail/sha256.hpp>
#include <dkg/error.hpp>
#include <dkg/rng.hpp>
#include <dkg/steps.hpp>
#include <dkg/transport.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/basic_waitable_timer.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace dkg {

/// Options of a session.
struct session_options {
    /// Bound on each receive (and each send): a party that does not answer within it fails the
    /// operation with errc::timeout naming that party.
    std::chrono::milliseconds timeout{std::chrono::seconds(60)};
    /// Larger incoming payloads fail with errc::message_too_large naming the sender.
    std::size_t max_message_bytes = std::size_t{256} << 20;
    /// When the session is destroyed, tell the transport (if it supports `close_session`) to drop
    /// this session's buffered and late messages.
    bool close_on_destroy = true;
};

/// The protocol position of a message; the session adds its id to make a dkg::message_tag.
struct step_tag {
    std::uint32_t step = 0;  ///< protocol step (the registry dkg::steps, dkg/steps.hpp)
    std::uint32_t round = 0; ///< round within the step (e.g. a batch number)
    std::uint32_t topic = 0; ///< sub-channel within the round
};

/// Traffic counted by a session (payload bytes, without framing).
struct session_stats {
    std::uint64_t messages_sent = 0;     ///< messages handed to the transport
    std::uint64_t bytes_sent = 0;        ///< their payload bytes
    std::uint64_t messages_received = 0; ///< messages received for this session
    std::uint64_t bytes_received = 0;    ///< their payload bytes
};

/// Outcome of session::gather_first.
struct gather_result {
    std::vector<std::pair<party_id, bytes>> accepted;                   ///< in arrival order
    std::vector<party_id> rejected;                                     ///< accept() returned false
    std::vector<std::pair<party_id, boost::system::error_code>> failed; ///< timeout, disconnect, too large, ...
};

namespace detail {

/// A set of concurrent sends and receives on one transport, with one deadline, early stop and
/// cancellation of the rest. Used by session; completions run on `Executor`.
template <class Executor>
class op_group : public std::enable_shared_from_this<op_group<Executor>> {
public:
    struct op {
        party_id party = 0;
        bool receive = false;
        bool done = false;
        bool stopped = false; // completed with operation_aborted because the group stopped it
        boost::system::error_code ec;
        bytes payload;
    };

    /// Called on each completion; returns true to stop the group (cancel what is outstanding).
    using observer = std::function<bool(op&)>;

    op_group(const Executor& ex, std::size_t capacity)
        : ex_(ex), timer_(ex), signals_(std::make_unique<boost::asio::cancellation_signal[]>(capacity))
    {
        ops_.reserve(capacity);
    }

    std::size_t add(party_id party, bool receive)
    {
        op& o = ops_.emplace_back();
        o.party = party;
        o.receive = receive;
        return ops_.size() - 1;
    }

    void observe(observer f) { observer_ = std::move(f); }

    /// The completion handler for operation i (bound to the group's executor and cancellation signal).
    auto handler(std::size_t i)
    {
        ++outstanding_;
        return boost::asio::bind_cancellation_slot(signals_[i].slot(), boost::asio::bind_executor(ex_, completion{this->shared_from_this(), i}));
    }

    /// Starts the deadline.
    void arm(std::chrono::milliseconds timeout)
    {
        if (outstanding_ == 0) return;
        timer_.expires_after(timeout);
        timer_.async_wait([self = this->shared_from_this()](boost::system::error_code ec) {
            if (ec || self->outstanding_ == 0) return;
            self->timed_out_ = true;
            self->stop();
        });
    }

    /// Cancels every outstanding operation (terminal cancellation).
    void stop()
    {
        if (stopping_) return;
        stopping_ = true;
        for (std::size_t i = 0; i < ops_.size(); ++i)
            if (!ops_[i].done) signals_[i].emit(boost::asio::cancellation_type::terminal);
    }

    /// Completes (signature `void()`) when every operation has completed. Cancelling this wait
    /// stops the group and sets `cancelled()`.
    template <class CompletionToken>
    auto async_wait(CompletionToken&& token)
    {
        return boost::asio::async_initiate<CompletionToken, void()>(
            [this](auto handler) {
                if (outstanding_ == 0) return finish_now(std::move(handler));
                assign_handler(waiter_, std::move(handler));
                auto slot = boost::asio::get_associated_cancellation_slot(waiter_);
                if (slot.is_connected())
                    slot.assign([weak = this->weak_from_this()](boost::asio::cancellation_type type) {
                        auto self = weak.lock();
                        if (!self || type == boost::asio::cancellation_type::none) return;
                        self->cancelled_ = true;
                        self->stop();
                    });
            },
            token);
    }

    std::vector<op>& ops() noexcept { return ops_; }
    const std::vector<std::size_t>& order() const noexcept { return order_; }
    bool timed_out() const noexcept { return timed_out_; }
    bool cancelled() const noexcept { return cancelled_; }
    std::exception_ptr observer_error() const noexcept { return observer_error_; }

private:
    struct completion {
        std::shared_ptr<op_group> group;
        std::size_t index;
        void operator()(boost::system::error_code ec) { group->complete(index, ec, {}); }
        void operator()(boost::system::error_code ec, std::vector<std::uint8_t> payload) { group->complete(index, ec, std::move(payload)); }
    };

    void complete(std::size_t i, boost::system::error_code ec, bytes&& payload)
    {
        op& o = ops_[i];
        o.done = true;
        o.ec = ec;
        o.stopped = stopping_ && ec == boost::asio::error::operation_aborted;
        o.payload = std::move(payload);
        order_.push_back(i);
        --outstanding_;
        if (!stopping_ && observer_) {
            try {
                if (observer_(o)) stop();
            } catch (...) {
                observer_error_ = std::current_exception();
                stop();
            }
        }
        if (outstanding_ == 0) {
            timer_.cancel();
            if (waiter_) {
                boost::asio::get_associated_cancellation_slot(waiter_).clear();
                boost::asio::post(ex_, std::move(waiter_));
            }
        }
    }

    template <class Handler>
    void finish_now(Handler&& handler)
    {
        timer_.cancel();
        boost::asio::post(ex_, std::forward<Handler>(handler));
    }

    Executor ex_;
    boost::asio::basic_waitable_timer<std::chrono::steady_clock, boost::asio::wait_traits<std::chrono::steady_clock>, Executor> timer_;
    std::unique_ptr<boost::asio::cancellation_signal[]> signals_;
    std::vector<op> ops_;
    std::vector<std::size_t> order_;
    observer observer_;
    boost::asio::any_completion_handler<void()> waiter_;
    std::size_t outstanding_ = 0;
    bool stopping_ = false;
    bool timed_out_ = false;
    bool cancelled_ = false;
    std::exception_ptr observer_error_;
};

inline std::string party_list(const std::vector<party_id>& parties)
{
    std::string out;
    for (auto p : parties) out += (out.empty() ? "" : ", ") + std::to_string(p);
    return out;
}

} // namespace detail

/// One protocol run between the n parties of a transport.
///
/// A session first agrees on a fresh session id with `establish` (round 0, docs/protocol.md §0),
/// or takes one agreed out of band with `establish_with`.
/// Afterwards every message it sends is tagged with that id and a step_tag, and it only receives
/// messages with exactly the expected id and tag, so messages of other runs, steps or rounds are
/// never mixed in. Every receive (and send) is bounded by `options().timeout`.
///
/// Errors: the operations below throw dkg::protocol_error naming the party at fault:
/// errc::timeout when a party did not answer in time, the transport's error when the connection to
/// it failed (e.g. errc::peer_disconnected), errc::message_too_large for a payload above
/// `max_message_bytes`. When the calling coroutine is cancelled they throw
/// boost::system::system_error(operation_aborted). `gather_first` reports peer faults in its result
/// instead. Calling an operation before `established()` throws std::logic_error; bad party ids or
/// sizes throw std::invalid_argument.
///
/// Cost: each operation allocates one small shared state and starts one timer, then one transport
/// operation per party; nothing else is buffered by the session.
///
/// @tparam Transport a model of dkg::transport. If it has `close_session(session_id)` and
/// `discard_next(party_id, message_tag)` (dkg's transports do), the session uses them to drop
/// messages nobody will receive (late answers after `gather_first`, messages of a destroyed session).
/// @par Thread Safety
/// Not thread-safe. Use the session, and destroy it, from the transport's executor; several
/// operations may run concurrently (e.g. from coroutines spawned on that executor) as long as they
/// use different tags.
template <transport Transport>
class session {
public:
    /// The transport type.
    using transport_type = Transport;
    /// The transport's executor type.
    using executor_type = typename Transport::executor_type;

    /// @param transport the party's transport; must outlive the session.
    /// @param options the per-message timeout and the other settings of session_options.
    /// @throws std::invalid_argument if options.timeout is not positive.
    explicit session(Transport& transport, session_options options = {}) : transport_(transport), options_(options)
    {
        if (options_.timeout.count() <= 0) throw std::invalid_argument("session: timeout must be positive");
    }

    session(const session&) = delete;
    session& operator=(const session&) = delete;

    /// Closes the session at the transport if `options().close_on_destroy` (see session_options).
    ~session()
    {
        if constexpr (requires(Transport& t, const session_id& id) { t.close_session(id); }) {
            if (established_ && options_.close_on_destroy) {
                try {
                    transport_.close_session(id_);
                } catch (...) {
                }
            }
        }
    }

    /// The transport the session runs over.
    Transport& transport() noexcept { return transport_; }

    /// The transport's executor: where the session's completions run.
    executor_type get_executor() { return transport_.get_executor(); }

    /// This party's id.
    party_id self() const noexcept { return transport_.self(); }

    /// n.
    std::size_t party_count() const noexcept { return static_cast<std::size_t>(transport_.party_count()); }

    /// The options given at construction.
    const session_options& options() const noexcept { return options_; }

    /// The session id; all-zero until established.
    const session_id& id() const noexcept { return id_; }

    /// Whether the session id has been agreed (establish or establish_with).
    bool established() const noexcept { return established_; }

    /// Messages and payload bytes sent and received through this session (including round 0).
    const session_stats& stats() const noexcept { return stats_; }

    /// Round 0: agrees on the session id with all other parties.
    ///
    /// Every party sends every other a fresh 16-byte nonce from `rng` plus n (u32 big-endian, then
    /// the nonce: 20 bytes) under the all-zero session id and step steps::establish. The id is the
    /// first 16 bytes of SHA-256("dkg/session" || n as u32 big-endian || nonce_1 || ... || nonce_n).
    /// @tparam G a secure_rng.
    /// @throws protocol_error errc::inconsistent_result naming a party that disagrees on n,
    /// errc::malformed_message for a round-0 message of the wrong size, or as for `exchange`.
    /// @throws std::logic_error if already established.
    template <secure_rng G>
    boost::asio::awaitable<void> establish(G& rng)
    {
        if (established_) throw std::logic_error("session: already established");
        const auto n = party_count();
        std::array<std::uint8_t, 16> nonce{};
        fill_random(rng, nonce);
        writer w(20);
        w.u32(static_cast<std::uint32_t>(n)).raw(nonce);
        message_tag tag;
        tag.step = steps::establish;
        auto payloads = co_await run_exchange(tag, std::vector<bytes>(n, w.finish()), "establish");
        detail::sha256 h;
        h.update("dkg/session");
        const std::array<std::uint8_t, 4> n_bytes{static_cast<std::uint8_t>(n >> 24), static_cast<std::uint8_t>(n >> 16),
                                                  static_cast<std::uint8_t>(n >> 8), static_cast<std::uint8_t>(n)};
        h.update(n_bytes);
        for (party_id j = 1; j <= n; ++j) {
            const bytes& p = payloads[j - 1];
            if (p.size() != 20) throw protocol_error(make_error_code(errc::malformed_message), j, "establish: round-0 message of " + std::to_string(p.size()) + " bytes");
            reader r(p);
            const auto their_n = r.u32();
            if (their_n != n)
                throw protocol_error(make_error_code(errc::inconsistent_result), j,
                                     "establish: party " + std::to_string(j) + " has n = " + std::to_string(their_n) + ", expected " + std::to_string(n));
            h.update(r.raw(16));
        }
        const auto digest = h.finish();
        std::copy_n(digest.begin(), id_.size(), id_.begin());
        established_ = true;
    }

    /// Uses a session id agreed out of band instead of round 0: sends and receives nothing, so it
    /// works while some parties are offline (round 0 needs every party).
    ///
    /// Every party of the run must pass the same id, and the id must be unique per run on a
    /// transport: a reused id lets messages of two runs mix (a late message of one run is taken for
    /// the other's), which round 0's fresh nonces rule out. Derive it from what identifies the run,
    /// e.g. a hash of a label, the inputs and a run number agreed by the operators, as
    /// `dkg decrypt-party` does (docs/transport.md §5).
    /// @throws std::invalid_argument if `id` is all-zero (round 0's id, reserved).
    /// @throws std::logic_error if already established.
    void establish_with(const session_id& id)
    {
        if (established_) throw std::logic_error("session: already established");
        if (std::all_of(id.begin(), id.end(), [](std::uint8_t b) { return b == 0; }))
            throw std::invalid_argument("session::establish_with: the all-zero session id is reserved for round 0");
        id_ = id;
        established_ = true;
    }

    /// `establish` as an asynchronous operation.
    ///
    /// Completion signature: `void(std::exception_ptr)`.
    template <secure_rng G, class CompletionToken>
    auto async_establish(G& rng, CompletionToken&& token)
    {
        return boost::asio::co_spawn(get_executor(), establish(rng), std::forward<CompletionToken>(token));
    }

    /// Sends `payload` to party `to`. Completes when the transport has taken the message.
    /// @throws protocol_error naming `to` (timeout, disconnect).
    boost::asio::awaitable<void> send(party_id to, step_tag tag, bytes payload)
    {
        check_ready();
        check_peer(to);
        auto g = make_group(1);
        start_send(*g, to, full(tag), std::move(payload));
        co_await finish(*g, full(tag), "send");
    }

    /// Receives the message of party `from` with this tag.
    /// @throws protocol_error naming `from` (timeout, disconnect, message too large).
    boost::asio::awaitable<bytes> receive(party_id from, step_tag tag)
    {
        check_ready();
        check_peer(from);
        auto g = make_group(1);
        watch_sizes(*g);
        start_receive(*g, from, full(tag));
        co_await finish(*g, full(tag), "receive");
        co_return std::move(g->ops()[0].payload);
    }

    /// Sends `payload` to every other party (concurrently).
    /// @throws protocol_error naming the first party whose send failed.
    boost::asio::awaitable<void> broadcast(step_tag tag, bytes payload)
    {
        check_ready();
        const auto n = party_count();
        auto g = make_group(n - 1);
        const auto t = full(tag);
        party_id last = 0;
        for (party_id j = 1; j <= n; ++j)
            if (j != self()) last = j;
        for (party_id j = 1; j <= n; ++j)
            if (j != self()) start_send(*g, j, t, j == last ? std::move(payload) : payload);
        co_await finish(*g, t, "broadcast");
    }

    /// Sends outgoing[j-1] to each other party j and receives one message from each.
    ///
    /// All sends are started first, then all receives, concurrently, so a slow party delays only
    /// its own message. The first failure cancels the rest.
    /// @param tag the step, round and topic of the messages (unique within the session).
    /// @param outgoing n entries; the own entry is returned unchanged at result[self()-1].
    /// @returns result[j-1] = the message from party j.
    /// @throws protocol_error naming the first party that failed or timed out.
    /// @throws std::invalid_argument if outgoing.size() != n.
    boost::asio::awaitable<std::vector<bytes>> exchange(step_tag tag, std::vector<bytes> outgoing)
    {
        check_ready();
        co_return co_await run_exchange(full(tag), std::move(outgoing), "exchange");
    }

    /// Sends `payload` to every other party and receives theirs.
    /// @returns result[j-1] = the payload of party j (own payload included).
    /// @throws protocol_error as for exchange.
    boost::asio::awaitable<std::vector<bytes>> all_gather(step_tag tag, bytes payload)
    {
        check_ready();
        co_return co_await run_exchange(full(tag), std::vector<bytes>(party_count(), std::move(payload)), "all_gather");
    }

    /// Receives concurrently from every party in `from` and returns as soon as `needed` payloads
    /// were accepted (`accept(party, payload)` returned true), or when every listed party has
    /// answered, been rejected, or failed (timeout, disconnect, oversized payload). Outstanding
    /// receives are cancelled before it returns; their late messages are discarded if the
    /// transport supports `discard_next`.
    ///
    /// Never throws for peer faults: they are listed in the result. An exception thrown by
    /// `accept` is rethrown (after the cancellation). `accept` runs on the transport's executor.
    /// @throws std::invalid_argument if `from` lists this party, an id outside 1..n, or a party twice.
    boost::asio::awaitable<gather_result> gather_first(step_tag tag, std::vector<party_id> from, std::size_t needed,
                                                       std::function<bool(party_id, const bytes&)> accept)
    {
        check_ready();
        std::vector<bool> seen(party_count() + 1, false);
        for (auto p : from) {
            check_peer(p);
            if (seen[p]) throw std::invalid_argument("session::gather_first: party " + std::to_string(p) + " listed twice");
            seen[p] = true;
        }
        gather_result result;
        if (needed == 0 || from.empty()) co_return result;
        const auto t = full(tag);
        auto g = make_group(from.size());
        g->observe([this, &result, &accept, needed, max = options_.max_message_bytes](auto& o) {
            if (o.ec) {
                if (!o.stopped) result.failed.emplace_back(o.party, o.ec);
                return false;
            }
            ++stats_.messages_received;
            stats_.bytes_received += o.payload.size();
            if (o.payload.size() > max) {
                result.failed.emplace_back(o.party, make_error_code(errc::message_too_large));
                return false;
            }
            if (accept && !accept(o.party, o.payload)) {
                result.rejected.push_back(o.party);
                return false;
            }
            result.accepted.emplace_back(o.party, std::move(o.payload));
            return result.accepted.size() >= needed;
        });
        for (auto p : from) start_receive(*g, p, t);
        g->arm(options_.timeout);
        co_await g->async_wait(boost::asio::use_awaitable);
        if (g->cancelled()) throw boost::system::system_error(boost::asio::error::operation_aborted, "session::gather_first");
        for (auto& o : g->ops()) {
            if (!o.stopped) continue;
            if (g->timed_out() && result.accepted.size() < needed) result.failed.emplace_back(o.party, make_error_code(errc::timeout));
            discard(o.party, t);
        }
        if (auto e = g->observer_error()) std::rethrow_exception(e);
        co_return result;
    }

    /// Sends a user-level message to party `to` on `topic` (step steps::user): like
    /// `send(to, {steps::user, 0, topic}, payload)`. Messages to one party on one topic arrive in
    /// the order sent.
    ///
    /// Completion signature: `void(std::exception_ptr)` (a protocol_error on failure).
    template <class CompletionToken>
    auto async_send_user(party_id to, std::uint32_t topic, bytes payload, CompletionToken&& token)
    {
        return boost::asio::co_spawn(get_executor(), send(to, step_tag{steps::user, 0, topic}, std::move(payload)),
                                     std::forward<CompletionToken>(token));
    }

    /// Receives the next user-level message from party `from` on `topic` (FIFO per peer and topic),
    /// bounded by `options().timeout`.
    ///
    /// Completion signature: `void(std::exception_ptr, bytes)`.
    template <class CompletionToken>
    auto async_receive_user(party_id from, std::uint32_t topic, CompletionToken&& token)
    {
        return boost::asio::co_spawn(get_executor(), receive(from, step_tag{steps::user, 0, topic}), std::forward<CompletionToken>(token));
    }

private:
    using group = detail::op_group<executor_type>;

    message_tag full(const step_tag& t) const noexcept { return message_tag{id_, t.step, t.round, t.topic}; }

    void check_ready() const
    {
        if (!established_) throw std::logic_error("session: not established (call establish first)");
    }

    void check_peer(party_id p) const
    {
        if (p == 0 || p > party_count() || p == self())
            throw std::invalid_argument("session: party id " + std::to_string(p) + " is not a peer of party " + std::to_string(self()));
    }

    std::shared_ptr<group> make_group(std::size_t capacity) { return std::make_shared<group>(get_executor(), capacity); }

    // Fails a receive whose payload is larger than allowed.
    void watch_sizes(group& g)
    {
        g.observe([max = options_.max_message_bytes](auto& o) {
            if (!o.ec && o.receive && o.payload.size() > max) {
                o.ec = make_error_code(errc::message_too_large);
                o.payload = {};
            }
            return static_cast<bool>(o.ec);
        });
    }

    void start_send(group& g, party_id to, const message_tag& tag, bytes payload)
    {
        ++stats_.messages_sent;
        stats_.bytes_sent += payload.size();
        const auto i = g.add(to, false);
        transport_.async_send(to, tag, std::move(payload), g.handler(i));
    }

    void start_receive(group& g, party_id from, const message_tag& tag)
    {
        const auto i = g.add(from, true);
        transport_.async_receive(from, tag, g.handler(i));
    }

    void discard(party_id from, const message_tag& tag)
    {
        if constexpr (requires(Transport& t) { t.discard_next(from, tag); }) transport_.discard_next(from, tag);
    }

    boost::asio::awaitable<std::vector<bytes>> run_exchange(message_tag tag, std::vector<bytes> outgoing, const char* what)
    {
        const auto n = party_count();
        if (outgoing.size() != n)
            throw std::invalid_argument(std::string("session::") + what + ": " + std::to_string(outgoing.size()) + " payloads for " + std::to_string(n) + " parties");
        auto g = make_group(2 * (n - 1));
        watch_sizes(*g);
        for (party_id j = 1; j <= n; ++j)
            if (j != self()) start_send(*g, j, tag, std::move(outgoing[j - 1]));
        for (party_id j = 1; j <= n; ++j)
            if (j != self()) start_receive(*g, j, tag);
        co_await finish(*g, tag, what);
        std::vector<bytes> result(n);
        result[self() - 1] = std::move(outgoing[self() - 1]);
        for (auto& o : g->ops())
            if (o.receive) result[o.party - 1] = std::move(o.payload);
        co_return result;
    }

    // Waits for the group and throws for its first failure; counts what was received.
    boost::asio::awaitable<void> finish(group& g, const message_tag& tag, const char* what)
    {
        if (g.ops().empty()) co_return;
        g.arm(options_.timeout);
        co_await g.async_wait(boost::asio::use_awaitable);
        if (g.cancelled()) throw boost::system::system_error(boost::asio::error::operation_aborted, std::string("session::") + what);
        const std::string context = std::string(what) + " " + describe(tag);
        for (auto i : g.order()) {
            const auto& o = g.ops()[i];
            if (o.ec && !o.stopped) throw protocol_error(o.ec, o.party, context);
        }
        if (g.timed_out()) {
            std::vector<party_id> late;
            for (const auto& o : g.ops())
                if (o.stopped && std::find(late.begin(), late.end(), o.party) == late.end()) late.push_back(o.party);
            throw protocol_error(make_error_code(errc::timeout), late.empty() ? no_party : late.front(),
                                 context + (late.size() > 1 ? "; no answer from parties " + detail::party_list(late) : std::string()));
        }
        for (const auto& o : g.ops()) {
            if (!o.receive) continue;
            ++stats_.messages_received;
            stats_.bytes_received += o.payload.size();
        }
    }

    Transport& transport_;
    session_options options_;
    session_id id_{};
    bool established_ = false;
    session_stats stats_;
};

} // namespace dkg
