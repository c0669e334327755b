// The transport policy: how parties exchange byte messages.
//
// dkg's protocols never open sockets themselves: they talk through a Transport that the user can
// replace. dkg ships an in-process transport (dkg/transport/memory.hpp), a TCP transport
// (dkg/transport/tcp.hpp) and a fault-injecting wrapper for tests (dkg/testing/faulty_transport.hpp).
#pragma once

#include <dkg/error.hpp>
#include <dkg/steps.hpp>

#include <boost/asio/async_result.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/system/error_code.hpp>

#include <array>
#include <compare>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace dkg {

/// 128-bit identifier of one protocol run, agreed by all parties in the run's first round.
using session_id = std::array<std::uint8_t, 16>;

/// Identifies a message: which run, which protocol step, which round of it, and which topic within
/// the round. A receive for one tag never consumes a message with another tag.
struct message_tag {
    session_id session{};    ///< the run (session::id)
    std::uint32_t step = 0;  ///< the protocol step (dkg/steps.hpp)
    std::uint32_t round = 0; ///< the round within the step
    std::uint32_t topic = 0; ///< the sub-channel within the round

    friend auto operator<=>(const message_tag&, const message_tag&) = default;
    friend bool operator==(const message_tag&, const message_tag&) = default;
};

/// Describes a tag for error messages (never secret).
inline std::string describe(const message_tag& tag)
{
    return "step " + std::to_string(tag.step) + " (" + steps::name(tag.step) + ") round " + std::to_string(tag.round) + " topic " + std::to_string(tag.topic);
}

/// Diagnostics callback of dkg's transports: `on_fault(party, error, context)`.
///
/// Called when a peer misbehaves (a malformed, oversized or unexpected frame, a full receive
/// buffer, a message for a closed session, a lost connection). `party` is the peer's id, or the id
/// it claimed, or dkg::no_party when the peer is not known yet; `context` describes what happened
/// without any message contents. It is invoked on the transport's executor and must not block; an
/// exception it throws is ignored.
using fault_handler = std::function<void(party_id party, boost::system::error_code error, std::string context)>;

/// Completion signature of `async_send`.
using send_signature = void(boost::system::error_code);

/// Completion signature of `async_receive`.
using receive_signature = void(boost::system::error_code, std::vector<std::uint8_t>);

/// Requirements on a transport T used by one party (Asio-style asynchronous operations).
///
/// | expression                                  | type / completion                               | semantics |
/// |---------------------------------------------|-------------------------------------------------|-----------|
/// | `T::executor_type`                          | an Asio executor                                | where handlers run unless they have their own executor |
/// | `t.get_executor()`                          | `T::executor_type`                              | |
/// | `ct.self()`                                 | `party_id`                                      | this party's id, 1..n |
/// | `ct.party_count()`                          | convertible to `std::size_t`                    | n |
/// | `t.async_send(to, tag, payload, token)`     | `void(error_code)`                              | queues `payload` (a `std::vector<std::uint8_t>`, taken by value) for party `to` ≠ self. Completes once the transport has taken responsibility for the bytes; messages to one party with one tag arrive in the order sent. |
/// | `t.async_receive(from, tag, token)`         | `void(error_code, std::vector<std::uint8_t>)`   | completes with the next message from `from` with exactly this tag. Messages that arrive before anyone asks for them are buffered (within a bound; beyond it the transport fails with errc::buffer_limit). |
///
/// Semantics required of every model:
///  1. A message is delivered at most once, to the receive with its exact (from, tag).
///  2. `async_receive` supports per-operation cancellation (Asio's cancellation slots, at least
///     `cancellation_type::terminal`): on cancellation it completes with
///     `boost::asio::error::operation_aborted` and consumes no message. dkg's sessions rely on this
///     to apply their timeouts.
///  3. When the connection to a party fails or closes, pending and later receives from that party
///     complete with an error (e.g. errc::peer_disconnected); other parties are unaffected.
///  4. Errors never contain message contents.
/// Completion tokens may be anything Asio accepts (`use_awaitable`, `deferred`, callbacks,
/// `use_future`). A transport object is used by one party and need not be thread-safe: call it from
/// its executor.
///
/// Optional members, used by dkg::session when present (dkg's transports have both):
///  - `t.close_session(id)`: drop the buffered messages of session `id` and refuse its later ones
///    (a session calls it when destroyed, so that late messages of a finished run do not pile up);
///  - `t.discard_next(from, tag)`: drop the next message from `from` with `tag` that no receive
///    claims, whether it is buffered already or still to come (gather_first calls it for the
///    receives it abandons).
/// See docs/transport.md for a complete example of a custom transport.
template <class T>
concept transport = requires(T& t, const T& ct, party_id p, message_tag tag, std::vector<std::uint8_t> payload) {
    typename T::executor_type;
    { t.get_executor() } -> std::convertible_to<typename T::executor_type>;
    { ct.self() } -> std::same_as<party_id>;
    { ct.party_count() } -> std::convertible_to<std::size_t>;
    t.async_send(p, tag, std::move(payload), boost::asio::deferred);
    t.async_receive(p, tag, boost::asio::deferred);
};

} // namespace dkg
