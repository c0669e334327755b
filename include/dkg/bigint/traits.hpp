// The big-integer policy: the `big_integer` concept and its customisation point `bigint_traits`.
#pragma once

#include <dkg/bigint/multi_exponentiation.hpp>

#include <algorithm>
#include <bit>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace dkg {

/// Customisation point that tells dkg how to do number theory with a big-integer type N.
///
/// dkg specialises it for every Boost.Multiprecision signed integer `number<>` (including `cpp_int`
/// and the GMP-backed `mpz_int`, with and without expression templates). For your own type, derive a
/// specialisation from `generic_bigint_traits<N>` (which implements everything with N's operators)
/// and replace the functions you can do faster:
/// @code
/// template <> struct dkg::bigint_traits<my_int> : dkg::generic_bigint_traits<my_int> {
///     static my_int powm(const my_int& b, const my_int& e, const my_int& m) { return my_fast_powm(b, e, m); }
/// };
/// @endcode
/// The members every specialisation must provide (all static):
/// | expression                     | result                      | semantics                                        |
/// |--------------------------------|-----------------------------|--------------------------------------------------|
/// | `powm(b, e, m)`                | `N`                         | b^e mod m in [0, m); requires e ≥ 0, m > 0       |
/// | `invert(a, m)`                 | `std::optional<N>`          | a^-1 mod m in [0, m), or empty if gcd(a, m) ≠ 1  |
/// | `gcd(a, b)`                    | `N`                         | non-negative greatest common divisor             |
/// | `jacobi(a, n)`                 | `int`                       | Jacobi symbol (a/n) for odd n > 0                |
/// | `bit_length(a)`                | `std::size_t`               | bits of \|a\|; 0 for 0                           |
/// | `to_bytes(a)`                  | `std::vector<std::uint8_t>` | \|a\| big-endian, no leading zero bytes          |
/// | `from_bytes(span)`             | `N`                         | non-negative value of big-endian bytes           |
/// | `to_string(a, base)`           | `std::string`               | base 10 or 16, lower case, '-' if negative       |
/// | `from_string(text, base)`      | `N`                         | strict parse; throws std::invalid_argument       |
/// | `low_u64(a)`                   | `std::uint64_t`             | \|a\| mod 2^64                                   |
/// | `mod_u64(a, m)`                | `std::uint64_t`             | \|a\| mod m for 0 < m < 2^64                      |
/// | `secure_clear(a)`              | `void`                      | overwrite a's storage where possible, set a = 0  |
///
/// Optional members (dkg uses them when present, through the free functions of `dkg/bigint.hpp`):
/// | expression                     | result                      | semantics                                        |
/// |--------------------------------|-----------------------------|--------------------------------------------------|
/// | `powm_secret(b, e, m)`         | `N`                         | as `powm` for a **secret** exponent e ≥ 0 and an odd m > 1: the sequence of operations and memory accesses depends only on the sizes of b, e and m, not on their values. `generic_bigint_traits` implements it with `powm`, which is **not** constant-time; the GMP specialisation uses `mpz_powm_sec`. |
/// | `multi_powm(bs, es, m)`        | `N`                         | ∏ bs[i]^es[i] mod m in [0, m) for spans of equal length, bases in [0, m), **public** exponents ≥ 0 and m > 1 (1 for empty spans); variable-time. Generic: interleaved sliding windows or Pippenger buckets (dkg/bigint/multi_exponentiation.hpp) on N's operators; GMP: the same on Montgomery arithmetic in the mpn layer (odd m) |
/// | `powm_secret_many(b, es, m)`   | `std::vector<N>`            | b^e mod m for each **secret** e ≥ 0 of es, in order, m odd > 1. Generic: `powm_secret` for each; GMP: one chain of squarings shared by all (right-to-left buckets), constant-time: operations and memory accesses depend only on the limb counts of the exponents and of m |
/// | `fixed_base_precompute(b, m, bits)` | `T`, a movable type of the traits' choice | a table of powers of b ∈ [0, m) (m odd > 1) for exponents of up to `bits` bits (at least 1), made once and used by the next three members; immutable afterwards, so one table serves several threads |
/// | `fixed_base_powm(t, e)`        | `N`                         | b^e mod m from table t for a public 0 ≤ e < 2^bits; variable-time, with no squaring |
/// | `fixed_base_powm_secret(t, e)` | `N`                         | the same for a **secret** e. Generic: `powm_secret(b, e, m)`; GMP: from the table, constant-time as `powm_secret_many` |
/// | `fixed_base_bytes(t)`          | `std::size_t`               | the memory the table holds |
template <class N>
struct bigint_traits;

