// Wire frames of dkg's TCP transport: encoding, and decoding with validation.
//
// Every frame is a 12-byte header followed by a body (all integers big-endian):
//
//   offset  size  field
//   0       4     magic 0x444B4721 ("DKG!")
//   4       1     version (1)
//   5       1     type: 1 hello, 2 message, 3 goodbye
//   6       2     flags (0 in version 1; any other value is refused)
//   8       4     body size in bytes
//
//   hello body:    u16 protocol version (1), u32 sender party id, u32 party count,
//                  u8 network id length (<= 64), network id bytes
//   message body:  u32 sender party id, u64 sequence number (1, 2, ... per connection),
//                  16-byte session id, u32 step, u32 round, u32 topic, then the payload
//   goodbye body:  u32 reason (a dkg::errc value; 0 for a normal shutdown)
//
// Decoding checks the header first (magic, version, type, flags, body size against the caller's
// limit and the type's bounds), so a receiver never allocates more than its limit for a frame.
#pragma once

#include <dkg/error.hpp>
#include <dkg/transport.hpp>

#include <boost/system/system_error.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace dkg::framing {

/// First four bytes of every frame ("DKG!").
inline constexpr std::uint32_t magic = 0x444B4721u;

/// The frame format version this build writes and accepts.
inline constexpr std::uint8_t version = 1;

/// Size of the frame header.
inline constexpr std::size_t header_size = 12;

/// Bytes of a message body before the payload (sender, sequence number, tag).
inline constexpr std::size_t message_prefix_size = 4 + 8 + 16 + 4 + 4 + 4;

/// Longest network id a hello may carry.
inline constexpr std::size_t max_network_id_size = 64;

/// Smallest hello body (empty network id).
inline constexpr std::size_t min_hello_size = 2 + 4 + 4 + 1;

/// Largest hello body.
inline constexpr std::size_t max_hello_size = min_hello_size + max_network_id_size;

/// Size of a goodbye body.
inline constexpr std::size_t goodbye_size = 4;

/// Frame types.
enum class frame_type : std::uint8_t {
    hello = 1,   ///< first frame on a connection, in both directions
    message = 2, ///< one protocol message
    goodbye = 3, ///< the sender closes the connection; nothing follows
};

/// A decoded frame header.
struct frame_header {
    frame_type type = frame_type::message; ///< the frame's type
    std::uint32_t body_size = 0;           ///< bytes following the header, within the limits checked
};

/// The hello frame's body.
struct hello {
    std::uint16_t protocol_version = version; ///< the version the sender speaks
    party_id sender = 0;                      ///< the sender's party id (1..n)
    std::uint32_t party_count = 0;            ///< n as configured at the sender
    std::string network_id;                   ///< optional cluster name; both sides must agree

    friend bool operator==(const hello&, const hello&) = default;
};

/// The part of a message body before its payload.
struct message_prefix {
    party_id sender = 0;        ///< the sender's id; must match its hello
    std::uint64_t sequence = 0; ///< 1 for the first message frame on a connection, then +1 per frame
    message_tag tag;            ///< session, step, round, topic

    friend bool operator==(const message_prefix&, const message_prefix&) = default;
};

/// A decoded message frame.
struct message {
    message_prefix prefix;             ///< sender, sequence number, tag
    std::vector<std::uint8_t> payload; ///< the message itself
};

/// A frame that fails validation. `code()` is errc::malformed_message, errc::unsupported_version or
/// errc::message_too_large; `what()` says which check failed (never the frame's contents).
class frame_error : public boost::system::system_error {
public:
    /// @param code errc::malformed_message, errc::unsupported_version or errc::message_too_large.
    /// @param what_failed which check failed (never the frame's contents).
    frame_error(errc code, const std::string& what_failed)
        : boost::system::system_error(make_error_code(code)), text_(make_error_code(code).message() + ": " + what_failed)
    {
    }
    /// The error code's message, then what failed.
    const char* what() const noexcept override { return text_.c_str(); }

private:
    std::string text_;
};

