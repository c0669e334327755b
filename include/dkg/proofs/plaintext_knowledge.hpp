// Proof of knowledge of the plaintext and the nonce of a Paillier ciphertext (docs/protocol.md §9.1):
// the prover knows m ∈ Z_N and r ∈ Z_N^* with c = g^m · r^N mod N², g = N + 1.
//
// The Σ-protocol of Damgård–Jurik (PKC 2001, §5; the same as in Cramer–Damgård–Nielsen, Eurocrypt
// 2001, §4): commitment a = g^x · u^N, challenge e < 2^t, responses z = x + e·m mod N and
// w = u · r^e mod N; the verifier checks g^z · w^N ≡ a · c^e (mod N²). It is perfectly
// honest-verifier zero-knowledge and special-sound for t with 2^t below N's smallest prime factor.
// Made non-interactive with Fiat–Shamir (dkg/proofs/transcript.hpp).
#pragma once

#include <dkg/bigint.hpp>
#include <dkg/paillier.hpp>
#include <dkg/proofs/transcript.hpp>

#include <cstddef>
#include <stdexcept>
#include <utility>

namespace dkg {

/// A proof of knowledge of the plaintext and nonce of a ciphertext (a Σ-protocol transcript
/// without its challenge, which is recomputed from the statement, the context and `commitment`).
template <big_integer N>
struct plaintext_knowledge_proof {
    N commitment;         ///< a = g^x · u^N mod N², in Z_{N²}^*
    N plaintext_response; ///< z = x + e·m mod N, in [0, N)
    N nonce_response;     ///< w = u · r^e mod N, in Z_N^*

    friend bool operator==(const plaintext_knowledge_proof&, const plaintext_knowledge_proof&) = default;
};

/// The interactive Σ-protocols, for tests and for protocols that bring their own challenge.
namespace sigma {

/// The prover of the plaintext-knowledge Σ-protocol: draws its commitment on construction and
/// answers one challenge. Answering two challenges for one commitment reveals the witness
/// (special soundness), so `respond` consumes the prover.
///
/// @tparam N a type modelling dkg::big_integer.
/// @par Thread Safety
/// Distinct objects: safe. Shared objects: unsafe.
template <big_integer N>
class plaintext_knowledge_prover {
public:
    /// @tparam G a type modelling dkg::secure_rng.
    /// @param c the ciphertext.
    /// @param plaintext its plaintext residue m ∈ [0, N).
    /// @param nonce its nonce r ∈ Z_N^*, with c = g^m · r^N (not checked here: a wrong witness
    ///        gives a proof that does not verify).
    /// @throws std::invalid_argument naming `plaintext` or `nonce` if out of range.
    template <secure_rng G>
    plaintext_knowledge_prover(const ciphertext<N>& c, const N& plaintext, const N& nonce, G& rng)
        : key_(c.key()), plaintext_(plaintext), nonce_(nonce)
    {
        if (!detail::is_residue_mod_n(key_, plaintext)) throw std::invalid_argument("plaintext: residue not in [0, N)");
        detail::require_nonce(key_, nonce);
        x_ = random_below(key_.n(), rng);
        u_ = random_unit(key_.n(), rng);
        commitment_ = detail::mul_mod(detail::g_power(key_, x_), bigint_traits<N>::powm(u_, key_.n(), key_.n_squared()), key_.n_squared());
    }

    plaintext_knowledge_prover(const plaintext_knowledge_prover&) = delete;
    plaintext_knowledge_prover& operator=(const plaintext_knowledge_prover&) = delete;
    plaintext_knowledge_prover(plaintext_knowledge_prover&&) = default;
    plaintext_knowledge_prover& operator=(plaintext_knowledge_prover&&) = default;
    ~plaintext_knowledge_prover() { wipe(); }

    /// The commitment a = g^x · u^N mod N².
    const N& commitment() const noexcept { return commitment_; }

    /// The responses to `challenge`; the prover's secrets are wiped.
    /// @throws std::invalid_argument naming `challenge` if it is not in [0, 2^t).
    plaintext_knowledge_proof<N> respond(const N& challenge) &&
    {
        detail::require_challenge(key_, challenge);
        const N& n = key_.n();
        plaintext_knowledge_proof<N> out{commitment_, mod(N(x_ + N(challenge * plaintext_)), n),
                                         detail::mul_mod(u_, bigint_traits<N>::powm(nonce_, challenge, n), n)};
        wipe();
        return out;
    }

private:
    void wipe()
    {
        secure_clear(x_);
        secure_clear(u_);
        secure_clear(plaintext_);
        secure_clear(nonce_);
    }

