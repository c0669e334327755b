// Paillier encryption with g = N + 1 (docs/protocol.md §7): public key, ciphertexts, homomorphic
// operations, and a plain (single-holder) secret key used in tests and as the reference decryption.
//
// The public key is standard: any Paillier implementation that uses g = N + 1 can encrypt to it,
// and ciphertexts made here decrypt with any standard implementation.
#pragma once

#include <dkg/bigint.hpp>

#include <memory>
#include <stdexcept>
#include <string>
#include <utility>

namespace dkg {

/// Smallest modulus accepted by `public_key` (toy sizes are allowed for tests, not secure).
inline constexpr std::size_t min_modulus_bits = 32;

template <big_integer N>
class public_key;

namespace detail {

/// a·b mod m for non-negative a, b.
template <big_integer N>
N mul_mod(const N& a, const N& b, const N& m)
{
    return N(N(a * b) % m);
}

/// Whether `value` is in Z_{N²}^*: 0 < value < N² and gcd(value, N) = 1.
template <big_integer N>
bool is_unit_mod_n2(const public_key<N>& key, const N& value)
{
    return value > N(0u) && value < key.n_squared() && gcd(value, key.n()) == N(1u);
}

} // namespace detail

template <big_integer N>
class ciphertext;

/// A Paillier public key (N, g = N + 1). Cheap to copy: copies share one immutable key.
///
/// @tparam N a type modelling dkg::big_integer.
/// @par Thread Safety
/// Distinct and shared objects: safe (immutable).
template <big_integer N>
class public_key {
public:
    /// @throws std::invalid_argument if `n` is even, below 2^(min_modulus_bits-1) or has a factor
    ///         below 1000 (which no Paillier modulus of real primes has).
    explicit public_key(N n) : data_(std::make_shared<const data>(make_data(std::move(n)))) {}

    /// An empty key: only assignable and comparable. Every other member throws std::logic_error.
    public_key() = default;

    /// Whether this is an empty (default-constructed) key.
    bool empty() const noexcept { return data_ == nullptr; }

    /// The modulus N.
    const N& n() const { return get().n; }
    /// N², the modulus of ciphertexts.
    const N& n_squared() const { return get().n_squared; }
    /// The generator g = N + 1.
    N g() const { return N(get().n + N(1u)); }
    /// Bits of N.
    std::size_t bits() const { return get().bits; }

    /// The largest plaintext magnitude: (N-1)/2. Plaintexts are integers in [-(N-1)/2, (N-1)/2].
    const N& max_plaintext() const { return get().max_plaintext; }

    friend bool operator==(const public_key& a, const public_key& b)
    {
        if (a.data_ == b.data_) return true;
        return a.data_ && b.data_ && a.get().n == b.get().n;
    }

    // ---- plaintexts --------------------------------------------------------------------------

    /// Maps a signed plaintext m, |m| ≤ (N-1)/2, to its residue in [0, N) (negatives as N + m).
    /// @throws std::invalid_argument naming `plaintext` if |m| is too large.
    N to_residue(const N& m) const
    {
        const N zero(0u);
        if (m > get().max_plaintext || N(-m) > get().max_plaintext)
            throw std::invalid_argument("plaintext: outside the range [-(N-1)/2, (N-1)/2] of this key");
        return m < zero ? N(get().n + m) : m;
    }

    /// Maps a residue in [0, N) back to the signed plaintext in [-(N-1)/2, (N-1)/2].
    /// @throws std::invalid_argument naming `residue` if it is not in [0, N).
    N from_residue(const N& residue) const
    {
        if (residue < N(0u) || residue >= get().n) throw std::invalid_argument("residue: not in [0, N)");
        return residue > get().max_plaintext ? N(residue - get().n) : residue;
    }

    // ---- encryption --------------------------------------------------------------------------

    /// Encrypts the signed integer `m` with a fresh r ∈ Z_N^*: c = (1 + m·N)·r^N mod N².
    /// @throws std::invalid_argument if m is out of range.
    template <secure_rng G>
    ciphertext<N> encrypt(const N& m, G& rng) const
    {
        return encrypt_residue(to_residue(m), rng);
    }

    /// Encrypts a residue m ∈ [0, N).
    template <secure_rng G>
    ciphertext<N> encrypt_residue(const N& m, G& rng) const
    {
        return encrypt_with_nonce(m, random_unit(get().n, rng));
    }

    /// Encrypts the residue m ∈ [0, N) with the given nonce r ∈ Z_N^* (known-answer tests, proofs).
    /// @throws std::invalid_argument if m ∉ [0, N) or r ∉ Z_N^*.
    ciphertext<N> encrypt_with_nonce(const N& m, const N& r) const
    {
        if (m < N(0u) || m >= get().n) throw std::invalid_argument("plaintext residue: not in [0, N)");
        if (r <= N(0u) || r >= get().n || gcd(r, get().n) != N(1u)) throw std::invalid_argument("nonce: not in Z_N^*");
        const N rn = bigint_traits<N>::powm(r, get().n, get().n_squared);
        return ciphertext<N>(*this, N(N(N(N(m * get().n) + N(1u)) * rn) % get().n_squared), typename ciphertext<N>::trusted{});
    }

