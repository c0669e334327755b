// dkg::mailbox: the receive side of a transport, ready-made. Incoming messages are buffered per
// (sender, tag) within a bound and matched with receives that support per-operation cancellation;
// a failed party fails only the receives from it. dkg's memory, TCP and TLS transports use it, and
// a custom transport that hands it its incoming messages meets the receive half of the
// dkg::transport requirements (docs/transport.md, "Writing a custom transport").
#pragma once

#include <dkg/detail/handler.hpp>
#include <dkg/error.hpp>
#include <dkg/transport.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/append.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/cancellation_type.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/execution/executor.hpp>
#include <boost/asio/is_executor.hpp>
#include <boost/asio/post.hpp>
#include <boost/system/error_code.hpp>

#include <compare>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <list>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace dkg {

/// Buffers incoming messages per (sender, message_tag) and matches them with receives: the receive
/// half of a dkg::transport.
///
/// The transport's network side calls `deliver` for each message it received (decoded, with the
/// sender it came from), `fail_party` when a peer's channel breaks or misbehaves, and
/// `close_session` and `close`; its `async_receive`, `close_session` and `discard_next` forward to
/// the mailbox's. Then, as the transport requirements ask (docs/transport.md):
///
/// - Messages of one key are kept in arrival order (FIFO); several receives of one key are served
///   in the order they were started. A message is handed to exactly one receive of its exact
///   (sender, tag).
/// - Buffered messages of one sender may take at most `max_buffered_bytes` (each message counts its
///   size plus `message_overhead`). A message beyond the bound fails that sender with
///   errc::buffer_limit: its buffered messages are dropped and its pending and later receives
///   complete with that error.
/// - Once a party has failed (`fail_party`), receives from it still get messages already buffered,
///   then complete with the failure. Other parties are unaffected.
/// - A pending receive supports per-operation cancellation (any cancellation type): it completes
///   with boost::asio::error::operation_aborted and consumes nothing.
/// - Handlers are never invoked from inside `async_receive` or `deliver`: they are posted to the
///   mailbox's executor and run on their own associated executor.
///
/// A minimal transport built on it is shown in docs/transport.md; dkg/transport/memory.hpp is a
/// complete one.
///
/// @tparam Executor an Asio executor (e.g. `boost::asio::strand<boost::asio::any_io_executor>` or
///         `boost::asio::io_context::executor_type`) through which completions are posted; normally
///         the strand of the transport that owns the mailbox.
/// @par Thread Safety
/// Not thread-safe: call every member, and emit cancellation of its receives, from one strand (the
/// executor's, if it is a strand). The mailbox can be neither copied nor moved (the cancellation
/// handlers of pending receives point to it).
/// @par Lifetime
/// Destroying the mailbox destroys pending receives' handlers without invoking them; call `close`
/// first to complete them.
template <class Executor>
    requires(boost::asio::execution::is_executor<Executor>::value || boost::asio::is_executor<Executor>::value)
class mailbox {
public:
    using executor_type = Executor;
    using payload_type = std::vector<std::uint8_t>;

    /// Bytes charged per buffered message in addition to its payload (bookkeeping, and a bound on
    /// floods of empty messages).
    static constexpr std::size_t message_overhead = 256;

    /// Closed sessions remembered by `close_session` (oldest forgotten first).
    static constexpr std::size_t max_closed_sessions = 4096;

    /// @param ex where completions are posted.
    /// @param party_count n; senders are 1..n.
    /// @param max_buffered_bytes bound on the bytes buffered per sender.
    /// @throws std::invalid_argument if `party_count` is 0.
    mailbox(const Executor& ex, std::size_t party_count, std::size_t max_buffered_bytes)
        : ex_(ex), max_buffered_(max_buffered_bytes), parties_(party_count)
    {
        if (party_count == 0) throw std::invalid_argument("dkg::mailbox: party_count must be at least 1");
    }

    mailbox(const mailbox&) = delete;
    mailbox& operator=(const mailbox&) = delete;