namespace detail {

inline int digit_value(char c) noexcept
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/// Checks text for `from_string`: optional '-', then one or more digits of `base`, nothing else.
/// Returns the digits without the sign.
inline std::string_view checked_digits(std::string_view text, int base, bool& negative)
{
    if (base != 10 && base != 16) throw std::invalid_argument("base: must be 10 or 16");
    negative = false;
    if (!text.empty() && text.front() == '-') {
        negative = true;
        text.remove_prefix(1);
    }
    if (text.empty()) throw std::invalid_argument("number text: no digits");
    for (char c : text) {
        const int d = digit_value(c);
        if (d < 0 || d >= base)
            throw std::invalid_argument(base == 10 ? "number text: not a decimal integer" : "number text: not a hexadecimal integer");
    }
    return text;
}

inline std::vector<std::uint8_t> strip_leading_zeros(std::vector<std::uint8_t> bytes)
{
    const auto first = std::find_if(bytes.begin(), bytes.end(), [](std::uint8_t b) { return b != 0; });
    bytes.erase(bytes.begin(), first);
    return bytes;
}

/// The little-endian 64-bit limbs of |e|, at least `min_limbs` of them, from its big-endian bytes.
inline std::vector<std::uint64_t> limbs_of_bytes(std::span<const std::uint8_t> bytes, std::size_t min_limbs)
{
    std::vector<std::uint64_t> out(std::max(min_limbs, (bytes.size() + 7) / 8), 0);
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        const std::size_t position = bytes.size() - 1 - i; // byte weight 256^position
        out[position / 8] |= static_cast<std::uint64_t>(bytes[i]) << (8 * (position % 8));
    }
    return out;
}

/// Arithmetic modulo m on N's own operators, for the algorithms of multi_exponentiation.hpp.
/// Variable-time: N's operators and direct table indexing.
template <class N, class Traits>
struct generic_modular_arithmetic {
    using element = N;
    const N& modulus;

    element one() const { return N(N(1u) % modulus); }
    void mul(N& r, const N& x, const N& y) const { r = N(N(x * y) % modulus); }
    void sqr(N& r, const N& x) const { r = N(N(x * x) % modulus); }
    void gather(N& r, const std::vector<N>& table, std::size_t index) const { r = table[index]; }
    void scatter(std::vector<N>& table, std::size_t index, const N& x) const { table[index] = x; }
    void wipe(N& x) const { Traits::secure_clear(x); }
};

/// The table of generic_bigint_traits::fixed_base_precompute.
template <class N>
struct generic_fixed_base_table {
    N base, modulus;
    std::size_t bits = 0;
    std::vector<N> powers; ///< base^(2^(w·k)) mod m
};

inline std::string bytes_to_hex(std::span<const std::uint8_t> bytes)
{
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (auto b : bytes) {
        out.push_back(digits[b >> 4]);
        out.push_back(digits[b & 15]);
    }
    const auto nz = out.find_first_not_of('0');
    return nz == std::string::npos ? std::string("0") : out.substr(nz);
}

} // namespace detail

/// Implementations of every `bigint_traits` member using only N's arithmetic operators.
///
/// Correct for any type that models the operator part of `big_integer`; slow (quadratic
/// conversions, plain square-and-multiply). `Derived` is the final traits type, through which the
/// members call each other, so that a specialisation that replaces one member speeds up the others.
template <class N, class Derived = bigint_traits<N>>
struct generic_bigint_traits {
    /// 2^64, the base of the conversions below.
    static N two_64() { return N(1u) << 64; }

    /// Whether a < 0.
    static bool is_negative(const N& a) { return a < N(0u); }

    /// \|a\|.
    static N magnitude(const N& a) { return is_negative(a) ? N(-a) : a; }

    /// \|a\| mod 2^64.
    static std::uint64_t low_u64(const N& a)
    {
        const N low = N(magnitude(a) % two_64());
        return static_cast<std::uint64_t>(static_cast<unsigned long long>(low));
    }

