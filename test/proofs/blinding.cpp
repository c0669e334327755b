#include <dkg/proofs/blinding.hpp>

#include "../backends.hpp"
#include "../error_text.hpp"
#include "support.hpp"

#include <boost/test/unit_test.hpp>

using namespace test_support;
using namespace proofs_test;

namespace {

const dkg::proof_context context{"unanimous-vote-3", "blinding", "party-2"};

template <class N>
N power(const dkg::public_key<N>& key, const dkg::ciphertext<N>& c, const N& r, const N& s)
{
    return N(N(dkg::powm(c.value(), r, key.n_squared()) * dkg::powm(s, key.n(), key.n_squared())) % key.n_squared());
}

} // namespace

BOOST_AUTO_TEST_SUITE(proofs_blinding)

// blind() multiplies the plaintext by a random unit: 0 stays 0, anything else becomes a random
// nonzero value; the proof verifies.
BOOST_AUTO_TEST_CASE_TEMPLATE(blinding_multiplies_the_plaintext_and_verifies, N, shipped_backends)
{
    dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, 301);
    const auto& sk = test_key<N>(small_bits);
    const auto& key = sk.public_key();
    for (const N& m : {N(0u), N(1u), N(-2), N(12345u)}) {
        const auto c = key.encrypt(m, rng);
        const auto b = dkg::blind(c, context, rng);
        BOOST_TEST(dkg::verify_blinding(c, b.value, b.proof, context));
        BOOST_TEST(((sk.decrypt(b.value) == N(0u)) == (m == N(0u))));
        if (m != N(0u)) BOOST_TEST((sk.decrypt(b.value) != m));
        // A chain of blindings, each verified against its input.
        const auto again = dkg::blind(b.value, context, rng);
        BOOST_TEST(dkg::verify_blinding(b.value, again.value, again.proof, context));
        BOOST_TEST(!dkg::verify_blinding(c, again.value, again.proof, context));
    }
}

// prove_blinding for a blinding made by the caller; a witness that does not hold is refused.
BOOST_AUTO_TEST_CASE_TEMPLATE(proofs_for_a_given_blinding, N, shipped_backends)
{
    dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, 302);
    const auto& key = test_key<N>(small_bits).public_key();
    const auto c = key.encrypt(N(-3), rng);
    const N r = dkg::random_unit(key.n(), rng), s = dkg::random_unit(key.n(), rng);
    const auto blinded = key.make_ciphertext(power(key, c, r, s));
    BOOST_TEST(dkg::verify_blinding(c, blinded, dkg::prove_blinding(c, blinded, r, s, context, rng), context));
    BOOST_TEST(invalid_argument_text([&] { dkg::prove_blinding(c, blinded, N(r + N(1u)), s, context, rng); }) ==
               "factor, nonce: the blinded ciphertext is not c^factor · nonce^N");
    BOOST_TEST(invalid_argument_text([&] { dkg::prove_blinding(c, blinded, N(0u), s, context, rng); }) == "factor: not in Z_N^*");
    BOOST_TEST(invalid_argument_text([&] { dkg::prove_blinding(c, blinded, key.n(), s, context, rng); }) == "factor: not in Z_N^*");
    BOOST_TEST(invalid_argument_text([&] { dkg::prove_blinding(c, blinded, r, N(0u), context, rng); }) == "nonce: not in Z_N^*");
    const auto& other = test_key<N>(small_bits, 1).public_key();
    const auto foreign = other.encrypt(N(1u), rng);
    BOOST_TEST(invalid_argument_text([&] { dkg::prove_blinding(c, foreign, r, s, context, rng); }) == "blinded: encrypted under another public key");
    BOOST_TEST(invalid_argument_text([&] { dkg::verify_blinding(c, foreign, dkg::blinding_proof<N>{}, context); }) ==
               "blinded: encrypted under another public key");
}

// The attack the backward half stops: a blinder that uses r = 0 turns any tally into an encryption
// of 0 ("unanimous"). It can prove the forward relation, but no backward one: the proof fails.
BOOST_AUTO_TEST_CASE_TEMPLATE(blinding_by_zero_is_rejected, N, shipped_backends)
{
    dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, 303);
    const auto& sk = test_key<N>(small_bits);
    const auto& key = sk.public_key();
    const auto c = key.encrypt(N(-1), rng); // one voter said no
    const N s = dkg::random_unit(key.n(), rng);
    const auto zeroed = key.make_ciphertext(power(key, c, N(0u), s));
    BOOST_TEST_REQUIRE((sk.decrypt(zeroed) == N(0u)));
    // The best the cheat can do: honest forward half, and a backward half for r' = 0 too.
    dkg::sigma::power_relation_prover<N> forward(c, N(0u), s, rng);
    dkg::sigma::power_relation_prover<N> backward(zeroed, N(0u), s, rng);
    const N e = dkg::detail::blinding_transcript(c, zeroed, forward.commitment(), backward.commitment(), context).template challenge<N>(dkg::proof_challenge_bits(key));
    const auto f = std::move(forward).respond(e);
    BOOST_TEST(dkg::sigma::verify_power_relation(c, zeroed, f, e)); // the forward relation holds
    const dkg::blinding_proof<N> cheat{f, std::move(backward).respond(e)};
    BOOST_TEST(!dkg::verify_blinding(c, zeroed, cheat, context));
    BOOST_TEST(invalid_argument_text([&] { dkg::prove_blinding(c, zeroed, N(0u), s, context, rng); }) == "factor: not in Z_N^*");
}

