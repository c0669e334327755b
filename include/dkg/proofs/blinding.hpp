// Proof of correct blinding (docs/protocol.md §9.3): c' = c^r · s^N mod N² for a factor r ∈ Z_N^*
// and a nonce s ∈ Z_N^* that the prover knows, so that Dec(c') = r · Dec(c) mod N. This is what
// each key holder proves when it blinds the encrypted outcome of a unanimous vote.
//
// The relation "target = source^x · y^N" has the Σ-protocol of Cramer, Damgård and Nielsen
// (Eurocrypt 2001, §4, the multiplication proof without its plaintext part): commitment
// a = source^k · v^N, challenge e < 2^t, responses z = k + e·x mod N and w = v · y^e · source^q mod N
// with q = ⌊(k + e·x)/N⌋; the verifier checks source^z · w^N ≡ a · target^e (mod N²).
//
// That relation alone allows x = 0: c' = s^N, an encryption of 0 whatever c held, which would let a
// blinder turn any outcome into "unanimous". The proof therefore runs the protocol twice under one
// challenge: forward (c' from c with r) and backward (c from c' with r' = r^−1 mod N). Together they
// show Dec(c') = r·Dec(c) and Dec(c) = r'·Dec(c'), so Dec(c') = 0 exactly when Dec(c) = 0; they do
// not show that r was drawn at random (see docs/protocol.md §9.3). Secret exponents (r, r^−1, the
// masks k and what derives from them) are raised with powm_secret (constant-time with GMP).
#pragma once

#include <dkg/bigint.hpp>
#include <dkg/paillier.hpp>
#include <dkg/proofs/transcript.hpp>

#include <cstddef>
#include <stdexcept>
#include <utility>

namespace dkg {

/// One direction of a blinding proof: knowledge of (x, y) with target = source^x · y^N mod N².
template <big_integer N>
struct power_relation_proof {
    N commitment;        ///< a = source^k · v^N mod N², in Z_{N²}^*
    N exponent_response; ///< z = k + e·x mod N, in [0, N)
    N nonce_response;    ///< w = v · y^e · source^q mod N, in Z_N^*

    friend bool operator==(const power_relation_proof&, const power_relation_proof&) = default;
};

/// A proof that c' = c^r · s^N with r ∈ Z_N^* known to the prover: the forward relation (c' from c)
/// and the backward one (c from c' with r^−1), answering one Fiat–Shamir challenge.
template <big_integer N>
struct blinding_proof {
    power_relation_proof<N> forward;  ///< c' = c^r · s^N
    power_relation_proof<N> backward; ///< c = c'^(r^−1 mod N) · s'^N

    friend bool operator==(const blinding_proof&, const blinding_proof&) = default;
};

/// A blinded ciphertext with its proof (the result of `blind`).
template <big_integer N>
struct blinded_ciphertext {
    ciphertext<N> value;    ///< c' = c^r · s^N mod N²
    blinding_proof<N> proof;
};

namespace sigma {

/// The prover of the power-relation Σ-protocol target = source^x · y^N (one direction of a
/// blinding proof). `respond` consumes the prover.
///
/// @tparam N a type modelling dkg::big_integer.
/// @par Thread Safety
/// Distinct objects: safe. Shared objects: unsafe.
template <big_integer N>
class power_relation_prover {
public:
    /// @tparam G a type modelling dkg::secure_rng.
    /// @param source the ciphertext raised to the power.
    /// @param exponent x ∈ [0, N).
    /// @param nonce y ∈ Z_N^*, with target = source^x · y^N (not checked here).
    /// @throws std::invalid_argument naming `exponent` or `nonce` if out of range.
    template <secure_rng G>
    power_relation_prover(const ciphertext<N>& source, const N& exponent, const N& nonce, G& rng)
        : source_(source), exponent_(exponent), nonce_(nonce)
    {
        const public_key<N>& key = source.key();
        if (!detail::is_residue_mod_n(key, exponent)) throw std::invalid_argument("exponent: not in [0, N)");
        detail::require_nonce(key, nonce);
        k_ = random_below(key.n(), rng);
        v_ = random_unit(key.n(), rng);
        const N& n2 = key.n_squared();
        commitment_ = detail::mul_mod(powm_secret(source.value(), k_, n2), bigint_traits<N>::powm(v_, key.n(), n2), n2);
    }

    power_relation_prover(const power_relation_prover&) = delete;
    power_relation_prover& operator=(const power_relation_prover&) = delete;
    power_relation_prover(power_relation_prover&&) = default;
    power_relation_prover& operator=(power_relation_prover&&) = default;
    ~power_relation_prover() { wipe(); }

    /// The commitment a = source^k · v^N mod N².
    const N& commitment() const noexcept { return commitment_; }

