#include <dkg/proofs/membership.hpp>

#include "../backends.hpp"
#include "../error_text.hpp"
#include "support.hpp"

#include <boost/test/unit_test.hpp>

using namespace test_support;
using namespace proofs_test;

namespace {

const dkg::proof_context context{"election-2024", "question-1", "voter-17"};

template <class N>
std::vector<N> zero_one()
{
    return {N(0u), N(1u)};
}

template <class N>
struct encrypted {
    N nonce;
    dkg::ciphertext<N> c;
};

template <class N, class G>
encrypted<N> encrypt(const dkg::public_key<N>& key, const N& m, G& rng)
{
    N r = dkg::random_unit(key.n(), rng);
    auto c = key.encrypt_with_nonce(key.to_residue(m), r);
    return {std::move(r), std::move(c)};
}

} // namespace

BOOST_AUTO_TEST_SUITE(proofs_membership)

// Completeness for {0, 1}, a range, a set with negatives and a one-element set, every element.
BOOST_AUTO_TEST_CASE_TEMPLATE(honest_proofs_verify, N, shipped_backends)
{
    dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, 201);
    const auto& key = test_key<N>(small_bits).public_key();
    const std::vector<std::vector<N>> sets = {zero_one<N>(), {N(0u), N(1u), N(2u), N(3u), N(4u)}, {N(-5), N(17u), N(-1), key.max_plaintext()}, {N(9u)}};
    for (const auto& set : sets) {
        for (const N& m : set) {
            const auto e = encrypt(key, m, rng);
            const auto proof = dkg::prove_membership(e.c, set, m, e.nonce, context, rng);
            BOOST_TEST(proof.branches.size() == set.size());
            BOOST_TEST(dkg::verify_membership(e.c, set, proof, context));
        }
    }
}

// A ciphertext of 2 cannot be proved to be in {0, 1}: the prover refuses, and a prover that claims
// 1 (or 0) with the real nonce produces a proof that fails, interactively and non-interactively.
BOOST_AUTO_TEST_CASE_TEMPLATE(a_plaintext_outside_the_set_is_rejected, N, shipped_backends)
{
    dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, 202);
    const auto& key = test_key<N>(small_bits).public_key();
    const auto set = zero_one<N>();
    for (const N& m : {N(2u), N(-1), N(3u)}) {
        const auto e = encrypt(key, m, rng);
        BOOST_TEST(invalid_argument_text([&] { dkg::prove_membership(e.c, set, m, e.nonce, context, rng); }) == "plaintext: not in the set");
        for (const N& claim : set) {
            BOOST_TEST(invalid_argument_text([&] { dkg::prove_membership(e.c, set, claim, e.nonce, context, rng); }) ==
                       "plaintext, nonce: the ciphertext is not their encryption");
            dkg::sigma::membership_prover<N> prover(e.c, set, claim, e.nonce, rng);
            const auto commitments = prover.commitments();
            const N challenge = dkg::detail::membership_transcript<N>(e.c, set, commitments, context).template challenge<N>(dkg::proof_challenge_bits(key));
            const auto proof = std::move(prover).respond(challenge);
            BOOST_TEST(!dkg::sigma::verify_membership(e.c, set, proof, challenge));
            BOOST_TEST(!dkg::verify_membership(e.c, set, proof, context));
        }
    }
}

BOOST_AUTO_TEST_CASE_TEMPLATE(tampered_proofs_and_wrong_statements_fail, N, shipped_backends)
{
    dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, 203);
    const auto& key = test_key<N>(small_bits).public_key();
    const auto set = zero_one<N>();
    const auto e = encrypt(key, N(1u), rng);
    const auto proof = dkg::prove_membership(e.c, set, N(1u), e.nonce, context, rng);
    BOOST_TEST_REQUIRE(dkg::verify_membership(e.c, set, proof, context));
    const N two_t = N(N(1u) << static_cast<unsigned>(dkg::proof_challenge_bits(key)));
    std::size_t tried = 0;
    for (std::size_t j = 0; j < proof.branches.size(); ++j) {
        for (const N& v : tampered_values(proof.branches[j].commitment, key.n_squared())) {
            auto p = proof;
            p.branches[j].commitment = v;
            BOOST_TEST(!dkg::verify_membership(e.c, set, p, context));
            ++tried;
        }
        for (const N& v : tampered_values(proof.branches[j].challenge, two_t)) {
            auto p = proof;
            p.branches[j].challenge = v;
            BOOST_TEST(!dkg::verify_membership(e.c, set, p, context));
            ++tried;
        }
        for (const N& v : tampered_values(proof.branches[j].response, key.n())) {
            auto p = proof;
            p.branches[j].response = v;
            BOOST_TEST(!dkg::verify_membership(e.c, set, p, context));
            ++tried;
        }
    }
    BOOST_TEST(tried >= 36u);
    // Moving challenge between branches keeps the sum but breaks both equations.
    auto shifted = proof;
    shifted.branches[0].challenge = dkg::mod(N(shifted.branches[0].challenge + N(1u)), two_t);
    shifted.branches[1].challenge = dkg::mod(N(shifted.branches[1].challenge - N(1u)), two_t);
    BOOST_TEST(!dkg::verify_membership(e.c, set, shifted, context));
    // Swapped branches, a missing branch, an extra branch.
    auto swapped = proof;
    std::swap(swapped.branches[0], swapped.branches[1]);
    BOOST_TEST(!dkg::verify_membership(e.c, set, swapped, context));
    auto missing = proof;
    missing.branches.pop_back();
    BOOST_TEST(!dkg::verify_membership(e.c, set, missing, context));
    auto extra = proof;
    extra.branches.push_back(proof.branches[0]);
    BOOST_TEST(!dkg::verify_membership(e.c, set, extra, context));
    // Another set, another context (the voter id of another voter), another ciphertext or key.
    BOOST_TEST(!dkg::verify_membership(e.c, std::vector<N>{N(1u), N(0u)}, proof, context));
    BOOST_TEST(!dkg::verify_membership(e.c, std::vector<N>{N(0u), N(2u)}, proof, context));
    BOOST_TEST(!dkg::verify_membership(e.c, set, proof, dkg::proof_context{"election-2024", "question-1", "voter-18"}));
    BOOST_TEST(!dkg::verify_membership(encrypt(key, N(1u), rng).c, set, proof, context));
    BOOST_TEST(!dkg::verify_membership(e.c.rerandomize(rng), set, proof, context));
    const auto& other = test_key<N>(small_bits, 1).public_key();
    BOOST_TEST(!dkg::verify_membership(encrypt(other, N(1u), rng).c, set, proof, context));
}

