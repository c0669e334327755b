// Proof that a Paillier ciphertext encrypts one of a public set of plaintexts, such as {0, 1}
// (docs/protocol.md §9.2), without saying which.
//
// For each element s_j of the set, c encrypts s_j exactly when u_j = c · g^(−s_j) is an N-th
// residue modulo N². The proof is the OR-composition of Cramer, Damgård and Schoenmakers (Crypto
// 1994) of the Σ-protocols for N-th residuosity (Damgård–Jurik, PKC 2001, §5; Baudron et al.,
// PODC 2001): one branch per element, with commitment a_j, challenge e_j and response z_j such that
// z_j^N ≡ a_j · u_j^(e_j) (mod N²) and Σ e_j ≡ e (mod 2^t). The prover answers the true branch
// and simulates the others. Made non-interactive with Fiat–Shamir (dkg/proofs/transcript.hpp).
#pragma once

#include <dkg/bigint.hpp>
#include <dkg/detail/batch_verification.hpp>
#include <dkg/paillier.hpp>
#include <dkg/proofs/transcript.hpp>

#include <cstddef>
#include <span>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace dkg {

/// The largest set a membership proof may range over (and the most branches a reader accepts).
inline constexpr std::size_t max_membership_set_size = 1024;

/// One branch of a membership proof: the N-th-residuosity transcript for one element s_j.
template <big_integer N>
struct membership_branch {
    N commitment; ///< a_j ∈ Z_{N²}^*
    N challenge;  ///< e_j ∈ [0, 2^t)
    N response;   ///< z_j ∈ Z_N^*, with z_j^N ≡ a_j · (c · g^(−s_j))^(e_j) (mod N²)

    friend bool operator==(const membership_branch&, const membership_branch&) = default;
};

/// A proof that a ciphertext encrypts one element of a public set: one branch per element, in the
/// set's order; the branch challenges add up to the Fiat–Shamir challenge modulo 2^t.
template <big_integer N>
struct membership_proof {
    std::vector<membership_branch<N>> branches;

    friend bool operator==(const membership_proof&, const membership_proof&) = default;
};

namespace detail {

/// The residues of a set of plaintexts, checked: 1 to max_membership_set_size elements, distinct.
/// @param residues whether the elements are residues in [0, N) already (else signed plaintexts).
/// @throws std::invalid_argument naming `set`.
template <big_integer N>
std::vector<N> membership_residues(const public_key<N>& key, std::span<const N> set, bool residues)
{
    if (set.empty() || set.size() > max_membership_set_size)
        throw std::invalid_argument("set: must hold 1 to " + std::to_string(max_membership_set_size) + " plaintexts");
    std::vector<N> out;
    out.reserve(set.size());
    for (const N& s : set) {
        if (residues && !is_residue_mod_n(key, s)) throw std::invalid_argument("set: a residue is not in [0, N)");
        N r = residues ? s : key.to_residue(s);
        for (const N& seen : out)
            if (seen == r) throw std::invalid_argument("set: an element appears twice");
        out.push_back(std::move(r));
    }
    return out;
}

/// The index of `residue` in `set`. @throws std::invalid_argument naming `plaintext` if absent.
template <big_integer N>
std::size_t membership_index(std::span<const N> set, const N& residue)
{
    for (std::size_t i = 0; i < set.size(); ++i)
        if (set[i] == residue) return i;
    throw std::invalid_argument("plaintext: not in the set");
}

/// Range checks of a proof from outside: one branch per element, a_j ∈ Z_{N²}^*, e_j ∈ [0, 2^t),
/// z_j ∈ Z_N^*.
template <big_integer N>
bool well_formed(const public_key<N>& key, const membership_proof<N>& proof, std::size_t set_size)
{
    if (proof.branches.size() != set_size) return false;
    for (const auto& b : proof.branches)
        if (!is_unit_mod_n2(key, b.commitment) || !is_challenge(key, b.challenge) || !is_unit_mod_n(key, b.response)) return false;
    return true;
}

/// Whether the branch challenges add up to `challenge` modulo 2^t.
template <big_integer N>
bool challenges_add_up(const public_key<N>& key, const membership_proof<N>& proof, const N& challenge)
{
    N sum(0u);
    for (const auto& b : proof.branches) sum += b.challenge;
    return mod(N(sum - challenge), N(N(1u) << static_cast<unsigned>(proof_challenge_bits(key)))) == N(0u);
}

/// The membership equations of many proofs under one key, each branch's raised to its own random
/// weight w (docs/protocol.md §9, batch verification): with Z = ∏ z_j^(w_j), the batch holds when
/// (Z^N · g^(Σ s_j·e_j·w_j))² ≡ (∏ a_j^(w_j) · ∏_c c^(Σ e_j·w_j))² (mod N²). Each proof must already
/// be well formed and its challenges must add up (those checks are per proof and cheap).
///
/// Costs one multi-exponentiation of 128-bit weights over the responses and commitments, one of
/// 256-bit exponents over the ciphertexts, and one N-th power, against one N-th power per branch
/// one by one.
template <big_integer N>
class membership_batch {
public:
    explicit membership_batch(const public_key<N>& key) : key_(key) {}

