#include <dkg/testing/trusted_dealer.hpp>

#include "backends.hpp"
#include "threshold_support.hpp"

#include <boost/test/unit_test.hpp>

using namespace test_support;

BOOST_AUTO_TEST_SUITE(trusted_dealer)

// docs/protocol.md §5: D is a multiple of φ(N), θ = D mod N, any t+1 shares give Δ·D by integer
// Lagrange interpolation, and VK_j = v^(Δ·s_j).
BOOST_AUTO_TEST_CASE_TEMPLATE(shares_have_the_documented_form, N, backends)
{
    for (std::size_t n : {3u, 5u}) {
        for (std::size_t t = 0; 2 * t + 1 <= n; ++t) {
            const auto& key = dealt_key<N>(256, n, t);
            const auto& pk = key.shares[0].public_key();
            BOOST_TEST(pk.bits() == 256u);
            BOOST_TEST((dkg::bigint_traits<N>::low_u64(key.secret.p()) % 4 == 3u));
            BOOST_TEST((dkg::bigint_traits<N>::low_u64(key.secret.q()) % 4 == 3u));
            BOOST_TEST((N(key.exponent % key.secret.phi()) == N(0u)));
            BOOST_TEST((dkg::mod(key.exponent, pk.n()) == key.shares[0].theta()));
            BOOST_TEST(key.shares.size() == n);
            const N& delta = key.shares[0].delta();
            for (const auto& share : key.shares) {
                BOOST_TEST(share.same_key(key.shares[0]));
                BOOST_TEST((dkg::powm(share.verification_base(), N(delta * share.share()), pk.n_squared()) == share.verification_key(share.id())));
            }
            for (const auto& subset : subsets(n, t + 1)) {
                const auto mu = dkg::shamir::integer_lagrange_at_zero<N>(subset, n);
                N sum(0u);
                for (std::size_t i = 0; i < subset.size(); ++i) sum += N(mu[i] * key.shares[subset[i] - 1].share());
                BOOST_TEST((sum == N(delta * key.exponent)));
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(rejects_bad_parameters)
{
    dkg::testing::insecure_seeded_rng rng;
    BOOST_CHECK_THROW(dkg::testing::deal_key<dkg::cpp_int>(256, 4, 2, rng), std::invalid_argument);
    BOOST_CHECK_THROW(dkg::testing::deal_key<dkg::cpp_int>(31, 3, 1, rng), std::invalid_argument);
    BOOST_CHECK_THROW(dkg::testing::deal_key<dkg::cpp_int>(256, 3, 3, rng), std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()
