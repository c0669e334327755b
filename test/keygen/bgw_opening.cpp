#include <dkg/keygen/bgw_opening.hpp>

#include "keygen_support.hpp"

#include <dkg/sieve.hpp>

#include <boost/asio/detached.hpp>
#include <boost/test/unit_test.hpp>

using namespace test_support;

namespace {

/// Additive shares of `count` candidate pairs for n parties from the trial-division layer (party 1's
/// shares ≡ 3 mod 4, the others' ≡ 0), so that every N = p·q has the key length and N ≡ 1 mod 4.
template <class N>
std::vector<std::pair<std::vector<N>, std::vector<N>>> candidate_shares(std::size_t n, std::size_t key_length, std::size_t count)
{
    boost::asio::thread_pool pool(1);
    dkg::keygen_params params;
    params.corruption_threshold = (n - 1) / 2;
    params.key_length = key_length;
    std::vector<std::pair<std::vector<N>, std::vector<N>>> out(n);
    dkg::testing::insecure_seeded_rng rng(17);
    for (std::size_t j = 0; j < n; ++j) {
        dkg::sieve::trial_division<N> layer(make_context(static_cast<dkg::party_id>(j + 1), n, params.corruption_threshold, key_length / 2, pool), params);
        const auto run = [&]() -> std::vector<N> {
            // trial_division sends no messages: run its coroutine on a context of its own.
            boost::asio::io_context io;
            std::vector<N> shares;
            boost::asio::co_spawn(io, [&]() -> boost::asio::awaitable<void> {
                int unused_session = 0;
                shares = co_await layer.generate(unused_session, rng, 2 * count, 0);
            }, boost::asio::detached);
            io.run();
            return shares;
        };
        const auto shares = run();
        out[j].first.assign(shares.begin(), shares.begin() + static_cast<std::ptrdiff_t>(count));
        out[j].second.assign(shares.begin() + static_cast<std::ptrdiff_t>(count), shares.end());
    }
    return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(bgw_opening)

BOOST_AUTO_TEST_CASE_TEMPLATE(the_ring_is_odd_above_the_modulus_and_coprime_to_small_primes, N, shipped_backends)
{
    for (std::size_t n : {3u, 5u, 7u}) {
        const N m = dkg::modulus_ring<N>(256, n);
        BOOST_TEST(m > N(N(1u) << 258));
        BOOST_TEST((dkg::gcd(m, dkg::factorial<N>(n)) == N(1u)));
    }
}

BOOST_AUTO_TEST_CASE_TEMPLATE(opens_every_product_and_nothing_else, N, shipped_backends)
{
    // n = 3 (exactly 2t+1 shares) and n = 5, t = 1 (the further shares are checked).
    for (std::size_t n : {3u, 5u}) {
        BOOST_TEST_CONTEXT("n=" << n) {
            const std::size_t count = 20, key_length = 256;
            const auto shares = candidate_shares<N>(n, key_length, count);
            boost::asio::thread_pool pool(2);
            dkg::keygen_params params;
            params.key_length = key_length;
            params.corruption_threshold = 1;
            std::vector<std::vector<N>> moduli(n);
            std::vector<dkg::keygen_progress> progress(n);
            const auto errors = run_parties(n, [&](auto& session, auto& rng, dkg::party_id id) -> boost::asio::awaitable<void> {
                auto context = make_context(id, n, 1, key_length / 2, pool, 2);
                context.progress = &progress[id - 1];
                dkg::bgw_opening<N> opening(context, params);
                const auto& mine = shares[id - 1];
                moduli[id - 1] = co_await opening.open(session, rng, std::span<const N>(mine.first), std::span<const N>(mine.second), 0);
            });
            require_no_errors(errors);
            for (std::size_t i = 0; i < count; ++i) {
                N p(0u), q(0u);
                for (const auto& s : shares) {
                    p += s.first[i];
                    q += s.second[i];
                }
                for (std::size_t j = 0; j < n; ++j) BOOST_TEST((moduli[j][i] == N(p * q)));
            }
            BOOST_TEST(progress[0].communication_rounds == 2u);
        }
    }
}

BOOST_AUTO_TEST_CASE(describes_itself)
{
    boost::asio::thread_pool pool(1);
    dkg::keygen_params params;
    const dkg::bgw_opening<test_support::fast_int> opening(make_context(1, 3, 1, 1024, pool), params);
    dkg::agreed_parameters agreed;
    opening.describe(agreed);
    BOOST_TEST(agreed.to_string() == "opening = bgw_opening");
    BOOST_TEST((opening.ring_modulus() == dkg::modulus_ring<test_support::fast_int>(2048, 3)));
}

BOOST_AUTO_TEST_CASE(malformed_or_out_of_range_shares_name_the_sender)
{
    // Party 2 sends values at or above the ring modulus in the first round, then garbage.
    const std::size_t n = 3, count = 4;
    const auto shares = candidate_shares<test_support::fast_int>(n, 128, count);
    boost::asio::thread_pool pool(1);
    dkg::keygen_params params;
    params.key_length = 128;
    const auto m = dkg::modulus_ring<test_support::fast_int>(128, n);
    for (bool garbage : {false, true}) {
        const auto errors = run_parties(n, [&](auto& session, auto& rng, dkg::party_id id) -> boost::asio::awaitable<void> {
            if (id == 2) {
                std::vector<dkg::bytes> payloads(n);
                for (auto& p : payloads) {
                    dkg::writer w;
                    w.integers(std::vector<test_support::fast_int>(3 * count, m));
                    p = garbage ? dkg::bytes{1, 2, 3} : w.finish();
                }
                co_await session.exchange({dkg::keygen_steps::modulus_shares, 0, 0}, std::move(payloads));
                co_return;
            }
            dkg::bgw_opening<test_support::fast_int> opening(make_context(id, n, 1, 64, pool), params);
            const auto& mine = shares[id - 1];
            (void)co_await opening.open(session, rng, std::span<const test_support::fast_int>(mine.first), std::span<const test_support::fast_int>(mine.second), 0);
        });
        for (std::size_t j : {0u, 2u}) {
            BOOST_TEST_REQUIRE(static_cast<bool>(errors[j]));
            try {
                std::rethrow_exception(errors[j]);
            } catch (const dkg::protocol_error& e) {
                BOOST_TEST(e.party() == 2u, e.what());
                BOOST_TEST((e.code() == dkg::errc::malformed_message));
                BOOST_TEST(std::string(e.what()).find("modulus shares") != std::string::npos, e.what());
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(an_opening_off_the_polynomial_is_detected)
{
    // n = 5, t = 1: the opened shares of parties 4 and 5 must lie on the polynomial through those of
    // parties 1..3. Party 5 opens a wrong value: every honest party fails with inconsistent_result.
    const std::size_t n = 5, count = 3;
    const auto shares = candidate_shares<test_support::fast_int>(n, 128, count);
    boost::asio::thread_pool pool(1);
    dkg::keygen_params params;
    params.key_length = 128;
    params.corruption_threshold = 1;
    const auto errors = run_parties(n, [&](auto& session, auto& rng, dkg::party_id id) -> boost::asio::awaitable<void> {
        if (id == 5) {
            // Take part in round 1 honestly (zero shares), then open 1 for every modulus.
            std::vector<dkg::bytes> payloads(n);
            for (auto& p : payloads) {
                dkg::writer w;
                w.integers(std::vector<test_support::fast_int>(3 * count, test_support::fast_int(0u)));
                p = w.finish();
            }
            co_await session.exchange({dkg::keygen_steps::modulus_shares, 0, 0}, std::move(payloads));
            dkg::writer w;
            w.integers(std::vector<test_support::fast_int>(count, test_support::fast_int(1u)));
            co_await session.all_gather({dkg::keygen_steps::modulus_open, 0, 0}, w.finish());
            co_return;
        }
        dkg::bgw_opening<test_support::fast_int> opening(make_context(id, n, 1, 64, pool), params);
        const auto& mine = shares[id - 1];
        (void)co_await opening.open(session, rng, std::span<const test_support::fast_int>(mine.first), std::span<const test_support::fast_int>(mine.second), 0);
    });
    for (std::size_t j = 0; j < 4; ++j) {
        BOOST_TEST_REQUIRE(static_cast<bool>(errors[j]));
        try {
            std::rethrow_exception(errors[j]);
        } catch (const dkg::protocol_error& e) {
            BOOST_TEST((e.code() == dkg::errc::inconsistent_result), e.what());
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
