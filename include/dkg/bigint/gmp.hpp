// bigint_traits for the GMP backend of Boost.Multiprecision (`mpz_int`), calling GMP directly.
//
// Using these types requires linking GMP: link the CMake target dkg::gmp.
#pragma once

#include <dkg/bigint/boost_multiprecision.hpp>
#include <dkg/bigint/gmp_montgomery.hpp>
#include <dkg/bigint/multi_exponentiation.hpp>

#include <boost/multiprecision/gmp.hpp>

#include <bit>
#include <cstring>
#include <memory>

namespace dkg {

namespace detail {

// Reaches the mpz_t of a gmp_int without Boost's non-null assertion (a moved-from value has none).
struct gmp_raw_access : boost::multiprecision::gmp_int {
    static __mpz_struct* raw(boost::multiprecision::gmp_int& value) noexcept
    {
        return value.*(&gmp_raw_access::m_data);
    }
};

/// The little-endian limbs of |z| as 64-bit words, at least `min_limbs` of them.
inline std::vector<std::uint64_t> gmp_limbs(mpz_srcptr z, std::size_t min_limbs)
{
    static_assert(sizeof(mp_limb_t) == sizeof(std::uint64_t), "the Montgomery code needs 64-bit limbs");
    std::vector<std::uint64_t> out(std::max(min_limbs, mpz_size(z)), 0);
    std::copy_n(mpz_limbs_read(z), mpz_size(z), out.begin());
    return out;
}

/// Overwrites a limb vector.
inline void wipe_limbs(std::vector<std::uint64_t>& limbs) noexcept
{
    volatile std::uint64_t* p = limbs.data();
    for (std::size_t i = 0; i < limbs.size(); ++i) p[i] = 0;
}

/// The table of the GMP traits' fixed_base_precompute: the powers base^(2^(5·k)) in Montgomery
/// form, for exponents of up to `bits` bits (a multiple of 64).
struct gmp_fixed_base_table {
    std::shared_ptr<const montgomery_modulus> modulus;
    std::size_t bits = 0;
    std::vector<std::vector<mp_limb_t>> powers;
};

} // namespace detail

/// GMP-backed integer with expression templates (Boost's `mpz_int`).
using gmp_int = boost::multiprecision::mpz_int;

/// GMP-backed integer without expression templates.
using gmp_int_et_off = boost::multiprecision::number<boost::multiprecision::gmp_int, boost::multiprecision::et_off>;

/// Traits for the GMP backend (`gmp_int`, `gmp_int_et_off`): every member calls GMP directly.
template <boost::multiprecision::expression_template_option ET>
struct bigint_traits<boost::multiprecision::number<boost::multiprecision::gmp_int, ET>>
    : generic_bigint_traits<boost::multiprecision::number<boost::multiprecision::gmp_int, ET>> {
    using N = boost::multiprecision::number<boost::multiprecision::gmp_int, ET>; ///< the integer type

    /// b^e mod m in [0, m), mpz_powm.
    static N powm(const N& b, const N& e, const N& m)
    {
        N out;
        mpz_powm(out.backend().data(), b.backend().data(), e.backend().data(), m.backend().data());
        return out;
    }

    /// b^e mod m with `mpz_powm_sec`: its operations and memory accesses depend only on the sizes
    /// of b, e and m (in limbs), not on the bits of e. Requires e ≥ 0 and m odd (e = 0 gives 1 mod m).
    static N powm_secret(const N& b, const N& e, const N& m)
    {
        N out;
        if (mpz_sgn(e.backend().data()) == 0) {
            mpz_set_ui(out.backend().data(), 1);
            mpz_mod(out.backend().data(), out.backend().data(), m.backend().data());
            return out;
        }
        if (mpz_even_p(m.backend().data())) throw std::invalid_argument("modulus: powm_secret needs an odd modulus");
        mpz_powm_sec(out.backend().data(), b.backend().data(), e.backend().data(), m.backend().data());
        return out;
    }

    /// ∏ bases[i]^exponents[i] mod m (variable-time): multiexp::multi_power on Montgomery
    /// arithmetic with mpn_mul_n / mpn_sqr for an odd m, the generic form otherwise.
    static N multi_powm(std::span<const N> bases, std::span<const N> exponents, const N& m)
    {
        if (mpz_even_p(m.backend().data()) || m < 3) return generic_bigint_traits<N>::multi_powm(bases, exponents, m);
        const detail::montgomery_modulus modulus(m.backend().data());
        detail::montgomery_arithmetic<false> a(modulus);
        std::vector<std::vector<mp_limb_t>> forms;
        std::vector<std::vector<std::uint64_t>> limbs;
        std::vector<detail::multiexp::exponent_view> views;
        forms.reserve(bases.size());
        limbs.reserve(exponents.size());
        for (const N& b : bases) forms.push_back(a.to_montgomery(b.backend().data()));
        for (const N& e : exponents) limbs.push_back(detail::gmp_limbs(e.backend().data(), 0));
        for (const auto& l : limbs) views.emplace_back(l);
        const auto product = detail::multiexp::multi_power(a, std::span<const std::vector<mp_limb_t>>(forms),
                                                           std::span<const detail::multiexp::exponent_view>(views));
        N out;
        a.from_montgomery(out.backend().data(), product);
        return out;
    }

    /// b^e mod m for every secret e, with one chain of squarings of b (multiexp::several_powers_secret)
    /// on constant-time Montgomery arithmetic: the operations and memory accesses depend only on
    /// the largest limb count among the exponents and on m's.
    /// @throws std::invalid_argument naming `modulus` if m is even or below 3.
    static std::vector<N> powm_secret_many(const N& b, std::span<const N> exponents, const N& m)
    {
        const detail::montgomery_modulus modulus(m.backend().data());
        detail::montgomery_arithmetic<true> a(modulus);
        std::size_t limbs = 1;
        for (const N& e : exponents) limbs = std::max(limbs, mpz_size(e.backend().data()));
        std::vector<std::vector<std::uint64_t>> copies;
        std::vector<detail::multiexp::exponent_view> views;
        copies.reserve(exponents.size());
        for (const N& e : exponents) copies.push_back(detail::gmp_limbs(e.backend().data(), limbs));
        for (const auto& c : copies) views.emplace_back(c);
        N reduced;
        mpz_mod(reduced.backend().data(), b.backend().data(), m.backend().data());
        auto powers = detail::multiexp::several_powers_secret(a, a.to_montgomery(reduced.backend().data()),
                                                               std::span<const detail::multiexp::exponent_view>(views), 64 * limbs);
        for (auto& c : copies) detail::wipe_limbs(c);
        std::vector<N> out(powers.size());
        for (std::size_t i = 0; i < powers.size(); ++i) {
            a.from_montgomery(out[i].backend().data(), powers[i]);
            a.wipe(powers[i]);
        }
        return out;
    }

    /// The powers b^(2^(5·k)) in Montgomery form for exponents of up to `bits` bits (rounded up to
    /// whole limbs). @throws std::invalid_argument naming `modulus` if m is even or below 3.
    static detail::gmp_fixed_base_table fixed_base_precompute(const N& b, const N& m, std::size_t bits)
    {
        auto modulus = std::make_shared<const detail::montgomery_modulus>(m.backend().data());
        detail::montgomery_arithmetic<false> a(*modulus);
        const std::size_t rounded = std::max<std::size_t>(64, (bits + 63) / 64 * 64);
        auto powers = detail::multiexp::fixed_base_powers(a, a.to_montgomery(b.backend().data()), rounded);
        return {std::move(modulus), rounded, std::move(powers)};
    }

    /// b^e from the table (variable-time). Requires e ≥ 0.
    /// @throws std::invalid_argument naming `exponent` if it has more than the table's bits.
    static N fixed_base_powm(const detail::gmp_fixed_base_table& table, const N& e)
    {
        if (bit_length(e) > table.bits) throw std::invalid_argument("exponent: longer than the fixed-base table");
        detail::montgomery_arithmetic<false> a(*table.modulus);
        const auto limbs = detail::gmp_limbs(e.backend().data(), 0);
        N out;
        a.from_montgomery(out.backend().data(), detail::multiexp::fixed_base_power(a, table.powers, limbs));
        return out;
    }

    /// b^e from the table for a secret e ≥ 0, constant-time: the operations and memory accesses
    /// depend only on e's limb count.
    /// @throws std::invalid_argument naming `exponent` if it has more limbs than the table covers.
    static N fixed_base_powm_secret(const detail::gmp_fixed_base_table& table, const N& e)
    {
        detail::montgomery_arithmetic<true> a(*table.modulus);
        const std::size_t limbs = std::max<std::size_t>(1, mpz_size(e.backend().data()));
        if (64 * limbs > table.bits) throw std::invalid_argument("exponent: longer than the fixed-base table");
        auto copy = detail::gmp_limbs(e.backend().data(), limbs);
        auto power = detail::multiexp::fixed_base_power_secret(a, table.powers, copy, 64 * limbs);
        detail::wipe_limbs(copy);
        N out;
        a.from_montgomery(out.backend().data(), power);
        a.wipe(power);
        return out;
    }

    /// The bytes of the table's powers.
    static std::size_t fixed_base_bytes(const detail::gmp_fixed_base_table& table)
    {
        return table.powers.size() * table.modulus->limbs() * sizeof(mp_limb_t);
    }

    /// a^-1 mod m in [0, m), mpz_invert; empty if gcd(a, m) ≠ 1 or m ≤ 1.
    static std::optional<N> invert(const N& a, const N& m)
    {
        if (m <= 1) return std::nullopt;
        N out;
        if (mpz_invert(out.backend().data(), a.backend().data(), m.backend().data()) == 0) return std::nullopt;
        return out;
    }

    /// The non-negative gcd, mpz_gcd.
    static N gcd(const N& a, const N& b)
    {
        N out;
        mpz_gcd(out.backend().data(), a.backend().data(), b.backend().data());
        return out;
    }

    /// The Jacobi symbol (a/n), mpz_jacobi.
    /// @throws std::invalid_argument unless n is odd and positive.
    static int jacobi(const N& a, const N& n)
    {
        if (n <= 0 || mpz_even_p(n.backend().data())) throw std::invalid_argument("jacobi: n must be odd and positive");
        return mpz_jacobi(a.backend().data(), n.backend().data());
    }

    /// Bits of \|a\|, mpz_sizeinbase; 0 for 0.
    static std::size_t bit_length(const N& a)
    {
        if (mpz_sgn(a.backend().data()) == 0) return 0;
        return mpz_sizeinbase(a.backend().data(), 2);
    }

    /// \|a\| mod 2^64 from the lowest limb(s).
    static std::uint64_t low_u64(const N& a)
    {
        static_assert(sizeof(mp_limb_t) >= sizeof(std::uint64_t) || sizeof(mp_limb_t) == 4);
        if constexpr (sizeof(mp_limb_t) >= sizeof(std::uint64_t)) {
            return static_cast<std::uint64_t>(mpz_getlimbn(a.backend().data(), 0));
        } else {
            return static_cast<std::uint64_t>(mpz_getlimbn(a.backend().data(), 0)) |
                   (static_cast<std::uint64_t>(mpz_getlimbn(a.backend().data(), 1)) << 32);
        }
    }

    /// \|a\| mod m, for 0 < m < 2^64 (mpz_tdiv_ui).
    static std::uint64_t mod_u64(const N& a, std::uint64_t m)
    {
        if constexpr (sizeof(unsigned long) >= sizeof(std::uint64_t)) {
            return mpz_tdiv_ui(a.backend().data(), static_cast<unsigned long>(m)); // |a| mod m
        } else {
            return generic_bigint_traits<N>::mod_u64(a, m);
        }
    }

    /// \|a\| big-endian without leading zero bytes, from the limbs.
    static std::vector<std::uint8_t> to_bytes(const N& a)
    {
        const auto* z = a.backend().data();
        const std::size_t limbs = mpz_size(z);
        if (limbs == 0) return {};
        if constexpr (sizeof(mp_limb_t) == 8) {
            // Limb by limb, most significant first (mpz_export's byte-wise path is slow).
            const mp_limb_t* d = mpz_limbs_read(z);
            const std::size_t top_bytes = (std::bit_width(static_cast<std::uint64_t>(d[limbs - 1])) + 7) / 8;
            std::vector<std::uint8_t> out(top_bytes + 8 * (limbs - 1));
            std::size_t pos = 0;
            for (std::size_t b = top_bytes; b-- > 0;) out[pos++] = static_cast<std::uint8_t>(d[limbs - 1] >> (8 * b));
            for (std::size_t i = limbs - 1; i-- > 0;)
                for (int b = 7; b >= 0; --b) out[pos++] = static_cast<std::uint8_t>(d[i] >> (8 * b));
            return out;
        } else {
            std::vector<std::uint8_t> out((bit_length(a) + 7) / 8);
            std::size_t count = 0;
            mpz_export(out.data(), &count, 1, 1, 1, 0, z);
            out.resize(count);
            return out;
        }
    }

    /// The non-negative value of big-endian `bytes`, written into the limbs.
    static N from_bytes(std::span<const std::uint8_t> bytes)
    {
        N out;
        if (bytes.empty()) return out;
        if constexpr (sizeof(mp_limb_t) == 8) {
            auto* z = out.backend().data();
            const std::size_t limbs = (bytes.size() + 7) / 8;
            mp_limb_t* d = mpz_limbs_write(z, static_cast<mp_size_t>(limbs));
            std::size_t end = bytes.size();
            for (std::size_t i = 0; i < limbs; ++i) {
                const std::size_t begin = end >= 8 ? end - 8 : 0;
                std::uint64_t v = 0;
                for (std::size_t b = begin; b < end; ++b) v = (v << 8) | bytes[b];
                d[i] = static_cast<mp_limb_t>(v);
                end = begin;
            }
            mpz_limbs_finish(z, static_cast<mp_size_t>(limbs));
        } else {
            mpz_import(out.backend().data(), bytes.size(), 1, 1, 1, 0, bytes.data());
        }
        return out;
    }

    /// `a` in base 10 or 16 (lower case), mpz_get_str.
    /// @throws std::invalid_argument for another base.
    static std::string to_string(const N& a, int base)
    {
        if (base != 10 && base != 16) throw std::invalid_argument("base: must be 10 or 16");
        std::string out(mpz_sizeinbase(a.backend().data(), base) + 2, '\0');
        mpz_get_str(out.data(), base, a.backend().data());
        out.resize(std::strlen(out.c_str()));
        return out;
    }

    /// Parses an optional '-' and digits of base 10 or 16 (checked first), mpz_set_str.
    /// @throws std::invalid_argument for another base or text.
    static N from_string(std::string_view text, int base)
    {
        bool negative = false;
        const std::string digits(detail::checked_digits(text, base, negative));
        N out;
        if (mpz_set_str(out.backend().data(), digits.c_str(), base) != 0)
            throw std::invalid_argument("number text: not an integer");
        if (negative) mpz_neg(out.backend().data(), out.backend().data());
        return out;
    }

    /// Overwrites every allocated limb (also those above the value's size), then sets a = 0.
    static void secure_clear(N& a)
    {
        auto* z = detail::gmp_raw_access::raw(a.backend());
        if (z->_mp_d == nullptr) { // moved from
            a = 0;
            return;
        }
        volatile mp_limb_t* limbs = z->_mp_d;
        for (int i = 0; i < z->_mp_alloc; ++i) limbs[i] = 0;
        mpz_set_ui(z, 0);
    }
};

} // namespace dkg
