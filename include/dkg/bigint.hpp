// The number layer: big-integer concept, backends, and the number theory dkg builds on.
//
// Backends shipped: Boost.Multiprecision `cpp_int` (always) and GMP `mpz_int` (when DKG_HAS_GMP
// is 1, see dkg/config.hpp; link dkg::gmp to use it). Any type modelling `big_integer` works
// everywhere.
//
// Arithmetic here is not constant-time: timing may depend on secret values.
#pragma once

#include <dkg/bigint/boost_multiprecision.hpp>
#include <dkg/bigint/traits.hpp>
#include <dkg/config.hpp>
#include <dkg/rng.hpp>

#if DKG_HAS_GMP
#include <dkg/bigint/gmp.hpp>
#endif

#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace dkg {

/// The portable backend: Boost's `cpp_int`.
using cpp_int = boost::multiprecision::cpp_int;

/// a mod m in [0, m). Requires m > 0.
template <big_integer N>
N mod(const N& a, const N& m)
{
    N r = N(a % m);
    if (r < N(0u)) r += m;
    return r;
}

/// b^e mod m in [0, m); a negative exponent uses the inverse of b.
/// @throws std::invalid_argument if m ≤ 0, or e < 0 and b is not invertible mod m.
template <big_integer N>
N powm(const N& b, const N& e, const N& m)
{
    if (m <= N(0u)) throw std::invalid_argument("modulus: must be positive");
    if (e < N(0u)) {
        auto inv = bigint_traits<N>::invert(b, m);
        if (!inv) throw std::invalid_argument("base: not invertible for a negative exponent");
        return bigint_traits<N>::powm(*inv, N(-e), m);
    }
    return bigint_traits<N>::powm(b, e, m);
}

/// b^e mod m in [0, m) for a **secret** exponent e: through `bigint_traits<N>::powm_secret` where the
/// traits have it (constant-time with GMP, `mpz_powm_sec`), otherwise `powm`. A negative exponent
/// inverts the (public) base first and raises the inverse to |e|. m must be odd and above 1.
/// With `cpp_int` and the generic traits this is **variable-time** (the running time depends on e).
/// @throws std::invalid_argument if m is even or below 3, or e < 0 and b is not invertible mod m.
template <big_integer N>
N powm_secret(const N& b, const N& e, const N& m)
{
    if (m < N(3u) || N(m % N(2u)) == N(0u)) throw std::invalid_argument("modulus: powm_secret needs an odd modulus above 1");
    auto raise = [&m](const N& base, const N& exponent) {
        if constexpr (requires { bigint_traits<N>::powm_secret(base, exponent, m); })
            return N(bigint_traits<N>::powm_secret(base, exponent, m));
        else
            return N(bigint_traits<N>::powm(base, exponent, m));
    };
    if (e < N(0u)) {
        auto inv = bigint_traits<N>::invert(b, m);
        if (!inv) throw std::invalid_argument("base: not invertible for a negative exponent");
        N magnitude = N(-e);
        N out = raise(*inv, magnitude);
        bigint_traits<N>::secure_clear(magnitude);
        return out;
    }
    return raise(b, e);
}

/// a^-1 mod m. @throws std::invalid_argument if gcd(a, m) ≠ 1.
template <big_integer N>
N invert_mod(const N& a, const N& m)
{
    auto inv = bigint_traits<N>::invert(a, m);
    if (!inv) throw std::invalid_argument("value: not invertible modulo the given modulus");
    return *std::move(inv);
}

template <big_integer N>
N gcd(const N& a, const N& b)
{
    return bigint_traits<N>::gcd(a, b);
}

template <big_integer N>
int jacobi(const N& a, const N& n)
{
    return bigint_traits<N>::jacobi(a, n);
}

template <big_integer N>
std::size_t bit_length(const N& a)
{
    return bigint_traits<N>::bit_length(a);
}

