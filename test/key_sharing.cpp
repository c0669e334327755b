#include <dkg/key_sharing.hpp>

#include "keygen_support.hpp"

#include <boost/test/unit_test.hpp>

using namespace test_support;

BOOST_AUTO_TEST_SUITE(key_sharing)

BOOST_AUTO_TEST_CASE_TEMPLATE(shares_reconstruct_a_decryption_exponent, N, shipped_backends)
{
    for (std::size_t n : {3u, 5u}) {
        const std::size_t t = (n - 1) / 2;
        dkg::testing::insecure_seeded_rng rng(n);
        const auto key = dkg::secret_key<N>::generate(256, rng);
        const N& modulus = key.public_key().n();
        // Additive shares of p and q with the candidate layer's residues mod 4.
        std::vector<N> ps(n), qs(n);
        N rp = key.p(), rq = key.q();
        for (std::size_t j = 1; j < n; ++j) {
            ps[j] = N(dkg::random_bits<N>(100, rng) * N(4u));
            qs[j] = N(dkg::random_bits<N>(100, rng) * N(4u));
            rp -= ps[j];
            rq -= qs[j];
        }
        ps[0] = rp;
        qs[0] = rq;
        boost::asio::thread_pool pool(1);
        dkg::keygen_params params;
        params.corruption_threshold = t;
        keygen_outcome<N> outcome;
        outcome.shares.resize(n);
        dkg::joint_seed seed{};
        const auto errors = run_parties(n, [&](auto& session, auto& rng_j, dkg::party_id id) -> boost::asio::awaitable<void> {
            dkg::integer_key_sharing<N> sharing(make_context(id, n, t, 128, pool), params);
            N p = ps[id - 1], q = qs[id - 1];
            outcome.shares[id - 1].emplace(co_await sharing.share(session, rng_j, seed, modulus, p, q));
            BOOST_TEST((p == N(0u))); // wiped
            BOOST_TEST((q == N(0u)));
        });
        require_no_errors(errors);
        for (std::size_t j = 0; j < n; ++j) outcome.factor_shares[static_cast<dkg::party_id>(j + 1)] = {ps[j], qs[j]};
        outcome.modulus = modulus;
        dkg::keygen_params check;
        check.key_length = 256;
        check.corruption_threshold = t;
        check_generated_key(outcome, n, check);
        // The verification base is the same square at every party.
        const N v = dkg::verification_base(seed, modulus);
        BOOST_TEST((outcome.shares[0]->verification_base() == v));
        BOOST_TEST(dkg::jacobi(N(v % modulus), modulus) == 1);
    }
}

BOOST_AUTO_TEST_CASE_TEMPLATE(a_modulus_failing_the_final_gcd_check_ends_with_an_error, N, shipped_backends)
{
    // The shares add up to P = p and Q = 1 for N = p·q: N − P − Q + 1 = p·(q − 1), so gcd(θ, N) = p
    // for every β, as for any N with gcd(N, P+Q−1) ≠ 1. Every party must fail after a bounded number of β.
    const std::size_t n = 3, t = 1;
    dkg::testing::insecure_seeded_rng rng(7);
    const auto key = dkg::secret_key<N>::generate(256, rng);
    const N& modulus = key.public_key().n();
    const std::vector<N> ps{N(key.p() - N(8u)), N(4u), N(4u)}, qs{N(9u), N(-4), N(-4)};
    boost::asio::thread_pool pool(1);
    dkg::keygen_params params;
    params.corruption_threshold = t;
    dkg::joint_seed seed{};
    const auto errors = run_parties(n, [&](auto& session, auto& rng_j, dkg::party_id id) -> boost::asio::awaitable<void> {
        dkg::integer_key_sharing<N> sharing(make_context(id, n, t, 128, pool), params);
        N p = ps[id - 1], q = qs[id - 1];
        co_await sharing.share(session, rng_j, seed, modulus, p, q);
    });
    for (std::size_t j = 0; j < n; ++j) {
        BOOST_TEST_CONTEXT("party " << j + 1)
        {
            BOOST_REQUIRE(errors[j]);
            try {
                std::rethrow_exception(errors[j]);
            } catch (const dkg::protocol_error& e) {
                BOOST_TEST((e.code() == dkg::make_error_code(dkg::errc::verification_failed)));
                BOOST_TEST(e.party() == dkg::no_party);
                BOOST_TEST(std::string(e.what()).find("gcd(N, p+q-1) != 1") != std::string::npos, e.what());
            }
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