    /// Adds the branches of `proof` for ciphertext `c` and the set `residues`, with fresh weights.
    template <secure_rng G>
    void add(const ciphertext<N>& c, std::span<const N> residues, const membership_proof<N>& proof, G& rng)
    {
        N ciphertext_exponent(0u);
        for (std::size_t j = 0; j < residues.size(); ++j) {
            const auto& b = proof.branches[j];
            N w = batch_weight<N>(rng);
            responses_.push_back(b.response);
            response_weights_.push_back(w);
            g_exponent_ = mod(N(g_exponent_ + N(N(residues[j] * b.challenge) * w)), key_.n());
            ciphertext_exponent += N(b.challenge * w);
            right_bases_.push_back(b.commitment);
            right_exponents_.push_back(std::move(w));
        }
        right_bases_.push_back(c.value());
        right_exponents_.push_back(std::move(ciphertext_exponent));
    }

    /// Whether the weighted product holds (true for an empty batch).
    bool holds() const
    {
        const N& n2 = key_.n_squared();
        const N z = multi_powm<N>(responses_, response_weights_, n2);
        const N left = mul_mod(bigint_traits<N>::powm(z, key_.n(), n2), g_power(key_, g_exponent_), n2);
        const N right = multi_powm<N>(right_bases_, right_exponents_, n2);
        return mul_mod(left, left, n2) == mul_mod(right, right, n2);
    }

private:
    public_key<N> key_;
    std::vector<N> responses_, response_weights_, right_bases_, right_exponents_;
    N g_exponent_{0u};
};

} // namespace detail

namespace sigma {

/// The prover of the membership Σ-protocol (an OR of N-th-residuosity protocols): draws every
/// commitment on construction, simulating the branches of the elements that `c` does not encrypt,
/// and answers one challenge. `respond` consumes the prover (two answers to one set of commitments
/// reveal the nonce).
///
/// Cost: one N-th power modulo N² per element, plus one power of the nonce to a t-bit exponent
/// modulo N per element at `respond`. A simulated branch uses the nonce to avoid an exponentiation
/// modulo N²: with u_j = g^(s_i − s_j) · r^N, a_j = y^N · g^((s_j − s_i)·e_j) and z_j = y · r^(e_j)
/// for a uniform y ∈ Z_N^* give exactly the simulator's distribution.
///
/// @tparam N a type modelling dkg::big_integer.
/// @par Thread Safety
/// Distinct objects: safe. Shared objects: unsafe.
template <big_integer N>
class membership_prover {
public:
    /// @tparam G a type modelling dkg::secure_rng.
    /// @param c the ciphertext.
    /// @param set the plaintext residues in [0, N), distinct, 1 to max_membership_set_size of them.
    /// @param plaintext the residue of `set` that `c` encrypts.
    /// @param nonce r ∈ Z_N^* with c = g^plaintext · r^N (not checked here: a wrong witness gives
    ///        a proof that does not verify).
    /// @throws std::invalid_argument naming `set`, `plaintext` or `nonce`.
    template <secure_rng G>
    membership_prover(const ciphertext<N>& c, std::span<const std::type_identity_t<N>> set, const N& plaintext, const N& nonce, G& rng)
        : key_(c.key()), set_(detail::membership_residues(c.key(), set, true)), nonce_(nonce)
    {
        detail::require_nonce(key_, nonce);
        real_ = detail::membership_index<N>(set_, plaintext);
        const N& n = key_.n();
        const N& n2 = key_.n_squared();
        const std::size_t t = proof_challenge_bits(key_);
        branches_.resize(set_.size());
        masks_.resize(set_.size());
        // Every branch does the same work, so that its time does not tell the true one: the true
        // branch's challenge is drawn too (and replaced at respond), its shift is 0.
        for (std::size_t j = 0; j < set_.size(); ++j) {
            masks_[j] = random_unit(n, rng);
            branches_[j].challenge = random_bits<N>(t, rng);
            const N shift = N(N(set_[j] - set_[real_]) * branches_[j].challenge);
            branches_[j].commitment = detail::mul_mod(bigint_traits<N>::powm(masks_[j], n, n2), detail::g_power(key_, shift), n2);
        }
    }

