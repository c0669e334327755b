#include <dkg/sieve.hpp>

#include "keygen_support.hpp"

#include <boost/test/unit_test.hpp>

using namespace test_support;

BOOST_AUTO_TEST_SUITE(sieve)

BOOST_AUTO_TEST_CASE(sieve_primes_fit_the_budget)
{
    for (std::size_t prime_bits : {32u, 64u, 256u, 512u, 1024u, 1536u}) {
        for (std::size_t n : {3u, 5u, 7u, 20u}) {
            const auto primes = dkg::sieve::sieve_primes(prime_bits, n, 0);
            double bits = 0;
            for (auto r : primes) bits += std::log2(static_cast<double>(r));
            if (prime_bits >= 64) BOOST_TEST(primes.front() == 3u); // primes up to n are sieved too (over GF(r^k))
            BOOST_TEST(bits <= static_cast<double>(prime_bits) - static_cast<double>(dkg::sieve::randomness_margin(prime_bits)) - 4 -
                                   std::ceil(std::log2(static_cast<double>(n))));
            const dkg::cpp_int m = [&] {
                dkg::cpp_int x(1u);
                for (auto r : primes) x *= r;
                return x;
            }();
            BOOST_CHECK_NO_THROW(dkg::sieve::candidate_layout<dkg::cpp_int>::make(prime_bits, n, m));
        }
    }
    // 1024-bit primes (2048-bit keys): the bound lands near 700, as the sieve literature says.
    const auto primes = dkg::sieve::sieve_primes(1024, 3, 0);
    BOOST_TEST(primes.back() > 600u);
    BOOST_TEST(primes.back() < 800u);
    // An explicit bound is honoured.
    BOOST_TEST(dkg::sieve::sieve_primes(1024, 3, 100).back() == 97u);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(candidate_layout_bounds, N, backends)
{
    const std::size_t L = 128, n = 5;
    const N m(3u * 5u * 7u * 11u * 13u);
    const auto layout = dkg::sieve::candidate_layout<N>::make(L, n, m);
    BOOST_TEST(layout.residue_modulus == N(4u * 15015u));
    BOOST_TEST((N(layout.offset % layout.residue_modulus) == N(0u)));
    const N low = N(N(N(1u) << (L - 1)) + N(N(1u) << (L - 2)));
    BOOST_TEST(layout.offset >= low);
    // The largest possible sum of shares stays below 2^L.
    const N largest = N(layout.offset + N(N(static_cast<unsigned long long>(n)) * layout.residue_modulus * layout.random_limit));
    BOOST_TEST(largest <= N(N(1u) << L));
}

template <class N, class Policy>
void check_candidates(std::size_t n, std::size_t prime_bits, std::size_t count, dkg::candidate_method method)
{
    boost::asio::thread_pool pool(2);
    dkg::keygen_params params;
    params.corruption_threshold = (n - 1) / 2;
    params.candidates = method;
    std::vector<std::vector<N>> shares(n);
    std::optional<N> modulus;
    const auto errors = run_parties(n, [&](auto& session, auto& rng, dkg::party_id id) -> boost::asio::awaitable<void> {
        Policy policy(make_context(id, n, params.corruption_threshold, prime_bits, pool, 2), params);
        if (id == 1) modulus = policy.layout().sieve_modulus;
        shares[id - 1] = co_await policy.generate(session, rng, count, 0);
    });
    require_no_errors(errors);
    std::set<std::string> distinct;
    for (std::size_t i = 0; i < count; ++i) {
        N p(0u);
        for (const auto& s : shares) p += s[i];
        BOOST_TEST(dkg::bit_length(p) == prime_bits);
        BOOST_TEST(p >= N(N(N(1u) << (prime_bits - 1)) + N(N(1u) << (prime_bits - 2))));
        BOOST_TEST(dkg::bigint_traits<N>::low_u64(p) % 4 == 3u);
        BOOST_TEST(dkg::gcd(p, *modulus) == N(1u));
        distinct.insert(dkg::to_decimal(p));
    }
    BOOST_TEST(distinct.size() == count);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(sieved_candidates_avoid_small_primes, N, shipped_backends)
{
    for (std::size_t n : {3u, 4u, 5u, 7u}) {
        BOOST_TEST_CONTEXT("n=" << n) {
            check_candidates<N, dkg::sieve::distributed_sieve<N>>(n, 256, 200, dkg::candidate_method::distributed_sieve);
        }
    }
}

BOOST_AUTO_TEST_CASE_TEMPLATE(trial_division_candidates_are_in_range, N, shipped_backends)
{
    check_candidates<N, dkg::sieve::trial_division<N>>(3, 256, 200, dkg::candidate_method::trial_division);
    check_candidates<N, dkg::sieve::configured<N>>(5, 128, 100, dkg::candidate_method::trial_division);
    check_candidates<N, dkg::sieve::configured<N>>(5, 128, 100, dkg::candidate_method::distributed_sieve);
}

BOOST_AUTO_TEST_CASE(sieved_candidates_are_not_biased_modulo_a_sieving_prime)
{
    // p mod r should be close to uniform over the nonzero residues, for a sieving prime r > n (7,
    // shared over Z_M) and for r = 3 ≤ n (shared over GF(9)).
    const std::size_t n = 3, count = 3000;
    boost::asio::thread_pool pool(1);
    dkg::keygen_params params;
    std::vector<std::vector<fast_int>> shares(n);
    const auto errors = run_parties(n, [&](auto& session, auto& rng, dkg::party_id id) -> boost::asio::awaitable<void> {
        dkg::sieve::distributed_sieve<fast_int> policy(make_context(id, n, 1, 128, pool), params);
        shares[id - 1] = co_await policy.generate(session, rng, count, 0);
    });
    require_no_errors(errors);
    std::vector<int> histogram(7, 0), histogram3(3, 0);
    for (std::size_t i = 0; i < count; ++i) {
        fast_int p(0u);
        for (const auto& s : shares) p += s[i];
        ++histogram[dkg::bigint_traits<fast_int>::mod_u64(p, 7)];
        ++histogram3[dkg::bigint_traits<fast_int>::mod_u64(p, 3)];
    }
    BOOST_TEST(histogram[0] == 0);
    for (int r = 1; r < 7; ++r) BOOST_TEST(std::abs(histogram[static_cast<std::size_t>(r)] - 500) < 120, "residue " << r << ": " << histogram[static_cast<std::size_t>(r)]);
    BOOST_TEST(histogram3[0] == 0);
    BOOST_TEST(std::abs(histogram3[1] - 1500) < 200);
}

BOOST_AUTO_TEST_CASE(expected_candidate_counts_follow_the_tables)
{
    boost::asio::thread_pool pool(1);
    dkg::keygen_params params;
    const auto ctx = make_context(1, 3, 1, 1024, pool);
    const dkg::sieve::trial_division<dkg::cpp_int> plain(ctx, params);
    const dkg::sieve::distributed_sieve<dkg::cpp_int> sieved(ctx, params);
    // 2048-bit keys: about 126,000 pairs without sieving, about 3,600 with the sieve up to ~700.
    BOOST_TEST(plain.expected_pairs() > 120000.0);
    BOOST_TEST(plain.expected_pairs() < 132000.0);
    BOOST_TEST(sieved.expected_pairs() > 3000.0);
    BOOST_TEST(sieved.expected_pairs() < 4200.0);
}

BOOST_AUTO_TEST_CASE(malformed_sieve_shares_name_the_sender)
{
    // Party 2 sends garbage in the sieve's first round: parties 1 and 3 fail naming party 2.
    const std::size_t n = 3;
    boost::asio::thread_pool pool(1);
    dkg::keygen_params params;
    const auto errors = run_parties(n, [&](auto& session, auto& rng, dkg::party_id id) -> boost::asio::awaitable<void> {
        if (id == 2) {
            std::vector<dkg::bytes> junk(n, dkg::bytes{1, 2, 3});
            co_await session.exchange({dkg::keygen_steps::sieve_share, 0, 0}, std::move(junk));
            co_return;
        }
        dkg::sieve::distributed_sieve<fast_int> policy(make_context(id, n, 1, 128, pool), params);
        (void)co_await policy.generate(session, rng, 10, 0);
    });
    for (std::size_t j : {0u, 2u}) {
        BOOST_TEST_REQUIRE(static_cast<bool>(errors[j]));
        try {
            std::rethrow_exception(errors[j]);
        } catch (const dkg::protocol_error& e) {
            BOOST_TEST(e.party() == 2u);
            BOOST_TEST((e.code() == dkg::errc::malformed_message));
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