    /// \|a\| mod m, for 0 < m < 2^64.
    static std::uint64_t mod_u64(const N& a, std::uint64_t m)
    {
        return Derived::low_u64(N(magnitude(a) % N(static_cast<unsigned long long>(m))));
    }

    /// Bits of \|a\|; 0 for 0 (64 bits at a time).
    static std::size_t bit_length(const N& a)
    {
        N x = magnitude(a);
        std::size_t bits = 0;
        const N limb = two_64();
        while (x >= limb) {
            x = N(x >> 64);
            bits += 64;
        }
        return bits + static_cast<std::size_t>(std::bit_width(static_cast<std::uint64_t>(static_cast<unsigned long long>(x))));
    }

    /// \|a\| as big-endian bytes without leading zero bytes (empty for 0).
    static std::vector<std::uint8_t> to_bytes(const N& a)
    {
        std::vector<std::uint8_t> out;
        N x = magnitude(a);
        const N zero(0u);
        while (x != zero) {
            std::uint64_t chunk = Derived::low_u64(x);
            for (int i = 0; i < 8; ++i) {
                out.push_back(static_cast<std::uint8_t>(chunk));
                chunk >>= 8;
            }
            x = N(x >> 64);
        }
        std::reverse(out.begin(), out.end());
        return detail::strip_leading_zeros(std::move(out));
    }

    /// The non-negative value of big-endian `bytes`.
    static N from_bytes(std::span<const std::uint8_t> bytes)
    {
        N result(0u);
        std::size_t pos = 0;
        const std::size_t head = bytes.size() % 8;
        std::uint64_t chunk = 0;
        for (; pos < head; ++pos) chunk = (chunk << 8) | bytes[pos];
        result = N(static_cast<unsigned long long>(chunk));
        while (pos < bytes.size()) {
            chunk = 0;
            for (int i = 0; i < 8; ++i, ++pos) chunk = (chunk << 8) | bytes[pos];
            result = N(N(result << 64) + N(static_cast<unsigned long long>(chunk)));
        }
        return result;
    }

    /// `a` in base 10 or 16 (lower case), with '-' if negative (quadratic: 19 digits per division).
    /// @throws std::invalid_argument for another base.
    static std::string to_string(const N& a, int base)
    {
        if (base == 16) {
            const std::string hex = detail::bytes_to_hex(Derived::to_bytes(a));
            return is_negative(a) ? "-" + hex : hex;
        }
        if (base != 10) throw std::invalid_argument("base: must be 10 or 16");
        N x = magnitude(a);
        const N zero(0u);
        if (x == zero) return "0";
        const N chunk_base(10000000000000000000ull); // 10^19
        std::vector<std::uint64_t> chunks;
        while (x != zero) {
            chunks.push_back(Derived::low_u64(N(x % chunk_base)));
            x = N(x / chunk_base);
        }
        std::string out = is_negative(a) ? "-" : "";
        out += std::to_string(chunks.back());
        for (auto it = chunks.rbegin() + 1; it != chunks.rend(); ++it) {
            std::string part = std::to_string(*it);
            out.append(19 - part.size(), '0');
            out += part;
        }
        return out;
    }

    /// Parses an optional '-' and one or more digits of base 10 or 16, nothing else.
    /// @throws std::invalid_argument for another base or text.
    static N from_string(std::string_view text, int base)
    {
        bool negative = false;
        const std::string_view digits = detail::checked_digits(text, base, negative);
        N result(0u);
        const std::size_t per_chunk = base == 10 ? 18 : 15;
        std::size_t pos = 0;
        while (pos < digits.size()) {
            const std::size_t take = std::min(per_chunk, digits.size() - pos);
            std::uint64_t chunk = 0, scale = 1;
            for (std::size_t i = 0; i < take; ++i) {
                chunk = chunk * static_cast<std::uint64_t>(base) + static_cast<std::uint64_t>(detail::digit_value(digits[pos + i]));
                scale *= static_cast<std::uint64_t>(base);
            }
            result = N(N(result * N(static_cast<unsigned long long>(scale))) + N(static_cast<unsigned long long>(chunk)));
            pos += take;
        }
        return negative ? N(-result) : result;
    }

