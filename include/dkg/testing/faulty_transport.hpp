// A transport wrapper that injects faults: dropped, delayed, duplicated, corrupted or truncated
// messages, a party that goes silent, and a constant latency (a simulated WAN).
#pragma once

#include <dkg/error.hpp>
#include <dkg/transport.hpp>

#include <boost/asio/append.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/basic_waitable_timer.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/post.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <list>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace dkg::testing {

/// What a fault_rule does to the message it selects.
enum class fault_action {
    drop,       ///< the message is not sent (the send still succeeds)
    delay,      ///< the message is sent `fault_rule::delay` later (messages after it may overtake it)
    duplicate,  ///< the message is sent twice
    corrupt,    ///< one byte of the payload is flipped (xor 0xff); an empty payload is left as it is
    truncate,   ///< the payload is cut to `fault_rule::keep` bytes (default: half of it)
    disconnect, ///< after this message the party goes silent: later sends fail with errc::closed and
                ///< are not sent; pending and later receives complete with errc::closed
};

/// Selects the nth message sent (counting only messages that pass the filters) and applies an action.
struct fault_rule {
    /// What to do with the selected message.
    fault_action action = fault_action::drop;
    /// Which matching message (1 = the first). For `disconnect`, the party goes silent after the nth
    /// matching message; 0 means at once.
    std::size_t nth = 1;
    /// Only messages to this party count.
    std::optional<party_id> to;
    /// Only messages of this step count.
    std::optional<std::uint32_t> step;
    /// For `delay`.
    std::chrono::milliseconds delay{0};
    /// For `corrupt`: the index of the flipped byte (modulo the payload size).
    std::size_t byte_index = 0;
    /// For `truncate`: bytes kept.
    std::optional<std::size_t> keep;
};

/// What a faulty_transport did.
struct fault_stats {
    std::size_t sent = 0; ///< sends requested (including dropped ones)
    std::size_t dropped = 0;    ///< messages not sent
    std::size_t delayed = 0;    ///< messages sent late
    std::size_t duplicated = 0; ///< messages sent twice
    std::size_t corrupted = 0;  ///< messages sent with a flipped byte
    std::size_t truncated = 0;  ///< messages sent cut short
    std::size_t send_errors = 0; ///< errors of sends made after the caller's send completed (latency, delay)
    bool disconnected = false; ///< whether the party has gone silent (fault_action::disconnect)
};

/// Wraps a transport and injects faults into the messages this party sends.
///
/// Rules are matched against every send in the order they were added; all rules that select a
/// message apply. With a latency L set, every message is sent L after the send was requested,
/// in order (set L = 25 ms at every party to simulate a 50 ms round trip); the caller's send then
/// completes at once. Without latency or delay, sends go straight to the inner transport and
/// complete with its result.
///
/// Models `dkg::transport`. Forwards `close_session` and `discard_next` when `Inner` has them.
/// @tparam Inner a model of dkg::transport; it must outlive the wrapper.
/// @par Thread Safety
/// As the inner transport: use it from the inner transport's executor.
template <transport Inner>
class faulty_transport {
public:
    /// The wrapped transport's type.
    using inner_type = Inner;
    /// The inner transport's executor type.
    using executor_type = typename Inner::executor_type;

    /// Wraps `inner`, which must outlive this object; no rule yet, so messages pass unchanged.
    explicit faulty_transport(Inner& inner) : state_(std::make_shared<state>(inner)) {}

    faulty_transport(const faulty_transport&) = delete;
    faulty_transport& operator=(const faulty_transport&) = delete;

    /// Messages still waiting for their latency or delay are dropped.
    ~faulty_transport()
    {
        state_->stopped = true;
        state_->timer.cancel();
    }

    /// Adds a rule (see fault_rule). A `disconnect` rule with nth = 0 disconnects at once.
    faulty_transport& add_rule(const fault_rule& rule)
    {
        if (rule.action == fault_action::disconnect && rule.nth == 0) {
            disconnect();
            return *this;
        }
        state_->rules.push_back(rule_state{rule, 0});
        return *this;
    }

    /// Adds `one_way` to the delivery time of every message sent from now on.
    void set_latency(std::chrono::milliseconds one_way) { state_->latency = one_way; }

    /// Makes the party go silent now (as the `disconnect` action).
    void disconnect() { state_->disconnect(); }