    /// Wraps a ciphertext value received from outside, after checking it belongs to this key:
    /// 0 < c < N² and gcd(c, N) = 1.
    /// @throws std::invalid_argument naming `ciphertext` otherwise.
    ciphertext<N> make_ciphertext(N value) const
    {
        if (value <= N(0u) || value >= get().n_squared)
            throw std::invalid_argument("ciphertext: value not in (0, N^2) for this key");
        if (gcd(value, get().n) != N(1u)) throw std::invalid_argument("ciphertext: value not coprime to N");
        return ciphertext<N>(*this, std::move(value), typename ciphertext<N>::trusted{});
    }

private:
    struct data {
        N n;
        N n_squared;
        N max_plaintext;
        std::size_t bits = 0;
    };

    static data make_data(N n)
    {
        if (n <= N(0u) || !is_odd(n)) throw std::invalid_argument("n: the modulus must be a positive odd integer");
        const std::size_t bits = bit_length(n);
        if (bits < min_modulus_bits) throw std::invalid_argument("n: the modulus is shorter than the minimum of 32 bits");
        static const std::vector<std::uint32_t> small = primes_between(3, 1000);
        for (std::uint32_t p : small) {
            const N np(static_cast<unsigned long long>(p));
            if (n != np && N(n % np) == N(0u)) throw std::invalid_argument("n: the modulus has a small prime factor");
        }
        data d;
        d.n_squared = N(n * n);
        d.max_plaintext = N(N(n - N(1u)) >> 1);
        d.bits = bits;
        d.n = std::move(n);
        return d;
    }

    const data& get() const
    {
        if (!data_) throw std::logic_error("public_key: empty key");
        return *data_;
    }

    std::shared_ptr<const data> data_;
};

/// A Paillier ciphertext bound to its public key. Operations check that both operands belong to
/// the same key.
///
/// @par Thread Safety
/// Distinct objects: safe. Shared objects: safe for const use.
template <big_integer N>
class ciphertext {
public:
    /// The ciphertext c in (0, N²), coprime to N.
    const N& value() const noexcept { return value_; }
    /// The key it is a ciphertext of.
    const public_key<N>& key() const noexcept { return key_; }

    /// Homomorphic addition: Enc(a + b).
    friend ciphertext operator+(const ciphertext& a, const ciphertext& b)
    {
        a.check_same_key(b);
        return ciphertext(a.key_, N(N(a.value_ * b.value_) % a.key_.n_squared()), trusted{});
    }

    /// Homomorphic subtraction: Enc(a - b).
    friend ciphertext operator-(const ciphertext& a, const ciphertext& b)
    {
        a.check_same_key(b);
        return a + (-b);
    }

    /// Homomorphic negation: Enc(-a).
    ciphertext operator-() const
    {
        return ciphertext(key_, invert_mod(value_, key_.n_squared()), trusted{});
    }

    /// Multiplication by a plain integer k (any sign): Enc(k·a) = a^(k mod N), without fresh
    /// randomness (the result is as random as a). For k ≡ 0 (mod N) that would be the constant
    /// ciphertext 1, which anyone recognises as 0, so it is refused: use `multiply(k, rng)`, which
    /// gives a fresh encryption of 0 there (and everywhere a fresh ciphertext).
    /// @throws std::invalid_argument naming `k` if k ≡ 0 (mod N).
    friend ciphertext operator*(const ciphertext& a, const N& k)
    {
        const N e = mod(k, a.key_.n());
        if (e == N(0u))
            throw std::invalid_argument("k: a multiple of N (or 0) would give the constant ciphertext 1; use multiply(k, rng)");
        return ciphertext(a.key_, bigint_traits<N>::powm(a.value_, e, a.key_.n_squared()), trusted{});
    }

    /// `a * k`. @throws std::invalid_argument naming `k` if k ≡ 0 (mod N).
    friend ciphertext operator*(const N& k, const ciphertext& a) { return a * k; }

    /// Multiplication by a plain integer k (any sign) with fresh randomness: a^(k mod N)·r^N mod N²
    /// for a new r, an encryption of k·a that looks like any other, also for k ≡ 0 (mod N), where
    /// it is a fresh encryption of 0 (never the constant 1). Costs one more exponentiation than `*`.
    /// @tparam G a type modelling dkg::secure_rng.
    template <secure_rng G>
    ciphertext multiply(const N& k, G& rng) const
    {
        const N e = mod(k, key_.n());
        if (e == N(0u)) return key_.encrypt(N(0u), rng);
        return (*this * e).rerandomize(rng);
    }

