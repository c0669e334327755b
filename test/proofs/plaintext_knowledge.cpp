#include <dkg/proofs/plaintext_knowledge.hpp>

#include "../backends.hpp"
#include "../error_text.hpp"
#include "support.hpp"

#include <boost/test/unit_test.hpp>

using namespace test_support;
using namespace proofs_test;

namespace {

const dkg::proof_context context{"election-2024", "question-1", "voter-17"};

template <class N>
struct encrypted {
    N plaintext, nonce;
    dkg::ciphertext<N> c;
};

template <class N, class G>
encrypted<N> encrypt(const dkg::public_key<N>& key, const N& m, G& rng)
{
    N r = dkg::random_unit(key.n(), rng);
    auto c = key.encrypt_with_nonce(key.to_residue(m), r);
    return {m, std::move(r), std::move(c)};
}

} // namespace

BOOST_AUTO_TEST_SUITE(proofs_plaintext_knowledge)

BOOST_AUTO_TEST_CASE_TEMPLATE(honest_proofs_verify, N, shipped_backends)
{
    dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, 101);
    const auto& key = test_key<N>(small_bits).public_key();
    for (const N& m : {N(0u), N(1u), N(-1), key.max_plaintext(), N(-key.max_plaintext()), dkg::random_symmetric(key.max_plaintext(), rng)}) {
        const auto e = encrypt(key, m, rng);
        const auto proof = dkg::prove_plaintext_knowledge(e.c, e.plaintext, e.nonce, context, rng);
        BOOST_TEST(dkg::verify_plaintext_knowledge(e.c, proof, context));
    }
}

// Every field changed, another context, another ciphertext, another key: rejected.
BOOST_AUTO_TEST_CASE_TEMPLATE(tampered_proofs_and_wrong_statements_fail, N, shipped_backends)
{
    dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, 102);
    const auto& key = test_key<N>(small_bits).public_key();
    const auto e = encrypt(key, N(42u), rng);
    const auto proof = dkg::prove_plaintext_knowledge(e.c, e.plaintext, e.nonce, context, rng);
    BOOST_TEST_REQUIRE(dkg::verify_plaintext_knowledge(e.c, proof, context));
    std::size_t tried = 0;
    for (const N& v : tampered_values(proof.commitment, key.n_squared())) {
        auto p = proof;
        p.commitment = v;
        BOOST_TEST(!dkg::verify_plaintext_knowledge(e.c, p, context));
        ++tried;
    }
    for (const N& v : tampered_values(proof.plaintext_response, key.n())) {
        auto p = proof;
        p.plaintext_response = v;
        BOOST_TEST(!dkg::verify_plaintext_knowledge(e.c, p, context));
        ++tried;
    }
    for (const N& v : tampered_values(proof.nonce_response, key.n())) {
        auto p = proof;
        p.nonce_response = v;
        BOOST_TEST(!dkg::verify_plaintext_knowledge(e.c, p, context));
        ++tried;
    }
    BOOST_TEST(tried >= 18u);
    // Another voter id, another context length, no context.
    BOOST_TEST(!dkg::verify_plaintext_knowledge(e.c, proof, dkg::proof_context{"election-2024", "question-1", "voter-18"}));
    BOOST_TEST(!dkg::verify_plaintext_knowledge(e.c, proof, dkg::proof_context{"election-2024", "question-1"}));
    BOOST_TEST(!dkg::verify_plaintext_knowledge(e.c, proof, dkg::proof_context{}));
    // Another ciphertext: of the same plaintext, and the same one re-randomised.
    BOOST_TEST(!dkg::verify_plaintext_knowledge(encrypt(key, N(42u), rng).c, proof, context));
    BOOST_TEST(!dkg::verify_plaintext_knowledge(e.c.rerandomize(rng), proof, context));
    // The same value read as a ciphertext of another key.
    const auto& other = test_key<N>(small_bits, 1).public_key();
    if (e.c.value() < other.n_squared() && dkg::gcd(e.c.value(), other.n()) == N(1u))
        BOOST_TEST(!dkg::verify_plaintext_knowledge(other.make_ciphertext(e.c.value()), proof, context));
    const auto e2 = encrypt(other, N(42u), rng);
    BOOST_TEST(!dkg::verify_plaintext_knowledge(e2.c, proof, context));
}

