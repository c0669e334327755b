// Error codes and exceptions of dkg.
//
// Two kinds of failure are kept apart:
//  - caller mistakes (bad parameters, a plaintext out of range, a ciphertext of another key) throw
//    std::invalid_argument (or std::out_of_range) at the call, with a message naming the parameter;
//  - faults of a peer or the network (timeouts, malformed or unexpected messages, failed checks) end
//    the operation with a dkg::protocol_error, which carries a dkg::errc and the id of the party
//    at fault. Asynchronous operations deliver it through their completion handler.
// No message produced here ever contains secret values.
#pragma once

#include <boost/system/error_code.hpp>
#include <boost/system/system_error.hpp>

#include <cstdint>
#include <string>
#include <type_traits>

namespace dkg {

/// Identifier of a party: 1..n, taken from configuration (protocol.md §0).
using party_id = std::uint32_t;

/// Error codes used by dkg's protocols, transports and decoders.
enum class errc {
    success = 0,
    timeout = 1,              ///< a party did not answer within the operation's timeout
    peer_disconnected,        ///< the connection to a party closed or failed
    malformed_message,        ///< a message could not be decoded
    message_too_large,        ///< a message or frame exceeded its size limit
    unsupported_version,      ///< a frame or file carries a version this build does not know
    unknown_party,            ///< a message names a party id outside 1..n
    wrong_session,            ///< a message belongs to another session
    duplicate_message,        ///< a party sent the same message twice
    protocol_violation,       ///< a well-formed message with values the protocol does not allow
    inconsistent_result,      ///< parties disagree on a public value
    verification_failed,      ///< a proof or a consistency check failed
    not_enough_shares,        ///< fewer valid contributions than the threshold requires
    too_many_attempts,        ///< a retry loop hit its configured limit
    buffer_limit,             ///< the receive buffer for early messages is full
    closed,                   ///< the transport or session was shut down
    corrupt_file,             ///< a stored file fails its checksum or structure checks
};

namespace detail {

class dkg_category_impl final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "dkg"; }

    std::string message(int value) const override
    {
        switch (static_cast<errc>(value)) {
        case errc::success: return "success";
        case errc::timeout: return "timed out waiting for a party";
        case errc::peer_disconnected: return "a party disconnected";
        case errc::malformed_message: return "malformed message";
        case errc::message_too_large: return "message exceeds the size limit";
        case errc::unsupported_version: return "unsupported format version";
        case errc::unknown_party: return "unknown party id";
        case errc::wrong_session: return "message of another session";
        case errc::duplicate_message: return "duplicate message";
        case errc::protocol_violation: return "protocol violation";
        case errc::inconsistent_result: return "parties disagree on a public value";
        case errc::verification_failed: return "verification failed";
        case errc::not_enough_shares: return "not enough valid shares";
        case errc::too_many_attempts: return "too many attempts";
        case errc::buffer_limit: return "receive buffer limit reached";
        case errc::closed: return "closed";
        case errc::corrupt_file: return "corrupt or inconsistent file";
        }
        return "unknown dkg error";
    }
};

} // namespace detail

/// The error category of dkg::errc.
inline const boost::system::error_category& dkg_category() noexcept
{
    static const detail::dkg_category_impl instance;
    return instance;
}

/// Makes an error_code from a dkg::errc (found by ADL).
inline boost::system::error_code make_error_code(errc e) noexcept
{
    return {static_cast<int>(e), dkg_category()};
}

/// No party: used for errors that are not attributable to one party.
inline constexpr party_id no_party = 0;

/// A failure of a distributed operation, attributed to a party where possible.
///
/// `what()` reads like "party 2: timed out waiting for a party (keygen: modulus shares)". It never
/// contains secret values.
class protocol_error : public boost::system::system_error {
public:
    /// @param ec what went wrong (usually a dkg::errc).
    /// @param party the party at fault, or dkg::no_party.
    /// @param context where: the protocol step and what was awaited, never a secret value.
    protocol_error(boost::system::error_code ec, party_id party, const std::string& context)
        : boost::system::system_error(ec), party_(party), context_(context), text_(describe(ec, party, context))
    {
    }

    /// "party P: message (context)", without secrets.
    const char* what() const noexcept override { return text_.c_str(); }

    /// The party at fault, or dkg::no_party.
    party_id party() const noexcept { return party_; }

    /// Where the failure happened (protocol step), without secrets.
    const std::string& context() const noexcept { return context_; }

private:
    static std::string describe(boost::system::error_code ec, party_id party, const std::string& context)
    {
        std::string text;
        if (party != no_party) text = "party " + std::to_string(party) + ": ";
        text += ec.message();
        if (!context.empty()) text += " (" + context + ")";
        return text;
    }

    party_id party_;
    std::string context_;
    std::string text_;
};

} // namespace dkg

/// @cond
template <>
struct boost::system::is_error_code_enum<dkg::errc> : std::true_type {};
/// @endcond
