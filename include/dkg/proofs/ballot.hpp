// Encrypted ballots with proofs of validity (docs/protocol.md §9.4): k options, each encrypted as
// 0 or 1, with the number of selections in a range [min, max] fixed by the election, such as
// "exactly one of k" or "at most M of k". Anyone can check a ballot; nobody learns its choices.
//
// Each sent option ciphertext carries a membership proof for {0, 1} (Cramer–Damgård–Schoenmakers
// over N-th residuosity, dkg/proofs/membership.hpp). The count is proved on a derived ciphertext,
// which costs no encryption (the idea of the 1-out-of-L proofs of Damgård–Jurik, PKC 2001, §5, and
// of Helios' overall proof):
//  - when min = max = s, the last option is not sent but derived as c_k = g^s · (c_1 ⋯ c_{k−1})^−1,
//    and proved to encrypt 0 or 1; for k = 2 that follows from c_1's proof and is omitted;
//  - otherwise the sum c_1 ⋯ c_k is proved to encrypt one of {min, …, max} (omitted when the range
//    is all of [0, k]).
// All proofs of a ballot answer one Fiat–Shamir challenge over the context, the rule, every sent
// ciphertext and every commitment.
#pragma once

#include <dkg/bigint.hpp>
#include <dkg/detail/batch_verification.hpp>
#include <dkg/paillier.hpp>
#include <dkg/proofs/membership.hpp>
#include <dkg/proofs/transcript.hpp>

#include <algorithm>
#include <cstddef>
#include <span>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace dkg {

/// The most options a ballot may have.
inline constexpr std::size_t max_ballot_options = 256;

/// What a valid ballot may select: k options, each selected or not, with min ≤ selections ≤ max.
///
/// @par Thread Safety
/// Distinct and shared objects: safe (immutable).
class ballot_rule {
public:
    /// @param options k, 1 to max_ballot_options.
    /// @param min_selections the fewest options a ballot selects.
    /// @param max_selections the most, with min ≤ max ≤ k.
    /// @throws std::invalid_argument naming `options`, `min_selections` or `max_selections` if out
    ///         of range, or if the rule leaves the voter no choice (max = 0 or min = k).
    ballot_rule(std::size_t options, std::size_t min_selections, std::size_t max_selections)
        : options_(options), min_(min_selections), max_(max_selections)
    {
        if (options < 1 || options > max_ballot_options)
            throw std::invalid_argument("options: must be 1 to " + std::to_string(max_ballot_options));
        if (max_selections > options) throw std::invalid_argument("max_selections: more than the number of options");
        if (min_selections > max_selections) throw std::invalid_argument("min_selections: more than max_selections");
        if (max_selections == 0) throw std::invalid_argument("max_selections: 0 leaves no choice");
        if (min_selections == options) throw std::invalid_argument("min_selections: selecting every option leaves no choice");
    }

    /// Exactly `selections` of `options` (e.g. exactly_one = exactly(k, 1)).
    static ballot_rule exactly(std::size_t options, std::size_t selections) { return {options, selections, selections}; }

    /// Exactly one of `options` (≥ 2): a single-choice question.
    static ballot_rule one_of(std::size_t options) { return exactly(options, 1); }

    /// At most `max_selections` of `options`; at_most(1, 1) is a single yes (1) / no (0) ciphertext.
    static ballot_rule at_most(std::size_t options, std::size_t max_selections) { return {options, 0, max_selections}; }

    std::size_t options() const noexcept { return options_; }
    std::size_t min_selections() const noexcept { return min_; }
    std::size_t max_selections() const noexcept { return max_; }

    /// Whether the last option's ciphertext is derived from the others (min = max) rather than sent.
    bool derives_last_option() const noexcept { return min_ == max_; }

    /// The number of ciphertexts a ballot sends: k − 1 if the last is derived, else k.
    std::size_t sent_options() const noexcept { return derives_last_option() ? options_ - 1 : options_; }

