// Threshold decryption (docs/protocol.md §6): partial decryptions with optional Shoup-style proofs,
// their verification, and their combination by any t+1 parties, one ciphertext or a batch at a time.
//
// The distributed operation over a session (dkg::async_decrypt) is in dkg/threshold/async_decrypt.hpp
// (which includes this header); this one needs no Asio.
#pragma once

#include <dkg/bigint.hpp>
#include <dkg/codec.hpp>
#include <dkg/detail/party_list.hpp>
#include <dkg/detail/sha256.hpp>
#include <dkg/encoding.hpp>
#include <dkg/error.hpp>
#include <dkg/key_share.hpp>
#include <dkg/paillier.hpp>
#include <dkg/shamir/integer.hpp>

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <type_traits>
#include <vector>

namespace dkg {

/// Bits of the Fiat–Shamir challenge of a decryption proof.
inline constexpr std::size_t decryption_challenge_bits = 256;

/// Default statistical security (bits) of the prover's randomness in a decryption proof.
inline constexpr std::size_t decryption_proof_sigma = 40;

namespace detail {

/// Upper bound on the bits of |Δ·s_j| and of proof responses accepted from peers and files: a size
/// limit against oversized input, generous for every honest key. Key generation's degree reduction
/// gives |s_j| ≲ 2·|N| + 7·|Δ| + 3σ + 3(t+1)·log n (σ ≤ 1024); Δ·s_j and a response add |Δ|,
/// 2·256 + σ and rounding.
inline std::size_t exponent_bits_limit(std::size_t modulus_bits, std::size_t parties, std::size_t delta_bits)
{
    return 4 * modulus_bits + 10 * delta_bits + 4 * parties * static_cast<std::size_t>(std::bit_width(parties)) + 8192;
}

template <big_integer N>
void require_share(const key_share<N>& share)
{
    if (share.empty()) throw std::invalid_argument("share: empty key share");
}

} // namespace detail

/// The public part of a threshold Paillier key: what anyone needs to verify partial decryptions and
/// to combine them (docs/protocol.md §5–§6). Contains no secret.
///
/// @tparam N a type modelling dkg::big_integer.
/// @par Thread Safety
/// Distinct and shared objects: safe (immutable). Copies share one immutable state and are cheap.
template <big_integer N>
class threshold_key {
public:
    /// Assembles and checks the public values.
    /// @param key the Paillier public key (N, N+1).
    /// @param parties n ≥ 1.
    /// @param threshold t, with t < n and n ≥ 2t+1 unless t = 0.
    /// @param theta θ = D mod N, invertible mod N.
    /// @param verification_base v ∈ Z_{N²}^*.
    /// @param verification_keys VK_1..VK_n ∈ Z_{N²}^*.
    /// @throws std::invalid_argument naming the inconsistent parameter.
    threshold_key(dkg::public_key<N> key, std::size_t parties, std::size_t threshold, N theta, N verification_base,
                  std::vector<N> verification_keys)
    {
        // key_share validates exactly these fields; a zero share makes it carry no secret.
        const key_share<N> checked(key, 1, parties, threshold, N(0u), theta, verification_base, verification_keys);
        data_ = std::make_shared<const data>(make_data(checked));
    }

    /// The public part of `share`.
    /// @throws std::invalid_argument naming `share` if it is empty.
    explicit threshold_key(const key_share<N>& share) : data_(std::make_shared<const data>(make_data(share))) {}

    const dkg::public_key<N>& public_key() const noexcept { return data_->key; }
    /// n.
    std::size_t parties() const noexcept { return data_->parties; }
    /// t: any t+1 valid partial decryptions decrypt.
    std::size_t threshold() const noexcept { return data_->threshold; }
    /// θ = D mod N.
    const N& theta() const noexcept { return data_->theta; }
    /// v.
    const N& verification_base() const noexcept { return data_->verification_base; }
    /// VK_1..VK_n (element j-1 belongs to party j).
    const std::vector<N>& verification_keys() const noexcept { return data_->verification_keys; }
    /// VK_j. @throws std::out_of_range if j ∉ 1..n.
    const N& verification_key(party_id j) const
    {
        if (j < 1 || j > data_->parties) throw std::out_of_range("party: id outside 1..n");
        return data_->verification_keys[j - 1];
    }
    /// Δ = n!.
    const N& delta() const noexcept { return data_->delta; }
    /// (4·Δ²·θ)^-1 mod N, the factor that turns L(C) into the plaintext.
    const N& combine_factor() const noexcept { return data_->combine_factor; }
    /// Upper bound on the bit length of |Δ·s_j| and of a proof response accepted from a peer
    /// (a size limit against oversized input, generous for every honest key).
    std::size_t max_exponent_bits() const noexcept { return data_->max_exponent_bits; }