    membership_prover(const membership_prover&) = delete;
    membership_prover& operator=(const membership_prover&) = delete;
    membership_prover(membership_prover&&) = default;
    membership_prover& operator=(membership_prover&&) = default;
    ~membership_prover() { wipe(); }

    /// The commitments a_j, one per element, in the set's order.
    std::vector<N> commitments() const
    {
        std::vector<N> out;
        for (const auto& b : branches_) out.push_back(b.commitment);
        return out;
    }

    /// The branches answering `challenge`; the prover's secrets are wiped.
    /// @throws std::invalid_argument naming `challenge` if it is not in [0, 2^t).
    membership_proof<N> respond(const N& challenge) &&
    {
        detail::require_challenge(key_, challenge);
        const N& n = key_.n();
        const N modulus = N(N(1u) << static_cast<unsigned>(proof_challenge_bits(key_)));
        N rest = challenge;
        for (std::size_t j = 0; j < branches_.size(); ++j)
            if (j != real_) rest -= branches_[j].challenge;
        branches_[real_].challenge = mod(rest, modulus);
        for (std::size_t j = 0; j < branches_.size(); ++j)
            branches_[j].response = detail::mul_mod(masks_[j], bigint_traits<N>::powm(nonce_, branches_[j].challenge, n), n);
        membership_proof<N> out{std::move(branches_)};
        wipe();
        return out;
    }

private:
    void wipe()
    {
        secure_clear(masks_);
        secure_clear(nonce_);
        real_ = 0;
    }

    public_key<N> key_;
    std::vector<N> set_;
    N nonce_;
    std::size_t real_ = 0;
    std::vector<membership_branch<N>> branches_;
    std::vector<N> masks_; // ρ for the true branch, y_j for the simulated ones
};

/// The interactive verifier: whether `proof` answers `challenge` for `c` and `set` (residues):
/// one branch per element, every value in range, Σ e_j ≡ challenge (mod 2^t), and for every j
/// (z_j^N · g^(s_j·e_j))² ≡ (a_j · c^(e_j))² (mod N²) — the equation z_j^N ≡ a_j · c^(e_j) · g^(−s_j·e_j)
/// up to a square root of 1, which is what a batch check can decide (docs/protocol.md §9.2).
/// @tparam N a type modelling dkg::big_integer.
/// @throws std::invalid_argument naming `set` if it is not a valid set of residues.
template <big_integer N>
bool verify_membership(const ciphertext<N>& c, std::span<const std::type_identity_t<N>> set, const membership_proof<N>& proof, const N& challenge)
{
    const public_key<N>& key = c.key();
    const std::vector<N> residues = detail::membership_residues(key, set, true);
    if (!detail::is_challenge(key, challenge) || !detail::well_formed(key, proof, residues.size())) return false;
    if (!detail::challenges_add_up(key, proof, challenge)) return false;
    const N& n2 = key.n_squared();
    for (std::size_t j = 0; j < residues.size(); ++j) {
        const auto& b = proof.branches[j];
        const N left = detail::mul_mod(bigint_traits<N>::powm(b.response, key.n(), n2), detail::g_power(key, N(residues[j] * b.challenge)), n2);
        const N right = detail::mul_mod(b.commitment, bigint_traits<N>::powm(c.value(), b.challenge, n2), n2);
        if (detail::mul_mod(left, left, n2) != detail::mul_mod(right, right, n2)) return false;
    }
    return true;
}

/// The honest-verifier simulator: an accepting transcript for `c`, `set` (residues) and `challenge`
/// made without the witness, whatever `c` encrypts (e_j uniform but for the last, which makes the
/// sum; z_j uniform in Z_N^*; a_j = z_j^N · u_j^(−e_j)); distributed exactly as the prover's when
/// `c` does encrypt an element of the set.
/// @tparam N a type modelling dkg::big_integer.
/// @tparam G a type modelling dkg::secure_rng.
/// @throws std::invalid_argument naming `set` or `challenge`.
template <big_integer N, secure_rng G>
membership_proof<N> simulate_membership(const ciphertext<N>& c, std::span<const std::type_identity_t<N>> set, const N& challenge, G& rng)
{
    const public_key<N>& key = c.key();
    const std::vector<N> residues = detail::membership_residues(key, set, true);
    detail::require_challenge(key, challenge);
    const N& n2 = key.n_squared();
    const std::size_t t = proof_challenge_bits(key);
    membership_proof<N> out;
    N rest = challenge;
    for (std::size_t j = 0; j < residues.size(); ++j) {
        membership_branch<N> b;
        b.challenge = j + 1 < residues.size() ? random_bits<N>(t, rng) : mod(rest, N(N(1u) << static_cast<unsigned>(t)));
        rest -= b.challenge;
        b.response = random_unit(key.n(), rng);
        const N u_e = detail::mul_mod(bigint_traits<N>::powm(c.value(), b.challenge, n2), detail::g_power(key, N(-N(residues[j] * b.challenge))), n2);
        b.commitment = detail::mul_mod(bigint_traits<N>::powm(b.response, key.n(), n2), detail::invert_mod_n2(key, u_e), n2);
        out.branches.push_back(std::move(b));
    }
    return out;
}

} // namespace sigma