    /// Whether a ballot carries a proof for a derived ciphertext (the last option, or the sum).
    bool has_count_proof() const noexcept { return derives_last_option() ? options_ > 2 : !(min_ == 0 && max_ == options_); }

    /// The number of membership proofs in a ballot: one per sent option, plus the count proof.
    std::size_t proof_count() const noexcept { return sent_options() + (has_count_proof() ? 1 : 0); }

    friend bool operator==(const ballot_rule&, const ballot_rule&) = default;

private:
    std::size_t options_, min_, max_;
};

/// An encrypted ballot: the sent option ciphertexts, in option order (all k, or the first k − 1 when
/// the rule derives the last), and the membership proofs: one for {0, 1} per sent option, in order,
/// then, if the rule has one, the count proof (the derived last option in {0, 1}, or the sum in
/// {min, …, max}).
template <big_integer N>
struct ballot {
    std::vector<ciphertext<N>> ciphertexts;
    std::vector<membership_proof<N>> proofs;

    friend bool operator==(const ballot&, const ballot&) = default;
};

namespace detail {

/// The ciphertext and the set of every proof of a ballot, from the sent ciphertexts (already
/// checked to be rule.sent_options() ciphertexts of `key`).
template <big_integer N>
struct ballot_statement {
    std::vector<ciphertext<N>> proved; ///< the ciphertext of each proof, in proof order
    std::vector<std::vector<N>> sets;  ///< the set (residues) of each proof
};

template <big_integer N>
std::vector<N> integer_range(std::size_t low, std::size_t high)
{
    std::vector<N> out;
    for (std::size_t v = low; v <= high; ++v) out.push_back(N(static_cast<unsigned long long>(v)));
    return out;
}

/// c_1 + … + c_m (the product of the ciphertexts): an encryption of the sum.
template <big_integer N>
ciphertext<N> homomorphic_sum(std::span<const ciphertext<N>> cs)
{
    ciphertext<N> sum = cs.front();
    for (std::size_t i = 1; i < cs.size(); ++i) sum = sum + cs[i];
    return sum;
}

/// The derived last option when min = max = s: g^s · (c_1 ⋯ c_{k−1})^−1.
template <big_integer N>
ciphertext<N> derived_last_option(const ballot_rule& rule, std::span<const ciphertext<N>> sent)
{
    return (-homomorphic_sum(sent)).add_plain(N(static_cast<unsigned long long>(rule.min_selections())));
}

template <big_integer N>
ballot_statement<N> make_ballot_statement(const ballot_rule& rule, std::span<const ciphertext<N>> sent)
{
    ballot_statement<N> s;
    const std::vector<N> zero_one = integer_range<N>(0, 1);
    for (const auto& c : sent) {
        s.proved.push_back(c);
        s.sets.push_back(zero_one);
    }
    if (rule.has_count_proof()) {
        if (rule.derives_last_option()) {
            s.proved.push_back(derived_last_option(rule, sent));
            s.sets.push_back(zero_one);
        } else {
            s.proved.push_back(homomorphic_sum(sent));
            s.sets.push_back(integer_range<N>(rule.min_selections(), rule.max_selections()));
        }
    }
    return s;
}

/// The transcript of a ballot: N, k, min, max, the number of sent ciphertexts and each, the number
/// of proofs, and for each its number of branches and every commitment.
template <big_integer N>
proof_transcript ballot_transcript(const public_key<N>& key, const ballot_rule& rule, std::span<const ciphertext<N>> sent,
                                   const std::vector<std::vector<N>>& commitments, const proof_context& context)
{
    proof_transcript t("dkg/proofs/ballot/v1", context);
    t.integer(key.n()).u64(rule.options()).u64(rule.min_selections()).u64(rule.max_selections()).u64(sent.size());
    for (const auto& c : sent) t.integer(c.value());
    t.u64(commitments.size());
    for (const auto& proof : commitments) {
        t.u64(proof.size());
        for (const N& a : proof) t.integer(a);
    }
    return t;
}

/// The proofs of a ballot whose sent ciphertexts are `sent`, claiming that proof i's ciphertext
/// encrypts `claimed[i]` with nonce `nonces[i]`. Honest callers pass the true plaintexts and
/// nonces; a false claim gives proofs that do not verify.
/// @throws std::invalid_argument if a claimed plaintext is not in its proof's set.
template <big_integer N, secure_rng G>
std::vector<membership_proof<N>> prove_ballot(const public_key<N>& key, const ballot_rule& rule, std::span<const ciphertext<N>> sent,
                                              std::span<const N> claimed, std::span<const N> nonces, const proof_context& context, G& rng)
{
    const ballot_statement<N> s = make_ballot_statement(rule, sent);
    std::vector<sigma::membership_prover<N>> provers;
    provers.reserve(s.proved.size());
    std::vector<std::vector<N>> commitments;
    for (std::size_t i = 0; i < s.proved.size(); ++i) {
        provers.emplace_back(s.proved[i], s.sets[i], claimed[i], nonces[i], rng);
        commitments.push_back(provers.back().commitments());
    }
    const N e = ballot_transcript(key, rule, sent, commitments, context).template challenge<N>(proof_challenge_bits(key));
    std::vector<membership_proof<N>> proofs;
    for (auto& p : provers) proofs.push_back(std::move(p).respond(e));
    return proofs;
}

inline void require_choices(const ballot_rule& rule, std::span<const unsigned> choices)
{
    if (choices.size() != rule.options()) throw std::invalid_argument("choices: need one per option");
    std::size_t selected = 0;
    for (unsigned c : choices) {
        if (c > 1) throw std::invalid_argument("choices: each must be 0 or 1");
        selected += c;
    }
    if (selected < rule.min_selections() || selected > rule.max_selections())
        throw std::invalid_argument("choices: the number of selections is outside the rule's range");
}

} // namespace detail

