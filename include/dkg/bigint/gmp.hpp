// bigint_traits for the GMP backend of Boost.Multiprecision (`mpz_int`), calling GMP directly.
//
// Using these types requires linking GMP: link the CMake target dkg::gmp.
#pragma once

#include <dkg/bigint/boost_multiprecision.hpp>

#include <boost/multiprecision/gmp.hpp>

#include <bit>
#include <cstring>

namespace dkg {

namespace detail {

// Reaches the mpz_t of a gmp_int without Boost's non-null assertion (a moved-from value has none).
struct gmp_raw_access : boost::multiprecision::gmp_int {
    static __mpz_struct* raw(boost::multiprecision::gmp_int& value) noexcept
    {
        return value.*(&gmp_raw_access::m_data);
    }
};

} // namespace detail

/// GMP-backed integer with expression templates (Boost's `mpz_int`).
using gmp_int = boost::multiprecision::mpz_int;

/// GMP-backed integer without expression templates.
using gmp_int_et_off = boost::multiprecision::number<boost::multiprecision::gmp_int, boost::multiprecision::et_off>;

template <boost::multiprecision::expression_template_option ET>
struct bigint_traits<boost::multiprecision::number<boost::multiprecision::gmp_int, ET>>
    : generic_bigint_traits<boost::multiprecision::number<boost::multiprecision::gmp_int, ET>> {
    using N = boost::multiprecision::number<boost::multiprecision::gmp_int, ET>;

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

    static std::optional<N> invert(const N& a, const N& m)
    {
        if (m <= 1) return std::nullopt;
        N out;
        if (mpz_invert(out.backend().data(), a.backend().data(), m.backend().data()) == 0) return std::nullopt;
        return out;
    }

    static N gcd(const N& a, const N& b)
    {
        N out;
        mpz_gcd(out.backend().data(), a.backend().data(), b.backend().data());
        return out;
    }

    static int jacobi(const N& a, const N& n)
    {
        if (n <= 0 || mpz_even_p(n.backend().data())) throw std::invalid_argument("jacobi: n must be odd and positive");
        return mpz_jacobi(a.backend().data(), n.backend().data());
    }

    static std::size_t bit_length(const N& a)
    {
        if (mpz_sgn(a.backend().data()) == 0) return 0;
        return mpz_sizeinbase(a.backend().data(), 2);
    }

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

    static std::uint64_t mod_u64(const N& a, std::uint64_t m)
    {
        if constexpr (sizeof(unsigned long) >= sizeof(std::uint64_t)) {
            return mpz_tdiv_ui(a.backend().data(), static_cast<unsigned long>(m)); // |a| mod m
        } else {
            return generic_bigint_traits<N>::mod_u64(a, m);
        }
    }

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

    static std::string to_string(const N& a, int base)
    {
        if (base != 10 && base != 16) throw std::invalid_argument("base: must be 10 or 16");
        std::string out(mpz_sizeinbase(a.backend().data(), base) + 2, '\0');
        mpz_get_str(out.data(), base, a.backend().data());
        out.resize(std::strlen(out.c_str()));
        return out;
    }

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
