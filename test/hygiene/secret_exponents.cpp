// Secret exponents take the constant-time path: every exponentiation whose exponent is a secret
// (partial decryptions and the secret parts of their proofs, the verification keys made at key
// generation, the Boneh–Franklin exponents made of prime shares, the CRT decryption of a plain
// secret key, the check of a loaded share against its verification key) goes through
// bigint_traits<N>::powm_secret, never through the variable-time powm. The tests run the library on
// a user type whose traits record the exponents each member receives, and check that the known
// secrets arrive at powm_secret and never at powm.
#include "../keygen_support.hpp"

#include <dkg/paillier.hpp>
#include <dkg/serialization.hpp>
#include <dkg/testing/seeded_rng.hpp>
#include <dkg/testing/trusted_dealer.hpp>
#include <dkg/threshold.hpp>

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <mutex>
#include <vector>

namespace test_support {

struct traced_tag;
/// toy_int with traits of its own that record the exponents.
using traced_int = basic_toy_int<traced_tag>;

/// The exponents the traits received, by member (key generation calls them from worker threads).
class exponent_trace {
public:
    void record(bool secret, const traced_int& e)
    {
        const std::lock_guard lock(mutex_);
        (secret ? secret_ : public_).push_back(abs(e.value()));
    }

    void clear()
    {
        const std::lock_guard lock(mutex_);
        secret_.clear();
        public_.clear();
    }

    /// How often e (or −e) was the exponent of powm_secret, and of powm.
    std::size_t secret_uses(const traced_int& e) const { return count(secret_, e); }
    std::size_t public_uses(const traced_int& e) const { return count(public_, e); }
    std::size_t secret_calls() const
    {
        const std::lock_guard lock(mutex_);
        return secret_.size();
    }

private:
    std::size_t count(const std::vector<boost::multiprecision::cpp_int>& list, const traced_int& e) const
    {
        const std::lock_guard lock(mutex_);
        const boost::multiprecision::cpp_int magnitude = abs(e.value());
        return static_cast<std::size_t>(std::count(list.begin(), list.end(), magnitude));
    }

    mutable std::mutex mutex_;
    std::vector<boost::multiprecision::cpp_int> secret_, public_;
};

inline exponent_trace& trace()
{
    static exponent_trace t;
    return t;
}

} // namespace test_support

template <>
struct dkg::bigint_traits<test_support::traced_int> : dkg::generic_bigint_traits<test_support::traced_int> {
    using N = test_support::traced_int;
    static N powm(const N& b, const N& e, const N& m)
    {
        test_support::trace().record(false, e);
        return generic_bigint_traits<N>::powm(b, e, m);
    }
    static N powm_secret(const N& b, const N& e, const N& m)
    {
        test_support::trace().record(true, e);
        return generic_bigint_traits<N>::powm(b, e, m); // not through powm: it would record e as public
    }
};

static_assert(dkg::big_integer<test_support::traced_int>);

using namespace test_support;
using N = traced_int;

BOOST_AUTO_TEST_SUITE(secret_exponents)

BOOST_AUTO_TEST_CASE(partial_decryptions_and_their_proofs)
{
    dkg::testing::insecure_seeded_rng rng(31);
    const auto dealt = dkg::testing::deal_key<N>(256, 3, 1, rng);
    const auto& share = dealt.shares[1];
    const auto c = share.public_key().encrypt(N(7u), rng);
    const N exponent = N(N(N(2u) * share.delta()) * share.share()); // 2Δ·s_j

    trace().clear();
    (void)dkg::partial_decrypt(share, c);
    BOOST_TEST(trace().secret_uses(exponent) == 1u);
    BOOST_TEST(trace().public_uses(exponent) == 0u);

    trace().clear();
    const auto proved = dkg::partial_decrypt(share, c, rng);
    // The partial and both commitments of the proof, (c⁴)^r and v^r: three secret exponents.
    BOOST_TEST(trace().secret_calls() == 3u);
    BOOST_TEST(trace().secret_uses(exponent) == 1u);
    BOOST_TEST(trace().public_uses(exponent) == 0u);
    BOOST_TEST_REQUIRE(proved.proof.has_value());
    // Verifying is public work: the verifier has no secret to protect.
    trace().clear();
    BOOST_TEST(dkg::verify(dkg::threshold_key<N>(share), c, proved));
    BOOST_TEST(trace().secret_calls() == 0u);
}

BOOST_AUTO_TEST_CASE(plain_secret_key_decryption)
{
    dkg::testing::insecure_seeded_rng rng(32);
    const auto key = dkg::secret_key<N>::generate(256, rng); // h_p and h_q: exponents p−1 and q−1
    const N p1 = N(key.p() - N(1u)), q1 = N(key.q() - N(1u));
    BOOST_TEST(trace().secret_uses(p1) >= 1u);
    trace().clear();
    const auto c = key.public_key().encrypt(N(11u), rng);
    BOOST_TEST(key.decrypt(c) == N(11u));
    BOOST_TEST(trace().secret_uses(p1) == 1u);
    BOOST_TEST(trace().secret_uses(q1) == 1u);
    BOOST_TEST(trace().public_uses(p1) == 0u);
    BOOST_TEST(trace().public_uses(q1) == 0u);
}

BOOST_AUTO_TEST_CASE(a_loaded_share_is_checked_in_constant_time)
{
    dkg::testing::insecure_seeded_rng rng(33);
    const auto dealt = dkg::testing::deal_key<N>(256, 3, 1, rng);
    const auto& share = dealt.shares[2];
    const N exponent = N(share.delta() * share.share()); // Δ·s_j
    const auto bytes = dkg::to_binary(share);
    trace().clear();
    const auto loaded = dkg::key_share_from_bytes<N>(bytes);
    BOOST_TEST(loaded.share() == share.share());
    BOOST_TEST(trace().secret_uses(exponent) == 1u);
    BOOST_TEST(trace().public_uses(exponent) == 0u);
}

BOOST_AUTO_TEST_CASE(key_generation)
{
    dkg::keygen_params params;
    params.key_length = 128;
    params.corruption_threshold = 1;
    trace().clear();
    const auto outcome = run_memory_keygen<N>(3, params, 34);
    BOOST_TEST_REQUIRE(outcome.all_succeeded(), outcome.first_error());
    BOOST_TEST_REQUIRE(outcome.modulus.has_value());
    const N n = *outcome.modulus;
    for (dkg::party_id j = 1; j <= 3; ++j) {
        // The verification key VK_j = v^(Δ·s_j).
        const auto& share = *outcome.shares[j - 1];
        const N vk_exponent = N(share.delta() * share.share());
        BOOST_TEST(trace().secret_uses(vk_exponent) >= 1u, "party " << j);
        BOOST_TEST(trace().public_uses(vk_exponent) == 0u, "party " << j);
        // The Boneh–Franklin exponent of the accepted modulus: (p_j + q_j)/4, less 2/4 for party 1,
        // or (N − 1)/4 minus it for the party that takes the public part in a round.
        const auto& [p_j, q_j] = outcome.factor_shares.at(j);
        const N e = N(N(N(p_j + q_j) - N(j == 1 ? 2u : 0u)) / N(4u));
        const N e_public = N(N(N(n - N(1u)) / N(4u)) - e);
        BOOST_TEST(trace().secret_uses(e) + trace().secret_uses(e_public) >= 1u, "party " << j);
        BOOST_TEST(trace().public_uses(e) == 0u, "party " << j);
        BOOST_TEST(trace().public_uses(e_public) == 0u, "party " << j);
    }
}

BOOST_AUTO_TEST_SUITE_END()