template <big_integer N>
bool is_odd(const N& a)
{
    return (bigint_traits<N>::low_u64(a) & 1u) != 0;
}

/// |a| as big-endian bytes, at least `min_size` long (left-padded with zeros).
template <big_integer N>
std::vector<std::uint8_t> to_bytes(const N& a, std::size_t min_size = 0)
{
    auto bytes = bigint_traits<N>::to_bytes(a);
    if (bytes.size() < min_size) bytes.insert(bytes.begin(), min_size - bytes.size(), 0);
    return bytes;
}

template <big_integer N>
N from_bytes(std::span<const std::uint8_t> bytes)
{
    return bigint_traits<N>::from_bytes(bytes);
}

template <big_integer N>
std::string to_decimal(const N& a)
{
    return bigint_traits<N>::to_string(a, 10);
}

template <big_integer N>
std::string to_hex(const N& a)
{
    return bigint_traits<N>::to_string(a, 16);
}

/// Parses a decimal integer (optional '-', digits only). @throws std::invalid_argument otherwise.
template <big_integer N>
N from_decimal(std::string_view text)
{
    return bigint_traits<N>::from_string(text, 10);
}

/// Parses a hexadecimal integer (optional '-', hex digits only, no prefix).
template <big_integer N>
N from_hex(std::string_view text)
{
    return bigint_traits<N>::from_string(text, 16);
}

/// Overwrites a's storage (where the backend allows) and sets it to zero.
template <big_integer N>
void secure_clear(N& a)
{
    bigint_traits<N>::secure_clear(a);
}

template <big_integer N>
void secure_clear(std::vector<N>& values)
{
    for (auto& v : values) bigint_traits<N>::secure_clear(v);
    values.clear();
}

/// Calls secure_clear on a secret (a big integer or a vector of them) when leaving scope, on every
/// path: return, co_return, exception, or destruction of a suspended coroutine.
template <class Secret>
struct secure_clear_on_exit {
    Secret& secret; ///< cleared by the destructor
    ~secure_clear_on_exit() { secure_clear(secret); }
};

/// ∏ bases[i]^exponents[i] mod m in [0, m) for **public** exponents (variable-time), through
/// `bigint_traits<N>::multi_powm` where the traits have it — one chain of squarings for all bases
/// (interleaved sliding windows, or Pippenger's buckets for many short exponents; with GMP on
/// Montgomery arithmetic) — otherwise one `powm` per base. A negative exponent uses the inverse of
/// its base. Costs about one exponentiation to the longest exponent plus, per base, one
/// multiplication per window of its exponent.
/// @throws std::invalid_argument naming `exponents` if the spans differ in length, `modulus` if
///         m ≤ 0, or `bases` if a base with a negative exponent is not invertible mod m.
template <big_integer N>
N multi_powm(std::span<const std::type_identity_t<N>> bases, std::span<const std::type_identity_t<N>> exponents, const N& m)
{
    if (bases.size() != exponents.size()) throw std::invalid_argument("exponents: one per base needed");
    if (m <= N(0u)) throw std::invalid_argument("modulus: must be positive");
    if (m == N(1u)) return N(0u);
    bool canonical = true;
    for (std::size_t i = 0; i < bases.size() && canonical; ++i)
        canonical = bases[i] >= N(0u) && bases[i] < m && exponents[i] >= N(0u);
    if (!canonical) {
        std::vector<N> b, e;
        b.reserve(bases.size());
        e.reserve(exponents.size());
        for (std::size_t i = 0; i < bases.size(); ++i) {
            if (exponents[i] < N(0u)) {
                auto inverse = bigint_traits<N>::invert(bases[i], m);
                if (!inverse) throw std::invalid_argument("bases: not invertible for a negative exponent");
                b.push_back(*std::move(inverse));
                e.push_back(N(-exponents[i]));
            } else {
                b.push_back(mod(bases[i], m));
                e.push_back(exponents[i]);
            }
        }
        return multi_powm<N>(b, e, m);
    }
    if constexpr (requires { { bigint_traits<N>::multi_powm(bases, exponents, m) } -> std::same_as<N>; }) {
        return bigint_traits<N>::multi_powm(bases, exponents, m);
    } else {
        N out(1u);
        for (std::size_t i = 0; i < bases.size(); ++i) out = N(N(out * bigint_traits<N>::powm(bases[i], exponents[i], m)) % m);
        return N(out % m);
    }
}

