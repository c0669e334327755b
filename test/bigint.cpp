#include <dkg/bigint.hpp>

#include "backends.hpp"

#include <dkg/testing/seeded_rng.hpp>

#include <boost/test/unit_test.hpp>

#if DKG_HAS_GMP
#include <gmp.h>
#endif

#include <random>
#include <set>

using namespace test_support;

namespace {

#if DKG_HAS_GMP
// Independent computations with GMP's C interface, on decimal strings.
struct gmp_ref {
    mpz_t v;
    gmp_ref() { mpz_init(v); }
    explicit gmp_ref(const std::string& s) { mpz_init_set_str(v, s.c_str(), 10); }
    ~gmp_ref() { mpz_clear(v); }
    gmp_ref(const gmp_ref&) = delete;
    std::string str() const
    {
        char* p = mpz_get_str(nullptr, 10, v);
        std::string out(p);
        void (*freefunc)(void*, size_t);
        mp_get_memory_functions(nullptr, nullptr, &freefunc);
        freefunc(p, out.size() + 1);
        return out;
    }
};
#endif

template <class N>
std::string dec(const N& v)
{
    return dkg::to_decimal(v);
}

} // namespace

BOOST_AUTO_TEST_SUITE(bigint)

BOOST_AUTO_TEST_CASE(concept_accepts_and_rejects)
{
    static_assert(dkg::big_integer<dkg::cpp_int>);
    static_assert(dkg::big_integer<cpp_int_et_off>);
#if DKG_HAS_GMP
    static_assert(dkg::big_integer<dkg::gmp_int>);
    static_assert(dkg::big_integer<dkg::gmp_int_et_off>);
#endif
    static_assert(dkg::big_integer<toy_int>);
    static_assert(!dkg::big_integer<long long>); // no bigint_traits
    static_assert(!dkg::big_integer<double>);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(text_round_trip, N, all_backends)
{
    dkg::testing::insecure_seeded_rng rng;
    for (int i = 0; i < 50; ++i) {
        N a = dkg::random_bits<N>(static_cast<std::size_t>(1 + i * 37), rng);
        if (i % 3 == 0) a = N(-a);
        BOOST_TEST(dkg::from_decimal<N>(dkg::to_decimal(a)) == a);
        BOOST_TEST(dkg::from_hex<N>(dkg::to_hex(a)) == a);
#if DKG_HAS_GMP
        gmp_ref ref(dec(a));
        BOOST_TEST(ref.str() == dec(a));
#endif
    }
    BOOST_TEST(dkg::to_decimal(N(0u)) == "0");
    BOOST_TEST(dkg::to_hex(N(255u)) == "ff");
    BOOST_TEST(dkg::to_hex(N(-255)) == "-ff");
    BOOST_TEST(dkg::to_decimal(num<N>("-123456789012345678901234567890")) == "-123456789012345678901234567890");
    BOOST_TEST(dkg::to_decimal(num<N>("10000000000000000000")) == "10000000000000000000");
    BOOST_TEST(dkg::from_decimal<N>("0125") == N(125u)); // not octal
    BOOST_TEST(dkg::from_decimal<N>("-0089") == N(-89));
    BOOST_TEST(dkg::from_hex<N>("00ff") == N(255u));
    for (const char* bad : {"", "-", "12a", " 1", "1 ", "+1", "0x10", "1.5"})
        BOOST_CHECK_THROW(dkg::from_decimal<N>(bad), std::invalid_argument);
    BOOST_CHECK_THROW(dkg::from_hex<N>("xyz"), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(bytes_round_trip, N, all_backends)
{
    dkg::testing::insecure_seeded_rng rng;
    BOOST_TEST(dkg::to_bytes(N(0u)).empty());
    BOOST_TEST((dkg::to_bytes(N(0x0102u)) == std::vector<std::uint8_t>{1, 2}));
    BOOST_TEST((dkg::to_bytes(N(1u), 4) == std::vector<std::uint8_t>{0, 0, 0, 1}));
    for (int i = 0; i < 60; ++i) {
        const N a = dkg::random_bits<N>(static_cast<std::size_t>(i * 29), rng);
        const auto bytes = dkg::to_bytes(a);
        BOOST_TEST((bytes.empty() || bytes.front() != 0));
        BOOST_TEST(dkg::from_bytes<N>(bytes) == a);
        BOOST_TEST(dkg::bit_length(a) <= static_cast<std::size_t>(i * 29));
#if DKG_HAS_GMP
        gmp_ref ref(dec(a));
        BOOST_TEST(dkg::bit_length(a) == (mpz_sgn(ref.v) == 0 ? 0 : mpz_sizeinbase(ref.v, 2)));
        BOOST_TEST(dkg::bigint_traits<N>::low_u64(a) == mpz_getlimbn(ref.v, 0));
#endif
    }
}

BOOST_TEST_DECORATOR(*needs_gmp())
BOOST_AUTO_TEST_CASE_TEMPLATE(number_theory_matches_gmp, N, all_backends)
{
#if DKG_HAS_GMP
    dkg::testing::insecure_seeded_rng rng;
    for (int i = 0; i < 25; ++i) {
        const std::size_t bits = 64 + static_cast<std::size_t>(i) * 40;
        N m = dkg::random_exact_bits<N>(bits, rng);
        if (!dkg::is_odd(m)) m += N(1u);
        const N b = N(dkg::random_bits<N>(bits + 10, rng) - dkg::random_bits<N>(bits + 9, rng));
        const N e = dkg::random_bits<N>(bits, rng);
        gmp_ref gm(dec(m)), gb(dec(b)), ge(dec(e)), out;

        mpz_powm(out.v, gb.v, ge.v, gm.v);
        BOOST_TEST(dec(dkg::powm(b, e, m)) == out.str());

        mpz_gcd(out.v, gb.v, gm.v);
        BOOST_TEST(dec(dkg::gcd(b, m)) == out.str());

        BOOST_TEST(dkg::jacobi(b, m) == mpz_jacobi(gb.v, gm.v));

        const auto inv = dkg::bigint_traits<N>::invert(b, m);
        const int has = mpz_invert(out.v, gb.v, gm.v);
        BOOST_TEST(inv.has_value() == (has != 0));
        if (inv) BOOST_TEST(dec(*inv) == out.str());
    }
#endif
}

BOOST_AUTO_TEST_CASE_TEMPLATE(number_theory_edge_cases, N, all_backends)
{
    // Negative exponents invert first.
    const N m(101u);
    BOOST_TEST(dkg::powm(N(3u), N(-1), m) == dkg::invert_mod(N(3u), m));
    BOOST_CHECK_THROW(dkg::powm(N(0u), N(-1), m), std::invalid_argument);
    BOOST_CHECK_THROW(dkg::invert_mod(N(6u), N(9u)), std::invalid_argument);
    BOOST_CHECK_THROW(dkg::jacobi(N(3u), N(10u)), std::invalid_argument);
    BOOST_TEST(dkg::mod(N(-7), N(5u)) == N(3u));
    BOOST_TEST(dkg::factorial<N>(5) == N(120u));
}

BOOST_TEST_DECORATOR(*needs_gmp())
BOOST_AUTO_TEST_CASE_TEMPLATE(powm_secret_matches_gmp, N, all_backends)
{
    // The exponentiation for secret exponents (mpz_powm_sec with GMP, powm otherwise) gives GMP's
    // mpz_powm for odd moduli, positive and negative bases, zero, and negative exponents.
#if DKG_HAS_GMP
    dkg::testing::insecure_seeded_rng rng;
    for (int i = 0; i < 20; ++i) {
        const std::size_t bits = 64 + static_cast<std::size_t>(i) * 50;
        N m = dkg::random_exact_bits<N>(bits, rng);
        if (!dkg::is_odd(m)) m += N(1u);
        const N b = N(dkg::random_bits<N>(bits + 10, rng) - dkg::random_bits<N>(bits + 9, rng));
        const N e = dkg::random_bits<N>(bits + 40, rng);
        gmp_ref gm(dec(m)), gb(dec(b)), ge(dec(e)), out;
        mpz_powm(out.v, gb.v, ge.v, gm.v);
        BOOST_TEST(dec(dkg::powm_secret(b, e, m)) == out.str());
        if (dkg::gcd(b, m) == N(1u)) BOOST_TEST(dkg::powm_secret(b, N(-e), m) == dkg::powm(dkg::invert_mod(b, m), e, m));
    }
#endif
}

BOOST_AUTO_TEST_CASE_TEMPLATE(powm_secret_edge_cases, N, all_backends)
{
    const N m(101u);
    BOOST_TEST(dkg::powm_secret(N(7u), N(0u), m) == N(1u));
    BOOST_TEST(dkg::powm_secret(N(3u), N(-1), m) == dkg::invert_mod(N(3u), m));
    BOOST_CHECK_THROW(dkg::powm_secret(N(3u), N(5u), N(100u)), std::invalid_argument); // even modulus
    BOOST_CHECK_THROW(dkg::powm_secret(N(3u), N(5u), N(1u)), std::invalid_argument);
    BOOST_CHECK_THROW(dkg::powm_secret(N(0u), N(-1), m), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(multi_powm_matches_products_of_powm, N, all_backends)
{
    // Few and many bases (the interleaved-window and the bucket algorithm), exponents of mixed
    // lengths with zeros among them, odd and even moduli, negative bases and exponents.
    dkg::testing::insecure_seeded_rng rng;
    for (int trial = 0; trial < 16; ++trial) {
        const std::size_t bits = 64 + static_cast<std::size_t>(trial) * 61;
        N m = dkg::random_exact_bits<N>(bits, rng);
        if (trial % 4 != 3 && !dkg::is_odd(m)) m += N(1u); // every fourth modulus may be even
        const std::size_t count = trial % 2 ? 1 + static_cast<std::size_t>(trial) : 20 + 10 * static_cast<std::size_t>(trial);
        std::vector<N> bases, exponents;
        N expected(1u);
        for (std::size_t i = 0; i < count; ++i) {
            bases.push_back(N(dkg::random_bits<N>(bits + 3, rng) - dkg::random_bits<N>(bits, rng)));
            exponents.push_back(i % 7 == 3 ? N(0u) : dkg::random_bits<N>(1 + (i * 53 + static_cast<std::size_t>(trial) * 17) % 600, rng));
            if (i % 5 == 4 && dkg::gcd(bases.back(), m) == N(1u)) exponents.back() = N(-exponents.back());
            expected = dkg::mod(N(expected * dkg::powm(bases.back(), exponents.back(), m)), m);
        }
        BOOST_TEST(dkg::multi_powm<N>(bases, exponents, m) == expected);
    }
    const N m(101u);
    const std::vector<N> none;
    BOOST_TEST(dkg::multi_powm<N>(none, none, m) == N(1u));
    const std::vector<N> two = {N(3u), N(5u)}, one = {N(2u)};
    BOOST_TEST(dkg::multi_powm<N>(two, std::vector<N>{N(2u), N(1u)}, m) == N(45u));
    BOOST_TEST(dkg::multi_powm<N>(two, std::vector<N>{N(2u), N(1u)}, N(1u)) == N(0u));
    BOOST_CHECK_THROW(dkg::multi_powm<N>(two, one, m), std::invalid_argument);
    BOOST_CHECK_THROW(dkg::multi_powm<N>(one, one, N(0u)), std::invalid_argument);
    BOOST_CHECK_THROW(dkg::multi_powm<N>(std::vector<N>{N(0u)}, std::vector<N>{N(-1)}, m), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(powm_secret_many_matches_powm, N, all_backends)
{
    // Several exponents of one base (one shared chain of squarings with GMP): each result is
    // powm's, for exponents of different lengths, zero, and negative ones.
    dkg::testing::insecure_seeded_rng rng;
    for (int trial = 0; trial < 10; ++trial) {
        const std::size_t bits = 70 + static_cast<std::size_t>(trial) * 90;
        N m = dkg::random_exact_bits<N>(bits, rng);
        if (!dkg::is_odd(m)) m += N(1u);
        N b = dkg::random_below(m, rng);
        while (dkg::gcd(b, m) != N(1u)) b = dkg::random_below(m, rng);
        std::vector<N> exponents = {dkg::random_bits<N>(bits + 200, rng), N(0u), dkg::random_bits<N>(17, rng),
                                    N(-dkg::random_bits<N>(bits, rng)), dkg::random_exact_bits<N>(1 + static_cast<std::size_t>(trial) * 64, rng)};
        exponents.resize(1 + static_cast<std::size_t>(trial) % exponents.size());
        const auto powers = dkg::powm_secret_many<N>(b, exponents, m);
        BOOST_TEST_REQUIRE(powers.size() == exponents.size());
        for (std::size_t i = 0; i < exponents.size(); ++i) BOOST_TEST(powers[i] == dkg::powm(b, exponents[i], m));
    }
    const std::vector<N> one = {N(5u)};
    BOOST_TEST(dkg::powm_secret_many<N>(N(3u), one, N(101u)) == std::vector<N>{N(243u % 101u)});
    BOOST_TEST(dkg::powm_secret_many<N>(N(3u), std::vector<N>{}, N(101u)).empty());
    BOOST_CHECK_THROW(dkg::powm_secret_many<N>(N(3u), one, N(100u)), std::invalid_argument); // even modulus
    BOOST_CHECK_THROW(dkg::powm_secret_many<N>(N(0u), std::vector<N>{N(-1)}, N(101u)), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(random_values_in_range, N, all_backends)
{
    dkg::testing::insecure_seeded_rng rng;
    const N bound = num<N>("1000000000000000000000007");
    for (int i = 0; i < 200; ++i) {
        const N r = dkg::random_below(bound, rng);
        BOOST_TEST((r >= N(0u) && r < bound));
        const N s = dkg::random_symmetric(N(5u), rng);
        BOOST_TEST((s >= N(-5) && s <= N(5u)));
        BOOST_TEST(dkg::bit_length(dkg::random_exact_bits<N>(77, rng)) == 77u);
        const N u = dkg::random_unit(N(15u), rng);
        BOOST_TEST(dkg::gcd(u, N(15u)) == N(1u));
    }
    // All of [-5, 5] shows up: the sampler is not stuck on a sub-range.
    std::set<long long> seen;
    for (int i = 0; i < 500; ++i) seen.insert(static_cast<long long>(dkg::bigint_traits<N>::low_u64(N(dkg::random_symmetric(N(5u), rng) + N(5u)))) - 5);
    BOOST_TEST(seen.size() == 11u);
    BOOST_CHECK_THROW(dkg::random_below(N(0u), rng), std::invalid_argument);
}

BOOST_TEST_DECORATOR(*needs_gmp())
BOOST_AUTO_TEST_CASE_TEMPLATE(miller_rabin_matches_gmp, N, backends)
{
#if DKG_HAS_GMP
    dkg::testing::insecure_seeded_rng rng;
    int primes = 0;
    for (int i = 0; i < 300; ++i) {
        N n = dkg::random_bits<N>(96, rng);
        if (!dkg::is_odd(n)) n += N(1u);
        gmp_ref g(dec(n));
        const bool ours = dkg::is_probable_prime(n, 30, rng);
        BOOST_TEST(ours == (mpz_probab_prime_p(g.v, 40) != 0));
        primes += ours;
    }
    BOOST_TEST(primes > 0);
#endif
}

BOOST_AUTO_TEST_CASE_TEMPLATE(miller_rabin_known_numbers, N, backends)
{
    dkg::testing::insecure_seeded_rng rng;
    // Carmichael numbers and a strong pseudoprime to base 2.
    for (const char* c : {"561", "41041", "825265", "3215031751", "2047"}) BOOST_TEST(!dkg::is_probable_prime(num<N>(c), 20, rng));
    BOOST_TEST(dkg::is_probable_prime(num<N>("170141183460469231731687303715884105727"), 20, rng)); // 2^127 - 1
    const N p = dkg::random_blum_prime<N>(128, rng);
    BOOST_TEST(dkg::bit_length(p) == 128u);
    BOOST_TEST(dkg::bigint_traits<N>::low_u64(p) % 4 == 3u);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(secure_clear_zeroes, N, all_backends)
{
    dkg::testing::insecure_seeded_rng rng;
    N a = dkg::random_bits<N>(1000, rng);
    dkg::secure_clear(a);
    BOOST_TEST(a == N(0u));
    N b = dkg::random_bits<N>(300, rng);
    N c = std::move(b);
    dkg::secure_clear(b); // a moved-from value can be cleared too
    BOOST_TEST(b == N(0u));
    BOOST_TEST(c != N(0u));
}

BOOST_AUTO_TEST_CASE(primes_between_small)
{
    BOOST_TEST((dkg::primes_between(3, 30) == std::vector<std::uint32_t>{3, 5, 7, 11, 13, 17, 19, 23, 29}));
    BOOST_TEST(dkg::primes_between(2, 65536).size() == 6542u);
}

BOOST_AUTO_TEST_SUITE_END()
