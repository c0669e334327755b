// bigint_traits for Boost.Multiprecision signed integers (`cpp_int`, and any integer `number<>`).
#pragma once

#include <dkg/bigint/traits.hpp>

#include <boost/multiprecision/cpp_int.hpp>
#include <boost/multiprecision/integer.hpp>

#include <algorithm>
#include <iterator>
#include <type_traits>

namespace dkg {

namespace detail {

template <class Backend>
struct is_cpp_int_backend : std::false_type {};

// `auto`: Boost declares MinBits and MaxBits as `unsigned` in some versions and `std::size_t` in
// others (1.81); a fixed type would make this specialisation silently never match.
template <auto MinBits, auto MaxBits, boost::multiprecision::cpp_integer_type Sign,
          boost::multiprecision::cpp_int_check_type Checked, class Allocator>
struct is_cpp_int_backend<boost::multiprecision::cpp_int_backend<MinBits, MaxBits, Sign, Checked, Allocator>>
    : std::true_type {};

} // namespace detail

/// Traits for Boost.Multiprecision integers: Boost's powm, gcd and msb, and bit import/export for
/// `cpp_int` backends. The GMP backend has its own, faster specialisation in dkg/bigint/gmp.hpp.
template <class Backend, boost::multiprecision::expression_template_option ET>
struct bigint_traits<boost::multiprecision::number<Backend, ET>>
    : generic_bigint_traits<boost::multiprecision::number<Backend, ET>> {
    using N = boost::multiprecision::number<Backend, ET>; ///< the integer type
    using base = generic_bigint_traits<N>;               ///< the operator-only implementations

    static_assert(boost::multiprecision::number_category<N>::value == boost::multiprecision::number_kind_integer,
                  "dkg needs an integer type");
    static_assert(std::numeric_limits<N>::is_signed && !std::numeric_limits<N>::is_bounded,
                  "dkg needs a signed, unbounded integer type such as cpp_int");

    /// b^e mod m in [0, m) with boost::multiprecision::powm (b reduced into [0, m) first).
    static N powm(const N& b, const N& e, const N& m)
    {
        N reduced = N(b % m);
        if (reduced < 0) reduced += m;
        return N(boost::multiprecision::powm(reduced, e, m));
    }

    /// The non-negative gcd, boost::multiprecision::gcd.
    static N gcd(const N& a, const N& b) { return N(boost::multiprecision::gcd(a, b)); }

    /// Bits of \|a\| from boost::multiprecision::msb; 0 for 0.
    static std::size_t bit_length(const N& a)
    {
        if (a == 0) return 0;
        return static_cast<std::size_t>(boost::multiprecision::msb(base::magnitude(a))) + 1;
    }

    /// \|a\| mod 2^64, read from the limbs of a `cpp_int` backend.
    static std::uint64_t low_u64(const N& a)
    {
        if constexpr (detail::is_cpp_int_backend<Backend>::value) {
            const auto& be = a.backend();
            std::uint64_t v = 0;
            const std::size_t bytes = std::min<std::size_t>(8, be.size() * sizeof(*be.limbs()));
            for (std::size_t i = 0; i < bytes; ++i) {
                const std::size_t limb = i / sizeof(*be.limbs());
                const std::size_t shift = 8 * (i % sizeof(*be.limbs()));
                v |= static_cast<std::uint64_t>((be.limbs()[limb] >> shift) & 0xff) << (8 * i);
            }
            return v;
        } else {
            return base::low_u64(a);
        }
    }

    /// \|a\| mod m, for 0 < m < 2^64.
    static std::uint64_t mod_u64(const N& a, std::uint64_t m)
    {
        return static_cast<std::uint64_t>(N(base::magnitude(a) % static_cast<unsigned long long>(m)));
    }

    /// \|a\| big-endian without leading zero bytes, with boost::multiprecision::export_bits.
    static std::vector<std::uint8_t> to_bytes(const N& a)
    {
        if constexpr (detail::is_cpp_int_backend<Backend>::value) {
            std::vector<std::uint8_t> out;
            if (a == 0) return out;
            boost::multiprecision::export_bits(base::magnitude(a), std::back_inserter(out), 8, true);
            return detail::strip_leading_zeros(std::move(out));
        } else {
            return base::to_bytes(a);
        }
    }

    /// The non-negative value of big-endian `bytes`, with boost::multiprecision::import_bits.
    static N from_bytes(std::span<const std::uint8_t> bytes)
    {
        if constexpr (detail::is_cpp_int_backend<Backend>::value) {
            N out;
            if (bytes.empty()) return out;
            boost::multiprecision::import_bits(out, bytes.begin(), bytes.end(), 8, true);
            return out;
        } else {
            return base::from_bytes(bytes);
        }
    }

    /// `a` in base 10 (Boost's str()) or 16.
    /// @throws std::invalid_argument for another base.
    static std::string to_string(const N& a, int base_)
    {
        if (base_ == 10) return a.str();
        return base::to_string(a, base_);
    }

    /// Parses an optional '-' and digits of base 10 or 16 (checked first: Boost alone would
    /// accept prefixes and read a leading 0 as octal).
    /// @throws std::invalid_argument for another base or text.
    static N from_string(std::string_view text, int base_)
    {
        bool negative = false;
        std::string_view digits = detail::checked_digits(text, base_, negative);
        // Boost reads a leading 0 as an octal prefix: drop leading zeros first.
        while (digits.size() > 1 && digits.front() == '0') digits.remove_prefix(1);
        N out(base_ == 16 ? "0x" + std::string(digits) : std::string(digits));
        return negative ? N(-out) : out;
    }

    /// Overwrites the limbs of a `cpp_int` backend, then sets a = 0.
    static void secure_clear(N& a)
    {
        if constexpr (detail::is_cpp_int_backend<Backend>::value) {
            // Every limb of the buffer, not only the used ones: a value that shrank leaves its old
            // high limbs behind.
            auto& be = a.backend();
            volatile auto* limbs = be.limbs();
            std::size_t count = be.size();
            if constexpr (requires { be.capacity(); }) count = std::max<std::size_t>(count, be.capacity());
            for (std::size_t i = 0; i < count; ++i) limbs[i] = 0;
        }
        a = 0;
    }
};

} // namespace dkg
