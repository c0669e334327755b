// Transport frames (dkg/transport/framing.hpp): the input is a byte stream as a TCP peer would
// send it, decoded frame by frame the way the TCP transport reads it (header, then a body of the
// announced size). Every frame that decodes must encode back to exactly the same bytes.
#include "fuzz_support.hpp"

#include <dkg/transport/framing.hpp>

#include <algorithm>

namespace framing = dkg::framing;

namespace {

// A small limit, as a receiver would configure it, so that oversized frames are exercised too.
constexpr std::size_t max_message_body = 4096;

void decode_stream(std::span<const std::uint8_t> stream)
{
    while (stream.size() >= framing::header_size) {
        framing::frame_header h;
        try {
            h = framing::decode_header(stream.first(framing::header_size), max_message_body);
        } catch (const framing::frame_error& e) {
            dkg_fuzz::require_code(e, {dkg::errc::malformed_message, dkg::errc::unsupported_version, dkg::errc::message_too_large});
            return; // the transport closes the connection here
        }
        dkg_fuzz::require(h.type != framing::frame_type::message || h.body_size <= max_message_body, "message body above the limit");
        const auto frame_size = framing::header_size + h.body_size;
        if (stream.size() < frame_size) return; // truncated: the transport waits for more bytes
        const auto frame = stream.first(frame_size);
        const auto body = frame.subspan(framing::header_size);
        try {
            switch (h.type) {
            case framing::frame_type::hello: {
                const auto hello = framing::decode_hello(body);
                const auto again = framing::encode_hello(hello);
                dkg_fuzz::require(std::equal(again.begin(), again.end(), frame.begin(), frame.end()), "hello does not round-trip");
                break;
            }
            case framing::frame_type::message: {
                const auto m = framing::decode_message(body);
                dkg_fuzz::require(m.payload.size() == body.size() - framing::message_prefix_size, "payload size");
                const auto again = framing::encode_message(m.prefix, m.payload);
                dkg_fuzz::require(std::equal(again.begin(), again.end(), frame.begin(), frame.end()), "message does not round-trip");
                break;
            }
            case framing::frame_type::goodbye: {
                const auto reason = framing::decode_goodbye(body);
                const auto again = framing::encode_goodbye(static_cast<dkg::errc>(reason));
                dkg_fuzz::require(std::equal(again.begin(), again.end(), frame.begin(), frame.end()), "goodbye does not round-trip");
                break;
            }
            }
        } catch (const framing::frame_error&) {
            return;
        }
        stream = stream.subspan(frame_size);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::span<const std::uint8_t> all(data, size);
    decode_stream(all);
    // The body decoders on their own, with any length (the transport never passes them a body of
    // another size than the header announced, but they must not read out of bounds either).
    try {
        (void)framing::decode_hello(all);
    } catch (const framing::frame_error&) {
    }
    try {
        (void)framing::decode_message_prefix(all);
    } catch (const framing::frame_error&) {
    }
    try {
        (void)framing::decode_goodbye(all);
    } catch (const framing::frame_error&) {
    }
    return 0;
}
