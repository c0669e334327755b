// Runs all parties of a key generation in one process and checks the result independently.
#pragma once

#include <dkg/in_process.hpp>
#include <dkg/keygen.hpp>
#include <dkg/session.hpp>
#include <dkg/testing/seeded_rng.hpp>
#include <dkg/transport/memory.hpp>

#include "backends.hpp"
#include "observing_key_sharing.hpp"
#include "reference.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/test/unit_test.hpp>

#include <map>
#include <mutex>
#include <optional>

namespace test_support {

template <class N>
struct keygen_outcome {
    std::vector<std::optional<dkg::key_share<N>>> shares;  // index j-1: party j
    std::vector<std::exception_ptr> errors;
    std::vector<dkg::keygen_progress> progress;             // final report of each party
    std::map<dkg::party_id, std::pair<N, N>> factor_shares; // additive shares of p and q (observing_key_sharing)
    std::optional<N> modulus;

    bool all_succeeded() const
    {
        for (const auto& s : shares)
            if (!s) return false;
        return true;
    }

    std::string first_error() const
    {
        for (const auto& e : errors) {
            if (!e) continue;
            try {
                std::rethrow_exception(e);
            } catch (const std::exception& ex) {
                return ex.what();
            }
        }
        return "";
    }
};

/// Records, for one run, every party's shares of p and q as observing_key_sharing reports them.
template <class N>
struct factor_capture : factor_listening<N> {
    explicit factor_capture(keygen_outcome<N>& outcome)
        : factor_listening<N>([&outcome](dkg::party_id id, const N& modulus, const N& p, const N& q) {
              outcome.factor_shares[id] = {p, q};
              outcome.modulus = modulus;
          })
    {
    }
};

/// Key generation with n parties over the memory transport, one io_context, seeded generators; the
/// key-sharing layer of `Policies` is observed (observing_key_sharing), so that check_generated_key
/// can reconstruct p and q.
template <class N, class Policies = dkg::keygen_policies<N>>
keygen_outcome<N> run_memory_keygen(std::size_t n, const dkg::keygen_params& params, std::uint64_t seed = dkg::testing::default_test_seed,
                                    dkg::session_options options = {}, dkg::keygen_options local = {})
{
    keygen_outcome<N> outcome;
    outcome.shares.resize(n);
    outcome.errors.resize(n);
    outcome.progress.resize(n);
    factor_capture<N> capture(outcome);
    boost::asio::io_context context;
    dkg::memory_network network(context, n);
    std::vector<std::unique_ptr<dkg::session<dkg::memory_transport>>> sessions;
    std::vector<std::unique_ptr<dkg::testing::insecure_seeded_rng>> rngs;
    for (std::size_t j = 1; j <= n; ++j) {
        sessions.push_back(std::make_unique<dkg::session<dkg::memory_transport>>(network.party(static_cast<dkg::party_id>(j)), options));
        rngs.push_back(std::make_unique<dkg::testing::insecure_seeded_rng>(seed, j));
    }
    for (std::size_t j = 0; j < n; ++j) {
        dkg::keygen_options party_options = local;
        party_options.on_progress = [&outcome, j](const dkg::keygen_progress& p) { outcome.progress[j] = p; };
        dkg::async_generate_key<N, observed<Policies>>(
            *sessions[j], *rngs[j], params, std::move(party_options),
            [&outcome, j](std::exception_ptr e, dkg::key_share<N> share) {
                outcome.errors[j] = e;
                if (!e) outcome.shares[j].emplace(std::move(share));
            });
    }
    context.run();
    return outcome;
}

/// Key generation with n parties over real TCP on loopback (generate_key_in_process), with the
/// default layers and the key-sharing layer observed.
template <class N>
keygen_outcome<N> run_tcp_keygen(std::size_t n, const dkg::keygen_params& params)
{
    keygen_outcome<N> outcome;
    outcome.errors.resize(n);
    outcome.progress.resize(n);
    factor_capture<N> capture(outcome);
    dkg::in_process_options options;
    options.transport = dkg::in_process_transport::tcp;
    options.keygen.on_progress = [&outcome](const dkg::keygen_progress& p) { outcome.progress[0] = p; };
    try {
        for (auto& s : dkg::generate_key_in_process<N, observed<dkg::keygen_policies<N>>>(n, params, options))
            outcome.shares.emplace_back(std::move(s));
    } catch (...) {
        outcome.errors[0] = std::current_exception();
        outcome.shares.resize(n);
    }
    return outcome;
}

/// Runs body(session, party) for every party over the memory transport (sessions established first)
/// and returns each party's exception (null on success).
template <class Body>
std::vector<std::exception_ptr> run_parties(std::size_t n, Body body, std::uint64_t seed = dkg::testing::default_test_seed)
{
    boost::asio::io_context context;
    dkg::memory_network network(context, n);
    std::vector<std::unique_ptr<dkg::session<dkg::memory_transport>>> sessions;
    std::vector<std::unique_ptr<dkg::testing::insecure_seeded_rng>> rngs;
    std::vector<std::exception_ptr> errors(n);
    for (std::size_t j = 1; j <= n; ++j) {
        sessions.push_back(std::make_unique<dkg::session<dkg::memory_transport>>(network.party(static_cast<dkg::party_id>(j))));
        rngs.push_back(std::make_unique<dkg::testing::insecure_seeded_rng>(seed, j));
    }
    for (std::size_t j = 0; j < n; ++j) {
        auto run = [](dkg::session<dkg::memory_transport>& s, dkg::testing::insecure_seeded_rng& rng, dkg::party_id id,
                      Body& b) -> boost::asio::awaitable<void> {
            co_await s.establish(rng);
            co_await b(s, rng, id);
        };
        boost::asio::co_spawn(sessions[j]->get_executor(), run(*sessions[j], *rngs[j], static_cast<dkg::party_id>(j + 1), body),
                              [&errors, j](std::exception_ptr e) { errors[j] = e; });
    }
    context.run();
    return errors;
}

inline void require_no_errors(const std::vector<std::exception_ptr>& errors)
{
    for (const auto& e : errors) {
        if (!e) continue;
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& ex) {
            BOOST_TEST_REQUIRE(false, ex.what());
        }
    }
}

