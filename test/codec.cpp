#include <dkg/codec.hpp>

#include "backends.hpp"

#include <dkg/testing/seeded_rng.hpp>

#include <boost/test/unit_test.hpp>

using namespace test_support;

BOOST_AUTO_TEST_SUITE(codec)

BOOST_AUTO_TEST_CASE_TEMPLATE(round_trip, N, all_backends)
{
    dkg::testing::insecure_seeded_rng rng;
    std::vector<N> values;
    for (int i = 0; i < 20; ++i) {
        N v = dkg::random_bits<N>(static_cast<std::size_t>(i * 50), rng);
        values.push_back(i % 2 ? N(-v) : v);
    }
    dkg::writer w;
    w.u8(7).u32(0xdeadbeef).u64(0x0102030405060708ull).byte_string(std::vector<std::uint8_t>{1, 2, 3});
    w.integer(N(0u)).integer(N(-1)).integers(values);
    const auto encoded = w.finish();

    dkg::reader r(encoded);
    BOOST_TEST(r.u8() == 7u);
    BOOST_TEST(r.u32() == 0xdeadbeefu);
    BOOST_TEST(r.u64() == 0x0102030405060708ull);
    BOOST_TEST((r.byte_string(16) == std::vector<std::uint8_t>{1, 2, 3}));
    BOOST_TEST(r.integer<N>(8) == N(0u));
    BOOST_TEST(r.integer<N>(8) == N(-1));
    BOOST_TEST((r.integers<N>(100, 1000) == values));
    r.expect_end();
}

BOOST_AUTO_TEST_CASE(known_encoding)
{
    dkg::writer w;
    w.integer(dkg::cpp_int(-258));
    BOOST_TEST((w.finish() == dkg::bytes{1, 0, 0, 0, 2, 1, 2}));
}

BOOST_AUTO_TEST_CASE_TEMPLATE(rejects_bad_input, N, backends)
{
    auto decode_int = [](dkg::bytes b, std::size_t max_bits) {
        dkg::reader r(b);
        return r.integer<N>(max_bits);
    };
    BOOST_CHECK_THROW(decode_int({}, 64), dkg::decode_error);                     // empty
    BOOST_CHECK_THROW(decode_int({0, 0, 0, 0, 3, 1, 2}, 64), dkg::decode_error);  // truncated magnitude
    BOOST_CHECK_THROW(decode_int({2, 0, 0, 0, 1, 1}, 64), dkg::decode_error);     // bad sign
    BOOST_CHECK_THROW(decode_int({0, 0, 0, 0, 2, 0, 1}, 64), dkg::decode_error);  // leading zero
    BOOST_CHECK_THROW(decode_int({1, 0, 0, 0, 0}, 64), dkg::decode_error);        // negative zero
    BOOST_CHECK_THROW(decode_int({0, 0, 0, 0, 2, 1, 0}, 8), dkg::decode_error);   // too many bits
    BOOST_CHECK_THROW(decode_int({0, 0xff, 0xff, 0xff, 0xff}, 64), dkg::decode_error); // huge length
    BOOST_TEST(decode_int({0, 0, 0, 0, 2, 1, 0}, 9) == N(256u));

    // A count the input cannot hold is refused before any allocation.
    dkg::bytes huge_count{0xff, 0xff, 0xff, 0xff};
    dkg::reader r(huge_count);
    BOOST_CHECK_THROW(r.integers<N>(0xffffffffu, 64), dkg::decode_error);
    dkg::reader r2(huge_count);
    BOOST_CHECK_THROW(r2.integers<N>(10, 64), dkg::decode_error);

    dkg::bytes trailing{0, 0, 0, 0, 0, 9};
    dkg::reader r3(trailing);
    BOOST_TEST(r3.integer<N>(8) == N(0u));
    BOOST_CHECK_THROW(r3.expect_end(), dkg::decode_error);

    dkg::bytes below{0, 0, 0, 0, 1, 10};
    dkg::reader r4(below);
    BOOST_CHECK_THROW(r4.integer_below(N(10u)), dkg::decode_error);

    try {
        decode_int({0, 0, 0, 0, 3, 1, 2}, 64);
    } catch (const dkg::decode_error& e) {
        BOOST_TEST((e.code() == dkg::errc::malformed_message));
    }
}

BOOST_AUTO_TEST_SUITE_END()