/// Encrypts the choices of a voter into a ballot with its proofs, bound to `context` (e.g. the
/// election, question and voter ids). Costs k or k − 1 encryptions plus about two per proof: for
/// a 2-option single-choice ballot, one encryption and one {0, 1} proof, about three encryptions
/// in all.
/// @tparam N a type modelling dkg::big_integer.
/// @tparam G a type modelling dkg::secure_rng.
/// @param choices one value per option, 1 selected and 0 not, with min ≤ Σ choices ≤ max.
/// @throws std::invalid_argument naming `choices` if they do not satisfy the rule, or `key` if empty.
template <big_integer N, secure_rng G>
ballot<N> encrypt_ballot(const public_key<N>& key, const ballot_rule& rule, std::span<const unsigned> choices, const proof_context& context, G& rng)
{
    if (key.empty()) throw std::invalid_argument("key: empty");
    detail::require_choices(rule, choices);
    const N& n = key.n();
    ballot<N> out;
    std::vector<N> claimed, nonces;
    const secure_clear_on_exit<std::vector<N>> wipe_claimed{claimed};
    const secure_clear_on_exit<std::vector<N>> wipe_nonces{nonces};
    N count(0u), product(1u);
    const secure_clear_on_exit<N> wipe_count{count};
    const secure_clear_on_exit<N> wipe_product{product};
    for (std::size_t i = 0; i < rule.sent_options(); ++i) {
        claimed.push_back(N(static_cast<unsigned long long>(choices[i])));
        nonces.push_back(random_unit(n, rng));
        out.ciphertexts.push_back(key.encrypt_with_nonce(claimed.back(), nonces.back()));
        count += claimed.back();
        product = detail::mul_mod(product, nonces.back(), n);
    }
    if (rule.has_count_proof()) {
        if (rule.derives_last_option()) { // c_k = g^(s − Σ m_i) · (∏ r_i)^(−N)
            claimed.push_back(N(N(static_cast<unsigned long long>(rule.min_selections())) - count));
            nonces.push_back(invert_mod(product, n));
        } else { // c_1 ⋯ c_k = g^(Σ m_i) · (∏ r_i)^N
            claimed.push_back(count);
            nonces.push_back(product);
        }
    }
    out.proofs = detail::prove_ballot<N>(key, rule, out.ciphertexts, claimed, nonces, context, rng);
    return out;
}