    /// Whether the party has gone silent.
    bool disconnected() const noexcept { return state_->disconnected; }

    /// What the rules did so far.
    const fault_stats& stats() const noexcept { return state_->stats; }

    /// The wrapped transport.
    Inner& inner() noexcept { return *state_->inner; }

    /// The inner transport's executor.
    executor_type get_executor() const { return state_->inner->get_executor(); }
    /// The inner transport's party id.
    party_id self() const noexcept { return state_->inner->self(); }
    /// The inner transport's number of parties.
    std::size_t party_count() const noexcept { return static_cast<std::size_t>(state_->inner->party_count()); }

    /// Sends through the rules. Completion signature: `void(boost::system::error_code)`.
    /// @throws std::invalid_argument if `to` is not a peer.
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(send_signature) CompletionToken>
    auto async_send(party_id to, const message_tag& tag, std::vector<std::uint8_t> payload, CompletionToken&& token)
    {
        check_peer(to);
        return boost::asio::async_initiate<CompletionToken, send_signature>(
            [st = state_](auto handler, party_id dest, const message_tag& t, std::vector<std::uint8_t> p) { st->send(std::move(handler), dest, t, std::move(p)); },
            token, to, tag, std::move(payload));
    }

    /// Receives from the inner transport; fails with errc::closed once disconnected.
    /// Completion signature: `void(boost::system::error_code, std::vector<std::uint8_t>)`.
    /// Supports per-operation cancellation when the inner transport does.
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(receive_signature) CompletionToken>
    auto async_receive(party_id from, const message_tag& tag, CompletionToken&& token)
    {
        check_peer(from);
        return boost::asio::async_initiate<CompletionToken, receive_signature>(
            [st = state_](auto handler, party_id src, const message_tag& t) { st->receive(std::move(handler), src, t); }, token, from, tag);
    }

    /// Forwarded to the inner transport (only if it has this member).
    void close_session(const session_id& id)
        requires requires(Inner& i, const session_id& s) { i.close_session(s); }
    {
        state_->inner->close_session(id);
    }

    /// Forwarded to the inner transport (only if it has this member).
    void discard_next(party_id from, const message_tag& tag)
        requires requires(Inner& i, party_id p, const message_tag& t) { i.discard_next(p, t); }
    {
        state_->inner->discard_next(from, tag);
    }

private:
    using clock = std::chrono::steady_clock;
    using timer_type = boost::asio::basic_waitable_timer<clock, boost::asio::wait_traits<clock>, executor_type>;

    struct rule_state {
        fault_rule rule;
        std::size_t count;
    };

    struct pending {
        clock::time_point due;
        party_id to;
        message_tag tag;
        std::vector<std::uint8_t> payload;
    };

    struct receive_op {
        boost::asio::cancellation_signal signal;
        bool killed = false;
    };

    struct state : std::enable_shared_from_this<state> {
        explicit state(Inner& i) : inner(&i), timer(i.get_executor()) {}

        Inner* inner;
        std::vector<rule_state> rules;
        std::chrono::milliseconds latency{0};
        std::deque<pending> queue; // latency only: due times are non-decreasing
        timer_type timer;
        bool timer_armed = false;
        bool disconnected = false;
        bool stopped = false;
        fault_stats stats;
        std::list<std::shared_ptr<receive_op>> receives;

        template <class Handler>
        void send(Handler&& handler, party_id to, const message_tag& tag, std::vector<std::uint8_t>&& p)
        {
            if (disconnected) return complete(std::forward<Handler>(handler), make_error_code(errc::closed));
            ++stats.sent;
            bool drop = false, twice = false, silence = false;
            std::chrono::milliseconds extra{0};
            for (auto& r : rules) {
                if ((r.rule.to && *r.rule.to != to) || (r.rule.step && *r.rule.step != tag.step)) continue;
                if (++r.count != r.rule.nth) continue;
                switch (r.rule.action) {
                case fault_action::drop: drop = true, ++stats.dropped; break;
                case fault_action::delay: extra += r.rule.delay, ++stats.delayed; break;
                case fault_action::duplicate: twice = true, ++stats.duplicated; break;
                case fault_action::corrupt:
                    if (!p.empty()) p[r.rule.byte_index % p.size()] ^= 0xff;
                    ++stats.corrupted;
                    break;
                case fault_action::truncate: p.resize(std::min(p.size(), r.rule.keep.value_or(p.size() / 2))), ++stats.truncated; break;
                case fault_action::disconnect: silence = true; break;
                }
            }
            if (drop) {
                complete(std::forward<Handler>(handler), {});
            } else if (latency.count() == 0 && extra.count() == 0 && !twice) {
                inner->async_send(to, tag, std::move(p), std::forward<Handler>(handler));
            } else {
                if (twice) forward(to, tag, std::vector<std::uint8_t>(p), extra);
                forward(to, tag, std::move(p), extra);
                complete(std::forward<Handler>(handler), {});
            }
            if (silence) disconnect();
        }