    /// The responses to `challenge`; the prover's secrets are wiped.
    /// @throws std::invalid_argument naming `challenge` if it is not in [0, 2^t).
    power_relation_proof<N> respond(const N& challenge) &&
    {
        const public_key<N>& key = source_.key();
        detail::require_challenge(key, challenge);
        const N& n = key.n();
        N full = N(k_ + N(challenge * exponent_)); // k + e·x = z + q·N
        const secure_clear_on_exit<N> wipe_full{full};
        N quotient = N(full / n);
        const secure_clear_on_exit<N> wipe_quotient{quotient};
        N w = detail::mul_mod(v_, bigint_traits<N>::powm(nonce_, challenge, n), n);
        w = detail::mul_mod(w, powm_secret(N(source_.value() % n), quotient, n), n);
        power_relation_proof<N> out{commitment_, N(full % n), std::move(w)};
        wipe();
        return out;
    }

private:
    void wipe()
    {
        secure_clear(k_);
        secure_clear(v_);
        secure_clear(exponent_);
        secure_clear(nonce_);
    }

    ciphertext<N> source_;
    N exponent_, nonce_, k_, v_, commitment_;
};

/// The interactive verifier of one direction: every value in range and
/// source^z · w^N ≡ a · target^e (mod N²).
/// @tparam N a type modelling dkg::big_integer.
/// @throws std::invalid_argument naming `target` if it belongs to another key than `source`.
template <big_integer N>
bool verify_power_relation(const ciphertext<N>& source, const ciphertext<N>& target, const power_relation_proof<N>& proof, const N& challenge)
{
    const public_key<N>& key = source.key();
    detail::require_same_key(key, target, "target");
    const N& n2 = key.n_squared();
    if (!detail::is_challenge(key, challenge) || !detail::is_unit_mod_n2(key, proof.commitment) ||
        !detail::is_residue_mod_n(key, proof.exponent_response) || !detail::is_unit_mod_n(key, proof.nonce_response))
        return false;
    const N left = detail::mul_mod(bigint_traits<N>::powm(source.value(), proof.exponent_response, n2), bigint_traits<N>::powm(proof.nonce_response, key.n(), n2), n2);
    return left == detail::mul_mod(proof.commitment, bigint_traits<N>::powm(target.value(), challenge, n2), n2);
}

/// The interactive verifier of a blinding proof: both directions answer `challenge`.
/// @tparam N a type modelling dkg::big_integer.
/// @throws std::invalid_argument naming `blinded` if it belongs to another key than `c`.
template <big_integer N>
bool verify_blinding(const ciphertext<N>& c, const ciphertext<N>& blinded, const blinding_proof<N>& proof, const N& challenge)
{
    detail::require_same_key(c.key(), blinded, "blinded");
    return verify_power_relation(c, blinded, proof.forward, challenge) && verify_power_relation(blinded, c, proof.backward, challenge);
}

/// The honest-verifier simulator of one direction: z uniform in Z_N, w uniform in Z_N^*,
/// a = source^z · w^N · target^(−e); distributed exactly as the prover's.
/// @tparam N a type modelling dkg::big_integer.
/// @tparam G a type modelling dkg::secure_rng.
/// @throws std::invalid_argument naming `target` or `challenge`.
template <big_integer N, secure_rng G>
power_relation_proof<N> simulate_power_relation(const ciphertext<N>& source, const ciphertext<N>& target, const N& challenge, G& rng)
{
    const public_key<N>& key = source.key();
    detail::require_same_key(key, target, "target");
    detail::require_challenge(key, challenge);
    const N& n2 = key.n_squared();
    N z = random_below(key.n(), rng);
    N w = random_unit(key.n(), rng);
    const N target_minus_e = detail::invert_mod_n2(key, bigint_traits<N>::powm(target.value(), challenge, n2));
    N a = detail::mul_mod(detail::mul_mod(bigint_traits<N>::powm(source.value(), z, n2), bigint_traits<N>::powm(w, key.n(), n2), n2), target_minus_e, n2);
    return {std::move(a), std::move(z), std::move(w)};
}

/// The honest-verifier simulator of a blinding proof (both directions for one challenge).
template <big_integer N, secure_rng G>
blinding_proof<N> simulate_blinding(const ciphertext<N>& c, const ciphertext<N>& blinded, const N& challenge, G& rng)
{
    auto forward = simulate_power_relation(c, blinded, challenge, rng);
    return {std::move(forward), simulate_power_relation(blinded, c, challenge, rng)};
}

} // namespace sigma

namespace detail {

template <big_integer N>
proof_transcript blinding_transcript(const ciphertext<N>& c, const ciphertext<N>& blinded, const N& forward_commitment,
                                     const N& backward_commitment, const proof_context& context)
{
    proof_transcript t("dkg/proofs/blinding/v1", context);
    t.integer(c.key().n()).integer(c.value()).integer(blinded.value()).integer(forward_commitment).integer(backward_commitment);
    return t;
}

/// The proof for a witness already known to hold (c' = c^r · s^N, r ∈ Z_N^*).
template <big_integer N, secure_rng G>
blinding_proof<N> prove_blinding_unchecked(const ciphertext<N>& c, const ciphertext<N>& blinded, const N& factor, const N& nonce,
                                           const proof_context& context, G& rng)
{
    const public_key<N>& key = c.key();
    const N& n = key.n();
    // Backward witness: r' = r^−1 mod N, r·r' = 1 + k·N, and c'^(r') = c · (c^k · s^(r'))^N, so
    // c = c'^(r') · s'^N with s' = (c^k · s^(r'))^−1 mod N.
    N inverse = invert_mod(factor, n);
    const secure_clear_on_exit<N> wipe_inverse{inverse};
    N k = N(N(N(factor * inverse) - N(1u)) / n);
    const secure_clear_on_exit<N> wipe_k{k};
    N back_nonce = invert_mod(mul_mod(powm_secret(N(c.value() % n), k, n), powm_secret(nonce, inverse, n), n), n);
    const secure_clear_on_exit<N> wipe_back_nonce{back_nonce};
    sigma::power_relation_prover<N> forward(c, factor, nonce, rng);
    sigma::power_relation_prover<N> backward(blinded, inverse, back_nonce, rng);
    const N e = blinding_transcript(c, blinded, forward.commitment(), backward.commitment(), context).template challenge<N>(proof_challenge_bits(key));
    auto f = std::move(forward).respond(e);
    return {std::move(f), std::move(backward).respond(e)};
}

} // namespace detail

/// Blinds `c`: draws r and s uniformly from Z_N^*, returns c' = c^r · s^N mod N² (an encryption of
/// r·Dec(c), as random as a fresh encryption) with a proof bound to `context`. Costs about seven
/// encryptions (six exponentiations, three of them with secret exponents through powm_secret).
/// @tparam N a type modelling dkg::big_integer.
/// @tparam G a type modelling dkg::secure_rng.
template <big_integer N, secure_rng G>
blinded_ciphertext<N> blind(const ciphertext<N>& c, const proof_context& context, G& rng)
{
    const public_key<N>& key = c.key();
    N r = random_unit(key.n(), rng);
    const secure_clear_on_exit<N> wipe_r{r};
    N s = random_unit(key.n(), rng);
    const secure_clear_on_exit<N> wipe_s{s};
    const N& n2 = key.n_squared();
    ciphertext<N> blinded = key.make_ciphertext(detail::mul_mod(powm_secret(c.value(), r, n2), bigint_traits<N>::powm(s, key.n(), n2), n2));
    auto proof = detail::prove_blinding_unchecked(c, blinded, r, s, context, rng);
    return {std::move(blinded), std::move(proof)};
}

/// A proof that `blinded` = c^factor · nonce^N mod N², for a blinding the caller made itself.
/// @tparam N a type modelling dkg::big_integer.
/// @tparam G a type modelling dkg::secure_rng.
/// @param factor r ∈ Z_N^* (a factor of 0 is refused: the proof would not verify).
/// @param nonce s ∈ Z_N^*.
/// @throws std::invalid_argument naming `blinded` (another key), `factor` or `nonce` (out of
///         range), or `factor, nonce` if blinded ≠ c^r · s^N (checked: two more exponentiations).
template <big_integer N, secure_rng G>
blinding_proof<N> prove_blinding(const ciphertext<N>& c, const ciphertext<N>& blinded, const N& factor, const N& nonce,
                                 const proof_context& context, G& rng)
{
    const public_key<N>& key = c.key();
    detail::require_same_key(key, blinded, "blinded");
    if (!detail::is_unit_mod_n(key, factor)) throw std::invalid_argument("factor: not in Z_N^*");
    detail::require_nonce(key, nonce);
    const N& n2 = key.n_squared();
    if (detail::mul_mod(powm_secret(c.value(), factor, n2), bigint_traits<N>::powm(nonce, key.n(), n2), n2) != blinded.value())
        throw std::invalid_argument("factor, nonce: the blinded ciphertext is not c^factor · nonce^N");
    return detail::prove_blinding_unchecked(c, blinded, factor, nonce, context, rng);
}

/// Whether `proof` shows that `blinded` is a correct blinding of `c` under `context`: both
/// directions in range and answering the Fiat–Shamir challenge. Then Dec(blinded) = r·Dec(c) for
/// an r ∈ Z_N^* the prover knew, so Dec(blinded) = 0 exactly when Dec(c) = 0. Costs about four
/// encryptions.
/// @tparam N a type modelling dkg::big_integer.
/// @throws std::invalid_argument naming `blinded` if it belongs to another key than `c`.
template <big_integer N>
bool verify_blinding(const ciphertext<N>& c, const ciphertext<N>& blinded, const blinding_proof<N>& proof, const proof_context& context)
{
    const public_key<N>& key = c.key();
    detail::require_same_key(key, blinded, "blinded");
    if (!detail::is_unit_mod_n2(key, proof.forward.commitment) || !detail::is_unit_mod_n2(key, proof.backward.commitment)) return false;
    const N e = detail::blinding_transcript(c, blinded, proof.forward.commitment, proof.backward.commitment, context)
                    .template challenge<N>(proof_challenge_bits(key));
    return sigma::verify_blinding(c, blinded, proof, e);
}

} // namespace dkg
