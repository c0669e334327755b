#include <dkg/transport/framing.hpp>

#include <dkg/testing/seeded_rng.hpp>

#include <boost/test/unit_test.hpp>

#include <functional>
#include <span>
#include <string>
#include <vector>

namespace framing = dkg::framing;
using bytes = std::vector<std::uint8_t>;

namespace {

std::span<const std::uint8_t> body_of(const bytes& frame) { return std::span<const std::uint8_t>(frame).subspan(framing::header_size); }

dkg::errc code_of(const std::function<void()>& f)
{
    try {
        f();
    } catch (const framing::frame_error& e) {
        BOOST_TEST(std::string(e.what()).find(e.code().message()) == 0u);
        return static_cast<dkg::errc>(e.code().value());
    }
    return dkg::errc::success;
}

bytes header(std::uint32_t magic, std::uint8_t version, std::uint8_t type, std::uint16_t flags, std::uint32_t size)
{
    return bytes{static_cast<std::uint8_t>(magic >> 24), static_cast<std::uint8_t>(magic >> 16), static_cast<std::uint8_t>(magic >> 8),
                 static_cast<std::uint8_t>(magic), version, type, static_cast<std::uint8_t>(flags >> 8), static_cast<std::uint8_t>(flags),
                 static_cast<std::uint8_t>(size >> 24), static_cast<std::uint8_t>(size >> 16), static_cast<std::uint8_t>(size >> 8),
                 static_cast<std::uint8_t>(size)};
}

} // namespace

BOOST_AUTO_TEST_SUITE(framing_tests)

