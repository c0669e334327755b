#include <dkg/encoding.hpp>

#include "backends.hpp"

#include <dkg/testing/seeded_rng.hpp>

#include <boost/test/unit_test.hpp>

using namespace test_support;

namespace {

template <class N>
const dkg::secret_key<N>& encoding_key()
{
    static const dkg::secret_key<N> key = [] {
        dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, 77);
        return dkg::secret_key<N>::generate(256, rng);
    }();
    return key;
}

} // namespace

BOOST_AUTO_TEST_SUITE(encoding)

BOOST_AUTO_TEST_CASE_TEMPLATE(reference_plaintexts_round_trip, N, all_backends)
{
    dkg::testing::insecure_seeded_rng rng;
    const auto& sk = encoding_key<N>();
    const dkg::fixed_point_encoder<N> enc(sk.public_key(), 8);
    // The plaintext list of the Python reference's tests, at its precision of 8.
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"1", "1.00000000"}, {"2", "2.00000000"}, {"3", "3.00000000"}, {"-1", "-1.00000000"},
        {"-2", "-2.00000000"}, {"-3", "-3.00000000"}, {"1.5", "1.50000000"}, {"42.42424242", "42.42424242"},
        {"-1.5", "-1.50000000"}, {"-42.42424242", "-42.42424242"}, {"0", "0.00000000"}, {"-0.00000001", "-0.00000001"}};
    for (const auto& [in, out] : cases) {
        const auto c = enc.encrypt(std::string_view(in), rng);
        BOOST_TEST(enc.decode(sk.decrypt_residue(c)).to_string() == out);
    }
    BOOST_TEST(enc.decode(enc.encode(-7)).to_string() == "-7.00000000");
    BOOST_TEST(enc.decode(enc.encode(2.25)).to_double() == 2.25);
    BOOST_TEST(enc.decode(enc.encode(1e-3)).to_string() == "0.00100000");
    BOOST_TEST(enc.decode(enc.encode(std::string_view("1.5e2"))).to_string() == "150.00000000");
    // Sum of encrypted fixed-point values.
    const auto sum = enc.encrypt(std::string_view("1.5"), rng) + enc.encrypt(std::string_view("-43.92424242"), rng);
    BOOST_TEST(enc.decode(sk.decrypt_residue(sum)).to_string() == "-42.42424242");
}

BOOST_AUTO_TEST_CASE_TEMPLATE(rounding_half_away_from_zero, N, backends)
{
    const dkg::fixed_point_encoder<N> enc(encoding_key<N>().public_key(), 2);
    BOOST_TEST(enc.decode(enc.encode(std::string_view("0.125"))).to_string() == "0.13");
    BOOST_TEST(enc.decode(enc.encode(std::string_view("-0.125"))).to_string() == "-0.13");
    BOOST_TEST(enc.decode(enc.encode(std::string_view("0.124999"))).to_string() == "0.12");
    BOOST_TEST(enc.decode(enc.encode(std::string_view("0.001"))).to_string() == "0.00");
    BOOST_TEST(enc.decode(enc.encode(std::string_view("1e-400"))).to_string() == "0.00");
    const dkg::fixed_point_encoder<N> integers(encoding_key<N>().public_key(), 0);
    BOOST_TEST(integers.decode(integers.encode(std::string_view("2.5"))).to_string() == "3");
    BOOST_TEST(integers.decode(integers.encode(std::string_view("-2.5"))).to_string() == "-3");
}

BOOST_AUTO_TEST_CASE_TEMPLATE(random_values_round_trip, N, backends)
{
    dkg::testing::insecure_seeded_rng rng;
    const auto& sk = encoding_key<N>();
    const dkg::fixed_point_encoder<N> enc(sk.public_key(), 6);
    const N limit = N(sk.public_key().max_plaintext() / N(1000000u));
    for (int i = 0; i < 300; ++i) {
        const N whole = dkg::random_symmetric(N(limit / N(2u)), rng);
        const std::uint64_t frac = rng() % 1000000;
        std::string frac_text = std::to_string(frac);
        frac_text.insert(0, 6 - frac_text.size(), '0');
        const bool negative = whole < N(0u);
        std::string text = negative ? "-" : "";
        text += dkg::to_decimal(negative ? N(-whole) : whole) + "." + frac_text;
        const auto c = enc.encrypt(std::string_view(text), rng);
        std::string expected = text;
        if (expected == "-0.000000") expected = "0.000000";
        BOOST_TEST(enc.decode(sk.decrypt_residue(c)).to_string() == expected);
    }
}

BOOST_AUTO_TEST_CASE_TEMPLATE(out_of_range_and_bad_text, N, backends)
{
    const auto& pk = encoding_key<N>().public_key();
    const dkg::fixed_point_encoder<N> enc(pk, 3);
    const N max_whole = N(pk.max_plaintext() / N(1000u));
    BOOST_CHECK_NO_THROW(enc.encode_integer(max_whole));
    BOOST_CHECK_NO_THROW(enc.encode_integer(N(-max_whole)));
    BOOST_CHECK_THROW(enc.encode_integer(N(max_whole + N(1u))), std::invalid_argument);
    BOOST_CHECK_THROW(enc.encode_integer(N(-max_whole - N(1u))), std::invalid_argument);
    BOOST_CHECK_THROW(enc.encode(std::string_view("1e100000")), std::invalid_argument);
    for (const char* bad : {"", "-", ".", "1..2", "1.2.3", "abc", "1e", "0x10", " 1", "1 "})
        BOOST_CHECK_THROW(enc.encode(std::string_view(bad)), std::invalid_argument);
    BOOST_CHECK_THROW(enc.encode(std::numeric_limits<double>::infinity()), std::invalid_argument);
    BOOST_CHECK_THROW(dkg::fixed_point_encoder<N>(pk, 1001), std::invalid_argument);
    BOOST_CHECK_THROW(dkg::fixed_point_encoder<N>(pk, 200), std::invalid_argument); // 10^200 > N/2 for 256 bits
    try {
        enc.encode_integer(N(max_whole + N(1u)));
    } catch (const std::invalid_argument& e) {
        BOOST_TEST(std::string(e.what()).find("value") == 0u);
    }
}

BOOST_AUTO_TEST_SUITE_END()
