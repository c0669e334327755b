// Powers of a base that does not change (a verification base, a verification key): a table made
// once turns every later exponentiation into about one multiplication per 5 exponent bits, with
// no squaring (Brickell–Gordon–McCurley–Wilson, Eurocrypt 1992).
#pragma once

#include <dkg/bigint.hpp>

#include <cstddef>
#include <stdexcept>
#include <type_traits>
#include <utility>

namespace dkg {

namespace detail {

/// Whether bigint_traits<N> has the fixed-base members (dkg/bigint/traits.hpp).
template <class N>
concept has_fixed_base_traits = requires(const N& x, std::size_t bits) {
    bigint_traits<N>::fixed_base_precompute(x, x, bits);
    { bigint_traits<N>::fixed_base_powm(bigint_traits<N>::fixed_base_precompute(x, x, bits), x) } -> std::same_as<N>;
    { bigint_traits<N>::fixed_base_powm_secret(bigint_traits<N>::fixed_base_precompute(x, x, bits), x) } -> std::same_as<N>;
    { bigint_traits<N>::fixed_base_bytes(bigint_traits<N>::fixed_base_precompute(x, x, bits)) } -> std::same_as<std::size_t>;
};

template <class N>
struct fixed_base_table_of {
    struct type {}; // traits without fixed-base members: no table, plain exponentiations
};

template <class N>
    requires has_fixed_base_traits<N>
struct fixed_base_table_of<N> {
    using type = std::remove_cvref_t<decltype(bigint_traits<N>::fixed_base_precompute(std::declval<const N&>(), std::declval<const N&>(),
                                                                                      std::size_t{}))>;
};

} // namespace detail

/// A base b modulo an odd m > 1 with a table of its powers b^(2^(5·k)) for exponents of up to
/// `max_bits` bits, made by the traits (`bigint_traits<N>::fixed_base_precompute`; with GMP in
/// Montgomery form). `pow` then costs about max_bits/5 + 64 multiplications instead of an
/// exponentiation's max_bits squarings and max_bits/6 multiplications; making the table costs one
/// exponentiation's squarings. Longer exponents are accepted and raised without the table.
///
/// @tparam N a type modelling dkg::big_integer.
/// @par Thread Safety
/// Distinct objects: safe. Shared objects: safe for const use (the table is immutable).
template <big_integer N>
class fixed_base {
public:
    /// @param base b, reduced mod m.
    /// @param modulus m, odd and above 1.
    /// @param max_bits the longest exponent the table covers, at least 1.
    /// @throws std::invalid_argument naming `modulus` if it is even or below 3, or `max_bits` if 0.
    fixed_base(const N& base, const N& modulus, std::size_t max_bits) : modulus_(modulus), max_bits_(max_bits)
    {
        if (modulus < N(3u) || N(modulus % N(2u)) == N(0u)) throw std::invalid_argument("modulus: must be odd and above 1");
        if (max_bits == 0) throw std::invalid_argument("max_bits: must be at least 1");
        base_ = mod(base, modulus);
        if constexpr (detail::has_fixed_base_traits<N>) table_ = bigint_traits<N>::fixed_base_precompute(base_, modulus_, max_bits_);
    }

    const N& base() const noexcept { return base_; }
    const N& modulus() const noexcept { return modulus_; }
    /// The longest exponent (in bits) that uses the table.
    std::size_t max_bits() const noexcept { return max_bits_; }

    /// b^e mod m for a **public** exponent (variable-time); a negative e gives the inverse of b^|e|.
    /// @throws std::invalid_argument naming `base` if e < 0 and b is not invertible mod m.
    N pow(const N& e) const
    {
        if (e < N(0u)) {
            auto inverse = bigint_traits<N>::invert(pow(N(-e)), modulus_);
            if (!inverse) throw std::invalid_argument("base: not invertible for a negative exponent");
            return *std::move(inverse);
        }
        if constexpr (detail::has_fixed_base_traits<N>) {
            if (bit_length(e) <= max_bits_) return bigint_traits<N>::fixed_base_powm(table_, e);
        }
        return bigint_traits<N>::powm(base_, e, modulus_);
    }

    /// b^e mod m for a **secret** exponent e ≥ 0: from the table in constant time with GMP
    /// (operations and memory accesses depend only on e's limb count), `powm_secret` otherwise and
    /// for exponents longer than max_bits (rounded up to whole 64-bit limbs).
    /// @throws std::invalid_argument naming `exponent` if e < 0.
    N pow_secret(const N& e) const
    {
        if (e < N(0u)) throw std::invalid_argument("exponent: must not be negative");
        if constexpr (detail::has_fixed_base_traits<N>) {
            if ((bit_length(e) + 63) / 64 * 64 <= (max_bits_ + 63) / 64 * 64) return bigint_traits<N>::fixed_base_powm_secret(table_, e);
        }
        return powm_secret(base_, e, modulus_);
    }

    /// The memory the table holds, in bytes.
    std::size_t precomputed_bytes() const
    {
        if constexpr (detail::has_fixed_base_traits<N>) return bigint_traits<N>::fixed_base_bytes(table_);
        else return 0;
    }

private:
    N base_, modulus_;
    std::size_t max_bits_;
    typename detail::fixed_base_table_of<N>::type table_;
};

} // namespace dkg
