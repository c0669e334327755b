#include <dkg/proofs/ballot.hpp>

#include "../backends.hpp"
#include "../error_text.hpp"
#include "support.hpp"

#include <boost/test/unit_test.hpp>

#include <functional>
#include <optional>
#include <string>
#include <vector>

using namespace test_support;
using namespace proofs_test;

namespace {

dkg::proof_context voter(const std::string& id)
{
    return dkg::proof_context{"election-2024", "question-1", id};
}

/// Every 0/1 vector of length k with a number of ones in [min, max].
std::vector<std::vector<unsigned>> valid_choices(const dkg::ballot_rule& rule)
{
    std::vector<std::vector<unsigned>> out;
    const std::size_t k = rule.options();
    for (std::size_t bits = 0; bits < (std::size_t{1} << k); ++bits) {
        std::vector<unsigned> c(k);
        std::size_t ones = 0;
        for (std::size_t i = 0; i < k; ++i) ones += c[i] = (bits >> i) & 1u;
        if (ones >= rule.min_selections() && ones <= rule.max_selections()) out.push_back(c);
    }
    return out;
}

/// A cheating voter: encrypts `plaintexts` (any integers) in the sent ciphertexts and proves with
/// the real nonces while claiming `claimed` (values of the proofs' sets) — the best a voter can do
/// without breaking the proofs.
template <class N, class G>
dkg::ballot<N> cheating_ballot(const dkg::public_key<N>& key, const dkg::ballot_rule& rule, const std::vector<long long>& plaintexts,
                               const std::vector<long long>& claimed, const dkg::proof_context& context, G& rng)
{
    dkg::ballot<N> b;
    std::vector<N> nonces, claims;
    N product(1u);
    for (long long m : plaintexts) {
        nonces.push_back(dkg::random_unit(key.n(), rng));
        b.ciphertexts.push_back(key.encrypt_with_nonce(key.to_residue(N(m)), nonces.back()));
        product = N(N(product * nonces.back()) % key.n());
    }
    if (rule.has_count_proof()) nonces.push_back(rule.derives_last_option() ? dkg::invert_mod(product, key.n()) : product);
    for (long long c : claimed) claims.push_back(N(c));
    b.proofs = dkg::detail::prove_ballot<N>(key, rule, b.ciphertexts, claims, nonces, context, rng);
    return b;
}

} // namespace

BOOST_AUTO_TEST_SUITE(proofs_ballot)

BOOST_AUTO_TEST_CASE(rules_are_checked_and_shaped)
{
    const auto one_of_2 = dkg::ballot_rule::one_of(2);
    BOOST_TEST(one_of_2.derives_last_option());
    BOOST_TEST(one_of_2.sent_options() == 1u);
    BOOST_TEST(!one_of_2.has_count_proof()); // c_2 = g / c_1 is 0 or 1 when c_1 is
    BOOST_TEST(one_of_2.proof_count() == 1u);
    const auto one_of_10 = dkg::ballot_rule::one_of(10);
    BOOST_TEST(one_of_10.sent_options() == 9u);
    BOOST_TEST(one_of_10.proof_count() == 10u);
    const auto at_most = dkg::ballot_rule::at_most(4, 2);
    BOOST_TEST(!at_most.derives_last_option());
    BOOST_TEST(at_most.sent_options() == 4u);
    BOOST_TEST(at_most.proof_count() == 5u);
    const auto any = dkg::ballot_rule::at_most(3, 3); // approval voting: no count proof
    BOOST_TEST(any.proof_count() == 3u);
    const auto yes_no = dkg::ballot_rule::at_most(1, 1);
    BOOST_TEST(yes_no.sent_options() == 1u);
    BOOST_TEST(yes_no.proof_count() == 1u);
    BOOST_TEST(invalid_argument_text([] { dkg::ballot_rule(0, 0, 0); }).find("options: must be 1 to 256") == 0u);
    BOOST_TEST(invalid_argument_text([] { dkg::ballot_rule(257, 1, 1); }).find("options:") == 0u);
    BOOST_TEST(invalid_argument_text([] { dkg::ballot_rule(3, 1, 4); }) == "max_selections: more than the number of options");
    BOOST_TEST(invalid_argument_text([] { dkg::ballot_rule(3, 2, 1); }) == "min_selections: more than max_selections");
    BOOST_TEST(invalid_argument_text([] { dkg::ballot_rule(3, 0, 0); }) == "max_selections: 0 leaves no choice");
    BOOST_TEST(invalid_argument_text([] { dkg::ballot_rule::one_of(1); }) == "min_selections: selecting every option leaves no choice");
}

