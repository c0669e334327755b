#include <dkg/shamir/integer.hpp>

#include "backends.hpp"
#include "subsets.hpp"

#include <dkg/testing/seeded_rng.hpp>

#include <boost/test/unit_test.hpp>

using namespace test_support;

BOOST_AUTO_TEST_SUITE(shamir_integer)

BOOST_AUTO_TEST_CASE_TEMPLATE(every_t_plus_one_subset_reconstructs, N, all_backends)
{
    dkg::testing::insecure_seeded_rng rng;
    const N bound = N(N(1u) << 256);
    for (std::size_t n : {3u, 4u, 5u, 7u}) {
        for (std::size_t t = 1; 2 * t + 1 <= n; ++t) {
            const dkg::shamir::integer_sharing<N> scheme(n, t, bound, 40);
            BOOST_TEST(scheme.delta() == dkg::factorial<N>(n));
            for (int i = 0; i < 5; ++i) {
                const N secret = dkg::random_symmetric(bound, rng);
                const auto shares = scheme.share(secret, rng);
                for (const auto& share : shares) {
                    BOOST_TEST((share <= scheme.share_bound() && N(-share) <= scheme.share_bound()));
                }
                for (const auto& s : subsets(n, t + 1)) BOOST_TEST(scheme.reconstruct(s, pick(shares, s)) == secret);
            }
        }
    }
}

BOOST_AUTO_TEST_CASE_TEMPLATE(share_sizes_follow_the_bound, N, backends)
{
    // |a_k| ≤ Δ²·2^σ·S, so shares have about log2(S) + σ + 2·log2(n!) + t·log2(n) bits.
    dkg::testing::insecure_seeded_rng rng;
    const std::size_t n = 5, t = 2, sigma = 40;
    const N bound = N(N(1u) << 2048);
    const dkg::shamir::integer_sharing<N> scheme(n, t, bound, sigma);
    BOOST_TEST(scheme.coefficient_bound() == N(N(N(14400u) << 40) * bound));
    std::size_t longest = 0;
    for (int i = 0; i < 20; ++i)
        for (const auto& s : scheme.share(dkg::random_symmetric(bound, rng), rng)) longest = std::max(longest, dkg::bit_length(s));
    BOOST_TEST(longest <= dkg::bit_length(scheme.share_bound()));
    BOOST_TEST(longest >= 2048u + sigma); // the masking really is that wide
    BOOST_TEST(dkg::bit_length(scheme.share_bound()) <= 2048u + sigma + 2 * 14 + 2 * 3 + 2);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(integer_lagrange_and_products, N, backends)
{
    dkg::testing::insecure_seeded_rng rng;
    const std::size_t n = 5, t = 2;
    const N bound = N(N(1u) << 128);
    const dkg::shamir::integer_sharing<N> scheme(n, t, bound, 40);
    const N delta = scheme.delta();
    for (int i = 0; i < 10; ++i) {
        const N a = dkg::random_symmetric(bound, rng), b = dkg::random_symmetric(bound, rng);
        const auto sa = scheme.share(a, rng), sb = scheme.share(b, rng);
        std::vector<N> product;
        for (std::size_t j = 0; j < n; ++j) product.push_back(N(sa[j] * sb[j])); // degree 2t, Δ²·a·b at 0
        for (const auto& s : subsets(n, 2 * t + 1)) {
            const auto l = dkg::shamir::integer_lagrange_at_zero<N>(s, n);
            BOOST_TEST(dkg::shamir::combine_integer_shares<N>(l, pick(product, s)) == N(N(N(delta * delta) * delta) * N(a * b)));
        }
        for (const auto& s : subsets(n, t + 1)) {
            const auto l = dkg::shamir::integer_lagrange_at_zero<N>(s, n);
            BOOST_TEST(dkg::shamir::combine_integer_shares<N>(l, pick(sa, s)) == N(N(delta * delta) * a));
        }
    }
}

BOOST_AUTO_TEST_CASE_TEMPLATE(bad_parameters_and_shares, N, backends)
{
    dkg::testing::insecure_seeded_rng rng;
    const N bound(1000u);
    BOOST_CHECK_THROW(dkg::shamir::integer_sharing<N>(3, 3, bound, 40), std::invalid_argument);
    BOOST_CHECK_THROW(dkg::shamir::integer_sharing<N>(3, 1, N(0u), 40), std::invalid_argument);
    BOOST_CHECK_THROW(dkg::shamir::integer_sharing<N>(3, 1, bound, 0), std::invalid_argument);
    const dkg::shamir::integer_sharing<N> scheme(3, 1, bound, 40);
    BOOST_CHECK_THROW((void)scheme.share(N(1001u), rng), std::invalid_argument);
    const auto shares = scheme.share(N(-999), rng);
    const std::vector<dkg::party_id> ok = {3, 1}, dup = {1, 1}, few = {2};
    BOOST_TEST(scheme.reconstruct(ok, std::vector<N>{shares[2], shares[0]}) == N(-999));
    BOOST_CHECK_THROW(scheme.reconstruct(dup, std::vector<N>{shares[0], shares[0]}), std::invalid_argument);
    BOOST_CHECK_THROW(scheme.reconstruct(few, std::vector<N>{shares[1]}), std::invalid_argument);
    BOOST_CHECK_THROW(scheme.reconstruct(ok, std::vector<N>{N(shares[2] + N(1u)), shares[0]}), std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()