    /// Same public values (possibly a different object).
    friend bool operator==(const threshold_key& a, const threshold_key& b)
    {
        if (a.data_ == b.data_) return true;
        const data& x = *a.data_;
        const data& y = *b.data_;
        return x.key == y.key && x.parties == y.parties && x.threshold == y.threshold && x.theta == y.theta &&
               x.verification_base == y.verification_base && x.verification_keys == y.verification_keys;
    }

private:
    struct data {
        dkg::public_key<N> key;
        std::size_t parties = 0;
        std::size_t threshold = 0;
        N theta, verification_base;
        std::vector<N> verification_keys;
        N delta, combine_factor;
        std::size_t max_exponent_bits = 0;
    };

    static data make_data(const key_share<N>& share)
    {
        detail::require_share(share);
        const N& n = share.public_key().n();
        const N four_delta_squared = N(N(N(4u) * share.delta()) * share.delta());
        return data{share.public_key(),
                    share.parties(),
                    share.threshold(),
                    share.theta(),
                    share.verification_base(),
                    share.verification_keys(),
                    share.delta(),
                    invert_mod(mod(N(four_delta_squared * share.theta()), n), n),
                    detail::exponent_bits_limit(share.public_key().bits(), share.parties(), bit_length(share.delta()))};
    }

    std::shared_ptr<const data> data_;
};

/// A non-interactive proof (Shoup, Fiat–Shamir with SHA-256) that log_{c^4}(c_j^2) = log_v(VK_j), i.e.
/// that a partial decryption used the same exponent Δ·s_j as the party's verification key.
///
/// The prover draws r, sets a = (c^4)^r, b = v^r mod N², e = H(transcript) and z = r + e·Δ·s_j; the
/// verifier recomputes a = (c^4)^z·(c_j^2)^-e and b = v^z·VK_j^-e and checks e.
template <big_integer N>
struct decryption_proof {
    N challenge; ///< e, below 2^decryption_challenge_bits
    N response;  ///< z

    friend bool operator==(const decryption_proof&, const decryption_proof&) = default;
};

/// One party's partial decryption of one ciphertext: c_j = c^(2·Δ·s_j) mod N² (docs/protocol.md §6).
template <big_integer N>
struct partial_decryption {
    party_id party = no_party;                  ///< j, the party that computed it
    N value;                                    ///< c_j
    std::optional<decryption_proof<N>> proof;   ///< present for verifiable partial decryptions