    public_key<N> key_;
    N plaintext_, nonce_, x_, u_, commitment_;
};

/// The interactive verifier: whether (commitment, responses) answer `challenge` for `c`. Checks
/// that every value is in range (a ∈ Z_{N²}^*, z ∈ [0, N), w ∈ Z_N^*, e ∈ [0, 2^t)) and that
/// g^z · w^N ≡ a · c^e (mod N²).
/// @tparam N a type modelling dkg::big_integer.
template <big_integer N>
bool verify_plaintext_knowledge(const ciphertext<N>& c, const plaintext_knowledge_proof<N>& proof, const N& challenge)
{
    const public_key<N>& key = c.key();
    const N& n2 = key.n_squared();
    if (!detail::is_challenge(key, challenge) || !detail::is_unit_mod_n2(key, proof.commitment) ||
        !detail::is_residue_mod_n(key, proof.plaintext_response) || !detail::is_unit_mod_n(key, proof.nonce_response))
        return false;
    const N left = detail::mul_mod(detail::g_power(key, proof.plaintext_response), bigint_traits<N>::powm(proof.nonce_response, key.n(), n2), n2);
    const N right = detail::mul_mod(proof.commitment, bigint_traits<N>::powm(c.value(), challenge, n2), n2);
    return left == right;
}

/// The honest-verifier simulator: an accepting transcript for `c` and `challenge` made without the
/// witness (z uniform in Z_N, w uniform in Z_N^*, a = g^z · w^N · c^(−e)); distributed exactly as
/// the prover's.
/// @tparam N a type modelling dkg::big_integer.
/// @tparam G a type modelling dkg::secure_rng.
/// @throws std::invalid_argument naming `challenge` if it is not in [0, 2^t).
template <big_integer N, secure_rng G>
plaintext_knowledge_proof<N> simulate_plaintext_knowledge(const ciphertext<N>& c, const N& challenge, G& rng)
{
    const public_key<N>& key = c.key();
    const N& n2 = key.n_squared();
    detail::require_challenge(key, challenge);
    N z = random_below(key.n(), rng);
    N w = random_unit(key.n(), rng);
    const N c_minus_e = detail::invert_mod_n2(key, bigint_traits<N>::powm(c.value(), challenge, n2));
    N a = detail::mul_mod(detail::mul_mod(detail::g_power(key, z), bigint_traits<N>::powm(w, key.n(), n2), n2), c_minus_e, n2);
    return {std::move(a), std::move(z), std::move(w)};
}

} // namespace sigma

namespace detail {

template <big_integer N>
proof_transcript plaintext_knowledge_transcript(const ciphertext<N>& c, const N& commitment, const proof_context& context)
{
    proof_transcript t("dkg/proofs/plaintext-knowledge/v1", context);
    t.integer(c.key().n()).integer(c.value()).integer(commitment);
    return t;
}

} // namespace detail

/// A non-interactive proof that the caller knows the plaintext m and nonce r of `c`
/// (c = g^m · r^N mod N²), bound to `context`. Costs about two encryptions: one for the proof, one
/// to check the witness (sigma::plaintext_knowledge_prover skips that check).
/// @tparam N a type modelling dkg::big_integer.
/// @tparam G a type modelling dkg::secure_rng.
/// @param plaintext m as given to public_key::encrypt (a signed integer, |m| ≤ (N−1)/2).
/// @param nonce r ∈ Z_N^* as given to public_key::encrypt_with_nonce.
/// @throws std::invalid_argument naming `plaintext` or `nonce` if out of range or if `c` is not
///         the encryption of `plaintext` with `nonce` (checked: one more encryption).
template <big_integer N, secure_rng G>
plaintext_knowledge_proof<N> prove_plaintext_knowledge(const ciphertext<N>& c, const N& plaintext, const N& nonce,
                                                       const proof_context& context, G& rng)
{
    const public_key<N>& key = c.key();
    N m = key.to_residue(plaintext);
    const secure_clear_on_exit<N> wipe_m{m};
    detail::require_nonce(key, nonce);
    if (!(key.encrypt_with_nonce(m, nonce) == c)) throw std::invalid_argument("plaintext, nonce: the ciphertext is not their encryption");
    sigma::plaintext_knowledge_prover<N> prover(c, m, nonce, rng);
    const N e = detail::plaintext_knowledge_transcript(c, prover.commitment(), context).template challenge<N>(proof_challenge_bits(key));
    return std::move(prover).respond(e);
}

/// Whether `proof` shows knowledge of the plaintext and nonce of `c` under `context`: every value
/// in range and the Σ-protocol's equation holds for the Fiat–Shamir challenge. Costs about one
/// encryption.
/// @tparam N a type modelling dkg::big_integer.
template <big_integer N>
bool verify_plaintext_knowledge(const ciphertext<N>& c, const plaintext_knowledge_proof<N>& proof, const proof_context& context)
{
    if (!detail::is_unit_mod_n2(c.key(), proof.commitment)) return false;
    const N e = detail::plaintext_knowledge_transcript(c, proof.commitment, context).template challenge<N>(proof_challenge_bits(c.key()));
    return sigma::verify_plaintext_knowledge(c, proof, e);
}

} // namespace dkg
