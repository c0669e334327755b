// The default threshold-decryption scheme: Shoup-style threshold Paillier (docs/protocol.md §6) as a
// model of dkg::threshold_scheme, over the one-shot functions of dkg/threshold.hpp.
#pragma once

#include <dkg/bigint.hpp>
#include <dkg/codec.hpp>
#include <dkg/detail/sha256.hpp>
#include <dkg/error.hpp>
#include <dkg/key_share.hpp>
#include <dkg/paillier.hpp>
#include <dkg/rng.hpp>
#include <dkg/threshold.hpp>
#include <dkg/threshold/scheme.hpp>

#include <cstddef>
#include <optional>
#include <span>
#include <stdexcept>
#include <string_view>
#include <vector>

namespace dkg {

/// Threshold Paillier decryption with Shoup-style proofs (Shoup, "Practical threshold signatures",
/// EUROCRYPT 2000, §3: shares c^(2·Δ·s_j), their proofs of correctness and the combination with
/// 4·Δ², here in Z_{N²} as in the threshold variant of Damgård–Jurik, PKC 2001; integer key shares
/// as in docs/protocol.md §5–§6; soundness without safe primes in §8): the model of
/// dkg::threshold_scheme that dkg::async_decrypt runs for a dkg::key_share<N>.
///
/// Party j's partial decryption of c is c_j = c^(2·Δ·s_j) mod N²; its proof shows
/// log_{c^4}(c_j^2) = log_v(VK_j) (dkg::decryption_proof). Any t+1 partials combine into
/// m = L(∏ c_j^(2·μ_j))·(4·Δ²·θ)^-1 mod N. The members produce exactly what the free functions
/// dkg::partial_decrypt, dkg::verify and dkg::combine_batch produce, and the wire form of a partial
/// is the one of docs/formats.md.
///
/// @tparam N a type modelling dkg::big_integer.
/// @par Thread Safety
/// Every member may be called concurrently (they share only const data).
template <big_integer N>
struct paillier_threshold_scheme {
    using number_type = N;
    using share_type = key_share<N>;
    using public_data_type = threshold_key<N>;
    using ciphertext_type = ciphertext<N>;
    using partial_type = partial_decryption<N>;
    /// The plaintext residue in [0, N) (dkg::to_signed and dkg::decode give signed and fixed-point values).
    using plaintext_type = N;

    /// The public part of `share` (dkg::threshold_key: N, n, t, θ, v, VK_1..VK_n).
    /// @throws std::invalid_argument naming `share` if it is empty.
    static threshold_key<N> public_data(const key_share<N>& share) { return threshold_key<N>(share); }

    /// j.
    static party_id share_party(const key_share<N>& share) noexcept { return share.id(); }

    /// n.
    static std::size_t parties(const threshold_key<N>& key) noexcept { return key.parties(); }

    /// t.
    static std::size_t threshold(const threshold_key<N>& key) noexcept { return key.threshold(); }

    /// @throws std::invalid_argument naming `ciphertext` if `c` is encrypted under another public key.
    static void check_ciphertext(const threshold_key<N>& key, const ciphertext<N>& c) { detail::require_key(key.public_key(), c); }

    /// c^(2·Δ·s_j) mod N², without a proof (as dkg::partial_decrypt(share, c)).
    static partial_decryption<N> partial_decrypt(const key_share<N>& share, const threshold_key<N>&, const ciphertext<N>& c)
    {
        return detail::partial_decrypt_unchecked(share, c);
    }

    /// c^(2·Δ·s_j) mod N² with its proof (as dkg::partial_decrypt(share, c, rng, sigma)).
    /// @tparam G a type modelling dkg::secure_rng.
    /// @param sigma statistical hiding of Δ·s_j in the proof's response, in bits (≥ 1).
    template <secure_rng G>
    static partial_decryption<N> partial_decrypt(const key_share<N>& share, const threshold_key<N>&, const ciphertext<N>& c, G& rng,
                                                 std::size_t sigma)
    {
        return detail::partial_decrypt_proved(share, c, rng, sigma);
    }