// Every valid ballot of several rules verifies, and its option ciphertexts decrypt to the choices.
BOOST_AUTO_TEST_CASE_TEMPLATE(every_valid_ballot_verifies, N, shipped_backends)
{
    dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, 401);
    const auto& sk = test_key<N>(small_bits);
    const auto& key = sk.public_key();
    const auto context = voter("voter-1");
    std::size_t checked = 0;
    for (const auto& rule : {dkg::ballot_rule::one_of(2), dkg::ballot_rule::one_of(3), dkg::ballot_rule::exactly(4, 2), dkg::ballot_rule::at_most(3, 1),
                             dkg::ballot_rule(4, 1, 3), dkg::ballot_rule::at_most(3, 3), dkg::ballot_rule::at_most(1, 1)}) {
        for (const auto& choices : valid_choices(rule)) {
            const auto b = dkg::encrypt_ballot(key, rule, choices, context, rng);
            BOOST_TEST(b.ciphertexts.size() == rule.sent_options());
            BOOST_TEST(b.proofs.size() == rule.proof_count());
            BOOST_TEST(dkg::ballot_defect(key, rule, b, context) == "");
            BOOST_TEST(dkg::verify_ballot(key, rule, b, context));
            const auto options = dkg::option_ciphertexts(key, rule, b);
            BOOST_TEST_REQUIRE(options.size() == rule.options());
            for (std::size_t i = 0; i < options.size(); ++i) BOOST_TEST((sk.decrypt(options[i]) == N(static_cast<unsigned long long>(choices[i]))));
            ++checked;
        }
    }
    BOOST_TEST(checked == 2u + 3u + 6u + 4u + 14u + 8u + 2u);
}

// A tally of ballots: the product of the option ciphertexts decrypts to the vote counts.
BOOST_AUTO_TEST_CASE_TEMPLATE(option_ciphertexts_add_up_to_the_tally, N, shipped_backends)
{
    dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, 402);
    const auto& sk = test_key<N>(small_bits);
    const auto& key = sk.public_key();
    const auto rule = dkg::ballot_rule::one_of(3);
    const std::vector<std::vector<unsigned>> votes = {{1, 0, 0}, {0, 0, 1}, {0, 0, 1}, {0, 1, 0}, {0, 0, 1}};
    std::vector<std::optional<dkg::ciphertext<N>>> tally(3);
    for (std::size_t v = 0; v < votes.size(); ++v) {
        const auto context = voter("voter-" + std::to_string(v));
        const auto b = dkg::encrypt_ballot(key, rule, votes[v], context, rng);
        BOOST_TEST_REQUIRE(dkg::verify_ballot(key, rule, b, context));
        const auto options = dkg::option_ciphertexts(key, rule, b);
        for (std::size_t i = 0; i < 3; ++i) tally[i] = tally[i] ? *tally[i] + options[i] : options[i];
    }
    BOOST_TEST((sk.decrypt(*tally[0]) == N(1u)));
    BOOST_TEST((sk.decrypt(*tally[1]) == N(1u)));
    BOOST_TEST((sk.decrypt(*tally[2]) == N(3u)));
}