    /// Destroys pending receives' handlers without invoking them, as Asio does with the handlers of
    /// a destroyed I/O object's context; call `close` first to complete them.
    ~mailbox()
    {
        for (auto& [k, e] : entries_)
            for (auto& w : e.waiters) w.slot.clear();
    }

    /// Where completions are posted.
    const executor_type& get_executor() const noexcept { return ex_; }

    /// n.
    std::size_t party_count() const noexcept { return parties_.size(); }

    /// Receives the next message from `from` with exactly `tag`.
    ///
    /// Completion signature: `void(boost::system::error_code, std::vector<std::uint8_t>)`. Errors:
    /// the party's failure (see `fail_party`), errc::closed after `close` or for a closed session,
    /// operation_aborted on cancellation.
    /// @throws std::invalid_argument if `from` is not in 1..n.
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(receive_signature) CompletionToken>
    auto async_receive(party_id from, const message_tag& tag, CompletionToken&& token)
    {
        check_party(from);
        return boost::asio::async_initiate<CompletionToken, receive_signature>(
            [this](auto handler, party_id sender, const message_tag& t) { this->start_receive(std::move(handler), sender, t); }, token, from,
            tag);
    }

    /// Hands an incoming message to a pending receive, or buffers it.
    ///
    /// @returns success, or why the message was dropped: errc::buffer_limit (this message made the
    /// sender fail), errc::wrong_session (its session was closed), errc::closed (the mailbox is closed
    /// or the sender had already failed), or errc::unknown_party for a sender outside 1..n.
    boost::system::error_code deliver(party_id from, const message_tag& tag, payload_type&& payload)
    {
        if (closed_) return make_error_code(errc::closed);
        if (from == 0 || from > parties_.size()) return make_error_code(errc::unknown_party);
        auto& party = parties_[from - 1];
        if (party.error) return make_error_code(errc::closed);
        if (closed_sessions_.contains(tag.session)) return make_error_code(errc::wrong_session);

        const key k = make_key(from, tag);
        auto it = entries_.find(k);
        if (it != entries_.end()) {
            entry& e = it->second;
            if (!e.waiters.empty()) {
                waiter w = std::move(e.waiters.front());
                e.waiters.pop_front();
                --pending_;
                if (e.empty()) entries_.erase(it);
                finish(std::move(w), {}, std::move(payload));
                return {};
            }
            if (e.discard > 0) {
                --e.discard;
                if (e.empty()) entries_.erase(it);
                return {};
            }
        }
        const std::size_t cost = payload.size() + message_overhead;
        if (cost > max_buffered_ || party.buffered > max_buffered_ - cost) {
            fail_party(from, make_error_code(errc::buffer_limit));
            return make_error_code(errc::buffer_limit);
        }
        party.buffered += cost;
        ++buffered_messages_;
        if (it == entries_.end()) it = entries_.try_emplace(k).first;
        it->second.messages.push_back(std::move(payload));
        return {};
    }

    /// Marks `from` as failed with `ec` (the first failure is kept). Pending receives from it
    /// complete with that error; later receives too, once its buffered messages are consumed.
    /// For errc::buffer_limit its buffered messages are dropped at once.
    void fail_party(party_id from, boost::system::error_code ec)
    {
        if (from == 0 || from > parties_.size() || closed_) return;
        auto& party = parties_[from - 1];
        if (!party.error) party.error = ec;
        const bool drop = party.error == make_error_code(errc::buffer_limit);
        std::vector<waiter> failed;
        for (auto it = entries_.begin(); it != entries_.end();) {
            if (it->first.from != from) {
                ++it;
                continue;
            }
            entry& e = it->second;
            take_waiters(e, failed);
            e.discard = 0;
            if (drop) drop_messages(party, e);
            it = e.empty() ? entries_.erase(it) : std::next(it);
        }
        for (auto& w : failed) finish(std::move(w), party.error, {});
    }

    /// The failure recorded for `from`, if any.
    boost::system::error_code party_error(party_id from) const
    {
        check_party(from);
        return parties_[from - 1].error;
    }