    /// The party id the partial names.
    static party_id partial_party(const partial_decryption<N>& p) noexcept { return p.party; }

    /// Whether the partial carries a proof.
    static bool has_proof(const partial_decryption<N>& p) noexcept { return p.proof.has_value(); }

    /// Whether `p` is well formed and its proof checks against VK_j (as dkg::verify).
    static bool verify(const threshold_key<N>& key, const ciphertext<N>& c, const partial_decryption<N>& p)
    {
        return p.proof && detail::well_formed(key, p) && detail::verify_proof(key, c.value(), p);
    }

    /// The plaintext residues of `cs` from t+1 lists of partials of distinct parties, or nothing if
    /// for some ciphertext C = ∏ c_j^(2·μ_j) ≢ 1 (mod N) (as dkg::combine_batch, without throwing
    /// for wrong partials).
    /// @throws std::invalid_argument naming `lists` if there are not exactly t+1 of them, or one
    ///         is shorter than `cs`.
    static std::optional<std::vector<N>> combine(const threshold_key<N>& key, std::span<const ciphertext<N>> cs,
                                                 std::span<const std::span<const partial_decryption<N>>> lists)
    {
        if (lists.size() != key.threshold() + 1) throw std::invalid_argument("lists: exactly threshold+1 lists of partials needed");
        for (const auto& list : lists)
            if (list.size() < cs.size()) throw std::invalid_argument("lists: one partial per ciphertext needed");
        std::vector<party_id> ids;
        if (!cs.empty())
            for (const auto& list : lists) ids.push_back(list.front().party);
        return detail::combine_lists<N>(key, ids, cs.size(), lists, [](const partial_decryption<N>&) {});
    }

    /// u32 party, c_j, u8 proof flag, then challenge and response (docs/formats.md).
    static void write_partial(writer& w, const partial_decryption<N>& p) { detail::write_partial(w, p); }

    /// Decodes a partial decryption with size limits from `key` (c_j below N², proof fields below
    /// their bounds), then checks it: party id in 1..n, c_j ∈ Z_{N²}^*.
    /// @throws dkg::decode_error if it is malformed or out of range.
    static partial_decryption<N> read_partial(reader& r, const threshold_key<N>& key, const ciphertext<N>&)
    {
        return detail::read_partial(r, key);
    }

    /// Bytes of write_partial for a partial of any ciphertext of `key`: party, flag and c_j with its
    /// length prefix (below N²), plus the proof's challenge (256 bits) and response (below
    /// key.max_exponent_bits()) with theirs.
    static std::size_t max_partial_bytes(const threshold_key<N>& key, const ciphertext<N>&, bool proof)
    {
        const std::size_t value_bytes = 14 + (bit_length(key.public_key().n_squared()) + 7) / 8;
        const std::size_t proof_bytes = proof ? 10 + decryption_challenge_bits / 8 + (key.max_exponent_bits() + 7) / 8 : 0;
        return value_bytes + proof_bytes;
    }

    /// SHA-256 over a domain string, N, the number of ciphertexts and their values (length-framed).
    static batch_digest_bytes batch_digest(const threshold_key<N>& key, std::span<const ciphertext<N>> cs)
    {
        detail::sha256 h;
        const std::string_view domain = "dkg/threshold/batch/v1";
        h.update_u64(domain.size()).update(domain);
        detail::hash_integer(h, key.public_key().n());
        h.update_u64(cs.size());
        for (const auto& c : cs) detail::hash_integer(h, c.value());
        return h.finish();
    }
};

/// A dkg::key_share<N> decrypts with dkg::paillier_threshold_scheme<N>.
template <big_integer N>
struct default_threshold_scheme<key_share<N>> {
    using type = paillier_threshold_scheme<N>;
};

} // namespace dkg