// Ballots that break the rule, made by a voter who proves as well as it can: rejected, naming the proof.
BOOST_AUTO_TEST_CASE_TEMPLATE(invalid_ballots_are_rejected, N, shipped_backends)
{
    dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, 403);
    const auto& key = test_key<N>(small_bits).public_key();
    const auto context = voter("voter-2");
    // The honest cheat machinery first: true claims verify.
    BOOST_TEST(dkg::verify_ballot(key, dkg::ballot_rule::one_of(3), cheating_ballot<N>(key, dkg::ballot_rule::one_of(3), {0, 1}, {0, 1, 0}, context, rng), context));
    // A 2-option ballot encrypting 2 (the other option becomes −1), claimed 1 or 0.
    for (long long claim : {0LL, 1LL}) {
        const auto b = cheating_ballot<N>(key, dkg::ballot_rule::one_of(2), {2}, {claim}, context, rng);
        BOOST_TEST(dkg::ballot_defect(key, dkg::ballot_rule::one_of(2), b, context) == "ballot: the proof of option 1 does not verify");
    }
    // A 3-option ballot with two 1s: the derived last option encrypts −1.
    for (long long claim : {0LL, 1LL}) {
        const auto b = cheating_ballot<N>(key, dkg::ballot_rule::one_of(3), {1, 1}, {1, 1, claim}, context, rng);
        BOOST_TEST(dkg::ballot_defect(key, dkg::ballot_rule::one_of(3), b, context) == "ballot: the proof of the last option does not verify");
    }
    // A 3-option ballot giving 2 to one option and −1 to another (the sum is still 1).
    const auto shifted = cheating_ballot<N>(key, dkg::ballot_rule::one_of(3), {2, -1}, {1, 0, 0}, context, rng);
    BOOST_TEST(dkg::ballot_defect(key, dkg::ballot_rule::one_of(3), shifted, context) == "ballot: the proof of option 1 does not verify");
    // At most 1 of 3, with two 1s: every option proof holds, the count proof does not.
    const auto rule = dkg::ballot_rule::at_most(3, 1);
    for (long long claim : {0LL, 1LL}) {
        const auto b = cheating_ballot<N>(key, rule, {1, 1, 0}, {1, 1, 0, claim}, context, rng);
        BOOST_TEST(dkg::ballot_defect(key, rule, b, context) == "ballot: the proof of the number of selections does not verify");
    }
    // A yes/no ballot (at most 1 of 1) encrypting 2.
    const auto two = cheating_ballot<N>(key, dkg::ballot_rule::at_most(1, 1), {2}, {1}, context, rng);
    BOOST_TEST(!dkg::verify_ballot(key, dkg::ballot_rule::at_most(1, 1), two, context));
    // encrypt_ballot refuses such choices outright.
    const std::vector<unsigned> two_ones = {1, 1, 0}, a_two = {2, 0}, too_short = {1};
    BOOST_TEST(invalid_argument_text([&] { dkg::encrypt_ballot(key, dkg::ballot_rule::one_of(3), two_ones, context, rng); }) ==
               "choices: the number of selections is outside the rule's range");
    BOOST_TEST(invalid_argument_text([&] { dkg::encrypt_ballot(key, dkg::ballot_rule::one_of(2), a_two, context, rng); }) == "choices: each must be 0 or 1");
    BOOST_TEST(invalid_argument_text([&] { dkg::encrypt_ballot(key, dkg::ballot_rule::one_of(2), too_short, context, rng); }) == "choices: need one per option");
}