/// b^e mod m for each **secret** exponent e of `exponents`, in order, through
/// `bigint_traits<N>::powm_secret_many` where the traits have it (with GMP: one chain of squarings
/// shared by all, constant-time — operations and memory accesses depend only on the exponents'
/// limb counts and m's), otherwise `powm_secret` for each. Negative exponents use the inverse of
/// the (public) base, as `powm_secret` does; their signs are not hidden. With `cpp_int` and the
/// generic traits this is **variable-time**.
/// @throws std::invalid_argument as `powm_secret`.
template <big_integer N>
std::vector<N> powm_secret_many(const N& b, std::span<const std::type_identity_t<N>> exponents, const N& m)
{
    if (m < N(3u) || N(m % N(2u)) == N(0u)) throw std::invalid_argument("modulus: powm_secret needs an odd modulus above 1");
    if constexpr (requires { { bigint_traits<N>::powm_secret_many(b, exponents, m) } -> std::same_as<std::vector<N>>; }) {
        std::vector<N> positive, negative;
        std::vector<std::size_t> order;
        for (const N& e : exponents) {
            if (e < N(0u)) {
                order.push_back(negative.size() + exponents.size());
                negative.push_back(N(-e));
            } else {
                order.push_back(positive.size());
                positive.push_back(e);
            }
        }
        std::vector<N> from_positive = bigint_traits<N>::powm_secret_many(b, std::span<const N>(positive), m);
        std::vector<N> from_negative;
        if (!negative.empty()) {
            auto inverse = bigint_traits<N>::invert(b, m);
            if (!inverse) throw std::invalid_argument("base: not invertible for a negative exponent");
            from_negative = bigint_traits<N>::powm_secret_many(*inverse, std::span<const N>(negative), m);
        }
        secure_clear(positive);
        secure_clear(negative);
        std::vector<N> out;
        out.reserve(order.size());
        for (std::size_t k : order)
            out.push_back(k >= exponents.size() ? std::move(from_negative[k - exponents.size()]) : std::move(from_positive[k]));
        return out;
    } else {
        std::vector<N> out;
        out.reserve(exponents.size());
        for (const N& e : exponents) out.push_back(powm_secret(b, e, m));
        return out;
    }
}

/// n! as N.
template <big_integer N>
N factorial(std::size_t n)
{
    N f(1u);
    for (std::size_t i = 2; i <= n; ++i) f *= N(static_cast<unsigned long long>(i));
    return f;
}

// ---- random values ----------------------------------------------------------------------------

/// Uniform in [0, 2^bits).
template <big_integer N, secure_rng G>
N random_bits(std::size_t bits, G& rng)
{
    std::vector<std::uint8_t> bytes((bits + 7) / 8);
    fill_random(rng, bytes);
    if (bits % 8 != 0 && !bytes.empty()) bytes.front() &= static_cast<std::uint8_t>((1u << (bits % 8)) - 1);
    N out = from_bytes<N>(bytes);
    std::fill(bytes.begin(), bytes.end(), std::uint8_t{0});
    return out;
}

/// Uniform among integers of exactly `bits` bits: [2^(bits-1), 2^bits). Requires bits ≥ 1.
template <big_integer N, secure_rng G>
N random_exact_bits(std::size_t bits, G& rng)
{
    if (bits == 0) throw std::invalid_argument("bits: must be at least 1");
    return N(random_bits<N>(bits - 1, rng) + N(N(1u) << static_cast<unsigned>(bits - 1)));
}