// The prover refuses a witness that does not open the ciphertext, naming the parameters.
BOOST_AUTO_TEST_CASE_TEMPLATE(wrong_witness_is_refused, N, shipped_backends)
{
    dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, 103);
    const auto& key = test_key<N>(small_bits).public_key();
    const auto e = encrypt(key, N(7u), rng);
    BOOST_TEST(invalid_argument_text([&] { dkg::prove_plaintext_knowledge(e.c, N(8u), e.nonce, context, rng); }) ==
               "plaintext, nonce: the ciphertext is not their encryption");
    BOOST_TEST(invalid_argument_text([&] { dkg::prove_plaintext_knowledge(e.c, N(7u), N(0u), context, rng); }) == "nonce: not in Z_N^*");
    BOOST_TEST(invalid_argument_text([&] { dkg::prove_plaintext_knowledge(e.c, N(7u), key.n(), context, rng); }) == "nonce: not in Z_N^*");
    BOOST_TEST(invalid_argument_text([&] { dkg::prove_plaintext_knowledge(e.c, key.n(), e.nonce, context, rng); }).find("plaintext:") == 0u);
    // The interactive prover does not check the relation: a wrong witness gives a rejected proof.
    {
        dkg::sigma::plaintext_knowledge_prover<N> prover(e.c, N(8u), e.nonce, rng);
        const N challenge = dkg::random_bits<N>(dkg::proof_challenge_bits(key), rng);
        const auto proof = std::move(prover).respond(challenge);
        BOOST_TEST(!dkg::sigma::verify_plaintext_knowledge(e.c, proof, challenge));
    }
    dkg::sigma::plaintext_knowledge_prover<N> prover(e.c, N(7u), e.nonce, rng);
    BOOST_TEST(invalid_argument_text([&] { std::move(prover).respond(N(N(1u) << 127)); }) == "challenge: not in [0, 2^t) for this key");
}

// Special soundness: two accepting answers to one commitment give the plaintext and the nonce.
BOOST_AUTO_TEST_CASE_TEMPLATE(two_answers_reveal_the_witness, N, shipped_backends)
{
    dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, 104);
    const auto& key = test_key<N>(small_bits).public_key();
    const auto e = encrypt(key, N(-12345), rng);
    const N m = key.to_residue(e.plaintext);
    const std::size_t t = dkg::proof_challenge_bits(key);
    for (int round = 0; round < 5; ++round) {
        dkg::testing::insecure_seeded_rng same_a(dkg::testing::default_test_seed, 1040 + round), same_b(dkg::testing::default_test_seed, 1040 + round);
        dkg::sigma::plaintext_knowledge_prover<N> first(e.c, m, e.nonce, same_a), second(e.c, m, e.nonce, same_b);
        BOOST_TEST_REQUIRE((first.commitment() == second.commitment()));
        const N e1 = dkg::random_bits<N>(t, rng), e2 = dkg::random_bits<N>(t, rng);
        BOOST_TEST_REQUIRE((e1 != e2));
        const auto p1 = std::move(first).respond(e1), p2 = std::move(second).respond(e2);
        BOOST_TEST_REQUIRE(dkg::sigma::verify_plaintext_knowledge(e.c, p1, e1));
        BOOST_TEST_REQUIRE(dkg::sigma::verify_plaintext_knowledge(e.c, p2, e2));
        // g^(z1−z2)·(w1/w2)^N = c^(e1−e2); with α(e1−e2) + βN = 1: m = α(z1−z2), r = (w1/w2)^α·c^β.
        const auto [alpha, beta] = bezout(N(e1 - e2), key.n());
        const N extracted_m = dkg::mod(N(alpha * N(p1.plaintext_response - p2.plaintext_response)), key.n());
        const N ratio = dkg::mod(N(p1.nonce_response * dkg::invert_mod(p2.nonce_response, key.n())), key.n());
        const N extracted_r = dkg::mod(N(dkg::powm(ratio, alpha, key.n()) * dkg::powm(N(e.c.value() % key.n()), beta, key.n())), key.n());
        BOOST_TEST((extracted_m == m));
        BOOST_TEST((key.encrypt_with_nonce(extracted_m, extracted_r) == e.c));
    }
}