// A ballot replayed under another voter id, election or question, or checked against another rule
// or key, is rejected; so is a ballot whose parts are mixed with another's.
BOOST_AUTO_TEST_CASE_TEMPLATE(ballots_are_bound_to_voter_rule_and_key, N, shipped_backends)
{
    dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, 404);
    const auto& key = test_key<N>(small_bits).public_key();
    const auto rule = dkg::ballot_rule::one_of(3);
    const std::vector<unsigned> choice = {0, 1, 0};
    const auto b = dkg::encrypt_ballot(key, rule, choice, voter("voter-3"), rng);
    BOOST_TEST_REQUIRE(dkg::verify_ballot(key, rule, b, voter("voter-3")));
    BOOST_TEST(dkg::ballot_defect(key, rule, b, voter("voter-4")) == "ballot: the proof of option 1 does not verify");
    BOOST_TEST(!dkg::verify_ballot(key, rule, b, dkg::proof_context{"election-2025", "question-1", "voter-3"}));
    BOOST_TEST(!dkg::verify_ballot(key, rule, b, dkg::proof_context{"election-2024", "question-2", "voter-3"}));
    BOOST_TEST(!dkg::verify_ballot(key, dkg::ballot_rule(3, 1, 2), b, voter("voter-3")));
    BOOST_TEST(dkg::ballot_defect(key, dkg::ballot_rule::one_of(4), b, voter("voter-3")) == "ballot: 2 ciphertexts, the rule needs 3");
    // Parts of another voter's ballot of the same choice.
    const auto other = dkg::encrypt_ballot(key, rule, choice, voter("voter-3"), rng);
    auto mixed = b;
    mixed.proofs[1] = other.proofs[1];
    BOOST_TEST(!dkg::verify_ballot(key, rule, mixed, voter("voter-3")));
    mixed = b;
    mixed.ciphertexts[0] = other.ciphertexts[0];
    BOOST_TEST(!dkg::verify_ballot(key, rule, mixed, voter("voter-3")));
    // A re-randomised copy (a voter copying another's vote) does not verify.
    mixed = b;
    mixed.ciphertexts[1] = mixed.ciphertexts[1].rerandomize(rng);
    BOOST_TEST(!dkg::verify_ballot(key, rule, mixed, voter("voter-3")));
    // Another key.
    const auto& other_key = test_key<N>(small_bits, 1).public_key();
    BOOST_TEST(dkg::ballot_defect(other_key, rule, b, voter("voter-3")) == "ballot: option 1 is encrypted under another public key");
    BOOST_TEST(invalid_argument_text([&] { dkg::option_ciphertexts(other_key, rule, b); }) == "ballot: encrypted under another public key");
    BOOST_TEST(invalid_argument_text([&] { dkg::option_ciphertexts(key, dkg::ballot_rule::one_of(2), b); }) == "ballot: wrong number of ciphertexts for the rule");
}

// Every field of a ballot changed: rejected.
BOOST_AUTO_TEST_CASE_TEMPLATE(tampered_ballots_fail, N, shipped_backends)
{
    dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, 405);
    const auto& key = test_key<N>(small_bits).public_key();
    const auto context = voter("voter-5");
    const N two_t = N(N(1u) << static_cast<unsigned>(dkg::proof_challenge_bits(key)));
    std::size_t tried = 0;
    for (const auto& rule : {dkg::ballot_rule::one_of(2), dkg::ballot_rule::one_of(3), dkg::ballot_rule::at_most(2, 1)}) {
        std::vector<unsigned> choices(rule.options(), 0);
        choices.back() = 1;
        const auto b = dkg::encrypt_ballot(key, rule, choices, context, rng);
        BOOST_TEST_REQUIRE(dkg::verify_ballot(key, rule, b, context));
        for (std::size_t i = 0; i < b.ciphertexts.size(); ++i) {
            for (const N& v : tampered_values(b.ciphertexts[i].value(), key.n_squared())) {
                if (v <= N(0u) || v >= key.n_squared()) continue; // not a ciphertext at all
                auto t = b;
                t.ciphertexts[i] = key.make_ciphertext(v);
                BOOST_TEST(!dkg::verify_ballot(key, rule, t, context));
                ++tried;
            }
        }
        for (std::size_t p = 0; p < b.proofs.size(); ++p) {
            for (std::size_t j = 0; j < b.proofs[p].branches.size(); ++j) {
                const auto& branch = b.proofs[p].branches[j];
                const auto check = [&](auto field, const N& bound) {
                    for (const N& v : tampered_values(branch.*field, bound)) {
                        auto t = b;
                        t.proofs[p].branches[j].*field = v;
                        BOOST_TEST(!dkg::verify_ballot(key, rule, t, context));
                        ++tried;
                    }
                };
                check(&dkg::membership_branch<N>::commitment, key.n_squared());
                check(&dkg::membership_branch<N>::challenge, two_t);
                check(&dkg::membership_branch<N>::response, key.n());
            }
        }
        auto dropped = b;
        dropped.proofs.pop_back();
        BOOST_TEST(dkg::ballot_defect(key, rule, dropped, context).find("proofs, the rule needs") != std::string::npos);
        auto short_proof = b;
        short_proof.proofs[0].branches.pop_back();
        BOOST_TEST(dkg::ballot_defect(key, rule, short_proof, context) == "ballot: the proof of option 1 is malformed (branch count or a value out of range)");
    }
    BOOST_TEST(tried >= 100u);
}

