#include <dkg/rng.hpp>

#include <dkg/detail/chacha20.hpp>
#include <dkg/detail/sha256.hpp>
#include <dkg/testing/seeded_rng.hpp>

#include <boost/test/unit_test.hpp>

#include <array>
#include <random>
#include <set>
#include <string>

namespace {

std::string hex(std::span<const std::uint8_t> bytes)
{
    static const char* digits = "0123456789abcdef";
    std::string out;
    for (auto b : bytes) {
        out += digits[b >> 4];
        out += digits[b & 15];
    }
    return out;
}

struct user_drbg {
    using result_type = std::uint32_t;
    static constexpr result_type min() { return 0; }
    static constexpr result_type max() { return 0xffffffffu; }
    result_type operator()() { return state_ += 0x9e3779b9u; }
    result_type state_ = 0;
};

} // namespace

template <>
inline constexpr bool dkg::enable_secure_rng<user_drbg> = true;

BOOST_AUTO_TEST_SUITE(rng)

BOOST_AUTO_TEST_CASE(only_opted_in_generators_are_secure)
{
    static_assert(dkg::secure_rng<dkg::system_rng>);
    static_assert(dkg::secure_rng<dkg::system_rng&>);
    static_assert(dkg::secure_rng<dkg::testing::seeded_rng>);
    static_assert(dkg::secure_rng<user_drbg>);
    static_assert(!dkg::secure_rng<std::mt19937>);
    static_assert(!dkg::secure_rng<std::mt19937_64>);
    static_assert(!dkg::secure_rng<std::random_device>);
    static_assert(!dkg::secure_rng<std::minstd_rand>);
}

BOOST_AUTO_TEST_CASE(system_rng_produces_distinct_output)
{
    dkg::system_rng rng;
    std::set<std::uint64_t> seen;
    for (int i = 0; i < 1000; ++i) seen.insert(rng());
    BOOST_TEST(seen.size() == 1000u);
    std::array<std::uint8_t, 4096> a{}, b{};
    dkg::fill_random(rng, a);
    dkg::fill_random(rng, b);
    BOOST_TEST((a != b));
    // Every byte value appears in 4 KiB of output (fails with probability < 2^-20).
    std::set<std::uint8_t> values(a.begin(), a.end());
    BOOST_TEST(values.size() == 256u);
}

BOOST_AUTO_TEST_CASE(fill_random_from_operator_call)
{
    user_drbg g;
    std::array<std::uint8_t, 7> out{};
    dkg::fill_random(g, out);
    BOOST_TEST(out[0] == 0xb9u); // low byte of the first output first
}

BOOST_AUTO_TEST_CASE(seeded_rng_is_reproducible_and_labelled)
{
    dkg::testing::seeded_rng a(42, 1), b(42, 1), c(42, 2), d(43, 1);
    const auto x = a();
    BOOST_TEST(x == b());
    BOOST_TEST(x != c());
    BOOST_TEST(x != d());
}

BOOST_AUTO_TEST_CASE(sha256_known_answers)
{
    using dkg::detail::sha256;
    BOOST_TEST(hex(sha256().update("").finish()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    BOOST_TEST(hex(sha256().update("abc").finish()) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    BOOST_TEST(hex(sha256().update("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq").finish()) ==
               "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    sha256 h;
    const std::string block(1000, 'a');
    for (int i = 0; i < 1000; ++i) h.update(block);
    BOOST_TEST(hex(h.finish()) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"); // 10^6 x 'a'
    // Incremental updates of odd sizes agree with one update.
    std::string text;
    for (int i = 0; i < 300; ++i) text += static_cast<char>('a' + i % 26);
    sha256 parts;
    for (std::size_t pos = 0; pos < text.size(); pos += 7) parts.update(std::string_view(text).substr(pos, 7));
    BOOST_TEST(hex(parts.finish()) == hex(sha256().update(text).finish()));
}

BOOST_AUTO_TEST_CASE(chacha20_known_answer)
{
    // The ChaCha20 keystream for an all-zero key and nonce, block 0.
    dkg::detail::chacha20_stream s(dkg::detail::chacha20_stream::key_type{}, 0);
    std::array<std::uint8_t, 64> out{};
    s.fill(out);
    BOOST_TEST(hex(out) == "76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7"
                           "da41597c5157488d7724e03fb8d84a376a43b8f41518a11cc387b669b2ee6586");
}

BOOST_AUTO_TEST_SUITE_END()