/// A keygen_context for party `self` with a pool owned by the caller.
inline dkg::keygen_context make_context(dkg::party_id self, std::size_t n, std::size_t t, std::size_t prime_bits,
                                        boost::asio::thread_pool& pool, std::size_t threads = 1)
{
    dkg::keygen_context c;
    c.self = self;
    c.parties = n;
    c.threshold = t;
    c.prime_bits = prime_bits;
    c.arithmetic_executor = pool.get_executor();
    c.threads = threads;
    return c;
}

/// The independent checks of a generated key: reconstructs p and q from every party's additive shares
/// (recorded by observing_key_sharing) and checks N = p·q, primality (our Miller–Rabin with 64 rounds and a reference's),
/// the exact bit length, p ≡ q ≡ 3 (mod 4), that the key shares reconstruct an exponent D ≡ 0 mod φ(N)
/// with D mod N = θ, and that this exponent decrypts.
template <class N>
void check_generated_key(const keygen_outcome<N>& outcome, std::size_t n, const dkg::keygen_params& params)
{
    BOOST_TEST_REQUIRE(outcome.all_succeeded(), outcome.first_error());
    BOOST_TEST_REQUIRE(outcome.factor_shares.size() == n);
    const auto& first = *outcome.shares[0];
    const N& modulus = first.public_key().n();
    BOOST_TEST_REQUIRE(outcome.modulus.has_value());
    BOOST_TEST((*outcome.modulus == modulus));
    N p(0u), q(0u);
    for (const auto& [id, pq] : outcome.factor_shares) {
        p += pq.first;
        q += pq.second;
    }
    BOOST_TEST((N(p * q) == modulus));
    dkg::testing::insecure_seeded_rng rng(99);
    BOOST_TEST(dkg::is_probable_prime(p, 64, rng));
    BOOST_TEST(dkg::is_probable_prime(q, 64, rng));
    BOOST_TEST(reference_is_prime(dkg::to_decimal(p)));
    BOOST_TEST(reference_is_prime(dkg::to_decimal(q)));
    BOOST_TEST(dkg::bit_length(modulus) == params.key_length);
    BOOST_TEST(dkg::bit_length(p) == params.key_length / 2);
    BOOST_TEST(dkg::bit_length(q) == params.key_length / 2);
    BOOST_TEST(dkg::bigint_traits<N>::low_u64(p) % 4 == 3u);
    BOOST_TEST(dkg::bigint_traits<N>::low_u64(q) % 4 == 3u);

    // Every party holds the same public values.
    for (std::size_t j = 0; j < n; ++j) {
        const auto& s = *outcome.shares[j];
        BOOST_TEST(s.id() == j + 1);
        BOOST_TEST(s.parties() == n);
        BOOST_TEST(s.threshold() == params.corruption_threshold);
        BOOST_TEST(s.same_key(first));
    }

    // The shares are a degree-t sharing of D with D ≡ 0 (mod φ) and D mod N = θ: check with every
    // (t+1)-subset of parties 1..t+1 shifted through all parties.
    const N phi = N(N(p - N(1u)) * N(q - N(1u)));
    const std::size_t t = params.corruption_threshold;
    std::optional<N> exponent;
    for (std::size_t start = 0; start < n; ++start) {
        std::vector<dkg::party_id> ids;
        std::vector<N> values;
        for (std::size_t k = 0; k <= t; ++k) {
            const std::size_t j = (start + k) % n;
            ids.push_back(static_cast<dkg::party_id>(j + 1));
            values.push_back(outcome.shares[j]->share());
        }
        const auto mu = dkg::shamir::integer_lagrange_at_zero<N>(ids, n);
        const N combined = dkg::shamir::combine_integer_shares<N>(mu, values); // Δ·D
        const N delta = dkg::factorial<N>(n);
        BOOST_TEST((N(combined % delta) == N(0u)));
        const N d = N(combined / delta);
        if (exponent) BOOST_TEST((d == *exponent));
        exponent = d;
    }
    BOOST_TEST((N(*exponent % phi) == N(0u)));
    BOOST_TEST((dkg::mod(*exponent, modulus) == first.theta()));

    // Decrypt with D: c^D = (1+N)^(m·D), so m = L(c^D mod N²)·θ^-1 mod N.
    const auto& pk = first.public_key();
    for (long long m : {0LL, 1LL, -1LL, 123456789LL, -987654321LL}) {
        const auto c = pk.encrypt(N(m), rng);
        const N u = dkg::powm(c.value(), *exponent, pk.n_squared());
        const N l = N(N(u - N(1u)) / modulus);
        const N residue = dkg::mod(N(l * dkg::invert_mod(first.theta(), modulus)), modulus);
        BOOST_TEST((pk.from_residue(residue) == N(m)));
    }
    // The verification keys match the shares: VK_j = v^(Δ·s_j).
    for (std::size_t j = 0; j < n; ++j) {
        const auto& s = *outcome.shares[j];
        BOOST_TEST((dkg::powm(s.verification_base(), N(s.delta() * s.share()), pk.n_squared()) == first.verification_key(s.id())));
    }
}

} // namespace test_support