        template <class Handler>
        void receive(Handler&& handler, party_id from, const message_tag& tag)
        {
            if (disconnected) {
                auto ex = boost::asio::get_associated_executor(handler, inner->get_executor());
                boost::asio::post(inner->get_executor(),
                                  boost::asio::bind_executor(ex, boost::asio::append(std::forward<Handler>(handler), make_error_code(errc::closed),
                                                                                     std::vector<std::uint8_t>{})));
                return;
            }
            auto op = std::make_shared<receive_op>();
            receives.push_front(op);
            auto user_slot = boost::asio::get_associated_cancellation_slot(handler);
            if (user_slot.is_connected()) user_slot.assign([op](boost::asio::cancellation_type type) { op->signal.emit(type); });
            auto ex = boost::asio::get_associated_executor(handler, inner->get_executor());
            inner->async_receive(
                from, tag,
                boost::asio::bind_cancellation_slot(
                    op->signal.slot(),
                    boost::asio::bind_executor(ex, [self = this->shared_from_this(), op, user_slot, h = std::forward<Handler>(handler)](
                                                       boost::system::error_code ec, std::vector<std::uint8_t> payload) mutable {
                        auto slot = user_slot;
                        slot.clear();
                        self->receives.remove(op);
                        if (op->killed) {
                            ec = make_error_code(errc::closed);
                            payload.clear();
                        }
                        std::move(h)(ec, std::move(payload));
                    })));
        }

        void disconnect()
        {
            if (disconnected) return;
            disconnected = true;
            stats.disconnected = true;
            queue.clear();
            const auto ops = receives;
            for (auto& op : ops) {
                op->killed = true;
                op->signal.emit(boost::asio::cancellation_type::terminal);
            }
        }

        template <class Handler>
        void complete(Handler&& handler, boost::system::error_code ec)
        {
            boost::asio::post(inner->get_executor(), boost::asio::append(std::forward<Handler>(handler), ec));
        }

        void forward(party_id to, const message_tag& tag, std::vector<std::uint8_t>&& p, std::chrono::milliseconds extra)
        {
            if (extra.count() > 0) {
                auto t = std::make_shared<timer_type>(inner->get_executor(), latency + extra);
                t->async_wait([self = this->shared_from_this(), t, to, tag, p = std::move(p)](boost::system::error_code ec) mutable {
                    if (!ec && !self->stopped && !self->disconnected) self->send_now(to, tag, std::move(p));
                });
                return;
            }
            queue.push_back(pending{clock::now() + latency, to, tag, std::move(p)});
            if (!timer_armed) arm();
        }

        void arm()
        {
            timer_armed = true;
            timer.expires_at(queue.front().due);
            timer.async_wait([self = this->shared_from_this()](boost::system::error_code ec) {
                self->timer_armed = false;
                if (ec || self->stopped) return;
                const auto now = clock::now();
                while (!self->queue.empty() && self->queue.front().due <= now) {
                    auto m = std::move(self->queue.front());
                    self->queue.pop_front();
                    self->send_now(m.to, m.tag, std::move(m.payload));
                }
                if (!self->queue.empty()) self->arm();
            });
        }

        void send_now(party_id to, const message_tag& tag, std::vector<std::uint8_t>&& p)
        {
            inner->async_send(to, tag, std::move(p), [self = this->shared_from_this()](boost::system::error_code ec) {
                if (ec) ++self->stats.send_errors;
            });
        }
    };

    void check_peer(party_id p) const
    {
        if (p == 0 || p > party_count() || p == self())
            throw std::invalid_argument("faulty_transport: party id " + std::to_string(p) + " is not a peer of party " + std::to_string(self()));
    }

    std::shared_ptr<state> state_;
};

} // namespace dkg::testing