/// Uniform in [0, bound). @throws std::invalid_argument if bound ≤ 0.
template <big_integer N, secure_rng G>
N random_below(const N& bound, G& rng)
{
    if (bound <= N(0u)) throw std::invalid_argument("bound: must be positive");
    const std::size_t bits = bit_length(N(bound - N(1u)));
    for (;;) {
        N candidate = random_bits<N>(bits, rng);
        if (candidate < bound) return candidate;
    }
}

/// Uniform in [low, high). @throws std::invalid_argument if high ≤ low.
template <big_integer N, secure_rng G>
N random_range(const N& low, const N& high, G& rng)
{
    if (high <= low) throw std::invalid_argument("range: empty");
    return N(low + random_below(N(high - low), rng));
}

/// Uniform in [-bound, bound].
template <big_integer N, secure_rng G>
N random_symmetric(const N& bound, G& rng)
{
    return N(random_below(N(N(2u) * bound + N(1u)), rng) - bound);
}

/// Uniform in Z_m^* (values in [1, m) coprime to m). Requires m > 1.
template <big_integer N, secure_rng G>
N random_unit(const N& m, G& rng)
{
    if (m <= N(1u)) throw std::invalid_argument("modulus: must be greater than 1");
    for (;;) {
        N r = random_below(m, rng);
        if (r != N(0u) && gcd(r, m) == N(1u)) return r;
    }
}

// ---- primes -------------------------------------------------------------------------------------

/// All primes p with low ≤ p ≤ high (sieve of Eratosthenes).
inline std::vector<std::uint32_t> primes_between(std::uint32_t low, std::uint32_t high)
{
    std::vector<std::uint32_t> out;
    if (high < 2) return out;
    std::vector<bool> composite(static_cast<std::size_t>(high) + 1, false);
    for (std::uint64_t i = 2; i <= high; ++i) {
        if (composite[i]) continue;
        if (i >= low) out.push_back(static_cast<std::uint32_t>(i));
        for (std::uint64_t j = i * i; j <= high; j += i) composite[j] = true;
    }
    return out;
}

/// Miller–Rabin with `rounds` random bases (error < 4^-rounds for any input), after trial division
/// by the primes below 1000.
template <big_integer N, secure_rng G>
bool is_probable_prime(const N& n, int rounds, G& rng)
{
    const N zero(0u), one(1u), two(2u);
    if (n < two) return false;
    static const std::vector<std::uint32_t> small = primes_between(2, 1000);
    for (std::uint32_t p : small) {
        const N np(static_cast<unsigned long long>(p));
        if (n == np) return true;
        if (N(n % np) == zero) return false;
    }
    const N n_minus_one = N(n - one);
    N d = n_minus_one;
    std::size_t s = 0;
    while (!is_odd(d)) {
        d = N(d >> 1);
        ++s;
    }
    for (int round = 0; round < rounds; ++round) {
        const N a = random_range(two, n_minus_one, rng);
        N x = powm(a, d, n);
        if (x == one || x == n_minus_one) continue;
        bool witness = true;
        for (std::size_t i = 1; i < s; ++i) {
            x = N(N(x * x) % n);
            if (x == n_minus_one) {
                witness = false;
                break;
            }
        }
        if (witness) return false;
    }
    return true;
}

/// A random prime of exactly `bits` bits with p ≡ 3 (mod 4) (for local test keys and the dealer).
template <big_integer N, secure_rng G>
N random_blum_prime(std::size_t bits, G& rng)
{
    if (bits < 3) throw std::invalid_argument("bits: must be at least 3");
    for (;;) {
        N p = random_exact_bits<N>(bits, rng);
        p = N(p - N(static_cast<unsigned long long>(bigint_traits<N>::low_u64(p) % 4)) + N(3u));
        if (bit_length(p) != bits) continue;
        if (is_probable_prime(p, 40, rng)) return p;
    }
}

} // namespace dkg