BOOST_AUTO_TEST_CASE_TEMPLATE(invalid_sets_name_the_parameter, N, shipped_backends)
{
    dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, 204);
    const auto& key = test_key<N>(small_bits).public_key();
    const auto e = encrypt(key, N(1u), rng);
    const dkg::membership_proof<N> none;
    BOOST_TEST(invalid_argument_text([&] { dkg::verify_membership(e.c, std::vector<N>{}, none, context); }).find("set: must hold 1 to 1024") == 0u);
    BOOST_TEST(invalid_argument_text([&] { dkg::verify_membership(e.c, std::vector<N>{N(1u), N(1u)}, none, context); }) == "set: an element appears twice");
    BOOST_TEST(invalid_argument_text([&] { dkg::prove_membership(e.c, std::vector<N>{N(-1), N(-1)}, N(-1), e.nonce, context, rng); }) == "set: an element appears twice");
    // The interactive layer works on residues: N − 1 there is −1 here.
    BOOST_TEST(invalid_argument_text([&] { dkg::sigma::verify_membership(e.c, std::vector<N>{N(key.n() - N(1u)), N(key.n() - N(1u))}, none, N(0u)); }) ==
               "set: an element appears twice");
    BOOST_TEST(invalid_argument_text([&] { dkg::verify_membership(e.c, std::vector<N>{key.n()}, none, context); }).find("plaintext:") == 0u);
    BOOST_TEST(invalid_argument_text([&] { dkg::sigma::verify_membership(e.c, std::vector<N>{N(-1)}, none, N(0u)); }) == "set: a residue is not in [0, N)");
    const std::vector<N> huge(dkg::max_membership_set_size + 1, N(0u));
    BOOST_TEST(invalid_argument_text([&] { dkg::verify_membership(e.c, huge, none, context); }).find("set: must hold") == 0u);
}

// Special soundness of the OR: two accepting answers to one set of commitments differ in some
// branch j, and that branch gives an N-th root of c·g^(−s_j): c encrypts s_j.
BOOST_AUTO_TEST_CASE_TEMPLATE(two_answers_reveal_the_plaintext, N, shipped_backends)
{
    dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, 205);
    const auto& key = test_key<N>(small_bits).public_key();
    const std::vector<N> set = {N(0u), N(1u), N(2u)};
    const N& n = key.n();
    for (int round = 0; round < 6; ++round) {
        const N m = set[static_cast<std::size_t>(round) % 3];
        const auto e = encrypt(key, m, rng);
        dkg::testing::insecure_seeded_rng same_a(dkg::testing::default_test_seed, 2050 + round), same_b(dkg::testing::default_test_seed, 2050 + round);
        dkg::sigma::membership_prover<N> first(e.c, set, m, e.nonce, same_a), second(e.c, set, m, e.nonce, same_b);
        BOOST_TEST_REQUIRE((first.commitments() == second.commitments()));
        const std::size_t t = dkg::proof_challenge_bits(key);
        const N e1 = dkg::random_bits<N>(t, rng), e2 = dkg::random_bits<N>(t, rng);
        const auto p1 = std::move(first).respond(e1), p2 = std::move(second).respond(e2);
        BOOST_TEST_REQUIRE(dkg::sigma::verify_membership(e.c, set, p1, e1));
        BOOST_TEST_REQUIRE(dkg::sigma::verify_membership(e.c, set, p2, e2));
        std::size_t j = 0;
        while (p1.branches[j].challenge == p2.branches[j].challenge) ++j;
        BOOST_TEST(j < set.size());
        // (z1/z2)^N = u_j^(e1_j − e2_j); with α(e1_j − e2_j) + βN = 1: root = (z1/z2)^α · u_j^β.
        const auto [alpha, beta] = bezout(N(p1.branches[j].challenge - p2.branches[j].challenge), n);
        const N ratio = dkg::mod(N(p1.branches[j].response * dkg::invert_mod(p2.branches[j].response, n)), n);
        const N u = N(N(e.c.value() * dkg::detail::g_power(key, N(-set[j]))) % key.n_squared());
        const N root = dkg::mod(N(dkg::powm(ratio, alpha, n) * dkg::powm(N(u % n), beta, n)), n);
        BOOST_TEST((key.encrypt_with_nonce(set[j], root) == e.c));
        BOOST_TEST((set[j] == m));
    }
}