    /// The non-negative greatest common divisor (Euclid's algorithm).
    static N gcd(const N& a, const N& b)
    {
        N x = magnitude(a), y = magnitude(b);
        const N zero(0u);
        while (y != zero) {
            N r = N(x % y);
            x = std::move(y);
            y = std::move(r);
        }
        return x;
    }

    /// a^-1 mod m in [0, m) by the extended Euclidean algorithm; empty if gcd(a, m) ≠ 1 or m ≤ 1.
    static std::optional<N> invert(const N& a, const N& m)
    {
        const N zero(0u), one(1u);
        if (m <= one) return std::nullopt;
        N r0 = m, r1 = N(a % m);
        if (is_negative(r1)) r1 = N(r1 + m);
        N t0 = zero, t1 = one;
        while (r1 != zero) {
            const N q = N(r0 / r1);
            N r2 = N(r0 - N(q * r1));
            r0 = std::move(r1);
            r1 = std::move(r2);
            N t2 = N(t0 - N(q * t1));
            t0 = std::move(t1);
            t1 = std::move(t2);
        }
        if (r0 != one) return std::nullopt;
        if (is_negative(t0)) t0 = N(t0 + m);
        return t0;
    }

    /// The Jacobi symbol (a/n) by quadratic reciprocity.
    /// @throws std::invalid_argument unless n is odd and positive.
    static int jacobi(const N& a_in, const N& n_in)
    {
        const N zero(0u), one(1u);
        if (n_in <= zero || Derived::low_u64(n_in) % 2 == 0) throw std::invalid_argument("jacobi: n must be odd and positive");
        N a = N(a_in % n_in);
        if (is_negative(a)) a = N(a + n_in);
        N n = n_in;
        int result = 1;
        while (a != zero) {
            while (Derived::low_u64(a) % 2 == 0) {
                a = N(a >> 1);
                const std::uint64_t r = Derived::low_u64(n) % 8;
                if (r == 3 || r == 5) result = -result;
            }
            std::swap(a, n);
            if (Derived::low_u64(a) % 4 == 3 && Derived::low_u64(n) % 4 == 3) result = -result;
            a = N(a % n);
        }
        return n == one ? result : 0;
    }

    /// base^exponent mod modulus in [0, modulus) by left-to-right square-and-multiply; requires
    /// exponent ≥ 0 and modulus > 0.
    static N powm(const N& base, const N& exponent, const N& modulus)
    {
        const N one(1u);
        if (modulus == one) return N(0u);
        N b = N(base % modulus);
        if (is_negative(b)) b = N(b + modulus);
        N result = one;
        for (std::uint8_t byte : Derived::to_bytes(exponent)) {
            for (int bit = 7; bit >= 0; --bit) {
                result = N(N(result * result) % modulus);
                if ((byte >> bit) & 1) result = N(N(result * b) % modulus);
            }
        }
        return result;
    }

    /// The exponentiation for secret exponents. This generic form is `powm`: square-and-multiply
    /// whose multiplications depend on the bits of e, so it is **variable-time**. Backends with a
    /// constant-time exponentiation replace it (the GMP specialisation does).
    static N powm_secret(const N& base, const N& exponent, const N& modulus) { return Derived::powm(base, exponent, modulus); }

    /// ∏ bases[i]^exponents[i] mod m by interleaved sliding windows or buckets on N's operators
    /// (variable-time; see detail::multiexp::multi_power).
    static N multi_powm(std::span<const N> bases, std::span<const N> exponents, const N& modulus)
    {
        std::vector<std::vector<std::uint64_t>> limbs;
        std::vector<detail::multiexp::exponent_view> views;
        limbs.reserve(exponents.size());
        for (const N& e : exponents) limbs.push_back(detail::limbs_of_bytes(Derived::to_bytes(e), 0));
        for (const auto& l : limbs) views.emplace_back(l);
        detail::generic_modular_arithmetic<N, Derived> a{modulus};
        return detail::multiexp::multi_power(a, bases, std::span<const detail::multiexp::exponent_view>(views));
    }

    /// `powm_secret` for each exponent (as constant-time as the traits' powm_secret: with these
    /// generic traits, not at all).
    static std::vector<N> powm_secret_many(const N& base, std::span<const N> exponents, const N& modulus)
    {
        std::vector<N> out;
        out.reserve(exponents.size());
        for (const N& e : exponents) out.push_back(Derived::powm_secret(base, e, modulus));
        return out;
    }