namespace detail {

/// A ballot whose form has been checked, with its statement and Fiat–Shamir challenge, or the
/// reason its form is wrong.
template <big_integer N>
struct checked_ballot {
    std::string defect;          ///< empty if the form is right
    ballot_statement<N> statement;
    N challenge;
};

inline std::string ballot_proof_name(const ballot_rule& rule, std::size_t i)
{
    return i < rule.sent_options() ? "the proof of option " + std::to_string(i + 1)
           : rule.derives_last_option() ? std::string("the proof of the last option")
                                        : std::string("the proof of the number of selections");
}

/// Everything of ballot_defect but the membership equations: counts, keys, ranges, the challenge
/// and that each proof's branch challenges add up to it.
template <big_integer N>
checked_ballot<N> check_ballot_form(const public_key<N>& key, const ballot_rule& rule, const ballot<N>& b, const proof_context& context)
{
    checked_ballot<N> out;
    if (b.ciphertexts.size() != rule.sent_options()) {
        out.defect = "ballot: " + std::to_string(b.ciphertexts.size()) + " ciphertexts, the rule needs " + std::to_string(rule.sent_options());
        return out;
    }
    for (std::size_t i = 0; i < b.ciphertexts.size(); ++i)
        if (!(b.ciphertexts[i].key() == key)) {
            out.defect = "ballot: option " + std::to_string(i + 1) + " is encrypted under another public key";
            return out;
        }
    if (b.proofs.size() != rule.proof_count()) {
        out.defect = "ballot: " + std::to_string(b.proofs.size()) + " proofs, the rule needs " + std::to_string(rule.proof_count());
        return out;
    }
    out.statement = make_ballot_statement<N>(rule, b.ciphertexts);
    std::vector<std::vector<N>> commitments;
    for (std::size_t i = 0; i < b.proofs.size(); ++i) {
        if (!well_formed(key, b.proofs[i], out.statement.sets[i].size())) {
            out.defect = "ballot: " + ballot_proof_name(rule, i) + " is malformed (branch count or a value out of range)";
            return out;
        }
        commitments.emplace_back();
        for (const auto& branch : b.proofs[i].branches) commitments.back().push_back(branch.commitment);
    }
    out.challenge = ballot_transcript(key, rule, std::span<const ciphertext<N>>(b.ciphertexts), commitments, context)
                        .template challenge<N>(proof_challenge_bits(key));
    for (std::size_t i = 0; i < b.proofs.size(); ++i)
        if (!challenges_add_up(key, b.proofs[i], out.challenge)) {
            out.defect = "ballot: " + ballot_proof_name(rule, i) + " does not verify";
            return out;
        }
    return out;
}

} // namespace detail

/// Why `b` is not a valid ballot for `key`, `rule` and `context`, or an empty string if it is:
/// the right number of ciphertexts, all of `key`; the right number of proofs with one branch per
/// element of their sets; every value in range; and every proof answering the ballot's
/// Fiat–Shamir challenge. The reason names the option or proof at fault and no secret. Costs about
/// two encryptions per proof.
/// @tparam N a type modelling dkg::big_integer.
/// @throws std::invalid_argument naming `key` if it is empty.
template <big_integer N>
std::string ballot_defect(const public_key<N>& key, const ballot_rule& rule, const ballot<N>& b, const proof_context& context)
{
    if (key.empty()) throw std::invalid_argument("key: empty");
    const auto checked = detail::check_ballot_form(key, rule, b, context);
    if (!checked.defect.empty()) return checked.defect;
    const auto& s = checked.statement;
    for (std::size_t i = 0; i < b.proofs.size(); ++i)
        if (!sigma::verify_membership<N>(s.proved[i], s.sets[i], b.proofs[i], checked.challenge))
            return "ballot: " + detail::ballot_proof_name(rule, i) + " does not verify";
    return {};
}