namespace detail {

inline void put_u16(std::vector<std::uint8_t>& out, std::uint16_t v)
{
    out.push_back(static_cast<std::uint8_t>(v >> 8));
    out.push_back(static_cast<std::uint8_t>(v));
}

inline void put_u32(std::vector<std::uint8_t>& out, std::uint32_t v)
{
    for (int i = 3; i >= 0; --i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

inline void put_u64(std::vector<std::uint8_t>& out, std::uint64_t v)
{
    for (int i = 7; i >= 0; --i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

inline std::uint64_t get_be(std::span<const std::uint8_t> in, std::size_t offset, std::size_t width) noexcept
{
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < width; ++i) v = (v << 8) | in[offset + i];
    return v;
}

inline std::vector<std::uint8_t> start_frame(frame_type type, std::size_t body_size, std::size_t reserve)
{
    if (body_size > 0xffffffffu) throw std::length_error("dkg framing: frame body larger than 4 GiB");
    std::vector<std::uint8_t> out;
    out.reserve(header_size + reserve);
    put_u32(out, magic);
    out.push_back(version);
    out.push_back(static_cast<std::uint8_t>(type));
    put_u16(out, 0);
    put_u32(out, static_cast<std::uint32_t>(body_size));
    return out;
}

} // namespace detail

/// Encodes a hello frame (header and body).
/// @throws std::invalid_argument if the network id is longer than max_network_id_size.
inline std::vector<std::uint8_t> encode_hello(const hello& h)
{
    if (h.network_id.size() > max_network_id_size)
        throw std::invalid_argument("dkg framing: network id longer than " + std::to_string(max_network_id_size) + " bytes");
    const std::size_t body = min_hello_size + h.network_id.size();
    auto out = detail::start_frame(frame_type::hello, body, body);
    detail::put_u16(out, h.protocol_version);
    detail::put_u32(out, h.sender);
    detail::put_u32(out, h.party_count);
    out.push_back(static_cast<std::uint8_t>(h.network_id.size()));
    out.insert(out.end(), h.network_id.begin(), h.network_id.end());
    return out;
}

/// Encodes the header and prefix of a message frame whose payload (`payload_size` bytes) is
/// written right after it; lets a sender write the payload from its own buffer.
/// @throws std::length_error if the body would exceed 4 GiB.
inline std::vector<std::uint8_t> encode_message_head(const message_prefix& prefix, std::size_t payload_size)
{
    if (payload_size > 0xffffffffu - message_prefix_size) throw std::length_error("dkg framing: message larger than 4 GiB");
    auto out = detail::start_frame(frame_type::message, message_prefix_size + payload_size, message_prefix_size);
    detail::put_u32(out, prefix.sender);
    detail::put_u64(out, prefix.sequence);
    out.insert(out.end(), prefix.tag.session.begin(), prefix.tag.session.end());
    detail::put_u32(out, prefix.tag.step);
    detail::put_u32(out, prefix.tag.round);
    detail::put_u32(out, prefix.tag.topic);
    return out;
}

/// Offset of the sequence number in the output of `encode_message_head` (to set it when the frame
/// is written).
inline constexpr std::size_t sequence_offset = header_size + 4;

/// Overwrites the sequence number in a frame produced by `encode_message_head`.
inline void set_sequence(std::span<std::uint8_t> head, std::uint64_t sequence) noexcept
{
    for (std::size_t i = 0; i < 8; ++i) head[sequence_offset + i] = static_cast<std::uint8_t>(sequence >> (56 - 8 * i));
}

/// Encodes a whole message frame.
inline std::vector<std::uint8_t> encode_message(const message_prefix& prefix, std::span<const std::uint8_t> payload)
{
    auto out = encode_message_head(prefix, payload.size());
    out.insert(out.end(), payload.begin(), payload.end());
    return out;
}

/// Encodes a goodbye frame.
inline std::vector<std::uint8_t> encode_goodbye(errc reason = errc::success)
{
    auto out = detail::start_frame(frame_type::goodbye, goodbye_size, goodbye_size);
    detail::put_u32(out, static_cast<std::uint32_t>(reason));
    return out;
}

/// Decodes and validates a frame header.
///
/// @param header at least header_size bytes (only the first header_size are read).
/// @param max_message_body the largest message body accepted (prefix plus payload).
/// @throws frame_error with errc::malformed_message (bad magic, unknown type, non-zero flags, a body
/// size outside the type's bounds, fewer than header_size bytes), errc::unsupported_version, or
/// errc::message_too_large (a message body above `max_message_body`).
inline frame_header decode_header(std::span<const std::uint8_t> header, std::size_t max_message_body)
{
    if (header.size() < header_size) throw frame_error(errc::malformed_message, "truncated frame header");
    if (detail::get_be(header, 0, 4) != magic) throw frame_error(errc::malformed_message, "bad frame magic");
    if (header[4] != version)
        throw frame_error(errc::unsupported_version,
                          "frame version " + std::to_string(header[4]) + ", this build speaks " + std::to_string(version));
    const auto type = header[5];
    if (type < 1 || type > 3) throw frame_error(errc::malformed_message, "unknown frame type " + std::to_string(type));
    if (detail::get_be(header, 6, 2) != 0) throw frame_error(errc::malformed_message, "unknown frame flags");
    frame_header h{static_cast<frame_type>(type), static_cast<std::uint32_t>(detail::get_be(header, 8, 4))};
    switch (h.type) {
    case frame_type::hello:
        if (h.body_size < min_hello_size || h.body_size > max_hello_size)
            throw frame_error(errc::malformed_message, "hello body of " + std::to_string(h.body_size) + " bytes");
        break;
    case frame_type::goodbye:
        if (h.body_size != goodbye_size)
            throw frame_error(errc::malformed_message, "goodbye body of " + std::to_string(h.body_size) + " bytes");
        break;
    case frame_type::message:
        if (h.body_size < message_prefix_size)
            throw frame_error(errc::malformed_message, "message body of " + std::to_string(h.body_size) + " bytes");
        if (h.body_size > max_message_body)
            throw frame_error(errc::message_too_large, "message body of " + std::to_string(h.body_size) + " bytes exceeds the limit of " +
                                                           std::to_string(max_message_body));
        break;
    }
    return h;
}

/// Decodes a hello body.
/// @throws frame_error with errc::malformed_message if the body is not a valid hello, or
/// errc::unsupported_version if it announces another protocol version.
inline hello decode_hello(std::span<const std::uint8_t> body)
{
    if (body.size() < min_hello_size || body.size() > max_hello_size) throw frame_error(errc::malformed_message, "bad hello size");
    hello h;
    h.protocol_version = static_cast<std::uint16_t>(detail::get_be(body, 0, 2));
    h.sender = static_cast<party_id>(detail::get_be(body, 2, 4));
    h.party_count = static_cast<std::uint32_t>(detail::get_be(body, 6, 4));
    const std::size_t id_size = body[10];
    if (body.size() != min_hello_size + id_size) throw frame_error(errc::malformed_message, "hello network id length mismatch");
    h.network_id.assign(body.begin() + min_hello_size, body.end());
    if (h.protocol_version != version)
        throw frame_error(errc::unsupported_version,
                          "protocol version " + std::to_string(h.protocol_version) + ", this build speaks " + std::to_string(version));
    return h;
}

/// Decodes the prefix of a message body (its first message_prefix_size bytes).
/// @throws frame_error with errc::malformed_message if fewer bytes are given.
inline message_prefix decode_message_prefix(std::span<const std::uint8_t> body)
{
    if (body.size() < message_prefix_size) throw frame_error(errc::malformed_message, "truncated message prefix");
    message_prefix p;
    p.sender = static_cast<party_id>(detail::get_be(body, 0, 4));
    p.sequence = detail::get_be(body, 4, 8);
    std::copy_n(body.begin() + 12, 16, p.tag.session.begin());
    p.tag.step = static_cast<std::uint32_t>(detail::get_be(body, 28, 4));
    p.tag.round = static_cast<std::uint32_t>(detail::get_be(body, 32, 4));
    p.tag.topic = static_cast<std::uint32_t>(detail::get_be(body, 36, 4));
    return p;
}

/// Decodes a whole message body (copies the payload).
inline message decode_message(std::span<const std::uint8_t> body)
{
    message m;
    m.prefix = decode_message_prefix(body);
    m.payload.assign(body.begin() + message_prefix_size, body.end());
    return m;
}

/// Decodes a goodbye body; returns its reason code (unknown values are kept as they are).
/// @throws frame_error with errc::malformed_message if the body is not 4 bytes.
inline std::uint32_t decode_goodbye(std::span<const std::uint8_t> body)
{
    if (body.size() != goodbye_size) throw frame_error(errc::malformed_message, "bad goodbye size");
    return static_cast<std::uint32_t>(detail::get_be(body, 0, 4));
}

} // namespace dkg::framing
