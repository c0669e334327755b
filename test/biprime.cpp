#include <dkg/biprime.hpp>

#include "keygen_support.hpp"

#include <boost/test/unit_test.hpp>

using namespace test_support;

namespace {

// Additive shares of p among n parties in the layout the candidate layer produces: party 1's share
// ≡ 3 (mod 4), the others ≡ 0 (mod 4).
template <class N>
std::vector<N> split(const N& p, std::size_t n, dkg::testing::insecure_seeded_rng& rng)
{
    std::vector<N> out(n);
    N rest = p;
    for (std::size_t j = 1; j < n; ++j) {
        out[j] = N(dkg::random_bits<N>(dkg::bit_length(p) - 4, rng) * N(4u));
        rest -= out[j];
    }
    out[0] = rest;
    return out;
}

template <class N>
N random_composite_3_mod_4(std::size_t bits, dkg::testing::insecure_seeded_rng& rng)
{
    for (;;) {
        N a = dkg::random_blum_prime<N>(bits / 2, rng);
        N b = dkg::random_bits<N>(bits - bits / 2, rng);
        b = N(b * N(4u) + N(1u)); // a·b ≡ 3 (mod 4)
        N c = N(a * b);
        if (!dkg::is_probable_prime(c, 20, rng)) return c;
    }
}

} // namespace

BOOST_AUTO_TEST_SUITE(biprime)

BOOST_AUTO_TEST_CASE_TEMPLATE(small_factor_filter_matches_trial_division, N, backends)
{
    dkg::testing::insecure_seeded_rng rng;
    const std::uint32_t bound = 5000;
    const dkg::biprime::small_factor_filter<N> filter(bound);
    const auto primes = dkg::primes_between(3, bound);
    std::vector<N> moduli;
    for (int i = 0; i < 300; ++i) {
        N m = dkg::random_exact_bits<N>(200, rng);
        if (!dkg::is_odd(m)) m += N(1u);
        if (i % 3 == 0) m = N(N(m / N(4999u)) * N(4999u)); // a factor near the bound
        if (i % 3 == 0 && !dkg::is_odd(m)) m += N(4999u);
        moduli.push_back(m);
    }
    const auto batch = filter.passes(std::span<const N>(moduli));
    int passing = 0;
    for (std::size_t i = 0; i < moduli.size(); ++i) {
        bool expected = true;
        for (auto p : primes)
            if (N(moduli[i] % N(static_cast<unsigned long long>(p))) == N(0u)) expected = false;
        BOOST_TEST(static_cast<bool>(batch[i]) == expected);
        BOOST_TEST(filter.passes(moduli[i]) == expected);
        passing += expected;
    }
    BOOST_TEST(passing > 20);
    BOOST_TEST(passing < 200);
    BOOST_TEST(filter.passes(std::span<const N>()).empty());
}

BOOST_AUTO_TEST_CASE_TEMPLATE(remainder_tree_matches_direct_reduction, N, backends)
{
    dkg::testing::insecure_seeded_rng rng;
    const N x = dkg::random_bits<N>(5000, rng);
    for (std::size_t count : {1u, 2u, 3u, 7u, 64u}) {
        std::vector<N> moduli;
        for (std::size_t i = 0; i < count; ++i) moduli.push_back(N(dkg::random_exact_bits<N>(130, rng) + N(1u)));
        const auto rem = dkg::detail::remainders<N>(x, moduli);
        for (std::size_t i = 0; i < count; ++i) BOOST_TEST((rem[i] == N(x % moduli[i])));
    }
}

BOOST_AUTO_TEST_CASE_TEMPLATE(test_bases_are_joint_and_have_jacobi_one, N, backends)
{
    dkg::testing::insecure_seeded_rng rng;
    const dkg::secret_key<N> key = dkg::secret_key<N>::generate(256, rng);
    const N& modulus = key.public_key().n();
    dkg::joint_seed seed{};
    seed[0] = 7;
    std::set<std::string> seen;
    for (std::size_t k = 0; k < 50; ++k) {
        const auto g = dkg::biprime::test_base(seed, modulus, k);
        BOOST_TEST_REQUIRE(g.has_value());
        BOOST_TEST(dkg::jacobi(*g, modulus) == 1);
        BOOST_TEST((*g == *dkg::biprime::test_base(seed, modulus, k))); // the same at every party
        seen.insert(dkg::to_decimal(*g));
    }
    BOOST_TEST(seen.size() == 50u);
    seed[0] = 8;
    BOOST_TEST((*dkg::biprime::test_base(seed, modulus, 0) != *dkg::biprime::test_base(dkg::joint_seed{}, modulus, 0)));
}