/// The indices, ascending, of the ballots of `ballots` that are not valid for `key`, `rule` and
/// their contexts (`contexts[i]` for ballot i): exactly those for which ballot_defect is not empty,
/// except with probability 2^−128 per batch check (docs/protocol.md §9, batch verification).
///
/// The form of every ballot (counts, keys, ranges, challenges) is checked one by one; the
/// membership equations of all ballots of the right form are then checked at once, with random
/// 128-bit weights from `rng` on the squared equations (Bellare–Garay–Rabin, Boyd–Pavlovski). If
/// that check fails, halves are checked again down to single ballots, which ballot_defect decides,
/// so that every invalid ballot is named. For a batch of 2-option ballots at 2048 bits this costs
/// about 1/30 of checking them one by one.
/// @tparam N a type modelling dkg::big_integer.
/// @tparam G a type modelling dkg::secure_rng, whose outputs the voters cannot predict.
/// @throws std::invalid_argument naming `key` if it is empty, or `contexts` if there is not one
///         per ballot.
template <big_integer N, secure_rng G>
std::vector<std::size_t> invalid_ballots(const public_key<N>& key, const ballot_rule& rule, std::span<const ballot<std::type_identity_t<N>>> ballots,
                                         std::span<const proof_context> contexts, G& rng)
{
    if (key.empty()) throw std::invalid_argument("key: empty");
    if (contexts.size() != ballots.size()) throw std::invalid_argument("contexts: one per ballot needed");
    std::vector<detail::checked_ballot<N>> checked;
    std::vector<std::size_t> well_formed, invalid;
    checked.reserve(ballots.size());
    for (std::size_t i = 0; i < ballots.size(); ++i) {
        checked.push_back(detail::check_ballot_form(key, rule, ballots[i], contexts[i]));
        if (checked.back().defect.empty()) well_formed.push_back(i);
        else invalid.push_back(i);
    }
    auto batch = [&](std::span<const std::size_t> group) {
        detail::membership_batch<N> equations(key);
        for (std::size_t k : group) {
            const auto& s = checked[well_formed[k]].statement;
            for (std::size_t p = 0; p < s.proved.size(); ++p) equations.add(s.proved[p], s.sets[p], ballots[well_formed[k]].proofs[p], rng);
        }
        return equations.holds();
    };
    auto single = [&](std::size_t k) { return ballot_defect(key, rule, ballots[well_formed[k]], contexts[well_formed[k]]).empty(); };
    for (std::size_t k : detail::failing_items(well_formed.size(), batch, single)) invalid.push_back(well_formed[k]);
    std::sort(invalid.begin(), invalid.end());
    return invalid;
}

/// Whether `b` is a valid ballot for `key`, `rule` and `context` (ballot_defect is empty).
/// @tparam N a type modelling dkg::big_integer.
/// @throws std::invalid_argument naming `key` if it is empty.
template <big_integer N>
bool verify_ballot(const public_key<N>& key, const ballot_rule& rule, const ballot<N>& b, const proof_context& context)
{
    return ballot_defect(key, rule, b, context).empty();
}

/// The k option ciphertexts of a ballot, for the tally: the sent ones and, when the rule derives
/// the last option, g^s · (c_1 ⋯ c_{k−1})^−1. Multiplying the i-th ciphertexts of many ballots
/// gives an encryption of the votes for option i.
/// @tparam N a type modelling dkg::big_integer.
/// @throws std::invalid_argument naming `ballot` if it has the wrong number of ciphertexts for
///         `rule` or one of another key than `key`.
template <big_integer N>
std::vector<ciphertext<N>> option_ciphertexts(const public_key<N>& key, const ballot_rule& rule, const ballot<N>& b)
{
    if (b.ciphertexts.size() != rule.sent_options()) throw std::invalid_argument("ballot: wrong number of ciphertexts for the rule");
    for (const auto& c : b.ciphertexts) detail::require_same_key(key, c, "ballot");
    std::vector<ciphertext<N>> out = b.ciphertexts;
    if (rule.derives_last_option()) out.push_back(detail::derived_last_option<N>(rule, b.ciphertexts));
    return out;
}

} // namespace dkg