    /// base^(2^(5·k)) mod m for the exponents of up to `bits` bits.
    static detail::generic_fixed_base_table<N> fixed_base_precompute(const N& base, const N& modulus, std::size_t bits)
    {
        detail::generic_modular_arithmetic<N, Derived> a{modulus};
        return {base, modulus, bits, detail::multiexp::fixed_base_powers(a, base, bits)};
    }

    /// base^e from the table (variable-time), e ≥ 0.
    /// @throws std::invalid_argument naming `exponent` if it has more than the table's bits.
    static N fixed_base_powm(const detail::generic_fixed_base_table<N>& table, const N& e)
    {
        if (Derived::bit_length(e) > table.bits) throw std::invalid_argument("exponent: longer than the fixed-base table");
        const auto limbs = detail::limbs_of_bytes(Derived::to_bytes(e), 0);
        detail::generic_modular_arithmetic<N, Derived> a{table.modulus};
        return detail::multiexp::fixed_base_power(a, table.powers, limbs);
    }

    /// `powm_secret(base, e, m)`: the table's squarings saved are not worth a variable-time table
    /// walk where the traits' powm_secret may be constant-time.
    static N fixed_base_powm_secret(const detail::generic_fixed_base_table<N>& table, const N& e)
    {
        return Derived::powm_secret(table.base, e, table.modulus);
    }

    /// The bytes of the table's values.
    static std::size_t fixed_base_bytes(const detail::generic_fixed_base_table<N>& table)
    {
        std::size_t bytes = 0;
        for (const N& p : table.powers) bytes += (Derived::bit_length(p) + 7) / 8;
        return bytes;
    }

    /// Sets a = 0; a type that can overwrite its storage should replace this.
    static void secure_clear(N& a) { a = N(0u); }
};

/// Requirements on a big-integer type N usable by dkg.
///
/// N models `big_integer` when
///  1. it is a regular, totally ordered value type constructible from `long long` and
///     `unsigned long long`, and explicitly convertible to `unsigned long long` for values in
///     [0, 2^64);
///  2. it is **signed and unbounded**: `+ - * / %`, unary `-`, `<< >>` by a bit count, and the compound
///     assignments exist, with results convertible to N (expression templates are fine), `/` truncates
///     toward zero and `%` takes the sign of the dividend, as for built-in integers;
///  3. `bigint_traits<N>` provides the number theory listed at `bigint_traits`.
template <class N>
concept big_integer =
    std::regular<N> && std::totally_ordered<N> && std::constructible_from<N, long long> &&
    std::constructible_from<N, unsigned long long> &&
    requires(N a, const N& b, unsigned shift, std::span<const std::uint8_t> bytes, std::string_view text) {
        { b + b } -> std::convertible_to<N>;
        { b - b } -> std::convertible_to<N>;
        { b * b } -> std::convertible_to<N>;
        { b / b } -> std::convertible_to<N>;
        { b % b } -> std::convertible_to<N>;
        { -b } -> std::convertible_to<N>;
        { b << shift } -> std::convertible_to<N>;
        { b >> shift } -> std::convertible_to<N>;
        a += b;
        a -= b;
        a *= b;
        static_cast<unsigned long long>(b);
        { bigint_traits<N>::powm(b, b, b) } -> std::same_as<N>;
        { bigint_traits<N>::invert(b, b) } -> std::same_as<std::optional<N>>;
        { bigint_traits<N>::gcd(b, b) } -> std::same_as<N>;
        { bigint_traits<N>::jacobi(b, b) } -> std::same_as<int>;
        { bigint_traits<N>::bit_length(b) } -> std::same_as<std::size_t>;
        { bigint_traits<N>::to_bytes(b) } -> std::same_as<std::vector<std::uint8_t>>;
        { bigint_traits<N>::from_bytes(bytes) } -> std::same_as<N>;
        { bigint_traits<N>::to_string(b, 10) } -> std::same_as<std::string>;
        { bigint_traits<N>::from_string(text, 10) } -> std::same_as<N>;
        { bigint_traits<N>::low_u64(b) } -> std::same_as<std::uint64_t>;
        { bigint_traits<N>::mod_u64(b, std::uint64_t{3}) } -> std::same_as<std::uint64_t>;
        bigint_traits<N>::secure_clear(a);
    };

} // namespace dkg