BOOST_AUTO_TEST_CASE_TEMPLATE(boneh_franklin_accepts_biprimes_and_rejects_others, N, shipped_backends)
{
    dkg::testing::insecure_seeded_rng rng(5);
    const std::size_t n = 3, bits = 256;
    // Candidate 0: p·q with q composite; 1: a real biprime; 2: both composite; 3: another biprime.
    const N p1 = dkg::random_blum_prime<N>(bits / 2, rng), q1 = random_composite_3_mod_4<N>(bits / 2, rng);
    const N p2 = dkg::random_blum_prime<N>(bits / 2, rng), q2 = dkg::random_blum_prime<N>(bits / 2, rng);
    const N p3 = random_composite_3_mod_4<N>(bits / 2, rng), q3 = random_composite_3_mod_4<N>(bits / 2, rng);
    const N p4 = dkg::random_blum_prime<N>(bits / 2, rng), q4 = dkg::random_blum_prime<N>(bits / 2, rng);
    const std::vector<std::pair<N, N>> factors = {{p1, q1}, {p2, q2}, {p3, q3}, {p4, q4}};
    std::vector<std::vector<dkg::candidate<N>>> per_party(n);
    for (const auto& [p, q] : factors) {
        const auto ps = split(p, n, rng), qs = split(q, n, rng);
        for (std::size_t j = 0; j < n; ++j) per_party[j].push_back({N(p * q), ps[j], qs[j]});
    }
    boost::asio::thread_pool pool(2);
    dkg::keygen_params params;
    std::vector<std::optional<std::size_t>> accepted(n);
    std::vector<dkg::keygen_progress> progress(n);
    const auto errors = run_parties(n, [&](auto& session, auto& rng_j, dkg::party_id id) -> boost::asio::awaitable<void> {
        auto ctx = make_context(id, n, 1, bits / 2, pool, 2);
        ctx.progress = &progress[id - 1];
        dkg::biprime::boneh_franklin<N> test(ctx, params);
        accepted[id - 1] = co_await test.test(session, rng_j, dkg::joint_seed{}, std::span<const dkg::candidate<N>>(per_party[id - 1]), 0);
    });
    require_no_errors(errors);
    for (const auto& a : accepted) {
        BOOST_TEST_REQUIRE(a.has_value());
        BOOST_TEST(*a == 1u); // the first biprime in batch order
    }
    // Lazy: 4 candidates get one base, only the survivors the other 39.
    BOOST_TEST(progress[0].biprimality_tests == 4u);
    BOOST_TEST(progress[0].biprimality_rounds < 4u + 3u * 39u);
    BOOST_TEST(progress[0].biprimality_rounds >= 4u + 2u * 39u);
    BOOST_TEST(progress[0].communication_rounds == 2u);
}

BOOST_AUTO_TEST_CASE(exponent_shares_sum_to_a_quarter_of_phi)
{
    dkg::testing::insecure_seeded_rng rng;
    using N = fast_int;
    const N p = dkg::random_blum_prime<N>(64, rng), q = dkg::random_blum_prime<N>(64, rng);
    const auto ps = split(p, 4, rng), qs = split(q, 4, rng);
    const N modulus = N(p * q);
    N sum(0u);
    for (dkg::party_id j = 1; j <= 4; ++j) sum += dkg::biprime::exponent_share(j, ps[j - 1], qs[j - 1]);
    BOOST_TEST((N(dkg::biprime::public_exponent(modulus) - sum) == N(N(N(p - 1) * N(q - 1)) / 4)));
    BOOST_CHECK_THROW(dkg::biprime::exponent_share(2, N(ps[1] + 1), qs[1]), dkg::protocol_error);
}

BOOST_AUTO_TEST_SUITE_END()