namespace {

/// `count` valid ballots of random rules' shapes under `rule`, each with its own voter context.
template <class N, class G>
void valid_batch(const dkg::public_key<N>& key, const dkg::ballot_rule& rule, std::size_t count, std::vector<dkg::ballot<N>>& ballots,
                 std::vector<dkg::proof_context>& contexts, G& rng)
{
    const auto choices = valid_choices(rule);
    for (std::size_t i = 0; i < count; ++i) {
        contexts.push_back(voter("batch-voter-" + std::to_string(contexts.size())));
        ballots.push_back(dkg::encrypt_ballot(key, rule, choices[rng() % choices.size()], contexts.back(), rng));
    }
}

/// The ballots that ballot_defect rejects one by one.
template <class N>
std::vector<std::size_t> rejected_one_by_one(const dkg::public_key<N>& key, const dkg::ballot_rule& rule, const std::vector<dkg::ballot<N>>& ballots,
                                             const std::vector<dkg::proof_context>& contexts)
{
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < ballots.size(); ++i)
        if (!dkg::verify_ballot(key, rule, ballots[i], contexts[i])) out.push_back(i);
    return out;
}

} // namespace

// Random batches of valid ballots pass the batch check, for every shape of rule.
BOOST_AUTO_TEST_CASE_TEMPLATE(batches_of_valid_ballots_verify, N, backends)
{
    dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, 407);
    const auto& key = test_key<N>(small_bits).public_key();
    for (const auto& rule : {dkg::ballot_rule::one_of(2), dkg::ballot_rule::one_of(3), dkg::ballot_rule::at_most(3, 2), dkg::ballot_rule::at_most(2, 2)}) {
        for (std::size_t count : {1u, 2u, 9u}) {
            std::vector<dkg::ballot<N>> ballots;
            std::vector<dkg::proof_context> contexts;
            valid_batch(key, rule, count, ballots, contexts, rng);
            BOOST_TEST(dkg::invalid_ballots<N>(key, rule, ballots, contexts, rng).empty());
        }
    }
    const std::vector<dkg::ballot<N>> none;
    BOOST_TEST(dkg::invalid_ballots<N>(key, dkg::ballot_rule::one_of(2), none, std::vector<dkg::proof_context>{}, rng).empty());
    const std::vector<dkg::ballot<N>> one(1);
    BOOST_TEST(invalid_argument_text([&] { dkg::invalid_ballots<N>(key, dkg::ballot_rule::one_of(2), one, std::vector<dkg::proof_context>{}, rng); }) ==
               "contexts: one per ballot needed");
}