BOOST_AUTO_TEST_CASE(hello_round_trip)
{
    const framing::hello h{framing::version, 3, 5, "cluster-a"};
    const auto frame = framing::encode_hello(h);
    const auto head = framing::decode_header(frame, 1000);
    BOOST_TEST((head.type == framing::frame_type::hello));
    BOOST_TEST(head.body_size == frame.size() - framing::header_size);
    BOOST_TEST((framing::decode_hello(body_of(frame)) == h));
    BOOST_CHECK_THROW(framing::encode_hello({framing::version, 1, 2, std::string(65, 'x')}), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(message_round_trip_and_known_bytes)
{
    dkg::message_tag tag;
    for (std::size_t i = 0; i < tag.session.size(); ++i) tag.session[i] = static_cast<std::uint8_t>(i);
    tag.step = 101;
    tag.round = 2;
    tag.topic = 0x01020304;
    const framing::message_prefix prefix{7, 9, tag};
    const bytes payload{0xaa, 0xbb, 0xcc};
    const auto frame = framing::encode_message(prefix, payload);
    // The wire format of docs/transport.md, byte for byte.
    const bytes expected{0x44, 0x4b, 0x47, 0x21, 1, 2, 0, 0, 0, 0, 0, 43,         // header: magic, v1, message, flags, body 43
                         0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0, 9,                      // sender 7, sequence 9
                         0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,     // session
                         0, 0, 0, 101, 0, 0, 0, 2, 1, 2, 3, 4, 0xaa, 0xbb, 0xcc}; // step, round, topic, payload
    BOOST_TEST(frame == expected, boost::test_tools::per_element());
    const auto head = framing::decode_header(frame, 1000);
    BOOST_TEST((head.type == framing::frame_type::message));
    const auto m = framing::decode_message(body_of(frame));
    BOOST_TEST((m.prefix == prefix));
    BOOST_TEST(m.payload == payload, boost::test_tools::per_element());

    auto head_only = framing::encode_message_head(prefix, payload.size());
    framing::set_sequence(head_only, 0x1122334455667788ull);
    BOOST_TEST(framing::decode_message_prefix(std::span<const std::uint8_t>(head_only).subspan(framing::header_size)).sequence == 0x1122334455667788ull);
}

BOOST_AUTO_TEST_CASE(goodbye_round_trip)
{
    const auto frame = framing::encode_goodbye(dkg::errc::duplicate_message);
    BOOST_TEST((framing::decode_header(frame, 0).type == framing::frame_type::goodbye));
    BOOST_TEST(framing::decode_goodbye(body_of(frame)) == static_cast<std::uint32_t>(dkg::errc::duplicate_message));
}

BOOST_AUTO_TEST_CASE(header_validation)
{
    using dkg::errc;
    BOOST_TEST((code_of([] { framing::decode_header(header(framing::magic, 1, 2, 0, 40), 100); }) == errc::success));
    BOOST_TEST((code_of([] { framing::decode_header(header(0x47455420, 1, 2, 0, 40), 100); }) == errc::malformed_message)); // "GET "
    BOOST_TEST((code_of([] { framing::decode_header(header(framing::magic, 2, 2, 0, 40), 100); }) == errc::unsupported_version));
    BOOST_TEST((code_of([] { framing::decode_header(header(framing::magic, 0, 2, 0, 40), 100); }) == errc::unsupported_version));
    BOOST_TEST((code_of([] { framing::decode_header(header(framing::magic, 1, 4, 0, 40), 100); }) == errc::malformed_message));
    BOOST_TEST((code_of([] { framing::decode_header(header(framing::magic, 1, 0, 0, 40), 100); }) == errc::malformed_message));
    BOOST_TEST((code_of([] { framing::decode_header(header(framing::magic, 1, 2, 1, 40), 100); }) == errc::malformed_message));
    BOOST_TEST((code_of([] { framing::decode_header(header(framing::magic, 1, 2, 0, 101), 100); }) == errc::message_too_large));
    BOOST_TEST((code_of([] { framing::decode_header(header(framing::magic, 1, 2, 0, 0xffffffffu), 100); }) == errc::message_too_large));
    BOOST_TEST((code_of([] { framing::decode_header(header(framing::magic, 1, 2, 0, 39), 100); }) == errc::malformed_message));
    BOOST_TEST((code_of([] { framing::decode_header(header(framing::magic, 1, 1, 0, 10), 100); }) == errc::malformed_message));
    BOOST_TEST((code_of([] { framing::decode_header(header(framing::magic, 1, 1, 0, 76), 100); }) == errc::malformed_message));
    BOOST_TEST((code_of([] { framing::decode_header(header(framing::magic, 1, 3, 0, 5), 100); }) == errc::malformed_message));
    BOOST_TEST((code_of([] { framing::decode_header(bytes(11, 0), 100); }) == errc::malformed_message));
    // The limit applies to message bodies only; a hello's size is bounded by its own format.
    BOOST_TEST((code_of([] { framing::decode_header(header(framing::magic, 1, 1, 0, 20), 0); }) == errc::success));
}

BOOST_AUTO_TEST_CASE(body_validation)
{
    using dkg::errc;
    auto hello = framing::encode_hello({framing::version, 1, 3, "ab"});
    hello[framing::header_size + 10] = 3; // network id length beyond the body
    BOOST_TEST((code_of([&] { framing::decode_hello(body_of(hello)); }) == errc::malformed_message));
    auto v2 = framing::encode_hello({2, 1, 3, ""});
    BOOST_TEST((code_of([&] { framing::decode_hello(body_of(v2)); }) == errc::unsupported_version));
    BOOST_TEST((code_of([] { framing::decode_hello(bytes(5, 0)); }) == errc::malformed_message));
    BOOST_TEST((code_of([] { framing::decode_message_prefix(bytes(39, 0)); }) == errc::malformed_message));
    BOOST_TEST((code_of([] { framing::decode_goodbye(bytes(3, 0)); }) == errc::malformed_message));
}

BOOST_AUTO_TEST_CASE(garbage_never_crashes)
{
    dkg::testing::insecure_seeded_rng rng;
    std::size_t accepted = 0;
    for (int i = 0; i < 20000; ++i) {
        bytes data(framing::header_size + rng() % 80);
        dkg::fill_random(rng, data);
        if (i % 2) {
            // Keep the magic and version so that the later checks are reached too.
            const auto valid = framing::encode_hello({framing::version, 1, 2, ""});
            std::copy_n(valid.begin(), 5, data.begin());
            data[5] = static_cast<std::uint8_t>(1 + rng() % 3);
            data[6] = data[7] = 0;
            const auto size = static_cast<std::uint32_t>(data.size() - framing::header_size);
            for (int b = 0; b < 4; ++b) data[static_cast<std::size_t>(8 + b)] = static_cast<std::uint8_t>(size >> (24 - 8 * b));
        }
        try {
            const auto h = framing::decode_header(data, 1 << 16);
            const std::span<const std::uint8_t> body = body_of(data);
            if (body.size() < h.body_size) continue;
            const auto exact = body.first(h.body_size);
            if (h.type == framing::frame_type::hello) framing::decode_hello(exact);
            if (h.type == framing::frame_type::message) framing::decode_message(exact);
            if (h.type == framing::frame_type::goodbye) framing::decode_goodbye(exact);
            ++accepted;
        } catch (const framing::frame_error&) {
        }
    }
    BOOST_TEST(accepted > 0u);    // valid-looking frames reached the body decoders
    BOOST_TEST(accepted < 10000u); // and random ones were refused
}

BOOST_AUTO_TEST_SUITE_END()