    /// Drops every buffered message of session `id`, completes its pending receives with errc::closed
    /// and makes `deliver` refuse its later messages with errc::wrong_session.
    void close_session(const session_id& id)
    {
        if (closed_sessions_.insert(id).second) {
            closed_order_.push_back(id);
            if (closed_order_.size() > max_closed_sessions) {
                closed_sessions_.erase(closed_order_.front());
                closed_order_.pop_front();
            }
        }
        std::vector<waiter> failed;
        const auto first = entries_.lower_bound(key{id, 0, 0, 0, 0});
        auto last = first;
        for (; last != entries_.end() && last->first.session == id; ++last) {
            take_waiters(last->second, failed);
            drop_messages(parties_[last->first.from - 1], last->second);
        }
        entries_.erase(first, last);
        for (auto& w : failed) finish(std::move(w), make_error_code(errc::closed), {});
    }

    /// Whether `close_session(id)` was called (and not yet forgotten).
    bool session_closed(const session_id& id) const { return closed_sessions_.contains(id); }

    /// Drops the next message from `from` with `tag` that no receive asks for: the buffered one if
    /// there is one, else the next to arrive. Used when a receive was abandoned (gather_first).
    void discard_next(party_id from, const message_tag& tag)
    {
        check_party(from);
        if (closed_ || parties_[from - 1].error) return;
        auto it = entries_.try_emplace(make_key(from, tag)).first;
        entry& e = it->second;
        if (e.has_message()) {
            auto& party = parties_[from - 1];
            party.buffered -= e.front().size() + message_overhead;
            --buffered_messages_;
            e.pop();
        } else {
            ++e.discard;
        }
        if (e.empty()) entries_.erase(it);
    }

    /// Completes every pending and later receive with `ec` and drops all buffered messages.
    void close(boost::system::error_code ec)
    {
        if (closed_) return;
        closed_ = true;
        close_error_ = ec;
        std::vector<waiter> failed;
        for (auto& [k, e] : entries_) take_waiters(e, failed);
        entries_.clear();
        for (auto& party : parties_) party.buffered = 0;
        buffered_messages_ = 0;
        for (auto& w : failed) finish(std::move(w), ec, {});
    }

    /// Whether `close` was called.
    bool closed() const noexcept { return closed_; }

    /// Bytes (payload plus overhead) buffered for `from`.
    std::size_t buffered_bytes(party_id from) const
    {
        check_party(from);
        return parties_[from - 1].buffered;
    }

    /// Messages buffered and not yet received, over all senders.
    std::size_t buffered_messages() const noexcept { return buffered_messages_; }

    /// Receives waiting for a message.
    std::size_t pending_receives() const noexcept { return pending_; }

private:
    struct key {
        session_id session{};
        party_id from = 0;
        std::uint32_t step = 0;
        std::uint32_t round = 0;
        std::uint32_t topic = 0;
        friend auto operator<=>(const key&, const key&) = default;
    };

    struct waiter {
        std::uint64_t id = 0;
        boost::asio::cancellation_slot slot;
        boost::asio::any_completion_handler<receive_signature> handler;
    };

    struct entry {
        std::vector<payload_type> messages; // FIFO from `head`
        std::size_t head = 0;
        std::list<waiter> waiters; // node-based: waiters are never move-assigned
        std::uint32_t discard = 0;

        bool has_message() const noexcept { return head < messages.size(); }
        bool empty() const noexcept { return !has_message() && waiters.empty() && discard == 0; }
        payload_type& front() noexcept { return messages[head]; }
        payload_type pop()
        {
            payload_type p = std::move(messages[head++]);
            if (head == messages.size()) {
                messages.clear();
                head = 0;
            } else if (head >= 32 && 2 * head >= messages.size()) {
                messages.erase(messages.begin(), messages.begin() + static_cast<std::ptrdiff_t>(head));
                head = 0;
            }
            return p;
        }
    };

    struct party_state {
        std::size_t buffered = 0;
        boost::system::error_code error;
    };

    struct cancel_handler {
        mailbox* self;
        key k;
        std::uint64_t id;