BOOST_AUTO_TEST_CASE_TEMPLATE(tampered_proofs_and_wrong_statements_fail, N, shipped_backends)
{
    dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, 304);
    const auto& key = test_key<N>(small_bits).public_key();
    const auto c = key.encrypt(N(-2), rng);
    const auto b = dkg::blind(c, context, rng);
    BOOST_TEST_REQUIRE(dkg::verify_blinding(c, b.value, b.proof, context));
    std::size_t tried = 0;
    for (auto half : {&dkg::blinding_proof<N>::forward, &dkg::blinding_proof<N>::backward}) {
        for (const N& v : tampered_values((b.proof.*half).commitment, key.n_squared())) {
            auto p = b.proof;
            (p.*half).commitment = v;
            BOOST_TEST(!dkg::verify_blinding(c, b.value, p, context));
            ++tried;
        }
        for (const N& v : tampered_values((b.proof.*half).exponent_response, key.n())) {
            auto p = b.proof;
            (p.*half).exponent_response = v;
            BOOST_TEST(!dkg::verify_blinding(c, b.value, p, context));
            ++tried;
        }
        for (const N& v : tampered_values((b.proof.*half).nonce_response, key.n())) {
            auto p = b.proof;
            (p.*half).nonce_response = v;
            BOOST_TEST(!dkg::verify_blinding(c, b.value, p, context));
            ++tried;
        }
    }
    BOOST_TEST(tried >= 36u);
    auto swapped = b.proof;
    std::swap(swapped.forward, swapped.backward);
    BOOST_TEST(!dkg::verify_blinding(c, b.value, swapped, context));
    BOOST_TEST(!dkg::verify_blinding(b.value, c, b.proof, context));
    BOOST_TEST(!dkg::verify_blinding(c, b.value, b.proof, dkg::proof_context{"unanimous-vote-3", "blinding", "party-3"}));
    BOOST_TEST(!dkg::verify_blinding(c, b.value.rerandomize(rng), b.proof, context));
    BOOST_TEST(!dkg::verify_blinding(c.rerandomize(rng), b.value, b.proof, context));
    BOOST_TEST(!dkg::verify_blinding(c, key.encrypt(N(5u), rng), b.proof, context));
    const auto& other = test_key<N>(small_bits, 1).public_key();
    const auto c2 = other.encrypt(N(-2), rng);
    BOOST_TEST(!dkg::verify_blinding(c2, dkg::blind(c2, context, rng).value, b.proof, context));
}

// Special soundness: two answers to one pair of commitments give the factor r (checked by
// decryption: Dec(c') = r·Dec(c)) and r^−1 from the backward half.
BOOST_AUTO_TEST_CASE_TEMPLATE(two_answers_reveal_the_factor, N, shipped_backends)
{
    dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, 305);
    const auto& sk = test_key<N>(small_bits);
    const auto& key = sk.public_key();
    const N& n = key.n();
    const auto c = key.encrypt(N(77u), rng);
    const N r = dkg::random_unit(n, rng), s = dkg::random_unit(n, rng);
    const auto blinded = key.make_ciphertext(power(key, c, r, s));
    dkg::testing::insecure_seeded_rng same_a(dkg::testing::default_test_seed, 3050), same_b(dkg::testing::default_test_seed, 3050);
    dkg::sigma::power_relation_prover<N> first(c, r, s, same_a), second(c, r, s, same_b);
    BOOST_TEST_REQUIRE((first.commitment() == second.commitment()));
    const std::size_t t = dkg::proof_challenge_bits(key);
    const N e1 = dkg::random_bits<N>(t, rng), e2 = dkg::random_bits<N>(t, rng);
    const auto p1 = std::move(first).respond(e1), p2 = std::move(second).respond(e2);
    BOOST_TEST_REQUIRE(dkg::sigma::verify_power_relation(c, blinded, p1, e1));
    BOOST_TEST_REQUIRE(dkg::sigma::verify_power_relation(c, blinded, p2, e2));
    // c^(z1−z2)·(w1/w2)^N = c'^(e1−e2): x = α(z1 − z2) mod N with α = (e1 − e2)^−1 mod N.
    const auto [alpha, beta] = bezout(N(e1 - e2), n);
    const N extracted = dkg::mod(N(alpha * N(p1.exponent_response - p2.exponent_response)), n);
    BOOST_TEST((extracted == r));
    BOOST_TEST((sk.decrypt_residue(blinded) == dkg::mod(N(extracted * sk.decrypt_residue(c)), n)));
}