// The simulator's transcripts are accepted by the interactive verifier for any challenge, with no
// witness (also for a ciphertext nobody can open); a simulated transcript is not a Fiat–Shamir proof.
BOOST_AUTO_TEST_CASE_TEMPLATE(simulated_transcripts_are_accepted, N, shipped_backends)
{
    dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, 105);
    const auto& key = test_key<N>(small_bits).public_key();
    const auto c = key.make_ciphertext(dkg::random_unit(key.n_squared(), rng));
    for (int i = 0; i < 20; ++i) {
        const N challenge = dkg::random_bits<N>(dkg::proof_challenge_bits(key), rng);
        const auto sim = dkg::sigma::simulate_plaintext_knowledge(c, challenge, rng);
        BOOST_TEST(dkg::sigma::verify_plaintext_knowledge(c, sim, challenge));
        BOOST_TEST(!dkg::sigma::verify_plaintext_knowledge(c, sim, N(challenge ^ N(1u))));
        BOOST_TEST(!dkg::verify_plaintext_knowledge(c, sim, context));
    }
}

// Honest-verifier zero knowledge, measured: for a fixed challenge, real and simulated transcripts
// have the same distribution of (z mod 8, Jacobi symbol of w) over 16 bins (a is a function of
// them); the same test rejects a flawed simulator whose w is always a square.
BOOST_AUTO_TEST_CASE_TEMPLATE(simulated_and_real_transcripts_match, N, shipped_backends)
{
    dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, 106);
    const auto& key = test_key<N>(tiny_bits).public_key();
    const N& n = key.n();
    const auto e = encrypt(key, N(3u), rng);
    const N challenge = dkg::random_bits<N>(dkg::proof_challenge_bits(key), rng);
    const auto bin = [&](const dkg::plaintext_knowledge_proof<N>& p) {
        return static_cast<std::size_t>(dkg::bigint_traits<N>::low_u64(p.plaintext_response) % 8) * 2 + jacobi_bit(p.nonce_response, n);
    };
    const std::size_t samples = 4000;
    const auto real = histogram(16, samples, [&] {
        dkg::sigma::plaintext_knowledge_prover<N> prover(e.c, N(3u), e.nonce, rng);
        return bin(std::move(prover).respond(challenge));
    });
    const auto simulated = histogram(16, samples, [&] { return bin(dkg::sigma::simulate_plaintext_knowledge(e.c, challenge, rng)); });
    // A flawed simulator: accepting transcripts, but w is always a square.
    const N& n2 = key.n_squared();
    const N c_minus_e = dkg::invert_mod(dkg::powm(e.c.value(), challenge, n2), n2);
    const auto flawed = histogram(16, samples, [&] {
        dkg::plaintext_knowledge_proof<N> p;
        p.plaintext_response = dkg::random_below(n, rng);
        const N w = dkg::random_unit(n, rng);
        p.nonce_response = N(N(w * w) % n);
        p.commitment = N(N(N(dkg::detail::g_power(key, p.plaintext_response) * dkg::powm(p.nonce_response, n, n2)) % n2) * c_minus_e) % n2;
        BOOST_TEST_REQUIRE(dkg::sigma::verify_plaintext_knowledge(e.c, p, challenge));
        return bin(p);
    });
    check_same_distribution(real, simulated, flawed);
}

BOOST_TEST_DECORATOR(*boost::unit_test::label("slow"))
BOOST_AUTO_TEST_CASE_TEMPLATE(real_size_keys, N, shipped_backends)
{
    dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, 107);
    const auto& key = test_key<N>(2048).public_key();
    BOOST_TEST(dkg::proof_challenge_bits(key) == 128u);
    const auto e = encrypt(key, N(123456789u), rng);
    auto proof = dkg::prove_plaintext_knowledge(e.c, e.plaintext, e.nonce, context, rng);
    BOOST_TEST(dkg::verify_plaintext_knowledge(e.c, proof, context));
    BOOST_TEST(!dkg::verify_plaintext_knowledge(e.c, proof, dkg::proof_context{"election-2024", "question-1", "voter-18"}));
    proof.nonce_response = dkg::mod(N(proof.nonce_response + N(1u)), key.n());
    BOOST_TEST(!dkg::verify_plaintext_knowledge(e.c, proof, context));
}

BOOST_AUTO_TEST_SUITE_END()
