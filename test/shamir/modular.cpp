#include <dkg/shamir/modular.hpp>

#include "backends.hpp"
#include "subsets.hpp"

#include <dkg/testing/seeded_rng.hpp>

#include <boost/test/unit_test.hpp>

using namespace test_support;

namespace {

template <class N>
N test_prime()
{
    return num<N>("170141183460469231731687303715884105727"); // 2^127 - 1
}

} // namespace

BOOST_AUTO_TEST_SUITE(shamir_modular)

BOOST_AUTO_TEST_CASE_TEMPLATE(every_t_plus_one_subset_reconstructs, N, all_backends)
{
    dkg::testing::insecure_seeded_rng rng;
    for (std::size_t n : {3u, 4u, 5u, 7u}) {
        for (std::size_t t = 1; 2 * t + 1 <= n; ++t) {
            const dkg::shamir::modular_sharing<N> scheme(test_prime<N>(), n, t);
            const N secret = dkg::random_below(test_prime<N>(), rng);
            const auto shares = scheme.share(secret, rng);
            BOOST_TEST(shares.size() == n);
            for (const auto& s : subsets(n, t + 1)) BOOST_TEST(scheme.reconstruct(s, pick(shares, s), t) == secret);
            // t shares of two different secrets are not distinguishable by reconstruction: a wrong
            // subset size is refused instead.
            BOOST_CHECK_THROW(scheme.reconstruct(subsets(n, t).front(), pick(shares, subsets(n, t).front()), t), std::invalid_argument);
        }
    }
}

BOOST_AUTO_TEST_CASE_TEMPLATE(local_addition_and_multiplication, N, all_backends)
{
    dkg::testing::insecure_seeded_rng rng;
    const std::size_t n = 5, t = 2;
    const N p = test_prime<N>();
    const dkg::shamir::modular_sharing<N> scheme(p, n, t);
    for (int i = 0; i < 20; ++i) {
        const N a = dkg::random_below(p, rng), b = dkg::random_below(p, rng);
        const auto sa = scheme.share(a, rng), sb = scheme.share(b, rng), zero = scheme.share_zero(2 * t, rng);
        std::vector<N> sum, product;
        for (std::size_t j = 0; j < n; ++j) {
            sum.push_back(N(N(sa[j] + sb[j]) % p));
            product.push_back(N(N(N(sa[j] * sb[j]) + zero[j]) % p)); // degree 2t, re-randomised
        }
        for (const auto& s : subsets(n, t + 1)) BOOST_TEST(scheme.reconstruct(s, pick(sum, s), t) == N(N(a + b) % p));
        for (const auto& s : subsets(n, 2 * t + 1)) BOOST_TEST(scheme.reconstruct(s, pick(product, s), 2 * t) == N(N(a * b) % p));
        const std::vector<dkg::party_id> all = {1, 2, 3, 4, 5};
        BOOST_TEST(scheme.reconstruct(all, zero, 2 * t) == N(0u));
        BOOST_TEST(scheme.consistent(all, product, 2 * t));
        BOOST_TEST(scheme.consistent(all, sum, t));
        auto tampered = sum;
        tampered[4] = N(N(tampered[4] + N(1u)) % p);
        BOOST_TEST(!scheme.consistent(all, tampered, t));
    }
}

BOOST_AUTO_TEST_CASE_TEMPLATE(lagrange_matches_definition, N, backends)
{
    const N p(101u);
    const std::vector<dkg::party_id> points = {1, 3, 4};
    const auto l = dkg::shamir::lagrange_at_zero<N>(points, p);
    // f(x) = 7 + 5x + 2x^2: f(1)=14, f(3)=40, f(4)=59
    const N f0 = N(N(N(l[0] * N(14u)) + N(l[1] * N(40u)) + N(l[2] * N(59u))) % p);
    BOOST_TEST(f0 == N(7u));
}

BOOST_AUTO_TEST_CASE_TEMPLATE(composite_modulus_without_small_factors, N, backends)
{
    // The distributed sieve shares over a product of primes larger than n.
    dkg::testing::insecure_seeded_rng rng;
    const N m = N(N(N(7u) * N(11u)) * N(N(13u) * N(101u)));
    const dkg::shamir::modular_sharing<N> scheme(m, 5, 2);
    for (int i = 0; i < 50; ++i) {
        const N s = dkg::random_below(m, rng);
        const auto shares = scheme.share(s, rng);
        for (const auto& subset : subsets(5, 3)) BOOST_TEST(scheme.reconstruct(subset, pick(shares, subset), 2) == s);
    }
    BOOST_CHECK_THROW(dkg::shamir::modular_sharing<N>(N(5u * 101u), 5, 2), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(bad_parameters_and_shares, N, backends)
{
    dkg::testing::insecure_seeded_rng rng;
    const N p = test_prime<N>();
    auto message_of = [](auto&& f) {
        try {
            f();
        } catch (const std::invalid_argument& e) {
            return std::string(e.what());
        }
        return std::string("no exception");
    };
    BOOST_TEST(message_of([&] { dkg::shamir::modular_sharing<N>(p, 3, 3); }).find("degree") == 0u);
    BOOST_TEST(message_of([&] { dkg::shamir::modular_sharing<N>(p, 0, 0); }).find("parties") == 0u);
    BOOST_TEST(message_of([&] { dkg::shamir::modular_sharing<N>(N(3u), 3, 1); }).find("modulus") == 0u);
    const dkg::shamir::modular_sharing<N> scheme(p, 3, 1);
    const auto shares = scheme.share(N(42u), rng);
    const std::vector<dkg::party_id> dup = {2, 2};
    const std::vector<dkg::party_id> out_of_range = {1, 4};
    const std::vector<dkg::party_id> one = {1};
    BOOST_TEST(message_of([&] { scheme.reconstruct(dup, std::vector<N>{shares[1], shares[1]}, 1); }).find("duplicate") != std::string::npos);
    BOOST_TEST(message_of([&] { scheme.reconstruct(out_of_range, std::vector<N>{shares[0], shares[1]}, 1); }).find("out of range") != std::string::npos);
    BOOST_TEST(message_of([&] { scheme.reconstruct(one, std::vector<N>{shares[0]}, 1); }).find("2 needed") != std::string::npos);
    BOOST_TEST(message_of([&] { (void)scheme.share(N(1u), 3, rng); }).find("degree") == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