        void operator()(boost::asio::cancellation_type type) const
        {
            if ((type & (boost::asio::cancellation_type::terminal | boost::asio::cancellation_type::partial |
                         boost::asio::cancellation_type::total)) != boost::asio::cancellation_type::none)
                self->cancel(k, id);
        }
    };

    static key make_key(party_id from, const message_tag& tag) noexcept { return key{tag.session, from, tag.step, tag.round, tag.topic}; }

    void check_party(party_id p) const
    {
        if (p == 0 || p > parties_.size()) throw std::invalid_argument("dkg mailbox: party id " + std::to_string(p) + " is not in 1..n");
    }

    template <class Handler>
    void start_receive(Handler handler, party_id from, const message_tag& tag)
    {
        if (closed_) return post_completion(std::move(handler), close_error_, {});
        const key k = make_key(from, tag);
        auto it = entries_.find(k);
        if (it != entries_.end() && it->second.has_message()) {
            entry& e = it->second;
            parties_[from - 1].buffered -= e.front().size() + message_overhead;
            --buffered_messages_;
            payload_type p = e.pop();
            if (e.empty()) entries_.erase(it);
            return post_completion(std::move(handler), {}, std::move(p));
        }
        if (auto ec = parties_[from - 1].error) return post_completion(std::move(handler), ec, {});
        if (closed_sessions_.contains(tag.session)) return post_completion(std::move(handler), make_error_code(errc::closed), {});

        if (it == entries_.end()) it = entries_.try_emplace(k).first;
        const std::uint64_t id = ++next_id_;
        // The type-erased handler installs its own cancellation state in the handler's slot, so take
        // the slot from it, not from the original handler.
        boost::asio::any_completion_handler<receive_signature> erased(std::move(handler));
        auto slot = boost::asio::get_associated_cancellation_slot(erased);
        if (slot.is_connected()) slot.template emplace<cancel_handler>(cancel_handler{this, k, id});
        it->second.waiters.push_back(waiter{id, slot, std::move(erased)});
        ++pending_;
    }

    // Runs inside the cancellation handler: the slot is not cleared here (that would destroy the
    // running handler); a later emission finds no waiter with this id and does nothing.
    void cancel(const key& k, std::uint64_t id)
    {
        auto it = entries_.find(k);
        if (it == entries_.end()) return;
        auto& waiters = it->second.waiters;
        for (auto w = waiters.begin(); w != waiters.end(); ++w) {
            if (w->id != id) continue;
            auto handler = std::move(w->handler);
            waiters.erase(w);
            --pending_;
            if (it->second.empty()) entries_.erase(it);
            post_completion(std::move(handler), boost::asio::error::operation_aborted, {});
            return;
        }
    }

    void take_waiters(entry& e, std::vector<waiter>& out)
    {
        pending_ -= e.waiters.size();
        for (auto& w : e.waiters) out.push_back(std::move(w));
        e.waiters.clear();
    }

    void drop_messages(party_state& party, entry& e)
    {
        while (e.has_message()) {
            party.buffered -= e.front().size() + message_overhead;
            --buffered_messages_;
            e.pop();
        }
    }

    void finish(waiter&& w, boost::system::error_code ec, payload_type&& payload)
    {
        w.slot.clear();
        post_completion(std::move(w.handler), ec, std::move(payload));
    }

    template <class Handler>
    void post_completion(Handler&& handler, boost::system::error_code ec, payload_type&& payload)
    {
        boost::asio::post(ex_, boost::asio::append(std::forward<Handler>(handler), ec, std::move(payload)));
    }

    Executor ex_;
    std::size_t max_buffered_;
    std::vector<party_state> parties_;
    std::map<key, entry> entries_;
    std::set<session_id> closed_sessions_;
    std::deque<session_id> closed_order_;
    std::size_t buffered_messages_ = 0;
    std::size_t pending_ = 0;
    std::uint64_t next_id_ = 0;
    bool closed_ = false;
    boost::system::error_code close_error_;
};

} // namespace dkg
