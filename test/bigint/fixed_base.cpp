#include <dkg/bigint/fixed_base.hpp>

#include "backends.hpp"

#include <dkg/testing/seeded_rng.hpp>

#include <boost/test/unit_test.hpp>

using namespace test_support;

BOOST_AUTO_TEST_CASE_TEMPLATE(powers_match_powm, N, all_backends)
{
    dkg::testing::insecure_seeded_rng rng;
    for (std::size_t bits : {64u, 200u, 1024u}) {
        N m = dkg::random_exact_bits<N>(bits, rng);
        if (!dkg::is_odd(m)) m += N(1u);
        N b = dkg::random_below(m, rng);
        while (dkg::gcd(b, m) != N(1u)) b = dkg::random_below(m, rng);
        const std::size_t max_bits = bits + 77;
        const dkg::fixed_base<N> table(b, m, max_bits);
        BOOST_TEST(table.base() == b);
        BOOST_TEST(table.modulus() == m);
        BOOST_TEST(table.max_bits() == max_bits);
        const std::vector<N> exponents = {N(0u), N(1u), dkg::random_bits<N>(max_bits, rng), N(N(N(1u) << static_cast<unsigned>(max_bits)) - N(1u)),
                                          dkg::random_bits<N>(max_bits + 300, rng), dkg::random_bits<N>(30, rng)};
        for (const N& e : exponents) {
            BOOST_TEST(table.pow(e) == dkg::powm(b, e, m));
            BOOST_TEST(table.pow_secret(e) == dkg::powm(b, e, m));
        }
        BOOST_TEST(table.pow(N(-5)) == dkg::powm(b, N(-5), m));
    }
    // A base outside [0, m) is reduced.
    const dkg::fixed_base<N> reduced(N(-2), N(101u), 20);
    BOOST_TEST(reduced.pow(N(3u)) == N(93u)); // (−2)³ = −8 ≡ 93
}

BOOST_AUTO_TEST_CASE_TEMPLATE(the_table_reports_its_memory, N, shipped_backends)
{
    // Both shipped backends build a table: one power per 5 exponent bits, each of the modulus's size.
    dkg::testing::insecure_seeded_rng rng;
    const N m = N(dkg::random_exact_bits<N>(1024, rng) | N(1u));
    const dkg::fixed_base<N> small(N(3u), m, 100), large(N(3u), m, 2000);
    BOOST_TEST(small.precomputed_bytes() > 0u);
    BOOST_TEST(large.precomputed_bytes() >= 2000u / 5 * 100u);
    BOOST_TEST(large.precomputed_bytes() <= (2048u / 5 + 2) * 128u);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(bad_arguments_are_named, N, shipped_backends)
{
    BOOST_CHECK_THROW(dkg::fixed_base<N>(N(3u), N(100u), 10), std::invalid_argument);
    BOOST_CHECK_THROW(dkg::fixed_base<N>(N(3u), N(1u), 10), std::invalid_argument);
    BOOST_CHECK_THROW(dkg::fixed_base<N>(N(3u), N(101u), 0), std::invalid_argument);
    const dkg::fixed_base<N> table(N(0u), N(101u), 10);
    BOOST_CHECK_THROW(table.pow(N(-1)), std::invalid_argument);
    BOOST_CHECK_THROW(table.pow_secret(N(-1)), std::invalid_argument);
    BOOST_TEST(table.pow(N(0u)) == N(1u));
    BOOST_TEST(table.pow_secret(N(7u)) == N(0u));
}
