// Fiat–Shamir for the proofs on ciphertexts (docs/protocol.md §9): the caller-given context a
// proof is bound to, the challenge length, the transcript that is hashed into a challenge, and the
// small pieces of arithmetic that every proof shares.
//
// A transcript is a byte string: the proof kind's domain string, the context fields, then the key,
// every public value of the statement and the prover's commitments, each framed with its length
// (docs/formats.md gives the exact bytes). The challenge is the top t bits of its SHA-256.
#pragma once

#include <dkg/bigint.hpp>
#include <dkg/codec.hpp>
#include <dkg/detail/sha256.hpp>
#include <dkg/paillier.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dkg {

/// The longest challenge of a proof on ciphertexts, in bits (docs/protocol.md §9).
inline constexpr std::size_t max_proof_challenge_bits = 128;

/// The most fields a proof_context may hold.
inline constexpr std::size_t max_proof_context_fields = 64;

/// The longest field of a proof_context, in bytes.
inline constexpr std::size_t max_proof_context_field_bytes = 4096;

/// The challenge length t of proofs on ciphertexts of `key`: min(128, ⌊bits(N)/2⌋ − 1).
///
/// Special soundness needs every difference of two challenges to be invertible mod N, which holds
/// when 2^t is below N's smallest prime factor: both primes of an N made by dkg (or any balanced
/// N of k bits) exceed 2^(k/2 − 1). For real keys t = 128; the smaller values only serve test keys.
/// @tparam N a type modelling dkg::big_integer.
/// @throws std::logic_error if `key` is empty.
template <big_integer N>
std::size_t proof_challenge_bits(const public_key<N>& key)
{
    return std::min(max_proof_challenge_bits, key.bits() / 2 - 1);
}

/// What a proof is bound to besides its statement: an ordered list of byte strings chosen by the
/// caller, such as an election id, a question id and a voter id. A proof made under one context
/// does not verify under another; each field is hashed with its length, so no two different lists
/// hash alike ({"ab", "c"} differs from {"a", "bc"}).
///
/// @par Thread Safety
/// Distinct objects: safe. Shared objects: safe for const use.
class proof_context {
public:
    /// The empty context (a proof bound to its statement only).
    proof_context() = default;

    /// A context of text fields, in order.
    /// @throws std::invalid_argument naming `context` if there are more than
    ///         max_proof_context_fields fields or one is longer than max_proof_context_field_bytes.
    proof_context(std::initializer_list<std::string_view> fields)
    {
        for (std::string_view f : fields) add(f);
    }

    /// Appends a text field (its bytes, without a terminator).
    /// @throws std::invalid_argument naming `context` as the constructor.
    proof_context& add(std::string_view field)
    {
        return add(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(field.data()), field.size()));
    }

    /// Appends a binary field.
    /// @throws std::invalid_argument naming `context` as the constructor.
    proof_context& add(std::span<const std::uint8_t> field)
    {
        if (fields_.size() >= max_proof_context_fields)
            throw std::invalid_argument("context: more than " + std::to_string(max_proof_context_fields) + " fields");
        if (field.size() > max_proof_context_field_bytes)
            throw std::invalid_argument("context: a field is longer than " + std::to_string(max_proof_context_field_bytes) + " bytes");
        fields_.emplace_back(field.begin(), field.end());
        return *this;
    }

    /// The fields, in order.
    const std::vector<bytes>& fields() const noexcept { return fields_; }

    friend bool operator==(const proof_context&, const proof_context&) = default;

private:
    std::vector<bytes> fields_;
};

namespace detail {

/// The bytes hashed into a challenge: u64 length and bytes of the domain string, u64 number of
/// context fields and each field as u64 length and bytes, then the values appended by the proof:
/// u64 numbers, and integers as u64 sign (0 or 1), u64 length and the big-endian magnitude with
/// no leading zero byte (all u64 big-endian).
class proof_transcript {
public:
    proof_transcript(std::string_view domain, const proof_context& context)
    {
        text(domain);
        u64(context.fields().size());
        for (const auto& f : context.fields()) framed(f);
    }

    proof_transcript& u64(std::uint64_t v)
    {
        for (int i = 7; i >= 0; --i) data_.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
        return *this;
    }

    template <big_integer N>
    proof_transcript& integer(const N& value)
    {
        u64(value < N(0u) ? 1u : 0u);
        return framed(to_bytes(value));
    }

    /// The bytes so far (for tests and the worked example of docs/formats.md).
    const bytes& data() const noexcept { return data_; }

    /// The challenge: SHA-256 of the transcript, read big-endian, shifted right to its top `bits` bits.
    template <big_integer N>
    N challenge(std::size_t bits) const
    {
        const auto digest = sha256::hash(data_);
        return N(from_bytes<N>(digest) >> static_cast<unsigned>(8 * digest.size() - bits));
    }

private:
    proof_transcript& text(std::string_view s)
    {
        return framed(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()));
    }

    proof_transcript& framed(std::span<const std::uint8_t> b)
    {
        u64(b.size());
        data_.insert(data_.end(), b.begin(), b.end());
        return *this;
    }

    bytes data_;
};

/// g^x mod N² for g = N + 1 and any integer x: 1 + (x mod N)·N (g has order N modulo N²).
template <big_integer N>
N g_power(const public_key<N>& key, const N& x)
{
    return N(N(mod(x, key.n()) * key.n()) + N(1u));
}

/// Whether 0 < value < N and gcd(value, N) = 1.
template <big_integer N>
bool is_unit_mod_n(const public_key<N>& key, const N& value)
{
    return value > N(0u) && value < key.n() && gcd(value, key.n()) == N(1u);
}

/// Whether 0 ≤ value < N.
template <big_integer N>
bool is_residue_mod_n(const public_key<N>& key, const N& value)
{
    return value >= N(0u) && value < key.n();
}

/// Whether 0 ≤ e < 2^t for the key's challenge length t.
template <big_integer N>
bool is_challenge(const public_key<N>& key, const N& e)
{
    return e >= N(0u) && bit_length(e) <= proof_challenge_bits(key);
}

/// @throws std::invalid_argument naming `challenge` if it is not in [0, 2^t).
template <big_integer N>
void require_challenge(const public_key<N>& key, const N& e)
{
    if (!is_challenge(key, e)) throw std::invalid_argument("challenge: not in [0, 2^t) for this key");
}

/// @throws std::invalid_argument naming `nonce` if it is not in Z_N^*.
template <big_integer N>
void require_nonce(const public_key<N>& key, const N& r)
{
    if (!is_unit_mod_n(key, r)) throw std::invalid_argument("nonce: not in Z_N^*");
}

/// @throws std::invalid_argument naming `what` if `c` is not a ciphertext of `key`.
template <big_integer N>
void require_same_key(const public_key<N>& key, const ciphertext<N>& c, const char* what)
{
    if (!(c.key() == key)) throw std::invalid_argument(std::string(what) + ": encrypted under another public key");
}

/// a^-1 mod N² for a ∈ Z_{N²}^*.
template <big_integer N>
N invert_mod_n2(const public_key<N>& key, const N& a)
{
    return invert_mod(a, key.n_squared());
}

} // namespace detail

} // namespace dkg