// One wrong ballot in a batch — a cheating voter's, a replay under another voter id, one changed
// field of one branch — is named, alone; so are several.
BOOST_AUTO_TEST_CASE_TEMPLATE(wrong_ballots_in_a_batch_are_named, N, shipped_backends)
{
    dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, 408);
    const auto& key = test_key<N>(small_bits).public_key();
    const auto rule = dkg::ballot_rule::one_of(3);
    std::vector<dkg::ballot<N>> ballots;
    std::vector<dkg::proof_context> contexts;
    valid_batch(key, rule, 13, ballots, contexts, rng);
    using edit = std::function<void(dkg::ballot<N>&, dkg::proof_context&)>;
    const std::vector<edit> edits = {
        [&](auto& b, auto& c) { b = cheating_ballot<N>(key, rule, {1, 1}, {1, 1, 0}, c, rng); },
        [&](auto&, auto& c) { c = voter("someone-else"); },
        [&](auto& b, auto&) { b.proofs[1].branches[0].commitment = dkg::mod(N(b.proofs[1].branches[0].commitment * N(2u)), key.n_squared()); },
        [&](auto& b, auto&) { b.proofs[2].branches[1].response = dkg::mod(N(b.proofs[2].branches[1].response + N(1u)), key.n()); },
        [&](auto& b, auto&) { b.proofs[0].branches[0].challenge += N(1u); b.proofs[0].branches[1].challenge -= N(1u); },
        [&](auto& b, auto&) { b.ciphertexts[1] = b.ciphertexts[1].rerandomize(rng); },
    };
    for (std::size_t k = 0; k < edits.size(); ++k) {
        for (std::size_t position : {std::size_t{0}, 6 + k % 3, ballots.size() - 1}) {
            auto tampered = ballots;
            auto tampered_contexts = contexts;
            edits[k](tampered[position], tampered_contexts[position]);
            const auto named = dkg::invalid_ballots<N>(key, rule, tampered, tampered_contexts, rng);
            BOOST_TEST(named == std::vector<std::size_t>{position}, "edit " << k << " at ballot " << position);
            BOOST_TEST(dkg::ballot_defect(key, rule, tampered[position], tampered_contexts[position]) != "");
        }
    }
    auto several = ballots;
    for (std::size_t position : {2u, 3u, 11u}) several[position].proofs[0].branches[1].response = N(1u);
    BOOST_TEST(dkg::invalid_ballots<N>(key, rule, several, contexts, rng) == (std::vector<std::size_t>{2, 3, 11}), boost::test_tools::per_element());
}

// The batch check never accepts what the one-by-one check rejects, nor the reverse: random
// corruptions of random fields of random ballots (property test).
BOOST_AUTO_TEST_CASE_TEMPLATE(the_batch_check_agrees_with_single_checks, N, shipped_backends)
{
    dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, 409);
    const auto& key = test_key<N>(small_bits).public_key();
    const auto rule = dkg::ballot_rule::at_most(3, 2);
    std::vector<dkg::ballot<N>> valid;
    std::vector<dkg::proof_context> contexts;
    valid_batch(key, rule, 10, valid, contexts, rng);
    const N two_t = N(N(1u) << static_cast<unsigned>(dkg::proof_challenge_bits(key)));
    std::size_t rejected = 0;
    for (int round = 0; round < 40; ++round) {
        auto ballots = valid;
        const std::size_t corruptions = 1 + rng() % 3;
        for (std::size_t k = 0; k < corruptions; ++k) {
            auto& b = ballots[rng() % ballots.size()];
            auto& branch = b.proofs[rng() % b.proofs.size()].branches[rng() % 2];
            switch (rng() % 5) {
            case 0: branch.commitment = dkg::mod(N(branch.commitment * dkg::random_unit(key.n(), rng)), key.n_squared()); break;
            case 1: branch.commitment = N(key.n_squared() - branch.commitment); break; // times −1 after hashing
            case 2: branch.response = dkg::random_unit(key.n(), rng); break;
            case 3: branch.challenge = dkg::mod(N(branch.challenge + N(1u) + dkg::random_below(two_t, rng)), two_t); break;
            default: b.ciphertexts[rng() % b.ciphertexts.size()] = key.encrypt(N(rng() % 3), rng); break;
            }
        }
        const auto single = rejected_one_by_one(key, rule, ballots, contexts);
        BOOST_TEST(dkg::invalid_ballots<N>(key, rule, ballots, contexts, rng) == single, boost::test_tools::per_element());
        rejected += single.size();
    }
    BOOST_TEST(rejected >= 40u);
}