    /// Adds a plaintext: Enc(a + m), without fresh randomness (the result is as random as a).
    /// @throws std::invalid_argument if m is out of range.
    ciphertext add_plain(const N& m) const
    {
        const N gm = N(N(N(key_.to_residue(m) * key_.n()) + N(1u)) % key_.n_squared());
        return ciphertext(key_, N(N(value_ * gm) % key_.n_squared()), trusted{});
    }

    /// The same plaintext under fresh randomness: c · r^N mod N².
    template <secure_rng G>
    ciphertext rerandomize(G& rng) const
    {
        const N r = random_unit(key_.n(), rng);
        const N rn = bigint_traits<N>::powm(r, key_.n(), key_.n_squared());
        return ciphertext(key_, N(N(value_ * rn) % key_.n_squared()), trusted{});
    }

    friend bool operator==(const ciphertext& a, const ciphertext& b)
    {
        return a.key_ == b.key_ && a.value_ == b.value_;
    }

private:
    friend class public_key<N>;
    struct trusted {};

    ciphertext(public_key<N> key, N value, trusted) : key_(std::move(key)), value_(std::move(value)) {}

    void check_same_key(const ciphertext& other) const
    {
        if (!(key_ == other.key_)) throw std::invalid_argument("ciphertext: operands belong to different public keys");
    }

    public_key<N> key_;
    N value_;
};

/// A plain Paillier secret key (p, q known to one holder). Used as the reference decryption in
/// tests and benchmarks; distributed keys never exist in this form.
template <big_integer N>
class secret_key {
public:
    /// @throws std::invalid_argument if p or q is not odd, p = q, or p·q is not a valid modulus.
    secret_key(N p, N q) : public_(N(p * q)), p_(std::move(p)), q_(std::move(q))
    {
        if (p_ == q_) throw std::invalid_argument("q: must differ from p");
        const N one(1u);
        p_squared_ = N(p_ * p_);
        q_squared_ = N(q_ * q_);
        // h_p = L_p(g^(p-1) mod p²)^-1 mod p, with g = N + 1 (CRT decryption, Paillier §7).
        h_p_ = invert_mod(l_function(powm_secret(public_.g(), N(p_ - one), p_squared_), p_), p_);
        h_q_ = invert_mod(l_function(powm_secret(public_.g(), N(q_ - one), q_squared_), q_), q_);
        q_inv_p_ = invert_mod(q_, p_);
    }

    /// Generates a key with N of exactly `bits` bits and p ≡ q ≡ 3 (mod 4).
    /// @throws std::invalid_argument if bits is odd or below min_modulus_bits.
    template <secure_rng G>
    static secret_key generate(std::size_t bits, G& rng)
    {
        if (bits % 2 != 0 || bits < min_modulus_bits) throw std::invalid_argument("bits: must be even and at least 32");
        for (;;) {
            N p = random_blum_prime<N>(bits / 2, rng);
            N q = random_blum_prime<N>(bits / 2, rng);
            if (p == q || bit_length(N(p * q)) != bits) continue;
            try {
                return secret_key(std::move(p), std::move(q));
            } catch (const std::invalid_argument&) {
                continue; // a toy-size modulus with a small factor: draw again
            }
        }
    }

    /// The public key (N = p·q, g = N + 1).
    const dkg::public_key<N>& public_key() const noexcept { return public_; }
    /// The prime p.
    const N& p() const noexcept { return p_; }
    /// The prime q.
    const N& q() const noexcept { return q_; }

    /// φ(N) = (p-1)(q-1).
    N phi() const { return N(N(p_ - N(1u)) * N(q_ - N(1u))); }

    /// The residue m ∈ [0, N) of a ciphertext of this key.
    /// @throws std::invalid_argument if c belongs to another key.
    N decrypt_residue(const ciphertext<N>& c) const
    {
        if (!(c.key() == public_)) throw std::invalid_argument("ciphertext: encrypted under another public key");
        const N one(1u);
        const N mp = mod(N(l_function(powm_secret(N(c.value() % p_squared_), N(p_ - one), p_squared_), p_) * h_p_), p_);
        const N mq = mod(N(l_function(powm_secret(N(c.value() % q_squared_), N(q_ - one), q_squared_), q_) * h_q_), q_);
        // CRT: m = mq + q·((mp - mq)·q^-1 mod p)
        return N(mq + N(q_ * mod(N(N(mp - mq) * q_inv_p_), p_)));
    }

    /// The signed plaintext in [-(N-1)/2, (N-1)/2].
    N decrypt(const ciphertext<N>& c) const { return public_.from_residue(decrypt_residue(c)); }

private:
    static N l_function(const N& u, const N& d) { return N(N(u - N(1u)) / d); }

    dkg::public_key<N> public_;
    N p_, q_, p_squared_, q_squared_, h_p_, h_q_, q_inv_p_;
};

} // namespace dkg