namespace detail {

/// The transcript of a stand-alone membership proof: N, the set size and residues, c, then every
/// commitment.
template <big_integer N>
proof_transcript membership_transcript(const ciphertext<N>& c, std::span<const N> residues, std::span<const N> commitments,
                                       const proof_context& context)
{
    proof_transcript t("dkg/proofs/membership/v1", context);
    t.integer(c.key().n()).u64(residues.size());
    for (const N& s : residues) t.integer(s);
    t.integer(c.value());
    for (const N& a : commitments) t.integer(a);
    return t;
}

} // namespace detail

/// A non-interactive proof that `c` encrypts one element of `set`, bound to `context`, that does
/// not tell which. Costs about as many encryptions as the set has elements, plus one to check the
/// witness (sigma::membership_prover skips that check).
/// @tparam N a type modelling dkg::big_integer.
/// @tparam G a type modelling dkg::secure_rng.
/// @param set plaintexts as given to public_key::encrypt (signed integers), distinct, 1 to
///        max_membership_set_size of them, e.g. {0, 1}.
/// @param plaintext the element of `set` that `c` encrypts.
/// @param nonce its nonce r ∈ Z_N^* (public_key::encrypt_with_nonce).
/// @throws std::invalid_argument naming `set`, `plaintext` or `nonce` if out of range, or if `c`
///         is not the encryption of `plaintext` with `nonce` (checked: one more encryption).
template <big_integer N, secure_rng G>
membership_proof<N> prove_membership(const ciphertext<N>& c, std::span<const std::type_identity_t<N>> set, const N& plaintext, const N& nonce,
                                     const proof_context& context, G& rng)
{
    const public_key<N>& key = c.key();
    const std::vector<N> residues = detail::membership_residues(key, set, false);
    N m = key.to_residue(plaintext);
    const secure_clear_on_exit<N> wipe_m{m};
    detail::require_nonce(key, nonce);
    if (!(key.encrypt_with_nonce(m, nonce) == c)) throw std::invalid_argument("plaintext, nonce: the ciphertext is not their encryption");
    sigma::membership_prover<N> prover(c, residues, m, nonce, rng);
    const N e = detail::membership_transcript<N>(c, residues, prover.commitments(), context).template challenge<N>(proof_challenge_bits(key));
    return std::move(prover).respond(e);
}

/// Whether `proof` shows that `c` encrypts an element of `set` under `context`: one branch per
/// element, every value in range, the branch challenges adding up to the Fiat–Shamir challenge,
/// and every branch's equation. Costs about as many encryptions as the set has elements.
/// @tparam N a type modelling dkg::big_integer.
/// @throws std::invalid_argument naming `set` if it is not a valid set (as for prove_membership).
template <big_integer N>
bool verify_membership(const ciphertext<N>& c, std::span<const std::type_identity_t<N>> set, const membership_proof<N>& proof,
                       const proof_context& context)
{
    const public_key<N>& key = c.key();
    const std::vector<N> residues = detail::membership_residues(key, set, false);
    if (!detail::well_formed(key, proof, residues.size())) return false;
    std::vector<N> commitments;
    for (const auto& b : proof.branches) commitments.push_back(b.commitment);
    const N e = detail::membership_transcript<N>(c, residues, commitments, context).template challenge<N>(proof_challenge_bits(key));
    return sigma::verify_membership<N>(c, residues, proof, e);
}

} // namespace dkg