// A commitment multiplied by −1 before the challenge is hashed satisfies the equation only up to
// a square root of 1: both the single and the batch check accept it (the plaintext is still 0 or
// 1), so that a ballot box that checks in batches and an auditor who checks one by one agree.
BOOST_AUTO_TEST_CASE_TEMPLATE(a_square_root_of_one_passes_both_checks, N, shipped_backends)
{
    dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, 410);
    const auto& key = test_key<N>(small_bits).public_key();
    const auto rule = dkg::ballot_rule::one_of(2);
    const auto context = voter("voter-root");
    const N nonce = dkg::random_unit(key.n(), rng);
    dkg::ballot<N> b;
    b.ciphertexts.push_back(key.encrypt_with_nonce(N(1u), nonce));
    const std::vector<N> set = {N(0u), N(1u)};
    dkg::sigma::membership_prover<N> prover(b.ciphertexts[0], set, N(1u), nonce, rng);
    std::vector<std::vector<N>> commitments = {prover.commitments()};
    commitments[0][0] = N(key.n_squared() - commitments[0][0]);
    const N e = dkg::detail::ballot_transcript<N>(key, rule, b.ciphertexts, commitments, context).template challenge<N>(dkg::proof_challenge_bits(key));
    b.proofs.push_back(std::move(prover).respond(e));
    b.proofs[0].branches[0].commitment = commitments[0][0];
    BOOST_TEST(dkg::verify_ballot(key, rule, b, context));
    std::vector<dkg::ballot<N>> ballots;
    std::vector<dkg::proof_context> contexts;
    valid_batch(key, rule, 3, ballots, contexts, rng);
    ballots.push_back(b);
    contexts.push_back(context);
    BOOST_TEST(dkg::invalid_ballots<N>(key, rule, ballots, contexts, rng).empty());
}

BOOST_TEST_DECORATOR(*boost::unit_test::label("slow"))
BOOST_AUTO_TEST_CASE_TEMPLATE(real_size_keys, N, shipped_backends)
{
    dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, 406);
    const auto& sk = test_key<N>(2048);
    const auto& key = sk.public_key();
    for (const auto& rule : {dkg::ballot_rule::one_of(2), dkg::ballot_rule::one_of(10)}) {
        std::vector<unsigned> choices(rule.options(), 0);
        choices[1] = 1;
        const auto b = dkg::encrypt_ballot(key, rule, choices, voter("voter-9"), rng);
        BOOST_TEST(dkg::verify_ballot(key, rule, b, voter("voter-9")));
        BOOST_TEST(!dkg::verify_ballot(key, rule, b, voter("voter-10")));
        const auto options = dkg::option_ciphertexts(key, rule, b);
        for (std::size_t i = 0; i < options.size(); ++i) BOOST_TEST((sk.decrypt(options[i]) == N(static_cast<unsigned long long>(choices[i]))));
    }
    const auto cheat = cheating_ballot<N>(key, dkg::ballot_rule::one_of(2), {2}, {1}, voter("voter-9"), rng);
    BOOST_TEST(!dkg::verify_ballot(key, dkg::ballot_rule::one_of(2), cheat, voter("voter-9")));
}

BOOST_AUTO_TEST_SUITE_END()