BOOST_AUTO_TEST_CASE_TEMPLATE(simulated_transcripts_are_accepted, N, shipped_backends)
{
    dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, 306);
    const auto& key = test_key<N>(small_bits).public_key();
    const auto c = key.encrypt(N(1u), rng);
    // Targets that are no blinding of c: an encryption of 0 (no unit r maps 1 to 0) and an
    // arbitrary element of Z_{N²}^*.
    const auto zero = key.encrypt(N(0u), rng);
    const auto arbitrary = key.make_ciphertext(dkg::random_unit(key.n_squared(), rng));
    for (const auto& target : {zero, arbitrary}) {
        for (int i = 0; i < 10; ++i) {
            const N challenge = dkg::random_bits<N>(dkg::proof_challenge_bits(key), rng);
            const auto sim = dkg::sigma::simulate_blinding(c, target, challenge, rng);
            BOOST_TEST(dkg::sigma::verify_blinding(c, target, sim, challenge));
            BOOST_TEST(!dkg::sigma::verify_blinding(c, target, sim, N(challenge ^ N(1u))));
            BOOST_TEST(!dkg::verify_blinding(c, target, sim, context));
        }
    }
}

// Honest-verifier zero knowledge, measured: for a fixed challenge, (z mod 2 and the Jacobi symbol
// of w, of each direction) has the same distribution over its 16 bins in real and simulated
// transcripts; the test rejects a flawed prover whose forward response z is always even.
BOOST_AUTO_TEST_CASE_TEMPLATE(simulated_and_real_transcripts_match, N, shipped_backends)
{
    dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, 307);
    const auto& key = test_key<N>(tiny_bits).public_key();
    const N& n = key.n();
    const auto c = key.encrypt(N(5u), rng);
    const N r = dkg::random_unit(n, rng), s = dkg::random_unit(n, rng);
    const auto blinded = key.make_ciphertext(power(key, c, r, s));
    const N challenge = dkg::random_bits<N>(dkg::proof_challenge_bits(key), rng);
    const auto low = [](const N& v) { return static_cast<std::size_t>(dkg::bigint_traits<N>::low_u64(v) % 2); };
    const auto bin = [&](const dkg::blinding_proof<N>& p) {
        return low(p.forward.exponent_response) * 8 + jacobi_bit(p.forward.nonce_response, n) * 4 + low(p.backward.exponent_response) * 2 +
               jacobi_bit(p.backward.nonce_response, n);
    };
    // The real prover's two halves, with the witness of each direction.
    const N r_inverse = dkg::invert_mod(r, n);
    const N k = N(N(N(r * r_inverse) - N(1u)) / n);
    const N s_back = dkg::invert_mod(N(N(dkg::powm(N(c.value() % n), k, n) * dkg::powm(s, r_inverse, n)) % n), n);
    const std::size_t samples = 4000;
    const auto real = histogram(16, samples, [&] {
        dkg::sigma::power_relation_prover<N> f(c, r, s, rng), b(blinded, r_inverse, s_back, rng);
        auto forward = std::move(f).respond(challenge);
        return bin({std::move(forward), std::move(b).respond(challenge)});
    });
    {
        dkg::sigma::power_relation_prover<N> f(c, r, s, rng), b(blinded, r_inverse, s_back, rng);
        auto forward = std::move(f).respond(challenge);
        BOOST_TEST_REQUIRE(dkg::sigma::verify_blinding(c, blinded, dkg::blinding_proof<N>{std::move(forward), std::move(b).respond(challenge)}, challenge));
    }
    const auto simulated = histogram(16, samples, [&] { return bin(dkg::sigma::simulate_blinding(c, blinded, challenge, rng)); });
    // The flawed prover: an accepting transcript whose forward response z is always even.
    const N& n2 = key.n_squared();
    const N target_minus_e = dkg::invert_mod(dkg::powm(blinded.value(), challenge, n2), n2);
    const auto flawed = histogram(16, samples, [&] {
        auto p = dkg::sigma::simulate_blinding(c, blinded, challenge, rng);
        p.forward.exponent_response = N(N(dkg::random_below(N(n >> 1), rng)) * N(2u));
        p.forward.commitment = N(N(N(N(dkg::powm(c.value(), p.forward.exponent_response, n2) * dkg::powm(p.forward.nonce_response, n, n2)) % n2) *
                                 target_minus_e) % n2);
        BOOST_TEST_REQUIRE(dkg::sigma::verify_blinding(c, blinded, p, challenge));
        return bin(p);
    });
    check_same_distribution(real, simulated, flawed);
}

BOOST_TEST_DECORATOR(*boost::unit_test::label("slow"))
BOOST_AUTO_TEST_CASE_TEMPLATE(real_size_keys, N, shipped_backends)
{
    dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, 308);
    const auto& sk = test_key<N>(2048);
    const auto& key = sk.public_key();
    const auto c = key.encrypt(N(-1), rng);
    auto b = dkg::blind(c, context, rng);
    BOOST_TEST(dkg::verify_blinding(c, b.value, b.proof, context));
    BOOST_TEST((sk.decrypt(b.value) != N(0u)));
    b.proof.backward.exponent_response = dkg::mod(N(b.proof.backward.exponent_response + N(1u)), key.n());
    BOOST_TEST(!dkg::verify_blinding(c, b.value, b.proof, context));
}

BOOST_AUTO_TEST_SUITE_END()