    friend bool operator==(const partial_decryption&, const partial_decryption&) = default;
};

namespace detail {

template <big_integer N>
void require_key(const public_key<N>& key, const ciphertext<N>& c)
{
    if (!(c.key() == key)) throw std::invalid_argument("ciphertext: encrypted under another public key");
}

template <big_integer N>
void hash_integer(sha256& h, const N& value)
{
    h.update_u64(value < N(0u) ? 1u : 0u);
    h.update_framed(to_bytes(value));
}

/// The Fiat–Shamir challenge over the length-framed transcript (N, v, c, c_j, VK_j, a, b, j).
template <big_integer N>
N decryption_challenge(const public_key<N>& key, const N& v, const N& c, const N& cj, const N& vk, const N& a,
                       const N& b, party_id party)
{
    sha256 h;
    const std::string_view domain = "dkg/threshold/decryption-proof/v1";
    h.update_u64(domain.size()).update(domain);
    for (const N* x : {&key.n(), &v, &c, &cj, &vk, &a, &b}) hash_integer(h, *x);
    h.update_u64(party);
    const auto digest = h.finish();
    return from_bytes<N>(digest);
}

/// The secret exponent 2·Δ·s_j.
template <big_integer N>
N partial_exponent(const key_share<N>& share)
{
    return N(N(N(2u) * share.delta()) * share.share());
}

template <big_integer N>
partial_decryption<N> partial_decrypt_unchecked(const key_share<N>& share, const ciphertext<N>& c)
{
    N exponent = partial_exponent(share);
    partial_decryption<N> out{share.id(), powm_secret(c.value(), exponent, share.public_key().n_squared()), std::nullopt};
    secure_clear(exponent);
    return out;
}

template <big_integer N, secure_rng G>
partial_decryption<N> partial_decrypt_proved(const key_share<N>& share, const ciphertext<N>& c, G& rng, std::size_t sigma)
{
    const public_key<N>& key = share.public_key();
    const N& n2 = key.n_squared();
    partial_decryption<N> out = partial_decrypt_unchecked(share, c);
    N x = N(share.delta() * share.share()); // Δ·s_j
    // Width rounded up to 256 bits so that z reveals no more than a coarse size of Δ·s_j.
    const std::size_t x_bits = (bit_length(x) + 255) / 256 * 256;
    N r = random_bits<N>(x_bits + 2 * decryption_challenge_bits + sigma, rng);
    const N c4 = powm(c.value(), N(4u), n2);
    const N a = powm_secret(c4, r, n2); // r masks Δ·s_j in z = r + e·Δ·s_j: secret
    const N b = powm_secret(share.verification_base(), r, n2);
    N e = decryption_challenge(key, share.verification_base(), c.value(), out.value, share.verification_key(share.id()), a, b,
                               share.id());
    N z = N(r + N(e * x));
    secure_clear(r);
    secure_clear(x);
    out.proof = decryption_proof<N>{std::move(e), std::move(z)};
    return out;
}

/// Structural checks on a partial decryption from a peer: id in 1..n, value in Z_{N²}^*, proof sizes.
template <big_integer N>
bool well_formed(const threshold_key<N>& key, const partial_decryption<N>& p)
{
    if (p.party < 1 || p.party > key.parties()) return false;
    if (!is_unit_mod_n2(key.public_key(), p.value)) return false;
    if (p.proof) {
        if (p.proof->challenge < N(0u) || bit_length(p.proof->challenge) > decryption_challenge_bits) return false;
        if (bit_length(p.proof->response) > key.max_exponent_bits()) return false;
    }
    return true;
}

template <big_integer N>
bool verify_proof(const threshold_key<N>& key, const N& c, const partial_decryption<N>& p)
{
    const N& n2 = key.public_key().n_squared();
    const decryption_proof<N>& proof = *p.proof;
    const N minus_e = N(-proof.challenge);
    const N& vk = key.verification_key(p.party);
    const N c4 = powm(c, N(4u), n2);
    const N cj2 = mul_mod(p.value, p.value, n2);
    const N a = mul_mod(powm(c4, proof.response, n2), powm(cj2, minus_e, n2), n2);
    const N b = mul_mod(powm(key.verification_base(), proof.response, n2), powm(vk, minus_e, n2), n2);
    return decryption_challenge(key.public_key(), key.verification_base(), c, p.value, vk, a, b, p.party) == proof.challenge;
}

/// Checks the ids of partials given by a caller: each in 1..n, no repeats.
inline void check_partial_ids(std::span<const party_id> ids, std::size_t parties)
{
    std::vector<bool> seen(parties + 1, false);
    for (party_id p : ids) {
        if (p < 1 || p > parties) throw std::invalid_argument("partials: party id " + std::to_string(p) + " outside 1..n");
        if (seen[p]) throw std::invalid_argument("partials: two partial decryptions from party " + std::to_string(p));
        seen[p] = true;
    }
}

inline protocol_error not_enough_partials(std::size_t needed, std::span<const party_id> from, const std::string& where)
{
    return protocol_error(make_error_code(errc::not_enough_shares), no_party,
                          where + ": " + std::to_string(needed) + " partial decryptions needed, " + std::to_string(from.size()) +
                              " from parties {" + describe_parties(from) + "}");
}

/// C = ∏ c_j^(2·μ_j) mod N² for the set whose Δ·ℓ_j(0) are `mu`; returns the residue m, or nothing
/// if C ≢ 1 (mod N) (docs/protocol.md §6).
template <big_integer N>
std::optional<N> combine_values(const threshold_key<N>& key, std::span<const N> mu, std::span<const N* const> values)
{
    const N& n = key.public_key().n();
    const N& n2 = key.public_key().n_squared();
    N acc(1u);
    for (std::size_t i = 0; i < values.size(); ++i) acc = mul_mod(acc, powm(*values[i], N(N(2u) * mu[i]), n2), n2);
    const N u = N(acc - N(1u));
    if (N(u % n) != N(0u)) return std::nullopt;
    return mod(N(N(u / n) * key.combine_factor()), n);
}

/// The Lagrange coefficients for the first t+1 parties of `ids` (already checked).
template <big_integer N>
std::vector<N> combination_coefficients(const threshold_key<N>& key, std::span<const party_id> ids)
{
    return shamir::integer_lagrange_at_zero<N>(ids.first(key.threshold() + 1), key.parties());
}

/// The plaintext residues of `count` ciphertexts from the partials of the parties `ids` (distinct,
/// in 1..n, at least t+1; the first t+1 are used): `lists[k][i]` is party ids[k]'s partial of
/// ciphertext i. Calls `check(p)` on each partial used before any arithmetic with it. Nothing if
/// the partials of some ciphertext do not combine.
template <big_integer N, class Lists, class Check>
std::optional<std::vector<N>> combine_lists(const threshold_key<N>& key, std::span<const party_id> ids, std::size_t count, const Lists& lists,
                                            Check check)
{
    std::vector<N> out;
    out.reserve(count);
    if (count == 0) return out;
    const std::size_t needed = key.threshold() + 1;
    const auto mu = combination_coefficients(key, ids);
    std::vector<const N*> values(needed);
    for (std::size_t i = 0; i < count; ++i) {
        for (std::size_t k = 0; k < needed; ++k) {
            const auto& p = lists[k][i];
            check(p);
            values[k] = &p.value;
        }
        auto m = combine_values<N>(key, mu, values);
        if (!m) return std::nullopt;
        out.push_back(*std::move(m));
    }
    return out;
}

inline const char* const combine_context = "threshold combine";

template <big_integer N>
protocol_error combination_failed(std::span<const party_id> used)
{
    return protocol_error(make_error_code(errc::verification_failed), no_party,
                          std::string(combine_context) + ": the partial decryptions of parties {" + describe_parties(used) +
                              "} do not combine (a wrong partial, or partials of another ciphertext or key)");
}

/// Encoding of a partial decryption in messages and files (docs/formats.md): u32 party, value,
/// u8 proof flag, then challenge and response if the flag is 1.
template <big_integer N>
void write_partial(writer& w, const partial_decryption<N>& p)
{
    w.u32(p.party).integer(p.value).u8(p.proof ? 1 : 0);
    if (p.proof) w.integer(p.proof->challenge).integer(p.proof->response);
}

/// Decodes and checks (detail::well_formed) a partial decryption. @throws decode_error.
template <big_integer N>
partial_decryption<N> read_partial(reader& r, const threshold_key<N>& key)
{
    partial_decryption<N> p;
    p.party = r.u32();
    p.value = r.integer<N>(bit_length(key.public_key().n_squared()));
    const std::uint8_t flag = r.u8();
    if (flag > 1) throw decode_error("bad proof flag");
    if (flag == 1) {
        N e = r.integer<N>(decryption_challenge_bits);
        N z = r.integer<N>(key.max_exponent_bits());
        p.proof = decryption_proof<N>{std::move(e), std::move(z)};
    }
    if (!well_formed(key, p)) throw decode_error("partial decryption out of range");
    return p;
}

} // namespace detail

// ---- one ciphertext ---------------------------------------------------------------------------

/// Party j's partial decryption of `c`: c^(2·Δ·s_j) mod N², without a proof (docs/protocol.md §6).
/// @tparam N a type modelling dkg::big_integer.
/// @throws std::invalid_argument naming `ciphertext` if `c` belongs to another public key, or
///         `share` if it is empty.
template <big_integer N>
partial_decryption<N> partial_decrypt(const key_share<N>& share, const ciphertext<N>& c)
{
    detail::require_share(share);
    detail::require_key(share.public_key(), c);
    return detail::partial_decrypt_unchecked(share, c);
}

/// Verifiable partial decryption: as `partial_decrypt(share, c)` with a proof that the exponent
/// matches the party's verification key VK_j (docs/protocol.md §6). Costs about three times as much.
/// @tparam N a type modelling dkg::big_integer.
/// @tparam G a type modelling dkg::secure_rng.
/// @param sigma statistical hiding of Δ·s_j in the response, in bits (≥ 1).
/// @throws std::invalid_argument naming `ciphertext` if `c` belongs to another key, or `sigma` if 0.
template <big_integer N, secure_rng G>
partial_decryption<N> partial_decrypt(const key_share<N>& share, const ciphertext<N>& c, G& rng,
                                      std::size_t sigma = decryption_proof_sigma)
{
    detail::require_share(share);
    detail::require_key(share.public_key(), c);
    if (sigma < 1) throw std::invalid_argument("sigma: must be at least 1");
    return detail::partial_decrypt_proved(share, c, rng, sigma);
}

/// Whether `partial` is a valid, proven partial decryption of `c` for `key`: its party id is in
/// 1..n, its value in Z_{N²}^*, and its proof checks against VK_j. A partial without a proof does
/// not verify.
/// @tparam N a type modelling dkg::big_integer.
/// @throws std::invalid_argument naming `ciphertext` if `c` belongs to another public key.
template <big_integer N>
bool verify(const threshold_key<N>& key, const ciphertext<N>& c, const partial_decryption<N>& partial)
{
    detail::require_key(key.public_key(), c);
    return partial.proof && detail::well_formed(key, partial) && detail::verify_proof(key, c.value(), partial);
}

/// `verify` with the public part of a key share.
template <big_integer N>
bool verify(const key_share<N>& share, const ciphertext<N>& c, const partial_decryption<N>& partial)
{
    return verify(threshold_key<N>(share), c, partial);
}

/// Combines partial decryptions of `c` into the plaintext residue m ∈ [0, N) (docs/protocol.md §6):
/// the first t+1 partials, from any distinct parties, give C = ∏ c_j^(2·Δ·ℓ_j(0)) = c^(4·Δ²·D) and
/// m = L(C)·(4·Δ²·θ)^-1 mod N. Proofs, if attached, are not checked here (see `verify`).
/// @tparam N a type modelling dkg::big_integer.
/// @throws std::invalid_argument naming `ciphertext` if `c` belongs to another key, or `partials`
///         if a party id is outside 1..n or repeats.
/// @throws dkg::protocol_error with errc::not_enough_shares (naming the parties that gave partials)
///         if there are fewer than t+1; with errc::protocol_violation and the party if a value is not
///         in Z_{N²}^*; with errc::verification_failed if the partials do not combine (C ≢ 1 mod N:
///         a wrong partial, or partials of another ciphertext or key).
template <big_integer N>
N combine(const threshold_key<N>& key, const ciphertext<N>& c, std::span<const partial_decryption<std::type_identity_t<N>>> partials)
{
    detail::require_key(key.public_key(), c);
    std::vector<party_id> ids;
    for (const auto& p : partials) ids.push_back(p.party);
    detail::check_partial_ids(ids, key.parties());
    if (ids.size() < key.threshold() + 1) throw detail::not_enough_partials(key.threshold() + 1, ids, detail::combine_context);
    std::vector<const N*> values;
    for (const auto& p : partials.first(key.threshold() + 1)) {
        if (!detail::is_unit_mod_n2(key.public_key(), p.value))
            throw protocol_error(make_error_code(errc::protocol_violation), p.party,
                                 std::string(detail::combine_context) + ": partial decryption not in Z_{N^2}^*");
        values.push_back(&p.value);
    }
    const std::span<const party_id> used(ids.data(), key.threshold() + 1);
    const auto mu = detail::combination_coefficients(key, used);
    auto m = detail::combine_values<N>(key, mu, values);
    if (!m) throw detail::combination_failed<N>(used);
    return *std::move(m);
}

/// `combine` with the public part of a key share.
template <big_integer N>
N combine(const key_share<N>& share, const ciphertext<N>& c, std::span<const partial_decryption<std::type_identity_t<N>>> partials)
{
    return combine(threshold_key<N>(share), c, partials);
}

// ---- batches ----------------------------------------------------------------------------------

/// Party j's partial decryptions of every ciphertext of a batch, in order, without proofs.
/// @throws std::invalid_argument naming `ciphertexts` if one belongs to another key.
template <big_integer N>
std::vector<partial_decryption<N>> partial_decrypt_batch(const key_share<N>& share, std::span<const ciphertext<std::type_identity_t<N>>> ciphertexts)
{
    detail::require_share(share);
    for (const auto& c : ciphertexts) detail::require_key(share.public_key(), c);
    std::vector<partial_decryption<N>> out;
    out.reserve(ciphertexts.size());
    for (const auto& c : ciphertexts) out.push_back(detail::partial_decrypt_unchecked(share, c));
    return out;
}

/// Verifiable partial decryptions of every ciphertext of a batch, in order.
/// @throws std::invalid_argument naming `ciphertexts` if one belongs to another key, or `sigma` if 0.
template <big_integer N, secure_rng G>
std::vector<partial_decryption<N>> partial_decrypt_batch(const key_share<N>& share, std::span<const ciphertext<std::type_identity_t<N>>> ciphertexts,
                                                         G& rng, std::size_t sigma = decryption_proof_sigma)
{
    detail::require_share(share);
    for (const auto& c : ciphertexts) detail::require_key(share.public_key(), c);
    if (sigma < 1) throw std::invalid_argument("sigma: must be at least 1");
    std::vector<partial_decryption<N>> out;
    out.reserve(ciphertexts.size());
    for (const auto& c : ciphertexts) out.push_back(detail::partial_decrypt_proved(share, c, rng, sigma));
    return out;
}

/// Combines a batch: `by_party[k]` holds one party's partial decryptions of every ciphertext, in
/// the order of `ciphertexts`. Uses the first t+1 parties of `by_party` for every ciphertext.
/// @return the plaintext residues in [0, N), in order.
/// @throws std::invalid_argument naming `ciphertexts` (another key) or `by_party` (a list of the
///         wrong length, a list mixing parties, an id outside 1..n or repeated).
/// @throws dkg::protocol_error as `combine`.
template <big_integer N>
std::vector<N> combine_batch(const threshold_key<N>& key, std::span<const ciphertext<std::type_identity_t<N>>> ciphertexts,
                             std::span<const std::vector<partial_decryption<std::type_identity_t<N>>>> by_party)
{
    for (const auto& c : ciphertexts) detail::require_key(key.public_key(), c);
    if (ciphertexts.empty()) return {};
    std::vector<party_id> ids;
    for (const auto& list : by_party) {
        if (list.size() != ciphertexts.size())
            throw std::invalid_argument("by_party: each party needs one partial decryption per ciphertext");
        const party_id j = list.front().party;
        for (const auto& p : list)
            if (p.party != j) throw std::invalid_argument("by_party: a list holds partial decryptions of several parties");
        ids.push_back(j);
    }
    detail::check_partial_ids(ids, key.parties());
    const std::size_t needed = key.threshold() + 1;
    if (ids.size() < needed) throw detail::not_enough_partials(needed, ids, detail::combine_context);
    const std::span<const party_id> used(ids.data(), needed);
    auto out = detail::combine_lists<N>(key, used, ciphertexts.size(), by_party, [&key](const partial_decryption<N>& p) {
        if (!detail::is_unit_mod_n2(key.public_key(), p.value))
            throw protocol_error(make_error_code(errc::protocol_violation), p.party,
                                 std::string(detail::combine_context) + ": partial decryption not in Z_{N^2}^*");
    });
    if (!out) throw detail::combination_failed<N>(used);
    return *std::move(out);
}

// ---- decoding ---------------------------------------------------------------------------------

/// The signed plaintexts in [-(N-1)/2, (N-1)/2] of decrypted residues.
/// @throws std::invalid_argument naming `residues` if one is not in [0, N).
template <big_integer N>
std::vector<N> to_signed(const public_key<N>& key, std::span<const std::type_identity_t<N>> residues)
{
    std::vector<N> out;
    out.reserve(residues.size());
    for (const auto& m : residues) out.push_back(key.from_residue(m));
    return out;
}

/// The fixed-point values (exact, with the encoder's precision; negatives as N + m) of decrypted
/// residues.
/// @throws std::invalid_argument naming `residues` if one is not in [0, N) (outside the encodable
///         range), or `encoder` if it belongs to another public key than `key`.
template <big_integer N>
std::vector<fixed_point<N>> decode(const fixed_point_encoder<N>& encoder, const public_key<N>& key, std::span<const std::type_identity_t<N>> residues)
{
    if (!(encoder.key() == key)) throw std::invalid_argument("encoder: made for another public key");
    std::vector<fixed_point<N>> out;
    out.reserve(residues.size());
    for (const auto& m : residues) out.push_back(encoder.decode(m));
    return out;
}

} // namespace dkg