// The simulator convinces the interactive verifier whatever the ciphertext holds (which is why
// the challenge must not be chosen by the prover); simulated transcripts are not Fiat–Shamir proofs.
BOOST_AUTO_TEST_CASE_TEMPLATE(simulated_transcripts_are_accepted, N, shipped_backends)
{
    dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, 206);
    const auto& key = test_key<N>(small_bits).public_key();
    const std::vector<N> set = {N(0u), N(1u), N(2u)};
    for (const N& m : {N(1u), N(7u)}) {
        const auto e = encrypt(key, m, rng);
        for (int i = 0; i < 10; ++i) {
            const N challenge = dkg::random_bits<N>(dkg::proof_challenge_bits(key), rng);
            const auto sim = dkg::sigma::simulate_membership(e.c, set, challenge, rng);
            BOOST_TEST(dkg::sigma::verify_membership(e.c, set, sim, challenge));
            BOOST_TEST(!dkg::sigma::verify_membership(e.c, set, sim, N(challenge ^ N(1u))));
            BOOST_TEST(!dkg::verify_membership(e.c, set, sim, context));
        }
    }
}

// Honest-verifier zero knowledge, measured for {0, 1} and a ciphertext of 1 (the real branch is
// the second): for a fixed challenge, (e_0 mod 4, Jacobi of z_0, Jacobi of z_1) has the same
// distribution in real and simulated transcripts; the test rejects a flawed prover whose simulated
// branch takes challenge 0 half of the time.
BOOST_AUTO_TEST_CASE_TEMPLATE(simulated_and_real_transcripts_match, N, shipped_backends)
{
    dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, 207);
    const auto& key = test_key<N>(tiny_bits).public_key();
    const N& n = key.n();
    const auto set = zero_one<N>();
    const auto e = encrypt(key, N(1u), rng);
    const N challenge = dkg::random_bits<N>(dkg::proof_challenge_bits(key), rng);
    const auto bin = [&](const dkg::membership_proof<N>& p) {
        return static_cast<std::size_t>(dkg::bigint_traits<N>::low_u64(p.branches[0].challenge) % 4) * 4 + jacobi_bit(p.branches[0].response, n) * 2 +
               jacobi_bit(p.branches[1].response, n);
    };
    const std::size_t samples = 4000;
    const auto real = histogram(16, samples, [&] {
        dkg::sigma::membership_prover<N> prover(e.c, set, N(1u), e.nonce, rng);
        return bin(std::move(prover).respond(challenge));
    });
    const auto simulated = histogram(16, samples, [&] { return bin(dkg::sigma::simulate_membership(e.c, set, challenge, rng)); });
    // The flawed prover: an accepting transcript whose first branch's challenge is 0 half of the time.
    const auto flawed = histogram(16, samples, [&] {
        auto p = dkg::sigma::simulate_membership(e.c, set, challenge, rng);
        if (rng() % 2 == 0) {
            const N& n2 = key.n_squared();
            const N y = dkg::random_unit(n, rng), rho = dkg::random_unit(n, rng);
            p.branches[0] = {dkg::powm(y, n, n2), N(0u), y};
            p.branches[1] = {dkg::powm(rho, n, n2), challenge, N(N(rho * dkg::powm(e.nonce, challenge, n)) % n)};
            BOOST_TEST_REQUIRE(dkg::sigma::verify_membership(e.c, set, p, challenge));
        }
        return bin(p);
    });
    check_same_distribution(real, simulated, flawed);
}

BOOST_TEST_DECORATOR(*boost::unit_test::label("slow"))
BOOST_AUTO_TEST_CASE_TEMPLATE(real_size_keys, N, shipped_backends)
{
    dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, 208);
    const auto& key = test_key<N>(2048).public_key();
    const auto set = zero_one<N>();
    const auto e = encrypt(key, N(0u), rng);
    auto proof = dkg::prove_membership(e.c, set, N(0u), e.nonce, context, rng);
    BOOST_TEST(dkg::verify_membership(e.c, set, proof, context));
    BOOST_TEST(!dkg::verify_membership(e.c, set, proof, dkg::proof_context{"election-2024", "question-1", "voter-18"}));
    proof.branches[1].response = dkg::mod(N(proof.branches[1].response + N(1u)), key.n());
    BOOST_TEST(!dkg::verify_membership(e.c, set, proof, context));
}

BOOST_AUTO_TEST_SUITE_END()
