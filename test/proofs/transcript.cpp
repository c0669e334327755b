#include <dkg/proofs/transcript.hpp>

#include "../backends.hpp"
#include "../error_text.hpp"

#include <boost/test/unit_test.hpp>

#include <string>

using namespace test_support;

namespace {

std::string hex(const dkg::bytes& b)
{
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    for (auto x : b) (out += digits[x >> 4]) += digits[x & 15];
    return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(proofs_transcript)

// docs/protocol.md §9: t = min(128, ⌊bits(N)/2⌋ − 1), so that 2^t is below both primes of N.
BOOST_AUTO_TEST_CASE_TEMPLATE(challenge_length_follows_the_key_size, N, shipped_backends)
{
    // The first odd integer above 2^(bits−1) that public_key accepts (no factor below 1000).
    const auto key_of_bits = [](std::size_t bits) {
        for (N n = N(N(N(1u) << static_cast<unsigned>(bits - 1)) + N(1u));; n += N(2u)) {
            try {
                return dkg::public_key<N>(n);
            } catch (const std::invalid_argument&) {
            }
        }
    };
    BOOST_TEST(dkg::proof_challenge_bits(key_of_bits(2048)) == 128u);
    BOOST_TEST(dkg::proof_challenge_bits(key_of_bits(258)) == 128u);
    BOOST_TEST(dkg::proof_challenge_bits(key_of_bits(256)) == 127u);
    BOOST_TEST(dkg::proof_challenge_bits(key_of_bits(64)) == 31u);
    BOOST_TEST(dkg::proof_challenge_bits(key_of_bits(33)) == 15u);
}

// The exact bytes of docs/formats.md: framed domain, framed context fields, framed integers.
BOOST_AUTO_TEST_CASE_TEMPLATE(transcript_bytes_are_framed, N, shipped_backends)
{
    dkg::detail::proof_transcript t("ab", dkg::proof_context{"x", ""});
    t.u64(3).integer(N(0x1234)).integer(N(-1)).integer(N(0u));
    BOOST_TEST(hex(t.data()) == "0000000000000002" "6162"         // domain
                                "0000000000000002"                // two context fields
                                "0000000000000001" "78"           // "x"
                                "0000000000000000"                // ""
                                "0000000000000003"                // u64 3
                                "0000000000000000" "0000000000000002" "1234" // +0x1234
                                "0000000000000001" "0000000000000001" "01"   // −1
                                "0000000000000000" "0000000000000000");      // 0
    // The challenge is the top t bits of SHA-256 of these bytes.
    const N full = dkg::from_bytes<N>(dkg::detail::sha256::hash(t.data()));
    BOOST_TEST((t.template challenge<N>(256) == full));
    BOOST_TEST((t.template challenge<N>(128) == N(full >> 128)));
    BOOST_TEST(dkg::bit_length(t.template challenge<N>(31)) <= 31u);
}

// Context fields are framed: moving a byte from one field to the next changes the challenge.
BOOST_AUTO_TEST_CASE_TEMPLATE(contexts_that_concatenate_alike_differ, N, shipped_backends)
{
    const auto challenge = [](const dkg::proof_context& c) { return dkg::detail::proof_transcript("d", c).template challenge<N>(128); };
    BOOST_TEST((challenge({"ab", "c"}) != challenge({"a", "bc"})));
    BOOST_TEST((challenge({"abc"}) != challenge({"ab", "c"})));
    BOOST_TEST((challenge({}) != challenge({""})));
    BOOST_TEST((challenge({"election-1", "voter-7"}) == challenge({"election-1", "voter-7"})));
    dkg::proof_context binary;
    const std::uint8_t raw[] = {0, 255, 7};
    binary.add(std::span<const std::uint8_t>(raw));
    BOOST_TEST(binary.fields().at(0).size() == 3u);
    BOOST_TEST((challenge(binary) != challenge({})));
}

BOOST_AUTO_TEST_CASE(context_limits_name_the_parameter)
{
    dkg::proof_context c;
    for (std::size_t i = 0; i < dkg::max_proof_context_fields; ++i) c.add("f");
    BOOST_TEST(invalid_argument_text([&] { c.add("one too many"); }).find("context: more than 64 fields") == 0u);
    const std::string long_field(dkg::max_proof_context_field_bytes + 1, 'x');
    BOOST_TEST(invalid_argument_text([&] { dkg::proof_context{long_field}; }).find("context: a field is longer") == 0u);
    BOOST_CHECK_NO_THROW(dkg::proof_context{std::string(dkg::max_proof_context_field_bytes, 'x')});
}

// g^x = 1 + (x mod N)·N for any integer x, as the definition g = N + 1 gives.
BOOST_AUTO_TEST_CASE_TEMPLATE(powers_of_g_are_linear, N, shipped_backends)
{
    const dkg::public_key<N> key(N(1000003ull * 1000033ull));
    const N g = key.g();
    for (long long x : {0LL, 1LL, 5LL, -1LL, -7LL, 123456789LL}) {
        const N expected = dkg::powm(g, N(x), key.n_squared());
        BOOST_TEST((dkg::detail::g_power(key, N(x)) == expected));
    }
}

BOOST_AUTO_TEST_SUITE_END()
